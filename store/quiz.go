package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dangwu/dangwu/quiz"
)

var _ quiz.Store = (*QuizStore)(nil)

// QuizStore keeps the quiz package's banks, sessions, answers, notebooks
// and challenges.
type QuizStore struct {
	db *DB
	c  conn
}

// NewQuizStore returns the quiz store of db.
func NewQuizStore(db *DB) *QuizStore { return &QuizStore{db: db, c: conn{db}} }

// quizTime is the text form of quiz times: UTC to the second, so that
// text order is time order.
func quizTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func parseQuizTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func intsJSON(v []int) string {
	if v == nil {
		v = []int{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func intsFrom(s string) []int {
	var out []int
	json.Unmarshal([]byte(s), &out)
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

const quizQuestionColumns = `id, bank, kind, topic, difficulty, text, options, answer, explanation, doc, section, district`

func scanQuizQuestion(sc interface{ Scan(...any) error }) (quiz.Question, error) {
	var q quiz.Question
	var kind, options, answer string
	err := sc.Scan(&q.ID, &q.Bank, &kind, &q.Topic, &q.Difficulty, &q.Text, &options, &answer, &q.Explanation, &q.Doc, &q.Section, &q.District)
	q.Kind = quiz.Kind(kind)
	q.Options = fromJSONList(options)
	q.Answer = intsFrom(answer)
	return q, err
}

func (s *QuizStore) putQuestion(ctx context.Context, q quiz.Question, origin string, by int64, at time.Time) error {
	defer s.db.topics.forget()
	_, err := s.c.ExecContext(ctx, `INSERT INTO quiz_questions (id, bank, origin, kind, topic, difficulty, text, options, answer, explanation, doc, section, district, poll_ready, retired, added_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
		ON CONFLICT (id) DO UPDATE SET bank = excluded.bank, origin = excluded.origin, kind = excluded.kind, topic = excluded.topic,
			difficulty = excluded.difficulty, text = excluded.text, options = excluded.options, answer = excluded.answer,
			explanation = excluded.explanation, doc = excluded.doc, section = excluded.section, district = excluded.district,
			poll_ready = excluded.poll_ready, retired = 0, added_by = excluded.added_by, updated_at = excluded.updated_at`,
		q.ID, q.Bank, origin, string(q.Kind), q.Topic, q.Difficulty, q.Text, toJSON(q.Options), intsJSON(q.Answer), q.Explanation,
		q.Doc, q.Section, q.District, b2i(q.PollReady()), by, quizTime(at))
	if err != nil {
		return fmt.Errorf("store question %s: %w", q.ID, err)
	}
	return nil
}

// SyncContent makes the content bank exactly qs, in one transaction.
func (s *QuizStore) SyncContent(ctx context.Context, qs []quiz.Question) (quiz.SyncCounts, error) {
	defer s.db.topics.forget()
	var counts quiz.SyncCounts
	err := s.db.Atomic(ctx, func(ctx context.Context) error {
		existing := map[string]quiz.Question{}
		origin := map[string]string{}
		rows, err := s.c.QueryContext(ctx, `SELECT `+quizQuestionColumns+`, origin, retired FROM quiz_questions`)
		if err != nil {
			return err
		}
		retired := map[string]bool{}
		for rows.Next() {
			var q quiz.Question
			var kind, options, answer, org string
			var ret int
			if err := rows.Scan(&q.ID, &q.Bank, &kind, &q.Topic, &q.Difficulty, &q.Text, &options, &answer, &q.Explanation, &q.Doc, &q.Section, &q.District, &org, &ret); err != nil {
				rows.Close()
				return err
			}
			q.Kind, q.Options, q.Answer = quiz.Kind(kind), fromJSONList(options), intsFrom(answer)
			existing[q.ID], origin[q.ID], retired[q.ID] = q, org, ret == 1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.db.Now()
		keep := map[string]bool{}
		for _, q := range qs {
			keep[q.ID] = true
			old, ok := existing[q.ID]
			switch {
			case !ok:
				counts.Added++
			case origin[q.ID] == "content" && !retired[q.ID] && sameQuestion(old, q):
				counts.Unchanged++
				continue
			default:
				counts.Updated++
			}
			if err := s.putQuestion(ctx, q, "content", 0, now); err != nil {
				return err
			}
		}
		for id := range existing {
			if origin[id] == "content" && !keep[id] && !retired[id] {
				s.db.topics.forget()
				if _, err := s.c.ExecContext(ctx, `UPDATE quiz_questions SET retired = 1, updated_at = ? WHERE id = ?`, quizTime(now), id); err != nil {
					return err
				}
				counts.Retired++
			}
		}
		return nil
	})
	return counts, err
}

func sameQuestion(a, b quiz.Question) bool {
	return a.Bank == b.Bank && a.Kind == b.Kind && a.Topic == b.Topic && a.Difficulty == b.Difficulty && a.Text == b.Text &&
		toJSON(a.Options) == toJSON(b.Options) && intsJSON(a.Answer) == intsJSON(b.Answer) && a.Explanation == b.Explanation &&
		a.Doc == b.Doc && a.Section == b.Section && a.District == b.District
}

// Import adds or replaces the questions of an imported bank, all or none.
func (s *QuizStore) Import(ctx context.Context, bank string, qs []quiz.Question, by int64, at time.Time) error {
	defer s.db.topics.forget()
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		owners, err := s.Banks(ctx, quizIDs(qs))
		if err != nil {
			return err
		}
		for _, q := range qs {
			if owner, ok := owners[q.ID]; ok && owner != bank {
				return fmt.Errorf("question %s of %s: %w", q.ID, owner, quiz.ErrIDTaken)
			}
			q.Bank = bank
			if err := s.putQuestion(ctx, q, "import", by, at); err != nil {
				return err
			}
		}
		return nil
	})
}

func quizIDs(qs []quiz.Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// Banks maps each of ids that exists to its bank.
func (s *QuizStore) Banks(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	rows, err := s.c.QueryContext(ctx, `SELECT q.id, q.bank FROM quiz_questions q JOIN json_each(?) j ON j.value = q.id`, toJSON(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, bank string
		if err := rows.Scan(&id, &bank); err != nil {
			return nil, err
		}
		out[id] = bank
	}
	return out, rows.Err()
}

// Question returns a question, retired or not.
func (s *QuizStore) Question(ctx context.Context, id string) (quiz.Question, error) {
	q, err := scanQuizQuestion(s.c.QueryRowContext(ctx, `SELECT `+quizQuestionColumns+` FROM quiz_questions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return q, quiz.ErrNotFound
	}
	return q, err
}

// topicsFresh is how long Topics' answer is reused. Every /quiz and every
// topic pressed counts the banks (10,000 questions: a scan of the topic
// index); a bank written through a store of this handle counts again at
// once, one imported by another process (dangwu import) within this long.
const topicsFresh = 5 * time.Second

// topicCounts is the last answer of Topics, shared by the stores of a DB.
type topicCounts struct {
	mu     sync.Mutex
	at     time.Time
	topics []quiz.TopicCount
	writes uint64 // forgets so far: counts read across one are not kept
}

// forget drops the counts: a question is being written (and again once
// the store call that wrote it returns).
func (t *topicCounts) forget() {
	t.mu.Lock()
	t.at, t.topics = time.Time{}, nil
	t.writes++
	t.mu.Unlock()
}

// Topics counts live questions by topic, the largest first.
func (s *QuizStore) Topics(ctx context.Context) ([]quiz.TopicCount, error) {
	tc := &s.db.topics
	if _, inTx := ctx.Value(txKey{}).(*sql.Tx); !inTx {
		tc.mu.Lock()
		fresh := !tc.at.IsZero() && time.Since(tc.at) < topicsFresh
		topics := tc.topics
		tc.mu.Unlock()
		if fresh {
			return slices.Clone(topics), nil
		}
	}
	tc.mu.Lock()
	writes := tc.writes
	tc.mu.Unlock()
	started := time.Now()
	topics, err := s.countTopics(ctx)
	if err == nil {
		tc.mu.Lock()
		if tc.writes == writes && started.After(tc.at) {
			tc.at, tc.topics = started, slices.Clone(topics)
		}
		tc.mu.Unlock()
	}
	return topics, err
}

func (s *QuizStore) countTopics(ctx context.Context) ([]quiz.TopicCount, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT topic, COUNT(*) FROM quiz_questions WHERE retired = 0 GROUP BY topic ORDER BY COUNT(*) DESC, topic`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.TopicCount
	for rows.Next() {
		var t quiz.TopicCount
		if err := rows.Scan(&t.Topic, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Draw picks live questions at random.
func (s *QuizStore) Draw(ctx context.Context, d quiz.DrawSpec) ([]quiz.Question, error) {
	if d.N <= 0 {
		return nil, nil
	}
	skip := map[string]bool{}
	for _, id := range d.Exclude {
		skip[id] = true
	}
	if d.Unseen {
		rows, err := s.c.QueryContext(ctx, `SELECT DISTINCT question_id FROM quiz_answers WHERE user_id = ? LIMIT ?`, d.UserID, maxDrawSkip+1)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			skip[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(skip) > maxDrawSkip {
		return s.drawFiltered(ctx, d)
	}
	// The first N questions of a random order that are not to be skipped
	// are among its first N + len(skip): a sample that long, read from
	// the topic index alone, then the questions it holds, replaces a
	// random order of every row with its columns and a look-up of the
	// person's answers for each.
	where, args := []string{"retired = 0"}, []any{}
	if d.Topic != "" {
		where, args = append(where, "topic = ?"), append(args, d.Topic)
	}
	if d.PollOnly {
		where = append(where, "poll_ready = 1")
	}
	args = append(args, d.N+len(skip))
	rows, err := s.c.QueryContext(ctx, `SELECT rowid FROM quiz_questions WHERE `+strings.Join(where, " AND ")+` ORDER BY random() LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	var order []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		order = append(order, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, nil
	}
	rows, err = s.c.QueryContext(ctx, `SELECT rowid, `+quizQuestionColumns+` FROM quiz_questions WHERE rowid IN (SELECT value FROM json_each(?))`, toJSON(order))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byRow := make(map[int64]quiz.Question, len(order))
	for rows.Next() {
		var rowid int64
		q, err := scanQuizQuestion(rowScanner{rows, &rowid})
		if err != nil {
			return nil, err
		}
		byRow[rowid] = q
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []quiz.Question
	for _, id := range order {
		if q, ok := byRow[id]; ok && !skip[q.ID] && len(out) < d.N {
			out = append(out, q)
		}
	}
	return out, nil
}

// maxDrawSkip is the most questions Draw leaves out by sampling; past it
// (someone who has answered most of a bank) SQL leaves them out.
const maxDrawSkip = 400

// rowScanner scans a leading rowid, then the rest as sc would.
type rowScanner struct {
	sc    interface{ Scan(...any) error }
	rowid *int64
}

func (r rowScanner) Scan(dest ...any) error { return r.sc.Scan(append([]any{r.rowid}, dest...)...) }

// drawFiltered is Draw with every condition in SQL.
func (s *QuizStore) drawFiltered(ctx context.Context, d quiz.DrawSpec) ([]quiz.Question, error) {
	var where []string
	var args []any
	where = append(where, "retired = 0")
	if d.Topic != "" {
		where, args = append(where, "topic = ?"), append(args, d.Topic)
	}
	if d.PollOnly {
		where = append(where, "poll_ready = 1")
	}
	if len(d.Exclude) > 0 {
		where, args = append(where, "id NOT IN (SELECT value FROM json_each(?))"), append(args, toJSON(d.Exclude))
	}
	if d.Unseen {
		where, args = append(where, "NOT EXISTS (SELECT 1 FROM quiz_answers a WHERE a.user_id = ? AND a.question_id = quiz_questions.id)"), append(args, d.UserID)
	}
	args = append(args, d.N)
	rows, err := s.c.QueryContext(ctx, `SELECT `+quizQuestionColumns+` FROM quiz_questions WHERE `+strings.Join(where, " AND ")+` ORDER BY random() LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.Question
	for rows.Next() {
		q, err := scanQuizQuestion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

const sessionColumns = `id, user_id, kind, topic, exam_id, state, started_at, deadline, finished_at, pos, chat_id, message_id, score, passed`

func scanSession(sc interface{ Scan(...any) error }) (quiz.Session, error) {
	var se quiz.Session
	var kind, state, started, deadline, finished string
	var passed int
	err := sc.Scan(&se.ID, &se.UserID, &kind, &se.Topic, &se.ExamID, &state, &started, &deadline, &finished, &se.Pos, &se.ChatID, &se.MessageID, &se.Score, &passed)
	se.Kind, se.State = quiz.SessionKind(kind), quiz.State(state)
	se.Started, se.Deadline, se.Finished = parseQuizTime(started), parseQuizTime(deadline), parseQuizTime(finished)
	se.Passed = passed == 1
	return se, err
}

// CreateSession stores a new session and its items.
func (s *QuizStore) CreateSession(ctx context.Context, se *quiz.Session) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		err := s.c.QueryRowContext(ctx, `INSERT INTO quiz_sessions (user_id, kind, topic, exam_id, state, started_at, deadline, finished_at, pos, chat_id, message_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			se.UserID, string(se.Kind), se.Topic, se.ExamID, string(se.State), quizTime(se.Started), quizTime(se.Deadline), quizTime(se.Finished),
			se.Pos, se.ChatID, se.MessageID).Scan(&se.ID)
		if isUniqueViolation(err) {
			return quiz.ErrActiveSession
		}
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		for i, it := range se.Items {
			if _, err := s.c.ExecContext(ctx, `INSERT INTO quiz_items (session_id, pos, question_id, topic, selected, answered, correct, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				se.ID, i, it.QuestionID, it.Topic, intsJSON(it.Selected), b2i(it.Answered), b2i(it.Correct), quizTime(it.At)); err != nil {
				return fmt.Errorf("create session item: %w", err)
			}
		}
		return nil
	})
}

func (s *QuizStore) items(ctx context.Context, se *quiz.Session) error {
	rows, err := s.c.QueryContext(ctx, `SELECT question_id, topic, selected, answered, correct, answered_at FROM quiz_items WHERE session_id = ? ORDER BY pos`, se.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	se.Items = se.Items[:0]
	for rows.Next() {
		var it quiz.Item
		var selected, at string
		var answered, correct int
		if err := rows.Scan(&it.QuestionID, &it.Topic, &selected, &answered, &correct, &at); err != nil {
			return err
		}
		it.Selected, it.Answered, it.Correct, it.At = intsFrom(selected), answered == 1, correct == 1, parseQuizTime(at)
		se.Items = append(se.Items, it)
	}
	return rows.Err()
}

func (s *QuizStore) sessionWhere(ctx context.Context, where string, args ...any) (quiz.Session, error) {
	se, err := scanSession(s.c.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM quiz_sessions WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return se, quiz.ErrNotFound
	}
	if err != nil {
		return se, err
	}
	return se, s.items(ctx, &se)
}

// Session returns a session with its items.
func (s *QuizStore) Session(ctx context.Context, id int64) (quiz.Session, error) {
	return s.sessionWhere(ctx, `id = ?`, id)
}

// ActiveSession returns the person's active session.
func (s *QuizStore) ActiveSession(ctx context.Context, userID int64) (quiz.Session, error) {
	return s.sessionWhere(ctx, `user_id = ? AND state = 'active'`, userID)
}

// SaveSession writes a session's state and one item.
func (s *QuizStore) SaveSession(ctx context.Context, se quiz.Session, pos int) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		if _, err := s.c.ExecContext(ctx, `UPDATE quiz_sessions SET state = ?, finished_at = ?, pos = ?, chat_id = ?, message_id = ?, score = ?, passed = ? WHERE id = ?`,
			string(se.State), quizTime(se.Finished), se.Pos, se.ChatID, se.MessageID, se.Score, b2i(se.Passed), se.ID); err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		if pos < 0 || pos >= len(se.Items) {
			return nil
		}
		it := se.Items[pos]
		if _, err := s.c.ExecContext(ctx, `UPDATE quiz_items SET selected = ?, answered = ?, correct = ?, answered_at = ? WHERE session_id = ? AND pos = ?`,
			intsJSON(it.Selected), b2i(it.Answered), b2i(it.Correct), quizTime(it.At), se.ID, pos); err != nil {
			return fmt.Errorf("save session item: %w", err)
		}
		return nil
	})
}

func (s *QuizStore) sessions(ctx context.Context, query string, args ...any) ([]quiz.Session, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+sessionColumns+` FROM quiz_sessions WHERE `+query, args...)
	if err != nil {
		return nil, err
	}
	var out []quiz.Session
	for rows.Next() {
		se, err := scanSession(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, se)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.items(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ExpiredExams lists active exams past their deadline.
func (s *QuizStore) ExpiredExams(ctx context.Context, now time.Time, limit int) ([]quiz.Session, error) {
	return s.sessions(ctx, `state = 'active' AND kind = 'exam' AND deadline <= ? ORDER BY deadline LIMIT ?`, quizTime(now), limit)
}

// ExamAttempts counts a person's attempts at an exam since a time.
func (s *QuizStore) ExamAttempts(ctx context.Context, userID int64, exam string, since time.Time) (int, error) {
	var n int
	err := s.c.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_sessions WHERE user_id = ? AND kind = 'exam' AND exam_id = ? AND started_at >= ?`,
		userID, exam, quizTime(since)).Scan(&n)
	return n, err
}

// ExamResults lists finished exams, newest first.
func (s *QuizStore) ExamResults(ctx context.Context, userID int64, limit int) ([]quiz.Session, error) {
	return s.sessions(ctx, `user_id = ? AND kind = 'exam' AND state IN ('done', 'expired') ORDER BY started_at DESC, id DESC LIMIT ?`, userID, limit)
}

// RecordAnswer stores a graded answer.
func (s *QuizStore) RecordAnswer(ctx context.Context, a quiz.AnswerRecord) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO quiz_answers (user_id, question_id, session_id, correct, points, at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.UserID, a.QuestionID, a.SessionID, b2i(a.Correct), a.Points, quizTime(a.At))
	if err != nil {
		return fmt.Errorf("record answer: %w", err)
	}
	return nil
}

// PointsSince sums points since a time.
func (s *QuizStore) PointsSince(ctx context.Context, userID int64, since time.Time) (int, error) {
	var n int
	err := s.c.QueryRowContext(ctx, `SELECT COALESCE(SUM(points), 0) FROM quiz_answers WHERE user_id = ? AND at >= ?`, userID, quizTime(since)).Scan(&n)
	return n, err
}

const cardColumns = `c.user_id, c.question_id, c.wrong, c.right_count, c.box, c.due_at, c.last_at, q.topic, q.text`

func scanCard(sc interface{ Scan(...any) error }) (quiz.Card, error) {
	var c quiz.Card
	var due, last string
	err := sc.Scan(&c.UserID, &c.QuestionID, &c.Wrong, &c.Right, &c.Box, &due, &last, &c.Topic, &c.Text)
	c.Due, c.Last = parseQuizTime(due), parseQuizTime(last)
	return c, err
}

func (s *QuizStore) cards(ctx context.Context, query string, args ...any) ([]quiz.Card, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+cardColumns+` FROM quiz_cards c JOIN quiz_questions q ON q.id = c.question_id WHERE `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.Card
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Card returns one card.
func (s *QuizStore) Card(ctx context.Context, userID int64, questionID string) (quiz.Card, error) {
	cs, err := s.cards(ctx, `c.user_id = ? AND c.question_id = ?`, userID, questionID)
	if err != nil {
		return quiz.Card{}, err
	}
	if len(cs) == 0 {
		return quiz.Card{}, quiz.ErrNotFound
	}
	return cs[0], nil
}

// PutCard writes a card.
func (s *QuizStore) PutCard(ctx context.Context, c quiz.Card) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO quiz_cards (user_id, question_id, wrong, right_count, box, due_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, question_id) DO UPDATE SET wrong = excluded.wrong, right_count = excluded.right_count, box = excluded.box,
			due_at = excluded.due_at, last_at = excluded.last_at`,
		c.UserID, c.QuestionID, c.Wrong, c.Right, c.Box, quizTime(c.Due), quizTime(c.Last))
	if err != nil {
		return fmt.Errorf("store card: %w", err)
	}
	return nil
}

// DueCards lists due cards of live questions, the longest due first.
func (s *QuizStore) DueCards(ctx context.Context, userID int64, now time.Time, limit int) ([]quiz.Card, error) {
	return s.cards(ctx, `c.user_id = ? AND c.box > 0 AND c.due_at <= ? AND q.retired = 0 ORDER BY c.due_at, c.question_id LIMIT ?`, userID, quizTime(now), limit)
}

// Notebook lists the cards in the notebook, most often wrong first.
func (s *QuizStore) Notebook(ctx context.Context, userID int64, offset, limit int) ([]quiz.Card, int, error) {
	var total int
	if err := s.c.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_cards c JOIN quiz_questions q ON q.id = c.question_id WHERE c.user_id = ? AND c.box > 0 AND q.retired = 0`, userID).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		return nil, total, nil
	}
	cs, err := s.cards(ctx, `c.user_id = ? AND c.box > 0 AND q.retired = 0 ORDER BY c.wrong DESC, c.last_at DESC, c.question_id LIMIT ? OFFSET ?`, userID, limit, offset)
	return cs, total, err
}

// NextDue is the earliest due time in the notebook.
func (s *QuizStore) NextDue(ctx context.Context, userID int64) (time.Time, error) {
	var due sql.NullString
	err := s.c.QueryRowContext(ctx, `SELECT MIN(c.due_at) FROM quiz_cards c JOIN quiz_questions q ON q.id = c.question_id WHERE c.user_id = ? AND c.box > 0 AND q.retired = 0`, userID).Scan(&due)
	return parseQuizTime(due.String), err
}

func (s *QuizStore) topicRates(ctx context.Context, query string, args ...any) ([]quiz.TopicRate, error) {
	rows, err := s.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.TopicRate
	for rows.Next() {
		var t quiz.TopicRate
		if err := rows.Scan(&t.Topic, &t.Answered, &t.Right); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TopicRates is a person's correct rate per topic, weakest first.
func (s *QuizStore) TopicRates(ctx context.Context, userID int64) ([]quiz.TopicRate, error) {
	return s.topicRates(ctx, `SELECT q.topic, COUNT(*), SUM(a.correct) FROM quiz_answers a JOIN quiz_questions q ON q.id = a.question_id
		WHERE a.user_id = ? AND q.retired = 0 GROUP BY q.topic ORDER BY CAST(SUM(a.correct) AS REAL) / COUNT(*), q.topic`, userID)
}

// MarkDaily records a finished daily set.
func (s *QuizStore) MarkDaily(ctx context.Context, userID int64, day string) error {
	_, err := s.c.ExecContext(ctx, `INSERT OR IGNORE INTO quiz_daily (user_id, day) VALUES (?, ?)`, userID, day)
	return err
}

// DailyDays lists the days with a finished daily set, newest first.
func (s *QuizStore) DailyDays(ctx context.Context, userID int64, limit int) ([]string, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT day FROM quiz_daily WHERE user_id = ? ORDER BY day DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Prefs returns a person's preferences (the defaults when none are kept).
func (s *QuizStore) Prefs(ctx context.Context, userID int64) (quiz.Prefs, error) {
	var p quiz.Prefs
	var show int
	err := s.c.QueryRowContext(ctx, `SELECT show_name, daily_time FROM quiz_prefs WHERE user_id = ?`, userID).Scan(&show, &p.Daily)
	if errors.Is(err, sql.ErrNoRows) {
		return quiz.Prefs{}, nil
	}
	p.ShowName = show == 1
	return p, err
}

// SetPrefs stores a person's preferences.
func (s *QuizStore) SetPrefs(ctx context.Context, userID int64, p quiz.Prefs) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO quiz_prefs (user_id, show_name, daily_time) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET show_name = excluded.show_name, daily_time = excluded.daily_time`, userID, b2i(p.ShowName), p.Daily)
	return err
}

// DuePushes lists the people whose daily push time (HH:MM) is at or before
// hhmm, who were not pushed on day and have not done day's set.
func (s *QuizStore) DuePushes(ctx context.Context, day, hhmm string, limit int) ([]int64, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT p.user_id FROM quiz_prefs p
		WHERE p.daily_time <> '' AND p.daily_time <= ?2 AND p.pushed_on <> ?1
		AND NOT EXISTS (SELECT 1 FROM quiz_daily d WHERE d.user_id = p.user_id AND d.day = ?1)
		ORDER BY p.daily_time, p.user_id LIMIT ?3`, day, hhmm, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// MarkPushed records that the daily push went to a person on day.
func (s *QuizStore) MarkPushed(ctx context.Context, userID int64, day string) error {
	_, err := s.c.ExecContext(ctx, `UPDATE quiz_prefs SET pushed_on = ? WHERE user_id = ?`, day, userID)
	return err
}

// Figures gathers a person's study figures.
func (s *QuizStore) Figures(ctx context.Context, userID int64) (quiz.Figures, error) {
	var f quiz.Figures
	err := s.c.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM quiz_answers WHERE user_id = ?1),
			(SELECT COALESCE(SUM(correct), 0) FROM quiz_answers WHERE user_id = ?1),
			(SELECT COUNT(*) FROM quiz_sessions WHERE user_id = ?1 AND kind = 'exam' AND state IN ('done', 'expired')),
			(SELECT COUNT(*) FROM quiz_sessions WHERE user_id = ?1 AND kind = 'exam' AND passed = 1),
			(SELECT COUNT(*) FROM quiz_cards c JOIN quiz_questions q ON q.id = c.question_id WHERE c.user_id = ?1 AND c.box > 0 AND q.retired = 0)`,
		userID).Scan(&f.Answered, &f.Right, &f.ExamsTaken, &f.ExamsPassed, &f.Notebook)
	return f, err
}

// Ranking sums the points of approved workers since a time.
func (s *QuizStore) Ranking(ctx context.Context, since time.Time, district string) ([]quiz.RankRow, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT a.user_id, m.name, m.district, COALESCE(p.show_name, 0), SUM(a.points) AS pts
		FROM quiz_answers a
		JOIN members m ON m.user_id = a.user_id AND m.status = 'approved'
		LEFT JOIN quiz_prefs p ON p.user_id = a.user_id
		WHERE a.at >= ? AND (? = '' OR m.district = ?)
		GROUP BY a.user_id HAVING pts > 0 ORDER BY pts DESC, MIN(a.at)`, quizTime(since), district, district)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.RankRow
	for rows.Next() {
		var r quiz.RankRow
		var show int
		if err := rows.Scan(&r.UserID, &r.Name, &r.District, &show, &r.Points); err != nil {
			return nil, err
		}
		r.ShowName = show == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// scopeJoin limits answers to people of a district (” for everyone).
const scopeJoin = ` LEFT JOIN members m ON m.user_id = a.user_id AND m.status IN ('pending', 'approved', 'left')
	WHERE (?1 = '' OR m.district = ?1) `

// QuestionStats lists the most missed questions.
func (s *QuizStore) QuestionStats(ctx context.Context, district string, minAnswers, limit int) ([]quiz.QuestionStat, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+prefixed("q.", quizQuestionColumns)+`, COUNT(*), SUM(a.correct)
		FROM quiz_answers a JOIN quiz_questions q ON q.id = a.question_id`+scopeJoin+`
		GROUP BY a.question_id HAVING COUNT(*) >= ?2
		ORDER BY CAST(SUM(a.correct) AS REAL) / COUNT(*), COUNT(*) DESC, q.id LIMIT ?3`, district, minAnswers, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.QuestionStat
	for rows.Next() {
		var st quiz.QuestionStat
		var kind, options, answer string
		q := &st.Question
		if err := rows.Scan(&q.ID, &q.Bank, &kind, &q.Topic, &q.Difficulty, &q.Text, &options, &answer, &q.Explanation, &q.Doc, &q.Section, &q.District, &st.Answered, &st.Right); err != nil {
			return nil, err
		}
		q.Kind, q.Options, q.Answer = quiz.Kind(kind), fromJSONList(options), intsFrom(answer)
		out = append(out, st)
	}
	return out, rows.Err()
}

func prefixed(p, columns string) string {
	parts := strings.Split(columns, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// QuestionRate counts the answers to one question by people of district.
func (s *QuizStore) QuestionRate(ctx context.Context, district, questionID string) (answered, right int, err error) {
	err = s.c.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(a.correct), 0) FROM quiz_answers a`+scopeJoin+` AND a.question_id = ?2`,
		district, questionID).Scan(&answered, &right)
	return answered, right, err
}

// TopicStats is the correct rate per topic of people in a district.
func (s *QuizStore) TopicStats(ctx context.Context, district string) ([]quiz.TopicRate, error) {
	return s.topicRates(ctx, `SELECT q.topic, COUNT(*), SUM(a.correct) FROM quiz_answers a JOIN quiz_questions q ON q.id = a.question_id`+scopeJoin+`
		GROUP BY q.topic ORDER BY CAST(SUM(a.correct) AS REAL) / COUNT(*), q.topic`, district)
}

// CreateChallenge stores a new challenge.
func (s *QuizStore) CreateChallenge(ctx context.Context, c *quiz.Challenge) error {
	err := s.c.QueryRowContext(ctx, `INSERT INTO quiz_challenges (chat_id, started_by, topic, questions, open_s, pos, done, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?) RETURNING id`,
		c.ChatID, c.StartedBy, c.Topic, toJSON(c.Questions), int(c.Open/time.Second), quizTime(c.Created)).Scan(&c.ID)
	if isUniqueViolation(err) {
		return quiz.ErrChallengeOn
	}
	return err
}

const challengeColumns = `id, chat_id, started_by, topic, questions, open_s, pos, done, created_at`

func scanChallenge(sc interface{ Scan(...any) error }) (quiz.Challenge, error) {
	var c quiz.Challenge
	var questions, created string
	var open, done int
	err := sc.Scan(&c.ID, &c.ChatID, &c.StartedBy, &c.Topic, &questions, &open, &c.Pos, &done, &created)
	c.Questions, c.Open, c.Done, c.Created = fromJSONList(questions), time.Duration(open)*time.Second, done == 1, parseQuizTime(created)
	return c, err
}

// Challenge returns one challenge.
func (s *QuizStore) Challenge(ctx context.Context, id int64) (quiz.Challenge, error) {
	c, err := scanChallenge(s.c.QueryRowContext(ctx, `SELECT `+challengeColumns+` FROM quiz_challenges WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, quiz.ErrNotFound
	}
	return c, err
}

// RunningChallenges lists challenges not finished.
func (s *QuizStore) RunningChallenges(ctx context.Context) ([]quiz.Challenge, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT `+challengeColumns+` FROM quiz_challenges WHERE done = 0 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.Challenge
	for rows.Next() {
		c, err := scanChallenge(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveChallenge writes a challenge's progress.
func (s *QuizStore) SaveChallenge(ctx context.Context, c quiz.Challenge) error {
	_, err := s.c.ExecContext(ctx, `UPDATE quiz_challenges SET pos = ?, done = ? WHERE id = ?`, c.Pos, b2i(c.Done), c.ID)
	return err
}

// PutPoll inserts or updates a challenge poll.
func (s *QuizStore) PutPoll(ctx context.Context, p quiz.ChallengePoll) error {
	_, err := s.c.ExecContext(ctx, `INSERT INTO quiz_challenge_polls (challenge_id, pos, question_id, poll_id, message_id, correct, sent_at, closes_at, stopped)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (challenge_id, pos) DO UPDATE SET question_id = excluded.question_id, poll_id = excluded.poll_id, message_id = excluded.message_id,
			correct = excluded.correct, sent_at = excluded.sent_at, closes_at = excluded.closes_at, stopped = excluded.stopped`,
		p.ChallengeID, p.Pos, p.QuestionID, p.PollID, p.MessageID, p.Correct, quizTime(p.SentAt), quizTime(p.ClosesAt), b2i(p.Stopped))
	return err
}

const pollColumns = `challenge_id, pos, question_id, poll_id, message_id, correct, sent_at, closes_at, stopped`

func scanPoll(sc interface{ Scan(...any) error }) (quiz.ChallengePoll, error) {
	var p quiz.ChallengePoll
	var sent, closes string
	var stopped int
	err := sc.Scan(&p.ChallengeID, &p.Pos, &p.QuestionID, &p.PollID, &p.MessageID, &p.Correct, &sent, &closes, &stopped)
	p.SentAt, p.ClosesAt, p.Stopped = parseQuizTime(sent), parseQuizTime(closes), stopped == 1
	if errors.Is(err, sql.ErrNoRows) {
		return p, quiz.ErrNotFound
	}
	return p, err
}

// Poll returns the poll at a challenge's position.
func (s *QuizStore) Poll(ctx context.Context, challengeID int64, pos int) (quiz.ChallengePoll, error) {
	return scanPoll(s.c.QueryRowContext(ctx, `SELECT `+pollColumns+` FROM quiz_challenge_polls WHERE challenge_id = ? AND pos = ?`, challengeID, pos))
}

// PollByID returns the challenge poll with a Telegram poll id.
func (s *QuizStore) PollByID(ctx context.Context, pollID string) (quiz.ChallengePoll, error) {
	if pollID == "" {
		return quiz.ChallengePoll{}, quiz.ErrNotFound
	}
	return scanPoll(s.c.QueryRowContext(ctx, `SELECT `+pollColumns+` FROM quiz_challenge_polls WHERE poll_id = ?`, pollID))
}

// AddVote stores a vote once per person and poll.
func (s *QuizStore) AddVote(ctx context.Context, v quiz.Vote) (bool, error) {
	res, err := s.c.ExecContext(ctx, `INSERT OR IGNORE INTO quiz_votes (poll_id, user_id, name, option, correct, at) VALUES (?, ?, ?, ?, ?, ?)`,
		v.PollID, v.UserID, v.Name, v.Option, b2i(v.Correct), quizTime(v.At))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Scores sums each voter's results in a challenge.
func (s *QuizStore) Scores(ctx context.Context, challengeID int64) ([]quiz.Score, error) {
	rows, err := s.c.QueryContext(ctx, `SELECT v.user_id, MAX(v.name), SUM(v.correct), COUNT(*), v.at, p.sent_at
		FROM quiz_votes v JOIN quiz_challenge_polls p ON p.poll_id = v.poll_id
		WHERE p.challenge_id = ? GROUP BY v.user_id, v.poll_id ORDER BY v.user_id`, challengeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byUser := map[int64]*quiz.Score{}
	var order []int64
	for rows.Next() {
		var id int64
		var name, at, sent string
		var right, n int
		if err := rows.Scan(&id, &name, &right, &n, &at, &sent); err != nil {
			return nil, err
		}
		sc, ok := byUser[id]
		if !ok {
			sc = &quiz.Score{UserID: id, Name: name}
			byUser[id] = sc
			order = append(order, id)
		}
		sc.Right += right
		sc.Answered += n
		if d := parseQuizTime(at).Sub(parseQuizTime(sent)); d > 0 {
			sc.Took += d
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]quiz.Score, 0, len(order))
	for _, id := range order {
		out = append(out, *byUser[id])
	}
	return out, nil
}
