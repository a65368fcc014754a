// Package quiz is dangwu's study tool: question banks (content and
// imported), quiz sessions with grading, the wrong-answer notebook with a
// Leitner review schedule, timed exams, the daily set, rankings, group
// challenges and statistics. It knows nothing of Telegram: the bot is its
// edge, and store implements its Store.
package quiz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/textenc"
)

// Kind is a question's type.
type Kind string

// The kinds of questions.
const (
	Single   Kind = "single"   // one correct option
	Multiple Kind = "multiple" // two or more correct options
	Judge    Kind = "judge"    // a statement that is right or wrong
)

// JudgeOptions are the two options of a judge question, in order: the
// answer index 0 means the statement is right.
var JudgeOptions = []string{"正确", "错误"}

// Limits on a question. The poll limits are Telegram's for a quiz poll;
// a question that fits them can be used in a group challenge.
const (
	MaxQuestionRunes    = 300 // also the poll question limit
	MaxOptionRunes      = 100 // also the poll option limit
	MaxExplanationRunes = 200 // also the poll explanation limit
	MaxExplanationLines = 2   // line feeds a poll explanation may hold
	MinOptions          = 2
	MaxOptions          = 6 // letters A–F; Telegram would take 10
	MaxIDLen            = 40
	MaxTopicRunes       = 20
	MaxSourceRunes      = 100
)

// Question is one question of a bank.
type Question struct {
	ID          string
	Kind        Kind
	Topic       string
	Difficulty  int // 1 基础, 2 提高, 3 较难
	Text        string
	Options     []string // for a judge question, JudgeOptions
	Answer      []int    // indexes into Options, ascending
	Explanation string
	// Doc and Section point at the knowledge passage the question tests;
	// both may be empty for an imported question.
	Doc, Section string
	District     string // the district whose local rule it tests; empty for the city
	Bank         string // the file it came from
	Line         int    // its line in that file
}

// Correct reports whether choice (option indexes, any order, no
// duplicates) is exactly the question's answer.
func (q Question) Correct(choice []int) bool {
	if len(choice) != len(q.Answer) {
		return false
	}
	c := slices.Clone(choice)
	slices.Sort(c)
	return slices.Equal(c, q.Answer)
}

// Letter is the label of option i: A, B, C ...
func Letter(i int) string { return string(rune('A' + i)) }

// Letters labels the options in choice: "AC".
func Letters(choice []int) string {
	var sb strings.Builder
	for _, i := range choice {
		sb.WriteString(Letter(i))
	}
	return sb.String()
}

// PollReady reports whether q can be a native quiz poll: one correct
// option, and texts within the poll limits. Telegram documents those
// limits in characters but counts some texts in UTF-16 units; a text is
// held to the limit in both (a character outside the BMP counts twice), so
// a poll never depends on which one the server uses.
func (q Question) PollReady() bool {
	if len(q.Answer) != 1 || q.Kind == Multiple ||
		textenc.UTF16Len(q.Text) > MaxQuestionRunes ||
		textenc.UTF16Len(q.Explanation) > MaxExplanationRunes ||
		strings.Count(q.Explanation, "\n") > MaxExplanationLines {
		return false
	}
	for _, o := range q.Options {
		if textenc.UTF16Len(o) > MaxOptionRunes {
			return false
		}
	}
	return true
}

// The reasons a question is refused. A Problem carries one of them.
var (
	ErrNoID            = errors.New("no id")
	ErrBadID           = fmt.Errorf("id: use 1 to %d lower-case letters, digits, - or _", MaxIDLen)
	ErrDuplicateID     = errors.New("duplicate id")
	ErrBadKind         = errors.New("type must be single, multiple or judge")
	ErrNoTopic         = errors.New("no topic")
	ErrTopicTooLong    = fmt.Errorf("topic over %d characters", MaxTopicRunes)
	ErrBadDifficulty   = errors.New("difficulty must be 1, 2 or 3")
	ErrNoQuestion      = errors.New("no question text")
	ErrQuestionTooLong = fmt.Errorf("question over %d characters", MaxQuestionRunes)
	ErrTooFewOptions   = fmt.Errorf("fewer than %d options", MinOptions)
	ErrTooManyOptions  = fmt.Errorf("more than %d options", MaxOptions)
	ErrEmptyOption     = errors.New("empty option")
	ErrOptionTooLong   = fmt.Errorf("option over %d characters", MaxOptionRunes)
	ErrDuplicateOption = errors.New("two options are the same")
	ErrJudgeOptions    = errors.New("a judge question has no options of its own")
	ErrNoAnswer        = errors.New("no answer")
	ErrAnswerNotOption = errors.New("answer is not among the options")
	ErrSingleAnswer    = errors.New("a single-choice question has exactly one answer")
	ErrMultipleAnswer  = errors.New("a multiple-choice question has at least two answers")
	ErrNoExplanation   = errors.New("no explanation")
	ErrExplanationLong = fmt.Errorf("explanation over %d characters", MaxExplanationRunes)
	ErrExplanationRows = fmt.Errorf("explanation has more than %d line breaks", MaxExplanationLines)
	ErrUnknownDistrict = errors.New("unknown district")
	ErrUnknownDoc      = errors.New("no such knowledge document")
	ErrUnknownSection  = errors.New("no such section in the document")
	ErrSourceTooLong   = fmt.Errorf("document or section over %d characters", MaxSourceRunes)
	ErrUnreadable      = errors.New("text has bytes that are not characters")
)

// Problem is why one question (a YAML entry or a spreadsheet row) was
// refused. Value is the offending text, cut short, when there is one.
type Problem struct {
	File  string
	Line  int
	ID    string
	Err   error
	Value string
}

func (p Problem) Error() string {
	var sb strings.Builder
	if p.File != "" {
		fmt.Fprintf(&sb, "%s:", p.File)
	}
	fmt.Fprintf(&sb, "%d: ", p.Line)
	if p.ID != "" {
		fmt.Fprintf(&sb, "question %q: ", p.ID)
	}
	sb.WriteString(p.Err.Error())
	if p.Value != "" {
		fmt.Fprintf(&sb, ": %q", p.Value)
	}
	return sb.String()
}

func (p Problem) Unwrap() error { return p.Err }

// clip shortens a value shown in a problem.
func clip(s string) string {
	const limit = 30
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}

// ParseAnswer reads an answer as people write it: letters for a choice
// question (B, ACD, A,C, a、c; full-width letters too), and for a judge
// question 正确/错误, 对/错, √/×, 是/否, true/false, T/F, Y/N or A/B. It
// returns the option indexes, ascending and without duplicates, and
// ErrAnswerNotOption naming the first letter past the options.
func ParseAnswer(kind Kind, s string, options int) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ErrNoAnswer
	}
	if kind == Judge {
		switch strings.ToLower(s) {
		case "正确", "对", "√", "✓", "✔", "是", "true", "t", "y", "yes", "a", "ａ", "1":
			return []int{0}, nil
		case "错误", "错", "×", "✗", "✘", "x", "否", "false", "f", "n", "no", "b", "ｂ", "0":
			return []int{1}, nil
		}
		return nil, ErrAnswerNotOption
	}
	var out []int
	for _, r := range s {
		switch {
		case r >= 'Ａ' && r <= 'Ｚ':
			r = r - 'Ａ' + 'A'
		case r >= 'ａ' && r <= 'ｚ':
			r = r - 'ａ' + 'A'
		case r >= 'a' && r <= 'z':
			r = r - 'a' + 'A'
		}
		switch {
		case r >= 'A' && r <= 'Z':
			i := int(r - 'A')
			if i >= options {
				return nil, ErrAnswerNotOption
			}
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		case strings.ContainsRune(" ,，、;；/|", r):
		default:
			return nil, ErrAnswerNotOption
		}
	}
	if len(out) == 0 {
		return nil, ErrNoAnswer
	}
	slices.Sort(out)
	return out, nil
}

// Checker knows what a question may point at: the knowledge documents and
// their sections, and the districts. A nil function skips that check.
type Checker struct {
	Section  func(doc, section string) (docFound, sectionFound bool)
	District func(name string) (canonical string, ok bool)
}

// validID reports whether id is 1 to MaxIDLen of a–z 0–9 - _.
func validID(id string) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Check validates q, fixing up what it can (trimming, the district's
// canonical name, a judge question's options), and returns every problem
// it finds; q is usable only when there are none.
func (c Checker) Check(q *Question) []Problem {
	var out []Problem
	bad := func(err error, value string) {
		out = append(out, Problem{File: q.Bank, Line: q.Line, ID: q.ID, Err: err, Value: clip(value)})
	}
	q.ID = strings.TrimSpace(q.ID)
	q.Topic = strings.TrimSpace(q.Topic)
	q.Text = strings.TrimSpace(q.Text)
	q.Explanation = strings.TrimSpace(q.Explanation)
	q.Doc, q.Section, q.District = strings.TrimSpace(q.Doc), strings.TrimSpace(q.Section), strings.TrimSpace(q.District)
	switch {
	case q.ID == "":
		bad(ErrNoID, "")
	case !validID(q.ID):
		bad(ErrBadID, q.ID)
	}
	for _, s := range append([]string{q.Text, q.Topic, q.Explanation}, q.Options...) {
		if strings.ContainsRune(s, utf8.RuneError) {
			bad(ErrUnreadable, s)
			break
		}
	}
	switch n := utf8.RuneCountInString(q.Topic); {
	case n == 0:
		bad(ErrNoTopic, "")
	case n > MaxTopicRunes:
		bad(ErrTopicTooLong, q.Topic)
	}
	if q.Difficulty < 1 || q.Difficulty > 3 {
		bad(ErrBadDifficulty, fmt.Sprint(q.Difficulty))
	}
	switch n := utf8.RuneCountInString(q.Text); {
	case n == 0:
		bad(ErrNoQuestion, "")
	case n > MaxQuestionRunes:
		bad(ErrQuestionTooLong, q.Text)
	}
	switch q.Kind {
	case Judge:
		if len(q.Options) > 0 && !slices.Equal(q.Options, JudgeOptions) {
			bad(ErrJudgeOptions, strings.Join(q.Options, " / "))
		}
		q.Options = slices.Clone(JudgeOptions)
	case Single, Multiple:
		for i := range q.Options {
			q.Options[i] = strings.TrimSpace(q.Options[i])
		}
		switch {
		case len(q.Options) < MinOptions:
			bad(ErrTooFewOptions, "")
		case len(q.Options) > MaxOptions:
			bad(ErrTooManyOptions, "")
		}
		seen := make(map[string]bool, len(q.Options))
		for i, o := range q.Options {
			switch {
			case o == "":
				bad(ErrEmptyOption, Letter(i))
			case utf8.RuneCountInString(o) > MaxOptionRunes:
				bad(ErrOptionTooLong, o)
			case seen[o]:
				bad(ErrDuplicateOption, o)
			}
			seen[o] = true
		}
	default:
		bad(ErrBadKind, string(q.Kind))
	}
	switch {
	case len(q.Answer) == 0:
		bad(ErrNoAnswer, "")
	case q.Kind == Single && len(q.Answer) != 1, q.Kind == Judge && len(q.Answer) != 1:
		bad(ErrSingleAnswer, Letters(q.Answer))
	case q.Kind == Multiple && len(q.Answer) < 2:
		bad(ErrMultipleAnswer, Letters(q.Answer))
	}
	for _, a := range q.Answer {
		if a < 0 || a >= len(q.Options) {
			bad(ErrAnswerNotOption, Letter(a))
			break
		}
	}
	switch n := utf8.RuneCountInString(q.Explanation); {
	case n == 0:
		bad(ErrNoExplanation, "")
	case n > MaxExplanationRunes:
		bad(ErrExplanationLong, q.Explanation)
	}
	if strings.Count(q.Explanation, "\n") > MaxExplanationLines {
		bad(ErrExplanationRows, "")
	}
	if utf8.RuneCountInString(q.Doc) > MaxSourceRunes || utf8.RuneCountInString(q.Section) > MaxSourceRunes {
		bad(ErrSourceTooLong, q.Doc+" "+q.Section)
	} else if q.Doc != "" && c.Section != nil {
		docOK, sectionOK := c.Section(q.Doc, q.Section)
		switch {
		case !docOK:
			bad(ErrUnknownDoc, q.Doc)
		case q.Section != "" && !sectionOK:
			bad(ErrUnknownSection, q.Section)
		}
	}
	if q.District != "" && c.District != nil {
		if name, ok := c.District(q.District); ok {
			q.District = name
		} else {
			bad(ErrUnknownDistrict, q.District)
		}
	}
	return out
}

// DocSections adapts a reader of a document's section headings to
// Checker.Section, reading each document once.
func DocSections(read func(doc string) (sections []string, ok bool)) func(doc, section string) (bool, bool) {
	type entry struct {
		sections []string
		ok       bool
	}
	cache := map[string]entry{}
	return func(doc, section string) (bool, bool) {
		e, seen := cache[doc]
		if !seen {
			e.sections, e.ok = read(doc)
			cache[doc] = e
		}
		return e.ok, e.ok && slices.Contains(e.sections, section)
	}
}
