package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// createNew writes a file that must not exist yet, whole or not at all:
// write fills a temporary file beside target, which is synced and then
// linked to target (refused if target exists, as O_EXCL is). A run stopped
// half way — an error, a signal, kill -9 — leaves no partial workbook at
// target, only, after kill -9, a hidden temporary file beside it.
func createNew(target string, write func(io.Writer) error) (err error) {
	if _, err := os.Lstat(target); err == nil {
		return fmt.Errorf("%s: %w", target, os.ErrExist)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".partial-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the link, target is the file's only name
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Link(tmp.Name(), target)
}
