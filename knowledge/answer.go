package knowledge

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// The reply opens with the sentence that answers the question: of a
// result's sentences, the one that covers most of the question (weighted
// by rarity) and holds the kind of answer wanted; with the next one when it
// is too short to stand alone ("要交。").

// typedTries is how many of the best covering sentences are tried for the
// kind of answer; typedBonus is what holding it is worth against coverage.
const (
	typedTries = 4
	typedBonus = 0.35
)

// faqFirstBonus is what being the first sentence of an FAQ answer is worth
// against coverage: a tie-break, not more (the answer to "预备党员能投票吗"
// may be its third sentence).
const faqFirstBonus = 0.1

// maxAnswerRunes bounds the answering sentences: a "sentence" of a pasted
// text without punctuation can be a paragraph long.
const maxAnswerRunes = 160

// minAnswerRunes is the length below which an answer takes the next
// sentence with it.
const minAnswerRunes = 14

// verdictRunes is the length below which a sentence before the answer is
// its verdict ("可以。", "不能。") and is shown with it.
const verdictRunes = 8

// sentences cuts a text after 。！？!? and at line ends (not at ；, which
// parts the items of one rule), each sentence
// with its end mark and without surrounding space.
func sentences(text string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i, r := range text {
		switch r {
		case '\n':
			flush(i)
		case '。', '！', '？', '!', '?':
			flush(i + utf8.RuneLen(r))
		}
	}
	flush(len(text))
	return out
}

// answerSentence picks the sentence(s) of r that answer the question, and
// the share of the question's topic they cover.
func answerSentence(p plan, weights []float64, r Result) (string, float64, bool) {
	ss := sentences(r.Text)
	if len(ss) == 0 {
		return "", 0, false
	}
	var all float64
	for i, u := range p.units {
		if !u.cue {
			all += weights[i]
		}
	}
	// Each sentence's coverage first; the kind patterns (regular
	// expressions, the costly part) only on the few that may win.
	covs := make([]float64, len(ss))
	for i, s := range ss {
		norm := Normalize(s)
		var got float64
		for j, u := range p.units {
			if !u.cue && covers(norm, u) {
				got += weights[j]
			}
		}
		if all > 0 {
			covs[i] = got / all
		}
	}
	base := func(i int) float64 {
		score := covs[i] - 0.01*float64(i) // earlier wins a tie
		if i == 0 && r.Kind == KindFAQ {
			score += faqFirstBonus // an FAQ answer is written to answer its question first
		}
		return score
	}
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return base(order[a]) > base(order[b]) })
	best, bestScore, bestTyped := order[0], base(order[0]), false
	if p.kind != wantAny {
		for _, i := range order[:min(len(order), typedTries)] {
			typed := holds(p.kind, p.measure, p.unit, ss[i])
			score := base(i)
			if typed {
				score += typedBonus
			}
			if score > bestScore || typed && i == best {
				best, bestScore, bestTyped = i, score, typed
			}
		}
	}
	bestCov := covs[best]
	out := ss[best]
	if best > 0 && utf8.RuneCountInString(ss[best-1]) < verdictRunes {
		out = ss[best-1] + out // "要交。" gives the verdict the sentence explains
	} else if utf8.RuneCountInString(out) < minAnswerRunes && best+1 < len(ss) {
		out += ss[best+1]
	}
	if rs := []rune(out); len(rs) > maxAnswerRunes {
		out = string(rs[:maxAnswerRunes]) + "…"
	}
	return out, bestCov, bestTyped
}

// typedAnywhere reports whether any sentence of r holds the kind wanted.
func typedAnywhere(p plan, r Result) bool {
	if p.kind == wantAny {
		return false
	}
	return holds(p.kind, p.measure, p.unit, r.Text)
}

// AnswerSentence picks the sentence(s) of a result that answer a question,
// for a result shown again later (a "next result" button).
func (b *Base) AnswerSentence(question string, r Result) string {
	p := analyze(question, b.synonyms.Load())
	weights := make([]float64, len(p.units))
	for i, u := range p.units {
		weights[i] = u.weight
	}
	s, _, _ := answerSentence(p, weights, r)
	return s
}
