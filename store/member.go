package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
)

var _ member.Store = (*MemberStore)(nil)

// MemberStore keeps the member package's profiles, roster, roles, invites,
// history and audit log.
type MemberStore struct {
	memberReader
	db *DB
}

// NewMemberStore returns the member store of db.
func NewMemberStore(db *DB) *MemberStore {
	return &MemberStore{memberReader: memberReader{q: conn{db}}, db: db}
}

// Atomic runs fn in one transaction; see member.Store.
func (s *MemberStore) Atomic(ctx context.Context, fn func(ctx context.Context, tx member.Tx) error) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		// The transaction's reads and writes, with the kept statements.
		tx := txq{txOwner(ctx), ctx.Value(txKey{}).(*sql.Tx)}
		return fn(ctx, &memberTx{memberReader: memberReader{q: tx}, tx: tx})
	})
}

type memberQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const (
	memberTimeLayout = time.RFC3339
	memberDateLayout = time.DateOnly
)

func memberFormatTime(t time.Time) string { return t.UTC().Format(memberTimeLayout) }

func memberParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(memberTimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q: %w", s, err)
	}
	return t, nil
}

func memberNullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(memberDateLayout)
}

func memberParseDate(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(memberDateLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q: %w", s.String, err)
	}
	return t, nil
}

// memberNullID stores a user or member id, 0 meaning none.
func memberNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func memberNullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// memberReader holds the reads, shared by the store and its transactions.
type memberReader struct {
	q memberQuerier
}

const memberColumns = `m.id, m.user_id, m.name, m.phone, m.phone_verified, m.district, m.org, m.post,
	m.education, m.start_year, m.status, m.status_reason, m.status_at, m.left_on, m.created_at,
	m.updated_at, u.blocked_at IS NOT NULL, c.user_id IS NOT NULL, COALESCE(c.district, '')
	FROM members m
	LEFT JOIN users u ON u.id = m.user_id
	LEFT JOIN coordinators c ON c.user_id = m.user_id`

const memberLiveStatuses = `('pending', 'approved', 'left')`

type memberScanner interface{ Scan(dest ...any) error }

func scanMember(sc memberScanner) (member.Profile, error) {
	var (
		p                            member.Profile
		userID                       sql.NullInt64
		phone, leftOn                sql.NullString
		statusAt, createdAt, updated string
		status                       string
		blocked, coordinator         bool
	)
	err := sc.Scan(&p.ID, &userID, &p.Name, &phone, &p.PhoneVerified, &p.District, &p.Org, &p.Post,
		&p.Education, &p.StartYear, &status, &p.StatusReason, &statusAt, &leftOn, &createdAt,
		&updated, &blocked, &coordinator, &p.CoordDistrict)
	if err != nil {
		return member.Profile{}, err
	}
	p.UserID, p.Phone, p.Status, p.Blocked = userID.Int64, phone.String, member.Status(status), blocked
	if coordinator {
		p.Role = member.RoleCoordinator
	}
	if p.StatusAt, err = memberParseTime(statusAt); err != nil {
		return member.Profile{}, err
	}
	if p.CreatedAt, err = memberParseTime(createdAt); err != nil {
		return member.Profile{}, err
	}
	if p.UpdatedAt, err = memberParseTime(updated); err != nil {
		return member.Profile{}, err
	}
	if p.LeftOn, err = memberParseDate(leftOn); err != nil {
		return member.Profile{}, err
	}
	return p, nil
}

func (r memberReader) oneMember(ctx context.Context, where string, args ...any) (member.Profile, error) {
	p, err := scanMember(r.q.QueryRowContext(ctx, `SELECT `+memberColumns+` WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return member.Profile{}, member.ErrNotFound
	}
	if err != nil {
		return member.Profile{}, fmt.Errorf("read member: %w", err)
	}
	return p, nil
}

func (r memberReader) members(ctx context.Context, query string, args ...any) ([]member.Profile, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+memberColumns+` `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	defer rows.Close()
	ps := []member.Profile{}
	for rows.Next() {
		p, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("read members: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	return ps, nil
}

func (r memberReader) MemberByID(ctx context.Context, id int64) (member.Profile, error) {
	return r.oneMember(ctx, `m.id = ?`, id)
}

func (r memberReader) MembersByUser(ctx context.Context, userID int64) ([]member.Profile, error) {
	return r.members(ctx, `WHERE m.user_id = ? AND m.status <> 'deleted' ORDER BY m.id DESC`, userID)
}

func (r memberReader) MemberByPhone(ctx context.Context, phone string) (member.Profile, error) {
	return r.oneMember(ctx, `m.phone = ? AND m.status IN `+memberLiveStatuses, phone)
}

// memberLikeEscaper escapes LIKE's wildcards with a backslash.
var memberLikeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (r memberReader) ListMembers(ctx context.Context, f member.MemberFilter) ([]member.Profile, error) {
	var where []string
	var args []any
	if len(f.Statuses) > 0 {
		marks := strings.Repeat("?, ", len(f.Statuses))
		where = append(where, `m.status IN (`+marks[:len(marks)-2]+`)`)
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.District != "" {
		where = append(where, `m.district = ?`)
		args = append(args, f.District)
	}
	if f.Reachable {
		where = append(where, `u.id IS NOT NULL AND u.blocked_at IS NULL`)
	}
	if f.Query != "" {
		like := "%" + memberLikeEscaper.Replace(f.Query) + "%"
		where = append(where, `(m.name LIKE ? ESCAPE '\' OR m.phone LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	q := ""
	if len(where) > 0 {
		q = `WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY m.id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return r.members(ctx, q, args...)
}

func (r memberReader) RosterEntry(ctx context.Context, phone, district string) (member.RosterEntry, error) {
	var (
		e                   member.RosterEntry
		by                  sql.NullInt64
		importedAt, updated string
	)
	err := r.q.QueryRowContext(ctx, `SELECT phone, name, district, org, post, imported_by, imported_at, updated_at
		FROM roster WHERE phone = ? AND district = ?`, phone, district).Scan(&e.Phone, &e.Name, &e.District, &e.Org, &e.Post, &by, &importedAt, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return member.RosterEntry{}, member.ErrNotFound
	}
	if err != nil {
		return member.RosterEntry{}, fmt.Errorf("read roster: %w", err)
	}
	e.ImportedBy = by.Int64
	if e.ImportedAt, err = memberParseTime(importedAt); err != nil {
		return member.RosterEntry{}, err
	}
	if e.UpdatedAt, err = memberParseTime(updated); err != nil {
		return member.RosterEntry{}, err
	}
	return e, nil
}

const memberCoordinatorColumns = `c.user_id, c.district, c.granted_by, c.granted_at,
	COALESCE((SELECT name FROM members WHERE user_id = c.user_id AND status <> 'deleted' ORDER BY id DESC LIMIT 1), ''),
	COALESCE((SELECT username FROM users WHERE id = c.user_id), ''),
	EXISTS (SELECT 1 FROM users WHERE id = c.user_id)
	FROM coordinators c`

func memberScanCoordinator(sc memberScanner) (member.Coordinator, error) {
	var (
		c  member.Coordinator
		by sql.NullInt64
		at string
	)
	if err := sc.Scan(&c.UserID, &c.District, &by, &at, &c.Name, &c.Username, &c.Opened); err != nil {
		return member.Coordinator{}, err
	}
	c.GrantedBy = by.Int64
	var err error
	c.GrantedAt, err = memberParseTime(at)
	return c, err
}

func (r memberReader) Coordinator(ctx context.Context, userID int64) (member.Coordinator, error) {
	c, err := memberScanCoordinator(r.q.QueryRowContext(ctx, `SELECT `+memberCoordinatorColumns+` WHERE c.user_id = ?`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return member.Coordinator{}, member.ErrNotFound
	}
	if err != nil {
		return member.Coordinator{}, fmt.Errorf("read coordinator: %w", err)
	}
	return c, nil
}

func (r memberReader) UserKnown(ctx context.Context, userID int64) (bool, error) {
	var known bool
	if err := r.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)`, userID).Scan(&known); err != nil {
		return false, fmt.Errorf("read user: %w", err)
	}
	return known, nil
}

func (r memberReader) SeenSince(ctx context.Context, u member.TelegramUser, since time.Time) (bool, error) {
	var fresh bool
	err := r.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = ? AND username IS ? AND first_name IS ? AND last_name IS ?
		AND language IS ? AND blocked_at IS NULL AND last_seen >= ?)`,
		u.ID, u.Username, u.FirstName, u.LastName, u.Language, memberFormatTime(since)).Scan(&fresh)
	if err != nil {
		return false, fmt.Errorf("read user: %w", err)
	}
	return fresh, nil
}

func (r memberReader) Coordinators(ctx context.Context) ([]member.Coordinator, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+memberCoordinatorColumns+` ORDER BY c.district, c.user_id`)
	if err != nil {
		return nil, fmt.Errorf("read coordinators: %w", err)
	}
	defer rows.Close()
	cs := []member.Coordinator{}
	for rows.Next() {
		c, err := memberScanCoordinator(rows)
		if err != nil {
			return nil, fmt.Errorf("read coordinators: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read coordinators: %w", err)
	}
	return cs, nil
}

func (r memberReader) InviteByHash(ctx context.Context, hash string) (member.Invite, error) {
	var (
		inv                  member.Invite
		createdBy, usedBy    sql.NullInt64
		createdAt, expiresAt string
		usedAt               sql.NullString
	)
	err := r.q.QueryRowContext(ctx, `SELECT id, district, created_by, created_at, expires_at, used_by, used_at
		FROM invites WHERE code_hash = ?`, hash).Scan(&inv.ID, &inv.District, &createdBy, &createdAt, &expiresAt, &usedBy, &usedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return member.Invite{}, member.ErrNotFound
	}
	if err != nil {
		return member.Invite{}, fmt.Errorf("read invite: %w", err)
	}
	inv.CreatedBy, inv.UsedBy = createdBy.Int64, usedBy.Int64
	if inv.CreatedAt, err = memberParseTime(createdAt); err != nil {
		return member.Invite{}, err
	}
	if inv.ExpiresAt, err = memberParseTime(expiresAt); err != nil {
		return member.Invite{}, err
	}
	if inv.UsedAt, err = memberParseTime(usedAt.String); err != nil {
		return member.Invite{}, err
	}
	return inv, nil
}

func (r memberReader) History(ctx context.Context, memberID int64) ([]member.HistoryEntry, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, member_id, at, kind, actor, from_district, to_district, on_date, reason
		FROM member_history WHERE member_id = ? ORDER BY id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	hs := []member.HistoryEntry{}
	for rows.Next() {
		var (
			h      member.HistoryEntry
			at     string
			kind   string
			actor  sql.NullInt64
			onDate sql.NullString
		)
		if err := rows.Scan(&h.ID, &h.MemberID, &at, &kind, &actor, &h.FromDistrict, &h.ToDistrict, &onDate, &h.Reason); err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		h.Kind, h.Actor = member.HistoryKind(kind), actor.Int64
		if h.At, err = memberParseTime(at); err != nil {
			return nil, err
		}
		if h.On, err = memberParseDate(onDate); err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	return hs, nil
}

func (r memberReader) Audit(ctx context.Context, limit int) ([]member.AuditEntry, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT a.id, a.at, a.actor, a.action, a.target_user, a.target_member, a.district, a.reason,
		COALESCE(a.actor_erased, 0), COALESCE(a.target_erased, 0),
		COALESCE((SELECT name FROM members WHERE user_id = a.actor AND status <> 'deleted' ORDER BY id DESC LIMIT 1), ''),
		COALESCE((SELECT name FROM members WHERE id = a.target_member),
			(SELECT name FROM members WHERE user_id = a.target_user AND status <> 'deleted' ORDER BY id DESC LIMIT 1), ''),
		a.target_user IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users WHERE id = a.target_user)
		FROM audit_log a ORDER BY a.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	es := []member.AuditEntry{}
	for rows.Next() {
		var (
			e                           member.AuditEntry
			at, action                  string
			actor, targetUser, targetMb sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &at, &actor, &action, &targetUser, &targetMb, &e.District, &e.Reason,
			&e.ActorErased, &e.TargetErased, &e.ActorName, &e.TargetName, &e.TargetUnseen); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.Action, e.Actor, e.TargetUser, e.TargetMember = member.AuditAction(action), actor.Int64, targetUser.Int64, targetMb.Int64
		if e.At, err = memberParseTime(at); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return es, nil
}

// memberTx is a member.Tx: the reads plus the writes, on one *sql.Tx.
type memberTx struct {
	memberReader
	tx txq
}

func (t *memberTx) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

func (t *memberTx) TouchUser(ctx context.Context, u member.TelegramUser, at time.Time) error {
	_, err := t.exec(ctx, "touch user", `INSERT INTO users (id, username, first_name, last_name, language, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET username = excluded.username, first_name = excluded.first_name,
			last_name = excluded.last_name, language = excluded.language, last_seen = excluded.last_seen, blocked_at = NULL`,
		u.ID, u.Username, u.FirstName, u.LastName, u.Language, memberFormatTime(at), memberFormatTime(at))
	return err
}

func (t *memberTx) EnsureUser(ctx context.Context, userID int64, at time.Time) error {
	_, err := t.exec(ctx, "ensure user", `INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, userID, memberFormatTime(at), memberFormatTime(at))
	return err
}

func (t *memberTx) MarkBlocked(ctx context.Context, userID int64, at time.Time) error {
	_, err := t.exec(ctx, "mark blocked", `UPDATE users SET blocked_at = ? WHERE id = ?`, memberFormatTime(at), userID)
	return err
}

// liveConflict turns a unique violation on members into the domain error.
func (t *memberTx) liveConflict(ctx context.Context, p member.Profile, err error) error {
	if !isUniqueViolation(err) {
		return err
	}
	var other int64
	qerr := t.tx.QueryRowContext(ctx, `SELECT id FROM members WHERE phone = ? AND id <> ? AND status IN `+memberLiveStatuses,
		p.Phone, p.ID).Scan(&other)
	if qerr == nil {
		return member.ErrPhoneTaken
	}
	return member.ErrAlreadyRegistered
}

func memberArgs(p member.Profile) []any {
	return []any{memberNullID(p.UserID), p.Name, memberNullString(p.Phone), p.PhoneVerified, p.District, p.Org, p.Post,
		p.Education, p.StartYear, string(p.Status), p.StatusReason, memberFormatTime(p.StatusAt), memberNullDate(p.LeftOn),
		memberFormatTime(p.UpdatedAt)}
}

func (t *memberTx) InsertMember(ctx context.Context, p member.Profile) (member.Profile, error) {
	args := append(memberArgs(p), memberFormatTime(p.CreatedAt))
	res, err := t.tx.ExecContext(ctx, `INSERT INTO members (user_id, name, phone, phone_verified, district, org, post,
		education, start_year, status, status_reason, status_at, left_on, updated_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return member.Profile{}, fmt.Errorf("insert member: %w", t.liveConflict(ctx, p, err))
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return member.Profile{}, fmt.Errorf("insert member: %w", err)
	}
	return p, nil
}

func (t *memberTx) UpdateMember(ctx context.Context, p member.Profile) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE members SET user_id = ?, name = ?, phone = ?, phone_verified = ?,
		district = ?, org = ?, post = ?, education = ?, start_year = ?, status = ?, status_reason = ?,
		status_at = ?, left_on = ?, updated_at = ? WHERE id = ?`, append(memberArgs(p), p.ID)...)
	if err != nil {
		return fmt.Errorf("update member %d: %w", p.ID, t.liveConflict(ctx, p, err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update member %d: %w", p.ID, err)
	} else if n == 0 {
		return member.ErrNotFound
	}
	return nil
}

func (t *memberTx) EraseMember(ctx context.Context, memberID int64, at time.Time) error {
	n, err := t.exec(ctx, "erase member", `UPDATE members SET user_id = NULL, name = '', phone = NULL, phone_verified = 0,
		org = '', status = 'deleted', status_reason = '', left_on = NULL, status_at = ?, updated_at = ?
		WHERE id = ?`, memberFormatTime(at), memberFormatTime(at), memberID)
	if err != nil {
		return err
	}
	if n == 0 {
		return member.ErrNotFound
	}
	if _, err := t.exec(ctx, "erase member history", `UPDATE member_history SET reason = '' WHERE member_id = ?`, memberID); err != nil {
		return err
	}
	_, err = t.exec(ctx, "erase member audit", `UPDATE audit_log SET reason = '', target_user = NULL WHERE target_member = ?`, memberID)
	return err
}

// ForgetUser removes the user id from every table that holds one. A table
// added later that keeps Telegram user ids must be added here.
func (t *memberTx) ForgetUser(ctx context.Context, userID int64) error {
	steps := []struct{ what, query string }{
		{"conversations", `DELETE FROM conversations WHERE user_id = ?1 OR chat_id = ?1`},
		{"coordinator", `DELETE FROM coordinators WHERE user_id = ?1`},
		{"grants", `UPDATE coordinators SET granted_by = NULL WHERE granted_by = ?1`},
		{"invites made", `UPDATE invites SET created_by = NULL WHERE created_by = ?1`},
		{"invites used", `UPDATE invites SET used_by = NULL WHERE used_by = ?1`},
		{"roster imports", `UPDATE roster SET imported_by = NULL WHERE imported_by = ?1`},
		{"history actor", `UPDATE member_history SET actor = NULL WHERE actor = ?1`},
		{"audit actor", `UPDATE audit_log SET actor = NULL WHERE actor = ?1`},
		{"audit target", `UPDATE audit_log SET target_user = NULL WHERE target_user = ?1`},
		{"questions", `UPDATE kb_questions SET user_id = 0, chat_id = CASE WHEN chat_id = ?1 THEN 0 ELSE chat_id END WHERE user_id = ?1`},
		// Votes are keyed by user: keep an anonymous one unless the question
		// already has one.
		{"votes", `UPDATE OR IGNORE kb_feedback SET user_id = 0 WHERE user_id = ?1`},
		{"votes left", `DELETE FROM kb_feedback WHERE user_id = ?1`},
		{"documents imported", `UPDATE kb_documents SET imported_by = 0 WHERE imported_by = ?1`},
		{"answers given", `UPDATE kb_faqs SET created_by = 0 WHERE created_by = ?1`},
		{"questions closed", `UPDATE kb_questions SET closed_by = 0 WHERE closed_by = ?1`},
		{"phrasings merged", `UPDATE kb_faq_phrasings SET added_by = 0 WHERE added_by = ?1`},
		{"messages to the user", `DELETE FROM outbox WHERE chat_id = ?1`},
		// Quiz answers stay, anonymous, in the questions' correct rates.
		{"quiz answers", `UPDATE quiz_answers SET user_id = 0 WHERE user_id = ?1`},
		{"quiz sessions", `DELETE FROM quiz_sessions WHERE user_id = ?1 OR chat_id = ?1`},
		{"quiz notebook", `DELETE FROM quiz_cards WHERE user_id = ?1`},
		{"quiz daily sets", `DELETE FROM quiz_daily WHERE user_id = ?1`},
		{"quiz preferences", `DELETE FROM quiz_prefs WHERE user_id = ?1`},
		{"challenge votes", `DELETE FROM quiz_votes WHERE user_id = ?1`},
		{"challenges started", `UPDATE quiz_challenges SET started_by = 0 WHERE started_by = ?1`},
		{"questions imported", `UPDATE quiz_questions SET added_by = 0 WHERE added_by = ?1`},
		// The scheduler: what the person signed up for, attended and
		// acknowledged goes; what they organised stays, anonymous.
		{"sign-ups", `DELETE FROM event_signups WHERE user_id = ?1`},
		{"attendance", `DELETE FROM event_attendance WHERE user_id = ?1`},
		{"attendance marked", `UPDATE event_attendance SET marked_by = 0 WHERE marked_by = ?1`},
		{"acknowledgements", `DELETE FROM broadcast_acks WHERE user_id = ?1`},
		{"push preferences", `DELETE FROM push_prefs WHERE user_id = ?1`},
		{"station", `DELETE FROM member_venues WHERE user_id = ?1`},
		{"venues added", `UPDATE venues SET created_by = 0 WHERE created_by = ?1`},
		{"events created", `UPDATE events SET created_by = 0 WHERE created_by = ?1`},
		{"broadcasts sent", `UPDATE broadcasts SET created_by = 0, status_chat = CASE WHEN status_chat = ?1 THEN 0 ELSE status_chat END,
			status_msg = CASE WHEN status_chat = ?1 THEN 0 ELSE status_msg END WHERE created_by = ?1 OR status_chat = ?1`},
		{"schedules made", `UPDATE schedules SET created_by = 0 WHERE created_by = ?1`},
		// Records: the person's own record goes; what they recorded for
		// others stays, anonymous.
		{"credits", `DELETE FROM credits WHERE user_id = ?1`},
		{"credits given", `UPDATE credits SET by_user = 0 WHERE by_user = ?1`},
		{"assessments", `DELETE FROM assessments WHERE user_id = ?1`},
		{"assessments made", `UPDATE assessments SET by_user = 0 WHERE by_user = ?1`},
		{"duties", `DELETE FROM duties WHERE user_id = ?1`},
		{"duties given", `UPDATE duties SET created_by = 0 WHERE created_by = ?1`},
		{"levels", `DELETE FROM levels WHERE user_id = ?1`},
		{"levels awarded", `UPDATE levels SET by_user = 0 WHERE by_user = ?1`},
		{"applications", `DELETE FROM level_applications WHERE user_id = ?1`},
		{"applications decided", `UPDATE level_applications SET decided_by = 0 WHERE decided_by = ?1`},
		{"settings", `UPDATE settings SET by_user = 0 WHERE by_user = ?1`},
		// Fails on the foreign key if a profile still points at the user.
		{"user", `DELETE FROM users WHERE id = ?1`},
	}
	for _, s := range steps {
		if _, err := t.exec(ctx, "forget user: "+s.what, s.query, userID); err != nil {
			return err
		}
	}
	return nil
}

func (t *memberTx) AddHistory(ctx context.Context, h member.HistoryEntry) error {
	_, err := t.exec(ctx, "add history", `INSERT INTO member_history (member_id, at, kind, actor, from_district, to_district, on_date, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, h.MemberID, memberFormatTime(h.At), string(h.Kind), memberNullID(h.Actor),
		h.FromDistrict, h.ToDistrict, memberNullDate(h.On), h.Reason)
	return err
}

func (t *memberTx) AddAudit(ctx context.Context, a member.AuditEntry) error {
	_, err := t.exec(ctx, "add audit", `INSERT INTO audit_log (at, actor, action, target_user, target_member, district, reason, actor_erased, target_erased)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, memberFormatTime(a.At), memberNullID(a.Actor), string(a.Action), memberNullID(a.TargetUser),
		memberNullID(a.TargetMember), a.District, a.Reason, memberNullID(a.ActorErased), memberNullID(a.TargetErased))
	return err
}

// LabelErased gives the user's lines in the audit log the next erasure
// number, in place of the id ForgetUser is about to remove.
func (t *memberTx) LabelErased(ctx context.Context, userID int64) (int64, error) {
	var label int64
	if err := t.tx.QueryRowContext(ctx, `SELECT max(COALESCE(MAX(actor_erased), 0), COALESCE(MAX(target_erased), 0)) + 1 FROM audit_log`).Scan(&label); err != nil {
		return 0, fmt.Errorf("label erased user: %w", err)
	}
	if _, err := t.exec(ctx, "label erased actor", `UPDATE audit_log SET actor_erased = ? WHERE actor = ?`, label, userID); err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, "label erased target", `UPDATE audit_log SET target_erased = ?1
		WHERE target_user = ?2 OR target_member IN (SELECT id FROM members WHERE user_id = ?2)`, label, userID); err != nil {
		return 0, err
	}
	return label, nil
}

func (t *memberTx) PutRoster(ctx context.Context, r member.RosterEntry) error {
	_, err := t.exec(ctx, "put roster", `INSERT INTO roster (phone, name, district, org, post, imported_by, imported_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (phone, district) DO UPDATE SET name = excluded.name, org = excluded.org,
			post = excluded.post, imported_by = excluded.imported_by, imported_at = excluded.imported_at,
			updated_at = excluded.updated_at`,
		r.Phone, r.Name, r.District, r.Org, r.Post, memberNullID(r.ImportedBy), memberFormatTime(r.ImportedAt), memberFormatTime(r.UpdatedAt))
	return err
}

func (t *memberTx) DeleteRosterPhone(ctx context.Context, phone string) error {
	_, err := t.exec(ctx, "delete roster phone", `DELETE FROM roster WHERE phone = ?`, phone)
	return err
}

func (t *memberTx) PutCoordinator(ctx context.Context, c member.Coordinator) error {
	_, err := t.exec(ctx, "put coordinator", `INSERT INTO coordinators (user_id, district, granted_by, granted_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET district = excluded.district, granted_by = excluded.granted_by,
			granted_at = excluded.granted_at`, c.UserID, c.District, memberNullID(c.GrantedBy), memberFormatTime(c.GrantedAt))
	return err
}

func (t *memberTx) DeleteCoordinator(ctx context.Context, userID int64) error {
	n, err := t.exec(ctx, "delete coordinator", `DELETE FROM coordinators WHERE user_id = ?`, userID)
	if err != nil {
		return err
	}
	if n == 0 {
		return member.ErrNotFound
	}
	return nil
}

func (t *memberTx) InsertInvite(ctx context.Context, inv member.Invite, hash string) (member.Invite, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO invites (code_hash, district, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, hash, inv.District, memberNullID(inv.CreatedBy), memberFormatTime(inv.CreatedAt), memberFormatTime(inv.ExpiresAt))
	if err != nil {
		return member.Invite{}, fmt.Errorf("insert invite: %w", err)
	}
	if inv.ID, err = res.LastInsertId(); err != nil {
		return member.Invite{}, fmt.Errorf("insert invite: %w", err)
	}
	return inv, nil
}

func (t *memberTx) UseInvite(ctx context.Context, id, userID int64, at time.Time) error {
	n, err := t.exec(ctx, "use invite", `UPDATE invites SET used_by = ?, used_at = ? WHERE id = ? AND used_at IS NULL`,
		userID, memberFormatTime(at), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return member.ErrInviteUsed
	}
	return nil
}
