package outbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

func openOutbox(t *testing.T) (*store.DB, *store.Outbox) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, store.NewOutbox(db)
}

// transport records what the sender sends and fails where told to.
type transport struct {
	mu   sync.Mutex
	sent []string
	fail func(m outbox.Message, n int) error // n: how often this text was tried before
	seen map[string]int
}

func (tr *transport) send(ctx context.Context, m outbox.Message) (int, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.seen == nil {
		tr.seen = map[string]int{}
	}
	n := tr.seen[m.Text]
	tr.seen[m.Text]++
	tr.sent = append(tr.sent, m.Text)
	if tr.fail != nil {
		if err := tr.fail(m, n); err != nil {
			return 0, err
		}
	}
	return len(tr.sent), nil
}

func (tr *transport) calls() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.sent...)
}

// run starts s and stops it when the test ends.
func run(t *testing.T, s *outbox.Sender) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func waitIdle(t *testing.T, s *outbox.Sender) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatalf("outbox never idle: %v", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSenderRetryDoesNotOvertake(t *testing.T) {
	_, ob := openOutbox(t)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	tr := &transport{fail: func(m outbox.Message, n int) error {
		if m.Text == "a1" && n == 0 {
			return errors.New("502 Bad Gateway")
		}
		return nil
	}}
	s := outbox.NewSender(ob, tr.send, outbox.SenderOptions{Workers: 1, Poll: time.Hour, Now: now})
	ctx := context.Background()
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "a1", NotBefore: now()}, {ChatID: 2, Text: "b1", NotBefore: now()}, {ChatID: 1, Text: "a2", NotBefore: now()}}); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	waitIdle(t, s)
	if got := tr.calls(); !equal(got, []string{"a1", "b1"}) {
		t.Fatalf("first pass sent %v, want a1 (failed) and b1; a2 waits behind a1", got)
	}
	clock.Add(int64(time.Hour))
	waitIdle(t, s)
	if got := tr.calls(); !equal(got, []string{"a1", "b1", "a1", "a2"}) {
		t.Fatalf("sent %v, want a1 retried before a2", got)
	}
}

// failingSent is an outbox whose Sent fails while broken is set, as on a
// full disk.
type failingSent struct {
	*store.Outbox
	broken atomic.Bool
	calls  chan struct{}
}

func (f *failingSent) Sent(ctx context.Context, id int64, at time.Time, messageID int) error {
	f.calls <- struct{}{}
	if f.broken.Load() {
		return errors.New("database or disk is full")
	}
	return f.Outbox.Sent(ctx, id, at, messageID)
}

func TestSenderStopsWhileItCannotMark(t *testing.T) {
	_, ob := openOutbox(t)
	f := &failingSent{Outbox: ob, calls: make(chan struct{}, 100)}
	f.broken.Store(true)
	tr := &transport{}
	s := outbox.NewSender(f, tr.send, outbox.SenderOptions{Workers: 1, Poll: time.Millisecond})
	ctx := context.Background()
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "m1"}, {ChatID: 2, Text: "m2"}, {ChatID: 3, Text: "m3"}}); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	// The first send succeeds, marking it fails; later passes try to mark
	// it again and send nothing else meanwhile.
	for range 4 {
		<-f.calls
	}
	if got := tr.calls(); !equal(got, []string{"m1"}) {
		t.Fatalf("sent %v while marking failed, want m1 once", got)
	}
	f.broken.Store(false)
	waitIdle(t, s)
	if got := tr.calls(); !equal(got, []string{"m1", "m2", "m3"}) {
		t.Fatalf("sent %v after the store recovered, want each once", got)
	}
	c, err := ob.Counts(ctx)
	if err != nil || c.Sent != 3 {
		t.Fatalf("counts %+v, %v", c, err)
	}
}

func TestSenderRefusedAndGivenUp(t *testing.T) {
	_, ob := openOutbox(t)
	tr := &transport{fail: func(m outbox.Message, n int) error {
		if m.Text == "blocked" {
			return errors.Join(outbox.ErrRefused, errors.New("403 Forbidden: bot was blocked by the user"))
		}
		return nil
	}}
	s := outbox.NewSender(ob, tr.send, outbox.SenderOptions{Workers: 1, Poll: time.Hour})
	ctx := context.Background()
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "blocked"}, {ChatID: 1, Text: "next"}}); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	waitIdle(t, s)
	waitIdle(t, s)
	if got := tr.calls(); !equal(got, []string{"blocked", "next"}) {
		t.Fatalf("sent %v, want the refused one tried once", got)
	}
	if c, _ := ob.Counts(ctx); c.Failed != 1 || c.Sent != 1 {
		t.Fatalf("counts %+v", c)
	}
}

func TestSenderInterruptedSendFollowsTheCrashRule(t *testing.T) {
	_, ob := openOutbox(t)
	ctx := context.Background()
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 1, Text: "personal", Repeatable: true}, {ChatID: 2, Text: "broadcast"}}); err != nil {
		t.Fatal(err)
	}
	stop, cancel := context.WithCancel(ctx)
	started := make(chan struct{})
	tr := func(ctx context.Context, m outbox.Message) (int, error) {
		started <- struct{}{}
		<-ctx.Done() // the process stops while the request is out
		return 0, ctx.Err()
	}
	s := outbox.NewSender(ob, tr, outbox.SenderOptions{Workers: 1, Poll: time.Hour})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(stop, stop)
	}()
	<-started
	cancel()
	<-done
	c, err := ob.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Pending != 2 || c.Sending != 0 || c.Resent != 1 {
		t.Fatalf("counts %+v: the personal notice should be pending again, the broadcast untouched", c)
	}
}
