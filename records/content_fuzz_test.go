package records_test

import (
	"io/fs"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

func checkRulesProblems(t *testing.T, what string, data []byte, problems []records.Problem) {
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

// rulesSeeds are YAML that is no mapping or list of rules, or hostile.
var rulesSeeds = []string{"", "---\n", "- 1\n", "x: 1\n", "a: &a [*a, *a]\n", "city: ~\n", "city: {levels: []}\n",
	"city:\n  source: s\n  levels:\n    - name: 初级\n      min_hours: .nan\n    - name: 中级\n      min_hours: 1e400\n      min_years: -1\n"}

// FuzzParseLevels checks that the levels of any file are each within their
// limits, named once, each asking at least what the level below asks, and
// that every district's rules have their levels and targets.
func FuzzParseLevels(f *testing.F) {
	f.Add(contentFile(f, records.LevelsFile))
	f.Add([]byte(cityYAML))
	for _, s := range rulesSeeds {
		f.Add([]byte(s))
	}
	d := testDistricts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		city, byDistrict, problems := records.ParseLevels(records.LevelsFile, data, d, member.Posts(), testExams)
		checkRulesProblems(t, "ParseLevels", data, problems)
		all := map[string]records.Rules{"": city}
		for name, r := range byDistrict {
			if !d.Has(name) {
				t.Fatalf("ParseLevels(%q): rules of unknown district %q", data, name)
			}
			all[name] = r
		}
		for name, r := range all {
			if len(r.Levels) > records.MaxLevels {
				t.Fatalf("ParseLevels(%q): %q has %d levels", data, name, len(r.Levels))
			}
			names := map[string]bool{}
			for i, l := range r.Levels {
				n := utf8.RuneCountInString(l.Name)
				switch {
				case n == 0 || n > records.MaxLevelNameLen || names[l.Name]:
					t.Fatalf("ParseLevels(%q): %q level name %q", data, name, l.Name)
				case l.MinYears < 0 || l.MinYears > records.MaxRulesYears || l.MinExamScore < 0 || l.MinExamScore > 100 ||
					l.MinAttendance < 0 || l.MinAttendance > 100 || l.MinDuties < 0 || l.MinDuties > 100 ||
					!(l.MinHours >= 0 && l.MinHours <= records.MaxRulesHours):
					t.Fatalf("ParseLevels(%q): %q level %+v", data, name, l)
				case i > 0 && (l.MinYears < r.Levels[i-1].MinYears || l.MinHours < r.Levels[i-1].MinHours || l.MinExamScore < r.Levels[i-1].MinExamScore):
					t.Fatalf("ParseLevels(%q): %q level %+v asks less than %+v below it", data, name, l, r.Levels[i-1])
				}
				names[l.Name] = true
			}
			for _, tg := range r.Targets {
				if !(tg.Hours >= 0 && tg.Hours <= records.MaxRulesHours) {
					t.Fatalf("ParseLevels(%q): %q target %+v", data, name, tg)
				}
			}
			for id, h := range r.ExamHours {
				if !(h >= 0 && h <= records.MaxRulesHours) || math.IsNaN(h) {
					t.Fatalf("ParseLevels(%q): %q exam %q credits %v", data, name, id, h)
				}
			}
		}
	})
}

// FuzzParsePay checks that every pay rule of any file is of a known
// district (or the city), once, with multiples above 0 and at most 10 of
// known educations, and a source.
func FuzzParsePay(f *testing.F) {
	f.Add(contentFile(f, records.PayFile))
	f.Add([]byte("- multiples: {本科: 2.5, 研究生: 3}\n  source: 办法\n- district: 贾汪\n  multiples: {大专: 0, 博士: 1, 本科: .inf}\n  source: x\n- district: 贾汪区\n  multiples: {}\n"))
	for _, s := range rulesSeeds {
		f.Add([]byte(s))
	}
	d := testDistricts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, problems := records.ParsePay(records.PayFile, data, d, member.Educations())
		checkRulesProblems(t, "ParsePay", data, problems)
		seen := map[string]bool{}
		for _, r := range rules {
			if r.District != "" && !d.Has(r.District) || seen[r.District] || r.Source == "" || len(r.Multiples) == 0 {
				t.Fatalf("ParsePay(%q): rule %+v", data, r)
			}
			seen[r.District] = true
			for edu, m := range r.Multiples {
				if !(m > 0 && m <= records.MaxPayMultiple) {
					t.Fatalf("ParsePay(%q): %s multiple %v", data, edu, m)
				}
			}
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
