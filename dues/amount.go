package dues

import "unicode/utf8"

// MaxScan is how much of a text the amount parser reads, in characters: a
// question about dues is short, and the rest is ignored.
const MaxScan = 500

// Amount is a sum of money found in a text.
type Amount struct {
	// Value is the amount as written, in fen; meaningless when Huge.
	Value Money
	// Huge marks an amount beyond any income (too many digits, 亿).
	Huge bool
	// Negative marks -5, 负5.
	Negative bool
	// Text is the amount as written: 一万二, 8k, 1.2万元.
	Text string
	// Start and End are its place in the text, in characters.
	Start, End int

	// Attached reports an income word next to it (工资8000, 退休金4500, 8000元工资).
	Attached bool
	// AfterTax and PreTax report 税后 and 税前 next to it.
	AfterTax, PreTax bool
	// Yearly marks a figure for a year (年薪20万, 年收入12万).
	Yearly bool

	near []string // the words next to it, normalized
}

// units per yuan in the parser's fixed-point arithmetic (four decimals).
const scale = 10000

// hugeUnits is where the parser stops counting: 10^12 yuan.
const hugeUnits = 1_000_000_000_000 * scale

// incomeWords next to a number make it an income. Category keywords from
// dues.yaml count too.
var incomeWords = []string{
	"工资", "月薪", "薪水", "薪资", "薪酬", "收入", "月入", "税后", "税前", "实发", "到手",
	"退休金", "养老金", "退休费", "退休工资", "年薪", "年收入", "年入", "纯收入",
	"拿", "挣", "赚", "领", "基数", "每月", "每个月", "一个月", "月",
}

// yearlyWords next to a number make it a yearly figure.
var yearlyWords = []string{"年薪", "年收入", "年入", "一年", "每年", "全年"}

// nonMoney follow a number that is not money: 6个月, 3年, 第2条, 50%.
var nonMoney = []string{
	"个", "年", "月", "日", "号", "天", "周", "星期", "次", "岁", "人", "名", "位", "条", "项", "款",
	"%", "‰", "分", "秒", "点", "小时", "学时", "届", "期", "倍", "级", "档", "批", "页", "章", "节",
	"篇", "道", "题", "家", "户", "组", "支", "遍", "种", "楼", "室",
}

// money marks follow a number that is money.
var moneyMarks = []string{"元", "圆", "块钱", "块", "rmb", "RMB", "人民币"}

// payVerbs before a number make it a payment, not an income: 多交1000元, 交了50.
var payVerbs = []string{"交", "缴", "付", "捐", "交了", "缴了", "交纳", "缴纳", "补交", "多交"}

var chineseDigit = map[rune]int64{
	'零': 0, '〇': 0, '一': 1, '壹': 1, '二': 2, '贰': 2, '两': 2, '三': 3, '叁': 3, '四': 4, '肆': 4,
	'五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7, '八': 8, '捌': 8, '九': 9, '玖': 9,
}

var chineseUnit = map[rune]int64{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000}

// normalize folds full-width digits, letters and signs to ASCII, so that
// ８０００ reads as 8000. The full-width comma stays: it separates clauses.
func normalize(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, foldRune(r))
	}
	return string(out)
}

func foldRune(r rune) rune {
	switch {
	case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
		return r - '０' + '0'
	case r == '．':
		return '.'
	case r == '－', r == '−':
		return '-'
	case r == '％':
		return '%'
	case r == '　':
		return ' '
	}
	return r
}

// scanText returns the first MaxScan characters of s, folded.
func scanText(s string) []rune {
	out := make([]rune, 0, min(len(s), MaxScan))
	for _, r := range s {
		if len(out) == MaxScan {
			break
		}
		if r == utf8.RuneError {
			r = ' '
		}
		out = append(out, foldRune(r))
	}
	return out
}

// FindAmounts lists the sums of money in text, in order: numbers in Arabic
// or Chinese figures, with 千/万/k/w, that are not counts, dates, articles
// or percentages, nor payments (多交1000元).
func FindAmounts(text string) []Amount {
	return findAmounts(scanText(text), nil)
}

// findAmounts scans rs once; extra are more income words (category keywords).
func findAmounts(rs []rune, extra []string) []Amount {
	var out []Amount
	prevEnd := 0
	for i := 0; i < len(rs); {
		if !startsNumber(rs, i) {
			i++
			continue
		}
		n := readNumber(rs, i)
		end := n.end
		a, ok := classify(rs, n, prevEnd)
		ok = ok && !n.vague // the calculator asks for the amount instead
		if ok {
			end = a.End
			a.near = nearWords(rs, a, prevEnd, extra)
			for _, w := range a.near {
				switch w {
				case "税后":
					a.AfterTax = true
				case "税前":
					a.PreTax = true
				}
				if contains(yearlyWords, w) {
					a.Yearly = true
				}
			}
			a.Attached = len(a.near) > 0
			out = append(out, a)
		}
		prevEnd = end
		if end <= i {
			end = i + 1
		}
		i = end
	}
	return out
}

func startsNumber(rs []rune, i int) bool {
	r := rs[i]
	if r >= '0' && r <= '9' {
		return true
	}
	if _, ok := chineseDigit[r]; ok {
		return true
	}
	return r == '十' || r == '拾'
}

// number is one run of figures as read.
type number struct {
	start, end    int
	units         int64 // value in 1/scale yuan
	huge          bool
	arabic        bool // had Arabic digits
	withUnit      bool // had 十百千万亿 k w
	chineseDigits int
	vague         bool // a spoken range (三四千, 五六万): not one amount
}

func isChineseUnit(r rune) bool { return chineseUnit[r] != 0 || r == '万' || r == '亿' }

// readNumber reads the run of figures at rs[i]: Arabic digits (with 8,000
// grouping and decimals), Chinese digits and the units 十百千万亿, k and w.
// It reads each character once.
func readNumber(rs []rune, i int) number {
	n := number{start: i}
	var total, section, pending int64
	hasPending, single := false, false // single: pending is one digit, as in 一万二
	var lastUnit int64
	zero := false
	prevChineseDigit := false
	huge := func() { n.huge = true }
	mul := func(a, b int64) int64 {
		if a != 0 && b > hugeUnits/a {
			huge()
			return hugeUnits
		}
		return a * b
	}
	add := func(a, b int64) int64 {
		if a+b > hugeUnits {
			huge()
			return hugeUnits
		}
		return a + b
	}
	j := i
loop:
	for j < len(rs) {
		r := rs[j]
		switch {
		case r >= '0' && r <= '9':
			if hasPending {
				break loop // 三5: not one number
			}
			v, next, many := readArabic(rs, j)
			if many {
				huge()
			}
			pending, hasPending = v, true
			single = next-j == 1 && v != 0
			n.arabic = true
			prevChineseDigit = false
			j = next
			// k and w right after Arabic digits, not inside a word (8kg).
			if j < len(rs) && (rs[j] == 'k' || rs[j] == 'K' || rs[j] == 'w' || rs[j] == 'W') &&
				(j+1 == len(rs) || !isLetter(rs[j+1])) {
				if rs[j] == 'k' || rs[j] == 'K' {
					section = add(section, mul(pending, 1000))
					lastUnit = 1000
				} else {
					total = add(total, mul(add(section, pending), 10000))
					section = 0
					lastUnit = 10000
				}
				hasPending, single, zero = false, false, false
				n.withUnit = true
				j++
			}
			continue
		case chineseDigit[r] != 0 || r == '零' || r == '〇':
			d := chineseDigit[r]
			n.chineseDigits++
			switch {
			case prevChineseDigit && hasPending && pending != 0 && d != 0 && j+1 < len(rs) && isChineseUnit(rs[j+1]):
				n.vague = true // 三四千: "three or four thousand", no one figure
				pending = add(mul(pending, 10), d*scale)
				single = false
			case prevChineseDigit && hasPending:
				pending = add(mul(pending, 10), d*scale) // 八零零零
				single = false
			case d == 0:
				zero = true
			default:
				pending, hasPending, single = d*scale, true, true
			}
			prevChineseDigit = true
		case chineseUnit[r] != 0:
			u := chineseUnit[r]
			if !hasPending {
				if u != 10 {
					break loop
				}
				pending = scale // 十二
			}
			section = add(section, mul(pending, u))
			pending = 0 // counted in section: 二十万 is (20 + 0) × 10000
			hasPending, single, zero, lastUnit = false, false, false, u
			n.withUnit = true
			prevChineseDigit = false
		case r == '万' || r == '亿':
			if !hasPending && section == 0 && total == 0 {
				break loop
			}
			if r == '万' {
				total = add(total, mul(add(section, pending), 10000))
				lastUnit = 10000
			} else {
				total = mul(add(add(total, section), pending), 100_000_000)
				lastUnit = 100_000_000
				if total > 0 {
					huge()
				}
			}
			section, pending = 0, 0
			hasPending, single, zero = false, false, false
			n.withUnit = true
			prevChineseDigit = false
		default:
			break loop
		}
		j++
	}
	if hasPending {
		if single && lastUnit >= 10 && !zero {
			pending = mul(pending, lastUnit/10) // 一万二 = 12000, 三千五 = 3500
		}
		section = add(section, pending)
	}
	n.units = add(total, section)
	n.end = j
	return n
}

// readArabic reads digits at rs[i], with 8,000 grouping and decimals, and
// returns the value in 1/scale yuan, where it ends, and whether it has more
// digits than any amount.
func readArabic(rs []rune, i int) (units int64, end int, many bool) {
	var whole int64
	digits := 0
	j := i
	push := func(r rune) {
		digits++
		if digits > 13 {
			many = true
			return
		}
		whole = whole*10 + int64(r-'0')
	}
	for j < len(rs) && isDigit(rs[j]) {
		push(rs[j])
		j++
	}
	// 8,000 and 1,200,000: a comma then exactly three digits, after a first
	// group of at most three.
	if digits <= 3 {
		for j+3 < len(rs) && rs[j] == ',' && isDigit(rs[j+1]) && isDigit(rs[j+2]) && isDigit(rs[j+3]) &&
			(j+4 == len(rs) || !isDigit(rs[j+4])) {
			for _, r := range rs[j+1 : j+4] {
				push(r)
			}
			j += 4
		}
	}
	units = whole * scale
	if many {
		units = hugeUnits
	}
	if j+1 < len(rs) && rs[j] == '.' && isDigit(rs[j+1]) {
		j++
		var frac int64
		place := int64(scale / 10)
		for j < len(rs) && isDigit(rs[j]) {
			frac += int64(rs[j]-'0') * place
			place /= 10
			j++
		}
		if !many {
			units += frac
		}
	}
	return units, j, many
}

// classify decides whether the number n is money, and builds its Amount.
func classify(rs []rune, n number, prevEnd int) (Amount, bool) {
	a := Amount{Start: n.start, End: n.end, Huge: n.huge}
	// What precedes it: a sign, 第, 之 (百分之), a payment verb.
	before := n.start
	for before > prevEnd && rs[before-1] == ' ' {
		before--
	}
	if before > prevEnd {
		switch p := rs[before-1]; {
		case p == '第', p == '之', p == '.':
			return a, false
		case p == '-' || p == '负':
			// A sign, unless it joins two figures (8000-9000, 2024-5).
			if sign := before - 1; sign == 0 || !isFigure(rs[sign-1]) {
				a.Negative = true
				a.Start = sign
				before = sign
			}
		case p == '¥' || p == '￥':
			a.Start = before - 1
		}
	}
	for _, v := range payVerbs {
		if endsWith(rs[prevEnd:before], v) || endsWith(rs[prevEnd:before], v+"了") {
			return a, false
		}
	}
	// What follows it: a mark of money, or of a count.
	j := n.end
	for j < len(rs) && rs[j] == ' ' {
		j++
	}
	k := j
	for k < len(rs) && (rs[k] == '多' || rs[k] == '余') {
		k++ // 八千多: still money; 十多年: still a count
	}
	money := false
	for _, m := range moneyMarks {
		if hasAt(rs, k, m) {
			money = true
			a.End = k + utf8.RuneCountInString(m)
			break
		}
	}
	if !money {
		if k < len(rs) && isLetter(rs[k]) {
			return a, false // 8kg, 5G
		}
		for _, w := range nonMoney {
			if hasAt(rs, k, w) && !(w == "月" && hasAt(rs, k, "月薪")) && !(w == "年" && hasAt(rs, k, "年薪")) {
				return a, false
			}
		}
	}
	// A Chinese figure alone (一, 三) is a word, not an amount: it needs a
	// unit (八千), three digits (八零零零) or 元.
	if !n.arabic && !n.withUnit && n.chineseDigits < 3 && !money {
		return a, false
	}
	a.Value = Money((n.units + 50) / 100)
	if a.Huge {
		a.Value = 0
	}
	a.Text = string(rs[a.Start:a.End])
	return a, true
}

// nearWords lists the income words next to a: ending at most nearBefore
// characters before it (not reaching back past the number before), or
// starting at most nearAfter characters after it.
func nearWords(rs []rune, a Amount, prevEnd int, extra []string) []string {
	const nearBefore, nearAfter = 6, 3
	// The words of another clause are not next to it.
	from := max(prevEnd, a.Start-nearBefore)
	for i := a.Start - 1; i >= from; i-- {
		if isClauseBreak(rs[i]) {
			from = i + 1
			break
		}
	}
	to := min(len(rs), a.End+nearAfter)
	for i := a.End; i < to; i++ {
		if isClauseBreak(rs[i]) {
			to = i
			break
		}
	}
	var out []string
	look := func(words []string) {
		for _, w := range words {
			if contains(out, w) {
				continue
			}
			wr := []rune(w)
			// before: the word lies within rs[from:a.Start]
			for s := from; s+len(wr) <= a.Start; s++ {
				if hasAt(rs, s, w) {
					out = append(out, w)
					goto next
				}
			}
			// after: the word starts within rs[a.End:to]
			for s := a.End; s < to && s+len(wr) <= len(rs); s++ {
				if hasAt(rs, s, w) {
					out = append(out, w)
					break
				}
			}
		next:
		}
	}
	look(incomeWords)
	look(extra)
	return out
}

func hasAt(rs []rune, i int, w string) bool {
	for _, r := range w {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

func endsWith(rs []rune, w string) bool {
	n := utf8.RuneCountInString(w)
	return len(rs) >= n && hasAt(rs, len(rs)-n, w)
}

// index returns where w first occurs in rs, or -1.
func index(rs []rune, w string) int {
	for i := range rs {
		if hasAt(rs, i, w) {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isFigure reports a character of a number: a digit, a Chinese digit or unit.
func isFigure(r rune) bool {
	_, d := chineseDigit[r]
	return isDigit(r) || d || chineseUnit[r] != 0 || r == '万' || r == '亿'
}

// isClauseBreak reports punctuation between clauses.
func isClauseBreak(r rune) bool {
	switch r {
	case ',', '，', '。', ';', '；', '、', '!', '！', '?', '？', '\n':
		return true
	}
	return false
}

func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
