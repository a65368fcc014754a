package records_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/dbtest"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/store"
)

// ---- The test environment: a real database file, a real outbox, a clock ----

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a time in Shanghai.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, shanghai)
}

// testMessages renders what the records send as plain, checkable text.
type testMessages struct{ empty bool }

func (m testMessages) Decided(a records.Application) outbox.Message {
	if m.empty {
		return outbox.Message{}
	}
	return outbox.Message{Text: "decided " + a.State + " " + a.Level}
}

func (m testMessages) DutyDue(d records.Duty) outbox.Message {
	return outbox.Message{Text: "due " + d.Due + " " + d.Text}
}

func (m testMessages) Assessed(a records.Assessment) outbox.Message {
	if m.empty {
		return outbox.Message{}
	}
	return outbox.Message{Text: fmt.Sprintf("assessed %d %s", a.Year, a.Rating)}
}

type env struct {
	t   *testing.T
	ctx context.Context
	db  *store.DB
	st  *store.RecordsStore
	svc *records.Service
	now time.Time
}

// embedded is the content compiled into the binary: the city's levels,
// 泉山区's and 睢宁县's, and 贾汪区's pay rule.
func embedded(tb testing.TB) (records.Content, member.Districts) {
	tb.Helper()
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		tb.Fatal(err)
	}
	c, problems, err := records.LoadContent(content.Embedded(), districts, nil)
	if err != nil || len(problems) > 0 {
		tb.Fatalf("embedded levels and pay: %v %v", err, problems)
	}
	return c, districts
}

// newEnv opens a fresh database at 2025-06-15 10:00 in Shanghai with the
// embedded content.
func newEnv(t *testing.T) *env {
	t.Helper()
	c, _ := embedded(t)
	return newEnvWith(t, c, testMessages{})
}

func newEnvWith(t *testing.T, c records.Content, msgs records.Messages) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, ctx: ctx, db: db, st: store.NewRecordsStore(db), now: at(2025, 6, 15, 10, 0)}
	db.Now = func() time.Time { return e.now }
	e.svc, err = records.NewService(e.st, records.Options{
		Atomic: db.Atomic, Outbox: store.NewOutbox(db), Messages: msgs, Content: c, Location: shanghai,
		Now: func() time.Time { return e.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
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

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// person is a worker to seed.
type person struct {
	uid       int64
	name      string
	district  string
	org       string
	post      string
	education string
	start     int
	left      bool      // status left instead of approved
	approved  time.Time // the 'approved' history entry; zero: a year before the clock
	leftAt    time.Time // when they left; zero: the clock
}

// seed inserts a user, a profile and its history; it returns the member id.
func (e *env) seed(p person) int64 {
	e.t.Helper()
	if p.name == "" {
		p.name = fmt.Sprintf("工作者%d", p.uid)
	}
	if p.org == "" {
		p.org = fmt.Sprintf("单位%d", p.uid)
	}
	if p.post == "" {
		p.post = "专职党务工作者"
	}
	if p.education == "" {
		p.education = "本科"
	}
	if p.start == 0 {
		p.start = 2015
	}
	if p.approved.IsZero() {
		p.approved = e.now.AddDate(-1, 0, 0)
	}
	if p.leftAt.IsZero() {
		p.leftAt = e.now
	}
	seen := ts(p.approved)
	e.exec(`INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)`, p.uid, seen, seen)
	status, statusAt, leftOn := "approved", ts(p.approved), any(nil)
	if p.left {
		status, statusAt, leftOn = "left", ts(p.leftAt), p.leftAt.In(shanghai).Format(time.DateOnly)
	}
	var id int64
	err := e.db.SQL().QueryRowContext(e.ctx, `INSERT INTO members (user_id, name, phone, district, org, post, education, start_year,
		status, status_reason, status_at, left_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.uid, p.name, fmt.Sprintf("138%08d", p.uid%100000000), p.district, p.org, p.post, p.education, p.start,
		status, map[bool]string{true: "调离"}[p.left], statusAt, leftOn, seen, statusAt).Scan(&id)
	if err != nil {
		e.t.Fatalf("seed %+v: %v", p, err)
	}
	e.exec(`INSERT INTO member_history (member_id, at, kind) VALUES (?, ?, 'joined')`, id, seen)
	e.exec(`INSERT INTO member_history (member_id, at, kind) VALUES (?, ?, 'approved')`, id, seen)
	if p.left {
		e.exec(`INSERT INTO member_history (member_id, at, kind, on_date) VALUES (?, ?, 'left', ?)`, id, ts(p.leftAt), leftOn)
	}
	return id
}

// event inserts an event of the given hours from start to start+2h.
func (e *env) event(title, district string, start time.Time, hours float64) int64 {
	e.t.Helper()
	var id int64
	err := e.db.SQL().QueryRowContext(e.ctx, `INSERT INTO events (kind, title, starts_at, ends_at, district, hours, secret, created_at, updated_at)
		VALUES ('course', ?, ?, ?, ?, ?, x'00', ?, ?) RETURNING id`,
		title, ts(start), ts(start.Add(2*time.Hour)), district, hours, ts(e.now), ts(e.now)).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) signup(eventID, uid int64) {
	e.t.Helper()
	e.exec(`INSERT INTO event_signups (event_id, user_id, status, at, seq) VALUES (?, ?, 'registered', ?, ?)`, eventID, uid, ts(e.now), uid)
}

// attend records or replaces an attendance, at the clock.
func (e *env) attend(eventID, uid int64, present bool, hours float64) {
	e.t.Helper()
	e.exec(`INSERT INTO event_attendance (event_id, user_id, at, method, present, hours) VALUES (?, ?, ?, 'manual', ?, ?)
		ON CONFLICT (event_id, user_id) DO UPDATE SET at = excluded.at, present = excluded.present, hours = excluded.hours`,
		eventID, uid, ts(e.now), present, hours)
}

// exam records a finished exam session.
func (e *env) exam(uid int64, examID string, score int, passed bool, finished time.Time) {
	e.t.Helper()
	e.exec(`INSERT INTO quiz_sessions (user_id, kind, exam_id, state, started_at, deadline, finished_at, score, passed)
		VALUES (?, 'exam', ?, 'done', ?, ?, ?, ?, ?)`,
		uid, examID, ts(finished.Add(-30*time.Minute)), ts(finished), ts(finished), score, passed)
}

type queued struct {
	chat int64
	text string
	kind string
}

// outbox lists the queued messages, oldest first.
func (e *env) outbox() []queued {
	e.t.Helper()
	rows, err := e.db.SQL().QueryContext(e.ctx, `SELECT chat_id, text, kind FROM outbox ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []queued
	for rows.Next() {
		var q queued
		if err := rows.Scan(&q.chat, &q.text, &q.kind); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

func (e *env) ledger(uid int64, year int) records.Progress {
	e.t.Helper()
	p, err := e.svc.Ledger(e.ctx, uid, year)
	if err != nil {
		e.t.Fatalf("Ledger(%d, %d): %v", uid, year, err)
	}
	return p
}

var (
	admin     = member.Access{UserID: 1, Role: member.RoleAdmin}
	cityCoord = member.Access{UserID: 2, Role: member.RoleCoordinator}
	fengCoord = member.Access{UserID: 3, Role: member.RoleCoordinator, District: "丰县"}
	peiCoord  = member.Access{UserID: 4, Role: member.RoleCoordinator, District: "沛县"}
	jwCoord   = member.Access{UserID: 5, Role: member.RoleCoordinator, District: "贾汪区"}
	aWorker   = member.Access{UserID: 6, Role: member.RoleWorker}
)

// ---- The ledger ----

func TestLedgerCreditsAttendanceOnce(t *testing.T) {
	e := newEnv(t)
	const uid = 1001
	e.seed(person{uid: uid, district: "丰县"})
	ev := e.event("党章学习班", "丰县", at(2025, 6, 1, 9, 0), 3)
	e.signup(ev, uid)
	e.attend(ev, uid, true, 3)
	// An attendance without 学时 credits nothing.
	free := e.event("座谈会", "丰县", at(2025, 6, 2, 9, 0), 0)
	e.attend(free, uid, true, 0)
	for i := 0; i < 3; i++ {
		p := e.ledger(uid, 2025)
		if p.Hours != 3 || len(p.Entries) != 1 {
			t.Fatalf("read %d: %g hours in %d entries, want 3 in 1: %+v", i+1, p.Hours, len(p.Entries), p.Entries)
		}
		c := p.Entries[0]
		if c.Kind != "event" || c.Title != "党章学习班" || c.Day != "2025-06-01" || c.Hours != 3 {
			t.Errorf("entry = %+v", c)
		}
	}
	if _, err := e.svc.Standing(e.ctx, uid); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT COUNT(*) FROM credits WHERE user_id = ?`, uid); n != 1 {
		t.Errorf("%d ledger rows after reading the ledger and the standing, want 1", n)
	}
	if p := e.ledger(uid, 2024); p.Hours != 0 || len(p.Entries) != 0 {
		t.Errorf("2024: %+v, want nothing", p)
	}
}

func TestLedgerDatesAttendanceByTheEvent(t *testing.T) {
	e := newEnv(t)
	const uid = 1002
	e.seed(person{uid: uid, district: "丰县"})
	// A course on 30 December, marked present by hand on 3 January.
	ev := e.event("年终轮训", "丰县", at(2024, 12, 30, 9, 0), 4)
	e.signup(ev, uid)
	e.now = at(2025, 1, 3, 9, 0)
	e.attend(ev, uid, true, 4)
	if p := e.ledger(uid, 2024); p.Hours != 4 {
		t.Errorf("2024 has %g hours, want the course's 4: %+v", p.Hours, p.Entries)
	}
	if p := e.ledger(uid, 2025); p.Hours != 0 {
		t.Errorf("2025 has %g hours, want 0: %+v", p.Hours, p.Entries)
	}
}

func TestLedgerCreditsAPassedPaperOnceAYear(t *testing.T) {
	e := newEnv(t)
	const uid = 1003
	e.seed(person{uid: uid, district: "丰县"})
	e.exam(uid, "general", 90, true, at(2024, 5, 1, 10, 0))
	e.exam(uid, "general", 95, true, at(2024, 9, 1, 10, 0))
	// 1 January 2025 at 03:00 in Shanghai is still 2024 in UTC.
	e.exam(uid, "general", 70, true, at(2025, 1, 1, 3, 0))
	e.exam(uid, "general", 88, true, at(2025, 3, 1, 10, 0))
	e.exam(uid, "general", 40, false, at(2025, 4, 1, 10, 0))
	// A paper with no credit in the rules (only general has one) credits nothing.
	e.exam(uid, "recruit", 99, true, at(2025, 4, 2, 10, 0))
	for i := 0; i < 2; i++ {
		p := e.ledger(uid, 2025)
		if p.Hours != 2 || len(p.Entries) != 1 || p.Entries[0].Day != "2025-01-01" || p.Entries[0].Kind != "exam" {
			t.Fatalf("2025: %g hours, entries %+v; want one exam credit of 2 on 2025-01-01", p.Hours, p.Entries)
		}
		p = e.ledger(uid, 2024)
		if p.Hours != 2 || len(p.Entries) != 1 || p.Entries[0].Day != "2024-05-01" {
			t.Fatalf("2024: %g hours, entries %+v; want one exam credit of 2 on 2024-05-01", p.Hours, p.Entries)
		}
	}
}

func TestLedgerExamCreditForAnyPaper(t *testing.T) {
	c := records.Content{City: records.Rules{
		Levels:    []records.Level{{Name: "初级"}},
		ExamHours: map[string]float64{"": 1, "general": 2, "zero": 0},
	}}
	e := newEnvWith(t, c, testMessages{})
	const uid = 1004
	e.seed(person{uid: uid, district: "丰县"})
	e.exam(uid, "general", 90, true, at(2025, 2, 1, 10, 0))
	e.exam(uid, "recruit", 90, true, at(2025, 2, 2, 10, 0))
	e.exam(uid, "zero", 90, true, at(2025, 2, 3, 10, 0))
	if p := e.ledger(uid, 2025); p.Hours != 3 || len(p.Entries) != 2 {
		t.Errorf("%g hours in %+v: want general's 2 and recruit's 1 from the credit for any paper, zero's none", p.Hours, p.Entries)
	}
}

func TestCorrectIsANewEntryOnce(t *testing.T) {
	e := newEnv(t)
	const uid = 1010
	e.seed(person{uid: uid, district: "丰县"})
	c, err := e.svc.CreditHours(e.ctx, fengCoord, uid, 4, "2025-06-10", "外出学习", "参加市委党校专题培训")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.Kind != "manual" || c.By != fengCoord.UserID || c.Title != "外出学习" {
		t.Errorf("credit = %+v", c)
	}
	e.now = e.now.Add(time.Hour)
	fix, err := e.svc.Correct(e.ctx, fengCoord, c.ID, "重复登记")
	if err != nil {
		t.Fatal(err)
	}
	if fix.Kind != "correction" || fix.Hours != -4 || fix.Corrects != c.ID || fix.Reason != "重复登记" || fix.ID == c.ID {
		t.Errorf("correction = %+v", fix)
	}
	// The original stays as it was: a correction never edits.
	orig, err := e.st.Credit(e.ctx, c.ID)
	if err != nil || orig.Hours != 4 || orig.Reason != "参加市委党校专题培训" {
		t.Errorf("original after correction = %+v, %v", orig, err)
	}
	refusals := []struct {
		name string
		id   int64
		err  error
	}{
		{"second correction", c.ID, records.ErrCorrected},
		{"correcting the correction", fix.ID, records.ErrCorrected},
		{"no such entry", 999999, records.ErrNotFound},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.Correct(e.ctx, fengCoord, tt.id, "再改一次"); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if _, err := e.svc.Correct(e.ctx, peiCoord, c.ID, "越权"); !errors.Is(err, records.ErrOutOfScope) && !errors.Is(err, records.ErrCorrected) {
		t.Errorf("out of scope: err = %v", err)
	}
	if _, err := e.svc.Correct(e.ctx, fengCoord, c.ID, "  "); !errors.Is(err, records.ErrNoReason) {
		t.Errorf("no reason: err = %v, want ErrNoReason", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM credits`); n != 2 {
		t.Errorf("%d ledger rows, want the credit and its one correction", n)
	}
	if p := e.ledger(uid, 2025); p.Hours != 0 || len(p.Entries) != 2 {
		t.Errorf("ledger = %g hours in %+v, want 0 in 2", p.Hours, p.Entries)
	}
}

func TestCorrectRefusals(t *testing.T) {
	e := newEnv(t)
	const uid = 1011
	e.seed(person{uid: uid, district: "丰县"})
	c, err := e.svc.CreditHours(e.ctx, fengCoord, uid, 2, "2025-06-10", "", "补登")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		actor  member.Access
		reason string
		err    error
	}{
		{"another district", peiCoord, "越权", records.ErrOutOfScope},
		{"a worker", aWorker, "想改", records.ErrNotCoordinator},
		{"no reason", fengCoord, " ", records.ErrNoReason},
		{"reason too long", fengCoord, strings.Repeat("长", records.MaxReasonRune+1), records.ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.Correct(e.ctx, tt.actor, c.ID, tt.reason); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM credits`); n != 1 {
		t.Errorf("%d ledger rows after refusals, want 1", n)
	}
}

func TestCorrectionCountsInTheYearOfTheEntry(t *testing.T) {
	e := newEnv(t)
	const uid = 1012
	e.seed(person{uid: uid, district: "丰县"})
	e.now = at(2024, 12, 20, 10, 0)
	c, err := e.svc.CreditHours(e.ctx, fengCoord, uid, 6, "2024-12-20", "年终集训", "补登")
	if err != nil {
		t.Fatal(err)
	}
	e.now = at(2025, 1, 5, 10, 0)
	if _, err := e.svc.CreditHours(e.ctx, fengCoord, uid, 2, "2025-01-05", "", "新年学习"); err != nil {
		t.Fatal(err)
	}
	fix, err := e.svc.Correct(e.ctx, fengCoord, c.ID, "登记有误")
	if err != nil {
		t.Fatal(err)
	}
	if fix.Created.IsZero() || !fix.Created.Equal(e.now) {
		t.Errorf("correction made %v, want %v", fix.Created, e.now)
	}
	if p := e.ledger(uid, 2024); p.Hours != 0 {
		t.Errorf("2024 = %g hours (%+v), want 0: the wrong entry is undone in its own year", p.Hours, p.Entries)
	}
	if p := e.ledger(uid, 2025); p.Hours != 2 {
		t.Errorf("2025 = %g hours (%+v), want 2: a correction of last year does not take this year's", p.Hours, p.Entries)
	}
}

func TestAttendanceMarkedAbsentIsCorrectedOnce(t *testing.T) {
	e := newEnv(t)
	const uid = 1020
	e.seed(person{uid: uid, district: "丰县"})
	ev := e.event("先锋论坛", "丰县", at(2025, 6, 1, 9, 0), 3)
	e.signup(ev, uid)
	e.attend(ev, uid, true, 3)
	if p := e.ledger(uid, 2025); p.Hours != 3 {
		t.Fatalf("present: %g hours", p.Hours)
	}
	e.now = e.now.Add(time.Hour)
	e.attend(ev, uid, false, 0)
	for i := 0; i < 3; i++ {
		p := e.ledger(uid, 2025)
		if p.Hours != 0 || len(p.Entries) != 2 {
			t.Fatalf("read %d after the absent mark: %g hours in %+v, want the credit and one correction", i+1, p.Hours, p.Entries)
		}
		fix := p.Entries[1]
		if fix.Kind != "correction" || fix.Hours != -3 || fix.Corrects != p.Entries[0].ID || fix.Day != "2025-06-01" {
			t.Errorf("correction = %+v", fix)
		}
	}
	// Marked present again: credited again, once.
	e.now = e.now.Add(time.Hour)
	e.attend(ev, uid, true, 3)
	for i := 0; i < 2; i++ {
		if p := e.ledger(uid, 2025); p.Hours != 3 || len(p.Entries) != 3 {
			t.Fatalf("read %d after marked present again: %g hours in %+v, want 3 in 3 entries", i+1, p.Hours, p.Entries)
		}
	}
	// A coordinator's correction of the credit holds: the attendance does not
	// bring it back until it is marked again.
	p := e.ledger(uid, 2025)
	e.now = e.now.Add(time.Hour)
	if _, err := e.svc.Correct(e.ctx, fengCoord, p.Entries[2].ID, "提前离场"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if p := e.ledger(uid, 2025); p.Hours != 0 || len(p.Entries) != 4 {
			t.Fatalf("read %d after a coordinator's correction: %g hours in %+v, want 0 in 4", i+1, p.Hours, p.Entries)
		}
	}
	// A change of hours: the old credit corrected, the new one credited.
	e.now = e.now.Add(time.Hour)
	e.attend(ev, uid, true, 2)
	if p := e.ledger(uid, 2025); p.Hours != 2 || len(p.Entries) != 5 {
		t.Fatalf("after a mark of 2 hours: %g hours in %+v", p.Hours, p.Entries)
	}
	e.now = e.now.Add(time.Hour)
	e.attend(ev, uid, true, 3)
	if p := e.ledger(uid, 2025); p.Hours != 3 || len(p.Entries) != 7 {
		t.Fatalf("after a mark of 3 hours: %g hours in %+v", p.Hours, p.Entries)
	}
	if p := e.ledger(uid, 2025); p.Hours != 3 || len(p.Entries) != 7 {
		t.Fatalf("read again: %g hours in %+v", p.Hours, p.Entries)
	}
}

func TestCreditHoursRefusals(t *testing.T) {
	e := newEnv(t)
	const uid, leftUID, otherUID = 1030, 1031, 1032
	e.seed(person{uid: uid, district: "丰县"})
	e.seed(person{uid: leftUID, district: "丰县", left: true})
	e.seed(person{uid: otherUID, district: "沛县"})
	today := "2025-06-15"
	tests := []struct {
		name   string
		actor  member.Access
		uid    int64
		hours  float64
		day    string
		reason string
		err    error
	}{
		{"zero", fengCoord, uid, 0, today, "补登", records.ErrBadHours},
		{"NaN", fengCoord, uid, math.NaN(), today, "补登", records.ErrBadHours},
		{"infinite", fengCoord, uid, math.Inf(1), today, "补登", records.ErrBadHours},
		{"absurd", fengCoord, uid, 1e9, today, "补登", records.ErrBadHours},
		{"just over the limit", fengCoord, uid, records.MaxCredit + 0.5, today, "补登", records.ErrBadHours},
		{"absurd debit", fengCoord, uid, -300, today, "扣除", records.ErrBadHours},
		{"debit below zero", fengCoord, uid, -2, today, "扣除", records.ErrBadHours},
		{"no reason", fengCoord, uid, 2, today, "  ", records.ErrNoReason},
		{"reason too long", fengCoord, uid, 2, today, strings.Repeat("长", records.MaxReasonRune+1), records.ErrTooLong},
		{"tomorrow", fengCoord, uid, 2, "2025-06-16", "补登", records.ErrBadDate},
		{"next year", fengCoord, uid, 2, "2026-01-01", "补登", records.ErrBadDate},
		{"over two years ago", fengCoord, uid, 2, "2023-06-14", "补登", records.ErrBadDate},
		{"not a date", fengCoord, uid, 2, "2025-02-30", "补登", records.ErrBadDate},
		{"another format", fengCoord, uid, 2, "2025/06/15", "补登", records.ErrBadDate},
		{"another district", fengCoord, otherUID, 2, today, "补登", records.ErrOutOfScope},
		{"a worker", aWorker, uid, 2, today, "补登", records.ErrNotCoordinator},
		{"someone who left", fengCoord, leftUID, 2, today, "补登", records.ErrNotApproved},
		{"no such person", fengCoord, 999, 2, today, "补登", records.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.CreditHours(e.ctx, tt.actor, tt.uid, tt.hours, tt.day, "", tt.reason); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM credits`); n != 0 {
		t.Errorf("%d ledger rows after refusals, want none", n)
	}
	// The limits themselves are accepted.
	accepted := []struct {
		actor member.Access
		hours float64
		day   string
	}{
		{fengCoord, records.MaxCredit, today},
		{cityCoord, 1.5, "2023-06-15"},
		{admin, 0.5, today},
		{fengCoord, -1.5, "2023-06-15"}, // a debit of hours the year has
		{fengCoord, -records.MaxCredit, today},
	}
	for _, a := range accepted {
		if _, err := e.svc.CreditHours(e.ctx, a.actor, uid, a.hours, a.day, "", "补登"); err != nil {
			t.Errorf("CreditHours(%g, %s) by %v: %v", a.hours, a.day, a.actor, err)
		}
	}
	if p := e.ledger(uid, 2025); p.Hours != 0.5 {
		t.Errorf("2025 = %g hours, want 0.5", p.Hours)
	}
	if p := e.ledger(uid, 2023); p.Hours != 0 {
		t.Errorf("2023 = %g hours, want 0", p.Hours)
	}
}

func TestProgressPercent(t *testing.T) {
	tests := []struct {
		name   string
		hours  float64
		target float64
		want   int
	}{
		{"half", 16, 32, 50},
		{"just under", 31.99, 32, 99},
		{"exactly", 32, 32, 100},
		{"over, capped", 64, 32, 100},
		{"nothing yet", 0, 32, 0},
		{"below zero", -4, 32, 0},
		{"no target", 0, 0, 100},
		{"no target, hours", 10, 0, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := records.Progress{Hours: tt.hours, Target: records.Target{Hours: tt.target}}
			if got := p.Percent(); got != tt.want {
				t.Errorf("Percent() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestLedgerTargetByPost(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1040, district: "丰县", post: "党组织书记"})
	e.seed(person{uid: 1041, district: "丰县", post: "专职党务工作者"})
	if _, err := e.svc.CreditHours(e.ctx, fengCoord, 1040, 14, "2025-06-01", "", "补登"); err != nil {
		t.Fatal(err)
	}
	p := e.ledger(1040, 2025)
	if p.Target.Hours != 56 || p.Target.Source == "" || p.Percent() != 25 {
		t.Errorf("党组织书记: target %+v, %d%%; want 56 hours with its source, 25%%", p.Target, p.Percent())
	}
	if p := e.ledger(1041, 2025); p.Target.Hours != 32 || p.Percent() != 0 {
		t.Errorf("专职党务工作者: target %+v, %d%%; want 32, 0%%", p.Target, p.Percent())
	}
	if _, err := e.svc.Ledger(e.ctx, 999, 2025); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("Ledger of nobody: %v, want ErrNotFound", err)
	}
}

// ---- Responsibility lists ----

func TestAssignDutiesAllOrNone(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1100, district: "丰县"})
	e.seed(person{uid: 1101, district: "丰县"})
	e.seed(person{uid: 1102, district: "沛县"})
	items := []records.DutyItem{{Text: "召开组织生活会", Due: "2025-09-30"}, {Text: " 发展党员一名 ", Due: "2025-12-31"}}
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{1100, 1101, 1102}, 2025, items); !errors.Is(err, records.ErrOutOfScope) {
		t.Errorf("one worker out of scope: err = %v, want ErrOutOfScope", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM duties`); n != 0 {
		t.Fatalf("%d duties stored after a refusal, want none", n)
	}
	n, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{1100, 1101, 1100}, 2025, items)
	if err != nil || n != 4 {
		t.Fatalf("AssignDuties = %d, %v; want 4 (each worker once)", n, err)
	}
	ds, err := e.svc.Duties(e.ctx, 1100, 2025)
	if err != nil || len(ds) != 2 {
		t.Fatalf("Duties = %+v, %v", ds, err)
	}
	if ds[0].Text != "召开组织生活会" || ds[0].Due != "2025-09-30" || ds[1].Text != "发展党员一名" || ds[0].By != fengCoord.UserID || ds[0].Done != "" {
		t.Errorf("duties = %+v", ds)
	}
	if n := e.count(`SELECT COUNT(*) FROM duties WHERE user_id = 1102`); n != 0 {
		t.Errorf("the 沛县 worker got %d duties", n)
	}
}

func TestAssignDutiesRefusals(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1110, district: "丰县"})
	e.seed(person{uid: 1111, district: "丰县", left: true})
	ok := []records.DutyItem{{Text: "学习", Due: "2025-09-30"}}
	many := make([]records.DutyItem, records.MaxDutyItems+1)
	for i := range many {
		many[i] = records.DutyItem{Text: "学习", Due: "2025-09-30"}
	}
	tests := []struct {
		name  string
		actor member.Access
		ids   []int64
		year  int
		items []records.DutyItem
		err   error
	}{
		{"no items", fengCoord, []int64{1110}, 2025, nil, records.ErrNoItems},
		{"no one", fengCoord, nil, 2025, ok, records.ErrNoItems},
		{"too many items", fengCoord, []int64{1110}, 2025, many, records.ErrTooLong},
		{"blank item", fengCoord, []int64{1110}, 2025, []records.DutyItem{{Text: "  ", Due: "2025-09-30"}}, records.ErrNoItems},
		{"item too long", fengCoord, []int64{1110}, 2025, []records.DutyItem{{Text: strings.Repeat("长", records.MaxTextRunes+1), Due: "2025-09-30"}}, records.ErrTooLong},
		{"due another year", fengCoord, []int64{1110}, 2025, []records.DutyItem{{Text: "学习", Due: "2026-01-01"}}, records.ErrBadDate},
		{"not a date", fengCoord, []int64{1110}, 2025, []records.DutyItem{{Text: "学习", Due: "9月30日"}}, records.ErrBadDate},
		{"an absurd year", fengCoord, []int64{1110}, 1900, []records.DutyItem{{Text: "学习", Due: "1900-09-30"}}, records.ErrBadDate},
		{"a worker", aWorker, []int64{1110}, 2025, ok, records.ErrNotCoordinator},
		{"someone who left", fengCoord, []int64{1110, 1111}, 2025, ok, records.ErrNotApproved},
		{"no such person", fengCoord, []int64{1110, 999}, 2025, ok, records.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.AssignDuties(e.ctx, tt.actor, tt.ids, tt.year, tt.items); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM duties`); n != 0 {
		t.Errorf("%d duties stored after refusals", n)
	}
}

func TestReportDuty(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1120, district: "丰县"})
	e.seed(person{uid: 1121, district: "丰县"})
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{1120, 1121}, 2025, []records.DutyItem{{Text: "走访党员", Due: "2025-07-01"}}); err != nil {
		t.Fatal(err)
	}
	mine, _ := e.svc.Duties(e.ctx, 1120, 2025)
	theirs, _ := e.svc.Duties(e.ctx, 1121, 2025)
	if len(mine) != 1 || len(theirs) != 1 {
		t.Fatalf("duties %+v %+v", mine, theirs)
	}
	id := mine[0].ID
	refusals := []struct {
		name  string
		uid   int64
		id    int64
		text  string
		media string
		done  bool
		err   error
	}{
		{"someone else's duty", 1121, id, "已走访", "", false, records.ErrNotFound},
		{"someone else's duty, done", 1121, id, "", "", true, records.ErrNotFound},
		{"no such duty", 1120, 999999, "已走访", "", false, records.ErrNotFound},
		{"empty report", 1120, id, "  ", "", false, records.ErrNoReason},
		{"report too long", 1120, id, strings.Repeat("长", records.MaxTextRunes+1), "", false, records.ErrTooLong},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.ReportDuty(e.ctx, tt.uid, tt.id, tt.text, tt.media, tt.done); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM duty_reports`); n != 0 {
		t.Fatalf("%d reports stored after refusals", n)
	}
	if _, err := e.svc.Duty(e.ctx, 1121, id); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("Duty of someone else's: %v, want ErrNotFound", err)
	}
	d, err := e.svc.ReportDuty(e.ctx, 1120, id, "已走访3名", "photo:abc", false)
	if err != nil || d.Done != "" || len(d.Reports) != 1 || d.Reports[0].Media != "photo:abc" || d.Reports[0].Text != "已走访3名" {
		t.Fatalf("progress report: %+v, %v", d, err)
	}
	e.now = at(2025, 6, 20, 9, 0)
	d, err = e.svc.ReportDuty(e.ctx, 1120, id, "", "", true)
	if err != nil || d.Done != "2025-06-20" || len(d.Reports) != 2 || !d.Reports[1].Done {
		t.Fatalf("done: %+v, %v", d, err)
	}
	e.now = at(2025, 6, 25, 9, 0)
	d, err = e.svc.ReportDuty(e.ctx, 1120, id, "补充材料", "", true)
	if err != nil || d.Done != "2025-06-20" || len(d.Reports) != 3 {
		t.Errorf("done again: %+v, %v; want the first day kept", d, err)
	}
	if other, _ := e.svc.Duties(e.ctx, 1121, 2025); other[0].Done != "" || len(other[0].Reports) != 0 {
		t.Errorf("the other worker's duty changed: %+v", other[0])
	}
}

func TestRemindDutiesOnce(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1130, district: "丰县"})
	e.seed(person{uid: 1131, district: "丰县"})
	// Today is 2025-06-15: due in 3 days, in 4 days, and done already.
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{1130}, 2025, []records.DutyItem{
		{Text: "三天后", Due: "2025-06-18"}, {Text: "四天后", Due: "2025-06-19"}, {Text: "已完成", Due: "2025-06-17"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{1131}, 2025, []records.DutyItem{{Text: "离开的人", Due: "2025-06-16"}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := e.svc.Duties(e.ctx, 1130, 2025)
	for _, d := range ds {
		if d.Text == "已完成" {
			if _, err := e.svc.ReportDuty(e.ctx, 1130, d.ID, "", "", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The second worker leaves: no reminders to people who left.
	e.exec(`UPDATE members SET status = 'left', left_on = '2025-06-15' WHERE user_id = 1131`)

	n, err := e.svc.RemindDuties(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("RemindDuties = %d, %v; want 1", n, err)
	}
	want := []queued{{1130, "due 2025-06-18 三天后", "reminder"}}
	if got := e.outbox(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outbox = %v, want %v", got, want)
	}
	if n, err := e.svc.RemindDuties(e.ctx); err != nil || n != 0 {
		t.Errorf("again: %d, %v; want 0", n, err)
	}
	e.now = e.now.AddDate(0, 0, 1)
	if n, err := e.svc.RemindDuties(e.ctx); err != nil || n != 1 {
		t.Errorf("a day later: %d, %v; want the one due in 3 days now", n, err)
	}
	if got := e.outbox(); len(got) != 2 || got[1].text != "due 2025-06-19 四天后" {
		t.Errorf("outbox = %v", got)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox WHERE quiet = 1 AND repeatable = 1`); n != 2 {
		t.Errorf("%d reminders quiet and repeatable, want 2", n)
	}
}

func TestRemindDutiesMany(t *testing.T) {
	e := newEnv(t)
	var ids []int64
	for i := int64(0); i < 30; i++ {
		e.seed(person{uid: 1200 + i, district: "丰县"})
		ids = append(ids, 1200+i)
	}
	items := make([]records.DutyItem, 5)
	for i := range items {
		items[i] = records.DutyItem{Text: fmt.Sprintf("第%d项", i+1), Due: "2025-06-17"}
	}
	if n, err := e.svc.AssignDuties(e.ctx, fengCoord, ids, 2025, items); err != nil || n != 150 {
		t.Fatalf("AssignDuties = %d, %v", n, err)
	}
	if n, err := e.svc.RemindDuties(e.ctx); err != nil || n != 150 {
		t.Fatalf("RemindDuties = %d, %v; want 150 (more than one batch)", n, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'reminder'`); n != 150 {
		t.Errorf("%d reminders queued", n)
	}
}

func TestOverduePerDistrict(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1140, district: "丰县"})
	e.seed(person{uid: 1141, district: "沛县"})
	e.seed(person{uid: 1142, district: "丰县"})
	e.now = at(2025, 5, 1, 9, 0)
	for _, a := range []struct {
		actor member.Access
		uid   int64
		items []records.DutyItem
	}{
		{fengCoord, 1140, []records.DutyItem{{Text: "丰县逾期", Due: "2025-06-01"}, {Text: "丰县今天到期", Due: "2025-06-15"}, {Text: "丰县已完成", Due: "2025-06-02"}}},
		{peiCoord, 1141, []records.DutyItem{{Text: "沛县逾期", Due: "2025-06-03"}}},
		{fengCoord, 1142, []records.DutyItem{{Text: "离开的人逾期", Due: "2025-06-04"}}},
	} {
		if _, err := e.svc.AssignDuties(e.ctx, a.actor, []int64{a.uid}, 2025, a.items); err != nil {
			t.Fatal(err)
		}
	}
	ds, _ := e.svc.Duties(e.ctx, 1140, 2025)
	for _, d := range ds {
		if d.Text == "丰县已完成" {
			if _, err := e.svc.ReportDuty(e.ctx, 1140, d.ID, "", "", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.exec(`UPDATE members SET status = 'left', left_on = '2025-06-10' WHERE user_id = 1142`)
	e.now = at(2025, 6, 15, 10, 0)
	texts := func(ds []records.Duty) string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Text)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		actor member.Access
		want  string
	}{
		{fengCoord, "丰县逾期"},
		{peiCoord, "沛县逾期"},
		{admin, "丰县逾期,沛县逾期"},
		{cityCoord, "丰县逾期,沛县逾期"},
	}
	for _, tt := range tests {
		ds, err := e.svc.Overdue(e.ctx, tt.actor, 50)
		if err != nil || texts(ds) != tt.want {
			t.Errorf("Overdue by %+v = %q, %v; want %q", tt.actor, texts(ds), err, tt.want)
		}
	}
	if _, err := e.svc.Overdue(e.ctx, aWorker, 50); !errors.Is(err, records.ErrNotCoordinator) {
		t.Errorf("a worker: %v", err)
	}
}

// ---- Assessments ----

func TestAssess(t *testing.T) {
	e := newEnv(t)
	const uid = 1300
	e.seed(person{uid: uid, district: "丰县", org: "徐州某科技公司"})
	e.seed(person{uid: 1301, district: "丰县", left: true})
	tests := []struct {
		name   string
		actor  member.Access
		uid    int64
		year   int
		rating records.Rating
		text   string
		err    error
	}{
		{"another district", peiCoord, uid, 2024, records.Excellent, "", records.ErrOutOfScope},
		{"a worker", aWorker, uid, 2024, records.Excellent, "", records.ErrNotCoordinator},
		{"next year", fengCoord, uid, 2026, records.Excellent, "", records.ErrBadDate},
		{"long ago", fengCoord, uid, 1999, records.Excellent, "", records.ErrBadDate},
		{"unknown rating", fengCoord, uid, 2024, records.Rating("良好"), "", records.ErrBadRating},
		{"comment too long", fengCoord, uid, 2024, records.Excellent, strings.Repeat("长", records.MaxTextRunes+1), records.ErrTooLong},
		{"someone who left", fengCoord, 1301, 2024, records.Excellent, "", records.ErrNotApproved},
		{"no such person", fengCoord, 999, 2024, records.Excellent, "", records.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.Assess(e.ctx, tt.actor, tt.uid, tt.year, tt.rating, tt.text); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM assessments`); n != 0 {
		t.Fatalf("%d assessments stored after refusals", n)
	}
	if q := e.outbox(); len(q) != 0 {
		t.Fatalf("messages queued after refusals: %v", q)
	}
	a, err := e.svc.Assess(e.ctx, fengCoord, uid, 2024, records.Competent, " 按时完成 ")
	if err != nil {
		t.Fatal(err)
	}
	if a.District != "丰县" || a.Org != "徐州某科技公司" || a.Comment != "按时完成" || a.By != fengCoord.UserID {
		t.Errorf("assessment = %+v", a)
	}
	if _, err := e.svc.Assess(e.ctx, fengCoord, uid, 2025, records.Excellent, ""); err != nil {
		t.Fatal(err)
	}
	// Assessed again: the year's assessment is replaced, and told again.
	if _, err := e.svc.Assess(e.ctx, admin, uid, 2024, records.Basic, "复核"); err != nil {
		t.Fatal(err)
	}
	as, err := e.svc.Assessments(e.ctx, uid)
	if err != nil || len(as) != 2 || as[0].Year != 2025 || as[1].Year != 2024 || as[1].Rating != records.Basic || as[1].Comment != "复核" {
		t.Errorf("assessments = %+v, %v", as, err)
	}
	want := []queued{{uid, "assessed 2024 合格", "assessment"}, {uid, "assessed 2025 优秀", "assessment"}, {uid, "assessed 2024 基本合格", "assessment"}}
	if got := e.outbox(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outbox = %v, want %v", got, want)
	}
}

func TestAssessTellsInTheSameTransaction(t *testing.T) {
	c, _ := embedded(t)
	e := newEnvWith(t, c, testMessages{empty: true})
	e.seed(person{uid: 1310, district: "丰县"})
	if _, err := e.svc.Assess(e.ctx, fengCoord, 1310, 2024, records.Excellent, ""); err == nil {
		t.Fatal("an assessment whose message cannot be queued was stored")
	}
	if n := e.count(`SELECT COUNT(*) FROM assessments`); n != 0 {
		t.Errorf("%d assessments stored without their message", n)
	}
}

// ---- Vacancies ----

func TestVacancies(t *testing.T) {
	e := newEnv(t)
	// A worker at 甲公司 already there before the one who leaves.
	e.seed(person{uid: 1400, district: "丰县", org: "甲公司", approved: at(2023, 1, 1, 9, 0)})
	e.seed(person{uid: 1401, district: "丰县", org: "甲公司", approved: at(2022, 1, 1, 9, 0), left: true, leftAt: at(2025, 3, 1, 9, 0)})
	e.seed(person{uid: 1402, district: "沛县", org: "乙协会", approved: at(2022, 1, 1, 9, 0), left: true, leftAt: at(2025, 4, 1, 9, 0)})
	list := func(actor member.Access) string {
		t.Helper()
		vs, err := e.svc.Vacancies(e.ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range vs {
			out = append(out, v.District+"/"+v.Org+"/"+v.Reason+"/"+v.Name)
		}
		return strings.Join(out, ",")
	}
	if got, want := list(admin), "丰县/甲公司/left/工作者1401,沛县/乙协会/left/工作者1402"; got != want {
		t.Errorf("vacancies = %q, want %q", got, want)
	}
	if got, want := list(fengCoord), "丰县/甲公司/left/工作者1401"; got != want {
		t.Errorf("丰县's vacancies = %q, want %q", got, want)
	}
	vs, _ := e.svc.Vacancies(e.ctx, peiCoord)
	if len(vs) != 1 || !vs[0].Since.Equal(at(2025, 4, 1, 9, 0)) {
		t.Errorf("沛县's vacancy = %+v, since the day the worker left", vs)
	}
	if _, err := e.svc.Vacancies(e.ctx, aWorker); !errors.Is(err, records.ErrNotCoordinator) {
		t.Errorf("a worker: %v", err)
	}
	// A new worker at 甲公司, registered before but approved after: the post is filled.
	e.seed(person{uid: 1403, district: "丰县", org: "甲公司", approved: at(2025, 5, 1, 9, 0)})
	// A new worker at another organisation of 沛县 does not fill 乙协会.
	e.seed(person{uid: 1404, district: "沛县", org: "丙公司", approved: at(2025, 5, 1, 9, 0)})
	if got, want := list(admin), "沛县/乙协会/left/工作者1402"; got != want {
		t.Errorf("after a new worker at 甲公司: %q, want %q", got, want)
	}
}

func TestVacancyOfAFailedWorker(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1410, name: "张三", district: "丰县", org: "丁公司", approved: at(2022, 1, 1, 9, 0)})
	if _, err := e.svc.Assess(e.ctx, fengCoord, 1410, 2024, records.Failed, "未履职"); err != nil {
		t.Fatal(err)
	}
	vs, err := e.svc.Vacancies(e.ctx, fengCoord)
	if err != nil || len(vs) != 1 || vs[0].Org != "丁公司" || vs[0].Reason != string(records.Failed) || vs[0].Name != "张三" {
		t.Fatalf("vacancies = %+v, %v; want 丁公司's, 不合格", vs, err)
	}
	// A namesake approved at the same organisation afterwards is a new worker.
	e.now = e.now.Add(24 * time.Hour)
	e.seed(person{uid: 1411, name: "张三", district: "丰县", org: "丁公司", approved: e.now})
	if vs, _ := e.svc.Vacancies(e.ctx, fengCoord); len(vs) != 0 {
		t.Errorf("after a new worker (of the same name) was approved: %+v", vs)
	}
}

func TestVacancyClosedByABetterRating(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1420, district: "丰县", org: "戊公司"})
	if _, err := e.svc.Assess(e.ctx, fengCoord, 1420, 2024, records.Failed, ""); err != nil {
		t.Fatal(err)
	}
	if vs, _ := e.svc.Vacancies(e.ctx, admin); len(vs) != 1 {
		t.Fatalf("vacancies = %+v", vs)
	}
	if _, err := e.svc.Assess(e.ctx, fengCoord, 1420, 2025, records.Competent, ""); err != nil {
		t.Fatal(err)
	}
	if vs, _ := e.svc.Vacancies(e.ctx, admin); len(vs) != 0 {
		t.Errorf("after a 合格 the next year: %+v", vs)
	}
}

// ---- Pay ----

func TestPay(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 1500, district: "贾汪区", education: "本科"})
	e.seed(person{uid: 1501, district: "贾汪区", education: "研究生"})
	e.seed(person{uid: 1502, district: "贾汪区", education: "其他"})
	e.seed(person{uid: 1503, district: "鼓楼区", education: "本科"})
	if _, err := e.svc.Pay(e.ctx, 1503); !errors.Is(err, records.ErrNoPayRule) {
		t.Errorf("鼓楼区: %v, want ErrNoPayRule", err)
	}
	ref, err := e.svc.Pay(e.ctx, 1500)
	if !errors.Is(err, records.ErrNoMinWage) || ref.Multiple != 2.5 || ref.Rule.District != "贾汪区" || ref.Rule.Source == "" {
		t.Errorf("before the wage is set: %+v, %v; want ErrNoMinWage with the multiple", ref, err)
	}
	if _, err := e.svc.MinWage(e.ctx); !errors.Is(err, records.ErrNoMinWage) {
		t.Errorf("MinWage: %v", err)
	}
	refusals := []struct {
		name   string
		actor  member.Access
		amount float64
		year   int
		err    error
	}{
		{"a coordinator", jwCoord, 2490, 2025, records.ErrNotAdmin},
		{"a city coordinator", cityCoord, 2490, 2025, records.ErrNotAdmin},
		{"a worker", aWorker, 2490, 2025, records.ErrNotAdmin},
		{"zero", admin, 0, 2025, records.ErrBadWage},
		{"negative", admin, -2490, 2025, records.ErrBadWage},
		{"just under", admin, 499.99, 2025, records.ErrBadWage},
		{"just over", admin, 20000.01, 2025, records.ErrBadWage},
		{"NaN", admin, math.NaN(), 2025, records.ErrBadWage},
		{"infinite", admin, math.Inf(1), 2025, records.ErrBadWage},
		{"a year ahead of next", admin, 2490, 2027, records.ErrBadDate},
		{"long ago", admin, 2490, 1999, records.ErrBadDate},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.svc.SetMinWage(e.ctx, tt.actor, tt.amount, tt.year); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM settings`); n != 0 {
		t.Fatalf("%d settings stored after refusals", n)
	}
	if err := e.svc.SetMinWage(e.ctx, admin, 2490, 2025); err != nil {
		t.Fatal(err)
	}
	ref, err = e.svc.Pay(e.ctx, 1500)
	if err != nil || ref.Amount != 6225 || ref.Multiple != 2.5 || ref.Wage.Amount != 2490 || ref.Wage.Year != 2025 || ref.Education != "本科" {
		t.Errorf("贾汪区 本科: %+v, %v; want 2.5 × 2490 = 6225", ref, err)
	}
	if ref, err := e.svc.Pay(e.ctx, 1501); err != nil || ref.Amount != 7470 {
		t.Errorf("贾汪区 研究生: %+v, %v; want 3.0 × 2490 = 7470", ref, err)
	}
	if _, err := e.svc.Pay(e.ctx, 1502); !errors.Is(err, records.ErrNoEducation) {
		t.Errorf("贾汪区 其他: %v, want ErrNoEducation", err)
	}
	// The limits themselves are accepted; the latest wage set for this
	// year applies, and next year's, entered early, waits for its year.
	for _, w := range []float64{500, 20000, 2233.33} {
		if err := e.svc.SetMinWage(e.ctx, admin, w, 2025); err != nil {
			t.Errorf("SetMinWage(%g): %v", w, err)
		}
	}
	if err := e.svc.SetMinWage(e.ctx, admin, 3000, 2026); err != nil {
		t.Errorf("next year's wage: %v", err)
	}
	if ref, err := e.svc.Pay(e.ctx, 1500); err != nil || ref.Amount != 5583.33 || ref.Wage.Year != 2025 {
		t.Errorf("2.5 × 2233.33: %+v, %v; want 5583.33", ref, err)
	}
	if _, err := e.svc.Pay(e.ctx, 999); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("nobody: %v", err)
	}
}

func TestPayCityRule(t *testing.T) {
	c, _ := embedded(t)
	c.Pay = append(c.Pay, records.PayRule{Multiples: map[string]float64{"本科": 2}, Source: "全市"})
	e := newEnvWith(t, c, testMessages{})
	e.seed(person{uid: 1510, district: "鼓楼区", education: "本科"})
	e.seed(person{uid: 1511, district: "贾汪区", education: "本科"})
	if err := e.svc.SetMinWage(e.ctx, admin, 2500, 2025); err != nil {
		t.Fatal(err)
	}
	if ref, err := e.svc.Pay(e.ctx, 1510); err != nil || ref.Amount != 5000 || ref.Rule.Source != "全市" {
		t.Errorf("鼓楼区 under the city's rule: %+v, %v", ref, err)
	}
	if ref, err := e.svc.Pay(e.ctx, 1511); err != nil || ref.Amount != 6250 {
		t.Errorf("贾汪区 keeps its own: %+v, %v", ref, err)
	}
}

// ---- Erasure ----

func TestEraseForgetsTheRecords(t *testing.T) {
	e := newEnv(t)
	_, districts := embedded(t)
	const uid, other = 4242424242, 5151515151
	e.seed(person{uid: uid, district: "丰县", name: "赵六"})
	e.seed(person{uid: other, district: "丰县", name: "钱七"})
	// The person's own records, and the records they made for someone else
	// (as a coordinator of 丰县).
	me := member.Access{UserID: uid, Role: member.RoleCoordinator, District: "丰县"}
	ev := e.event("培训", "丰县", at(2025, 6, 1, 9, 0), 3)
	e.signup(ev, uid)
	e.attend(ev, uid, true, 3)
	e.exam(uid, "general", 95, true, at(2025, 5, 1, 9, 0))
	e.ledger(uid, 2025)
	c, err := e.svc.CreditHours(e.ctx, fengCoord, uid, 2, "2025-06-10", "", "补登")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Correct(e.ctx, fengCoord, c.ID, "有误"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreditHours(e.ctx, me, other, 2, "2025-06-10", "", "补登"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Assess(e.ctx, fengCoord, uid, 2024, records.Excellent, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Assess(e.ctx, me, other, 2024, records.Excellent, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{uid}, 2025, []records.DutyItem{{Text: "学习", Due: "2025-06-01"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AssignDuties(e.ctx, me, []int64{other}, 2025, []records.DutyItem{{Text: "学习", Due: "2025-06-01"}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := e.svc.Duties(e.ctx, uid, 2025)
	if _, err := e.svc.ReportDuty(e.ctx, uid, ds[0].ID, "完成", "photo:x", true); err != nil {
		t.Fatal(err)
	}
	e.exec(`INSERT INTO levels (user_id, level, district, by_user, at) VALUES (?, '初级', '丰县', 1, ?)`, uid, ts(e.now))
	e.exec(`INSERT INTO levels (user_id, level, district, by_user, at) VALUES (?, '初级', '丰县', ?, ?)`, other, uid, ts(e.now))
	e.exec(`INSERT INTO level_applications (user_id, level, district, state, at) VALUES (?, '中级', '丰县', 'pending', ?)`, uid, ts(e.now))
	e.exec(`INSERT INTO level_applications (user_id, level, district, state, reason, at, decided_by, decided_at) VALUES (?, '中级', '丰县', 'rejected', '不足', ?, ?, ?)`, other, ts(e.now), uid, ts(e.now))
	if err := e.svc.SetMinWage(e.ctx, member.Access{UserID: uid, Role: member.RoleAdmin}, 2490, 2025); err != nil {
		t.Fatal(err)
	}

	members := member.NewService(store.NewMemberStore(e.db), districts, nil)
	members.Now = func() time.Time { return e.now }
	if err := members.Erase(e.ctx, uid); err != nil {
		t.Fatal(err)
	}
	if found := dbtest.Holding(t, e.db.SQL(), uid, "赵六"); len(found) > 0 {
		t.Errorf("after erasure the person remains in:\n%s", strings.Join(found, "\n"))
	}
	for _, table := range []string{"credits", "assessments", "duties", "levels", "level_applications"} {
		if n := e.count(`SELECT COUNT(*) FROM `+table+` WHERE user_id = ?`, other); n != 1 {
			t.Errorf("%s: the other worker has %d rows, want theirs kept", table, n)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM duty_reports`); n != 0 {
		t.Errorf("%d duty reports remain", n)
	}
	if w, err := e.svc.MinWage(e.ctx); err != nil || w.Amount != 2490 {
		t.Errorf("the minimum wage the person set: %+v, %v; want it kept", w, err)
	}
	if _, err := e.svc.Ledger(e.ctx, uid, 2025); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("Ledger after erasure: %v, want ErrNotFound", err)
	}
}
