package quiz

import (
	"context"
	"sort"
	"time"
	"unicode/utf8"
)

// Notebook lists a page of the person's wrong-answer notebook and the
// number of cards in it.
func (s *Service) Notebook(ctx context.Context, userID int64, offset, limit int) ([]Card, int, error) {
	return s.store.Notebook(ctx, userID, offset, limit)
}

// ReviewStatus is what the notebook holds for review.
type ReviewStatus struct {
	Due     int       // cards due now (up to ReviewSize)
	Total   int       // cards in the notebook
	NextDue time.Time // the earliest due time; zero when empty
}

// ReviewStatus counts the person's due cards.
func (s *Service) ReviewStatus(ctx context.Context, userID int64) (ReviewStatus, error) {
	due, err := s.store.DueCards(ctx, userID, s.clock(), ReviewSize)
	if err != nil {
		return ReviewStatus{}, err
	}
	_, total, err := s.store.Notebook(ctx, userID, 0, 0)
	if err != nil {
		return ReviewStatus{}, err
	}
	next, err := s.store.NextDue(ctx, userID)
	if err != nil {
		return ReviewStatus{}, err
	}
	return ReviewStatus{Due: len(due), Total: total, NextDue: next}, nil
}

// Streak is the number of days in a row, ending today or yesterday, with a
// finished daily set, and whether today's is done.
func (s *Service) Streak(ctx context.Context, userID int64) (days int, today bool, err error) {
	list, err := s.store.DailyDays(ctx, userID, StreakLookback)
	if err != nil {
		return 0, false, err
	}
	day := startOfDay(s.clock())
	if len(list) > 0 && list[0] == s.Day(day) {
		today = true
	} else {
		day = day.AddDate(0, 0, -1)
	}
	for _, d := range list {
		if d != s.Day(day) {
			if d > s.Day(day) {
				continue // today's, counted above
			}
			break
		}
		days++
		day = day.AddDate(0, 0, -1)
	}
	return days, today, nil
}

// Me is a person's study figures.
type Me struct {
	Figures
	Streak     int
	DailyToday bool
	WeekPoints int
}

// Me gathers the person's study figures.
func (s *Service) Me(ctx context.Context, userID int64) (Me, error) {
	f, err := s.store.Figures(ctx, userID)
	if err != nil {
		return Me{}, err
	}
	streak, today, err := s.Streak(ctx, userID)
	if err != nil {
		return Me{}, err
	}
	week, err := s.store.PointsSince(ctx, userID, PerWeek.Start(s.clock()))
	if err != nil {
		return Me{}, err
	}
	return Me{Figures: f, Streak: streak, DailyToday: today, WeekPoints: week}, nil
}

// Prefs returns the person's preferences.
func (s *Service) Prefs(ctx context.Context, userID int64) (Prefs, error) {
	return s.store.Prefs(ctx, userID)
}

// SetPrefs stores the person's preferences. A daily push time already
// past today starts tomorrow: choosing 07:30 in the afternoon does not
// push at once.
func (s *Service) SetPrefs(ctx context.Context, userID int64, p Prefs) error {
	return s.atomic(ctx, func(ctx context.Context) error {
		if err := s.store.SetPrefs(ctx, userID, p); err != nil {
			return err
		}
		now := s.clock()
		if p.Daily != "" && p.Daily <= now.In(s.loc).Format("15:04") {
			return s.store.MarkPushed(ctx, userID, s.Day(now))
		}
		return nil
	})
}

// DailyPushes sends the daily push to everyone whose time has come today
// and who has not done today's set: push is called for each in a
// transaction that also marks them pushed, so each gets it once a day. It
// returns how many it pushed.
func (s *Service) DailyPushes(ctx context.Context, push func(ctx context.Context, userID int64) error) (int, error) {
	now := s.clock()
	day, hhmm := s.Day(now), now.In(s.loc).Format("15:04")
	n := 0
	for {
		due, err := s.store.DuePushes(ctx, day, hhmm, 100)
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, id := range due {
			err := s.atomic(ctx, func(ctx context.Context) error {
				if err := s.store.MarkPushed(ctx, id, day); err != nil {
					return err
				}
				return push(ctx, id)
			})
			if err != nil {
				return n, err
			}
			n++
		}
	}
}

// RankEntry is one line of a ranking.
type RankEntry struct {
	Place  int
	Name   string // masked unless the person agreed to show it
	Points int
	Self   bool
}

// Ranking is this week's ranking, overall and within a district.
type Ranking struct {
	Since    time.Time
	Overall  []RankEntry
	District string
	Local    []RankEntry
	// Mine is the person's own line in the overall ranking, when ranked.
	Mine    RankEntry
	Ranked  bool
	Entries int // people ranked overall
}

// RankTop is how many lines a ranking shows.
const RankTop = 10

// Rank builds this week's ranking for userID, whose district is district
// ("" when they have none: only the overall ranking).
func (s *Service) Rank(ctx context.Context, userID int64, district string) (Ranking, error) {
	since := PerWeek.Start(s.clock())
	rows, err := s.store.Ranking(ctx, since, "")
	if err != nil {
		return Ranking{}, err
	}
	out := Ranking{Since: since, District: district, Entries: len(rows)}
	out.Overall, out.Mine, out.Ranked = entries(rows, userID)
	if district != "" {
		var local []RankRow
		for _, r := range rows {
			if r.District == district {
				local = append(local, r)
			}
		}
		out.Local, _, _ = entries(local, userID)
	}
	return out, nil
}

// entries places rows (best first): equal points share a place.
func entries(rows []RankRow, userID int64) (top []RankEntry, mine RankEntry, ranked bool) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Points > rows[j].Points })
	place := 0
	for i, r := range rows {
		if i == 0 || r.Points != rows[i-1].Points {
			place = i + 1
		}
		name := r.Name
		if !r.ShowName {
			name = MaskName(name)
		}
		e := RankEntry{Place: place, Name: name, Points: r.Points, Self: r.UserID == userID}
		if i < RankTop {
			top = append(top, e)
		}
		if e.Self {
			mine, ranked = e, true
		}
	}
	return top, mine, ranked
}

// MaskName hides a name's middle: 张*明, 李*, 欧阳**锋; a one-character
// name becomes *.
func MaskName(name string) string {
	r := []rune(name)
	switch n := utf8.RuneCountInString(name); {
	case n <= 1:
		return "*"
	case n == 2:
		return string(r[0]) + "*"
	default:
		mid := make([]rune, n-2)
		for i := range mid {
			mid[i] = '*'
		}
		return string(r[0]) + string(mid) + string(r[n-1])
	}
}

// Stats are the figures a coordinator sees for their scope.
type Stats struct {
	District string // "" for the whole city
	Topics   []TopicRate
	Missed   []QuestionStat // the most missed questions
}

// StatsMinAnswers is how many answers a question needs to be listed as
// most missed (fewer say nothing about the question).
const StatsMinAnswers = 3

// QuestionRate counts the answers to one question by people of district
// ("" for all) and how many of them were right.
func (s *Service) QuestionRate(ctx context.Context, district, questionID string) (answered, right int, err error) {
	return s.store.QuestionRate(ctx, district, questionID)
}

// Stats gathers the correct rates of answers by people of district ("" for
// all, for a city coordinator).
func (s *Service) Stats(ctx context.Context, district string, limit int) (Stats, error) {
	topics, err := s.store.TopicStats(ctx, district)
	if err != nil {
		return Stats{}, err
	}
	missed, err := s.store.QuestionStats(ctx, district, StatsMinAnswers, limit)
	if err != nil {
		return Stats{}, err
	}
	return Stats{District: district, Topics: topics, Missed: missed}, nil
}
