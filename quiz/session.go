package quiz

import (
	"slices"
	"time"
)

// SessionKind is what a session is for.
type SessionKind string

// The kinds of sessions.
const (
	Practice SessionKind = "practice" // /quiz: a topic (or all) and a length
	Daily    SessionKind = "daily"    // /daily: five chosen for the person
	Review   SessionKind = "review"   // /review: the notebook's due cards
	Retry    SessionKind = "retry"    // the questions missed in a session
	ExamKind SessionKind = "exam"     // /exam: timed, no feedback until the end
)

// State is where a session stands.
type State string

// The states of a session.
const (
	Active    State = "active"
	Done      State = "done"
	Expired   State = "expired" // an exam submitted as it stood when its time ran out
	Abandoned State = "abandoned"
)

// Session is one run through a list of questions.
type Session struct {
	ID       int64
	UserID   int64
	Kind     SessionKind
	Topic    string // the practice topic; "" for all
	ExamID   string
	State    State
	Started  time.Time
	Deadline time.Time // exams only
	Finished time.Time
	// Pos is the current question. In practice it moves on when the person
	// asks for the next question; in an exam, as soon as one is answered.
	Pos   int
	Items []Item
	// ChatID and MessageID are the message the session is shown in.
	ChatID    int64
	MessageID int
	Score     int // exams: out of 100
	Passed    bool
}

// Item is one question of a session and what was answered.
type Item struct {
	QuestionID string
	Topic      string
	Selected   []int // the options chosen (toggled, for a multiple choice)
	Answered   bool
	Correct    bool
	At         time.Time
}

// Over reports whether the session has ended.
func (s Session) Over() bool { return s.State != Active }

// Current is the item at Pos, or false past the end.
func (s Session) Current() (Item, bool) {
	if s.Pos < 0 || s.Pos >= len(s.Items) {
		return Item{}, false
	}
	return s.Items[s.Pos], true
}

// Remaining is the time an exam has left at now (zero when out).
func (s Session) Remaining(now time.Time) time.Duration {
	if s.Deadline.IsZero() {
		return 0
	}
	return max(s.Deadline.Sub(now), 0)
}

// Summary is how a session went.
type Summary struct {
	Right, Answered, Total int
	Took                   time.Duration
	Topics                 []TopicRate // in the order first met
	Missed                 []string    // question ids answered wrong or not at all
}

// Summarize counts a session's results.
func (s Session) Summarize() Summary {
	sum := Summary{Total: len(s.Items)}
	end := s.Finished
	if end.IsZero() {
		end = s.Started
		for _, it := range s.Items {
			if it.At.After(end) {
				end = it.At
			}
		}
	}
	sum.Took = end.Sub(s.Started)
	at := map[string]int{}
	for _, it := range s.Items {
		i, ok := at[it.Topic]
		if !ok {
			i = len(sum.Topics)
			at[it.Topic] = i
			sum.Topics = append(sum.Topics, TopicRate{Topic: it.Topic})
		}
		sum.Topics[i].Answered++
		if it.Answered {
			sum.Answered++
		}
		if it.Correct {
			sum.Right++
			sum.Topics[i].Right++
		} else {
			sum.Missed = append(sum.Missed, it.QuestionID)
		}
	}
	return sum
}

// Percent is right out of total, rounded down, 0..100.
func (s Summary) Percent() int {
	if s.Total == 0 {
		return 0
	}
	return s.Right * 100 / s.Total
}

func cloneItems(items []Item) []Item {
	out := slices.Clone(items)
	for i := range out {
		out[i].Selected = slices.Clone(out[i].Selected)
	}
	return out
}
