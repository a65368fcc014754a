package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/inbox"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

func TestHousekeepingPurgesWhatIsOld(t *testing.T) {
	var clock time.Time
	h := startBot(t, func(o *bot.Options) { o.Now = func() time.Time { return clock } }, nil)
	ctx := context.Background()
	clock = time.Now()
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
	h.srv.StartChat(42)
	h.settle()
	// A month and a day later both are gone; a pending message stays.
	clock = clock.Add(outbox.Retention + 24*time.Hour)
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
	var n int
	if err := h.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE update_id = ?`, int64(1<<40)).Scan(&n); err != nil || n != 0 {
		t.Errorf("the old handled update is still there (%d, %v)", n, err)
	}
}
