package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/go-telegram/bot/models"
)

// Quiz statistics buttons (prefix qs):
//
//	qs:q:<d>:<qid>  one question's figures and explanation, for district
//	                index d of the districts list (-1: the whole city)

// How many of the most missed questions and of the weakest topics
// /quizstats lists.
const (
	statsMissed = 10
	statsTopics = 30
)

// statsScope resolves the district a coordinator asks about: their own for
// a district coordinator (another is refused), any (or the city, "") for a
// city-wide one.
func (b *Bot) statsScope(ctx context.Context, userID int64, asked string) (string, error) {
	a, err := b.members.Access(ctx, userID)
	if err != nil {
		return "", err
	}
	district := ""
	if strings.TrimSpace(asked) != "" {
		d, ok := b.members.Districts().Resolve(asked)
		if !ok {
			return "", member.ErrUnknownDistrict
		}
		district = d
	}
	switch {
	case a.CityWide():
		return district, nil
	case a.Role == member.RoleCoordinator && (district == "" || district == a.District):
		return a.District, nil
	}
	return "", quiz.ErrOutOfScope
}

// cmdQuizStats shows correct rates per topic and the most missed
// questions, of the workers in the coordinator's scope.
func (b *Bot) cmdQuizStats(ctx context.Context, r *request) error {
	district, err := b.statsScope(ctx, r.userID, r.args)
	switch {
	case errors.Is(err, member.ErrUnknownDistrict):
		return b.reply(ctx, r, t("quizstats.unknown_district", esc(r.args)))
	case errors.Is(err, quiz.ErrOutOfScope):
		return b.reply(ctx, r, t("quizstats.out_of_scope"))
	case err != nil:
		return err
	}
	st, err := b.quiz.Stats(ctx, district, statsMissed)
	if err != nil {
		return err
	}
	scope := t("quizstats.city")
	if district != "" {
		scope = esc(district)
	}
	var sb strings.Builder
	sb.WriteString(t("quizstats.header", scope))
	if len(st.Topics) == 0 {
		sb.WriteString("\n\n" + t("quizstats.empty"))
		return b.reply(ctx, r, sb.String())
	}
	sb.WriteString("\n\n" + t("quizstats.topics"))
	// Topics come weakest first; the list is bounded, since imported banks
	// may bring any number of them.
	for i, tr := range st.Topics {
		if i == statsTopics {
			sb.WriteString("\n" + t("quizstats.more_topics", len(st.Topics)-statsTopics))
			break
		}
		fmt.Fprintf(&sb, "\n• %s %s", esc(tr.Topic), t("quizstats.rate", percent(tr.Right, tr.Answered), tr.Answered))
	}
	var rows [][]models.InlineKeyboardButton
	if len(st.Missed) > 0 {
		sb.WriteString("\n\n" + t("quizstats.missed", quiz.StatsMinAnswers))
		for i, qs := range st.Missed {
			fmt.Fprintf(&sb, "\n%d. %s %s", i+1, esc(truncate(qs.Question.Text, 40)), t("quizstats.rate", percent(qs.Right, qs.Answered), qs.Answered))
			rows = append(rows, []models.InlineKeyboardButton{button(t("quizstats.open", i+1), "qs", "q", b.districtIndex(district), qs.Question.ID)})
		}
		sb.WriteString("\n\n" + t("quizstats.hint"))
	}
	m := message{text: sb.String()}
	if len(rows) > 0 {
		m.markup = &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	}
	return b.send(ctx, r.chatID, m)
}

func percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return part * 100 / whole
}

// districtIndex is the index of district among the districts, -1 for "".
func (b *Bot) districtIndex(district string) int {
	for i, d := range b.members.Districts().Names() {
		if d == district {
			return i
		}
	}
	return -1
}

func (b *Bot) onQuizStatsButton(ctx context.Context, r *request, payload string) error {
	parts := strings.SplitN(payload, ":", 3)
	if b.quiz == nil || len(parts) != 3 || parts[0] != "q" {
		return b.staleButton(ctx, r)
	}
	district := ""
	var idx int
	if _, err := fmt.Sscan(parts[1], &idx); err != nil {
		return b.staleButton(ctx, r)
	}
	if names := b.members.Districts().Names(); idx >= 0 && idx < len(names) {
		district = names[idx]
	} else if idx != -1 {
		return b.staleButton(ctx, r)
	}
	// The scope narrows the city ("") to a district coordinator's own.
	district, err := b.statsScope(ctx, r.userID, district)
	if err != nil {
		if errors.Is(err, quiz.ErrOutOfScope) {
			b.ack(r, t("quizstats.out_of_scope"), true)
			return nil
		}
		return err
	}
	q, err := b.quiz.Question(ctx, parts[2])
	if errors.Is(err, quiz.ErrNotFound) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	answered, right, err := b.quiz.QuestionRate(ctx, district, q.ID)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(t("quizstats.question", esc(q.ID), esc(q.Topic), esc(q.Bank)))
	sb.WriteString("\n\n" + questionBody(q))
	sb.WriteString("\n\n" + t("quizstats.answer", esc(rightAnswer(q)), percent(right, answered), answered))
	sb.WriteString("\n" + t("quiz.explanation", esc(q.Explanation)))
	if src := b.questionSource(ctx, q); src != "" {
		sb.WriteString("\n" + src)
	}
	return b.send(ctx, r.chatID, message{text: sb.String()})
}
