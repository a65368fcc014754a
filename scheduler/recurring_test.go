package scheduler_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

func (e *env) saveSchedule(actor member.Access, sc scheduler.Schedule, raw bool) scheduler.Schedule {
	e.t.Helper()
	sc, err := e.svc.SaveSchedule(e.ctx, actor, sc, raw)
	if err != nil {
		e.t.Fatalf("save schedule: %v", err)
	}
	return sc
}

// runs lists the times (in Shanghai) a schedule's notices were queued,
// once per run, and how many were queued at each.
func (e *env) runs(id int64) ([]string, []int) {
	e.t.Helper()
	var times []string
	var counts []int
	for _, r := range e.rows(`ref = ?`, "schedule:"+strconv.FormatInt(id, 10)) {
		at := r.Created.In(shanghai).Format("Mon 2006-01-02 15:04")
		if n := len(times); n > 0 && times[n-1] == at {
			counts[n-1]++
			continue
		}
		times, counts = append(times, at), append(counts, 1)
	}
	return times, counts
}

// hourly ticks once an hour from the clock's time up to until.
func (e *env) hourly(until time.Time) {
	e.t.Helper()
	for e.clock.Now().Before(until) {
		e.clock.Advance(time.Hour)
		e.tick()
	}
}

func TestWeeklySchedule(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.SetPush(e.ctx, g5, scheduler.PushSchedule, true); err != nil {
		t.Fatal(err)
	}
	monday := scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: time.Monday, Hour: 10}
	wednesday := scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: time.Wednesday, Hour: 21}
	a := e.saveSchedule(gulou, scheduler.Schedule{Title: "周一学习", Text: "新的一周", Spec: monday.Spec()}, false)
	b := e.saveSchedule(admin, scheduler.Schedule{Title: "周三", Text: "周三晚上", Spec: wednesday.Spec()}, false)
	if a.District != "鼓楼区" || !slices.Equal(a.Audience.Districts, []string{"鼓楼区"}) || !a.LastRun.Equal(t0) || a.CreatedBy != gulouID {
		t.Errorf("saved %+v", a)
	}

	e.hourly(t0.Add(15 * 24 * time.Hour))

	times, counts := e.runs(a.ID)
	if want := []string{"Mon 2025-03-03 10:00", "Mon 2025-03-10 10:00", "Mon 2025-03-17 10:00"}; !slices.Equal(times, want) {
		t.Errorf("Monday runs %v, want %v", times, want)
	}
	if !slices.Equal(counts, []int{4, 4, 4}) {
		t.Errorf("Monday runs reached %v, want 4 each (鼓楼区's approved, less the one who turned it off)", counts)
	}
	times, counts = e.runs(b.ID)
	if want := []string{"Wed 2025-03-05 21:00", "Wed 2025-03-12 21:00"}; !slices.Equal(times, want) {
		t.Errorf("Wednesday runs %v, want %v", times, want)
	}
	if !slices.Equal(counts, []int{6, 6}) {
		t.Errorf("Wednesday runs reached %v, want 6 each (the city's approved, less one)", counts)
	}
	for _, r := range e.rows(`ref = ?`, "schedule:"+strconv.FormatInt(a.ID, 10)) {
		if r.Text != "recurring 周一学习" || r.Kind != scheduler.PushSchedule || !r.Quiet || r.Repeatable || r.Chat == g5 || r.Chat == q1 {
			t.Errorf("row %+v", r)
		}
	}
}

func TestScheduleMissedWhileDown(t *testing.T) {
	e := newEnv(t)
	daily := e.saveSchedule(admin, scheduler.Schedule{Title: "每日", Text: "学习", Spec: "0 8 * * *"}, false)

	// Down from Monday 09:00 to Wednesday 10:00, over Tuesday's and Wednesday's runs.
	e.clock.Set(time.Date(2025, 3, 5, 10, 0, 0, 0, shanghai))
	e.tick()
	e.clock.Advance(time.Minute)
	e.tick()
	times, counts := e.runs(daily.ID)
	if want := []string{"Wed 2025-03-05 10:00"}; !slices.Equal(times, want) || counts[0] != 7 {
		t.Errorf("after the restart runs %v (%v), want only today's, once", times, counts)
	}
	e.clock.Set(time.Date(2025, 3, 5, 10, 0, 0, 0, shanghai))
	e.hourly(time.Date(2025, 3, 6, 12, 0, 0, 0, shanghai))
	times, _ = e.runs(daily.ID)
	if want := []string{"Wed 2025-03-05 10:00", "Thu 2025-03-06 08:00"}; !slices.Equal(times, want) {
		t.Errorf("runs %v, want %v", times, want)
	}
}

func TestScheduleDownSinceYesterday(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(t0.Add(-time.Hour)) // Monday 08:00
	daily := e.saveSchedule(admin, scheduler.Schedule{Title: "每日", Text: "学习", Spec: "0 9 * * *"}, false)

	// Down from Monday 08:00 to Tuesday 08:00: Monday's run is gone, Tuesday's is still ahead.
	e.clock.Set(time.Date(2025, 3, 4, 8, 0, 0, 0, shanghai))
	e.tick()
	e.clock.Set(time.Date(2025, 3, 4, 8, 59, 59, 0, shanghai))
	e.tick()
	if times, _ := e.runs(daily.ID); len(times) != 0 {
		t.Fatalf("before today's time runs %v, want none", times)
	}
	e.clock.Advance(time.Second)
	e.tick()
	e.tick()
	if times, _ := e.runs(daily.ID); !slices.Equal(times, []string{"Tue 2025-03-04 09:00"}) {
		t.Errorf("runs %v, want today's at 09:00", times)
	}
}

func TestPausedSchedule(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(t0.Add(-time.Hour)) // Monday 08:00
	sc := e.saveSchedule(gulou, scheduler.Schedule{Title: "每日", Text: "学习", Spec: "0 9 * * *"}, false)

	_, err := e.svc.PauseSchedule(e.ctx, quan, sc.ID, true)
	wantErr(t, "pause by another district", err, scheduler.ErrOutOfScope)
	_, err = e.svc.PauseSchedule(e.ctx, worker, sc.ID, true)
	wantErr(t, "pause by a worker", err, scheduler.ErrNotCoordinator)
	if got, err := e.svc.PauseSchedule(e.ctx, gulou, sc.ID, true); err != nil || !got.Paused {
		t.Fatalf("pause: %+v, %v", got, err)
	}
	e.hourly(time.Date(2025, 3, 5, 12, 0, 0, 0, shanghai))
	if times, _ := e.runs(sc.ID); len(times) != 0 {
		t.Fatalf("paused, it ran at %v", times)
	}
	// Resumed after Wednesday's time: nothing missed is sent.
	if got, err := e.svc.PauseSchedule(e.ctx, gulou, sc.ID, false); err != nil || got.Paused {
		t.Fatalf("resume: %+v, %v", got, err)
	}
	e.tick()
	if times, _ := e.runs(sc.ID); len(times) != 0 {
		t.Errorf("resumed, it sent the backlog: %v", times)
	}
	e.hourly(time.Date(2025, 3, 6, 12, 0, 0, 0, shanghai))
	if times, _ := e.runs(sc.ID); !slices.Equal(times, []string{"Thu 2025-03-06 09:00"}) {
		t.Errorf("runs %v, want Thursday's", times)
	}
}

func TestSaveScheduleRefused(t *testing.T) {
	e := newEnv(t)
	theirs := e.saveSchedule(quan, scheduler.Schedule{Title: "泉山", Text: "学习", Spec: "0 9 * * *"}, false)
	good := scheduler.Schedule{Title: "每周", Text: "学习", Spec: "0 9 * * 1"}
	with := func(edit func(*scheduler.Schedule)) scheduler.Schedule {
		sc := good
		edit(&sc)
		return sc
	}
	cases := []struct {
		name  string
		actor member.Access
		sc    scheduler.Schedule
		raw   bool
		want  error
	}{
		{"a coordinator's raw spec", gulou, good, true, scheduler.ErrRawSpec},
		{"a coordinator's spec no menu makes", gulou, with(func(s *scheduler.Schedule) { s.Spec = "0 9 * * 1-5" }), false, scheduler.ErrRawSpec},
		{"a worker", worker, good, false, scheduler.ErrNotCoordinator},
		{"another district", gulou, with(func(s *scheduler.Schedule) { s.District = "泉山区" }), false, scheduler.ErrOutOfScope},
		{"audience of another district", gulou, with(func(s *scheduler.Schedule) { s.Audience.Districts = []string{"泉山区"} }), false,
			scheduler.ErrNoDistricts},
		{"another district's schedule", gulou, with(func(s *scheduler.Schedule) { s.ID = theirs.ID }), false, scheduler.ErrOutOfScope},
		{"no such schedule", admin, with(func(s *scheduler.Schedule) { s.ID = 4242 }), false, scheduler.ErrNotFound},
		{"too often", admin, with(func(s *scheduler.Schedule) { s.Spec = "*/10 9 * * *" }), true, scheduler.ErrTooFrequent},
		{"not a spec", admin, with(func(s *scheduler.Schedule) { s.Spec = "every monday" }), true, scheduler.ErrBadSpec},
		{"no title", admin, with(func(s *scheduler.Schedule) { s.Title = "" }), false, scheduler.ErrNoTitle},
		{"unknown district", admin, with(func(s *scheduler.Schedule) { s.Audience.Districts = []string{"火星区"} }), false,
			scheduler.ErrUnknownDistrict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SaveSchedule(e.ctx, tc.actor, tc.sc, tc.raw)
			wantErr(t, "save", err, tc.want)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM schedules`); n != 1 {
		t.Errorf("%d schedules stored, want only 泉山区's", n)
	}
	if got, _ := e.st.Schedule(e.ctx, theirs.ID); got.Title != "泉山" || got.District != "泉山区" {
		t.Errorf("泉山区's schedule changed: %+v", got)
	}
	if err := e.svc.DeleteSchedule(e.ctx, gulou, theirs.ID); err != scheduler.ErrOutOfScope {
		t.Errorf("delete another district's schedule: %v", err)
	}

	// What the refusals allow.
	if _, err := e.svc.SaveSchedule(e.ctx, admin, with(func(s *scheduler.Schedule) { s.Spec = "0 9 * * 1-5" }), true); err != nil {
		t.Errorf("an administrator's raw spec: %v", err)
	}
	ours := e.saveSchedule(gulou, good, false)
	if list, _ := e.svc.Schedules(e.ctx, gulou); len(list) != 1 || list[0].ID != ours.ID {
		t.Errorf("鼓楼区 lists %+v", list)
	}
	if list, _ := e.svc.Schedules(e.ctx, admin); len(list) != 3 {
		t.Errorf("the admin lists %d schedules, want 3", len(list))
	}
	if err := e.svc.DeleteSchedule(e.ctx, gulou, ours.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Schedule(e.ctx, ours.ID); err != scheduler.ErrNotFound {
		t.Errorf("deleted schedule: %v", err)
	}
}

func TestLoadContentTwice(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2025, 3, 5, 14, 0, 0, 0, shanghai) // Wednesday afternoon
	c := scheduler.Content{
		Venues: []scheduler.Venue{{Key: "gl-station", Name: "鼓楼区党建工作站", Kind: scheduler.VenueStation, District: "鼓楼区"}},
		Schedules: []scheduler.Schedule{
			{Key: "daily-study", Title: "每日学习", Text: "学习", Spec: "0 9 * * *"},
			{Key: "gulou-daily", Title: "鼓楼每日", Text: "鼓楼", Spec: "0 9 * * *", District: "鼓楼区"},
		},
		Events: []scheduler.Event{{Key: "spring", Kind: scheduler.Course, Title: "春季培训", Start: start, End: start.Add(3 * time.Hour),
			District: "鼓楼区", Audience: scheduler.Audience{Districts: []string{"鼓楼区"}}, Hours: 3, State: scheduler.Open}},
		EventVenues: map[string]string{"spring": "gl-station"},
	}
	load := func() {
		t.Helper()
		if err := e.svc.LoadContent(e.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Set(t0.Add(-time.Hour)) // Monday 08:00
	load()
	venues, err := e.svc.Venues(e.ctx, "鼓楼区")
	if err != nil || len(venues) != 1 {
		t.Fatalf("venues %+v, %v", venues, err)
	}
	ev, err := e.st.EventByKey(e.ctx, "spring")
	if err != nil {
		t.Fatal(err)
	}
	if ev.VenueID != venues[0].ID || ev.VenueName != "鼓楼区党建工作站" || !ev.Start.Equal(start) {
		t.Errorf("content event %+v, want at venue %d", ev, venues[0].ID)
	}
	if got, want := e.reminders(ev.ID), []string{"24h0m0s:pending", "1h0m0s:pending"}; !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
	e.signUp(ev.ID, g1)
	list, _ := e.svc.Schedules(e.ctx, admin)
	if len(list) != 2 {
		t.Fatalf("%d schedules", len(list))
	}
	city, gl := list[0], list[1]
	runs := func(id int64) []string {
		times, _ := e.runs(id)
		return times
	}

	e.clock.Set(t0)
	e.tick()
	if _, counts := e.runs(city.ID); !slices.Equal(counts, []int{7}) {
		t.Errorf("the city's notice reached %v, want 7", counts)
	}
	if _, counts := e.runs(gl.ID); !slices.Equal(counts, []int{5}) {
		t.Errorf("鼓楼区's notice without an audience reached %v, want 鼓楼区's 5", counts)
	}

	// Restarts load the content again: what ran stays run.
	e.clock.Set(t0.Add(30 * time.Minute))
	load()
	e.tick()
	if got := runs(city.ID); len(got) != 1 {
		t.Errorf("after a restart runs %v, want 1", got)
	}
	if got, _ := e.st.Schedule(e.ctx, city.ID); !got.LastRun.Equal(t0) {
		t.Errorf("last run %s after loading again, want %s", got.LastRun, t0)
	}
	// Down over Tuesday's run: it is sent once at the restart that day.
	e.clock.Set(time.Date(2025, 3, 4, 10, 0, 0, 0, shanghai))
	load()
	e.tick()
	load()
	e.tick()
	if got, want := runs(city.ID), []string{"Mon 2025-03-03 09:00", "Tue 2025-03-04 10:00"}; !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}

	// The content event's reminder goes out once, however often it is loaded.
	e.clock.Set(start.Add(-24 * time.Hour))
	e.tick()
	load()
	e.tick()
	if rs := e.rows(`text LIKE 'reminder 春季培训%'`); len(rs) != 1 || rs[0].Chat != g1 {
		t.Errorf("reminders %+v, want one to %d", rs, g1)
	}
	if got, want := e.reminders(ev.ID), []string{"24h0m0s:sent", "1h0m0s:pending"}; !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
	if n := e.count(`SELECT COUNT(*) FROM events`); n != 1 {
		t.Errorf("%d events after loading four times", n)
	}
}

// An edit of the content is an edit: a moved event is told to the people
// signed up, added places move the waiting up, and a schedule taken out of
// the content stops.
func TestContentEdits(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(t0.Add(-time.Hour)) // Monday 08:00
	start := time.Date(2025, 3, 7, 14, 0, 0, 0, shanghai)
	ev := scheduler.Event{Key: "forum", Kind: scheduler.Forum, Title: "先锋论坛", Place: "鼓楼区党群服务中心", Start: start,
		End: start.Add(2 * time.Hour), District: "鼓楼区", Capacity: 1, Hours: 2, State: scheduler.Open}
	c := scheduler.Content{
		Schedules: []scheduler.Schedule{{Key: "daily", Title: "每日", Text: "学习", Spec: "0 9 * * *"}},
		Events:    []scheduler.Event{ev},
	}
	load := func() {
		t.Helper()
		if err := e.svc.LoadContent(e.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	load()
	stored, err := e.st.EventByKey(e.ctx, "forum")
	if err != nil {
		t.Fatal(err)
	}
	e.signUp(stored.ID, g1, g2)
	load()
	if rs := e.rows(""); len(rs) != 0 {
		t.Fatalf("loading the same content again queued %+v", rs)
	}

	// Two more places, and a day later.
	c.Events[0].Capacity = 3
	c.Events[0].Start, c.Events[0].End = start.Add(24*time.Hour), start.Add(26*time.Hour)
	load()
	if got, want := e.signups(stored.ID), []string{"101:registered", "102:registered"}; !slices.Equal(got, want) {
		t.Errorf("sign-ups %v, want %v", got, want)
	}
	if to := chats(e.rows(`text = 'promoted 先锋论坛'`)); !slices.Equal(to, []int64{g2}) {
		t.Errorf("promoted %v, want %v", to, []int64{g2})
	}
	if to := chats(e.rows(`text = 'changed 先锋论坛'`)); !slices.Equal(to, []int64{g1, g2}) {
		t.Errorf("told of the move %v, want %v", to, []int64{g1, g2})
	}
	due := e.str(`SELECT due_at FROM event_reminders WHERE event_id = ? AND offset_s = 3600`, stored.ID)
	if want := start.Add(23 * time.Hour).UTC().Format(time.RFC3339); due != want {
		t.Errorf("1-hour reminder due %s, want %s", due, want)
	}

	// The schedule leaves the content: it does not run any more.
	c.Schedules = nil
	load()
	e.hourly(t0.Add(48 * time.Hour))
	if n := len(e.rows(`ref LIKE 'schedule:%'`)); n != 0 {
		t.Errorf("a schedule no longer in the content sent %d notices", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM schedules`); n != 0 {
		t.Errorf("%d schedules left", n)
	}
}
