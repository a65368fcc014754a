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

// Enqueue adds msgs in one transaction, or in the caller's (see Atomic).
func (o *Outbox) Enqueue(ctx context.Context, msgs []outbox.Message) error {
	now := o.db.Now().UTC()
	return o.db.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO outbox (chat_id, op, target, text, markup, media, kind, ref, repeatable, quiet, created_at, not_before)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("enqueue: %w", err)
		}
		defer stmt.Close()
		for _, m := range msgs {
			if err := outbox.Validate(m); err != nil {
				return err
			}
			notBefore := m.NotBefore
			if notBefore.IsZero() {
				notBefore = now
			}
			op := m.Op
			if op == "" {
				op = outbox.OpSend
			}
			if _, err := stmt.ExecContext(ctx, m.ChatID, op, m.Target, m.Text, m.Markup, m.Media, m.Kind, m.Ref, m.Repeatable, m.Quiet,
				now.Format(outboxTime), notBefore.UTC().Format(outboxTime)); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
		}
		return nil
	})
}

// Due returns pending messages whose time has come, oldest first, leaving
// out every message whose chat has an earlier one in flight or waiting for
// a retry.
func (o *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]outbox.Message, error) {
	rows, err := o.db.q(ctx).QueryContext(ctx, `SELECT `+outboxColumns+`
		FROM outbox o WHERE status = 'pending' AND not_before <= ?
		AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.chat_id = o.chat_id AND e.id < o.id
			AND (e.status = 'sending' OR (e.status = 'pending' AND e.attempts > 0)))
		ORDER BY not_before, id LIMIT ?`,
		now.UTC().Format(outboxTime), limit)
	if err != nil {
		return nil, fmt.Errorf("due messages: %w", err)
	}
	defer rows.Close()
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("due messages: %w", err)
	}
	return out, nil
}

const outboxColumns = `id, chat_id, op, target, text, markup, media, kind, ref, repeatable, quiet, created_at, not_before, attempts, crashes, status, error, COALESCE(sent_at, ''), message_id`

func scanOutbox(rows *sql.Rows) ([]outbox.Message, error) {
	defer rows.Close()
	var out []outbox.Message
	for rows.Next() {
		var m outbox.Message
		var created, notBefore, sent string
		if err := rows.Scan(&m.ID, &m.ChatID, &m.Op, &m.Target, &m.Text, &m.Markup, &m.Media, &m.Kind, &m.Ref, &m.Repeatable, &m.Quiet,
			&created, &notBefore, &m.Attempts, &m.Crashes, &m.Status, &m.Error, &sent, &m.MessageID); err != nil {
			return nil, err
		}
		m.CreatedAt, _ = time.Parse(outboxTime, created)
		m.NotBefore, _ = time.Parse(outboxTime, notBefore)
		if sent != "" {
			m.SentAt, _ = time.Parse(outboxTime, sent)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Begin marks a pending message in flight.
func (o *Outbox) Begin(ctx context.Context, id int64) (bool, error) {
	res, err := o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = 'sending' WHERE id = ? AND status = 'pending'`, id)
	if err != nil {
		return false, fmt.Errorf("mark in flight: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark in flight: %w", err)
	}
	return n == 1, nil
}

// Sent marks a message delivered as Telegram's message messageID.
func (o *Outbox) Sent(ctx context.Context, id int64, at time.Time, messageID int) error {
	_, err := o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, error = '', message_id = ?
		WHERE id = ?`, at.UTC().Format(outboxTime), messageID, id)
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// Postpone moves a pending message to until without counting an attempt.
func (o *Outbox) Postpone(ctx context.Context, id int64, until time.Time) error {
	_, err := o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET not_before = ? WHERE id = ? AND status = 'pending'`,
		until.UTC().Format(outboxTime), id)
	if err != nil {
		return fmt.Errorf("postpone: %w", err)
	}
	return nil
}

// RefCounts reports how many of ref's messages are in each status.
func (o *Outbox) RefCounts(ctx context.Context, ref string) (outbox.Counts, error) {
	return o.counts(ctx, ` WHERE ref = ?`, ref)
}

// Cancel stops ref's pending messages.
func (o *Outbox) Cancel(ctx context.Context, ref string) (int, error) {
	if ref == "" {
		return 0, nil
	}
	res, err := o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = 'cancelled' WHERE ref = ? AND status = 'pending'`, ref)
	if err != nil {
		return 0, fmt.Errorf("cancel %s: %w", ref, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CancelChat stops ref's pending messages to chatID.
func (o *Outbox) CancelChat(ctx context.Context, ref string, chatID int64) (int, error) {
	if ref == "" {
		return 0, nil
	}
	res, err := o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = 'cancelled' WHERE ref = ? AND chat_id = ? AND status = 'pending'`, ref, chatID)
	if err != nil {
		return 0, fmt.Errorf("cancel %s to %d: %w", ref, chatID, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Delivered lists ref's sent messages, oldest first.
func (o *Outbox) Delivered(ctx context.Context, ref string) ([]outbox.Message, error) {
	rows, err := o.db.q(ctx).QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE ref = ? AND status = 'sent' AND op = 'send' AND message_id <> 0 ORDER BY id`, ref)
	if err != nil {
		return nil, fmt.Errorf("delivered %s: %w", ref, err)
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("delivered %s: %w", ref, err)
	}
	return out, nil
}

// Failed records a failed attempt; a zero retryAt gives the message up.
func (o *Outbox) Failed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	var err error
	if retryAt.IsZero() {
		_, err = o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ? WHERE id = ?`, reason, id)
	} else {
		_, err = o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = attempts + 1, error = ?, not_before = ? WHERE id = ?`,
			reason, retryAt.UTC().Format(outboxTime), id)
	}
	if err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	return nil
}

// crashRule is the update that settles messages whose send was cut off.
const crashRule = `UPDATE outbox SET crashes = crashes + 1,
	status = CASE WHEN repeatable = 1 THEN 'pending' ELSE 'uncertain' END,
	error = CASE WHEN repeatable = 1 THEN error ELSE 'in flight when the process stopped' END
	WHERE status = 'sending'`

// Interrupted settles one message whose send was cut off.
func (o *Outbox) Interrupted(ctx context.Context, id int64) error {
	if _, err := o.db.q(ctx).ExecContext(ctx, crashRule+` AND id = ?`, id); err != nil {
		return fmt.Errorf("mark interrupted: %w", err)
	}
	return nil
}

// Uncertain holds a message in flight as uncertain, counting the attempt.
func (o *Outbox) Uncertain(ctx context.Context, id int64, reason string) error {
	if _, err := o.db.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = 'uncertain', attempts = attempts + 1, error = ?
		WHERE id = ? AND status = 'sending'`, reason, id); err != nil {
		return fmt.Errorf("mark uncertain: %w", err)
	}
	return nil
}

// Recover settles every message left in flight by a crash.
func (o *Outbox) Recover(ctx context.Context) (outbox.Recovered, error) {
	var rec outbox.Recovered
	err := o.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(repeatable = 1), 0), COALESCE(SUM(repeatable = 0), 0)
			FROM outbox WHERE status = 'sending'`).Scan(&rec.Requeued, &rec.Uncertain); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, crashRule)
		return err
	})
	if err != nil {
		return outbox.Recovered{}, fmt.Errorf("recover outbox: %w", err)
	}
	return rec, nil
}

// Purge deletes finished messages created before before.
func (o *Outbox) Purge(ctx context.Context, before time.Time) (int, error) {
	res, err := o.db.q(ctx).ExecContext(ctx, `DELETE FROM outbox WHERE status IN ('sent', 'failed', 'uncertain', 'cancelled') AND created_at < ?`,
		before.UTC().Format(outboxTime))
	if err != nil {
		return 0, fmt.Errorf("purge outbox: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Counts reports how many messages are in each status.
func (o *Outbox) Counts(ctx context.Context) (outbox.Counts, error) {
	return o.counts(ctx, "")
}

func (o *Outbox) counts(ctx context.Context, where string, args ...any) (outbox.Counts, error) {
	var c outbox.Counts
	err := o.db.q(ctx).QueryRowContext(ctx, `SELECT
		COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'sending'), 0), COALESCE(SUM(status = 'sent'), 0),
		COALESCE(SUM(status = 'failed'), 0), COALESCE(SUM(status = 'uncertain'), 0), COALESCE(SUM(status = 'cancelled'), 0),
		COALESCE(SUM(crashes > 0 AND status IN ('pending', 'sending', 'sent')), 0)
		FROM outbox`+where, args...).Scan(&c.Pending, &c.Sending, &c.Sent, &c.Failed, &c.Uncertain, &c.Cancelled, &c.Resent)
	if err != nil {
		return outbox.Counts{}, fmt.Errorf("outbox counts: %w", err)
	}
	return c, nil
}
