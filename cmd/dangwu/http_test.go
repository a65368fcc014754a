package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
)

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// sample finds the value of the sample named exactly series (name and
// labels as printed) in a Prometheus text exposition.
func sample(body, series string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// TestHealthAndMetrics runs the bot with --http: after a question through
// the Bot API server, /metrics shows the update, its handling time and
// the answer; a Bot API call that failed; the outbox counted from the
// database; and the Go and process collectors. /healthz answers ok.
func TestHealthAndMetrics(t *testing.T) {
	const token = "42:metrics-test"
	srv := botapi.New(botapi.Options{Token: token})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.FailNext("setMyCommands", http.StatusInternalServerError, "Internal Server Error", 0)
	addr := freeAddr(t)
	env, _, errOut := testEnv("", map[string]string{
		"TELEGRAM_BOT_TOKEN": token,
		"TELEGRAM_API_URL":   srv.URL(),
		"DANGWU_HTTP":        addr,
	})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	exit := make(chan int, 1)
	go func() { exit <- Main(ctx, []string{"--data", t.TempDir()}, env) }()
	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitPolling(wait); err != nil {
		stop()
		<-exit
		t.Fatalf("the bot never polled: %v\n%s", err, errOut)
	}
	base := "http://" + addr
	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q, want 200 ok", code, body)
	}

	isSend := func(e botapi.Event) bool { return e.Kind == botapi.EventSend && e.ChatID == 7 }
	srv.PrivateText(7, "党费按什么比例交")
	// The chat's next update is handled after the first is counted.
	srv.PrivateText(7, "你好")
	if _, err := srv.WaitEvents(wait, 2, isSend); err != nil {
		t.Fatalf("no answers: %v", err)
	}
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	for _, tt := range []struct {
		series  string
		atLeast float64
	}{
		{`dangwu_updates_total{kind="message"}`, 1},
		{`dangwu_handler_duration_seconds_count{kind="message"}`, 1},
		{`dangwu_answers_total{result="found"}`, 1},
		{`dangwu_quiz_answers_total{result="right"}`, 0},
		{`dangwu_botapi_errors_total{code="500",method="setMyCommands"}`, 1},
		{`dangwu_outbox_messages{status="pending"}`, 0},
		{`dangwu_outbox_messages{status="blocked"}`, 0},
		{`dangwu_broadcasts_running`, 0},
		{`dangwu_metrics_source_up{source="outbox"}`, 1},
		{`go_goroutines`, 1},
		{`process_resident_memory_bytes`, 1},
	} {
		v, ok := sample(body, tt.series)
		if !ok || v < tt.atLeast {
			t.Errorf("%s = %v (present %v), want at least %v", tt.series, v, ok, tt.atLeast)
		}
	}
	if strings.Contains(body, "metrics-test") {
		t.Error("the token appears in the metrics")
	}
	if code, _ := get(t, base+"/nothing"); code != http.StatusNotFound {
		t.Errorf("an unknown path: %d, want 404", code)
	}

	stop()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "http="+addr) {
		t.Errorf("the start-up line does not show the address:\n%s", errOut)
	}
}

// TestHealthzReportsAClosedStore serves /healthz from an app whose
// database is then closed: it turns 503 and says what failed.
func TestHealthzReportsAClosedStore(t *testing.T) {
	cfg, _, err := loadConfig("run", []string{"--data", t.TempDir()}, func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), cfg, "dangwu", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := a.operatorHandler()
	call := func(method, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := call(http.MethodGet, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz of a working app: %d %q", code, body)
	}
	if code, _ := call(http.MethodPost, "/healthz"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d, want 405", code)
	}
	if code, _ := call(http.MethodGet, "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics without metrics: %d, want 404", code)
	}
	a.db.Close()
	code, body := call(http.MethodGet, "/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store:") || !strings.Contains(body, "search:") {
		t.Errorf("/healthz with the database closed: %d %q, want 503 naming the store and the search", code, body)
	}
}

func TestServingConfig(t *testing.T) {
	load := func(args []string, env map[string]string) (Config, error) {
		cfg, _, err := loadConfig("run", args, func(k string) string { return env[k] }, nil)
		return cfg, err
	}
	for _, tt := range []struct{ in, want string }{
		{":9090", "127.0.0.1:9090"},
		{"0.0.0.0:9090", "0.0.0.0:9090"},
		{"[::1]:9090", "[::1]:9090"},
		{"", ""},
	} {
		cfg, err := load([]string{"--http", tt.in}, nil)
		if err != nil || cfg.HTTP != tt.want {
			t.Errorf("--http %q: %q, %v; want %q", tt.in, cfg.HTTP, err, tt.want)
		}
	}
	cfg, err := load(nil, map[string]string{"DANGWU_HTTP": ":9100"})
	if err != nil || cfg.HTTP != "127.0.0.1:9100" {
		t.Errorf("DANGWU_HTTP :9100: %q, %v", cfg.HTTP, err)
	}

	cfg, err = load([]string{"--webhook", "https://bot.example.org/tg"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != ":8443" || !validSecret(cfg.WebhookSecret) || len(cfg.WebhookSecret) != 43 {
		t.Errorf("webhook defaults: listen %q, a secret of %d characters", cfg.Listen, len(cfg.WebhookSecret))
	}
	if s := cfg.String(); strings.Contains(s, cfg.WebhookSecret) || !strings.Contains(s, "webhook_secret=(generated)") {
		t.Errorf("config prints %q", s)
	}
	other, _ := load([]string{"--webhook", "https://bot.example.org/tg"}, nil)
	if other.WebhookSecret == cfg.WebhookSecret {
		t.Error("two starts generated the same secret")
	}
	const given = "Given_secret-0123456789"
	cfg, err = load([]string{"--webhook", "https://bot.example.org/tg", "--listen", "127.0.0.1:8443"},
		map[string]string{"DANGWU_WEBHOOK_SECRET": given})
	if err != nil || cfg.WebhookSecret != given || !strings.Contains(cfg.String(), "webhook_secret=(set)") {
		t.Errorf("a given secret: %q, %v, %s", cfg.WebhookSecret, err, cfg)
	}
	if got := cfg.redactSecrets("posted with " + given); strings.Contains(got, given) {
		t.Errorf("the secret is not redacted from logs: %q", got)
	}

	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"http without a port", []string{"--http", "localhost"}, nil, "--http"},
		{"http with a bad port", []string{"--http", ":http-alt"}, nil, "--http"},
		{"webhook not a URL", []string{"--webhook", "bot.example.org"}, nil, "https"},
		{"webhook over ftp", []string{"--webhook", "ftp://bot.example.org/"}, nil, "https"},
		{"webhook over http to Telegram", []string{"--webhook", "http://bot.example.org/"}, nil, "https"},
		{"listen without a port", []string{"--webhook", "https://bot.example.org/", "--listen", "8443"}, nil, "--listen"},
		{"secret with a colon", []string{"--webhook", "https://bot.example.org/"}, map[string]string{"DANGWU_WEBHOOK_SECRET": "123:abc"}, "A–Z a–z 0–9 _ -"},
		{"secret with a space", nil, map[string]string{"DANGWU_WEBHOOK_SECRET": "two words"}, "DANGWU_WEBHOOK_SECRET"},
		{"secret too long", nil, map[string]string{"DANGWU_WEBHOOK_SECRET": strings.Repeat("s", 257)}, "257 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.args, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			if s := tt.env["DANGWU_WEBHOOK_SECRET"]; s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
	// http is fine with a self-hosted Bot API server.
	if _, err := load([]string{"--webhook", "http://10.0.0.5:8080/tg", "--api-url", "http://10.0.0.5:8081"}, nil); err != nil {
		t.Errorf("an http webhook with a self-hosted Bot API server: %v", err)
	}
}
