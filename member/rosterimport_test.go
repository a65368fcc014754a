package member_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
)

// txCounter counts the transactions a service opens and the largest
// number of roster rows one of them wrote.
type txCounter struct {
	member.Store
	txs, rows, most int
}

func (c *txCounter) Atomic(ctx context.Context, fn func(context.Context, member.Tx) error) error {
	c.txs++
	c.rows = 0
	return c.Store.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return fn(ctx, &countingTx{Tx: tx, c: c}) })
}

type countingTx struct {
	member.Tx
	c *txCounter
}

func (t *countingTx) PutRoster(ctx context.Context, r member.RosterEntry) error {
	t.c.rows++
	t.c.most = max(t.c.most, t.c.rows)
	return t.Tx.PutRoster(ctx, r)
}

func rosterRows(n int) []member.RosterRow {
	rows := make([]member.RosterRow, n)
	for i := range rows {
		rows[i] = member.RosterRow{Line: i + 2, Name: "张三", Phone: fmt.Sprintf("139%08d", i), District: "鼓楼区"}
	}
	return rows
}

// A large roster is written in bounded transactions, so the running bot's
// writes never wait behind one for long.
func TestImportRosterInBoundedTransactions(t *testing.T) {
	var c *txCounter
	e := newEnvWith(t, func(st member.Store) member.Store {
		c = &txCounter{Store: st}
		return c
	})
	p := e.register(t, 100, "13900000700", "鼓楼区", true)
	c.txs, c.most = 0, 0
	var told [][]int64
	rep, err := e.svc.ImportRosterAsOperator(e.ctx, rosterRows(2*member.RosterBatch+1), func(ctx context.Context, approved []member.Profile) error {
		var ids []int64
		for _, a := range approved {
			ids = append(ids, a.UserID)
		}
		told = append(told, ids)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2*member.RosterBatch+1 || len(rep.Approved) != 1 || rep.Approved[0].ID != p.ID {
		t.Fatalf("report: added %d, approved %d", rep.Added, len(rep.Approved))
	}
	if c.most > member.RosterBatch || c.txs < 3 {
		t.Errorf("%d transactions, the largest writing %d rows; want at most %d rows each", c.txs, c.most, member.RosterBatch)
	}
	if len(told) != 1 || len(told[0]) != 1 || told[0][0] != 100 {
		t.Errorf("notified %v, want user 100 once, in the batch that approved them", told)
	}
}

// A failure half-way keeps the batches before it, and a second import
// completes the roster.
func TestImportRosterFailureKeepsEarlierBatches(t *testing.T) {
	var fs *failingStore
	e := newEnvWith(t, func(st member.Store) member.Store {
		fs = &failingStore{Store: st, failOn: member.RosterBatch + 10}
		return fs
	})
	rows := rosterRows(member.RosterBatch + 20)
	rep, err := e.svc.ImportRosterAsOperator(e.ctx, rows, nil)
	wantErr(t, "import", err, errInjected)
	if rep.Added != member.RosterBatch {
		t.Fatalf("added %d before the failure, want the first batch (%d)", rep.Added, member.RosterBatch)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM roster`); n != member.RosterBatch {
		t.Fatalf("%d roster rows stored, want %d", n, member.RosterBatch)
	}
	fs.failOn = 0
	rep, err = e.svc.ImportRosterAsOperator(e.ctx, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 20 || rep.Skipped != member.RosterBatch {
		t.Errorf("second import: added %d, skipped %d", rep.Added, rep.Skipped)
	}
}

// BenchmarkRosterImportWriteWait imports 20,000 roster rows while another
// connection keeps writing, as the running bot does, and reports the
// longest time one of those writes waited for the lock.
func BenchmarkRosterImportWriteWait(b *testing.B) {
	for range b.N {
		e := newEnv(b)
		rows := rosterRows(20000)
		stop := make(chan struct{})
		waits := make(chan time.Duration, 1)
		go func() {
			var most time.Duration
			for i := 0; ; i++ {
				select {
				case <-stop:
					waits <- most
					return
				default:
				}
				start := time.Now()
				if _, err := e.db.SQL().ExecContext(e.ctx, `INSERT OR REPLACE INTO conversations (chat_id, user_id, flow, step, data, updated_at)
					VALUES (1, 1, 'f', 's', '{}', ?)`, start.Format(time.RFC3339)); err != nil {
					b.Error(err)
				}
				most = max(most, time.Since(start))
			}
		}()
		if _, err := e.svc.ImportRosterAsOperator(e.ctx, rows, nil); err != nil {
			b.Fatal(err)
		}
		close(stop)
		b.ReportMetric(float64((<-waits).Milliseconds()), "max-write-wait-ms")
	}
}
