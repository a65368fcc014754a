package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
)

// A broadcast killed with SIGKILL: after the restart every row not yet
// sent is sent once; a row whose send was in flight at the kill is
// uncertain — counted, shown and never sent again — and there are at most
// as many of those as the sender has workers. The counts are checked
// against what the Bot API server received.

const (
	// broadcastWorkers is how many approved workers the audience holds.
	broadcastWorkers = 200
	// broadcastMark is in the notice's text: the server's sends that
	// carry it are the broadcast's.
	broadcastMark = "请于本周五前报送党建工作台账（崩溃测试）"
	firstWorker   = 2000
)

// crashAdmin is the administrator of startBot's DANGWU_ADMINS.
var crashAdmin = member.Access{UserID: 5, Role: member.RoleAdmin}

// broadcastEnv sets, for the bots startBot runs (it passes its own
// environment on): no quiet hours, or the broadcast's rows would wait for
// the morning; the fastest pace the bot allows; and an empty content
// folder, so no recurring notice of the seed content joins in.
func broadcastEnv(t *testing.T) {
	t.Helper()
	t.Setenv("DANGWU_QUIET", "off")
	t.Setenv("DANGWU_SEND_RATE", "30")
	t.Setenv("DANGWU_CONTENT", t.TempDir())
}

// seedWorkers writes n approved workers (users and members rows) into the
// database in data before the bot first opens it, and opens their chats
// on srv. It returns their user ids.
func seedWorkers(t *testing.T, ctx context.Context, srv *botapi.Server, data string, n int) []int64 {
	t.Helper()
	db, err := store.Open(ctx, filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	districts := []string{"鼓楼区", "云龙区", "贾汪区", "泉山区"}
	now := time.Now().UTC().Format(time.RFC3339)
	ids := make([]int64, n)
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			ids[i] = int64(firstWorker + i)
			name := fmt.Sprintf("工作者%03d", i)
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?)`,
				ids[i], name, now, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO members (user_id, name, phone, phone_verified, district, org, post,
				education, start_year, status, status_at, created_at, updated_at)
				VALUES (?, ?, ?, 1, ?, ?, '专职党务工作者', '本科', 2018, 'approved', ?, ?, ?)`,
				ids[i], name, fmt.Sprintf("139%08d", i), districts[i%len(districts)], fmt.Sprintf("新兴科技公司%d", i), now, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		srv.StartChat(id)
	}
	return ids
}

// broadcastService is the scheduler of db, as another process sharing the
// database has it: the broadcasts it creates, the running bot's sender finds
// at its next poll.
func broadcastService(t *testing.T, db *store.DB) *scheduler.Service {
	t.Helper()
	sched, err := scheduler.NewService(store.NewSchedulerStore(db), scheduler.Options{
		Atomic: db.Atomic, Outbox: store.NewOutbox(db), Messages: bot.NewNotices(nil),
		Access: member.NewService(store.NewMemberStore(db), member.Districts{}, []int64{crashAdmin.UserID}).Access,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sched
}

// newBroadcast creates a notice to every worker: queued to each at once.
func newBroadcast(ctx context.Context, sched *scheduler.Service) (scheduler.Broadcast, error) {
	b, err := sched.CreateBroadcast(ctx, crashAdmin, scheduler.Broadcast{Text: "各位党务工作者：" + broadcastMark + "。", Ack: true})
	if err == nil && (b.State != scheduler.Sent || b.Recipients != broadcastWorkers) {
		err = fmt.Errorf("broadcast %s to %d recipients, want sent to %d", b.State, b.Recipients, broadcastWorkers)
	}
	return b, err
}

func isBroadcastSend(e botapi.Event) bool {
	return e.Kind == botapi.EventSend && e.Message != nil && strings.Contains(e.Message.Text, broadcastMark)
}

// broadcastSends counts, per chat, the broadcast's messages the server accepted.
func broadcastSends(srv *botapi.Server) map[int64]int {
	n := map[int64]int{}
	for _, e := range srv.Events() {
		if isBroadcastSend(e) {
			n[e.ChatID]++
		}
	}
	return n
}

// outboxRow is what the outbox holds for one recipient.
type outboxRow struct {
	status, err string
	crashes     int
}

// refRows reads ref's outbox rows by chat, failing on a chat with two.
func refRows(t *testing.T, ctx context.Context, db *store.DB, ref string) map[int64]outboxRow {
	t.Helper()
	rows, err := db.SQL().QueryContext(ctx, `SELECT chat_id, status, error, crashes FROM outbox WHERE ref = ?`, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]outboxRow{}
	for rows.Next() {
		var chat int64
		var r outboxRow
		if err := rows.Scan(&chat, &r.status, &r.err, &r.crashes); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[chat]; dup {
			t.Errorf("chat %d has two rows of %s", chat, ref)
		}
		out[chat] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func byStatus(rows map[int64]outboxRow) map[string]int {
	n := map[string]int{}
	for _, r := range rows {
		n[r.status]++
	}
	return n
}

// The sends held at the gate never reach the server: those recipients
// were not told, and must not be told after the restart either.
func TestKilledDuringBroadcastHeldSendsLost(t *testing.T) { killDuringBroadcast(t, false) }

// The sends held at the gate reach the server after the kill (only their
// answers are lost): those recipients were told once, and only once.
func TestKilledDuringBroadcastHeldSendsArrived(t *testing.T) { killDuringBroadcast(t, true) }

func killDuringBroadcast(t *testing.T, arrived bool) {
	srv, ctx, data := crashSetup(t)
	broadcastEnv(t)
	workers := seedWorkers(t, ctx, srv, data, broadcastWorkers)

	const passed = 60 // sends the gate lets through before it holds
	g := newGate(passed)
	var mu sync.Mutex
	held := map[int64]bool{} // chats whose send the gate held
	srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		err := g.hook(method, p) // returns once the gate opens, for a held call
		if err == nil {
			return nil
		}
		chat, _ := strconv.ParseInt(p.Get("chat_id"), 10, 64)
		mu.Lock()
		held[chat] = true
		mu.Unlock()
		if arrived {
			return nil // handled now: delivered, though its sender died waiting for the answer
		}
		return err
	})

	first := startBot(t, srv, data)
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatalf("the bot never polled: %v\n%s", err, first.log)
	}
	db, err := store.Open(ctx, filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sched := broadcastService(t, db)
	b, err := newBroadcast(ctx, sched)
	if err != nil {
		t.Fatal(err)
	}
	ref := scheduler.BroadcastRef(b.ID)

	// Every worker of the sender has a send out, held; the ones before
	// them are marked sent (a worker frees its slot only once its outcome
	// is recorded).
	g.waitHeld(t, ctx, outboxWorkers)
	first.kill()
	atKill := refRows(t, ctx, db, ref)
	if got, want := byStatus(atKill), map[string]int{outbox.StatusSent: passed, outbox.StatusSending: outboxWorkers,
		outbox.StatusPending: broadcastWorkers - passed - outboxWorkers}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("outbox at the kill %v, want %v", got, want)
	}
	g.open()
	// The held calls end at the server before the restart: delivered, or refused.
	if arrived {
		if _, err := srv.WaitEvents(ctx, passed+outboxWorkers, isBroadcastSend); err != nil {
			t.Fatalf("the held sends never arrived: %v", err)
		}
	} else if _, err := srv.WaitEvents(ctx, outboxWorkers, func(e botapi.Event) bool {
		return e.Kind == botapi.EventRefused && e.Method == "sendMessage"
	}); err != nil {
		t.Fatalf("the held sends never ended: %v", err)
	}
	mu.Lock()
	if len(held) != outboxWorkers {
		t.Errorf("%d chats held, want %d", len(held), outboxWorkers)
	}
	for chat := range held {
		if atKill[chat].status != outbox.StatusSending {
			t.Errorf("chat %d was held at the gate, but its row is %q at the kill", chat, atKill[chat].status)
		}
	}
	mu.Unlock()
	heldTold := 0 // times the server told each recipient of a held send
	if arrived {
		heldTold = 1
	}
	told := heldTold * outboxWorkers
	before := broadcastSends(srv)
	if n := len(before); n != passed+told {
		t.Fatalf("%d recipients told before the restart, want %d", n, passed+told)
	}

	second := startBot(t, srv, data)
	// Every recipient not uncertain gets the notice.
	if _, err := srv.WaitEvents(ctx, broadcastWorkers-outboxWorkers+told, isBroadcastSend); err != nil {
		t.Fatalf("not every recipient told: %v (%d before the restart)\n%s", err, len(before), second.log)
	}
	second.stop(t) // lets the sender record the last delivery

	got := broadcastSends(srv)
	rows := refRows(t, ctx, db, ref)
	for _, w := range workers {
		n, r := got[w], rows[w]
		switch {
		case held[w]:
			if n != heldTold {
				t.Errorf("chat %d, in flight at the kill: told %d times, want %d", w, n, heldTold)
			}
			if r.status != outbox.StatusUncertain || r.crashes != 1 || r.err != "in flight when the process stopped" {
				t.Errorf("chat %d, in flight at the kill: row %+v, want uncertain after one crash", w, r)
			}
		default:
			if n != 1 {
				t.Errorf("chat %d told %d times", w, n)
			}
			if r.status != outbox.StatusSent || r.crashes != 0 {
				t.Errorf("chat %d: row %+v, want sent", w, r)
			}
		}
	}
	total := 0
	for _, n := range got {
		total += n
	}
	if len(got) != broadcastWorkers-outboxWorkers+told || total != len(got) {
		t.Errorf("the server got %d sends to %d chats, want %d once each", total, len(got), broadcastWorkers-outboxWorkers+told)
	}
	c, err := store.NewOutbox(db).RefCounts(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := (outbox.Counts{Sent: broadcastWorkers - outboxWorkers, Uncertain: outboxWorkers}); c != want {
		t.Errorf("RefCounts %+v, want %+v", c, want)
	}
	if c.Uncertain > outboxWorkers {
		t.Errorf("%d uncertain, more than the sender's %d workers", c.Uncertain, outboxWorkers)
	}
	if c.Sent+told != total {
		t.Errorf("RefCounts: %d sent, %d uncertain; the server got %d (%d of them the uncertain ones)", c.Sent, c.Uncertain, total, told)
	}
	st, err := sched.Status(ctx, crashAdmin, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Done() || st.Counts != c {
		t.Errorf("delivery report %+v (done %v), want the outbox's %+v", st.Counts, st.Done(), c)
	}
	log := second.log.String()
	if !strings.Contains(log, "in flight when the process stopped") || !strings.Contains(log, "requeued=0 uncertain="+strconv.Itoa(outboxWorkers)) {
		t.Errorf("the restart did not report %d uncertain:\n%s", outboxWorkers, log)
	}
}

// Killed once the broadcast's rows are queued, before it sent any: after
// the restart every recipient is told once, and nothing is uncertain.
func TestKilledRightAfterBroadcastCreatedSendsAllOnce(t *testing.T) {
	srv, ctx, data := crashSetup(t)
	broadcastEnv(t)
	workers := seedWorkers(t, ctx, srv, data, broadcastWorkers)

	first := startBot(t, srv, data)
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatalf("the bot never polled: %v\n%s", err, first.log)
	}
	db, err := store.Open(ctx, filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sched := broadcastService(t, db)
	// The transaction holds the database's write lock from its start, so
	// the bot, frozen inside it, is frozen outside any write of its own
	// (that would block the broadcast's). Frozen, it runs nothing more: the
	// kill comes right after the rows are committed, before its sender
	// could read them.
	var b scheduler.Broadcast
	err = db.Atomic(ctx, func(ctx context.Context) error {
		if err := first.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			return err
		}
		var err error
		b, err = newBroadcast(ctx, sched)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ref := scheduler.BroadcastRef(b.ID)
	first.kill()
	if got := byStatus(refRows(t, ctx, db, ref)); got[outbox.StatusPending] != broadcastWorkers || len(got) != 1 {
		t.Fatalf("outbox at the kill %v, want all %d pending", got, broadcastWorkers)
	}
	if n := len(broadcastSends(srv)); n != 0 {
		t.Fatalf("%d told before the kill", n)
	}

	second := startBot(t, srv, data)
	if _, err := srv.WaitEvents(ctx, broadcastWorkers, isBroadcastSend); err != nil {
		t.Fatalf("not every recipient told: %v\n%s", err, second.log)
	}
	second.stop(t)

	got := broadcastSends(srv)
	for _, w := range workers {
		if got[w] != 1 {
			t.Errorf("chat %d told %d times", w, got[w])
		}
	}
	if len(got) != broadcastWorkers {
		t.Errorf("%d chats told, want %d", len(got), broadcastWorkers)
	}
	c, err := store.NewOutbox(db).RefCounts(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := (outbox.Counts{Sent: broadcastWorkers}); c != want {
		t.Errorf("RefCounts %+v, want %+v", c, want)
	}
	st, err := sched.Status(ctx, crashAdmin, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Done() || st.Counts != c {
		t.Errorf("delivery report %+v (done %v), want the outbox's %+v", st.Counts, st.Done(), c)
	}
	if log := second.log.String(); strings.Contains(log, "in flight when the process stopped") {
		t.Errorf("the restart reported messages in flight:\n%s", log)
	}
}
