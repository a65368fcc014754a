package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
)

// BroadcastState is a broadcast's life.
type BroadcastState string

// The states of a broadcast.
const (
	Scheduled BroadcastState = "scheduled" // waits for SendAt
	Sent      BroadcastState = "sent"      // queued to every recipient
	Stopped   BroadcastState = "stopped"   // its unsent messages were cancelled
	Dropped   BroadcastState = "cancelled" // cancelled before it went out
	Withdrawn BroadcastState = "withdrawn" // deleted where it was delivered
)

// Limits on a broadcast: a message's text, or a photo's or document's
// caption, as Telegram counts them (UTF-16 units), less room for the
// heading the bot adds.
const (
	MaxBroadcastRunes = 3800
	MaxCaptionRunes   = 900
	// MaxScheduleAhead is how far ahead a broadcast may be scheduled.
	MaxScheduleAhead = 90 * 24 * time.Hour
)

// Reasons a broadcast is refused.
var (
	ErrNoBroadcastText    = errors.New("scheduler: the notice has no text")
	ErrBroadcastTooLong   = fmt.Errorf("scheduler: the notice is over %d characters", MaxBroadcastRunes)
	ErrCaptionTooLong     = fmt.Errorf("scheduler: with a photo or file the notice is over %d characters", MaxCaptionRunes)
	ErrSendAtPast         = errors.New("scheduler: the send time has passed")
	ErrSendAtTooFar       = errors.New("scheduler: the send time is too far ahead")
	ErrNoSuchEventOrExam  = errors.New("scheduler: the audience names an event or venue that does not exist")
	ErrBroadcastNotActive = errors.New("scheduler: the notice cannot be changed any more")
)

// Broadcast is a coordinator's notice to an audience.
type Broadcast struct {
	ID       int64
	Text     string // plain text, as the coordinator wrote it
	Media    string // an attachment (the bot's "photo:<file_id>"), or ""
	Audience Audience
	District string // the sender's scope; "" for the city
	Ack      bool   // carries a 收到 button
	SendAt   time.Time
	State    BroadcastState
	// Recipients is how many people it was queued to; Skipped how many of
	// the audience were left out (they blocked the bot, or turned
	// notices off).
	Recipients, Skipped int
	CreatedBy           int64
	Created             time.Time
	StatusChat          int64 // the coordinator's status message
	StatusMessage       int
	Revision            int // corrections sent
}

// BroadcastRef is the outbox ref of a broadcast's messages.
func BroadcastRef(id int64) string { return broadcastRef(id) }

// checkBroadcast validates a draft and narrows its audience to the actor's
// district.
func (s *Service) checkBroadcast(ctx context.Context, actor member.Access, b *Broadcast) error {
	district, err := scope(actor)
	if err != nil {
		return err
	}
	n := textenc.UTF16Len(b.Text)
	switch {
	case b.Text == "" || !utf8.ValidString(b.Text):
		return ErrNoBroadcastText
	case b.Media == "" && n > MaxBroadcastRunes:
		return fmt.Errorf("%w: %d", ErrBroadcastTooLong, n)
	case b.Media != "" && n > MaxCaptionRunes:
		return fmt.Errorf("%w: %d", ErrCaptionTooLong, n)
	}
	a, ok := b.Audience.Normalize().Within(district)
	if !ok {
		return ErrNoDistricts
	}
	for _, d := range a.Districts {
		if !s.districts.Has(d) {
			return fmt.Errorf("%w: %s", ErrUnknownDistrict, d)
		}
	}
	if a.EventID != 0 {
		e, err := s.store.Event(ctx, a.EventID)
		if err != nil {
			return ErrNoSuchEventOrExam
		}
		if !covers(district, e.District) {
			return ErrOutOfScope
		}
	}
	if a.VenueID != 0 {
		v, err := s.store.Venue(ctx, a.VenueID)
		if err != nil {
			return ErrNoSuchEventOrExam
		}
		if !covers(district, v.District) && v.District != "" {
			return ErrOutOfScope
		}
	}
	b.Audience, b.District = a, district
	now := s.clock()
	switch {
	case b.SendAt.IsZero():
	case b.SendAt.Before(now.Add(-time.Minute)):
		return ErrSendAtPast
	case b.SendAt.After(now.Add(MaxScheduleAhead)):
		return ErrSendAtTooFar
	}
	return nil
}

// resolve lists an audience's people; those behind on 学时 are found by
// the Behind option (the records know the targets).
func (s *Service) resolve(ctx context.Context, a Audience, push string) (Recipients, error) {
	r, err := s.store.Resolve(ctx, a, push)
	if err != nil || !a.Behind {
		return r, err
	}
	if s.behind == nil {
		return Recipients{}, ErrNoBehind
	}
	r.UserIDs, err = s.behind(ctx, r.UserIDs)
	return r, err
}

// ErrNoBehind refuses an audience of those behind on 学时 when the
// records are not there to tell.
var ErrNoBehind = errors.New("scheduler: 学时 targets are not available")

// Preview resolves a draft's audience: who would receive it now.
func (s *Service) Preview(ctx context.Context, actor member.Access, b Broadcast) (Broadcast, Recipients, error) {
	if err := s.checkBroadcast(ctx, actor, &b); err != nil {
		return b, Recipients{}, err
	}
	r, err := s.resolve(ctx, b.Audience, PushBroadcast)
	if err != nil {
		return b, Recipients{}, err
	}
	if len(r.UserIDs) == 0 {
		return b, r, ErrEmptyAudience
	}
	return b, r, nil
}

// CreateBroadcast stores a notice and, unless it is scheduled for later,
// queues it to every recipient in the same transaction. An audience with
// nobody in it is refused (ErrEmptyAudience).
func (s *Service) CreateBroadcast(ctx context.Context, actor member.Access, b Broadcast) (Broadcast, error) {
	b.CreatedBy, b.Created, b.ID = actor.UserID, s.clock(), 0
	err := s.atomic(ctx, func(ctx context.Context) error {
		if err := s.checkBroadcast(ctx, actor, &b); err != nil {
			return err
		}
		later := !b.SendAt.IsZero() && b.SendAt.After(s.clock())
		if b.SendAt.IsZero() {
			b.SendAt = b.Created
		}
		b.State = Scheduled
		if !later {
			r, err := s.resolve(ctx, b.Audience, PushBroadcast)
			if err != nil {
				return err
			}
			if len(r.UserIDs) == 0 {
				return ErrEmptyAudience
			}
		}
		if err := s.store.CreateBroadcast(ctx, &b); err != nil {
			return err
		}
		if later {
			return nil
		}
		return s.release(ctx, &b)
	})
	return b, err
}

// release queues a broadcast to its audience as it is now.
func (s *Service) release(ctx context.Context, b *Broadcast) error {
	r, err := s.resolve(ctx, b.Audience, PushBroadcast)
	if err != nil {
		return err
	}
	b.State, b.Recipients, b.Skipped = Sent, len(r.UserIDs), r.Skipped
	if err := s.send(ctx, r.UserIDs, s.msgs.Broadcast(*b), PushBroadcast, broadcastRef(b.ID), true, false); err != nil {
		return err
	}
	return s.store.UpdateBroadcast(ctx, *b)
}

// SendDueBroadcasts queues the scheduled broadcasts whose time has come,
// each in its own transaction, and returns them (the bot shows their
// status to whoever scheduled them). One whose author is no longer a
// coordinator covering its district (revoked, moved, erased) is cancelled
// instead, and they are told why in the same transaction; it is not
// returned. One that fails stays scheduled for the next call; the others
// go on.
func (s *Service) SendDueBroadcasts(ctx context.Context) ([]Broadcast, error) {
	var out []Broadcast
	var errs []error
	due, err := s.store.DueBroadcasts(ctx, s.clock(), 20)
	if err != nil {
		return nil, err
	}
	for _, d := range due {
		var b Broadcast
		err := s.atomic(ctx, func(ctx context.Context) error {
			var err error
			if b, err = s.store.Broadcast(ctx, d.ID); err != nil {
				return err
			}
			if b.State != Scheduled {
				return nil // cancelled meanwhile
			}
			// Its author must still have the scope it was made in: a
			// coordinator revoked or moved since does not send it.
			why, err := s.broadcastLapse(ctx, b)
			if err != nil {
				return err
			}
			if why != "" {
				return s.dropLapsed(ctx, &b, why)
			}
			if err := s.release(ctx, &b); err != nil {
				return err
			}
			if b.CreatedBy == 0 {
				return nil
			}
			// Whoever scheduled it gets its first status report, queued with it.
			m := s.msgs.Released(b)
			m.ChatID, m.Kind, m.Ref, m.Repeatable, m.NotBefore = b.CreatedBy, "status", broadcastRef(b.ID)+":status", true, s.now()
			return s.outbox.Enqueue(ctx, []outbox.Message{m})
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("broadcast %d: %w", d.ID, err))
			continue
		}
		if b.State == Sent {
			out = append(out, b)
		}
	}
	return out, errors.Join(errs...)
}

// Broadcast returns one broadcast to a coordinator in scope.
func (s *Service) Broadcast(ctx context.Context, actor member.Access, id int64) (Broadcast, error) {
	district, err := scope(actor)
	if err != nil {
		return Broadcast{}, err
	}
	b, err := s.store.Broadcast(ctx, id)
	if err != nil {
		return Broadcast{}, err
	}
	if !covers(district, b.District) {
		return Broadcast{}, ErrOutOfScope
	}
	return b, nil
}

// Broadcasts lists the latest broadcasts in the actor's scope.
func (s *Service) Broadcasts(ctx context.Context, actor member.Access, limit int) ([]Broadcast, error) {
	district, err := scope(actor)
	if err != nil {
		return nil, err
	}
	return s.store.Broadcasts(ctx, district, limit)
}

// QueuedStatus finds the status report queued when a scheduled broadcast
// went out, once it is delivered: its chat and message.
func (s *Service) QueuedStatus(ctx context.Context, id int64) (int64, int, bool, error) {
	delivered, err := s.outbox.Delivered(ctx, broadcastRef(id)+":status")
	if err != nil || len(delivered) == 0 {
		return 0, 0, false, err
	}
	d := delivered[len(delivered)-1]
	return d.ChatID, d.MessageID, true, nil
}

// StatusQueued reports whether a status report of the broadcast went into
// the outbox (a scheduled broadcast's, when it was released), whatever
// became of it.
func (s *Service) StatusQueued(ctx context.Context, id int64) (bool, error) {
	c, err := s.outbox.RefCounts(ctx, broadcastRef(id)+":status")
	if err != nil {
		return false, err
	}
	return c.Pending+c.Sending+c.Sent+c.Failed+c.Uncertain+c.Cancelled > 0, nil
}

// SetStatusMessage records where the coordinator's status message is.
func (s *Service) SetStatusMessage(ctx context.Context, id, chatID int64, messageID int) error {
	return s.atomic(ctx, func(ctx context.Context) error {
		b, err := s.store.Broadcast(ctx, id)
		if err != nil {
			return err
		}
		b.StatusChat, b.StatusMessage = chatID, messageID
		return s.store.UpdateBroadcast(ctx, b)
	})
}

// change runs fn on a broadcast in scope, in a transaction, and stores it.
func (s *Service) change(ctx context.Context, actor member.Access, id int64, fn func(ctx context.Context, b *Broadcast) error) (Broadcast, error) {
	var b Broadcast
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if b, err = s.Broadcast(ctx, actor, id); err != nil {
			return err
		}
		if err := fn(ctx, &b); err != nil {
			return err
		}
		return s.store.UpdateBroadcast(ctx, b)
	})
	return b, err
}

// CancelBroadcast cancels a scheduled broadcast before it goes out.
func (s *Service) CancelBroadcast(ctx context.Context, actor member.Access, id int64) (Broadcast, error) {
	return s.change(ctx, actor, id, func(ctx context.Context, b *Broadcast) error {
		if b.State != Scheduled {
			return ErrAlreadySent
		}
		b.State = Dropped
		return nil
	})
}

// StopBroadcast cancels the messages of a broadcast not sent yet; those in
// flight finish. It returns the broadcast and how many it stopped.
func (s *Service) StopBroadcast(ctx context.Context, actor member.Access, id int64) (Broadcast, int, error) {
	n := 0
	b, err := s.change(ctx, actor, id, func(ctx context.Context, b *Broadcast) error {
		if b.State != Sent {
			return ErrNotSent
		}
		var err error
		if n, err = s.outbox.Cancel(ctx, broadcastRef(b.ID)); err != nil {
			return err
		}
		// Reminders to acknowledge it stop with it.
		if _, err := s.outbox.Cancel(ctx, broadcastRef(b.ID)+":remind"); err != nil {
			return err
		}
		b.State = Stopped
		return nil
	})
	return b, n, err
}

// WithdrawBroadcast stops what is not sent and deletes the notice where it
// was delivered (the deletions go through the outbox too), with the
// reminders to acknowledge it; pending corrections and reminders are
// cancelled. It returns how many copies of the notice it deletes.
func (s *Service) WithdrawBroadcast(ctx context.Context, actor member.Access, id int64) (Broadcast, int, error) {
	n := 0
	b, err := s.change(ctx, actor, id, func(ctx context.Context, b *Broadcast) error {
		if b.State != Sent && b.State != Stopped {
			return ErrNotSent
		}
		ref := broadcastRef(b.ID)
		for _, r := range []string{ref, ref + ":remind", ref + ":edit"} {
			if _, err := s.outbox.Cancel(ctx, r); err != nil {
				return err
			}
		}
		b.State = Withdrawn
		var err error
		n, err = s.takeBack(ctx, *b)
		return err
	})
	return b, n, err
}

// DeleteWithin is how long after it was sent Telegram lets a bot delete
// its message (48 hours, less a margin for the queue); an older copy of a
// withdrawn notice is edited to say so instead.
const DeleteWithin = 47 * time.Hour

// takeBack queues, for every copy of a withdrawn broadcast (and of its
// reminders) delivered and not yet taken back, its deletion — or, past
// DeleteWithin, an edit saying it was withdrawn. It returns how many
// copies of the notice itself it takes back.
func (s *Service) takeBack(ctx context.Context, b Broadcast) (int, error) {
	ref := broadcastRef(b.ID)
	left, err := s.store.NotTakenBack(ctx, b.ID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	withdrawn := s.msgs.Withdrawn(b)
	var msgs []outbox.Message
	n := 0
	for _, m := range left {
		if m.Ref == ref {
			n++
		}
		back := outbox.Message{ChatID: m.ChatID, Op: outbox.OpDelete, Target: m.MessageID, Kind: PushBroadcast,
			Ref: ref + ":withdraw", Repeatable: true, NotBefore: now}
		if now.Sub(m.SentAt) > DeleteWithin {
			back.Op, back.Text, back.Markup, back.Media = outbox.OpEdit, withdrawn.Text, withdrawn.Markup, m.Media
		}
		msgs = append(msgs, back)
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	return n, s.outbox.Enqueue(ctx, msgs)
}

// TakeBackLate takes back the copies of recently withdrawn broadcasts that
// were still being sent when the notice was withdrawn and arrived since.
func (s *Service) TakeBackLate(ctx context.Context) error {
	list, err := s.store.Broadcasts(ctx, "", 50)
	if err != nil {
		return err
	}
	for _, b := range list {
		if b.State != Withdrawn || s.clock().Sub(b.Created) > 3*24*time.Hour {
			continue
		}
		err := s.atomic(ctx, func(ctx context.Context) error {
			_, err := s.takeBack(ctx, b)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CorrectBroadcast replaces a sent notice's text where it was delivered.
// A notice still being sent is refused (stop it first, or wait).
func (s *Service) CorrectBroadcast(ctx context.Context, actor member.Access, id int64, text string) (Broadcast, int, error) {
	n := 0
	b, err := s.change(ctx, actor, id, func(ctx context.Context, b *Broadcast) error {
		if b.State != Sent && b.State != Stopped {
			return ErrNotSent
		}
		counts, _, err := s.store.BroadcastCounts(ctx, b.ID)
		if err != nil {
			return err
		}
		if counts.Pending+counts.Sending > 0 {
			return ErrStillSending
		}
		draft := *b
		draft.Text = text
		if err := s.checkBroadcast(ctx, actor, &draft); err != nil && !errors.Is(err, ErrSendAtPast) {
			return err
		}
		b.Text, b.Revision = text, b.Revision+1
		ref := broadcastRef(b.ID)
		delivered, err := s.outbox.Delivered(ctx, ref)
		if err != nil {
			return err
		}
		m := s.msgs.Broadcast(*b)
		var edits []outbox.Message
		for _, d := range delivered {
			e := m
			e.ChatID, e.Op, e.Target, e.Kind, e.Ref, e.Repeatable, e.NotBefore = d.ChatID, outbox.OpEdit, d.MessageID, PushBroadcast, ref+":edit", true, s.now()
			edits = append(edits, e)
		}
		n = len(edits)
		if len(edits) == 0 {
			return nil
		}
		return s.outbox.Enqueue(ctx, edits)
	})
	return b, n, err
}

// RemindUnacked sends a reminder to every recipient who received the
// notice and has not pressed 收到. It returns how many it reminded.
func (s *Service) RemindUnacked(ctx context.Context, actor member.Access, id int64) (int, error) {
	n := 0
	_, err := s.change(ctx, actor, id, func(ctx context.Context, b *Broadcast) error {
		if !b.Ack || (b.State != Sent && b.State != Stopped) {
			return ErrNotSent
		}
		delivered, err := s.outbox.Delivered(ctx, broadcastRef(b.ID))
		if err != nil {
			return err
		}
		acked, err := s.store.Acked(ctx, b.ID)
		if err != nil {
			return err
		}
		var to []int64
		for _, d := range delivered {
			if !acked[d.ChatID] {
				to = append(to, d.ChatID)
			}
		}
		n = len(to)
		return s.send(ctx, to, s.msgs.BroadcastReminder(*b), PushBroadcast, broadcastRef(b.ID)+":remind", true, false)
	})
	return n, err
}

// Ack records that userID pressed 收到 on a broadcast they received. It
// reports false when they had already.
func (s *Service) Ack(ctx context.Context, userID, id int64) (bool, error) {
	first := false
	err := s.atomic(ctx, func(ctx context.Context) error {
		b, err := s.store.Broadcast(ctx, id)
		if err != nil {
			return err
		}
		if !b.Ack || b.State == Withdrawn {
			return ErrNotRecipient
		}
		got, err := s.store.Received(ctx, id, userID)
		if err != nil {
			return err
		}
		if !got {
			return ErrNotRecipient
		}
		first, err = s.store.Ack(ctx, id, userID, s.clock())
		return err
	})
	return first, err
}

// BroadcastStatus is a broadcast's delivery report.
type BroadcastStatus struct {
	Broadcast Broadcast
	Counts    outbox.Counts // of its messages
	Blocked   int           // failed because the person blocked the bot
	Acked     int
}

// Done reports whether nothing is left to send.
func (st BroadcastStatus) Done() bool {
	return st.Broadcast.State != Scheduled && st.Counts.Pending+st.Counts.Sending == 0
}

// Status reports a broadcast's delivery to a coordinator in scope.
func (s *Service) Status(ctx context.Context, actor member.Access, id int64) (BroadcastStatus, error) {
	b, err := s.Broadcast(ctx, actor, id)
	if err != nil {
		return BroadcastStatus{}, err
	}
	return s.status(ctx, b)
}

// StatusOf reports a broadcast's delivery, without a scope check (for the
// bot's own status messages).
func (s *Service) StatusOf(ctx context.Context, id int64) (BroadcastStatus, error) {
	b, err := s.store.Broadcast(ctx, id)
	if err != nil {
		return BroadcastStatus{}, err
	}
	return s.status(ctx, b)
}

func (s *Service) status(ctx context.Context, b Broadcast) (BroadcastStatus, error) {
	st := BroadcastStatus{Broadcast: b}
	var err error
	if st.Counts, st.Blocked, err = s.store.BroadcastCounts(ctx, b.ID); err != nil {
		return st, err
	}
	acked, err := s.store.Acked(ctx, b.ID)
	st.Acked = len(acked)
	return st, err
}
