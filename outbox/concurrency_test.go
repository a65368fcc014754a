package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangwu/dangwu/outbox"
)

// slowTransport holds each send until released, recording the order per
// chat and the most sends in flight at once.
type slowTransport struct {
	mu       sync.Mutex
	inFlight int
	most     int
	perChat  map[int64][]string
	release  chan struct{}
	started  chan struct{}
}

func (tr *slowTransport) send(ctx context.Context, m outbox.Message) (int, error) {
	tr.mu.Lock()
	tr.inFlight++
	tr.most = max(tr.most, tr.inFlight)
	tr.perChat[m.ChatID] = append(tr.perChat[m.ChatID], m.Text)
	tr.mu.Unlock()
	defer func() {
		tr.mu.Lock()
		tr.inFlight--
		tr.mu.Unlock()
	}()
	if tr.started != nil {
		tr.started <- struct{}{}
	}
	select {
	case <-tr.release:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return int(m.ID), nil
}

// Sends overlap up to Workers, never two of one chat, and each chat's
// messages go out in the order they were queued, each once.
func TestSenderWorkersKeepEachChatInOrder(t *testing.T) {
	_, ob := openOutbox(t)
	ctx := context.Background()
	const chats, each = 12, 5
	var msgs []outbox.Message
	for i := range each {
		for c := range chats {
			msgs = append(msgs, outbox.Message{ChatID: int64(c + 1), Text: fmt.Sprintf("%d-%d", c+1, i)})
		}
	}
	if err := ob.Enqueue(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	close(release) // sends return at once; overlap comes from the workers
	tr := &slowTransport{perChat: map[int64][]string{}, release: release}
	s := outbox.NewSender(ob, tr.send, outbox.SenderOptions{Workers: 3, Poll: time.Hour})
	run(t, s)
	waitIdle(t, s)
	if tr.most > 3 {
		t.Errorf("%d sends in flight at once, want at most 3", tr.most)
	}
	for c := range chats {
		got := tr.perChat[int64(c+1)]
		if len(got) != each {
			t.Fatalf("chat %d got %v, want %d messages once each", c+1, got, each)
		}
		for i, text := range got {
			if want := fmt.Sprintf("%d-%d", c+1, i); text != want {
				t.Errorf("chat %d message %d is %s, want %s: a chat's messages overtook each other", c+1, i, text, want)
			}
		}
	}
	if c, _ := ob.Counts(ctx); c.Sent != chats*each {
		t.Errorf("counts %+v", c)
	}
}

// A crash with every worker busy leaves at most Workers messages in
// flight: the broadcast rows uncertain, the rest pending, none lost.
func TestSenderCrashLeavesAtMostWorkersUncertain(t *testing.T) {
	_, ob := openOutbox(t)
	ctx := context.Background()
	var msgs []outbox.Message
	for c := range 20 {
		msgs = append(msgs, outbox.Message{ChatID: int64(c + 1), Text: "通知", Ref: "broadcast:1"})
	}
	if err := ob.Enqueue(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	tr := &slowTransport{perChat: map[int64][]string{}, release: make(chan struct{}), started: make(chan struct{}, 20)}
	s := outbox.NewSender(ob, tr.send, outbox.SenderOptions{Workers: 4, Poll: time.Hour})
	stop, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(stop, stop)
	}()
	for range 4 {
		<-tr.started // four sends are out
	}
	cancel() // the process dies with them in flight
	<-done
	// A new process recovers.
	if _, err := ob.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := ob.RefCounts(ctx, "broadcast:1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Uncertain != 4 || c.Pending != 16 || c.Sent != 0 {
		t.Errorf("after the crash %+v, want 4 uncertain and 16 pending", c)
	}
}

// Quiet messages due in quiet hours wait until the hours end; others go.
func TestSenderHoldsQuietMessagesUntilMorning(t *testing.T) {
	_, ob := openOutbox(t)
	ctx := context.Background()
	var clock atomic.Int64
	night := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	clock.Store(night.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	morning := night.Add(8 * time.Hour)
	quiet := func(t time.Time) (time.Time, bool) { return morning, t.Before(morning) }
	if err := ob.Enqueue(ctx, []outbox.Message{
		{ChatID: 1, Text: "每日一练", Quiet: true, NotBefore: night},
		{ChatID: 2, Text: "审核结果", NotBefore: night},
	}); err != nil {
		t.Fatal(err)
	}
	tr := &transport{}
	s := outbox.NewSender(ob, tr.send, outbox.SenderOptions{Poll: time.Hour, Now: now, Quiet: quiet})
	run(t, s)
	waitIdle(t, s)
	if got := tr.calls(); !equal(got, []string{"审核结果"}) {
		t.Fatalf("at night sent %v, want only the urgent one", got)
	}
	clock.Store(morning.Add(-time.Minute).UnixNano())
	waitIdle(t, s)
	if got := tr.calls(); len(got) != 1 {
		t.Fatalf("a minute before morning sent %v", got)
	}
	clock.Store(morning.UnixNano())
	waitIdle(t, s)
	if got := tr.calls(); !equal(got, []string{"审核结果", "每日一练"}) {
		t.Fatalf("in the morning sent %v, want the held one too", got)
	}
	if c, _ := ob.Counts(ctx); c.Sent != 2 || c.Failed != 0 {
		t.Errorf("counts %+v: holding is not an attempt", c)
	}
}

// Cancel stops what is not sent yet; Delivered lists what was, with the
// ids Telegram gave, so a notice can be corrected or withdrawn.
func TestCancelAndDelivered(t *testing.T) {
	_, ob := openOutbox(t)
	ctx := context.Background()
	if err := ob.Enqueue(ctx, []outbox.Message{
		{ChatID: 1, Text: "a", Ref: "broadcast:7"}, {ChatID: 2, Text: "b", Ref: "broadcast:7"}, {ChatID: 3, Text: "c", Ref: "broadcast:8"},
	}); err != nil {
		t.Fatal(err)
	}
	tr := &transport{}
	s := outbox.NewSender(ob, tr.send, outbox.SenderOptions{Workers: 1, Poll: time.Hour, Batch: 1})
	due, _ := ob.Due(ctx, time.Now().Add(time.Hour), 1)
	if ok, err := ob.Begin(ctx, due[0].ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := ob.Sent(ctx, due[0].ID, time.Now(), 501); err != nil {
		t.Fatal(err)
	}
	n, err := ob.Cancel(ctx, "broadcast:7")
	if err != nil || n != 1 {
		t.Fatalf("cancel stopped %d (%v), want the one not sent", n, err)
	}
	run(t, s)
	waitIdle(t, s)
	if got := tr.calls(); !equal(got, []string{"c"}) {
		t.Errorf("after the stop the sender sent %v, want only the other notice", got)
	}
	c, _ := ob.RefCounts(ctx, "broadcast:7")
	if c.Sent != 1 || c.Cancelled != 1 || c.Pending != 0 {
		t.Errorf("counts of the stopped notice %+v", c)
	}
	got, err := ob.Delivered(ctx, "broadcast:7")
	if err != nil || len(got) != 1 || got[0].ChatID != 1 || got[0].MessageID != 501 {
		t.Errorf("delivered %+v (%v)", got, err)
	}
	// An edit and a deletion need their target.
	for _, m := range []outbox.Message{{ChatID: 1, Op: outbox.OpEdit, Text: "x"}, {ChatID: 1, Op: outbox.OpDelete}, {ChatID: 1, Op: "move", Text: "x", Target: 1}} {
		if err := ob.Enqueue(ctx, []outbox.Message{m}); err == nil {
			t.Errorf("queued %+v", m)
		}
	}
	if err := ob.Enqueue(ctx, []outbox.Message{{ChatID: 1, Op: outbox.OpDelete, Target: 501, Ref: "broadcast:7"}}); err != nil {
		t.Errorf("a deletion: %v", err)
	}
}
