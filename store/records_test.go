package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/store"
)

// seedRecordsWorker inserts an approved worker of 丰县.
func seedRecordsWorker(tb testing.TB, db *store.DB, uid int64, phone string) {
	tb.Helper()
	ctx := context.Background()
	const at = "2024-01-01T00:00:00Z"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)`, []any{uid, at, at}},
		{`INSERT INTO members (user_id, name, phone, district, org, post, education, start_year, status, status_at, created_at, updated_at)
			VALUES (?, '孙八', ?, '丰县', '某公司', '委员', '本科', 2020, 'approved', ?, ?, ?)`, []any{uid, phone, at, at, at}},
	} {
		if _, err := db.SQL().ExecContext(ctx, q.sql, q.args...); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestRecordsFactsCountByTheLedgersDay checks that the period's end (now,
// given in UTC) is turned into a day of the zone the period is given in:
// duties due before today and 学时 of today, in Shanghai.
func TestRecordsFactsCountByTheLedgersDay(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// 01:00 on 16 June in Shanghai, still 15 June in UTC. The database's
	// own clock is elsewhere: the caller's now counts.
	now := time.Date(2025, 6, 15, 17, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
	st := store.NewRecordsStore(db)
	seedRecordsWorker(t, db, 7001, "13700000001")
	if err := st.AddDuties(ctx, []records.Duty{
		{UserID: 7001, Year: 2025, Text: "昨天到期", Due: "2025-06-15", Created: now},
		{UserID: 7001, Year: 2025, Text: "今天到期", Due: "2025-06-16", Created: now},
		{UserID: 7001, Year: 2025, Text: "下月到期", Due: "2025-07-16", Created: now},
	}); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Duties(ctx, 7001, 2025)
	if err != nil || len(ds) != 3 {
		t.Fatalf("duties %+v, %v", ds, err)
	}
	// Today's is done (on time): it would count if today were taken for yesterday.
	if err := st.AddDutyReport(ctx, records.DutyReport{DutyID: ds[1].ID, Done: true, At: now}, "2025-06-16"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []records.Credit{
		{UserID: 7001, Hours: 2, Day: "2025-06-16", Kind: "manual", Title: "今天", Created: now},
		{UserID: 7001, Hours: 3, Day: "2025-01-01", Kind: "manual", Title: "元旦", Created: now},
		{UserID: 7001, Hours: 5, Day: "2024-12-31", Kind: "manual", Title: "去年", Created: now},
	} {
		if err := st.AddCredit(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	f, err := st.Facts(ctx, 7001, "", from, now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Duties != 0 {
		t.Errorf("Duties = %d, want 0: of the duties due before 16 June (in Shanghai), none was done", f.Duties)
	}
	if f.Hours != 5 {
		t.Errorf("Hours = %g, want 5: 1 January and today", f.Hours)
	}
	if f.Attendance != -1 || f.BestScore != 0 || len(f.Ratings) != 0 {
		t.Errorf("facts = %+v, want nothing else", f)
	}
	// The whole year: every duty is due, and today's was done on time.
	f, err = st.Facts(ctx, 7001, "", from, from.AddDate(1, 0, 0))
	if err != nil || f.Duties != 33 || f.Hours != 5 {
		t.Errorf("the whole year: %+v, %v; want 33%% of duties on time, 5 学时", f, err)
	}
}

func TestRecordsFactsExamsInThePeriod(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	db.Now = func() time.Time { return time.Date(2025, 6, 15, 2, 0, 0, 0, time.UTC) }
	st := store.NewRecordsStore(db)
	seedRecordsWorker(t, db, 7002, "13700000002")
	for _, s := range []struct {
		exam     string
		score    int
		finished string
	}{
		{"general", 95, "2024-12-31T15:59:59Z"}, // 2024-12-31 23:59:59 in Shanghai
		{"general", 70, "2024-12-31T16:00:00Z"}, // 2025-01-01 00:00 in Shanghai
		{"recruit", 88, "2025-03-01T02:00:00Z"},
	} {
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO quiz_sessions (user_id, kind, exam_id, state, started_at, deadline, finished_at, score, passed)
			VALUES (7002, 'exam', ?, 'done', ?, ?, ?, ?, 1)`, s.exam, s.finished, s.finished, s.finished, s.score); err != nil {
			t.Fatal(err)
		}
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	for exam, want := range map[string]int{"general": 70, "recruit": 88, "": 88} {
		f, err := st.Facts(ctx, 7002, exam, from, from.AddDate(1, 0, 0))
		if err != nil || f.BestScore != want {
			t.Errorf("best score of %q in 2025 = %d, %v; want %d", exam, f.BestScore, err, want)
		}
	}
}

func TestRecordsStoreRefusesTwice(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	st := store.NewRecordsStore(db)
	seedRecordsWorker(t, db, 7003, "13700000003")
	now := time.Date(2025, 6, 15, 2, 0, 0, 0, time.UTC)

	c := records.Credit{UserID: 7003, Hours: 2, Day: "2025-06-01", Kind: "manual", Title: "补登", Created: now}
	if err := st.AddCredit(ctx, &c); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		fix := records.Credit{UserID: 7003, Hours: -2, Day: "2025-06-01", Kind: "correction", Title: "补登", Corrects: c.ID, Created: now}
		err := st.AddCredit(ctx, &fix)
		if want := []error{nil, records.ErrCorrected}[i]; !errors.Is(err, want) {
			t.Errorf("correction %d: %v, want %v", i+1, err, want)
		}
	}

	a := records.Application{UserID: 7003, Level: "初级", District: "丰县", At: now}
	if err := st.Apply(ctx, &a); err != nil {
		t.Fatal(err)
	}
	b := a
	if err := st.Apply(ctx, &b); !errors.Is(err, records.ErrPending) {
		t.Errorf("second pending application: %v, want ErrPending", err)
	}
	a.State, a.DecidedBy, a.DecidedAt = "approved", 1, now
	if err := st.Decide(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.State = "rejected"
	if err := st.Decide(ctx, a); !errors.Is(err, records.ErrDecided) {
		t.Errorf("second decision: %v, want ErrDecided", err)
	}
	if got, err := st.Application(ctx, a.ID); err != nil || got.State != "approved" {
		t.Errorf("application = %+v, %v", got, err)
	}
	if _, err := st.Application(ctx, 9999); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("no such application: %v", err)
	}
	if _, err := st.Credit(ctx, 9999); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("no such credit: %v", err)
	}
	if _, err := st.Duty(ctx, 9999); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("no such duty: %v", err)
	}
	if _, err := st.Setting(ctx, "nothing"); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("no such setting: %v", err)
	}
	if _, err := st.Profile(ctx, 9999); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("no such profile: %v", err)
	}
}

// CreditsOwed tells, reading only, whether SyncCredits has anything to add:
// a passed exam not yet credited is owed until SyncCredits credits it.
func TestCreditsOwedUntilSynced(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	st := store.NewRecordsStore(db)
	seedRecordsWorker(t, db, 7002, "13700000002")
	day := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	hours := map[string]float64{"": 2}
	owed := func() bool {
		t.Helper()
		o, err := st.CreditsOwed(ctx, 7002, hours, day)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if owed() {
		t.Fatal("owed with no exam passed")
	}
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO quiz_sessions (user_id, kind, exam_id, state, started_at, deadline, finished_at, passed)
		VALUES (7002, 'exam', 'paper', 'done', '2025-03-01T09:00:00Z', '2025-03-01T10:00:00Z', '2025-03-01T09:30:00Z', 1)`); err != nil {
		t.Fatal(err)
	}
	if !owed() {
		t.Fatal("not owed after an exam passed")
	}
	if err := db.Atomic(ctx, func(ctx context.Context) error { return st.SyncCredits(ctx, 7002, hours, day) }); err != nil {
		t.Fatal(err)
	}
	if owed() {
		t.Error("still owed after SyncCredits")
	}
	cs, err := st.Credits(ctx, 7002, "2025-01-01", "2025-12-31")
	if err != nil || len(cs) != 1 || cs[0].Hours != 2 {
		t.Errorf("credits %+v, %v; want the exam's 2 hours once", cs, err)
	}
}
