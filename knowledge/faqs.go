package knowledge

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The FAQ side of the gap loop: a group of unanswered questions merged into
// an existing FAQ entry, and the entries born from answered gaps listed,
// edited and deleted. Every write checks the actor's scope here, whatever
// the menus offered, and updates the search index after it commits.

// ErrNotGapFAQ means an FAQ entry is not one born from an answered gap (a
// built-in one, from the content files), so it cannot be edited or deleted.
var ErrNotGapFAQ = errors.New("faq entry is not from an answered gap")

// Resolutions of a question that left the unanswered queue.
const (
	ResolutionAnswered  = "answered"  // a new FAQ entry answers it
	ResolutionMerged    = "merged"    // merged into an existing FAQ entry
	ResolutionDismissed = "dismissed" // taken out of the queue, nobody told
)

// GapStore is what the gap loop needs from storage beyond Store's first
// methods; store.KnowledgeStore implements it.
type GapStore interface {
	// DismissQuestions closes the open questions among ids unanswered,
	// recording who (by) and when; it reports how many it closed, and fails
	// with ErrGapClosed when none was open. Each write here runs then (may
	// be nil) inside its transaction, with its context.
	DismissQuestions(ctx context.Context, ids []int64, by int64, then func(ctx context.Context) error) (int, error)
	// MergeQuestions closes the open questions among ids with the FAQ entry
	// faqID and adds phrasings to the entry's alternatives, in one
	// transaction, in which then (may be nil) runs with the entry as it now
	// stands. ErrNotFound without the entry, ErrGapClosed when none is open.
	MergeQuestions(ctx context.Context, ids []int64, faqID string, phrasings []string, by int64,
		then func(ctx context.Context, f FAQ, askers []Asker) error) (FAQ, []Asker, error)
	// Downvotes lists the 👎 votes on a question, newest first.
	Downvotes(ctx context.Context, questionID int64) ([]Vote, error)
	// FAQs lists the FAQ entries of an origin, newest first.
	FAQs(ctx context.Context, origin string) ([]FAQ, error)
	// UpdateFAQ stores a new answer, source and hash for an FAQ entry of
	// origin gap (ErrNotFound when there is none).
	UpdateFAQ(ctx context.Context, f FAQ, then func(ctx context.Context) error) error
	// DeleteFAQ removes an FAQ entry of origin gap with its merged
	// phrasings (ErrNotFound when there is none).
	DeleteFAQ(ctx context.Context, id string, then func(ctx context.Context) error) error
}

// MayEditFAQ reports whether the actor may edit or delete an FAQ entry: one
// born from a gap, of a district they cover (a city-wide one: only a
// city-wide actor).
func (a Actor) MayEditFAQ(f FAQ) bool {
	return f.Origin == OriginGap && a.Covers(f.District)
}

// mayMergeInto reports whether the actor may merge their questions into an
// FAQ entry: a city-wide actor into any, a district coordinator into a
// city-wide entry or one of their district (another district's answer does
// not hold for their workers).
func (a Actor) mayMergeInto(f FAQ) bool {
	return a.CityWide || a.District != "" && (f.District == "" || f.District == a.District)
}

// Page is one page of a list: its number from 1, the number of pages (at
// least 1) and the length of the whole list.
type Page struct {
	N, Of, Total int
}

// pageOf clamps page n (from 1) of total items, size a page, and returns
// the page and the bounds of its items. A page past the end is the last.
func pageOf(n, size, total int) (Page, int, int) {
	size = max(size, 1)
	pages := max((total+size-1)/size, 1)
	n = min(max(n, 1), pages)
	from := (n - 1) * size
	return Page{N: n, Of: pages, Total: total}, from, min(from+size, total)
}

// maxPageSize bounds the page sizes callers may ask for.
const maxPageSize = 20

// FAQPage is one page of the FAQ entries born from gaps.
type FAQPage struct {
	Page
	Entries []FAQ
}

// GapFAQs lists, page by page (newest first), the FAQ entries born from
// answered gaps that the actor sees: a city-wide actor all of them, a
// district coordinator the city-wide ones (which they may not edit, see
// MayEditFAQ) and their district's; anyone else none.
func (b *Base) GapFAQs(ctx context.Context, by Actor, page, size int) (FAQPage, error) {
	all, err := b.st.FAQs(ctx, OriginGap)
	if err != nil {
		return FAQPage{}, fmt.Errorf("gap faq: %w", err)
	}
	var seen []FAQ
	for _, f := range all {
		if by.CityWide || by.District != "" && (f.District == "" || f.District == by.District) {
			seen = append(seen, f)
		}
	}
	p, from, to := pageOf(page, min(size, maxPageSize), len(seen))
	return FAQPage{Page: p, Entries: seen[from:to]}, nil
}

// EditFAQ gives an FAQ entry born from a gap a new answer and source:
// ErrNotGapFAQ for a built-in entry, ErrOutOfScope unless the actor may edit
// it (MayEditFAQ), ErrEmptyAnswer for an empty answer. then (may be nil)
// runs in the transaction of the change. The search index follows at once.
func (b *Base) EditFAQ(ctx context.Context, id, answer, source string, by Actor, then func(ctx context.Context) error) (FAQ, error) {
	answer = strings.TrimSpace(cleanControl(answer))
	if answer == "" {
		return FAQ{}, ErrEmptyAnswer
	}
	f, err := b.editableFAQ(ctx, id, by)
	if err != nil {
		return FAQ{}, err
	}
	f.Answer, f.Source = answer, cleanLine(source)
	f.Hash = faqHash(f)
	if err := b.st.UpdateFAQ(ctx, f, then); err != nil {
		return FAQ{}, fmt.Errorf("edit faq %s: %w", id, err)
	}
	b.syncAfterWrite(ctx)
	return f, nil
}

// DeleteFAQ deletes an FAQ entry born from a gap, with the same checks as
// EditFAQ (then likewise); the next search no longer finds it.
func (b *Base) DeleteFAQ(ctx context.Context, id string, by Actor, then func(ctx context.Context) error) (FAQ, error) {
	f, err := b.editableFAQ(ctx, id, by)
	if err != nil {
		return FAQ{}, err
	}
	if err := b.st.DeleteFAQ(ctx, id, then); err != nil {
		return FAQ{}, fmt.Errorf("delete faq %s: %w", id, err)
	}
	b.syncAfterWrite(ctx)
	return f, nil
}

// EditableFAQ returns an FAQ entry the actor may edit, or why not (see EditFAQ).
func (b *Base) EditableFAQ(ctx context.Context, id string, by Actor) (FAQ, error) {
	return b.editableFAQ(ctx, id, by)
}

func (b *Base) editableFAQ(ctx context.Context, id string, by Actor) (FAQ, error) {
	f, err := b.st.FAQ(ctx, id)
	switch {
	case err != nil:
		return FAQ{}, fmt.Errorf("faq %s: %w", id, err)
	case f.Origin != OriginGap:
		return FAQ{}, fmt.Errorf("faq %s: %w", id, ErrNotGapFAQ)
	case !by.MayEditFAQ(f):
		return FAQ{}, fmt.Errorf("faq %s of %q: %w", id, f.District, ErrOutOfScope)
	}
	return f, nil
}

func faqHash(f FAQ) string {
	return hashOf([]byte(f.Question), []byte(strings.Join(f.Alternatives, "\n")), []byte(f.Answer), []byte(f.Source), []byte(f.District))
}

// MergeCandidates are the FAQ entries a group asking text could be merged
// into, best first, at most n: the FAQ entries among the search results for
// text that the actor may merge into.
func (b *Base) MergeCandidates(ctx context.Context, by Actor, text string, n int) ([]FAQ, error) {
	ans, err := b.Search(ctx, text, maxResults)
	if err != nil {
		return nil, fmt.Errorf("merge candidates: %w", err)
	}
	var out []FAQ
	seen := map[string]bool{}
	for _, r := range ans.Results {
		if len(out) == n {
			break
		}
		if r.Kind != KindFAQ || seen[r.FAQID] {
			continue
		}
		seen[r.FAQID] = true
		f, err := b.st.FAQ(ctx, r.FAQID)
		if notFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("merge candidates: %w", err)
		}
		if by.mayMergeInto(f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// MergeGap merges a group of unanswered questions into an existing FAQ
// entry: their phrasings become alternatives of the entry (searchable at
// once) and the questions are closed with it. notify (may be nil) queues
// the entry's answer to the askers in the same transaction. The actor must
// cover every question's district and may merge only into a city-wide
// entry or one of their district (ErrOutOfScope, and nothing changes);
// ErrGapClosed when no question is left open, ErrNotFound without the entry.
func (b *Base) MergeGap(ctx context.Context, questionIDs []int64, faqID string, by Actor,
	notify func(ctx context.Context, f FAQ, askers []Asker) error) (FAQ, []Asker, error) {
	qs, err := b.openInScope(ctx, questionIDs, by)
	if err != nil {
		return FAQ{}, nil, fmt.Errorf("merge gap: %w", err)
	}
	f, err := b.st.FAQ(ctx, faqID)
	if err != nil {
		return FAQ{}, nil, fmt.Errorf("merge gap into %s: %w", faqID, err)
	}
	if !by.mayMergeInto(f) {
		return FAQ{}, nil, fmt.Errorf("merge gap into %s of %q: %w", faqID, f.District, ErrOutOfScope)
	}
	seen := map[string]bool{Normalize(f.Question): true}
	for _, a := range f.Alternatives {
		seen[Normalize(a)] = true
	}
	var phrasings []string
	ids := make([]int64, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
		if n := Normalize(q.Text); n != "" && !seen[n] {
			seen[n] = true
			phrasings = append(phrasings, cleanLine(q.Text))
		}
	}
	merged, askers, err := b.st.MergeQuestions(ctx, ids, faqID, phrasings, by.UserID, notify)
	if err != nil {
		return FAQ{}, nil, fmt.Errorf("merge gap into %s: %w", faqID, err)
	}
	b.syncAfterWrite(ctx)
	return merged, askers, nil
}
