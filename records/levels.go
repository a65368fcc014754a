package records

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
)

// Criterion is one requirement of a level and how a worker stands on it.
type Criterion struct {
	Name string // years, exam, hours, attendance, duties, rating
	Need float64
	Have float64
	// Rating criteria: the rating needed and those had (newest first).
	NeedRating Rating
	HaveRating []Rating
	Met        bool
	// None: there was nothing to judge (no event signed up for has ended,
	// no duty has come due, no assessment of the latest years). Have is
	// then 0 and the criterion is not met.
	None bool
}

// Standing is a worker's level and what the next one needs.
type Standing struct {
	Current  string // "" none yet
	Next     *Level // nil at the top
	Criteria []Criterion
	Eligible bool
	Rules    Rules
	Facts    Facts
	Pending  *Application
}

// Evaluate judges facts against a level's criteria: each criterion the
// level asks (a number above zero, a rating) is met at or above what it
// asks. A criterion with nothing to judge — attendance when no event
// signed up for has ended (Facts.Attendance -1), duties when none has come
// due (Facts.Duties -1), a rating when there is no assessment — is not
// met, and says so (Criterion.None, Have 0): a level rests on what was
// done, and not signing up for anything must not count as attending.
func Evaluate(l Level, f Facts) ([]Criterion, bool) {
	var out []Criterion
	add := func(name string, need, have float64, none bool) {
		if need > 0 {
			if none {
				have = 0
			}
			out = append(out, Criterion{Name: name, Need: need, Have: have, Met: !none && have >= need, None: none})
		}
	}
	add("years", float64(l.MinYears), float64(f.Years), false)
	add("exam", float64(l.MinExamScore), float64(f.BestScore), false)
	add("hours", l.MinHours, f.Hours, false)
	add("attendance", float64(l.MinAttendance), float64(f.Attendance), f.Attendance < 0)
	add("duties", float64(l.MinDuties), float64(f.Duties), f.Duties < 0)
	if l.MinRating != "" {
		years := max(l.RatingYears, 1)
		c := Criterion{Name: "rating", NeedRating: l.MinRating, Met: len(f.Ratings) >= years, None: len(f.Ratings) == 0}
		for i, r := range f.Ratings {
			if i == years {
				break
			}
			c.HaveRating = append(c.HaveRating, r)
			if r.Rank() < l.MinRating.Rank() {
				c.Met = false
			}
		}
		out = append(out, c)
	}
	met := true
	for _, c := range out {
		met = met && c.Met
	}
	return out, met
}

// Standing returns a worker's level and the next level's criteria, judged
// on this year (and the assessments of the latest years).
func (s *Service) Standing(ctx context.Context, userID int64) (Standing, error) {
	p, err := s.store.Profile(ctx, userID)
	if err != nil {
		return Standing{}, err
	}
	rules := s.content.For(p.District)
	st := Standing{Rules: rules}
	awards, err := s.store.Awards(ctx, userID)
	if err != nil {
		return st, err
	}
	next := 0
	if len(awards) > 0 {
		st.Current = awards[len(awards)-1].Level
		// A level the district's rules do not have (awarded under another
		// district's) has no next level here: applying would start again
		// at the lowest and award it over the higher one.
		next = len(rules.Levels)
		for i, l := range rules.Levels {
			if l.Name == st.Current {
				next = i + 1
			}
		}
	}
	if next >= len(rules.Levels) {
		return st, nil
	}
	st.Next = &rules.Levels[next]
	if err := s.syncCredits(ctx, userID, rules.ExamHours); err != nil {
		return st, err
	}
	year := s.Year()
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.loc)
	to := s.clock().In(s.loc) // the year so far
	f, err := s.store.Facts(ctx, userID, st.Next.ExamID, from, to)
	if err != nil {
		return st, err
	}
	f.Years = max(year-p.StartYear, 0)
	st.Facts = f
	st.Criteria, st.Eligible = Evaluate(*st.Next, f)
	apps, err := s.store.Applications(ctx, p.District, "pending", 1000)
	if err != nil {
		return st, err
	}
	for i := range apps {
		if apps[i].UserID == userID {
			st.Pending = &apps[i]
		}
	}
	return st, nil
}

// Apply applies for the next level; the criteria must be met and no other
// application pending.
func (s *Service) Apply(ctx context.Context, userID int64) (Application, error) {
	st, err := s.Standing(ctx, userID)
	if err != nil {
		return Application{}, err
	}
	switch {
	case st.Next == nil:
		return Application{}, ErrTopLevel
	case st.Pending != nil:
		return *st.Pending, ErrPending
	case !st.Eligible:
		return Application{}, ErrNotEligible
	}
	p, err := s.store.Profile(ctx, userID)
	if err != nil {
		return Application{}, err
	}
	if p.Status != member.StatusApproved {
		return Application{}, ErrNotApproved
	}
	a := Application{UserID: userID, Level: st.Next.Name, District: p.District, State: "pending", At: s.clock()}
	err = s.store.Apply(ctx, &a)
	return a, err
}

// Applications lists the pending applications in the actor's scope.
func (s *Service) Applications(ctx context.Context, actor member.Access, limit int) ([]Application, error) {
	if actor.Role < member.RoleCoordinator {
		return nil, ErrNotCoordinator
	}
	district := actor.District
	if actor.Role == member.RoleAdmin {
		district = ""
	}
	return s.store.Applications(ctx, district, "pending", limit)
}

// Decide approves or rejects an application (a reason is required to
// reject); an approval awards the level. The worker is told in the same
// transaction.
func (s *Service) Decide(ctx context.Context, actor member.Access, id int64, approve bool, reason string) (Application, error) {
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return Application{}, ErrNoReason
	}
	if utf8.RuneCountInString(reason) > MaxReasonRune {
		return Application{}, ErrTooLong
	}
	var a Application
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.store.Application(ctx, id); err != nil {
			return err
		}
		// The worker's district now decides who may decide: one who moved
		// is their new district's.
		if p, err := s.store.Profile(ctx, a.UserID); err == nil {
			a.District = p.District
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := scope(actor, a.District); err != nil {
			return err
		}
		if a.State != "pending" {
			return ErrDecided
		}
		a.State, a.Reason, a.DecidedBy, a.DecidedAt = "rejected", reason, actor.UserID, s.clock()
		if approve {
			a.State = "approved"
			if err := s.store.Award(ctx, Award{UserID: a.UserID, Level: a.Level, District: a.District, By: actor.UserID, At: s.clock()}); err != nil {
				return err
			}
		}
		if err := s.store.Decide(ctx, a); err != nil {
			return err
		}
		m := s.msgs.Decided(a)
		m.ChatID, m.Kind, m.Repeatable, m.NotBefore = a.UserID, "decision", true, s.now()
		return s.outbox.Enqueue(ctx, []outbox.Message{m})
	})
	return a, err
}

// ApplicationFor returns an application to a coordinator in scope.
func (s *Service) ApplicationFor(ctx context.Context, actor member.Access, id int64) (Application, error) {
	a, err := s.store.Application(ctx, id)
	if err != nil {
		return a, err
	}
	if p, err := s.store.Profile(ctx, a.UserID); err == nil {
		a.District = p.District // the worker's district now
	} else if !errors.Is(err, ErrNotFound) {
		return a, err
	}
	if err := scope(actor, a.District); err != nil {
		return a, err
	}
	if a.State != "pending" {
		return a, ErrDecided
	}
	return a, nil
}

// Awards lists a worker's levels, oldest first.
func (s *Service) Awards(ctx context.Context, userID int64) ([]Award, error) {
	return s.store.Awards(ctx, userID)
}

// Vacancies lists the open posts in the actor's scope: organisations whose
// worker left or was rated 不合格, until a new worker there is approved.
func (s *Service) Vacancies(ctx context.Context, actor member.Access) ([]Vacancy, error) {
	if actor.Role < member.RoleCoordinator {
		return nil, ErrNotCoordinator
	}
	district := actor.District
	if actor.Role == member.RoleAdmin {
		district = ""
	}
	return s.store.Vacancies(ctx, district)
}

// IsNotFound reports whether err says a record does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
