package knowledge

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// privatePrefix starts the name of a private index folder; the owner's
// process id follows it, so a folder left by a process that was killed
// can be told from one in use.
const privatePrefix = "dangwu-index-"

// makePrivateDir creates a private index folder under parent (the system's
// temporary folder when empty), first removing the ones whose owner is no
// longer running.
func makePrivateDir(parent string, log *slog.Logger) (string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	sweepPrivateDirs(parent, log)
	return os.MkdirTemp(parent, fmt.Sprintf("%s%d-", privatePrefix, os.Getpid()))
}

// sweepPrivateDirs removes the private index folders in parent whose owner
// process has ended. A folder whose owner cannot be read is left alone.
func sweepPrivateDirs(parent string, log *slog.Logger) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), privatePrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() || running(pid) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(dir); err != nil {
			log.Warn("cannot remove a private search index left behind", "dir", dir, "err", err)
			continue
		}
		log.Info("removed a private search index left behind", "dir", dir, "pid", pid)
	}
}

// running reports whether a process with this id exists (one we may not
// signal counts as running).
func running(pid int) bool {
	p, err := os.FindProcess(pid) // fails on Windows when there is none
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
