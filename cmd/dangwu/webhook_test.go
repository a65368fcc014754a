package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/store"
)

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// hookRequest sends body to the webhook with method and, if not "", the
// secret header, and returns the status.
func hookRequest(t *testing.T, method, url, secret string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// privateUpdate is an update with a private message from user, as Telegram sends it.
func privateUpdate(id, user int64, text string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1767225600,`+
		`"from":{"id":%d,"is_bot":false,"first_name":"测试"},"chat":{"id":%d,"type":"private","first_name":"测试"},"text":%q}}`,
		id, 900+id, user, user, text)
}

// TestWebhookMode runs the bot in webhook mode against the Bot API server,
// which delivers a user's messages to it: they are answered. Requests
// without the secret, or with a wrong one, are refused with 401 and change
// nothing, and so are requests that are no update; an update Telegram
// delivers twice is answered once.
func TestWebhookMode(t *testing.T) {
	const token = "42:hook-test"
	srv := botapi.New(botapi.Options{Token: token, WebhookRetry: 10 * time.Millisecond})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	listen := freeAddr(t)
	hookURL := "http://" + listen + "/telegram"
	data := t.TempDir()
	env, _, errOut := testEnv("", map[string]string{
		"TELEGRAM_BOT_TOKEN": token,
		"TELEGRAM_API_URL":   srv.URL(), // a self-hosted Bot API server: an http webhook is allowed
		"DANGWU_ADMINS":      "5",
		"DANGWU_WEBHOOK_URL": hookURL,
		"DANGWU_LISTEN":      listen,
	})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	exit := make(chan int, 1)
	go func() { exit <- Main(ctx, []string{"--data", data}, env) }()

	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitWebhook(wait); err != nil {
		stop()
		<-exit
		t.Fatalf("no webhook was set: %v\n%s", err, errOut)
	}
	gotURL, secret := srv.Webhook()
	if gotURL != hookURL || !validSecret(secret) || len(secret) < 32 {
		t.Fatalf("setWebhook got %q with a secret of %d characters; want %q and a generated secret", gotURL, len(secret), hookURL)
	}
	if got := srv.Calls("getUpdates"); got != 0 {
		t.Errorf("the bot called getUpdates %d times in webhook mode", got)
	}

	// Forgeries and bad requests, first: none of them may be handled.
	forged := privateUpdate(1000, 5, "/start")
	for _, tt := range []struct {
		name, method, secret string
		body                 []byte
		want                 int
	}{
		{"no secret", http.MethodPost, "", forged, http.StatusUnauthorized},
		{"a wrong secret", http.MethodPost, "wrong-secret", forged, http.StatusUnauthorized},
		{"a secret one character short", http.MethodPost, secret[:len(secret)-1], forged, http.StatusUnauthorized},
		{"GET", http.MethodGet, secret, nil, http.StatusMethodNotAllowed},
		{"malformed JSON", http.MethodPost, secret, []byte(`{"update_id":1001,"message":`), http.StatusBadRequest},
		{"no update_id", http.MethodPost, secret, []byte(`{"message":{"text":"x"}}`), http.StatusBadRequest},
		{"a body of 10 MB", http.MethodPost, secret, bytes.Repeat([]byte("x"), 10<<20), http.StatusRequestEntityTooLarge},
	} {
		if got := hookRequest(t, tt.method, hookURL, tt.secret, tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}

	// A user's message arrives by webhook and is answered.
	isSend := func(e botapi.Event) bool { return e.Kind == botapi.EventSend && e.ChatID == 5 }
	srv.PrivateText(5, "党费按什么比例交")
	if _, err := srv.WaitEvents(wait, 1, isSend); err != nil {
		t.Fatalf("no answer: %v", err)
	}
	attempts, err := srv.WaitWebhookAttempts(wait, 1, botapi.WebhookAttempt.OK)
	if err != nil || attempts[0].URL != hookURL {
		t.Fatalf("webhook deliveries %+v: %v", srv.WebhookAttempts(), err)
	}
	// Telegram delivers the same update again: it is not answered twice.
	if got := hookRequest(t, http.MethodPost, hookURL, secret, privateUpdate(attempts[0].UpdateID, 5, "党费按什么比例交")); got != http.StatusOK {
		t.Errorf("a repeated delivery: status %d, want 200", got)
	}
	// The next message of the chat is handled after anything queued before it.
	srv.PrivateText(5, "你好")
	events, err := srv.WaitEvents(wait, 2, isSend)
	if err != nil {
		t.Fatalf("no answer to the second message: %v", err)
	}
	if events[1].Message.Text == events[0].Message.Text {
		t.Errorf("the question was answered twice: %q", events[1].Message.Text)
	}

	stop() // what SIGTERM does
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d after stopping; stderr:\n%s", code, errOut)
	}
	var sends []string
	for _, e := range srv.Events() {
		if isSend(e) {
			sends = append(sends, e.Message.Text)
		}
	}
	if len(sends) != 2 {
		t.Errorf("chat 5 got %d messages, want the two answers:\n%s", len(sends), strings.Join(sends, "\n---\n"))
	}
	log := errOut.String()
	if strings.Contains(log, secret) || strings.Contains(log, "hook-test") {
		t.Errorf("the log shows the webhook secret or the token:\n%s", log)
	}
	for _, want := range []string{"webhook_secret=(generated)", "receiving updates by webhook", "wrong or missing secret"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	// The forged update never reached the inbox.
	db, err := store.Open(context.Background(), filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var forgedRows, total int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FILTER (WHERE update_id >= 1000), COUNT(*) FROM inbox`).Scan(&forgedRows, &total); err != nil {
		t.Fatal(err)
	}
	if forgedRows != 0 || total != 2 {
		t.Errorf("inbox holds %d forged updates and %d in all; want none forged, the two real ones", forgedRows, total)
	}
}

// TestPollingDeletesAWebhook starts in polling mode where a webhook is
// left from an earlier run: the bot deletes it, so getUpdates works.
func TestPollingDeletesAWebhook(t *testing.T) {
	const token = "42:poll-test"
	srv := botapi.New(botapi.Options{Token: token})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// A webhook nobody serves, as a previous run in webhook mode leaves it.
	form := "url=" + "http://" + freeAddr(t) + "/old"
	resp, err := http.Post(srv.URL()+"/bot"+token+"/setWebhook", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if u, _ := srv.Webhook(); u == "" {
		t.Fatal("the webhook was not set")
	}
	env, _, errOut := testEnv("", map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": srv.URL()})
	ctx, stop := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() { exit <- Main(ctx, []string{"--data", t.TempDir()}, env) }()
	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitPolling(wait); err != nil {
		stop()
		<-exit
		t.Fatalf("the bot never polled: %v\n%s", err, errOut)
	}
	srv.PrivateText(6, "你好")
	if _, err := srv.WaitEvents(wait, 1, func(e botapi.Event) bool { return e.Kind == botapi.EventSend && e.ChatID == 6 }); err != nil {
		t.Errorf("no answer after the webhook was deleted: %v", err)
	}
	stop()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if u, _ := srv.Webhook(); u != "" {
		t.Errorf("the webhook %q is still set", u)
	}
}
