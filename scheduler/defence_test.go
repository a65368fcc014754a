package scheduler_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/scheduler"
)

// Hostile tests of the scheduler that hold: a district coordinator acting
// on another district's things, races for the last place, changes whose
// messages cannot be queued. The ones that found bugs are in
// hostile_test.go.

// A 泉山区 coordinator cannot touch 鼓楼区's events, venues, schedules or
// notices, whatever ids they give, nor hold an event at 鼓楼区's venue;
// each refusal leaves everything as it was.
func TestDefenceDistrictCoordinatorOutsideTheirDistrict(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx
	venue, err := e.svc.SaveVenue(ctx, gulou, scheduler.Venue{Name: "鼓楼区党建工作站", Kind: scheduler.VenueStation})
	if err != nil {
		t.Fatal(err)
	}
	ev := e.newEvent(gulou, nil)
	e.signUp(ev.ID, g1)
	sc, err := e.svc.SaveSchedule(ctx, gulou, scheduler.Schedule{Title: "鼓楼提醒", Text: "鼓楼区的提醒", Spec: "0 9 * * 1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := e.svc.CreateBroadcast(ctx, gulou, scheduler.Broadcast{Text: "鼓楼区通知", Ack: true})
	if err != nil {
		t.Fatal(err)
	}
	e.deliver(scheduler.BroadcastRef(bc.ID))
	later, err := e.svc.CreateBroadcast(ctx, gulou, scheduler.Broadcast{Text: "鼓楼区定时", SendAt: e.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	rowsBefore := len(e.rows(""))

	_, err = e.svc.CreateEvent(ctx, quan, draftEvent(e.clock.Now(), func(x *scheduler.Event) { x.Place, x.VenueID = "", venue.ID }))
	wantErr(t, "an event at another district's venue", err, scheduler.ErrOutOfScope)
	_, err = e.svc.CreateEvent(ctx, quan, draftEvent(e.clock.Now(), func(x *scheduler.Event) { x.District = "鼓楼区" }))
	wantErr(t, "an event owned by another district", err, scheduler.ErrOutOfScope)
	_, err = e.svc.CreateEvent(ctx, quan, draftEvent(e.clock.Now(), func(x *scheduler.Event) { x.Audience.Districts = []string{"鼓楼区"} }))
	wantErr(t, "an event for another district", err, scheduler.ErrNoDistricts)
	moved := ev
	moved.Start, moved.End = ev.Start.Add(time.Hour), ev.End.Add(time.Hour)
	_, err = e.svc.UpdateEvent(ctx, quan, moved)
	wantErr(t, "editing another district's event", err, scheduler.ErrOutOfScope)
	_, err = e.svc.CancelEvent(ctx, quan, ev.ID, "越界")
	wantErr(t, "cancelling another district's event", err, scheduler.ErrOutOfScope)
	_, err = e.svc.EventRoster(ctx, quan, ev.ID)
	wantErr(t, "another district's roster", err, scheduler.ErrOutOfScope)
	_, err = e.svc.Mark(ctx, quan, ev.ID, g1, true, "越界")
	wantErr(t, "marking at another district's event", err, scheduler.ErrOutOfScope)

	_, err = e.svc.SaveVenue(ctx, quan, scheduler.Venue{ID: venue.ID, Name: "改名", Kind: scheduler.VenueStation})
	wantErr(t, "changing another district's venue", err, scheduler.ErrOutOfScope)
	_, err = e.svc.SaveVenue(ctx, quan, scheduler.Venue{Name: "新阵地", Kind: scheduler.VenueStation, District: "鼓楼区"})
	wantErr(t, "adding a venue to another district", err, scheduler.ErrOutOfScope)
	wantErr(t, "deleting another district's venue", e.svc.DeleteVenue(ctx, quan, venue.ID), scheduler.ErrOutOfScope)
	wantErr(t, "a station at another district's venue", e.svc.SetStation(ctx, q1, venue.ID), scheduler.ErrOutOfScope)

	_, err = e.svc.SaveSchedule(ctx, quan, scheduler.Schedule{ID: sc.ID, Title: "改", Text: "改", Spec: "0 9 * * 1"}, false)
	wantErr(t, "changing another district's schedule", err, scheduler.ErrOutOfScope)
	_, err = e.svc.PauseSchedule(ctx, quan, sc.ID, true)
	wantErr(t, "pausing another district's schedule", err, scheduler.ErrOutOfScope)
	wantErr(t, "deleting another district's schedule", e.svc.DeleteSchedule(ctx, quan, sc.ID), scheduler.ErrOutOfScope)

	_, err = e.svc.Status(ctx, quan, bc.ID)
	wantErr(t, "another district's status", err, scheduler.ErrOutOfScope)
	_, _, err = e.svc.StopBroadcast(ctx, quan, bc.ID)
	wantErr(t, "stopping another district's notice", err, scheduler.ErrOutOfScope)
	_, _, err = e.svc.WithdrawBroadcast(ctx, quan, bc.ID)
	wantErr(t, "withdrawing another district's notice", err, scheduler.ErrOutOfScope)
	_, _, err = e.svc.CorrectBroadcast(ctx, quan, bc.ID, "改")
	wantErr(t, "correcting another district's notice", err, scheduler.ErrOutOfScope)
	_, err = e.svc.RemindUnacked(ctx, quan, bc.ID)
	wantErr(t, "reminding for another district's notice", err, scheduler.ErrOutOfScope)
	_, err = e.svc.CancelBroadcast(ctx, quan, later.ID)
	wantErr(t, "cancelling another district's scheduled notice", err, scheduler.ErrOutOfScope)
	_, err = e.svc.CreateBroadcast(ctx, quan, scheduler.Broadcast{Text: "越界", Audience: scheduler.Audience{EventID: ev.ID}})
	wantErr(t, "a notice to another district's registrants", err, scheduler.ErrOutOfScope)
	_, err = e.svc.CreateBroadcast(ctx, quan, scheduler.Broadcast{Text: "越界", Audience: scheduler.Audience{VenueID: venue.ID}})
	wantErr(t, "a notice to another district's venue", err, scheduler.ErrOutOfScope)
	_, err = e.svc.CreateBroadcast(ctx, quan, scheduler.Broadcast{Text: "越界", Audience: scheduler.Audience{Districts: []string{"鼓楼区"}}})
	wantErr(t, "a notice to another district", err, scheduler.ErrNoDistricts)
	// Naming its own district among others narrows to its own.
	both, err := e.svc.CreateBroadcast(ctx, quan, scheduler.Broadcast{Text: "两区", Audience: scheduler.Audience{Districts: []string{"鼓楼区", "泉山区"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := chats(e.rows(`ref = ?`, scheduler.BroadcastRef(both.ID))); fmt.Sprint(got) != fmt.Sprint([]int64{q1, q2}) {
		t.Errorf("a 泉山区 notice naming 鼓楼区 too reached %v", got)
	}
	// A worker organises nothing.
	_, err = e.svc.CreateBroadcast(ctx, worker, scheduler.Broadcast{Text: "我也发"})
	wantErr(t, "a worker's notice", err, scheduler.ErrNotCoordinator)

	if n := len(e.rows("")); n != rowsBefore+2 {
		t.Errorf("the refusals queued %d messages", n-rowsBefore-2)
	}
	if got, _ := e.svc.Event(ctx, ev.ID); got.State != scheduler.Open || !got.Start.Equal(ev.Start) {
		t.Errorf("the event after the refusals: %+v", got)
	}
	if got, _ := e.svc.Venue(ctx, venue.ID); got.Name != venue.Name {
		t.Errorf("the venue after the refusals: %+v", got)
	}
	if b, _ := e.svc.Broadcast(ctx, admin, bc.ID); b.State != scheduler.Sent || b.Revision != 0 {
		t.Errorf("the notice after the refusals: %+v", b)
	}
	if b, _ := e.svc.Broadcast(ctx, admin, later.ID); b.State != scheduler.Scheduled {
		t.Errorf("the scheduled notice after the refusals: %s", b.State)
	}
}

// Five people racing for the last place of an event: one gets it, four
// wait, each once, in order; withdrawing moves exactly one up.
func TestDefenceRaceForTheLastPlace(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(x *scheduler.Event) { x.Capacity = 1 })
	people := []int64{g1, g2, g3, g4, g5}
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, id := range people {
		wg.Add(2)
		go func() { defer wg.Done(); _, errs[i] = e.svc.SignUp(e.ctx, id, ev.ID) }()
		go func() { defer wg.Done(); _, _ = e.svc.SignUp(e.ctx, id, ev.ID) }() // the double press
	}
	wg.Wait()
	registered, waiting, err := e.st.CountSignups(e.ctx, ev.ID)
	if err != nil || registered != 1 || waiting != 4 {
		t.Fatalf("after the race: %d registered, %d waiting (%v)", registered, waiting, err)
	}
	got := e.signups(ev.ID)
	first := got[0]
	var id int64
	fmt.Sscanf(first, "%d:", &id)
	if _, err := e.svc.Withdraw(e.ctx, id, ev.ID); err != nil {
		t.Fatal(err)
	}
	registered, waiting, _ = e.st.CountSignups(e.ctx, ev.ID)
	if registered != 1 || waiting != 3 {
		t.Errorf("after a withdrawal: %d registered, %d waiting", registered, waiting)
	}
	if n := len(e.rows(`ref = ? AND text LIKE 'promoted%'`, eventRef(ev.ID))); n != 1 {
		t.Errorf("%d people were told they moved up", n)
	}
}

// A change whose messages cannot be queued is not made: a cancellation,
// a withdrawal that moves someone up, a notice sent now, an edit that
// adds places — each is rolled back whole when the outbox fails.
func TestDefenceChangeAndItsMessagesCommitTogether(t *testing.T) {
	e := newEnv(t)
	ev := e.newEvent(gulou, func(x *scheduler.Event) { x.Capacity = 1 })
	e.signUp(ev.ID, g1, g2)
	before := e.signups(ev.ID)
	e.fo.fail = true
	if _, err := e.svc.CancelEvent(e.ctx, gulou, ev.ID, "下雨"); err == nil {
		t.Error("a cancellation that could not tell anyone went through")
	}
	if _, err := e.svc.Withdraw(e.ctx, g1, ev.ID); err == nil {
		t.Error("a withdrawal whose move-up could not be told went through")
	}
	bigger := ev
	bigger.Capacity = 2
	if _, err := e.svc.UpdateEvent(e.ctx, gulou, bigger); err == nil {
		t.Error("an edit whose messages could not be queued went through")
	}
	if _, err := e.svc.CreateBroadcast(e.ctx, gulou, scheduler.Broadcast{Text: "发不出去"}); err == nil {
		t.Error("a notice that could not be queued was stored")
	}
	e.fo.fail = false
	if got, _ := e.svc.Event(e.ctx, ev.ID); got.State != scheduler.Open || got.Capacity != 1 {
		t.Errorf("the event: %+v", got)
	}
	if got := e.signups(ev.ID); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("sign-ups %v, want %v", got, before)
	}
	if list, _ := e.svc.Broadcasts(e.ctx, admin, 10); len(list) != 0 {
		t.Errorf("%d notices stored", len(list))
	}
	if n := len(e.rows("")); n != 0 {
		t.Errorf("%d messages queued", n)
	}
}

// A daily notice at 23:59 goes once at 23:59, not again in the same
// minute, and nothing goes after midnight; the next day it goes again.
func TestDefenceScheduleAtOneMinuteToMidnight(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(time.Date(2025, 3, 3, 23, 50, 0, 0, shanghai))
	sc, err := e.svc.SaveSchedule(e.ctx, gulou, scheduler.Schedule{Title: "晚间提醒", Text: "今天的学习完成了吗", Spec: "59 23 * * *"}, false)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int { return len(e.rows(`ref = ?`, fmt.Sprintf("schedule:%d", sc.ID))) }
	for _, at := range []time.Time{
		time.Date(2025, 3, 3, 23, 58, 59, 0, shanghai),
		time.Date(2025, 3, 3, 23, 59, 0, 0, shanghai),
		time.Date(2025, 3, 3, 23, 59, 30, 0, shanghai),
		time.Date(2025, 3, 4, 0, 0, 1, 0, shanghai),
		time.Date(2025, 3, 4, 12, 0, 0, 0, shanghai),
	} {
		e.clock.Set(at)
		e.tick()
	}
	if n := count(); n != 5 { // 鼓楼区's five approved workers, once
		t.Errorf("by noon the next day: %d messages, want 5", n)
	}
	e.clock.Set(time.Date(2025, 3, 4, 23, 59, 5, 0, shanghai))
	e.tick()
	if n := count(); n != 10 {
		t.Errorf("the second evening: %d messages, want 10", n)
	}
}

// Check-in codes: another running event's code through this event's link
// is ErrOtherEvent; a code of an event whose check-in closed is
// ErrNotRunning; a code of nothing is ErrBadCode; the right one counts once.
func TestDefenceCheckInCodesAcrossEvents(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	a := e.newEvent(gulou, func(x *scheduler.Event) { x.Start, x.End = now.Add(10*time.Minute), now.Add(2*time.Hour) })
	b := e.newEvent(gulou, func(x *scheduler.Event) { x.Start, x.End = now.Add(10*time.Minute), now.Add(2*time.Hour) })
	e.signUp(a.ID, g1)
	codeA, err := e.svc.Code(e.ctx, gulou, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	codeB, _ := e.svc.Code(e.ctx, gulou, b.ID)
	if codeA.Code == codeB.Code {
		t.Skip("equal codes")
	}
	_, _, err = e.svc.CheckInLink(e.ctx, g1, a.ID, codeB.Code)
	wantErr(t, "another event's code by link", err, scheduler.ErrOtherEvent)
	_, _, err = e.svc.CheckInLink(e.ctx, g1, 999999, codeA.Code)
	wantErr(t, "a link of no event", err, scheduler.ErrBadCode)
	if _, _, err := e.svc.CheckIn(e.ctx, g1, codeA.Code); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.CheckIn(e.ctx, g1, codeA.Code); err != nil {
		t.Fatal(err)
	}
	roster, _ := e.svc.EventRoster(e.ctx, gulou, a.ID)
	if len(roster.Attendance) != 1 {
		t.Errorf("attendance %+v", roster.Attendance)
	}
	e.clock.Set(a.End.Add(scheduler.CheckInCloses + time.Minute))
	_, _, err = e.svc.CheckIn(e.ctx, g2, codeA.Code)
	if err == nil {
		t.Error("a code after check-in closed was taken")
	}
}
