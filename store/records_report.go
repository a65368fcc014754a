package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dangwu/dangwu/records"
)

var _ records.ReportStore = (*RecordsStore)(nil)

// ReportData reads the workers, events, exams and vacancies of district
// ("" all) for year.
func (s *RecordsStore) ReportData(ctx context.Context, district string, year int, now time.Time, loc *time.Location) (records.ReportData, error) {
	var d records.ReportData
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(1, 0, 0)
	end := to
	if now.Before(end) {
		end = now
	}
	fromDay, toDay, endDay := from.Format(time.DateOnly), to.Format(time.DateOnly), end.In(loc).Format(time.DateOnly)
	rows, err := s.c.QueryContext(ctx, `SELECT m.user_id, m.name, m.district, m.org, m.post, m.education, m.start_year, m.status,
		COALESCE((SELECT level FROM levels l WHERE l.user_id = m.user_id ORDER BY l.id DESC LIMIT 1), ''),
		COALESCE((SELECT SUM(hours) FROM credits c WHERE c.user_id = m.user_id AND c.on_day >= ?2 AND c.on_day < ?3), 0),
		(SELECT COUNT(DISTINCT exam_id) FROM quiz_sessions q WHERE q.user_id = m.user_id AND q.kind = 'exam' AND q.passed = 1 AND q.finished_at >= ?4 AND q.finished_at < ?5),
		COALESCE((SELECT MAX(score) FROM quiz_sessions q WHERE q.user_id = m.user_id AND q.kind = 'exam' AND q.state IN ('done', 'expired') AND q.finished_at >= ?4 AND q.finished_at < ?5), 0),
		(SELECT COUNT(*) FROM event_signups su JOIN events e ON e.id = su.event_id WHERE su.user_id = m.user_id AND su.status = 'registered'
			AND e.state = 'open' AND e.ends_at >= ?4 AND e.ends_at < ?6),
		(SELECT COUNT(*) FROM event_signups su JOIN events e ON e.id = su.event_id JOIN event_attendance a ON a.event_id = e.id AND a.user_id = su.user_id
			WHERE su.user_id = m.user_id AND su.status = 'registered' AND a.present = 1 AND e.state = 'open' AND e.ends_at >= ?4 AND e.ends_at < ?6),
		COALESCE((SELECT rating FROM assessments a WHERE a.user_id = m.user_id AND a.year = ?7), ''),
		(SELECT COUNT(*) FROM duties du WHERE du.user_id = m.user_id AND du.due_on >= ?2 AND du.due_on <= ?8),
		(SELECT COUNT(*) FROM duties du WHERE du.user_id = m.user_id AND du.due_on >= ?2 AND du.due_on <= ?8 AND du.done_on IS NOT NULL AND du.done_on <= du.due_on),
		COALESCE(u.last_seen, '')
		FROM members m LEFT JOIN users u ON u.id = m.user_id
		WHERE m.status IN ('approved', 'left', 'pending') AND m.user_id IS NOT NULL AND (?1 = '' OR m.district = ?1)
		ORDER BY m.district, m.name, m.id`,
		district, fromDay, toDay, quizTime(from), quizTime(to), quizTime(end), year, endDay)
	if err != nil {
		return d, fmt.Errorf("report workers: %w", err)
	}
	for rows.Next() {
		var w records.ReportWorker
		var seen string
		if err := rows.Scan(&w.UserID, &w.Name, &w.District, &w.Org, &w.Post, &w.Education, &w.StartYear, &w.Status, &w.Level, &w.Hours,
			&w.ExamsPassed, &w.BestScore, &w.Registered, &w.Attended, &w.Rating, &w.DutiesDue, &w.DutiesDone, &seen); err != nil {
			rows.Close()
			return d, err
		}
		w.LastSeen = parseQuizTime(seen)
		d.Workers = append(d.Workers, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	// A district's report counts its own people at a city-wide event.
	rows, err = s.c.QueryContext(ctx, `SELECT e.id, e.title, e.kind, e.district, e.starts_at, e.ends_at, e.hours,
		(SELECT COUNT(*) FROM event_signups su WHERE su.event_id = e.id AND su.status = 'registered'
			AND (?1 = '' OR su.user_id IN (SELECT user_id FROM members WHERE district = ?1 AND user_id IS NOT NULL))),
		(SELECT COUNT(*) FROM event_attendance a WHERE a.event_id = e.id AND a.present = 1
			AND (?1 = '' OR a.user_id IN (SELECT user_id FROM members WHERE district = ?1 AND user_id IS NOT NULL)))
		FROM events e WHERE e.state = 'open' AND e.starts_at >= ?2 AND e.starts_at < ?3 AND (?1 = '' OR e.district IN (?1, ''))
		ORDER BY e.starts_at, e.id`, district, quizTime(from), quizTime(to))
	if err != nil {
		return d, fmt.Errorf("report events: %w", err)
	}
	for rows.Next() {
		var e records.ReportEvent
		var start, endAt string
		if err := rows.Scan(&e.ID, &e.Title, &e.Kind, &e.District, &start, &endAt, &e.Hours, &e.Registered, &e.Attended); err != nil {
			rows.Close()
			return d, err
		}
		e.Start, e.End = parseQuizTime(start), parseQuizTime(endAt)
		d.Events = append(d.Events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	rows, err = s.c.QueryContext(ctx, `SELECT m.name, m.district, q.exam_id, q.score, q.passed, q.finished_at
		FROM quiz_sessions q JOIN members m ON m.user_id = q.user_id AND m.status IN ('approved', 'left', 'pending')
		WHERE q.kind = 'exam' AND q.state IN ('done', 'expired') AND q.finished_at >= ?2 AND q.finished_at < ?3 AND (?1 = '' OR m.district = ?1)
		ORDER BY q.finished_at, q.id`, district, quizTime(from), quizTime(to))
	if err != nil {
		return d, fmt.Errorf("report exams: %w", err)
	}
	for rows.Next() {
		var e records.ReportExam
		var finished string
		if err := rows.Scan(&e.Name, &e.District, &e.Exam, &e.Score, &e.Passed, &finished); err != nil {
			rows.Close()
			return d, err
		}
		e.Finished = parseQuizTime(finished)
		d.Exams = append(d.Exams, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	d.Vacancies, err = s.Vacancies(ctx, district)
	return d, err
}

// DistrictStats counts one district's figures.
func (s *RecordsStore) DistrictStats(ctx context.Context, district string, now time.Time, year int, loc *time.Location) (records.DistrictStats, error) {
	st := records.DistrictStats{District: district}
	since := now.AddDate(0, 0, -7)
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(1, 0, 0)
	var hours sql.NullFloat64
	err := s.c.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM members WHERE district = ?1 AND status = 'approved'),
		(SELECT COUNT(*) FROM members m JOIN users u ON u.id = m.user_id WHERE m.district = ?1 AND m.status = 'approved' AND u.last_seen >= ?2),
		(SELECT COUNT(*) FROM kb_questions WHERE district = ?1 AND asked_at >= ?2),
		(SELECT COUNT(*) FROM kb_questions WHERE district = ?1 AND asked_at >= ?2 AND confident = 0),
		(SELECT COUNT(*) FROM quiz_sessions q JOIN members m ON m.user_id = q.user_id AND m.status = 'approved'
			WHERE m.district = ?1 AND q.state IN ('done', 'expired') AND q.finished_at >= ?2),
		(SELECT COUNT(*) FROM event_signups su JOIN events e ON e.id = su.event_id JOIN members m ON m.user_id = su.user_id AND m.status = 'approved'
			WHERE m.district = ?1 AND su.status = 'registered' AND e.state = 'open' AND e.ends_at >= ?3 AND e.ends_at < ?5),
		(SELECT COUNT(*) FROM event_signups su JOIN events e ON e.id = su.event_id JOIN members m ON m.user_id = su.user_id AND m.status = 'approved'
			JOIN event_attendance a ON a.event_id = e.id AND a.user_id = su.user_id
			WHERE m.district = ?1 AND su.status = 'registered' AND a.present = 1 AND e.state = 'open' AND e.ends_at >= ?3 AND e.ends_at < ?5),
		(SELECT COUNT(*) FROM quiz_sessions q JOIN members m ON m.user_id = q.user_id AND m.status = 'approved'
			WHERE m.district = ?1 AND q.kind = 'exam' AND q.state IN ('done', 'expired') AND q.finished_at >= ?3 AND q.finished_at < ?4),
		(SELECT COUNT(*) FROM quiz_sessions q JOIN members m ON m.user_id = q.user_id AND m.status = 'approved'
			WHERE m.district = ?1 AND q.kind = 'exam' AND q.passed = 1 AND q.finished_at >= ?3 AND q.finished_at < ?4),
		(SELECT SUM(c.hours) FROM credits c JOIN members m ON m.user_id = c.user_id AND m.status = 'approved'
			WHERE m.district = ?1 AND c.on_day >= ?6 AND c.on_day < ?7)`,
		district, quizTime(since), quizTime(from), quizTime(to), quizTime(now), from.Format(time.DateOnly), to.Format(time.DateOnly),
	).Scan(&st.Workers, &st.ActiveWeek, &st.Questions, &st.Unanswered, &st.Quizzes, &st.Registered, &st.Attended,
		&st.ExamsTaken, &st.ExamsPassed, &hours)
	if err != nil {
		return st, fmt.Errorf("stats of %s: %w", district, err)
	}
	st.HoursDone = hours.Float64
	return st, nil
}
