package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/dangwu/dangwu/store"
)

// Writes of one process take turns (store.DB's writer) instead of meeting
// SQLite's busy handler.

func TestConcurrentWritersAllSucceed(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE w (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	conv := store.NewConversations(db)
	const writers, each = 32, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*2)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- db.Tx(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO w (n) VALUES (?)`, g*each+i)
					return err
				})
				// A write outside a transaction takes its turn too.
				errs <- conv.Save(ctx, int64(g), int64(i), store.Conversation{Flow: "f", Step: "s"})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n, c int
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM w`).Scan(&n)
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations`).Scan(&c)
	if n != writers*each || c != writers*each {
		t.Errorf("%d rows and %d conversations, want %d of each", n, c, writers*each)
	}
}

func TestWriteWaitingForItsTurnEndsWithItsContext(t *testing.T) {
	db := MustOpen(t)
	conv := store.NewConversations(db)
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(context.Background(), func(tx *sql.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan error, 2)
	go func() { waiting <- conv.Save(ctx, 1, 1, store.Conversation{Flow: "f", Step: "s"}) }()
	go func() { waiting <- db.Tx(ctx, func(*sql.Tx) error { return nil }) }()
	cancel()
	for range 2 {
		if err := <-waiting; !errors.Is(err, context.Canceled) {
			t.Errorf("a write waiting for a transaction: %v, want its context's end", err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := conv.Save(context.Background(), 1, 1, store.Conversation{Flow: "f", Step: "s"}); err != nil {
		t.Errorf("a write after the transaction: %v", err)
	}
}
