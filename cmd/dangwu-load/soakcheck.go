package main

// The soak's checks that compare the bot's database with what the Bot API
// server saw: every update stored and handled, every queued message
// delivered once (or held uncertain), every sign-up and 收到 the bot
// confirmed recorded, unanswered steps explained by a fault, and the
// goroutines that grew between two profiles.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/store"
)

// inboxCheck is what became of the updates the server made.
type inboxCheck struct {
	expected int // updates the server queued: every step, every block
	stored   int // of them, in the inbox
	undone   int // stored and never marked handled
	extra    int // rows beyond the ones expected
}

func (c inboxCheck) ok() bool { return c.stored == c.expected && c.undone == 0 && c.extra == 0 }

// checkInbox compares the inbox with the expected updates, numbered from 1
// by the server in the order it queued them.
func checkInbox(ctx context.Context, db *store.DB, expected int) (inboxCheck, error) {
	c := inboxCheck{expected: expected}
	err := db.SQL().QueryRowContext(ctx, `SELECT
		COALESCE(SUM(update_id BETWEEN 1 AND ?), 0),
		COALESCE(SUM(update_id BETWEEN 1 AND ? AND done_at IS NULL), 0),
		COALESCE(SUM(update_id < 1 OR update_id > ?), 0) FROM inbox`, expected, expected, expected).Scan(&c.stored, &c.undone, &c.extra)
	return c, err
}

// outboxCheck compares every message the bot queued (op send) with what
// each chat received.
type outboxCheck struct {
	rows            int
	statuses        map[string]int
	byKind          map[string]int // rows by ref kind ("broadcast", "event", ...) and status
	sentNotReceived int            // row sent, its message not in the chat
	givenUp         int            // row failed though the person never blocked the bot
	failedReceived  int            // row failed, yet its text arrived
	duplicates      int            // copies received beyond the rows, no row uncertain
	uncertainDup    int            // copies beyond the rows, covered by uncertain rows
	uncertainGot    int            // uncertain rows whose text arrived
	unfinished      int            // pending or sending, and due
	later           int            // pending, due later
	examples        []string
	// notices are the texts of the queued messages, by chat: not replies.
	notices map[int64]map[string]bool
}

func (c outboxCheck) lost() int { return c.sentNotReceived + c.givenUp }

// plain is the text of an HTML message as the chat shows it.
func plain(html string) string {
	if text, _, err := botapi.ParseHTML(html); err == nil {
		return text
	}
	return html
}

func checkOutbox(ctx context.Context, db *store.DB, events []botapi.Event) (outboxCheck, error) {
	c := outboxCheck{statuses: map[string]int{}, byKind: map[string]int{}, notices: map[int64]map[string]bool{}}
	type key struct {
		chat int64
		text string
	}
	received := map[key]int{}
	sentIDs := map[int64]map[int]bool{}
	for _, e := range events {
		if e.Kind != botapi.EventSend || e.Message == nil {
			continue
		}
		text := e.Message.Text
		if text == "" {
			text = e.Message.Caption
		}
		received[key{e.ChatID, text}]++
		if sentIDs[e.ChatID] == nil {
			sentIDs[e.ChatID] = map[int]bool{}
		}
		sentIDs[e.ChatID][e.Message.MessageID] = true
	}
	now := time.Now().UTC().Format(time.RFC3339)
	rows, err := db.SQL().QueryContext(ctx, `SELECT o.chat_id, o.status, o.text, o.ref, o.message_id, o.not_before <= ?,
		COALESCE(u.blocked_at IS NOT NULL, 0) FROM outbox o LEFT JOIN users u ON u.id = o.chat_id WHERE o.op = 'send'`, now)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	type group struct{ rows, sent, uncertain, failed int }
	groups := map[key]*group{}
	for rows.Next() {
		var chat int64
		var status, text, ref string
		var msgID int
		var due, blocked bool
		if err := rows.Scan(&chat, &status, &text, &ref, &msgID, &due, &blocked); err != nil {
			return c, err
		}
		c.rows++
		c.statuses[status]++
		kind, _, _ := strings.Cut(ref, ":")
		if kind == "" {
			kind = "other"
		}
		c.byKind[kind+" "+status]++
		k := key{chat, plain(text)}
		if c.notices[chat] == nil {
			c.notices[chat] = map[string]bool{}
		}
		c.notices[chat][k.text] = true
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
		}
		g.rows++
		example := func(what string) {
			if len(c.examples) < 8 {
				c.examples = append(c.examples, fmt.Sprintf("%s: chat %d, %s row, ref %q: %.40q", what, chat, status, ref, k.text))
			}
		}
		switch status {
		case "sent":
			g.sent++
			if !sentIDs[chat][msgID] {
				c.sentNotReceived++
				example("sent, not received")
			}
		case "uncertain":
			g.uncertain++
		case "failed":
			g.failed++
			if !blocked {
				c.givenUp++
				example("given up")
			}
		case "pending", "sending":
			if due {
				c.unfinished++
				example("unfinished")
			} else {
				c.later++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	for k, g := range groups {
		// The copies received that no sent row accounts for: an uncertain
		// row's (allowed), a failed row's (misreported), or one too many.
		over := received[k] - g.sent
		if over <= 0 {
			continue
		}
		u := min(over, g.uncertain)
		c.uncertainGot += u
		over -= u
		f := min(over, g.failed)
		c.failedReceived += f
		over -= f
		switch {
		case over <= 0:
		case g.uncertain > 0:
			c.uncertainDup += over
		default:
			c.duplicates += over
			if len(c.examples) < 8 {
				c.examples = append(c.examples, fmt.Sprintf("received %d times for %d rows: chat %d: %.40q", received[k], g.rows, k.chat, k.text))
			}
		}
	}
	return c, nil
}

// press is one button press read back from the inbox.
type press struct {
	update  int64
	user    int64
	data    string
	queryID string
}

// inboxPresses reads the callback queries of the inbox whose data starts
// with one of prefixes, in the order they were made.
func inboxPresses(ctx context.Context, db *store.DB, prefixes ...string) ([]press, error) {
	rows, err := db.SQL().QueryContext(ctx, `SELECT update_id, payload FROM inbox ORDER BY update_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []press
	for rows.Next() {
		var id int64
		var payload []byte
		if err := rows.Scan(&id, &payload); err != nil {
			return nil, err
		}
		var u struct {
			CallbackQuery *struct {
				ID   string `json:"id"`
				From struct {
					ID int64 `json:"id"`
				} `json:"from"`
				Data string `json:"data"`
			} `json:"callback_query"`
		}
		if json.Unmarshal(payload, &u) != nil || u.CallbackQuery == nil {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(u.CallbackQuery.Data, p) {
				out = append(out, press{update: id, user: u.CallbackQuery.From.ID, data: u.CallbackQuery.Data, queryID: u.CallbackQuery.ID})
				break
			}
		}
	}
	return out, rows.Err()
}

// callbackAnswers maps each query answered to the text of its last answer.
func callbackAnswers(events []botapi.Event) map[string]string {
	out := map[string]string{}
	for _, e := range events {
		if e.Kind == botapi.EventAnswerCallback {
			out[e.QueryID] = e.Text
		}
	}
	return out
}

// The bot's answers to a press of 报名, 取消报名 and 收到 that say the change
// was committed (ev.signed_up, ev.on_waiting_list, ev.withdrawn, bc.acked
// and bc.acked_before in bot/catalog.go).
const (
	answerSignedUp  = "报名成功"
	answerWaiting   = "名额已满，您在候补"
	answerWithdrawn = "已取消报名"
	answerAcked     = "已确认收到"
	answerAckBefore = "您已经确认过了"
)

// signupCheck compares the sign-ups and withdrawals the bot confirmed with
// the sign-ups the database holds.
type signupCheck struct {
	presses, confirmedIn, confirmedOut, refused, noAnswer int
	pairs                                                 int // person and event with a known last state
	lostIn, lostOut                                       int // confirmed, and the database disagrees
	acks, ackedOK, ackMissing                             int
	examples                                              []string
}

func (c signupCheck) ok() bool { return c.lostIn == 0 && c.lostOut == 0 && c.ackMissing == 0 }

func checkSignups(ctx context.Context, db *store.DB, events []botapi.Event, bcID int64) (signupCheck, error) {
	var c signupCheck
	presses, err := inboxPresses(ctx, db, "ev:in:", "ev:out:", "bc:ack:")
	if err != nil {
		return c, err
	}
	answers := callbackAnswers(events)
	type pair struct{ user, event int64 }
	// state: 1 signed up (or waiting), 0 withdrawn, -1 unknown (a press
	// nobody saw answered may or may not have been committed).
	state := map[pair]int{}
	acked := map[int64]bool{}
	for _, p := range presses {
		parts := strings.Split(p.data, ":")
		if len(parts) < 3 {
			continue
		}
		id, _ := strconv.ParseInt(parts[2], 10, 64)
		answer, answered := answers[p.queryID]
		if parts[0] == "bc" {
			if id != bcID {
				continue
			}
			c.acks++
			if strings.HasPrefix(answer, answerAcked) || strings.HasPrefix(answer, answerAckBefore) {
				acked[p.user] = true
			}
			continue
		}
		c.presses++
		k := pair{p.user, id}
		if _, seen := state[k]; !seen {
			state[k] = -1
		}
		switch {
		case !answered:
			c.noAnswer++
			state[k] = -1
		case parts[1] == "in" && (strings.HasPrefix(answer, answerSignedUp) || strings.HasPrefix(answer, answerWaiting)):
			c.confirmedIn++
			state[k] = 1
		case parts[1] == "out" && strings.HasPrefix(answer, answerWithdrawn):
			c.confirmedOut++
			state[k] = 0
		default:
			c.refused++ // refused or failed: nothing was committed
		}
	}
	for k, want := range state {
		if want < 0 {
			continue
		}
		c.pairs++
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_signups WHERE event_id = ? AND user_id = ?`, k.event, k.user).Scan(&n); err != nil {
			return c, err
		}
		switch {
		case want == 1 && n != 1:
			c.lostIn++
			if len(c.examples) < 5 {
				c.examples = append(c.examples, fmt.Sprintf("person %d, event %d: signed up, %d rows", k.user, k.event, n))
			}
		case want == 0 && n != 0:
			c.lostOut++
			if len(c.examples) < 5 {
				c.examples = append(c.examples, fmt.Sprintf("person %d, event %d: withdrawn, %d rows", k.user, k.event, n))
			}
		}
	}
	for user := range acked {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM broadcast_acks WHERE broadcast_id = ? AND user_id = ?`, bcID, user).Scan(&n); err != nil {
			return c, err
		}
		if n == 1 {
			c.ackedOK++
		} else {
			c.ackMissing++
			if len(c.examples) < 5 {
				c.examples = append(c.examples, fmt.Sprintf("person %d: 收到 confirmed, %d rows", user, n))
			}
		}
	}
	return c, nil
}

// explainUnanswered splits the steps that got no reply into those whose
// chat met a fault on a call of the reply (a send or a callback answer
// refused, or its connection dropped) while the step waited, and the rest.
func explainUnanswered(rs []result, events []botapi.Event, timeout time.Duration) (explained, unexplained int, examples []string) {
	byChat := map[int64][]botapi.Event{}
	for _, e := range events {
		if e.Kind == botapi.EventReset || e.Kind == botapi.EventRefused {
			byChat[e.ChatID] = append(byChat[e.ChatID], e)
		}
	}
	for _, r := range rs {
		if r.replied {
			continue
		}
		var met []string // the faults on calls of the reply while the step waited
		for _, e := range byChat[r.person] {
			if !e.Time.Before(r.queued) && e.Time.Before(r.queued.Add(timeout)) &&
				(strings.HasPrefix(e.Method, "send") || e.Method == "answerCallbackQuery") {
				what := "reset"
				if e.Err != nil {
					what = strconv.Itoa(e.Err.Code)
				}
				met = append(met, e.Method+" "+what)
			}
		}
		if len(met) > 0 {
			explained++
		} else {
			unexplained++
		}
		if len(examples) < 5 {
			faults := "no fault"
			if len(met) > 0 {
				faults = strings.Join(met, ", ")
			}
			examples = append(examples, fmt.Sprintf("person %d, %s queued %s: %s", r.person, r.kind, r.queued.Format("15:04:05.000"), faults))
		}
	}
	return explained, unexplained, examples
}

// goroutineStacks reads a goroutine profile (debug=1): the number of
// goroutines of each stack, by the stack's functions.
func goroutineStacks(path string) map[string]int {
	out := map[string]int{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	var funcs []string
	flush := func() {
		if n > 0 {
			stack := strings.Join(funcs, " < ")
			if stack == "" {
				stack = "(runtime only)"
			}
			out[stack] += n
		}
		n, funcs = 0, nil
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.Contains(line, " @ "):
			flush()
			n, _ = strconv.Atoi(strings.Fields(line)[0])
		case strings.HasPrefix(line, "#\t") && len(funcs) < 3:
			if f := strings.Fields(line); len(f) >= 3 {
				name := f[2]
				if i := strings.LastIndex(name, "+0x"); i > 0 {
					name = name[:i]
				}
				if !lowFrame(name) {
					funcs = append(funcs, name)
				}
			}
		}
	}
	flush()
	return out
}

// lowFrame reports whether a function is of the runtime's or the standard
// library's plumbing, which says little about whose goroutine it is.
func lowFrame(name string) bool {
	for _, p := range []string{"runtime.", "internal/", "syscall.", "sync.", "net.(*", "bufio.", "io.", "os.(*File)"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// rssParts reads the resident memory of process pid that is anonymous
// (the Go heap, SQLite's caches, stacks) and file-backed (mapped files:
// the binary, the search index), in bytes.
func rssParts(pid int) (anon, file int64) {
	v := procStatus(pid, "RssAnon", "RssFile")
	return v[0], v[1]
}

// sqliteConns counts the SQLite connections of process pid: its open
// descriptors of the database file (each connection opens it once).
func sqliteConns(pid int) int {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(dir + "/" + fd.Name()); err == nil && strings.HasSuffix(target, "/dangwu.db") {
			n++
		}
	}
	return n
}

// goroutineGrowth lists the stacks with more goroutines in the second
// profile than in the first, most grown first.
func goroutineGrowth(before, after map[string]int, n int) []string {
	type grown struct {
		stack string
		by    int
	}
	var gs []grown
	for s, c := range after {
		if d := c - before[s]; d > 0 {
			gs = append(gs, grown{s, d})
		}
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].by > gs[j].by })
	var out []string
	for _, g := range gs[:min(n, len(gs))] {
		out = append(out, fmt.Sprintf("+%d %s", g.by, g.stack))
	}
	return out
}
