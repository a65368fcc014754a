package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/inbox"
	"github.com/dangwu/dangwu/store"
)

// MustOpen opens a fresh database file in a temporary folder.
func MustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "dangwu.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "dangwu.db")
	for i := 0; i < 2; i++ {
		db, err := store.Open(ctx, file)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != store.SchemaVersion() {
			t.Errorf("open #%d: %d migrations recorded, want %d", i+1, n, store.SchemaVersion())
		}
		db.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "dangwu.db")
	db, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, 'future.sql', 'x')`, store.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = store.Open(ctx, file)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("open newer schema: err = %v, want ErrSchemaTooNew", err)
	}
	// The operator reads this in the log of a bot that will not start.
	want := fmt.Sprintf("at schema version %d, this binary knows versions up to %d; upgrade dangwu first", store.SchemaVersion()+1, store.SchemaVersion())
	if !strings.Contains(err.Error(), want) {
		t.Errorf("open newer schema: %q does not say %q", err, want)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	// Hold several connections at once so the pool must open more than one.
	conns := make([]interface{ Close() error }, 0, 3)
	for i := 0; i < 3; i++ {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var fk, timeout int
		var mode string
		if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || timeout != 5000 || mode != "wal" {
			t.Errorf("conn %d: foreign_keys=%d busy_timeout=%d journal_mode=%s", i, fk, timeout, mode)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, first_seen, last_seen) VALUES (1, 'a', 'a')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx err = %v, want boom", err)
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d users after a rolled-back transaction, want 0", n)
	}
}

// A store of a second handle to the same file joins the first handle's
// transaction, its statements kept or not: a statement prepared on one
// handle cannot run in the other's transaction.
func TestTransactionOfAnotherHandle(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "dangwu.db")
	a, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	inA, inB := store.NewInbox(a), store.NewInbox(b)
	now := time.Now()
	// Each handle keeps the statement first, outside a transaction.
	for i, in := range []*store.Inbox{inA, inB} {
		if _, err := in.Add(ctx, []inbox.Update{{ID: int64(i + 1), Payload: []byte(`{}`), ReceivedAt: now}}); err != nil {
			t.Fatal(err)
		}
		if err := in.Done(ctx, int64(i+1), now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := inA.Add(ctx, []inbox.Update{{ID: 3, Payload: []byte(`{}`), ReceivedAt: now}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Atomic(ctx, func(ctx context.Context) error {
		if err := inB.Done(ctx, 3, now); err != nil {
			return err
		}
		_, err := inB.NextOffset(ctx)
		return err
	}); err != nil {
		t.Fatalf("a store of the other handle in the transaction: %v", err)
	}
	if un, err := inA.Unfinished(ctx); err != nil || len(un) != 0 {
		t.Fatalf("unfinished %v, %v; want none", un, err)
	}
}
