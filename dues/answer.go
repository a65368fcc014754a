package dues

import (
	"errors"
	"fmt"
)

// Kind is what a Reply holds.
type Kind int

// The kinds of replies.
const (
	// Computed: Dues is Rate of Base, in Bracket.
	Computed Kind = iota + 1
	// Fixed: the category pays Dues a month whatever the income.
	Fixed
	// Ranged: the category pays between Min and Max a month.
	Ranged
	// NeedAmount: the category is known, its income is not.
	NeedAmount
	// NeedCategory: the question names several categories (Choices).
	NeedCategory
	// Implausible: the amount (Given) is no monthly income: negative,
	// zero, or more than MaxMonthly.
	Implausible
	// Ambiguous: several amounts (Candidates) and nothing tells which is the income.
	Ambiguous
	// NoAmount: a dialogue answer with no amount in it.
	NoAmount
)

// Assumption is something a Reply took for granted.
type Assumption int

// The assumptions.
const (
	// AssumedDefault: the question named no category; the default was used.
	AssumedDefault Assumption = iota + 1
	// AssumedMonthlyAverage: the amount was a yearly figure, divided by 12.
	AssumedMonthlyAverage
	// AssumedPreTax: the amount given is before tax, but the base is after tax.
	AssumedPreTax
)

// MinMonthly and MaxMonthly bound a plausible monthly income.
const (
	MinMonthly Money = 1 * 100
	MaxMonthly Money = 10_000_000 * 100
)

// Reply is the calculator's answer.
type Reply struct {
	Kind     Kind
	Category *Category
	// Given is the amount as found in the question (a yearly figure, for one).
	Given Amount
	// Base is the monthly amount the rate applies to.
	Base Money
	// Bracket is the band Base falls in; Lower is the bound of the band
	// below it (0 for the first band).
	Bracket Bracket
	Lower   Money
	First   bool
	// Dues is the monthly dues (Fixed, Computed); Min and Max bound them (Ranged).
	Dues     Money
	Min, Max Money
	// Rule is the rule's wording; Source the document and article.
	Rule, Source string
	Assumptions  []Assumption
	Candidates   []Amount    // Ambiguous
	Choices      []*Category // NeedCategory
}

// Assumes reports whether the reply took a for granted.
func (rep Reply) Assumes(a Assumption) bool {
	for _, x := range rep.Assumptions {
		if x == a {
			return true
		}
	}
	return false
}

// ErrUnknownCategory is returned for a category id the rules do not have.
var ErrUnknownCategory = errors.New("dues: unknown category")

// Calculate computes the monthly dues of a member of category with a
// monthly income of base (ignored for fixed amounts).
func (r *Rules) Calculate(categoryID string, base Money) (Reply, error) {
	c, ok := r.byID[categoryID]
	if !ok {
		return Reply{}, fmt.Errorf("%w: %q", ErrUnknownCategory, categoryID)
	}
	return r.calculate(c, Amount{Value: base, Text: base.Yuan()}), nil
}

// calculate computes the reply for category c and the amount a.
func (r *Rules) calculate(c *Category, a Amount) Reply {
	rep := Reply{Category: c, Given: a, Rule: c.Rule, Source: r.SourceOf(c)}
	switch c.Kind {
	case FixedAmount:
		rep.Kind, rep.Dues = Fixed, c.Fixed
		return rep
	case AmountRange:
		rep.Kind, rep.Min, rep.Max = Ranged, c.Min, c.Max
		return rep
	}
	base := a.Value
	if a.Yearly && !a.Huge {
		base = (a.Value + 6) / 12
		rep.Assumptions = append(rep.Assumptions, AssumedMonthlyAverage)
	}
	if a.Negative || a.Huge || base < MinMonthly || base > MaxMonthly {
		rep.Kind = Implausible
		return rep
	}
	if a.PreTax {
		rep.Assumptions = append(rep.Assumptions, AssumedPreTax)
	}
	rep.Kind, rep.Base, rep.First = Computed, base, true
	for _, b := range c.Brackets {
		if b.Open || base <= b.Upto {
			rep.Bracket = b
			break
		}
		rep.Lower, rep.First = b.Upto, false
	}
	rep.Dues = rep.Bracket.Rate.Of(base)
	return rep
}

// question is what a text says, as far as dues go.
type question struct {
	text     []rune
	dues     bool        // names dues (党费)
	asks     bool        // asks how much or how (交多少, 怎么算)
	asksLast bool        // ends asking how much (退休金4500交多少)
	named    []*Category // the categories it names, in the order of the rules
	amounts  []Amount
}

// asking phrases: how much, how.
var askWords = []string{"交多少", "缴多少", "交纳多少", "缴纳多少", "交几", "缴几", "多少党费", "多少钱",
	"怎么交", "怎么缴", "怎么算", "怎么计算", "如何交", "如何缴", "如何计算", "如何算", "标准", "该交", "应交", "要交"}

// howMuch end a question about an amount, with only particles after them.
var howMuch = []string{"交多少", "缴多少", "交纳多少", "缴纳多少", "交多少钱", "交几块", "交几块钱", "交几毛", "该交多少", "要交多少"}

func (r *Rules) read(text string) question {
	q := question{text: scanText(text)}
	for _, k := range r.Keywords {
		if index(q.text, k) >= 0 {
			q.dues = true
		}
	}
	for _, w := range askWords {
		if index(q.text, w) >= 0 {
			q.asks = true
		}
	}
	end := len(q.text)
	for end > 0 && isTrailing(q.text[end-1]) {
		end--
	}
	for _, w := range howMuch {
		if endsWith(q.text[:end], w) {
			q.asksLast = true
		}
	}
	for _, c := range r.Categories {
		if names(q.text, c) {
			q.named = append(q.named, c)
		}
	}
	q.amounts = findAmounts(q.text, r.allKeywords())
	return q
}

// isTrailing reports punctuation and particles that may end a question.
func isTrailing(r rune) bool {
	switch r {
	case ' ', '?', '？', '。', '.', '!', '！', '~', '～', '…', '呢', '啊', '呀', '吗', '嘛', '钱', '元', '块', '啦':
		return true
	}
	return false
}

// names reports whether text names category c by a keyword that is not
// part of one of its exceptions (农民 in 农民工).
func names(text []rune, c *Category) bool {
	for _, k := range c.Keywords {
		kn := len([]rune(k))
	next:
		for i := 0; i+kn <= len(text); i++ {
			if !hasAt(text, i, k) {
				continue
			}
			for _, e := range c.Except {
				en := len([]rune(e))
				for s := max(0, i-en+1); s <= i && s+en <= len(text); s++ {
					if hasAt(text, s, e) && s+en >= i+kn {
						continue next
					}
				}
			}
			return true
		}
	}
	return false
}

func (r *Rules) allKeywords() []string {
	var out []string
	for _, c := range r.Categories {
		out = append(out, c.Keywords...)
	}
	return out
}

// Answer answers a question about dues. ok reports that the question is one
// the calculator answers: it names dues (党费) and gives an amount or names
// a category, or it names a category and ends asking how much to pay
// (退休金4500交多少, 我是学生党员交多少). A bare number is not a question.
func (r *Rules) Answer(text string) (Reply, bool) {
	q := r.read(text)
	hasAmount := len(q.amounts) > 0
	named := len(q.named) > 0
	switch {
	case hasAmount && (q.dues || named && q.asksLast):
	case !hasAmount && named && q.asks && (q.dues || q.asksLast):
	default:
		return Reply{}, false
	}
	return r.reply(q, nil), true
}

// AnswerAmount answers what someone typed in the calculator dialogue, where a bare
// amount is the expected answer. categoryID is the category they chose
// ("" none); a category the text names takes its place.
func (r *Rules) AnswerAmount(categoryID, text string) Reply {
	q := r.read(text)
	chosen, _ := r.byID[categoryID]
	rep := r.reply(q, chosen)
	if rep.Kind == NeedAmount && len(q.amounts) == 0 && len([]rune(text)) > 0 && len(q.named) == 0 {
		rep.Kind, rep.Assumptions = NoAmount, nil
	}
	return rep
}

// reply computes the answer to q; chosen is the category chosen in a
// dialogue, if any.
func (r *Rules) reply(q question, chosen *Category) Reply {
	// The amount: the only one, or the one that is an income.
	var amount *Amount
	switch len(q.amounts) {
	case 0:
	case 1:
		amount = &q.amounts[0]
	default:
		amount = pick(q.amounts)
	}
	// The category: one the text names other than the default; else the
	// chosen one; else the default.
	var special []*Category
	for _, c := range q.named {
		if !c.Default {
			special = append(special, c)
		}
	}
	if len(special) > 1 && amount != nil {
		// 退休工资5000 names 退休 and 工资: the words next to the amount decide.
		var near []*Category
		for _, c := range special {
			for _, w := range amount.near {
				if contains(c.Keywords, w) && !containsCat(near, c) {
					near = append(near, c)
				}
			}
		}
		if len(near) == 1 {
			special = near
		}
	}
	if len(special) == 1 && amount != nil && r.def != nil && nearAny(amount.near, r.def.Keywords) && !nearAny(amount.near, special[0].Keywords) {
		// 我退休了，返聘工资6000: the situation says one category, the words
		// at the amount another; ask rather than guess.
		return Reply{Kind: NeedCategory, Choices: []*Category{special[0], r.def}}
	}
	var c *Category
	var assumed []Assumption
	switch {
	case len(special) == 1:
		c = special[0]
	case len(special) > 1:
		if allSameFixed(special) {
			c = special[0]
			break
		}
		return Reply{Kind: NeedCategory, Choices: special}
	case chosen != nil:
		c = chosen
	case len(q.named) > 0:
		c = q.named[0]
	default:
		c = r.def
		assumed = append(assumed, AssumedDefault)
	}
	if c.Kind != ByBrackets {
		return r.calculate(c, Amount{})
	}
	if amount == nil {
		if len(q.amounts) > 1 {
			return Reply{Kind: Ambiguous, Category: c, Candidates: q.amounts, Rule: c.Rule, Source: r.SourceOf(c)}
		}
		return Reply{Kind: NeedAmount, Category: c, Rule: c.Rule, Source: r.SourceOf(c), Assumptions: assumed}
	}
	rep := r.calculate(c, *amount)
	if rep.Kind != Implausible {
		rep.Assumptions = append(assumed, rep.Assumptions...)
	}
	return rep
}

// nearAny reports whether any of the words next to an amount is one of keywords.
func nearAny(near, keywords []string) bool {
	for _, w := range near {
		if contains(keywords, w) {
			return true
		}
	}
	return false
}

// pick returns the amount that is the income among several: the one after
// 税后, else the one next to an income word; nil when that leaves more than
// one value.
func pick(amounts []Amount) *Amount {
	for _, tier := range []func(Amount) bool{
		func(a Amount) bool { return a.AfterTax },
		func(a Amount) bool { return a.Attached },
	} {
		var found *Amount
		same := true
		for i := range amounts {
			if !tier(amounts[i]) {
				continue
			}
			if found != nil && (found.Value != amounts[i].Value || found.Yearly != amounts[i].Yearly) {
				same = false
			}
			if found == nil {
				found = &amounts[i]
			}
		}
		if found != nil {
			if same {
				return found
			}
			return nil
		}
	}
	return nil
}

func containsCat(list []*Category, c *Category) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// allSameFixed reports categories that all pay the same fixed amount
// (学生 and 低保: 0.2元 either way).
func allSameFixed(cs []*Category) bool {
	for _, c := range cs {
		if c.Kind != FixedAmount || c.Fixed != cs[0].Fixed {
			return false
		}
	}
	return true
}
