package knowledge_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
)

// mustStore opens a fresh database file in a temporary folder.
func mustStore(tb testing.TB) (*store.DB, *store.KnowledgeStore) {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "dangwu.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, store.NewKnowledgeStore(db)
}

// mustBase opens a knowledge base with its index in dir (a new temporary
// folder when dir is "").
func mustBase(tb testing.TB, st knowledge.Store, dir string) *knowledge.Base {
	tb.Helper()
	if dir == "" {
		dir = filepath.Join(tb.TempDir(), "index")
	}
	b, err := knowledge.Open(context.Background(), st, dir, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

// fixture is the small content folder the tests search.
func fixture() fs.FS { return os.DirFS("testdata/fixture") }

// mustFixtureBase is a base loaded with the fixture content.
func mustFixtureBase(tb testing.TB) (*knowledge.Base, *store.DB) {
	tb.Helper()
	db, st := mustStore(tb)
	b := mustBase(tb, st, "")
	rep, err := b.LoadContent(context.Background(), fixture())
	if err != nil {
		tb.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		tb.Fatalf("fixture problems: %v", rep.Problems)
	}
	return b, db
}

func count(tb testing.TB, db *store.DB, table string) int {
	tb.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
