package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
)

const (
	botToken = "123:test-token"
	adminID  = 900
)

// syncBuffer is a log sink that tests can read while the bot writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// harness is a bot talking to an in-process Bot API server over HTTP, with
// a real database file.
type harness struct {
	t     testing.TB
	srv   *botapi.Server
	bot   *bot.Bot
	db    *store.DB
	kb    *knowledge.Base
	quiz  *quiz.Service
	sched *scheduler.Service
	recs  *records.Service
	// clock is the time of the bot, its quiz and the Bot API server: real
	// time, moved on by tests that wait for something timed.
	clock *offsetClock
	logs  *syncBuffer
	stop  context.CancelFunc
	done  chan error
	// opts and dbFile are what the bot was started with, for a restart.
	opts   bot.Options
	dbFile string
}

// startBot starts a bot against a fresh server and database; edit may
// adjust its options before it starts, prepare may touch the bot before it polls.
func startBot(t testing.TB, edit func(*bot.Options), prepare func(*bot.Bot)) *harness {
	t.Helper()
	return startBotOn(t, botapi.Options{Token: botToken}, edit, prepare)
}

// startBotOn is startBot with a Bot API server made with srvOpts.
func startBotOn(t testing.TB, srvOpts botapi.Options, edit func(*bot.Options), prepare func(*bot.Bot)) *harness {
	t.Helper()
	clk := newOffsetClock(t)
	if srvOpts.Now == nil {
		srvOpts.Now = clk.Now
	}
	srv := botapi.New(srvOpts)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ctx := context.Background()
	dbFile := filepath.Join(t.TempDir(), "dangwu.db")
	db, err := store.Open(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &syncBuffer{}
	kb, err := knowledge.Open(ctx, store.NewKnowledgeStore(db), filepath.Join(t.TempDir(), "index"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kb.Close() })
	if _, err := kb.LoadContent(ctx, content.Embedded()); err != nil {
		t.Fatal(err)
	}
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	members := member.NewService(store.NewMemberStore(db), districts, []int64{adminID})
	members.Now = clk.Now // one clock, as in the binary: a departure dated "today" is today for both
	qz, err := quiz.NewService(store.NewQuizStore(db), quiz.Options{Atomic: db.Atomic, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	qc, problems, err := quiz.LoadContent(content.Embedded(), bot.QuizChecker(ctx, kb, districts))
	if err != nil || len(problems) > 0 {
		t.Fatalf("embedded question banks: %v %v", err, problems)
	}
	if _, err := qz.LoadContent(ctx, qc); err != nil {
		t.Fatal(err)
	}
	var recsOf func(ctx context.Context, ids []int64) ([]int64, error)
	sched, err := scheduler.NewService(store.NewSchedulerStore(db), scheduler.Options{
		Atomic: db.Atomic, Outbox: store.NewOutbox(db), Messages: bot.NewNotices(nil), Access: members.Access, Districts: districts,
		Now:    clk.Now,
		Behind: func(ctx context.Context, ids []int64) ([]int64, error) { return recsOf(ctx, ids) },
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, problems2, err := scheduler.LoadContent(content.Embedded(), districts, sched.Location())
	if err != nil || len(problems2) > 0 {
		t.Fatalf("embedded scheduler content: %v %v", err, problems2)
	}
	if err := sched.LoadContent(ctx, sc); err != nil {
		t.Fatal(err)
	}
	rc, problems3, err := records.LoadContent(content.Embedded(), districts, nil)
	if err != nil || len(problems3) > 0 {
		t.Fatalf("embedded levels and pay rules: %v %v", err, problems3)
	}
	recs, err := records.NewService(store.NewRecordsStore(db), records.Options{
		Atomic: db.Atomic, Outbox: store.NewOutbox(db), Messages: bot.RecordMessages{}, Content: rc, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	recsOf = recs.Behind
	opts := bot.Options{
		Scheduler: sched,
		Records:   recs,
		QuietSet:  true, // no quiet hours unless a test sets them: tests run at any hour
		// Tests send faster than people: flood control only where a test
		// turns it on (flood_test.go).
		Flood:     bot.FloodLimits{Off: true},
		Members:   members,
		Outbox:    store.NewOutbox(db),
		Inbox:     store.NewInbox(db),
		Atomic:    db.Atomic,
		Knowledge: kb,
		Dues:      embeddedDues(t),
		Quiz:      qz,
		Now:       clk.Now,
		Token:     botToken,
		APIURL:    srv.URL(),
		Admins:    []int64{adminID},
		Log:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Store:     store.NewConversations(db),
	}
	if edit != nil {
		edit(&opts)
	}
	b, err := bot.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(b)
	}
	runCtx, stop := context.WithCancel(ctx)
	h := &harness{t: t, srv: srv, bot: b, db: db, kb: kb, quiz: qz, sched: sched, recs: recs, clock: clk, logs: logs, stop: stop, done: make(chan error, 1), opts: opts, dbFile: dbFile}
	go func() { h.done <- b.Run(runCtx) }()
	t.Cleanup(func() { h.shutdown() })
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.WaitPolling(wait); err != nil {
		t.Fatalf("bot never polled: %v", err)
	}
	return h
}

// offsetClock is real time moved on by an offset.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// testHour is the Shanghai time of day every bot test starts at, so that
// no test passes or fails by the hour CI happens to run it.
// DANGWU_TEST_HOUR=23.5 starts them at 23:30 instead, to find a test (or
// code) that depends on the hour: `DANGWU_TEST_HOUR=23.5 go test ./bot/`.
const testHour = 10.0

// newOffsetClock is real time moved on to the next testHour (or
// DANGWU_TEST_HOUR) in Shanghai: it runs at real speed, from an hour of
// the day that does not depend on when the test runs.
func newOffsetClock(t testing.TB) *offsetClock {
	t.Helper()
	hour := testHour
	if v := os.Getenv("DANGWU_TEST_HOUR"); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		if err != nil || h < 0 || h >= 24 {
			t.Fatalf("DANGWU_TEST_HOUR=%q: want an hour of the day, 0 to 24", v)
		}
		hour = h
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	start := day.Add(time.Duration(hour * float64(time.Hour)))
	if !start.After(now) {
		start = start.AddDate(0, 0, 1)
	}
	return &offsetClock{offset: start.Sub(now)}
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock on by d.
func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// shutdown stops the bot and returns what Run returned.
func (h *harness) shutdown() error {
	h.stop()
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(30 * time.Second):
		h.t.Fatal("bot did not stop")
		return nil
	}
}

// waitSent waits until the bot has sent n messages to chat in all and returns them.
func (h *harness) waitSent(chatID int64, n int) []botapi.Event {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events, err := h.srv.WaitEvents(ctx, n, func(e botapi.Event) bool {
		return e.Kind == botapi.EventSend && e.ChatID == chatID
	})
	if err != nil {
		h.t.Fatalf("waiting for %d messages to chat %d: %v (got %d)", n, chatID, err, len(h.sentTo(chatID)))
	}
	return events
}

// sentTo lists the texts the bot has sent to chat so far.
func (h *harness) sentTo(chatID int64) []string {
	var out []string
	for _, e := range h.srv.Events() {
		if e.Kind == botapi.EventSend && e.ChatID == chatID {
			out = append(out, e.Message.Text)
		}
	}
	return out
}

// settle waits until every queued notification has been delivered, so that
// counting a chat's messages is not raced by one still on its way.
func (h *harness) settle() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.bot.WaitOutboxEmpty(ctx); err != nil {
		h.t.Fatalf("outbox not delivered: %v", err)
	}
}

// ask sends text privately from user and returns the next reply.
func (h *harness) ask(userID int64, text string) string {
	h.t.Helper()
	h.settle()
	n := len(h.sentTo(userID))
	h.srv.PrivateText(userID, text)
	return h.waitSent(userID, n+1)[n].Message.Text
}

func mustContain(t testing.TB, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s = %q, want it to contain %q", what, got, w)
		}
	}
}

// embeddedDues is the calculator of the embedded content, as the bot runs it.
func embeddedDues(t testing.TB) *dues.Rules {
	t.Helper()
	r, err := dues.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
