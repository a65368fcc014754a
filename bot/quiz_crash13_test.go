package bot_test

// Crash windows of a quiz's start: the session is stored (its own
// transaction) before its first question is shown, and the update is
// marked done by the first message that goes out. Each test stops the bot
// at that point as crash_replay_test.go does and restarts it on the same
// database and server.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// asksQuestion reports whether a call's reply_markup holds a question's
// answer buttons (qz:a for one choice or judge, qz:x for several).
func asksQuestion(p botapi.Params) bool {
	kb := p.Get("reply_markup")
	return strings.Contains(kb, `"qz:a:`) || strings.Contains(kb, `"qz:x:`)
}

// questionMessages are the messages of chat showing question pos of
// session sid with its answer buttons.
func (h *harness) questionMessages(chatID, sid int64, pos int) []botapi.Message {
	h.t.Helper()
	var out []botapi.Message
	for _, m := range h.srv.Messages(chatID) {
		if m.ReplyMarkup == nil {
			continue
		}
	rows:
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, fmt.Sprintf("qz:a:%d:%d:", sid, pos)) || strings.HasPrefix(b.CallbackData, fmt.Sprintf("qz:x:%d:%d:", sid, pos)) {
					out = append(out, m)
					break rows
				}
			}
		}
	}
	return out
}

// checkShownOnce fails unless the person's active session shows its first
// question in exactly one message, the one the session keeps.
func (h *harness) checkShownOnce(userID int64) {
	h.t.Helper()
	sess := h.activeSession(userID)
	shown := h.questionMessages(userID, sess.ID, 0)
	h.t.Logf("session %d (%s): first question shown in %d messages; session keeps message %d; %q sent %d times",
		sess.ID, sess.Kind, len(shown), sess.MessageID, "还没做完", h.countContaining(userID, "还没做完"))
	if len(shown) != 1 {
		h.t.Fatalf("the first question of the session just started is shown in %d messages, want 1", len(shown))
	}
	h.waitUntil("the question's message is recorded", func() bool { return h.activeSession(userID).MessageID == shown[0].MessageID })
	if n := h.countContaining(userID, "还没做完"); n > 0 {
		h.t.Errorf("the person who just started a set was told %d times it is not finished", n)
	}
}

// Was a crash window: /daily stores the session, sends the intro (which
// marks the update done) and then the first question. A crash between
// the two messages leaves the update done and never replayed: the person
// has the intro promising five questions and none of them.
func TestCrash13DailyQuestionLostAfterTheIntro(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	u := botapi.DefaultUser(1631)
	hc := h.holdCall("sendMessage", u.ID, asksQuestion)
	h.srv.PrivateText(u.ID, "/daily")
	h.crashHere(hc)
	h.waitUntil("the unfinished updates are replayed", func() bool { return h.undoneUpdates() == 0 })
	h.settle()
	h.checkShownOnce(u.ID)
	if n := h.countContaining(u.ID, "今天为您挑了"); n != 1 {
		t.Errorf("the intro was sent %d times, want once", n)
	}
}

// Was a crash window: a crash after /daily stores the session and before
// the intro is out replays the update, which found the session it had
// started and answered "您有一组每日一练还没做完（做到第 1/5 题）" — about
// questions the person was never shown — instead of the first question.
func TestCrash13DailyReplayOffersASetNeverShown(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	u := botapi.DefaultUser(1632)
	hc := h.holdCall("sendMessage", u.ID, func(p botapi.Params) bool { return strings.Contains(p.Get("text"), "今天为您挑了") })
	h.srv.PrivateText(u.ID, "/daily")
	h.crashHere(hc)
	h.waitUntil("the unfinished updates are replayed", func() bool { return h.undoneUpdates() == 0 })
	h.settle()
	h.checkShownOnce(u.ID)
}

// Was a crash window: pressing a practice length stores the session, then
// edits the menu into its first question. A crash before the edit replays
// the press, which found that session and answered "同一时间只能做一组题"
// with a new message offering to continue it, the menu left as it was.
func TestCrash13PracticeReplayOffersASetNeverShown(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	u := botapi.DefaultUser(1633)
	chat := botapi.PrivateChat(u)
	menu := h.say(u, "/quiz")
	h.press(u, chat, menu, "支部工作")
	lengths := h.message(u.ID, menu.MessageID)
	hc := h.holdCall("editMessageText", u.ID, asksQuestion)
	h.srv.Press(u, chat, lengths.MessageID, h.buttonData(lengths, "5"))
	h.crashHere(hc)
	h.waitUntil("the unfinished updates are replayed", func() bool { return h.undoneUpdates() == 0 })
	h.settle()
	h.checkShownOnce(u.ID)
	sess := h.activeSession(u.ID)
	if shown := h.questionMessages(u.ID, sess.ID, 0); len(shown) == 1 && shown[0].MessageID != menu.MessageID {
		t.Errorf("the question was sent as message %d, not shown in the pressed menu %d", shown[0].MessageID, menu.MessageID)
	}
	if n := h.countContaining(u.ID, bot.T("quiz.one_at_a_time")); n > 0 {
		t.Errorf("told %q", bot.T("quiz.one_at_a_time"))
	}
}
