package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The console's database persists in the data folder, but each session
// starts a fresh in-process Bot API server whose update ids start at 1
// again: a second session must not take its lines for the first one's.
func TestSecondConsoleSessionAnswers(t *testing.T) {
	data := t.TempDir()
	env, _, errOut := testEnv("/start\n/help\n", nil)
	if code := Main(context.Background(), []string{"console", "--data", data}, env); code != 0 {
		t.Fatalf("first session: exit %d, stderr: %s", code, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	env, out, errOut := testEnv("/help\n", nil)
	code := Main(ctx, []string{"console", "--data", data}, env)
	if ctx.Err() != nil || !strings.Contains(out.String(), "可用命令") {
		t.Fatalf("second session on the same data folder: exit %d, no answer to /help (ctx %v)\nstdout:\n%s\nstderr:\n%s",
			code, ctx.Err(), out, errOut)
	}
}
