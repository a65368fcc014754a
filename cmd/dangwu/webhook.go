package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/metrics"
	"golang.org/x/time/rate"
)

// secretHeader carries the webhook's secret in each request from Telegram.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxWebhookBody bounds a webhook request's body. An update is a message of
// at most 4,096 characters with its entities, a quoted message and a few
// users and chats: a few tens of kilobytes at most.
const maxWebhookBody = 1 << 20

// maxWebhookSecret is Telegram's limit on the secret's length.
const maxWebhookSecret = 256

// validateWebhook checks the webhook settings and generates the secret when
// it is unset. The secret itself is never part of an error.
func (c *Config) validateWebhook() []error {
	var errs []error
	if c.WebhookSecret != "" && !validSecret(c.WebhookSecret) {
		errs = append(errs, fmt.Errorf("DANGWU_WEBHOOK_SECRET: must be 1–%d characters of A–Z a–z 0–9 _ - (Telegram's rule); it has %d characters",
			maxWebhookSecret, len(c.WebhookSecret)))
	}
	if c.Webhook == "" {
		return errs
	}
	u, err := url.Parse(c.Webhook)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		errs = append(errs, fmt.Errorf("--webhook %q: must be an https URL", redactURLs(c.Webhook)))
	case u.Scheme == "http" && c.APIURL == "":
		// Telegram posts only to https; a self-hosted telegram-bot-api
		// (--api-url) may post to http.
		errs = append(errs, fmt.Errorf("--webhook %q: Telegram posts only to https URLs (http only with a self-hosted Bot API server, --api-url)",
			redactURLs(c.Webhook)))
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || !validPort(port) {
		errs = append(errs, fmt.Errorf("--listen %q: want HOST:PORT or :PORT", c.Listen))
	}
	if c.WebhookSecret == "" {
		secret, err := newWebhookSecret()
		if err != nil {
			errs = append(errs, err)
		}
		c.WebhookSecret, c.secretGenerated = secret, true
	}
	return errs
}

// validSecret reports whether s is 1–256 characters of A–Z a–z 0–9 _ -.
func validSecret(s string) bool {
	if s == "" || len(s) > maxWebhookSecret {
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

// newWebhookSecret returns 256 random bits as 43 characters of Telegram's
// alphabet for secrets (URL-safe base64 is exactly A–Z a–z 0–9 - _).
func newWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate the webhook secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// secretState says how the webhook secret was set, for printing the config.
func (c Config) secretState() string {
	switch {
	case c.WebhookSecret == "":
		return "(unset)"
	case c.secretGenerated:
		return "(generated)"
	}
	return "(set)"
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// webhookHandler receives Telegram's webhook requests: it answers 405 to
// anything but POST, 401 to a wrong or missing secret (and reads nothing
// further), 413 to a body over maxWebhookBody, 400 to a body that is not
// an update, 503 while the bot is not taking updates (Telegram tries again),
// 500 when the update could not be stored (likewise), and 200 once the
// update is stored and queued.
type webhookHandler struct {
	secret  string
	deliver func(r *http.Request, payload []byte) error
	metrics *metrics.Metrics // nil: nothing counted
	log     *slog.Logger
	// refusals logs a refused request at most once a minute, so that a
	// flood of forgeries cannot fill the log (the metrics count them all).
	refusals rate.Sometimes
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status := h.serve(w, r)
	h.metrics.WebhookRequest(status)
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	http.Error(w, http.StatusText(status), status)
}

func (h *webhookHandler) serve(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed
	}
	got := r.Header.Get(secretHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(h.secret)) != 1 {
		h.refusals.Do(func() { h.log.Warn("webhook request refused: wrong or missing secret", "remote", r.RemoteAddr) })
		return http.StatusUnauthorized
	}
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.refusals.Do(func() {
			h.log.Warn("webhook request refused: body too large", "remote", r.RemoteAddr, "limit", maxWebhookBody)
		})
		return http.StatusRequestEntityTooLarge
	case err != nil:
		return http.StatusBadRequest
	}
	switch err := h.deliver(r, payload); {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, bot.ErrBadUpdate):
		h.refusals.Do(func() { h.log.Warn("webhook request refused: not an update", "remote", r.RemoteAddr, "err", err) })
		return http.StatusBadRequest
	case errors.Is(err, bot.ErrNotReceiving), r.Context().Err() != nil:
		return http.StatusServiceUnavailable
	default:
		h.log.Error("webhook update not stored; Telegram will send it again", "err", err)
		return http.StatusInternalServerError
	}
}
