package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
)

// A second `dangwu run` on a data folder a bot is running on is refused at
// start, before it opens anything, and the first bot goes on answering;
// `dangwu ask` beside the bot is not refused.
func TestSecondBotOnAFolderIsRefused(t *testing.T) {
	srv := botapi.New(botapi.Options{Token: "42:run-test"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	data := t.TempDir()
	vars := map[string]string{"TELEGRAM_BOT_TOKEN": "42:run-test", "TELEGRAM_API_URL": srv.URL(), "DANGWU_ADMINS": "5"}
	env, _, errOut := testEnv("", vars)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	exit := make(chan int, 1)
	go func() { exit <- Main(ctx, []string{"run", "--data", data}, env) }()
	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitPolling(wait); err != nil {
		t.Fatalf("the bot never polled: %v\n%s", err, errOut)
	}

	env2, _, errOut2 := testEnv("", vars)
	if code := Main(context.Background(), []string{"run", "--data", data}, env2); code != 1 {
		t.Fatalf("second run: exit %d, want 1; stderr:\n%s", code, errOut2)
	}
	if !strings.Contains(errOut2.String(), "already running") || !strings.Contains(errOut2.String(), "dangwu.run.lock") {
		t.Errorf("the refusal does not say why:\n%s", errOut2)
	}
	if code, _, errAsk := dangwu(t, "ask", "--data", data, "党费按什么比例交"); code != 0 {
		t.Errorf("ask beside the bot: exit %d\n%s", code, errAsk)
	}

	srv.PrivateText(5, "党费按什么比例交")
	if _, err := srv.WaitEvents(wait, 1, func(e botapi.Event) bool { return e.Kind == botapi.EventSend && e.ChatID == 5 }); err != nil {
		t.Fatalf("the first bot no longer answers: %v", err)
	}
	stop()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d after stopping; stderr:\n%s", code, errOut)
	}
	// Once it has stopped, the folder takes a bot again.
	l, err := lockRunner(data, "dangwu")
	if err != nil {
		t.Fatalf("the runner lock outlived the bot: %v", err)
	}
	l.Close()
}

// Two consoles on one data folder would share console.db's chat: the second
// is refused.
func TestSecondConsoleIsRefused(t *testing.T) {
	data := t.TempDir()
	held, err := lockRunner(data, "console")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	env, _, errOut := testEnv("/help\n", nil)
	if code := Main(context.Background(), []string{"console", "--data", data}, env); code != 1 {
		t.Fatalf("console beside another: exit %d, want 1\n%s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "already running") {
		t.Errorf("the refusal does not say why:\n%s", errOut)
	}
	held.Close()
	env, out, errOut := testEnv("/help\n", nil)
	if code := Main(context.Background(), []string{"console", "--data", data}, env); code != 0 {
		t.Fatalf("console alone: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out.String(), "可用命令") {
		t.Errorf("console alone did not answer:\n%s", out)
	}
}
