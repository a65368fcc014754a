package bot_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/quiz"
)

// activeSession is the person's active session, as stored.
func (h *harness) activeSession(userID int64) quiz.Session {
	h.t.Helper()
	s, err := h.quiz.Active(context.Background(), userID)
	if err != nil {
		h.t.Fatalf("active session of %d: %v", userID, err)
	}
	return s
}

// answerCurrent presses the button that answers the session's current
// question right or wrong, in message m, and returns the press's answer.
func (h *harness) answerCurrent(u botapi.User, m botapi.Message, right bool) botapi.CallbackAnswer {
	h.t.Helper()
	sess := h.activeSession(u.ID)
	it, _ := sess.Current()
	q, err := h.quiz.Question(context.Background(), it.QuestionID)
	if err != nil {
		h.t.Fatal(err)
	}
	chat := botapi.PrivateChat(u)
	choice := q.Answer
	if !right {
		choice = []int{(q.Answer[0] + 1) % len(q.Options)}
		if q.Kind == quiz.Multiple {
			choice = []int{q.Answer[0]} // one of two or more: wrong
		}
	}
	if q.Kind == quiz.Multiple {
		for _, o := range choice {
			h.pressData(u, chat, m.MessageID, fmt.Sprintf("qz:x:%d:%d:%d", sess.ID, sess.Pos, o))
		}
		return h.press(u, chat, h.message(u.ID, m.MessageID), plain(bot.T("quiz.submit")))
	}
	return h.pressData(u, chat, m.MessageID, fmt.Sprintf("qz:a:%d:%d:%d", sess.ID, sess.Pos, choice[0]))
}

func TestWholeQuizInOneMessage(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(501)
	chat := botapi.PrivateChat(u)
	menu := h.say(u, "/quiz")
	need(t, "/quiz", menu.Text, plain(bot.T("quiz.choose_topic")))
	h.press(u, chat, menu, "支部工作")
	lengthMenu := h.message(u.ID, menu.MessageID)
	need(t, "after the topic", lengthMenu.Text, "支部工作")
	h.press(u, chat, lengthMenu, bot.T("quiz.length_button", 5))
	sess := h.activeSession(u.ID)
	if len(sess.Items) != 5 || sess.Topic != "支部工作" || sess.MessageID != menu.MessageID {
		t.Fatalf("session %+v: want 5 党费 questions shown in the menu's message", sess)
	}
	sent := len(h.sentTo(u.ID))
	for pos := range 5 {
		m := h.message(u.ID, menu.MessageID)
		need(t, fmt.Sprintf("question %d", pos+1), m.Text, fmt.Sprintf("第 %d/5 题", pos+1))
		ans := h.answerCurrent(u, m, pos != 1)
		want := bot.T("quiz.ack_right")
		if pos == 1 {
			want = bot.T("quiz.ack_wrong")
		}
		if ans.Text != want {
			t.Errorf("question %d: press answered %q, want %q", pos+1, ans.Text, want)
		}
		fb := h.message(u.ID, menu.MessageID)
		need(t, "feedback", fb.Text, "解析：")
		if pos == 1 {
			need(t, "feedback of the wrong answer", fb.Text, "正确答案")
		}
		if pos < 4 {
			h.press(u, chat, fb, plain(bot.T("quiz.next")))
		}
	}
	// The questions were edited in place; only the summary is a new message.
	summary := h.waitSent(u.ID, sent+1)[sent].Message
	need(t, "summary", summary.Text, "答对 4/5 题")
	need(t, "summary", summary.Text, plain(bot.T("quiz.to_review")))
	if got := len(h.sentTo(u.ID)); got != sent+1 {
		t.Errorf("the quiz sent %d new messages, want only the summary", got-sent)
	}
	// Retry the missed one.
	h.press(u, chat, *summary, plain(bot.T("quiz.retry")))
	retry := h.activeSession(u.ID)
	if retry.Kind != quiz.Retry || len(retry.Items) != 1 || retry.Items[0].QuestionID != sess.Items[1].QuestionID {
		t.Errorf("retry session %+v, want the one missed question", retry)
	}
}

func TestMultipleChoiceTogglesInPlace(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(502)
	chat := botapi.PrivateChat(u)
	ctx := context.Background()
	var id string
	if err := h.db.SQL().QueryRowContext(ctx, `SELECT id FROM quiz_questions WHERE kind = 'multiple' ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := h.quiz.StartRetry(ctx, u.ID, []string{id}); err != nil {
		t.Fatal(err)
	}
	offer := h.say(u, "/quiz")
	h.press(u, chat, offer, plain(bot.T("quiz.continue")))
	q, _ := h.quiz.Question(ctx, id)
	sess := h.activeSession(u.ID)
	m := h.waitSent(u.ID, len(h.sentTo(u.ID)))[len(h.sentTo(u.ID))-1].Message
	if m.MessageID != sess.MessageID {
		t.Fatalf("question shown in message %d, session keeps %d", m.MessageID, sess.MessageID)
	}
	need(t, "multiple choice", m.Text, plain(bot.T("quiz.multiple_hint")))
	h.press(u, chat, *m, "☐ A")
	after := h.message(u.ID, m.MessageID)
	if !strings.Contains(buttonLabels(after), "☑ A") {
		t.Fatalf("after pressing A the buttons are %s", buttonLabels(after))
	}
	h.press(u, chat, after, "☑ A") // off again
	after = h.message(u.ID, m.MessageID)
	if strings.Contains(buttonLabels(after), "☑") {
		t.Fatalf("after pressing A twice the buttons are %s", buttonLabels(after))
	}
	for _, o := range q.Answer {
		h.press(u, chat, h.message(u.ID, m.MessageID), "☐ "+quiz.Letter(o))
	}
	ans := h.press(u, chat, h.message(u.ID, m.MessageID), plain(bot.T("quiz.submit")))
	if ans.Text != bot.T("quiz.ack_right") {
		t.Errorf("submitting the right options answered %q", ans.Text)
	}
	need(t, "feedback", h.message(u.ID, m.MessageID).Text, "回答正确")
}

func buttonLabels(m botapi.Message) string {
	var labels []string
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				labels = append(labels, b.Text)
			}
		}
	}
	return strings.Join(labels, " | ")
}

func TestForgedAndStalePressesChangeNothing(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(503)
	other := botapi.DefaultUser(504)
	ctx := context.Background()
	var ids []string
	rows, err := h.db.SQL().QueryContext(ctx, `SELECT id FROM quiz_questions WHERE kind = 'single' ORDER BY id LIMIT 5`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	sess, err := h.quiz.StartRetry(ctx, u.ID, ids)
	if err != nil {
		t.Fatal(err)
	}
	offer := h.say(u, "/quiz")
	h.press(u, botapi.PrivateChat(u), offer, plain(bot.T("quiz.continue")))
	sess = h.activeSession(u.ID)
	q, _ := h.quiz.Question(ctx, sess.Items[0].QuestionID)
	h.ask(other.ID, "/help")
	for _, c := range []struct {
		who  botapi.User
		data string
	}{
		{other, fmt.Sprintf("qz:a:%d:0:%d", sess.ID, q.Answer[0])}, // another person's session
		{u, fmt.Sprintf("qz:a:%d:3:0", sess.ID)},                   // a question not reached
		{u, fmt.Sprintf("qz:a:%d:0:9", sess.ID)},                   // an option that does not exist
		{u, fmt.Sprintf("qz:a:%d:0:-1", sess.ID)},
		{u, "qz:a:999999:0:0"},   // no such session
		{u, "qz:a:x:y:z"},        // garbage
		{u, "qz:src:no-such-id"}, // a question that does not exist
	} {
		ans := h.pressData(c.who, botapi.PrivateChat(c.who), sess.MessageID, c.data)
		if ans.Text == "" || ans.Text == bot.T("quiz.ack_right") || ans.Text == bot.T("quiz.ack_wrong") {
			t.Errorf("press %q by %d answered %q, want a polite refusal", c.data, c.who.ID, ans.Text)
		}
	}
	after := h.activeSession(u.ID)
	if after.Pos != 0 || after.Items[0].Answered {
		t.Errorf("forged presses changed the session: %+v", after.Items[0])
	}
	fig, err := h.quiz.Me(ctx, u.ID)
	if err != nil || fig.Answered != 0 {
		t.Errorf("forged presses recorded %d answers (%v)", fig.Answered, err)
	}
	// Answering twice counts once.
	data := fmt.Sprintf("qz:a:%d:0:%d", sess.ID, q.Answer[0])
	h.pressData(u, botapi.PrivateChat(u), sess.MessageID, data)
	again := h.pressData(u, botapi.PrivateChat(u), sess.MessageID, data)
	if again.Text != bot.T("quiz.stale") {
		t.Errorf("second press on the same answer: %q", again.Text)
	}
	if fig, _ := h.quiz.Me(ctx, u.ID); fig.Answered != 1 || fig.Right != 1 {
		t.Errorf("a question pressed twice counted %d answers", fig.Answered)
	}
}

func TestQuizAndExamSurviveARestart(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(505)
	chat := botapi.PrivateChat(u)
	menu := h.say(u, "/quiz")
	h.press(u, chat, menu, plain(bot.T("quiz.random")))
	h.press(u, chat, h.message(u.ID, menu.MessageID), bot.T("quiz.length_button", 5))
	h.answerCurrent(u, h.message(u.ID, menu.MessageID), true)
	h.restart()
	fb := h.message(u.ID, menu.MessageID)
	h.press(u, chat, fb, plain(bot.T("quiz.next")))
	need(t, "after the restart", h.message(u.ID, menu.MessageID).Text, "第 2/5 题")
	h.answerCurrent(u, h.message(u.ID, menu.MessageID), true)
	if s := h.activeSession(u.ID); !s.Items[1].Answered || s.Pos != 1 {
		t.Fatalf("after the restart the second answer was not taken: %+v", s)
	}
	// An exam started before a restart goes on after it, with its clock.
	h.press(u, chat, h.message(u.ID, menu.MessageID), plain(bot.T("quiz.abandon")))
	list := h.say(u, "/exam")
	need(t, "/exam", list.Text, "发展党员专项测试")
	h.press(u, chat, list, "开始：发展党员专项测试")
	h.press(u, chat, h.message(u.ID, list.MessageID), plain(bot.T("exam.go")))
	exam := h.activeSession(u.ID)
	if exam.Kind != quiz.ExamKind || len(exam.Items) != 10 {
		t.Fatalf("exam session %+v", exam)
	}
	h.answerCurrent(u, h.message(u.ID, list.MessageID), true)
	h.restart()
	m := h.message(u.ID, list.MessageID)
	need(t, "exam after the restart", m.Text, "第 2/10 题")
	h.answerCurrent(u, m, false)
	if s := h.activeSession(u.ID); s.Pos != 2 || !s.Items[1].Answered || s.Items[1].Correct {
		t.Fatalf("exam after restart: %+v", s)
	}
	if strings.Contains(h.message(u.ID, list.MessageID).Text, "解析") {
		t.Error("the exam shows the explanation before the end")
	}
}

func TestExamSubmittedWhenTimeRunsOut(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(506)
	chat := botapi.PrivateChat(u)
	list := h.say(u, "/exam")
	h.press(u, chat, list, "开始：党务知识综合测试")
	h.press(u, chat, h.message(u.ID, list.MessageID), plain(bot.T("exam.go")))
	exam := h.activeSession(u.ID)
	if len(exam.Items) != 20 {
		t.Fatalf("paper of %d questions", len(exam.Items))
	}
	for range 3 {
		h.answerCurrent(u, h.message(u.ID, list.MessageID), true)
	}
	again := h.say(u, "/exam")
	need(t, "/exam during the exam", again.Text, "考试正在进行")
	// Nobody presses anything; the time runs out.
	n := len(h.sentTo(u.ID))
	h.clock.Advance(20*time.Minute + time.Second)
	h.bot.QuizTick(context.Background())
	h.settle()
	msgs := h.waitSent(u.ID, n+1)
	result := msgs[n].Message
	need(t, "result", result.Text, "考试时间到")
	need(t, "result", result.Text, "得分：15 分")
	got, err := h.quiz.Session(context.Background(), exam.ID)
	if err != nil || got.State != quiz.Expired || got.Score != 15 || got.Passed {
		t.Fatalf("stored exam: %+v (%v)", got, err)
	}
	// A press on the old question after the deadline shows the result.
	ans := h.answerCurrent2(u, list.MessageID, exam.ID, 3)
	if ans.Text != bot.T("quiz.stale") && ans.Text != bot.T("exam.time_up") {
		t.Errorf("press after the deadline answered %q", ans.Text)
	}
	// The review lists every answer.
	h.press(u, chat, *result, plain(bot.T("exam.review_button")))
	review := h.message(u.ID, result.MessageID)
	need(t, "review", review.Text, "答卷回顾")
	need(t, "review", review.Text, "解析：")
	// A second attempt this month is allowed (three a month); a tick again does nothing.
	h.bot.QuizTick(context.Background())
	h.settle()
	if got := len(h.sentTo(u.ID)); got != n+1 {
		t.Errorf("a second tick sent %d more messages", got-n-1)
	}
}

// answerCurrent2 presses option 0 of question pos of session sid.
func (h *harness) answerCurrent2(u botapi.User, messageID int, sid int64, pos int) botapi.CallbackAnswer {
	return h.pressData(u, botapi.PrivateChat(u), messageID, "qz:a:"+strconv.FormatInt(sid, 10)+":"+strconv.Itoa(pos)+":0")
}

func TestDailyPushTimeIsKept(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(507)
	need(t, "/daily 7:30", h.ask(u.ID, "/daily 7:30"), "07:30")
	if p, err := h.quiz.Prefs(context.Background(), u.ID); err != nil || p.Daily != "07:30" {
		t.Errorf("prefs %+v (%v), want 07:30", p, err)
	}
	need(t, "/daily 25:00", h.ask(u.ID, "/daily 25:00"), "/daily 07:30")
	need(t, "/daily 关闭", h.ask(u.ID, "/daily 关闭"), "已取消")
	if p, _ := h.quiz.Prefs(context.Background(), u.ID); p.Daily != "" {
		t.Errorf("push still at %q after 关闭", p.Daily)
	}
	first := h.ask(u.ID, "/daily")
	need(t, "/daily", first, "每日一练")
}

// The /quiz menu pages its topics, so any number of them fits a keyboard,
// and a topic of the last page starts a practice of that topic.
func TestQuizMenuPagesTopics(t *testing.T) {
	h := startBot(t, nil, nil)
	h.manyTopics(120)
	u := botapi.DefaultUser(720)
	menu := h.say(u, "/quiz")
	buttons := 0
	for _, row := range menu.ReplyMarkup.InlineKeyboard {
		buttons += len(row)
	}
	if buttons > 100 {
		t.Fatalf("menu of %d buttons", buttons)
	}
	for range 20 {
		if !buttonLabel(menu, bot.T("page.next")) {
			break
		}
		menu = h.pressEdit(u, menu, bot.T("page.next"))
	}
	if buttonLabel(menu, bot.T("page.next")) || !buttonLabel(menu, bot.T("page.prev")) {
		t.Fatalf("the last page is not reached: %+v", menu.ReplyMarkup)
	}
	// Topics sort by size, then name: the imported ones of one question each come last.
	last := "导入专题第119号很长的专题名称"
	if !buttonLabel(menu, last) {
		t.Fatalf("the last page lacks %s: %+v", last, menu.ReplyMarkup)
	}
	menu = h.pressEdit(u, menu, last)
	need(t, "length menu", menu.Text, last)
	h.press(u, botapi.PrivateChat(u), menu, "5")
	sess := h.activeSession(u.ID)
	if len(sess.Items) != 1 || sess.Items[0].Topic != last {
		t.Errorf("practice of the last page's topic: %+v", sess.Items)
	}
}
