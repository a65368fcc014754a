package records_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

// ---- Evaluate, criterion by criterion ----

func TestEvaluateBoundaries(t *testing.T) {
	full := records.Facts{Years: 10, BestScore: 100, Hours: 100, Attendance: 100, Duties: 100,
		Ratings: []records.Rating{records.Excellent, records.Excellent, records.Excellent}}
	with := func(f func(*records.Facts)) records.Facts {
		x := full
		x.Ratings = append([]records.Rating(nil), full.Ratings...)
		f(&x)
		return x
	}
	tests := []struct {
		name  string
		level records.Level
		facts records.Facts
		met   bool
		none  bool // the criterion had nothing to judge
	}{
		{"years at", records.Level{MinYears: 2}, with(func(f *records.Facts) { f.Years = 2 }), true, false},
		{"years one below", records.Level{MinYears: 2}, with(func(f *records.Facts) { f.Years = 1 }), false, false},
		{"exam at", records.Level{MinExamScore: 80}, with(func(f *records.Facts) { f.BestScore = 80 }), true, false},
		{"exam one below", records.Level{MinExamScore: 80}, with(func(f *records.Facts) { f.BestScore = 79 }), false, false},
		{"exam none taken", records.Level{MinExamScore: 80}, with(func(f *records.Facts) { f.BestScore = 0 }), false, false},
		{"hours at", records.Level{MinHours: 32}, with(func(f *records.Facts) { f.Hours = 32 }), true, false},
		{"hours just below", records.Level{MinHours: 32}, with(func(f *records.Facts) { f.Hours = 31.99 }), false, false},
		{"hours one below", records.Level{MinHours: 32}, with(func(f *records.Facts) { f.Hours = 31 }), false, false},
		{"attendance at", records.Level{MinAttendance: 60}, with(func(f *records.Facts) { f.Attendance = 60 }), true, false},
		{"attendance one below", records.Level{MinAttendance: 60}, with(func(f *records.Facts) { f.Attendance = 59 }), false, false},
		{"attendance nothing to judge", records.Level{MinAttendance: 60}, with(func(f *records.Facts) { f.Attendance = -1 }), false, true},
		{"attendance zero", records.Level{MinAttendance: 60}, with(func(f *records.Facts) { f.Attendance = 0 }), false, false},
		{"duties at", records.Level{MinDuties: 60}, with(func(f *records.Facts) { f.Duties = 60 }), true, false},
		{"duties one below", records.Level{MinDuties: 60}, with(func(f *records.Facts) { f.Duties = 59 }), false, false},
		{"duties nothing to judge", records.Level{MinDuties: 60}, with(func(f *records.Facts) { f.Duties = -1 }), false, true},
		{"rating at", records.Level{MinRating: records.Competent, RatingYears: 1},
			with(func(f *records.Facts) { f.Ratings = []records.Rating{records.Competent} }), true, false},
		{"rating one below", records.Level{MinRating: records.Competent, RatingYears: 1},
			with(func(f *records.Facts) { f.Ratings = []records.Rating{records.Basic} }), false, false},
		{"rating none", records.Level{MinRating: records.Competent, RatingYears: 1},
			with(func(f *records.Facts) { f.Ratings = nil }), false, true},
		{"ratings: each of the years at", records.Level{MinRating: records.Excellent, RatingYears: 2},
			with(func(f *records.Facts) { f.Ratings = []records.Rating{records.Excellent, records.Excellent} }), true, false},
		{"ratings: one year short", records.Level{MinRating: records.Excellent, RatingYears: 2},
			with(func(f *records.Facts) { f.Ratings = []records.Rating{records.Excellent} }), false, false},
		{"ratings: the older one below", records.Level{MinRating: records.Excellent, RatingYears: 2},
			with(func(f *records.Facts) { f.Ratings = []records.Rating{records.Excellent, records.Competent} }), false, false},
		{"ratings: the newest below", records.Level{MinRating: records.Excellent, RatingYears: 2},
			with(func(f *records.Facts) {
				f.Ratings = []records.Rating{records.Competent, records.Excellent, records.Excellent}
			}), false, false},
		{"ratings over RatingYears: an older bad one does not count", records.Level{MinRating: records.Excellent, RatingYears: 2},
			with(func(f *records.Facts) {
				f.Ratings = []records.Rating{records.Excellent, records.Excellent, records.Failed}
			}), true, false},
		{"rating_years 0 is one year", records.Level{MinRating: records.Competent},
			with(func(f *records.Facts) { f.Ratings = []records.Rating{records.Competent, records.Failed} }), true, false},
		{"better than needed", records.Level{MinRating: records.Basic, RatingYears: 1},
			with(func(f *records.Facts) { f.Ratings = []records.Rating{records.Excellent} }), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, met := records.Evaluate(tt.level, tt.facts)
			if len(cs) != 1 {
				t.Fatalf("criteria = %+v, want the one the level asks", cs)
			}
			if cs[0].Met != tt.met || met != tt.met {
				t.Errorf("criterion %+v, eligible %v; want met %v", cs[0], met, tt.met)
			}
			if cs[0].None != tt.none {
				t.Errorf("None = %v, want %v", cs[0].None, tt.none)
			}
			if tt.none && cs[0].Have != 0 {
				t.Errorf("nothing to judge shows Have %g, want 0", cs[0].Have)
			}
		})
	}
}

func TestEvaluateAllCriteria(t *testing.T) {
	l := records.Level{Name: "中级", MinYears: 2, MinExamScore: 80, MinHours: 32, MinAttendance: 60, MinDuties: 60,
		MinRating: records.Competent, RatingYears: 1}
	f := records.Facts{Years: 2, BestScore: 80, Hours: 32, Attendance: 60, Duties: 60, Ratings: []records.Rating{records.Competent}}
	cs, met := records.Evaluate(l, f)
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "years,exam,hours,attendance,duties,rating" || !met {
		t.Errorf("criteria %s, eligible %v", got, met)
	}
	f.Duties = 59
	if _, met := records.Evaluate(l, f); met {
		t.Error("eligible with one criterion one below")
	}
	// A level that asks nothing is met by anyone.
	if cs, met := records.Evaluate(records.Level{Name: "入门"}, records.Facts{Attendance: -1, Duties: -1}); len(cs) != 0 || !met {
		t.Errorf("a level asking nothing: %+v, %v", cs, met)
	}
}

// ---- Districts ----

func TestRulesPerDistrict(t *testing.T) {
	c, _ := embedded(t)
	names := func(r records.Rules) string {
		var out []string
		for _, l := range r.Levels {
			out = append(out, l.Name)
		}
		return strings.Join(out, ",")
	}
	qs, sn, city := c.For("泉山区"), c.For("睢宁县"), c.For("鼓楼区")
	if names(qs) != "初级,中级,高级,特级" || !strings.Contains(qs.Source, "泉山区") {
		t.Errorf("泉山区: %s, source %q", names(qs), qs.Source)
	}
	if names(sn) != "初级,中级,高级" || !strings.Contains(sn.Source, "睢宁县") {
		t.Errorf("睢宁县: %s, source %q", names(sn), sn.Source)
	}
	if names(city) != "初级,中级,高级,特级" || city.Source != c.City.Source || strings.Contains(city.Source, "泉山区的规定") {
		t.Errorf("鼓楼区 falls back to the city: %s, source %q", names(city), city.Source)
	}
	if got := c.For("不存在的区"); names(got) != names(c.City) || got.Source != c.City.Source {
		t.Errorf("an unknown district: %+v", got)
	}
	if qs.Source == city.Source || sn.Source == city.Source {
		t.Error("the districts' sources are the city's")
	}
}

// overrideContent: the city asks 5 years for 初级, 泉山区 asks 1 and has a
// second level; 睢宁县 has one level only.
func overrideContent() records.Content {
	return records.Content{
		City: records.Rules{Source: "city", Levels: []records.Level{{Name: "初级", MinYears: 5}, {Name: "中级", MinYears: 8}}},
		Districts: map[string]records.Rules{
			"泉山区": {Source: "泉山区", Levels: []records.Level{{Name: "初级", MinYears: 1}, {Name: "中级", MinYears: 2}, {Name: "高级", MinYears: 3}}},
			"睢宁县": {Source: "睢宁县", Levels: []records.Level{{Name: "初级", MinYears: 1}}},
		},
	}
}

func TestStandingByDistrict(t *testing.T) {
	e := newEnvWith(t, overrideContent(), testMessages{})
	e.seed(person{uid: 2001, district: "泉山区", start: 2023})
	e.seed(person{uid: 2002, district: "鼓楼区", start: 2023})
	e.seed(person{uid: 2003, district: "睢宁县", start: 2023})
	st, err := e.svc.Standing(e.ctx, 2001)
	if err != nil || st.Next == nil || st.Next.Name != "初级" || !st.Eligible || st.Rules.Source != "泉山区" || st.Facts.Years != 2 {
		t.Errorf("泉山区: %+v, %v; want 初级 eligible on its 1 year", st, err)
	}
	st, err = e.svc.Standing(e.ctx, 2002)
	if err != nil || st.Next == nil || st.Eligible || st.Rules.Source != "city" {
		t.Errorf("鼓楼区: %+v, %v; want the city's 5 years, not met", st, err)
	}
	if _, err := e.svc.Apply(e.ctx, 2002); !errors.Is(err, records.ErrNotEligible) {
		t.Errorf("鼓楼区 applies: %v, want ErrNotEligible", err)
	}
	a, err := e.svc.Apply(e.ctx, 2003)
	if err != nil || a.Level != "初级" || a.District != "睢宁县" {
		t.Fatalf("睢宁县 applies: %+v, %v", a, err)
	}
	if _, err := e.svc.Decide(e.ctx, admin, a.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	st, err = e.svc.Standing(e.ctx, 2003)
	if err != nil || st.Current != "初级" || st.Next != nil {
		t.Errorf("睢宁县 at its top level: %+v, %v", st, err)
	}
	if _, err := e.svc.Apply(e.ctx, 2003); !errors.Is(err, records.ErrTopLevel) {
		t.Errorf("above the top: %v, want ErrTopLevel", err)
	}
}

func TestStandingOfALevelTheDistrictDoesNotHave(t *testing.T) {
	e := newEnvWith(t, overrideContent(), testMessages{})
	e.seed(person{uid: 2010, district: "睢宁县", start: 2010})
	// Awarded 高级 in 泉山区, now in 睢宁县, whose levels stop at 初级.
	e.exec(`INSERT INTO levels (user_id, level, district, at) VALUES (2010, '高级', '泉山区', ?)`, ts(e.now))
	st, err := e.svc.Standing(e.ctx, 2010)
	if err != nil || st.Current != "高级" || st.Next != nil {
		t.Errorf("standing = %+v, %v; want 高级 kept with no next level (not 初级 again)", st, err)
	}
	if _, err := e.svc.Apply(e.ctx, 2010); !errors.Is(err, records.ErrTopLevel) {
		t.Errorf("Apply: %v, want ErrTopLevel", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM level_applications`); n != 0 {
		t.Errorf("%d applications stored", n)
	}
}

func TestStandingYearsBoundary(t *testing.T) {
	c := records.Content{City: records.Rules{Levels: []records.Level{{Name: "初级", MinYears: 2}}}}
	e := newEnvWith(t, c, testMessages{})
	e.seed(person{uid: 2020, district: "丰县", start: 2023})
	e.seed(person{uid: 2021, district: "丰县", start: 2024})
	e.seed(person{uid: 2022, district: "丰县", start: 2026})
	for _, tt := range []struct {
		uid   int64
		years int
		ok    bool
	}{{2020, 2, true}, {2021, 1, false}, {2022, 0, false}} {
		st, err := e.svc.Standing(e.ctx, tt.uid)
		if err != nil || st.Facts.Years != tt.years || st.Eligible != tt.ok {
			t.Errorf("%d: years %d eligible %v (%v); want %d, %v", tt.uid, st.Facts.Years, st.Eligible, err, tt.years, tt.ok)
		}
	}
}

// qualify gives uid, in 2025 up to the clock, what the city's 初级 asks
// and no more: a general paper at 60, 16 学时, half the events signed up
// for attended and half the duties due done on time.
func (e *env) qualify(uid int64, coord member.Access) {
	e.t.Helper()
	e.exam(uid, "general", 60, true, at(2025, 3, 1, 10, 0)) // 2 学时
	if _, err := e.svc.CreditHours(e.ctx, coord, uid, 14, "2025-03-02", "", "补登"); err != nil {
		e.t.Fatal(err)
	}
	went := e.event(fmt.Sprintf("课%d-1", uid), "", at(2025, 4, 1, 9, 0), 0)
	missed := e.event(fmt.Sprintf("课%d-2", uid), "", at(2025, 4, 2, 9, 0), 0)
	e.signup(went, uid)
	e.signup(missed, uid)
	e.attend(went, uid, true, 0)
	now := e.now
	e.now = at(2025, 5, 1, 9, 0)
	if _, err := e.svc.AssignDuties(e.ctx, coord, []int64{uid}, 2025, []records.DutyItem{{Text: "按时", Due: "2025-05-10"}, {Text: "逾期", Due: "2025-05-11"}}); err != nil {
		e.t.Fatal(err)
	}
	ds, _ := e.svc.Duties(e.ctx, uid, 2025)
	if _, err := e.svc.ReportDuty(e.ctx, uid, ds[0].ID, "", "", true); err != nil {
		e.t.Fatal(err)
	}
	e.now = at(2025, 5, 20, 9, 0)
	if _, err := e.svc.ReportDuty(e.ctx, uid, ds[1].ID, "", "", true); err != nil { // late
		e.t.Fatal(err)
	}
	e.now = now
}

func TestStandingFactsFromTheRecords(t *testing.T) {
	e := newEnv(t)
	const uid = 2030
	e.seed(person{uid: uid, district: "丰县", start: 2025})
	e.qualify(uid, fengCoord)
	st, err := e.svc.Standing(e.ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	f := st.Facts
	if f.BestScore != 60 || f.Hours != 16 || f.Attendance != 50 || f.Duties != 50 || f.Years != 0 {
		t.Errorf("facts = %+v; want score 60, 16 学时, 50%% attended, 50%% duties on time", f)
	}
	if !st.Eligible || st.Next.Name != "初级" || len(st.Criteria) != 4 {
		t.Errorf("standing = %+v", st)
	}
	// One more event signed up for and missed: attendance one third, below 50.
	missed := e.event("又缺席", "", at(2025, 6, 1, 9, 0), 0)
	e.signup(missed, uid)
	if st, _ := e.svc.Standing(e.ctx, uid); st.Eligible || st.Facts.Attendance != 33 {
		t.Errorf("after another missed event: facts %+v, eligible %v", st.Facts, st.Eligible)
	}
}

func TestStandingNothingToJudgeIsNotMet(t *testing.T) {
	c := records.Content{City: records.Rules{Levels: []records.Level{{Name: "初级", MinAttendance: 50, MinDuties: 50}}}}
	e := newEnvWith(t, c, testMessages{})
	const uid = 2040
	e.seed(person{uid: uid, district: "丰县"})
	// An event signed up for that has not ended, and a duty not yet due.
	e.signup(e.event("下周的课", "", at(2025, 6, 20, 9, 0), 0), uid)
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{uid}, 2025, []records.DutyItem{{Text: "下月", Due: "2025-07-15"}}); err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.Standing(e.ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	if st.Facts.Attendance != -1 || st.Facts.Duties != -1 || st.Eligible {
		t.Errorf("facts %+v, eligible %v: want -1 and -1, not eligible", st.Facts, st.Eligible)
	}
	for _, c := range st.Criteria {
		if !c.None || c.Met {
			t.Errorf("criterion %+v: want nothing to judge, not met", c)
		}
	}
	if _, err := e.svc.Apply(e.ctx, uid); !errors.Is(err, records.ErrNotEligible) {
		t.Errorf("Apply: %v, want ErrNotEligible", err)
	}
}

func TestStandingRatingsOfTheLatestYears(t *testing.T) {
	c := records.Content{City: records.Rules{Levels: []records.Level{{Name: "初级", MinRating: records.Competent, RatingYears: 2}}}}
	tests := []struct {
		name    string
		ratings map[int]records.Rating
		want    []records.Rating
		met     bool
	}{
		{"last two years", map[int]records.Rating{2024: records.Competent, 2023: records.Excellent}, []records.Rating{records.Competent, records.Excellent}, true},
		{"this year and last", map[int]records.Rating{2025: records.Excellent, 2024: records.Competent}, []records.Rating{records.Excellent, records.Competent}, true},
		{"only last year", map[int]records.Rating{2024: records.Excellent}, []records.Rating{records.Excellent}, false},
		{"the older one below", map[int]records.Rating{2024: records.Excellent, 2023: records.Basic}, []records.Rating{records.Excellent, records.Basic}, false},
		{"three years, the oldest below", map[int]records.Rating{2025: records.Competent, 2024: records.Competent, 2023: records.Failed}, []records.Rating{records.Competent, records.Competent, records.Failed}, true},
		{"a gap", map[int]records.Rating{2024: records.Excellent, 2022: records.Excellent}, []records.Rating{records.Excellent}, false},
		{"long ago", map[int]records.Rating{2020: records.Excellent, 2019: records.Excellent}, nil, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, c, testMessages{})
			uid := int64(2050 + i)
			e.seed(person{uid: uid, district: "丰县"})
			for year, r := range tt.ratings {
				e.exec(`INSERT INTO assessments (user_id, year, rating, district, at) VALUES (?, ?, ?, '丰县', ?)`, uid, year, string(r), ts(e.now))
			}
			st, err := e.svc.Standing(e.ctx, uid)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(st.Facts.Ratings) != fmt.Sprint(tt.want) || st.Eligible != tt.met {
				t.Errorf("ratings %v, eligible %v; want %v, %v", st.Facts.Ratings, st.Eligible, tt.want, tt.met)
			}
		})
	}
}

// ---- Applications and decisions ----

func TestApplyApproveAndReject(t *testing.T) {
	e := newEnv(t)
	const uid = 2100
	e.seed(person{uid: uid, district: "丰县", start: 2025})
	e.qualify(uid, fengCoord)
	a, err := e.svc.Apply(e.ctx, uid)
	if err != nil || a.ID == 0 || a.Level != "初级" || a.State != "pending" || a.District != "丰县" || !a.At.Equal(e.now) {
		t.Fatalf("Apply = %+v, %v", a, err)
	}
	// A second application while one is pending: refused, nothing stored.
	again, err := e.svc.Apply(e.ctx, uid)
	if !errors.Is(err, records.ErrPending) || again.ID != a.ID {
		t.Errorf("second Apply = %+v, %v; want ErrPending with the pending one", again, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM level_applications`); n != 1 {
		t.Errorf("%d applications stored, want 1", n)
	}
	if st, _ := e.svc.Standing(e.ctx, uid); st.Pending == nil || st.Pending.ID != a.ID {
		t.Errorf("Standing.Pending = %+v", st.Pending)
	}
	if apps, err := e.svc.Applications(e.ctx, fengCoord, 10); err != nil || len(apps) != 1 || apps[0].ID != a.ID {
		t.Errorf("丰县's applications: %+v, %v", apps, err)
	}
	if apps, err := e.svc.Applications(e.ctx, peiCoord, 10); err != nil || len(apps) != 0 {
		t.Errorf("沛县's applications: %+v, %v", apps, err)
	}
	if _, err := e.svc.Applications(e.ctx, aWorker, 10); !errors.Is(err, records.ErrNotCoordinator) {
		t.Errorf("a worker's applications: %v", err)
	}

	// Rejected: a reason is required; the worker is told.
	for _, reason := range []string{"", "   "} {
		if _, err := e.svc.Decide(e.ctx, fengCoord, a.ID, false, reason); !errors.Is(err, records.ErrNoReason) {
			t.Errorf("reject with %q: %v, want ErrNoReason", reason, err)
		}
	}
	if _, err := e.svc.Decide(e.ctx, fengCoord, a.ID, false, strings.Repeat("长", records.MaxReasonRune+1)); !errors.Is(err, records.ErrTooLong) {
		t.Errorf("reject with a long reason: %v", err)
	}
	if q := e.outbox(); len(q) != 0 {
		t.Fatalf("messages before a decision: %v", q)
	}
	e.now = e.now.Add(time.Hour)
	r, err := e.svc.Decide(e.ctx, fengCoord, a.ID, false, "材料不全")
	if err != nil || r.State != "rejected" || r.Reason != "材料不全" || r.DecidedBy != fengCoord.UserID || !r.DecidedAt.Equal(e.now) {
		t.Fatalf("reject = %+v, %v", r, err)
	}
	if got, _ := e.st.Application(e.ctx, a.ID); got.State != "rejected" || got.Reason != "材料不全" {
		t.Errorf("stored = %+v", got)
	}
	if aw, _ := e.svc.Awards(e.ctx, uid); len(aw) != 0 {
		t.Errorf("awards after a rejection: %+v", aw)
	}
	if _, err := e.svc.Decide(e.ctx, fengCoord, a.ID, true, ""); !errors.Is(err, records.ErrDecided) {
		t.Errorf("deciding again: %v, want ErrDecided", err)
	}
	if _, err := e.svc.ApplicationFor(e.ctx, fengCoord, a.ID); !errors.Is(err, records.ErrDecided) {
		t.Errorf("ApplicationFor a decided one: %v", err)
	}

	// Applied again, approved: the level awarded, the worker told.
	b, err := e.svc.Apply(e.ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Hour)
	d, err := e.svc.Decide(e.ctx, cityCoord, b.ID, true, "")
	if err != nil || d.State != "approved" {
		t.Fatalf("approve = %+v, %v", d, err)
	}
	aw, err := e.svc.Awards(e.ctx, uid)
	if err != nil || len(aw) != 1 || aw[0].Level != "初级" || aw[0].District != "丰县" || aw[0].By != cityCoord.UserID || !aw[0].At.Equal(e.now) {
		t.Errorf("awards = %+v, %v", aw, err)
	}
	want := []queued{{uid, "decided rejected 初级", "decision"}, {uid, "decided approved 初级", "decision"}}
	if got := e.outbox(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outbox = %v, want %v", got, want)
	}
	st, err := e.svc.Standing(e.ctx, uid)
	if err != nil || st.Current != "初级" || st.Next == nil || st.Next.Name != "中级" || st.Eligible || st.Pending != nil {
		t.Errorf("standing after the award = %+v, %v; want 初级, next 中级, not yet", st, err)
	}
	if _, err := e.svc.Apply(e.ctx, uid); !errors.Is(err, records.ErrNotEligible) {
		t.Errorf("applying for 中级: %v, want ErrNotEligible", err)
	}
}

func TestDecideTellsInTheSameTransaction(t *testing.T) {
	e := newEnvWith(t, overrideContent(), testMessages{empty: true})
	e.seed(person{uid: 2110, district: "泉山区", start: 2020})
	a, err := e.svc.Apply(e.ctx, 2110)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decide(e.ctx, admin, a.ID, true, ""); err == nil {
		t.Fatal("a decision whose message cannot be queued was stored")
	}
	if got, _ := e.st.Application(e.ctx, a.ID); got.State != "pending" {
		t.Errorf("application = %+v, want still pending", got)
	}
	if n := e.count(`SELECT COUNT(*) FROM levels`); n != 0 {
		t.Errorf("%d levels awarded without the message", n)
	}
}

func TestApplyNotEligibleStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 2120, district: "丰县"})
	e.seed(person{uid: 2121, district: "丰县", left: true})
	if _, err := e.svc.Apply(e.ctx, 2120); !errors.Is(err, records.ErrNotEligible) {
		t.Errorf("nothing done: %v, want ErrNotEligible", err)
	}
	if _, err := e.svc.Apply(e.ctx, 999); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("nobody: %v, want ErrNotFound", err)
	}
	// A worker who left cannot apply, even meeting the criteria.
	e2 := newEnvWith(t, overrideContent(), testMessages{})
	e2.seed(person{uid: 2122, district: "泉山区", start: 2020, left: true})
	if _, err := e2.svc.Apply(e2.ctx, 2122); !errors.Is(err, records.ErrNotApproved) {
		t.Errorf("someone who left: %v, want ErrNotApproved", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM level_applications`) + e2.count(`SELECT COUNT(*) FROM level_applications`); n != 0 {
		t.Errorf("%d applications stored", n)
	}
}

func TestDecideOutOfScope(t *testing.T) {
	e := newEnv(t)
	const uid = 2130
	e.seed(person{uid: uid, district: "沛县", start: 2025})
	e.qualify(uid, peiCoord)
	a, err := e.svc.Apply(e.ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		actor   member.Access
		approve bool
		err     error
	}{
		{"丰县 approves 沛县's", fengCoord, true, records.ErrOutOfScope},
		{"丰县 rejects 沛县's", fengCoord, false, records.ErrOutOfScope},
		{"a worker approves", aWorker, true, records.ErrNotCoordinator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.Decide(e.ctx, tt.actor, a.ID, tt.approve, "理由"); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if _, err := e.svc.ApplicationFor(e.ctx, fengCoord, a.ID); !errors.Is(err, records.ErrOutOfScope) {
		t.Errorf("ApplicationFor: %v", err)
	}
	if _, err := e.svc.Decide(e.ctx, peiCoord, 999999, true, ""); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("no such application: %v", err)
	}
	if got, _ := e.st.Application(e.ctx, a.ID); got.State != "pending" || got.DecidedBy != 0 {
		t.Errorf("application = %+v, want unchanged", got)
	}
	if n := e.count(`SELECT COUNT(*) FROM levels`); n != 0 {
		t.Errorf("%d levels awarded", n)
	}
	if q := e.outbox(); len(q) != 0 {
		t.Errorf("messages queued: %v", q)
	}
	if _, err := e.svc.Decide(e.ctx, peiCoord, a.ID, true, ""); err != nil {
		t.Errorf("沛县 approves its own: %v", err)
	}
}

func TestApplyingUpTheLevels(t *testing.T) {
	e := newEnvWith(t, overrideContent(), testMessages{})
	const uid = 2140
	e.seed(person{uid: uid, district: "泉山区", start: 2020})
	for _, want := range []string{"初级", "中级", "高级"} {
		a, err := e.svc.Apply(e.ctx, uid)
		if err != nil || a.Level != want {
			t.Fatalf("Apply = %+v, %v; want %s", a, err, want)
		}
		if _, err := e.svc.Decide(e.ctx, admin, a.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Apply(e.ctx, uid); !errors.Is(err, records.ErrTopLevel) {
		t.Errorf("at the top: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'decision'`); n != 3 {
		t.Errorf("%d decisions told, want 3", n)
	}
}

// TestStandingUsesTheServiceClock: the service's clock says what has
// ended and what is due, whatever the database's clock says.
func TestStandingUsesTheServiceClock(t *testing.T) {
	c := records.Content{City: records.Rules{Levels: []records.Level{{Name: "初级", MinAttendance: 100, MinDuties: 100}}}}
	e := newEnvWith(t, c, testMessages{})
	const uid = 2150
	e.seed(person{uid: uid, district: "丰县"})
	ev := e.event("今天上午的课", "", at(2025, 6, 15, 7, 0), 0) // ended at 9:00
	e.signup(ev, uid)
	e.attend(ev, uid, true, 0)
	e.now = at(2025, 6, 1, 9, 0)
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{uid}, 2025, []records.DutyItem{{Text: "昨天到期", Due: "2025-06-14"}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := e.svc.Duties(e.ctx, uid, 2025)
	if _, err := e.svc.ReportDuty(e.ctx, uid, ds[0].ID, "", "", true); err != nil {
		t.Fatal(err)
	}
	e.now = at(2025, 6, 15, 10, 0)
	e.db.Now = func() time.Time { return at(2025, 6, 1, 0, 0) } // the database's clock, behind
	st, err := e.svc.Standing(e.ctx, uid)
	if err != nil || st.Facts.Attendance != 100 || st.Facts.Duties != 100 || !st.Eligible {
		t.Errorf("facts %+v, eligible %v (%v); want the ended course and the duty due yesterday counted", st.Facts, st.Eligible, err)
	}
}
