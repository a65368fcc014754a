package bot_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// holdUntilAnswered makes every call of method wait until the bot has
// answered a callback query (or 10 s have passed), and reports whether the
// answer came first: the handler of a press is held up in that call, as by
// a slow network, while its budget runs out.
func holdUntilAnswered(h *harness, method string) (answeredFirst func() bool) {
	answered := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	first := false
	h.srv.SetFaults(func(m string, _ botapi.Params) botapi.Fault {
		switch {
		case strings.EqualFold(m, "answerCallbackQuery"):
			once.Do(func() { close(answered) })
		case strings.EqualFold(m, method):
			select {
			case <-answered:
				mu.Lock()
				first = true
				mu.Unlock()
			case <-time.After(10 * time.Second): // the press would stay unanswered
			}
		}
		return botapi.Fault{}
	})
	h.t.Cleanup(func() { h.srv.SetFaults(nil) })
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
}

// A button whose handler runs past the callback budget has its press
// answered without waiting for it: Telegram refuses an answer more than
// about 15 s after the press, and the spinner turns until one comes. The
// handler still does its work.
func TestSlowButtonIsAnsweredWithinItsBudget(t *testing.T) {
	h := startBot(t, func(o *bot.Options) { o.CallbackBudget = time.Millisecond }, nil)
	u := botapi.DefaultUser(31)
	chat := botapi.PrivateChat(u)
	h.ask(u.ID, "预备期多长")
	answer := h.lastMessage(u.ID)

	answeredFirst := holdUntilAnswered(h, "sendMessage")
	if ans := h.press(u, chat, answer, bot.T("ask.full")); ans.Text != "" || ans.ShowAlert {
		t.Errorf("early answer %+v, want an empty one", ans)
	}
	full := h.waitSent(u.ID, 2)[1].Message.Text
	mustContain(t, "full text", full, "来源")
	if !answeredFirst() {
		t.Errorf("the press was answered only after its handler's message")
	}
}

// An alert the handler wanted, when the press was answered early, comes
// as a message: a worker put on the waiting list is told so either way.
// The press waits 9 s behind the worker's earlier question, so its budget
// is spent when its handler starts; the presses before it, with their
// budget whole, are answered once their handler is done.
func TestSlowButtonsAlertComesAsAMessage(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 811
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	a := newWorker(812, "周甲", "13912340812", "泉山区")
	b := newWorker(813, "吴乙", "13912340813", "泉山区")
	for _, w := range []worker{a, b} {
		h.seedWorker(w, true)
		h.ask(w.user.ID, "/help")
	}
	e := h.createEvent(coord, eventForm("先锋论坛第一期", h.clock.Now().Add(72*time.Hour), "1"))
	cardA := h.openEvent(a.user, e.ID)
	h.press(a.user, botapi.PrivateChat(a.user), cardA, bot.T("ev.signup"))

	cardB := h.openEvent(b.user, e.ID)
	before, mark := len(h.sentTo(b.user.ID)), len(h.srv.Events())
	id := h.pressBehind(b.user, cardB, bot.T("ev.signup_waiting"), 9*time.Second, nil)
	if ev := h.pressOutcome(id); ev.Kind != botapi.EventAnswerCallback || ev.Text != "" {
		t.Errorf("early answer %+v, want an empty one", ev)
	}
	// The held answer to the question, then the alert.
	sent := h.waitSent(b.user.ID, before+2)[before:]
	if got := sent[1].Message.Text; got != bot.T("ev.on_waiting_list", 1) {
		t.Errorf("message after the early answer %q, want the waiting-list alert %q", got, bot.T("ev.on_waiting_list", 1))
	}
	answeredAt, editedAt := 0, 0
	for _, ev := range h.srv.Events()[mark:] {
		switch {
		case ev.Kind == botapi.EventAnswerCallback && ev.QueryID == id:
			answeredAt = ev.Seq
		case ev.Kind == botapi.EventEdit && ev.ChatID == b.user.ID && ev.Message.MessageID == cardB.MessageID && editedAt == 0:
			editedAt = ev.Seq
		}
	}
	if answeredAt == 0 || editedAt == 0 || answeredAt > editedAt {
		t.Errorf("the press was answered at event %d, its card edited at %d: want the answer first", answeredAt, editedAt)
	}
	need(t, "card", h.message(b.user.ID, cardB.MessageID).Text, "候补")
}

// A short notice the handler wanted (报名成功), when the press was answered
// early, comes as a message too: the worker learns the sign-up went
// through.
func TestSlowButtonsNoticeComesAsAMessage(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 814
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(815, "郑丙", "13912340815", "泉山区")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	e := h.createEvent(coord, eventForm("先锋论坛第二期", h.clock.Now().Add(72*time.Hour), "5"))
	card := h.openEvent(w.user, e.ID)
	before := len(h.sentTo(w.user.ID))
	id := h.pressBehind(w.user, card, bot.T("ev.signup"), 9*time.Second, nil)
	if ev := h.pressOutcome(id); ev.Kind != botapi.EventAnswerCallback || ev.Text != "" {
		t.Errorf("early answer %+v, want an empty one", ev)
	}
	sent := h.waitSent(w.user.ID, before+2)[before:]
	if got := sent[1].Message.Text; got != bot.T("ev.signed_up") {
		t.Errorf("message after the early answer %q, want the notice %q", got, bot.T("ev.signed_up"))
	}
}
