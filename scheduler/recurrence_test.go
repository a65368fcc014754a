package scheduler_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dangwu/dangwu/scheduler"
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("time zone %s: %v", name, err)
	}
	return loc
}

func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRecurrenceSpec(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    scheduler.Recurrence
		spec string
	}{
		{"every day", scheduler.Recurrence{Every: scheduler.EveryDay, Hour: 8, Minute: 30}, "30 8 * * *"},
		{"every Monday", scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: time.Monday, Hour: 9}, "0 9 * * 1"},
		{"every Sunday", scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: time.Sunday, Hour: 20}, "0 20 * * 0"},
		{"every month on the 5th", scheduler.Recurrence{Every: scheduler.EveryMonth, MonthDay: 5, Hour: 9}, "0 9 5 * *"},
		{"every month on the 28th", scheduler.Recurrence{Every: scheduler.EveryMonth, MonthDay: 28, Hour: 23, Minute: 59}, "59 23 28 * *"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.r.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := tc.r.Spec(); got != tc.spec {
				t.Errorf("Spec = %q, want %q", got, tc.spec)
			}
			if _, err := scheduler.ParseSpec(tc.r.Spec()); err != nil {
				t.Errorf("ParseSpec(Spec): %v", err)
			}
			back, ok := scheduler.RecurrenceOf(tc.spec)
			if !ok || back != tc.r {
				t.Errorf("RecurrenceOf(%q) = %+v, %v; want %+v", tc.spec, back, ok, tc.r)
			}
		})
	}
}

func TestRecurrenceRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    scheduler.Recurrence
	}{
		{"no every", scheduler.Recurrence{Hour: 9}},
		{"every year", scheduler.Recurrence{Every: "year", Hour: 9}},
		{"weekday 7", scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: 7, Hour: 9}},
		{"weekday -1", scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: -1, Hour: 9}},
		{"month day 0", scheduler.Recurrence{Every: scheduler.EveryMonth, Hour: 9}},
		{"month day 29, not in every February", scheduler.Recurrence{Every: scheduler.EveryMonth, MonthDay: 29, Hour: 9}},
		{"month day 31", scheduler.Recurrence{Every: scheduler.EveryMonth, MonthDay: 31, Hour: 9}},
		{"hour 24", scheduler.Recurrence{Every: scheduler.EveryDay, Hour: 24}},
		{"hour -1", scheduler.Recurrence{Every: scheduler.EveryDay, Hour: -1}},
		{"minute 60", scheduler.Recurrence{Every: scheduler.EveryDay, Hour: 9, Minute: 60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.r.Validate(); !errors.Is(err, scheduler.ErrBadRecurrence) {
				t.Errorf("Validate(%+v) = %v, want ErrBadRecurrence", tc.r, err)
			}
		})
	}
}

func TestRecurrenceOfOtherSpecs(t *testing.T) {
	for _, spec := range []string{"*/5 * * * *", "0 9 * * 1-5", "0 9 1 1 *", "0 9 5 * 1", "0 9 29 * *", "00 9 * * *", "@daily", "0 9 * *"} {
		if r, ok := scheduler.RecurrenceOf(spec); ok {
			t.Errorf("RecurrenceOf(%q) = %+v, want false", spec, r)
		}
	}
}

func TestParseSpec(t *testing.T) {
	for _, spec := range []string{
		"0 9 * * 1", "0 9 * * MON", "30 8 * * 1-5", "0 9 5 * *", "0 9,18 * * *", "*/30 * * * *",
		"0 9 29 2 *", "  0 9 * * *  ", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually", "@hourly",
	} {
		if _, err := scheduler.ParseSpec(spec); err != nil {
			t.Errorf("ParseSpec(%q): %v", spec, err)
		}
	}
	for _, tc := range []struct {
		spec string
		want error
	}{
		{"", scheduler.ErrBadSpec},
		{"   ", scheduler.ErrBadSpec},
		{"0 0 9 * * 1", scheduler.ErrSpecSeconds},
		{"@every 1h", scheduler.ErrSpecEvery},
		{"@every", scheduler.ErrSpecEvery},
		{"TZ=Asia/Shanghai 0 9 * * *", scheduler.ErrSpecTimeZone},
		{"CRON_TZ=Asia/Shanghai 0 9 * * *", scheduler.ErrSpecTimeZone},
		{"TZ=Asia/Shanghai", scheduler.ErrSpecTimeZone}, // cron itself panics on this one
		{"0 9 * *", scheduler.ErrBadSpec},
		{"0 9 * * * * *", scheduler.ErrBadSpec},
		{"60 9 * * *", scheduler.ErrBadSpec},
		{"0 24 * * *", scheduler.ErrBadSpec},
		{"0 9 32 * *", scheduler.ErrBadSpec},
		{"0 9 * 13 *", scheduler.ErrBadSpec},
		{"0 9 * * 7", scheduler.ErrBadSpec},
		{"0 9 * * funday", scheduler.ErrBadSpec},
		{"every monday", scheduler.ErrBadSpec},
		{"@fortnightly", scheduler.ErrBadSpec},
		{"0 9 30 2 *", scheduler.ErrNeverRuns},
		{"0 9 31 4 *", scheduler.ErrNeverRuns},
		{"0 9 * * 1" + string(make([]byte, 200)), scheduler.ErrBadSpec},
	} {
		if _, err := scheduler.ParseSpec(tc.spec); !errors.Is(err, tc.want) {
			t.Errorf("ParseSpec(%q) = %v, want %v", tc.spec, err, tc.want)
		}
	}
}

// TestNextRunWeeklyOverDays walks Sunday to Tuesday an hour at a time: the
// next run of "every Monday 09:00" is this Monday's until it has passed,
// then next Monday's.
func TestNextRunWeeklyOverDays(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	spec := scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: time.Monday, Hour: 9}.Spec()
	monday := at(sh, "2027-03-01 09:00")
	if monday.Weekday() != time.Monday {
		t.Fatalf("%s is a %s", monday, monday.Weekday())
	}
	for now := at(sh, "2027-02-28 00:00"); now.Before(at(sh, "2027-03-03 00:00")); now = now.Add(30 * time.Minute) {
		want := monday
		if !now.Before(monday) {
			want = monday.AddDate(0, 0, 7)
		}
		got, err := scheduler.NextRun(spec, now, sh)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) || got.Location() != sh {
			t.Errorf("NextRun after %s = %s, want %s", now.Format(time.DateTime), got, want)
		}
	}
}

func TestNextRunMonthly(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	spec := scheduler.Recurrence{Every: scheduler.EveryMonth, MonthDay: 5, Hour: 9}.Spec()
	for _, tc := range []struct{ after, want string }{
		{"2027-01-31 12:00", "2027-02-05 09:00"},
		{"2027-02-05 08:59", "2027-02-05 09:00"},
		{"2027-02-05 09:00", "2027-03-05 09:00"},
		{"2027-12-20 00:00", "2028-01-05 09:00"},
	} {
		got, err := scheduler.NextRun(spec, at(sh, tc.after), sh)
		if err != nil || !got.Equal(at(sh, tc.want)) {
			t.Errorf("NextRun after %s = %s, %v; want %s", tc.after, got, err, tc.want)
		}
	}
	// Every month on the 28th: February too.
	t28 := at(sh, "2027-01-28 10:00")
	for i := range 12 {
		next, err := scheduler.NextRun("0 10 28 * *", t28, sh)
		if err != nil {
			t.Fatal(err)
		}
		if next.Day() != 28 || next.Month() != t28.Month()%12+1 {
			t.Errorf("run %d after %s = %s", i, t28, next)
		}
		t28 = next
	}
}

// TestNextRunInTheConfiguredZone: the time zone of the time given does not
// matter; the spec is read in loc. A schedule from ParseSpec, by itself,
// works in the location of the time it is given — the trap ScheduleIn and
// NextRun avoid.
func TestNextRunInTheConfiguredZone(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	afterUTC := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
	got, err := scheduler.NextRun("0 9 * * *", afterUTC, sh)
	if err != nil || !got.Equal(at(sh, "2027-03-01 09:00")) {
		t.Errorf("NextRun after %s = %s, %v; want 09:00 in Shanghai", afterUTC, got, err)
	}
	raw, err := scheduler.ParseSpec("0 9 * * *")
	if err != nil {
		t.Fatal(err)
	}
	if next := raw.Next(afterUTC); next.Equal(got) {
		t.Errorf("ParseSpec's schedule given UTC = %s, expected it to run at 09:00 UTC", next)
	}
	in, err := scheduler.ScheduleIn("0 9 * * *", sh)
	if err != nil {
		t.Fatal(err)
	}
	if next := in.Next(afterUTC); !next.Equal(got) {
		t.Errorf("ScheduleIn's schedule given UTC = %s, want %s", next, got)
	}
	if _, err := scheduler.NextRun("0 9 * * *", afterUTC, nil); !errors.Is(err, scheduler.ErrNoTimeZone) {
		t.Errorf("NextRun without a zone: %v", err)
	}
	if _, err := scheduler.NextRun("0 9 * *", afterUTC, sh); !errors.Is(err, scheduler.ErrBadSpec) {
		t.Errorf("NextRun of a bad spec: %v", err)
	}
}

// TestNextRunAcrossDST: in a zone with daylight saving time, a 09:00 run
// stays at 09:00 local time on the days the clocks change.
func TestNextRunAcrossDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	for _, tc := range []struct {
		name        string
		from, until string
	}{
		{"spring forward, 14 March 2027", "2027-03-10 12:00", "2027-03-18 12:00"},
		{"fall back, 7 November 2027", "2027-11-03 12:00", "2027-11-11 12:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			offsets := map[int]bool{}
			prev := at(ny, tc.from)
			for prev.Before(at(ny, tc.until)) {
				next, err := scheduler.NextRun("0 9 * * *", prev, ny)
				if err != nil {
					t.Fatal(err)
				}
				if next.Hour() != 9 || next.Minute() != 0 {
					t.Errorf("run after %s at %s, want 09:00 local", prev, next)
				}
				if py, pm, pd := prev.Date(); next.YearDay() != time.Date(py, pm, pd+1, 0, 0, 0, 0, ny).YearDay() {
					t.Errorf("run after %s on %s, want the next day", prev, next)
				}
				_, off := next.Zone()
				offsets[off] = true
				prev = next
			}
			if len(offsets) != 2 {
				t.Errorf("the runs had offsets %v, want two (the walk should cross the change)", offsets)
			}
		})
	}
	// Weekly, on the Sunday the clocks change and the Sunday after.
	next, err := scheduler.NextRun("0 9 * * 0", at(ny, "2027-03-13 12:00"), ny)
	if err != nil || !next.Equal(at(ny, "2027-03-14 09:00")) || next.Hour() != 9 {
		t.Errorf("weekly across spring forward = %s, %v", next, err)
	}
	if next.Sub(at(ny, "2027-03-07 09:00")) != 7*24*time.Hour-time.Hour {
		t.Errorf("a week that loses an hour: %s", next.Sub(at(ny, "2027-03-07 09:00")))
	}
}

func TestMissedRun(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	daily := "0 9 * * *"
	twice := "0 9,18 * * *"
	monday := "0 9 * * 1" // 2027-03-01 is a Monday
	for _, tc := range []struct {
		name      string
		spec      string
		last, now time.Time
		want      string // "" for none
	}{
		{"down over this morning's run", daily, at(sh, "2027-03-02 09:00"), at(sh, "2027-03-03 10:00"), "2027-03-03 09:00"},
		{"down since yesterday over two runs, today's passed", twice, at(sh, "2027-03-02 08:00"), at(sh, "2027-03-03 10:00"), "2027-03-03 09:00"},
		{"down since yesterday over two runs, today's not yet", twice, at(sh, "2027-03-02 08:00"), at(sh, "2027-03-03 08:30"), ""},
		{"down for a week", daily, at(sh, "2027-02-20 09:00"), at(sh, "2027-03-03 21:00"), "2027-03-03 09:00"},
		{"down all day over both runs: only the latest", twice, at(sh, "2027-03-03 08:00"), at(sh, "2027-03-03 20:00"), "2027-03-03 18:00"},
		{"last run after the scheduled time", daily, at(sh, "2027-03-03 09:30"), at(sh, "2027-03-03 11:00"), ""},
		{"last run at the scheduled time", daily, at(sh, "2027-03-03 09:00"), at(sh, "2027-03-03 11:00"), ""},
		{"last run just before the scheduled time", daily, at(sh, "2027-03-03 09:00").Add(-time.Second), at(sh, "2027-03-03 09:00"), "2027-03-03 09:00"},
		{"now is the run", daily, at(sh, "2027-03-02 09:00"), at(sh, "2027-03-03 09:00"), "2027-03-03 09:00"},
		{"not yet today", daily, at(sh, "2027-03-02 09:00"), at(sh, "2027-03-03 08:59"), ""},
		{"weekly, missed this morning", monday, at(sh, "2027-02-22 09:00"), at(sh, "2027-03-01 12:00"), "2027-03-01 09:00"},
		{"weekly, missed yesterday", monday, at(sh, "2027-02-22 09:00"), at(sh, "2027-03-02 12:00"), ""},
		{"a run at midnight", "@daily", at(sh, "2027-03-02 12:00"), at(sh, "2027-03-03 00:30"), "2027-03-03 00:00"},
		{"every ten minutes", "*/10 * * * *", at(sh, "2027-03-01 12:00"), at(sh, "2027-03-03 23:59"), "2027-03-03 23:50"},
		{"never ran", daily, time.Time{}, at(sh, "2027-03-03 10:00"), "2027-03-03 09:00"},
		{"last after now (clock moved back)", daily, at(sh, "2027-03-04 09:00"), at(sh, "2027-03-03 10:00"), ""},
		// 00:30 in Shanghai on 3 March is still 2 March in UTC: the day is
		// the day in loc.
		{"now given in UTC", "30 0 * * *", at(sh, "2027-03-02 00:30"), at(sh, "2027-03-03 01:00").UTC(), "2027-03-03 00:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := scheduler.MissedRun(tc.spec, tc.last, tc.now, sh)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == "" && ok:
				t.Errorf("MissedRun = %s, want none", got)
			case tc.want != "" && (!ok || !got.Equal(at(sh, tc.want))):
				t.Errorf("MissedRun = %s, %v; want %s", got, ok, tc.want)
			case ok && got.Location() != sh:
				t.Errorf("MissedRun in %s, want %s", got.Location(), sh)
			}
		})
	}
	// Sent once: after the missed run is sent its time is the last run, and
	// there is nothing more to send.
	last := at(sh, "2027-03-02 09:00")
	now := at(sh, "2027-03-03 10:00")
	sent := 0
	for range 3 {
		if _, ok, err := scheduler.MissedRun(daily, last, now, sh); err != nil {
			t.Fatal(err)
		} else if ok {
			sent++
			last = now
		}
		now = now.Add(time.Minute)
	}
	if sent != 1 {
		t.Errorf("the missed run was sent %d times, want once", sent)
	}
	if _, _, err := scheduler.MissedRun("0 9 * *", last, now, sh); !errors.Is(err, scheduler.ErrBadSpec) {
		t.Errorf("MissedRun of a bad spec: %v", err)
	}
}
