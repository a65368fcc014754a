package main

// The broadcast mode (-broadcast N): one notice to N simulated recipients
// through the in-process Bot API server with Telegram's sending limits on,
// 429s injected and a share of the people having blocked the bot. It
// measures the running binary's delivery rate against its configured rate
// and checks, per recipient, that nothing was sent twice or lost.
//
// People who blocked the bot before the notice was queued are, by default
// (-blocked-known), known to it: Telegram sends a my_chat_member update
// (new status "kicked") when someone blocks a bot, the bot marks them
// blocked, and the broadcast leaves them out. The run waits until the bot
// has recorded every one of them before it queues the notice. With
// -blocked-known=false their updates are discarded, as for people who
// blocked the bot after the notice was queued: each costs a send refused
// with 403. -blocked-late-every adds people who block the bot right after
// the notice was queued (their updates do reach the bot, too late).
//
//	go build -o /tmp/dangwu ./cmd/dangwu
//	go run ./cmd/dangwu-load -bin /tmp/dangwu -broadcast 10000
//	go run ./cmd/dangwu-load -bin /tmp/dangwu -broadcast 10000 -blocked-known=false
//	go run ./cmd/dangwu-load -bin /tmp/dangwu -broadcast 10000 -blocked-every 25 -blocked-late-every 100

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
)

var (
	sendRate    = flag.Float64("send-rate", 25, "with -broadcast: the bot's DANGWU_SEND_RATE, messages a second")
	blockedEach = flag.Int("blocked-every", 20, "with -broadcast: every n-th recipient has blocked the bot before the notice is queued (20: 5 %; 0: nobody)")
	knownBlock  = flag.Bool("blocked-known", true, "with -broadcast: the -blocked-every people's my_chat_member updates reach the bot before the broadcast, "+
		"which skips them (false: the updates are discarded, as if they blocked it after the notice was queued, and each costs a 403)")
	lateEach  = flag.Int("blocked-late-every", 0, "with -broadcast: every n-th recipient blocks the bot right after the notice was queued (100: 1 %; 0: nobody)")
	faultEach = flag.Int("429-every", 100, "with -broadcast: every n-th sendMessage call is answered 429 retry_after=1 (100: 1 %; 0: none)")
)

// firstRecipient is the Telegram user id of the first simulated recipient.
const firstRecipient = 500000

// broadcastMain runs the broadcast mode and returns the exit code: 1 when
// a message was sent twice or lost, or the run failed.
func broadcastMain(bin string, recipients int, timeout time.Duration, timeoutSet bool) int {
	if *sendRate <= 0 || *sendRate > 30 || *blockedEach < 0 || *faultEach < 0 || *lateEach < 0 {
		flag.Usage()
		return 2
	}
	if !timeoutSet {
		// Twice the time the configured rate needs, and start-up.
		timeout = 2*time.Duration(float64(recipients) / *sendRate * float64(time.Second)) + 2*time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r, err := runBroadcast(ctx, bin, recipients)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dangwu-load:", err)
		return 1
	}
	r.print()
	if r.duplicates > 0 || r.lost > 0 || r.skippedOK < r.skippedPeople || r.refusedOK+r.refusedDelivered < r.refusedPeople {
		return 1
	}
	return 0
}

// blockedWait bounds the wait for the bot to record the known blocks.
const blockedWait = 2 * time.Minute

// broadcastResult is what one run measured.
type broadcastResult struct {
	recipients    int
	known         bool // the blocked people's updates reached the bot before the broadcast
	skippedPeople int  // blocked before the broadcast and known to the bot
	refusedPeople int  // blocked, unknown to the bot when the notice was queued
	lateBlocked   int  // of refusedPeople, those who blocked it after the notice was queued
	blockedSeen   time.Duration
	queued        int // outbox rows of the broadcast (its Recipients)
	skipped       int // the broadcast's Skipped
	rate          float64
	startup       time.Duration
	firstAfter    time.Duration // from the commit of the broadcast to its first delivery
	duration      time.Duration // first to last delivery
	delivered     int           // recipients who received it (once or more)
	calls         int           // sendMessage answers in the window, refusals included
	duplicates    int
	extraCopies   int
	lost          int
	lostByStatus  map[string]int
	// skippedOK: skipped people with no outbox row, nothing received and
	// users.blocked_at set; refusedOK: refused people with the row failed
	// and users.blocked_at set; refusedDelivered: blocked after their copy
	// was delivered.
	skippedOK, refusedOK, refusedDelivered int
	uncertain                              int
	statuses                               map[string]int
	injected429, server429                 int
	refused403                             int
	otherSends                             int // messages other than the notice, to anyone
	peakRSS                                int64
}

func (r broadcastResult) deliverable() int { return r.recipients - r.skippedPeople - r.refusedPeople }

func (r broadcastResult) achieved() float64 { return float64(r.delivered) / r.duration.Seconds() }

func (r broadcastResult) mode() string {
	switch {
	case r.skippedPeople+r.refusedPeople == 0:
		return "nobody-blocked"
	case r.skippedPeople > 0 && r.lateBlocked > 0:
		return "mixed"
	case r.known:
		return "known"
	default:
		return "unknown"
	}
}

func (r broadcastResult) print() {
	fmt.Printf("recipients        %d, send rate %g/s, start-up %v\n", r.recipients, r.rate, r.startup.Round(time.Millisecond))
	seen := ""
	if r.skippedPeople > 0 {
		seen = fmt.Sprintf(" (all recorded %v after they blocked it)", r.blockedSeen.Round(time.Millisecond))
	}
	fmt.Printf("blocked           %d known to the bot before the broadcast%s, %d unknown to it (%d blocked it after the notice was queued)\n",
		r.skippedPeople, seen, r.refusedPeople, r.lateBlocked)
	fmt.Printf("queued            %d, skipped %d (known blocked)\n", r.queued, r.skipped)
	fmt.Printf("delivery          %d delivered of %d deliverable, from the first to the last in %v (first %v after the broadcast was queued)\n",
		r.delivered, r.deliverable(), r.duration.Round(time.Millisecond), r.firstAfter.Round(time.Millisecond))
	fmt.Printf("achieved rate     %.2f delivered/s = %.3f of the configured rate; %.2f sendMessage calls/s = %.3f (refusals included)\n",
		r.achieved(), r.achieved()/r.rate, float64(r.calls)/r.duration.Seconds(), float64(r.calls)/r.duration.Seconds()/r.rate)
	fmt.Printf("refusals          429: %d injected, %d from the server's limits; 403: %d\n", r.injected429, r.server429, r.refused403)
	fmt.Printf("outbox rows       %s\n", formatCounts(r.statuses))
	fmt.Printf("checks            skipped: %d of %d without a row, nothing received, users.blocked_at set; refused: %d of %d with the row failed and users.blocked_at set",
		r.skippedOK, r.skippedPeople, r.refusedOK, r.refusedPeople)
	if r.refusedDelivered > 0 {
		fmt.Printf(", %d delivered before they blocked it", r.refusedDelivered)
	}
	fmt.Println()
	if r.duplicates > 0 {
		fmt.Printf("duplicates        %d people received it more than once (%d extra copies)\n", r.duplicates, r.extraCopies)
	}
	if r.lost > 0 {
		fmt.Printf("lost by row       %s\n", formatCounts(r.lostByStatus))
	}
	if r.otherSends > 0 {
		fmt.Printf("other messages    %d\n", r.otherSends)
	}
	fmt.Printf("resident memory   peak %d MB\n", r.peakRSS>>20)
	fmt.Printf("summary: mode=%s recipients=%d deliverable=%d delivered=%d skipped=%d 403=%d 429=%d duplicates=%d lost=%d uncertain=%d rate=%.2f/s ratio=%.3f duration=%.1fs\n",
		r.mode(), r.recipients, r.deliverable(), r.delivered, r.skipped, r.refused403, r.injected429+r.server429,
		r.duplicates, r.lost, r.uncertain, r.achieved(), r.achieved()/r.rate, r.duration.Seconds())
}

func formatCounts(m map[string]int) string {
	var parts []string
	for _, k := range []string{"sent", "failed", "uncertain", "pending", "sending", "cancelled"} {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	for k, n := range m {
		if !strings.Contains("sent failed uncertain pending sending cancelled", k) {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func runBroadcast(ctx context.Context, bin string, n int) (broadcastResult, error) {
	res := broadcastResult{recipients: n, rate: *sendRate, known: *knownBlock}
	work, err := os.MkdirTemp("", "dangwu-broadcast-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(work)
	contentDir, dataDir := filepath.Join(work, "content"), filepath.Join(work, "data")
	if err := writeCorpus(contentDir, 100); err != nil { // a small knowledge base: the broadcast is measured
		return res, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return res, err
	}

	// A fresh database with the recipients as approved workers, as after
	// a roster import.
	db, err := store.Open(ctx, filepath.Join(dataDir, "dangwu.db"))
	if err != nil {
		return res, err
	}
	defer db.Close()
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		return res, err
	}
	// skip: blocked before the broadcast, known to the bot; early: blocked
	// before it, unknown to the bot; late: blocked right after it.
	ids := make([]int64, n)
	skip, early, late := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for i := range ids {
		id := firstRecipient + int64(i)
		ids[i] = id
		switch {
		case *blockedEach > 0 && i%*blockedEach == *blockedEach-1 && *knownBlock:
			skip[id] = true
		case *blockedEach > 0 && i%*blockedEach == *blockedEach-1:
			early[id] = true
		case *lateEach > 0 && i%*lateEach == *lateEach/2:
			late[id] = true
		}
	}
	res.skippedPeople, res.refusedPeople, res.lateBlocked = len(skip), len(early)+len(late), len(late)
	if err := seedWorkers(ctx, db, ids, districts.Names()); err != nil {
		return res, fmt.Errorf("seed the recipients: %w", err)
	}

	// Every recipient started the bot long ago. With -blocked-known=false
	// the blocked ones blocked it and their updates are discarded, so the
	// bot learns it only from the 403 its send gets, as for people who block
	// it after the notice was queued.
	srv := botapi.New(botapi.Options{Token: "load:token", RateLimits: true})
	if err := srv.Start(); err != nil {
		return res, err
	}
	defer srv.Close()
	for _, id := range ids {
		srv.StartChat(id)
		if early[id] {
			srv.BlockBot(id)
		}
	}
	if err := dropUpdates(ctx, srv.URL(), "load:token"); err != nil {
		return res, err
	}
	var sendCalls, injected atomic.Int64
	if every := int64(*faultEach); every > 0 {
		srv.SetFault(func(method string, _ botapi.Params) *botapi.APIError {
			if method != "sendMessage" || sendCalls.Add(1)%every != 0 {
				return nil
			}
			injected.Add(1)
			return &botapi.APIError{Code: http.StatusTooManyRequests, Description: "Too Many Requests: retry after 1", RetryAfter: 1}
		})
	}

	cmd := exec.CommandContext(ctx, bin, "run", "--data", dataDir, "--content", contentDir)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN=load:token", "TELEGRAM_API_URL="+srv.URL(),
		"DANGWU_SEND_RATE="+strconv.FormatFloat(*sendRate, 'g', -1, 64), "DANGWU_QUIET=off")
	logPath := filepath.Join(work, "bot.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return res, err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return res, err
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	}
	defer stop()
	fail := func(err error) (broadcastResult, error) {
		stop()
		return res, fmt.Errorf("%w\nthe bot's log ends:\n%s", err, tail(logPath, 20))
	}
	if err := srv.WaitPolling(ctx); err != nil {
		return fail(fmt.Errorf("the bot never polled: %w", err))
	}
	res.startup = time.Since(started)

	// The known blocks: they block the bot now, Telegram sends it their
	// my_chat_member updates and the bot marks them blocked; the notice is
	// queued once users.blocked_at is set for all of them.
	if len(skip) > 0 {
		blockedAt := time.Now()
		for _, id := range ids {
			if skip[id] {
				srv.BlockBot(id)
			}
		}
		deadline := time.Now().Add(blockedWait)
		for {
			var seen int
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE blocked_at IS NOT NULL`).Scan(&seen); err != nil {
				return fail(err)
			}
			if seen >= len(skip) {
				break
			}
			if time.Now().After(deadline) {
				return fail(fmt.Errorf("the bot recorded %d of the %d blocks in %v", seen, len(skip), blockedWait))
			}
			select {
			case <-ctx.Done():
				return fail(fmt.Errorf("the bot recorded %d of the %d blocks: %w", seen, len(skip), ctx.Err()))
			case <-time.After(50 * time.Millisecond):
			}
		}
		res.blockedSeen = time.Since(blockedAt)
	}

	// The notice is queued from this process, on the bot's database file,
	// as `dangwu import` queues messages for a running bot: its sender
	// finds them at its next read of the queue.
	sched, err := scheduler.NewService(store.NewSchedulerStore(db), scheduler.Options{
		Atomic: db.Atomic, Outbox: store.NewOutbox(db), Messages: bot.NewNotices(nil), Districts: districts,
		Access: member.NewService(store.NewMemberStore(db), districts, []int64{1}).Access,
	})
	if err != nil {
		return fail(err)
	}
	marker := fmt.Sprintf("负载测试 %d", time.Now().UnixNano())
	b, err := sched.CreateBroadcast(ctx, member.Access{UserID: 1, Role: member.RoleAdmin}, scheduler.Broadcast{
		Text: "请各位党务工作者于本周五前完成年度学习任务。（" + marker + "）", Ack: true,
	})
	if err != nil {
		return fail(fmt.Errorf("create the broadcast: %w", err))
	}
	queued := time.Now()
	// Those who block the bot once it is queued: their updates reach it, but
	// their messages are in the outbox already.
	for _, id := range ids {
		if late[id] {
			srv.BlockBot(id)
		}
	}
	res.queued, res.skipped = b.Recipients, b.Skipped
	if b.Recipients != n-len(skip) || b.Skipped != len(skip) {
		return fail(fmt.Errorf("the broadcast was queued to %d people and skipped %d, want %d and %d", b.Recipients, b.Skipped, n-len(skip), len(skip)))
	}

	// Wait until nothing of it is pending or in flight.
	lastReport := time.Now()
	for {
		st, err := sched.StatusOf(ctx, b.ID)
		if err != nil {
			return fail(err)
		}
		if st.Done() {
			break
		}
		if time.Since(lastReport) >= 30*time.Second {
			lastReport = time.Now()
			fmt.Fprintf(os.Stderr, "%5.0fs  sent %d, failed %d, pending %d, sending %d\n", time.Since(queued).Seconds(),
				st.Counts.Sent, st.Counts.Failed, st.Counts.Pending, st.Counts.Sending)
		}
		select {
		case <-ctx.Done():
			return fail(fmt.Errorf("the broadcast did not finish in time (sent %d, pending %d): %w",
				st.Counts.Sent, st.Counts.Pending, ctx.Err()))
		case <-time.After(500 * time.Millisecond):
		}
	}
	_, res.peakRSS = rss(cmd.Process.Pid)
	stop()

	// What the server saw.
	received := map[int64]int{}
	var first, last time.Time
	events := srv.Events()
	for _, e := range events {
		if e.Kind != botapi.EventSend {
			continue
		}
		if e.Message == nil || !strings.Contains(e.Message.Text, marker) {
			res.otherSends++
			continue
		}
		received[e.ChatID]++
		if first.IsZero() {
			first = e.Time
		}
		last = e.Time
	}
	if first.IsZero() {
		return res, errors.New("nobody received the broadcast")
	}
	res.firstAfter, res.duration = first.Sub(queued), last.Sub(first)
	for _, e := range events {
		if e.Method != "sendMessage" || e.Time.Before(first) || e.Time.After(last) {
			continue
		}
		if e.Kind == botapi.EventSend || e.Kind == botapi.EventRefused {
			res.calls++
		}
	}
	for _, e := range events {
		if e.Kind == botapi.EventRefused && e.Method == "sendMessage" {
			switch e.Err.Code {
			case http.StatusTooManyRequests:
				res.server429++
			case http.StatusForbidden:
				res.refused403++
			}
		}
	}
	res.injected429 = int(injected.Load())
	res.server429 -= res.injected429

	// What the database says, per recipient.
	rows, err := db.SQL().QueryContext(ctx, `SELECT o.chat_id, o.status, u.blocked_at IS NOT NULL
		FROM outbox o LEFT JOIN users u ON u.id = o.chat_id WHERE o.ref = ?`, scheduler.BroadcastRef(b.ID))
	if err != nil {
		return res, err
	}
	type row struct {
		status  string
		blocked bool
	}
	outbox := map[int64]row{}
	res.statuses, res.lostByStatus = map[string]int{}, map[string]int{}
	for rows.Next() {
		var id int64
		var r row
		if err := rows.Scan(&id, &r.status, &r.blocked); err != nil {
			rows.Close()
			return res, err
		}
		outbox[id] = r
		res.statuses[r.status]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	blockedUsers := map[int64]bool{}
	urows, err := db.SQL().QueryContext(ctx, `SELECT id FROM users WHERE blocked_at IS NOT NULL`)
	if err != nil {
		return res, err
	}
	for urows.Next() {
		var id int64
		if err := urows.Scan(&id); err != nil {
			urows.Close()
			return res, err
		}
		blockedUsers[id] = true
	}
	urows.Close()
	if err := urows.Err(); err != nil {
		return res, err
	}
	for _, id := range ids {
		got, r := received[id], outbox[id]
		_, hasRow := outbox[id]
		if got > 0 {
			res.delivered++
		}
		if got > 1 {
			res.duplicates++
			res.extraCopies += got - 1
		}
		if r.status == "uncertain" {
			res.uncertain++
		}
		switch {
		case skip[id]:
			if !hasRow && got == 0 && blockedUsers[id] {
				res.skippedOK++
			}
		case early[id] || late[id]:
			switch {
			case got > 0:
				res.refusedDelivered++ // blocked only after its copy landed
			case r.status == "failed" && r.blocked:
				res.refusedOK++
			}
		case got == 0:
			res.lost++
			status := r.status
			if status == "" {
				status = "no row"
			}
			res.lostByStatus[status]++
		}
	}
	return res, nil
}

// seedWorkers stores ids as approved workers spread over the districts.
func seedWorkers(ctx context.Context, db *store.DB, ids []int64, districts []string) error {
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC().Format(time.RFC3339)
	users, err := tx.PrepareContext(ctx, `INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	members, err := tx.PrepareContext(ctx, `INSERT INTO members (user_id, name, phone, phone_verified, district, org, post,
			education, start_year, status, status_at, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, '某公司党支部', '专职党务工作者', '本科', 2018, 'approved', ?, ?, ?)`)
	if err != nil {
		return err
	}
	for i, id := range ids {
		name := fmt.Sprintf("工作者%d", i+1)
		if _, err := users.ExecContext(ctx, id, name, now, now); err != nil {
			return err
		}
		if _, err := members.ExecContext(ctx, id, name, fmt.Sprintf("139%08d", i+1), districts[i%len(districts)], now, now, now); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// dropUpdates confirms every update the server holds, as if they had
// expired: the bot never sees them.
func dropUpdates(ctx context.Context, base, token string) error {
	get := func(offset int64) ([]struct {
		UpdateID int64 `json:"update_id"`
	}, error) {
		u := base + "/bot" + token + "/getUpdates?timeout=0&offset=" + url.QueryEscape(strconv.FormatInt(offset, 10))
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var body struct {
			OK     bool `json:"ok"`
			Result []struct {
				UpdateID int64 `json:"update_id"`
			} `json:"result"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !body.OK {
			return nil, fmt.Errorf("getUpdates: %v (ok %v)", err, body.OK)
		}
		return body.Result, nil
	}
	last, err := get(-1) // keeps only the newest
	if err != nil || len(last) == 0 {
		return err
	}
	_, err = get(last[0].UpdateID + 1)
	return err
}
