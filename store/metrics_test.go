package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
)

func TestMetricsQueries(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	// Person 3 blocked the bot.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO users (id, first_seen, last_seen, blocked_at) VALUES (3, ?, ?, ?)`,
		now.Format(time.RFC3339), now.Format(time.RFC3339), now.Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	o := store.NewOutbox(db)
	b7, b8 := scheduler.BroadcastRef(7), scheduler.BroadcastRef(8)
	if err := o.Enqueue(ctx, []outbox.Message{
		{ChatID: 1, Text: "7 to 1", Ref: b7}, {ChatID: 2, Text: "7 to 2", Ref: b7}, {ChatID: 3, Text: "7 to 3", Ref: b7},
		{ChatID: 4, Text: "7 to 4", Ref: b7},
		{ChatID: 1, Text: "8 to 1", Ref: b8},
		{ChatID: 5, Text: "a decision"},
	}); err != nil {
		t.Fatal(err)
	}
	due, err := o.Due(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	byText := map[string]int64{}
	for _, m := range due {
		byText[m.Text] = m.ID
	}
	settle := func(text string, fn func(id int64) error) {
		t.Helper()
		id := byText[text]
		if ok, err := o.Begin(ctx, id); err != nil || !ok {
			t.Fatalf("begin %q: %v %v", text, ok, err)
		}
		if err := fn(id); err != nil {
			t.Fatal(err)
		}
	}
	sent := func(id int64) error { return o.Sent(ctx, id, now, int(id)) }
	giveUp := func(id int64) error { return o.Failed(ctx, id, "refused", time.Time{}) }
	settle("7 to 1", sent)
	settle("7 to 2", giveUp)
	settle("7 to 3", giveUp) // blocked
	settle("8 to 1", sent)   // broadcast 8 is done
	settle("a decision", sent)

	counts, err := db.OutboxStatusCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"pending": 1, "sent": 3, "failed": 1, "blocked": 1}
	for status, n := range want {
		if counts[status] != n {
			t.Errorf("outbox %s = %d, want %d (all: %v)", status, counts[status], n, counts)
		}
	}
	running, err := db.RunningBroadcasts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(running) != 1 || running[0] != (store.BroadcastProgress{ID: 7, Sent: 1, Total: 4}) {
		t.Errorf("running broadcasts %+v, want broadcast 7 with 1 of 4 sent", running)
	}

	db.Close()
	if err := db.Ping(ctx); err == nil {
		t.Error("ping of a closed database succeeded")
	}
}
