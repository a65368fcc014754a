package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dangwu/dangwu/store"
)

// cmdRestore puts a backup in place of the database of the data folder,
// refused while any dangwu process has that database open.
func cmdRestore(ctx context.Context, args []string, env Env) int {
	cfg, fs, err := loadConfig("restore", args, env.Getenv, nil)
	if err != nil {
		return configError(env, err)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "usage: dangwu restore [--data DIR] BACKUP")
		return 2
	}
	r := restorer{dir: cfg.Data, name: "dangwu", now: time.Now}
	res, err := r.restore(ctx, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu restore: %v\n", err)
		return 1
	}
	upgrade := ""
	if res.version < store.SchemaVersion() {
		upgrade = fmt.Sprintf("; dangwu brings it up to version %d when it next starts", store.SchemaVersion())
	}
	fmt.Fprintf(env.Stdout, "restored %s (schema version %d%s) to %s\n", fs.Arg(0), res.version, upgrade, r.dbPath())
	if res.kept != "" {
		fmt.Fprintf(env.Stdout, "the previous database is kept as %s\n", res.kept)
	}
	if res.keptNote != "" {
		fmt.Fprintf(env.Stdout, "note: %s\n", res.keptNote)
	}
	fmt.Fprintln(env.Stdout, "the search index is rebuilt from the restored database when dangwu next starts")
	return 0
}

// restorer replaces database name+".db" of the data folder dir with a
// backup. Each step leaves the folder so that a process killed after it
// finds a whole database — the old one up to the final rename, the new one
// after — and never one half written:
//
//  1. the backup is copied to a temporary file in dir and synced, and that
//     copy (what will be put in place) is checked;
//  2. the search index, derived from the database, is moved aside and
//     removed, so the next start rebuilds it from whichever database it
//     finds;
//  3. the old database's write-ahead log is checkpointed into it, and the
//     old file is kept under a second name (a hard link: the same file);
//  4. what is left beside the old database (-wal, -shm, -journal) is
//     removed, because SQLite would apply a log left there to the new file;
//  5. the copy is renamed over the database, and the folder synced.
type restorer struct {
	dir  string
	name string
	now  func() time.Time
	// crashAt, for tests, stops the restore after the named step as a
	// crash would: the lock is released (the kernel does that) and nothing
	// is cleaned up.
	crashAt string
	// checkpoint is store.Checkpoint, or a test's failing one.
	checkpoint func(ctx context.Context, file string) error
}

// restoreResult is what a restore did.
type restoreResult struct {
	version  int    // the schema version of the backup
	kept     string // the previous database's new name, if there was one
	keptNote string // what the operator should know about the kept copy
}

// errCrashed is what a restore stopped by crashAt returns.
var errCrashed = errors.New("stopped as by a crash")

// Restore steps, for crashAt.
const (
	stepCopied    = "copied"
	stepIndex     = "index"
	stepKept      = "kept"
	stepSidecars  = "sidecars"
	stepRenamed   = "renamed"
	restoreTmpPat = ".restore-*.tmp"
)

// restoreSteps lists the steps in order.
var restoreSteps = []string{stepCopied, stepIndex, stepKept, stepSidecars, stepRenamed}

func (r *restorer) dbPath() string    { return filepath.Join(r.dir, r.name+".db") }
func (r *restorer) indexPath() string { return filepath.Join(r.dir, r.name+"-index") }

// sidecars are the files SQLite keeps beside a database, by suffix.
var sidecars = []string{"-wal", "-shm", "-journal"}

func (r *restorer) restore(ctx context.Context, backup string) (res restoreResult, err error) {
	if err := r.checkSource(backup); err != nil {
		return res, err
	}
	if err := os.MkdirAll(r.dir, 0o750); err != nil {
		return res, fmt.Errorf("data folder: %w", err)
	}
	lock, err := lockDatabaseExclusive(r.dir, r.name)
	if errors.Is(err, errLockHeld) {
		return res, fmt.Errorf("%s is in use: a dangwu process (the bot, the console, import, ask, report or backup) has it open; "+
			"stop it first (for the service: systemctl stop dangwu), then restore", r.dbPath())
	}
	if err != nil {
		return res, fmt.Errorf("lock %s: %w", lockPath(r.dir, r.name), err)
	}
	defer lock.Close()
	r.removeLeftovers()

	tmp, err := r.copyIn(ctx, backup)
	if err != nil {
		return res, err
	}
	crashed := false
	defer func() {
		if err != nil && !crashed {
			os.Remove(tmp)
		}
	}()
	step := func(name string) error {
		if r.crashAt == name {
			crashed = true
			return errCrashed
		}
		return nil
	}
	res.version, err = store.CheckBackup(ctx, tmp)
	if err != nil {
		return res, refusal(backup, err)
	}
	if err := r.takeOwner(tmp); err != nil {
		return res, err
	}
	if err := step(stepCopied); err != nil {
		return res, err
	}

	if err := r.retireIndex(); err != nil {
		return res, err
	}
	if err := step(stepIndex); err != nil {
		return res, err
	}

	if _, err := os.Stat(r.dbPath()); err == nil {
		res.kept, res.keptNote, err = r.keepOld(ctx)
		if err != nil {
			return res, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return res, err
	}
	if err := step(stepKept); err != nil {
		return res, err
	}

	for _, s := range sidecars {
		if err := os.Remove(r.dbPath() + s); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("remove %s: %w", r.dbPath()+s, err)
		}
	}
	if err := syncDir(r.dir); err != nil {
		return res, err
	}
	if err := step(stepSidecars); err != nil {
		return res, err
	}

	if err := os.Rename(tmp, r.dbPath()); err != nil {
		return res, fmt.Errorf("put the backup in place: %w", err)
	}
	if err := syncDir(r.dir); err != nil {
		return res, err
	}
	return res, step(stepRenamed)
}

// checkSource turns away, before anything is copied, a backup that is
// missing, is not an SQLite file, is the database itself, or has a
// write-ahead log beside it (a database in use, or not closed cleanly: its
// newest transactions are in the log, which a copy of the file alone lacks).
func (r *restorer) checkSource(backup string) error {
	info, err := os.Stat(backup)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no file %s", backup)
	}
	if err != nil {
		return fmt.Errorf("backup %s: %w", backup, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file; name a backup made by dangwu backup", backup)
	}
	if cur, err := os.Stat(r.dbPath()); err == nil && os.SameFile(info, cur) {
		return fmt.Errorf("%s is the database itself; name a backup made by dangwu backup", backup)
	}
	if err := store.CheckHeader(backup); err != nil {
		return refusal(backup, err)
	}
	if wal, err := os.Stat(backup + "-wal"); err == nil && wal.Size() > 0 {
		return fmt.Errorf("%s has a write-ahead log beside it (%s): it is a database in use or not closed cleanly, "+
			"and the file alone lacks its newest changes; make the copy with dangwu backup instead", backup, backup+"-wal")
	}
	return nil
}

// refusal explains why the file at backup cannot be restored.
func refusal(backup string, err error) error {
	switch {
	case errors.Is(err, store.ErrSchemaTooNew):
		return fmt.Errorf("%s was written by a newer dangwu: %w", backup, err)
	case errors.Is(err, store.ErrNotSQLite), errors.Is(err, store.ErrNotDangwu):
		return fmt.Errorf("%s is not a dangwu backup: %w", backup, err)
	case errors.Is(err, store.ErrDamaged):
		return fmt.Errorf("%s cannot be restored: %w; nothing was changed, try another backup", backup, err)
	}
	return fmt.Errorf("check %s: %w", backup, err)
}

// removeLeftovers removes what a restore that crashed left: its temporary
// copies and the search index it was removing. The caller holds the lock,
// so no other restore is at work.
func (r *restorer) removeLeftovers() {
	tmps, _ := filepath.Glob(filepath.Join(r.dir, "."+r.name+".db"+restoreTmpPat))
	for _, f := range tmps {
		os.Remove(f)
	}
	stale, _ := filepath.Glob(r.indexPath() + ".stale-*")
	for _, d := range stale {
		os.RemoveAll(d)
	}
}

// copyIn copies backup into a temporary file in the data folder, synced
// to disk, and returns its name.
func (r *restorer) copyIn(ctx context.Context, backup string) (string, error) {
	src, err := os.Open(backup)
	if err != nil {
		return "", fmt.Errorf("backup %s: %w", backup, err)
	}
	defer src.Close()
	dst, err := os.CreateTemp(r.dir, "."+r.name+".db"+restoreTmpPat)
	if err != nil {
		return "", fmt.Errorf("copy %s into %s: %w", backup, r.dir, err)
	}
	_, err = io.Copy(dst, ctxReader{ctx: ctx, r: src})
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst.Name())
		return "", fmt.Errorf("copy %s into %s: %w", backup, r.dir, err)
	}
	return dst.Name(), nil
}

// takeOwner gives the copy the mode and owner of the database it replaces,
// so that the service can open it when the operator restores as root.
func (r *restorer) takeOwner(tmp string) error {
	info, err := os.Stat(r.dbPath())
	if err != nil {
		return nil // no database yet: the copy keeps the restorer's owner
	}
	if err := os.Chmod(tmp, info.Mode().Perm()); err != nil {
		return err
	}
	uid, gid, ok := fileOwner(info)
	if !ok || (uid == os.Getuid() && gid == os.Getgid()) {
		return nil
	}
	if err := os.Chown(tmp, uid, gid); err != nil {
		return fmt.Errorf("give the restored database the owner of %s (uid %d, gid %d): %w; "+
			"run the restore as that user or as root", r.dbPath(), uid, gid, err)
	}
	return nil
}

// retireIndex moves the search index aside in one rename, then removes
// it: the index is derived from the database, and the next start builds it
// afresh from the restored one.
func (r *restorer) retireIndex() error {
	if _, err := os.Stat(r.indexPath()); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	stale := r.indexPath() + ".stale-" + strconv.FormatInt(r.now().UnixNano(), 36)
	if err := os.Rename(r.indexPath(), stale); err != nil {
		return fmt.Errorf("move the search index aside: %w", err)
	}
	if err := syncDir(r.dir); err != nil {
		return err
	}
	os.RemoveAll(stale) // a leftover is removed by the next restore
	return nil
}

// keepOld keeps the database being replaced as NAME.db.before-restore-TIME:
// its log checkpointed into it first, so the one file holds all of it,
// then linked under the new name (it is not copied, and never half
// there). When the checkpoint fails — a damaged database is a reason to
// restore — the log is kept beside the copy instead, under the name SQLite
// looks for.
func (r *restorer) keepOld(ctx context.Context) (kept, note string, err error) {
	checkpoint := r.checkpoint
	if checkpoint == nil {
		checkpoint = store.Checkpoint
	}
	cerr := checkpoint(ctx, r.dbPath())
	base := r.dbPath() + ".before-restore-" + r.now().UTC().Format("20060102T150405Z")
	kept = base
	for i := 2; ; i++ {
		err = linkOrCopy(r.dbPath(), kept)
		if !errors.Is(err, os.ErrExist) {
			break
		}
		kept = base + "-" + strconv.Itoa(i)
	}
	if err != nil {
		return "", "", fmt.Errorf("keep the previous database as %s: %w", kept, err)
	}
	if cerr != nil {
		note = fmt.Sprintf("the previous database could not be checkpointed (%v)", cerr)
		for _, s := range []string{"-wal", "-journal"} {
			if _, err := os.Stat(r.dbPath() + s); err != nil {
				continue
			}
			if err := linkOrCopy(r.dbPath()+s, kept+s); err != nil {
				return "", "", fmt.Errorf("keep the previous database's %s as %s: %w", s, kept+s, err)
			}
			note += fmt.Sprintf("; its %s is kept beside it as %s, keep the two together", s, kept+s)
		}
	}
	return kept, note, syncDir(r.dir)
}

// linkOrCopy gives the file old the second name new: a hard link, or, on a
// file system without them, a synced copy (written under a temporary name
// and renamed, so new is never half there). It fails with os.ErrExist when
// new exists.
func linkOrCopy(old, new string) error {
	err := os.Link(old, new)
	if err == nil || errors.Is(err, os.ErrExist) || errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, err := os.Lstat(new); err == nil {
		return &os.LinkError{Op: "link", Old: old, New: new, Err: os.ErrExist}
	}
	src, err := os.Open(old)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.CreateTemp(filepath.Dir(new), "."+filepath.Base(new)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(dst.Name(), new)
	}
	if err != nil {
		os.Remove(dst.Name())
	}
	return err
}

// syncDir makes the renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// ctxReader stops a copy when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
