// Package outbox queues the messages the bot starts on its own — decisions,
// answers to old questions, and later broadcasts and reminders — so that one
// paced sender delivers them, in order per chat, across restarts, whoever
// queued them (the bot, or the command line while the bot runs).
package outbox

import (
	"context"
	"errors"
	"time"
)

// Statuses of a queued message.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed" // given up: the chat refuses messages, or too many attempts
)

// MaxAttempts is how often delivery is tried before a message is given up.
const MaxAttempts = 5

// ErrEmpty is returned for a message without text or without a chat.
var ErrEmpty = errors.New("outbox: message needs a chat and text")

// Message is one queued message. Text is what the bot sends (HTML);
// Markup is opaque to this package.
type Message struct {
	ID        int64
	ChatID    int64
	Text      string
	Markup    string
	Kind      string
	CreatedAt time.Time
	NotBefore time.Time
	Attempts  int
	Status    string
	Error     string
	SentAt    time.Time
}

// Store keeps the queue. store.Outbox implements it with SQLite.
type Store interface {
	// Enqueue adds messages, all or none.
	Enqueue(ctx context.Context, msgs []Message) error
	// Due returns up to limit pending messages whose time has come, oldest first.
	Due(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// Sent marks a message delivered.
	Sent(ctx context.Context, id int64, at time.Time) error
	// Failed records a failed attempt: the message waits until retryAt, or
	// is given up when retryAt is zero.
	Failed(ctx context.Context, id int64, reason string, retryAt time.Time) error
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
	if m.ChatID == 0 || m.Text == "" {
		return ErrEmpty
	}
	return nil
}
