package records_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
	"github.com/xuri/excelize/v2"
)

// Hostile tests of the records service that hold: coordinators acting
// outside their district, hostile numbers and dates, double decisions, the
// report of a large city. Each documents a defence; the attacks that found
// bugs are in hostile_test.go.

// A 丰县 coordinator can neither credit, assess, assign to, decide for nor
// export a 沛县 worker, whatever ids they pass; what they list is 丰县's
// only. Nothing is stored and nobody is told.
func TestDefenceEveryActionIsScoped(t *testing.T) {
	e := newEnv(t)
	_, districts := embedded(t)
	const feng, pei = 7000, 7001
	e.seed(person{uid: feng, district: "丰县", start: 2025})
	e.seed(person{uid: pei, district: "沛县", start: 2025})
	e.qualify(pei, peiCoord)
	app, err := e.svc.Apply(e.ctx, pei)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AssignDuties(e.ctx, peiCoord, []int64{pei}, 2025, []records.DutyItem{{Text: "沛县逾期事项", Due: "2025-06-01"}}); err != nil {
		t.Fatal(err)
	}
	e.exec(`INSERT INTO assessments (user_id, year, rating, district, org, at) VALUES (?, 2025, '不合格', '沛县', '沛县单位', ?)`, pei, ts(e.now))
	before := func() string {
		return fmt.Sprint(e.count(`SELECT COUNT(*) FROM credits`), e.count(`SELECT COUNT(*) FROM assessments`),
			e.count(`SELECT COUNT(*) FROM duties`), e.count(`SELECT COUNT(*) FROM levels`), e.count(`SELECT COUNT(*) FROM outbox`),
			e.count(`SELECT COUNT(*) FROM level_applications WHERE state = 'pending'`))
	}
	was := before()

	refusals := []struct {
		name string
		err  error
		want error
	}{}
	add := func(name string, err, want error) {
		refusals = append(refusals, struct {
			name string
			err  error
			want error
		}{name, err, want})
	}
	_, err = e.svc.CreditHours(e.ctx, fengCoord, pei, 4, "2025-06-01", "", "补登")
	add("credit", err, records.ErrOutOfScope)
	_, err = e.svc.CreditHours(e.ctx, fengCoord, pei, -1, "2025-06-01", "", "扣除")
	add("debit", err, records.ErrOutOfScope)
	_, err = e.svc.Assess(e.ctx, fengCoord, pei, 2025, records.Excellent, "")
	add("assess", err, records.ErrOutOfScope)
	_, err = e.svc.AssignDuties(e.ctx, fengCoord, []int64{pei}, 2025, []records.DutyItem{{Text: "越权", Due: "2025-07-01"}})
	add("assign", err, records.ErrOutOfScope)
	_, err = e.svc.AssignDuties(e.ctx, fengCoord, []int64{feng, pei}, 2025, []records.DutyItem{{Text: "夹带", Due: "2025-07-01"}})
	add("assign to one's own and another's", err, records.ErrOutOfScope)
	_, err = e.svc.Decide(e.ctx, fengCoord, app.ID, true, "")
	add("approve", err, records.ErrOutOfScope)
	_, err = e.svc.Decide(e.ctx, fengCoord, app.ID, false, "驳回")
	add("reject", err, records.ErrOutOfScope)
	_, err = e.svc.ApplicationFor(e.ctx, fengCoord, app.ID)
	add("open the application", err, records.ErrOutOfScope)
	_, err = e.svc.Report(e.ctx, fengCoord, districts, "沛县")
	add("report of 沛县", err, records.ErrOutOfScope)
	_, err = e.svc.Report(e.ctx, fengCoord, districts, "不存在的县")
	add("report of no district", err, records.ErrUnknownDistrict)
	for _, id := range []int64{0, -1, math.MaxInt64, math.MinInt64} {
		_, err = e.svc.Decide(e.ctx, fengCoord, id, true, "")
		add(fmt.Sprintf("approve application %d", id), err, records.ErrNotFound)
		_, err = e.svc.CreditHours(e.ctx, fengCoord, id, 1, "2025-06-01", "", "补登")
		add(fmt.Sprintf("credit user %d", id), err, records.ErrNotFound)
	}
	for _, r := range refusals {
		if !errors.Is(r.err, r.want) {
			t.Errorf("%s: err = %v, want %v", r.name, r.err, r.want)
		}
	}
	if now := before(); now != was {
		t.Errorf("counts (credits, assessments, duties, levels, outbox, pending) went from %s to %s", was, now)
	}

	// What 丰县 lists is 丰县's.
	if apps, err := e.svc.Applications(e.ctx, fengCoord, 100); err != nil || len(apps) != 0 {
		t.Errorf("丰县's applications = %+v, %v", apps, err)
	}
	if ds, err := e.svc.Overdue(e.ctx, fengCoord, 100); err != nil || len(ds) != 0 {
		t.Errorf("丰县's overdue = %+v, %v", ds, err)
	}
	if vs, err := e.svc.Vacancies(e.ctx, fengCoord); err != nil || len(vs) != 0 {
		t.Errorf("丰县's vacancies = %+v, %v", vs, err)
	}
	if vs, err := e.svc.Vacancies(e.ctx, peiCoord); err != nil || len(vs) != 1 {
		t.Errorf("沛县's vacancies = %+v, %v", vs, err)
	}
	stats, err := e.svc.Stats(e.ctx, fengCoord, districts)
	if err != nil || len(stats) != 1 || stats[0].District != "丰县" {
		t.Errorf("丰县's stats = %+v, %v", stats, err)
	}
	rep, err := e.svc.Report(e.ctx, fengCoord, districts, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.District != "丰县" || len(rep.Data.Workers) != 1 || rep.Data.Workers[0].UserID != feng || len(rep.Data.Vacancies) != 0 || len(rep.Stats) != 1 {
		t.Errorf("丰县's report = district %q, workers %+v, vacancies %+v, stats %d", rep.District, rep.Data.Workers, rep.Data.Vacancies, len(rep.Stats))
	}
	for _, x := range rep.Data.Exams {
		if x.District != "丰县" {
			t.Errorf("丰县's report has an exam of %s", x.District)
		}
	}
	// Workers may do none of it.
	if _, err := e.svc.Stats(e.ctx, aWorker, districts); !errors.Is(err, records.ErrNotCoordinator) {
		t.Errorf("a worker's stats: %v", err)
	}
	if _, err := e.svc.Report(e.ctx, aWorker, districts, ""); !errors.Is(err, records.ErrNotCoordinator) {
		t.Errorf("a worker's report: %v", err)
	}
	if _, err := e.svc.Vacancies(e.ctx, aWorker); !errors.Is(err, records.ErrNotCoordinator) {
		t.Errorf("a worker's vacancies: %v", err)
	}
	// Another's duty is nobody else's to report on.
	ds, _ := e.svc.Duties(e.ctx, pei, 2025)
	reports := e.count(`SELECT COUNT(*) FROM duty_reports`)
	if _, err := e.svc.ReportDuty(e.ctx, feng, ds[0].ID, "冒名", "", true); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("reporting on another's duty: %v", err)
	}
	if _, err := e.svc.Duty(e.ctx, feng, ds[0].ID); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("opening another's duty: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM duty_reports`); n != reports {
		t.Errorf("%d reports stored", n-reports)
	}
}

// A report names a district by its name or alias; a district coordinator
// gets their own whatever they ask, and only that.
func TestDefenceReportDistrictNames(t *testing.T) {
	e := newEnv(t)
	_, districts := embedded(t)
	tests := []struct {
		actor member.Access
		asked string
		want  string
		err   error
	}{
		{jwCoord, "贾汪", "贾汪区", nil},
		{jwCoord, " 贾汪区 ", "贾汪区", nil},
		{jwCoord, "", "贾汪区", nil},
		{cityCoord, "经开区", "徐州经济技术开发区", nil},
		{admin, "ＰＥＩ", "", records.ErrUnknownDistrict},
		{cityCoord, "", "", nil},
		{fengCoord, "沛", "", records.ErrUnknownDistrict},
		{fengCoord, "贾汪", "", records.ErrOutOfScope},
		{fengCoord, strings.Repeat("县", 4000), "", records.ErrUnknownDistrict},
	}
	for _, tt := range tests {
		rep, err := e.svc.Report(e.ctx, tt.actor, districts, strings.TrimSpace(tt.asked))
		if !errors.Is(err, tt.err) || (err == nil && rep.District != tt.want) {
			t.Errorf("Report(%+v, %.20q) = %q, %v; want %q, %v", tt.actor, tt.asked, rep.District, err, tt.want, tt.err)
		}
	}
}

// Hostile numbers and dates of a manual credit are refused, nothing stored.
func TestDefenceCreditHostileInput(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 7010, district: "丰县"})
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.Copysign(0, -1), 200.0001, -200.0001}
	for _, h := range bad {
		if _, err := e.svc.CreditHours(e.ctx, fengCoord, 7010, h, "2025-06-01", "", "补登"); !errors.Is(err, records.ErrBadHours) {
			t.Errorf("hours %g: %v, want ErrBadHours", h, err)
		}
	}
	for _, day := range []string{"2025-02-30", "2025-02-29", "2025-6-01", "", "9999-12-31", "-001-01-01", "2025-06-01T00:00", " 2025-06-01", "２０２５-０６-０１", "2025-06-16", "2023-06-14"} {
		if _, err := e.svc.CreditHours(e.ctx, fengCoord, 7010, 1, day, "", "补登"); !errors.Is(err, records.ErrBadDate) {
			t.Errorf("day %q: %v, want ErrBadDate", day, err)
		}
	}
	if _, err := e.svc.CreditHours(e.ctx, fengCoord, 7010, 1, "2025-06-01", "", strings.Repeat("理", 5000)); !errors.Is(err, records.ErrTooLong) {
		t.Errorf("a 5,000-character reason: %v", err)
	}
	if _, err := e.svc.CreditHours(e.ctx, fengCoord, 7010, 1, "2025-06-01", strings.Repeat("题", 5000), "补登"); !errors.Is(err, records.ErrTooLong) {
		t.Errorf("a 5,000-character title: %v", err)
	}
	if _, err := e.svc.CreditHours(e.ctx, fengCoord, 7010, 1, "2025-06-01", "", "\t \n"); !errors.Is(err, records.ErrNoReason) {
		t.Errorf("a blank reason: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM credits`); n != 0 {
		t.Errorf("%d entries stored", n)
	}
	// Debits cannot take a year below zero however they are split.
	if _, err := e.svc.CreditHours(e.ctx, fengCoord, 7010, 2, "2025-06-01", "", "补登"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		e.svc.CreditHours(e.ctx, fengCoord, 7010, -1, "2025-06-01", "", "扣除")
	}
	if p := e.ledger(7010, 2025); p.Hours != 0 {
		t.Errorf("after three debits of 1 from 2: %g 学时, want 0", p.Hours)
	}
}

// An assessment of a forged year or rating is refused, nothing stored or told.
func TestDefenceAssessHostileYearAndRating(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 7020, district: "丰县"})
	for _, y := range []int{9999, -1, 0, 1999, 2026, math.MaxInt32, math.MinInt32} {
		if _, err := e.svc.Assess(e.ctx, fengCoord, 7020, y, records.Competent, ""); !errors.Is(err, records.ErrBadDate) {
			t.Errorf("year %d: %v, want ErrBadDate", y, err)
		}
	}
	for _, r := range []records.Rating{"", "优秀 ", "Excellent", "不合格\x00", "良好"} {
		if _, err := e.svc.Assess(e.ctx, fengCoord, 7020, 2025, r, ""); !errors.Is(err, records.ErrBadRating) {
			t.Errorf("rating %q: %v, want ErrBadRating", r, err)
		}
	}
	if _, err := e.svc.Assess(e.ctx, fengCoord, 7020, 2025, records.Competent, strings.Repeat("评", 5000)); !errors.Is(err, records.ErrTooLong) {
		t.Errorf("a 5,000-character comment: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM assessments`) + len(e.outbox()); n != 0 {
		t.Errorf("%d assessments and messages after refusals", n)
	}
}

// Responsibility lists of hostile size or dates are refused whole.
func TestDefenceAssignDutiesHostileForms(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 7030, district: "丰县"})
	many := make([]records.DutyItem, 10000)
	for i := range many {
		many[i] = records.DutyItem{Text: fmt.Sprint("事项", i), Due: "2025-07-01"}
	}
	tests := []struct {
		name  string
		year  int
		items []records.DutyItem
		err   error
	}{
		{"10,000 lines", 2025, many, records.ErrTooLong},
		{"51 lines", 2025, many[:records.MaxDutyItems+1], records.ErrTooLong},
		{"a date of another year", 2025, []records.DutyItem{{Text: "好", Due: "2025-07-01"}, {Text: "坏", Due: "2026-01-01"}}, records.ErrBadDate},
		{"no such date", 2025, []records.DutyItem{{Text: "坏", Due: "2025-02-30"}}, records.ErrBadDate},
		{"a year far ahead", 9999, []records.DutyItem{{Text: "坏", Due: "9999-01-01"}}, records.ErrBadDate},
		{"a negative year", -1, []records.DutyItem{{Text: "坏", Due: "-001-01-01"}}, records.ErrBadDate},
		{"a blank item", 2025, []records.DutyItem{{Text: "好", Due: "2025-07-01"}, {Text: "　", Due: "2025-07-01"}}, records.ErrNoItems},
		{"an item of 5,000 characters", 2025, []records.DutyItem{{Text: strings.Repeat("长", 5000), Due: "2025-07-01"}}, records.ErrTooLong},
		{"nothing", 2025, nil, records.ErrNoItems},
	}
	for _, tt := range tests {
		if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{7030}, tt.year, tt.items); !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM duties`); n != 0 {
		t.Errorf("%d duties stored", n)
	}
}

// The minimum wage refuses absurd amounts and years; the pay reference is
// the rule's multiple times the wage, to the fen.
func TestDefenceMinWageAndPayArithmetic(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 7040, district: "贾汪区", education: "大专"})
	e.seed(person{uid: 7041, district: "贾汪区", education: "本科"})
	e.seed(person{uid: 7042, district: "贾汪区", education: "研究生"})
	for _, c := range []struct {
		amount float64
		year   int
		err    error
	}{
		{2490, 9999, records.ErrBadDate}, {2490, -1, records.ErrBadDate}, {2490, 0, records.ErrBadDate}, {2490, 2027, records.ErrBadDate},
		{math.Inf(1), 2025, records.ErrBadWage}, {math.Inf(-1), 2025, records.ErrBadWage}, {math.NaN(), 2025, records.ErrBadWage},
		{-2490, 2025, records.ErrBadWage}, {1e308, 2025, records.ErrBadWage}, {math.SmallestNonzeroFloat64, 2025, records.ErrBadWage},
	} {
		if err := e.svc.SetMinWage(e.ctx, admin, c.amount, c.year); !errors.Is(err, c.err) {
			t.Errorf("SetMinWage(%g, %d) = %v, want %v", c.amount, c.year, err, c.err)
		}
	}
	if err := e.svc.SetMinWage(e.ctx, fengCoord, 2490, 2025); !errors.Is(err, records.ErrNotAdmin) {
		t.Errorf("a coordinator's wage: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM settings`); n != 0 {
		t.Fatalf("%d settings stored", n)
	}
	for _, c := range []struct {
		wage   float64
		amount map[int64]float64
	}{
		{2490, map[int64]float64{7040: 4980, 7041: 6225, 7042: 7470}},
		{2280, map[int64]float64{7040: 4560, 7041: 5700, 7042: 6840}},
		{2490.5, map[int64]float64{7040: 4981, 7041: 6226.25, 7042: 7471.5}},
	} {
		if err := e.svc.SetMinWage(e.ctx, admin, c.wage, 2025); err != nil {
			t.Fatal(err)
		}
		for uid, want := range c.amount {
			if ref, err := e.svc.Pay(e.ctx, uid); err != nil || ref.Amount != want || ref.Wage.Amount != c.wage {
				t.Errorf("pay of %d at %g = %+v, %v; want %g", uid, c.wage, ref, err, want)
			}
		}
	}
}

// Deciding twice, or approving and then rejecting, awards one level and
// tells the worker once.
func TestDefenceDecideTwice(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 7050, district: "丰县", start: 2025})
	e.qualify(7050, fengCoord)
	a, err := e.svc.Apply(e.ctx, 7050)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decide(e.ctx, fengCoord, a.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decide(e.ctx, fengCoord, a.ID, true, ""); !errors.Is(err, records.ErrDecided) {
		t.Errorf("approving twice: %v", err)
	}
	if _, err := e.svc.Decide(e.ctx, admin, a.ID, false, "反悔"); !errors.Is(err, records.ErrDecided) {
		t.Errorf("rejecting an approved one: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM levels`); n != 1 {
		t.Errorf("%d levels", n)
	}
	if q := e.outbox(); len(q) != 1 {
		t.Errorf("messages %v, want one", q)
	}
}

// seedCity stores n approved workers spread over the districts, each with
// one manual credit of (i mod 40) + 0.5 学时 in March 2025, named
// 工作者00000, 工作者00001, ...
func (e *env) seedCity(names []string, n int) {
	e.t.Helper()
	tx, err := e.db.SQL().BeginTx(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer tx.Rollback()
	seen := ts(e.now.AddDate(-1, 0, 0))
	for i := 0; i < n; i++ {
		uid := int64(100000 + i)
		district := names[i%len(names)]
		if _, err := tx.ExecContext(e.ctx, `INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)`, uid, seen, seen); err != nil {
			e.t.Fatal(err)
		}
		var id int64
		if err := tx.QueryRowContext(e.ctx, `INSERT INTO members (user_id, name, phone, district, org, post, education, start_year,
			status, status_reason, status_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '专职党务工作者', '本科', 2015, 'approved', '', ?, ?, ?) RETURNING id`,
			uid, fmt.Sprintf("工作者%05d", i), fmt.Sprintf("139%08d", i), district, fmt.Sprintf("单位%d", i), seen, seen, seen).Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		if _, err := tx.ExecContext(e.ctx, `INSERT INTO member_history (member_id, at, kind) VALUES (?, ?, 'approved')`, id, seen); err != nil {
			e.t.Fatal(err)
		}
		if _, err := tx.ExecContext(e.ctx, `INSERT INTO credits (user_id, hours, on_day, kind, title, reason, by_user, created_at)
			VALUES (?, ?, '2025-03-01', 'manual', '补登', '补登', 3, ?)`, uid, float64(i%40)+0.5, seen); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		e.t.Fatal(err)
	}
}

// peakHeap runs fn and returns how far the heap in use grew above what it
// was before, sampled every 10 ms (a sanity figure, not a measurement).
func peakHeap(fn func()) int64 {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return int64(peak.Load()) - int64(base.HeapInuse)
}

// The report of 20,000 workers: every worker has a line, and the cells of
// a sample are the database's; the summary counts each district's workers.
// (How much memory it takes is in hostile_test.go.)
func TestDefenceReportOfTwentyThousandWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	e := newEnv(t)
	_, districts := embedded(t)
	const n = 20000
	names := districts.Names()
	e.seedCity(names, n)
	rep, err := e.svc.Report(e.ctx, admin, districts, "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := records.WriteReport(&buf, rep, shanghai); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(records.SheetWorkers)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 {
		t.Fatalf("%d rows on the workers sheet, want %d and the header", len(rows), n)
	}
	// Cells against the database, for a sample of workers.
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[0]] = r
	}
	for _, i := range []int{0, 1, 39, 4321, n - 1} {
		name := fmt.Sprintf("工作者%05d", i)
		r := byName[name]
		if r == nil {
			t.Errorf("no line for %s", name)
			continue
		}
		var district, org string
		var hours float64
		if err := e.db.SQL().QueryRowContext(e.ctx, `SELECT m.district, m.org, (SELECT SUM(hours) FROM credits c WHERE c.user_id = m.user_id)
			FROM members m WHERE m.name = ?`, name).Scan(&district, &org, &hours); err != nil {
			t.Fatal(err)
		}
		done := math.Round(math.Min(hours/32, 1)*1000) / 10
		want := []string{name, district, org, "专职党务工作者", "本科", "2015", "在岗", "", strconv.FormatFloat(hours, 'f', -1, 64), "32",
			strconv.FormatFloat(done, 'f', -1, 64)}
		for col, w := range want {
			if col >= len(r) || r[col] != w {
				t.Errorf("%s column %s = %q, want %q", name, rows[0][col], r[col], w)
			}
		}
	}
	sum, err := f.GetRows(records.SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum) != 2+len(names) {
		t.Fatalf("summary has %d rows, want %d", len(sum), 2+len(names))
	}
	for i, d := range names {
		var workers int
		var hours float64
		e.db.SQL().QueryRowContext(e.ctx, `SELECT COUNT(*), SUM(c.hours) FROM members m JOIN credits c ON c.user_id = m.user_id
			WHERE m.district = ? AND m.status = 'approved'`, d).Scan(&workers, &hours)
		done := math.Round(math.Min(hours/float64(32*workers), 1)*1000) / 10
		if sum[2+i][0] != d || sum[2+i][1] != strconv.Itoa(workers) || sum[2+i][3] != strconv.FormatFloat(done, 'f', -1, 64) {
			t.Errorf("summary row %d = %q, want %s with %d workers, %g%% of 学时", i, sum[2+i], d, workers, done)
		}
	}
}
