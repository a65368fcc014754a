package records_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dangwu/dangwu/records"
)

// Hostile tests of the records service: each attack once found the bug its
// "Was a bug" comment describes (in the code as it stood then), and now
// guards the fix. The attacks the service always withstood are in
// defence_test.go.

// Was a bug: a level application stays with the district the worker had when
// applying (levels.go Decide and ApplicationFor check scope(actor,
// a.District), store.Applications filters on level_applications.district;
// Standing looks for the pending one only in the worker's current district).
// A 丰县 worker who applied and then moved to 沛县 can still be awarded a
// level by 丰县's coordinator, who no longer covers them, while 沛县's
// coordinator never sees the application. README: "a 丰县 coordinator cannot
// see, assess, credit, decide for or export 沛县's workers". Decide should
// judge scope by the worker's current profile (and list it for 沛县).
func TestHostileDecideForAWorkerWhoMovedAway(t *testing.T) {
	e := newEnv(t)
	const uid = 6100
	e.seed(person{uid: uid, district: "丰县", start: 2025})
	e.qualify(uid, fengCoord)
	a, err := e.svc.Apply(e.ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	// The worker moves to 沛县 (and is approved there).
	e.exec(`UPDATE members SET district = '沛县' WHERE user_id = ?`, uid)

	apps, err := e.svc.Applications(e.ctx, peiCoord, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 1 || apps[0].ID != a.ID {
		t.Errorf("沛县's coordinator sees %+v, want the pending application of their worker", apps)
	}
	if _, err := e.svc.Decide(e.ctx, fengCoord, a.ID, true, ""); !errors.Is(err, records.ErrOutOfScope) {
		t.Errorf("丰县's coordinator decided for a worker now in 沛县: err = %v, want ErrOutOfScope", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM levels WHERE user_id = ?`, uid); n != 0 {
		t.Errorf("%d levels awarded by a coordinator out of scope", n)
	}
}

// Was a bug: the report and the statistics read the credits table as it stands
// (store/records_report.go ReportData and DistrictStats; records/report.go
// Report and Stats never call SyncCredits), while attendance and passed
// papers reach the ledger only when someone reads it (Ledger, Standing,
// CreditHours). A worker who attended a 3-学时 course but never opened /me
// or /hours has 0 学时 in the coordinator's workbook and its 学时完成率,
// although the ledger says 3. Report should bring the ledgers up to date
// (or count attendance itself) before reading.
func TestHostileReportHoursOfALedgerNobodyRead(t *testing.T) {
	e := newEnv(t)
	_, districts := embedded(t)
	const uid = 6110
	e.seed(person{uid: uid, district: "丰县"})
	ev := e.event("丰县轮训", "丰县", at(2025, 6, 1, 9, 0), 3)
	e.signup(ev, uid)
	e.attend(ev, uid, true, 3)

	rep, err := e.svc.Report(e.ctx, fengCoord, districts, "")
	if err != nil {
		t.Fatal(err)
	}
	var hours float64 = -1
	for _, w := range rep.Data.Workers {
		if w.UserID == uid {
			hours = w.Hours
		}
	}
	var done float64
	for _, st := range rep.Stats {
		if st.District == "丰县" {
			done = st.HoursDone
		}
	}
	ledger := e.ledger(uid, 2025).Hours // read after the report
	if ledger != 3 {
		t.Fatalf("the ledger has %g 学时, want 3", ledger)
	}
	if hours != ledger {
		t.Errorf("the report's 学时 of the worker = %g, the ledger's = %g", hours, ledger)
	}
	if done != ledger {
		t.Errorf("the report's 学时 done in 丰县 = %g, the ledger's = %g", done, ledger)
	}
}

// Was a bug: the summary's 学时落后人数 column (records/report.go WriteReport,
// from DistrictStats.BehindOnHours) is never computed: neither
// store/records_report.go DistrictStats nor records/report.go Report sets
// BehindOnHours, so every district shows 0 people behind on 学时 in June
// although its only worker has none of their 32.
func TestHostileReportBehindOnHoursIsAlwaysZero(t *testing.T) {
	e := newEnv(t) // 2025-06-15: 45% of the year gone
	_, districts := embedded(t)
	e.seed(person{uid: 6120, district: "丰县"})
	rep, err := e.svc.Report(e.ctx, fengCoord, districts, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Stats) != 1 || rep.Stats[0].District != "丰县" {
		t.Fatalf("stats = %+v", rep.Stats)
	}
	if got := rep.Stats[0].BehindOnHours; got != 1 {
		t.Errorf("丰县's workers behind on 学时 = %d, want 1 (0 of 32 学时 in mid-June)", got)
	}
	behind, err := e.svc.Behind(e.ctx, []int64{6120})
	if err != nil || len(behind) != 1 {
		t.Fatalf("Behind itself = %v, %v", behind, err)
	}
}

// Was a bug: a district's report counts the sign-ups and attendance of a
// city-wide event across the whole city (store/records_report.go ReportData,
// the events query: district IN (?1, ”) with counts over every
// event_signups / event_attendance row). 丰县's coordinator, whom the
// scheduler refuses the roster of a city-wide event (EventRoster: covers),
// reads in the 活动和出勤 sheet how many of 沛县's workers signed up and
// came. The counts of a district's report should be its own workers'.
func TestHostileReportCountsOtherDistrictsAtACityEvent(t *testing.T) {
	e := newEnv(t)
	_, districts := embedded(t)
	e.seed(person{uid: 6130, district: "丰县"})
	e.seed(person{uid: 6131, district: "沛县"})
	e.seed(person{uid: 6132, district: "沛县"})
	ev := e.event("全市党务工作者大会", "", at(2025, 6, 1, 9, 0), 2)
	for _, uid := range []int64{6130, 6131, 6132} {
		e.signup(ev, uid)
		e.attend(ev, uid, true, 2)
	}
	rep, err := e.svc.Report(e.ctx, fengCoord, districts, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Data.Events) != 1 {
		t.Fatalf("events = %+v", rep.Data.Events)
	}
	if got := rep.Data.Events[0]; got.Registered != 1 || got.Attended != 1 {
		t.Errorf("丰县's report shows the city-wide event with %d registered and %d attended, want 丰县's 1 and 1 (沛县's two leak)",
			got.Registered, got.Attended)
	}
}

// Was a bug: the minimum wage is one setting for every year (service.go
// SetMinWage writes the one key MinWageKey, "year:amount"). An
// administrator who records last year's figure after this year's
// (/setwage 2280 2024 after /setwage 2490 2025) replaces this year's: the
// pay references, which the rule and /pay call 当年 (this year's)
// 最低工资标准, drop to 2.5 × 2280 = 5700. Likewise next year's, entered
// in advance, takes over at once. Pay should use the wage of this year.
func TestHostileMinWageOfAnotherYearReplacesThisYears(t *testing.T) {
	e := newEnv(t) // 2025
	e.seed(person{uid: 6140, district: "贾汪区", education: "本科"})
	if err := e.svc.SetMinWage(e.ctx, admin, 2490, 2025); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetMinWage(e.ctx, admin, 2280, 2024); err != nil {
		t.Fatal(err)
	}
	ref, err := e.svc.Pay(e.ctx, 6140)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Wage.Year != 2025 || ref.Amount != 6225 {
		t.Errorf("after recording 2024's wage, 2025's pay reference = %g (wage %g of %d), want 6225 (2.5 × 2490 of 2025)",
			ref.Amount, ref.Wage.Amount, ref.Wage.Year)
	}
}

// Was a bug: the pay figure rounds binary floating point, not the yuan amount
// (service.go Pay: math.Round(m*w.Amount*100)/100). 2.5 × 2000.01 is
// exactly 5000.025, which rounds half up to 5000.03 元; the float product
// is 5000.02499999…, and /pay says 5000.02. 2.5 × 2000.09 = 5000.225 comes
// out as 5000.22. The arithmetic should be done in fen (or decimal).
func TestHostilePayRoundsHalfAFenDown(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 6150, district: "贾汪区", education: "本科"})
	for _, c := range []struct {
		wage, want float64
	}{{2000.01, 5000.03}, {2000.09, 5000.23}} {
		if err := e.svc.SetMinWage(e.ctx, admin, c.wage, 2025); err != nil {
			t.Fatal(err)
		}
		ref, err := e.svc.Pay(e.ctx, 6150)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Amount != c.want {
			t.Errorf("2.5 × %.2f = %.2f, want %.2f", c.wage, ref.Amount, c.want)
		}
	}
}

// Was a bug: a manual credit may be finer than the ledger keeps (service.go
// CreditHours refuses only 0, NaN and |hours| > 200; Ledger rounds the
// total to 0.01). /credit 张三 0.001 … and 1e-9 are stored as entries that
// /hours prints as "+0.001" and "+1e-09" and the total rounds away; a
// debit of -0.004 from nothing passes the below-zero check (it rounds to
// 0) and leaves the year at -0.004, shown "-0". Hours should be refused
// below 0.01 (or kept to two decimals).
func TestHostileCreditFinerThanTheLedger(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 6160, district: "丰县"})
	for _, h := range []float64{0.001, 1e-9, -0.004} {
		if _, err := e.svc.CreditHours(e.ctx, fengCoord, 6160, h, "2025-06-01", "", "补登"); !errors.Is(err, records.ErrBadHours) {
			t.Errorf("CreditHours(%g) = %v, want ErrBadHours", h, err)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM credits`); n != 0 {
		t.Errorf("%d entries below the ledger's precision stored", n)
	}
}

// Was a bug: 已完成 on a duty already done is recorded again (service.go
// ReportDuty adds a DutyReport with done=1 whatever d.Done is; only
// done_on stays). Pressed twice, the duty has two 已完成 reports and the
// coordinator's list says 2 次汇报. A second 已完成 should change nothing.
func TestHostileDutyDoneTwice(t *testing.T) {
	e := newEnv(t)
	e.seed(person{uid: 6170, district: "丰县"})
	if _, err := e.svc.AssignDuties(e.ctx, fengCoord, []int64{6170}, 2025, []records.DutyItem{{Text: "换届", Due: "2025-06-30"}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := e.svc.Duties(e.ctx, 6170, 2025)
	if _, err := e.svc.ReportDuty(e.ctx, 6170, ds[0].ID, "", "", true); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.ReportDuty(e.ctx, 6170, ds[0].ID, "", "", true) // refused or a no-op: either will do
	t.Logf("the second 已完成: %v", err)
	d, err := e.svc.Duty(e.ctx, 6170, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reports) != 1 {
		t.Errorf("after 已完成 twice the duty has %d reports, want 1", len(d.Reports))
	}
}

// Was a bug: the workbook is not streamed (records/report.go WriteReport). The
// long sheets go through excelize's StreamWriter, but the f.SetActiveSheet(0)
// after them calls workSheetReader on every sheet, which parses each
// streamed sheet back into memory (and WriteTo then marshals it again).
// For 20,000 workers the heap grows by some 300 MB (about 60 MB with the
// sheets left streamed), and it grows with every row: memory is not
// bounded by the streaming the comment promises. Set the active sheet
// before streaming, or not at all (the summary is the first sheet).
// (A sanity bound, not a measurement.)
func TestHostileReportIsNotStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	e := newEnv(t)
	_, districts := embedded(t)
	e.seedCity(districts.Names(), 20000)
	rep, err := e.svc.Report(e.ctx, admin, districts, "")
	if err != nil {
		t.Fatal(err)
	}
	var written int
	grown := peakHeap(func() {
		var buf bytes.Buffer
		if err := records.WriteReport(&buf, rep, shanghai); err != nil {
			t.Error(err)
		}
		written = buf.Len()
	})
	t.Logf("a workbook of %d KB; the heap grew by %d MB writing it", written/1024, grown>>20)
	if grown > 150<<20 {
		t.Errorf("writing the workbook of 20,000 workers (%d KB) grew the heap by %d MB, want a streamed workbook's few dozen",
			written/1024, grown>>20)
	}
}
