package records

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
)

// Errors of the records service; the bot maps each to a Chinese reply.
var (
	ErrNotFound       = errors.New("records: not found")
	ErrOutOfScope     = errors.New("records: outside the coordinator's district")
	ErrNotCoordinator = errors.New("records: only coordinators and administrators may do this")
	ErrNotAdmin       = errors.New("records: only administrators may do this")
	ErrNotApproved    = errors.New("records: the person is not an approved worker")
	ErrBadHours       = fmt.Errorf("records: hours must be between -%d and %d and not 0", MaxCredit, MaxCredit)
	ErrNoReason       = errors.New("records: a reason is required")
	ErrTooLong        = errors.New("records: text too long")
	ErrBadDate        = errors.New("records: date outside the allowed range")
	ErrCorrected      = errors.New("records: the entry was corrected already")
	ErrBadRating      = errors.New("records: unknown rating")
	ErrPending        = errors.New("records: an application is already pending")
	ErrNotEligible    = errors.New("records: the criteria of the level are not met")
	ErrTopLevel       = errors.New("records: already at the highest level")
	ErrDecided        = errors.New("records: the application was decided already")
	ErrNoPayRule      = errors.New("records: the district has no pay rule")
	ErrNoMinWage      = errors.New("records: the minimum wage has not been set")
	ErrBadWage        = errors.New("records: the minimum wage must be a monthly amount between 500 and 20000 yuan")
	ErrNoEducation    = errors.New("records: the pay rule has no multiple for this education")
	ErrNoItems        = errors.New("records: a responsibility list needs at least one item")
)

// Limits.
const (
	MaxCredit     = 200 // 学时 one manual credit may give or take
	MaxTextRunes  = 500
	MaxDutyItems  = 50
	MaxReasonRune = 200
)

// Credit is one entry of the 学时 ledger.
type Credit struct {
	ID       int64
	UserID   int64
	Hours    float64
	Day      string // YYYY-MM-DD
	Kind     string // event, exam, manual, correction
	Key      string
	Title    string
	Reason   string
	By       int64
	Corrects int64
	Created  time.Time
}

// Assessment is a yearly assessment.
type Assessment struct {
	UserID   int64
	Year     int
	Rating   Rating
	Comment  string
	District string
	Org      string
	By       int64
	At       time.Time
}

// Duty is one item of a responsibility list.
type Duty struct {
	ID      int64
	UserID  int64
	Year    int
	Text    string
	Due     string // YYYY-MM-DD
	Done    string // YYYY-MM-DD, "" while open
	By      int64
	Created time.Time
	Reports []DutyReport
}

// DutyReport is a worker's progress on a duty.
type DutyReport struct {
	ID     int64
	DutyID int64
	Text   string
	Media  string
	Done   bool
	At     time.Time
}

// Application is a worker's application for a level.
type Application struct {
	ID        int64
	UserID    int64
	Level     string
	District  string
	State     string // pending, approved, rejected
	Reason    string
	At        time.Time
	DecidedBy int64
	DecidedAt time.Time
}

// Award is a level granted.
type Award struct {
	UserID   int64
	Level    string
	District string
	By       int64
	At       time.Time
}

// Vacancy is a post left open at an organisation.
type Vacancy struct {
	District string
	Org      string
	Since    time.Time
	Reason   string // left, or 不合格
	Name     string // who left it ("" once erased)
}

// Facts are what a worker's level is judged on, for one year.
type Facts struct {
	Years      int
	BestScore  int // the best exam score of the year, of any paper or of ExamID
	Hours      float64
	Attendance int // percent of the events registered for that ended, attended; -1 none
	Duties     int // percent of the duties due that were done on time; -1 none
	// The assessments of the latest consecutive years, newest first: from
	// this year's (or last year's, when this year's is not in yet) back to
	// the first year without one.
	Ratings []Rating
}

// MinWage is the city minimum wage an administrator set.
type MinWage struct {
	Amount float64 // yuan a month
	Year   int
	By     int64
	At     time.Time
}

// Store keeps the records; store.RecordsStore implements it. Its calls
// join the transaction of the context.
type Store interface {
	Profile(ctx context.Context, userID int64) (member.Profile, error)
	// SyncCredits adds the ledger entries the activities owe: attendance of
	// events with 学时, passed exam papers (hours by paper id, "" any), each
	// once by its key; a cancelled attendance gets its correction. day
	// turns a time into the ledger's day.
	SyncCredits(ctx context.Context, userID int64, examHours map[string]float64, day func(time.Time) string) error
	// CreditsOwed reports whether SyncCredits would add anything, reading
	// only, so a look at the ledger takes no write lock when it is in line.
	CreditsOwed(ctx context.Context, userID int64, examHours map[string]float64, day func(time.Time) string) (bool, error)
	AddCredit(ctx context.Context, c *Credit) error
	Credit(ctx context.Context, id int64) (Credit, error)
	Credits(ctx context.Context, userID int64, from, to string) ([]Credit, error)
	Assess(ctx context.Context, a Assessment) error
	Assessments(ctx context.Context, userID int64) ([]Assessment, error) // newest first
	AddDuties(ctx context.Context, ds []Duty) error
	Duty(ctx context.Context, id int64) (Duty, error)
	Duties(ctx context.Context, userID int64, year int) ([]Duty, error)
	AddDutyReport(ctx context.Context, r DutyReport, doneOn string) error
	// DutiesDue lists open duties due on or before day that were not
	// reminded.
	DutiesDue(ctx context.Context, day string, limit int) ([]Duty, error)
	MarkReminded(ctx context.Context, dutyID int64) error
	OverdueDuties(ctx context.Context, district, today string, limit int) ([]Duty, error)
	// Facts gathers a level's facts of [from, to), to being now while the
	// period runs: events ended and duties due before to's day count.
	Facts(ctx context.Context, userID int64, examID string, from, to time.Time) (Facts, error)
	Awards(ctx context.Context, userID int64) ([]Award, error) // oldest first
	Award(ctx context.Context, a Award) error
	Apply(ctx context.Context, a *Application) error
	Application(ctx context.Context, id int64) (Application, error)
	Applications(ctx context.Context, district, state string, limit int) ([]Application, error)
	Decide(ctx context.Context, a Application) error
	Vacancies(ctx context.Context, district string) ([]Vacancy, error)
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string, by int64) error
}

// Outbox queues the records' messages (outbox.Store).
type Outbox interface {
	Enqueue(ctx context.Context, msgs []outbox.Message) error
}

// Messages renders what the records send; the bot implements it.
type Messages interface {
	Decided(a Application) outbox.Message
	DutyDue(d Duty) outbox.Message
	Assessed(a Assessment) outbox.Message
}

// Options configure a Service.
type Options struct {
	Atomic   func(ctx context.Context, fn func(ctx context.Context) error) error
	Outbox   Outbox
	Messages Messages
	Content  Content
	Location *time.Location
	Now      func() time.Time
}

// Service keeps the records.
type Service struct {
	store   Store
	atomic  func(ctx context.Context, fn func(ctx context.Context) error) error
	outbox  Outbox
	msgs    Messages
	content Content
	loc     *time.Location
	now     func() time.Time
}

// NewService returns the records service over st.
func NewService(st Store, o Options) (*Service, error) {
	if st == nil || o.Atomic == nil || o.Outbox == nil || o.Messages == nil {
		return nil, errors.New("records: a store, transactions, an outbox and messages are required")
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, err
		}
		o.Location = loc
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: st, atomic: o.Atomic, outbox: o.Outbox, msgs: o.Messages, content: o.Content, loc: o.Location, now: o.Now}, nil
}

func (s *Service) clock() time.Time { return s.now().Truncate(time.Second) }

// Day is t's date in the service's zone.
func (s *Service) Day(t time.Time) string { return t.In(s.loc).Format(time.DateOnly) }

// Year is this year in the service's zone.
func (s *Service) Year() int { return s.clock().In(s.loc).Year() }

// Rules are the rules of district (the city's when it has none).
func (s *Service) Rules(district string) Rules { return s.content.For(district) }

// scope checks that actor may act on a person of district.
func scope(actor member.Access, district string) error {
	switch actor.Role {
	case member.RoleAdmin:
		return nil
	case member.RoleCoordinator:
		if actor.District == "" || actor.District == district {
			return nil
		}
		return ErrOutOfScope
	}
	return ErrNotCoordinator
}

// worker returns an approved worker's profile in actor's scope.
func (s *Service) worker(ctx context.Context, actor member.Access, userID int64) (member.Profile, error) {
	p, err := s.store.Profile(ctx, userID)
	if err != nil {
		return p, err
	}
	if err := scope(actor, p.District); err != nil {
		return p, err
	}
	if p.Status != member.StatusApproved {
		return p, ErrNotApproved
	}
	return p, nil
}

// ---- The ledger ----

// Progress is a person's 学时 of a year against their post's target.
type Progress struct {
	Year    int
	Hours   float64
	Target  Target
	Entries []Credit
}

// Percent is the share of the target done, rounded down, between 0 and
// 100. Without a target (no hours asked of the post) nothing is owed: 100.
func (p Progress) Percent() int {
	if p.Target.Hours <= 0 {
		return 100
	}
	return int(math.Max(0, math.Min(100, p.Hours*100/p.Target.Hours)))
}

// Ledger returns a person's 学时 of year, bringing the ledger up to date
// with their attendance and exams first.
func (s *Service) Ledger(ctx context.Context, userID int64, year int) (Progress, error) {
	p, err := s.store.Profile(ctx, userID)
	if err != nil {
		return Progress{}, err
	}
	rules := s.content.For(p.District)
	out := Progress{Year: year, Target: rules.Target(p.Post)}
	if err := s.syncCredits(ctx, userID, rules.ExamHours); err != nil {
		return out, err
	}
	out.Entries, err = s.store.Credits(ctx, userID, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
	for _, c := range out.Entries {
		out.Hours += c.Hours
	}
	out.Hours = math.Round(out.Hours*100) / 100
	return out, err
}

// syncCredits brings a person's ledger up to date, in a transaction of
// its own when anything is owed.
func (s *Service) syncCredits(ctx context.Context, userID int64, examHours map[string]float64) error {
	if owed, err := s.store.CreditsOwed(ctx, userID, examHours, s.Day); err == nil && !owed {
		return nil
	}
	return s.atomic(ctx, func(ctx context.Context) error {
		return s.store.SyncCredits(ctx, userID, examHours, s.Day)
	})
}

// CreditHours credits (or, negative, debits) hours by hand to a worker in
// the actor's scope, with a reason, dated day (YYYY-MM-DD, from two years
// ago to today in the service's zone). A debit may not take the 学时 of
// the day's year below zero (ErrBadHours).
func (s *Service) CreditHours(ctx context.Context, actor member.Access, userID int64, hours float64, day, title, reason string) (Credit, error) {
	c := Credit{UserID: userID, Hours: hours, Day: day, Kind: "manual", Title: strings.TrimSpace(title), Reason: strings.TrimSpace(reason), By: actor.UserID, Created: s.clock()}
	switch {
	case actor.Role < member.RoleCoordinator:
		return Credit{}, ErrNotCoordinator
	case hours == 0 || math.IsNaN(hours) || math.Abs(hours) > MaxCredit,
		// The ledger keeps hundredths: a finer figure would be lost.
		math.Abs(hours) < 0.01 || math.Abs(hours*100-math.Round(hours*100)) > 1e-6:
		return Credit{}, ErrBadHours
	case c.Reason == "":
		return Credit{}, ErrNoReason
	case utf8.RuneCountInString(c.Reason) > MaxReasonRune || utf8.RuneCountInString(c.Title) > MaxTextRunes:
		return Credit{}, ErrTooLong
	}
	// Compared as dates: tomorrow is the future at any hour of today.
	today := s.clock().In(s.loc)
	d, err := time.ParseInLocation(time.DateOnly, day, s.loc)
	if err != nil || day > s.Day(today) || day < today.AddDate(-2, 0, 0).Format(time.DateOnly) {
		return Credit{}, ErrBadDate
	}
	if c.Title == "" {
		c.Title = c.Reason
	}
	err = s.atomic(ctx, func(ctx context.Context) error {
		p, err := s.worker(ctx, actor, userID)
		if err != nil {
			return err
		}
		if hours < 0 {
			if err := s.store.SyncCredits(ctx, userID, s.content.For(p.District).ExamHours, s.Day); err != nil {
				return err
			}
			have, err := s.store.Credits(ctx, userID, fmt.Sprintf("%04d-01-01", d.Year()), fmt.Sprintf("%04d-12-31", d.Year()))
			if err != nil {
				return err
			}
			sum := 0.0
			for _, x := range have {
				sum += x.Hours
			}
			if math.Round((sum+hours)*100) < 0 {
				return fmt.Errorf("%w: a debit of %g with %g in %d", ErrBadHours, -hours, sum, d.Year())
			}
		}
		return s.store.AddCredit(ctx, &c)
	})
	return c, err
}

// Correct undoes a ledger entry with a new entry of the opposite hours,
// once. The correction is dated as the entry it undoes, so it puts right
// the year the entry counted in (Created says when it was made).
func (s *Service) Correct(ctx context.Context, actor member.Access, creditID int64, reason string) (Credit, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case actor.Role < member.RoleCoordinator:
		return Credit{}, ErrNotCoordinator
	case reason == "":
		return Credit{}, ErrNoReason
	case utf8.RuneCountInString(reason) > MaxReasonRune:
		return Credit{}, ErrTooLong
	}
	var c Credit
	err := s.atomic(ctx, func(ctx context.Context) error {
		orig, err := s.store.Credit(ctx, creditID)
		if err != nil {
			return err
		}
		if orig.Kind == "correction" {
			return ErrCorrected
		}
		if _, err := s.worker(ctx, actor, orig.UserID); err != nil && !errors.Is(err, ErrNotApproved) {
			return err
		}
		c = Credit{UserID: orig.UserID, Hours: -orig.Hours, Day: orig.Day, Kind: "correction", Title: orig.Title,
			Reason: reason, By: actor.UserID, Corrects: orig.ID, Created: s.clock()}
		return s.store.AddCredit(ctx, &c)
	})
	return c, err
}

// ---- Assessments ----

// Assess records a worker's assessment of year, telling them. A year
// already assessed is changed only by someone who covers the district that
// assessed it (ErrOutOfScope): a worker who moved keeps their old
// district's ratings.
func (s *Service) Assess(ctx context.Context, actor member.Access, userID int64, year int, rating Rating, comment string) (Assessment, error) {
	if rating.Rank() < 0 {
		return Assessment{}, ErrBadRating
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxTextRunes {
		return Assessment{}, ErrTooLong
	}
	if year < 2000 || year > s.Year() {
		return Assessment{}, ErrBadDate
	}
	var a Assessment
	err := s.atomic(ctx, func(ctx context.Context) error {
		p, err := s.worker(ctx, actor, userID)
		if err != nil {
			return err
		}
		// A year already assessed is the record of the district that
		// assessed it: a worker who moved since takes no new district's
		// hand to it.
		old, err := s.store.Assessments(ctx, userID)
		if err != nil {
			return err
		}
		for _, o := range old {
			if o.Year == year {
				if err := scope(actor, o.District); err != nil {
					return err
				}
			}
		}
		a = Assessment{UserID: userID, Year: year, Rating: rating, Comment: comment, District: p.District, Org: p.Org, By: actor.UserID, At: s.clock()}
		if err := s.store.Assess(ctx, a); err != nil {
			return err
		}
		m := s.msgs.Assessed(a)
		m.ChatID, m.Kind, m.Repeatable, m.NotBefore = userID, "assessment", true, s.now()
		return s.outbox.Enqueue(ctx, []outbox.Message{m})
	})
	return a, err
}

// Assessments lists a person's assessments, newest first.
func (s *Service) Assessments(ctx context.Context, userID int64) ([]Assessment, error) {
	return s.store.Assessments(ctx, userID)
}

// ---- Responsibility lists ----

// DutyItem is one item a coordinator writes: what, and by when.
type DutyItem struct {
	Text string
	Due  string // YYYY-MM-DD
}

// AssignDuties gives each of userIDs (each once) the items for year, all
// or none: one worker out of scope, or not approved, and nobody gets any.
// It returns the number of duties stored.
func (s *Service) AssignDuties(ctx context.Context, actor member.Access, userIDs []int64, year int, items []DutyItem) (int, error) {
	switch {
	case actor.Role < member.RoleCoordinator:
		return 0, ErrNotCoordinator
	case len(items) == 0 || len(userIDs) == 0:
		return 0, ErrNoItems
	case len(items) > MaxDutyItems:
		return 0, ErrTooLong
	case year < 2000 || year > s.Year()+1:
		return 0, ErrBadDate
	}
	for _, it := range items {
		switch text := strings.TrimSpace(it.Text); {
		case text == "":
			return 0, ErrNoItems
		case utf8.RuneCountInString(text) > MaxTextRunes:
			return 0, ErrTooLong
		}
		d, err := time.ParseInLocation(time.DateOnly, it.Due, s.loc)
		if err != nil || d.Year() != year {
			return 0, ErrBadDate
		}
	}
	n := 0
	err := s.atomic(ctx, func(ctx context.Context) error {
		var ds []Duty
		seen := map[int64]bool{}
		for _, id := range userIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			if _, err := s.worker(ctx, actor, id); err != nil {
				return err
			}
			for _, it := range items {
				ds = append(ds, Duty{UserID: id, Year: year, Text: strings.TrimSpace(it.Text), Due: it.Due, By: actor.UserID, Created: s.clock()})
			}
		}
		n = len(ds)
		return s.store.AddDuties(ctx, ds)
	})
	return n, err
}

// Duties lists a person's responsibility list of year with its reports.
func (s *Service) Duties(ctx context.Context, userID int64, year int) ([]Duty, error) {
	return s.store.Duties(ctx, userID, year)
}

// Duty returns one of a person's own duties (ErrNotFound for another's).
func (s *Service) Duty(ctx context.Context, userID, id int64) (Duty, error) {
	d, err := s.store.Duty(ctx, id)
	if err != nil {
		return d, err
	}
	if d.UserID != userID {
		return Duty{}, ErrNotFound
	}
	return d, nil
}

// ReportDuty records a worker's progress on their own duty; done closes it.
func (s *Service) ReportDuty(ctx context.Context, userID, dutyID int64, text, media string, done bool) (Duty, error) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > MaxTextRunes {
		return Duty{}, ErrTooLong
	}
	if text == "" && media == "" && !done {
		return Duty{}, ErrNoReason
	}
	var d Duty
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.store.Duty(ctx, dutyID); err != nil {
			return err
		}
		if d.UserID != userID {
			return ErrNotFound
		}
		if done && d.Done != "" && text == "" && media == "" {
			return nil // done already: a second 已完成 changes nothing
		}
		doneOn := ""
		if done && d.Done == "" {
			doneOn = s.Day(s.clock())
		}
		if err := s.store.AddDutyReport(ctx, DutyReport{DutyID: dutyID, Text: text, Media: media, Done: done, At: s.clock()}, doneOn); err != nil {
			return err
		}
		d, err = s.store.Duty(ctx, dutyID)
		return err
	})
	return d, err
}

// Overdue lists the open duties past their date in the actor's scope.
func (s *Service) Overdue(ctx context.Context, actor member.Access, limit int) ([]Duty, error) {
	if actor.Role < member.RoleCoordinator {
		return nil, ErrNotCoordinator
	}
	district := actor.District
	if actor.Role == member.RoleAdmin {
		district = ""
	}
	return s.store.OverdueDuties(ctx, district, s.Day(s.clock()), limit)
}

// DutyReminderLead is how many days before its date a duty is recalled.
const DutyReminderLead = 3

// RemindDuties queues a reminder for each open duty due within
// DutyReminderLead days, once, each with its mark in one transaction.
func (s *Service) RemindDuties(ctx context.Context) (int, error) {
	n := 0
	for {
		due, err := s.store.DutiesDue(ctx, s.Day(s.clock().AddDate(0, 0, DutyReminderLead)), 100)
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, d := range due {
			sent := true
			err := s.atomic(ctx, func(ctx context.Context) error {
				if err := s.store.MarkReminded(ctx, d.ID); err != nil {
					return err
				}
				if d.Due < s.Day(s.clock()) {
					sent = false // its day has passed (assigned late): nothing is coming due
					return nil
				}
				m := s.msgs.DutyDue(d)
				m.ChatID, m.Kind, m.Quiet, m.Repeatable, m.NotBefore = d.UserID, "reminder", true, true, s.now()
				return s.outbox.Enqueue(ctx, []outbox.Message{m})
			})
			if err != nil {
				return n, err
			}
			if sent {
				n++
			}
		}
	}
}

// ---- Pay ----

// MinWageKey is the setting of the city minimum wage.
const MinWageKey = "min_wage"

// SetMinWage records the city minimum wage of year (an administrator's).
func (s *Service) SetMinWage(ctx context.Context, actor member.Access, amount float64, year int) error {
	if actor.Role != member.RoleAdmin {
		return ErrNotAdmin
	}
	if math.IsNaN(amount) || amount < 500 || amount > 20000 || math.Abs(amount*100-math.Round(amount*100)) > 1e-6 {
		return ErrBadWage // a monthly amount in yuan and fen
	}
	if year < 2000 || year > s.Year()+1 {
		return ErrBadDate
	}
	// Each year its own figure: recording last year's later does not
	// replace this year's.
	return s.store.SetSetting(ctx, fmt.Sprintf("%s:%d", MinWageKey, year), fmt.Sprintf("%d:%.2f", year, amount), actor.UserID)
}

// MinWage returns this year's minimum wage (ErrNoMinWage when it has not
// been set: the rules multiply 当年's figure, never another year's).
func (s *Service) MinWage(ctx context.Context) (MinWage, error) {
	v, err := s.store.Setting(ctx, fmt.Sprintf("%s:%d", MinWageKey, s.Year()))
	if errors.Is(err, ErrNotFound) {
		return MinWage{}, ErrNoMinWage
	}
	if err != nil {
		return MinWage{}, err
	}
	var w MinWage
	if _, err := fmt.Sscanf(v, "%d:%f", &w.Year, &w.Amount); err != nil {
		return MinWage{}, ErrNoMinWage
	}
	return w, nil
}

// timesYuan is m × yuan rounded half up to the fen, computed in decimal
// (2.5 × 2000.01 is 5000.025, which is 5000.03 元, though the float
// product is 5000.02499…).
func timesYuan(m, yuan float64) float64 {
	a, ok1 := new(big.Rat).SetString(strconv.FormatFloat(m, 'f', -1, 64))
	b, ok2 := new(big.Rat).SetString(strconv.FormatFloat(yuan, 'f', 2, 64))
	if !ok1 || !ok2 {
		return math.Round(m*yuan*100) / 100
	}
	fen := new(big.Rat).Mul(new(big.Rat).Mul(a, b), big.NewRat(100, 1))
	fen.Add(fen, big.NewRat(1, 2)) // half up: the amounts are positive
	n := new(big.Int).Quo(fen.Num(), fen.Denom())
	f, _ := new(big.Rat).SetFrac(n, big.NewInt(100)).Float64()
	return f
}

// PayReference is a worker's pay reference.
type PayReference struct {
	Rule      PayRule
	Education string
	Multiple  float64
	Wage      MinWage
	Amount    float64 // Multiple × Wage.Amount, yuan a month
}

// Pay computes the pay reference of a worker: their district's rule for
// their education, times the minimum wage set.
func (s *Service) Pay(ctx context.Context, userID int64) (PayReference, error) {
	p, err := s.store.Profile(ctx, userID)
	if err != nil {
		return PayReference{}, err
	}
	rule, ok := s.content.PayFor(p.District)
	if !ok {
		return PayReference{}, ErrNoPayRule
	}
	ref := PayReference{Rule: rule, Education: p.Education}
	m, ok := rule.Multiples[p.Education]
	if !ok {
		return ref, ErrNoEducation
	}
	ref.Multiple = m
	w, err := s.MinWage(ctx)
	if err != nil {
		return ref, err
	}
	ref.Wage, ref.Amount = w, timesYuan(m, w.Amount)
	return ref, nil
}
