package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

// These tests kill the real binary with SIGKILL at the worst moment — with
// a request out to the Bot API — and check, from what the Bot API server
// received, that a restart loses nothing and repeats nothing.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// dangwuBinary builds the binary once for the test run.
func dangwuBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dangwu-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "dangwu")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// gate holds every sendMessage once open has let a number through. Held
// calls are refused when released, never handled: the process that made
// them is dead by then.
type gate struct {
	mu      sync.Mutex
	allow   int  // calls still let through
	closed  bool // holding calls
	held    int
	changed chan struct{} // closed and replaced whenever held changes
	release chan struct{}
}

func newGate(allow int) *gate {
	return &gate{allow: allow, changed: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) hook(method string, _ botapi.Params) *botapi.APIError {
	if method != "sendMessage" {
		return nil
	}
	g.mu.Lock()
	if !g.closed && g.allow > 0 {
		g.allow--
		g.mu.Unlock()
		return nil
	}
	if !g.closed && g.allow == 0 && g.release == nil {
		g.mu.Unlock()
		return nil // released: calls pass again
	}
	g.closed = true
	g.held++
	close(g.changed)
	g.changed = make(chan struct{})
	release := g.release
	g.mu.Unlock()
	<-release
	return &botapi.APIError{Code: 500, Description: "Internal Server Error"}
}

// waitHeld waits until n calls are held.
func (g *gate) waitHeld(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	for {
		g.mu.Lock()
		held, changed := g.held, g.changed
		g.mu.Unlock()
		if held >= n {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("only %d of %d calls held: %v", held, n, ctx.Err())
		}
	}
}

// open refuses what it holds and lets every later call through.
func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.release)
	g.release = nil
	g.closed = false
	g.allow = 0
}

// botProcess is the binary running against srv with its data in data.
type botProcess struct {
	cmd *exec.Cmd
	log *strings.Builder
}

func startBot(t *testing.T, srv *botapi.Server, data string) *botProcess {
	t.Helper()
	cmd := exec.Command(dangwuBinary(t), "run", "--data", data)
	// Its simulated people ask faster than flood control lets anyone.
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+crashToken, "TELEGRAM_API_URL="+srv.URL(), "DANGWU_ADMINS=5", "DANGWU_FLOOD=off")
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &syncWriter{b: &log}, &syncWriter{b: &log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &botProcess{cmd: cmd, log: &log}
	t.Cleanup(func() { p.kill() })
	return p
}

// stop asks the process to stop (SIGTERM) and waits for it.
func (p *botProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("stopping: %v\n%s", err, p.log)
	}
}

func (p *botProcess) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill() // SIGKILL: no shutdown code runs
		p.cmd.Wait()
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

const crashToken = "42:crash-test"

// sendsTo counts the messages the server accepted for each chat.
func sendsTo(srv *botapi.Server) map[int64]int {
	n := map[int64]int{}
	for _, e := range srv.Events() {
		if e.Kind == botapi.EventSend {
			n[e.ChatID]++
		}
	}
	return n
}

// crashSetup starts a Bot API server and gives a deadline and a data folder.
func crashSetup(t *testing.T) (*botapi.Server, context.Context, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	srv := botapi.New(botapi.Options{Token: crashToken})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return srv, ctx, t.TempDir()
}

func TestKilledWhileAnsweringLosesNoQuestion(t *testing.T) {
	srv, ctx, data := crashSetup(t)

	const chats, perChat = 4, 50
	g := newGate(60)
	srv.SetFault(g.hook)
	first := startBot(t, srv, data)
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatalf("the bot never polled: %v\n%s", err, first.log)
	}
	questions := []string{"党费怎么交", "预备期多长", "支部委员会任期几年", "发展党员要经过哪些程序", "三会一课是什么"}
	for i := range perChat {
		for c := range chats {
			srv.PrivateText(int64(100+c), questions[(i+c)%len(questions)])
		}
	}
	// Every chat's worker waits at the gate with its next reply: the
	// replies before it are out and their updates marked done.
	g.waitHeld(t, ctx, chats)
	first.kill()
	before := sendsTo(srv)
	g.open()

	second := startBot(t, srv, data)
	// A last question per chat: its answer comes after every earlier one.
	for c := range chats {
		srv.PrivateText(int64(100+c), "谢谢")
	}
	for c := range chats {
		chat := int64(100 + c)
		_, err := srv.WaitEvents(ctx, perChat+1, func(e botapi.Event) bool { return e.Kind == botapi.EventSend && e.ChatID == chat })
		if err != nil {
			t.Fatalf("chat %d: %v (%d answered before the kill)\n%s", chat, err, before[chat], second.log)
		}
	}
	second.kill()
	got := sendsTo(srv)
	total := 0
	for c := range chats {
		chat := int64(100 + c)
		total += before[chat]
		if got[chat] != perChat+1 {
			t.Errorf("chat %d got %d answers to %d messages", chat, got[chat], perChat+1)
		}
	}
	if total != 60 {
		t.Errorf("%d answers before the kill, want the 60 the gate let through", total)
	}
	if !strings.Contains(second.log.String(), "handling updates left unfinished") {
		t.Errorf("the second run replayed nothing:\n%s", second.log)
	}
}

// outboxWorkers is how many messages the bot's outbox sender has in flight
// at most (outbox.SenderOptions.Workers, default).
const outboxWorkers = 4

func TestKilledWhileDeliveringSendsEachNoticeOnce(t *testing.T) {
	srv, ctx, data := crashSetup(t)
	const people = 300
	for i := range people {
		srv.StartChat(int64(1000 + i))
	}
	g := newGate(100)
	srv.SetFault(g.hook)
	first := startBot(t, srv, data)
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatalf("the bot never polled: %v\n%s", err, first.log)
	}
	// Another process (as `dangwu import` does) queues the notices.
	db, err := store.Open(ctx, filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ob := store.NewOutbox(db)
	msgs := make([]outbox.Message, people)
	for i := range msgs {
		msgs[i] = outbox.Message{ChatID: int64(1000 + i), Text: fmt.Sprintf("通知 %d", i), Kind: "decision", Repeatable: true}
	}
	if err := ob.Enqueue(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	// Every one of the sender's workers has a message in flight, held; the
	// 100 before them are marked sent.
	g.waitHeld(t, ctx, outboxWorkers)
	first.kill()
	g.open()
	if got := len(srv.Events()); got == 0 {
		t.Fatal("nothing was delivered before the kill")
	}

	second := startBot(t, srv, data)
	for i := range people {
		chat := int64(1000 + i)
		if _, err := srv.WaitEvents(ctx, 1, func(e botapi.Event) bool { return e.Kind == botapi.EventSend && e.ChatID == chat }); err != nil {
			t.Fatalf("chat %d never told: %v\n%s", chat, err, second.log)
		}
	}
	second.stop(t) // lets the sender record the last delivery
	c, err := ob.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for chat, n := range sendsTo(srv) {
		if n != 1 {
			t.Errorf("chat %d told %d times", chat, n)
		}
	}
	if c.Sent != people || c.Resent != outboxWorkers || c.Uncertain != 0 {
		t.Errorf("outbox counts %+v: want all sent, the %d in flight at the kill counted as resent", c, outboxWorkers)
	}
	if !strings.Contains(second.log.String(), "in flight when the process stopped") {
		t.Errorf("the restart did not report the message in flight:\n%s", second.log)
	}
}
