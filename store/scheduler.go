package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/scheduler"
)

var _ scheduler.Store = (*SchedulerStore)(nil)

// SchedulerStore keeps venues, events, sign-ups, reminders, attendance,
// broadcasts, recurring notices and push preferences.
type SchedulerStore struct {
	db *DB
	c  conn
}

// NewSchedulerStore returns the scheduler store of db.
func NewSchedulerStore(db *DB) *SchedulerStore { return &SchedulerStore{db: db, c: conn{db}} }

func audienceJSON(a scheduler.Audience) string {
	data, _ := json.Marshal(a) // plain fields: cannot fail
	return string(data)
}

func parseAudience(s string) scheduler.Audience {
	var a scheduler.Audience
	_ = json.Unmarshal([]byte(s), &a) // written by audienceJSON
	return a
}

func nullKey(key string) any {
	if key == "" {
		return nil
	}
	return key
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return scheduler.ErrNotFound
	}
	return err
}

// ---- People ----

// Worker returns what the scheduler needs of a person's live profile.
func (s *SchedulerStore) Worker(ctx context.Context, userID int64) (scheduler.Worker, error) {
	w := scheduler.Worker{UserID: userID}
	var status string
	err := s.c.QueryRowContext(ctx, `SELECT name, district, status FROM members
		WHERE user_id = ? AND status IN ('pending', 'approved', 'left')`, userID).Scan(&w.Name, &w.District, &status)
	if err != nil {
		return w, notFound(err)
	}
	w.Approved = status == "approved"
	return w, nil
}

// Reachable reports whether userID is a user the bot knows who has not
// blocked it.
func (s *SchedulerStore) Reachable(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := s.c.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = ? AND blocked_at IS NULL`, userID).Scan(&n)
	return n > 0, err
}

// Resolve lists the approved workers of an audience, leaving out those who
// blocked the bot or turned push off.
func (s *SchedulerStore) Resolve(ctx context.Context, a scheduler.Audience, push string) (scheduler.Recipients, error) {
	districts := a.Districts
	if districts == nil {
		districts = []string{}
	}
	levels := a.Levels
	if levels == nil {
		levels = []string{}
	}
	rows, err := s.c.QueryContext(ctx, `SELECT m.user_id,
			u.blocked_at IS NOT NULL OR EXISTS (SELECT 1 FROM push_prefs p WHERE p.user_id = m.user_id AND p.kind = ?1 AND p.off = 1)
		FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.status = 'approved'
		AND (json_array_length(?2) = 0 OR m.district IN (SELECT value FROM json_each(?2)))
		AND (?3 = 0 OR EXISTS (SELECT 1 FROM event_signups e WHERE e.event_id = ?3 AND e.user_id = m.user_id AND e.status = 'registered'))
		AND (?4 = '' OR NOT EXISTS (SELECT 1 FROM quiz_sessions q WHERE q.user_id = m.user_id AND q.kind = 'exam' AND q.exam_id = ?4 AND q.passed = 1))
		AND (?5 = 0 OR EXISTS (SELECT 1 FROM member_venues v WHERE v.user_id = m.user_id AND v.venue_id = ?5))
		AND (json_array_length(?6) = 0 OR (SELECT l.level FROM levels l WHERE l.user_id = m.user_id ORDER BY l.id DESC LIMIT 1)
			IN (SELECT value FROM json_each(?6)))
		ORDER BY m.user_id`, push, toJSON(districts), a.EventID, a.NotPassed, a.VenueID, toJSON(levels))
	if err != nil {
		return scheduler.Recipients{}, fmt.Errorf("resolve audience: %w", err)
	}
	defer rows.Close()
	var r scheduler.Recipients
	for rows.Next() {
		var id int64
		var skip bool
		if err := rows.Scan(&id, &skip); err != nil {
			return scheduler.Recipients{}, err
		}
		if skip {
			r.Skipped++
		} else {
			r.UserIDs = append(r.UserIDs, id)
		}
	}
	return r, rows.Err()
}

// PushOff reports the pushes a person turned off.
func (s *SchedulerStore) PushOff(ctx context.Context, userID int64) (map[string]bool, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT kind FROM push_prefs WHERE user_id = ? AND off = 1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var kind string
		if err := rows.Scan(&kind); err != nil {
			return nil, err
		}
		out[kind] = true
	}
	return out, rows.Err()
}

// SetPush turns one push on or off.
func (s *SchedulerStore) SetPush(ctx context.Context, userID int64, push string, off bool) error {
	var err error
	if off {
		_, err = s.c.ExecContext(ctx, `INSERT INTO push_prefs (user_id, kind, off) VALUES (?, ?, 1)
			ON CONFLICT (user_id, kind) DO UPDATE SET off = 1`, userID, push)
	} else {
		_, err = s.c.ExecContext(ctx, `DELETE FROM push_prefs WHERE user_id = ? AND kind = ?`, userID, push)
	}
	return err
}

// ---- Venues ----

const venueColumns = `id, COALESCE(key, ''), name, kind, district, address`

func scanVenue(sc interface{ Scan(...any) error }) (scheduler.Venue, error) {
	var v scheduler.Venue
	err := sc.Scan(&v.ID, &v.Key, &v.Name, &v.Kind, &v.District, &v.Address)
	return v, err
}

// PutVenue inserts a venue (ID 0) or updates one.
func (s *SchedulerStore) PutVenue(ctx context.Context, v *scheduler.Venue, by int64) error {
	now := quizTime(s.db.Now())
	var err error
	if v.ID == 0 {
		err = s.c.QueryRowContext(ctx, `INSERT INTO venues (key, name, kind, district, address, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, nullKey(v.Key), v.Name, v.Kind, v.District, v.Address, by, now).Scan(&v.ID)
	} else {
		_, err = s.c.ExecContext(ctx, `UPDATE venues SET name = ?, kind = ?, district = ?, address = ?, updated_at = ? WHERE id = ?`,
			v.Name, v.Kind, v.District, v.Address, now, v.ID)
	}
	if isUniqueViolation(err) {
		return fmt.Errorf("%w: %s", scheduler.ErrDuplicateID, v.Name)
	}
	return err
}

// Venue returns one venue.
func (s *SchedulerStore) Venue(ctx context.Context, id int64) (scheduler.Venue, error) {
	v, err := scanVenue(s.c.QueryRowContext(ctx, `SELECT `+venueColumns+` FROM venues WHERE id = ?`, id))
	return v, notFound(err)
}

// Venues lists the venues of district and the city's ("" lists all).
func (s *SchedulerStore) Venues(ctx context.Context, district string) ([]scheduler.Venue, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+venueColumns+` FROM venues
		WHERE ?1 = '' OR district IN ('', ?1) ORDER BY district, kind, name`, district)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scheduler.Venue
	for rows.Next() {
		v, err := scanVenue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteVenue removes a venue; events there lose it, stations are cleared.
func (s *SchedulerStore) DeleteVenue(ctx context.Context, id int64) error {
	if _, err := s.c.ExecContext(ctx, `UPDATE events SET place = (SELECT name FROM venues WHERE id = ?1), venue_id = NULL WHERE venue_id = ?1`, id); err != nil {
		return err
	}
	if _, err := s.c.ExecContext(ctx, `DELETE FROM member_venues WHERE venue_id = ?`, id); err != nil {
		return err
	}
	_, err := s.c.ExecContext(ctx, `DELETE FROM venues WHERE id = ?`, id)
	return err
}

// SetStation records a worker's venue (0 clears).
func (s *SchedulerStore) SetStation(ctx context.Context, userID, venueID int64) error {
	if venueID == 0 {
		_, err := s.c.ExecContext(ctx, `DELETE FROM member_venues WHERE user_id = ?`, userID)
		return err
	}
	_, err := s.c.ExecContext(ctx, `INSERT INTO member_venues (user_id, venue_id) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET venue_id = excluded.venue_id`, userID, venueID)
	return err
}

// Station returns a worker's venue id.
func (s *SchedulerStore) Station(ctx context.Context, userID int64) (int64, error) {
	var id int64
	err := s.c.QueryRowContext(ctx, `SELECT venue_id FROM member_venues WHERE user_id = ?`, userID).Scan(&id)
	return id, notFound(err)
}

// SyncContentVenues inserts or updates the content's venues by key.
func (s *SchedulerStore) SyncContentVenues(ctx context.Context, vs []scheduler.Venue) error {
	now := quizTime(s.db.Now())
	for _, v := range vs {
		_, err := s.c.ExecContext(ctx, `INSERT INTO venues (key, name, kind, district, address, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, 0, ?)
			ON CONFLICT (key) DO UPDATE SET name = excluded.name, kind = excluded.kind, district = excluded.district,
				address = excluded.address, updated_at = excluded.updated_at`,
			v.Key, v.Name, v.Kind, v.District, v.Address, now)
		if err != nil {
			return fmt.Errorf("venue %s: %w", v.Key, err)
		}
	}
	return nil
}

// ---- Events ----

const eventColumns = `id, COALESCE(key, ''), kind, title, description, starts_at, ends_at, COALESCE(venue_id, 0),
	COALESCE((SELECT name FROM venues v WHERE v.id = events.venue_id), ''), place, district,
	audience, capacity, hours, state, created_by, created_at`

func scanEvent(sc interface{ Scan(...any) error }) (scheduler.Event, error) {
	var e scheduler.Event
	var kind, state, start, end, audience, created string
	err := sc.Scan(&e.ID, &e.Key, &kind, &e.Title, &e.Description, &start, &end, &e.VenueID, &e.VenueName, &e.Place, &e.District,
		&audience, &e.Capacity, &e.Hours, &state, &e.CreatedBy, &created)
	e.Kind, e.State, e.Audience = scheduler.EventKind(kind), scheduler.EventState(state), parseAudience(audience)
	e.Start, e.End, e.Created = parseQuizTime(start), parseQuizTime(end), parseQuizTime(created)
	return e, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateEvent inserts an event.
func (s *SchedulerStore) CreateEvent(ctx context.Context, e *scheduler.Event, secret []byte) error {
	now := quizTime(s.db.Now())
	return s.c.QueryRowContext(ctx, `INSERT INTO events (key, kind, title, description, starts_at, ends_at, venue_id, place, district,
			audience, capacity, hours, state, secret, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullKey(e.Key), string(e.Kind), e.Title, e.Description, quizTime(e.Start), quizTime(e.End), nullID(e.VenueID), e.Place, e.District,
		audienceJSON(e.Audience), e.Capacity, e.Hours, string(e.State), secret, e.CreatedBy, quizTime(e.Created), now).Scan(&e.ID)
}

// UpdateEvent stores an event's fields.
func (s *SchedulerStore) UpdateEvent(ctx context.Context, e scheduler.Event) error {
	res, err := s.c.ExecContext(ctx, `UPDATE events SET kind = ?, title = ?, description = ?, starts_at = ?, ends_at = ?, venue_id = ?,
		place = ?, district = ?, audience = ?, capacity = ?, hours = ?, state = ?, updated_at = ? WHERE id = ?`,
		string(e.Kind), e.Title, e.Description, quizTime(e.Start), quizTime(e.End), nullID(e.VenueID), e.Place, e.District,
		audienceJSON(e.Audience), e.Capacity, e.Hours, string(e.State), quizTime(s.db.Now()), e.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return scheduler.ErrNotFound
	}
	return nil
}

// Event returns one event.
func (s *SchedulerStore) Event(ctx context.Context, id int64) (scheduler.Event, error) {
	e, err := scanEvent(s.c.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ?`, id))
	return e, notFound(err)
}

// EventByKey returns the event of a content id.
func (s *SchedulerStore) EventByKey(ctx context.Context, key string) (scheduler.Event, error) {
	e, err := scanEvent(s.c.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE key = ?`, key))
	return e, notFound(err)
}

// EventSecret returns the key of an event's check-in codes.
func (s *SchedulerStore) EventSecret(ctx context.Context, id int64) ([]byte, error) {
	var secret []byte
	err := s.c.QueryRowContext(ctx, `SELECT secret FROM events WHERE id = ?`, id).Scan(&secret)
	return secret, notFound(err)
}

func (s *SchedulerStore) events(ctx context.Context, query string, args ...any) ([]scheduler.Event, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+eventColumns+` FROM events `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scheduler.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventsOpenTo lists the open events a person may see: open to their
// district (an event naming no districts is open to its own district's
// people, or to all for a city event), or signed up for.
func (s *SchedulerStore) EventsOpenTo(ctx context.Context, now time.Time, userID int64, district string, offset, limit int) ([]scheduler.Event, error) {
	return s.events(ctx, `WHERE state = 'open' AND ends_at > ?1 AND (
			(?3 <> '' AND ((COALESCE(json_array_length(audience, '$.districts'), 0) = 0 AND district IN ('', ?3))
				OR EXISTS (SELECT 1 FROM json_each(audience, '$.districts') WHERE value = ?3)))
			OR EXISTS (SELECT 1 FROM event_signups s WHERE s.event_id = events.id AND s.user_id = ?2))
		ORDER BY starts_at, id LIMIT ?5 OFFSET ?4`, quizTime(now), userID, district, offset, limit)
}

// EventsOwnedBy lists the open events of district ("" all) ending after since.
func (s *SchedulerStore) EventsOwnedBy(ctx context.Context, since time.Time, district string, offset, limit int) ([]scheduler.Event, error) {
	return s.events(ctx, `WHERE state = 'open' AND ends_at > ?1 AND (?2 = '' OR district = ?2)
		ORDER BY starts_at, id LIMIT ?4 OFFSET ?3`, quizTime(since), district, offset, limit)
}

// RunningEvents lists open events whose check-in is open at now.
func (s *SchedulerStore) RunningEvents(ctx context.Context, now time.Time, before, after time.Duration) ([]scheduler.Event, error) {
	return s.events(ctx, `WHERE state = 'open' AND starts_at <= ? AND ends_at > ? ORDER BY starts_at, id`,
		quizTime(now.Add(before)), quizTime(now.Add(-after)))
}

// SyncContentEvents inserts or updates the content's events by key.
func (s *SchedulerStore) SyncContentEvents(ctx context.Context, events []scheduler.Event, venues map[string]string, secret func() []byte) error {
	now := quizTime(s.db.Now())
	for _, e := range events {
		_, err := s.c.ExecContext(ctx, `INSERT INTO events (key, kind, title, description, starts_at, ends_at, venue_id, place, district,
				audience, capacity, hours, state, secret, created_by, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT id FROM venues WHERE key = ?7), ?8, ?9, ?10, ?11, ?12, 'open', ?13, 0, ?14, ?14)
			ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, title = excluded.title, description = excluded.description,
				starts_at = excluded.starts_at, ends_at = excluded.ends_at, venue_id = excluded.venue_id, place = excluded.place,
				district = excluded.district, audience = excluded.audience, capacity = excluded.capacity, hours = excluded.hours,
				updated_at = excluded.updated_at`,
			e.Key, string(e.Kind), e.Title, e.Description, quizTime(e.Start), quizTime(e.End), nullKey(venues[e.Key]), e.Place, e.District,
			audienceJSON(e.Audience), e.Capacity, e.Hours, secret(), now)
		if err != nil {
			return fmt.Errorf("event %s: %w", e.Key, err)
		}
	}
	return nil
}

// ---- Sign-ups ----

func scanSignup(sc interface{ Scan(...any) error }) (scheduler.Signup, error) {
	var su scheduler.Signup
	var status, at string
	err := sc.Scan(&su.EventID, &su.UserID, &status, &at, &su.Seq)
	su.Status, su.At = scheduler.SignupStatus(status), parseQuizTime(at)
	return su, err
}

// Signup returns one sign-up.
func (s *SchedulerStore) Signup(ctx context.Context, eventID, userID int64) (scheduler.Signup, error) {
	su, err := scanSignup(s.c.QueryRowContext(ctx, `SELECT event_id, user_id, status, at, seq FROM event_signups WHERE event_id = ? AND user_id = ?`, eventID, userID))
	return su, notFound(err)
}

// PutSignup inserts a sign-up at the end of the queue, or changes its status.
func (s *SchedulerStore) PutSignup(ctx context.Context, su scheduler.Signup) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO event_signups (event_id, user_id, status, at, seq)
		VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(seq), 0) + 1 FROM event_signups WHERE event_id = ?1))
		ON CONFLICT (event_id, user_id) DO UPDATE SET status = excluded.status`,
		su.EventID, su.UserID, string(su.Status), quizTime(su.At))
	return err
}

// PruneSignups removes the sign-ups of people no longer approved.
func (s *SchedulerStore) PruneSignups(ctx context.Context, eventID int64) (int, error) {
	res, err := s.c.ExecContext(ctx, `DELETE FROM event_signups WHERE event_id = ?
		AND user_id NOT IN (SELECT user_id FROM members WHERE status = 'approved' AND user_id IS NOT NULL)`, eventID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteSignup removes a sign-up.
func (s *SchedulerStore) DeleteSignup(ctx context.Context, eventID, userID int64) error {
	_, err := s.c.ExecContext(ctx, `DELETE FROM event_signups WHERE event_id = ? AND user_id = ?`, eventID, userID)
	return err
}

func (s *SchedulerStore) signups(ctx context.Context, query string, args ...any) ([]scheduler.Signup, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT event_id, user_id, status, at, seq FROM event_signups `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scheduler.Signup
	for rows.Next() {
		su, err := scanSignup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, su)
	}
	return out, rows.Err()
}

// Signups lists an event's sign-ups: registered first, each in order.
func (s *SchedulerStore) Signups(ctx context.Context, eventID int64) ([]scheduler.Signup, error) {
	return s.signups(ctx, `WHERE event_id = ? ORDER BY status = 'waiting', seq`, eventID)
}

// CountSignups counts an event's registered and waiting people.
func (s *SchedulerStore) CountSignups(ctx context.Context, eventID int64) (registered, waiting int, err error) {
	err = s.c.QueryRowContext(ctx, `SELECT COALESCE(SUM(status = 'registered'), 0), COALESCE(SUM(status = 'waiting'), 0)
		FROM event_signups WHERE event_id = ?`, eventID).Scan(&registered, &waiting)
	return registered, waiting, err
}

// Standing counts an event's sign-ups and finds userID's among them; the
// queue index answers each part.
func (s *SchedulerStore) Standing(ctx context.Context, eventID, userID int64) (scheduler.Standing, error) {
	var st scheduler.Standing
	var mine string
	err := s.c.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM event_signups WHERE event_id = ?1 AND status = 'registered'),
		(SELECT COUNT(*) FROM event_signups WHERE event_id = ?1 AND status = 'waiting'),
		COALESCE((SELECT status FROM event_signups WHERE event_id = ?1 AND user_id = ?2), ''),
		COALESCE((SELECT COUNT(*) FROM event_signups w WHERE w.event_id = ?1 AND w.status = 'waiting'
			AND w.seq <= (SELECT m.seq FROM event_signups m WHERE m.event_id = ?1 AND m.user_id = ?2 AND m.status = 'waiting')), 0)`,
		eventID, userID).Scan(&st.Registered, &st.Waiting, &mine, &st.Position)
	st.Mine = scheduler.SignupStatus(mine)
	return st, err
}

// UserSignups lists a person's sign-ups of open events not yet over.
func (s *SchedulerStore) UserSignups(ctx context.Context, userID int64, now time.Time) ([]scheduler.Signup, error) {
	return s.signups(ctx, `WHERE user_id = ? AND event_id IN (SELECT id FROM events WHERE state = 'open' AND ends_at > ?)
		ORDER BY (SELECT starts_at FROM events WHERE id = event_id)`, userID, quizTime(now))
}

// ---- Reminders ----

// PutReminders sets an event's reminders: one due at a new time still
// ahead is pending; one whose time has passed keeps its state (a new one
// is dropped: it is too late to remind).
func (s *SchedulerStore) PutReminders(ctx context.Context, eventID int64, rs []scheduler.Reminder, now time.Time) error {
	var keep []int64
	for _, r := range rs {
		secs := int64(r.Before / time.Second)
		keep = append(keep, secs)
		state := "dropped"
		if r.Due.After(now) {
			state = "pending"
		}
		_, err := s.c.ExecContext(ctx, `INSERT INTO event_reminders (event_id, offset_s, due_at, state) VALUES (?1, ?2, ?3, ?4)
			ON CONFLICT (event_id, offset_s) DO UPDATE SET
				state = CASE WHEN event_reminders.due_at = excluded.due_at THEN event_reminders.state
					WHEN ?4 = 'pending' THEN 'pending'
					WHEN event_reminders.state = 'sent' THEN 'sent' ELSE 'dropped' END,
				due_at = excluded.due_at`,
			eventID, secs, quizTime(r.Due), state)
		if err != nil {
			return fmt.Errorf("reminders of event %d: %w", eventID, err)
		}
	}
	_, err := s.c.ExecContext(ctx, `DELETE FROM event_reminders WHERE event_id = ? AND offset_s NOT IN (SELECT value FROM json_each(?))`,
		eventID, toJSON(keep))
	return err
}

// DropReminders drops an event's pending reminders.
func (s *SchedulerStore) DropReminders(ctx context.Context, eventID int64) error {
	_, err := s.c.ExecContext(ctx, `UPDATE event_reminders SET state = 'dropped' WHERE event_id = ? AND state = 'pending'`, eventID)
	return err
}

// DueReminders lists pending reminders due by now, oldest first.
func (s *SchedulerStore) DueReminders(ctx context.Context, now time.Time, limit int) ([]scheduler.Reminder, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT event_id, offset_s, due_at FROM event_reminders
		WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, event_id LIMIT ?`, quizTime(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scheduler.Reminder
	for rows.Next() {
		var r scheduler.Reminder
		var secs int64
		var due string
		if err := rows.Scan(&r.EventID, &secs, &due); err != nil {
			return nil, err
		}
		r.Before, r.Due = time.Duration(secs)*time.Second, parseQuizTime(due)
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkReminder marks a pending reminder sent, or dropped;
// scheduler.ErrNotFound when it is not pending (any more).
func (s *SchedulerStore) MarkReminder(ctx context.Context, r scheduler.Reminder, sent bool) error {
	state := "dropped"
	if sent {
		state = "sent"
	}
	res, err := s.c.ExecContext(ctx, `UPDATE event_reminders SET state = ? WHERE event_id = ? AND offset_s = ? AND state = 'pending'`,
		state, r.EventID, int64(r.Before/time.Second))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return scheduler.ErrNotFound
	}
	return nil
}

// ---- Attendance ----

// PutAttendance records or replaces a person's attendance.
func (s *SchedulerStore) PutAttendance(ctx context.Context, a scheduler.Attendance) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO event_attendance (event_id, user_id, at, method, present, hours, marked_by, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (event_id, user_id) DO UPDATE SET at = excluded.at, method = excluded.method, present = excluded.present,
			hours = excluded.hours, marked_by = excluded.marked_by, reason = excluded.reason`,
		a.EventID, a.UserID, quizTime(a.At), a.Method, a.Present, a.Hours, a.MarkedBy, a.Reason)
	return err
}

// Attendance lists an event's attendance in order of arrival.
func (s *SchedulerStore) Attendance(ctx context.Context, eventID int64) ([]scheduler.Attendance, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT event_id, user_id, at, method, present, hours, marked_by, reason
		FROM event_attendance WHERE event_id = ? ORDER BY at, user_id`, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scheduler.Attendance
	for rows.Next() {
		var a scheduler.Attendance
		var at string
		if err := rows.Scan(&a.EventID, &a.UserID, &at, &a.Method, &a.Present, &a.Hours, &a.MarkedBy, &a.Reason); err != nil {
			return nil, err
		}
		a.At = parseQuizTime(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- Broadcasts ----

const broadcastColumns = `id, text, media, audience, district, ack, send_at, state, recipients, skipped, created_by, created_at,
	status_chat, status_msg, revision`

func scanBroadcast(sc interface{ Scan(...any) error }) (scheduler.Broadcast, error) {
	var b scheduler.Broadcast
	var audience, sendAt, state, created string
	err := sc.Scan(&b.ID, &b.Text, &b.Media, &audience, &b.District, &b.Ack, &sendAt, &state, &b.Recipients, &b.Skipped,
		&b.CreatedBy, &created, &b.StatusChat, &b.StatusMessage, &b.Revision)
	b.Audience, b.SendAt, b.State, b.Created = parseAudience(audience), parseQuizTime(sendAt), scheduler.BroadcastState(state), parseQuizTime(created)
	return b, err
}

// CreateBroadcast inserts a broadcast.
func (s *SchedulerStore) CreateBroadcast(ctx context.Context, b *scheduler.Broadcast) error {
	return s.c.QueryRowContext(ctx, `INSERT INTO broadcasts (text, media, audience, district, ack, send_at, state, recipients, skipped,
			created_by, created_at, status_chat, status_msg, revision)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		b.Text, b.Media, audienceJSON(b.Audience), b.District, b.Ack, quizTime(b.SendAt), string(b.State), b.Recipients, b.Skipped,
		b.CreatedBy, quizTime(b.Created), b.StatusChat, b.StatusMessage, b.Revision).Scan(&b.ID)
}

// UpdateBroadcast stores a broadcast's fields.
func (s *SchedulerStore) UpdateBroadcast(ctx context.Context, b scheduler.Broadcast) error {
	_, err := s.c.ExecContext(ctx, `UPDATE broadcasts SET text = ?, media = ?, audience = ?, district = ?, ack = ?, send_at = ?, state = ?,
		recipients = ?, skipped = ?, status_chat = ?, status_msg = ?, revision = ? WHERE id = ?`,
		b.Text, b.Media, audienceJSON(b.Audience), b.District, b.Ack, quizTime(b.SendAt), string(b.State),
		b.Recipients, b.Skipped, b.StatusChat, b.StatusMessage, b.Revision, b.ID)
	return err
}

// Broadcast returns one broadcast.
func (s *SchedulerStore) Broadcast(ctx context.Context, id int64) (scheduler.Broadcast, error) {
	b, err := scanBroadcast(s.c.QueryRowContext(ctx, `SELECT `+broadcastColumns+` FROM broadcasts WHERE id = ?`, id))
	return b, notFound(err)
}

func (s *SchedulerStore) broadcasts(ctx context.Context, query string, args ...any) ([]scheduler.Broadcast, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+broadcastColumns+` FROM broadcasts `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scheduler.Broadcast
	for rows.Next() {
		b, err := scanBroadcast(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Broadcasts lists the latest broadcasts of district ("" all).
func (s *SchedulerStore) Broadcasts(ctx context.Context, district string, limit int) ([]scheduler.Broadcast, error) {
	return s.broadcasts(ctx, `WHERE ?1 = '' OR district = ?1 ORDER BY id DESC LIMIT ?2`, district, limit)
}

// DueBroadcasts lists scheduled broadcasts whose time has come.
func (s *SchedulerStore) DueBroadcasts(ctx context.Context, now time.Time, limit int) ([]scheduler.Broadcast, error) {
	return s.broadcasts(ctx, `WHERE state = 'scheduled' AND send_at <= ? ORDER BY send_at, id LIMIT ?`, quizTime(now), limit)
}

// ScheduledBroadcastsBy lists the broadcasts userID made that are still
// scheduled.
func (s *SchedulerStore) ScheduledBroadcastsBy(ctx context.Context, userID int64) ([]scheduler.Broadcast, error) {
	return s.broadcasts(ctx, `WHERE state = 'scheduled' AND created_by = ? ORDER BY id`, userID)
}

// Ack records an acknowledgement; false when it was there already.
func (s *SchedulerStore) Ack(ctx context.Context, broadcastID, userID int64, at time.Time) (bool, error) {
	res, err := s.c.ExecContext(ctx, `INSERT INTO broadcast_acks (broadcast_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		broadcastID, userID, quizTime(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Acked is the set of people who acknowledged a broadcast.
func (s *SchedulerStore) Acked(ctx context.Context, broadcastID int64) (map[int64]bool, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT user_id FROM broadcast_acks WHERE broadcast_id = ?`, broadcastID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// NotTakenBack lists a broadcast's delivered copies (and its reminders')
// with no deletion or edit queued under broadcast:<id>:withdraw.
func (s *SchedulerStore) NotTakenBack(ctx context.Context, broadcastID int64) ([]outbox.Message, error) {
	ref := scheduler.BroadcastRef(broadcastID)
	rows, err := s.c.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox o
		WHERE o.ref IN (?1, ?1 || ':remind') AND o.op = 'send' AND o.status = 'sent' AND o.message_id <> 0
		AND NOT EXISTS (SELECT 1 FROM outbox w WHERE w.ref = ?1 || ':withdraw' AND w.chat_id = o.chat_id AND w.target = o.message_id)
		ORDER BY o.id`, ref)
	if err != nil {
		return nil, fmt.Errorf("copies of %s: %w", ref, err)
	}
	return scanOutbox(rows)
}

// Received reports whether the broadcast was delivered to userID: sent,
// or perhaps sent (in flight, or uncertain after a crash) — a press of its
// button shows that it arrived.
func (s *SchedulerStore) Received(ctx context.Context, broadcastID, userID int64) (bool, error) {
	var n int
	err := s.c.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE ref = ? AND chat_id = ? AND op = 'send'
		AND status IN ('sending', 'sent', 'uncertain')`,
		scheduler.BroadcastRef(broadcastID), userID).Scan(&n)
	return n > 0, err
}

// BroadcastCounts counts a broadcast's messages by status, and the failed
// ones whose person has blocked the bot.
func (s *SchedulerStore) BroadcastCounts(ctx context.Context, broadcastID int64) (outbox.Counts, int, error) {
	var c outbox.Counts
	var blocked int
	err := s.c.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(o.status = 'pending'), 0), COALESCE(SUM(o.status = 'sending'), 0), COALESCE(SUM(o.status = 'sent'), 0),
		COALESCE(SUM(o.status = 'failed'), 0), COALESCE(SUM(o.status = 'uncertain'), 0), COALESCE(SUM(o.status = 'cancelled'), 0),
		COALESCE(SUM(o.crashes > 0 AND o.status IN ('pending', 'sending', 'sent')), 0),
		COALESCE(SUM(o.status = 'failed' AND u.blocked_at IS NOT NULL), 0)
		FROM outbox o LEFT JOIN users u ON u.id = o.chat_id WHERE o.ref = ?`, scheduler.BroadcastRef(broadcastID)).
		Scan(&c.Pending, &c.Sending, &c.Sent, &c.Failed, &c.Uncertain, &c.Cancelled, &c.Resent, &blocked)
	return c, blocked, err
}

// ---- Schedules ----

const scheduleColumns = `id, COALESCE(key, ''), title, text, spec, audience, district, paused, created_by, last_run`

func scanSchedule(sc interface{ Scan(...any) error }) (scheduler.Schedule, error) {
	var x scheduler.Schedule
	var audience, last string
	err := sc.Scan(&x.ID, &x.Key, &x.Title, &x.Text, &x.Spec, &audience, &x.District, &x.Paused, &x.CreatedBy, &last)
	x.Audience, x.LastRun = parseAudience(audience), parseQuizTime(last)
	return x, err
}

// PutSchedule inserts (ID 0) or updates a schedule.
func (s *SchedulerStore) PutSchedule(ctx context.Context, x *scheduler.Schedule) error {
	if x.ID == 0 {
		return s.c.QueryRowContext(ctx, `INSERT INTO schedules (key, title, text, spec, audience, district, paused, created_by, created_at, last_run)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			nullKey(x.Key), x.Title, x.Text, x.Spec, audienceJSON(x.Audience), x.District, x.Paused, x.CreatedBy,
			quizTime(s.db.Now()), quizTime(x.LastRun)).Scan(&x.ID)
	}
	_, err := s.c.ExecContext(ctx, `UPDATE schedules SET title = ?, text = ?, spec = ?, audience = ?, district = ?, paused = ?, last_run = ?,
		created_by = ? WHERE id = ?`, x.Title, x.Text, x.Spec, audienceJSON(x.Audience), x.District, x.Paused, quizTime(x.LastRun),
		x.CreatedBy, x.ID)
	return err
}

// Schedule returns one schedule.
func (s *SchedulerStore) Schedule(ctx context.Context, id int64) (scheduler.Schedule, error) {
	x, err := scanSchedule(s.c.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE id = ?`, id))
	return x, notFound(err)
}

// Schedules lists the schedules of district ("" all).
func (s *SchedulerStore) Schedules(ctx context.Context, district string) ([]scheduler.Schedule, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE ?1 = '' OR district = ?1 ORDER BY id`, district)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scheduler.Schedule
	for rows.Next() {
		x, err := scanSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// DeleteSchedule removes a schedule.
func (s *SchedulerStore) DeleteSchedule(ctx context.Context, id int64) error {
	_, err := s.c.ExecContext(ctx, `DELETE FROM schedules WHERE id = ?`, id)
	return err
}

// SyncContentSchedules makes the content's schedules exactly ss: it
// inserts them by key (counting runs from now), updates their texts and
// times (a changed spec counts from now; a coordinator's pause stays), and
// removes the content schedules that left the content, so they stop.
func (s *SchedulerStore) SyncContentSchedules(ctx context.Context, ss []scheduler.Schedule, now time.Time) error {
	keys := []string{}
	for _, x := range ss {
		keys = append(keys, x.Key)
	}
	if _, err := s.c.ExecContext(ctx, `DELETE FROM schedules WHERE key IS NOT NULL AND key NOT IN (SELECT value FROM json_each(?))`,
		toJSON(keys)); err != nil {
		return fmt.Errorf("schedules no longer in the content: %w", err)
	}
	for _, x := range ss {
		_, err := s.c.ExecContext(ctx, `INSERT INTO schedules (key, title, text, spec, audience, district, paused, created_by, created_at, last_run)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?8)
			ON CONFLICT (key) DO UPDATE SET title = excluded.title, text = excluded.text, audience = excluded.audience,
				district = excluded.district,
				last_run = CASE WHEN schedules.spec = excluded.spec THEN schedules.last_run ELSE excluded.last_run END,
				spec = excluded.spec`,
			x.Key, x.Title, x.Text, x.Spec, audienceJSON(x.Audience), x.District, x.Paused, quizTime(now))
		if err != nil {
			return fmt.Errorf("schedule %s: %w", x.Key, err)
		}
	}
	return nil
}
