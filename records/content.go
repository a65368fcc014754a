package records

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dangwu/dangwu/member"
	"go.yaml.in/yaml/v3"
)

// The records' files in a content folder, each optional.
const (
	LevelsFile = "levels.yaml"
	PayFile    = "pay.yaml"
)

// Limits of levels.yaml and pay.yaml. A file is read whole, so it is
// bounded first.
const (
	MaxRulesFile      = 1 << 20 // bytes of one file
	MaxRulesEntries   = 200     // districts, targets, exam credits or pay rules in one list
	MaxLevels         = 20      // levels of one district (or the city)
	MaxLevelNameLen   = 20      // runes
	MaxRulesSourceLen = 300     // runes of a source
	MaxPayNoteLen     = 200     // runes of a pay rule's note
	MaxRulesHours     = 2000    // 学时: a target, a level's min_hours, an exam's credit
	MaxRulesYears     = 60      // min_years, rating_years
	MaxPayMultiple    = 10      // of the minimum wage
)

// Reasons a part of levels.yaml or pay.yaml is refused; details are
// wrapped with %w.
var (
	ErrRulesTooLarge   = errors.New("content file too large")
	ErrRulesYAML       = errors.New("not YAML of the expected shape")
	ErrRulesField      = errors.New("unknown field")
	ErrRulesFieldTwice = errors.New("field given twice")
	ErrRulesType       = errors.New("wrong type of value")
	ErrRulesMissing    = errors.New("required field missing")
	ErrRulesText       = errors.New("text has bytes that are not characters, or control characters")
	ErrRulesTooLong    = errors.New("text too long")
	ErrRulesEmpty      = errors.New("the district overrides nothing: give levels, targets or exam_hours, or leave it out")

	ErrNoCityRules        = errors.New("no city block (the defaults every district inherits)")
	ErrRulesDistrict      = errors.New("no such district")
	ErrRulesDistrictTwice = errors.New("district given twice")
	ErrNoSource           = errors.New("missing source")
	ErrSourceNoLevels     = errors.New("source describes the levels: give the district's levels with it, or leave it out (each target has its own source)")

	ErrNoLevels        = errors.New("no levels")
	ErrTooManyLevels   = fmt.Errorf("more than %d levels", MaxLevels)
	ErrLevelName       = fmt.Errorf("level name: 1 to %d characters", MaxLevelNameLen)
	ErrLevelNameTwice  = errors.New("level name used twice")
	ErrLevelBelow      = errors.New("a higher level asks less than the level below it")
	ErrRulesPercent    = errors.New("must be 0 to 100 (percent)")
	ErrRulesHours      = fmt.Errorf("学时 must be 0 to %d", MaxRulesHours)
	ErrRulesYears      = fmt.Errorf("years must be 0 to %d", MaxRulesYears)
	ErrRulesRating     = errors.New("unknown rating (优秀, 合格, 基本合格 or 不合格)")
	ErrRatingYears     = errors.New("min_rating and rating_years go together: the lowest rating accepted, in each of the latest rating_years (1 or more) assessments")
	ErrRulesExam       = errors.New("no such exam paper (ids in quiz/exams.yaml)")
	ErrExamNoScore     = errors.New("exam names a paper but min_exam_score is 0")
	ErrTargetPost      = errors.New("unknown post (\"\" for every post not listed)")
	ErrTargetPostTwice = errors.New("post given twice")
	ErrExamHoursTwice  = errors.New("exam paper given twice")

	ErrPayMultiple       = fmt.Errorf("multiple must be over 0 and at most %d", MaxPayMultiple)
	ErrPayEducation      = errors.New("unknown education")
	ErrPayEducationTwice = errors.New("education given twice")
	ErrNoMultiples       = errors.New("no multiples by education")
	ErrPayDistrictTwice  = errors.New("district has a pay rule already")
)

// Problem is why a part of levels.yaml or pay.yaml was refused. Value is
// the offending text, cut short, when there is one.
type Problem struct {
	File  string
	Line  int
	Err   error
	Value string
}

func (p Problem) Error() string {
	var sb strings.Builder
	if p.File != "" {
		fmt.Fprintf(&sb, "%s:", p.File)
	}
	fmt.Fprintf(&sb, "%d: %v", p.Line, p.Err)
	if p.Value != "" {
		fmt.Fprintf(&sb, ": %q", p.Value)
	}
	return sb.String()
}

func (p Problem) Unwrap() error { return p.Err }

// Content is the records' part of a content folder: the city's rules, the
// rules of each district listed in levels.yaml (with the city's filled in
// where the district gives none), and the pay references.
type Content struct {
	City      Rules
	Districts map[string]Rules // by full district name
	Pay       []PayRule

	ownLevels int // levels written in levels.yaml
}

// For returns the district's rules, or the city's when levels.yaml does
// not list the district.
func (c Content) For(district string) Rules {
	if r, ok := c.Districts[district]; ok {
		return r
	}
	return c.City
}

// PayFor returns the district's pay reference; else the city's (a rule
// of pay.yaml without a district, District ""), when there is one.
func (c Content) PayFor(district string) (PayRule, bool) {
	var city PayRule
	found := false
	for _, r := range c.Pay {
		switch {
		case r.District == district && district != "":
			return r, true
		case r.District == "":
			city, found = r, true
		}
	}
	return city, found
}

// LevelCount is the number of levels levels.yaml writes out: the city's
// and those of each district that has its own (inherited ones not counted
// again).
func (c Content) LevelCount() int { return c.ownLevels }

// Target returns the post's yearly 学时 target, else the one for every
// post not listed (Post ""); the zero Target (no hours, no source) when
// there is neither.
func (r Rules) Target(post string) Target {
	var def Target
	for _, t := range r.Targets {
		if post != "" && t.Post == post {
			return t
		}
		if t.Post == "" {
			def = t
		}
	}
	return def
}

// LoadContent reads levels.yaml and pay.yaml from the root of fsys, each
// optional (a missing file is no problem), with the posts and educations
// of member. examIDs are the exam papers levels may name (nil: not
// checked). The error is for a file that exists but cannot be read;
// everything wrong inside a file is a Problem.
func LoadContent(fsys fs.FS, districts member.Districts, examIDs []string) (Content, []Problem, error) {
	var out Content
	var problems []Problem
	data, ok, err := readRulesFile(fsys, LevelsFile, &problems)
	if err != nil {
		return Content{}, nil, err
	}
	if ok {
		lp := parseLevels(LevelsFile, data, districts, member.Posts(), examIDs)
		out.City, out.Districts, out.ownLevels = lp.city, lp.districts, lp.own
		problems = append(problems, lp.problems...)
	}
	data, ok, err = readRulesFile(fsys, PayFile, &problems)
	if err != nil {
		return Content{}, nil, err
	}
	if ok {
		pay, ps := ParsePay(PayFile, data, districts, member.Educations())
		out.Pay = pay
		problems = append(problems, ps...)
	}
	return out, problems, nil
}

// readRulesFile reads name, at most MaxRulesFile bytes: false for a file
// that does not exist or is too large (a problem).
func readRulesFile(fsys fs.FS, name string, problems *[]Problem) ([]byte, bool, error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRulesFile+1))
	if err != nil {
		return nil, false, fmt.Errorf("load %s: %w", name, err)
	}
	if len(data) > MaxRulesFile {
		*problems = append(*problems, Problem{File: name, Line: 1, Err: fmt.Errorf("%w: over %d bytes", ErrRulesTooLarge, MaxRulesFile)})
		return nil, false, nil
	}
	return data, true, nil
}

// ParseLevels reads levels.yaml:
//
//	city:                      # the defaults every district inherits
//	  source: ...              # where the levels come from
//	  targets:                 # 学时 a year by post, each with its source
//	    - post: ""             # every post not listed
//	      hours: 32
//	      source: ...
//	  exam_hours:              # 学时 credited for passing a paper, by id ("" any paper)
//	    general: 2
//	  levels:                  # lowest first
//	    - name: 初级
//	      min_years: 0         # years in post
//	      min_exam_score: 60   # best score (out of 100) in the period,
//	      exam: general        #   on this paper (absent: any)
//	      min_hours: 16        # 学时 in the year
//	      min_attendance: 50   # percent of the events signed up for
//	      min_duties: 50       # percent of responsibility-list items done on time
//	      min_rating: 合格      # the lowest yearly rating accepted,
//	      rating_years: 1      #   in each of the latest N assessments
//	districts:
//	  泉山区:                   # a district's name or alias
//	    source: ...
//	    levels: [...]          # replaces the city's levels
//	    targets: [...]         # replace the city's targets of the same posts
//	    exam_hours: {...}      # replace the city's credits of the same papers
//
// posts are the posts a target may name ("" aside); examIDs the papers a
// level or a credit may name (nil: not checked). A district without
// levels has the city's levels and source; its targets and exam credits
// are the city's with its own put over them. A block with any problem is
// refused whole (a refused city leaves the districts nothing to inherit),
// and a refused district is left out, so For gives the city's rules.
func ParseLevels(file string, data []byte, districts member.Districts, posts []string, examIDs []string) (city Rules, byDistrict map[string]Rules, problems []Problem) {
	lp := parseLevels(file, data, districts, posts, examIDs)
	return lp.city, lp.districts, lp.problems
}

type parsedLevels struct {
	city      Rules
	districts map[string]Rules
	own       int
	problems  []Problem
}

func parseLevels(file string, data []byte, districts member.Districts, posts []string, examIDs []string) parsedLevels {
	p := &rulesParser{file: file, posts: posts, examIDs: examIDs}
	var out parsedLevels
	root := p.document(data)
	if root == nil {
		out.problems = p.problems
		return out
	}
	top, ok := p.mapping(root, "city", "districts")
	if !ok {
		out.problems = p.problems
		return out
	}
	if n := top["city"]; n == nil {
		p.bad(root.Line, ErrNoCityRules, "")
	} else {
		before := len(p.problems)
		r, _ := p.rules(n, true)
		if len(p.problems) == before {
			out.city = r
			out.own += len(r.Levels)
		}
	}
	out.districts = map[string]Rules{}
	if n := top["districts"]; n != nil {
		if n.Kind != yaml.MappingNode {
			p.bad(n.Line, fmt.Errorf("%w: districts must map each district to its rules", ErrRulesType), "")
		} else if len(n.Content)/2 > MaxRulesEntries {
			p.bad(n.Line, fmt.Errorf("%w: over %d districts", ErrRulesTooLarge, MaxRulesEntries), "")
		} else {
			seen := map[string]int{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				before := len(p.problems)
				name, known := districts.Resolve(k.Value)
				switch first, dup := seen[name]; {
				case k.Kind != yaml.ScalarNode || !known:
					p.bad(k.Line, ErrRulesDistrict, k.Value)
				case dup:
					p.bad(k.Line, fmt.Errorf("%w (line %d)", ErrRulesDistrictTwice, first), k.Value)
				default:
					seen[name] = k.Line
				}
				r, hasLevels := p.rules(v, false)
				if len(p.problems) > before {
					continue
				}
				merged := Rules{
					Levels:    slices.Clone(out.city.Levels),
					Source:    out.city.Source,
					Targets:   mergeTargets(out.city.Targets, r.Targets),
					ExamHours: mergeExamHours(out.city.ExamHours, r.ExamHours),
				}
				if hasLevels {
					merged.Levels, merged.Source = r.Levels, r.Source
					out.own += len(r.Levels)
				}
				out.districts[name] = merged
			}
		}
	}
	out.problems = p.sorted()
	return out
}

// mergeTargets is the city's targets with the district's put over those of
// the same post, and the district's other posts after them.
func mergeTargets(city, district []Target) []Target {
	out := slices.Clone(city)
	for _, t := range district {
		i := slices.IndexFunc(out, func(c Target) bool { return c.Post == t.Post })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	return out
}

func mergeExamHours(city, district map[string]float64) map[string]float64 {
	if city == nil && district == nil {
		return nil
	}
	out := make(map[string]float64, len(city)+len(district))
	for id, h := range city {
		out[id] = h
	}
	for id, h := range district {
		out[id] = h
	}
	return out
}

// ParsePay reads pay.yaml: a list of pay references,
//
//	# pay.yaml
//	- district: 贾汪区           # a name or alias; absent for the city's
//	  multiples:                # education → multiple of the minimum wage
//	    大专: 2.0
//	    本科: 2.5
//	    研究生: 3.0
//	  note: 每年调整一次
//	  source: ...
//
// educations are the ones a multiple may name. An entry with any problem
// is refused whole.
func ParsePay(file string, data []byte, districts member.Districts, educations []string) ([]PayRule, []Problem) {
	p := &rulesParser{file: file}
	root := p.document(data)
	if root == nil {
		return nil, p.problems
	}
	if root.Kind != yaml.SequenceNode {
		p.bad(root.Line, fmt.Errorf("%w: a list of pay rules", ErrRulesYAML), "")
		return nil, p.problems
	}
	if len(root.Content) > MaxRulesEntries {
		p.bad(root.Line, fmt.Errorf("%w: over %d pay rules", ErrRulesTooLarge, MaxRulesEntries), "")
		return nil, p.problems
	}
	var out []PayRule
	seen := map[string]int{}
	for _, n := range root.Content {
		before := len(p.problems)
		f, ok := p.mapping(n, "district", "multiples", "note", "source")
		if !ok {
			continue
		}
		r := PayRule{}
		districtOK := true
		if v := f["district"]; v != nil {
			s := p.str(v, "district")
			name, known := districts.Resolve(s)
			if !known && !p.failedAt(v) {
				p.bad(v.Line, ErrRulesDistrict, s)
			}
			r.District, districtOK = name, known
		}
		if first, dup := seen[r.District]; districtOK && dup {
			p.bad(deref(n).Line, fmt.Errorf("%w (line %d)", ErrPayDistrictTwice, first), r.District)
		} else if districtOK {
			seen[r.District] = deref(n).Line
		}
		r.Multiples = p.multiples(n, f["multiples"], educations)
		r.Note = p.text(f["note"], "note", MaxPayNoteLen)
		r.Source = p.text(f["source"], "source", MaxRulesSourceLen)
		if r.Source == "" && !p.failedAt(f["source"]) {
			p.bad(n.Line, ErrNoSource, "")
		}
		if len(p.problems) == before {
			out = append(out, r)
		}
	}
	return out, p.sorted()
}

func (p *rulesParser) multiples(entry, n *yaml.Node, educations []string) map[string]float64 {
	if n == nil {
		p.bad(entry.Line, ErrNoMultiples, "")
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.bad(n.Line, fmt.Errorf("%w: multiples must map each education to a number", ErrRulesType), "")
		return nil
	}
	if len(n.Content) == 0 {
		p.bad(n.Line, ErrNoMultiples, "")
		return nil
	}
	out := map[string]float64{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		edu := strings.TrimSpace(k.Value)
		if k.Kind != yaml.ScalarNode || !slices.Contains(educations, edu) {
			p.bad(k.Line, ErrPayEducation, k.Value)
			continue
		}
		if _, dup := out[edu]; dup {
			p.bad(k.Line, ErrPayEducationTwice, edu)
			continue
		}
		m, ok := p.number(deref(v), edu)
		if !ok {
			continue
		}
		if m <= 0 || m > MaxPayMultiple {
			p.bad(v.Line, fmt.Errorf("%w: %s %g", ErrPayMultiple, edu, m), "")
			continue
		}
		out[edu] = m
	}
	return out
}

// rulesParser reads the nodes of one file, collecting every problem.
type rulesParser struct {
	file     string
	posts    []string
	examIDs  []string
	problems []Problem
	failed   map[*yaml.Node]bool // values whose type was wrong
}

// sorted returns the problems in the order of their lines.
func (p *rulesParser) sorted() []Problem {
	slices.SortStableFunc(p.problems, func(a, b Problem) int { return a.Line - b.Line })
	return p.problems
}

func (p *rulesParser) bad(line int, err error, value string) {
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Err: err, Value: clipRulesValue(value)})
}

// document parses data and returns its top node; nil for an empty file
// or one that is not YAML (a problem).
func (p *rulesParser) document(data []byte) *yaml.Node {
	if len(data) > MaxRulesFile {
		p.bad(1, fmt.Errorf("%w: %d bytes, limit %d", ErrRulesTooLarge, len(data), MaxRulesFile), "")
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		p.bad(rulesYAMLLine(err), fmt.Errorf("%w: %v", ErrRulesYAML, err), "")
		return nil
	}
	n := &root
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	return n
}

// rulesYAMLLine is the line a YAML error names, or 1.
func rulesYAMLLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+len("line "):], "%d", &line)
	}
	return max(line, 1)
}

// mapping returns the values of a mapping by key, reporting keys not
// allowed and keys given twice; null values are left out. false when n is
// not a mapping (reported).
func (p *rulesParser) mapping(n *yaml.Node, allowed ...string) (map[string]*yaml.Node, bool) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.bad(n.Line, fmt.Errorf("%w: expected fields (%s)", ErrRulesYAML, strings.Join(allowed, ", ")), "")
		return nil, false
	}
	out := map[string]*yaml.Node{}
	given := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode || !slices.Contains(allowed, k.Value):
			p.bad(k.Line, ErrRulesField, k.Value)
		case given[k.Value]:
			p.bad(k.Line, ErrRulesFieldTwice, k.Value)
		default:
			given[k.Value] = true
			if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
				out[k.Value] = v
			}
		}
	}
	return out, true
}

func deref(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func (p *rulesParser) markFailed(n *yaml.Node) {
	if p.failed == nil {
		p.failed = map[*yaml.Node]bool{}
	}
	p.failed[n] = true
}

func (p *rulesParser) failedAt(n *yaml.Node) bool { return n != nil && p.failed[n] }

// str is a scalar's text, trimmed; "" for nil.
func (p *rulesParser) str(n *yaml.Node, field string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.bad(n.Line, fmt.Errorf("%w: %s must be text", ErrRulesType, field), "")
		p.markFailed(n)
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// text is str checked to be readable and within limit runes.
func (p *rulesParser) text(n *yaml.Node, field string, limit int) string {
	s := p.str(n, field)
	if s == "" {
		return ""
	}
	if !readableRulesText(s) {
		p.bad(n.Line, fmt.Errorf("%w: %s", ErrRulesText, field), s)
		p.markFailed(n)
		return ""
	}
	if c := utf8.RuneCountInString(s); c > limit {
		p.bad(n.Line, fmt.Errorf("%w: %s has %d characters, limit %d", ErrRulesTooLong, field, c, limit), s)
		p.markFailed(n)
		return ""
	}
	return s
}

// number is a scalar's number; false (reported) when it is not one.
func (p *rulesParser) number(n *yaml.Node, field string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64)
	if n.Kind != yaml.ScalarNode || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.bad(n.Line, fmt.Errorf("%w: %s must be a number", ErrRulesType, field), n.Value)
		p.markFailed(n)
		return 0, false
	}
	return f, true
}

// whole is a scalar's whole number; false (reported) when it is not one.
func (p *rulesParser) whole(n *yaml.Node, field string) (int, bool) {
	i, err := strconv.Atoi(strings.TrimSpace(n.Value))
	if n.Kind != yaml.ScalarNode || err != nil {
		p.bad(n.Line, fmt.Errorf("%w: %s must be a whole number", ErrRulesType, field), n.Value)
		p.markFailed(n)
		return 0, false
	}
	return i, true
}

// wholeIn is whole within 0..hi (rangeErr otherwise); 0 when absent.
func (p *rulesParser) wholeIn(n *yaml.Node, field string, hi int, rangeErr error) int {
	if n == nil {
		return 0
	}
	i, ok := p.whole(n, field)
	if !ok {
		return 0
	}
	if i < 0 || i > hi {
		p.bad(n.Line, fmt.Errorf("%s: %w", field, rangeErr), n.Value)
		p.markFailed(n)
		return 0
	}
	return i
}

// hours is a number of 学时 within 0..MaxRulesHours; 0 when absent.
func (p *rulesParser) hours(n *yaml.Node, field string) float64 {
	if n == nil {
		return 0
	}
	h, ok := p.number(n, field)
	if !ok {
		return 0
	}
	if h < 0 || h > MaxRulesHours {
		p.bad(n.Line, fmt.Errorf("%s: %w", field, ErrRulesHours), n.Value)
		p.markFailed(n)
		return 0
	}
	return h
}

// examID checks a paper id against the known ones (when they are known).
func (p *rulesParser) examID(line int, id string) {
	if id != "" && p.examIDs != nil && !slices.Contains(p.examIDs, id) {
		p.bad(line, ErrRulesExam, id)
	}
}

// rules reads the city's block, or a district's; hasLevels reports
// whether it gives levels.
func (p *rulesParser) rules(n *yaml.Node, city bool) (r Rules, hasLevels bool) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" || n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		if city {
			p.bad(n.Line, ErrNoLevels, "")
		} else {
			p.bad(n.Line, ErrRulesEmpty, "")
		}
		return Rules{}, false
	}
	f, ok := p.mapping(n, "source", "targets", "exam_hours", "levels")
	if !ok {
		return Rules{}, false
	}
	if len(f) == 0 && !city {
		p.bad(n.Line, ErrRulesEmpty, "")
	}
	r.Source = p.text(f["source"], "source", MaxRulesSourceLen)
	levels := f["levels"]
	switch {
	case levels != nil:
		hasLevels = true
		r.Levels = p.levels(levels)
		if r.Source == "" && !p.failedAt(f["source"]) {
			p.bad(n.Line, fmt.Errorf("%w: say where the levels come from, or that they are this system's defaults", ErrNoSource), "")
		}
	case city:
		p.bad(n.Line, ErrNoLevels, "")
	case r.Source != "":
		p.bad(f["source"].Line, ErrSourceNoLevels, "")
	}
	if t := f["targets"]; t != nil {
		r.Targets = p.targets(t)
	}
	if e := f["exam_hours"]; e != nil {
		r.ExamHours = p.examHours(e)
	}
	return r, hasLevels
}

func (p *rulesParser) levels(n *yaml.Node) []Level {
	if n.Kind != yaml.SequenceNode {
		p.bad(n.Line, fmt.Errorf("%w: levels must be a list, lowest first", ErrRulesType), "")
		return nil
	}
	switch {
	case len(n.Content) == 0:
		p.bad(n.Line, fmt.Errorf("%w: give at least one, or leave levels out to use the city's", ErrNoLevels), "")
		return nil
	case len(n.Content) > MaxLevels:
		p.bad(n.Line, ErrTooManyLevels, "")
		return nil
	}
	var out []Level
	names := map[string]int{}
	floors := map[string]floor{} // by criterion, what the levels below ask at most
	for _, item := range n.Content {
		before := len(p.problems)
		f, ok := p.mapping(item, "name", "min_years", "min_exam_score", "exam", "min_hours", "min_attendance", "min_duties", "min_rating", "rating_years")
		if !ok {
			continue
		}
		var l Level
		item = deref(item)
		l.Name = p.text(f["name"], "name", MaxLevelNameLen)
		switch first, dup := names[l.Name]; {
		case l.Name == "" && !p.failedAt(f["name"]):
			p.bad(item.Line, ErrLevelName, "")
		case l.Name == "":
		case dup:
			p.bad(f["name"].Line, fmt.Errorf("%w (line %d)", ErrLevelNameTwice, first), l.Name)
		default:
			names[l.Name] = f["name"].Line
		}
		l.MinYears = p.wholeIn(f["min_years"], "min_years", MaxRulesYears, ErrRulesYears)
		l.MinExamScore = p.wholeIn(f["min_exam_score"], "min_exam_score", 100, ErrRulesPercent)
		if e := f["exam"]; e != nil {
			l.ExamID = p.str(e, "exam")
			p.examID(e.Line, l.ExamID)
			if l.ExamID != "" && l.MinExamScore == 0 && !p.failedAt(f["min_exam_score"]) {
				p.bad(e.Line, ErrExamNoScore, l.ExamID)
			}
		}
		l.MinHours = p.hours(f["min_hours"], "min_hours")
		l.MinAttendance = p.wholeIn(f["min_attendance"], "min_attendance", 100, ErrRulesPercent)
		l.MinDuties = p.wholeIn(f["min_duties"], "min_duties", 100, ErrRulesPercent)
		if v := f["min_rating"]; v != nil {
			l.MinRating = Rating(p.str(v, "min_rating"))
			if l.MinRating != "" && l.MinRating.Rank() < 0 {
				p.bad(v.Line, ErrRulesRating, string(l.MinRating))
				p.markFailed(v)
			}
		}
		l.RatingYears = p.wholeIn(f["rating_years"], "rating_years", MaxRulesYears, ErrRulesYears)
		if len(p.problems) == before && (l.MinRating == "") != (l.RatingYears == 0) {
			line := item.Line
			if v := f["rating_years"]; v != nil {
				line = v.Line
			} else if v := f["min_rating"]; v != nil {
				line = v.Line
			}
			p.bad(line, ErrRatingYears, "")
		}
		p.checkOrder(item, f, floors, l)
		if len(p.problems) == before {
			out = append(out, l)
		}
	}
	return out
}

// floor is the most a criterion asks of the levels read so far, and the
// level that asks it.
type floor struct {
	value float64
	level string
}

// checkOrder reports each criterion of l that asks less than a level
// below it, and raises the floors. A criterion whose value was refused is
// left out of the comparison.
func (p *rulesParser) checkOrder(n *yaml.Node, f map[string]*yaml.Node, floors map[string]floor, l Level) {
	name := l.Name
	if name == "" {
		name = fmt.Sprintf("the level at line %d", n.Line)
	}
	check := func(field string, cur float64, show func(float64) string) {
		if p.failedAt(f[field]) {
			return
		}
		fl, ok := floors[field]
		if ok && cur < fl.value {
			line := n.Line
			if v := f[field]; v != nil {
				line = v.Line
			}
			p.bad(line, fmt.Errorf("%w: %s %s: %s, %s: %s", ErrLevelBelow, name, field, show(cur), fl.level, show(fl.value)), "")
			return
		}
		floors[field] = floor{cur, name}
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	rating := func(v float64) string {
		if v < 0 {
			return "none"
		}
		return string(Ratings[len(Ratings)-1-int(v)])
	}
	check("min_years", float64(l.MinYears), num)
	check("min_exam_score", float64(l.MinExamScore), num)
	check("min_hours", l.MinHours, num)
	check("min_attendance", float64(l.MinAttendance), num)
	check("min_duties", float64(l.MinDuties), num)
	check("min_rating", float64(l.MinRating.Rank()), rating)
	check("rating_years", float64(l.RatingYears), num)
}

func (p *rulesParser) targets(n *yaml.Node) []Target {
	if n.Kind != yaml.SequenceNode {
		p.bad(n.Line, fmt.Errorf("%w: targets must be a list of post, hours and source", ErrRulesType), "")
		return nil
	}
	if len(n.Content) > MaxRulesEntries {
		p.bad(n.Line, fmt.Errorf("%w: over %d targets", ErrRulesTooLarge, MaxRulesEntries), "")
		return nil
	}
	var out []Target
	seen := map[string]int{}
	for _, item := range n.Content {
		f, ok := p.mapping(item, "post", "hours", "source")
		if !ok {
			continue
		}
		item = deref(item)
		var t Target
		if v := f["post"]; v == nil {
			p.bad(item.Line, fmt.Errorf("%w: post (write \"\" for every post not listed)", ErrRulesMissing), "")
		} else {
			t.Post = p.str(v, "post")
			switch first, dup := seen[t.Post]; {
			case p.failedAt(v):
			case t.Post != "" && !slices.Contains(p.posts, t.Post):
				p.bad(v.Line, ErrTargetPost, t.Post)
			case dup:
				p.bad(v.Line, fmt.Errorf("%w (line %d)", ErrTargetPostTwice, first), t.Post)
			default:
				seen[t.Post] = v.Line
			}
		}
		if v := f["hours"]; v == nil {
			p.bad(item.Line, fmt.Errorf("%w: hours", ErrRulesMissing), "")
		} else {
			t.Hours = p.hours(v, "hours")
		}
		t.Source = p.text(f["source"], "source", MaxRulesSourceLen)
		if t.Source == "" && !p.failedAt(f["source"]) {
			p.bad(item.Line, fmt.Errorf("%w: the target's", ErrNoSource), t.Post)
		}
		out = append(out, t)
	}
	return out
}

func (p *rulesParser) examHours(n *yaml.Node) map[string]float64 {
	if n.Kind != yaml.MappingNode {
		p.bad(n.Line, fmt.Errorf("%w: exam_hours must map each paper id to 学时", ErrRulesType), "")
		return nil
	}
	if len(n.Content)/2 > MaxRulesEntries {
		p.bad(n.Line, fmt.Errorf("%w: over %d exam papers", ErrRulesTooLarge, MaxRulesEntries), "")
		return nil
	}
	out := map[string]float64{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		id := strings.TrimSpace(k.Value)
		if k.Kind != yaml.ScalarNode {
			p.bad(k.Line, fmt.Errorf("%w: a paper id", ErrRulesType), "")
			continue
		}
		if _, dup := out[id]; dup {
			p.bad(k.Line, ErrExamHoursTwice, id)
			continue
		}
		p.examID(k.Line, id)
		out[id] = p.hours(v, "exam_hours "+id)
	}
	return out
}

// readableRulesText reports whether s is valid UTF-8 without control
// characters.
func readableRulesText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// clipRulesValue shortens a value shown in a problem.
func clipRulesValue(s string) string {
	const limit = 30
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}
