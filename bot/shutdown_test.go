package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

// restartAfterShutdown stops the bot whatever Run returns and starts a new one on
// the same database and server; prepare may register test commands.
func (h *harness) restartAfterShutdown(prepare func(*bot.Bot)) {
	h.t.Helper()
	ctx := context.Background()
	h.shutdown() // may report the grace period: that is the point
	// A new process on the same data: new services over the database's
	// file, through the handle the other services hold (a store's kept
	// statements belong to its handle, and a transaction to one handle).
	db := h.db
	old := h.members()
	members := member.NewService(store.NewMemberStore(db), old.Districts(), h.opts.Admins)
	members.Now = old.Now
	opts := h.opts
	opts.Members, opts.Store, opts.Inbox, opts.Outbox, opts.Atomic = members, store.NewConversations(db), store.NewInbox(db), store.NewOutbox(db), db.Atomic
	b, err := bot.New(ctx, opts)
	if err != nil {
		h.t.Fatal(err)
	}
	if prepare != nil {
		prepare(b)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	h.bot, h.stop, h.done, h.opts = b, stop, done, opts
	h.t.Cleanup(func() { h.shutdown() })
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := h.srv.WaitPolling(wait); err != nil {
		h.t.Fatalf("restarted bot never polled: %v", err)
	}
}

// A handler cut off by the end of the shutdown grace period has not
// handled its update: it stays unfinished and is handled at the next start.
func TestUpdateCutOffAtShutdownIsHandledAtNextStart(t *testing.T) {
	started := make(chan struct{})
	h := startBot(t, func(o *bot.Options) { o.ShutdownGrace = 50 * time.Millisecond }, func(b *bot.Bot) {
		b.AddTestCommand("work", func(ctx context.Context) {
			close(started)
			<-ctx.Done() // a long import, a slow download: gives up when told
		})
	})
	h.srv.PrivateText(31, "/work")
	<-started
	h.restartAfterShutdown(func(b *bot.Bot) {
		b.AddTestCommand("work", func(context.Context) {})
	})
	// The restarted bot handles it: its reply arrives.
	h.waitSent(31, 1)
	if got := h.sentTo(31); len(got) != 1 || got[0] != "done work" {
		t.Fatalf("chat got %q, want the cut-off command handled once", got)
	}
}

// A notice caught in 429 retries does not hold the shutdown beyond the
// grace period: the sender's wait is cut short and the notice stays queued.
func TestShutdownDoesNotWaitOutSenderRetriesBeyondGrace(t *testing.T) {
	h := startBot(t, func(o *bot.Options) { o.ShutdownGrace = 50 * time.Millisecond }, nil)
	h.ask(32, "/help")
	for range 3 {
		h.srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 2", 2)
	}
	if err := store.NewOutbox(h.db).Enqueue(context.Background(), []outbox.Message{{ChatID: 32, Text: "通知"}}); err != nil {
		t.Fatal(err)
	}
	// The notice meets the first 429 and its sender waits 2 s to retry.
	wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.srv.WaitEvents(wait, 1, func(e botapi.Event) bool { return e.Kind == botapi.EventRefused && e.ChatID == 32 }); err != nil {
		t.Fatal(err)
	}
	h.shutdown()
	// Stopping cut the wait short: the retries were never made.
	if n := len(refusedTo(h.srv, 32)); n != 1 {
		t.Errorf("%d refused sends to chat 32; the sender went on retrying after the grace period", n)
	}
	if got := h.sentTo(32); len(got) != 1 {
		t.Errorf("chat 32 got %q", got)
	}
}

func refusedTo(srv *botapi.Server, chatID int64) []botapi.Event {
	var out []botapi.Event
	for _, e := range srv.Events() {
		if e.Kind == botapi.EventRefused && e.ChatID == chatID {
			out = append(out, e)
		}
	}
	return out
}
