package scheduler

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
)

// Schedule is a recurring notice: a text sent to an audience at the times
// of a cron spec, evaluated in the configured time zone.
type Schedule struct {
	ID        int64  // in the store; 0 until stored
	Key       string // the id in content/schedules.yaml; empty for one made in chat
	Title     string
	Text      string
	Spec      string // a 5-field cron spec (see ParseSpec)
	Audience  Audience
	District  string // the district that owns it; "" for the city
	Paused    bool
	CreatedBy int64
	LastRun   time.Time // when it last ran; see MissedRun
	Line      int       // its line in content/schedules.yaml
}

// Limits on a schedule.
const (
	MaxScheduleTitleRunes = MaxTitleRunes
	MaxScheduleTextRunes  = 2000
)

// Reasons a schedule's times are refused, besides those of ParseSpec and
// Recurrence.Validate.
var (
	ErrNoSpec            = errors.New("no times: give spec, or every and at")
	ErrSpecAndRecurrence = errors.New("both spec and every/weekday/monthday/at: give one")
)

var scheduleFields = []string{"id", "title", "text", "spec", "every", "weekday", "monthday", "at", "districts", "district", "paused"}

var everyNames = map[string]string{
	"day": EveryDay, "daily": EveryDay, "每天": EveryDay, "每日": EveryDay,
	"week": EveryWeek, "weekly": EveryWeek, "每周": EveryWeek, "每星期": EveryWeek,
	"month": EveryMonth, "monthly": EveryMonth, "每月": EveryMonth,
}

var weekdayNames = map[string]time.Weekday{}

func init() {
	cn := []string{"日", "一", "二", "三", "四", "五", "六"}
	for d := time.Sunday; d <= time.Saturday; d++ {
		en := strings.ToLower(d.String())
		for _, name := range []string{en, en[:3], strconv.Itoa(int(d)), "周" + cn[d], "星期" + cn[d], "礼拜" + cn[d]} {
			weekdayNames[name] = d
		}
	}
	for _, name := range []string{"7", "周天", "星期天", "礼拜天"} {
		weekdayNames[name] = time.Sunday
	}
}

// ParseSchedules reads schedules.yaml: a list of
//
//	# schedules.yaml
//	- id: dues-reminder
//	  title: ...
//	  text: ...
//	  every: month       # day, week or month (每天, 每周, 每月)
//	  monthday: 5        # for month: 1 to 28
//	  weekday: 周一       # for week: monday, mon, 1, 周一, 星期一 (0, 7, 周日 for Sunday)
//	  at: "09:00"
//	  # or, instead of every/weekday/monthday/at, a 5-field cron spec:
//	  # spec: "0 9 5 * *"
//	  districts: [丰县]  # the audience; absent for everyone
//	  district: 丰县      # the owner; absent for the city
//	  paused: false
//
// Every problem is reported; an entry with one is left out whole.
func ParseSchedules(file string, data []byte, districts member.Districts) ([]Schedule, []Problem) {
	list, problems := parseList(file, data)
	var out []Schedule
	seen := map[string]int{}
	for _, n := range list {
		en := newEntry(file, n, scheduleFields)
		s := Schedule{Key: en.id, Title: en.str("title"), Text: en.str("text"), Line: n.Line}
		en.checkKey(seen)
		s.Spec = en.spec()
		s.District = en.district("district", districts)
		s.Audience = Audience{Districts: en.districtList("districts", districts)}.Normalize()
		s.Paused = en.bool("paused")
		for _, fe := range s.check(districts) {
			switch {
			case fe.field == "id", en.failed(fe.field):
			case fe.field == "spec" && s.Spec == "":
				// en.spec has said why.
			case fe.field == "title":
				en.badField(fe.field, fe.err, s.Title)
			case fe.field == "spec":
				// The error names the spec.
				if en.fields["spec"] != nil {
					en.badField("spec", fe.err, "")
				} else {
					en.badField("every", fe.err, "")
				}
			default:
				en.badField(fe.field, fe.err, "")
			}
		}
		if len(en.problems) > 0 {
			problems = append(problems, en.problems...)
			continue
		}
		out = append(out, s)
	}
	return out, problems
}

// spec is the entry's cron spec: spec as written, or the one its
// every/weekday/monthday/at make; "" (reported) when they are wrong.
func (e *entry) spec() string {
	_, hasSpec := e.field("spec")
	var given []string
	for _, k := range []string{"every", "weekday", "monthday", "at"} {
		if _, ok := e.field(k); ok {
			given = append(given, k)
		}
	}
	switch {
	case hasSpec && len(given) > 0:
		e.badField(given[0], ErrSpecAndRecurrence, "")
		return ""
	case hasSpec:
		return e.str("spec")
	case len(given) == 0:
		e.bad(ErrNoSpec, "")
		return ""
	}
	before := len(e.problems)
	bad := func(key, format string, args ...any) {
		e.badField(key, fmt.Errorf("%w: "+format, append([]any{ErrBadRecurrence}, args...)...), "")
	}
	every := e.str("every")
	r := Recurrence{Every: everyNames[strings.ToLower(every)]}
	switch {
	case e.failed("every"):
	case every == "":
		bad("every", "no every: give day, week or month (每天, 每周, 每月)")
	case r.Every == "":
		bad("every", "every %q: use day, week or month (每天, 每周, 每月)", every)
	}
	_, hasWeekday := e.field("weekday")
	_, hasMonthDay := e.field("monthday")
	switch {
	case r.Every == "":
		// Said above; the weekday and day of month depend on it.
	case hasWeekday && r.Every != EveryWeek:
		bad("weekday", "weekday is only for every: week")
	case r.Every == EveryWeek && !hasWeekday:
		bad("every", "every week needs a weekday")
	case r.Every == EveryWeek:
		wd := e.str("weekday")
		d, ok := weekdayNames[strings.ToLower(wd)]
		if !ok && !e.failed("weekday") {
			bad("weekday", "weekday %q: write monday to sunday, 周一 to 周日, or 1 to 7", wd)
		}
		r.Weekday = d
	}
	switch {
	case r.Every == "":
	case hasMonthDay && r.Every != EveryMonth:
		bad("monthday", "monthday is only for every: month")
	case r.Every == EveryMonth && !hasMonthDay:
		bad("every", "every month needs a monthday")
	case r.Every == EveryMonth:
		r.MonthDay = e.int("monthday")
		if !e.failed("monthday") && (r.MonthDay < 1 || r.MonthDay > MaxMonthDay) {
			bad("monthday", "monthday %d is not 1 to %d (every month has it)", r.MonthDay, MaxMonthDay)
		}
	}
	at := e.str("at")
	switch h, m, ok := parseClock(at); {
	case at == "" && !e.failed("at"):
		bad("every", "no time of day (at: \"09:00\")")
	case !ok && !e.failed("at"):
		bad("at", "at %q: write the time of day as HH:MM", at)
	default:
		r.Hour, r.Minute = h, m
	}
	if len(e.problems) > before {
		return ""
	}
	if err := r.Validate(); err != nil {
		e.badField("every", err, "")
		return ""
	}
	return r.Spec()
}

// parseClock reads "9:00", "09:00" or "09：00" as an hour and a minute.
func parseClock(s string) (hour, minute int, ok bool) {
	h, m, found := strings.Cut(strings.ReplaceAll(s, "：", ":"), ":")
	if !found || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, 0, false
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || h[0] == '+' || h[0] == '-' || m[0] == '+' || m[0] == '-' ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// Validate checks a schedule a coordinator makes in chat: a title of 1 to
// MaxScheduleTitleRunes characters, a text of 1 to MaxScheduleTextRunes, a
// spec ParseSpec accepts that runs at most once every MinScheduleInterval,
// an owning district and audience districts that are exactly district
// names, and an audience within the owning district. It returns the first
// problem, wrapping a sentinel error.
func (s Schedule) Validate(districts member.Districts) error {
	if errs := s.check(districts); len(errs) > 0 {
		return errs[0].err
	}
	return nil
}

func (s Schedule) check(districts member.Districts) []fieldErr {
	var errs []fieldErr
	add := func(field string, list ...error) {
		for _, err := range list {
			errs = append(errs, fieldErr{field, err})
		}
	}
	if s.Key != "" && !validKey(s.Key) {
		add("id", ErrBadID)
	}
	add("title", checkLine(s.Title, MaxScheduleTitleRunes, ErrNoTitle, ErrTitleTooLong)...)
	add("text", checkText(s.Text, MaxScheduleTextRunes, ErrNoText, ErrTextTooLong)...)
	if s.Spec == "" {
		add("spec", ErrNoSpec)
	} else if c, err := ParseSpec(s.Spec); err != nil {
		add("spec", err)
	} else if err := checkFrequency(c); err != nil {
		add("spec", err)
	}
	if s.District != "" && !districts.Has(s.District) {
		add("district", fmt.Errorf("%w: %q", ErrUnknownDistrict, s.District))
	}
	for _, d := range s.Audience.Districts {
		if !districts.Has(d) {
			add("districts", fmt.Errorf("%w: %q", ErrUnknownDistrict, d))
		}
	}
	if _, ok := s.Audience.Within(s.District); !ok {
		add("districts", ErrAudienceOutsideDistrict)
	}
	return errs
}
