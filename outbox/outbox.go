// Package outbox queues the messages the bot starts on its own — decisions,
// answers to old questions, and later broadcasts and reminders — so that one
// paced sender delivers them, in order per chat, across restarts, whoever
// queued them (the bot, or the command line while the bot runs).
//
// What a crash can do: a message is marked as being sent before its send
// starts. If the process dies during the send, whether Telegram received it
// is unknown. At the next start such a message is sent again if a duplicate
// is harmless (Message.Repeatable: short personal notices) and is marked
// uncertain otherwise (broadcasts): counted and shown, never silently re-sent
// or dropped. The sender has at most SenderOptions.Workers messages in
// flight, so a crash leaves at most that many. Every other queued message
// is sent once.
//
// Besides new messages a row can edit or delete a message an earlier row
// sent (a corrected or withdrawn notice), rows carry a Ref naming what they
// belong to (a broadcast), for its counts, a stop and a withdrawal, and
// Quiet rows wait out the quiet hours.
package outbox

import (
	"context"
	"errors"
	"time"
)

// Statuses of a queued message.
const (
	StatusPending   = "pending"
	StatusSending   = "sending"   // in flight: marked before the send starts
	StatusSent      = "sent"      // Telegram accepted it
	StatusFailed    = "failed"    // given up: the chat refuses messages, or too many attempts
	StatusUncertain = "uncertain" // not repeatable, and in flight at a crash or unanswered: perhaps received
	StatusCancelled = "cancelled" // never sent: its notice was stopped
)

// Operations a row carries out.
const (
	OpSend   = "send"   // a new message
	OpEdit   = "edit"   // new text (and markup) for message Target
	OpDelete = "delete" // delete message Target
)

// MaxAttempts is how often delivery is tried before a message is given up.
const MaxAttempts = 5

// Retention is how long finished messages (sent, failed, uncertain) are kept
// before Purge removes them.
const Retention = 30 * 24 * time.Hour

// ErrEmpty is returned for a message without text or without a chat.
var ErrEmpty = errors.New("outbox: message needs a chat and text")

// ErrBadOp is returned for an unknown operation, or an edit or deletion
// without the message it targets.
var ErrBadOp = errors.New("outbox: unknown operation or no target message")

// ErrRefused wraps a send error that trying again cannot cure: the chat
// blocked the bot, or the message itself is invalid. The message is given up.
var ErrRefused = errors.New("outbox: refused")

// ErrUncertain wraps a send error after which Telegram may have delivered
// the message (the request went out and no answer came back): the crash
// rule applies, as to a send cut off by a crash — a repeatable message is
// tried again, any other is held as uncertain.
var ErrUncertain = errors.New("outbox: delivery uncertain")

// Message is one queued message. Text is what the bot sends (HTML);
// Markup is opaque to this package.
type Message struct {
	ID     int64
	ChatID int64
	Op     string // OpSend (also ""), OpEdit or OpDelete
	Target int    // the message an edit or deletion acts on
	Text   string
	Markup string
	// Media is an attachment, opaque to this package (the bot's
	// "photo:<file_id>"); the text is then its caption.
	Media string
	Kind  string
	// Ref names what the message belongs to ("broadcast:12"), for
	// RefCounts, Cancel and Delivered.
	Ref string
	// Quiet messages are not sent during quiet hours (SenderOptions.Quiet):
	// they wait until the hours end.
	Quiet bool
	// Repeatable says a duplicate is harmless: if the process dies while
	// the message is being sent, it is sent again rather than held as
	// uncertain.
	Repeatable bool
	CreatedAt  time.Time
	NotBefore  time.Time
	Attempts   int
	Crashes    int // sends interrupted by a crash
	Status     string
	Error      string
	SentAt     time.Time
	MessageID  int // Telegram's id of the message once sent
}

// Recovered counts what Recover found in flight.
type Recovered struct {
	Requeued  int // repeatable: queued to be sent again
	Uncertain int // held as uncertain
}

// Counts are the numbers of messages in each status, for reports.
type Counts struct {
	Pending, Sending, Sent, Failed, Uncertain, Cancelled int
	// Resent counts sent or pending messages that were re-queued after a crash.
	Resent int
}

// Store keeps the queue. store.Outbox implements it with SQLite.
type Store interface {
	// Enqueue adds messages, all or none. Inside a transaction of the
	// same database (see store.DB.Atomic) it joins that transaction.
	Enqueue(ctx context.Context, msgs []Message) error
	// Due returns up to limit pending messages whose time has come, in the
	// order they must go out. A message whose chat has an earlier message
	// in flight or waiting for a retry is not due: a chat's messages never
	// overtake each other.
	Due(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// Begin marks a pending message as being sent. It reports false if the
	// message is no longer pending.
	Begin(ctx context.Context, id int64) (bool, error)
	// Sent marks a message delivered as Telegram's message messageID.
	Sent(ctx context.Context, id int64, at time.Time, messageID int) error
	// Postpone moves a pending message's time to until, without counting
	// an attempt (quiet hours).
	Postpone(ctx context.Context, id int64, until time.Time) error
	// Failed records a failed attempt: the message waits until retryAt, or
	// is given up when retryAt is zero.
	Failed(ctx context.Context, id int64, reason string, retryAt time.Time) error
	// Interrupted applies the crash rule to one message whose send was
	// cut off: repeatable ones are pending again, others uncertain.
	Interrupted(ctx context.Context, id int64) error
	// Uncertain holds a message in flight as uncertain: it may have been
	// delivered (ErrUncertain). It counts an attempt.
	Uncertain(ctx context.Context, id int64, reason string) error
	// Recover applies the crash rule to every message left in flight. Only
	// the one sender may call it, before it starts.
	Recover(ctx context.Context) (Recovered, error)
	// Purge deletes finished messages created before before.
	Purge(ctx context.Context, before time.Time) (int, error)
	// Counts reports how many messages are in each status.
	Counts(ctx context.Context) (Counts, error)
	// RefCounts reports how many of ref's messages are in each status.
	RefCounts(ctx context.Context, ref string) (Counts, error)
	// Cancel stops ref's messages not yet sent: pending ones become
	// cancelled (those in flight finish). It returns how many it stopped.
	Cancel(ctx context.Context, ref string) (int, error)
	// CancelChat stops ref's pending messages to one chat.
	CancelChat(ctx context.Context, ref string, chatID int64) (int, error)
	// Delivered lists ref's messages that were sent (OpSend), with their
	// Telegram ids, to edit or delete them.
	Delivered(ctx context.Context, ref string) ([]Message, error)
}

// Backoff is how long to wait before attempt n+1 after n failed ones.
func Backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts; i++ {
		d *= 4
	}
	return min(d, time.Hour)
}

// Validate checks a message before it is queued.
func Validate(m Message) error {
	switch m.Op {
	case "", OpSend:
		if m.ChatID == 0 || m.Text == "" {
			return ErrEmpty
		}
	case OpEdit:
		if m.ChatID == 0 || m.Text == "" {
			return ErrEmpty
		}
		if m.Target == 0 {
			return ErrBadOp
		}
	case OpDelete:
		if m.ChatID == 0 {
			return ErrEmpty
		}
		if m.Target == 0 {
			return ErrBadOp
		}
	default:
		return ErrBadOp
	}
	return nil
}
