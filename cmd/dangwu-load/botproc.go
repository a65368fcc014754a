package main

// The bot under test: the binary, run as an operator runs it, against
// the in-process Bot API server, and what can be read of it from outside —
// /proc for resident memory and threads, and in a loadtest build
// (go build -tags loadtest) the debug endpoint for the Go heap, the
// goroutines and profiles.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
)

// botProc is a running bot binary.
type botProc struct {
	cmd     *exec.Cmd
	logPath string
	debug   string // host:port of the debug endpoint
	exited  chan struct{}
	err     error // how it exited, once exited is closed
}

// startBot runs bin on dataDir and contentDir against srv, with env added,
// and waits until it polls.
func startBot(ctx context.Context, bin, work, dataDir, contentDir string, srv *botapi.Server, env ...string) (*botProc, time.Duration, error) {
	debug, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	p := &botProc{logPath: filepath.Join(work, "bot.log"), debug: debug, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "run", "--data", dataDir, "--content", contentDir)
	p.cmd.Env = append(os.Environ(), append([]string{"TELEGRAM_BOT_TOKEN=load:token", "TELEGRAM_API_URL=" + srv.URL(),
		"DANGWU_QUIET=off", "DANGWU_DEBUG_ADDR=" + debug}, env...)...)
	logFile, err := os.Create(p.logPath)
	if err != nil {
		return nil, 0, err
	}
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	started := time.Now()
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return nil, 0, err
	}
	go func() {
		p.err = p.cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	polled := make(chan error, 1)
	go func() { polled <- srv.WaitPolling(ctx) }()
	select {
	case <-p.exited:
		log := tail(p.logPath, 20)
		if strings.Contains(log, "--rate") {
			log += "\n(the load and soak modes need a binary built with: go build -tags loadtest)"
		}
		return nil, 0, fmt.Errorf("the bot stopped (%v) before it polled; its log ends:\n%s", p.err, log)
	case err := <-polled:
		if err != nil {
			p.stop()
			return nil, 0, fmt.Errorf("the bot never polled: %w", err)
		}
	}
	return p, time.Since(started), nil
}

// alive reports whether the process is still running.
func (p *botProc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits for the process to end.
func (p *botProc) stop() error {
	if !p.alive() {
		return p.err
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.exited
	}
	return p.err
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// cpuTime is the CPU time (user and system) process pid has used so far.
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command, which is in parentheses: utime and
	// stime are the 12th and 13th of them, in clock ticks (100 a second).
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond
}

// memSample is the bot's memory and goroutines at one moment.
type memSample struct {
	at         time.Time
	rss, hwm   int64 // VmRSS, VmHWM
	threads    int
	heapInuse  uint64 // Go heap in use (runtime.MemStats.HeapInuse)
	heapAlloc  uint64
	sys        uint64
	goroutines int
	numGC      uint32
	debugOK    bool // the debug endpoint answered
}

// sample reads /proc and the debug endpoint; gc first runs a collection,
// so that heap figures of two samples compare.
func (p *botProc) sample(gc bool) memSample {
	s := memSample{at: time.Now()}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			n, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "VmRSS:":
				s.rss = n << 10
			case "VmHWM:":
				s.hwm = n << 10
			case "Threads:":
				s.threads = int(n)
			}
		}
	}
	client := http.Client{Timeout: 30 * time.Second}
	if gc {
		if resp, err := client.Get("http://" + p.debug + "/debug/pprof/heap?gc=1"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	resp, err := client.Get("http://" + p.debug + "/debug/vars")
	if err != nil {
		return s
	}
	defer resp.Body.Close()
	var vars struct {
		Goroutines int `json:"goroutines"`
		Memstats   struct {
			HeapInuse uint64 `json:"HeapInuse"`
			HeapAlloc uint64 `json:"HeapAlloc"`
			Sys       uint64 `json:"Sys"`
			NumGC     uint32 `json:"NumGC"`
		} `json:"memstats"`
	}
	if json.NewDecoder(resp.Body).Decode(&vars) == nil {
		s.debugOK = true
		s.goroutines = vars.Goroutines
		s.heapInuse, s.heapAlloc, s.sys, s.numGC = vars.Memstats.HeapInuse, vars.Memstats.HeapAlloc, vars.Memstats.Sys, vars.Memstats.NumGC
	}
	return s
}

func (s memSample) String() string {
	if !s.debugOK {
		return fmt.Sprintf("RSS %d MB (peak %d MB), %d threads", s.rss>>20, s.hwm>>20, s.threads)
	}
	return fmt.Sprintf("RSS %d MB (peak %d MB), %d threads, Go heap in use %.1f MB (allocated %.1f MB), %d goroutines",
		s.rss>>20, s.hwm>>20, s.threads, float64(s.heapInuse)/(1<<20), float64(s.heapAlloc)/(1<<20), s.goroutines)
}

// profile fetches a profile from the debug endpoint into file.
func (p *botProc) profile(ctx context.Context, path, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.debug+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// errNoDebug says the binary has no debug endpoint.
var errNoDebug = errors.New("the bot has no debug endpoint (build it with: go build -tags loadtest)")

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
