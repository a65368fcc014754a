package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/inbox"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

// texts lists the texts of msgs.
func texts(msgs []outbox.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return out
}

func TestOutboxRetryKeepsChatOrder(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	o := store.NewOutbox(db)
	if err := o.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "a1"}, {ChatID: 2, Text: "b1"}, {ChatID: 1, Text: "a2"}}); err != nil {
		t.Fatal(err)
	}
	due, err := o.Due(ctx, now, 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("due = %v, %v", texts(due), err)
	}
	// a1 fails and waits for a retry: a2 must wait behind it.
	if ok, err := o.Begin(ctx, due[0].ID); !ok || err != nil {
		t.Fatalf("begin a1: %v %v", ok, err)
	}
	if got, _ := o.Due(ctx, now, 10); len(got) != 1 || got[0].Text != "b1" {
		t.Fatalf("due while a1 is in flight = %v, want only b1", texts(got))
	}
	if err := o.Failed(ctx, due[0].ID, "timeout", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := o.Due(ctx, now.Add(30*time.Second), 10); len(got) != 1 || got[0].Text != "b1" {
		t.Fatalf("due while a1 waits for its retry = %v, want only b1 (a2 must not overtake)", texts(got))
	}
	got, _ := o.Due(ctx, now.Add(2*time.Minute), 10)
	if len(got) != 2 || got[0].Text != "b1" || got[1].Text != "a1" {
		t.Fatalf("due after the retry time = %v, want b1 and a1, a2 still behind a1", texts(got))
	}
	o.Begin(ctx, got[1].ID)
	o.Sent(ctx, got[1].ID, now, 1)
	if got, _ := o.Due(ctx, now.Add(2*time.Minute), 10); len(got) != 2 || got[1].Text != "a2" {
		t.Fatalf("due once a1 is sent = %v, want b1 and a2", texts(got))
	}
	// A message scheduled for later does not hold back what is due now.
	if err := o.Enqueue(ctx, []outbox.Message{{ChatID: 3, Text: "c-later", NotBefore: now.Add(time.Hour)}, {ChatID: 3, Text: "c-now"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := o.Due(ctx, now, 10); len(got) != 3 || got[2].Text != "c-now" {
		t.Fatalf("due = %v, want b1, a2 and c-now", texts(got))
	}
}

func TestOutboxCrashRule(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	o := store.NewOutbox(db)
	err := o.Enqueue(ctx, []outbox.Message{
		{ChatID: 1, Text: "personal", Repeatable: true},
		{ChatID: 2, Text: "broadcast"},
		{ChatID: 3, Text: "waiting"},
	})
	if err != nil {
		t.Fatal(err)
	}
	due, _ := o.Due(ctx, time.Now(), 10)
	for _, m := range due[:2] {
		if ok, err := o.Begin(ctx, m.ID); !ok || err != nil {
			t.Fatalf("begin %s: %v %v", m.Text, ok, err)
		}
	}
	if ok, _ := o.Begin(ctx, due[0].ID); ok {
		t.Fatal("a message in flight was begun twice")
	}
	// The process dies here; the next start recovers.
	rec, err := o.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Requeued != 1 || rec.Uncertain != 1 {
		t.Fatalf("recovered %+v, want 1 requeued and 1 uncertain", rec)
	}
	got, _ := o.Due(ctx, time.Now(), 10)
	if len(got) != 2 || got[0].Text != "personal" || got[0].Crashes != 1 || got[1].Text != "waiting" {
		t.Fatalf("due after recovery = %v, want the personal notice (again) and the waiting one", texts(got))
	}
	c, err := o.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Uncertain != 1 || c.Pending != 2 || c.Resent != 1 || c.Sending != 0 {
		t.Fatalf("counts %+v", c)
	}
	if rec, _ := o.Recover(ctx); rec != (outbox.Recovered{}) {
		t.Errorf("a second recovery found %+v", rec)
	}
}

func TestOutboxPurgeKeepsUnfinished(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return old }
	o := store.NewOutbox(db)
	if err := o.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "sent"}, {ChatID: 2, Text: "failed"}, {ChatID: 3, Text: "pending"}}); err != nil {
		t.Fatal(err)
	}
	due, _ := o.Due(ctx, old, 10)
	o.Begin(ctx, due[0].ID)
	o.Sent(ctx, due[0].ID, old, 1)
	o.Begin(ctx, due[1].ID)
	o.Failed(ctx, due[1].ID, "blocked", time.Time{})
	db.Now = time.Now
	if err := o.Enqueue(ctx, []outbox.Message{{ChatID: 4, Text: "recent"}}); err != nil {
		t.Fatal(err)
	}
	n, err := o.Purge(ctx, time.Now().Add(-outbox.Retention))
	if err != nil || n != 2 {
		t.Fatalf("purged %d (%v), want the old sent and failed ones", n, err)
	}
	if c, _ := o.Counts(ctx); c.Pending != 2 || c.Sent+c.Failed != 0 {
		t.Fatalf("after purge: %+v", c)
	}
}

func TestAtomicJoinsStoresAndRollsBack(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	o := store.NewOutbox(db)
	conv := store.NewConversations(db)
	boom := errors.New("boom")
	err := db.Atomic(ctx, func(ctx context.Context) error {
		if err := conv.Save(ctx, 1, 1, store.Conversation{Flow: "f", Step: "s"}); err != nil {
			return err
		}
		if err := o.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "told"}}); err != nil {
			return err
		}
		// Nested: joins, and its failure rolls everything back.
		return db.Atomic(ctx, func(ctx context.Context) error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if due, _ := o.Due(ctx, time.Now(), 10); len(due) != 0 {
		t.Errorf("a rolled-back notice is queued: %v", texts(due))
	}
	if c, err := conv.Get(ctx, 1, 1); err == nil {
		t.Errorf("a rolled-back conversation exists: %+v", c)
	}
	err = db.Atomic(ctx, func(ctx context.Context) error {
		if err := conv.Save(ctx, 1, 1, store.Conversation{Flow: "f", Step: "s"}); err != nil {
			return err
		}
		return o.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "told"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if due, _ := o.Due(ctx, time.Now(), 10); len(due) != 1 {
		t.Errorf("committed notice not queued: %v", texts(due))
	}
}

func TestInbox(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	in := store.NewInbox(db)
	if off, err := in.NextOffset(ctx); off != 0 || err != nil {
		t.Fatalf("empty inbox offset = %d, %v", off, err)
	}
	now := time.Now()
	fresh, err := in.Add(ctx, []inbox.Update{{ID: 7, Payload: []byte(`{"update_id":7}`), ReceivedAt: now}, {ID: 8, Payload: []byte(`{"update_id":8}`), ReceivedAt: now}})
	if err != nil || len(fresh) != 2 {
		t.Fatalf("add: %v, %v", fresh, err)
	}
	// A redelivery of 8 with 9: only 9 is new.
	fresh, err = in.Add(ctx, []inbox.Update{{ID: 8, Payload: []byte(`{"update_id":8}`), ReceivedAt: now}, {ID: 9, Payload: []byte(`{"update_id":9}`), ReceivedAt: now}})
	if err != nil || len(fresh) != 1 || fresh[0].ID != 9 {
		t.Fatalf("redelivery: %v, %v", fresh, err)
	}
	if off, _ := in.NextOffset(ctx); off != 10 {
		t.Fatalf("offset = %d, want 10", off)
	}
	if err := in.Done(ctx, 8, now); err != nil {
		t.Fatal(err)
	}
	un, err := in.Unfinished(ctx)
	if err != nil || len(un) != 2 || un[0].ID != 7 || un[1].ID != 9 || string(un[0].Payload) != `{"update_id":7}` {
		t.Fatalf("unfinished = %+v, %v", un, err)
	}
	if n, err := in.Purge(ctx, now.Add(time.Second)); n != 1 || err != nil {
		t.Fatalf("purged %d, %v; want the one done", n, err)
	}
	if off, _ := in.NextOffset(ctx); off != 10 {
		t.Fatalf("offset after purge = %d, want 10", off)
	}
}

// Marks made at the same moment by many handlers are all written, each
// call returning once its own is committed; a mark inside a transaction is
// undone with it.
func TestInboxDoneTogether(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	in := store.NewInbox(db)
	now := time.Now()
	var us []inbox.Update
	for id := int64(1); id <= 200; id++ {
		us = append(us, inbox.Update{ID: id, Payload: []byte(`{}`), ReceivedAt: now})
	}
	if _, err := in.Add(ctx, us); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for id := int64(1); id <= 199; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := in.Done(ctx, id, now); err != nil {
				errs <- err
				return
			}
			var done bool
			if err := db.SQL().QueryRowContext(ctx, `SELECT done_at IS NOT NULL FROM inbox WHERE update_id = ?`, id).Scan(&done); err != nil || !done {
				errs <- fmt.Errorf("update %d: Done returned before its mark was committed (%v)", id, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rollback := errors.New("rolled back")
	if err := db.Atomic(ctx, func(ctx context.Context) error {
		if err := in.Done(ctx, 200, now); err != nil {
			return err
		}
		return rollback
	}); !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	un, err := in.Unfinished(ctx)
	if err != nil || len(un) != 1 || un[0].ID != 200 {
		t.Fatalf("unfinished = %+v, %v; want 200 alone", un, err)
	}
}
