package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dangwu/dangwu/quiz"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// A group challenge posts native quiz polls one at a time (QuizTick moves
// it on): each poll is open for quiz.ChallengeOpen, then stopped, then the
// next is posted, and a leaderboard ends it. At most one poll and one stop
// every ten seconds (quiz.ChallengeMinOpen), plus the opening and the
// leaderboard, stays well inside Telegram's 20 messages a minute per group.

// cmdChallenge starts a challenge in a group: /challenge [题数] [专题].
// challengeTopicsShown is how many topics a reply to an unknown one
// names at most.
const challengeTopicsShown = 20

func (b *Bot) cmdChallenge(ctx context.Context, r *request) error {
	if r.private {
		return b.reply(ctx, r, t("challenge.group_only"))
	}
	size, topic := quiz.ChallengeDefaultSize, ""
	for _, f := range strings.Fields(r.args) {
		if n, err := strconv.Atoi(f); err == nil {
			size = n
			continue
		}
		topic = f
	}
	if size < 1 || size > quiz.ChallengeMaxSize {
		return b.reply(ctx, r, t("challenge.size", quiz.ChallengeMaxSize))
	}
	if topic != "" {
		topics, err := b.quiz.Topics(ctx)
		if err != nil {
			return err
		}
		var names []string
		found := false
		for _, tc := range topics {
			if len(names) < challengeTopicsShown {
				names = append(names, esc(tc.Topic))
			}
			found = found || tc.Topic == topic
		}
		if !found {
			list := strings.Join(names, "、")
			if len(topics) > len(names) {
				list += t("challenge.more_topics", len(topics))
			}
			return b.reply(ctx, r, t("challenge.topic", esc(truncate(topic, quiz.MaxTopicRunes)), list))
		}
	}
	c, err := b.quiz.DrawChallenge(ctx, r.chatID, r.userID, topic, size, 0)
	switch {
	case errors.Is(err, quiz.ErrChallengeOn):
		return b.reply(ctx, r, t("challenge.running"))
	case errors.Is(err, quiz.ErrNoChallengeSet):
		return b.reply(ctx, r, t("challenge.no_questions"))
	case err != nil:
		return err
	}
	// The opening goes out before the challenge is stored, the update
	// marked done with it: a crash between the two replays /challenge,
	// which opens it again rather than meet its own challenge running.
	if err := b.reply(beforeWrite(ctx), r, t("challenge.start", len(c.Questions), int(c.Open.Seconds()))); err != nil {
		return err
	}
	err = b.atomic(ctx, func(ctx context.Context) error { return b.quiz.CreateChallenge(ctx, &c) })
	if errors.Is(err, quiz.ErrChallengeOn) {
		return b.reply(ctx, r, t("challenge.running"))
	}
	if err != nil {
		return err
	}
	b.advanceChallenge(ctx, c)
	return nil
}

// advanceChallenges moves every running challenge on.
func (b *Bot) advanceChallenges(ctx context.Context) {
	cs, err := b.quiz.RunningChallenges(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("running challenges", "err", err)
		}
		return
	}
	for _, c := range cs {
		b.advanceChallenge(ctx, c)
	}
}

// advanceChallenge does what challenge c needs now: stop the poll whose
// time is up, post the next, or end with the leaderboard.
func (b *Bot) advanceChallenge(ctx context.Context, c quiz.Challenge) {
	b.challengeMu.Lock()
	defer b.challengeMu.Unlock()
	for range len(c.Questions) + 2 {
		step, err := b.quiz.NextStep(ctx, c)
		if err != nil {
			b.log.Error("challenge step", "challenge", c.ID, "err", err)
			return
		}
		c = step.Challenge
		switch step.Kind {
		case quiz.StepWait:
			return
		case quiz.StepSend:
			if err := b.sendChallengePoll(ctx, c, step.Pos, step.Question); err != nil {
				b.log.Warn("challenge poll", "challenge", c.ID, "pos", step.Pos, "err", err)
				if errors.Is(err, tgbot.ErrorForbidden) || isChatGone(err) {
					b.endChallenge(ctx, c, false)
					return
				}
			}
			return
		case quiz.StepStop:
			_, err := b.api.StopPoll(ctx, &tgbot.StopPollParams{ChatID: c.ChatID, MessageID: step.Poll.MessageID})
			if err != nil && !alreadyClosed(err) {
				b.log.Warn("stop poll", "challenge", c.ID, "pos", step.Pos, "err", err)
			}
			if err := b.quiz.Stopped(ctx, step.Poll); err != nil {
				b.log.Error("record stopped poll", "challenge", c.ID, "err", err)
				return
			}
			c.Pos = step.Pos + 1
		case quiz.StepFinish:
			b.endChallenge(ctx, c, true)
			return
		}
	}
}

func alreadyClosed(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "already closed")
}

func isChatGone(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found")
}

// sendChallengePoll posts question q as poll pos of c. The poll is marked
// as being sent first: if the process dies during the send, the poll is
// skipped at the next start rather than posted twice.
func (b *Bot) sendChallengePoll(ctx context.Context, c quiz.Challenge, pos int, q quiz.Question) error {
	if err := b.quiz.Sending(ctx, c, pos, q); err != nil {
		return err
	}
	question := fmt.Sprintf("%d/%d %s", pos+1, len(c.Questions), q.Text)
	if utf8.RuneCountInString(question) > quiz.MaxQuestionRunes {
		question = q.Text
	}
	options := make([]models.InputPollOption, len(q.Options))
	for i, o := range q.Options {
		options[i] = models.InputPollOption{Text: o}
	}
	var sent *models.Message
	err := b.out.do(ctx, "sendPoll", c.ChatID, func() error {
		var err error
		sent, err = b.api.SendPoll(ctx, &tgbot.SendPollParams{
			ChatID:          c.ChatID,
			Question:        question,
			Options:         options,
			IsAnonymous:     tgbot.False(),
			Type:            "quiz",
			CorrectOptionID: q.Answer[0],
			Explanation:     q.Explanation,
			OpenPeriod:      int(c.Open.Seconds()),
		})
		return err
	})
	if err != nil {
		return err
	}
	if sent.Poll == nil {
		return errors.New("sendPoll answered a message without a poll")
	}
	return b.quiz.Sent(ctx, c, pos, q, sent.Poll.ID, sent.ID)
}

// endChallenge finishes c; with the leaderboard queued in the same
// transaction when it ran to its end.
func (b *Bot) endChallenge(ctx context.Context, c quiz.Challenge, board bool) {
	err := b.atomicFn(ctx, func(ctx context.Context) error {
		scores, err := b.quiz.FinishChallenge(ctx, c)
		if err != nil || !board {
			return err
		}
		return b.queue(ctx, "challenge", notice{chatID: c.ChatID, msg: message{text: leaderboardText(c, scores)}})
	})
	if err != nil {
		b.log.Error("finish challenge", "challenge", c.ID, "err", err)
	}
}

// leaderboardText ranks a challenge's players.
func leaderboardText(c quiz.Challenge, scores []quiz.Score) string {
	var sb strings.Builder
	sb.WriteString(t("challenge.board", len(c.Questions), len(scores)))
	if len(scores) == 0 {
		sb.WriteString("\n" + t("challenge.nobody"))
	}
	for i, s := range scores {
		if i == quiz.RankTop {
			break
		}
		fmt.Fprintf(&sb, "\n%d. %s %s", i+1, esc(s.Name), t("challenge.score", s.Right, s.Answered, tookText(s.Took)))
	}
	return sb.String()
}

// onPollAnswer records a vote in a challenge poll.
func (b *Bot) onPollAnswer(ctx context.Context, a *models.PollAnswer) {
	if a.User == nil || b.quiz == nil {
		return
	}
	name := strings.TrimSpace(a.User.FirstName + " " + a.User.LastName)
	if name == "" {
		name = a.User.Username
	}
	if _, err := b.quiz.Vote(ctx, a.PollID, a.User.ID, truncate(name, 32), a.OptionIDs); err != nil {
		b.log.Error("record poll answer", "poll", a.PollID, "err", err)
	}
}
