//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import (
	"errors"
	"os"
)

// flockFile cannot lock on this system: the shared lock is granted without
// protecting anything, and restore is refused, since it could not tell
// whether a bot has the database open.
func flockFile(path string, exclusive bool) (*dataLock, error) {
	if exclusive {
		return nil, errors.New("this system has no file locks (flock); stop the bot and copy the backup over the database by hand")
	}
	return &dataLock{}, nil
}

// fileOwner is unknown on this system.
func fileOwner(os.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }
