package quiz

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dangwu/dangwu/internal/yamlbound"
)

// Period is the span over which an exam's attempts are counted.
type Period string

// The periods.
const (
	PerDay   Period = "day"
	PerWeek  Period = "week" // Monday to Sunday
	PerMonth Period = "month"
	PerYear  Period = "year"
	Ever     Period = "ever"
)

// Start is the beginning of the period that holds t, in t's location.
func (p Period) Start(t time.Time) time.Time {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	switch p {
	case PerDay:
		return day
	case PerWeek:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case PerMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
	case PerYear:
		return time.Date(y, 1, 1, 0, 0, 0, 0, t.Location())
	}
	return time.Time{}
}

// Quota is how many questions of a topic a paper draws.
type Quota struct {
	Topic string
	Count int
}

// Exam is an exam paper: drawn by topic quotas, timed, with a pass mark.
type Exam struct {
	ID       string
	Title    string
	Duration time.Duration
	Pass     int // the pass mark, out of 100
	Attempts int // attempts per Period
	Period   Period
	Quotas   []Quota
	Line     int
}

// Size is the number of questions on the paper.
func (e Exam) Size() int {
	n := 0
	for _, q := range e.Quotas {
		n += q.Count
	}
	return n
}

// Exam limits.
const (
	MaxExamQuestions = 100
	MaxExamDuration  = 3 * time.Hour
)

// Reasons an exam paper is refused.
var (
	ErrExamField     = errors.New("exam paper")
	ErrQuotaTooLarge = errors.New("quota asks for more questions than the topic has")
)

type yamlExam struct {
	ID       string `yaml:"id"`
	Title    string `yaml:"title"`
	Minutes  int    `yaml:"minutes"`
	Pass     int    `yaml:"pass"`
	Attempts int    `yaml:"attempts"`
	Period   string `yaml:"period"`
	Quotas   []struct {
		Topic string `yaml:"topic"`
		Count int    `yaml:"count"`
	} `yaml:"quotas"`
}

// ParseExams reads the exam papers file: a list of papers, each checked
// against the questions it draws from.
func ParseExams(file string, data []byte, questions []Question) ([]Exam, []Problem) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Problem{{File: file, Line: yamlLine(err), Err: fmt.Errorf("%w: %v", ErrYAML, err)}}
	}
	if root.Kind == 0 {
		return nil, nil
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, []Problem{{File: file, Line: list.Line, Err: fmt.Errorf("%w: not a list of papers", ErrExamField)}}
	}
	byTopic := map[string]int{}
	for _, q := range questions {
		byTopic[q.Topic]++
	}
	var out []Exam
	var problems []Problem
	seen := map[string]bool{}
	for _, n := range list.Content {
		var y yamlExam
		bad := func(format string, args ...any) {
			problems = append(problems, Problem{File: file, Line: n.Line, ID: y.ID, Err: fmt.Errorf("%w: "+format, append([]any{ErrExamField}, args...)...)})
		}
		if err := yamlbound.Check(n, maxYAMLKeys); err != nil {
			bad("%v", err)
			continue
		}
		if err := n.Decode(&y); err != nil {
			bad("%v", err)
			continue
		}
		before := len(problems)
		e := Exam{
			ID: strings.TrimSpace(y.ID), Title: strings.TrimSpace(y.Title), Duration: time.Duration(y.Minutes) * time.Minute,
			Pass: y.Pass, Attempts: y.Attempts, Period: Period(y.Period), Line: n.Line,
		}
		switch {
		case !validID(e.ID):
			bad("id %q: use 1 to %d lower-case letters, digits, - or _", e.ID, MaxIDLen)
		case seen[e.ID]:
			bad("duplicate id")
		}
		seen[e.ID] = true
		if e.Title == "" {
			bad("no title")
		}
		// Minutes are checked before they are a Duration: 2^53+30 minutes
		// overflow to exactly 30.
		if y.Minutes < 1 || y.Minutes > int(MaxExamDuration/time.Minute) {
			bad("minutes must be 1 to %d", int(MaxExamDuration/time.Minute))
		}
		if e.Pass < 1 || e.Pass > 100 {
			bad("pass must be 1 to 100")
		}
		if e.Attempts < 1 {
			bad("attempts must be at least 1")
		}
		switch e.Period {
		case PerDay, PerWeek, PerMonth, PerYear, Ever:
		case "":
			e.Period = Ever
		default:
			bad("period must be day, week, month, year or ever")
		}
		// A topic may have several quotas; together they must fit the topic,
		// since no question is drawn twice for one paper.
		asked := map[string]int{}
		for _, q := range y.Quotas {
			qt := Quota{Topic: strings.TrimSpace(q.Topic), Count: q.Count}
			asked[qt.Topic] += max(q.Count, 0)
			switch {
			case q.Count < 1:
				bad("quota %q: count must be at least 1", qt.Topic)
			case asked[qt.Topic] > byTopic[qt.Topic]:
				problems = append(problems, Problem{File: file, Line: n.Line, ID: e.ID, Err: ErrQuotaTooLarge,
					Value: fmt.Sprintf("%s: %d > %d", qt.Topic, asked[qt.Topic], byTopic[qt.Topic])})
			}
			e.Quotas = append(e.Quotas, qt)
		}
		if size := e.Size(); size < 1 || size > MaxExamQuestions {
			bad("a paper has 1 to %d questions (quotas)", MaxExamQuestions)
		}
		if len(problems) == before {
			out = append(out, e)
		}
	}
	return out, problems
}
