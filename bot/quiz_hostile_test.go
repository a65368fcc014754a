package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/quiz"
)

// refusals are the log lines of requests the Bot API server refused.
func (h *harness) refusals() string {
	var out []string
	for _, l := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(l, "Bad Request") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// countContaining is how many of the bot's messages to chat so far contain s.
func (h *harness) countContaining(chatID int64, s string) int {
	n := 0
	for _, text := range h.sentTo(chatID) {
		if strings.Contains(text, s) {
			n++
		}
	}
	return n
}

// Was a bug: an exam whose time is up is submitted silently by whatever reads
// the active session first: Service.Active (quiz/service.go Active →
// finishExpired) is called by /quiz, /exam, /daily and every start, and it
// commits the expiry without the result message. The sweep then finds no
// active exam and the person is never told their result. The expiry and its
// message must commit together (DESIGN: a state change and its messages in
// one transaction): Active should queue the result, or leave the expiry to
// the sweep.
func TestHostileExamResultNotLostWhenACommandEndsTheExam(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(701)
	h.ask(u.ID, "/help")
	ctx := context.Background()
	sess, err := h.quiz.StartExam(ctx, u.ID, "recruit")
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(10*time.Minute + time.Second)
	// Before the sweep runs, the person types /quiz.
	h.ask(u.ID, "/quiz")
	h.bot.QuizTick(ctx)
	h.settle()
	if got, _ := h.quiz.Session(ctx, sess.ID); got.State != quiz.Expired {
		t.Fatalf("exam state %q", got.State)
	}
	if h.countContaining(u.ID, "考试时间到") == 0 {
		t.Errorf("the exam expired but its result was never sent; messages: %q", h.sentTo(u.ID))
	}
}

// Was a bug: a press on an exam question after the deadline shows the result,
// but the submission it made is rolled back (quiz/service.go Answer returns
// ErrStale from the transaction that expired the exam). The stored exam
// stays active until the sweep, which then sends the result a second time.
func TestHostilePressAfterTheDeadlineStoresTheResult(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(702)
	chat := botapi.PrivateChat(u)
	list := h.say(u, "/exam")
	h.press(u, chat, list, "开始：发展党员专项测试")
	h.press(u, chat, h.message(u.ID, list.MessageID), plain(bot.T("exam.go")))
	exam := h.activeSession(u.ID)
	h.answerCurrent(u, h.message(u.ID, list.MessageID), true)
	h.clock.Advance(10 * time.Minute)
	ans := h.answerCurrent2(u, list.MessageID, exam.ID, 1)
	if ans.Text != bot.T("exam.time_up") {
		t.Errorf("press after the deadline answered %q", ans.Text)
	}
	need(t, "the pressed message", h.message(u.ID, list.MessageID).Text, "考试时间到")
	ctx := context.Background()
	if got, _ := h.quiz.Session(ctx, exam.ID); got.State != quiz.Expired {
		t.Errorf("after the press showed the result the stored exam is %q, want expired", got.State)
	}
	before := h.countContaining(u.ID, "考试时间到")
	h.bot.QuizTick(ctx)
	h.settle()
	if after := h.countContaining(u.ID, "考试时间到"); after != before {
		t.Errorf("the sweep sent the result again (%d more) after the press had shown it", after-before)
	}
}

// Was a bug: the statistics button qs:q:<d>:<qid> checks the scope of district
// index d but then uses d itself: for d = -1 a district coordinator passes
// statsScope (which would narrow "" to their own district) and is shown the
// city-wide figures (bot/quizstats.go onQuizStatsButton discards the
// district statsScope returns and calls Stats(ctx, "", ...)). A district
// coordinator should see only their district's answers.
func TestHostileQuizStatsButtonCityWideFromADistrictCoordinator(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 703
	h.grant(coordID, "鼓楼区")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(704, "秦七", "13912340704", "云龙区")
	h.seedWorker(w, true)
	ctx := context.Background()
	var qid string
	if err := h.db.SQL().QueryRowContext(ctx, `SELECT id FROM quiz_questions WHERE kind = 'single' ORDER BY id LIMIT 1`).Scan(&qid); err != nil {
		t.Fatal(err)
	}
	q, _ := h.quiz.Question(ctx, qid)
	for range 3 {
		sess, err := h.quiz.StartRetry(ctx, w.user.ID, []string{qid})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.quiz.Answer(ctx, w.user.ID, sess.ID, 0, (q.Answer[0]+1)%len(q.Options)); err != nil {
			t.Fatal(err)
		}
	}
	// Their own district: nothing answered there.
	need(t, "/quizstats of 鼓楼区", h.ask(coordID, "/quizstats"), bot.T("quizstats.empty"))
	// Another district's index is refused.
	names := h.members().Districts().Names()
	other := -2
	for i, n := range names {
		if n == "云龙区" {
			other = i
		}
	}
	helpMsg := h.lastMessage(coordID)
	ans := h.pressData(coord, botapi.PrivateChat(coord), helpMsg.MessageID, fmt.Sprintf("qs:q:%d:%s", other, qid))
	if ans.Text != bot.T("quizstats.out_of_scope") {
		t.Errorf("another district's stats button answered %q", ans.Text)
	}
	// The city's index.
	h.settle()
	n := len(h.sentTo(coordID))
	h.pressData(coord, botapi.PrivateChat(coord), helpMsg.MessageID, "qs:q:-1:"+qid)
	h.settle()
	for _, text := range h.sentTo(coordID)[n:] {
		if strings.Contains(text, "（3 人次）") {
			t.Errorf("a 鼓楼区 coordinator sees the city's figures of %s (云龙区's answers):\n%s", qid, text)
		}
	}
}

// manyTopics imports n questions, each of its own topic.
func (h *harness) manyTopics(n int) []string {
	h.t.Helper()
	var qs []quiz.Question
	for i := range n {
		qs = append(qs, quiz.Question{
			ID: fmt.Sprintf("many-%03d", i), Kind: quiz.Single, Topic: fmt.Sprintf("导入专题第%03d号很长的专题名称", i), Difficulty: 1,
			Text: fmt.Sprintf("第%d题", i), Options: []string{"甲", "乙"}, Answer: []int{1}, Explanation: "因为乙。",
		})
	}
	for i := range qs {
		if ps := (quiz.Checker{}).Check(&qs[i]); len(ps) > 0 {
			h.t.Fatalf("question %d: %v", i, ps)
		}
	}
	if err := h.quiz.Import(context.Background(), "import/many", qs, adminID); err != nil {
		h.t.Fatal(err)
	}
	var ids []string
	for _, q := range qs {
		ids = append(ids, q.ID)
	}
	return ids
}

// Was a bug: /quiz puts a button for every topic in the menu
// (bot/quiz.go cmdQuiz), and an imported bank may bring any number of
// topics: past 99 the keyboard is over Telegram's 100 buttons and the menu
// is refused, so /quiz stops working for everyone. The menu should page or
// cap the topics.
func TestHostileQuizMenuWithManyTopics(t *testing.T) {
	h := startBot(t, nil, nil)
	h.manyTopics(120)
	got := h.ask(705, "/quiz")
	if !strings.Contains(got, plain(bot.T("quiz.choose_topic"))) {
		t.Errorf("/quiz with 120 topics = %q; refused: %s", got, h.refusals())
	}
}

// Was a bug: /quizstats lists the correct rate of every topic
// (bot/quizstats.go cmdQuizStats), with no bound: with a couple of hundred
// topics answered the message is over 4,096 characters and is refused, so
// the coordinator gets an error instead of the statistics.
func TestHostileQuizStatsWithManyTopics(t *testing.T) {
	h := startBot(t, nil, nil)
	ids := h.manyTopics(200)
	ctx := context.Background()
	const user = 706
	for start := 0; start < len(ids); start += 50 {
		sess, err := h.quiz.StartRetry(ctx, user, ids[start:min(start+50, len(ids))])
		if err != nil {
			t.Fatal(err)
		}
		for pos := range sess.Items {
			if _, err := h.quiz.Answer(ctx, user, sess.ID, pos, 0); err != nil {
				t.Fatal(err)
			}
			if pos < len(sess.Items)-1 {
				if _, err := h.quiz.Next(ctx, user, sess.ID, pos); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	got := h.ask(adminID, "/quizstats")
	if !strings.Contains(got, "答题统计") {
		t.Errorf("/quizstats with 200 topics = %q; refused: %s", got, h.refusals())
	}
}

// hostileQuestions are three questions at the limits, with HTML
// characters everywhere: a single choice, a multiple choice and a judge.
// fill is the character the long texts are made of.
func hostileQuestions(t *testing.T, prefix, topic, fill string) []quiz.Question {
	t.Helper()
	long := func(n int, lead string) string {
		r := []rune(lead + strings.Repeat(fill, n))
		return string(r[:n])
	}
	var opts []string
	for i := range quiz.MaxOptions {
		opts = append(opts, long(quiz.MaxOptionRunes, fmt.Sprintf("%c<b>", 'A'+i)))
	}
	qs := []quiz.Question{
		{ID: prefix + "-1", Kind: quiz.Single, Topic: topic, Difficulty: 1, Text: long(quiz.MaxQuestionRunes, "<b>&amp;</i>"),
			Options: opts, Answer: []int{1}, Explanation: long(quiz.MaxExplanationRunes, "<a href=x>&")},
		{ID: prefix + "-2", Kind: quiz.Multiple, Topic: topic, Difficulty: 1, Text: long(quiz.MaxQuestionRunes, "<i>&lt;"),
			Options: opts, Answer: []int{0, 2}, Explanation: long(quiz.MaxExplanationRunes, "&&<<")},
		{ID: prefix + "-3", Kind: quiz.Judge, Topic: topic, Difficulty: 1, Text: long(quiz.MaxQuestionRunes, "</b>>"),
			Answer: []int{0}, Explanation: long(quiz.MaxExplanationRunes, "<pre>")},
	}
	for i := range qs {
		if ps := (quiz.Checker{}).Check(&qs[i]); len(ps) > 0 {
			t.Fatalf("question %s: %v", qs[i].ID, ps)
		}
	}
	return qs
}

// Questions at every limit, with < > & in every text, go through a whole
// practice session, the summary, the notebook and an exam's review: every
// message is valid HTML within 4,096 characters (the fake server refuses
// any other), showing the texts as written.
func TestHostileHTMLQuestionsAtTheLimits(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(707)
	chat := botapi.PrivateChat(u)
	ctx := context.Background()
	const topic = "<敌&意>"
	qs := hostileQuestions(t, "html", topic, "&<>")
	if err := h.quiz.Import(ctx, "import/html", qs, adminID); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, q := range qs {
		ids = append(ids, q.ID)
	}
	if _, err := h.quiz.StartRetry(ctx, u.ID, ids); err != nil {
		t.Fatal(err)
	}
	offer := h.say(u, "/quiz")
	h.press(u, chat, offer, plain(bot.T("quiz.continue")))
	sess := h.activeSession(u.ID)
	for pos, q := range qs {
		m := h.message(u.ID, sess.MessageID)
		need(t, fmt.Sprintf("question %d", pos+1), m.Text, q.Text)
		need(t, fmt.Sprintf("question %d", pos+1), m.Text, topic)
		h.answerCurrent(u, m, false)
		fb := h.message(u.ID, sess.MessageID)
		need(t, fmt.Sprintf("feedback %d", pos+1), fb.Text, q.Explanation)
		if pos < len(qs)-1 {
			h.press(u, chat, fb, plain(bot.T("quiz.next")))
		}
	}
	h.settle()
	summary := h.lastMessage(u.ID)
	need(t, "summary", summary.Text, "答对 0/3 题")
	need(t, "summary", summary.Text, "<b>&amp;")
	need(t, "/mistakes", h.ask(u.ID, "/mistakes"), "<b>&amp;")

	// The same questions in an exam, and its review: three to a page.
	districts := h.members().Districts()
	qc, problems, err := quiz.LoadContent(content.Embedded(), bot.QuizChecker(ctx, h.kb, districts))
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	qc.Exams = append(qc.Exams, quiz.Exam{ID: "html", Title: "<考&试>", Duration: 10 * time.Minute, Pass: 60, Attempts: 5, Period: quiz.Ever,
		Quotas: []quiz.Quota{{Topic: topic, Count: 3}}})
	if _, err := h.quiz.LoadContent(ctx, qc); err != nil {
		t.Fatal(err)
	}
	list := h.say(u, "/exam")
	need(t, "/exam", list.Text, "<考&试>")
	h.press(u, chat, list, "开始：<考&试>")
	h.press(u, chat, h.message(u.ID, list.MessageID), plain(bot.T("exam.go")))
	for range 3 {
		h.answerCurrent(u, h.message(u.ID, list.MessageID), true)
	}
	result := h.message(u.ID, list.MessageID)
	need(t, "exam result", result.Text, "<考&试>")
	h.press(u, chat, result, plain(bot.T("exam.review_button")))
	review := h.message(u.ID, list.MessageID)
	need(t, "exam review", review.Text, "答卷回顾")
	for _, q := range qs {
		need(t, "exam review", review.Text, q.Text)
	}
}

// Was a bug: question limits count runes (quiz/question.go MaxQuestionRunes etc.,
// checked with utf8.RuneCountInString), but Telegram counts a message's
// length in UTF-16 units; the exam review puts three questions on a page
// (bot/exam.go reviewPerPage, "three of the longest a bank allows fit a
// message") — true only for characters of one unit. Three questions at the
// limits written with characters outside the BMP (emoji, CJK extension B
// characters in names) make a page of about 6,800 units: the edit is refused
// and the review never shows. The page should be cut by its length.
func TestHostileExamReviewOfWideCharacters(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(708)
	chat := botapi.PrivateChat(u)
	ctx := context.Background()
	qs := hostileQuestions(t, "wide", "生僻字", "𠀀")
	if err := h.quiz.Import(ctx, "import/wide", qs, adminID); err != nil {
		t.Fatal(err)
	}
	qc, problems, err := quiz.LoadContent(content.Embedded(), bot.QuizChecker(ctx, h.kb, h.members().Districts()))
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	qc.Exams = append(qc.Exams, quiz.Exam{ID: "wide", Title: "生僻字测试", Duration: 10 * time.Minute, Pass: 60, Attempts: 5, Period: quiz.Ever,
		Quotas: []quiz.Quota{{Topic: "生僻字", Count: 3}}})
	if _, err := h.quiz.LoadContent(ctx, qc); err != nil {
		t.Fatal(err)
	}
	list := h.say(u, "/exam")
	h.press(u, chat, list, "开始：生僻字测试")
	h.press(u, chat, h.message(u.ID, list.MessageID), plain(bot.T("exam.go")))
	for range 3 {
		h.answerCurrent(u, h.message(u.ID, list.MessageID), false)
	}
	result := h.message(u.ID, list.MessageID)
	need(t, "exam result", result.Text, "生僻字测试")
	h.press(u, chat, result, plain(bot.T("exam.review_button")))
	review := h.message(u.ID, list.MessageID)
	if !strings.Contains(review.Text, "答卷回顾") {
		t.Errorf("the review page was not shown; refused: %s", h.refusals())
	}
}

// Forged presses on buttons of other people's sessions: a retry of someone
// else's session, the review of someone else's exam, numbers that overflow.
func TestHostileForgedRetryAndReview(t *testing.T) {
	h := startBot(t, nil, nil)
	owner := botapi.DefaultUser(709)
	thief := botapi.DefaultUser(710)
	ctx := context.Background()
	h.ask(owner.ID, "/help")
	h.ask(thief.ID, "/help")
	practice, err := h.quiz.StartPractice(ctx, owner.ID, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	for pos := range practice.Items {
		q, _ := h.quiz.Question(ctx, practice.Items[pos].QuestionID)
		opt := q.Answer[0]
		if q.Kind == quiz.Multiple {
			h.quiz.Toggle(ctx, owner.ID, practice.ID, pos, opt)
			opt = -1
		}
		if _, err := h.quiz.Answer(ctx, owner.ID, practice.ID, pos, opt); err != nil {
			t.Fatal(err)
		}
		if pos < 4 {
			h.quiz.Next(ctx, owner.ID, practice.ID, pos)
		}
	}
	exam, err := h.quiz.StartExam(ctx, owner.ID, "recruit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.quiz.Submit(ctx, owner.ID, exam.ID); err != nil {
		t.Fatal(err)
	}
	msg := h.lastMessage(thief.ID)
	before := msg.Text
	for _, data := range []string{
		fmt.Sprintf("qz:r:%d", practice.ID),
		fmt.Sprintf("ex:rv:%d:0", exam.ID),
		fmt.Sprintf("ex:sub:%d", exam.ID),
		fmt.Sprintf("ex:subok:%d", exam.ID),
		"qz:r:-1", "qz:r:99999999999999999999",
		"ex:rv:99999999999999999999:0", fmt.Sprintf("ex:rv:%d:-1", exam.ID),
		"qz:a:99999999999999999999:0:0", "qz:x:1:-5:0", "qz:tp:99999", "qz:tp:-2", "qz:len:-1:999", "qz:len:-1:-5",
		"ex:go:no-such-exam", "qs:q:-1:x", "rk:show:2", "mk:-1",
	} {
		ans := h.pressData(thief, botapi.PrivateChat(thief), msg.MessageID, data)
		if ans.Text == "" {
			t.Errorf("press %q answered nothing", data)
		}
	}
	if _, err := h.quiz.Active(ctx, thief.ID); err == nil {
		t.Error("a forged press started a session for the thief")
	}
	if got := h.message(thief.ID, msg.MessageID).Text; got != before {
		t.Errorf("a forged press changed the thief's message to %q", got)
	}
	h.settle()
	for _, text := range h.sentTo(thief.ID) {
		if strings.Contains(text, "答卷回顾") || strings.Contains(text, "成绩") {
			t.Errorf("the thief was shown the owner's exam: %q", text)
		}
	}
	// The owner may review their own, with a page past the end clamped.
	ans := h.pressData(owner, botapi.PrivateChat(owner), h.lastMessage(owner.ID).MessageID, fmt.Sprintf("ex:rv:%d:1000000", exam.ID))
	if ans.Text == bot.T("unknown.button") {
		t.Errorf("the owner's review of a page past the end was refused")
	}
}
