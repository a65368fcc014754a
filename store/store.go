// Package store is dangwu's SQLite layer: it opens the database with the
// pragmas every connection needs, applies the embedded numbered migrations,
// and implements the stores that the domain packages declare. It is the only
// package that imports the SQLite driver.
package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew means the database was written by a newer dangwu.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// DB is an open dangwu database.
type DB struct {
	sql *sql.DB
	// Now is the clock every store uses; tests replace it.
	Now func() time.Time
	// writer admits one write at a time: a transaction (they all begin
	// IMMEDIATE, taking SQLite's write lock) or a write outside one.
	// SQLite lets one writer in and makes the others retry with sleeps of
	// 1 to 100 ms (the busy handler); under load those sleeps stacked up
	// until every handler waited on them. Writers of this process queue
	// here instead and go in the moment the last one leaves; only other
	// processes (the command line) meet the busy handler.
	writer chan struct{}

	// stmts holds the prepared statements of the queries run so far
	// (query text → *sql.Stmt): SQLite parses and plans a statement each
	// time it is prepared, which cost more than running most of the
	// bot's queries. database/sql prepares each on a connection the first
	// time it runs there and keeps it with the connection.
	stmts   sync.Map
	nstmts  int
	stmtsMu sync.Mutex

	topics topicCounts // QuizStore.Topics' last answer
}

// maxStmts bounds the statements kept: queries are written in the code,
// a few with a variable number of conditions, so the bound is never
// reached by the bot itself; past it, new queries are prepared each time.
const maxStmts = 512

// cachedStmt is a kept prepared statement.
type cachedStmt struct {
	st *sql.Stmt
	// exec: the statement may be run with Exec. One that returns rows (a
	// SELECT, INSERT ... RETURNING) is not: Exec steps it once and leaves
	// it unfinished, holding its transaction open until the statement is
	// next reset, where a statement prepared for the call is finalized.
	exec bool
}

// stmt returns the prepared statement of query, preparing it the first
// time, or nil when it is not to be kept: a text of several statements
// (a prepared statement runs only the first) or one that fails to
// prepare (the caller runs it unprepared and reports its error).
func (db *DB) stmt(ctx context.Context, query string) *cachedStmt {
	if c, ok := db.stmts.Load(query); ok {
		return c.(*cachedStmt)
	}
	trimmed := strings.TrimSpace(query)
	if strings.Contains(strings.TrimRight(trimmed, ";"), ";") {
		return nil
	}
	db.stmtsMu.Lock()
	defer db.stmtsMu.Unlock()
	if c, ok := db.stmts.Load(query); ok {
		return c.(*cachedStmt)
	}
	if db.nstmts >= maxStmts {
		return nil
	}
	st, err := db.sql.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	upper := strings.ToUpper(trimmed)
	verb, _, _ := strings.Cut(upper, " ")
	c := &cachedStmt{st: st, exec: (verb == "INSERT" || verb == "UPDATE" || verb == "DELETE" || verb == "REPLACE") && !strings.Contains(upper, "RETURNING")}
	db.stmts.Store(query, c)
	db.nstmts++
	return c
}

// writeWait is how long a write waits for its turn before it fails, as
// SQLite's busy timeout does (_busy_timeout in Open).
const writeWait = 5 * time.Second

// ErrBusy means a write waited writeWait for the writes before it.
var ErrBusy = errors.New("database busy: a write waited too long for its turn")

// lockWrite waits for the writer's turn; the function it returns ends it.
func (db *DB) lockWrite(ctx context.Context) (func(), error) {
	select {
	case db.writer <- struct{}{}:
		return func() { <-db.writer }, nil
	default:
	}
	t := time.NewTimer(writeWait)
	defer t.Stop()
	select {
	case db.writer <- struct{}{}:
		return func() { <-db.writer }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, ErrBusy
	}
}

// Open opens (creating if needed) the SQLite database at file and brings its
// schema up to date. It refuses a database whose schema is newer than the
// migrations compiled into this binary.
func Open(ctx context.Context, file string) (*DB, error) {
	if file == "" {
		return nil, errors.New("open database: empty path")
	}
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	dsn := "file:" + file + "?" + q.Encode()
	sqlDB, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	// Keep the connections of a busy moment open: a new connection
	// runs the pragmas above and prepares its statements afresh
	// (database/sql keeps 2 idle connections by default, so under load
	// most queries opened one).
	sqlDB.SetMaxIdleConns(maxIdleConns)
	// ... and close them once the moment is over: each holds its own page
	// cache (about 2 MB when warm), so 40 kept for good would hold 80 MB.
	sqlDB.SetConnMaxIdleTime(maxIdleTime)
	db := &DB{sql: sqlDB, Now: time.Now, writer: make(chan struct{}, 1)}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("migrate %s: %w", file, err)
	}
	return db, nil
}

// maxIdleConns is how many unused connections the pool keeps open: as many
// as handlers run at once (bot/dispatch.go), and the sender's.
const maxIdleConns = 40

// maxIdleTime is how long an unused connection is kept.
const maxIdleTime = 5 * time.Minute

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.Range(func(_, c any) bool {
		c.(*cachedStmt).st.Close()
		return true
	})
	return db.sql.Close()
}

// SQL exposes the underlying pool to the stores in this package's tests and
// to the backup command.
func (db *DB) SQL() *sql.DB { return db.sql }

// Tx runs fn in one transaction, committing if it returns nil. Inside
// Atomic it joins the caller's transaction instead, which commits or rolls
// back as a whole.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return fn(tx)
	}
	unlock, err := db.lockWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer unlock()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// txKey carries the transaction of Atomic in a context, and txOwnerKey the
// DB whose pool it is on: a store of another handle to the same file joins
// the transaction, and runs the kept statements of the transaction's own
// handle (a statement prepared on one *sql.DB cannot run in another's
// transaction).
type (
	txKey      struct{}
	txOwnerKey struct{}
)

// txOwner is the DB of the transaction ctx carries, or nil.
func txOwner(ctx context.Context) *DB {
	db, _ := ctx.Value(txOwnerKey{}).(*DB)
	return db
}

// Atomic runs fn in one transaction: every store call made with the context
// fn receives — by any store of this database — joins it, so a state change
// and the messages it causes commit together or not at all. Calls nest: an
// Atomic inside another joins the outer one.
func (db *DB) Atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return fn(ctx)
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		return fn(context.WithValue(context.WithValue(ctx, txKey{}, tx), txOwnerKey{}, db))
	})
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q is the transaction ctx carries, or the pool (whose writes wait for
// their turn).
func (db *DB) q(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return txq{txOwner(ctx), tx}
	}
	return pool{db}
}

// pool is the connection pool as a querier: an Exec, which writes, waits
// for the writer's turn (see DB.writer). A query that writes (INSERT ...
// RETURNING) outside a transaction does not; SQLite's busy handler still
// orders it. Queries run as prepared statements (DB.stmt).
type pool struct{ db *DB }

func (p pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	unlock, err := p.db.lockWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c := p.db.stmt(ctx, query); c != nil && c.exec {
		return c.st.ExecContext(ctx, args...)
	}
	return p.db.sql.ExecContext(ctx, query, args...)
}

func (p pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if c := p.db.stmt(ctx, query); c != nil {
		return c.st.QueryContext(ctx, args...)
	}
	return p.db.sql.QueryContext(ctx, query, args...)
}

func (p pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if c := p.db.stmt(ctx, query); c != nil {
		return c.st.QueryRowContext(ctx, args...)
	}
	return p.db.sql.QueryRowContext(ctx, query, args...)
}

// txq is a transaction as a querier. Exec and QueryRow run the prepared
// statement on the transaction's connection; Query does not, since a
// statement's rows may still be read while the same query runs again on
// the same connection (one prepared statement cannot do both). db is the
// transaction's own handle; nil, nothing is prepared.
type txq struct {
	db *DB
	tx *sql.Tx
}

func (t txq) stmt(ctx context.Context, query string) *cachedStmt {
	if t.db == nil {
		return nil
	}
	return t.db.stmt(ctx, query)
}

func (t txq) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if c := t.stmt(ctx, query); c != nil && c.exec {
		return t.tx.StmtContext(ctx, c.st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t txq) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, args...)
}

func (t txq) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if c := t.stmt(ctx, query); c != nil {
		return t.tx.StmtContext(ctx, c.st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// conn is a querier that joins the transaction its context carries, if any.
type conn struct{ db *DB }

func (c conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.db.q(ctx).ExecContext(ctx, query, args...)
}

func (c conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.db.q(ctx).QueryContext(ctx, query, args...)
}

func (c conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.db.q(ctx).QueryRowContext(ctx, query, args...)
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and _", e.Name())
		}
		body, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the newest migration compiled into this binary.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	var current int
	if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if current > len(ms) {
		return tooNew(current, len(ms))
	}
	for _, m := range ms[current:] {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, db.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// tooNew is the error for a database at version have when this binary knows
// up to version know: it tells the operator what to do.
func tooNew(have, know int) error {
	return fmt.Errorf("%w: the database is at schema version %d, this binary knows versions up to %d; "+
		"upgrade dangwu first (to the release that wrote this database, or a later one), do not change the database by hand",
		ErrSchemaTooNew, have, know)
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}

// Backup writes a consistent copy of the database to file using VACUUM INTO,
// which is safe while the bot keeps writing. The copy is written under a
// temporary name beside file, synced, and renamed to file only when whole:
// a backup stopped half way (a signal, kill -9, a full disk) leaves nothing
// at file, and no temporary file after a clean stop.
func (db *DB) Backup(ctx context.Context, file string) (err error) {
	dir := filepath.Dir(file)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	name := tmp.Name()
	tmp.Close()
	os.Remove(name) // VACUUM INTO wants a file that does not exist
	defer func() {
		if err != nil {
			os.Remove(name)
		}
	}()
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO ?`, name); err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	if err := os.Rename(name, file); err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // the rename itself; best effort where directories cannot sync
		d.Close()
	}
	return nil
}

// syncFile flushes a file's contents to the disk.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Errors of CheckBackup, besides ErrSchemaTooNew.
var (
	// ErrNotSQLite means the file is not an SQLite database at all.
	ErrNotSQLite = errors.New("not an SQLite database")
	// ErrNotDangwu means the file is an SQLite database, but not one that
	// dangwu wrote: it has no dangwu migrations table.
	ErrNotDangwu = errors.New("an SQLite database, but not a dangwu database")
	// ErrDamaged means SQLite finds the database damaged, or the file is
	// shorter than the database it holds (a copy cut short).
	ErrDamaged = errors.New("the database is damaged")
)

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// CheckHeader reports whether file starts as an SQLite database does and is
// as long as the database its header describes. It reads 100 bytes, so it
// turns a wrong file away before anything copies it. Its errors, like
// CheckBackup's, do not name the file: the caller does.
func CheckHeader(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: the file is only %d bytes long", ErrNotSQLite, info.Size())
		}
		return err
	}
	if string(h[:16]) != sqliteMagic {
		return fmt.Errorf("%w: the file does not start with the SQLite header", ErrNotSQLite)
	}
	// The header's page size (1 stands for 65536) and, when the count is
	// current (its "version valid for" equals the change counter), the
	// number of pages the database has.
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	if binary.BigEndian.Uint32(h[92:96]) == binary.BigEndian.Uint32(h[24:28]) && pages > 0 && info.Size() < pages*pageSize {
		return fmt.Errorf("%w: the file is %d bytes long, but the database it holds has %d bytes (a copy cut short?)",
			ErrDamaged, info.Size(), pages*pageSize)
	}
	return nil
}

// CheckBackup checks, without changing it, that file is a database this
// binary can take over: an SQLite database, written by dangwu (it has
// dangwu's migrations table, starting with dangwu's first migration), at a
// schema version no newer than SchemaVersion (an older one is brought up to
// date by the next Open), that SQLite's integrity check finds intact. It
// returns the file's schema version. The file is opened read-only and
// immutable: nothing is written beside it either.
func CheckBackup(ctx context.Context, file string) (int, error) {
	if err := CheckHeader(file); err != nil {
		return 0, err
	}
	ms, err := loadMigrations()
	if err != nil {
		return 0, err
	}
	sqlDB, err := sql.Open("sqlite3", "file:"+uriPath(file)+"?mode=ro&immutable=1")
	if err != nil {
		return 0, fmt.Errorf("open: %w", err)
	}
	defer sqlDB.Close()
	var tables int
	err = sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables)
	if err != nil {
		return 0, readError(err)
	}
	if tables == 0 {
		return 0, fmt.Errorf("%w: it has no schema_migrations table", ErrNotDangwu)
	}
	rows, err := sqlDB.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		if isCorrupt(err) {
			return 0, readError(err)
		}
		return 0, fmt.Errorf("%w: its schema_migrations table is of another layout (%v)", ErrNotDangwu, err)
	}
	version := 0
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			rows.Close()
			return 0, fmt.Errorf("%w: schema_migrations: %v", ErrNotDangwu, err)
		}
		if v != version+1 || (v == 1 && name != ms[0].name) {
			rows.Close()
			return 0, fmt.Errorf("%w: it records migration %d %q, where dangwu's are numbered from 1 (%s)",
				ErrNotDangwu, v, name, ms[0].name)
		}
		version = v
	}
	if err := rows.Err(); err != nil {
		return 0, readError(err)
	}
	rows.Close()
	if version == 0 {
		return 0, fmt.Errorf("%w: it records no migration", ErrNotDangwu)
	}
	if version > len(ms) {
		return version, tooNew(version, len(ms))
	}
	rows, err = sqlDB.QueryContext(ctx, `PRAGMA integrity_check(10)`)
	if err != nil {
		return 0, readError(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return 0, readError(err)
		}
		for _, line := range strings.Split(p, "\n") {
			if line != "ok" && line != "" && !strings.HasPrefix(line, "*** ") {
				problems = append(problems, line)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, readError(err)
	}
	if len(problems) > 3 {
		problems = append(problems[:3], "…")
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("%w: SQLite's integrity check says: %s", ErrDamaged, strings.Join(problems, "; "))
	}
	return version, nil
}

// Checkpoint moves what the write-ahead log of the database at file holds
// into the database file, and closes it, which removes the log. Nobody else
// may have the database open. It neither migrates nor otherwise changes the
// database, so it works on a database of any schema version.
func Checkpoint(ctx context.Context, file string) error {
	sqlDB, err := sql.Open("sqlite3", "file:"+uriPath(file)+"?_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	var busy, logPages, moved int
	err = sqlDB.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved)
	if cerr := sqlDB.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", file, err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint %s: the database is in use", file)
	}
	return nil
}

// uriPath escapes the characters an SQLite URI file name must not hold
// as they are.
func uriPath(file string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(file)
}

// isCorrupt reports whether err is SQLite's "not a database" or "malformed".
func isCorrupt(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB)
}

// readError turns an error reading a candidate database into one of
// CheckBackup's.
func readError(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return fmt.Errorf("%w: %v", ErrNotSQLite, err)
		case sqlite3.ErrCorrupt:
			return fmt.Errorf("%w: %v", ErrDamaged, err)
		}
	}
	return fmt.Errorf("read: %w", err)
}
