package quiz

import (
	"context"
	"errors"
	"time"
)

// Errors of the store and the service.
var (
	ErrNotFound       = errors.New("quiz: not found")
	ErrActiveSession  = errors.New("quiz: another session is active")
	ErrExamRunning    = errors.New("quiz: an exam is running")
	ErrNotYours       = errors.New("quiz: not this person's session")
	ErrStale          = errors.New("quiz: the session or question has moved on")
	ErrBadChoice      = errors.New("quiz: no such option")
	ErrNoQuestions    = errors.New("quiz: no questions to ask")
	ErrAttemptsUsed   = errors.New("quiz: no attempts left in this period")
	ErrUnknownExam    = errors.New("quiz: no such exam")
	ErrAlreadyDone    = errors.New("quiz: already done today")
	ErrIDTaken        = errors.New("quiz: the id belongs to another bank")
	ErrOutOfScope     = errors.New("quiz: outside the coordinator's district")
	ErrChallengeOn    = errors.New("quiz: a challenge is already running in this chat")
	ErrNoChallengeSet = errors.New("quiz: no questions fit a quiz poll")
)

// Store keeps banks, sessions, answers and notebooks. store.QuizStore
// implements it with SQLite; inside store.DB.Atomic its calls join the
// transaction.
type Store interface {
	// SyncContent makes the content bank exactly qs: new questions are
	// added, changed ones updated, and content questions no longer there
	// retired (kept for the history that points at them).
	SyncContent(ctx context.Context, qs []Question) (SyncCounts, error)
	// Import adds or replaces imported questions, all or none. A question
	// whose id is a content question or another bank's is ErrIDTaken.
	Import(ctx context.Context, bank string, qs []Question, by int64, at time.Time) error
	// Banks lists where each of ids already lives (bank name), for the
	// import report.
	Banks(ctx context.Context, ids []string) (map[string]string, error)
	// Question returns a question, retired or not (ErrNotFound).
	Question(ctx context.Context, id string) (Question, error)
	// Topics counts the live questions by topic.
	Topics(ctx context.Context) ([]TopicCount, error)
	// Draw picks up to n live questions at random.
	Draw(ctx context.Context, d DrawSpec) ([]Question, error)

	CreateSession(ctx context.Context, s *Session) error // ErrActiveSession
	Session(ctx context.Context, id int64) (Session, error)
	ActiveSession(ctx context.Context, userID int64) (Session, error)
	// SaveSession writes the session's state and its item at pos (pos < 0:
	// no item).
	SaveSession(ctx context.Context, s Session, pos int) error
	// ExpiredExams lists the active exams whose deadline is before now.
	ExpiredExams(ctx context.Context, now time.Time, limit int) ([]Session, error)
	// ExamAttempts counts the person's attempts at exam since.
	ExamAttempts(ctx context.Context, userID int64, exam string, since time.Time) (int, error)
	// ExamResults lists a person's finished exams, newest first.
	ExamResults(ctx context.Context, userID int64, limit int) ([]Session, error)

	// RecordAnswer stores one graded answer with its points.
	RecordAnswer(ctx context.Context, a AnswerRecord) error
	// PointsSince sums a person's points since.
	PointsSince(ctx context.Context, userID int64, since time.Time) (int, error)
	Card(ctx context.Context, userID int64, questionID string) (Card, error) // ErrNotFound
	PutCard(ctx context.Context, c Card) error
	// DueCards lists notebook cards due at now, the longest due first.
	DueCards(ctx context.Context, userID int64, now time.Time, limit int) ([]Card, error)
	// Notebook lists the cards still in the notebook, most often wrong
	// first, and how many there are.
	Notebook(ctx context.Context, userID int64, offset, limit int) ([]Card, int, error)
	// NextDue is the earliest due time in the notebook (zero: empty).
	NextDue(ctx context.Context, userID int64) (time.Time, error)
	// TopicRates is the person's correct rate per topic, weakest first.
	TopicRates(ctx context.Context, userID int64) ([]TopicRate, error)

	MarkDaily(ctx context.Context, userID int64, day string) error
	// DailyDays lists the days (YYYY-MM-DD) with a finished daily set, the
	// newest first, up to limit.
	DailyDays(ctx context.Context, userID int64, limit int) ([]string, error)
	Prefs(ctx context.Context, userID int64) (Prefs, error)
	SetPrefs(ctx context.Context, userID int64, p Prefs) error
	// DuePushes lists people whose daily push time (HH:MM) is at or before
	// hhmm who were not pushed on day and have not done day's set.
	DuePushes(ctx context.Context, day, hhmm string, limit int) ([]int64, error)
	MarkPushed(ctx context.Context, userID int64, day string) error
	Figures(ctx context.Context, userID int64) (Figures, error)
	// Ranking sums points since, of approved workers (of district, if
	// given), best first.
	Ranking(ctx context.Context, since time.Time, district string) ([]RankRow, error)
	// QuestionStats are correct rates per question of the answers of
	// people in district ("" for all), the most missed first.
	QuestionStats(ctx context.Context, district string, minAnswers, limit int) ([]QuestionStat, error)
	TopicStats(ctx context.Context, district string) ([]TopicRate, error)
	// QuestionRate counts the answers to one question by people of
	// district ("" for all) and how many were right.
	QuestionRate(ctx context.Context, district, questionID string) (answered, right int, err error)

	ChallengeStore
}

// SyncCounts says what SyncContent changed.
type SyncCounts struct{ Added, Updated, Retired, Unchanged int }

// TopicCount is how many questions a topic has.
type TopicCount struct {
	Topic string
	Count int
}

// DrawSpec says which questions to draw.
type DrawSpec struct {
	N       int
	Topic   string   // "" for any
	Exclude []string // ids already chosen
	// Unseen leaves out the questions UserID has answered.
	Unseen   bool
	UserID   int64
	PollOnly bool // only questions that fit a quiz poll
}

// AnswerRecord is one graded answer.
type AnswerRecord struct {
	UserID     int64
	QuestionID string
	SessionID  int64
	Correct    bool
	Points     int
	At         time.Time
}

// TopicRate is a correct rate over a topic.
type TopicRate struct {
	Topic           string
	Answered, Right int
}

// Rate is the share answered right, 0..1.
func (t TopicRate) Rate() float64 {
	if t.Answered == 0 {
		return 0
	}
	return float64(t.Right) / float64(t.Answered)
}

// Prefs are a person's quiz preferences.
type Prefs struct {
	ShowName bool   // show the full name in rankings
	Daily    string // "HH:MM" for the daily push (the scheduler sends it); "" off
}

// Figures are a person's study figures.
type Figures struct {
	Answered, Right int
	ExamsTaken      int
	ExamsPassed     int
	Notebook        int
}

// RankRow is one person's points in a ranking.
type RankRow struct {
	UserID   int64
	Name     string
	District string
	ShowName bool
	Points   int
}

// QuestionStat is how a question fared.
type QuestionStat struct {
	Question        Question
	Answered, Right int
}
