package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/metrics"
	"golang.org/x/time/rate"
)

// The HTTP side of `dangwu run`: /healthz and /metrics on --http, and the
// webhook server on --listen in webhook mode.

var _ bot.Observer = (*metrics.Metrics)(nil)

// healthTimeout bounds the checks of one /healthz request.
const healthTimeout = 3 * time.Second

// healthQuestion is what /healthz searches for: any question will do.
const healthQuestion = "党费"

// validateServing checks --http, --webhook, --listen and the webhook
// secret. An --http address without a host binds the loopback interface:
// metrics are for the operator, and exposing them takes an explicit host.
func (c *Config) validateServing() []error {
	var errs []error
	if c.HTTP != "" {
		host, port, err := net.SplitHostPort(c.HTTP)
		if err != nil || !validPort(port) {
			errs = append(errs, fmt.Errorf("--http %q: want HOST:PORT, or :PORT for 127.0.0.1:PORT", c.HTTP))
		} else if host == "" {
			c.HTTP = net.JoinHostPort("127.0.0.1", port)
		}
	}
	return append(errs, c.validateWebhook()...)
}

// orOff prints an empty setting as off.
func orOff(s string) string {
	if s == "" {
		return "(off)"
	}
	return s
}

// observer is the bot's Observer: the metrics, when they are on.
func (a *app) observer() bot.Observer {
	if a.metrics == nil {
		return nil
	}
	return a.metrics
}

// botHTTPClient is the bot's HTTP client: with the metrics on, one that
// counts failed Bot API calls; otherwise nil, the bot's default.
func (a *app) botHTTPClient() *http.Client {
	if a.metrics == nil {
		return nil
	}
	// The bot's default timeout: its 50 s long poll and 10 s to spare.
	return &http.Client{Transport: a.metrics.Transport(bot.NewTransport()), Timeout: time.Minute}
}

// newMetrics makes the metrics, with the outbox and broadcast figures
// counted from the database when scraped.
func (a *app) newMetrics() *metrics.Metrics {
	return metrics.New(metrics.Options{
		Outbox: a.db.OutboxStatusCounts,
		Broadcasts: func(ctx context.Context) ([]metrics.Broadcast, error) {
			running, err := a.db.RunningBroadcasts(ctx)
			out := make([]metrics.Broadcast, len(running))
			for i, p := range running {
				out[i] = metrics.Broadcast{ID: p.ID, Sent: p.Sent, Total: p.Total}
			}
			return out, err
		},
		Log: a.log.With("component", "metrics"),
	})
}

// operatorHandler serves /healthz and, with the metrics on, /metrics.
func (a *app) operatorHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	if a.metrics != nil {
		mux.Handle("GET /metrics", a.metrics.Handler())
	}
	return mux
}

// healthz answers 200 "ok" when the database answers a query and the
// search index a search, each within healthTimeout, and 503 with what
// failed otherwise.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	var failed []string
	if err := a.db.Ping(ctx); err != nil {
		failed = append(failed, "store: "+err.Error())
	}
	if a.kb == nil {
		failed = append(failed, "search: no index")
	} else if _, err := a.kb.Search(ctx, healthQuestion, 1); err != nil {
		failed = append(failed, "search: "+err.Error())
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if len(failed) > 0 {
		a.log.Warn("health check failed", "failed", strings.Join(failed, "; "))
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, strings.Join(failed, "\n"))
		return
	}
	fmt.Fprintln(w, "ok")
}

// server is an HTTP server started on a listener.
type server struct {
	name string
	srv  *http.Server
	done chan struct{} // closed when Serve has returned
	once sync.Once
}

// serve starts serving h on ln.
func serve(name string, ln net.Listener, h http.Handler, writeTimeout time.Duration, log *slog.Logger) *server {
	s := &server{name: name, done: make(chan struct{}), srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "server", name, "err", err)
		}
	}()
	return s
}

// shutdown stops taking requests and waits up to 5 s for those under way.
// A second call waits for the first to finish.
func (s *server) shutdown() {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.srv.Shutdown(ctx) != nil {
			_ = s.srv.Close()
		}
		<-s.done
	})
}

// runBot runs the bot with its HTTP servers until ctx ends, and returns
// the exit code. In webhook mode the webhook server stops taking requests
// as soon as ctx ends (Telegram keeps what it could not deliver); the
// health and metrics server stays until the bot has stopped.
func (a *app) runBot(ctx context.Context) int {
	cfg, log := a.cfg, a.log
	fail := func(err error) int {
		log.Error("start", "err", err)
		return 1
	}
	var operator *server
	if cfg.HTTP != "" {
		a.metrics = a.newMetrics()
		ln, err := net.Listen("tcp", cfg.HTTP)
		if err != nil {
			return fail(fmt.Errorf("--http: %w", err))
		}
		operator = serve("operator", ln, a.operatorHandler(), 30*time.Second, log)
		defer operator.shutdown()
		log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	}
	var hookLn net.Listener
	if cfg.Webhook != "" {
		a.webhook = &bot.Webhook{URL: cfg.Webhook, Secret: cfg.WebhookSecret}
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fail(fmt.Errorf("--listen: %w", err))
		}
		hookLn = ln
	}
	b, err := a.newBot(ctx, cfg.Token, cfg.APIURL)
	if err != nil {
		if hookLn != nil {
			hookLn.Close()
		}
		return fail(err)
	}
	if hookLn != nil {
		h := &webhookHandler{
			secret:   cfg.WebhookSecret,
			deliver:  func(r *http.Request, payload []byte) error { return b.Deliver(r.Context(), payload) },
			metrics:  a.metrics,
			log:      log.With("component", "webhook"),
			refusals: rate.Sometimes{Interval: time.Minute},
		}
		// Deliver may wait while the dispatcher is full: allow it a while.
		hook := serve("webhook", hookLn, h, 75*time.Second, log)
		stopHook := context.AfterFunc(ctx, hook.shutdown)
		defer func() {
			stopHook()
			hook.shutdown() // or wait for the one ctx started: no request outlives the database
		}()
		log.Info("webhook server listening", "addr", hookLn.Addr().String())
	}
	if err := b.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
