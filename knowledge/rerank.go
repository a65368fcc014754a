package knowledge

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Bleve finds candidates by their words; rerank orders them by what a
// reader would call the answer: the share of the question's topic they
// cover, in their heading as well as their text; for an FAQ entry, how
// close its question is to the one asked, as a whole; whether a sentence
// of theirs holds the kind of answer wanted; and whose rules they are.

// features of one candidate, the inputs of its rerank score.
type features struct {
	bm      float64 // Bleve's score over the best candidate's
	head    float64 // share of the question's topic in the heading (title, section, FAQ question)
	faqSim  float64 // an FAQ entry's question or alternative, against the question asked (0..1)
	typed   bool    // one of its sentences holds the kind of answer wanted
	place   float64 // +1 the district named or the asker's, -1 another district, 0 city-wide
	final   float64
	answer  string  // the sentence(s) that answer the question
	ansFrac float64 // share of the question's topic the answer sentences cover
	rare    float64 // share of the question's two rarest topic units it covers
	// noCompound: it lacks a word of the question made of a word and a
	// noun suffix (失业金: missesCompound)
	noCompound bool
	slot       bool    // its own heading names the part of a notice asked for
	phrase     float64 // share of the question's phrases (plan.phrases) it holds as written
}

// weights of the rerank score; fitted on half of the evaluation set and
// checked on the other (docs/BENCHMARKS.md). faqFloor was then raised to
// 0.3 on the sets of imported documents (notices, blind2), where an FAQ
// entry whose question is only a little like the one asked took the place
// of the imported passage that answers it; the halves' Recall@1 held.
type rerankWeights struct {
	bm, cov, charCov, head, faq, typed, place, phrase float64
	faqFloor                                          float64 // similarity below which an FAQ question counts for nothing
}

var rerankDefaults = rerankWeights{bm: 0.8, cov: 0.8, charCov: 0.53, head: 0.93, faq: 0.75, typed: 0.1, place: 0.3, phrase: 0.3, faqFloor: 0.3}

func (w rerankWeights) score(f features, cov, charCov float64) float64 {
	s := w.bm*f.bm + w.cov*cov + w.charCov*charCov + w.head*f.head + w.place*f.place + w.phrase*f.phrase
	if f.faqSim > w.faqFloor {
		s += w.faq * (f.faqSim - w.faqFloor) / (1 - w.faqFloor)
	}
	if f.typed {
		s += w.typed
	}
	return s
}

// headCoverage is the share of the question's units, weighted by rarity,
// found in a result's heading: its title and section, an FAQ's questions;
// for a passage under no heading of its own (a paragraph of a news
// article), its first sentence, which says what it is about as a heading
// would.
func headCoverage(p plan, weights []float64, r Result) float64 {
	heading := r.Title + " " + r.Section + " " + r.question
	if r.Kind == KindPassage && (r.Section == "" || r.Section == r.Title) {
		heading += " " + leadSentence(r.Text)
	}
	head := Normalize(heading)
	var got, all float64
	for i, u := range p.units {
		if u.cue {
			continue
		}
		all += weights[i]
		if covers(head, u) {
			got += weights[i]
		}
	}
	if all == 0 {
		return 0
	}
	return got / all
}

// leadSentence is the first sentence of text, up to leadRunes.
func leadSentence(text string) string {
	n := 0
	for i, r := range text {
		if n++; n > leadRunes || strings.ContainsRune("。！？!?\n", r) {
			return text[:i]
		}
	}
	return text
}

// leadRunes bounds the first sentence of a passage read as its heading.
const leadRunes = 120

// questionGrams are the units of a question with their weights, for
// comparing questions as wholes: a synonym stands for its group, a cue word
// ("多久") and a single character weigh less than a word of the topic.
func questionGrams(p plan) map[string]float64 {
	g := make(map[string]float64, len(p.units))
	for _, u := range p.units {
		t, w := u.text, 1.0
		switch {
		case u.typo:
			t = u.alts[0] // 支部 for the 支布 typed
		case len(u.alts) > 0:
			t = canonical(u.text, u.alts)
		case u.cue:
			t, w = cueCanon(t), cueWeight
		case u.single:
			w = 0.5
		}
		g[t] = max(g[t], w)
	}
	return g
}

// weightedDice is the Dice coefficient of two weighted sets.
func weightedDice(a, b map[string]float64) float64 {
	var shared, all float64
	for k, w := range a {
		all += w
		if v, ok := b[k]; ok {
			shared += min(w, v)
		}
	}
	for _, w := range b {
		all += w
	}
	if all == 0 {
		return 0
	}
	return 2 * shared / all
}

// maxPhrasingsCompared bounds the phrasings of one FAQ entry compared with
// a question: its question and first alternatives.
const maxPhrasingsCompared = 32

// faqSimilarity is the best similarity of the question to an FAQ entry's
// question and alternatives (r.question holds them, one a line).
func faqSimilarity(si *synonymIndex, q map[string]float64, norm string, r Result) float64 {
	phrasings := r.question
	if r.Kind == KindPassage {
		phrasings = askedHeading(r.Section)
	}
	if phrasings == "" {
		return 0
	}
	negatedQ, q0 := negated(norm), norm
	best, n := 0.0, 0
	for line := range strings.SplitSeq(phrasings, "\n") {
		if n == maxPhrasingsCompared {
			break // phrasings merged from answered gaps can pile up
		}
		if line = strings.TrimSpace(line); line != "" {
			n++
			sim := weightedDice(q, questionGrams(analyze(line, si)))
			norm := Normalize(line)
			if negated(norm) != negatedQ {
				sim *= negationDiscount // 不交党费咋办 does not answer 交党费
			}
			if wh, lw := whClass(q0), whClass(norm); wh != "" && lw != "" && wh != lw {
				sim *= whDiscount // 怎么开 (how) is not 啥时候开 (when)
			}
			best = max(best, sim)
		}
	}
	return best
}

// askedHeading is a passage's heading when it is a question, as in a Q&A
// sheet ("问：工资每月几号发放？", "## 这次一共招几个人？"), without its 问：;
// "" for a heading that names a topic.
func askedHeading(section string) string {
	h := strings.TrimSpace(section)
	if askedLine.MatchString(h) {
		return strings.TrimSpace(askedMark.ReplaceAllString(h, ""))
	}
	if asks(h) {
		return h
	}
	return ""
}

// askedMark opens the question of a Q&A sheet: 问：, 问题1：, Q:.
var askedMark = regexp.MustCompile(`^(问题|提问|问|Q|q)\s*\d*\s*[：:]`)

// whDiscount is what a phrasing's similarity keeps when it and the question
// ask with question words of different kinds (whClass): the words are
// stripped before phrasings are compared, so 组织生活会怎么开 and
// 组织生活会啥时候开 would otherwise be the same question.
const whDiscount = 0.7

// whenWords ask when (also a part of a notice, slots.go).
var whenWords = []string{"什么时候", "啥时候", "何时", "哪天", "哪年", "几月", "几号", "多会儿", "星期几", "礼拜几", "周几"}

// whClasses are the kinds of question words, the longer forms first
// (为什么 and 什么时候 hold 什么).
var whClasses = []struct {
	class string
	words []string
}{
	{"when", whenWords},
	{"why", []string{"为什么", "为啥", "凭什么", "何必"}},
	{"how", []string{"怎么", "怎样", "如何", "咋"}},
}

// whClass is the kind of the first question word of a normalized question,
// "" when it has none of them.
func whClass(norm string) string {
	best, at := "", len(norm)
	for _, c := range whClasses {
		for _, w := range c.words {
			if i := strings.Index(norm, w); i >= 0 && i < at {
				best, at = c.class, i
			}
		}
	}
	return best
}

// negationDiscount is what a phrasing's similarity keeps when one of it
// and the question is negated and the other is not.
const negationDiscount = 0.6

// negationFree are the words with a negation character in them that do not
// negate what is asked: the yes-or-no forms of a question (能不能, 有没有)
// and words whose negation is their meaning (不足, 不合格, 不超过).
var negationFree = strings.NewReplacer(
	"能不能", "", "可不可以", "", "是不是", "", "行不行", "", "中不中", "", "要不要", "", "需不需要", "", "用不用", "",
	"算不算", "", "会不会", "", "有没有", "", "对不对", "", "好不好", "", "够不够", "", "得不得", "",
	"不足", "", "不合格", "", "不少于", "", "不超过", "", "不得", "", "不满", "", "不到", "", "不再", "",
	"不定期", "", "不同", "", "不断", "", "不良", "", "不具备", "", "不按", "", "不准", "", "不宜", "",
	"没问题", "", "未成年", "", "不", "\x00", "没", "\x00", "未", "\x00",
)

// negated reports whether a normalized question negates what it asks
// (不交党费, 没转正): it holds a negation character outside negationFree.
func negated(norm string) bool {
	return strings.ContainsRune(negationFree.Replace(norm), 0)
}

// place says whose rules a result holds for this question: +1 when it is the
// district the question names or, when it names none, the asker's; -1 for
// another district's; 0 for a rule of the whole city or country.
func place(named map[string]bool, asker, district string) float64 {
	switch {
	case district == "":
		return 0
	case len(named) > 0 && named[district]:
		return 1
	case len(named) > 0:
		return -1
	case district == asker:
		return 1
	default:
		return -1
	}
}

// namedDistricts are the districts of the candidates that the question
// names, by full name or by the name without its 区/县/市 ("贾汪").
func namedDistricts(norm string, rs []Result) map[string]bool {
	named := map[string]bool{}
	for _, r := range rs {
		if r.District == "" || named[r.District] {
			continue
		}
		if mentions(norm, r.District) {
			named[r.District] = true
		}
	}
	return named
}

// aboutNamed are the documents of no district (a news article a
// coordinator imported without saying whose it is) that one of their
// candidate passages (texts: their searchText) shows to be about a
// district the question names: for the question, they are that
// district's, like its own rules.
func aboutNamed(named map[string]bool, rs []Result, texts []string) map[string]bool {
	if len(named) == 0 {
		return nil
	}
	about := map[string]bool{}
	for i, r := range rs {
		if r.District != "" || r.DocID == "" || about[r.DocID] {
			continue
		}
		for d := range named {
			if mentions(texts[i], d) {
				about[r.DocID] = true
				break
			}
		}
	}
	return about
}

func mentions(norm, district string) bool {
	d := Normalize(district)
	if strings.Contains(norm, d) {
		return true
	}
	for _, suffix := range []string{"区", "县", "市"} {
		if base, ok := strings.CutSuffix(d, suffix); ok && utf8.RuneCountInString(base) >= 2 && strings.Contains(norm, base) {
			return true
		}
	}
	return false
}

// rarestUnits are the question's two rarest topic units (the ones that
// say what it is about: "失业金" more than "领取"), rarest first; fewer for a
// question of fewer.
func rarestUnits(p plan, idf []float64) []int {
	first, second := -1, -1
	for i, u := range p.units {
		if u.cue && !p.cuesOnly {
			continue
		}
		switch {
		case first < 0 || idf[i] > idf[first]:
			first, second = i, first
		case second < 0 || idf[i] > idf[second]:
			second = i
		}
	}
	var out []int
	for _, i := range []int{first, second} {
		if i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// rareCoverage is the share of the rarest units that a result's searchable
// text covers.
func rareCoverage(p plan, rarest []int, text string) float64 {
	if len(rarest) == 0 {
		return 0
	}
	got := 0.0
	for _, i := range rarest {
		if covers(text, p.units[i]) {
			got++
		}
	}
	return got / float64(len(rarest))
}

// phraseCoverage is the share of the question's phrases, weighted by
// length, that a text holds as written.
func phraseCoverage(p plan, text string) float64 {
	var got, all float64
	for _, ph := range p.phrases {
		w := float64(utf8.RuneCountInString(ph) - 1)
		all += w
		if strings.Contains(text, ph) {
			got += w
		}
	}
	if all == 0 {
		return 0
	}
	return got / all
}
