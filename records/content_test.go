package records_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

func testDistricts(tb testing.TB) member.Districts {
	tb.Helper()
	d, err := member.NewDistricts([]member.District{
		{Name: "鼓楼区", Aliases: []string{"鼓楼"}},
		{Name: "贾汪区", Aliases: []string{"贾汪"}},
		{Name: "泉山区", Aliases: []string{"泉山"}},
		{Name: "睢宁县", Aliases: []string{"睢宁"}},
		{Name: "铜山区", Aliases: []string{"铜山"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

var testExams = []string{"general", "recruit"}

// cityYAML is a valid city block; the tests append districts to it.
const cityYAML = `city:
  source: 默认设置
  targets:
    - post: ""
      hours: 32
      source: 条例第二十条
    - post: 党组织书记
      hours: 56
      source: 培训规划
  exam_hours:
    general: 2
  levels:
    - name: 初级
    - name: 中级
      min_years: 2
      min_exam_score: 80
      exam: general
      min_hours: 32
      min_attendance: 60
      min_duties: 60
      min_rating: 合格
      rating_years: 1
`

func TestParseLevelsInheritance(t *testing.T) {
	data := cityYAML + `districts:
  泉山:
    source: 泉山区的四个等级
    levels:
      - name: 初级
      - name: 中级
      - name: 高级
        min_years: 3
      - name: 特级
        min_years: 5
  铜山区:
    targets:
      - post: 党组织书记
        hours: 60
        source: 铜山区的规定
      - post: 委员
        hours: 40
        source: 铜山区的规定
    exam_hours:
      recruit: 1
      general: 3
`
	city, by, problems := records.ParseLevels("levels.yaml", []byte(data), testDistricts(t), member.Posts(), testExams)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(city.Levels) != 2 || city.Source != "默认设置" || city.Levels[1].MinRating != records.Competent || city.Levels[1].ExamID != "general" || city.Levels[1].MinHours != 32 {
		t.Errorf("city = %+v", city)
	}
	if len(by) != 2 {
		t.Fatalf("districts = %v, want 泉山区 and 铜山区", by)
	}
	qs, ok := by["泉山区"]
	if !ok {
		t.Fatalf("the alias 泉山 was not resolved to 泉山区: %v", by)
	}
	if len(qs.Levels) != 4 || qs.Levels[3].Name != "特级" || qs.Source != "泉山区的四个等级" {
		t.Errorf("泉山区 levels = %+v, source %q: want its own four", qs.Levels, qs.Source)
	}
	if got := qs.Target("专职党务工作者"); got.Hours != 32 || got.Source != "条例第二十条" {
		t.Errorf("泉山区 inherits the city's targets: got %+v", got)
	}
	if qs.ExamHours["general"] != 2 {
		t.Errorf("泉山区 exam hours = %v, want the city's", qs.ExamHours)
	}

	ts := by["铜山区"]
	if len(ts.Levels) != 2 || ts.Levels[1].Name != "中级" || ts.Source != "默认设置" {
		t.Errorf("铜山区 without levels: levels %+v, source %q, want the city's", ts.Levels, ts.Source)
	}
	for post, want := range map[string]float64{"党组织书记": 60, "委员": 40, "副书记": 32, "": 32} {
		if got := ts.Target(post); got.Hours != want {
			t.Errorf("铜山区 Target(%q) = %+v, want %g hours", post, got, want)
		}
	}
	if ts.ExamHours["general"] != 3 || ts.ExamHours["recruit"] != 1 {
		t.Errorf("铜山区 exam hours = %v, want its own over the city's", ts.ExamHours)
	}
	// The district's overrides do not leak into the city's rules.
	if got := city.Target("党组织书记"); got.Hours != 56 {
		t.Errorf("city Target(党组织书记) = %+v after the merge", got)
	}
	if city.ExamHours["general"] != 2 || len(city.ExamHours) != 1 {
		t.Errorf("city exam hours = %v after the merge", city.ExamHours)
	}
	ts.Levels[0].Name = "changed"
	if city.Levels[0].Name != "初级" {
		t.Error("an inherited level shares memory with the city's")
	}
}

func TestTargetWithoutDefault(t *testing.T) {
	r := records.Rules{Targets: []records.Target{{Post: "党组织书记", Hours: 56, Source: "规划"}}}
	if got := r.Target("委员"); got != (records.Target{}) {
		t.Errorf("Target of a post not listed, no default = %+v, want the zero Target", got)
	}
	if got := r.Target("党组织书记"); got.Hours != 56 {
		t.Errorf("Target(党组织书记) = %+v", got)
	}
}

type wantProblem struct {
	line int
	err  error
}

func TestParseLevelsRefusals(t *testing.T) {
	level := func(fields string) string {
		return "city:\n  source: 默认\n  levels:\n" + fields
	}
	for _, tc := range []struct {
		name string
		data string
		want []wantProblem
	}{
		{"not YAML", "city: [", []wantProblem{{1, records.ErrRulesYAML}}},
		{"a list", "- a\n", []wantProblem{{1, records.ErrRulesYAML}}},
		{"unknown top field", "cities: {}\n", []wantProblem{{1, records.ErrRulesField}, {1, records.ErrNoCityRules}}},
		{"no city", "districts:\n  泉山区:\n    source: x\n    levels: [{name: 初级}]\n", []wantProblem{{1, records.ErrNoCityRules}}},
		{"city without levels", "city:\n  source: x\n", []wantProblem{{2, records.ErrNoLevels}}},
		{"city empty", "city:\n", []wantProblem{{1, records.ErrNoCityRules}}},
		{"empty levels", "city:\n  source: x\n  levels: []\n", []wantProblem{{3, records.ErrNoLevels}}},
		{"levels not a list", "city:\n  source: x\n  levels: 初级\n", []wantProblem{{3, records.ErrRulesType}}},
		{"too many levels", "city:\n  source: x\n  levels: [" + strings.Repeat("{name: a},", records.MaxLevels) + "{name: b}]\n", []wantProblem{{3, records.ErrTooManyLevels}}},
		{"levels without source", "city:\n  levels:\n    - name: 初级\n", []wantProblem{{2, records.ErrNoSource}}},
		{"no level name", level("    - min_years: 1\n"), []wantProblem{{4, records.ErrLevelName}}},
		{"long level name", level("    - name: " + strings.Repeat("级", records.MaxLevelNameLen+1) + "\n"), []wantProblem{{4, records.ErrRulesTooLong}}},
		{"level name twice", level("    - name: 初级\n    - name: 初级\n"), []wantProblem{{5, records.ErrLevelNameTwice}}},
		{"unknown level field", level("    - name: 初级\n      min_age: 30\n"), []wantProblem{{5, records.ErrRulesField}}},
		{"field twice", level("    - name: 初级\n      min_years: 1\n      min_years: 2\n"), []wantProblem{{6, records.ErrRulesFieldTwice}}},
		{"years not a number", level("    - name: 初级\n      min_years: 两年\n"), []wantProblem{{5, records.ErrRulesType}}},
		{"years over 60", level("    - name: 初级\n      min_years: 61\n"), []wantProblem{{5, records.ErrRulesYears}}},
		{"negative years", level("    - name: 初级\n      min_years: -1\n"), []wantProblem{{5, records.ErrRulesYears}}},
		{"rating years over 60", level("    - name: 初级\n      min_rating: 合格\n      rating_years: 61\n"), []wantProblem{{6, records.ErrRulesYears}}},
		{"score over 100", level("    - name: 初级\n      min_exam_score: 101\n"), []wantProblem{{5, records.ErrRulesPercent}}},
		{"attendance over 100", level("    - name: 初级\n      min_attendance: 120\n"), []wantProblem{{5, records.ErrRulesPercent}}},
		{"negative duties", level("    - name: 初级\n      min_duties: -5\n"), []wantProblem{{5, records.ErrRulesPercent}}},
		{"fractional percent", level("    - name: 初级\n      min_duties: 50.5\n"), []wantProblem{{5, records.ErrRulesType}}},
		{"hours over 2000", level("    - name: 初级\n      min_hours: 2001\n"), []wantProblem{{5, records.ErrRulesHours}}},
		{"hours NaN", level("    - name: 初级\n      min_hours: .nan\n"), []wantProblem{{5, records.ErrRulesType}}},
		{"unknown rating", level("    - name: 初级\n      min_rating: 良好\n      rating_years: 1\n"), []wantProblem{{5, records.ErrRulesRating}}},
		{"rating without years", level("    - name: 初级\n      min_rating: 合格\n"), []wantProblem{{5, records.ErrRatingYears}}},
		{"years without rating", level("    - name: 初级\n      rating_years: 2\n"), []wantProblem{{5, records.ErrRatingYears}}},
		{"unknown exam", level("    - name: 初级\n      min_exam_score: 60\n      exam: final\n"), []wantProblem{{6, records.ErrRulesExam}}},
		{"exam without score", level("    - name: 初级\n      exam: general\n"), []wantProblem{{5, records.ErrExamNoScore}}},
		{"a higher level asks fewer years", level("    - name: 初级\n      min_years: 2\n    - name: 中级\n      min_years: 1\n"), []wantProblem{{7, records.ErrLevelBelow}}},
		{"a higher level asks a lower score", level("    - name: 初级\n      min_exam_score: 80\n    - name: 中级\n      min_exam_score: 70\n"), []wantProblem{{7, records.ErrLevelBelow}}},
		{"a higher level asks fewer hours", level("    - name: 初级\n      min_hours: 20\n    - name: 中级\n"), []wantProblem{{6, records.ErrLevelBelow}}},
		{"a higher level asks less attendance and duties", level("    - name: 初级\n      min_attendance: 60\n      min_duties: 60\n    - name: 中级\n      min_attendance: 50\n      min_duties: 50\n"), []wantProblem{{8, records.ErrLevelBelow}, {9, records.ErrLevelBelow}}},
		{"a higher level accepts a worse rating", level("    - name: 中级\n      min_rating: 优秀\n      rating_years: 1\n    - name: 高级\n      min_rating: 合格\n      rating_years: 1\n"), []wantProblem{{8, records.ErrLevelBelow}}},
		{"a higher level drops the rating", level("    - name: 中级\n      min_rating: 合格\n      rating_years: 1\n    - name: 高级\n"), []wantProblem{{7, records.ErrLevelBelow}, {7, records.ErrLevelBelow}}},
		{"a higher level counts fewer rating years", level("    - name: 中级\n      min_rating: 合格\n      rating_years: 2\n    - name: 高级\n      min_rating: 合格\n      rating_years: 1\n"), []wantProblem{{9, records.ErrLevelBelow}}},
		{"a level after a bad one is compared with the good one below", level("    - name: 初级\n      min_years: 3\n    - name: 中级\n      min_years: 99\n    - name: 高级\n      min_years: 2\n"), []wantProblem{{7, records.ErrRulesYears}, {9, records.ErrLevelBelow}}},
		{"bad source text", "city:\n  source: \"a\\u0007b\"\n  levels: [{name: 初级}]\n", []wantProblem{{2, records.ErrRulesText}}},
		{"long source", "city:\n  source: " + strings.Repeat("源", records.MaxRulesSourceLen+1) + "\n  levels: [{name: 初级}]\n", []wantProblem{{2, records.ErrRulesTooLong}}},
		{"source not text", "city:\n  source: [a]\n  levels: [{name: 初级}]\n", []wantProblem{{2, records.ErrRulesType}}},
		{"target unknown post", level("    - name: 初级\n") + "  targets:\n    - post: 会计\n      hours: 10\n      source: x\n", []wantProblem{{6, records.ErrTargetPost}}},
		{"target post twice", level("    - name: 初级\n") + "  targets:\n    - post: 委员\n      hours: 10\n      source: x\n    - post: 委员\n      hours: 12\n      source: y\n", []wantProblem{{9, records.ErrTargetPostTwice}}},
		{"target default twice", level("    - name: 初级\n") + "  targets:\n    - post: \"\"\n      hours: 10\n      source: x\n    - post: \"\"\n      hours: 12\n      source: y\n", []wantProblem{{9, records.ErrTargetPostTwice}}},
		{"target without post", level("    - name: 初级\n") + "  targets:\n    - hours: 10\n      source: x\n", []wantProblem{{6, records.ErrRulesMissing}}},
		{"target without hours", level("    - name: 初级\n") + "  targets:\n    - post: 委员\n      source: x\n", []wantProblem{{6, records.ErrRulesMissing}}},
		{"target hours over 2000", level("    - name: 初级\n") + "  targets:\n    - post: 委员\n      hours: 3000\n      source: x\n", []wantProblem{{7, records.ErrRulesHours}}},
		{"target without source", level("    - name: 初级\n") + "  targets:\n    - post: 委员\n      hours: 56\n", []wantProblem{{6, records.ErrNoSource}}},
		{"targets not a list", level("    - name: 初级\n") + "  targets: 32\n", []wantProblem{{5, records.ErrRulesType}}},
		{"exam hours unknown paper", level("    - name: 初级\n") + "  exam_hours:\n    final: 2\n", []wantProblem{{6, records.ErrRulesExam}}},
		{"exam hours negative", level("    - name: 初级\n") + "  exam_hours:\n    general: -1\n", []wantProblem{{6, records.ErrRulesHours}}},
		{"exam hours twice", level("    - name: 初级\n") + "  exam_hours:\n    general: 1\n    general: 2\n", []wantProblem{{7, records.ErrExamHoursTwice}}},
		{"exam hours not a mapping", level("    - name: 初级\n") + "  exam_hours: [general]\n", []wantProblem{{5, records.ErrRulesType}}},
		{"unknown district", cityYAML + "districts:\n  云龙区:\n    source: x\n    levels: [{name: 初级}]\n", []wantProblem{{24, records.ErrRulesDistrict}}},
		{"district twice by alias", cityYAML + "districts:\n  泉山区:\n    source: x\n    levels: [{name: 初级}]\n  泉山:\n    source: y\n    levels: [{name: 初级}]\n", []wantProblem{{27, records.ErrRulesDistrictTwice}}},
		{"districts not a mapping", cityYAML + "districts: [泉山区]\n", []wantProblem{{23, records.ErrRulesType}}},
		{"district empty", cityYAML + "districts:\n  泉山区:\n", []wantProblem{{24, records.ErrRulesEmpty}}},
		{"district levels without source", cityYAML + "districts:\n  泉山区:\n    levels: [{name: 初级}]\n", []wantProblem{{25, records.ErrNoSource}}},
		{"district source without levels", cityYAML + "districts:\n  泉山区:\n    source: 泉山区的办法\n    targets:\n      - post: 委员\n        hours: 40\n        source: x\n", []wantProblem{{25, records.ErrSourceNoLevels}}},
		{"district empty levels", cityYAML + "districts:\n  泉山区:\n    source: x\n    levels: []\n", []wantProblem{{26, records.ErrNoLevels}}},
		{"district bad level", cityYAML + "districts:\n  泉山区:\n    source: x\n    levels:\n      - name: 初级\n        min_attendance: 101\n", []wantProblem{{28, records.ErrRulesPercent}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			city, by, problems := records.ParseLevels("levels.yaml", []byte(tc.data), testDistricts(t), member.Posts(), testExams)
			checkProblems(t, problems, tc.want)
			// A refused block is refused whole.
			if strings.HasPrefix(tc.data, cityYAML) {
				if len(city.Levels) != 2 {
					t.Errorf("the good city block was refused: %+v", city)
				}
				// Only the first of two blocks for one district is kept.
				if _, ok := by["泉山区"]; len(by) > 1 || ok && by["泉山区"].Source != "x" || ok != (tc.name == "district twice by alias") {
					t.Errorf("the bad district was kept: %+v", by)
				}
			} else if len(city.Levels) != 0 || len(city.Targets) != 0 || city.ExamHours != nil {
				t.Errorf("the bad city block was kept: %+v", city)
			}
		})
	}
}

func checkProblems(t *testing.T, got []records.Problem, want []wantProblem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("problems = %v, want %d: %v", got, len(want), want)
	}
	for i, w := range want {
		p := got[i]
		if p.Line != w.line || !errors.Is(p, w.err) {
			t.Errorf("problem %d = %q (line %d), want line %d: %v", i, p.Error(), p.Line, w.line, w.err)
		}
		if !strings.HasPrefix(p.Error(), fmt.Sprintf("%s:%d: ", p.File, w.line)) {
			t.Errorf("problem %d reads %q, want it to start with file:line", i, p.Error())
		}
	}
}

func TestParseLevelsRefusedCityLeavesNothingToInherit(t *testing.T) {
	data := "city:\n  source: x\n  levels:\n    - name: 初级\n      min_years: 99\n" +
		"districts:\n  铜山区:\n    targets:\n      - post: 委员\n        hours: 40\n        source: y\n"
	city, by, problems := records.ParseLevels("levels.yaml", []byte(data), testDistricts(t), member.Posts(), testExams)
	checkProblems(t, problems, []wantProblem{{5, records.ErrRulesYears}})
	if len(city.Levels) != 0 {
		t.Errorf("city = %+v, want it refused", city)
	}
	ts, ok := by["铜山区"]
	if !ok || len(ts.Levels) != 0 || ts.Target("委员").Hours != 40 || ts.Target("专职党务工作者") != (records.Target{}) {
		t.Errorf("铜山区 = %+v, %v: want its own targets and nothing from the refused city", ts, ok)
	}
}

func TestParseLevelsExamsNotChecked(t *testing.T) {
	data := "city:\n  source: x\n  exam_hours: {final: 2}\n  levels:\n    - name: 初级\n      min_exam_score: 60\n      exam: final\n"
	city, _, problems := records.ParseLevels("levels.yaml", []byte(data), testDistricts(t), member.Posts(), nil)
	if len(problems) > 0 {
		t.Fatalf("with examIDs nil the papers are not checked: %v", problems)
	}
	if city.Levels[0].ExamID != "final" || city.ExamHours["final"] != 2 {
		t.Errorf("city = %+v", city)
	}
	_, _, problems = records.ParseLevels("levels.yaml", []byte(data), testDistricts(t), member.Posts(), []string{})
	checkProblems(t, problems, []wantProblem{{3, records.ErrRulesExam}, {7, records.ErrRulesExam}})
}

func TestParseLevelsEmpty(t *testing.T) {
	for _, data := range []string{"", "# nothing yet\n", "~\n"} {
		city, by, problems := records.ParseLevels("levels.yaml", []byte(data), testDistricts(t), member.Posts(), testExams)
		if len(problems) > 0 || len(city.Levels) > 0 || len(by) > 0 {
			t.Errorf("%q: %+v %v %v, want nothing", data, city, by, problems)
		}
	}
}

const payYAML = `- district: 贾汪
  multiples:
    大专: 2.0
    本科: 2.5
    研究生: 3
  note: 每年调整一次
  source: 中国徐州网
`

func TestParsePay(t *testing.T) {
	rules, problems := records.ParsePay("pay.yaml", []byte(payYAML), testDistricts(t), member.Educations())
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(rules) != 1 {
		t.Fatalf("rules = %+v", rules)
	}
	r := rules[0]
	if r.District != "贾汪区" || r.Multiples["大专"] != 2 || r.Multiples["本科"] != 2.5 || r.Multiples["研究生"] != 3 || len(r.Multiples) != 3 || r.Note != "每年调整一次" || r.Source != "中国徐州网" {
		t.Errorf("rule = %+v", r)
	}
}

func TestParsePayRefusals(t *testing.T) {
	entry := func(district, multiples, rest string) string {
		return "- district: " + district + "\n  multiples:\n" + multiples + rest
	}
	good := "    本科: 2.5\n"
	for _, tc := range []struct {
		name string
		data string
		want []wantProblem
	}{
		{"not a list", "district: 贾汪区\n", []wantProblem{{1, records.ErrRulesYAML}}},
		{"not YAML", "- [", []wantProblem{{1, records.ErrRulesYAML}}},
		{"entry not a mapping", "- 贾汪区\n", []wantProblem{{1, records.ErrRulesYAML}}},
		{"unknown district", entry("云龙区", good, "  source: x\n"), []wantProblem{{1, records.ErrRulesDistrict}}},
		{"unknown field", entry("贾汪区", good, "  source: x\n  wage: 2000\n"), []wantProblem{{5, records.ErrRulesField}}},
		{"no source", entry("贾汪区", good, ""), []wantProblem{{1, records.ErrNoSource}}},
		{"no multiples", "- district: 贾汪区\n  source: x\n", []wantProblem{{1, records.ErrNoMultiples}}},
		{"empty multiples", "- district: 贾汪区\n  multiples: {}\n  source: x\n", []wantProblem{{2, records.ErrNoMultiples}}},
		{"multiples a list", "- district: 贾汪区\n  multiples: [2.0]\n  source: x\n", []wantProblem{{2, records.ErrRulesType}}},
		{"unknown education", entry("贾汪区", "    博士: 3.5\n", "  source: x\n"), []wantProblem{{3, records.ErrPayEducation}}},
		{"education twice", entry("贾汪区", "    本科: 2.5\n    本科: 2.6\n", "  source: x\n"), []wantProblem{{4, records.ErrPayEducationTwice}}},
		{"zero multiple", entry("贾汪区", "    本科: 0\n", "  source: x\n"), []wantProblem{{3, records.ErrPayMultiple}}},
		{"negative multiple", entry("贾汪区", "    本科: -2\n", "  source: x\n"), []wantProblem{{3, records.ErrPayMultiple}}},
		{"multiple over 10", entry("贾汪区", "    本科: 10.5\n", "  source: x\n"), []wantProblem{{3, records.ErrPayMultiple}}},
		{"multiple not a number", entry("贾汪区", "    本科: 两倍\n", "  source: x\n"), []wantProblem{{3, records.ErrRulesType}}},
		{"long note", entry("贾汪区", good, "  note: "+strings.Repeat("注", records.MaxPayNoteLen+1)+"\n  source: x\n"), []wantProblem{{4, records.ErrRulesTooLong}}},
		{"district twice by alias", entry("贾汪区", good, "  source: x\n") + entry("贾汪", good, "  source: y\n"), []wantProblem{{5, records.ErrPayDistrictTwice}}},
		{"city twice", "- multiples: {本科: 2}\n  source: x\n- multiples: {本科: 2}\n  source: y\n", []wantProblem{{3, records.ErrPayDistrictTwice}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules, problems := records.ParsePay("pay.yaml", []byte(tc.data), testDistricts(t), member.Educations())
			checkProblems(t, problems, tc.want)
			// A refused entry is refused whole; only the first of two
			// entries for one district is kept.
			if kept := strings.Count(tc.data, "\n- "); len(rules) != kept || kept == 1 && rules[0].Source != "x" {
				t.Errorf("rules = %+v, want %d kept", rules, kept)
			}
		})
	}
}

func TestLoadContent(t *testing.T) {
	levels := cityYAML + "districts:\n  泉山区:\n    source: 泉山区\n    levels: [{name: 初级}, {name: 中级}, {name: 高级}, {name: 特级}]\n  铜山区:\n    targets: [{post: 委员, hours: 40, source: y}]\n"
	fsys := fstest.MapFS{
		"levels.yaml": {Data: []byte(levels)},
		"pay.yaml":    {Data: []byte(payYAML + "- multiples: {本科: 2.0}\n  source: 城市\n")},
	}
	c, problems, err := records.LoadContent(fsys, testDistricts(t), testExams)
	if err != nil || len(problems) > 0 {
		t.Fatalf("LoadContent: %v %v", err, problems)
	}
	if got := c.LevelCount(); got != 6 {
		t.Errorf("LevelCount = %d, want the city's 2 and 泉山区's 4", got)
	}
	if got := c.For("泉山区"); len(got.Levels) != 4 {
		t.Errorf("For(泉山区) = %+v", got)
	}
	if got := c.For("铜山区"); len(got.Levels) != 2 || got.Target("委员").Hours != 40 {
		t.Errorf("For(铜山区) = %+v", got)
	}
	if got := c.For("鼓楼区"); len(got.Levels) != 2 || got.Target("委员").Hours != 32 || got.Source != "默认设置" {
		t.Errorf("For(鼓楼区), not listed, = %+v, want the city's", got)
	}
	if r, ok := c.PayFor("贾汪区"); !ok || r.District != "贾汪区" || r.Multiples["本科"] != 2.5 {
		t.Errorf("PayFor(贾汪区) = %+v, %v", r, ok)
	}
	if r, ok := c.PayFor("鼓楼区"); !ok || r.District != "" || r.Source != "城市" {
		t.Errorf("PayFor(鼓楼区) = %+v, %v, want the city's rule", r, ok)
	}
	if _, ok := (records.Content{}).PayFor("贾汪区"); ok {
		t.Error("PayFor with no pay rules found one")
	}

	// Both files are optional.
	c, problems, err = records.LoadContent(fstest.MapFS{}, testDistricts(t), testExams)
	if err != nil || len(problems) > 0 || len(c.City.Levels) > 0 || len(c.Districts) > 0 || len(c.Pay) > 0 || c.LevelCount() != 0 {
		t.Errorf("an empty folder: %+v %v %v", c, problems, err)
	}
	if got := c.For("泉山区"); len(got.Levels) != 0 {
		t.Errorf("For with no levels.yaml = %+v", got)
	}
}

func TestLoadContentTooLarge(t *testing.T) {
	big := []byte("# " + strings.Repeat("x", records.MaxRulesFile) + "\n")
	c, problems, err := records.LoadContent(fstest.MapFS{
		"levels.yaml": {Data: big},
		"pay.yaml":    {Data: big},
	}, testDistricts(t), testExams)
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, problems, []wantProblem{{1, records.ErrRulesTooLarge}, {1, records.ErrRulesTooLarge}})
	if problems[0].File != "levels.yaml" || problems[1].File != "pay.yaml" {
		t.Errorf("problems = %v", problems)
	}
	if len(c.City.Levels) > 0 || len(c.Pay) > 0 {
		t.Errorf("content = %+v", c)
	}
	// The parsers bound what they are given too.
	if _, _, ps := records.ParseLevels("levels.yaml", big, testDistricts(t), nil, nil); len(ps) != 1 || !errors.Is(ps[0], records.ErrRulesTooLarge) {
		t.Errorf("ParseLevels of a big file: %v", ps)
	}
	if _, ps := records.ParsePay("pay.yaml", big, testDistricts(t), nil); len(ps) != 1 || !errors.Is(ps[0], records.ErrRulesTooLarge) {
		t.Errorf("ParsePay of a big file: %v", ps)
	}
}

func TestLoadContentUnreadable(t *testing.T) {
	_, _, err := records.LoadContent(fstest.MapFS{"levels.yaml": {Mode: fs.ModeDir}}, testDistricts(t), nil)
	if err == nil {
		t.Error("a levels.yaml that cannot be read gave no error")
	}
}

// TestEmbeddedContent checks the shipped rules: the 学时 targets as the
// knowledge base states them, defaults marked as defaults, and 贾汪区's pay.
func TestEmbeddedContent(t *testing.T) {
	fsys := content.Embedded()
	districts, err := member.LoadDistricts(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c, problems, err := records.LoadContent(fsys, districts, []string{"general", "recruit"})
	if err != nil || len(problems) > 0 {
		t.Fatalf("embedded content: %v %v", err, problems)
	}
	if !strings.Contains(c.City.Source, "本系统的默认设置，不是上级规定") {
		t.Errorf("city source = %q, want it marked as this system's defaults", c.City.Source)
	}
	var names []string
	for _, l := range c.City.Levels {
		names = append(names, l.Name)
	}
	if strings.Join(names, ",") != "初级,中级,高级,特级" {
		t.Errorf("city levels = %v", names)
	}
	for post, want := range map[string]float64{"专职党务工作者": 32, "党建工作联络员": 32, "党组织书记": 56, "副书记": 56, "委员": 56} {
		got := c.City.Target(post)
		if got.Hours != want {
			t.Errorf("Target(%s) = %+v, want %g", post, got, want)
		}
		if want == 32 && !strings.Contains(got.Source, "党员教育管理工作条例》第二十条") {
			t.Errorf("Target(%s) source = %q", post, got.Source)
		}
		if want == 56 && (!strings.Contains(got.Source, "全国党员教育培训工作规划") || !strings.Contains(got.Source, "以上级党组织的部署为准")) {
			t.Errorf("Target(%s) source = %q", post, got.Source)
		}
	}
	for _, d := range []string{"泉山区", "睢宁县"} {
		r, ok := c.Districts[d]
		if !ok || !strings.Contains(r.Source, "默认设置") || !strings.Contains(r.Source, "2020年11月24日") {
			t.Errorf("%s = %+v, want its own levels citing the report, marked as defaults", d, r)
		}
	}
	if n := len(c.Districts["泉山区"].Levels); n != 4 {
		t.Errorf("泉山区 has %d levels, want 4", n)
	}
	if n := len(c.Districts["睢宁县"].Levels); n != 3 {
		t.Errorf("睢宁县 has %d levels, want the 3 of its first rating", n)
	}
	if len(c.Pay) != 1 {
		t.Fatalf("pay = %+v, want 贾汪区's only", c.Pay)
	}
	r, ok := c.PayFor("贾汪区")
	if !ok || r.Multiples["大专"] != 2.0 || r.Multiples["本科"] != 2.5 || r.Multiples["研究生"] != 3.0 || !strings.Contains(r.Note, "每年调整一次") || !strings.Contains(r.Source, "2020-11-24") {
		t.Errorf("贾汪区 pay = %+v", r)
	}
	if _, ok := c.PayFor("鼓楼区"); ok {
		t.Error("鼓楼区 has a pay rule; the report gives 贾汪区's only")
	}
}
