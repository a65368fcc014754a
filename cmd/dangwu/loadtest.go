//go:build loadtest

// The binary the load tool measures (go build -tags loadtest): its --rate
// has no ceiling, so a load test measures the bot's own work rather than
// its limiter, and with DANGWU_DEBUG_ADDR it serves net/http/pprof and
// expvar (/debug/vars: memstats, and goroutines) there; with
// DANGWU_ANSWER_CACHE=off every question is searched, none answered from
// memory (knowledge.AnswerCacheBytes). Never built into the binary
// operators run.

package main

import (
	"expvar"
	"log/slog"
	"math"
	"net"
	"net/http"
	_ "net/http/pprof" // the profiles a load test takes
	"os"
	"runtime"

	"github.com/dangwu/dangwu/knowledge"
)

func init() {
	maxRate = math.MaxFloat64
	if os.Getenv("DANGWU_ANSWER_CACHE") == "off" {
		knowledge.AnswerCacheBytes = 0
	}
	addr := os.Getenv("DANGWU_DEBUG_ADDR")
	if addr == "" {
		return
	}
	expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		slog.Error("debug endpoint", "addr", addr, "err", err)
		os.Exit(1)
	}
	go func() { _ = http.Serve(ln, nil) }() // http.DefaultServeMux: pprof and expvar
}
