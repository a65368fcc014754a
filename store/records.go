package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

var _ records.Store = (*RecordsStore)(nil)

// RecordsStore keeps the 学时 ledger, assessments, responsibility lists,
// levels and applications, and settings.
type RecordsStore struct {
	db *DB
	c  conn
}

// NewRecordsStore returns the records store of db.
func NewRecordsStore(db *DB) *RecordsStore { return &RecordsStore{db: db, c: conn{db}} }

func recordsNotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, member.ErrNotFound) {
		return records.ErrNotFound
	}
	return err
}

// Profile returns a person's live profile (pending, approved or left).
func (s *RecordsStore) Profile(ctx context.Context, userID int64) (member.Profile, error) {
	p, err := memberReader{q: s.c}.oneMember(ctx, `m.user_id = ? AND m.status IN `+memberLiveStatuses, userID)
	return p, recordsNotFound(err)
}

// ---- The ledger ----

// SyncCredits brings a person's ledger in line with their attendance and
// passed exams, adding entries only (a change is a correction, never an
// edit):
//
//   - an attendance present with 学时 is credited once, dated the day of
//     the event (a mark after the event counts in the event's year);
//   - an attendance marked absent, or re-marked with other 学时, has its
//     credit corrected, once; marked present again, it is credited again,
//     once (key 'event:<event>:<user>' and then ':2', ':3', ...). A
//     credit a coordinator corrected by hand (Correct) comes back only
//     with a mark made after that correction (the two times come from the
//     same clock, the services', not the database's);
//   - a passed exam paper is credited once a year (the year of the zone
//     day uses), dated its first pass of the year.
func (s *RecordsStore) SyncCredits(ctx context.Context, userID int64, examHours map[string]float64, day func(time.Time) string) error {
	return s.syncCredits(ctx, userID, examHours, day, false)
}

// CreditsOwed reports whether SyncCredits would add anything, reading only.
func (s *RecordsStore) CreditsOwed(ctx context.Context, userID int64, examHours map[string]float64, day func(time.Time) string) (bool, error) {
	err := s.syncCredits(ctx, userID, examHours, day, true)
	if errors.Is(err, errCreditOwed) {
		return true, nil
	}
	return false, err
}

// errCreditOwed stops a dry run of syncCredits at its first write.
var errCreditOwed = errors.New("a credit is owed")

// syncCredits is SyncCredits; dry, it returns errCreditOwed instead of
// writing the first entry owed.
func (s *RecordsStore) syncCredits(ctx context.Context, userID int64, examHours map[string]float64, day func(time.Time) string, dry bool) error {
	now := quizTime(s.db.Now())
	if err := s.syncAttendance(ctx, userID, day, now, dry); err != nil {
		return fmt.Errorf("sync credits: %w", err)
	}
	if err := s.syncExams(ctx, userID, examHours, day, now, dry); err != nil {
		return fmt.Errorf("sync credits: %w", err)
	}
	return nil
}

// creditKeyTaken reports whether a ledger entry has key.
func (s *RecordsStore) creditKeyTaken(ctx context.Context, key string) (bool, error) {
	var taken bool
	err := s.c.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM credits WHERE key = ?)`, key).Scan(&taken)
	return taken, err
}

// eventCredit is a ledger entry of an attendance, with its correction.
type eventCredit struct {
	id        int64
	hours     float64
	corrected bool
	fixedBy   int64  // who corrected it; 0 the system (a mark changed)
	fixedAt   string // when it was corrected
}

func (s *RecordsStore) syncAttendance(ctx context.Context, userID int64, day func(time.Time) string, now string, dry bool) error {
	type attendance struct {
		event        int64
		title, start string
		at           string
		present      bool
		hours        float64
	}
	rows, err := s.c.QueryContext(ctx, `SELECT a.event_id, e.title, e.starts_at, a.at, a.present, a.hours
		FROM event_attendance a JOIN events e ON e.id = a.event_id WHERE a.user_id = ? ORDER BY a.event_id`, userID)
	if err != nil {
		return err
	}
	var marks []attendance
	for rows.Next() {
		var a attendance
		if err := rows.Scan(&a.event, &a.title, &a.start, &a.at, &a.present, &a.hours); err != nil {
			rows.Close()
			return err
		}
		marks = append(marks, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(marks) == 0 {
		return nil
	}
	// The person's event entries by event, oldest first, with their corrections.
	rows, err = s.c.QueryContext(ctx, `SELECT c.id, c.key, c.hours, x.id IS NOT NULL, COALESCE(x.by_user, 0), COALESCE(x.created_at, '')
		FROM credits c LEFT JOIN credits x ON x.corrects = c.id
		WHERE c.user_id = ? AND c.kind = 'event' ORDER BY c.id`, userID)
	if err != nil {
		return err
	}
	byEvent := map[int64][]eventCredit{}
	for rows.Next() {
		var c eventCredit
		var key string
		if err := rows.Scan(&c.id, &key, &c.hours, &c.corrected, &c.fixedBy, &c.fixedAt); err != nil {
			rows.Close()
			return err
		}
		var event, user int64
		if _, err := fmt.Sscanf(key, "event:%d:%d", &event, &user); err != nil || user != userID {
			continue
		}
		byEvent[event] = append(byEvent[event], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range marks {
		entries := byEvent[a.event]
		want := 0.0
		if a.present && a.hours > 0 {
			want = a.hours
		}
		var live *eventCredit
		lastFix := "" // the latest correction by hand
		for i := range entries {
			switch c := entries[i]; {
			case !c.corrected:
				live = &entries[i]
			case c.fixedBy != 0 && c.fixedAt > lastFix:
				lastFix = c.fixedAt
			}
		}
		credit := false
		switch {
		case live != nil && live.hours != want:
			// Marked absent, or with other 学时: undone, and (for other
			// 学时) credited anew.
			if dry {
				return errCreditOwed
			}
			if _, err := s.c.ExecContext(ctx, `INSERT INTO credits (user_id, hours, on_day, kind, title, reason, corrects, created_at)
				SELECT user_id, -hours, on_day, 'correction', title, '出席记录已更改', id, ? FROM credits WHERE id = ?
				ON CONFLICT DO NOTHING`, now, live.id); err != nil {
				return err
			}
			credit = want > 0
		case live == nil && want > 0:
			// Never credited; or credited, undone when marked absent and
			// now marked present again; or corrected by hand, and marked
			// present after that.
			credit = lastFix == "" || a.at > lastFix
		}
		if !credit {
			continue
		}
		key := fmt.Sprintf("event:%d:%d", a.event, userID)
		if len(entries) > 0 {
			key = fmt.Sprintf("%s:%d", key, len(entries)+1)
		}
		if taken, err := s.creditKeyTaken(ctx, key); err != nil || taken {
			if err != nil {
				return err
			}
			continue
		}
		if dry {
			return errCreditOwed
		}
		if _, err := s.c.ExecContext(ctx, `INSERT INTO credits (user_id, hours, on_day, kind, key, title, created_at)
			VALUES (?, ?, ?, 'event', ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			userID, want, day(parseQuizTime(a.start)), key, a.title, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *RecordsStore) syncExams(ctx context.Context, userID int64, examHours map[string]float64, day func(time.Time) string, now string, dry bool) error {
	rows, err := s.c.QueryContext(ctx, `SELECT exam_id, finished_at FROM quiz_sessions
		WHERE user_id = ? AND kind = 'exam' AND passed = 1 AND exam_id <> '' AND finished_at <> '' ORDER BY finished_at, id`, userID)
	if err != nil {
		return err
	}
	type pass struct {
		exam, day string
	}
	var first []pass // the first pass of each paper in each year, in order
	seen := map[string]bool{}
	for rows.Next() {
		var exam, at string
		if err := rows.Scan(&exam, &at); err != nil {
			rows.Close()
			return err
		}
		d := day(parseQuizTime(at))
		if k := exam + "\x00" + d[:4]; !seen[k] {
			seen[k] = true
			first = append(first, pass{exam, d})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range first {
		hours, ok := examHours[p.exam]
		if !ok {
			hours = examHours[""]
		}
		if hours <= 0 {
			continue
		}
		key := fmt.Sprintf("exam:%s:%s:%d", p.exam, p.day[:4], userID)
		if taken, err := s.creditKeyTaken(ctx, key); err != nil || taken {
			if err != nil {
				return err
			}
			continue
		}
		if dry {
			return errCreditOwed
		}
		if _, err := s.c.ExecContext(ctx, `INSERT INTO credits (user_id, hours, on_day, kind, key, title, created_at)
			VALUES (?, ?, ?, 'exam', ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			userID, hours, p.day, key, p.exam, now); err != nil {
			return err
		}
	}
	return nil
}

const creditColumns = `id, user_id, hours, on_day, kind, COALESCE(key, ''), title, reason, by_user, COALESCE(corrects, 0), created_at`

func scanCredit(sc interface{ Scan(...any) error }) (records.Credit, error) {
	var c records.Credit
	var created string
	err := sc.Scan(&c.ID, &c.UserID, &c.Hours, &c.Day, &c.Kind, &c.Key, &c.Title, &c.Reason, &c.By, &c.Corrects, &created)
	c.Created = parseQuizTime(created)
	return c, err
}

// AddCredit appends an entry.
func (s *RecordsStore) AddCredit(ctx context.Context, c *records.Credit) error {
	var corrects any
	if c.Corrects != 0 {
		corrects = c.Corrects
	}
	var key any
	if c.Key != "" {
		key = c.Key
	}
	err := s.c.QueryRowContext(ctx, `INSERT INTO credits (user_id, hours, on_day, kind, key, title, reason, by_user, corrects, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.UserID, c.Hours, c.Day, c.Kind, key, c.Title, c.Reason, c.By, corrects, quizTime(c.Created)).Scan(&c.ID)
	if isUniqueViolation(err) {
		return records.ErrCorrected
	}
	return err
}

// Credit returns one entry.
func (s *RecordsStore) Credit(ctx context.Context, id int64) (records.Credit, error) {
	c, err := scanCredit(s.c.QueryRowContext(ctx, `SELECT `+creditColumns+` FROM credits WHERE id = ?`, id))
	return c, recordsNotFound(err)
}

// Credits lists a person's entries dated from..to (inclusive), in order.
func (s *RecordsStore) Credits(ctx context.Context, userID int64, from, to string) ([]records.Credit, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+creditColumns+` FROM credits WHERE user_id = ? AND on_day BETWEEN ? AND ? ORDER BY on_day, id`, userID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []records.Credit
	for rows.Next() {
		c, err := scanCredit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ---- Assessments ----

// Assess records (or replaces) a year's assessment.
func (s *RecordsStore) Assess(ctx context.Context, a records.Assessment) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO assessments (user_id, year, rating, comment, district, org, by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, year) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, district = excluded.district,
			org = excluded.org, by_user = excluded.by_user, at = excluded.at`,
		a.UserID, a.Year, string(a.Rating), a.Comment, a.District, a.Org, a.By, quizTime(a.At))
	return err
}

// Assessments lists a person's assessments, newest first.
func (s *RecordsStore) Assessments(ctx context.Context, userID int64) ([]records.Assessment, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT user_id, year, rating, comment, district, org, by_user, at FROM assessments WHERE user_id = ? ORDER BY year DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []records.Assessment
	for rows.Next() {
		var a records.Assessment
		var rating, at string
		if err := rows.Scan(&a.UserID, &a.Year, &rating, &a.Comment, &a.District, &a.Org, &a.By, &at); err != nil {
			return nil, err
		}
		a.Rating, a.At = records.Rating(rating), parseQuizTime(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- Duties ----

const dutyColumns = `id, user_id, year, text, due_on, COALESCE(done_on, ''), created_by, created_at`

func scanDuty(sc interface{ Scan(...any) error }) (records.Duty, error) {
	var d records.Duty
	var created string
	err := sc.Scan(&d.ID, &d.UserID, &d.Year, &d.Text, &d.Due, &d.Done, &d.By, &created)
	d.Created = parseQuizTime(created)
	return d, err
}

// AddDuties inserts duties.
func (s *RecordsStore) AddDuties(ctx context.Context, ds []records.Duty) error {
	for _, d := range ds {
		if _, err := s.c.ExecContext(ctx, `INSERT INTO duties (user_id, year, text, due_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			d.UserID, d.Year, d.Text, d.Due, d.By, quizTime(d.Created)); err != nil {
			return err
		}
	}
	return nil
}

func (s *RecordsStore) duties(ctx context.Context, query string, args ...any) ([]records.Duty, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+dutyColumns+` FROM duties `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []records.Duty
	for rows.Next() {
		d, err := scanDuty(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Duty returns one duty with its reports.
func (s *RecordsStore) Duty(ctx context.Context, id int64) (records.Duty, error) {
	d, err := scanDuty(s.c.QueryRowContext(ctx, `SELECT `+dutyColumns+` FROM duties WHERE id = ?`, id))
	if err != nil {
		return d, recordsNotFound(err)
	}
	rows, err := s.c.QueryContext(ctx, `SELECT id, duty_id, text, media, done, at FROM duty_reports WHERE duty_id = ? ORDER BY id`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var r records.DutyReport
		var at string
		if err := rows.Scan(&r.ID, &r.DutyID, &r.Text, &r.Media, &r.Done, &at); err != nil {
			return d, err
		}
		r.At = parseQuizTime(at)
		d.Reports = append(d.Reports, r)
	}
	return d, rows.Err()
}

// Duties lists a person's duties of a year, by date.
func (s *RecordsStore) Duties(ctx context.Context, userID int64, year int) ([]records.Duty, error) {
	return s.duties(ctx, `WHERE user_id = ? AND year = ? ORDER BY due_on, id`, userID, year)
}

// AddDutyReport records a report; doneOn closes the duty.
func (s *RecordsStore) AddDutyReport(ctx context.Context, r records.DutyReport, doneOn string) error {
	if _, err := s.c.ExecContext(ctx, `INSERT INTO duty_reports (duty_id, text, media, done, at) VALUES (?, ?, ?, ?, ?)`,
		r.DutyID, r.Text, r.Media, r.Done, quizTime(r.At)); err != nil {
		return err
	}
	if doneOn == "" {
		return nil
	}
	_, err := s.c.ExecContext(ctx, `UPDATE duties SET done_on = ? WHERE id = ? AND done_on IS NULL`, doneOn, r.DutyID)
	return err
}

// DutiesDue lists open duties due by day that were not reminded, of
// approved workers (no reminders to people who left).
func (s *RecordsStore) DutiesDue(ctx context.Context, day string, limit int) ([]records.Duty, error) {
	return s.duties(ctx, `WHERE done_on IS NULL AND reminded = 0 AND due_on <= ?
		AND user_id IN (SELECT user_id FROM members WHERE status = 'approved')
		ORDER BY due_on, id LIMIT ?`, day, limit)
}

// MarkReminded marks a duty's reminder sent.
func (s *RecordsStore) MarkReminded(ctx context.Context, id int64) error {
	_, err := s.c.ExecContext(ctx, `UPDATE duties SET reminded = 1 WHERE id = ?`, id)
	return err
}

// OverdueDuties lists open duties past their date of the approved workers
// of district ("" all).
func (s *RecordsStore) OverdueDuties(ctx context.Context, district, today string, limit int) ([]records.Duty, error) {
	return s.duties(ctx, `WHERE done_on IS NULL AND due_on < ?1
		AND user_id IN (SELECT user_id FROM members WHERE (?2 = '' OR district = ?2) AND status = 'approved')
		ORDER BY due_on, id LIMIT ?3`, today, district, limit)
}

// ---- Facts, levels and applications ----

// Facts gathers what a level is judged on, for [from, to): to is the
// period's end, or now while it runs (the caller's clock). Exams finished
// and events that ended in it count; 学时 of the days it has begun; duties
// due before the day of to (days in from's zone). The ratings are those of
// consecutive years back from from's year, or the year before it when
// from's year has none yet: a gap ends them, and an assessment older than
// that does not count.
func (s *RecordsStore) Facts(ctx context.Context, userID int64, examID string, from, to time.Time) (records.Facts, error) {
	var f records.Facts
	to = to.In(from.Location())
	fromDay, lastDay, toDay := from.Format(time.DateOnly), to.Add(-time.Second).Format(time.DateOnly), to.Format(time.DateOnly)
	var best sql.NullInt64
	var attended, registered, done, due int
	err := s.c.QueryRowContext(ctx, `SELECT
		(SELECT MAX(score) FROM quiz_sessions WHERE user_id = ?1 AND kind = 'exam' AND state IN ('done', 'expired')
			AND (?2 = '' OR exam_id = ?2) AND finished_at >= ?3 AND finished_at < ?4),
		COALESCE((SELECT SUM(hours) FROM credits WHERE user_id = ?1 AND on_day >= ?5 AND on_day <= ?6), 0),
		(SELECT COUNT(*) FROM event_signups s JOIN events e ON e.id = s.event_id
			WHERE s.user_id = ?1 AND s.status = 'registered' AND e.state = 'open' AND e.ends_at >= ?3 AND e.ends_at < ?4),
		(SELECT COUNT(*) FROM event_signups s JOIN events e ON e.id = s.event_id JOIN event_attendance a ON a.event_id = e.id AND a.user_id = s.user_id
			WHERE s.user_id = ?1 AND s.status = 'registered' AND a.present = 1 AND e.state = 'open' AND e.ends_at >= ?3 AND e.ends_at < ?4),
		(SELECT COUNT(*) FROM duties WHERE user_id = ?1 AND due_on >= ?5 AND due_on < ?7),
		(SELECT COUNT(*) FROM duties WHERE user_id = ?1 AND due_on >= ?5 AND due_on < ?7 AND done_on IS NOT NULL AND done_on <= due_on)`,
		userID, examID, quizTime(from), quizTime(to), fromDay, lastDay, toDay,
	).Scan(&best, &f.Hours, &registered, &attended, &due, &done)
	if err != nil {
		return f, fmt.Errorf("facts of %d: %w", userID, err)
	}
	f.BestScore = int(best.Int64)
	f.Attendance, f.Duties = -1, -1
	if registered > 0 {
		f.Attendance = attended * 100 / registered
	}
	if due > 0 {
		f.Duties = done * 100 / due
	}
	as, err := s.Assessments(ctx, userID)
	if err != nil {
		return f, err
	}
	want := from.Year()    // the year the next rating must be of
	for _, a := range as { // newest first
		if a.Year > from.Year() {
			continue
		}
		if len(f.Ratings) == 0 && a.Year == want-1 {
			want-- // from's year is not assessed yet
		}
		if a.Year != want {
			break
		}
		f.Ratings = append(f.Ratings, a.Rating)
		want--
	}
	return f, nil
}

// Awards lists a person's levels, oldest first.
func (s *RecordsStore) Awards(ctx context.Context, userID int64) ([]records.Award, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT user_id, level, district, by_user, at FROM levels WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []records.Award
	for rows.Next() {
		var a records.Award
		var at string
		if err := rows.Scan(&a.UserID, &a.Level, &a.District, &a.By, &at); err != nil {
			return nil, err
		}
		a.At = parseQuizTime(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Award records a level granted.
func (s *RecordsStore) Award(ctx context.Context, a records.Award) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO levels (user_id, level, district, by_user, at) VALUES (?, ?, ?, ?, ?)`,
		a.UserID, a.Level, a.District, a.By, quizTime(a.At))
	return err
}

const applicationColumns = `id, user_id, level, district, state, reason, at, decided_by, COALESCE(decided_at, '')`

func scanApplication(sc interface{ Scan(...any) error }) (records.Application, error) {
	var a records.Application
	var at, decided string
	err := sc.Scan(&a.ID, &a.UserID, &a.Level, &a.District, &a.State, &a.Reason, &at, &a.DecidedBy, &decided)
	a.At, a.DecidedAt = parseQuizTime(at), parseQuizTime(decided)
	return a, err
}

// Apply stores a pending application (ErrPending if one is pending).
func (s *RecordsStore) Apply(ctx context.Context, a *records.Application) error {
	err := s.c.QueryRowContext(ctx, `INSERT INTO level_applications (user_id, level, district, state, at) VALUES (?, ?, ?, 'pending', ?) RETURNING id`,
		a.UserID, a.Level, a.District, quizTime(a.At)).Scan(&a.ID)
	if isUniqueViolation(err) {
		return records.ErrPending
	}
	return err
}

// Application returns one application.
func (s *RecordsStore) Application(ctx context.Context, id int64) (records.Application, error) {
	a, err := scanApplication(s.c.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM level_applications WHERE id = ?`, id))
	return a, recordsNotFound(err)
}

// Applications lists applications of district ("" all) in a state, oldest first.
func (s *RecordsStore) Applications(ctx context.Context, district, state string, limit int) ([]records.Application, error) {
	// By the worker's district now (one who moved goes with them), or the
	// district applied in when the profile is gone.
	rows, err := s.c.QueryContext(ctx, `SELECT `+applicationColumns+` FROM level_applications la
		WHERE (?1 = '' OR COALESCE((SELECT m.district FROM members m WHERE m.user_id = la.user_id
			AND m.status IN ('pending', 'approved', 'left') ORDER BY m.id DESC LIMIT 1), la.district) = ?1)
		AND state = ?2 ORDER BY id LIMIT ?3`, district, state, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []records.Application
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Decide stores a decision.
func (s *RecordsStore) Decide(ctx context.Context, a records.Application) error {
	res, err := s.c.ExecContext(ctx, `UPDATE level_applications SET state = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'`,
		a.State, a.Reason, a.DecidedBy, quizTime(a.DecidedAt), a.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return records.ErrDecided
	}
	return nil
}

// Vacancies lists the organisations of district ("" all) whose worker
// left or was rated 不合格 in their latest assessment, and where no worker
// has been approved since.
func (s *RecordsStore) Vacancies(ctx context.Context, district string) ([]records.Vacancy, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT district, org, since, reason, name FROM (
			SELECT m.id, m.district, m.org, m.status_at AS since, 'left' AS reason, m.name
			FROM members m WHERE m.status = 'left' AND m.org <> ''
			UNION ALL
			SELECT m.id, m.district, m.org, a.at, '不合格', m.name
			FROM assessments a JOIN members m ON m.user_id = a.user_id AND m.status = 'approved'
			WHERE a.rating = '不合格' AND a.year = (SELECT MAX(year) FROM assessments x WHERE x.user_id = a.user_id)
		) v
		WHERE (?1 = '' OR v.district = ?1)
		AND NOT EXISTS (SELECT 1 FROM members n JOIN member_history h ON h.member_id = n.id AND h.kind = 'approved'
			WHERE n.district = v.district AND n.org = v.org AND n.status = 'approved' AND h.at > v.since
			AND n.id <> v.id)
		ORDER BY v.district, v.since, v.id`, district)
	if err != nil {
		return nil, fmt.Errorf("vacancies: %w", err)
	}
	defer rows.Close()
	var out []records.Vacancy
	for rows.Next() {
		var v records.Vacancy
		var since string
		if err := rows.Scan(&v.District, &v.Org, &since, &v.Reason, &v.Name); err != nil {
			return nil, err
		}
		v.Since = parseQuizTime(since)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Setting returns a setting's value.
func (s *RecordsStore) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.c.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, recordsNotFound(err)
}

// SetSetting stores a setting.
func (s *RecordsStore) SetSetting(ctx context.Context, key, value string, by int64) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO settings (key, value, by_user, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, by_user = excluded.by_user, at = excluded.at`,
		key, value, by, quizTime(s.db.Now()))
	return err
}
