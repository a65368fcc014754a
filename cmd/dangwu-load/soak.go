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
//   - the bot process lives, answers a last question, and stops cleanly;
//   - every update was answered (an apology for an internal error counts
//     apart), and no reply was sent twice;
//   - every row of the broadcast ended sent (and was received), failed
//     (refused with 403: the person blocked the bot; or given up), or
//     uncertain; none is pending or in flight, and nobody received it
//     twice unless their row is uncertain;
//   - resident memory, Go heap and goroutines at the start and the end
//     (heap after a collection), and every 30 s in between.
//
// It exits 1 if anything was lost, sent twice or left unfinished, or the
// bot died.

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
	faulted, extra  time.Duration // with faults: as asked, and beyond it for the broadcast
	alive, probeOK  bool
	stopErr         error
	steps           latencyStats
	byKind          map[string]latencyStats
	replyDuplicates int // replies sent twice within one step of a person
	dupExamples     []string
	recipients      int
	skipped         int
	statuses        map[string]int
	received        int // recipients who received the notice
	sentNotReceived int
	uncertainDup    int // received twice, row uncertain
	duplicates      int // received twice, row not uncertain
	blockedPeople   int
	blockedOK       int // refused with 403: row failed, blocked_at set
	failedReasons   map[string]int
	outbox          map[string]int // every row of the outbox, by status
	samples         []memSample
	faultCounts     map[string]int
	logErrors       map[string]int
	panics          int
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
	if !rep.alive || !rep.probeOK || rep.stopErr != nil || rep.steps.unanswered > 0 || rep.replyDuplicates > 0 ||
		rep.duplicates > 0 || rep.sentNotReceived > 0 || rep.statuses["pending"]+rep.statuses["sending"] > 0 ||
		rep.outbox["pending"]+rep.outbox["sending"] > 0 || rep.blockedOK < rep.blockedPeople || rep.panics > 0 {
		return 1
	}
	return 0
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
	d.take()
	sampleNow := func() {
		s := b.sample(true)
		rep.samples = append(rep.samples, s)
		fmt.Fprintf(os.Stderr, "%s  %v\n", s.at.Format("15:04:05"), s)
	}
	sampleNow()

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
	// The broadcast, and whatever else is queued, goes out once the faults stop.
	deadline := time.Now().Add(5 * time.Minute)
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
	sampleNow()
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

	events := srv.Events()
	rep.replyDuplicates, rep.dupExamples = replyDuplicates(events, d)
	if bc.ID != 0 {
		if err := checkBroadcast(ctx, db, bc, events, d.marker, blocked, &rep); err != nil {
			return rep, err
		}
	}
	rep.outbox = map[string]int{}
	rows, err := db.SQL().QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		rep.outbox[s] = n
	}
	rows.Close()
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
// one of their steps (from one step to the next), notices aside.
func replyDuplicates(events []botapi.Event, d *driver) (int, []string) {
	byChat := map[int64][]botapi.Event{}
	for _, e := range events {
		if e.Kind == botapi.EventSend && e.Message != nil && d.people[e.ChatID] != nil && !strings.Contains(e.Message.Text, d.marker) {
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
		got := received[id]
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
		if blocked[id] && isBlocked && got == 0 && (status == "failed" || status == "cancelled") {
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
	for k := range r.faultCounts {
		if !strings.Contains(k, " ") {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, r.faultCounts[k]))
	}
	fmt.Printf("faults injected   %s\n", strings.Join(parts, ", "))
	fmt.Printf("bot               alive at the end %v, answered a last question %v, stopped cleanly %v, handler panics %d\n",
		r.alive, r.probeOK, r.stopErr == nil, r.panics)
	fmt.Printf("people            %d updates from %d people at %.0f/s: %d unanswered, %d answered with an apology, %d with the flood notice; %d replies sent twice in one step\n",
		r.steps.n, *soakActive, *soakRate, r.steps.unanswered, r.steps.errors, r.steps.flooded, r.replyDuplicates)
	for _, e := range r.dupExamples {
		fmt.Printf("  sent twice      %s\n", e)
	}
	fmt.Printf("reply latency     p50 %s  p90 %s  p99 %s  max %s\n", ms(r.steps.p50), ms(r.steps.p90), ms(r.steps.p99), ms(r.steps.max))
	for _, k := range stepKinds {
		if st, ok := r.byKind[k]; ok {
			fmt.Printf("  %-14s  %6d  unanswered %3d  apologies %3d  p50 %8s  p99 %8s\n", k, st.n, st.unanswered, st.errors, ms(st.p50), ms(st.p99))
		}
	}
	fmt.Printf("broadcast         %d rows (%d skipped as known blocked): %s\n", r.recipients, r.skipped, formatCounts(r.statuses))
	fmt.Printf("  received        %d people; sent but not received %d; received twice: %d with the row uncertain, %d otherwise\n",
		r.received, r.sentNotReceived, r.uncertainDup, r.duplicates)
	fmt.Printf("  blocked         %d people blocked the bot after it was queued: %d refused (row failed, blocked_at set) or delivered before\n", r.blockedPeople, r.blockedOK)
	for reason, n := range r.failedReasons {
		fmt.Printf("  failed          %d: %.100s\n", n, reason)
	}
	fmt.Printf("outbox            every row: %s\n", formatCounts(r.outbox))
	fmt.Println("memory            (heap after a collection)")
	for _, s := range r.samples {
		fmt.Printf("  %s  %v\n", s.at.Format("15:04:05"), s)
	}
	if len(r.samples) >= 2 {
		a, z := r.samples[0], r.samples[len(r.samples)-1]
		fmt.Printf("  start → end     RSS %d → %d MB, heap %.1f → %.1f MB, goroutines %d → %d, threads %d → %d\n",
			a.rss>>20, z.rss>>20, float64(a.heapInuse)/(1<<20), float64(z.heapInuse)/(1<<20), a.goroutines, z.goroutines, a.threads, z.threads)
	}
	var errs []string
	for m, n := range r.logErrors {
		errs = append(errs, fmt.Sprintf("%d× %s", n, m))
	}
	slices.Sort(errs)
	fmt.Printf("bot log errors    %s\n", strings.Join(errs, "; "))
	a, z := memSample{}, memSample{}
	if len(r.samples) > 0 {
		a, z = r.samples[0], r.samples[len(r.samples)-1]
	}
	fmt.Printf("summary: faulted=%.0fs updates=%d unanswered=%d apologies=%d reply_dups=%d bc_rows=%d sent=%d failed=%d uncertain=%d pending=%d dup=%d uncertain_dup=%d sent_not_received=%d rss=%d->%dMB heap=%.1f->%.1fMB goroutines=%d->%d alive=%v\n",
		r.faulted.Seconds(), r.steps.n, r.steps.unanswered, r.steps.errors, r.replyDuplicates, r.recipients, r.statuses["sent"], r.statuses["failed"],
		r.statuses["uncertain"], r.statuses["pending"]+r.statuses["sending"], r.duplicates, r.uncertainDup, r.sentNotReceived,
		a.rss>>20, z.rss>>20, float64(a.heapInuse)/(1<<20), float64(z.heapInuse)/(1<<20), a.goroutines, z.goroutines, r.alive && r.probeOK)
}
