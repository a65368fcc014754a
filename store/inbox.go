package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dangwu/dangwu/inbox"
)

var _ inbox.Store = (*Inbox)(nil)

// Inbox is the SQLite store of received updates.
type Inbox struct{ db *DB }

// NewInbox returns the inbox of db.
func NewInbox(db *DB) *Inbox { return &Inbox{db: db} }

// Add stores the updates not stored before.
func (in *Inbox) Add(ctx context.Context, us []inbox.Update) ([]inbox.Update, error) {
	var fresh []inbox.Update
	err := in.db.Tx(ctx, func(tx *sql.Tx) error {
		fresh = fresh[:0]
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)
			ON CONFLICT (update_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, u := range us {
			res, err := stmt.ExecContext(ctx, u.ID, u.Payload, u.ReceivedAt.UTC().Format(outboxTime))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				fresh = append(fresh, u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store updates: %w", err)
	}
	return fresh, nil
}

// Done marks an update handled.
func (in *Inbox) Done(ctx context.Context, id int64, at time.Time) error {
	if _, err := in.db.q(ctx).ExecContext(ctx, `UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL`,
		at.UTC().Format(outboxTime), id); err != nil {
		return fmt.Errorf("mark update %d done: %w", id, err)
	}
	return nil
}

// Unfinished returns the updates not marked done, oldest first.
func (in *Inbox) Unfinished(ctx context.Context) ([]inbox.Update, error) {
	rows, err := in.db.q(ctx).QueryContext(ctx, `SELECT update_id, payload, received_at FROM inbox WHERE done_at IS NULL ORDER BY update_id`)
	if err != nil {
		return nil, fmt.Errorf("unfinished updates: %w", err)
	}
	defer rows.Close()
	var out []inbox.Update
	for rows.Next() {
		var u inbox.Update
		var at string
		if err := rows.Scan(&u.ID, &u.Payload, &at); err != nil {
			return nil, fmt.Errorf("unfinished updates: %w", err)
		}
		u.ReceivedAt, _ = time.Parse(outboxTime, at)
		out = append(out, u)
	}
	return out, rows.Err()
}

// NextOffset is one more than the newest stored update_id, or 0.
func (in *Inbox) NextOffset(ctx context.Context) (int64, error) {
	var max sql.NullInt64
	if err := in.db.q(ctx).QueryRowContext(ctx, `SELECT MAX(update_id) FROM inbox`).Scan(&max); err != nil {
		return 0, fmt.Errorf("inbox offset: %w", err)
	}
	if !max.Valid {
		return 0, nil
	}
	return max.Int64 + 1, nil
}

// Purge deletes updates handled before before.
func (in *Inbox) Purge(ctx context.Context, before time.Time) (int, error) {
	res, err := in.db.q(ctx).ExecContext(ctx, `DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?`, before.UTC().Format(outboxTime))
	if err != nil {
		return 0, fmt.Errorf("purge inbox: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Clear deletes every stored update. Only the console uses it: each of its
// sessions talks to a new in-process server whose update ids start at 1.
func (in *Inbox) Clear(ctx context.Context) error {
	if _, err := in.db.q(ctx).ExecContext(ctx, `DELETE FROM inbox`); err != nil {
		return fmt.Errorf("clear inbox: %w", err)
	}
	return nil
}
