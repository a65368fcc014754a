package botapi

import (
	"context"
	"slices"
	"time"
)

// updateQueue holds the updates the bot has not confirmed yet.
type updateQueue struct {
	pending []Update
	lastID  int64
	// allowed is the allowed_updates of the last getUpdates or setWebhook that gave one;
	// empty means Telegram's default.
	allowed []string
	// poll is closed when another getUpdates replaces the one waiting, which then answers
	// 409 Conflict.
	poll    chan struct{}
	arrived signal
	// waiting counts the long polls waiting for an update; waitStarted tells when one starts.
	waiting     int
	waitStarted signal
	webhook     WebhookInfo
	hook        webhookState
}

// Telegram leaves these update types out unless allowed_updates names them.
var optInUpdates = []string{"chat_member", "message_reaction", "message_reaction_count"}

// updateType is the name of u's kind, as allowed_updates spells it.
func updateType(u Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.InlineQuery != nil:
		return "inline_query"
	case u.Poll != nil:
		return "poll"
	case u.PollAnswer != nil:
		return "poll_answer"
	}
	return "my_chat_member"
}

// enqueueLocked numbers u and queues it for getUpdates, unless allowed_updates excludes
// its type; Telegram does not create such updates at all.
func (s *Server) enqueueLocked(u Update) {
	q := &s.updates
	if !q.allows(updateType(u)) {
		return
	}
	q.lastID++
	u.UpdateID = q.lastID
	q.pending = append(q.pending, u)
	q.arrived.broadcast()
}

// allows reports whether allowed_updates lets updates of type typ through.
func (q *updateQueue) allows(typ string) bool {
	if len(q.allowed) == 0 {
		return !slices.Contains(optInUpdates, typ)
	}
	return slices.Contains(q.allowed, typ)
}

// confirmLocked applies a getUpdates offset: updates below a positive offset are confirmed
// and dropped; a negative offset keeps only the last -offset updates.
func (q *updateQueue) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		q.pending = slices.DeleteFunc(q.pending, func(u Update) bool { return u.UpdateID < offset })
	case offset < 0 && int64(len(q.pending)) > -offset:
		q.pending = slices.Delete(q.pending, 0, len(q.pending)-int(-offset))
	}
}

// getUpdates is a real long poll: it answers at once when updates are pending, else waits
// up to timeout seconds for one to arrive. A newer getUpdates makes a waiting one answer
// 409 Conflict.
func (s *Server) getUpdates(ctx context.Context, p Params) (any, *APIError) {
	offset, apiErr := p.int64("offset")
	if apiErr != nil {
		return nil, apiErr
	}
	limit, apiErr := p.int("limit")
	if apiErr != nil {
		return nil, apiErr
	}
	if limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, apiErr := p.int("timeout")
	if apiErr != nil {
		return nil, apiErr
	}
	var allowed []string
	hasAllowed, apiErr := p.json("allowed_updates", &allowed)
	if apiErr != nil {
		return nil, apiErr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	q := &s.updates
	if q.webhook.URL != "" {
		return nil, errWebhookActive
	}
	if hasAllowed {
		q.allowed = allowed
	}
	q.confirmLocked(offset)
	s.expirePollsLocked() // a timed poll that closed meanwhile sends its poll update now
	if q.poll != nil {
		close(q.poll)
	}
	mine := make(chan struct{})
	q.poll = mine
	defer func() {
		if q.poll == mine {
			q.poll = nil
		}
	}()

	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expired = t.C
	}
	for len(q.pending) == 0 && timeout > 0 {
		arrived := q.arrived.wait()
		q.waiting++
		q.waitStarted.broadcast()
		s.mu.Unlock()
		conflict := false
		select {
		case <-arrived:
		case <-mine:
			conflict = true
		case <-expired:
			timeout = 0
		case <-ctx.Done(): // the client went away; the answer goes nowhere
			timeout = 0
		case <-s.closing:
			timeout = 0
		}
		s.mu.Lock()
		q.waiting--
		if conflict {
			if q.webhook.URL != "" {
				return nil, errWebhookActive // a webhook was set meanwhile
			}
			return nil, errConflict
		}
	}
	n := min(limit, len(q.pending))
	return append(make([]Update, 0, n), q.pending[:n]...), nil // [] rather than null when empty
}

// WaitPolling blocks until a getUpdates long poll is waiting for updates — the bot is
// connected and idle — or ctx ends, or the server closes (ErrClosed).
func (s *Server) WaitPolling(ctx context.Context) error {
	for {
		s.mu.Lock()
		waiting, started := s.updates.waiting > 0, s.updates.waitStarted.wait()
		s.mu.Unlock()
		if waiting {
			return nil
		}
		select {
		case <-started:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return ErrClosed
		}
	}
}
