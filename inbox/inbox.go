// Package inbox keeps every update received from Telegram until it has been
// handled, so that nothing a person sent is lost when the process dies.
//
// An update is stored before Telegram is told it arrived (the poller asks
// for the next updates only after storing the previous ones), and marked
// done once handled — or as soon as its first reply is out, so that a
// restart does not answer it twice. At start-up the updates not marked done
// are handled again, in order; a redelivered update_id is ignored.
package inbox

import (
	"context"
	"time"
)

// Update is one stored update: its id and the JSON Telegram sent.
type Update struct {
	ID         int64
	Payload    []byte
	ReceivedAt time.Time
}

// Retention is how long handled updates are kept to recognise a
// redelivery. Telegram keeps an unconfirmed update for 24 hours and never
// redelivers a confirmed one.
const Retention = 48 * time.Hour

// Store keeps the inbox. store.Inbox implements it with SQLite.
type Store interface {
	// Add stores the updates not stored before, in one transaction, and
	// returns those (in the order given).
	Add(ctx context.Context, us []Update) ([]Update, error)
	// Done marks an update handled. Marking it again is harmless.
	Done(ctx context.Context, id int64, at time.Time) error
	// Unfinished returns the updates not marked done, oldest first.
	Unfinished(ctx context.Context) ([]Update, error)
	// NextOffset is the getUpdates offset that confirms every stored update.
	NextOffset(ctx context.Context) (int64, error)
	// Purge deletes updates handled before before.
	Purge(ctx context.Context, before time.Time) (int, error)
}
