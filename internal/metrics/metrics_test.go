package metrics_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// value returns the value of the sample of family name whose labels include
// labels, and whether there is one.
func value(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metric:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue metric
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue(), true
			case m.Gauge != nil:
				return m.Gauge.GetValue(), true
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount()), true
			}
		}
	}
	return 0, false
}

func wantValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string, want float64) {
	t.Helper()
	got, ok := value(t, reg, name, labels)
	if !ok || got != want {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
	}
}

func TestHooksCount(t *testing.T) {
	m := metrics.New(metrics.Options{})
	reg := m.Registry()
	wantValue(t, reg, "dangwu_updates_total", map[string]string{"kind": "poll_answer"}, 0) // present from the start
	m.Handled("message", 30*time.Millisecond)
	m.Handled("message", 2*time.Second)
	m.Handled("callback_query", time.Millisecond)
	m.Answered(metrics.AnswerFound)
	m.Answered(metrics.AnswerNotFound)
	m.Answered(metrics.AnswerNotFound)
	m.QuizAnswered(true)
	m.QuizAnswered(false)
	m.QuizAnswered(false)
	m.WebhookRequest(http.StatusUnauthorized)
	wantValue(t, reg, "dangwu_updates_total", map[string]string{"kind": "message"}, 2)
	wantValue(t, reg, "dangwu_updates_total", map[string]string{"kind": "callback_query"}, 1)
	wantValue(t, reg, "dangwu_handler_duration_seconds", map[string]string{"kind": "message"}, 2)
	wantValue(t, reg, "dangwu_answers_total", map[string]string{"result": "found"}, 1)
	wantValue(t, reg, "dangwu_answers_total", map[string]string{"result": "not_found"}, 2)
	wantValue(t, reg, "dangwu_answers_total", map[string]string{"result": "unsure"}, 0)
	wantValue(t, reg, "dangwu_quiz_answers_total", map[string]string{"result": "right"}, 1)
	wantValue(t, reg, "dangwu_quiz_answers_total", map[string]string{"result": "wrong"}, 2)
	wantValue(t, reg, "dangwu_webhook_requests_total", map[string]string{"code": "401"}, 1)

	var none *metrics.Metrics // a nil Metrics counts nothing and does not panic
	none.Handled("message", time.Second)
	none.Answered(metrics.AnswerFound)
	none.QuizAnswered(true)
	none.WebhookRequest(200)
}

func TestTransportCountsBotAPIErrors(t *testing.T) {
	const token = "42:secret-token"
	srv := botapi.New(botapi.Options{Token: token})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	m := metrics.New(metrics.Options{})
	client := &http.Client{Transport: m.Transport(nil)}
	call := func(ctx context.Context, base, method string) error {
		form := url.Values{"chat_id": {"5"}, "text": {"你好"}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+token+"/"+method, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	ctx := context.Background()
	srv.FailNext("sendMessage", http.StatusTooManyRequests, "Too Many Requests: retry after 3", 3)
	srv.BlockBot(5)
	for range 3 {
		if err := call(ctx, srv.URL(), "sendMessage"); err != nil {
			t.Fatal(err)
		}
	}
	if err := call(ctx, srv.URL(), "getMe"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	if err := call(ctx, closed, "sendMessage"); err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := call(cancelled, srv.URL(), "getUpdates"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v", err)
	}

	reg := m.Registry()
	wantValue(t, reg, "dangwu_botapi_errors_total", map[string]string{"method": "sendMessage", "code": "429"}, 1)
	wantValue(t, reg, "dangwu_botapi_errors_total", map[string]string{"method": "sendMessage", "code": "403"}, 2)
	wantValue(t, reg, "dangwu_botapi_errors_total", map[string]string{"method": "sendMessage", "code": "network"}, 1)
	if _, ok := value(t, reg, "dangwu_botapi_errors_total", map[string]string{"method": "getMe"}); ok {
		t.Error("a successful call was counted as an error")
	}
	if _, ok := value(t, reg, "dangwu_botapi_errors_total", map[string]string{"method": "getUpdates"}); ok {
		t.Error("a call its caller cancelled was counted as an error")
	}
	body := scrape(t, m)
	if strings.Contains(body, "secret-token") {
		t.Errorf("the token appears in the metrics:\n%s", body)
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestStoreFiguresAreCountedAtScrapeTime(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	queries, fail := 0, false
	m := metrics.New(metrics.Options{
		Outbox: func(context.Context) (map[string]int, error) {
			mu.Lock()
			defer mu.Unlock()
			queries++
			if fail {
				return nil, errors.New("database is closed")
			}
			return map[string]int{"pending": 3, "sent": 10 * queries, "blocked": 2}, nil
		},
		Broadcasts: func(context.Context) ([]metrics.Broadcast, error) {
			return []metrics.Broadcast{{ID: 12, Sent: 40, Total: 100}}, nil
		},
		MinInterval: 5 * time.Second,
		Now:         clk.Now,
	})
	reg := m.Registry()
	wantValue(t, reg, "dangwu_outbox_messages", map[string]string{"status": "pending"}, 3)
	wantValue(t, reg, "dangwu_outbox_messages", map[string]string{"status": "blocked"}, 2)
	wantValue(t, reg, "dangwu_outbox_messages", map[string]string{"status": "uncertain"}, 0)
	wantValue(t, reg, "dangwu_outbox_messages", map[string]string{"status": "sent"}, 10)
	wantValue(t, reg, "dangwu_broadcasts_running", nil, 1)
	wantValue(t, reg, "dangwu_broadcast_messages_sent", map[string]string{"broadcast": "12"}, 40)
	wantValue(t, reg, "dangwu_broadcast_messages", map[string]string{"broadcast": "12"}, 100)
	wantValue(t, reg, "dangwu_metrics_source_up", map[string]string{"source": "outbox"}, 1)

	// Scrapes within MinInterval reuse the figures: the database is asked once.
	scrape(t, m)
	scrape(t, m)
	mu.Lock()
	if queries != 1 {
		t.Errorf("%d queries for scrapes within MinInterval, want 1", queries)
	}
	fail = true
	mu.Unlock()
	clk.Advance(5 * time.Second)
	wantValue(t, reg, "dangwu_metrics_source_up", map[string]string{"source": "outbox"}, 0)
	if _, ok := value(t, reg, "dangwu_outbox_messages", nil); ok {
		t.Error("outbox figures shown although the query failed")
	}
	body := scrape(t, m)
	for _, want := range []string{"go_goroutines", "process_", "dangwu_broadcast_messages_sent{broadcast=\"12\"} 40"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// scrape serves /metrics once and returns the body.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics answered %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}
