// Command dangwu-load measures a running dangwu binary from outside: it
// generates a knowledge corpus, starts an in-process Bot API server, runs
// the binary against it, asks questions from many simulated users at a
// steady pace and reports start-up time, reply latency and the bot
// process's resident memory.
//
//	go build -o /tmp/dangwu ./cmd/dangwu
//	go run ./cmd/dangwu-load -bin /tmp/dangwu -passages 10000
//
// With -broadcast N it measures a broadcast to N recipients instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/internal/corpus"
)

func main() {
	bin := flag.String("bin", "", "the dangwu binary to measure (required)")
	passages := flag.Int("passages", 10000, "passages in the generated corpus (10 a document)")
	users := flag.Int("users", 50, "simulated users")
	questions := flag.Int("questions", 1000, "questions asked in all")
	rate := flag.Float64("qps", 20, "questions a second (the bot sends at most 25 messages a second)")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up after this long")
	broadcast := flag.Int("broadcast", 0, "instead of questions, send one broadcast to this many recipients (see broadcast.go)")
	flag.Parse()
	if *bin != "" && *broadcast > 0 {
		timeoutSet := false
		flag.Visit(func(f *flag.Flag) { timeoutSet = timeoutSet || f.Name == "timeout" })
		os.Exit(broadcastMain(*bin, *broadcast, *timeout, timeoutSet))
	}
	if *bin == "" || *passages < 10 || *users < 1 || *questions < 1 || *rate <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *bin, *passages, *users, *questions, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "dangwu-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin string, passages, users, questions int, rate float64) error {
	work, err := os.MkdirTemp("", "dangwu-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	contentDir := filepath.Join(work, "content")
	if err := writeCorpus(contentDir, passages); err != nil {
		return err
	}

	srv := botapi.New(botapi.Options{Token: "load:token"})
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Close()

	cmd := exec.CommandContext(ctx, bin, "run", "--data", filepath.Join(work, "data"), "--content", contentDir)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN=load:token", "TELEGRAM_API_URL="+srv.URL(), "DANGWU_SEND_RATE=30")
	logFile, err := os.Create(filepath.Join(work, "bot.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	if err := srv.WaitPolling(ctx); err != nil {
		return fmt.Errorf("the bot never polled (see its log): %w", err)
	}
	startup := time.Since(started)
	idle, _ := rss(cmd.Process.Pid)

	phrasings := questionsFrom(contentDir)
	latencies, err := ask(ctx, srv, users, questions, rate, phrasings)
	if err != nil {
		return err
	}
	now, peak := rss(cmd.Process.Pid)

	slices.Sort(latencies)
	q := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	fmt.Printf("corpus            %d passages\n", passages)
	fmt.Printf("start-up          %v (content load and index build, until the first poll)\n", startup.Round(time.Millisecond))
	fmt.Printf("questions         %d from %d users at %.0f/s\n", len(latencies), users, rate)
	fmt.Printf("reply latency     p50 %v  p90 %v  p99 %v  max %v\n", q(.5).Round(time.Microsecond), q(.9).Round(time.Microsecond), q(.99).Round(time.Microsecond), q(1).Round(time.Microsecond))
	fmt.Printf("resident memory   idle %d MB, after load %d MB, peak %d MB\n", idle>>20, now>>20, peak>>20)
	return nil
}

// writeCorpus writes a content folder holding a generated corpus.
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

// questionsFrom makes questions out of the corpus's section headings.
func questionsFrom(contentDir string) []string {
	var qs []string
	files, _ := filepath.Glob(filepath.Join(contentDir, "knowledge", "*.md"))
	for _, f := range files[:min(len(files), 50)] {
		data, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(data), "\n") {
			if h, ok := strings.CutPrefix(line, "## "); ok {
				qs = append(qs, h+"是怎么规定的？")
			}
		}
	}
	return qs
}

// ask sends questions at a steady pace, each from one of users, and
// returns how long each took to be answered.
func ask(ctx context.Context, srv *botapi.Server, users, questions int, rate float64, phrasings []string) ([]time.Duration, error) {
	events, stop := srv.Subscribe(4 * questions)
	defer stop()
	var mu sync.Mutex
	sentAt := map[int64][]time.Time{} // per user, the questions not yet answered
	latencies := make([]time.Duration, 0, questions)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range events {
			if e.Kind != botapi.EventSend {
				continue
			}
			mu.Lock()
			if q := sentAt[e.ChatID]; len(q) > 0 {
				latencies = append(latencies, time.Since(q[0]))
				sentAt[e.ChatID] = q[1:]
			}
			n := len(latencies)
			mu.Unlock()
			if n == questions {
				return
			}
		}
	}()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for i := range questions {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		user := int64(100000 + i%users)
		mu.Lock()
		sentAt[user] = append(sentAt[user], time.Now())
		mu.Unlock()
		srv.PrivateText(user, phrasings[i%len(phrasings)])
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, errors.New("not every question was answered in time")
	}
	return latencies, nil
}

// rss reads a process's current and peak resident memory, in bytes.
func rss(pid int) (now, peak int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			now = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return now, peak
}
