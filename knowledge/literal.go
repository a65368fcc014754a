package knowledge

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
)

// literalIndex finds the FAQ entries one of whose phrasings is, word for
// word, the question asked (the same units, a synonym standing for its
// group and a cue word for its class). Such an entry must be a candidate
// whatever Bleve makes of a short question: for 党费咋算 it searches only
// the rarer 算 (党费 is everywhere), and the entry written for that very
// question was not among the hits.
type literalIndex struct {
	mu     sync.RWMutex
	built  bool
	epoch  uint64              // the answer cache's epoch it was built in
	byForm map[string][]string // phrasing form → FAQ ids
}

// phrasingForm is what two phrasings share when they are the same question.
func phrasingForm(p plan) string {
	return strings.Join(slices.Sorted(maps.Keys(questionGrams(p))), "\x00")
}

// literalFAQs returns the ids of the FAQ entries with a phrasing of p's
// form. The index is built again after anything that empties the answer
// cache (the index or the synonyms changed).
func (b *Base) literalFAQs(ctx context.Context, si *synonymIndex, p plan) ([]string, error) {
	form := phrasingForm(p)
	if form == "" {
		return nil, nil
	}
	l := &b.literal
	epoch := b.answers.current()
	l.mu.RLock()
	if l.built && l.epoch == epoch {
		defer l.mu.RUnlock()
		return l.byForm[form], nil
	}
	l.mu.RUnlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.built || l.epoch != epoch {
		byForm := map[string][]string{}
		for _, origin := range []string{OriginContent, OriginGap} {
			faqs, err := b.st.FAQs(ctx, origin)
			if err != nil {
				return nil, err
			}
			for _, f := range faqs {
				phrasings := append([]string{f.Question}, f.Alternatives...)
				for _, q := range phrasings[:min(len(phrasings), maxPhrasingsCompared)] {
					k := phrasingForm(analyze(q, si))
					if k != "" && !slices.Contains(byForm[k], f.ID) {
						byForm[k] = append(byForm[k], f.ID)
					}
				}
			}
		}
		l.byForm, l.built, l.epoch = byForm, true, epoch
	}
	return l.byForm[form], nil
}
