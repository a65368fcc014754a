package main

// The fault soak (-soak D): for D the Bot API server answers a share of
// all calls, getUpdates included, with 429 (retry_after 1–3 s), 500, a slow
// answer (0.5–4 s), or a dropped connection — before the call is handled
// (nothing happened) or after (it happened, the answer is lost) — at
// random, while simulated people ask, take quizzes and sign up, and a
// broadcast with a 收到 button goes to every person. The server's own
// sending limits are on and the bot sends at its production rate (25/s).
// If the broadcast is not through when D is up, the faults go on until it
// is. Then the faults stop and the run checks:
//
//   - the bot process lives, answers a last question, and stops cleanly,
//     with no handler panic;
//   - every update the server queued (each step, each block) is in the
//     inbox and marked handled;
//   - every step was answered (an apology for an internal error counts
//     apart); a step left unanswered must have met a fault on a call of its
//     reply (a send is not repeated when its answer is lost, nor is the
//     apology that follows), and no reply was sent twice;
//   - every queued message (the broadcast's and any other: outbox rows of
//     op send) ended sent and was received, failed because the person
//     blocked the bot, or uncertain; none is due and unfinished, none was
//     given up for a person who can be reached, and nobody received a text
//     more often than it has rows unless one of them is uncertain;
//   - the broadcast has a row for each recipient, and each recipient who
//     can be reached received it exactly once, or holds an uncertain row;
//     those who blocked it were refused with 403 and marked blocked (or
//     hold an uncertain row: a send whose answer was lost);
//   - each 报名 and 取消报名 the bot confirmed (its answer to the press)
//     is what event_signups holds at the end for that person and event,
//     and each confirmed 收到 is one row of broadcast_acks;
//   - resident memory, Go heap (after a collection) and goroutines at the
//     start (after the warm-up, faults off, people idle) and at the end
//     (faults off, people idle, the outbox drained, then -soak-settle with
//     nothing to do, so that idle HTTP connections have closed), and every
//     30 s in between. Goroutines must be flat: at the end at most
//     -soak-goroutine-slack above the start. The Go heap may grow by the
//     answer cache's bound (knowledge.AnswerCacheBytes: it fills as
//     questions are asked) and -soak-heap-slack (and 10 %), and must level
//     off: at the end at most -soak-heap-slack (and 10 %) above its sample
//     two thirds into the faults; so must resident memory, which rises as
//     SQLite's pooled connections (counted: its open database files) fill
//     their page caches and prepare their statements. Goroutine and heap
//     profiles of the start and the end are kept in the working folder
//     (-keep: go tool pprof -base), and the goroutine stacks that grew are
//     printed.
//
// It exits 1 if anything was lost, sent twice or left unfinished, memory
// or goroutines grew beyond the slack, or the bot died.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
)

var (
	soakRate   = flag.Float64("soak-rate", 10, "with -soak: updates a second the people send")
	soakActive = flag.Int("soak-active", 200, "with -soak: people acting at the same time")
	soakFaults = flag.String("soak-faults", "429=3,500=2,slow=3,reset-before=1,reset-after=1",
		"with -soak: percent of calls answered each way (429 retry_after 1-3 s, 500, slow 0.5-4 s, connection reset before or after handling)")
	soakBroadcastAt = flag.Duration("soak-broadcast-at", 30*time.Second, "with -soak: when the broadcast to everyone is queued")
	soakBlocked     = flag.Int("soak-blocked-every", 100, "with -soak: every n-th recipient (not among the active people) blocks the bot right after the broadcast is queued (0: nobody)")
	soakHeapSlack   = flag.Float64("soak-heap-slack", 4, "with -soak: MB the Go heap in use may grow from the start to the end (plus 10 %)")
	soakGoSlack     = flag.Int("soak-goroutine-slack", 10, "with -soak: goroutines the bot may have more at the end than at the start")
	soakSettle      = flag.Duration("soak-settle", 95*time.Second, "with -soak: the wait, with nothing to do, before the end is measured (idle HTTP connections last 90 s)")
)

// faultMix is the percent of calls given each fault.
type faultMix struct{ tooMany, internal, slow, resetBefore, resetAfter float64 }

func parseFaults(s string) (faultMix, error) {
	var f faultMix
	for _, part := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		var v float64
		if _, err := fmt.Sscan(value, &v); !ok || err != nil || v < 0 {
			return f, fmt.Errorf("-soak-faults %q: want kind=percent,... (429, 500, slow, reset-before, reset-after)", s)
		}
		switch name {
		case "429":
			f.tooMany = v
		case "500":
			f.internal = v
		case "slow":
			f.slow = v
		case "reset-before":
			f.resetBefore = v
		case "reset-after":
			f.resetAfter = v
		default:
			return f, fmt.Errorf("-soak-faults: unknown fault %q", name)
		}
	}
	if f.tooMany+f.internal+f.slow+f.resetBefore+f.resetAfter > 100 {
		return f, errors.New("-soak-faults: more than 100 %")
	}
	return f, nil
}

// faults chooses a fault for each call and counts them.
type faults struct {
	mix faultMix
	mu  sync.Mutex
	rng *rand.Rand
	on  bool
	n   map[string]int // by fault, then "method fault"
}

func (f *faults) choose(method string, _ botapi.Params) botapi.Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.on {
		return botapi.Fault{}
	}
	x := f.rng.Float64() * 100
	count := func(kind string) { f.n[kind]++; f.n[method+" "+kind]++ }
	m := f.mix
	switch {
	case x < m.tooMany:
		count("429")
		retry := 1 + f.rng.IntN(3)
		return botapi.Fault{Err: &botapi.APIError{Code: http.StatusTooManyRequests, Description: fmt.Sprintf("Too Many Requests: retry after %d", retry), RetryAfter: retry}}
	case x < m.tooMany+m.internal:
		count("500")
		return botapi.Fault{Err: &botapi.APIError{Code: http.StatusInternalServerError, Description: "Internal Server Error"}}
	case x < m.tooMany+m.internal+m.slow:
		count("slow")
		return botapi.Fault{Delay: 500*time.Millisecond + time.Duration(f.rng.Int64N(int64(3500*time.Millisecond)))}
	case x < m.tooMany+m.internal+m.slow+m.resetBefore:
		count("reset-before")
		return botapi.Fault{Reset: botapi.ResetBefore}
	case x < m.tooMany+m.internal+m.slow+m.resetBefore+m.resetAfter:
		count("reset-after")
		return botapi.Fault{Reset: botapi.ResetAfter}
	}
	return botapi.Fault{}
}

func (f *faults) set(on bool) {
	f.mu.Lock()
	f.on = on
	f.mu.Unlock()
}

func (f *faults) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.n))
	for k, v := range f.n {
		out[k] = v
	}
	return out
}

// soakReport is what a soak found.
type soakReport struct {
	faulted, extra   time.Duration // with faults: as asked, and beyond it for the broadcast
	alive, probeOK   bool
	stopErr          error
	steps            latencyStats
	byKind           map[string]latencyStats
	replyDuplicates  int // replies sent twice within one step of a person
	dupExamples      []string
	unexplained      int // steps unanswered with no fault on a call of their reply
	explained        int // unanswered, with a fault on their reply
	unansweredEx     []string
	inbox            inboxCheck
	sends            outboxCheck // every queued message
	signups          signupCheck
	bcRows           int // the broadcast's rows
	bcLost           int // reachable recipients who never received it, row not uncertain
	bcFailedGot      int // row failed, yet received
	warm             int // steps of the warm-up
	heapFlat, goFlat bool
	late             memSample // two thirds into the faults
	rssFlat          bool
	conns            []int    // the bot's SQLite connections at each sample
	grown            []string // goroutine stacks that grew
	recipients       int
	skipped          int
	statuses         map[string]int
	received         int // recipients who received the notice
	sentNotReceived  int
	uncertainDup     int // received twice, row uncertain
	duplicates       int // received twice, row not uncertain
	blockedPeople    int
	blockedOK        int // refused with 403: row failed, blocked_at set
	failedReasons    map[string]int
	samples          []memSample
	anon, file       [2]int64 // resident memory, anonymous and file-backed, at the start and the end
	faultCounts      map[string]int
	logErrors        map[string]int
	panics           int
}

func soakMain(ctx context.Context, c loadConfig, length time.Duration) int {
	mixF, err := parseFaults(*soakFaults)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dangwu-load:", err)
		return 2
	}
	rep, err := runSoak(ctx, c, length, mixF)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dangwu-load:", err)
		return 1
	}
	rep.print(c)
	if fails := rep.failures(); len(fails) > 0 {
		fmt.Printf("verdict           FAILED: %s\n", strings.Join(fails, "; "))
		return 1
	}
	fmt.Println("verdict           passed: the bot lived, nothing lost, nothing sent twice but uncertain rows, memory and goroutines flat")
	return 0
}

// failures lists what the soak found wrong.
func (r soakReport) failures() []string {
	var out []string
	check := func(bad bool, format string, args ...any) {
		if bad {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	check(!r.alive, "the bot died")
	check(!r.probeOK, "the last question was not answered")
	check(r.stopErr != nil, "the bot did not stop cleanly: %v", r.stopErr)
	check(r.panics > 0, "%d handler panics", r.panics)
	check(!r.inbox.ok(), "inbox: %d of %d updates stored, %d never handled, %d unexpected", r.inbox.stored, r.inbox.expected, r.inbox.undone, r.inbox.extra)
	check(r.unexplained > 0, "%d steps unanswered with no fault on their reply", r.unexplained)
	check(r.replyDuplicates > 0, "%d replies sent twice", r.replyDuplicates)
	check(r.sends.lost() > 0, "%d queued messages lost (%d sent but not received, %d given up)", r.sends.lost(), r.sends.sentNotReceived, r.sends.givenUp)
	check(r.sends.duplicates > 0, "%d queued messages received twice, no row uncertain", r.sends.duplicates)
	check(r.sends.failedReceived > 0, "%d messages received though their row failed", r.sends.failedReceived)
	check(r.sends.unfinished > 0, "%d queued messages due and unfinished", r.sends.unfinished)
	check(r.bcRows != r.recipients, "the broadcast has %d rows for %d recipients", r.bcRows, r.recipients)
	check(r.bcLost > 0 || r.duplicates > 0 || r.sentNotReceived > 0 || r.bcFailedGot > 0,
		"broadcast: %d lost, %d received twice (row not uncertain), %d sent but not received, %d failed but received", r.bcLost, r.duplicates, r.sentNotReceived, r.bcFailedGot)
	check(r.statuses["pending"]+r.statuses["sending"] > 0, "broadcast: %d rows unfinished", r.statuses["pending"]+r.statuses["sending"])
	check(r.blockedOK < r.blockedPeople, "broadcast: %d of %d who blocked the bot handled so", r.blockedOK, r.blockedPeople)
	check(!r.signups.ok(), "sign-ups: %d confirmed and missing, %d withdrawn and still there, %d 收到 confirmed and missing", r.signups.lostIn, r.signups.lostOut, r.signups.ackMissing)
	check(!r.heapFlat, "the Go heap grew beyond the slack: %.1f MB at the start, %.1f MB two thirds into the faults, %.1f MB at the end",
		mb(r.samples[0].heapInuse), mb(r.late.heapInuse), mb(r.samples[len(r.samples)-1].heapInuse))
	check(!r.goFlat, "goroutines grew beyond the slack")
	check(!r.rssFlat, "resident memory kept growing: %d MB two thirds into the faults, %d MB at the end", r.late.rss>>20, r.samples[len(r.samples)-1].rss>>20)
	return out
}

func runSoak(ctx context.Context, c loadConfig, length time.Duration, mixF faultMix) (soakReport, error) {
	rep := soakReport{}
	info, err := openDataset(ctx, c.bin, c.dataset, c.params)
	if err != nil {
		return rep, err
	}
	asks, err := askQuestions()
	if err != nil {
		return rep, err
	}
	work, err := os.MkdirTemp("", "dangwu-soak-")
	if err != nil {
		return rep, err
	}
	if c.keep {
		fmt.Fprintln(os.Stderr, "keeping", work)
	} else {
		defer os.RemoveAll(work)
	}
	dataDir := filepath.Join(work, "data")
	if err := copyDir(filepath.Join(c.dataset, "data"), dataDir); err != nil {
		return rep, err
	}
	srv := botapi.New(botapi.Options{Token: "load:token", RateLimits: true})
	if err := srv.Start(); err != nil {
		return rep, err
	}
	defer srv.Close()
	all := activePeople(info, info.People, c.params.Seed) // every person, shuffled
	active := all[:min(*soakActive, len(all))]
	for _, id := range all {
		srv.StartChat(id)
	}
	f := &faults{mix: mixF, rng: rand.New(rand.NewPCG(c.params.Seed, 0xfa17)), n: map[string]int{}}
	srv.SetFaults(f.choose)

	b, _, err := startBot(ctx, c.bin, work, dataDir, filepath.Join(c.dataset, "content"), srv, "DANGWU_SEND_RATE=25")
	if err != nil {
		return rep, err
	}
	defer b.stop()
	db, err := store.Open(ctx, filepath.Join(dataDir, "dangwu.db"))
	if err != nil {
		return rep, err
	}
	defer db.Close()

	d := newDriver(srv, active, c.mix, asks, c.params.Seed)
	d.marker = fmt.Sprintf("压力测试通知 %d", time.Now().UnixNano())
	d.start(c.replyTimeout)
	defer d.close()
	d.drive(*soakRate, time.Now().Add(c.warmup)) // warm, without faults
	d.drain(c.replyTimeout)
	rep.warm = len(d.take())
	sampleNow := func() {
		s := b.sample(true)
		rep.samples = append(rep.samples, s)
		rep.conns = append(rep.conns, sqliteConns(b.cmd.Process.Pid))
		fmt.Fprintf(os.Stderr, "%s  %v, %d SQLite connections\n", s.at.Format("15:04:05"), s, rep.conns[len(rep.conns)-1])
	}
	sampleNow()
	rep.anon[0], rep.file[0] = rssParts(b.cmd.Process.Pid)
	startProfile, endProfile := filepath.Join(work, "goroutines-start.txt"), filepath.Join(work, "goroutines-end.txt")
	if err := b.profile(ctx, "/debug/pprof/goroutine?debug=1", startProfile); err != nil {
		return rep, fmt.Errorf("%w: %v", errNoDebug, err)
	}
	if err := b.profile(ctx, "/debug/pprof/heap", filepath.Join(work, "heap-start.pprof")); err != nil {
		return rep, err
	}

	fmt.Fprintf(os.Stderr, "faults on for %v: %s of the calls\n", length, *soakFaults)
	f.set(true)
	started := time.Now()
	var bc scheduler.Broadcast
	var sched *scheduler.Service
	blocked := map[int64]bool{}
	nextSample := started.Add(30 * time.Second)
	for {
		now := time.Now()
		if bc.ID == 0 && now.Sub(started) >= *soakBroadcastAt {
			sched, bc, err = queueBroadcast(ctx, db, d.marker)
			if err != nil {
				return rep, err
			}
			rep.recipients, rep.skipped = bc.Recipients, bc.Skipped
			fmt.Fprintf(os.Stderr, "broadcast %d queued to %d people\n", bc.ID, bc.Recipients)
			if *soakBlocked > 0 {
				isActive := map[int64]bool{}
				for _, id := range active {
					isActive[id] = true
				}
				for i, id := range all {
					if !isActive[id] && i%*soakBlocked == 0 {
						srv.BlockBot(id)
						blocked[id] = true
					}
				}
			}
		}
		bcDone := false
		if bc.ID != 0 {
			st, err := sched.StatusOf(ctx, bc.ID)
			if err != nil {
				return rep, err
			}
			bcDone = st.Done()
		}
		if now.Sub(started) >= length && (bcDone || now.Sub(started) >= length+10*time.Minute) {
			break
		}
		if !b.alive() {
			break
		}
		if !now.Before(nextSample) {
			sampleNow()
			nextSample = nextSample.Add(30 * time.Second)
		}
		d.drive(*soakRate, time.Now().Add(time.Second))
	}
	rep.faulted = time.Since(started)
	rep.extra = max(rep.faulted-length, 0)
	f.set(false)
	rep.faultCounts = f.counts()
	fmt.Fprintf(os.Stderr, "faults off after %v; draining\n", rep.faulted.Round(time.Second))
	d.drain(c.replyTimeout)
	rep.alive = b.alive()
	if !rep.alive {
		return rep, fmt.Errorf("the bot died (%v); its log ends:\n%s", b.err, tail(b.logPath, 30))
	}
	// The broadcast, and whatever else is queued, goes out once the faults
	// stop: a row whose attempts failed waits out its backoff (at most
	// 320 s after the 4th).
	deadline := time.Now().Add(8 * time.Minute)
	for {
		var busy int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND not_before <= ?`,
			time.Now().UTC().Add(time.Hour).Format(time.RFC3339)).Scan(&busy); err != nil {
			return rep, err
		}
		if busy == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	d.drain(c.replyTimeout)
	sampleNow()
	// The bot's HTTP client keeps up to 64 idle connections to the Bot API
	// (bot.NewTransport), two goroutines each, for 90 s: the end is
	// measured once they have timed out, after a wait with nothing to do.
	if *soakSettle > 0 {
		fmt.Fprintf(os.Stderr, "idle for %v\n", *soakSettle)
		time.Sleep(*soakSettle)
		sampleNow()
	}
	rep.anon[1], rep.file[1] = rssParts(b.cmd.Process.Pid)
	if err := b.profile(ctx, "/debug/pprof/goroutine?debug=1", endProfile); err != nil {
		return rep, err
	}
	if err := b.profile(ctx, "/debug/pprof/heap", filepath.Join(work, "heap-end.pprof")); err != nil {
		return rep, err
	}
	// A last question: the bot still answers.
	probe := d.people[active[0]]
	probe.catchUp()
	probe.activity = actAsk
	probe.steps = 0
	r := probe.do(d, step{kind: kindQuestion, text: "入党申请书怎么写"}, c.replyTimeout)
	rep.probeOK = r.replied
	rs := d.take()
	rep.steps = statsOf(rs, "")
	rep.byKind = map[string]latencyStats{}
	for _, k := range stepKinds {
		if st := statsOf(rs, k); st.n > 0 {
			rep.byKind[k] = st
		}
	}
	d.close()
	rep.stopErr = b.stop()

	a, z := rep.samples[0], rep.samples[len(rep.samples)-1]
	rep.goFlat = z.goroutines <= a.goroutines+*soakGoSlack
	// The heap may grow by the answer cache, which fills as questions are
	// asked (bounded by knowledge.AnswerCacheBytes); resident memory as
	// SQLite's connections fill their page caches and prepare their
	// statements (bounded by the pool). Both must level off: over the last
	// third of the faults they may grow by the slack (and 10 %), where a
	// leak grows as much as in the first.
	slack := *soakHeapSlack * (1 << 20)
	rep.late = z
	for _, s := range rep.samples[1:] {
		if !s.at.Before(started.Add(2 * rep.faulted / 3)) {
			rep.late = s
			break
		}
	}
	rep.heapFlat = float64(z.heapInuse) <= 1.1*float64(a.heapInuse)+slack+float64(knowledge.AnswerCacheBytes) &&
		float64(z.heapInuse) <= 1.1*float64(rep.late.heapInuse)+slack
	rep.rssFlat = float64(z.rss) <= 1.1*float64(rep.late.rss)+slack
	rep.grown = goroutineGrowth(goroutineStacks(startProfile), goroutineStacks(endProfile), 8)

	events := srv.Events()
	// Every step made one update, the last question one more, and each
	// person who blocked the bot a my_chat_member update.
	if rep.inbox, err = checkInbox(ctx, db, rep.warm+len(rs)+1+len(blocked)); err != nil {
		return rep, err
	}
	rep.explained, rep.unexplained, rep.unansweredEx = explainUnanswered(rs, events, c.replyTimeout)
	if rep.sends, err = checkOutbox(ctx, db, events); err != nil {
		return rep, err
	}
	if rep.signups, err = checkSignups(ctx, db, events, bc.ID); err != nil {
		return rep, err
	}
	rep.replyDuplicates, rep.dupExamples = replyDuplicates(events, d, rep.sends.notices)
	if bc.ID != 0 {
		if err := checkBroadcast(ctx, db, bc, events, d.marker, blocked, &rep); err != nil {
			return rep, err
		}
	}
	rep.logErrors, rep.panics = logErrors(b.logPath)
	return rep, nil
}

// queueBroadcast queues a notice with a 收到 button to every approved
// worker, from this process on the bot's database, as the command line
// queues messages for a running bot.
func queueBroadcast(ctx context.Context, db *store.DB, marker string) (*scheduler.Service, scheduler.Broadcast, error) {
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		return nil, scheduler.Broadcast{}, err
	}
	sched, err := scheduler.NewService(store.NewSchedulerStore(db), scheduler.Options{
		Atomic: db.Atomic, Outbox: store.NewOutbox(db), Messages: bot.NewNotices(nil), Districts: districts,
		Access: member.NewService(store.NewMemberStore(db), districts, []int64{1}).Access,
	})
	if err != nil {
		return nil, scheduler.Broadcast{}, err
	}
	b, err := sched.CreateBroadcast(ctx, member.Access{UserID: 1, Role: member.RoleAdmin}, scheduler.Broadcast{
		Text: "请各位党务工作者于本周五前完成年度学习任务。（" + marker + "）", Ack: true,
	})
	if err != nil {
		return nil, b, fmt.Errorf("create the broadcast: %w", err)
	}
	return sched, b, nil
}

// replyDuplicates counts the texts the bot sent twice to a person within
// one of their steps (from one step to the next), queued messages (the
// texts of notices, by chat) aside: checkOutbox counts those.
func replyDuplicates(events []botapi.Event, d *driver, notices map[int64]map[string]bool) (int, []string) {
	byChat := map[int64][]botapi.Event{}
	for _, e := range events {
		if e.Kind == botapi.EventSend && e.Message != nil && d.people[e.ChatID] != nil && !strings.Contains(e.Message.Text, d.marker) &&
			!notices[e.ChatID][e.Message.Text] {
			byChat[e.ChatID] = append(byChat[e.ChatID], e)
		}
	}
	n := 0
	var examples []string
	for id, sends := range byChat {
		steps := d.people[id].stepped
		window := func(t time.Time) int {
			return sort.Search(len(steps), func(i int) bool { return steps[i].After(t) })
		}
		seen := map[string]bool{}
		last := -1
		for _, e := range sends {
			w := window(e.Time)
			if w != last {
				seen, last = map[string]bool{}, w
			}
			if seen[e.Message.Text] {
				n++
				if len(examples) < 5 {
					examples = append(examples, fmt.Sprintf("chat %d: %.40q", id, e.Message.Text))
				}
			}
			seen[e.Message.Text] = true
		}
	}
	return n, examples
}

// checkBroadcast compares the broadcast's outbox rows with what each
// recipient received.
func checkBroadcast(ctx context.Context, db *store.DB, bc scheduler.Broadcast, events []botapi.Event, marker string, blocked map[int64]bool, rep *soakReport) error {
	received := map[int64]int{}
	for _, e := range events {
		if e.Kind == botapi.EventSend && e.Message != nil && strings.Contains(e.Message.Text, marker) {
			received[e.ChatID]++
		}
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT o.chat_id, o.status, o.error, u.blocked_at IS NOT NULL
		FROM outbox o LEFT JOIN users u ON u.id = o.chat_id WHERE o.ref = ? AND o.op = 'send'`, scheduler.BroadcastRef(bc.ID))
	if err != nil {
		return err
	}
	defer rows.Close()
	rep.statuses, rep.failedReasons = map[string]int{}, map[string]int{}
	rep.blockedPeople = len(blocked)
	number := regexp.MustCompile(`[0-9]+`)
	for rows.Next() {
		var id int64
		var status, reason string
		var isBlocked bool
		if err := rows.Scan(&id, &status, &reason, &isBlocked); err != nil {
			return err
		}
		rep.statuses[status]++
		rep.bcRows++
		got := received[id]
		if got == 0 && status != "uncertain" && !isBlocked {
			rep.bcLost++
		}
		if got > 0 && status == "failed" {
			rep.bcFailedGot++
		}
		if got > 0 {
			rep.received++
		}
		switch {
		case got > 1 && status == "uncertain":
			rep.uncertainDup++
		case got > 1:
			rep.duplicates++
		}
		if status == "sent" && got == 0 {
			rep.sentNotReceived++
		}
		if status == "failed" {
			rep.failedReasons[number.ReplaceAllString(reason, "N")]++
		}
		// A send to someone who blocked the bot whose answer was lost is
		// uncertain, like any other: the bot cannot know it was refused.
		if blocked[id] && got == 0 && (isBlocked && (status == "failed" || status == "cancelled") || status == "uncertain") {
			rep.blockedOK++
		}
		if blocked[id] && got > 0 {
			rep.blockedOK++ // delivered before they blocked the bot
		}
	}
	return rows.Err()
}

// logErrors counts the bot's log lines at level ERROR by message, and its
// handler panics.
func logErrors(path string) (map[string]int, int) {
	out := map[string]int{}
	panics := 0
	msg := regexp.MustCompile(`msg="([^"]*)"|msg=(\S+)`)
	for _, line := range strings.Split(readFile(path), "\n") {
		if strings.Contains(line, "handler panic") {
			panics++
		}
		if !strings.Contains(line, "level=ERROR") {
			continue
		}
		m := msg.FindStringSubmatch(line)
		key := "?"
		if m != nil {
			key = m[1] + m[2]
		}
		out[key]++
	}
	return out, panics
}

func (r soakReport) print(c loadConfig) {
	fmt.Printf("soak              faults for %v (%v beyond the asked length, for the broadcast): %s %% of calls\n",
		r.faulted.Round(time.Second), r.extra.Round(time.Second), *soakFaults)
	var kinds []string
	calls := 0
	for k := range r.faultCounts {
		if !strings.Contains(k, " ") {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, r.faultCounts[k]))
		calls += r.faultCounts[k]
	}
	fmt.Printf("faults injected   %d: %s\n", calls, strings.Join(parts, ", "))
	for _, m := range []string{"getUpdates", "sendMessage", "editMessageText", "answerCallbackQuery"} {
		var mp []string
		for _, k := range kinds {
			if n := r.faultCounts[m+" "+k]; n > 0 {
				mp = append(mp, fmt.Sprintf("%s %d", k, n))
			}
		}
		fmt.Printf("  %-20s %s\n", m, strings.Join(mp, ", "))
	}
	fmt.Printf("bot               alive at the end %v, answered a last question %v, stopped cleanly %v, handler panics %d\n",
		r.alive, r.probeOK, r.stopErr == nil, r.panics)
	fmt.Printf("inbox             %d updates queued (%d in the warm-up): %d stored, %d never handled, %d unexpected\n",
		r.inbox.expected, r.warm, r.inbox.stored, r.inbox.undone, r.inbox.extra)
	fmt.Printf("people            %d updates from %d people at %.0f/s: %d unanswered (%d after a fault on their reply, %d with none), %d answered with an apology, %d with the flood notice; %d replies sent twice in one step\n",
		r.steps.n, *soakActive, *soakRate, r.steps.unanswered, r.explained, r.unexplained, r.steps.errors, r.steps.flooded, r.replyDuplicates)
	for _, e := range r.unansweredEx {
		fmt.Printf("  unanswered      %s\n", e)
	}
	for _, e := range r.dupExamples {
		fmt.Printf("  sent twice      %s\n", e)
	}
	fmt.Printf("reply latency     p50 %s  p90 %s  p99 %s  max %s\n", ms(r.steps.p50), ms(r.steps.p90), ms(r.steps.p99), ms(r.steps.max))
	for _, k := range stepKinds {
		if st, ok := r.byKind[k]; ok {
			fmt.Printf("  %-14s  %6d  unanswered %3d  apologies %3d  p50 %8s  p99 %8s\n", k, st.n, st.unanswered, st.errors, ms(st.p50), ms(st.p99))
		}
	}
	fmt.Printf("broadcast         %d recipients, %d rows (%d skipped as known blocked): %s\n", r.recipients, r.bcRows, r.skipped, formatCounts(r.statuses))
	fmt.Printf("  received        %d people; lost %d (sent but not received %d); failed but received %d; received twice: %d with the row uncertain, %d otherwise\n",
		r.received, r.bcLost, r.sentNotReceived, r.bcFailedGot, r.uncertainDup, r.duplicates)
	fmt.Printf("  blocked         %d people blocked the bot after it was queued: %d refused (row failed, blocked_at set), uncertain, or delivered before\n", r.blockedPeople, r.blockedOK)
	for reason, n := range r.failedReasons {
		fmt.Printf("  failed          %d: %.100s\n", n, reason)
	}
	fmt.Printf("queued messages   %d rows: %s; due and unfinished %d, for later %d\n", r.sends.rows, formatCounts(r.sends.statuses), r.sends.unfinished, r.sends.later)
	var byKind []string
	for k, n := range r.sends.byKind {
		byKind = append(byKind, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(byKind)
	fmt.Printf("  by kind         %s\n", strings.Join(byKind, ", "))
	fmt.Printf("  delivery        lost %d (sent but not received %d, given up %d); failed but received %d; duplicates %d; uncertain: %d received, %d not, %d received twice\n",
		r.sends.lost(), r.sends.sentNotReceived, r.sends.givenUp, r.sends.failedReceived, r.sends.duplicates,
		r.sends.uncertainGot, r.sends.statuses["uncertain"]-r.sends.uncertainGot, r.sends.uncertainDup)
	for _, e := range r.sends.examples {
		fmt.Printf("  example         %s\n", e)
	}
	sg := r.signups
	fmt.Printf("sign-ups          %d presses: %d confirmed 报名, %d confirmed 取消, %d refused, %d with no answer; %d person-event pairs checked: %d confirmed and missing, %d withdrawn and still there\n",
		sg.presses, sg.confirmedIn, sg.confirmedOut, sg.refused, sg.noAnswer, sg.pairs, sg.lostIn, sg.lostOut)
	fmt.Printf("  收到            %d presses, %d people confirmed: %d recorded, %d missing\n", sg.acks, sg.ackedOK+sg.ackMissing, sg.ackedOK, sg.ackMissing)
	for _, e := range sg.examples {
		fmt.Printf("  example         %s\n", e)
	}
	fmt.Println("memory            (heap after a collection)")
	for i, s := range r.samples {
		fmt.Printf("  %s  %v, %d SQLite connections\n", s.at.Format("15:04:05"), s, r.conns[i])
	}
	a, z := memSample{}, memSample{}
	if len(r.samples) > 0 {
		a, z = r.samples[0], r.samples[len(r.samples)-1]
	}
	fmt.Printf("  start → end     RSS %d → %d MB, heap %.1f → %.1f MB (flat: %v), goroutines %d → %d (flat: %v), threads %d → %d\n",
		a.rss>>20, z.rss>>20, float64(a.heapInuse)/(1<<20), float64(z.heapInuse)/(1<<20), r.heapFlat, a.goroutines, z.goroutines, r.goFlat, a.threads, z.threads)
	fmt.Printf("  last third      two thirds into the faults → end: heap %.1f → %.1f MB (the answer cache may take %d MB), RSS %d → %d MB (levelled off: %v)\n",
		mb(r.late.heapInuse), mb(z.heapInuse), knowledge.AnswerCacheBytes>>20, r.late.rss>>20, z.rss>>20, r.rssFlat)
	fmt.Printf("  resident        anonymous %d → %d MB, file-backed %d → %d MB; SQLite connections %d → %d (peak %d)\n",
		r.anon[0]>>20, r.anon[1]>>20, r.file[0]>>20, r.file[1]>>20, r.conns[0], r.conns[len(r.conns)-1], slices.Max(r.conns))
	for _, g := range r.grown {
		fmt.Printf("  grew            %s\n", g)
	}
	var errs []string
	for m, n := range r.logErrors {
		errs = append(errs, fmt.Sprintf("%d× %s", n, m))
	}
	slices.Sort(errs)
	fmt.Printf("bot log errors    %s\n", strings.Join(errs, "; "))
	fmt.Printf("summary: faulted=%.0fs faults=%d updates=%d unanswered=%d unexplained=%d apologies=%d reply_dups=%d inbox_ok=%v "+
		"bc_rows=%d sent=%d failed=%d uncertain=%d pending=%d lost=%d dup=%d uncertain_dup=%d "+
		"queued=%d queued_lost=%d queued_dup=%d queued_uncertain=%d signups_ok=%v "+
		"rss=%d->%dMB heap=%.1f->%.1fMB goroutines=%d->%d alive=%v\n",
		r.faulted.Seconds(), calls, r.steps.n, r.steps.unanswered, r.unexplained, r.steps.errors, r.replyDuplicates, r.inbox.ok(),
		r.bcRows, r.statuses["sent"], r.statuses["failed"], r.statuses["uncertain"], r.statuses["pending"]+r.statuses["sending"], r.bcLost, r.duplicates, r.uncertainDup,
		r.sends.rows, r.sends.lost(), r.sends.duplicates, r.sends.statuses["uncertain"], r.signups.ok(),
		a.rss>>20, z.rss>>20, float64(a.heapInuse)/(1<<20), float64(z.heapInuse)/(1<<20), a.goroutines, z.goroutines, r.alive && r.probeOK)
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }
