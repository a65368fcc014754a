package botapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Webhooks. While a webhook is set, getUpdates answers 409 Conflict, as on Telegram, and
// the server POSTs each queued update to the webhook's URL as JSON, with the secret token
// in the X-Telegram-Bot-Api-Secret-Token header. Deliveries go one at a time, in update
// order: an update is dropped from the queue once the bot answers it with a 2xx status,
// and retried otherwise — after Options.WebhookRetry, then twice as long each time, up to
// a minute — until it is accepted, the webhook is deleted or the server closes. Telegram
// itself may deliver several updates at once (max_connections) and gives up on an update
// after a while; one at a time and no giving up keep tests deterministic. Unlike Telegram,
// plain http URLs are accepted (as a self-hosted telegram-bot-api accepts them), so a test
// can serve the webhook without a certificate.

// SecretHeader is the header that carries the webhook's secret token.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

const (
	// webhookTimeout bounds one delivery, as Telegram's own wait for the bot's answer.
	webhookTimeout = 60 * time.Second
	// maxWebhookRetry is the longest wait between two attempts of one delivery.
	maxWebhookRetry = time.Minute
	// maxSecretToken is the longest secret token setWebhook accepts.
	maxSecretToken = 256
)

// WebhookAttempt is one delivery of an update to the webhook.
type WebhookAttempt struct {
	Seq      int // position in the log, from 1
	Time     time.Time
	URL      string
	UpdateID int64
	// Status is the HTTP status the bot answered, 0 when the request failed.
	Status int
	// Err says why the attempt failed: the status, or the request's error; "" on success.
	Err string
}

// OK reports whether the bot accepted the update.
func (a WebhookAttempt) OK() bool { return a.Err == "" }

// webhookState is the webhook's part of updateQueue, guarded by Server.mu.
type webhookState struct {
	secret string
	// gen counts setWebhook and deleteWebhook calls: a delivery loop stops when it changes.
	gen      int
	changed  signal
	attempts []WebhookAttempt
	tried    signal // broadcast after each attempt
}

var (
	errWebhookHTTPS = badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	errSecretToken  = badRequest("secret token contains unallowed characters")
	// errSecretTooLong is this package's own wording.
	errSecretTooLong = badRequest("secret token is too long")
)

// validSecretToken reports whether s is 1–256 characters of A–Z a–z 0–9 _ -.
func validSecretToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// setWebhook sets (or, with an empty url, removes) the webhook and starts delivering the
// queued updates to it.
func (s *Server) setWebhook(_ context.Context, p Params) (any, *APIError) {
	var allowed []string
	hasAllowed, apiErr := p.json("allowed_updates", &allowed)
	if apiErr != nil {
		return nil, apiErr
	}
	rawURL := p.Get("url")
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errWebhookHTTPS
		}
	}
	secret := p.Get("secret_token")
	switch {
	case len(secret) > maxSecretToken:
		return nil, errSecretTooLong
	case secret != "" && !validSecretToken(secret):
		return nil, errSecretToken
	}
	maxConn := 40
	if p.Has("max_connections") {
		n, apiErr := p.int("max_connections")
		if apiErr != nil {
			return nil, apiErr
		}
		maxConn = min(max(n, 1), 100)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &s.updates
	if hasAllowed {
		q.allowed = allowed
	}
	if p.bool("drop_pending_updates") {
		q.pending = nil
	}
	q.webhook = WebhookInfo{URL: rawURL, MaxConnections: maxConn}
	q.hook.secret = secret
	s.restartDeliveryLocked()
	if rawURL != "" && q.poll != nil {
		close(q.poll) // a waiting long poll answers 409 Conflict
		q.poll = nil
	}
	return true, nil
}

// deleteWebhook removes the webhook, dropping pending updates if asked to.
func (s *Server) deleteWebhook(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &s.updates
	q.webhook = WebhookInfo{}
	q.hook.secret = ""
	if p.bool("drop_pending_updates") {
		q.pending = nil
	}
	s.restartDeliveryLocked()
	return true, nil
}

// restartDeliveryLocked stops the delivery loop of the previous webhook, if any, and
// starts one for the current webhook, if set.
func (s *Server) restartDeliveryLocked() {
	q := &s.updates
	q.hook.gen++
	q.hook.changed.broadcast()
	if q.webhook.URL != "" {
		go s.deliverLoop(q.hook.gen)
	}
}

// getWebhookInfo reports the webhook: its URL, the updates waiting and the last error.
func (s *Server) getWebhookInfo(context.Context, Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := s.updates.webhook
	info.PendingUpdateCount = len(s.updates.pending)
	info.AllowedUpdates = slices.Clone(s.updates.allowed)
	if info.URL == "" {
		info.MaxConnections = 0
	}
	return info, nil
}

// deliverLoop delivers the queued updates to the webhook of generation gen, one at a
// time, until the webhook changes or the server closes; either cancels a delivery under way.
func (s *Server) deliverLoop(gen int) {
	s.mu.Lock()
	if s.updates.hook.gen != gen {
		s.mu.Unlock()
		return
	}
	changed := s.updates.hook.changed.wait() // only setWebhook and deleteWebhook broadcast it
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closing:
		case <-changed:
		case <-ctx.Done():
		}
		cancel()
	}()
	retry := time.Duration(0)
	for ctx.Err() == nil {
		s.mu.Lock()
		q := &s.updates
		s.expirePollsLocked() // a timed poll that closed meanwhile sends its poll update now
		if len(q.pending) == 0 {
			arrived := q.arrived.wait()
			s.mu.Unlock()
			select {
			case <-arrived:
			case <-ctx.Done():
				return
			}
			continue
		}
		u, target, secret := q.pending[0], q.webhook.URL, q.hook.secret
		s.mu.Unlock()

		attempt := s.post(ctx, target, secret, u)
		if ctx.Err() != nil {
			return // the webhook changed or the server is closing: nobody reads the answer
		}
		s.mu.Lock()
		if q.hook.gen != gen {
			s.mu.Unlock()
			return
		}
		attempt.Seq = len(q.hook.attempts) + 1
		q.hook.attempts = append(q.hook.attempts, attempt)
		q.hook.tried.broadcast()
		if attempt.OK() {
			q.pending = slices.DeleteFunc(q.pending, func(p Update) bool { return p.UpdateID == u.UpdateID })
		} else {
			q.webhook.LastErrorDate = attempt.Time.Unix()
			q.webhook.LastErrorMessage = attempt.Err
		}
		s.mu.Unlock()
		if attempt.OK() {
			retry = 0
			continue
		}
		retry = min(max(2*retry, s.webhookRetry), maxWebhookRetry)
		t := time.NewTimer(retry)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
}

// post delivers one update and reports how it went.
func (s *Server) post(ctx context.Context, target, secret string, u Update) (a WebhookAttempt) {
	a = WebhookAttempt{URL: target, UpdateID: u.UpdateID}
	defer func() { a.Time = s.now() }()
	body, err := json.Marshal(u)
	if err != nil {
		a.Err = err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		a.Err = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	resp, err := s.hookClient.Do(req)
	if err != nil {
		a.Err = err.Error()
		return a
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // a method call in the answer is not run
	a.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.Err = fmt.Sprintf("Wrong response from the webhook: %s", resp.Status)
	}
	return a
}

// Webhook returns the webhook's URL and secret token as the bot set them ("" when none).
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updates.webhook.URL, s.updates.hook.secret
}

// WaitWebhook blocks until a webhook is set, or ctx ends, or the server closes (ErrClosed).
func (s *Server) WaitWebhook(ctx context.Context) error {
	for {
		s.mu.Lock()
		set, changed := s.updates.webhook.URL != "", s.updates.hook.changed.wait()
		s.mu.Unlock()
		if set {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return ErrClosed
		}
	}
}

// WebhookAttempts returns every delivery attempt so far, oldest first.
func (s *Server) WebhookAttempts() []WebhookAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.updates.hook.attempts)
}

// WaitWebhookAttempts blocks until n delivery attempts satisfy match (nil matches all),
// counting those made before the call, and returns the first n of them. It returns what it
// found with ctx's error when ctx ends first, or with ErrClosed when the server closes.
func (s *Server) WaitWebhookAttempts(ctx context.Context, n int, match func(WebhookAttempt) bool) ([]WebhookAttempt, error) {
	for {
		s.mu.Lock()
		var found []WebhookAttempt
		for _, a := range s.updates.hook.attempts {
			if match == nil || match(a) {
				found = append(found, a)
			}
		}
		more := s.updates.hook.tried.wait()
		s.mu.Unlock()
		if len(found) >= n {
			return found[:n], nil
		}
		select {
		case <-more:
		case <-ctx.Done():
			return found, ctx.Err()
		case <-s.closing:
			return found, ErrClosed
		}
	}
}
