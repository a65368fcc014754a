package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
)

// openAtVersion creates a database file with the schema of migrations 1 to
// version only, as a dangwu of that release left it, and runs setup on it.
// The file is closed on return, for store.Open to migrate it.
func openAtVersion(tb testing.TB, version int, setup ...string) string {
	tb.Helper()
	ctx := context.Background()
	file := filepath.Join(tb.TempDir(), "dangwu.db")
	db, err := sql.Open("sqlite3", "file:"+file+"?_foreign_keys=on")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	entries, err := os.ReadDir("migrations")
	if err != nil {
		tb.Fatal(err)
	}
	stmts := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`}
	applied := 0
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if err != nil || v > version {
			continue
		}
		body, err := os.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		stmts = append(stmts, string(body),
			`INSERT INTO schema_migrations VALUES (`+num+`, '`+e.Name()+`', '2024-01-01T00:00:00Z')`)
		applied++
	}
	if applied != version {
		tb.Fatalf("found %d migrations up to %d", applied, version)
	}
	for _, s := range append(stmts, setup...) {
		if _, err := db.ExecContext(ctx, s); err != nil {
			tb.Fatalf("%.60s: %v", s, err)
		}
	}
	return file
}

// Migration 13 keys the roster by phone and district: a database of the
// phone-keyed schema keeps every row, and then takes a second district's
// entry for a phone.
func TestMigrationRosterByDistrictKeepsRows(t *testing.T) {
	ctx := context.Background()
	file := openAtVersion(t, 12,
		`INSERT INTO roster (phone, name, district, org, post, imported_by, imported_at, updated_at) VALUES
			('13912345001', '张三', '鼓楼区', '徐州某某科技有限公司党支部', '党组织书记', 10, '2024-05-01T02:00:00Z', '2024-05-02T03:00:00Z'),
			('13912345002', '李四', '云龙区', '', '', NULL, '2024-05-03T04:00:00Z', '2024-05-03T04:00:00Z')`)
	db, err := store.Open(ctx, file)
	if err != nil {
		t.Fatalf("migrate a version-12 database: %v", err)
	}
	defer db.Close()
	var version int
	if err := db.SQL().QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version != store.SchemaVersion() {
		t.Fatalf("schema version %d, %v; want %d", version, err, store.SchemaVersion())
	}

	st := store.NewMemberStore(db)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, want := range []member.RosterEntry{
		{Phone: "13912345001", Name: "张三", District: "鼓楼区", Org: "徐州某某科技有限公司党支部", Post: "党组织书记", ImportedBy: 10,
			ImportedAt: at("2024-05-01T02:00:00Z"), UpdatedAt: at("2024-05-02T03:00:00Z")},
		{Phone: "13912345002", Name: "李四", District: "云龙区", ImportedAt: at("2024-05-03T04:00:00Z"), UpdatedAt: at("2024-05-03T04:00:00Z")},
	} {
		got, err := st.RosterEntry(ctx, want.Phone, want.District)
		if err != nil || got != want {
			t.Errorf("after the migration: %+v, %v\nwant %+v", got, err, want)
		}
	}
	if _, err := st.RosterEntry(ctx, "13912345001", "云龙区"); !errors.Is(err, member.ErrNotFound) {
		t.Errorf("13912345001 in 云龙区: %v, want ErrNotFound", err)
	}

	// The same phone on a second district's roster, and the first one's
	// entry replaced in place.
	put := func(e member.RosterEntry) error {
		return st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return tx.PutRoster(ctx, e) })
	}
	now := at("2024-06-01T00:00:00Z")
	if err := put(member.RosterEntry{Phone: "13912345001", Name: "张山", District: "云龙区", ImportedBy: 11, ImportedAt: now, UpdatedAt: now}); err != nil {
		t.Fatalf("a second district's entry for the phone: %v", err)
	}
	if err := put(member.RosterEntry{Phone: "13912345001", Name: "张三丰", District: "鼓楼区", ImportedBy: 10, ImportedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	var rows []string
	r, err := db.SQL().QueryContext(ctx, `SELECT district || ':' || name FROM roster WHERE phone = '13912345001' ORDER BY district`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var s string
		if err := r.Scan(&s); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, s)
	}
	r.Close()
	if want := []string{"云龙区:张山", "鼓楼区:张三丰"}; !slices.Equal(rows, want) {
		t.Errorf("entries of 13912345001: %v, want %v", rows, want)
	}

	// The rebuilt table keeps its checks and its district index.
	if err := put(member.RosterEntry{Phone: "12345", Name: "王五", District: "鼓楼区", ImportedAt: now, UpdatedAt: now}); err == nil {
		t.Error("a bad phone was stored")
	}
	if err := put(member.RosterEntry{Phone: "13912345003", Name: "王五", District: "", ImportedAt: now, UpdatedAt: now}); err == nil {
		t.Error("an entry without a district was stored")
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'roster_district' AND tbl_name = 'roster'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("index roster_district: %d, %v", n, err)
	}
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'roster_by_district'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the migration's work table is left: %d, %v", n, err)
	}
}
