package botapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
)

// hookReceiver is a webhook endpoint that records what arrives and answers with the
// statuses it is given, in turn (200 once they run out).
type hookReceiver struct {
	mu       sync.Mutex
	statuses []int
	got      []hookRequest
}

type hookRequest struct {
	secret      string
	contentType string
	update      botapi.Update
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var u botapi.Update
	_ = json.Unmarshal(body, &u)
	h.mu.Lock()
	h.got = append(h.got, hookRequest{secret: r.Header.Get(botapi.SecretHeader), contentType: r.Header.Get("Content-Type"), update: u})
	status := http.StatusOK
	if len(h.statuses) > 0 {
		status, h.statuses = h.statuses[0], h.statuses[1:]
	}
	h.mu.Unlock()
	w.WriteHeader(status)
}

func (h *hookReceiver) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.got...)
}

func TestWebhookDeliversInOrderAndRetries(t *testing.T) {
	s := mustStart(t, botapi.Options{WebhookRetry: time.Millisecond})
	recv := &hookReceiver{statuses: []int{http.StatusInternalServerError, http.StatusUnauthorized}}
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)

	s.PrivateText(1, "一") // queued before the webhook: delivered once it is set
	wantOK(t, call(t, s, "setWebhook", map[string]string{"url": hook.URL + "/hook", "secret_token": "s3cret_-X"}), nil)
	if url, secret := s.Webhook(); url != hook.URL+"/hook" || secret != "s3cret_-X" {
		t.Errorf("Webhook() = %q, %q", url, secret)
	}
	s.PrivateText(1, "二")
	ctx := ctxTimeout(t, 10*time.Second)
	attempts, err := s.WaitWebhookAttempts(ctx, 2, botapi.WebhookAttempt.OK)
	if err != nil {
		t.Fatalf("deliveries: %v; attempts %+v", err, s.WebhookAttempts())
	}
	all := s.WebhookAttempts()
	wantIDs := []int64{1, 1, 1, 2}
	if len(all) != len(wantIDs) {
		t.Fatalf("attempts %+v, want updates %v", all, wantIDs)
	}
	for i, a := range all {
		if a.UpdateID != wantIDs[i] {
			t.Errorf("attempt %d delivered update %d, want %d", i+1, a.UpdateID, wantIDs[i])
		}
	}
	if all[0].Status != 500 || all[0].OK() || all[1].Status != 401 || all[1].OK() || !all[2].OK() {
		t.Errorf("attempts %+v: want 500, 401, then accepted", all)
	}
	if attempts[1].UpdateID != 2 {
		t.Errorf("second accepted delivery is update %d", attempts[1].UpdateID)
	}
	for i, r := range recv.requests() {
		if r.secret != "s3cret_-X" || r.contentType != "application/json" {
			t.Errorf("request %d: secret %q, content type %q", i+1, r.secret, r.contentType)
		}
	}
	reqs := recv.requests()
	if last := reqs[len(reqs)-1].update; last.Message == nil || last.Message.Text != "二" {
		t.Errorf("last delivery %+v", last)
	}

	var info botapi.WebhookInfo
	wantOK(t, call(t, s, "getWebhookInfo", nil), &info)
	if info.PendingUpdateCount != 0 || info.LastErrorDate == 0 || !strings.Contains(info.LastErrorMessage, "401") || info.MaxConnections != 40 {
		t.Errorf("webhook info after the deliveries = %+v", info)
	}
	wantRefusal(t, call(t, s, "getUpdates", nil), http.StatusConflict,
		"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")

	// After deleteWebhook the updates wait for getUpdates again.
	wantOK(t, call(t, s, "deleteWebhook", nil), nil)
	s.PrivateText(1, "三")
	if got := poll(t, s, nil); len(got) != 1 || got[0] != 3 {
		t.Errorf("getUpdates after deleteWebhook: %v", got)
	}
	if n := len(s.WebhookAttempts()); n != len(wantIDs) {
		t.Errorf("%d attempts after deleteWebhook, want %d", n, len(wantIDs))
	}
}

func TestSetWebhookRefusals(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	for _, tt := range []struct {
		name   string
		fields map[string]string
		want   string
	}{
		{"not http", map[string]string{"url": "ftp://example.com/hook"}, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
		{"no host", map[string]string{"url": "https:///hook"}, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
		{"colon in the secret", map[string]string{"url": "https://example.com/", "secret_token": "123:abc"}, "Bad Request: secret token contains unallowed characters"},
		{"space in the secret", map[string]string{"url": "https://example.com/", "secret_token": "a b"}, "Bad Request: secret token contains unallowed characters"},
		{"secret too long", map[string]string{"url": "https://example.com/", "secret_token": strings.Repeat("a", 257)}, "Bad Request: secret token is too long"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantRefusal(t, call(t, s, "setWebhook", tt.fields), http.StatusBadRequest, tt.want)
		})
	}
	if url, _ := s.Webhook(); url != "" {
		t.Errorf("a refused setWebhook set %q", url)
	}
}

func TestSetWebhookEndsAWaitingLongPoll(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	got := callAsync(s, "getUpdates", map[string]string{"timeout": "30"})
	if err := s.WaitPolling(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(&hookReceiver{})
	t.Cleanup(hook.Close)
	wantOK(t, call(t, s, "setWebhook", map[string]string{"url": hook.URL}), nil)
	wantRefusal(t, <-got, http.StatusConflict,
		"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
}
