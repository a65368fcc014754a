package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// SendFunc delivers one message (sends, edits or deletes, by m.Op) and
// returns the id of the message Telegram holds (for an edit or deletion,
// m.Target). An error wrapping ErrRefused gives the message up;
// context.Canceled (the process is stopping) leaves it to the crash rule;
// any other error is retried with Backoff. It is called from up to Workers
// goroutines at once, never for two messages of one chat.
type SendFunc func(ctx context.Context, m Message) (int, error)

// SenderOptions configure a Sender.
type SenderOptions struct {
	// Poll is how often the queue is read when nobody calls Wake: messages
	// queued by another process (the command line) wait at most this long.
	Poll time.Duration // default 2 s
	// Batch is how many due messages are read at a time.
	Batch int // default 20
	// Workers is how many messages may be in flight at once, to different
	// chats (default 4): sends overlap their round trips, and pacing stays
	// the SendFunc's. A crash leaves at most this many uncertain.
	Workers int
	// Quiet reports whether t falls in quiet hours and, if so, when they
	// end: a Quiet message due then waits until that time. Nil: never.
	Quiet func(t time.Time) (until time.Time, quiet bool)
	Log   *slog.Logger
	Now   func() time.Time
}

// Sender is the one loop that delivers queued messages. It has up to
// Workers messages in flight, each to another chat (pacing is the
// SendFunc's business: it shares the rate limiter with interactive
// replies), marks each message before and after its send, and never sends
// a message it could not mark.
type Sender struct {
	store   Store
	send    SendFunc
	log     *slog.Logger
	now     func() time.Time
	quiet   func(time.Time) (time.Time, bool)
	poll    time.Duration
	batch   int
	workers int
	wake    chan struct{}

	// unrecorded holds outcomes (sent, failed) that could not be written;
	// writing them comes before any further send.
	umu        sync.Mutex
	unrecorded map[int64]func(ctx context.Context) error

	mu       sync.Mutex
	cond     *sync.Cond
	started  int // delivery passes begun
	finished int // passes begun by then that have ended with nothing left due
}

// NewSender returns a sender of st's messages through send.
func NewSender(st Store, send SendFunc, o SenderOptions) *Sender {
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Sender{store: st, send: send, log: o.Log, now: o.Now, quiet: o.Quiet, poll: o.Poll, batch: o.Batch, workers: o.Workers,
		wake: make(chan struct{}, 1), unrecorded: make(map[int64]func(ctx context.Context) error)}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Wake makes the loop read the queue now (messages were queued).
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// maxIdleWait is the longest wait between passes after store errors.
const maxIdleWait = time.Minute

// Run recovers what a crash left in flight, then delivers due messages until
// stop ends. Sends use sendCtx, which the caller cancels later than stop,
// so a message being sent at shutdown is finished rather than cut off.
func (s *Sender) Run(stop, sendCtx context.Context) {
	for stop.Err() == nil {
		rec, err := s.store.Recover(stop)
		if err == nil {
			if rec.Requeued+rec.Uncertain > 0 {
				s.log.Warn("outbox: messages were in flight when the process stopped",
					"requeued", rec.Requeued, "uncertain", rec.Uncertain)
			}
			break
		}
		s.log.Error("outbox: recover in-flight messages", "err", err)
		if sleep(stop, s.poll) != nil {
			return
		}
	}
	wait := time.Duration(0)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-stop.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
		s.begin()
		err := s.pass(stop, sendCtx)
		switch {
		case err == nil:
			s.end()
			wait = s.poll
		case stop.Err() != nil:
			return
		default:
			// The store fails (a full disk, a lock held too long): send
			// nothing that cannot be marked, and try again later.
			wait = min(max(2*wait, s.poll), maxIdleWait)
			s.log.Error("outbox: delivery paused", "retry_in", wait, "err", err)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// pass sends due messages until none is left, up to s.workers at once and
// never two of one chat at once. A store error ends it, once the messages
// in flight have finished.
func (s *Sender) pass(stop, sendCtx context.Context) error {
	if err := s.recordPending(sendCtx); err != nil {
		return err
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed error              // the first outcome that could not be recorded
		busy   = map[int64]bool{} // chats with a message in flight
		held   = map[int64]bool{} // chats whose message waits for a retry
		ended  int                // sends finished, to notice one during a read
	)
	slots := make(chan struct{}, s.workers)
	done := make(chan struct{}, s.workers) // a message in flight finished
	defer wg.Wait()
	for stop.Err() == nil {
		mu.Lock()
		err, seen := failed, ended
		mu.Unlock()
		if err != nil {
			wg.Wait()
			return err
		}
		due, err := s.store.Due(stop, s.now(), s.batch)
		if err != nil {
			wg.Wait()
			return fmt.Errorf("read due messages: %w", err)
		}
		started := 0
		passed := map[int64]bool{} // chats with a message left behind in this read
		for _, m := range due {
			if stop.Err() != nil {
				break
			}
			mu.Lock()
			skip := busy[m.ChatID] || held[m.ChatID] || passed[m.ChatID] || failed != nil
			mu.Unlock()
			if skip {
				passed[m.ChatID] = true // its chat's earlier message goes first
				continue
			}
			if m.Quiet && s.quiet != nil {
				if until, quiet := s.quiet(s.now()); quiet {
					if err := s.store.Postpone(sendCtx, m.ID, until); err != nil {
						wg.Wait()
						return fmt.Errorf("postpone message %d: %w", m.ID, err)
					}
					continue
				}
			}
			select {
			case slots <- struct{}{}:
			case <-stop.Done():
				wg.Wait()
				return stop.Err()
			}
			mu.Lock()
			stopped := failed != nil // an outcome could not be written: send nothing more
			mu.Unlock()
			if stopped {
				<-slots
				break
			}
			ok, err := s.store.Begin(sendCtx, m.ID)
			if err != nil || !ok {
				<-slots
				if err != nil {
					wg.Wait()
					return fmt.Errorf("mark message %d in flight: %w", m.ID, err)
				}
				continue // no longer pending
			}
			started++
			mu.Lock()
			busy[m.ChatID] = true
			mu.Unlock()
			wg.Add(1)
			go func(m Message) {
				defer wg.Done()
				follow, err := s.deliver(sendCtx, m)
				mu.Lock()
				delete(busy, m.ChatID)
				if !follow {
					held[m.ChatID] = true // its next messages stay behind it
				}
				ended++
				if err != nil && failed == nil {
					failed = err
				}
				mu.Unlock()
				<-slots
				select {
				case done <- struct{}{}:
				default:
				}
			}(m)
		}
		if started > 0 {
			continue // read again: more may be due, or the same chats' next
		}
		mu.Lock()
		inFlight, changed := len(busy), ended != seen
		mu.Unlock()
		if changed {
			continue // a send ended during the read: its chat's next may be due
		}
		if inFlight == 0 {
			break // nothing due that is not in flight
		}
		select { // what is due waits for its chat: wait for a send to end
		case <-done:
		case <-stop.Done():
		}
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	return stop.Err()
}

// deliver sends one message marked in flight and records the outcome. It
// reports whether later messages of the chat may follow now; an error means
// the outcome could not be recorded (it is kept and written before anything
// else is sent) or the process is stopping.
func (s *Sender) deliver(ctx context.Context, m Message) (bool, error) {
	msgID, err := s.send(ctx, m)
	rec := context.WithoutCancel(ctx) // record the outcome even when stopping
	var record func(ctx context.Context) error
	follow := true
	switch {
	case err == nil:
		at := s.now()
		record = func(ctx context.Context) error { return s.store.Sent(ctx, m.ID, at, msgID) }
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		if err := s.store.Interrupted(rec, m.ID); err != nil {
			return false, fmt.Errorf("mark message %d interrupted: %w", m.ID, err)
		}
		return false, ctx.Err()
	case errors.Is(err, ErrUncertain) && !m.Repeatable:
		s.log.Warn("outbox: message perhaps delivered, held as uncertain", "outbox_id", m.ID, "chat_id", m.ChatID, "kind", m.Kind, "err", err)
		reason := err.Error()
		record = func(ctx context.Context) error { return s.store.Uncertain(ctx, m.ID, reason) }
	case errors.Is(err, ErrRefused):
		s.log.Info("outbox: message refused", "outbox_id", m.ID, "chat_id", m.ChatID, "kind", m.Kind, "err", err)
		reason := err.Error()
		record = func(ctx context.Context) error { return s.store.Failed(ctx, m.ID, reason, time.Time{}) }
	default:
		giveUp := m.Attempts+1 >= MaxAttempts
		retry := time.Time{}
		if !giveUp {
			retry = s.now().Add(Backoff(m.Attempts + 1))
		}
		s.log.Info("outbox: message not delivered", "outbox_id", m.ID, "chat_id", m.ChatID, "kind", m.Kind, "give_up", giveUp, "err", err)
		reason := err.Error()
		record = func(ctx context.Context) error { return s.store.Failed(ctx, m.ID, reason, retry) }
		follow = giveUp
	}
	if err := record(rec); err != nil {
		s.umu.Lock()
		s.unrecorded[m.ID] = record
		s.umu.Unlock()
		return false, fmt.Errorf("record the outcome of message %d: %w", m.ID, err)
	}
	return follow, nil
}

// recordPending writes the outcomes that could not be written before.
func (s *Sender) recordPending(ctx context.Context) error {
	s.umu.Lock()
	defer s.umu.Unlock()
	for id, record := range s.unrecorded {
		if err := record(ctx); err != nil {
			return fmt.Errorf("record the outcome of message %d: %w", id, err)
		}
		delete(s.unrecorded, id)
	}
	return nil
}

func (s *Sender) begin() {
	s.mu.Lock()
	s.started++
	s.mu.Unlock()
}

func (s *Sender) end() {
	s.mu.Lock()
	s.finished = s.started
	s.cond.Broadcast()
	s.mu.Unlock()
}

// WaitIdle blocks until a delivery pass that began after the call has found
// nothing left to send, or ctx ends. Tests and the console use it.
func (s *Sender) WaitIdle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	target := s.started + 1
	s.mu.Unlock()
	s.Wake()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.finished < target {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.cond.Wait()
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
