package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dangwu/dangwu/outbox"
)

var _ outbox.Store = (*Outbox)(nil)

// Outbox is the SQLite queue of messages the bot starts on its own.
type Outbox struct{ db *DB }

// NewOutbox returns the outbox of db.
func NewOutbox(db *DB) *Outbox { return &Outbox{db: db} }

// outboxTime has a fixed width, so stored times sort as text.
const outboxTime = "2006-01-02T15:04:05.000000Z07:00"

// Enqueue adds msgs in one transaction.
func (o *Outbox) Enqueue(ctx context.Context, msgs []outbox.Message) error {
	now := o.db.Now().UTC()
	return o.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, m := range msgs {
			if err := outbox.Validate(m); err != nil {
				return err
			}
			notBefore := m.NotBefore
			if notBefore.IsZero() {
				notBefore = now
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (chat_id, text, markup, kind, created_at, not_before)
				VALUES (?, ?, ?, ?, ?, ?)`, m.ChatID, m.Text, m.Markup, m.Kind,
				now.Format(outboxTime), notBefore.UTC().Format(outboxTime)); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
		}
		return nil
	})
}

// Due returns pending messages whose time has come, oldest first.
func (o *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]outbox.Message, error) {
	rows, err := o.db.sql.QueryContext(ctx, `SELECT id, chat_id, text, markup, kind, created_at, not_before, attempts
		FROM outbox WHERE status = 'pending' AND not_before <= ? ORDER BY not_before, id LIMIT ?`,
		now.UTC().Format(outboxTime), limit)
	if err != nil {
		return nil, fmt.Errorf("due messages: %w", err)
	}
	defer rows.Close()
	var out []outbox.Message
	for rows.Next() {
		var m outbox.Message
		var created, notBefore string
		if err := rows.Scan(&m.ID, &m.ChatID, &m.Text, &m.Markup, &m.Kind, &created, &notBefore, &m.Attempts); err != nil {
			return nil, fmt.Errorf("due messages: %w", err)
		}
		m.Status = outbox.StatusPending
		m.CreatedAt, _ = time.Parse(outboxTime, created)
		m.NotBefore, _ = time.Parse(outboxTime, notBefore)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Sent marks a message delivered.
func (o *Outbox) Sent(ctx context.Context, id int64, at time.Time) error {
	_, err := o.db.sql.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, error = ''
		WHERE id = ?`, at.UTC().Format(outboxTime), id)
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// Failed records a failed attempt; a zero retryAt gives the message up.
func (o *Outbox) Failed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	var err error
	if retryAt.IsZero() {
		_, err = o.db.sql.ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ? WHERE id = ?`, reason, id)
	} else {
		_, err = o.db.sql.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, error = ?, not_before = ? WHERE id = ?`,
			reason, retryAt.UTC().Format(outboxTime), id)
	}
	if err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	return nil
}
