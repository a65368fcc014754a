package scheduler_test

import (
	"io/fs"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/scheduler"
)

// checkProblems checks that each problem has a reason and a line of data.
func checkProblems(t *testing.T, what string, data []byte, problems []scheduler.Problem) {
	t.Helper()
	lines := yamlLines(data)
	for _, p := range problems {
		if p.Err == nil || p.Line < 1 || p.Line > lines || p.Error() == "" || !utf8.ValidString(p.Value) {
			t.Fatalf("%s(%q): problem %+v outside the file's %d lines", what, data, p, lines)
		}
	}
}

// contentFile is a file of the embedded content.
func contentFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := fs.ReadFile(content.Embedded(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// listSeeds are YAML that is no list of entries, or a hostile one.
var listSeeds = []string{"", "---\n", "x: 1\n", "- 1\n- [a]\n", "a: &a [*a, *a]\n", "- id: a\n  id: b\n", "- {id: Bad ID}\n"}

// FuzzParseVenues checks that every venue of any file is one a coordinator
// could add in chat, with a unique key, and every problem on a line.
func FuzzParseVenues(f *testing.F) {
	f.Add(contentFile(f, scheduler.VenuesFile))
	f.Add([]byte("- id: v1\n  name: 党建工作站\n  kind: 党建工作站\n  district: 鼓楼\n  address: 某路1号\n- id: v1\n  name: x\n  kind: 其他\n"))
	for _, s := range listSeeds {
		f.Add([]byte(s))
	}
	d := testDistricts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, problems := scheduler.ParseVenues(scheduler.VenuesFile, data, d)
		checkProblems(t, "ParseVenues", data, problems)
		seen := map[string]bool{}
		for _, v := range vs {
			if err := v.Validate(d); err != nil || v.Key == "" || seen[v.Key] || v.Line < 1 {
				t.Fatalf("ParseVenues(%q): venue %+v (%v)", data, v, err)
			}
			seen[v.Key] = true
		}
	})
}

// FuzzParseSchedules checks that every recurring notice of any file is
// valid, with a unique key and a cron spec that runs.
func FuzzParseSchedules(f *testing.F) {
	f.Add(contentFile(f, scheduler.SchedulesFile))
	f.Add([]byte("- id: s1\n  title: 交党费\n  text: 请按时交纳党费。\n  every: month\n  monthday: 5\n  at: \"09:00\"\n  districts: [鼓楼]\n- id: s2\n  title: t\n  text: x\n  spec: \"* * * * *\"\n- id: s3\n  title: t\n  text: x\n  every: week\n  weekday: 星期八\n  at: \"25:61\"\n"))
	for _, s := range listSeeds {
		f.Add([]byte(s))
	}
	d := testDistricts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ss, problems := scheduler.ParseSchedules(scheduler.SchedulesFile, data, d)
		checkProblems(t, "ParseSchedules", data, problems)
		seen := map[string]bool{}
		for _, s := range ss {
			if err := s.Validate(d); err != nil || s.Key == "" || seen[s.Key] {
				t.Fatalf("ParseSchedules(%q): schedule %+v (%v)", data, s, err)
			}
			seen[s.Key] = true
			sched, err := scheduler.ParseSpec(s.Spec)
			if err != nil {
				t.Fatalf("ParseSchedules(%q): spec %q: %v", data, s.Spec, err)
			}
			from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if next := sched.Next(from); !next.After(from) || next.Sub(from) > 366*24*time.Hour {
				t.Fatalf("ParseSchedules(%q): spec %q runs next at %v", data, s.Spec, next)
			}
		}
	})
}

// FuzzParseEvents checks that every event of any file is one a coordinator
// could create (ending after it starts, within its limits), with a unique
// key, at a known venue or a place.
func FuzzParseEvents(f *testing.F) {
	f.Add(contentFile(f, scheduler.EventsFile))
	f.Add([]byte("- id: e1\n  kind: 先锋论坛\n  title: 论坛\n  start: 2026-05-01 09:00\n  end: 2026-05-01 11:00\n  place: 会议室\n  capacity: 30\n  hours: 2.5\n  district: 鼓楼\n  districts: [鼓楼]\n" +
		"- id: e2\n  kind: course\n  title: t\n  start: 2026-05-01 09:00\n  end: 2026-04-01 09:00\n  venue: nowhere\n  hours: .nan\n  capacity: -1\n"))
	for _, s := range listSeeds {
		f.Add([]byte(s))
	}
	d := testDistricts(f)
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	venues := []scheduler.Venue{{ID: 7, Key: "v1", Name: "党建工作站", Kind: "党建工作站"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		es, problems := scheduler.ParseEvents(scheduler.EventsFile, data, venues, d, loc)
		checkProblems(t, "ParseEvents", data, problems)
		seen := map[string]bool{}
		for _, e := range es {
			if err := e.Validate(time.Time{}); err != nil || e.Key == "" || seen[e.Key] || !e.End.After(e.Start) || e.Line < 1 {
				t.Fatalf("ParseEvents(%q): event %+v (%v)", data, e, err)
			}
			if e.VenueID != 0 && e.VenueID != 7 || e.VenueID == 0 && e.Place == "" {
				t.Fatalf("ParseEvents(%q): event %s at venue %d, place %q", data, e.Key, e.VenueID, e.Place)
			}
			seen[e.Key] = true
		}
	})
}

// yamlLines is the lines YAML sees in data, and one more: it breaks lines
// at \n, \r, \r\n, NEL, LS and PS.
func yamlLines(data []byte) int {
	s := string(data)
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029") + 2
}
