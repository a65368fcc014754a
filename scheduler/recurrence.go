package scheduler

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// How often a Recurrence repeats.
const (
	EveryDay   = "day"
	EveryWeek  = "week"
	EveryMonth = "month"
)

// MaxMonthDay is the last day a monthly recurrence may fall on: every month
// has it, so no month is skipped.
const MaxMonthDay = 28

// MaxSpecLen bounds a cron spec's length in bytes.
const MaxSpecLen = 100

// MinScheduleInterval is the least time between two runs of a recurring
// notice: it refuses the usual slip "* 9 * * 1" (every minute of nine
// o'clock) that would message everyone sixty times.
const MinScheduleInterval = time.Hour

// Reasons a recurring time is refused.
var (
	ErrBadSpec       = errors.New("not a cron spec of 5 fields (minute hour day-of-month month day-of-week) or @yearly, @monthly, @weekly, @daily, @hourly")
	ErrSpecSeconds   = errors.New("cron spec with seconds: use 5 fields (minute hour day-of-month month day-of-week)")
	ErrSpecEvery     = errors.New("@every is not allowed: write the times as a 5-field cron spec")
	ErrSpecTimeZone  = errors.New("a cron spec has no time zone of its own: schedules run in the configured one (DANGWU_TZ)")
	ErrNeverRuns     = errors.New("cron spec never runs")
	ErrTooFrequent   = fmt.Errorf("runs twice within %d minutes", MinScheduleInterval/time.Minute)
	ErrBadRecurrence = errors.New("recurrence")
	ErrNoTimeZone    = errors.New("no time zone")
)

// Recurrence is a recurring time as a coordinator picks it from a menu:
// every day, every week on a weekday, or every month on a day, at a time
// of day. Spec turns it into a cron spec.
type Recurrence struct {
	Every        string       // EveryDay, EveryWeek or EveryMonth
	Weekday      time.Weekday // for EveryWeek
	MonthDay     int          // for EveryMonth: 1 to MaxMonthDay, so every month has it
	Hour, Minute int
}

// Spec is r as a 5-field cron spec ("minute hour day-of-month month
// day-of-week"); r must be valid.
func (r Recurrence) Spec() string {
	switch r.Every {
	case EveryWeek:
		return fmt.Sprintf("%d %d * * %d", r.Minute, r.Hour, int(r.Weekday))
	case EveryMonth:
		return fmt.Sprintf("%d %d %d * *", r.Minute, r.Hour, r.MonthDay)
	}
	return fmt.Sprintf("%d %d * * *", r.Minute, r.Hour)
}

// Validate checks r, wrapping ErrBadRecurrence.
func (r Recurrence) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadRecurrence}, args...)...)
	}
	switch r.Every {
	case EveryDay:
	case EveryWeek:
		if r.Weekday < time.Sunday || r.Weekday > time.Saturday {
			return bad("weekday %d is not 0 (Sunday) to 6 (Saturday)", int(r.Weekday))
		}
	case EveryMonth:
		if r.MonthDay < 1 || r.MonthDay > MaxMonthDay {
			return bad("day of month %d is not 1 to %d", r.MonthDay, MaxMonthDay)
		}
	default:
		return bad("every %q: use day, week or month", r.Every)
	}
	if r.Hour < 0 || r.Hour > 23 || r.Minute < 0 || r.Minute > 59 {
		return bad("time %02d:%02d is not 00:00 to 23:59", r.Hour, r.Minute)
	}
	return nil
}

// RecurrenceOf reads back a spec that a Recurrence writes (or one of the
// same shape, such as "0 9 * * 1"), so a menu can show it; false for any
// other spec.
func RecurrenceOf(spec string) (Recurrence, bool) {
	f := strings.Fields(spec)
	if len(f) != 5 || f[3] != "*" {
		return Recurrence{}, false
	}
	num := func(s string, lo, hi int) (int, bool) {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi || strconv.Itoa(n) != s {
			return 0, false
		}
		return n, true
	}
	minute, ok1 := num(f[0], 0, 59)
	hour, ok2 := num(f[1], 0, 23)
	if !ok1 || !ok2 {
		return Recurrence{}, false
	}
	r := Recurrence{Every: EveryDay, Hour: hour, Minute: minute}
	switch {
	case f[2] == "*" && f[4] == "*":
	case f[2] == "*":
		wd, ok := num(f[4], 0, 6)
		if !ok {
			return Recurrence{}, false
		}
		r.Every, r.Weekday = EveryWeek, time.Weekday(wd)
	default:
		md, ok := num(f[2], 1, MaxMonthDay)
		if !ok || f[4] != "*" {
			return Recurrence{}, false
		}
		r.Every, r.MonthDay = EveryMonth, md
	}
	return r, true
}

var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSpec parses a standard 5-field cron spec (minute hour day-of-month
// month day-of-week, with cron's ranges, lists, steps and names) or one of
// the descriptors @yearly, @annually, @monthly, @weekly, @daily, @midnight,
// @hourly. It refuses a seconds field, @every, a TZ= or CRON_TZ= prefix
// (schedules run in DANGWU_TZ), and a spec that never runs (30 February).
//
// The schedule has no location of its own: its Next works in the location
// of the time it is given, so give it times in the configured zone, or use
// ScheduleIn.
func ParseSpec(spec string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return nil, fmt.Errorf("%w: empty", ErrBadSpec)
	case len(spec) > MaxSpecLen:
		return nil, fmt.Errorf("%w: over %d bytes", ErrBadSpec, MaxSpecLen)
	case strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ="):
		// cron also panics on a prefix with nothing after it.
		return nil, fmt.Errorf("%w: %q", ErrSpecTimeZone, spec)
	case strings.HasPrefix(spec, "@every"):
		return nil, fmt.Errorf("%w: %q", ErrSpecEvery, spec)
	case !strings.HasPrefix(spec, "@") && len(strings.Fields(spec)) == 6:
		return nil, fmt.Errorf("%w: %q", ErrSpecSeconds, spec)
	}
	s, err := specParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadSpec, spec, err)
	}
	if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("%w: %q", ErrNeverRuns, spec)
	}
	return s, nil
}

// ScheduleIn parses spec like ParseSpec, as a schedule that runs in loc
// whatever the location of the times given to its Next.
func ScheduleIn(spec string, loc *time.Location) (cron.Schedule, error) {
	if loc == nil {
		return nil, ErrNoTimeZone
	}
	s, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	if ss, ok := s.(*cron.SpecSchedule); ok {
		in := *ss
		in.Location = loc
		return &in, nil
	}
	return s, nil
}

// NextRun is the first time after after when spec runs, evaluated in loc
// and returned in loc.
func NextRun(spec string, after time.Time, loc *time.Location) (time.Time, error) {
	s, err := ScheduleIn(spec, loc)
	if err != nil {
		return time.Time{}, err
	}
	t := s.Next(after.In(loc))
	if t.IsZero() {
		return time.Time{}, fmt.Errorf("%w after %s: %q", ErrNeverRuns, after.In(loc).Format(time.DateTime), spec)
	}
	return t.In(loc), nil
}

// MissedRun is the rule for a run missed while the bot was down: the latest
// time t that spec runs with last < t ≤ now, reported only when t is on
// the same calendar day as now in loc. So a run missed earlier today is
// sent once at start-up; runs of earlier days are not sent at all, and
// several missed runs give one. last is when the schedule last ran; a zero
// last means it never ran, so a schedule should start with last set to
// when it was created.
func MissedRun(spec string, last, now time.Time, loc *time.Location) (time.Time, bool, error) {
	s, err := ScheduleIn(spec, loc)
	if err != nil {
		return time.Time{}, false, err
	}
	now = now.In(loc)
	if !last.Before(now) {
		return time.Time{}, false, nil
	}
	y, m, d := now.Date()
	from := last.In(loc)
	if dayStart := time.Date(y, m, d, 0, 0, 0, 0, loc); from.Before(dayStart) {
		// Next looks from the second after the one it is given: start just
		// before midnight so a run at 00:00 counts.
		from = dayStart.Add(-time.Nanosecond)
	}
	var found time.Time
	// At most one run a minute, so at most 1,440 steps.
	for t := s.Next(from); !t.IsZero() && !t.After(now); t = s.Next(t) {
		found = t
	}
	if found.IsZero() {
		return time.Time{}, false, nil
	}
	if fy, fm, fd := found.In(loc).Date(); fy != y || fm != m || fd != d {
		return time.Time{}, false, nil
	}
	return found.In(loc), true, nil
}

// checkFrequency refuses a schedule that runs twice within
// MinScheduleInterval. A cron spec's runs within a day repeat on every day
// it runs, and two runs closer than an hour happen within one hour of one
// day, so the first runs from a midnight show it.
func checkFrequency(s cron.Schedule) error {
	const samples = 48
	t := s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond))
	for range samples {
		next := s.Next(t)
		if next.IsZero() {
			return nil
		}
		if next.Sub(t) < MinScheduleInterval {
			return fmt.Errorf("%w: %s then %s", ErrTooFrequent, t.Format("15:04"), next.Format("15:04"))
		}
		t = next
	}
	return nil
}
