package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/scheduler"
)

// Queries for /healthz and /metrics: read-only, counted from the tables
// when asked, so the figures are the database's own.

// Ping runs a query that reads the database: it fails when the database is
// closed, unreadable or locked beyond the busy timeout.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil {
		return fmt.Errorf("query the database: %w", err)
	}
	return nil
}

// OutboxStatusCounts counts the outbox's messages by status, with the failed
// messages to people who blocked the bot counted apart as "blocked" (not in
// "failed"), as a broadcast's delivery report counts them.
func (db *DB) OutboxStatusCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("outbox status counts: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("outbox status counts: %w", err)
		}
		counts[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox status counts: %w", err)
	}
	var blocked int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox o JOIN users u ON u.id = o.chat_id
		WHERE o.status = 'failed' AND u.blocked_at IS NOT NULL`).Scan(&blocked); err != nil {
		return nil, fmt.Errorf("outbox blocked count: %w", err)
	}
	counts["failed"] -= blocked
	counts["blocked"] = blocked
	return counts, nil
}

// BroadcastProgress is how far a broadcast's delivery has come.
type BroadcastProgress struct {
	ID int64
	// Sent counts its messages Telegram accepted, Total all its messages.
	Sent, Total int
}

// RunningBroadcasts reports the broadcasts with messages still to send
// (pending, or in flight), oldest first.
func (db *DB) RunningBroadcasts(ctx context.Context) ([]BroadcastProgress, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT ref, COALESCE(SUM(status = 'sent'), 0), COUNT(*) FROM outbox
		WHERE op = 'send' AND ref IN (SELECT DISTINCT ref FROM outbox WHERE status IN ('pending', 'sending') AND ref LIKE 'broadcast:%')
		GROUP BY ref`)
	if err != nil {
		return nil, fmt.Errorf("running broadcasts: %w", err)
	}
	defer rows.Close()
	var out []BroadcastProgress
	for rows.Next() {
		var ref string
		var p BroadcastProgress
		if err := rows.Scan(&ref, &p.Sent, &p.Total); err != nil {
			return nil, fmt.Errorf("running broadcasts: %w", err)
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(ref, "broadcast:"), 10, 64)
		if err != nil || scheduler.BroadcastRef(id) != ref {
			continue // not a broadcast's ref after all
		}
		p.ID = id
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("running broadcasts: %w", err)
	}
	slices.SortFunc(out, func(a, b BroadcastProgress) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
