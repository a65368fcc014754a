package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
)

// press presses the button labelled label (a substring) on message m and
// waits for the bot to answer the press.
func (h *harness) press(u botapi.User, chat botapi.Chat, m botapi.Message, label string) botapi.CallbackAnswer {
	h.t.Helper()
	return h.pressData(u, chat, m.MessageID, h.buttonData(m, label))
}

// buttonData is the callback data of the first button on m whose label
// holds label; the test fails when there is none.
func (h *harness) buttonData(m botapi.Message, label string) string {
	h.t.Helper()
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return b.CallbackData
				}
			}
		}
	}
	h.t.Fatalf("no button %q on message %q", label, m.Text)
	return ""
}

// pressData presses a button with data and waits for the answer to the press.
func (h *harness) pressData(u botapi.User, chat botapi.Chat, messageID int, data string) botapi.CallbackAnswer {
	h.t.Helper()
	id := h.srv.Press(u, chat, messageID, data)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
		return e.Kind == botapi.EventAnswerCallback && e.QueryID == id
	}); err != nil {
		h.t.Fatalf("press %q: not answered: %v", data, err)
	}
	ans, _ := h.srv.CallbackAnswer(id)
	return ans
}

// lastMessage is the bot's latest message in chat, as it stands now.
func (h *harness) lastMessage(chatID int64) botapi.Message {
	h.t.Helper()
	ms := h.srv.Messages(chatID)
	if len(ms) == 0 {
		h.t.Fatalf("no messages in chat %d", chatID)
	}
	return ms[len(ms)-1]
}

func TestQuestionGetsPassageWithSource(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(20)
	chat := botapi.PrivateChat(u)

	reply := h.ask(u.ID, "党费按什么比例交")
	mustContain(t, "answer", reply, "来源", "1.5%")
	m := h.lastMessage(u.ID)
	bold := false
	for _, e := range m.Entities {
		bold = bold || e.Type == "bold"
	}
	if !bold {
		t.Errorf("answer has no bold text (title or matched words): %+v", m.Entities)
	}
	if m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) != 3 {
		t.Fatalf("answer keyboard = %+v, want two other results and a feedback row", m.ReplyMarkup)
	}

	// The next result replaces the answer in place.
	h.press(u, chat, m, "第 2 条")
	edited := h.srv.Messages(u.ID)
	if len(edited) != 1 || edited[0].Text == m.Text {
		t.Errorf("pressing the second result: messages %d, text unchanged %v", len(edited), edited[0].Text == m.Text)
	}

	// The whole section arrives as a new message.
	h.press(u, chat, h.lastMessage(u.ID), "查看全文")
	full := h.waitSent(u.ID, 2)[1].Message.Text
	mustContain(t, "full section", full, "来源")

	if ans := h.press(u, chat, h.srv.Messages(u.ID)[0], "👍"); ans.Text != bot.T("ask.thanks") {
		t.Errorf("👍 answered %q", ans.Text)
	}
}

func TestThumbsDownAsksWhyAndRecordsIt(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(21)
	chat := botapi.PrivateChat(u)
	h.ask(u.ID, "党小组会多长时间开一次？")
	answer := h.lastMessage(u.ID)
	h.press(u, chat, answer, "👎")
	why := h.waitSent(u.ID, 2)[1].Message
	mustContain(t, "after 👎", why.Text, bot.T("ask.why"))

	// Typing words instead of pressing a reason records them as the comment.
	if got := h.ask(u.ID, "说的是党支部，不是党小组"); got != bot.T("ask.feedback_saved") {
		t.Errorf("comment reply = %q", got)
	}
	groups, err := h.kb.Unanswered(context.Background(), knowledge.Operator)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || !strings.Contains(groups[0].Text, "党小组会") {
		t.Errorf("unanswered queue after 👎 = %+v, want the question", groups)
	}
	// The next text is a question again, not a comment.
	mustContain(t, "next question", h.ask(u.ID, "入党积极分子要培养多久"), "来源")
}

func TestUnsureAnswerOffersClosestTitles(t *testing.T) {
	h := startBot(t, nil, nil)
	reply := h.ask(22, "明天徐州下雨吗")
	if !strings.Contains(reply, bot.T("ask.unsure")) && reply != bot.T("ask.nothing") {
		t.Fatalf("weather question got %q, want the unsure reply", reply)
	}
	groups, err := h.kb.Unanswered(context.Background(), knowledge.Operator)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Text != "明天徐州下雨吗" {
		t.Errorf("unanswered queue = %+v, want the weather question", groups)
	}
}

func TestQuestionsInGroupsAndInline(t *testing.T) {
	h := startBot(t, nil, nil)
	const group = -600
	h.srv.GroupText(group, 30, "党费按什么比例交") // not addressed: quiet
	h.srv.GroupText(group, 30, "/ask@dangwu_bot 党费按什么比例交")
	mustContain(t, "/ask in a group", h.waitSent(group, 1)[0].Message.Text, "来源")
	h.srv.GroupText(group, 30, "@dangwu_bot 支委会多久开一次")
	mustContain(t, "mention in a group", h.waitSent(group, 2)[1].Message.Text, "来源")
	if n := len(h.sentTo(group)); n != 2 {
		t.Errorf("group got %d messages, want 2", n)
	}
	h.srv.GroupText(group, 30, "/ask")
	if got := h.waitSent(group, 3)[2].Message.Text; got != bot.T("ask.usage") {
		t.Errorf("/ask without a question = %q", got)
	}

	id := h.srv.InlineQuery(botapi.DefaultUser(30), "党费")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
		return e.Kind == botapi.EventAnswerInline && e.QueryID == id
	}); err != nil {
		t.Fatalf("inline query not answered: %v", err)
	}
	results, _ := h.srv.InlineAnswer(id)
	if len(results) == 0 {
		t.Fatal("inline query 党费 found nothing")
	}

	// An income is computed inline too, first.
	id = h.srv.InlineQuery(botapi.DefaultUser(30), "工资8000交多少党费")
	if _, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
		return e.Kind == botapi.EventAnswerInline && e.QueryID == id
	}); err != nil {
		t.Fatalf("inline query not answered: %v", err)
	}
	results, _ = h.srv.InlineAnswer(id)
	if len(results) == 0 || results[0].ID != "dues" || !strings.Contains(string(results[0].Raw), "120元") {
		t.Errorf("inline dues question: first result %v, want the computed 120元", results)
	}
}

func TestOddQuestionsGetAClearReply(t *testing.T) {
	h := startBot(t, nil, nil)
	for _, q := range []string{
		`+-:^~*?"()`,
		strings.Repeat("党员发展", 1024),
		"🙂🙂🙂",
		"How do I pay party dues?",
		"1234567890",
		"党",
		"费",
	} {
		reply := h.ask(23, q)
		if reply == bot.T("error.internal") || reply == "" {
			t.Errorf("question %.20q got %q", q, reply)
		}
	}
}

func TestForgedKnowledgeButtons(t *testing.T) {
	h := startBot(t, nil, nil)
	owner := botapi.DefaultUser(24)
	h.ask(owner.ID, "党费怎么交")
	m := h.lastMessage(owner.ID)
	data := m.ReplyMarkup.InlineKeyboard[0][0].CallbackData
	qid := strings.Split(data, ":")[2]

	other := botapi.DefaultUser(25)
	h.ask(other.ID, "/start")
	for _, d := range []string{
		"kb:r:" + qid + ":1", // someone else's question
		"kb:r:999999:1",
		"kb:r:abc:1",
		"kb:full:" + qid,
		"kb:zz:" + qid + ":1",
		"kbw:" + qid + ":1:evil",
	} {
		if ans := h.pressData(other, botapi.PrivateChat(other), 1, d); ans.Text != bot.T("unknown.button") {
			t.Errorf("forged %q answered %q", d, ans.Text)
		}
	}
}

func TestThumbsDownInAGroupUsesButtonsOnly(t *testing.T) {
	h := startBot(t, nil, nil)
	const group = -700
	u := botapi.DefaultUser(31)
	chat := botapi.GroupChat(group)
	h.srv.SendText(u, chat, "/ask@dangwu_bot 党小组会多长时间开一次？")
	answer := *h.waitSent(group, 1)[0].Message
	h.press(u, chat, answer, "👎")
	why := *h.waitSent(group, 2)[1].Message
	if why.Text != bot.T("ask.why_buttons") {
		t.Errorf("after 👎 in a group: %q", why.Text)
	}
	var rows int
	if err := h.db.SQL().QueryRow(`SELECT COUNT(*) FROM conversations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("a group 👎 left %d conversations waiting for words the bot will never read", rows)
	}
	if ans := h.press(u, chat, why, bot.T("ask.why.outdated")); ans.Text != bot.T("ask.thanks") {
		t.Errorf("reason answered %q", ans.Text)
	}
	var comment string
	if err := h.db.SQL().QueryRow(`SELECT comment FROM kb_feedback WHERE user_id = ?`, u.ID).Scan(&comment); err != nil || comment != bot.T("ask.why.outdated") {
		t.Errorf("stored feedback comment %q, %v", comment, err)
	}
}

func TestChatterGetsAFriendlyWordAndIsNotQueued(t *testing.T) {
	h := startBot(t, nil, nil)
	for text, key := range map[string]string{
		"你好": "chat.greeting", "在吗？": "chat.greeting", "谢谢": "chat.thanks", "好的，谢谢！": "chat.thanks",
		"？": "chat.hint", "。。。": "chat.hint", "👍": "chat.hint", "吗": "chat.hint", "8000": "chat.number",
	} {
		if got := h.ask(23, text); got != bot.T(key) {
			t.Errorf("%q got %q, want %s", text, got, key)
		}
	}
	groups, err := h.kb.Unanswered(context.Background(), knowledge.Operator)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 0 {
		t.Errorf("chatter reached the unanswered queue: %+v", groups)
	}
	// A greeting before a question does not stop the question.
	mustContain(t, "greeted question", h.ask(23, "你好，预备期多长"), "一年", "来源")
}

func TestAnswerOpensWithTheAnsweringSentence(t *testing.T) {
	h := startBot(t, nil, nil)
	h.ask(24, "预备期多长")
	m := h.lastMessage(24)
	first, _, _ := strings.Cut(m.Text, "\n")
	if !strings.Contains(first, "一年") {
		t.Fatalf("first line %q does not answer the question; message:\n%s", first, m.Text)
	}
	if len(m.Entities) == 0 || m.Entities[0].Type != "bold" || m.Entities[0].Offset != 0 {
		t.Errorf("the answering sentence is not bold at the top: %+v", m.Entities)
	}
}

// attributed reports whether the district practice named by practice is
// attributed to district wherever the reply states it: the reply is labelled
// as that district's, or each clause stating the practice names the district
// (the city overview that lists each district's own way).
func attributed(reply, practice, district string) bool {
	if strings.Contains(reply, "适用范围："+district) {
		return true
	}
	found := false
	for _, clause := range strings.FieldsFunc(reply, func(r rune) bool { return strings.ContainsRune("。；\n", r) }) {
		if strings.Contains(clause, practice) {
			if !strings.Contains(clause, district) {
				return false
			}
			found = true
		}
	}
	return found
}

func TestAnotherDistrictsPracticeIsLabelled(t *testing.T) {
	h := startBot(t, nil, nil)
	reply := h.ask(25, "党务工作者分几级")
	if !strings.Contains(reply, "四个等级") || !attributed(reply, "四个等级", "泉山区") {
		t.Errorf("a district's practice answered a general question without its district:\n%s", reply)
	}
}

// A worker registered in 贾汪区 asks how many levels there are: the answer
// counts the levels and says whose practice that is.
func TestRegisteredWorkersDistrictAndLabel(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(26, "王芳", "13900000026", "贾汪区")
	h.seedWorker(w, true)
	reply := h.ask(w.user.ID, "党务工作者分几级")
	first, _, _ := strings.Cut(reply, "\n")
	if !strings.Contains(first, "四个等级") {
		t.Errorf("the answer does not count the levels: %q", first)
	}
	if !attributed(reply, "四个等级", "泉山区") {
		t.Errorf("the four levels are not said to be 泉山区's:\n%s", reply)
	}
}

func TestAttributed(t *testing.T) {
	for reply, want := range map[string]bool{
		"泉山区按四个等级认证。\n\n适用范围：泉山区（本地做法）": true,
		"各地不同：睢宁县分级认证；泉山区按四个等级认证。":      true,
		"党务工作者按四个等级认证。":                 false,
		"泉山区的做法。党务工作者按四个等级认证。":          false,
		"党务工作者分级认证。":                    false,
	} {
		if got := attributed(reply, "四个等级", "泉山区"); got != want {
			t.Errorf("attributed(%q) = %v, want %v", reply, got, want)
		}
	}
}
