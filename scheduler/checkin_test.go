package scheduler_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

// code returns an event's current check-in code as its coordinator sees it.
func (e *env) code(eventID int64) string {
	e.t.Helper()
	c, err := e.svc.Code(e.ctx, gulou, eventID)
	if err != nil {
		e.t.Fatalf("code of event %d at %s: %v", eventID, e.clock.Now().In(shanghai).Format(time.TimeOnly), err)
	}
	if want := fmt.Sprintf("chk_%d_%s", eventID, c.Code); c.Payload != want {
		e.t.Errorf("payload %q, want %q", c.Payload, want)
	}
	if !c.Until.After(e.clock.Now()) || c.Until.Sub(e.clock.Now()) > scheduler.CodePeriod {
		e.t.Errorf("code valid until %s at %s", c.Until, e.clock.Now())
	}
	return c.Code
}

// attendance lists an event's attendance as "user:method:present:hours".
func (e *env) attendance(eventID int64) []string {
	e.t.Helper()
	as, err := e.st.Attendance(e.ctx, eventID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%d:%s:%v:%g", a.UserID, a.Method, a.Present, a.Hours))
	}
	slices.Sort(out)
	return out
}

func TestCheckIn(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(2*time.Hour), t0.Add(4*time.Hour) })
	other := e.newEvent(gulou, func(ev *scheduler.Event) {
		ev.Title, ev.Start, ev.End = "论坛", t0.Add(2*time.Hour), t0.Add(5*time.Hour)
	})
	later := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(5*time.Hour), t0.Add(6*time.Hour) })
	e.signUp(ev.ID, g1, g2, g3)

	// Too early: the code is not shown, nor accepted.
	if _, err := e.svc.Code(e.ctx, gulou, ev.ID); err != scheduler.ErrNotRunning {
		t.Errorf("code two hours before: %v, want ErrNotRunning", err)
	}

	start := ev.Start
	e.clock.Set(start)
	c0 := e.code(ev.ID)
	if _, err := e.svc.Code(e.ctx, quan, ev.ID); err != scheduler.ErrOutOfScope {
		t.Errorf("code for another district's coordinator: %v", err)
	}
	if _, err := e.svc.Code(e.ctx, worker, ev.ID); err != scheduler.ErrNotCoordinator {
		t.Errorf("code for a worker: %v", err)
	}
	a, got, err := e.svc.CheckIn(e.ctx, g1, c0)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != ev.ID || a.Method != "code" || !a.Present || a.Hours != 3 || !a.At.Equal(start) {
		t.Errorf("check-in %+v of event %d", a, got.ID)
	}

	// The previous period's code still works.
	e.clock.Advance(scheduler.CodePeriod)
	if _, _, err := e.svc.CheckIn(e.ctx, g2, c0); err != nil {
		t.Errorf("the previous code: %v", err)
	}
	// Three periods later it has expired.
	e.clock.Advance(2 * scheduler.CodePeriod)
	_, _, err = e.svc.CheckIn(e.ctx, g3, c0)
	wantErr(t, "a code three periods old", err, scheduler.ErrCodeExpired)
	_, _, err = e.svc.CheckInLink(e.ctx, g3, ev.ID, c0)
	wantErr(t, "a link three periods old", err, scheduler.ErrCodeExpired)

	// A code no running event had lately.
	now := e.clock.Now()
	known := map[string]bool{}
	for back := range 21 {
		e.clock.Set(now.Add(-time.Duration(back) * scheduler.CodePeriod))
		known[e.code(ev.ID)] = true
		known[e.code(other.ID)] = true
	}
	e.clock.Set(now)
	random := "000000"
	for i := 0; known[random]; i++ {
		random = fmt.Sprintf("%06d", 123457*(i+1)%1000000)
	}
	_, _, err = e.svc.CheckIn(e.ctx, g3, random)
	wantErr(t, "a random code", err, scheduler.ErrBadCode)
	_, _, err = e.svc.CheckInLink(e.ctx, g3, ev.ID, random)
	wantErr(t, "a random code in a link", err, scheduler.ErrBadCode)
	_, _, err = e.svc.CheckInLink(e.ctx, g3, 4242, e.code(ev.ID))
	wantErr(t, "a link to no event", err, scheduler.ErrBadCode)

	// Another running event's code in this event's link.
	_, _, err = e.svc.CheckInLink(e.ctx, g3, ev.ID, e.code(other.ID))
	wantErr(t, "another event's code", err, scheduler.ErrOtherEvent)
	// A code of an event whose check-in has not opened.
	_, _, err = e.svc.CheckInLink(e.ctx, g3, later.ID, e.code(ev.ID))
	wantErr(t, "a link to an event not begun", err, scheduler.ErrNotRunning)

	// The other event's own code checks in to it, by code or by link.
	a, got, err = e.svc.CheckIn(e.ctx, g3, e.code(other.ID))
	if err != nil || got.ID != other.ID || a.EventID != other.ID {
		t.Errorf("the other event's code: event %d, %+v, %v", got.ID, a, err)
	}
	a, got, err = e.svc.CheckInLink(e.ctx, g3, ev.ID, e.code(ev.ID))
	if err != nil || got.ID != ev.ID || a.Method != "link" {
		t.Errorf("a link: event %d, %+v, %v", got.ID, a, err)
	}

	// Walk-ins: approved and in the audience, though not signed up.
	if _, _, err := e.svc.CheckIn(e.ctx, g4, e.code(ev.ID)); err != nil {
		t.Errorf("a walk-in: %v", err)
	}
	for _, tc := range []struct {
		name string
		user int64
		want error
	}{
		{"other district", q1, scheduler.ErrNotInAudience},
		{"not approved", gPending, scheduler.ErrNotApproved},
		{"left", gLeft, scheduler.ErrNotApproved},
		{"never registered", stranger, scheduler.ErrNotApproved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.svc.CheckIn(e.ctx, tc.user, e.code(ev.ID))
			wantErr(t, "walk-in", err, tc.want)
		})
	}

	// A second check-in keeps the first.
	e.clock.Advance(time.Hour)
	a, _, err = e.svc.CheckInLink(e.ctx, g1, ev.ID, e.code(ev.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !a.At.Equal(start) || a.Method != "code" {
		t.Errorf("second check-in gave %+v, want the first (code at %s)", a, start)
	}
	if n := e.count(`SELECT COUNT(*) FROM event_attendance WHERE event_id = ? AND user_id = ?`, ev.ID, g1); n != 1 {
		t.Errorf("%d attendance rows for one person", n)
	}
	want := []string{"101:code:true:3", "102:code:true:3", "103:link:true:3", "104:code:true:3"}
	if got := e.attendance(ev.ID); !slices.Equal(got, want) {
		t.Errorf("attendance %v, want %v", got, want)
	}

	// After the window closes.
	e.clock.Set(ev.End.Add(scheduler.CheckInCloses - time.Second))
	last := e.code(ev.ID)
	e.clock.Advance(2 * time.Second)
	_, _, err = e.svc.CheckInLink(e.ctx, g5, ev.ID, last)
	wantErr(t, "a link after the window", err, scheduler.ErrNotRunning)
	_, _, err = e.svc.CheckIn(e.ctx, g5, last)
	wantErr(t, "the last code after the window", err, scheduler.ErrNotRunning)
	if _, err := e.svc.Code(e.ctx, gulou, ev.ID); err != scheduler.ErrNotRunning {
		t.Errorf("code after the window: %v", err)
	}
	if got := e.attendance(ev.ID); !slices.Equal(got, want) {
		t.Errorf("attendance after refusals %v, want %v", got, want)
	}
}

func TestCheckInOfCancelledEvent(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End = t0.Add(2*time.Hour), t0.Add(4*time.Hour) })
	e.signUp(ev.ID, g1)
	e.clock.Set(ev.Start)
	c := e.code(ev.ID)
	if _, err := e.svc.CancelEvent(e.ctx, gulou, ev.ID, "暴雨"); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.svc.CheckIn(e.ctx, g1, c)
	wantErr(t, "check-in to a cancelled event", err, scheduler.ErrBadCode)
	_, _, err = e.svc.CheckInLink(e.ctx, g1, ev.ID, c)
	wantErr(t, "link to a cancelled event", err, scheduler.ErrNotRunning)
	if n := e.count(`SELECT COUNT(*) FROM event_attendance`); n != 0 {
		t.Errorf("%d attendance rows", n)
	}
}

func TestMark(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Start, ev.End, ev.Hours = t0.Add(2*time.Hour), t0.Add(4*time.Hour), 2.5 })
	cancelled := e.newEvent(gulou, nil)
	if _, err := e.svc.CancelEvent(e.ctx, gulou, cancelled.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Mark(e.ctx, gulou, ev.ID, g1, true, "补签")
	wantErr(t, "a mark before the event", err, scheduler.ErrNotRunning)

	e.clock.Set(ev.End.Add(time.Hour)) // marks come after the event too
	for _, tc := range []struct {
		name    string
		actor   member.Access
		eventID int64
		user    int64
		want    error
	}{
		{"another district's coordinator", quan, ev.ID, g1, scheduler.ErrOutOfScope},
		{"a worker of another district", gulou, ev.ID, q1, scheduler.ErrOutOfScope},
		{"a worker", worker, ev.ID, g1, scheduler.ErrNotCoordinator},
		{"nobody", gulou, ev.ID, stranger, scheduler.ErrNotFound},
		{"a cancelled event", gulou, cancelled.ID, g1, scheduler.ErrEventClosed},
		{"no such event", gulou, 4242, g1, scheduler.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Mark(e.ctx, tc.actor, tc.eventID, tc.user, true, "补签")
			wantErr(t, "mark", err, tc.want)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM event_attendance`); n != 0 {
		t.Fatalf("%d attendance rows after refused marks", n)
	}

	a, err := e.svc.Mark(e.ctx, gulou, ev.ID, g1, true, " 忘记签到 ")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Present || a.Hours != 2.5 || a.Method != "manual" || a.MarkedBy != gulouID || a.Reason != "忘记签到" {
		t.Errorf("mark %+v", a)
	}
	if _, err := e.svc.Mark(e.ctx, admin, ev.ID, g2, false, "请假"); err != nil {
		t.Fatal(err)
	}
	if got, want := e.attendance(ev.ID), []string{"101:manual:true:2.5", "102:manual:false:0"}; !slices.Equal(got, want) {
		t.Errorf("attendance %v, want %v", got, want)
	}
	r, err := e.svc.EventRoster(e.ctx, gulou, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attendance) != 2 || r.Workers[g1].Name != "工作者101" || r.Workers[g2].District != "鼓楼区" {
		t.Errorf("roster %+v", r)
	}
	if _, err := e.svc.EventRoster(e.ctx, quan, ev.ID); err != scheduler.ErrOutOfScope {
		t.Errorf("another district's roster: %v", err)
	}
}

func TestParseCheckInLink(t *testing.T) {
	for _, tc := range []struct {
		payload string
		id      int64
		code    string
		ok      bool
	}{
		{"chk_12_123456", 12, "123456", true},
		{"chk_12_12345", 0, "", false},
		{"chk_12_1234567", 0, "", false},
		{"chk_0_123456", 0, "", false},
		{"chk_-3_123456", 0, "", false},
		{"chk_x_123456", 0, "", false},
		{"chk_12_12345a", 0, "", false},
		{"inv_12_123456", 0, "", false},
		{"chk_12", 0, "", false},
	} {
		id, code, ok := scheduler.ParseCheckInLink(tc.payload)
		if id != tc.id || code != tc.code || ok != tc.ok {
			t.Errorf("ParseCheckInLink(%q) = %d, %q, %v", tc.payload, id, code, ok)
		}
	}
	// Full-width digits are what a Chinese input method gives: a code too.
	if !scheduler.IsCode(" 012345 ") || scheduler.IsCode("01234") || !scheduler.IsCode("０１２３４５") {
		t.Error("IsCode")
	}
}
