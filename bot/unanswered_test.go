package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

// What the sender does when Telegram fails: a failure that left the call
// undone is tried again; a call that got no answer may have been carried
// out, so it is tried again only when doing it twice is harmless.

// noSleep records the sender's waits instead of waiting.
func noSleep(mu *sync.Mutex, slept *[]time.Duration) func(*bot.Bot) {
	return func(b *bot.Bot) {
		b.SetSleep(func(_ context.Context, d time.Duration) error {
			mu.Lock()
			*slept = append(*slept, d)
			mu.Unlock()
			return nil
		})
	}
}

// faultOnce makes the first call of method matching match meet f.
func faultOnce(h *harness, method string, match func(botapi.Params) bool, f botapi.Fault) {
	var once sync.Once
	h.srv.SetFaults(func(m string, p botapi.Params) botapi.Fault {
		out := botapi.Fault{}
		if m == method && (match == nil || match(p)) {
			once.Do(func() { out = f })
		}
		return out
	})
}

func count(texts []string, want string) int {
	n := 0
	for _, t := range texts {
		if strings.Contains(t, want) {
			n++
		}
	}
	return n
}

func TestReplyAfterServerErrorIsSentOnce(t *testing.T) {
	var mu sync.Mutex
	var slept []time.Duration
	h := startBot(t, nil, noSleep(&mu, &slept))
	h.srv.FailNext("sendMessage", 500, "Internal Server Error", 0)
	mustContain(t, "reply after a 500", h.ask(4, "/help"), "/start")
	h.settle()
	if got := h.sentTo(4); len(got) != 1 {
		t.Errorf("chat 4 got %q, want only the answer (no apology)", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(slept) != 1 || slept[0] != 500*time.Millisecond {
		t.Errorf("waited %v before the retry, want [500ms]", slept)
	}
}

func TestUnansweredReplyIsNotSentTwice(t *testing.T) {
	var mu sync.Mutex
	var slept []time.Duration
	h := startBot(t, nil, noSleep(&mu, &slept))
	faultOnce(h, "sendMessage", func(p botapi.Params) bool { return p.Get("chat_id") == "6" }, botapi.Fault{Reset: botapi.ResetAfter})
	h.srv.PrivateText(6, "/help")
	got := h.waitSent(6, 2) // the answer, whose reply was lost, and the apology
	h.settle()
	texts := h.sentTo(6)
	if count(texts, "/start") != 1 || len(texts) != 2 || got[1].Message.Text != bot.T("error.internal") {
		t.Errorf("chat 6 got %q, want the answer once, then the apology", texts)
	}
	mustContain(t, "log", h.logs.String(), "unanswered: it may have been carried out")
}

func TestUnansweredEditIsTriedAgain(t *testing.T) {
	for _, reset := range []botapi.Reset{botapi.ResetBefore, botapi.ResetAfter} {
		var mu sync.Mutex
		var slept []time.Duration
		h := startBot(t, nil, noSleep(&mu, &slept))
		u := botapi.DefaultUser(7)
		menu := h.say(u, "/quiz")
		faultOnce(h, "editMessageText", nil, botapi.Fault{Reset: reset})
		h.press(u, botapi.PrivateChat(u), menu, bot.T("quiz.random"))
		h.settle()
		if m := h.lastMessage(7); !strings.Contains(m.Text, "这组做几道题") {
			t.Errorf("reset %d: the menu reads %q, want the length question", reset, m.Text)
		}
		if got := h.sentTo(7); len(got) != 1 {
			t.Errorf("reset %d: chat 7 got %q, want only the menu (no apology)", reset, got)
		}
		if h.srv.Calls("editMessageText") != 2 {
			t.Errorf("reset %d: %d edits, want the one whose answer was lost and its repeat", reset, h.srv.Calls("editMessageText"))
		}
	}
}

func TestUnansweredCallbackAnswerIsTriedAgain(t *testing.T) {
	for _, reset := range []botapi.Reset{botapi.ResetBefore, botapi.ResetAfter} {
		var mu sync.Mutex
		var slept []time.Duration
		h := startBot(t, nil, noSleep(&mu, &slept))
		u := botapi.DefaultUser(8)
		menu := h.say(u, "/quiz")
		faultOnce(h, "answerCallbackQuery", nil, botapi.Fault{Reset: reset})
		h.press(u, botapi.PrivateChat(u), menu, bot.T("quiz.random")) // waits for the answer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := h.bot.WaitHandled(ctx, 2); err != nil { // /quiz and the press, repeat included
			t.Fatal(err)
		}
		cancel()
		if h.srv.Calls("answerCallbackQuery") != 2 {
			t.Errorf("reset %d: %d callback answers, want the one whose answer was lost and its repeat", reset, h.srv.Calls("answerCallbackQuery"))
		}
		if strings.Contains(h.logs.String(), `msg="answer callback query" `) {
			t.Errorf("reset %d: the repeat was logged as a failure:\n%s", reset, h.logs.String())
		}
	}
}

func TestUnansweredNoticeIsHeldUncertain(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var slept []time.Duration
	h := startBot(t, func(o *bot.Options) { o.Now = clk.Now; o.Members.Now = clk.Now }, noSleep(&mu, &slept))
	w := newWorker(64, "孙八", "13912340064", "鼓楼区")
	h.seedWorker(w, true)
	h.settle()
	ob := store.NewOutbox(h.db)
	ctx := context.Background()

	// A notice that must not come twice: its send lands, the answer is lost.
	faultOnce(h, "sendMessage", func(p botapi.Params) bool { return strings.Contains(p.Get("text"), "通知一") }, botapi.Fault{Reset: botapi.ResetAfter})
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: w.user.ID, Text: "通知一", NotBefore: clk.Now()}}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := h.outboxRows(outbox.StatusUncertain); n != 1 {
		t.Errorf("%d uncertain rows after an unanswered send, want 1", n)
	}
	clk.Advance(24 * time.Hour)
	h.settle()
	if n := count(h.sentTo(w.user.ID), "通知一"); n != 1 {
		t.Errorf("the notice arrived %d times, want once: an uncertain message is not sent again", n)
	}

	// A repeatable one whose request was lost is sent again after the backoff.
	faultOnce(h, "sendMessage", func(p botapi.Params) bool { return strings.Contains(p.Get("text"), "通知二") }, botapi.Fault{Reset: botapi.ResetBefore})
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: w.user.ID, Text: "通知二", NotBefore: clk.Now(), Repeatable: true}}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := h.outboxRows(outbox.StatusPending); n != 1 {
		t.Fatalf("%d pending rows after an unanswered repeatable send, want it waiting to be retried", n)
	}
	clk.Advance(outbox.Backoff(1) + time.Second)
	h.settle()
	if n := count(h.sentTo(w.user.ID), "通知二"); n != 1 {
		t.Errorf("the repeatable notice arrived %d times, want once", n)
	}
}
