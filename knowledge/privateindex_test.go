package knowledge

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSweepPrivateDirs: a private index left by a process that ended (one
// killed with -9 never runs its Close) is removed when the next private
// index is made; the folders of running processes and other files stay.
func TestSweepPrivateDirs(t *testing.T) {
	parent := t.TempDir()
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Skip("cannot start a process:", err)
	}
	left := filepath.Join(parent, fmt.Sprintf("%s%d-123", privatePrefix, ended.ProcessState.Pid()))
	if err := os.MkdirAll(filepath.Join(left, "index"), 0o755); err != nil {
		t.Fatal(err)
	}
	keep := []string{
		fmt.Sprintf("%s%d-456", privatePrefix, os.Getppid()), // a running process
		privatePrefix + "notapid-789",                        // an owner that cannot be read
		"unrelated-1",
	}
	for _, k := range keep {
		if err := os.Mkdir(filepath.Join(parent, k), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := makePrivateDir(parent, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(dir), fmt.Sprintf("%s%d-", privatePrefix, os.Getpid())) {
		t.Errorf("private folder %s does not name its owner %d", dir, os.Getpid())
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the folder of an ended process is still there (%v)", err)
	}
	for _, k := range append(keep, filepath.Base(dir)) {
		if _, err := os.Stat(filepath.Join(parent, k)); err != nil {
			t.Errorf("%s was removed: %v", k, err)
		}
	}
}
