package outbox_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

// failingFailed is an outbox whose Failed fails while broken is set, as on
// a full disk or a write lock held past the busy timeout.
type failingFailed struct {
	*store.Outbox
	broken atomic.Bool
	calls  chan struct{}
}

func (f *failingFailed) Failed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	select {
	case f.calls <- struct{}{}:
	default:
	}
	if f.broken.Load() {
		return errors.New("database or disk is full")
	}
	return f.Outbox.Failed(ctx, id, reason, retryAt)
}

// A failed send whose failure cannot be recorded is recorded once the store
// works again, and sent again after its backoff; until then nothing else is
// sent, and the chat's later messages keep their place behind it.
func TestSenderRecordsAFailureItCouldNotWriteBeforeSendingMore(t *testing.T) {
	_, ob := openOutbox(t)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	f := &failingFailed{Outbox: ob, calls: make(chan struct{}, 1)}
	f.broken.Store(true)
	tr := &transport{fail: func(m outbox.Message, n int) error {
		if m.Text == "a1" && n == 0 {
			return errors.New("502 Bad Gateway")
		}
		return nil
	}}
	s := outbox.NewSender(f, tr.send, outbox.SenderOptions{Workers: 1, Poll: time.Millisecond, Now: now})
	ctx := context.Background()
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "a1", NotBefore: now()}, {ChatID: 1, Text: "a2", NotBefore: now()}}); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	<-f.calls             // the failure of a1 could not be written
	f.broken.Store(false) // the disk has room again
	clock.Add(int64(2 * time.Hour))
	for range 5 {
		waitIdle(t, s)
	}
	c, _ := ob.Counts(ctx)
	if got := tr.calls(); !equal(got, []string{"a1", "a1", "a2"}) {
		t.Fatalf("sent %v after the store recovered (counts %+v); want a1 retried, then a2", got, c)
	}
}
