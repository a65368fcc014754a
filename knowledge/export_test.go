package knowledge

import (
	"context"
	"fmt"
)

// SetParam changes a search weight (for tuning).
func (b *Base) SetParam(name string, v float64) {
	defer b.answers.reset() // answers of other weights
	w := &b.params
	switch name {
	case "section":
		w.section = v
	case "question":
		w.question = v
	case "body":
		w.body = v
	case "uniHead":
		w.uniHead = v
	case "uniBody":
		w.uniBody = v
	case "uniClause":
		w.uniClause = v
	case "alt":
		w.alt = v
	case "synUnit":
		w.synUnit = v
	case "altChars":
		w.altChars = v
	case "maxPostings":
		w.maxPostings = v
	case "tieMargin":
		tieMargin = v
	case "r.bm":
		w.rerank.bm = v
	case "r.cov":
		w.rerank.cov = v
	case "r.charCov":
		w.rerank.charCov = v
	case "r.head":
		w.rerank.head = v
	case "r.faq":
		w.rerank.faq = v
	case "r.typed":
		w.rerank.typed = v
	case "r.place":
		w.rerank.place = v
	case "r.phrase":
		w.rerank.phrase = v
	case "r.faqFloor":
		w.rerank.faqFloor = v
	case "threshold":
		w.threshold = v
	default:
		panic("unknown param " + name)
	}
}

// Explain lists the reranked candidates of a question with their features.
func (b *Base) Explain(question, district string, n int) []string {
	ans, _ := b.Find(context.Background(), Request{Text: question, N: n, District: district})
	p := analyze(question, b.synonyms.Load())
	out := []string{fmt.Sprintf("kind %s; units %v", p.kind, unitTexts(p))}
	for _, r := range ans.Results {
		f := r.feat
		out = append(out, fmt.Sprintf("%d %s#%s [%s] final %.2f bm %.2f cov %.2f/%.2f head %.2f faq %.2f typed %v place %.0f conf %.2f | %s",
			r.Rank, r.DocID, r.Section, r.Kind, f.final, f.bm, r.cov, r.charCov, f.head, f.faqSim, f.typed, f.place, r.Confidence, r.Answer))
	}
	return out
}

func unitTexts(p plan) []string {
	var s []string
	for _, u := range p.units {
		t := u.text
		if u.cue {
			t += "(cue)"
		}
		s = append(s, t)
	}
	return s
}

// ConfidenceFeatures are the inputs of the confidence of a question's top
// result (see resultInputs), for fitting the confidence model.
func (b *Base) ConfidenceFeatures(question string) ([]float64, Result, bool) {
	ans, err := b.Find(context.Background(), Request{Text: question, N: 3})
	if err != nil || len(ans.Results) == 0 {
		return nil, Result{}, false
	}
	p := analyze(question, b.synonyms.Load())
	return resultInputs(p, ans.Results, 0), ans.Results[0], true
}

// RerankParams are the rerank weights in use, by their SetParam names.
func (b *Base) RerankParams() map[string]float64 {
	w := b.params.rerank
	return map[string]float64{"r.bm": w.bm, "r.cov": w.cov, "r.charCov": w.charCov, "r.head": w.head,
		"r.faq": w.faq, "r.typed": w.typed, "r.place": w.place, "r.phrase": w.phrase, "r.faqFloor": w.faqFloor}
}

// PlanPhrases are the phrases of a question, without synonyms.
func PlanPhrases(question string) []string {
	return analyze(question, newSynonymIndex(Synonyms{})).phrases
}
