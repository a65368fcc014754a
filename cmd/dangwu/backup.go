package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dangwu/dangwu/store"
)

// cmdBackup writes a consistent copy of the database to FILE, safe while
// the bot runs. The search index needs no backup: it is rebuilt from the
// database.
func cmdBackup(ctx context.Context, args []string, env Env) int {
	cfg, fs, err := loadConfig("backup", args, env.Getenv, nil)
	if err != nil {
		return configError(env, err)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "usage: dangwu backup [--data DIR] FILE")
		return 2
	}
	target := fs.Arg(0)
	if _, err := os.Stat(target); err == nil {
		fmt.Fprintf(env.Stderr, "dangwu backup: %s already exists; choose a new file\n", target)
		return 1
	}
	source := filepath.Join(cfg.Data, "dangwu.db")
	if _, err := os.Stat(source); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu backup: no database at %s\n", source)
		return 1
	}
	lock, err := lockDatabase(cfg.Data, "dangwu")
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu backup: %v\n", err)
		return 1
	}
	defer lock.Close()
	db, err := store.Open(ctx, source)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu backup: %v\n", err)
		return 1
	}
	defer db.Close()
	if err := db.Backup(ctx, target); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "backed up %s to %s\n", source, target)
	return 0
}
