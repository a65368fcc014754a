package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
)

// ---- The test environment: a real SQLite file, the real outbox, a clock ----

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// t0 is a Monday morning in Shanghai, where every test starts.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, shanghai)

// People of the tests.
const (
	adminID  int64 = 1
	gulouID  int64 = 10 // coordinator of 鼓楼区
	quanID   int64 = 11 // coordinator of 泉山区
	workerID int64 = 12 // a worker, who may organise nothing

	g1, g2, g3, g4, g5 int64 = 101, 102, 103, 104, 105 // approved in 鼓楼区
	q1, q2             int64 = 201, 202                // approved in 泉山区
	gPending           int64 = 301                     // registered in 鼓楼区, not approved yet
	gLeft              int64 = 302                     // left 鼓楼区
	stranger           int64 = 999                     // never registered
)

var (
	admin  = member.Access{UserID: adminID, Role: member.RoleAdmin}
	gulou  = member.Access{UserID: gulouID, Role: member.RoleCoordinator, District: "鼓楼区"}
	quan   = member.Access{UserID: quanID, Role: member.RoleCoordinator, District: "泉山区"}
	worker = member.Access{UserID: workerID, Role: member.RoleWorker}
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Set(t time.Time)         { c.t = t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// messages renders each message as "<kind> <title>", so the tests can
// read what was sent from the outbox.
type messages struct{}

func (messages) Broadcast(b scheduler.Broadcast) outbox.Message {
	if b.Text == "poison" {
		return outbox.Message{} // the outbox refuses a message without text
	}
	return outbox.Message{Text: "broadcast " + b.Text, Markup: fmt.Sprintf("ack=%v", b.Ack)}
}

func (messages) BroadcastReminder(b scheduler.Broadcast) outbox.Message {
	return outbox.Message{Text: "ack-reminder " + b.Text}
}

func (messages) Reminder(e scheduler.Event, before time.Duration, late bool) outbox.Message {
	if e.Title == "poison" {
		return outbox.Message{}
	}
	return outbox.Message{Text: fmt.Sprintf("reminder %s %s late=%v", e.Title, before, late)}
}

func (messages) Promoted(e scheduler.Event) outbox.Message {
	return outbox.Message{Text: "promoted " + e.Title}
}

func (messages) Changed(e, old scheduler.Event) outbox.Message {
	return outbox.Message{Text: "changed " + e.Title}
}

func (messages) Cancelled(e scheduler.Event, reason string) outbox.Message {
	return outbox.Message{Text: "cancelled " + e.Title + " " + reason}
}

func (messages) Withdrawn(b scheduler.Broadcast) outbox.Message {
	return outbox.Message{Text: "withdrawn " + b.Text}
}

func (messages) Released(b scheduler.Broadcast) outbox.Message {
	return outbox.Message{Text: fmt.Sprintf("released %d", b.ID)}
}

func (messages) Lapsed(b scheduler.Broadcast, why scheduler.Lapse) outbox.Message {
	return outbox.Message{Text: fmt.Sprintf("lapsed %d %s %s", b.ID, why, b.District)}
}

func (messages) ScheduleLapsed(sc scheduler.Schedule, why scheduler.Lapse) outbox.Message {
	return outbox.Message{Text: fmt.Sprintf("schedule lapsed %s %s %s", sc.Title, why, sc.District)}
}

func (messages) Recurring(s scheduler.Schedule) outbox.Message {
	if s.Title == "poison" {
		return outbox.Message{}
	}
	return outbox.Message{Text: "recurring " + s.Title}
}

var errBoom = errors.New("boom")

// failingOutbox queues through the real outbox, then fails while fail is
// set: whatever the transaction did must be undone.
type failingOutbox struct {
	scheduler.Outbox
	fail bool
}

func (f *failingOutbox) Enqueue(ctx context.Context, msgs []outbox.Message) error {
	if err := f.Outbox.Enqueue(ctx, msgs); err != nil {
		return err
	}
	if f.fail {
		return errBoom
	}
	return nil
}

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	st    *store.SchedulerStore
	ob    *store.Outbox
	fo    *failingOutbox
	svc   *scheduler.Service
	clock *clock
	ds    member.Districts
	// members are the roles the service asks for when a scheduled thing
	// goes out: adminID administers, gulouID and quanID coordinate their
	// districts.
	members *member.Service
}

// newEnv opens a fresh database with the people of the tests. wrap, if
// given, wraps the store the service uses.
func newEnv(t *testing.T, wrap ...func(scheduler.Store) scheduler.Store) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: t0}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = c.Now
	ds, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, db: db, st: store.NewSchedulerStore(db), ob: store.NewOutbox(db), clock: c, ds: ds}
	e.fo = &failingOutbox{Outbox: e.ob}
	var st scheduler.Store = e.st
	for _, w := range wrap {
		st = w(st)
	}
	e.members = member.NewService(store.NewMemberStore(db), ds, []int64{adminID})
	e.members.Now = c.Now
	e.svc, err = scheduler.NewService(st, scheduler.Options{
		Atomic: db.Atomic, Outbox: e.fo, Messages: messages{}, Access: e.members.Access, Districts: ds, Location: shanghai, Now: c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The organisers have written to the bot (so it may write to them).
	for _, id := range []int64{adminID, gulouID, quanID, workerID} {
		e.user(id)
	}
	e.grant(gulouID, "鼓楼区")
	e.grant(quanID, "泉山区")
	for _, id := range []int64{g1, g2, g3, g4, g5} {
		e.person(id, "鼓楼区", "approved")
	}
	for _, id := range []int64{q1, q2} {
		e.person(id, "泉山区", "approved")
	}
	e.person(gPending, "鼓楼区", "pending")
	e.person(gLeft, "鼓楼区", "left")
	return e
}

// user inserts a user the bot has seen.
func (e *env) user(id int64) {
	e.t.Helper()
	now := t0.UTC().Format(time.RFC3339)
	e.exec(`INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)`, id, now, now)
}

// grant makes id a coordinator of district ("" the city), as the
// administrator does with /grant: an earlier grant is replaced.
func (e *env) grant(id int64, district string) {
	e.t.Helper()
	if _, err := e.members.Grant(e.ctx, adminID, id, district); err != nil {
		e.t.Fatalf("grant %d %q: %v", id, district, err)
	}
}

// person inserts a user and their profile.
func (e *env) person(id int64, district, status string) {
	e.t.Helper()
	now := t0.UTC().Format(time.RFC3339)
	var leftOn any
	if status == "left" {
		leftOn = "2025-01-01"
	}
	e.user(id)
	e.exec(`INSERT INTO members (user_id, name, phone, phone_verified, district, org, post, education, start_year,
			status, status_at, left_on, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, '某公司', '专职党务工作者', '本科', 2018, ?, ?, ?, ?, ?)`,
		id, fmt.Sprintf("工作者%d", id), fmt.Sprintf("139%08d", id), district, status, now, leftOn, now, now)
}

func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.db.SQL().ExecContext(e.ctx, query, args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *env) str(query string, args ...any) string {
	e.t.Helper()
	var s string
	if err := e.db.SQL().QueryRowContext(e.ctx, query, args...).Scan(&s); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return s
}

// row is one queued outbox row.
type row struct {
	ID         int64
	Chat       int64
	Op         string
	Target     int
	Text       string
	Kind       string
	Ref        string
	Quiet      bool
	Repeatable bool
	Status     string
	Created    time.Time
	MessageID  int
}

// rows lists the outbox rows matching where ("" for all), oldest first.
func (e *env) rows(where string, args ...any) []row {
	e.t.Helper()
	q := `SELECT id, chat_id, op, target, text, kind, ref, quiet, repeatable, status, created_at, message_id FROM outbox`
	if where != "" {
		q += " WHERE " + where
	}
	rs, err := e.db.SQL().QueryContext(e.ctx, q+" ORDER BY id", args...)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		var created string
		if err := rs.Scan(&r.ID, &r.Chat, &r.Op, &r.Target, &r.Text, &r.Kind, &r.Ref, &r.Quiet, &r.Repeatable, &r.Status, &created,
			&r.MessageID); err != nil {
			e.t.Fatal(err)
		}
		r.Created, _ = time.Parse("2006-01-02T15:04:05.000000Z07:00", created)
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// chats lists the chats of rows, sorted.
func chats(rs []row) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.Chat)
	}
	slices.Sort(out)
	return out
}

// deliver plays the sender for the pending rows of ref to chats (all of
// ref's pending rows when none are named): each is begun and marked sent
// as Telegram message 1000+its id.
func (e *env) deliver(ref string, to ...int64) []row {
	e.t.Helper()
	var done []row
	for _, r := range e.rows(`ref = ? AND status = 'pending'`, ref) {
		if len(to) > 0 && !slices.Contains(to, r.Chat) {
			continue
		}
		ok, err := e.ob.Begin(e.ctx, r.ID)
		if err != nil || !ok {
			e.t.Fatalf("begin %d: %v, %v", r.ID, ok, err)
		}
		if err := e.ob.Sent(e.ctx, r.ID, e.clock.Now(), 1000+int(r.ID)); err != nil {
			e.t.Fatal(err)
		}
		r.Status, r.MessageID = outbox.StatusSent, 1000+int(r.ID)
		done = append(done, r)
	}
	return done
}

// tick runs the scheduler's timed work at the clock's time.
func (e *env) tick() []scheduler.Broadcast {
	e.t.Helper()
	released, err := e.svc.Tick(e.ctx)
	if err != nil {
		e.t.Fatalf("tick at %s: %v", e.clock.Now().In(shanghai).Format(time.DateTime), err)
	}
	return released
}

// newEvent creates an event by actor: a course two days ahead, three hours
// long, changed by edit.
func (e *env) newEvent(actor member.Access, edit func(*scheduler.Event)) scheduler.Event {
	e.t.Helper()
	ev, err := e.svc.CreateEvent(e.ctx, actor, draftEvent(e.clock.Now(), edit))
	if err != nil {
		e.t.Fatalf("create event: %v", err)
	}
	return ev
}

func draftEvent(now time.Time, edit func(*scheduler.Event)) scheduler.Event {
	ev := scheduler.Event{Kind: scheduler.Course, Title: "党课", Start: now.Add(48 * time.Hour), End: now.Add(51 * time.Hour),
		Place: "鼓楼区党建工作站", Hours: 3}
	if edit != nil {
		edit(&ev)
	}
	return ev
}

func (e *env) signUp(eventID int64, ids ...int64) {
	e.t.Helper()
	for _, id := range ids {
		if _, err := e.svc.SignUp(e.ctx, id, eventID); err != nil {
			e.t.Fatalf("sign up %d: %v", id, err)
		}
	}
}

// signups lists an event's sign-ups as "user:status", registered first.
func (e *env) signups(eventID int64) []string {
	e.t.Helper()
	ss, err := e.st.Signups(e.ctx, eventID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%d:%s", s.UserID, s.Status))
	}
	return out
}

// reminders lists an event's reminders as "offset:state".
func (e *env) reminders(eventID int64) []string {
	e.t.Helper()
	rs, err := e.db.SQL().QueryContext(e.ctx, `SELECT offset_s, state FROM event_reminders WHERE event_id = ? ORDER BY offset_s DESC`, eventID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var secs int64
		var state string
		if err := rs.Scan(&secs, &state); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%s", time.Duration(secs)*time.Second, state))
	}
	return out
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func eventRef(id int64) string { return fmt.Sprintf("event:%d", id) }

// ---- Events ----

func TestCreateEvent(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, nil)
	if ev.ID == 0 || ev.District != "鼓楼区" || !slices.Equal(ev.Audience.Districts, []string{"鼓楼区"}) {
		t.Errorf("a 鼓楼区 coordinator's event: id %d, district %q, audience %v; want its district and audience 鼓楼区",
			ev.ID, ev.District, ev.Audience.Districts)
	}
	if ev.State != scheduler.Open || ev.CreatedBy != gulouID {
		t.Errorf("state %q, created by %d", ev.State, ev.CreatedBy)
	}
	stored, err := e.svc.Event(e.ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.Start.Equal(ev.Start) || stored.Title != "党课" || stored.Hours != 3 || stored.District != "鼓楼区" {
		t.Errorf("stored %+v", stored)
	}
	if got, want := e.reminders(ev.ID), []string{"24h0m0s:pending", "1h0m0s:pending"}; !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
	due := e.str(`SELECT due_at FROM event_reminders WHERE event_id = ? AND offset_s = 86400`, ev.ID)
	if want := ev.Start.Add(-24 * time.Hour).UTC().Format(time.RFC3339); due != want {
		t.Errorf("24h reminder due %s, want %s", due, want)
	}

	// An event in less than a day gets only the reminder still ahead.
	soon := e.newEvent(admin, func(ev *scheduler.Event) {
		ev.Start, ev.End = t0.Add(5*time.Hour), t0.Add(6*time.Hour)
	})
	if got, want := e.reminders(soon.ID), []string{"24h0m0s:dropped", "1h0m0s:pending"}; !slices.Equal(got, want) {
		t.Errorf("reminders of an event 5 hours ahead %v, want %v", got, want)
	}
	if soon.District != "" || !soon.Audience.Everyone() {
		t.Errorf("an admin's event without district: district %q, audience %+v", soon.District, soon.Audience)
	}
}

func TestCreateEventRefused(t *testing.T) {
	cases := []struct {
		name  string
		actor member.Access
		edit  func(*scheduler.Event)
		want  error
	}{
		{"start in the past", admin, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(-time.Hour), t0.Add(time.Hour) },
			scheduler.ErrEventInPast},
		{"end before start", admin, func(ev *scheduler.Event) { ev.End = ev.Start.Add(-time.Minute) }, scheduler.ErrEndBeforeStart},
		{"end at start", gulou, func(ev *scheduler.Event) { ev.End = ev.Start }, scheduler.ErrEndBeforeStart},
		{"capacity negative", gulou, func(ev *scheduler.Event) { ev.Capacity = -1 }, scheduler.ErrBadCapacity},
		{"hours negative", gulou, func(ev *scheduler.Event) { ev.Hours = -1 }, scheduler.ErrBadHours},
		{"no title", gulou, func(ev *scheduler.Event) { ev.Title = "" }, scheduler.ErrNoTitle},
		{"unknown kind", gulou, func(ev *scheduler.Event) { ev.Kind = "party" }, scheduler.ErrUnknownKind},
		{"audience of an unknown district", admin, func(ev *scheduler.Event) { ev.Audience.Districts = []string{"火星区"} },
			scheduler.ErrUnknownDistrict},
		{"owned by an unknown district", admin, func(ev *scheduler.Event) { ev.District = "火星区" }, scheduler.ErrUnknownDistrict},
		{"unknown venue", admin, func(ev *scheduler.Event) { ev.Place, ev.VenueID = "", 4242 }, scheduler.ErrUnknownVenue},
		{"鼓楼区 coordinator for 泉山区", gulou, func(ev *scheduler.Event) { ev.District = "泉山区" }, scheduler.ErrOutOfScope},
		{"鼓楼区 coordinator with audience 泉山区", gulou, func(ev *scheduler.Event) { ev.Audience.Districts = []string{"泉山区"} },
			scheduler.ErrNoDistricts},
		{"a worker", worker, nil, scheduler.ErrNotCoordinator},
	}
	e := newEnv(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateEvent(e.ctx, tc.actor, draftEvent(t0, tc.edit))
			wantErr(t, "create", err, tc.want)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM events`); n != 0 {
		t.Errorf("%d events stored from refused drafts", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM event_reminders`); n != 0 {
		t.Errorf("%d reminders stored from refused drafts", n)
	}
}

func TestSignUp(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, nil)
	cityEvent := e.newEvent(admin, nil)
	v, err := e.svc.SignUp(e.ctx, g1, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Mine != scheduler.Registered || v.Registered != 1 || v.Waiting != 0 {
		t.Errorf("view after signing up: %+v", v)
	}
	if _, err := e.svc.SignUp(e.ctx, q1, cityEvent.ID); err != nil {
		t.Errorf("a 泉山区 worker signing up for a city event: %v", err)
	}

	begun := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(time.Hour), t0.Add(3*time.Hour) })
	cancelled := e.newEvent(gulou, nil)
	if _, err := e.svc.CancelEvent(e.ctx, gulou, cancelled.ID, "改期"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour) // begun has begun
	cases := []struct {
		name    string
		user    int64
		eventID int64
		want    error
	}{
		{"twice", g1, ev.ID, scheduler.ErrAlreadyIn},
		{"not approved", gPending, ev.ID, scheduler.ErrNotApproved},
		{"left", gLeft, ev.ID, scheduler.ErrNotApproved},
		{"never registered", stranger, ev.ID, scheduler.ErrNotApproved},
		{"other district", q1, ev.ID, scheduler.ErrNotInAudience},
		{"begun", g2, begun.ID, scheduler.ErrEventClosed},
		{"cancelled", g2, cancelled.ID, scheduler.ErrEventClosed},
		{"no such event", g2, 4242, scheduler.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SignUp(e.ctx, tc.user, tc.eventID)
			wantErr(t, "sign up", err, tc.want)
		})
	}
	if got, want := e.signups(ev.ID), []string{"101:registered"}; !slices.Equal(got, want) {
		t.Errorf("sign-ups %v, want %v", got, want)
	}
	if n := e.count(`SELECT COUNT(*) FROM event_signups WHERE event_id IN (?, ?)`, begun.ID, cancelled.ID); n != 0 {
		t.Errorf("%d sign-ups of closed events", n)
	}
	if _, err := e.svc.Withdraw(e.ctx, g2, ev.ID); !errors.Is(err, scheduler.ErrNotRegistered) {
		t.Errorf("withdraw without a sign-up: %v, want ErrNotRegistered", err)
	}
}

func TestWaitingList(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Capacity = 2 })
	for i, id := range []int64{g1, g2, g3, g4} {
		e.clock.Advance(time.Minute)
		v, err := e.svc.SignUp(e.ctx, id, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus, wantPos := scheduler.Registered, 0
		if i >= 2 {
			wantStatus, wantPos = scheduler.Waiting, i-1
		}
		if v.Mine != wantStatus || v.Position != wantPos {
			t.Errorf("sign-up %d: %s at %d, want %s at %d", i+1, v.Mine, v.Position, wantStatus, wantPos)
		}
		if i == 3 && (!v.Full() || v.Registered != 2 || v.Waiting != 2) {
			t.Errorf("after four sign-ups: %+v", v)
		}
	}
	if got, want := e.signups(ev.ID), []string{"101:registered", "102:registered", "103:waiting", "104:waiting"}; !slices.Equal(got, want) {
		t.Fatalf("sign-ups %v, want %v", got, want)
	}

	// A waiting person who withdraws moves nobody up.
	if _, err := e.svc.Withdraw(e.ctx, g4, ev.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := e.signups(ev.ID), []string{"101:registered", "102:registered", "103:waiting"}; !slices.Equal(got, want) {
		t.Errorf("after a waiting one withdrew: %v, want %v", got, want)
	}
	if rs := e.rows(""); len(rs) != 0 {
		t.Errorf("a waiting one withdrew: %d messages queued, want none: %+v", len(rs), rs)
	}
	e.signUp(ev.ID, g4) // back at the end of the queue

	// A registered one who withdraws frees a place: the first waiting moves up and is told.
	v, err := e.svc.Withdraw(e.ctx, g1, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Mine != "" || v.Registered != 2 || v.Waiting != 1 {
		t.Errorf("view of the one who withdrew: %+v", v)
	}
	if got, want := e.signups(ev.ID), []string{"102:registered", "103:registered", "104:waiting"}; !slices.Equal(got, want) {
		t.Errorf("after a registered one withdrew: %v, want %v", got, want)
	}
	rs := e.rows("")
	if len(rs) != 1 || rs[0].Chat != g3 || rs[0].Text != "promoted 党课" || rs[0].Ref != eventRef(ev.ID) || rs[0].Kind != scheduler.PushReminder {
		t.Errorf("messages after the move up: %+v, want one promoted to %d", rs, g3)
	}
	if v, _ := e.svc.View(e.ctx, g4, ev.ID); v.Mine != scheduler.Waiting || v.Position != 1 {
		t.Errorf("the one still waiting: %+v, want first in the queue", v)
	}
}

func TestUpdateEvent(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Capacity = 1 })
	e.signUp(ev.ID, g1, g2, g3)

	// Raising the capacity moves the waiting up; everyone is told of the change.
	ev.Capacity, ev.Title = 3, "党课（扩容）"
	got, err := e.svc.UpdateEvent(e.ctx, gulou, ev)
	if err != nil {
		t.Fatal(err)
	}
	if got.Capacity != 3 || got.District != "鼓楼区" || got.CreatedBy != gulouID {
		t.Errorf("updated %+v", got)
	}
	if s, want := e.signups(ev.ID), []string{"101:registered", "102:registered", "103:registered"}; !slices.Equal(s, want) {
		t.Errorf("after raising the capacity: %v, want %v", s, want)
	}
	if promoted := chats(e.rows(`text LIKE 'promoted %'`)); !slices.Equal(promoted, []int64{g2, g3}) {
		t.Errorf("promoted messages to %v, want %v", promoted, []int64{g2, g3})
	}
	if changed := chats(e.rows(`text = 'changed 党课（扩容）'`)); !slices.Equal(changed, []int64{g1, g2, g3}) {
		t.Errorf("change messages to %v, want all three", changed)
	}

	// Refusals.
	other := e.newEvent(quan, nil)
	begun := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(time.Hour), t0.Add(2*time.Hour) })
	for _, tc := range []struct {
		name  string
		actor member.Access
		ev    scheduler.Event
		want  error
	}{
		{"another district's event", gulou, other, scheduler.ErrOutOfScope},
		{"moved to another district", gulou, func() scheduler.Event { x := ev; x.District = "泉山区"; return x }(), scheduler.ErrOutOfScope},
		{"a worker", worker, ev, scheduler.ErrNotCoordinator},
		{"moved into the past", gulou, func() scheduler.Event { x := ev; x.Start = t0.Add(-time.Hour); return x }(), scheduler.ErrEventInPast},
		{"no such event", admin, func() scheduler.Event { x := ev; x.ID = 4242; return x }(), scheduler.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.UpdateEvent(e.ctx, tc.actor, tc.ev)
			wantErr(t, "update", err, tc.want)
		})
	}
	e.clock.Advance(90 * time.Minute)
	_, err = e.svc.UpdateEvent(e.ctx, gulou, begun)
	wantErr(t, "update of a begun event", err, scheduler.ErrEventClosed)
	if stored, _ := e.svc.Event(e.ctx, other.ID); stored.District != "泉山区" || stored.Title != "党课" {
		t.Errorf("another district's event changed: %+v", stored)
	}
}

func TestCancelEvent(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Capacity = 2 })
	e.signUp(ev.ID, g1, g2, g3)

	// The 24-hour reminder goes out, and is held by the quiet hours.
	e.clock.Set(ev.Start.Add(-24 * time.Hour))
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder %' AND status = 'pending'`)); n != 2 {
		t.Fatalf("%d reminders queued, want 2", n)
	}

	for _, tc := range []struct {
		name  string
		actor member.Access
		want  error
	}{
		{"another district's coordinator", quan, scheduler.ErrOutOfScope},
		{"a worker", worker, scheduler.ErrNotCoordinator},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CancelEvent(e.ctx, tc.actor, ev.ID, "改期")
			wantErr(t, "cancel", err, tc.want)
		})
	}
	if stored, _ := e.svc.Event(e.ctx, ev.ID); stored.State != scheduler.Open {
		t.Fatalf("refused cancellations left the event %s", stored.State)
	}

	got, err := e.svc.CancelEvent(e.ctx, gulou, ev.ID, "改期")
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := e.svc.Event(e.ctx, ev.ID); got.State != scheduler.Cancelled || stored.State != scheduler.Cancelled {
		t.Errorf("state %s, stored %s", got.State, stored.State)
	}
	if to := chats(e.rows(`text = 'cancelled 党课 改期'`)); !slices.Equal(to, []int64{g1, g2, g3}) {
		t.Errorf("cancellation told %v, want the registered and the waiting", to)
	}
	if got, want := e.reminders(ev.ID), []string{"24h0m0s:sent", "1h0m0s:dropped"}; !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
	// The reminder still waiting for the morning is not delivered after the cancellation.
	if n := len(e.rows(`text LIKE 'reminder %' AND status = 'pending'`)); n != 0 {
		t.Errorf("%d reminders of the cancelled event still to be sent", n)
	}
	e.clock.Set(ev.Start.Add(-time.Hour))
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder %' AND status = 'pending'`)); n != 0 {
		t.Errorf("%d reminders queued after the cancellation", n)
	}
	_, err = e.svc.CancelEvent(e.ctx, gulou, ev.ID, "")
	wantErr(t, "cancel twice", err, scheduler.ErrEventClosed)
	if upcoming, _ := e.svc.Upcoming(e.ctx, g4, 10); len(upcoming) != 0 {
		t.Errorf("a cancelled event listed: %+v", upcoming)
	}
}

func TestUpcomingAndMine(t *testing.T) {
	e := newEnv(t)
	ours := e.newEvent(gulou, nil)
	theirs := e.newEvent(quan, nil)
	city := e.newEvent(admin, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(24*time.Hour), t0.Add(25*time.Hour) })
	e.signUp(ours.ID, g1)

	ids := func(vs []scheduler.EventView) []int64 {
		var out []int64
		for _, v := range vs {
			out = append(out, v.Event.ID)
		}
		return out
	}
	up, err := e.svc.Upcoming(e.ctx, g1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(up), []int64{city.ID, ours.ID}; !slices.Equal(got, want) {
		t.Errorf("upcoming for a 鼓楼区 worker %v, want %v (soonest first, not 泉山区's)", got, want)
	}
	if up, _ := e.svc.Upcoming(e.ctx, q1, 10); !slices.Equal(ids(up), []int64{city.ID, theirs.ID}) {
		t.Errorf("upcoming for a 泉山区 worker %v", ids(up))
	}
	if up, _ := e.svc.Upcoming(e.ctx, gPending, 10); len(up) != 0 {
		t.Errorf("upcoming for someone not approved: %v", ids(up))
	}
	mine, err := e.svc.Mine(e.ctx, g1)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || mine[0].Event.ID != ours.ID || mine[0].Mine != scheduler.Registered {
		t.Errorf("mine %+v", mine)
	}
	managed, err := e.svc.ManagedEvents(e.ctx, gulou, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(managed); !slices.Equal(got, []int64{ours.ID}) {
		t.Errorf("a 鼓楼区 coordinator manages %v, want only 鼓楼区's", got)
	}
	if _, err := e.svc.ManagedEvents(e.ctx, worker, 10); !errors.Is(err, scheduler.ErrNotCoordinator) {
		t.Errorf("a worker's managed events: %v", err)
	}
}

// A content event owned by a district with no audience is open to that
// district only: the empty audience is everyone in the owner's scope.
func TestDistrictEventWithoutAudience(t *testing.T) {
	e := newEnv(t)
	c := scheduler.Content{Events: []scheduler.Event{{Key: "gulou-forum", Kind: scheduler.Forum, Title: "先锋论坛", Place: "鼓楼区",
		Start: t0.Add(48 * time.Hour), End: t0.Add(50 * time.Hour), District: "鼓楼区", State: scheduler.Open}}}
	if err := e.svc.LoadContent(e.ctx, c); err != nil {
		t.Fatal(err)
	}
	ev, err := e.st.EventByKey(e.ctx, "gulou-forum")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SignUp(e.ctx, g1, ev.ID); err != nil {
		t.Errorf("a 鼓楼区 worker: %v", err)
	}
	_, err = e.svc.SignUp(e.ctx, q1, ev.ID)
	wantErr(t, "a 泉山区 worker signing up for a 鼓楼区 event", err, scheduler.ErrNotInAudience)
	if up, _ := e.svc.Upcoming(e.ctx, q1, 10); len(up) != 0 {
		t.Errorf("a 鼓楼区 event offered to a 泉山区 worker")
	}
}

// ---- Reminders ----

func TestReminders(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Capacity = 3 })
	e.signUp(ev.ID, g1, g2, g3, g4) // g4 waits
	if err := e.svc.SetPush(e.ctx, g3, scheduler.PushReminder, true); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetPush(e.ctx, g3, "nonsense", true); !errors.Is(err, scheduler.ErrBadPush) {
		t.Errorf("an unknown push: %v", err)
	}
	if off, _ := e.svc.PushOff(e.ctx, g3); !off[scheduler.PushReminder] || off[scheduler.PushBroadcast] {
		t.Errorf("push off %v", off)
	}
	reminders := func() []row { return e.rows(`text LIKE 'reminder %'`) }

	e.clock.Set(ev.Start.Add(-24*time.Hour - time.Second))
	e.tick()
	if rs := reminders(); len(rs) != 0 {
		t.Fatalf("a second before the 24-hour reminder: %+v", rs)
	}
	e.clock.Advance(time.Second)
	e.tick()
	rs := reminders()
	if to := chats(rs); !slices.Equal(to, []int64{g1, g2}) {
		t.Errorf("24-hour reminder to %v, want the registered who want it (%d, %d)", to, g1, g2)
	}
	for _, r := range rs {
		if r.Text != "reminder 党课 24h0m0s late=false" || !r.Quiet || !r.Repeatable || r.Ref != eventRef(ev.ID)+":reminder" {
			t.Errorf("24-hour reminder %+v", r)
		}
	}
	e.clock.Advance(time.Minute)
	e.tick()
	if n := len(reminders()); n != 2 {
		t.Errorf("after a second tick %d reminders, want still 2", n)
	}
	if got, want := e.reminders(ev.ID), []string{"24h0m0s:sent", "1h0m0s:pending"}; !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}

	e.clock.Set(ev.Start.Add(-time.Hour))
	e.tick()
	e.tick()
	rs = e.rows(`text = 'reminder 党课 1h0m0s late=false'`)
	if to := chats(rs); !slices.Equal(to, []int64{g1, g2}) {
		t.Errorf("1-hour reminder to %v", to)
	}
	for _, r := range rs {
		if r.Quiet {
			t.Errorf("a reminder an hour before the event waits for the quiet hours: %+v", r)
		}
	}
	e.clock.Set(ev.End.Add(time.Hour))
	e.tick()
	if n := len(reminders()); n != 4 {
		t.Errorf("%d reminders in all, want 4", n)
	}
}

func TestRemindersFollowTheEvent(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, nil)
	start := ev.Start
	e.signUp(ev.ID, g1)
	e.clock.Set(start.Add(-24 * time.Hour))
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder 党课 24h%'`)); n != 1 {
		t.Fatalf("%d 24-hour reminders, want 1", n)
	}

	// Two days later: the 24-hour reminder is due again at its new time.
	ev.Start, ev.End = start.Add(48*time.Hour), ev.End.Add(48*time.Hour)
	if _, err := e.svc.UpdateEvent(e.ctx, gulou, ev); err != nil {
		t.Fatal(err)
	}
	if got, want := e.reminders(ev.ID), []string{"24h0m0s:pending", "1h0m0s:pending"}; !slices.Equal(got, want) {
		t.Errorf("reminders after the move %v, want %v", got, want)
	}
	e.clock.Set(ev.Start.Add(-24*time.Hour - time.Second))
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder 党课 24h%'`)); n != 1 {
		t.Errorf("before the new time: %d 24-hour reminders, want still 1", n)
	}
	e.clock.Advance(time.Second)
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder 党课 24h%'`)); n != 2 {
		t.Errorf("at the new time: %d 24-hour reminders, want 2", n)
	}
	e.clock.Set(ev.Start.Add(-time.Hour))
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder 党课 1h%'`)); n != 1 {
		t.Errorf("%d 1-hour reminders, want 1", n)
	}
	if n := len(e.rows(`text = 'changed 党课'`)); n != 1 {
		t.Errorf("%d change messages, want 1", n)
	}
}

// The bot was down: the clock jumps.
func TestRemindersAfterRestart(t *testing.T) {
	e := newEnv(t)
	ahead := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Title = "未开始" })
	over := e.newEvent(gulou, func(ev *scheduler.Event) {
		ev.Title, ev.Start, ev.End = "已开始", t0.Add(30*time.Hour), t0.Add(31*time.Hour)
	})
	e.signUp(ahead.ID, g1, g2)
	e.signUp(over.ID, g1, g2)

	// Down from now until half an hour before the first event: both its
	// reminders fell due, the second is already past its start.
	e.clock.Set(ahead.Start.Add(-30 * time.Minute))
	e.tick()
	e.tick()
	rs := e.rows(`text LIKE 'reminder %'`)
	if to := chats(rs); !slices.Equal(to, []int64{g1, g2}) {
		t.Fatalf("after the restart reminders to %v: %+v, want one to each", to, rs)
	}
	for _, r := range rs {
		// A late reminder says how long there really is: half an hour.
		if r.Text != "reminder 未开始 30m0s late=true" || r.Quiet {
			t.Errorf("reminder after the restart %+v, want the 1-hour one, late, not held, saying 30 minutes", r)
		}
	}
	if got, want := e.reminders(ahead.ID), []string{"24h0m0s:dropped", "1h0m0s:sent"}; !slices.Equal(got, want) {
		t.Errorf("reminders of the event ahead %v, want %v", got, want)
	}
	if got, want := e.reminders(over.ID), []string{"24h0m0s:dropped", "1h0m0s:dropped"}; !slices.Equal(got, want) {
		t.Errorf("reminders of the event begun %v, want %v", got, want)
	}
}

func TestLateReminder(t *testing.T) {
	for _, tc := range []struct {
		down time.Duration
		late bool
	}{
		{0, false},
		{scheduler.LateAfter, false},
		{scheduler.LateAfter + time.Second, true},
		{50 * time.Minute, true},
	} {
		t.Run(tc.down.String(), func(t *testing.T) {
			e := newEnv(t)
			ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(5*time.Hour), t0.Add(6*time.Hour) })
			e.signUp(ev.ID, g1)
			e.clock.Set(ev.Start.Add(-time.Hour + tc.down))
			e.tick()
			// A late one says the time really left, to the minute.
			want := fmt.Sprintf("reminder 党课 %s late=%v", (time.Hour - tc.down).Truncate(time.Minute), tc.late)
			if !tc.late {
				want = "reminder 党课 1h0m0s late=false"
			}
			if rs := e.rows(`text LIKE 'reminder %'`); len(rs) != 1 || rs[0].Text != want {
				t.Errorf("reminders %+v, want one %q", rs, want)
			}
		})
	}
}

// Two ticks that read the due reminders at once (a stale list) send each
// reminder once.
func TestReminderSentOnceFromAStaleList(t *testing.T) {
	var stale []scheduler.Reminder
	e := newEnv(t, func(st scheduler.Store) scheduler.Store { return &staleStore{Store: st, stale: &stale} })
	ev := e.newEvent(gulou, nil)
	e.signUp(ev.ID, g1)
	e.clock.Set(ev.Start.Add(-24 * time.Hour))
	due, err := e.st.DueReminders(e.ctx, e.clock.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v, %v", due, err)
	}
	e.tick()
	stale = due // the other tick read them before this one marked them
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder %'`)); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
}

// staleStore lists reminders already handled as still due, once.
type staleStore struct {
	scheduler.Store
	stale *[]scheduler.Reminder
}

func (s *staleStore) DueReminders(ctx context.Context, now time.Time, limit int) ([]scheduler.Reminder, error) {
	if len(*s.stale) > 0 {
		out := *s.stale
		*s.stale = nil
		return out, nil
	}
	return s.Store.DueReminders(ctx, now, limit)
}

// A broken notice does not hold up the others: the reminders of other
// events and the recurring notices still go out, and the error is told.
func TestTickGoesOnPastAFailure(t *testing.T) {
	e := newEnv(t)
	bad := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Title = "poison" })
	good := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = ev.Start.Add(time.Minute), ev.End.Add(time.Minute) })
	e.signUp(bad.ID, g1)
	e.signUp(good.ID, g1)
	if _, err := e.svc.CreateBroadcast(e.ctx, gulou, scheduler.Broadcast{Text: "poison", SendAt: t0.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateBroadcast(e.ctx, gulou, scheduler.Broadcast{Text: "好的通知", SendAt: t0.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(good.Start.Add(-24 * time.Hour))
	_, err := e.svc.Tick(e.ctx)
	if err == nil {
		t.Error("a tick with broken notices reports no error")
	}
	if n := len(e.rows(`text = 'reminder 党课 24h0m0s late=false'`)); n != 1 {
		t.Errorf("%d reminders of the good event, want 1", n)
	}
	if n := len(e.rows(`text = 'broadcast 好的通知'`)); n == 0 {
		t.Error("the good broadcast was not sent")
	}
	if got := e.reminders(bad.ID); got[0] != "24h0m0s:pending" {
		t.Errorf("the broken reminder: %v, want still pending", got)
	}
}

// ---- Crash consistency: a failure inside a transaction undoes it all ----

func TestFailureLeavesNothingChanged(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Capacity = 1 })
	e.signUp(ev.ID, g1, g2)
	b, err := e.svc.CreateBroadcast(e.ctx, gulou, scheduler.Broadcast{Text: "已发", Ack: true})
	if err != nil {
		t.Fatal(err)
	}
	e.deliver(scheduler.BroadcastRef(b.ID), g1)
	sc, err := e.svc.SaveSchedule(e.ctx, gulou, scheduler.Schedule{Title: "每日", Text: "学习", Spec: "0 10 * * *"}, false)
	if err != nil {
		t.Fatal(err)
	}
	before := len(e.rows(""))
	e.fo.fail = true

	t.Run("withdraw with a move up", func(t *testing.T) {
		_, err := e.svc.Withdraw(e.ctx, g1, ev.ID)
		wantErr(t, "withdraw", err, errBoom)
		if got, want := e.signups(ev.ID), []string{"101:registered", "102:waiting"}; !slices.Equal(got, want) {
			t.Errorf("sign-ups %v, want %v", got, want)
		}
	})
	t.Run("raise the capacity", func(t *testing.T) {
		x := ev
		x.Capacity = 5
		_, err := e.svc.UpdateEvent(e.ctx, gulou, x)
		wantErr(t, "update", err, errBoom)
		if got, want := e.signups(ev.ID), []string{"101:registered", "102:waiting"}; !slices.Equal(got, want) {
			t.Errorf("sign-ups %v, want %v", got, want)
		}
		if stored, _ := e.svc.Event(e.ctx, ev.ID); stored.Capacity != 1 {
			t.Errorf("capacity %d, want 1", stored.Capacity)
		}
	})
	t.Run("cancel the event", func(t *testing.T) {
		_, err := e.svc.CancelEvent(e.ctx, gulou, ev.ID, "")
		wantErr(t, "cancel", err, errBoom)
		if stored, _ := e.svc.Event(e.ctx, ev.ID); stored.State != scheduler.Open {
			t.Errorf("state %s", stored.State)
		}
		if got, want := e.reminders(ev.ID), []string{"24h0m0s:pending", "1h0m0s:pending"}; !slices.Equal(got, want) {
			t.Errorf("reminders %v, want %v", got, want)
		}
	})
	t.Run("create a broadcast", func(t *testing.T) {
		_, err := e.svc.CreateBroadcast(e.ctx, gulou, scheduler.Broadcast{Text: "新通知"})
		wantErr(t, "broadcast", err, errBoom)
		if n := e.count(`SELECT COUNT(*) FROM broadcasts`); n != 1 {
			t.Errorf("%d broadcasts, want the 1 from before", n)
		}
	})
	t.Run("withdraw a broadcast", func(t *testing.T) {
		_, _, err := e.svc.WithdrawBroadcast(e.ctx, gulou, b.ID)
		wantErr(t, "withdraw", err, errBoom)
		if got, _ := e.st.Broadcast(e.ctx, b.ID); got.State != scheduler.Sent {
			t.Errorf("state %s, want sent", got.State)
		}
		if c, _ := e.ob.RefCounts(e.ctx, scheduler.BroadcastRef(b.ID)); c.Cancelled != 0 || c.Pending == 0 {
			t.Errorf("counts %+v: the stop was not undone", c)
		}
	})
	t.Run("remind the unacknowledged", func(t *testing.T) {
		_, err := e.svc.RemindUnacked(e.ctx, gulou, b.ID)
		wantErr(t, "remind", err, errBoom)
	})
	t.Run("reminders and recurring notices", func(t *testing.T) {
		e.clock.Set(time.Date(2025, 3, 4, 10, 0, 0, 0, shanghai)) // the 24-hour reminder and the 10:00 run are due
		_, err := e.svc.Tick(e.ctx)
		wantErr(t, "tick", err, errBoom)
		if got, want := e.reminders(ev.ID), []string{"24h0m0s:pending", "1h0m0s:pending"}; !slices.Equal(got, want) {
			t.Errorf("reminders %v, want %v", got, want)
		}
		if got, _ := e.st.Schedule(e.ctx, sc.ID); !got.LastRun.Equal(sc.LastRun) {
			t.Errorf("last run %s, want %s", got.LastRun, sc.LastRun)
		}
	})
	if after := len(e.rows("")); after != before {
		t.Errorf("%d outbox rows after the failures, want the %d from before", after, before)
	}

	// Once the outbox works, everything goes out once.
	e.fo.fail = false
	e.tick()
	e.tick()
	if n := len(e.rows(`text LIKE 'reminder %'`)); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
	if n := len(e.rows(`text = 'recurring 每日'`)); n != 5 {
		t.Errorf("%d recurring notices, want 5 (鼓楼区's approved)", n)
	}
}

func TestSetStation(t *testing.T) {
	e := newEnv(t)
	ours, err := e.svc.SaveVenue(e.ctx, gulou, scheduler.Venue{Name: "鼓楼区红色驿站", Kind: scheduler.VenuePost})
	if err != nil {
		t.Fatal(err)
	}
	if ours.District != "鼓楼区" {
		t.Errorf("a 鼓楼区 coordinator's venue is in %q", ours.District)
	}
	theirs, err := e.svc.SaveVenue(e.ctx, quan, scheduler.Venue{Name: "泉山区红色驿站", Kind: scheduler.VenuePost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveVenue(e.ctx, gulou, scheduler.Venue{Name: "x", Kind: scheduler.VenuePost, District: "泉山区"}); !errors.Is(err, scheduler.ErrOutOfScope) {
		t.Errorf("a venue in another district: %v", err)
	}
	if err := e.svc.DeleteVenue(e.ctx, gulou, theirs.ID); !errors.Is(err, scheduler.ErrOutOfScope) {
		t.Errorf("deleting another district's venue: %v", err)
	}
	if err := e.svc.SetStation(e.ctx, g1, theirs.ID); !errors.Is(err, scheduler.ErrOutOfScope) {
		t.Errorf("a station in another district: %v", err)
	}
	if err := e.svc.SetStation(e.ctx, g1, ours.ID); err != nil {
		t.Fatal(err)
	}
	if v, err := e.svc.Station(e.ctx, g1); err != nil || v.ID != ours.ID {
		t.Errorf("station %+v, %v", v, err)
	}
	if _, err := e.svc.Station(e.ctx, g2); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("no station: %v", err)
	}
}

// A reminder queued for someone (and still waiting, held by the quiet
// hours) is cancelled when they withdraw; the others' stay.
func TestWithdrawCancelsTheQueuedReminder(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = now.Add(30*time.Hour), now.Add(32*time.Hour) })
	e.signUp(ev.ID, g1, g2)
	e.clock.Advance(6*time.Hour + time.Minute) // the 24-hour reminder is queued
	e.tick()
	ref := eventRef(ev.ID) + ":reminder"
	if n := len(e.rows(`ref = ? AND status = 'pending'`, ref)); n != 2 {
		t.Fatalf("%d reminders pending, want one to each", n)
	}
	if _, err := e.svc.Withdraw(e.ctx, g1, ev.ID); err != nil {
		t.Fatal(err)
	}
	rs := e.rows(`ref = ? AND status = 'pending'`, ref)
	if len(rs) != 1 || rs[0].Chat != g2 {
		t.Errorf("pending reminders after %d withdrew: %+v, want only %d's", g1, rs, g2)
	}
	if n := len(e.rows(`ref = ? AND status = 'cancelled' AND chat_id = ?`, ref, g1)); n != 1 {
		t.Errorf("%d cancelled reminders of the one who withdrew, want 1", n)
	}
}
