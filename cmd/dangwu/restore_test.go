package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/store"
)

// saveStep records step as the state of one conversation: the datum the
// restore tests follow from database to backup and back.
func saveStep(t *testing.T, db *store.DB, step string) {
	t.Helper()
	err := store.NewConversations(db).Save(context.Background(), 1, 1, store.Conversation{Flow: "register", Step: step, Data: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
}

// stepIn opens the database at file, as the next start would, and returns
// the step saveStep recorded.
func stepIn(t *testing.T, file string) string {
	t.Helper()
	db, err := store.Open(context.Background(), file)
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	defer db.Close()
	c, err := store.NewConversations(db).Get(context.Background(), 1, 1)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return c.Step
}

// killedDatabase leaves in dir the database of a bot killed with SIGKILL:
// its last change, step, only in the write-ahead log beside it. It returns
// a backup made earlier, when the step was "backed-up".
func killedDatabase(t *testing.T, dir, step string) (backup string) {
	t.Helper()
	ctx := context.Background()
	src := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(src, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	saveStep(t, db, "backed-up")
	backup = filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	saveStep(t, db, step)
	// Copied while the database is open, the two files are what a killed
	// process leaves.
	for _, f := range []string{"dangwu.db", "dangwu.db-wal"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, f, b)
	}
	if info, err := os.Stat(filepath.Join(dir, "dangwu.db-wal")); err != nil || info.Size() == 0 {
		t.Fatalf("the killed database has no write-ahead log to lose: %v", err)
	}
	return backup
}

// folder lists the names in dir and the bytes of its database, to show
// that a refused restore changed nothing.
func folder(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		if e.Name() == "dangwu.lock" {
			continue // the lock file stays; it holds nothing
		}
		fmt.Fprintln(&b, e.Name())
	}
	db, err := os.ReadFile(filepath.Join(dir, "dangwu.db"))
	if err == nil {
		b.Write(db)
	}
	return b.String()
}

// keptCopies lists the previous databases restores kept in dir.
func keptCopies(t *testing.T, dir string) []string {
	t.Helper()
	kept, err := filepath.Glob(filepath.Join(dir, "dangwu.db.before-restore-*"))
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(kept, func(f string) bool {
		return strings.HasSuffix(f, "-wal") || strings.HasSuffix(f, "-shm") || strings.HasSuffix(f, "-journal")
	})
}

// A backup made by dangwu backup, restored: its documents are what the bot
// searches, those imported after it are gone, and the database it replaced
// is kept.
func TestBackupThenRestore(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	before := writeFile(t, files, "xinghuo.md", []byte("# 星火驿站管理办法\n\n## 开放时间\n星火驿站每周三下午开放，由红帆志愿队值守。\n"))
	after := writeFile(t, files, "lanjing.md", []byte("# 蓝鲸读书会通知\n\n## 报名方式\n参加蓝鲸读书会的党员请向支部书记报名。\n"))
	backup := filepath.Join(t.TempDir(), "dangwu-backup.db")
	for _, args := range [][]string{
		{"import", "--data", data, before},
		{"backup", "--data", data, backup},
		{"import", "--data", data, after},
	} {
		if code, out, errOut := dangwu(t, args...); code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", args[0], code, out, errOut)
		}
	}
	if rs := askJSON(t, "--data", data, "蓝鲸读书会怎么报名"); len(rs) == 0 || rs[0].Doc != "lanjing" {
		t.Fatalf("before the restore the later document is not found: %+v", rs)
	}
	if _, err := os.Stat(filepath.Join(data, "dangwu-index")); err != nil {
		t.Fatalf("no search index to retire: %v", err)
	}

	code, out, errOut := dangwu(t, "restore", "--data", data, backup)
	if code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	kept := keptCopies(t, data)
	if len(kept) != 1 {
		t.Fatalf("kept copies %v, want one", kept)
	}
	for _, want := range []string{"restored " + backup, fmt.Sprintf("schema version %d", store.SchemaVersion()), "kept as " + kept[0], "search index is rebuilt"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore's report lacks %q:\n%s", want, out)
		}
	}
	for _, gone := range []string{"dangwu-index", "dangwu.db-wal", "dangwu.db-shm"} {
		if _, err := os.Stat(filepath.Join(data, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left after the restore: %v", gone, err)
		}
	}
	if tmps, _ := filepath.Glob(filepath.Join(data, ".*")); len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}

	if rs := askJSON(t, "--data", data, "星火驿站什么时候开放"); len(rs) == 0 || rs[0].Doc != "xinghuo" {
		t.Errorf("the backup's document is not found after the restore: %+v", rs)
	}
	for _, r := range askJSON(t, "--data", data, "蓝鲸读书会怎么报名") {
		if r.Doc == "lanjing" {
			t.Errorf("a document imported after the backup is still found: %+v", r)
		}
	}
	keptDB, err := store.Open(context.Background(), kept[0])
	if err != nil {
		t.Fatal(err)
	}
	defer keptDB.Close()
	if _, err := store.NewKnowledgeStore(keptDB).Document(context.Background(), "lanjing"); err != nil {
		t.Errorf("the kept database lacks the later document: %v", err)
	}
}

// The previous database's last change, still in its write-ahead log when
// its bot was killed, is in the copy the restore keeps.
func TestRestoreKeepsTheKilledDatabaseWhole(t *testing.T) {
	data := t.TempDir()
	backup := killedDatabase(t, data, "latest")
	if code, out, errOut := dangwu(t, "restore", "--data", data, backup); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	if got := stepIn(t, filepath.Join(data, "dangwu.db")); got != "backed-up" {
		t.Errorf("restored database holds %q, want the backup's", got)
	}
	kept := keptCopies(t, data)
	if len(kept) != 1 {
		t.Fatalf("kept copies %v, want one", kept)
	}
	if _, err := os.Stat(kept[0] + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the kept copy needs a log beside it: %v", err)
	}
	if got := stepIn(t, kept[0]); got != "latest" {
		t.Errorf("the kept copy holds %q, want the killed database's last change", got)
	}
}

// A backup restored into a folder that does not exist yet — a new machine,
// or the scratch folder an operator checks a backup in — is the database
// there, and nothing is kept.
func TestRestoreIntoANewFolder(t *testing.T) {
	backup := killedDatabase(t, t.TempDir(), "latest")
	data := filepath.Join(t.TempDir(), "new", "data")
	code, out, errOut := dangwu(t, "restore", "--data", data, backup)
	if code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "kept as") || keptCopies(t, data) != nil {
		t.Errorf("a restore into a new folder kept something:\n%s", out)
	}
	if got := stepIn(t, filepath.Join(data, "dangwu.db")); got != "backed-up" {
		t.Errorf("restored database holds %q, want the backup's", got)
	}
}

// A database whose log cannot be checkpointed — a damaged one is a reason
// to restore — is kept with its log beside it, and its log does not stay
// beside the restored database, where SQLite would apply it.
func TestRestoreWhenTheOldLogCannotBeCheckpointed(t *testing.T) {
	data := t.TempDir()
	backup := killedDatabase(t, data, "latest")
	r := restorer{dir: data, name: "dangwu", now: time.Now, checkpoint: func(context.Context, string) error {
		return errors.New("database disk image is malformed")
	}}
	res, err := r.restore(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.keptNote, "could not be checkpointed") || !strings.Contains(res.keptNote, res.kept+"-wal") {
		t.Errorf("the note does not say where the old log is: %q", res.keptNote)
	}
	if got := stepIn(t, res.kept); got != "latest" {
		t.Errorf("the kept copy with its log holds %q, want the killed database's last change", got)
	}
	if _, err := os.Stat(filepath.Join(data, "dangwu.db-wal")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old log is still beside the database: %v", err)
	}
	if got := stepIn(t, filepath.Join(data, "dangwu.db")); got != "backed-up" {
		t.Errorf("restored database holds %q, want the backup's", got)
	}
}

// A restore stopped after any of its steps, as by a crash, leaves a whole
// database — the old one until the rename, then the new one — and the
// next restore finishes the job and clears what the crashed one left.
func TestRestoreCrashAtEachStep(t *testing.T) {
	for _, step := range restoreSteps {
		t.Run(step, func(t *testing.T) {
			ctx := context.Background()
			data := t.TempDir()
			backup := killedDatabase(t, data, "latest")
			if err := os.Mkdir(filepath.Join(data, "dangwu-index"), 0o750); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(data, "dangwu-index"), "index_meta.json", []byte("{}"))
			r := restorer{dir: data, name: "dangwu", now: time.Now, crashAt: step}
			if _, err := r.restore(ctx, backup); !errors.Is(err, errCrashed) {
				t.Fatalf("restore stopped after %s: err = %v", step, err)
			}
			want := "latest"
			if step == stepRenamed {
				want = "backed-up"
			}
			if got := stepIn(t, filepath.Join(data, "dangwu.db")); got != want {
				t.Errorf("after a crash at %s the database holds %q, want %q", step, got, want)
			}

			r.crashAt = ""
			if _, err := r.restore(ctx, backup); err != nil {
				t.Fatalf("restore after the crash: %v", err)
			}
			if got := stepIn(t, filepath.Join(data, "dangwu.db")); got != "backed-up" {
				t.Errorf("after the second restore the database holds %q", got)
			}
			found := false
			for _, k := range keptCopies(t, data) {
				found = found || stepIn(t, k) == "latest"
			}
			if !found {
				t.Errorf("no kept copy holds the killed database's last change: %v", keptCopies(t, data))
			}
			left, _ := filepath.Glob(filepath.Join(data, ".dangwu.db.restore-*"))
			stale, _ := filepath.Glob(filepath.Join(data, "dangwu-index*"))
			if len(left)+len(stale) != 0 {
				t.Errorf("left behind: %v %v", left, stale)
			}
		})
	}
}

// While a process holds the data-folder lock, restore changes nothing and
// says why; once it lets go, restore goes ahead. And while a restore holds
// it, nothing opens the database.
func TestRestoreRefusedWhileTheDatabaseIsOpen(t *testing.T) {
	data := t.TempDir()
	backup := killedDatabase(t, data, "latest")
	held, err := lockDatabase(data, "dangwu") // as dangwu run holds it
	if err != nil {
		t.Fatal(err)
	}
	was := folder(t, data)
	code, _, errOut := dangwu(t, "restore", "--data", data, backup)
	if code != 1 || !strings.Contains(errOut, "is in use") || !strings.Contains(errOut, "stop it first") {
		t.Errorf("restore while the lock is held: exit %d, %s", code, errOut)
	}
	if folder(t, data) != was {
		t.Error("a refused restore changed the data folder")
	}
	held.Close()
	if code, out, errOut := dangwu(t, "restore", "--data", data, backup); code != 0 {
		t.Fatalf("restore once the lock is released: exit %d\n%s%s", code, out, errOut)
	}

	restoring, err := lockDatabaseExclusive(data, "dangwu")
	if err != nil {
		t.Fatal(err)
	}
	defer restoring.Close()
	for _, args := range [][]string{
		{"ask", "--data", data, "党费怎么交"},
		{"import", "--data", data, writeFile(t, t.TempDir(), "a.md", []byte("# 标题\n\n正文。\n"))},
		{"backup", "--data", data, filepath.Join(t.TempDir(), "b.db")},
	} {
		if code, _, errOut := dangwu(t, args...); code != 1 || !strings.Contains(errOut, "is being restored") {
			t.Errorf("%s during a restore: exit %d, %s", args[0], code, errOut)
		}
	}
}

// The running binary holds the lock; killed with SIGKILL, it leaves none.
func TestRestoreRefusedWhileTheBotRuns(t *testing.T) {
	srv, ctx, data := crashSetup(t)
	bot := startBot(t, srv, data)
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatalf("the bot never polled: %v\n%s", err, bot.log)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if code, _, errOut := dangwu(t, "backup", "--data", data, backup); code != 0 {
		t.Fatalf("backup while the bot runs: exit %d, %s", code, errOut)
	}
	if code, _, errOut := dangwu(t, "restore", "--data", data, backup); code != 1 || !strings.Contains(errOut, "is in use") {
		t.Errorf("restore while the bot runs: exit %d, %s", code, errOut)
	}
	if keptCopies(t, data) != nil {
		t.Error("a refused restore kept a copy")
	}
	bot.kill()
	if code, out, errOut := dangwu(t, "restore", "--data", data, backup); code != 0 {
		t.Fatalf("restore after the bot was killed: exit %d\n%s%s", code, out, errOut)
	}
}

// A file that is not a dangwu backup of a schema this binary knows, intact,
// is refused with a reason, and nothing in the data folder changes.
func TestRestoreRefusesWhatIsNotABackup(t *testing.T) {
	ctx := context.Background()
	files := t.TempDir()
	sqliteFile := func(name string, stmts ...string) string {
		p := filepath.Join(files, name)
		db, err := sql.Open("sqlite3", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	// A real backup, then changed as each case needs.
	backupOf := func(name string, change func(p string)) string {
		src := t.TempDir()
		db, err := store.Open(ctx, filepath.Join(src, "dangwu.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		saveStep(t, db, "x")
		p := filepath.Join(files, name)
		if err := db.Backup(ctx, p); err != nil {
			t.Fatal(err)
		}
		change(p)
		return p
	}
	newer := backupOf("newer.db", func(p string) {
		db, err := sql.Open("sqlite3", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, 'future.sql', 'x')`, store.SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
	})
	truncated := backupOf("truncated.db", func(p string) {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, info.Size()/2); err != nil {
			t.Fatal(err)
		}
	})
	damaged := backupOf("damaged.db", func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// Page 2 onwards, past the schema on page 1: the pages of the tables.
		for i := 4096; i < len(b) && i < 4096*8; i++ {
			b[i] = 0xA5
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	})
	damagedTail := backupOf("damaged-tail.db", func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// The last pages: tables and indexes no query of the check reads,
		// which only SQLite's integrity check finds.
		for i := len(b) - 4096*3; i < len(b); i++ {
			b[i] = 0xA5
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	})
	withLog := backupOf("with-log.db", func(p string) { writeFile(t, files, "with-log.db-wal", []byte("frames")) })

	data := t.TempDir()
	killedDatabase(t, data, "latest")
	cases := []struct {
		name, file string
		want       []string
	}{
		{"text", writeFile(t, files, "notes.txt", []byte("这不是数据库，是一份会议记录。\n")), []string{"is not a dangwu backup", "not an SQLite database"}},
		{"empty", writeFile(t, files, "empty.db", nil), []string{"not an SQLite database", "only 0 bytes long"}},
		{"missing", filepath.Join(files, "missing.db"), []string{"no file"}},
		{"folder", t.TempDir(), []string{"is not a file"}},
		{"another program's SQLite", sqliteFile("other.db", `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`, `INSERT INTO notes (body) VALUES ('x')`),
			[]string{"is not a dangwu backup", "no schema_migrations table"}},
		{"another tool's migrations", sqliteFile("migrate.db", `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`, `INSERT INTO schema_migrations VALUES (3, 0)`),
			[]string{"is not a dangwu backup", "schema_migrations"}},
		{"newer schema", newer, []string{"written by a newer dangwu", "upgrade dangwu first", fmt.Sprintf("version %d", store.SchemaVersion()+1)}},
		{"truncated", truncated, []string{"cannot be restored", "cut short", "nothing was changed"}},
		{"damaged", damaged, []string{"cannot be restored", "damaged", "try another backup"}},
		{"damaged at the end", damagedTail, []string{"cannot be restored", "integrity check says", "try another backup"}},
		{"log beside it", withLog, []string{"write-ahead log beside it", "dangwu backup"}},
		{"the database itself", filepath.Join(data, "dangwu.db"), []string{"the database itself"}},
	}
	was := folder(t, data)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := dangwu(t, "restore", "--data", data, c.file)
			if code != 1 || out != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
			if !strings.HasPrefix(errOut, "dangwu restore: ") || strings.Count(errOut, "\n") != 1 {
				t.Errorf("not one line of dangwu restore: %q", errOut)
			}
			if folder(t, data) != was {
				t.Error("the data folder changed")
			}
		})
	}
	if got := stepIn(t, filepath.Join(data, "dangwu.db")); got != "latest" {
		t.Errorf("the database holds %q after the refusals", got)
	}
}

func TestRestoreUsage(t *testing.T) {
	for _, args := range [][]string{{"restore"}, {"restore", "a.db", "b.db"}} {
		code, _, errOut := dangwu(t, args...)
		if code != 2 || !strings.Contains(errOut, "usage: dangwu restore") {
			t.Errorf("%q: exit %d, %s", args, code, errOut)
		}
	}
	_, out, _ := dangwu(t, "help")
	if !strings.Contains(out, "restore  put a backup in place") {
		t.Errorf("usage does not list restore:\n%s", out)
	}
}
