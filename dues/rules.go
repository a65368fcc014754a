// Package dues computes the monthly 党费 (party dues) of a member from the
// rules kept in content (dues.yaml): brackets of a monthly income with their
// rates, and fixed amounts for the members who pay one. It understands the
// amounts people type in Chinese questions (8000, 八千, 1.2万, 8k, 税后一万二)
// and knows nothing of Telegram.
package dues

import (
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// File is the name of the rules file in a content folder.
const File = "dues.yaml"

// maxFile bounds the rules file read (it is a few kilobytes).
const maxFile = 1 << 20

// Money is an amount in fen (0.01 yuan).
type Money int64

// Yuan is the amount in yuan with at most two decimals and no trailing
// zeros: 120, 0.2, 333.33.
func (m Money) Yuan() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	s := strconv.FormatInt(int64(m/100), 10)
	if f := m % 100; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", f), "0")
	}
	return sign + s
}

// Rate is a percentage in basis points (1/10000): 0.5% is 50.
type Rate int64

// String is the rate as a percentage: 0.5%, 1%, 1.5%.
func (r Rate) String() string { return Money(r).Yuan() + "%" }

// Of is the rate applied to m, rounded half up to the fen.
func (r Rate) Of(m Money) Money { return Money((int64(m)*int64(r) + 5000) / 10000) }

// Bracket is one band of income and its rate.
type Bracket struct {
	// Upto is the bracket's upper bound, inclusive (含); Open brackets have none.
	Upto Money
	Open bool
	Rate Rate
}

// CategoryKind says how a category's dues are set.
type CategoryKind int

// The kinds of categories.
const (
	ByBrackets  CategoryKind = iota // a rate of an income
	FixedAmount                     // one amount a month
	AmountRange                     // an amount between Min and Max a month
)

// Category is a kind of member with their own rule.
type Category struct {
	ID       string
	Name     string // who they are: 离退休党员
	Button   string // a short label: 离退休
	Keywords []string
	Except   []string
	Default  bool
	Base     string // what the rate applies to
	Prompt   string // what to ask for: 税后月工资
	Kind     CategoryKind
	Brackets []Bracket
	Fixed    Money // FixedAmount
	Min, Max Money // AmountRange
	Rule     string
	Source   string // the part and article of the document
	Section  string // the section of the knowledge document (Rules.Doc) that states the rule
	Line     int    // where it starts in dues.yaml
}

// Rules are the dues rules of one content folder.
type Rules struct {
	Document string
	// Doc is the knowledge document that states the rules (its id), with
	// each category's Section: answers point there; `dangwu check` verifies
	// both exist.
	Doc        string
	DocLine    int
	Keywords   []string
	Categories []*Category
	byID       map[string]*Category
	def        *Category
}

// Category returns the category with id.
func (r *Rules) Category(id string) (*Category, bool) {
	c, ok := r.byID[id]
	return c, ok
}

// Default returns the category assumed when a question names none.
func (r *Rules) Default() *Category { return r.def }

// SourceOf is the full source of a category's rule: the document and the article.
func (r *Rules) SourceOf(c *Category) string {
	if c.Source == "" {
		return r.Document
	}
	return r.Document + c.Source
}

// Problem is one thing wrong in dues.yaml.
type Problem struct {
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", File, p.Message)
}

// Problems is the error of a dues.yaml that does not validate.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads dues.yaml from a content folder. A folder without it is an
// error that wraps fs.ErrNotExist (the calculator is then off); a file that
// does not validate returns Problems.
func Load(fsys fs.FS) (*Rules, error) {
	f, err := fsys.Open(File)
	if err != nil {
		return nil, fmt.Errorf("load dues rules: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("load dues rules: %w", err)
	}
	if len(data) > maxFile {
		return nil, Problems{{Message: fmt.Sprintf("larger than %d bytes", maxFile)}}
	}
	return Parse(data)
}

// Parse reads the contents of dues.yaml and validates them.
func Parse(data []byte) (*Rules, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{yamlProblem(err)}
	}
	p := &parser{}
	rules := p.file(&root)
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
		return nil, p.problems
	}
	return rules, nil
}

// yamlProblem turns a YAML syntax error ("yaml: line 3: ...") into a Problem.
func yamlProblem(err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return Problem{Line: n, Message: m[2]}
	}
	return Problem{Line: 1, Message: strings.TrimPrefix(msg, "yaml: ")}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

type parser struct{ problems Problems }

func (p *parser) add(line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
}

// fields returns the keys of a mapping node with their value nodes, and
// reports keys outside allowed (a typo would otherwise be ignored).
func (p *parser) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "%s must be a mapping of fields", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		known := false
		for _, a := range allowed {
			if k.Value == a {
				known = true
			}
		}
		switch {
		case !known:
			p.add(k.Line, "%s: unknown field %q (known: %s)", what, k.Value, strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			p.add(k.Line, "%s: field %q given twice", what, k.Value)
		default:
			out[k.Value] = v
		}
	}
	return out
}

func (p *parser) text(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		p.add(n.Line, "%s must be text", what)
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (p *parser) words(n *yaml.Node, what string) []string {
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, "%s must be a list like [词一, 词二]", what)
		return nil
	}
	var out []string
	for _, w := range n.Content {
		s := p.text(w, what)
		switch {
		case s == "" && w.Kind == yaml.ScalarNode:
			p.add(w.Line, "%s: empty word", what)
		case utf8.RuneCountInString(s) > maxKeyword:
			p.add(w.Line, "%s: %q is longer than %d characters", what, s, maxKeyword)
		case s != "":
			out = append(out, normalize(s))
		}
	}
	return out
}

// maxKeyword bounds a keyword, so that finding them stays cheap.
const maxKeyword = 10

var idShape = regexp.MustCompile(`^[a-z][a-z0-9_]{0,19}$`)

func (p *parser) file(root *yaml.Node) *Rules {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		p.add(1, "empty file: want document, keywords and categories")
		return nil
	}
	f := p.fields(root.Content[0], "the file", "document", "doc", "keywords", "categories")
	r := &Rules{byID: map[string]*Category{}}
	if n := f["document"]; n == nil {
		p.add(root.Content[0].Line, "missing document (the regulation the rules come from)")
	} else if r.Document = p.text(n, "document"); r.Document == "" {
		p.add(n.Line, "document is empty")
	}
	if n := f["doc"]; n != nil {
		r.Doc, r.DocLine = p.text(n, "doc"), n.Line
	}
	if n := f["keywords"]; n == nil {
		p.add(root.Content[0].Line, "missing keywords (the words of a dues question, like 党费)")
	} else if r.Keywords = p.words(n, "keywords"); len(r.Keywords) == 0 {
		p.add(n.Line, "keywords: none given")
	}
	cats := f["categories"]
	if cats == nil || cats.Kind != yaml.SequenceNode || len(cats.Content) == 0 {
		line := root.Content[0].Line
		if cats != nil {
			line = cats.Line
		}
		p.add(line, "missing categories (a list)")
		return r
	}
	keywordOwner := map[string]*Category{}
	pendingOf := map[*Category]*yaml.Node{}
	for _, n := range cats.Content {
		c := p.category(n, pendingOf)
		if c == nil {
			continue
		}
		if c.ID != "" {
			if _, dup := r.byID[c.ID]; dup {
				p.add(n.Line, "category %q: id used twice", c.ID)
			}
			r.byID[c.ID] = c
		}
		for _, k := range c.Keywords {
			if o := keywordOwner[k]; o != nil && o != c {
				p.add(n.Line, "category %q: keyword %q already identifies category %q", c.ID, k, o.ID)
			}
			keywordOwner[k] = c
		}
		if c.Default {
			if r.def != nil {
				p.add(n.Line, "category %q: only one category may be the default (%q is)", c.ID, r.def.ID)
			}
			r.def = c
		}
		r.Categories = append(r.Categories, c)
	}
	// brackets_of points at a category with brackets of its own.
	for c, n := range pendingOf {
		o, ok := r.byID[n.Value]
		switch {
		case !ok:
			p.add(n.Line, "category %q: brackets_of %q: no such category", c.ID, n.Value)
		case o.Kind != ByBrackets || len(o.Brackets) == 0 || o == c:
			p.add(n.Line, "category %q: brackets_of %q: that category has no brackets of its own", c.ID, n.Value)
		default:
			c.Brackets = o.Brackets
		}
	}
	for _, c := range r.Categories {
		if pendingOf[c] == nil {
			continue
		}
		// A category whose brackets come from another must not lend them on.
		for _, o := range r.Categories {
			if n := pendingOf[o]; n != nil && n.Value == c.ID {
				p.add(n.Line, "category %q: brackets_of %q: that category borrows its own brackets", o.ID, c.ID)
			}
		}
	}
	switch {
	case r.def == nil:
		p.add(cats.Line, "no category has default: true (the one assumed when a question names none)")
	case r.def.Kind != ByBrackets:
		p.add(r.def.Line, "category %q: the default category must compute from an income (brackets)", r.def.ID)
	}
	return r
}

func (p *parser) category(n *yaml.Node, pendingOf map[*Category]*yaml.Node) *Category {
	f := p.fields(n, "category", "id", "name", "button", "keywords", "except", "default", "base", "prompt",
		"brackets", "brackets_of", "fixed", "range", "rule", "source", "section")
	if n.Kind != yaml.MappingNode {
		return nil
	}
	c := &Category{Line: n.Line}
	label := "category"
	if v := f["id"]; v == nil {
		p.add(n.Line, "category: missing id")
	} else if c.ID = p.text(v, "id"); !idShape.MatchString(c.ID) {
		p.add(v.Line, "category: id %q must be 1-20 lower-case letters, digits or _, starting with a letter", c.ID)
	} else {
		label = fmt.Sprintf("category %q", c.ID)
	}
	need := func(key string) (string, int) {
		v := f[key]
		if v == nil {
			p.add(n.Line, "%s: missing %s", label, key)
			return "", n.Line
		}
		s := p.text(v, key)
		if s == "" && v.Kind == yaml.ScalarNode {
			p.add(v.Line, "%s: %s is empty", label, key)
		}
		return s, v.Line
	}
	c.Name, _ = need("name")
	var line int
	if c.Button, line = need("button"); utf8.RuneCountInString(c.Button) > 12 {
		p.add(line, "%s: button %q is longer than 12 characters", label, c.Button)
	}
	c.Rule, _ = need("rule")
	c.Source, _ = need("source")
	if v := f["section"]; v != nil {
		c.Section = p.text(v, "section")
	}
	if v := f["keywords"]; v == nil {
		p.add(n.Line, "%s: missing keywords (the words that identify it in a question)", label)
	} else if c.Keywords = p.words(v, "keywords"); len(c.Keywords) == 0 {
		p.add(v.Line, "%s: keywords: none given", label)
	}
	if v := f["except"]; v != nil {
		c.Except = p.words(v, "except")
	}
	if v := f["default"]; v != nil {
		if err := v.Decode(&c.Default); err != nil {
			p.add(v.Line, "%s: default must be true or false", label)
		}
	}
	var kinds []string
	for _, k := range []string{"brackets", "brackets_of", "fixed", "range"} {
		if f[k] != nil {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		p.add(n.Line, "%s: give exactly one of brackets, brackets_of, fixed or range (found %d)", label, len(kinds))
		return c
	}
	switch kinds[0] {
	case "brackets":
		c.Kind = ByBrackets
		c.Brackets = p.brackets(f["brackets"], label)
	case "brackets_of":
		c.Kind = ByBrackets
		if p.text(f["brackets_of"], "brackets_of") != "" {
			pendingOf[c] = f["brackets_of"]
		}
	case "fixed":
		c.Kind = FixedAmount
		c.Fixed = p.fixed(f["fixed"], label, "fixed")
	case "range":
		c.Kind = AmountRange
		v := f["range"]
		if v.Kind != yaml.SequenceNode || len(v.Content) != 2 {
			p.add(v.Line, "%s: range must be [min, max] in yuan", label)
			break
		}
		c.Min = p.fixed(v.Content[0], label, "range min")
		c.Max = p.fixed(v.Content[1], label, "range max")
		if c.Min > 0 && c.Max > 0 && c.Min >= c.Max {
			p.add(v.Line, "%s: range min %s must be below max %s", label, c.Min.Yuan(), c.Max.Yuan())
		}
	}
	if c.Kind == ByBrackets {
		c.Base, _ = need("base")
		c.Prompt, _ = need("prompt")
	}
	return c
}

// maxFixed bounds a fixed monthly amount (yuan).
const maxFixed = 100

func (p *parser) fixed(v *yaml.Node, label, what string) Money {
	m, err := parseYuan(v.Value)
	switch {
	case v.Kind != yaml.ScalarNode || err != nil:
		p.add(v.Line, "%s: %s %q is not an amount in yuan (like 0.2)", label, what, v.Value)
	case m <= 0 || m > maxFixed*100:
		p.add(v.Line, "%s: %s %s yuan is out of range (more than 0, at most %d)", label, what, m.Yuan(), maxFixed)
	default:
		return m
	}
	return 0
}

// maxRate bounds a rate: dues have never been more than a few percent, so a
// larger one is a typo (15% for 1.5%).
const maxRate Rate = 1000 // 10%

func (p *parser) brackets(v *yaml.Node, label string) []Bracket {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.add(v.Line, "%s: brackets must be a list of {upto, rate}, from the lowest", label)
		return nil
	}
	var out []Bracket
	for i, n := range v.Content {
		f := p.fields(n, label+": bracket", "upto", "rate")
		if n.Kind != yaml.MappingNode {
			continue
		}
		b := Bracket{Open: true}
		last := i == len(v.Content)-1
		if u := f["upto"]; u != nil {
			m, err := parseYuan(u.Value)
			if u.Kind != yaml.ScalarNode || err != nil || m <= 0 {
				p.add(u.Line, "%s: bracket upto %q is not an amount in yuan above 0", label, u.Value)
			}
			b.Upto, b.Open = m, false
			if len(out) > 0 && !out[len(out)-1].Open && m <= out[len(out)-1].Upto {
				p.add(u.Line, "%s: bracket upto %s overlaps or comes before the bracket above it (upto %s): list brackets from the lowest, each bound higher than the last",
					label, m.Yuan(), out[len(out)-1].Upto.Yuan())
			}
			if last {
				p.add(u.Line, "%s: the last bracket must have no upto: it covers every amount above the one before", label)
			}
		} else if !last {
			p.add(n.Line, "%s: only the last bracket may leave out upto", label)
		}
		if r := f["rate"]; r == nil {
			p.add(n.Line, "%s: bracket without a rate", label)
		} else {
			rate, err := parseRate(r.Value)
			switch {
			case r.Kind != yaml.ScalarNode || err != nil:
				p.add(r.Line, "%s: rate %q must be a percentage like 1.5%%", label, r.Value)
			case rate <= 0 || rate > maxRate:
				p.add(r.Line, "%s: rate %s is out of range (more than 0%%, at most %s)", label, rate, maxRate)
			}
			b.Rate = rate
		}
		out = append(out, b)
	}
	return out
}

// parseYuan reads a decimal amount of yuan with at most two decimals.
func parseYuan(s string) (Money, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 2 || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return Money(w*100 + f), nil
}

// parseRate reads a percentage with at most two decimals: "1.5%".
func parseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	num, ok := strings.CutSuffix(s, "%")
	if !ok {
		return 0, fmt.Errorf("not a percentage: %q", s)
	}
	m, err := parseYuan(strings.TrimSpace(num))
	return Rate(m), err
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
