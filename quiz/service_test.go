package quiz_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/store"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	t     *testing.T
	db    *store.DB
	st    *store.QuizStore
	svc   *quiz.Service
	clock *clock
}

// newFixture opens a real database with the questions qs in its content bank.
func newFixture(t *testing.T, qs []quiz.Question, exams ...quiz.Exam) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Asia/Shanghai")
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, loc)} // a Monday
	db.Now = c.Now
	st := store.NewQuizStore(db)
	svc, err := quiz.NewService(st, quiz.Options{Atomic: db.Atomic, Location: loc, Now: c.Now, Rand: rand.New(rand.NewPCG(1, 2)), PointCap: 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LoadContent(ctx, quiz.Content{Questions: qs, Exams: exams}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, st: st, svc: svc, clock: c}
}

// bank makes n single-choice questions per topic; the answer is always B.
func bank(n int, topics ...string) []quiz.Question {
	var out []quiz.Question
	for _, topic := range topics {
		for i := range n {
			out = append(out, quiz.Question{
				ID: fmt.Sprintf("%s-%03d", topicID(topic), i), Kind: quiz.Single, Topic: topic, Difficulty: 1,
				Text: fmt.Sprintf("%s 第%d题", topic, i), Options: []string{"甲", "乙", "丙"}, Answer: []int{1}, Explanation: "因为乙。",
			})
		}
	}
	return out
}

func topicID(topic string) string {
	switch topic {
	case "党费":
		return "dues"
	case "发展党员":
		return "recruit"
	}
	return "t"
}

// answerAll answers every question of a practice session: right when
// right(pos), moving on after each.
func (f *fixture) answerAll(userID int64, sess quiz.Session, right func(pos int) bool) quiz.Session {
	f.t.Helper()
	ctx := context.Background()
	for pos := range sess.Items {
		q, err := f.svc.Question(ctx, sess.Items[pos].QuestionID)
		if err != nil {
			f.t.Fatal(err)
		}
		opt := q.Answer[0]
		if !right(pos) {
			opt = (opt + 1) % len(q.Options)
		}
		out, err := f.svc.Answer(ctx, userID, sess.ID, pos, opt)
		if err != nil {
			f.t.Fatalf("answer %d: %v", pos, err)
		}
		sess = out.Session
		if !out.Finished && sess.Kind != quiz.ExamKind {
			if sess, err = f.svc.Next(ctx, userID, sess.ID, pos); err != nil {
				f.t.Fatalf("next %d: %v", pos, err)
			}
		}
	}
	return sess
}

func TestPracticeSessionGradesFromTheStoredQuestion(t *testing.T) {
	f := newFixture(t, bank(6, "党费", "发展党员"))
	ctx := context.Background()
	sess, err := f.svc.StartPractice(ctx, 1, "党费", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Items) != 5 {
		t.Fatalf("session has %d questions, want 5", len(sess.Items))
	}
	for _, it := range sess.Items {
		if it.Topic != "党费" {
			t.Errorf("question %s of topic %s in a 党费 practice", it.QuestionID, it.Topic)
		}
	}
	if _, err := f.svc.StartPractice(ctx, 1, "", 5); !errors.Is(err, quiz.ErrActiveSession) {
		t.Errorf("second session: err = %v, want ErrActiveSession", err)
	}
	// Another person's press, a future question, a bad option: refused, nothing changes.
	if _, err := f.svc.Answer(ctx, 2, sess.ID, 0, 1); !errors.Is(err, quiz.ErrNotYours) {
		t.Errorf("another person's answer: err = %v", err)
	}
	if _, err := f.svc.Answer(ctx, 1, sess.ID, 3, 1); !errors.Is(err, quiz.ErrStale) {
		t.Errorf("answer to a later question: err = %v", err)
	}
	if _, err := f.svc.Answer(ctx, 1, sess.ID, 0, 7); !errors.Is(err, quiz.ErrBadChoice) {
		t.Errorf("option 7 of 3: err = %v", err)
	}
	out, err := f.svc.Answer(ctx, 1, sess.ID, 0, 1)
	if err != nil || !out.Correct || out.Points != 1 {
		t.Fatalf("right answer: correct=%v points=%d err=%v", out.Correct, out.Points, err)
	}
	if _, err := f.svc.Answer(ctx, 1, sess.ID, 0, 0); !errors.Is(err, quiz.ErrStale) {
		t.Errorf("answering the same question again: err = %v, want ErrStale", err)
	}
	figures, err := f.st.Figures(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if figures.Answered != 1 || figures.Right != 1 {
		t.Errorf("after one answer pressed twice: %+v, want 1 answered 1 right", figures)
	}
	sess, err = f.svc.Next(ctx, 1, sess.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	sess = f.answerAllFrom(1, sess, 1, func(pos int) bool { return pos%2 == 0 })
	if sess.State != quiz.Done {
		t.Fatalf("state after the last answer = %s", sess.State)
	}
	sum := sess.Summarize()
	if sum.Right != 3 || sum.Total != 5 || len(sum.Missed) != 2 {
		t.Errorf("summary %+v, want 3 of 5 right and 2 missed", sum)
	}
	_, total, err := f.svc.Notebook(ctx, 1, 0, 10)
	if err != nil || total != 2 {
		t.Errorf("notebook holds %d (err %v), want the 2 missed", total, err)
	}
}

// answerAllFrom is answerAll from position from.
func (f *fixture) answerAllFrom(userID int64, sess quiz.Session, from int, right func(pos int) bool) quiz.Session {
	f.t.Helper()
	ctx := context.Background()
	for pos := from; pos < len(sess.Items); pos++ {
		q, err := f.svc.Question(ctx, sess.Items[pos].QuestionID)
		if err != nil {
			f.t.Fatal(err)
		}
		opt := q.Answer[0]
		if !right(pos) {
			opt = (opt + 1) % len(q.Options)
		}
		out, err := f.svc.Answer(ctx, userID, sess.ID, pos, opt)
		if err != nil {
			f.t.Fatalf("answer %d: %v", pos, err)
		}
		sess = out.Session
		if !out.Finished {
			if sess, err = f.svc.Next(ctx, userID, sess.ID, pos); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	return sess
}

func TestMultipleChoiceToggles(t *testing.T) {
	q := quiz.Question{ID: "m1", Kind: quiz.Multiple, Topic: "党费", Difficulty: 2, Text: "哪些？", Options: []string{"甲", "乙", "丙", "丁"}, Answer: []int{0, 2}, Explanation: "甲和丙。"}
	f := newFixture(t, []quiz.Question{q})
	ctx := context.Background()
	sess, err := f.svc.StartPractice(ctx, 1, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Answer(ctx, 1, sess.ID, 0, -1); !errors.Is(err, quiz.ErrBadChoice) {
		t.Errorf("submitting nothing: err = %v", err)
	}
	for _, opt := range []int{2, 1, 0, 1} { // 乙 on and off again
		if sess, _, err = f.svc.Toggle(ctx, 1, sess.ID, 0, opt); err != nil {
			t.Fatal(err)
		}
	}
	if got := sess.Items[0].Selected; fmt.Sprint(got) != "[0 2]" {
		t.Fatalf("selected %v, want [0 2]", got)
	}
	if _, err := f.svc.Answer(ctx, 1, sess.ID, 0, 2); !errors.Is(err, quiz.ErrBadChoice) {
		t.Errorf("a single option for a multiple choice: err = %v", err)
	}
	out, err := f.svc.Answer(ctx, 1, sess.ID, 0, -1)
	if err != nil || !out.Correct || !out.Finished {
		t.Fatalf("submit: %+v, %v", out, err)
	}
	if _, _, err := f.svc.Toggle(ctx, 1, sess.ID, 0, 1); !errors.Is(err, quiz.ErrStale) {
		t.Errorf("toggle after submit: err = %v", err)
	}
}

func TestLeitnerReviewOverWeeks(t *testing.T) {
	f := newFixture(t, bank(3, "党费"))
	ctx := context.Background()
	sess, err := f.svc.StartPractice(ctx, 1, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	f.answerAll(1, sess, func(pos int) bool { return pos != 0 }) // one wrong
	if _, err := f.svc.StartReview(ctx, 1); !errors.Is(err, quiz.ErrNoQuestions) {
		t.Fatalf("review on the same day: err = %v, want nothing due", err)
	}
	// Each review must wait for the card's interval: a day, three days, a week.
	for i, wait := range quiz.Intervals {
		f.clock.Add(wait - time.Hour)
		if st, _ := f.svc.ReviewStatus(ctx, 1); st.Due != 0 {
			t.Fatalf("review %d: due an hour early", i+1)
		}
		f.clock.Add(time.Hour)
		rev, err := f.svc.StartReview(ctx, 1)
		if err != nil {
			t.Fatalf("review %d: %v", i+1, err)
		}
		if len(rev.Items) != 1 {
			t.Fatalf("review %d has %d cards, want 1", i+1, len(rev.Items))
		}
		f.answerAll(1, rev, func(int) bool { return true })
		_, total, _ := f.svc.Notebook(ctx, 1, 0, 10)
		if want := 1; i == len(quiz.Intervals)-1 {
			want = 0
			if total != want {
				t.Errorf("after %d right reviews the notebook holds %d, want %d", i+1, total, want)
			}
		} else if total != want {
			t.Errorf("after review %d the notebook holds %d, want %d", i+1, total, want)
		}
	}
	// A wrong answer later starts the card over.
	f.clock.Add(30 * 24 * time.Hour)
	sess, err = f.svc.StartPractice(ctx, 1, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	f.answerAll(1, sess, func(int) bool { return false })
	cards, total, _ := f.svc.Notebook(ctx, 1, 0, 10)
	if total != 3 {
		t.Fatalf("after three wrong answers the notebook holds %d", total)
	}
	for _, c := range cards {
		if c.Box != 1 || !c.Due.Equal(f.clock.Now().Add(quiz.Intervals[0]).Truncate(time.Second)) {
			t.Errorf("card %s: box %d due %v, want box 1 due in a day", c.QuestionID, c.Box, c.Due)
		}
	}
}

func TestLeitnerEarlyRightAnswerDoesNotAdvance(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := quiz.Card{}.Review(false, now)
	if c.Box != 1 {
		t.Fatalf("a wrong answer puts the card in box %d", c.Box)
	}
	early := c.Review(true, now.Add(time.Hour))
	if early.Box != 1 || !early.Due.Equal(c.Due) {
		t.Errorf("a right answer before the card is due moved it: box %d due %v", early.Box, early.Due)
	}
}

func TestExamRunsOutOfTime(t *testing.T) {
	exam := quiz.Exam{ID: "monthly", Title: "月考", Duration: 20 * time.Minute, Pass: 60, Attempts: 1, Period: quiz.PerMonth,
		Quotas: []quiz.Quota{{Topic: "党费", Count: 3}, {Topic: "发展党员", Count: 2}}}
	f := newFixture(t, bank(5, "党费", "发展党员"), exam)
	ctx := context.Background()
	sess, err := f.svc.StartExam(ctx, 1, "monthly")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.StartExam(ctx, 1, "monthly"); !errors.Is(err, quiz.ErrExamRunning) {
		t.Errorf("starting the exam twice: err = %v", err)
	}
	if _, err := f.svc.StartPractice(ctx, 1, "", 5); !errors.Is(err, quiz.ErrExamRunning) {
		t.Errorf("practice during an exam: err = %v", err)
	}
	topics := map[string]int{}
	for _, it := range sess.Items {
		topics[it.Topic]++
	}
	if topics["党费"] != 3 || topics["发展党员"] != 2 {
		t.Errorf("paper drawn %v, want the quotas 3 and 2", topics)
	}
	// Two answered right, then nobody presses anything.
	for pos := range 2 {
		q, _ := f.svc.Question(ctx, sess.Items[pos].QuestionID)
		out, err := f.svc.Answer(ctx, 1, sess.ID, pos, q.Answer[0])
		if err != nil {
			t.Fatal(err)
		}
		if out.Session.Pos != pos+1 {
			t.Errorf("exam did not move on after question %d", pos)
		}
	}
	f.clock.Add(19 * time.Minute)
	var told []quiz.Session
	f.svc.OnExpire(func(_ context.Context, s quiz.Session) error { told = append(told, s); return nil })
	n, err := f.svc.ExpireExams(ctx)
	if err != nil || n != 0 {
		t.Fatalf("before the deadline %d exams expired (%v)", n, err)
	}
	f.clock.Add(time.Minute)
	n, err = f.svc.ExpireExams(ctx)
	if err != nil || n != 1 || len(told) != 1 {
		t.Fatalf("at the deadline: %d expired, %d told, err %v", n, len(told), err)
	}
	got := told[0]
	if got.State != quiz.Expired || got.Score != 40 || got.Passed {
		t.Errorf("expired exam: state %s score %d passed %v, want expired, 40, failed", got.State, got.Score, got.Passed)
	}
	if _, err := f.svc.Answer(ctx, 1, sess.ID, 2, 0); !errors.Is(err, quiz.ErrStale) {
		t.Errorf("answering after the deadline: err = %v", err)
	}
	if _, err := f.svc.StartExam(ctx, 1, "monthly"); !errors.Is(err, quiz.ErrAttemptsUsed) {
		t.Errorf("second attempt in the month: err = %v", err)
	}
	f.clock.Add(31 * 24 * time.Hour)
	if _, err := f.svc.StartExam(ctx, 1, "monthly"); err != nil {
		t.Errorf("attempt next month: %v", err)
	}
}

func TestPointsAreCappedPerDay(t *testing.T) {
	f := newFixture(t, bank(10, "党费"))
	ctx := context.Background()
	for range 2 {
		sess, err := f.svc.StartPractice(ctx, 1, "", 5)
		if err != nil {
			t.Fatal(err)
		}
		f.answerAll(1, sess, func(int) bool { return true })
	}
	day, err := f.st.PointsSince(ctx, 1, f.clock.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if day != f.svc.PointCap() {
		t.Errorf("10 right answers earned %d points, want the cap %d", day, f.svc.PointCap())
	}
	f.clock.Add(24 * time.Hour)
	sess, err := f.svc.StartPractice(ctx, 1, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	f.answerAll(1, sess, func(int) bool { return true })
	week, _ := f.st.PointsSince(ctx, 1, f.clock.Now().Add(-48*time.Hour))
	if week != f.svc.PointCap()+5 {
		t.Errorf("points over two days = %d, want %d", week, f.svc.PointCap()+5)
	}
}

func TestDailySetAndStreak(t *testing.T) {
	f := newFixture(t, bank(8, "党费", "发展党员"))
	ctx := context.Background()
	for day := range 3 {
		sess, err := f.svc.StartDaily(ctx, 1)
		if err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		if len(sess.Items) != quiz.DailySize {
			t.Fatalf("daily set of %d", len(sess.Items))
		}
		f.answerAll(1, sess, func(pos int) bool { return pos > 0 })
		if _, err := f.svc.StartDaily(ctx, 1); !errors.Is(err, quiz.ErrAlreadyDone) {
			t.Errorf("second daily set on day %d: err = %v", day, err)
		}
		f.clock.Add(24 * time.Hour)
	}
	// Day 4: yesterday's wrong answer is due and comes first.
	sess, err := f.svc.StartDaily(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	due, _ := f.st.DueCards(ctx, 1, f.clock.Now(), 10)
	if len(due) == 0 || sess.Items[0].QuestionID != due[0].QuestionID {
		t.Errorf("the daily set does not open with the due review (due %v)", due)
	}
	streak, today, err := f.svc.Streak(ctx, 1)
	if err != nil || streak != 3 || today {
		t.Errorf("streak = %d today=%v (%v), want 3 and not yet today", streak, today, err)
	}
	f.clock.Add(48 * time.Hour)
	if streak, _, _ := f.svc.Streak(ctx, 1); streak != 0 {
		t.Errorf("after two idle days the streak is %d", streak)
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"张三明": "张*明", "李四": "李*", "欧阳小锋": "欧**锋", "王": "*", "": "*"} {
		if got := quiz.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}
