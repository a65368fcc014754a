// Command dangwu-load measures a running dangwu binary from outside. It
// generates a data set from a seed (dataset.go), starts an in-process Bot
// API server, runs the binary against it and drives simulated people
// (people.go) through it.
//
//	go build -tags loadtest -o /tmp/dangwu-lt ./cmd/dangwu
//	go run ./cmd/dangwu-load -bin /tmp/dangwu-lt                   # load: updates a second, latency, memory
//	go run ./cmd/dangwu-load -bin /tmp/dangwu-lt -soak 5m          # fault soak (soak.go)
//	go run ./cmd/dangwu-load -bin /tmp/dangwu-lt -broadcast 10000  # one broadcast (broadcast.go)
//
// The load and soak modes need a binary built with -tags loadtest: it
// accepts a send rate above Telegram's 30 a second and serves the Go heap,
// the goroutines and profiles on DANGWU_DEBUG_ADDR.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/corpus"
)

func main() {
	bin := flag.String("bin", "", "the dangwu binary to measure (required; built with -tags loadtest for the load and soak modes)")
	data := flag.String("data", "", "the data set folder, generated there when it holds none for these parameters (default: one in the temporary folder named by them)")
	seed := flag.Uint64("seed", 1, "seed of the generated data set and of the people's choices")
	passages := flag.Int("passages", 10000, "passages in the knowledge base (the embedded documents and generated ones)")
	bank := flag.Int("bank", 10000, "questions in the banks (the embedded ones and generated ones)")
	people := flag.Int("people", 5000, "people with a history in the database")
	events := flag.Int("events", 60, "upcoming events to sign up for")
	rate := flag.Float64("rate", 500, "updates a second the simulated people send")
	active := flag.Int("active", 5000, "people acting, each waiting for the reply to one update before the next "+
		"(in a quiz or a sign-up a person waits a few seconds between presses; the bot's flood control is off in the load mode)")
	duration := flag.Duration("duration", time.Minute, "how long the load is measured")
	warmup := flag.Duration("warmup", time.Minute, "load before the measurement, not measured (a quiz of 5 questions is 12 updates: the mix needs "+
		"a few of a person's steps to settle)")
	runs := flag.Int("runs", 1, "runs, each on a fresh copy of the data set; the medians are printed")
	mixFlag := flag.String("mix", "ask=40,quiz=35,signup=15,me=10", "share of the updates of each activity: questions, practice quizzes, sign-ups, /me")
	profile := flag.String("profile", "", "write CPU and allocation profiles of the measured run to this folder (go tool pprof)")
	answerCache := flag.Bool("answer-cache", true, "let the bot answer a question asked before from memory (false: DANGWU_ANSWER_CACHE=off, every question searched; "+
		"the questions asked are the ~550 of knowledge/testdata/eval*.yaml, so with the cache nearly all are repeats)")
	keep := flag.Bool("keep", false, "keep the run's working folder (the bot's log and database)")
	replyTimeout := flag.Duration("reply-timeout", 30*time.Second, "an update not answered this long after it was sent counts as unanswered")
	soak := flag.Duration("soak", 0, "instead of the load, a fault soak this long (see soak.go)")
	timeout := flag.Duration("timeout", 0, "give up after this long (default: the run's own length and some)")
	broadcast := flag.Int("broadcast", 0, "instead of the load, send one broadcast to this many recipients (see broadcast.go)")
	flag.Parse()
	if *bin != "" && *broadcast > 0 {
		timeoutSet := *timeout > 0
		if !timeoutSet {
			*timeout = 10 * time.Minute
		}
		os.Exit(broadcastMain(*bin, *broadcast, *timeout, timeoutSet))
	}
	m, err := parseMix(*mixFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dangwu-load:", err)
		os.Exit(2)
	}
	if *bin == "" || *passages < 0 || *bank < 0 || *people < 1 || *rate <= 0 || *active < 1 || *runs < 1 || *duration <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	params := datasetParams{Seed: *seed, Passages: *passages, Questions: *bank, People: *people, Events: *events}
	if *data == "" {
		*data = filepath.Join(os.TempDir(), fmt.Sprintf("dangwu-load-data-s%d-p%d-q%d-u%d-e%d", *seed, *passages, *bank, *people, *events))
	}
	if *timeout == 0 {
		*timeout = 30*time.Minute + time.Duration(*runs)*(*warmup+*duration+2*time.Minute) + 2**soak
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c := loadConfig{bin: *bin, dataset: *data, params: params, rate: *rate, active: min(*active, *people), warmup: *warmup, duration: *duration,
		mix: m, profileDir: *profile, keep: *keep, replyTimeout: *replyTimeout, answerCache: *answerCache}
	if *soak > 0 {
		os.Exit(soakMain(ctx, c, *soak))
	}
	var results []loadResult
	for run := range *runs {
		r, err := runLoad(ctx, c, run)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dangwu-load:", err)
			os.Exit(1)
		}
		info, _ := openDataset(ctx, c.bin, c.dataset, c.params)
		if *runs > 1 {
			fmt.Printf("--- run %d of %d\n", run+1, *runs)
		}
		r.print(c, info)
		results = append(results, r)
	}
	if len(results) > 1 {
		printMedians(results)
	}
}

// writeCorpus writes a content folder holding a generated corpus (the
// broadcast mode's small knowledge base).
func writeCorpus(dir string, passages int) error {
	docs, err := corpus.Generate(content.Embedded(), passages/10, 10, 1)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "knowledge"), 0o755); err != nil {
		return err
	}
	for _, d := range docs {
		if err := os.WriteFile(filepath.Join(dir, "knowledge", d.ID+".md"), corpus.Markdown(d), 0o644); err != nil {
			return err
		}
	}
	for _, name := range []string{"synonyms.txt", "districts.yaml"} {
		data, err := fs.ReadFile(content.Embedded(), name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// procStatus reads the byte figures named by keys ("VmRSS", "RssAnon"…)
// of process pid from /proc/PID/status, in the order of keys; 0 for one it
// cannot read.
func procStatus(pid int, keys ...string) []int64 {
	out := make([]int64, len(keys))
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for i, k := range keys {
			if f[0] == k+":" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				out[i] = kb << 10
			}
		}
	}
	return out
}

// rss reads a process's current and peak resident memory, in bytes.
func rss(pid int) (now, peak int64) {
	v := procStatus(pid, "VmRSS", "VmHWM")
	return v[0], v[1]
}
