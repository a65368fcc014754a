package main

// The load mode (the default): simulated people ask, take quizzes, sign up
// and look at /me at a steady rate of updates, with the Bot API server's
// rate limits off, the bot's own limiter lifted (a loadtest build with
// DANGWU_SEND_RATE=1000000) and its flood control off (DANGWU_FLOOD=off:
// a person in the middle of a quiz presses faster than 20 updates a
// minute), so what is measured is the bot's work: updates handled a
// second, reply latency, CPU, memory.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
)

// loadConfig is what a load run does.
type loadConfig struct {
	bin          string
	dataset      string
	params       datasetParams
	rate         float64
	active       int
	warmup       time.Duration
	duration     time.Duration
	mix          mix
	profileDir   string
	keep         bool
	replyTimeout time.Duration
	answerCache  bool
}

// loadResult is one run's figures.
type loadResult struct {
	startup           time.Duration
	offered, achieved float64 // updates a second queued, and replied
	all               latencyStats
	byKind            map[string]latencyStats
	noIdle            int
	leftover          int
	start, end, peak  memSample
	peakHeap          uint64
	peakGoroutines    int
	// CPU time used while the load was offered, by the bot and by this tool.
	botCPU, toolCPU time.Duration
}

// cpuPerUpdate is the bot's CPU time per update offered, in ms.
func (r loadResult) cpuPerUpdate() float64 {
	return float64(r.botCPU.Microseconds()) / 1000 / max(float64(r.all.n), 1)
}

func runLoad(ctx context.Context, c loadConfig, run int) (loadResult, error) {
	var res loadResult
	info, err := openDataset(ctx, c.bin, c.dataset, c.params)
	if err != nil {
		return res, err
	}
	asks, err := askQuestions()
	if err != nil {
		return res, err
	}
	work, err := os.MkdirTemp("", "dangwu-load-")
	if err != nil {
		return res, err
	}
	if c.keep {
		fmt.Fprintln(os.Stderr, "keeping", work)
	} else {
		defer os.RemoveAll(work)
	}
	dataDir := filepath.Join(work, "data")
	if err := copyDir(filepath.Join(c.dataset, "data"), dataDir); err != nil {
		return res, err
	}
	srv := botapi.New(botapi.Options{Token: "load:token"})
	if err := srv.Start(); err != nil {
		return res, err
	}
	defer srv.Close()
	ids := activePeople(info, c.active, c.params.Seed+uint64(run))
	for _, id := range ids {
		srv.StartChat(id)
	}
	env := []string{"DANGWU_SEND_RATE=1000000", "DANGWU_FLOOD=off"}
	if !c.answerCache {
		env = append(env, "DANGWU_ANSWER_CACHE=off")
	}
	bot, startup, err := startBot(ctx, c.bin, work, dataDir, filepath.Join(c.dataset, "content"), srv, env...)
	if err != nil {
		return res, err
	}
	defer bot.stop()
	res.startup = startup
	res.start = bot.sample(true)
	if !res.start.debugOK {
		return res, errNoDebug
	}

	d := newDriver(srv, ids, c.mix, asks, c.params.Seed+uint64(run))
	d.start(c.replyTimeout)
	defer d.close()
	d.drive(c.rate, time.Now().Add(c.warmup))
	d.drain(c.replyTimeout)
	d.take()

	var profiles sync.WaitGroup
	if c.profileDir != "" {
		if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
			return res, err
		}
		if err := bot.profile(ctx, "/debug/pprof/allocs", filepath.Join(c.profileDir, "allocs-start.pprof")); err != nil {
			return res, err
		}
		profiles.Add(2)
		go func() {
			// Where the goroutines are, halfway through.
			defer profiles.Done()
			time.Sleep(c.duration / 2)
			if err := bot.profile(ctx, "/debug/pprof/goroutine?debug=1", filepath.Join(c.profileDir, "goroutines.txt")); err != nil {
				fmt.Fprintln(os.Stderr, "goroutine profile:", err)
			}
		}()
		go func() {
			defer profiles.Done()
			secs := max(1, int(c.duration.Seconds()))
			if err := bot.profile(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), filepath.Join(c.profileDir, "cpu.pprof")); err != nil {
				fmt.Fprintln(os.Stderr, "cpu profile:", err)
			}
		}()
	}
	if c.profileDir != "" {
		// The load tool's own CPU, to see that it is not what limits the run.
		f, err := os.Create(filepath.Join(c.profileDir, "loadtool-cpu.pprof"))
		if err != nil {
			return res, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	samples := make(chan memSample, 1)
	stopSampling := make(chan struct{})
	go func() {
		peak := memSample{}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s := bot.sample(false)
				if s.heapInuse > peak.heapInuse {
					peak.heapInuse = s.heapInuse
				}
				if s.goroutines > peak.goroutines {
					peak.goroutines = s.goroutines
				}
				if s.rss > peak.rss {
					peak.rss = s.rss
				}
			case <-stopSampling:
				samples <- peak
				return
			}
		}
	}()
	t0 := time.Now()
	botCPU0, toolCPU0 := cpuTime(bot.cmd.Process.Pid), cpuTime(os.Getpid())
	d.drive(c.rate, t0.Add(c.duration))
	res.botCPU, res.toolCPU = cpuTime(bot.cmd.Process.Pid)-botCPU0, cpuTime(os.Getpid())-toolCPU0
	res.leftover = d.drain(c.replyTimeout)
	close(stopSampling)
	peak := <-samples
	profiles.Wait()
	if c.profileDir != "" {
		if err := bot.profile(ctx, "/debug/pprof/allocs", filepath.Join(c.profileDir, "allocs-end.pprof")); err != nil {
			return res, err
		}
	}
	d.mu.Lock()
	res.noIdle = d.noIdle
	d.mu.Unlock()
	rs := d.take()
	res.end = bot.sample(true)
	res.peak = peak
	res.peakHeap, res.peakGoroutines = peak.heapInuse, peak.goroutines
	if !bot.alive() {
		return res, fmt.Errorf("the bot stopped during the run (%v); its log ends:\n%s", bot.err, tail(bot.logPath, 20))
	}

	var window []result
	var last time.Time
	for _, r := range rs {
		if r.queued.Before(t0) {
			continue
		}
		window = append(window, r)
		if done := r.queued.Add(r.latency); r.replied && done.After(last) {
			last = done
		}
	}
	res.offered = float64(len(window)) / c.duration.Seconds()
	res.all = statsOf(window, "")
	if !last.IsZero() {
		res.achieved = float64(res.all.n-res.all.unanswered) / last.Sub(t0).Seconds()
	}
	res.byKind = map[string]latencyStats{}
	for _, k := range stepKinds {
		if st := statsOf(window, k); st.n > 0 {
			res.byKind[k] = st
		}
	}
	return res, nil
}

// activePeople picks n of the data set's people, the same for a seed.
func activePeople(info datasetInfo, n int, seed uint64) []int64 {
	rng := rand.New(rand.NewPCG(seed, 0xac7))
	perm := rng.Perm(info.People)
	ids := make([]int64, 0, min(n, len(perm)))
	for _, i := range perm[:min(n, len(perm))] {
		ids = append(ids, info.FirstID+int64(i))
	}
	return ids
}

func (r loadResult) print(c loadConfig, info datasetInfo) {
	fmt.Printf("data set          %s: %d passages (%d FAQ entries), %d questions in the banks, %d events, %d people with %d answers, %d sign-ups\n",
		c.dataset, info.Passages, info.FAQ, info.Questions, info.Events, info.People, info.Answers, info.Signups)
	fmt.Printf("start-up          %v (a copy of the data folder: content checked, index opened)\n", r.startup.Round(time.Millisecond))
	fmt.Printf("load              %d people, %.0f updates/s offered for %v after %v of warm-up; %d ticks found nobody idle; answer cache %s\n",
		c.active, c.rate, c.duration, c.warmup, r.noIdle, map[bool]string{true: "on", false: "off"}[c.answerCache])
	fmt.Printf("handled           %d updates, %.1f/s queued, %.1f/s answered; %d unanswered, %d apologies, %d flood notices, %d still out after the drain\n",
		r.all.n, r.offered, r.achieved, r.all.unanswered, r.all.errors, r.all.flooded, r.leftover)
	fmt.Printf("reply latency     p50 %s  p90 %s  p99 %s  max %s\n", ms(r.all.p50), ms(r.all.p90), ms(r.all.p99), ms(r.all.max))
	fmt.Printf("CPU               bot %.2f s = %.2f ms an update (%.2f cores); this tool %.2f s (%.2f cores)\n",
		r.botCPU.Seconds(), r.cpuPerUpdate(), r.botCPU.Seconds()/c.duration.Seconds(), r.toolCPU.Seconds(), r.toolCPU.Seconds()/c.duration.Seconds())
	kinds := make([]string, 0, len(r.byKind))
	for k := range r.byKind {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return slices.Index(stepKinds, kinds[i]) < slices.Index(stepKinds, kinds[j]) })
	for _, k := range kinds {
		st := r.byKind[k]
		fmt.Printf("  %-14s  %6d (%4.1f %%)  p50 %8s  p99 %8s  max %8s\n", k, st.n, 100*float64(st.n)/float64(max(r.all.n, 1)), ms(st.p50), ms(st.p99), ms(st.max))
	}
	fmt.Printf("memory at start   %v\n", r.start)
	fmt.Printf("memory at end     %v\n", r.end)
	fmt.Printf("peak in the run   RSS %d MB, Go heap in use %.1f MB, %d goroutines (sampled each second)\n",
		r.peak.rss>>20, float64(r.peakHeap)/(1<<20), r.peakGoroutines)
	fmt.Printf("summary: offered=%.0f answered=%.1f/s p50=%.2fms p90=%.2fms p99=%.2fms cpu_ms_per_update=%.2f unanswered=%d rss_peak=%dMB hwm=%dMB heap_peak=%.1fMB heap_end=%.1fMB goroutines_peak=%d\n",
		r.offered, r.achieved, float64(r.all.p50.Microseconds())/1000, float64(r.all.p90.Microseconds())/1000, float64(r.all.p99.Microseconds())/1000,
		r.cpuPerUpdate(), r.all.unanswered, r.peak.rss>>20, r.end.hwm>>20, float64(r.peakHeap)/(1<<20), float64(r.end.heapInuse)/(1<<20), r.peakGoroutines)
}

// printMedians prints the medians of several runs' figures.
func printMedians(rs []loadResult) {
	med := func(f func(loadResult) float64) string {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return fmt.Sprintf("%.2f (%.2f–%.2f)", v[len(v)/2], v[0], v[len(v)-1])
	}
	msOf := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	var sb strings.Builder
	fmt.Fprintf(&sb, "medians of %d runs (range):\n", len(rs))
	fmt.Fprintf(&sb, "  answered/s      %s\n", med(func(r loadResult) float64 { return r.achieved }))
	fmt.Fprintf(&sb, "  p50 ms          %s\n", med(func(r loadResult) float64 { return msOf(r.all.p50) }))
	fmt.Fprintf(&sb, "  p90 ms          %s\n", med(func(r loadResult) float64 { return msOf(r.all.p90) }))
	fmt.Fprintf(&sb, "  p99 ms          %s\n", med(func(r loadResult) float64 { return msOf(r.all.p99) }))
	fmt.Fprintf(&sb, "  bot CPU ms/upd  %s\n", med(func(r loadResult) float64 { return r.cpuPerUpdate() }))
	fmt.Fprintf(&sb, "  RSS peak MB     %s\n", med(func(r loadResult) float64 { return float64(r.peak.rss >> 20) }))
	fmt.Fprintf(&sb, "  heap peak MB    %s\n", med(func(r loadResult) float64 { return float64(r.peakHeap) / (1 << 20) }))
	fmt.Fprintf(&sb, "  heap end MB     %s\n", med(func(r loadResult) float64 { return float64(r.end.heapInuse) / (1 << 20) }))
	fmt.Fprintf(&sb, "  start-up s      %s\n", med(func(r loadResult) float64 { return r.startup.Seconds() }))
	fmt.Print(sb.String())
}
