package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

// outboxRows counts the outbox by status.
func (h *harness) outboxRows(status string) int {
	h.t.Helper()
	var n int
	if err := h.db.SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = ?`, status).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func TestOutboxSurvivesRestartsAndOtherProcesses(t *testing.T) {
	h := startBot(t, nil, nil)
	for _, id := range []int64{61, 62} {
		h.ask(id, "/help") // both have started the bot, so it may write to them
	}
	// Queued while the bot is down, as the command line does.
	h.restartWith(func() {
		err := store.NewOutbox(h.db).Enqueue(context.Background(), []outbox.Message{
			{ChatID: 61, Text: "<b>第一条</b>"}, {ChatID: 62, Text: "给另一个人"}, {ChatID: 61, Text: "第二条"},
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	got := h.waitSent(61, 3)
	if got[1].Message.Text != "第一条" || got[2].Message.Text != "第二条" {
		t.Errorf("chat 61 got %q then %q, want the queued messages in order", got[1].Message.Text, got[2].Message.Text)
	}
	h.waitSent(62, 2)
	h.settle()
	if sent, pending := h.outboxRows(outbox.StatusSent), h.outboxRows(outbox.StatusPending); sent != 3 || pending != 0 {
		t.Errorf("outbox: %d sent, %d pending; want 3 and 0", sent, pending)
	}

	// Queued by another process while the bot runs: picked up without a wake.
	if err := store.NewOutbox(h.db).Enqueue(context.Background(), []outbox.Message{{ChatID: 62, Text: "稍后送到"}}); err != nil {
		t.Fatal(err)
	}
	if got := h.waitSent(62, 3)[2].Message.Text; got != "稍后送到" {
		t.Errorf("chat 62 got %q", got)
	}
}

func TestOutboxGivesUpOnRefusalsAndRetriesFaults(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var slept []time.Duration
	h := startBot(t, func(o *bot.Options) { o.Now = clk.Now; o.Members.Now = clk.Now }, noSleep(&mu, &slept))
	w := newWorker(63, "钱七", "13912340063", "鼓楼区")
	p := h.seedWorker(w, false)

	// The worker blocks the bot; the approval notice is refused and given up,
	// and the worker is marked blocked.
	h.srv.BlockBot(w.user.ID)
	h.waitUntil("blocked", func() bool { return h.profile(w.user.ID).Blocked })
	if _, err := h.members().Approve(context.Background(), adminID, p.ID); err != nil {
		t.Fatal(err)
	}
	h.ask(adminID, "/help")
	if err := store.NewOutbox(h.db).Enqueue(context.Background(), []outbox.Message{{ChatID: w.user.ID, Text: "通过了", NotBefore: clk.Now()}}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := h.outboxRows(outbox.StatusFailed); n != 1 {
		t.Errorf("%d failed messages after a 403, want 1", n)
	}

	// A server error is retried at once a few times, then after a backoff,
	// not given up.
	h.srv.UnblockBot(w.user.ID)
	for range 4 { // the first try and the sender's three retries
		h.srv.FailNext("sendMessage", 500, "Internal Server Error", 0)
	}
	if err := store.NewOutbox(h.db).Enqueue(context.Background(), []outbox.Message{{ChatID: w.user.ID, Text: "再试一次", NotBefore: clk.Now()}}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if pending := h.outboxRows(outbox.StatusPending); pending != 1 {
		t.Fatalf("%d pending after a 500, want the message waiting to be retried", pending)
	}
	before := len(h.sentTo(w.user.ID))
	clk.Advance(outbox.Backoff(1) + time.Second)
	h.settle()
	if got := h.sentTo(w.user.ID); len(got) != before+1 || got[before] != "再试一次" {
		t.Errorf("after the backoff the worker has %q", got)
	}
	for _, e := range h.srv.Events() {
		if e.Kind == botapi.EventSend && e.ChatID == w.user.ID && e.Message.Text == "通过了" {
			t.Errorf("a message refused with 403 was delivered later")
		}
	}
}
