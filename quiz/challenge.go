package quiz

import (
	"context"
	"errors"
	"sort"
	"time"
)

// A challenge (先锋论坛 style) is a quiz a coordinator runs in a group: the
// bot posts native quiz polls one at a time, each open for a while, then
// stops it and posts the next, and ends with a leaderboard. The state lives
// in the store so that a restart carries on where it stopped; the bot does
// the sending (see Step).

// Challenge limits.
const (
	ChallengeDefaultSize = 5
	ChallengeMaxSize     = 10
	// ChallengeOpen is how long each poll is open by default; Telegram
	// takes 5 to 600 seconds.
	ChallengeOpen    = 30 * time.Second
	ChallengeMinOpen = 10 * time.Second
	ChallengeMaxOpen = 600 * time.Second
)

// Challenge is one group challenge.
type Challenge struct {
	ID        int64
	ChatID    int64
	StartedBy int64
	Topic     string
	Questions []string
	Open      time.Duration
	Pos       int // the poll being asked, or to ask next
	Done      bool
	Created   time.Time
}

// ChallengePoll is one poll of a challenge.
type ChallengePoll struct {
	ChallengeID int64
	Pos         int
	QuestionID  string
	// PollID and MessageID are empty while the poll is being sent; a row
	// left so by a crash is skipped (it may or may not have reached the group).
	PollID    string
	MessageID int
	Correct   int // the correct option, from the stored question
	SentAt    time.Time
	ClosesAt  time.Time
	Stopped   bool
}

// Vote is one person's answer to a challenge poll.
type Vote struct {
	PollID  string
	UserID  int64
	Name    string
	Option  int
	Correct bool
	At      time.Time
}

// Score is one person's result in a challenge.
type Score struct {
	UserID   int64
	Name     string
	Right    int
	Answered int
	Took     time.Duration // time from each poll to the person's vote, summed
}

// ChallengeStore keeps challenges, their polls and the votes.
type ChallengeStore interface {
	// CreateChallenge stores a new challenge (ErrChallengeOn when the chat
	// has one running).
	CreateChallenge(ctx context.Context, c *Challenge) error
	Challenge(ctx context.Context, id int64) (Challenge, error)
	RunningChallenges(ctx context.Context) ([]Challenge, error)
	SaveChallenge(ctx context.Context, c Challenge) error
	// PutPoll inserts or updates the poll at (ChallengeID, Pos).
	PutPoll(ctx context.Context, p ChallengePoll) error
	Poll(ctx context.Context, challengeID int64, pos int) (ChallengePoll, error) // ErrNotFound
	PollByID(ctx context.Context, pollID string) (ChallengePoll, error)          // ErrNotFound
	// AddVote stores a vote once per person and poll; false when the
	// person had voted already.
	AddVote(ctx context.Context, v Vote) (bool, error)
	Scores(ctx context.Context, challengeID int64) ([]Score, error)
}

// StartChallenge draws size poll-ready questions of topic ("" for all)
// for a challenge in chatID and stores it.
func (s *Service) StartChallenge(ctx context.Context, chatID, by int64, topic string, size int, open time.Duration) (Challenge, error) {
	c, err := s.DrawChallenge(ctx, chatID, by, topic, size, open)
	if err != nil {
		return Challenge{}, err
	}
	if err := s.CreateChallenge(ctx, &c); err != nil {
		return Challenge{}, err
	}
	return c, nil
}

// DrawChallenge is the challenge StartChallenge would store, not yet
// stored: ErrChallengeOn when chatID has one running. The bot announces it
// before CreateChallenge stores it.
func (s *Service) DrawChallenge(ctx context.Context, chatID, by int64, topic string, size int, open time.Duration) (Challenge, error) {
	running, err := s.store.RunningChallenges(ctx)
	if err != nil {
		return Challenge{}, err
	}
	for _, c := range running {
		if c.ChatID == chatID {
			return Challenge{}, ErrChallengeOn
		}
	}
	size = min(max(size, 1), ChallengeMaxSize)
	if open == 0 {
		open = ChallengeOpen
	}
	open = min(max(open, ChallengeMinOpen), ChallengeMaxOpen)
	qs, err := s.store.Draw(ctx, DrawSpec{N: size, Topic: topic, PollOnly: true})
	if err != nil {
		return Challenge{}, err
	}
	if len(qs) == 0 {
		return Challenge{}, ErrNoChallengeSet
	}
	return Challenge{ChatID: chatID, StartedBy: by, Topic: topic, Questions: ids(qs), Open: open, Created: s.clock()}, nil
}

// CreateChallenge stores c, drawn by DrawChallenge (ErrChallengeOn when
// its chat has one running).
func (s *Service) CreateChallenge(ctx context.Context, c *Challenge) error {
	return s.store.CreateChallenge(ctx, c)
}

// StepKind is what a challenge needs next.
type StepKind int

// The steps of a challenge.
const (
	StepWait   StepKind = iota // nothing until Until
	StepSend                   // send Question as poll Pos
	StepStop                   // stop the poll Poll
	StepFinish                 // post the leaderboard
)

// Step is the next thing to do for a challenge.
type Step struct {
	Kind      StepKind
	Challenge Challenge
	Pos       int
	Question  Question
	Poll      ChallengePoll
	Until     time.Time
}

// NextStep says what challenge c needs at now. A poll whose send a crash
// interrupted is skipped.
func (s *Service) NextStep(ctx context.Context, c Challenge) (Step, error) {
	now := s.clock()
	for c.Pos < len(c.Questions) {
		p, err := s.store.Poll(ctx, c.ID, c.Pos)
		switch {
		case errors.Is(err, ErrNotFound):
			q, err := s.store.Question(ctx, c.Questions[c.Pos])
			if errors.Is(err, ErrNotFound) || (err == nil && !q.PollReady()) {
				c.Pos++ // the bank changed since the draw
				if err := s.store.SaveChallenge(ctx, c); err != nil {
					return Step{}, err
				}
				continue
			}
			if err != nil {
				return Step{}, err
			}
			return Step{Kind: StepSend, Challenge: c, Pos: c.Pos, Question: q}, nil
		case err != nil:
			return Step{}, err
		case p.PollID == "" || p.Stopped:
			c.Pos++
			if err := s.store.SaveChallenge(ctx, c); err != nil {
				return Step{}, err
			}
			continue
		case now.Before(p.ClosesAt):
			return Step{Kind: StepWait, Challenge: c, Pos: c.Pos, Poll: p, Until: p.ClosesAt}, nil
		default:
			return Step{Kind: StepStop, Challenge: c, Pos: c.Pos, Poll: p}, nil
		}
	}
	return Step{Kind: StepFinish, Challenge: c}, nil
}

// Sending records that poll pos of c is about to be sent, before the send:
// a crash during it leaves the row without a poll id, which NextStep skips.
func (s *Service) Sending(ctx context.Context, c Challenge, pos int, q Question) error {
	return s.store.PutPoll(ctx, ChallengePoll{ChallengeID: c.ID, Pos: pos, QuestionID: q.ID, Correct: q.Answer[0], SentAt: s.clock()})
}

// Sent records the poll Telegram accepted.
func (s *Service) Sent(ctx context.Context, c Challenge, pos int, q Question, pollID string, messageID int) error {
	now := s.clock()
	return s.store.PutPoll(ctx, ChallengePoll{
		ChallengeID: c.ID, Pos: pos, QuestionID: q.ID, Correct: q.Answer[0], PollID: pollID, MessageID: messageID,
		SentAt: now, ClosesAt: now.Add(c.Open),
	})
}

// Stopped records that a poll is closed and moves the challenge on.
func (s *Service) Stopped(ctx context.Context, p ChallengePoll) error {
	return s.atomic(ctx, func(ctx context.Context) error {
		p.Stopped = true
		if err := s.store.PutPoll(ctx, p); err != nil {
			return err
		}
		c, err := s.store.Challenge(ctx, p.ChallengeID)
		if err != nil {
			return err
		}
		if c.Pos == p.Pos {
			c.Pos++
		}
		return s.store.SaveChallenge(ctx, c)
	})
}

// FinishChallenge ends c and returns its leaderboard, best first.
func (s *Service) FinishChallenge(ctx context.Context, c Challenge) ([]Score, error) {
	c.Done = true
	if err := s.store.SaveChallenge(ctx, c); err != nil {
		return nil, err
	}
	return s.Leaderboard(ctx, c.ID)
}

// Leaderboard ranks a challenge's players: most right, then fastest.
func (s *Service) Leaderboard(ctx context.Context, challengeID int64) ([]Score, error) {
	scores, err := s.store.Scores(ctx, challengeID)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(scores, func(i, j int) bool {
		if scores[i].Right != scores[j].Right {
			return scores[i].Right > scores[j].Right
		}
		return scores[i].Took < scores[j].Took
	})
	return scores, nil
}

// RunningChallenges lists the challenges not yet finished.
func (s *Service) RunningChallenges(ctx context.Context) ([]Challenge, error) {
	return s.store.RunningChallenges(ctx)
}

// Vote records a poll answer: graded from the stored question, once per
// person and poll. It reports false for a poll that is not a challenge's
// (or no longer open) and for a second vote.
func (s *Service) Vote(ctx context.Context, pollID string, userID int64, name string, options []int) (bool, error) {
	if len(options) != 1 {
		return false, nil // a retraction; quiz polls have none
	}
	p, err := s.store.PollByID(ctx, pollID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	now := s.clock()
	if p.Stopped {
		return false, nil
	}
	return s.store.AddVote(ctx, Vote{PollID: pollID, UserID: userID, Name: name, Option: options[0], Correct: options[0] == p.Correct, At: now})
}
