package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The data-folder lock. Every command that opens a database of the data
// folder (run, console, ask, import, report, backup) holds NAME.lock beside
// it shared, for as long as it has the database open; any number of them
// may do so together, as the bot and `dangwu import` do. `dangwu restore`
// takes it exclusively, so it replaces the database only while nobody has it
// open, and nobody opens it while it is being replaced. The lock is an OS
// file lock (flock): the kernel releases it when the process ends, however
// it ends, so a bot killed with SIGKILL leaves no stale lock. The lock file
// itself stays; it holds nothing.

// errLockHeld means another process holds the lock in a way that excludes
// the one asked for.
var errLockHeld = errors.New("the lock is held by another process")

// dataLock is a held data-folder lock; Close releases it.
type dataLock struct {
	f *os.File
}

// lockPath is the lock file of database name in dir.
func lockPath(dir, name string) string { return filepath.Join(dir, name+".lock") }

// lockDatabase takes the shared lock on database name in dir, as every
// command that opens it does. It fails at once, without waiting, while a
// restore holds the lock.
func lockDatabase(dir, name string) (*dataLock, error) {
	l, err := flockFile(lockPath(dir, name), false)
	if errors.Is(err, errLockHeld) {
		return nil, fmt.Errorf("%s is being restored (dangwu restore holds %s); start again when it has finished",
			filepath.Join(dir, name+".db"), lockPath(dir, name))
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", lockPath(dir, name), err)
	}
	return l, nil
}

// lockDatabaseExclusive takes the lock on database name in dir for restore.
// It fails at once with errLockHeld while any process has the database open
// through lockDatabase.
func lockDatabaseExclusive(dir, name string) (*dataLock, error) {
	return flockFile(lockPath(dir, name), true)
}

// lockRunner takes the runner lock of database name in dir, NAME.run.lock,
// exclusively: one data folder serves one bot (or one console). A second
// `dangwu run` on the folder would compete for the same updates, and
// Telegram gives one token one update stream. It fails at once while
// another process holds it; the shared data-folder lock is not touched, so
// `dangwu import`, ask, report and backup go on beside a running bot.
func lockRunner(dir, name string) (*dataLock, error) {
	path := filepath.Join(dir, name+".run.lock")
	l, err := flockFile(path, true)
	if errors.Is(err, errLockHeld) {
		return nil, fmt.Errorf("another dangwu is already running on %s (it holds %s); stop it first: one data folder takes one bot",
			filepath.Join(dir, name+".db"), path)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return l, nil
}

// Close releases the lock.
func (l *dataLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the file releases its lock
	l.f = nil
	return err
}
