package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dangwu/dangwu/store"
)

// TestBackupStoppedLeavesNothing: a backup stopped half way (SIGTERM
// cancels the context; kill -9 leaves the temporary file without even the
// error) leaves nothing at FILE that looks like a backup, no temporary file
// after the clean stop, and the backup can be made again under that name.
func TestBackupStoppedLeavesNothing(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	// A database of some size, so that the copy takes a moment.
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE hostile_filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	for range 48 {
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO hostile_filler VALUES (randomblob(1048576))`); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	dir := t.TempDir()
	target := filepath.Join(dir, "backup.db")
	bctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		// Stop the backup (as SIGTERM does) once it has begun writing.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			// whatever name it writes under
			parts, _ := filepath.Glob(filepath.Join(dir, "*backup.db*"))
			for _, p := range parts {
				if info, err := os.Stat(p); err == nil && info.Size() > 0 {
					stop()
					return
				}
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	env, _, errOut := testEnv("", nil)
	code := Main(bctx, []string{"backup", "--data", data, target}, env)
	if code == 0 {
		t.Skip("the backup finished before it could be stopped")
	}
	t.Logf("stopped backup: exit %d, %s", code, errOut)
	if info, err := os.Stat(target); err == nil {
		t.Errorf("a stopped backup left %s (%d bytes) at the backup's name", target, info.Size())
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, ".backup.db.partial-*")); len(parts) > 0 {
		t.Errorf("a stopped backup left its temporary file %v", parts)
	}
	env, _, errOut = testEnv("", nil)
	if code := Main(ctx, []string{"backup", "--data", data, target}, env); code != 0 {
		t.Fatalf("the backup cannot be made again under that name: %s", errOut)
	}
	if _, err := store.CheckBackup(ctx, target); err != nil {
		t.Errorf("the backup made again does not check: %v", err)
	}
}
