package quiz_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/quiz"
)

// hostileExam is a paper of n questions of topic, 10 minutes, one attempt a day.
func hostileExam(topic string, quotas ...int) quiz.Exam {
	e := quiz.Exam{ID: "hostile", Title: "敌意测试", Duration: 10 * time.Minute, Pass: 60, Attempts: 1, Period: quiz.PerDay}
	for _, n := range quotas {
		e.Quotas = append(e.Quotas, quiz.Quota{Topic: topic, Count: n})
	}
	return e
}

// Was a bug: a press on an exam question at or after its deadline submits the exam
// in Service.Answer (finishExpired) and then returns ErrStale from the same
// transaction, so store.DB.Atomic rolls the submission back
// (quiz/service.go Answer: "out.Finished = true; return ErrStale", and the
// same in Toggle). The bot then shows the result while the stored exam is
// still active; the sweep later submits it again and sends a second result.
// The submission should commit (return the stale outcome without an error
// from the transaction, or finish outside it).
func TestHostilePressAfterDeadlineCommitsTheExpiry(t *testing.T) {
	f := newFixture(t, bank(5, "党费"), hostileExam("党费", 3))
	ctx := context.Background()
	for _, op := range []string{"answer", "toggle"} {
		t.Run(op, func(t *testing.T) {
			f.clock.Add(48 * time.Hour) // a new day: a new attempt
			sess, err := f.svc.StartExam(ctx, 7, "hostile")
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Add(10 * time.Minute) // exactly the deadline
			var out quiz.Outcome
			if op == "answer" {
				out, err = f.svc.Answer(ctx, 7, sess.ID, 0, 1)
			} else {
				out.Session, _, err = f.svc.Toggle(ctx, 7, sess.ID, 0, 1)
			}
			if !errors.Is(err, quiz.ErrStale) {
				t.Fatalf("%s at the deadline: %v, want ErrStale", op, err)
			}
			if op == "answer" && (!out.Finished || out.Session.State != quiz.Expired) {
				t.Errorf("outcome %+v: want the expired exam", out.Session)
			}
			got, err := f.svc.Session(ctx, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != quiz.Expired {
				t.Errorf("stored exam after a press at the deadline is %q, want %q: the submission was rolled back", got.State, quiz.Expired)
			}
			if _, err := f.svc.Active(ctx, 7); !errors.Is(err, quiz.ErrNotFound) {
				t.Errorf("Active after the deadline: %v", err)
			}
		})
	}
}

// Was a bug: StartExam draws each quota separately with no Exclude
// (quiz/service.go StartExam: s.store.Draw(ctx, DrawSpec{N: qt.Count,
// Topic: qt.Topic})), and ParseExams accepts two quotas of one topic (each
// checked alone against the topic's size). The same question then appears
// twice on a paper, and answering its second copy fails on
// quiz_answers UNIQUE (session_id, question_id): the press is an internal
// error and the exam can never be finished by answering. Quotas should draw
// excluding what earlier quotas took (and ParseExams sum a topic's quotas).
func TestHostileExamQuotasOfOneTopicDrawNoQuestionTwice(t *testing.T) {
	f := newFixture(t, bank(4, "党费"), hostileExam("党费", 3, 3))
	ctx := context.Background()
	sess, err := f.svc.StartExam(ctx, 8, "hostile")
	if err != nil {
		// Refusing the paper would also be acceptable.
		if errors.Is(err, quiz.ErrQuotaTooLarge) {
			return
		}
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, it := range sess.Items {
		if seen[it.QuestionID] {
			t.Errorf("question %s is twice on the paper %v", it.QuestionID, sess.Items)
		}
		seen[it.QuestionID] = true
	}
	for pos := range sess.Items {
		if _, err := f.svc.Answer(ctx, 8, sess.ID, pos, 1); err != nil {
			t.Fatalf("answering question %d of the paper: %v", pos+1, err)
		}
	}
}

// Was a bug: a daily set started before midnight and finished after it is marked
// for the day it finished (quiz/service.go afterFinish:
// MarkDaily(..., s.Day(sess.Finished))). The day it was started stays
// unmarked, so a person who did the set every day loses the streak, and the
// next day's set is refused as already done although it was never started.
// The set should count for the day it was started.
func TestHostileDailySetAcrossMidnightKeepsTheStreak(t *testing.T) {
	f := newFixture(t, bank(10, "党费"))
	ctx := context.Background()
	const user = 9
	// Monday 2 March 09:00: the set, done at once.
	sess, err := f.svc.StartDaily(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	f.answerAll(user, sess, func(int) bool { return true })
	// Tuesday 23:58 (Asia/Shanghai): started; finished Wednesday 00:02.
	f.clock.Add(24*time.Hour + 14*time.Hour + 58*time.Minute)
	sess, err = f.svc.StartDaily(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(4 * time.Minute)
	f.answerAll(user, sess, func(int) bool { return true })
	days, _, err := f.svc.Streak(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if days < 2 {
		t.Errorf("streak after two days' sets, the second finished past midnight: %d, want 2", days)
	}
	// On Wednesday the person has not started Wednesday's set.
	if _, err := f.svc.StartDaily(ctx, user); errors.Is(err, quiz.ErrAlreadyDone) {
		t.Errorf("Wednesday's set refused as already done; only Tuesday's was done (finished 00:02)")
	}
}

// Attempts per period follow the days of Asia/Shanghai, not UTC: one
// attempt a day, used at 23:50, is spent until midnight and back at 00:00.
func TestHostileExamAttemptsAtTheDayBoundary(t *testing.T) {
	f := newFixture(t, bank(5, "党费"), hostileExam("党费", 2))
	ctx := context.Background()
	f.clock.Add(14*time.Hour + 50*time.Minute) // Monday 23:50 (15:50 UTC)
	sess, err := f.svc.StartExam(ctx, 10, "hostile")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.StartExam(ctx, 10, "hostile"); !errors.Is(err, quiz.ErrExamRunning) {
		t.Errorf("starting the same exam twice: %v, want ErrExamRunning", err)
	}
	if _, err := f.svc.Submit(ctx, 10, sess.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(9*time.Minute + 59*time.Second) // 23:59:59
	if _, err := f.svc.StartExam(ctx, 10, "hostile"); !errors.Is(err, quiz.ErrAttemptsUsed) {
		t.Errorf("second attempt at 23:59:59: %v, want ErrAttemptsUsed", err)
	}
	f.clock.Add(time.Second) // Tuesday 00:00:00 Shanghai, still Monday in UTC
	if _, err := f.svc.StartExam(ctx, 10, "hostile"); err != nil {
		t.Errorf("attempt at midnight in Shanghai: %v, want a new day's attempt", err)
	}
}

// The sweep and an answer at the deadline: an exam expired by the sweep
// refuses the press, and a press before the deadline is graded; the
// sweep never submits one twice.
func TestHostileSweepAndPressAtTheDeadline(t *testing.T) {
	f := newFixture(t, bank(5, "党费"), hostileExam("党费", 3))
	ctx := context.Background()
	sess, err := f.svc.StartExam(ctx, 11, "hostile")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(10*time.Minute - time.Second)
	if out, err := f.svc.Answer(ctx, 11, sess.ID, 0, 1); err != nil || out.Finished {
		t.Fatalf("answer a second before the deadline: %+v %v", out, err)
	}
	if n, err := f.svc.ExpireExams(ctx); err != nil || n != 0 {
		t.Errorf("sweep before the deadline expired %d (%v)", n, err)
	}
	f.clock.Add(time.Second)
	var told []quiz.Session
	f.svc.OnExpire(func(_ context.Context, s quiz.Session) error { told = append(told, s); return nil })
	n, err := f.svc.ExpireExams(ctx)
	if err != nil || n != 1 || len(told) != 1 || told[0].State != quiz.Expired || told[0].Score != 33 {
		t.Fatalf("sweep at the deadline: %d %v %+v", n, err, told)
	}
	if _, err := f.svc.Answer(ctx, 11, sess.ID, 1, 1); !errors.Is(err, quiz.ErrStale) {
		t.Errorf("press after the sweep: %v, want ErrStale", err)
	}
	if n, _ := f.svc.ExpireExams(ctx); n != 0 {
		t.Errorf("a second sweep submitted %d exams again", n)
	}
	if fig, _ := f.svc.Me(ctx, 11); fig.Answered != 1 {
		t.Errorf("answers recorded: %d, want 1", fig.Answered)
	}
}

// Forged presses at the service: another person's session, negative and
// huge positions and options, a retry of someone else's session.
func TestHostileForgedPressesAtTheService(t *testing.T) {
	f := newFixture(t, bank(6, "党费"))
	ctx := context.Background()
	sess, err := f.svc.StartPractice(ctx, 12, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		user     int64
		sid      int64
		pos, opt int
		want     error
	}{
		{13, sess.ID, 0, 1, quiz.ErrNotYours},
		{12, sess.ID, -1, 1, quiz.ErrStale},
		{12, sess.ID, 1 << 30, 1, quiz.ErrStale},
		{12, sess.ID, 0, 1 << 30, quiz.ErrBadChoice},
		{12, sess.ID, 0, -7, quiz.ErrBadChoice},
		{12, -sess.ID, 0, 1, quiz.ErrNotFound},
		{12, 1 << 62, 0, 1, quiz.ErrNotFound},
	} {
		if _, err := f.svc.Answer(ctx, c.user, c.sid, c.pos, c.opt); !errors.Is(err, c.want) {
			t.Errorf("Answer(%d, %d, %d, %d) = %v, want %v", c.user, c.sid, c.pos, c.opt, err, c.want)
		}
	}
	// Submitting a single-choice question's toggles (-1) is no answer.
	if _, err := f.svc.Answer(ctx, 12, sess.ID, 0, -1); !errors.Is(err, quiz.ErrBadChoice) {
		t.Errorf("submit on a single choice: %v", err)
	}
	got, _ := f.svc.Session(ctx, sess.ID)
	if got.Items[0].Answered {
		t.Errorf("a forged press answered the question: %+v", got.Items[0])
	}
	if _, err := f.svc.Submit(ctx, 12, sess.ID); !errors.Is(err, quiz.ErrStale) {
		t.Errorf("submitting a practice session as an exam: %v", err)
	}
}

// The daily point cap follows the day of Asia/Shanghai.
func TestHostilePointCapResetsAtMidnightInShanghai(t *testing.T) {
	f := newFixture(t, bank(20, "党费"))
	ctx := context.Background()
	f.clock.Add(14*time.Hour + 30*time.Minute) // Monday 23:30
	sess, _ := f.svc.StartPractice(ctx, 14, "", 10)
	f.answerAll(14, sess, func(int) bool { return true })
	if me, _ := f.svc.Me(ctx, 14); me.WeekPoints != 8 {
		t.Fatalf("points after 10 right answers with a cap of 8: %d", me.WeekPoints)
	}
	f.clock.Add(31 * time.Minute) // Tuesday 00:01 Shanghai, Monday 16:01 UTC
	sess, err := f.svc.StartPractice(ctx, 14, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.Answer(ctx, 14, sess.ID, 0, 1)
	if err != nil || out.Points != 1 {
		t.Errorf("first right answer of the new day earned %d (%v), want 1", out.Points, err)
	}
}

// Votes: a retraction, a poll not of a challenge, a second vote, a vote on
// a stopped poll change nothing.
func TestHostileVotes(t *testing.T) {
	f := newFixture(t, bank(5, "党费"))
	ctx := context.Background()
	c, err := f.svc.StartChallenge(ctx, -100, 1, "", 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.StartChallenge(ctx, -100, 1, "", 2, 0); !errors.Is(err, quiz.ErrChallengeOn) {
		t.Errorf("a second challenge in the group: %v", err)
	}
	step, err := f.svc.NextStep(ctx, c)
	if err != nil || step.Kind != quiz.StepSend {
		t.Fatalf("first step %+v %v", step, err)
	}
	if err := f.svc.Sending(ctx, c, 0, step.Question); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Sent(ctx, c, 0, step.Question, "poll-1", 55); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		poll string
		opts []int
		want bool
	}{
		{"poll-1", nil, false},          // retracted
		{"poll-1", []int{0, 1}, false},  // two options on a quiz poll
		{"other-poll", []int{1}, false}, // not a challenge's
		{"", []int{1}, false},           // no poll id
		{"poll-1", []int{1}, true},      // the vote
		{"poll-1", []int{0}, false},     // a second vote
	} {
		if got, err := f.svc.Vote(ctx, v.poll, 21, "甲", v.opts); err != nil || got != v.want {
			t.Errorf("Vote(%q, %v) = %v %v, want %v", v.poll, v.opts, got, err, v.want)
		}
	}
	p, _ := f.st.PollByID(ctx, "poll-1")
	if err := f.svc.Stopped(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Vote(ctx, "poll-1", 22, "乙", []int{1}); got {
		t.Error("a vote on a stopped poll was counted")
	}
	scores, err := f.svc.Leaderboard(ctx, c.ID)
	if err != nil || len(scores) != 1 || scores[0].Right != 1 || scores[0].Answered != 1 {
		t.Errorf("leaderboard %+v %v", scores, err)
	}
}

// hostileCSV is a bank CSV with n data rows.
func hostileCSV(n int) []byte {
	var sb strings.Builder
	sb.WriteString("题号,题型,专题,难度,题干,选项A,选项B,答案,解析\n")
	for i := range n {
		fmt.Fprintf(&sb, "h-%05d,单选,敌意,1,第%d题是什么,甲,乙,B,因为乙\n", i, i)
	}
	return []byte(sb.String())
}

// Bank files built to hurt: over the row limit, a YAML alias bomb, a
// workbook that is not a zip, a 5,000-character question, duplicate ids.
func TestHostileBankFiles(t *testing.T) {
	ctx := context.Background()
	t.Run("5000 rows", func(t *testing.T) {
		bf, err := quiz.ReadBankFile(ctx, "big.csv", hostileCSV(quiz.MaxImportRows), quiz.Checker{})
		if err != nil || len(bf.Questions) != quiz.MaxImportRows {
			t.Errorf("a CSV of exactly %d rows: %d questions, %v", quiz.MaxImportRows, len(bf.Questions), err)
		}
	})
	t.Run("5001 rows", func(t *testing.T) {
		if _, err := quiz.ReadBankFile(ctx, "big.csv", hostileCSV(quiz.MaxImportRows+1), quiz.Checker{}); !errors.Is(err, quiz.ErrBankTooLarge) {
			t.Errorf("a CSV of %d rows: %v, want ErrBankTooLarge", quiz.MaxImportRows+1, err)
		}
	})
	t.Run("yaml bomb", func(t *testing.T) {
		bomb := `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
		for _, data := range []string{bomb, "- " + strings.ReplaceAll(strings.TrimSpace(bomb), "\n", "\n  ") + "\n",
			"- &x {id: loop, options: [*x]}\n"} {
			start := time.Now()
			bf, err := quiz.ReadBankFile(ctx, "bomb.yaml", []byte(data), quiz.Checker{})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("a YAML alias bomb took %v", d)
			}
			if err == nil && len(bf.Questions) > 0 {
				t.Errorf("a YAML bomb gave questions: %+v", bf.Questions)
			}
		}
	})
	t.Run("not a zip", func(t *testing.T) {
		if _, err := quiz.ReadBankFile(ctx, "bank.xlsx", []byte("PK\x03\x04 this is no zip at all"), quiz.Checker{}); !errors.Is(err, quiz.ErrNotWorkbook) {
			t.Errorf("an .xlsx that is not a zip: %v, want ErrNotWorkbook", err)
		}
	})
	t.Run("long question and duplicate ids", func(t *testing.T) {
		data := "题号,题型,专题,难度,题干,选项A,选项B,答案,解析\n" +
			"dup-1,单选,敌意,1," + strings.Repeat("长", 5000) + ",甲,乙,B,因为乙\n" +
			"dup-2,单选,敌意,1,短题,甲,乙,B,因为乙\n" +
			"dup-2,单选,敌意,1,又一题,甲,乙,A,因为甲\n"
		bf, err := quiz.ReadBankFile(ctx, "dup.csv", []byte(data), quiz.Checker{})
		if err != nil {
			t.Fatal(err)
		}
		if len(bf.Questions) != 1 || bf.Questions[0].ID != "dup-2" || bf.Questions[0].Text != "短题" {
			t.Errorf("questions %+v: want only the first dup-2", bf.Questions)
		}
		var long, dup bool
		for _, p := range bf.Problems {
			long = long || errors.Is(p.Err, quiz.ErrQuestionTooLong)
			dup = dup || errors.Is(p.Err, quiz.ErrDuplicateID)
			if len([]rune(p.Value)) > 40 {
				t.Errorf("problem value not cut short: %d characters", len([]rune(p.Value)))
			}
		}
		if !long || !dup {
			t.Errorf("problems %v: want a too-long question and a duplicate id", bf.Problems)
		}
	})
}

// An imported question may not take a content question's id.
func TestHostileImportOverAContentID(t *testing.T) {
	f := newFixture(t, bank(2, "党费"))
	ctx := context.Background()
	q := bank(1, "党费")[0] // dues-000, a content question
	q.Text = "冒名顶替"
	good, problems, err := f.svc.CheckImport(ctx, quiz.BankName("evil.csv"), []quiz.Question{q}, nil)
	if err != nil || len(good) != 0 || len(problems) != 1 || !errors.Is(problems[0].Err, quiz.ErrIDTaken) {
		t.Errorf("CheckImport of a content id: %v %v %v", good, problems, err)
	}
	if err := f.svc.Import(ctx, quiz.BankName("evil.csv"), []quiz.Question{q}, 5); !errors.Is(err, quiz.ErrIDTaken) {
		t.Errorf("Import of a content id: %v", err)
	}
	if got, _ := f.svc.Question(ctx, "dues-000"); got.Text == "冒名顶替" {
		t.Error("an import replaced a content question")
	}
}
