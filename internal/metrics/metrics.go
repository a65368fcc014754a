// Package metrics holds dangwu's Prometheus metrics, in a registry of its own
// served at /metrics: counters the bot moves through small hooks (updates,
// handler latency, answers, quiz answers, Bot API errors, webhook requests),
// figures counted from the database when scraped (outbox messages by status,
// the progress of running broadcasts), and the Go and process collectors.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "dangwu"

// Results of a question, for Answered.
const (
	AnswerFound    = "found"     // an answer presented as reliable
	AnswerUnsure   = "unsure"    // results, none reliable enough
	AnswerNotFound = "not_found" // nothing
)

// UpdateKinds are the kinds of update the bot receives, as allowed_updates
// spells them; their counters start at zero.
var UpdateKinds = []string{"message", "edited_message", "callback_query", "inline_query", "poll_answer", "my_chat_member"}

// OutboxStatuses are the statuses the outbox gauge always reports (zero when
// none): "failed" leaves out the messages to people who blocked the bot,
// which are "blocked", so the statuses add up to all the messages kept.
var OutboxStatuses = []string{"pending", "sending", "sent", "failed", "blocked", "uncertain", "cancelled"}

// Broadcast is the progress of one broadcast being delivered.
type Broadcast struct {
	ID int64
	// Sent counts its messages Telegram accepted; Total all its messages.
	Sent, Total int
}

// Options say where the figures counted at scrape time come from.
type Options struct {
	// Outbox counts the outbox's messages by status (OutboxStatuses); nil
	// leaves them out.
	Outbox func(ctx context.Context) (map[string]int, error)
	// Broadcasts reports the broadcasts with messages still to send; nil
	// leaves them out.
	Broadcasts func(ctx context.Context) ([]Broadcast, error)
	// Timeout bounds the queries of one scrape (default 5 s).
	Timeout time.Duration
	// MinInterval is how long the figures of one scrape are reused, so that
	// a client hammering /metrics does not query the database each time
	// (default 2 s).
	MinInterval time.Duration
	// Log reports failed queries (default: discard).
	Log *slog.Logger
	// Now is the clock of MinInterval (default time.Now).
	Now func() time.Time
}

// Metrics are dangwu's metrics. Its methods are safe for concurrent use; a
// nil *Metrics counts nothing.
type Metrics struct {
	reg       *prometheus.Registry
	updates   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	answers   *prometheus.CounterVec
	quiz      *prometheus.CounterVec
	apiErrors *prometheus.CounterVec
	webhook   *prometheus.CounterVec
}

// New registers the metrics, the Go and process collectors and the
// database figures of o in a new registry.
func New(o Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "updates_total",
			Help: "Updates handled, by kind (message, callback_query, inline_query, poll_answer, my_chat_member ...).",
		}, []string{"kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "handler_duration_seconds",
			Help:    "Time the bot took to handle an update, by kind.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"kind"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "answers_total",
			Help: "Questions searched, by result: found (a reliable answer), unsure, not_found.",
		}, []string{"result"}),
		quiz: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "quiz_answers_total",
			Help: "Quiz questions answered (practice, daily set, review, exams), by result: right, wrong.",
		}, []string{"result"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "botapi_errors_total",
			Help: "Bot API calls that failed, by method and code: the HTTP status (Telegram's error_code), or network.",
		}, []string{"method", "code"}),
		webhook: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_requests_total",
			Help: "Requests to the webhook, by the HTTP status answered (401: wrong or missing secret).",
		}, []string{"code"}),
	}
	for _, k := range UpdateKinds {
		m.updates.WithLabelValues(k)
		m.latency.WithLabelValues(k)
	}
	for _, r := range []string{AnswerFound, AnswerUnsure, AnswerNotFound} {
		m.answers.WithLabelValues(r)
	}
	m.quiz.WithLabelValues("right")
	m.quiz.WithLabelValues("wrong")
	m.reg.MustRegister(m.updates, m.latency, m.answers, m.quiz, m.apiErrors, m.webhook,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newStoreCollector(o))
	return m
}

// Handler serves the metrics in Prometheus's text format. At most a few
// scrapes run at once; more are answered 503.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// Registry is where the metrics are registered, for tests to gather.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handled counts an update of kind handled in took.
func (m *Metrics) Handled(kind string, took time.Duration) {
	if m == nil {
		return
	}
	m.updates.WithLabelValues(kind).Inc()
	m.latency.WithLabelValues(kind).Observe(took.Seconds())
}

// Answered counts a question searched, by result (AnswerFound, AnswerUnsure
// or AnswerNotFound).
func (m *Metrics) Answered(result string) {
	if m == nil {
		return
	}
	m.answers.WithLabelValues(result).Inc()
}

// QuizAnswered counts a quiz question answered.
func (m *Metrics) QuizAnswered(correct bool) {
	if m == nil {
		return
	}
	result := "wrong"
	if correct {
		result = "right"
	}
	m.quiz.WithLabelValues(result).Inc()
}

// WebhookRequest counts a webhook request answered with status.
func (m *Metrics) WebhookRequest(status int) {
	if m == nil {
		return
	}
	m.webhook.WithLabelValues(strconv.Itoa(status)).Inc()
}
