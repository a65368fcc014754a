package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

func TestOutboxQueue(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	o := store.NewOutbox(db)

	if err := o.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "a"}, {ChatID: 0, Text: "b"}}); !errors.Is(err, outbox.ErrEmpty) {
		t.Fatalf("enqueue with a bad message: err = %v, want ErrEmpty", err)
	}
	if due, _ := o.Due(ctx, now, 10); len(due) != 0 {
		t.Fatalf("a refused batch left %d messages", len(due))
	}
	later := now.Add(time.Minute)
	err := o.Enqueue(ctx, []outbox.Message{
		{ChatID: 1, Text: "first", Kind: "notice"},
		{ChatID: 2, Text: "later", NotBefore: later},
		{ChatID: 1, Text: "second", Markup: `{"inline_keyboard":[]}`},
	})
	if err != nil {
		t.Fatal(err)
	}
	due, err := o.Due(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].Text != "first" || due[1].Text != "second" || due[1].Markup == "" || due[0].Kind != "notice" {
		t.Fatalf("due now = %+v, want first then second", due)
	}
	if err := o.Sent(ctx, due[0].ID, now, 1); err != nil {
		t.Fatal(err)
	}
	// A failed attempt waits; a given-up message never comes back.
	if err := o.Failed(ctx, due[1].ID, "429", now.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, _ := o.Due(ctx, now.Add(10*time.Second), 10); len(got) != 0 {
		t.Errorf("due before the retry time: %+v", got)
	}
	got, _ := o.Due(ctx, now.Add(2*time.Minute), 10)
	if len(got) != 2 || got[0].Text != "second" || got[0].Attempts != 1 || got[1].Text != "later" {
		t.Fatalf("due after two minutes = %+v, want second (1 attempt) then later", got)
	}
	if err := o.Failed(ctx, got[0].ID, "blocked", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := o.Due(ctx, now.Add(time.Hour), 10); len(got) != 1 || got[0].Text != "later" {
		t.Errorf("due after giving one up = %+v, want only later", got)
	}
}

func TestBackoffGrowsAndIsBounded(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 10; n++ {
		d := outbox.Backoff(n)
		if d < prev || d > time.Hour {
			t.Errorf("Backoff(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
}
