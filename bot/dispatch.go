package bot

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// dispatcher runs updates through handle with one worker per chat: a chat's
// updates are handled one at a time in arrival order, different chats in
// parallel (at most maxParallel at once). It holds at most maxQueued
// updates (queued or running): submit waits for room, so a flood pushes
// back on the poller instead of piling up. It recovers panics, tells done
// about each update handled, and tracks the work in flight so shutdown can
// wait for it.
type dispatcher struct {
	handle  func(ctx context.Context, u *models.Update)
	onPanic func(ctx context.Context, u *models.Update, v any)
	done    func(ctx context.Context, u *models.Update)
	log     *slog.Logger

	ctx    context.Context // handed to handlers; cancelled only after the shutdown grace period
	cancel context.CancelFunc
	slots  chan struct{}
	room   chan struct{} // one token per update held

	mu       sync.Mutex
	queues   map[int64][]waiting // pending updates of chats with a running worker
	closed   bool
	inflight sync.WaitGroup
	handled  int        // updates handled so far
	progress *sync.Cond // signalled whenever an update has been handled
}

func newDispatcher(maxParallel, maxQueued int, log *slog.Logger, handle func(context.Context, *models.Update),
	onPanic func(context.Context, *models.Update, any), done func(context.Context, *models.Update)) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	d := &dispatcher{
		handle:  handle,
		onPanic: onPanic,
		done:    done,
		log:     log,
		ctx:     ctx,
		cancel:  cancel,
		slots:   make(chan struct{}, maxParallel),
		room:    make(chan struct{}, maxQueued),
		queues:  make(map[int64][]waiting),
	}
	d.progress = sync.NewCond(&d.mu)
	return d
}

// waiting is an update waiting for its chat's worker, with the time it
// arrived (inbox.Update.ReceivedAt).
type waiting struct {
	u        *models.Update
	received time.Time
}

// receivedKey carries in a handler's context the time its update arrived:
// a press's answer is due within a time counted from the press, and the
// update may have waited behind its chat's earlier ones.
type receivedKey struct{}

// receivedAt is when the update ctx belongs to arrived, if known.
func receivedAt(ctx context.Context) (time.Time, bool) {
	at, ok := ctx.Value(receivedKey{}).(time.Time)
	return at, ok && !at.IsZero()
}

// errClosed is returned by submit after shutdown began.
var errClosed = errors.New("dispatcher closed")

// submit queues u, which arrived at received, behind the chat's earlier
// updates, waiting while the dispatcher holds maxQueued updates. It fails
// when ctx ends or shutdown has begun.
func (d *dispatcher) submit(ctx context.Context, u *models.Update, received time.Time) error {
	select {
	case d.room <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	key := chatKey(u)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		<-d.room
		return errClosed
	}
	d.inflight.Add(1)
	q, running := d.queues[key]
	d.queues[key] = append(q, waiting{u: u, received: received})
	if !running {
		go d.work(key)
	}
	return nil
}

// work handles key's queue until it is empty.
func (d *dispatcher) work(key int64) {
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 {
			delete(d.queues, key)
			d.mu.Unlock()
			return
		}
		next := q[0]
		q[0] = waiting{}
		d.queues[key] = q[1:]
		d.mu.Unlock()

		d.slots <- struct{}{}
		d.run(next)
		<-d.slots
		<-d.room
		d.mu.Lock()
		d.handled++
		d.progress.Broadcast()
		d.mu.Unlock()
		d.inflight.Done()
	}
}

func (d *dispatcher) run(q waiting) {
	u := q.u
	ctx := context.WithValue(d.ctx, receivedKey{}, q.received)
	var mark *doneMark
	if d.done != nil {
		ctx, mark = withDoneMark(ctx, u.ID, func() { d.done(context.WithoutCancel(d.ctx), u) })
	}
	defer func() {
		if v := recover(); v != nil {
			d.log.Error("handler panic", "update_id", u.ID, "chat_id", chatKey(u), "panic", v, "stack", string(debug.Stack()))
			if d.onPanic != nil {
				d.safeOnPanic(ctx, u, v)
			}
		}
		// A handler that panicked is not tried again: it would panic again.
		// One cut off by shutdown (its context cancelled after the grace
		// period) is, at the next start, unless its reply was out. Either
		// way a mark begun after a reply is waited for.
		if mark != nil {
			if d.ctx.Err() == nil {
				mark.do()
			} else {
				mark.wait()
			}
		}
	}()
	d.handle(ctx, u)
}

// safeOnPanic tells the user about a panic without letting a second panic escape.
func (d *dispatcher) safeOnPanic(ctx context.Context, u *models.Update, v any) {
	defer func() {
		if v2 := recover(); v2 != nil {
			d.log.Error("panic while reporting a panic", "panic", v2)
		}
	}()
	d.onPanic(ctx, u, v)
}

// waitHandled blocks until at least n updates have been handled since
// start, or ctx ends.
func (d *dispatcher) waitHandled(ctx context.Context, n int) error {
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.progress.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.handled < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.progress.Wait()
	}
	return nil
}

// abandonAfter is how long close waits, after cancelling handlers'
// context, for handlers that ignore it before giving up on them.
const abandonAfter = 5 * time.Second

// close stops accepting updates and waits for the queued and running ones
// to finish. If ctx ends first, handlers' context is cancelled so they give
// up quickly, and close returns ctx's error once they have, or once
// abandonAfter has passed: a stuck handler must not hold the process.
func (d *dispatcher) close(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		d.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		d.cancel()
		return nil
	case <-ctx.Done():
		d.cancel()
		select {
		case <-done:
		case <-time.After(abandonAfter):
			d.log.Error("handlers ignored cancellation; leaving them behind")
		}
		return ctx.Err()
	}
}

// chatKey is the chat whose order an update belongs to: the chat of a
// message or of the message under a pressed button, otherwise the user.
func chatKey(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := u.CallbackQuery.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		return u.InlineQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.PollAnswer != nil && u.PollAnswer.User != nil:
		return u.PollAnswer.User.ID
	}
	return 0
}
