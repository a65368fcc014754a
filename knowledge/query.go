package knowledge

import (
	"context"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxQueryRunes bounds how much of a question is searched; the rest of a
// very long question adds time and no precision.
const maxQueryRunes = 160

// maxUnits bounds the terms of one query.
const maxUnits = 48

// unit is one thing a question asks for: a two-character piece of a Han
// run, a single character standing alone, a word of letters or digits, or a
// synonym term with its alternatives.
type unit struct {
	text   string   // as it appears in the normalized question
	terms  []string // index terms of text (bigrams, or the word)
	single bool     // one Han character: searched in the unigram fields
	alts   []string // interchangeable terms (synonyms), normalized
	weight float64  // share of the question it stands for
	cue    bool     // a cue word: tells the kind of answer more than the topic
	// bridge: a two-character piece inside a longer run, between the
	// units left and right (级考 of 初级考试, between 初级 and 考试)
	bridge      bool
	left, right int
	typo        bool // no document holds it; alts[0] is the piece of the same sound that was meant
	// bound: for a single character that ends the word before it as a
	// noun suffix (金 of 失业金), the two characters as asked, and for that
	// word, the word with the suffix: the word the dictionary does not know
	// is found whole or not at all, not as 失业 in one place and 金 of 保障金
	// in another
	bound string
}

// plan is an analyzed question.
type plan struct {
	norm    string
	kind    answerKind // what the question asks for
	measure string     // what a count is counted in ("级" of 几级), if anything
	unit    string     // the units of time a how-long question counts in ("天日" of 几天), if any
	slot    *slot      // the part of a notice asked for (slots.go), if any
	// cuesOnly: the question has no units but cue words ("步骤"), which
	// then count as its topic.
	cuesOnly bool
	units    []unit
	chars    []string // the Han characters kept, for the unigram clause
	// phrases are the runs of three or more characters of the topic as
	// written (轮训班 of 轮训班要几天): a text that holds one holds those
	// words together, not 轮训 here and 培训班 there.
	phrases []string
}

func (p *plan) empty() bool { return len(p.units) == 0 }

// synonymIndex looks synonym terms up while a question is scanned.
type synonymIndex struct {
	hash   string
	alts   map[string][]string // term → the other terms of its groups
	maxLen int
}

func newSynonymIndex(s Synonyms) *synonymIndex {
	si := &synonymIndex{hash: s.Hash, alts: map[string][]string{}}
	for _, g := range s.Groups {
		for _, t := range g {
			for _, o := range g {
				if o != t && !contains(si.alts[t], o) {
					si.alts[t] = append(si.alts[t], o)
				}
			}
			si.maxLen = max(si.maxLen, utf8.RuneCountInString(t))
		}
	}
	return si
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// piece is a part of a Han run left after stop words are removed.
type piece struct {
	text string
	at   int  // where it starts in the run, in runes
	syn  bool // a synonym term, kept whole
	cue  bool // a cue word (see cueWords), kept whole
}

// scan splits a Han run into pieces: stop words dropped, synonym terms and
// protected words kept whole, the longest dictionary word winning.
func (si *synonymIndex) scan(run string, strip bool) []piece {
	rs := []rune(run)
	var out []piece
	start := 0
	flush := func(end int) {
		if end > start {
			out = append(out, piece{text: string(rs[start:end]), at: start})
		}
	}
	longest := max(defaultStops.maxLen, si.maxLen)
	for i := 0; i < len(rs); {
		n, kind := 0, 0 // kind: 1 stop, 2 protected, 3 synonym, 4 cue
		if strip && i+2 < len(rs) && rs[i+1] == '不' && rs[i+2] == rs[i] {
			// "A不A" (能不能, 算不算, 够不够) only asks whether
			flush(i)
			i += 3
			start = i
			continue
		}
		for l := min(longest, len(rs)-i); l >= 1; l-- {
			w := string(rs[i : i+l])
			if cueWords[w] && strip {
				n, kind = l, 4
				break
			}
			if _, ok := si.alts[w]; ok && l >= 2 {
				n, kind = l, 3
				break
			}
			if stop, ok := defaultStops.words[w]; ok {
				n, kind = l, 2
				if stop && strip {
					kind = 1
				}
				break
			}
		}
		switch kind {
		case 0, 2:
			if n == 0 {
				n = 1
			}
			i += n
		case 1:
			flush(i)
			i += n
			start = i
		case 3, 4:
			flush(i)
			out = append(out, piece{text: string(rs[i : i+n]), at: i, syn: kind == 3, cue: kind == 4})
			i += n
			start = i
		}
	}
	flush(len(rs))
	return out
}

// phrases joins the pieces of a run that are written together, cue words
// apart, and returns those of three or more characters.
func phrases(pcs []piece) []string {
	var out []string
	var cur []rune
	end := -1
	flush := func() {
		if len(cur) >= 3 {
			out = append(out, string(cur))
		}
		cur = cur[:0]
	}
	for _, pc := range pcs {
		if pc.cue || pc.at != end {
			flush()
		}
		if pc.cue {
			end = -1
			continue
		}
		cur = append(cur, []rune(pc.text)...)
		end = pc.at + utf8.RuneCountInString(pc.text)
	}
	flush()
	return out
}

// laterAsks are the question words after which an earlier 几 no longer
// asks how many: 几家单位合起来建，要按啥原则 asks for the rule.
var laterAsks = []string{"啥", "什么", "怎么", "咋", "如何", "吗", "谁", "哪", "多少", "几", "能不能", "用不用", "要不要",
	"是不是", "可不可以", "行不行", "中不中", "会不会", "算不算", "有没有"}

// indefiniteJi returns norm with each 几 that means "a few" rather than
// "how many" replaced by 若: 好几个, and a 几 followed by another question
// word (几家小厂能不能合一块).
func indefiniteJi(norm string) string {
	if !strings.ContainsRune(norm, '几') {
		return norm
	}
	rs := []rune(norm)
	for i, r := range rs {
		if r != '几' {
			continue
		}
		later := string(rs[i+1:])
		indefinite := i > 0 && rs[i-1] == '好'
		for _, w := range laterAsks {
			indefinite = indefinite || strings.Contains(later, w)
		}
		if indefinite {
			rs[i] = '若'
		}
	}
	return string(rs)
}

// trimTagParticle drops the 不 or 没 that ends a spoken yes-or-no question
// (能请假不, 要交钱不, 交了没): it asks whether, as 吗 does, and glued to
// the word before it makes a piece no text holds (假不).
func trimTagParticle(norm string) string {
	t := strings.TrimRightFunc(norm, func(r rune) bool { return !isHan(r) && !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	rs := []rune(t)
	if n := len(rs); n > 2 && (rs[n-1] == '不' || rs[n-1] == '没') && rs[n-2] != rs[n-1] && isHan(rs[n-2]) {
		return string(rs[:n-1])
	}
	return norm
}

// boundSuffix is, for a single-character piece that is a noun suffix
// right after a word of the question (失业金, 会费), the last character of
// that word and the suffix; "" otherwise.
func boundSuffix(pcs []piece, k int) string {
	pc := pcs[k]
	if k == 0 || !strings.Contains(nounSuffixes, pc.text) {
		return ""
	}
	prev := pcs[k-1]
	rs := []rune(prev.text)
	if prev.cue || len(rs) < 2 || prev.at+len(rs) != pc.at {
		return ""
	}
	return string(rs[len(rs)-1]) + pc.text
}

// nounSuffixes make a noun of the word before them (失业金, 团费, 合格证,
// 申请表): with it they name another thing than the word alone.
const nounSuffixes = "金费证卡款额表单率站网"

// analyze turns a question into search units.
func analyze(question string, si *synonymIndex) plan {
	norm := Normalize(question)
	if rs := []rune(norm); len(rs) > maxQueryRunes {
		norm = strings.TrimSpace(string(rs[:maxQueryRunes]))
	}
	asked := indefiniteJi(norm) // what the question words ask, 好几个 and 几家…按啥 aside
	p := plan{norm: norm, kind: questionKind(asked), measure: questionMeasure(asked), slot: questionSlot(norm)}
	if p.kind == wantDuration {
		p.unit = questionTimeUnit(asked)
	}
	norm = trimTagParticle(norm)
	build := func(strip bool) {
		p.units, p.chars, p.phrases = nil, nil, nil
		seen := map[string]bool{}
		add := func(u unit) {
			if seen[u.text] || len(p.units) >= maxUnits {
				return
			}
			seen[u.text] = true
			p.units = append(p.units, u)
		}
		for _, t := range tokens(norm) {
			if !t.han {
				add(unit{text: t.text, terms: []string{t.text}, alts: si.alts[t.text], weight: 1})
				continue
			}
			pcs := si.scan(t.text, strip)
			p.phrases = append(p.phrases, phrases(pcs)...)
			for k, pc := range pcs {
				n := utf8.RuneCountInString(pc.text)
				for _, r := range pc.text {
					if pc.cue && strip {
						break // what kind of answer is wanted, not what it is about
					}
					if !contains(p.chars, string(r)) {
						p.chars = append(p.chars, string(r))
					}
				}
				switch {
				case pc.cue:
					add(unit{text: pc.text, terms: bigrams(pc.text), weight: cueWeight, cue: true})
				case pc.syn:
					add(unit{text: pc.text, terms: bigrams(pc.text), alts: si.alts[pc.text], weight: float64(n - 1)})
				case n == 1:
					bound := boundSuffix(pcs, k)
					if last := len(p.units) - 1; bound != "" && last >= 0 && p.units[last].text == pcs[k-1].text {
						p.units[last].bound = p.units[last].text + pc.text // 失业 is not asked, 失业金 is
					}
					add(unit{text: pc.text, terms: []string{pc.text}, single: true, weight: 0.5, bound: bound})
				default:
					bgs := bigrams(pc.text)
					at := make([]int, len(bgs))
					for j, bg := range bgs {
						at[j] = -1
						if !seen[bg] && len(p.units) < maxUnits {
							at[j] = len(p.units)
						}
						add(unit{text: bg, terms: []string{bg}, weight: 1})
					}
					for j := 1; j+1 < len(bgs); j++ {
						if at[j] >= 0 && at[j-1] >= 0 && at[j+1] >= 0 {
							u := &p.units[at[j]]
							u.bridge, u.left, u.right = true, at[j-1], at[j+1]
						}
					}
				}
			}
		}
	}
	build(true)
	if len(p.units) == 0 {
		build(false) // a question of nothing but question words: search it as typed
	}
	p.cuesOnly = true
	for _, u := range p.units {
		p.cuesOnly = p.cuesOnly && u.cue
	}
	return p
}

// params are the weights of the search; tuned on the evaluation set.
type params struct {
	section, question, body float64 // field boosts of bigrams and words
	uniHead, uniBody        float64 // field boosts of single characters
	uniClause               float64 // weight of all the question's characters together (0: off)
	alt                     float64 // boost of a synonym relative to the typed term
	synUnit                 float64 // boost of a unit that has synonyms
	altChars                float64 // weight in the character clause of the characters of synonyms
	maxPostings             float64 // about how many postings one search may read: the commonest terms are left out past it
	threshold               float64 // confidence above which an answer is "found"
	rerank                  rerankWeights
}

var defaults = params{
	section: 2, question: 3, body: 1,
	uniHead: 1, uniBody: 2,
	uniClause:   20,
	alt:         0.8,
	synUnit:     1,
	altChars:    0.6,
	maxPostings: 15000,
	threshold:   Threshold,
	rerank:      rerankDefaults,
}

// Threshold is the confidence at or above which an answer counts as found,
// chosen on the evaluation set and the sets of imported documents (see
// docs/BENCHMARKS.md).
const Threshold = 0.75

func termQuery(term, field string, boost float64) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// sum is a disjunction scored by the sum of its matching parts: Bleve's
// disjunction multiplies the sum by the fraction of parts that match, which
// is wanted across a question's units but not across fields or synonyms.
func sum(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	n := float64(len(qs))
	return query.NewCustomScoreQueryWithScorer(query.NewDisjunctionQuery(qs),
		func(_ context.Context, d *search.DocumentMatch) (float64, error) { return d.Score * n, nil }, nil, nil)
}

// termAnyField matches a bigram or word in any text field, with its boost.
func (w *params) termAnyField(term string, boost float64) query.Query {
	var qs []query.Query
	for _, f := range []struct {
		name  string
		boost float64
	}{{fieldSection, w.section}, {fieldQuestion, w.question}, {fieldBody, w.body}} {
		if f.boost > 0 {
			qs = append(qs, termQuery(term, f.name, f.boost*boost))
		}
	}
	return sum(qs)
}

// charTerms match one Han character in the unigram fields.
func (w *params) charTerms(char string, boost float64) []query.Query {
	return []query.Query{termQuery(char, fieldUniHead, w.uniHead*boost), termQuery(char, fieldUniBody, w.uniBody*boost)}
}

// charAnyField matches one Han character in the unigram fields.
func (w *params) charAnyField(char string, boost float64) query.Query {
	return sum(w.charTerms(char, boost))
}

// phrase matches all the index terms of a term (its bigrams).
func (w *params) phrase(text string, boost float64) query.Query {
	var terms []string
	for _, t := range tokens(text) {
		if t.han {
			terms = append(terms, bigrams(t.text)...)
		} else {
			terms = append(terms, t.text)
		}
	}
	if len(terms) == 1 {
		return w.termAnyField(terms[0], boost)
	}
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		qs[i] = w.termAnyField(t, boost)
	}
	return query.NewConjunctionQuery(qs)
}

// build makes the Bleve query of a plan: one clause per unit, so that the
// fraction of the question a document covers weighs in, plus the characters.
func (w *params) build(p plan, st termStats) query.Query {
	var clauses []query.Query
	useUnit, useChar := w.pick(p, st)
	for i, u := range p.units {
		if !useUnit[i] {
			continue
		}
		var q query.Query
		switch {
		case u.single:
			q = w.charAnyField(u.text, 1)
		case len(u.alts) > 0:
			parts := []query.Query{w.phrase(u.text, w.synUnit)}
			for _, a := range u.alts {
				parts = append(parts, w.phrase(a, w.alt*w.synUnit))
			}
			q = sum(parts)
		case u.cue:
			q = w.phrase(u.text, cueWeight)
		default:
			q = w.phrase(u.text, 1)
		}
		clauses = append(clauses, q)
	}
	if w.uniClause > 0 && len(p.chars) > 1 {
		var qs []query.Query
		for i, c := range p.chars {
			if useChar[i] {
				qs = append(qs, w.charTerms(c, w.uniClause)...)
			}
		}
		if w.altChars > 0 {
			seen := map[string]bool{}
			for _, c := range p.chars {
				seen[c] = true
			}
			for _, u := range p.units {
				for _, a := range u.alts {
					for _, r := range a {
						if c := string(r); !seen[c] && isHan(r) {
							seen[c] = true
							qs = append(qs, w.charTerms(c, w.uniClause*w.altChars)...)
						}
					}
				}
			}
		}
		if len(qs) > 0 {
			clauses = append(clauses, sum(qs))

		}
	}
	if len(clauses) == 1 {
		return clauses[0]
	}
	return query.NewDisjunctionQuery(clauses)
}

// pick chooses the units and characters to search: the rarest first, until
// about maxPostings postings, which bounds the time of a search on a large
// index. What is left out is found nearly everywhere and adds next to
// nothing to the ranking (it still counts for confidence). The rarest is
// always searched.
func (w *params) pick(p plan, st termStats) (units, chars []bool) {
	units = make([]bool, len(p.units))
	chars = make([]bool, len(p.chars))
	type item struct {
		unit bool
		i    int
		df   float64
	}
	items := make([]item, 0, len(p.units)+len(p.chars))
	for i := range p.units {
		items = append(items, item{true, i, st.unitDF[i]})
	}
	for i := range p.chars {
		items = append(items, item{false, i, st.charDF[i]})
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].df < items[b].df })
	spent := 0.0
	for n, it := range items {
		cost := 2 * it.df * float64(st.total) // postings in about two fields
		if n > 0 && spent+cost > w.maxPostings {
			break
		}
		spent += cost
		if it.unit {
			units[it.i] = true
		} else {
			chars[it.i] = true
		}
	}
	return units, chars
}
