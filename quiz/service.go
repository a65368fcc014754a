package quiz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Defaults of the service.
const (
	DailySize     = 5  // questions in the daily set
	ReviewSize    = 10 // due cards in one review session
	DailyPointCap = 30 // points a person can earn in a day
	MaxLength     = 20 // the longest practice session
	// StreakLookback bounds how far back the streak is counted.
	StreakLookback = 400
)

// Lengths are the practice lengths offered.
var Lengths = []int{5, 10, 20}

// Options configure a Service.
type Options struct {
	// Atomic runs fn in one transaction that the store calls made with its
	// context join (store.DB.Atomic). Required.
	Atomic func(ctx context.Context, fn func(ctx context.Context) error) error
	// Location is where days and weeks begin (default Asia/Shanghai).
	Location *time.Location
	Now      func() time.Time
	// Rand draws exam papers and orders; default a random source.
	Rand *rand.Rand
	// PointCap is the points a person earns a day at most (default DailyPointCap).
	PointCap int
}

// Service runs quizzes over a Store.
type Service struct {
	store    Store
	atomic   func(ctx context.Context, fn func(ctx context.Context) error) error
	loc      *time.Location
	now      func() time.Time
	pointCap int

	mu       sync.Mutex // guards rng, exams and onExpire
	rng      *rand.Rand
	exams    []Exam
	onExpire func(ctx context.Context, sess Session) error
}

// NewService returns a service over st.
func NewService(st Store, o Options) (*Service, error) {
	if st == nil || o.Atomic == nil {
		return nil, errors.New("quiz: a store and transactions are required")
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, fmt.Errorf("quiz: %w", err)
		}
		o.Location = loc
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if o.PointCap <= 0 {
		o.PointCap = DailyPointCap
	}
	return &Service{store: st, atomic: o.Atomic, loc: o.Location, now: o.Now, rng: o.Rand, pointCap: o.PointCap}, nil
}

// PointCap is the most points a person can earn in a day.
func (s *Service) PointCap() int { return s.pointCap }

func (s *Service) clock() time.Time { return s.now().In(s.loc).Truncate(time.Second) }

// LoadContent makes the content banks those of c and uses its exam papers.
func (s *Service) LoadContent(ctx context.Context, c Content) (SyncCounts, error) {
	counts, err := s.store.SyncContent(ctx, c.Questions)
	if err != nil {
		return SyncCounts{}, err
	}
	s.mu.Lock()
	s.exams = slices.Clone(c.Exams)
	s.mu.Unlock()
	return counts, nil
}

// Exams lists the exam papers.
func (s *Service) Exams() []Exam {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.exams)
}

// Exam returns the paper id (ErrUnknownExam).
func (s *Service) Exam(id string) (Exam, error) {
	for _, e := range s.Exams() {
		if e.ID == id {
			return e, nil
		}
	}
	return Exam{}, ErrUnknownExam
}

// Topics counts the live questions by topic.
func (s *Service) Topics(ctx context.Context) ([]TopicCount, error) { return s.store.Topics(ctx) }

// Question returns a stored question.
func (s *Service) Question(ctx context.Context, id string) (Question, error) {
	return s.store.Question(ctx, id)
}

// OnExpire sets the function told of every exam submitted because its
// time ran out, by the sweep (ExpireExams) or because the person started
// something else first. It runs in the transaction that submits the exam,
// so the message telling the person commits with the result or not at
// all. A press on the exam itself (Answer, Toggle) reports the expiry to
// its caller instead, who shows the result in place. The bot sets it
// before it starts.
func (s *Service) OnExpire(fn func(ctx context.Context, sess Session) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onExpire = fn
}

// Active returns the person's active session (ErrNotFound). An exam whose
// time has run out is submitted first, its result handed to OnExpire's
// function, and is no longer active.
func (s *Service) Active(ctx context.Context, userID int64) (Session, error) {
	var sess Session
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if sess, err = s.store.ActiveSession(ctx, userID); err != nil {
			return err
		}
		if sess.Kind == ExamKind && !s.clock().Before(sess.Deadline) {
			if _, err := s.expire(ctx, sess.ID); err != nil {
				return err
			}
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Abandon ends the person's active session, unless it is an exam
// (ErrExamRunning: an exam ends by submission or time).
func (s *Service) Abandon(ctx context.Context, userID int64) error {
	return s.atomic(ctx, func(ctx context.Context) error {
		sess, err := s.store.ActiveSession(ctx, userID)
		if err != nil {
			return err
		}
		if sess.Kind == ExamKind {
			return ErrExamRunning
		}
		sess.State, sess.Finished = Abandoned, s.clock()
		return s.store.SaveSession(ctx, sess, -1)
	})
}

// start creates a session of the questions qs for userID, refusing when
// another is active (ErrActiveSession, or ErrExamRunning for an exam).
func (s *Service) start(ctx context.Context, sess Session, qs []Question) (Session, error) {
	if len(qs) == 0 {
		return Session{}, ErrNoQuestions
	}
	sess.State, sess.Started = Active, s.clock()
	for _, q := range qs {
		sess.Items = append(sess.Items, Item{QuestionID: q.ID, Topic: q.Topic})
	}
	err := s.atomic(ctx, func(ctx context.Context) error {
		if cur, err := s.Active(ctx, sess.UserID); err == nil {
			if cur.Kind == ExamKind {
				return ErrExamRunning
			}
			return ErrActiveSession
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		return s.store.CreateSession(ctx, &sess)
	})
	return sess, err
}

// StartPractice starts n questions of topic ("" for all) at random,
// unseen ones first.
func (s *Service) StartPractice(ctx context.Context, userID int64, topic string, n int) (Session, error) {
	n = min(max(n, 1), MaxLength)
	qs, err := s.store.Draw(ctx, DrawSpec{N: n, Topic: topic, Unseen: true, UserID: userID})
	if err != nil {
		return Session{}, err
	}
	if len(qs) < n {
		more, err := s.store.Draw(ctx, DrawSpec{N: n - len(qs), Topic: topic, Exclude: ids(qs)})
		if err != nil {
			return Session{}, err
		}
		qs = append(qs, more...)
	}
	return s.start(ctx, Session{UserID: userID, Kind: Practice, Topic: topic}, qs)
}

// StartRetry starts a session of the given questions (those missed in an
// earlier one), leaving out any no longer in the banks.
func (s *Service) StartRetry(ctx context.Context, userID int64, questionIDs []string) (Session, error) {
	var qs []Question
	for _, id := range questionIDs[:min(len(questionIDs), MaxExamQuestions)] {
		q, err := s.store.Question(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Session{}, err
		}
		qs = append(qs, q)
	}
	return s.start(ctx, Session{UserID: userID, Kind: Retry}, qs)
}

// Day is the date of t in the service's time zone, as YYYY-MM-DD.
func (s *Service) Day(t time.Time) string { return t.In(s.loc).Format(time.DateOnly) }

// StartDaily starts today's set of DailySize questions chosen for the
// person: due reviews first, then questions never answered, then
// questions of the topics they do worst in. ErrAlreadyDone once today's
// set is finished.
func (s *Service) StartDaily(ctx context.Context, userID int64) (Session, error) {
	now := s.clock()
	days, err := s.store.DailyDays(ctx, userID, 1)
	if err != nil {
		return Session{}, err
	}
	if len(days) > 0 && days[0] == s.Day(now) {
		return Session{}, ErrAlreadyDone
	}
	var qs []Question
	cards, err := s.store.DueCards(ctx, userID, now, DailySize)
	if err != nil {
		return Session{}, err
	}
	for _, c := range cards {
		if q, err := s.store.Question(ctx, c.QuestionID); err == nil {
			qs = append(qs, q)
		} else if !errors.Is(err, ErrNotFound) {
			return Session{}, err
		}
	}
	if len(qs) < DailySize {
		more, err := s.store.Draw(ctx, DrawSpec{N: DailySize - len(qs), Unseen: true, UserID: userID, Exclude: ids(qs)})
		if err != nil {
			return Session{}, err
		}
		qs = append(qs, more...)
	}
	if len(qs) < DailySize {
		rates, err := s.store.TopicRates(ctx, userID)
		if err != nil {
			return Session{}, err
		}
		for _, r := range rates {
			if len(qs) >= DailySize {
				break
			}
			more, err := s.store.Draw(ctx, DrawSpec{N: DailySize - len(qs), Topic: r.Topic, Exclude: ids(qs)})
			if err != nil {
				return Session{}, err
			}
			qs = append(qs, more...)
		}
	}
	if len(qs) < DailySize {
		more, err := s.store.Draw(ctx, DrawSpec{N: DailySize - len(qs), Exclude: ids(qs)})
		if err != nil {
			return Session{}, err
		}
		qs = append(qs, more...)
	}
	return s.start(ctx, Session{UserID: userID, Kind: Daily}, qs)
}

// StartReview starts a review of the notebook's due cards (ErrNoQuestions
// when none is due).
func (s *Service) StartReview(ctx context.Context, userID int64) (Session, error) {
	cards, err := s.store.DueCards(ctx, userID, s.clock(), ReviewSize)
	if err != nil {
		return Session{}, err
	}
	var qs []Question
	for _, c := range cards {
		if q, err := s.store.Question(ctx, c.QuestionID); err == nil {
			qs = append(qs, q)
		} else if !errors.Is(err, ErrNotFound) {
			return Session{}, err
		}
	}
	return s.start(ctx, Session{UserID: userID, Kind: Review}, qs)
}

// ExamStatus is how many attempts a person has left at a paper.
type ExamStatus struct {
	Exam Exam
	Used int
	Left int
}

// ExamStatus counts the person's attempts at exam in its current period.
func (s *Service) ExamStatus(ctx context.Context, userID int64, exam Exam) (ExamStatus, error) {
	used, err := s.store.ExamAttempts(ctx, userID, exam.ID, exam.Period.Start(s.clock()))
	if err != nil {
		return ExamStatus{}, err
	}
	return ExamStatus{Exam: exam, Used: used, Left: max(exam.Attempts-used, 0)}, nil
}

// StartExam draws a paper and starts its clock. ErrExamRunning when an exam
// is already under way (also this one: it is not started twice),
// ErrAttemptsUsed when the period's attempts are spent.
func (s *Service) StartExam(ctx context.Context, userID int64, examID string) (Session, error) {
	exam, err := s.Exam(examID)
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = s.atomic(ctx, func(ctx context.Context) error {
		st, err := s.ExamStatus(ctx, userID, exam)
		if err != nil {
			return err
		}
		if cur, err := s.Active(ctx, userID); err == nil && cur.Kind == ExamKind {
			return ErrExamRunning
		}
		if st.Left == 0 {
			return ErrAttemptsUsed
		}
		var pool []Question
		for _, qt := range exam.Quotas {
			// Exclude what earlier quotas of the same topic drew.
			got, err := s.store.Draw(ctx, DrawSpec{N: qt.Count, Topic: qt.Topic, Exclude: ids(pool)})
			if err != nil {
				return err
			}
			if len(got) < qt.Count {
				return fmt.Errorf("%w: %s has %d, the paper takes %d", ErrQuotaTooLarge, qt.Topic, len(got), qt.Count)
			}
			pool = append(pool, got...)
		}
		now := s.clock()
		sess, err = s.start(ctx, Session{UserID: userID, Kind: ExamKind, ExamID: exam.ID, Deadline: now.Add(exam.Duration)}, pool)
		return err
	})
	return sess, err
}

// SetMessage records the message the session is shown in.
func (s *Service) SetMessage(ctx context.Context, sess Session, chatID int64, messageID int) (Session, error) {
	sess.ChatID, sess.MessageID = chatID, messageID
	return sess, s.store.SaveSession(ctx, sess, -1)
}

// load reads the session a button names and checks that it is the
// person's, still active, and at pos.
func (s *Service) load(ctx context.Context, userID, sessionID int64, pos int) (Session, error) {
	sess, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return Session{}, err
	}
	if sess.UserID != userID {
		return Session{}, ErrNotYours
	}
	if sess.Over() || pos != sess.Pos || pos >= len(sess.Items) {
		return sess, ErrStale
	}
	return sess, nil
}

// Toggle turns an option of the current multiple-choice question on or off.
func (s *Service) Toggle(ctx context.Context, userID, sessionID int64, pos, option int) (Session, Question, error) {
	var sess Session
	var q Question
	late := false
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if sess, err = s.load(ctx, userID, sessionID, pos); err != nil {
			return err
		}
		if sess.Kind == ExamKind && !s.clock().Before(sess.Deadline) {
			// The submission commits: the stale press only reports it.
			late = true
			sess, _, err = s.finishExpired(ctx, sess.ID)
			return err
		}
		it := &sess.Items[pos]
		if it.Answered {
			return ErrStale
		}
		if q, err = s.store.Question(ctx, it.QuestionID); err != nil {
			return err
		}
		if q.Kind != Multiple || option < 0 || option >= len(q.Options) {
			return ErrBadChoice
		}
		if i := slices.Index(it.Selected, option); i >= 0 {
			it.Selected = slices.Delete(it.Selected, i, i+1)
		} else {
			it.Selected = append(it.Selected, option)
			slices.Sort(it.Selected)
		}
		return s.store.SaveSession(ctx, sess, pos)
	})
	if err == nil && late {
		err = ErrStale
	}
	return sess, q, err
}

// Outcome is what answering a question did.
type Outcome struct {
	Session  Session
	Question Question
	Correct  bool
	Points   int
	// Finished says the answer ended the session.
	Finished bool
	// Card is the question's notebook card after the answer.
	Card Card
}

// Answer grades the current question from the stored question: option is
// the chosen option of a single-choice or judge question, or -1 to submit
// the options toggled on a multiple-choice one. It records the answer,
// its points (capped per day), the notebook card, and moves an exam on.
// A question already answered is ErrStale: it counts once. A press on an
// exam whose time is up submits it as it stands and is ErrStale with
// Finished set and the expired session in the outcome.
func (s *Service) Answer(ctx context.Context, userID, sessionID int64, pos, option int) (Outcome, error) {
	var out Outcome
	late := false
	err := s.atomic(ctx, func(ctx context.Context) error {
		sess, err := s.load(ctx, userID, sessionID, pos)
		if err != nil {
			out.Session = sess
			return err
		}
		now := s.clock()
		if sess.Kind == ExamKind && !now.Before(sess.Deadline) {
			// The submission commits: the stale press only reports it.
			late, out.Finished = true, true
			out.Session, _, err = s.finishExpired(ctx, sess.ID)
			return err
		}
		it := &sess.Items[pos]
		if it.Answered {
			out.Session = sess
			return ErrStale
		}
		q, err := s.store.Question(ctx, it.QuestionID)
		if err != nil {
			return err
		}
		choice := []int{option}
		switch {
		case q.Kind == Multiple && option == -1:
			choice = slices.Clone(it.Selected)
			if len(choice) == 0 {
				return ErrBadChoice
			}
		case q.Kind == Multiple, option < 0, option >= len(q.Options):
			return ErrBadChoice
		}
		it.Selected, it.Answered, it.At = choice, true, now
		it.Correct = q.Correct(choice)
		out.Correct, out.Question = it.Correct, q
		if out.Correct {
			got, err := s.store.PointsSince(ctx, userID, startOfDay(now))
			if err != nil {
				return err
			}
			if got < s.pointCap {
				out.Points = 1
			}
		}
		if err := s.store.RecordAnswer(ctx, AnswerRecord{
			UserID: userID, QuestionID: q.ID, SessionID: sess.ID, Correct: out.Correct, Points: out.Points, At: now,
		}); err != nil {
			return err
		}
		card, err := s.store.Card(ctx, userID, q.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			card = Card{UserID: userID, QuestionID: q.ID}
		case err != nil:
			return err
		}
		if !out.Correct || card.InNotebook() {
			card = card.Review(out.Correct, now)
			if err := s.store.PutCard(ctx, card); err != nil {
				return err
			}
		}
		out.Card = card
		if sess.Kind == ExamKind {
			sess.Pos++
		}
		if pos == len(sess.Items)-1 {
			// Practice keeps Pos on the last question, to show its feedback.
			s.finish(&sess, Done, now)
			out.Finished = true
			if err := s.afterFinish(ctx, sess); err != nil {
				return err
			}
		}
		out.Session = sess
		return s.store.SaveSession(ctx, sess, pos)
	})
	if err == nil && late {
		err = ErrStale
	}
	return out, err
}

// Next moves a practice session on from an answered question.
func (s *Service) Next(ctx context.Context, userID, sessionID int64, pos int) (Session, error) {
	var sess Session
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if sess, err = s.load(ctx, userID, sessionID, pos); err != nil {
			return err
		}
		if !sess.Items[pos].Answered || sess.Kind == ExamKind {
			return ErrStale
		}
		sess.Pos++
		return s.store.SaveSession(ctx, sess, -1)
	})
	return sess, err
}

// Submit hands in an exam as it stands (the unanswered questions count as
// wrong).
func (s *Service) Submit(ctx context.Context, userID, sessionID int64) (Session, error) {
	var sess Session
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if sess, err = s.store.Session(ctx, sessionID); err != nil {
			return err
		}
		if sess.UserID != userID {
			return ErrNotYours
		}
		if sess.Over() || sess.Kind != ExamKind {
			return ErrStale
		}
		state := Done
		if !s.clock().Before(sess.Deadline) {
			state = Expired
		}
		s.finish(&sess, state, s.clock())
		if err := s.afterFinish(ctx, sess); err != nil {
			return err
		}
		return s.store.SaveSession(ctx, sess, -1)
	})
	return sess, err
}

// finish ends a session, scoring an exam.
func (s *Service) finish(sess *Session, state State, now time.Time) {
	sess.State, sess.Finished = state, now
	if sess.Kind == ExamKind {
		if state == Expired && now.After(sess.Deadline) {
			sess.Finished = sess.Deadline
		}
		sess.Score = sess.Summarize().Percent()
		if exam, err := s.Exam(sess.ExamID); err == nil {
			sess.Passed = sess.Score >= exam.Pass
		}
	}
}

// afterFinish records what a finished session counts for. A daily set
// counts for the day it was started: one begun at 23:58 and finished after
// midnight is yesterday's, and today's is still to do.
func (s *Service) afterFinish(ctx context.Context, sess Session) error {
	if sess.Kind == Daily {
		return s.store.MarkDaily(ctx, sess.UserID, s.Day(sess.Started))
	}
	return nil
}

// finishExpired submits one exam whose time is up, as it stands; it
// reports false when the exam had already ended.
func (s *Service) finishExpired(ctx context.Context, sessionID int64) (Session, bool, error) {
	var sess Session
	done := false
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if sess, err = s.store.Session(ctx, sessionID); err != nil {
			return err
		}
		if sess.Over() {
			return nil
		}
		s.finish(&sess, Expired, s.clock())
		done = true
		return s.store.SaveSession(ctx, sess, -1)
	})
	return sess, done, err
}

// expire submits an overdue exam and tells OnExpire's function, in one
// transaction; it reports false when the exam had already ended.
func (s *Service) expire(ctx context.Context, sessionID int64) (bool, error) {
	s.mu.Lock()
	notify := s.onExpire
	s.mu.Unlock()
	finished := false
	err := s.atomic(ctx, func(ctx context.Context) error {
		sess, done, err := s.finishExpired(ctx, sessionID)
		if err != nil || !done {
			return err // a press or another sweep got there first
		}
		finished = true
		if notify == nil {
			return nil
		}
		return notify(ctx, sess)
	})
	return finished, err
}

// ExpireExams submits every exam whose time has run out, each with its
// OnExpire message in the transaction that submits it, and returns how
// many it submitted.
func (s *Service) ExpireExams(ctx context.Context) (int, error) {
	n := 0
	for {
		expired, err := s.store.ExpiredExams(ctx, s.clock(), 50)
		if err != nil || len(expired) == 0 {
			return n, err
		}
		for _, e := range expired {
			finished, err := s.expire(ctx, e.ID)
			if err != nil {
				return n, err
			}
			if finished {
				n++
			}
		}
	}
}

// Session returns a session by id.
func (s *Service) Session(ctx context.Context, id int64) (Session, error) {
	return s.store.Session(ctx, id)
}

// ExamResults lists a person's finished exams, newest first.
func (s *Service) ExamResults(ctx context.Context, userID int64, limit int) ([]Session, error) {
	return s.store.ExamResults(ctx, userID, limit)
}

func startOfDay(t time.Time) time.Time { return PerDay.Start(t) }

func ids(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}
