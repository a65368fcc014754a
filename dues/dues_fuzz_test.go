package dues_test

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/dues"
)

// amountSeeds are amounts as people type them: figures, Chinese numerals,
// units, signs, full-width forms, and numbers far beyond any income.
var amountSeeds = []string{
	"工资8000交多少党费", "八千", "8千", "8k", "８０００", "1.2万", "一万二", "三四千", "-5000", "负五千",
	"税后一万二千五百元", "年薪20万", "8,000元", "1,200,000元", "99999999999999999999", "一亿", "十亿元",
	"9千万亿", "0.000001元", "3千5", "二十万零三百", "退休金4500交多少", "8000-9000", "第2条", "50%",
	"￥8000", "8000.5元", "一万零五", "十十十十", "万万", "亿亿亿", "k", "5kg", "两千两百两十两",
	"1" + strings.Repeat("0", 600), strings.Repeat("九", 600), "8\u00001", "８ｋ", "1.w", "七千多块",
}

// FuzzFindAmounts checks that the amounts found are in order, do not
// overlap, lie in the text read, carry their text, and are never negative
// in value nor counted when huge.
func FuzzFindAmounts(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		as := dues.FindAmounts(text)
		scanned := min(utf8.RuneCountInString(text), dues.MaxScan)
		prevEnd := 0
		for i, a := range as {
			switch {
			case a.Start < prevEnd || a.Start >= a.End || a.End > scanned:
				t.Fatalf("FindAmounts(%q)[%d] = [%d, %d): out of order or outside the %d characters read (previous end %d)", text, i, a.Start, a.End, scanned, prevEnd)
			case utf8.RuneCountInString(a.Text) != a.End-a.Start || !utf8.ValidString(a.Text):
				t.Fatalf("FindAmounts(%q)[%d].Text = %q for [%d, %d)", text, i, a.Text, a.Start, a.End)
			case a.Value < 0:
				t.Fatalf("FindAmounts(%q)[%d] = %d fen", text, i, a.Value)
			case a.Huge && a.Value != 0:
				t.Fatalf("FindAmounts(%q)[%d]: huge with a value %d", text, i, a.Value)
			case !a.Huge && a.Value > 1_000_000_000_000*100:
				t.Fatalf("FindAmounts(%q)[%d] = %s yuan, not marked huge", text, i, a.Value.Yuan())
			case a.Negative && !strings.ContainsAny(a.Text, "-－−负"):
				t.Fatalf("FindAmounts(%q)[%d] = %q: negative without a sign", text, i, a.Text)
			}
			prevEnd = a.End
		}
	})
}

// chinese writes n (below 10^8) in Chinese numerals as a form would:
// 八千二百, 一万零五, 二十万零三百. short drops the 一 of a leading 一十.
func chinese(n int64, short bool) string {
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	section := func(x int64, lead bool) string {
		var b strings.Builder
		units := []string{"千", "百", "十", ""}
		zero := false
		started := false
		for i, p := range []int64{1000, 100, 10, 1} {
			v := x / p % 10
			if v == 0 {
				zero = started
				continue
			}
			if zero {
				b.WriteRune('零')
				zero = false
			}
			if !(short && lead && !started && p == 10 && v == 1) {
				b.WriteRune(d[v])
			}
			b.WriteString(units[i])
			started = true
		}
		return b.String()
	}
	if n == 0 {
		return "零"
	}
	high, low := n/10000, n%10000
	if high == 0 {
		return section(low, true)
	}
	s := section(high, true) + "万"
	if low > 0 {
		if low < 1000 {
			s += "零"
		}
		s += section(low, false)
	}
	return s
}

// FuzzAmountRoundTrip checks that an amount written in any of the ways
// people write it reads back as itself: 8000元, ８０００元, 8,000元, 八千元,
// 8千元, 8k, 0.8万元.
func FuzzAmountRoundTrip(f *testing.F) {
	for _, n := range []int64{0, 1, 10, 15, 100, 1001, 3050, 8000, 10005, 12000, 100001, 200300, 10_000_000, 99_999_999} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		if n < 0 {
			n = -(n + 1)
		}
		n %= 100_000_000
		forms := []string{
			strconv.FormatInt(n, 10) + "元",
			fullWidth(strconv.FormatInt(n, 10)) + "元",
			chinese(n, false) + "元",
			chinese(n, true) + "元",
		}
		if n >= 1000 {
			forms = append(forms, grouped(n)+"元")
		}
		if n%1000 == 0 && n > 0 {
			forms = append(forms, strconv.FormatInt(n/1000, 10)+"k", strconv.FormatInt(n/1000, 10)+"千元")
		}
		if n%10000 == 0 && n > 0 {
			forms = append(forms, strconv.FormatInt(n/10000, 10)+"万元", strconv.FormatInt(n/10000, 10)+"w")
		} else if n%1000 == 0 && n > 10000 {
			forms = append(forms, fmt.Sprintf("%d.%d万元", n/10000, n%10000/1000))
		}
		for _, s := range forms {
			as := dues.FindAmounts("工资" + s)
			if len(as) != 1 || as[0].Huge || as[0].Negative || as[0].Value != dues.Money(n*100) {
				t.Fatalf("FindAmounts(%q) = %+v, want one amount of %d yuan", "工资"+s, as, n)
			}
		}
	})
}

func fullWidth(s string) string {
	return strings.Map(func(r rune) rune { return r - '0' + '０' }, s)
}

func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FuzzAnswer checks the calculator's replies to any question, and to any
// answer in its dialogue for each category: a computed amount is the
// bracket's rate of a plausible base that lies in that bracket; a fixed one
// is the category's; a choice or an ambiguity offers at least two.
func FuzzAnswer(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	for _, s := range []string{"我是学生党员交多少", "退休工资5000交多少党费", "我退休了，返聘工资6000交多少党费", "年薪36万党费", "党费", "工资8000和奖金2000交多少党费"} {
		f.Add(s)
	}
	r := mustRules(f)
	f.Fuzz(func(t *testing.T, text string) {
		if rep, ok := r.Answer(text); ok {
			checkReply(t, r, text, rep)
		}
		checkReply(t, r, text, r.AnswerAmount("", text))
		for _, c := range r.Categories {
			checkReply(t, r, text, r.AnswerAmount(c.ID, text))
		}
	})
}

func checkReply(t *testing.T, r *dues.Rules, text string, rep dues.Reply) {
	t.Helper()
	switch rep.Kind {
	case dues.Computed:
		c := rep.Category
		b := rep.Bracket
		switch {
		case c == nil || c.Kind != dues.ByBrackets:
			t.Fatalf("%q: computed without a category of brackets: %+v", text, rep)
		case rep.Base < dues.MinMonthly || rep.Base > dues.MaxMonthly:
			t.Fatalf("%q: computed on %s yuan, outside the plausible incomes", text, rep.Base.Yuan())
		case b.Rate <= 0 || rep.Dues != b.Rate.Of(rep.Base):
			t.Fatalf("%q: %s yuan at %s is %s", text, rep.Base.Yuan(), b.Rate, rep.Dues.Yuan())
		case rep.Base <= rep.Lower || !b.Open && rep.Base > b.Upto || rep.First != (rep.Lower == 0):
			t.Fatalf("%q: %s yuan in the bracket (%s, %s] open %v first %v", text, rep.Base.Yuan(), rep.Lower.Yuan(), b.Upto.Yuan(), b.Open, rep.First)
		case rep.Given.Negative || rep.Given.Huge:
			t.Fatalf("%q: computed from %+v", text, rep.Given)
		}
	case dues.Fixed:
		if rep.Category == nil || rep.Category.Kind != dues.FixedAmount || rep.Dues != rep.Category.Fixed {
			t.Fatalf("%q: fixed %+v", text, rep)
		}
	case dues.Ranged:
		if rep.Category == nil || rep.Min <= 0 || rep.Min >= rep.Max {
			t.Fatalf("%q: ranged %+v", text, rep)
		}
	case dues.NeedCategory:
		if len(rep.Choices) < 2 {
			t.Fatalf("%q: a choice of %d categories", text, len(rep.Choices))
		}
	case dues.Ambiguous:
		if len(rep.Candidates) < 2 {
			t.Fatalf("%q: ambiguous between %d amounts", text, len(rep.Candidates))
		}
	case dues.Implausible:
		g := rep.Given
		if !g.Negative && !g.Huge && g.Value >= dues.MinMonthly && (g.Value <= dues.MaxMonthly || g.Yearly) && (!g.Yearly || (g.Value+6)/12 >= dues.MinMonthly && (g.Value+6)/12 <= dues.MaxMonthly) {
			t.Fatalf("%q: %s yuan (yearly %v) called implausible", text, g.Value.Yuan(), g.Yearly)
		}
	case dues.NeedAmount, dues.NoAmount:
		if rep.Category == nil {
			t.Fatalf("%q: %v without a category", text, rep.Kind)
		}
	default:
		t.Fatalf("%q: reply of kind %v", text, rep.Kind)
	}
}

// FuzzParse checks that dues.yaml either is refused with its problems, each
// on a line of the file, or gives rules the calculator can apply: every
// category of brackets has them from the lowest, the last open, each rate
// above 0 and at most 10%, and there is one default of brackets.
func FuzzParse(f *testing.F) {
	f.Add(embeddedRules(f))
	f.Add([]byte("document: x\nkeywords: [党费]\ncategories:\n  - id: a\n    name: n\n    button: b\n    keywords: [k]\n    default: true\n    base: b\n    prompt: p\n    brackets:\n      - upto: 3000\n        rate: 0.5%\n      - rate: 1%\n    rule: r\n    source: s\n"))
	f.Add([]byte("document: x\nkeywords: [党费]\ncategories:\n  - id: a\n    brackets_of: a\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("- x\n- y"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := dues.Parse(data)
		lines := yamlLines(data)
		if err != nil {
			ps, ok := err.(dues.Problems)
			if !ok || len(ps) == 0 {
				t.Fatalf("Parse(%q): error %v is not Problems", data, err)
			}
			for _, p := range ps {
				if p.Line < 0 || p.Line > lines || p.Message == "" {
					t.Fatalf("Parse(%q): problem %+v outside the file's %d lines", data, p, lines)
				}
			}
			return
		}
		if rules.Default() == nil || rules.Default().Kind != dues.ByBrackets || len(rules.Keywords) == 0 {
			t.Fatalf("Parse(%q): rules without a default of brackets or keywords: %+v", data, rules)
		}
		for _, c := range rules.Categories {
			if got, ok := rules.Category(c.ID); !ok || got != c {
				t.Fatalf("Parse(%q): category %q not found by its id", data, c.ID)
			}
			if c.Kind != dues.ByBrackets {
				continue
			}
			if len(c.Brackets) == 0 || !c.Brackets[len(c.Brackets)-1].Open {
				t.Fatalf("Parse(%q): category %q brackets %+v", data, c.ID, c.Brackets)
			}
			var lower dues.Money
			for i, b := range c.Brackets {
				if b.Rate <= 0 || b.Rate > 1000 || i < len(c.Brackets)-1 && (b.Open || b.Upto <= lower) {
					t.Fatalf("Parse(%q): category %q bracket %d %+v after %s", data, c.ID, i, b, lower.Yuan())
				}
				lower = b.Upto
			}
			for _, base := range []dues.Money{dues.MinMonthly, lower, lower + 1, dues.MaxMonthly} {
				if rep, err := rules.Calculate(c.ID, base); err != nil || rep.Kind != dues.Computed && base >= dues.MinMonthly && base <= dues.MaxMonthly {
					t.Fatalf("Parse(%q): Calculate(%q, %s) = %+v, %v", data, c.ID, base.Yuan(), rep, err)
				}
			}
		}
		checkReply(t, rules, "工资8000交多少党费", rules.AnswerAmount("", "工资8000"))
	})
}

// embeddedRules is the embedded dues.yaml.
func embeddedRules(tb testing.TB) []byte {
	tb.Helper()
	data, err := fs.ReadFile(content.Embedded(), dues.File)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// yamlLines is the lines YAML sees in data, and one more: it breaks lines
// at \n, \r, \r\n, NEL, LS and PS.
func yamlLines(data []byte) int {
	s := string(data)
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029") + 2
}
