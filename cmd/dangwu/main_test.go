package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/store"
)

// env builds an Env whose environment is vars only.
func testEnv(stdin string, vars map[string]string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(k string) string { return vars[k] },
	}, &out, &errOut
}

func TestConsoleThroughAPipe(t *testing.T) {
	data := t.TempDir()
	env, out, errOut := testEnv("/start\n/help\n", nil)
	code := Main(context.Background(), []string{"console", "--data", data}, env)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errOut)
	}
	got := out.String()
	start := strings.Index(got, "我是党务助手")
	help := strings.Index(got, "可用命令")
	if start < 0 || help < 0 || help < start {
		t.Fatalf("console output lacks the welcome then the help:\n%s", got)
	}
	if strings.Contains(got, "<b>") {
		t.Errorf("console printed raw HTML:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(data, "console.db")); err != nil {
		t.Errorf("console database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "dangwu.db")); err == nil {
		t.Errorf("the console created the real database")
	}
}

func TestConsolePressesButtonsByNumber(t *testing.T) {
	env, out, errOut := testEnv("[7]\n/start\n", nil)
	if code := Main(context.Background(), []string{"console", "--data", t.TempDir()}, env); code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errOut)
	}
	if !strings.Contains(out.String(), "没有编号为 7 的按钮") {
		t.Errorf("pressing a button that does not exist: %s", out)
	}
}

func TestRunWithoutTokenOffTerminal(t *testing.T) {
	env, _, errOut := testEnv("", nil)
	code := Main(context.Background(), []string{"--data", t.TempDir()}, env)
	if code == 0 {
		t.Fatal("run without a token and without a terminal exited 0")
	}
	for _, want := range []string{"TELEGRAM_BOT_TOKEN", "BotFather"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("advice lacks %q:\n%s", want, errOut)
		}
	}
}

func TestRunWithoutTokenOnTerminalOpensConsole(t *testing.T) {
	env, out, errOut := testEnv("/start\n", nil)
	env.IsTerminal = true
	if code := Main(context.Background(), []string{"--data", t.TempDir()}, env); code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "BotFather") || !strings.Contains(out.String(), "党务助手") {
		t.Errorf("want the advice, then the console chat; stderr:\n%s\nstdout:\n%s", errOut, out)
	}
}

func TestConfigPrecedenceAndValidation(t *testing.T) {
	vars := map[string]string{"DANGWU_DATA": "/env/data", "DANGWU_ADMINS": "1, 2", "DANGWU_SEND_RATE": "10", "TELEGRAM_BOT_TOKEN": "123:secret"}
	getenv := func(k string) string { return vars[k] }
	cfg, _, err := loadConfig("run", []string{"--data", "/flag/data"}, getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Data != "/flag/data" || cfg.Rate != 10 || len(cfg.Admins) != 2 || cfg.TZ != "Asia/Shanghai" {
		t.Errorf("config = %+v", cfg)
	}
	if s := cfg.String(); strings.Contains(s, "secret") || !strings.Contains(s, "token=(set)") {
		t.Errorf("config prints %q: the token must be redacted", s)
	}
	bad := []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--rate", "0"}, nil},
		{[]string{"--rate", "31"}, nil},
		{[]string{"--tz", "Mars/Olympus"}, nil},
		{[]string{"--api-url", "ftp://x"}, nil},
		{[]string{"--admins", "12,abc"}, nil},
		{nil, map[string]string{"DANGWU_ADMINS": "-5"}},
		{nil, map[string]string{"DANGWU_SEND_RATE": "fast"}},
	}
	for _, b := range bad {
		env := func(k string) string { return b.env[k] }
		if _, _, err := loadConfig("run", b.args, env, nil); err == nil {
			t.Errorf("args %v env %v: no error", b.args, b.env)
		}
	}
}

func TestUnknownSubcommand(t *testing.T) {
	env, _, errOut := testEnv("", nil)
	if code := Main(context.Background(), []string{"frobnicate"}, env); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "usage") {
		t.Errorf("no usage on stderr: %s", errOut)
	}
}

func TestRunAgainstABotAPIServer(t *testing.T) {
	srv := botapi.New(botapi.Options{Token: "42:run-test"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	data := t.TempDir()
	env, _, errOut := testEnv("", map[string]string{
		"TELEGRAM_BOT_TOKEN": "42:run-test",
		"TELEGRAM_API_URL":   srv.URL(),
		"DANGWU_ADMINS":      "5",
	})
	ctx, stop := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() { exit <- Main(ctx, []string{"--data", data}, env) }()

	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitPolling(wait); err != nil {
		t.Fatalf("the bot never polled: %v\n%s", err, errOut)
	}
	srv.PrivateText(5, "党费按什么比例交")
	if _, err := srv.WaitEvents(wait, 1, func(e botapi.Event) bool { return e.Kind == botapi.EventSend && e.ChatID == 5 }); err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if got := srv.Commands(botapi.BotCommandScope{Type: "chat", ChatID: 5}); len(got) == 0 {
		t.Error("the admin's chat has no command menu")
	}
	stop() // what SIGTERM does
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d after stopping; stderr:\n%s", code, errOut)
	}
	if strings.Contains(errOut.String(), "run-test") {
		t.Errorf("the token appears in the log:\n%s", errOut)
	}
	for _, f := range []string{"dangwu.db", "dangwu-index"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestBackupWhileTheDatabaseIsInUse(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close() // held open, as the running bot holds it
	if err := store.NewConversations(db).Save(ctx, 1, 1, store.Conversation{Flow: "register", Step: "name", Data: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "copy.db")
	env, out, errOut := testEnv("", nil)
	if code := Main(ctx, []string{"backup", "--data", data, target}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out.String(), target) {
		t.Errorf("stdout %q does not name the copy", out)
	}
	copyDB, err := store.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if c, err := store.NewConversations(copyDB).Get(ctx, 1, 1); err != nil || c.Step != "name" {
		t.Errorf("the copy holds %+v, %v", c, err)
	}

	env, _, errOut = testEnv("", nil)
	if code := Main(ctx, []string{"backup", "--data", data, target}, env); code != 1 || !strings.Contains(errOut.String(), "already exists") {
		t.Errorf("backup over an existing file: exit %d, %s", code, errOut)
	}
	env, _, _ = testEnv("", nil)
	if code := Main(ctx, []string{"backup", "--data", data}, env); code != 2 {
		t.Errorf("backup without a file: exit %d, want 2", code)
	}
	env, _, errOut = testEnv("", nil)
	if code := Main(ctx, []string{"backup", "--data", t.TempDir(), filepath.Join(t.TempDir(), "x.db")}, env); code != 1 || !strings.Contains(errOut.String(), "no database") {
		t.Errorf("backup of a folder without a database: exit %d, %s", code, errOut)
	}
}

func TestCheckContent(t *testing.T) {
	env, out, errOut := testEnv("", nil)
	if code := Main(context.Background(), []string{"check"}, env); code != 0 {
		t.Fatalf("the embedded content: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.HasPrefix(out.String(), "ok: ") {
		t.Errorf("check of good content printed %q", out)
	}

	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("knowledge/dues.md", "---\ntitle: 党费\nsource: 某文件\n---\n## 交纳比例\n按月交纳。\n")
	write("knowledge/broken.md", "---\ntitle: 未闭合\n")
	write("faq/dues.yaml", "- id: a\n  question: 党费怎么交\n  alternatives: [怎么交党费, 党费咋交]\n  answer: 按月交纳。\n  doc: dues\n  section: 交纳时间\n"+
		"- id: b\n  question: 另一个\n  alternatives: [x, y]\n  answer: 答。\n  doc: nosuch\n")
	write("synonyms.txt", "党费,党费\n孤零零\n")
	write("districts.yaml", "districts:\n  - name: 鼓楼区\n    aliases: [鼓楼区]\n  - name\n")
	env, out, errOut = testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", dir}, env); code != 1 {
		t.Fatalf("bad content: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"knowledge/broken.md:1: front matter is not closed",
		`faq/dues.yaml:1: faq a: doc "dues" has no section "交纳时间"`,
		`faq/dues.yaml:7: faq b: doc "nosuch" is not a knowledge document`,
		"synonyms.txt:2:",
		"districts.yaml",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

// TestRunHidesTheAPIURLPassword runs the bot through a Bot API URL with a user
// and password in it: neither the start-up line nor anything later shows the
// password.
func TestRunHidesTheAPIURLPassword(t *testing.T) {
	srv := botapi.New(botapi.Options{Token: "42:run-test"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env, _, errOut := testEnv("", map[string]string{
		"TELEGRAM_BOT_TOKEN": "42:run-test",
		"TELEGRAM_API_URL":   strings.Replace(srv.URL(), "://", "://user:secret@", 1),
	})
	ctx, stop := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() { exit <- Main(ctx, []string{"--data", t.TempDir()}, env) }()

	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitPolling(wait); err != nil {
		t.Fatalf("the bot never polled: %v", err)
	}
	stop()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d after stopping", code)
	}
	log := errOut.String()
	if !strings.Contains(log, "starting dangwu") || !strings.Contains(log, "api_url=http://***@127.0.0.1") {
		t.Errorf("the start-up line does not show the redacted API URL:\n%s", log)
	}
	if strings.Contains(log, "secret") || strings.Contains(log, "user:") || strings.Contains(log, "run-test") {
		t.Errorf("the log shows a secret:\n%s", log)
	}
}

// TestRunHidesSecretsInHTTPErrors starts against a Bot API URL where nothing
// listens: the error, which quotes the URL of the failed call, shows neither
// the URL's user and password nor the token in its path.
func TestRunHidesSecretsInHTTPErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	env, _, errOut := testEnv("", map[string]string{
		"TELEGRAM_BOT_TOKEN": "42:run-test",
		"TELEGRAM_API_URL":   "http://user:secret@" + addr + "/",
	})
	if code := Main(context.Background(), []string{"--data", t.TempDir()}, env); code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, errOut)
	}
	log := errOut.String()
	if !strings.Contains(log, "getMe") || !strings.Contains(log, "http://***@"+addr+"/bot***/") {
		t.Errorf("the log does not report the failed call with its URL redacted:\n%s", log)
	}
	if strings.Contains(log, "secret") || strings.Contains(log, "user:") || strings.Contains(log, "run-test") {
		t.Errorf("the log shows a secret:\n%s", log)
	}
}

func TestRedactURLs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"user and password", "https://user:secret@example.org/", "https://***@example.org/"},
		{"user only", "http://user@example.org", "http://***@example.org"},
		{"quoted in an error", `Post "https://u:p%40ss@h:8081/bot123:AA-b_c/getMe": dial tcp: refused`, `Post "https://***@h:8081/bot***/getMe": dial tcp: refused`},
		{"unparsable", "ftp://a:b@x y", "ftp://***@x y"},
		{"at sign in the path", "https://example.org/a@b", "https://example.org/a@b"},
		{"no URL", "user:secret@example.org", "user:secret@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactURLs(tt.in); got != tt.want {
				t.Errorf("redactURLs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	cfg, _, err := loadConfig("run", []string{"--api-url", "https://user:secret@example.org/"}, func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.String(); strings.Contains(s, "secret") || !strings.Contains(s, "api_url=https://***@example.org/") {
		t.Errorf("config prints %q", s)
	}
	_, _, err = loadConfig("run", []string{"--api-url", "ftp://user:secret@example.org/"}, func(string) string { return "" }, nil)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("a refused API URL: %v", err)
	}
}
