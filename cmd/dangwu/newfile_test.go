package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestCreateNew: a file is written whole or not at all, never over an
// existing one, and leaves no temporary file behind.
func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "report.xlsx")
	broken := errors.New("disk full")
	err := createNew(target, func(w io.Writer) error {
		io.WriteString(w, "half a workbook")
		return broken
	})
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the writer's", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a failed write left %s (%v)", target, err)
	}
	if err := createNew(target, func(w io.Writer) error { _, err := io.WriteString(w, "whole"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "whole" {
		t.Errorf("target = %q, %v", b, err)
	}
	if err := createNew(target, func(w io.Writer) error { _, err := io.WriteString(w, "other"); return err }); !errors.Is(err, os.ErrExist) {
		t.Errorf("over an existing file: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "whole" {
		t.Errorf("the existing file was changed: %q", b)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*partial*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
