package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/inbox"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

func TestHousekeepingPurgesWhatIsOld(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	h := startBot(t, func(o *bot.Options) { o.Now = func() time.Time { return time.Unix(0, now.Load()) } }, nil)
	ctx := context.Background()
	clock := time.Unix(0, now.Load())
	h.settle()
	ob, in := store.NewOutbox(h.db), store.NewInbox(h.db)
	before, err := ob.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 42, Text: "旧通知", NotBefore: clock}}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Add(ctx, []inbox.Update{{ID: 1 << 40, Payload: []byte(`{}`), ReceivedAt: clock}}); err != nil {
		t.Fatal(err)
	}
	if err := in.Done(ctx, 1<<40, clock); err != nil {
		t.Fatal(err)
	}
	conv := store.NewConversations(h.db)
	if _, err := h.db.SQL().ExecContext(ctx, `INSERT INTO conversations (chat_id, user_id, flow, step, data, updated_at)
		VALUES (77, 77, 'reject', 'reason', '{}', ?)`, clock.UTC().Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	h.srv.StartChat(42)
	h.settle()
	// A month and a day later both are gone; a pending message stays.
	clock = clock.Add(outbox.Retention + 24*time.Hour)
	now.Store(clock.UnixNano())
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 43, Text: "新通知", NotBefore: clock.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	h.bot.Purge(ctx)
	c, err := ob.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sent != 0 || c.Pending != 1 {
		t.Errorf("outbox after purge %+v (before the test: %+v): want only the pending message", c, before)
	}
	if _, err := conv.Get(ctx, 77, 77); err == nil {
		t.Error("an abandoned dialogue survived the purge")
	}
	var left int
	if err := h.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations WHERE chat_id = 77`).Scan(&left); err != nil || left != 0 {
		t.Errorf("abandoned dialogue rows left: %d, %v", left, err)
	}
	var n int
	if err := h.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE update_id = ?`, int64(1<<40)).Scan(&n); err != nil || n != 0 {
		t.Errorf("the old handled update is still there (%d, %v)", n, err)
	}
}
