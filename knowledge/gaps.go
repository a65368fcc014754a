package knowledge

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Asked is a question as the bot logs it, with the answer it showed.
type Asked struct {
	UserID   int64
	ChatID   int64
	District string
	Text     string
	Answer   Answer
	// UpdateID is the Telegram update the question came in, 0 if none: a
	// question of an update already logged is not logged again.
	UpdateID int64
}

// LogQuestion stores a question and the results shown for it, and returns
// its id (short, for callback data). An unconfident answer puts the question
// in the unanswered queue.
func (b *Base) LogQuestion(ctx context.Context, a Asked) (int64, error) {
	q := Question{
		UserID: a.UserID, ChatID: a.ChatID, District: a.District, Text: a.Text,
		AskedAt: b.Now(), Confident: a.Answer.Confident, UpdateID: a.UpdateID,
	}
	if len(a.Answer.Results) > 0 {
		q.Confidence = a.Answer.Results[0].Confidence
	}
	for _, r := range a.Answer.Results {
		q.Shown = append(q.Shown, Shown{Rank: r.Rank, Kind: r.Kind, DocID: r.DocID, PassageID: r.PassageID,
			FAQID: r.FAQID, Title: r.Title, Section: r.Section, Confidence: r.Confidence})
	}
	id, err := b.st.AddQuestion(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("log question: %w", err)
	}
	return id, nil
}

// Shown returns a logged question with the results shown for it, so that
// "next result" buttons and feedback can refer back to them.
func (b *Base) Shown(ctx context.Context, questionID int64) (Question, error) {
	q, err := b.st.Question(ctx, questionID)
	if err != nil {
		return q, fmt.Errorf("question %d: %w", questionID, err)
	}
	return q, nil
}

// ShownResult returns the result shown at rank for a question, read afresh
// from the store (ErrNotFound when the rank was not shown or the passage is
// gone).
func (b *Base) ShownResult(ctx context.Context, questionID int64, rank int) (Result, error) {
	q, err := b.Shown(ctx, questionID)
	if err != nil {
		return Result{}, err
	}
	for _, s := range q.Shown {
		if s.Rank != rank {
			continue
		}
		key := faqKey(s.FAQID, 0)
		if s.Kind == KindPassage {
			key = passageKey(s.PassageID)
		}
		r, ok, err := b.result(ctx, key)
		if err != nil {
			return Result{}, fmt.Errorf("question %d rank %d: %w", questionID, rank, err)
		}
		if !ok {
			break
		}
		r.Rank, r.Confidence, r.Snippet = rank, s.Confidence, r.Text
		return r, nil
	}
	return Result{}, fmt.Errorf("question %d rank %d: %w", questionID, rank, ErrNotFound)
}

// Feedback records a user's 👍 or 👎 on the result at rank shown for a
// question; the last vote of a user on a question wins. A 👎 puts the
// question in the unanswered queue.
func (b *Base) Feedback(ctx context.Context, questionID int64, rank int, helpful bool, comment string, userID int64) error {
	v := Vote{QuestionID: questionID, UserID: userID, Rank: rank, Helpful: helpful,
		Comment: strings.TrimSpace(cleanControl(comment)), At: b.Now()}
	if err := b.st.Vote(ctx, v); err != nil {
		return fmt.Errorf("feedback on question %d: %w", questionID, err)
	}
	return nil
}

// GapGroup is a group of unanswered questions that ask the same thing.
type GapGroup struct {
	ID          int64    // the representative question's id
	Text        string   // the representative phrasing
	Count       int      // questions in the group
	QuestionIDs []int64  // newest first
	Phrasings   []string // the distinct phrasings, representative first
	Districts   []string
	First, Last time.Time
	// Rejections are the answers its askers rejected with 👎, filled by
	// UnansweredPage (at most maxRejections).
	Rejections []Rejection
}

// Rejection is an answer someone rejected with 👎, and why, if they said.
type Rejection struct {
	QuestionID int64
	Title      string // the result's title (an FAQ entry's question)
	Section    string
	Text       string // the passage or FAQ answer; "" when it is gone
	Comment    string // the reason given, if any
}

// maxRejections bounds the rejections shown with a group.
const maxRejections = 2

// GapPage is one page of the unanswered queue.
type GapPage struct {
	Page
	Groups []GapGroup
}

// UnansweredPage is page n (from 1; one past the end is the last) of the
// queue Unanswered lists, size groups a page, each with the answers its
// askers rejected.
func (b *Base) UnansweredPage(ctx context.Context, by Actor, n, size int) (GapPage, error) {
	groups, err := b.Unanswered(ctx, by)
	if err != nil {
		return GapPage{}, err
	}
	p, from, to := pageOf(n, min(size, maxPageSize), len(groups))
	page := GapPage{Page: p, Groups: groups[from:to]}
	for i := range page.Groups {
		if page.Groups[i].Rejections, err = b.rejections(ctx, page.Groups[i].QuestionIDs); err != nil {
			return GapPage{}, err
		}
	}
	return page, nil
}

// rejections lists the 👎 votes on the questions, with the answers rejected.
func (b *Base) rejections(ctx context.Context, questionIDs []int64) ([]Rejection, error) {
	var out []Rejection
	for _, id := range questionIDs {
		votes, err := b.st.Downvotes(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("rejections of %d: %w", id, err)
		}
		for _, v := range votes {
			if len(out) == maxRejections {
				return out, nil
			}
			rej := Rejection{QuestionID: id, Comment: v.Comment}
			res, err := b.ShownResult(ctx, id, v.Rank)
			switch {
			case err == nil:
				rej.Title, rej.Section, rej.Text = res.Title, res.Section, res.Text
			case notFound(err): // the passage is gone: its title as shown
				if q, err := b.st.Question(ctx, id); err == nil {
					for _, s := range q.Shown {
						if s.Rank == v.Rank {
							rej.Title, rej.Section = s.Title, s.Section
						}
					}
				}
			default:
				return nil, err
			}
			out = append(out, rej)
		}
	}
	return out, nil
}

// maxOpen bounds the questions grouped at once.
const maxOpen = 1000

// similarEnough is the similarity above which two questions are grouped.
const similarEnough = 0.4

// Unanswered lists the unanswered queue the actor covers (all of it for a
// city-wide actor, a district coordinator's district's questions, nothing
// for anyone else): questions that got no confident answer or a 👎, grouped
// so that paraphrases of one question come together; the largest and newest
// groups first.
func (b *Base) Unanswered(ctx context.Context, by Actor) ([]GapGroup, error) {
	district := ""
	if !by.CityWide {
		if by.District == "" {
			return []GapGroup{}, nil
		}
		district = by.District
	}
	qs, err := b.st.OpenQuestions(ctx, district, maxOpen)
	if err != nil {
		return nil, fmt.Errorf("unanswered: %w", err)
	}
	return b.group(qs), nil
}

// Gap returns the group of unanswered questions the actor covers that holds
// questionID: ErrOutOfScope when the question is not of a district the actor
// covers (a coordinator who moved district asks about their old one),
// ErrGapClosed when it was answered, ErrNotFound when there is none.
func (b *Base) Gap(ctx context.Context, by Actor, questionID int64) (GapGroup, error) {
	groups, err := b.Unanswered(ctx, by)
	if err != nil {
		return GapGroup{}, err
	}
	for _, g := range groups {
		for _, id := range g.QuestionIDs {
			if id == questionID {
				return g, nil
			}
		}
	}
	q, err := b.st.Question(ctx, questionID)
	switch {
	case err != nil:
		return GapGroup{}, fmt.Errorf("gap %d: %w", questionID, err)
	case !by.Covers(q.District):
		return GapGroup{}, fmt.Errorf("gap %d of %q: %w", questionID, q.District, ErrOutOfScope)
	case !q.ClosedAt.IsZero():
		return GapGroup{}, fmt.Errorf("gap %d: %w", questionID, ErrGapClosed)
	}
	return GapGroup{}, fmt.Errorf("gap %d: %w", questionID, ErrNotFound)
}

// group clusters questions (newest first) by similarity, single link.
func (b *Base) group(qs []Question) []GapGroup {
	si := b.synonyms.Load()
	if si == nil {
		si = newSynonymIndex(Synonyms{})
	}
	sigs := make([]signature, len(qs))
	for i, q := range qs {
		sigs[i] = signatureOf(q.Text, si)
	}
	parent := make([]int, len(qs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range qs {
		for j := i + 1; j < len(qs); j++ {
			if find(i) != find(j) && similarity(sigs[i], sigs[j]) >= similarEnough {
				parent[find(j)] = find(i)
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for i := range qs {
		r := find(i)
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	groups := make([]GapGroup, 0, len(roots))
	for _, r := range roots {
		ms := members[r]
		rep := medoid(ms, sigs, qs)
		g := GapGroup{ID: qs[rep].ID, Text: qs[rep].Text, Count: len(ms), Phrasings: []string{qs[rep].Text}}
		seenText := map[string]bool{Normalize(qs[rep].Text): true}
		seenDistrict := map[string]bool{}
		for _, m := range ms {
			q := qs[m]
			g.QuestionIDs = append(g.QuestionIDs, q.ID)
			if n := Normalize(q.Text); !seenText[n] {
				seenText[n] = true
				g.Phrasings = append(g.Phrasings, q.Text)
			}
			if q.District != "" && !seenDistrict[q.District] {
				seenDistrict[q.District] = true
				g.Districts = append(g.Districts, q.District)
			}
			if g.First.IsZero() || q.AskedAt.Before(g.First) {
				g.First = q.AskedAt
			}
			if q.AskedAt.After(g.Last) {
				g.Last = q.AskedAt
			}
		}
		groups = append(groups, g)
	}
	// Largest first, then newest; the representative's id makes the order
	// total, so pages of one queue never repeat or skip a group.
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].Count != groups[j].Count {
			return groups[i].Count > groups[j].Count
		}
		if !groups[i].Last.Equal(groups[j].Last) {
			return groups[i].Last.After(groups[j].Last)
		}
		return groups[i].ID > groups[j].ID
	})
	return groups
}

// signature is what a question is compared by: its content bigrams (with
// synonyms mapped to one term of their group) and its characters.
type signature struct {
	bigrams map[string]bool
	chars   map[string]bool
}

func signatureOf(text string, si *synonymIndex) signature {
	s := signature{bigrams: map[string]bool{}, chars: map[string]bool{}}
	p := analyze(text, si)
	for _, u := range p.units {
		t := u.text
		if len(u.alts) > 0 {
			t = canonical(u.text, u.alts)
		}
		if u.single {
			s.chars[t] = true
			continue
		}
		s.bigrams[t] = true
		for _, r := range t {
			s.chars[string(r)] = true
		}
	}
	return s
}

// canonical names a synonym group by its smallest term.
func canonical(t string, alts []string) string {
	c := t
	for _, a := range alts {
		if a < c {
			c = a
		}
	}
	return "=" + c
}

func dice(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// similarity of two questions: mostly shared bigrams, partly shared characters.
func similarity(a, b signature) float64 {
	return 0.7*dice(a.bigrams, b.bigrams) + 0.3*dice(a.chars, b.chars)
}

// medoid picks the member most similar to the others (ties: the shorter text).
func medoid(ms []int, sigs []signature, qs []Question) int {
	best, bestScore := ms[0], -1.0
	for _, i := range ms {
		s := 0.0
		for _, j := range ms {
			if i != j {
				s += similarity(sigs[i], sigs[j])
			}
		}
		if s > bestScore+1e-9 || s > bestScore-1e-9 && utf8.RuneCountInString(qs[i].Text) < utf8.RuneCountInString(qs[best].Text) {
			best, bestScore = i, s
		}
	}
	return best
}

// GapAnswer is a coordinator's answer to a group of questions.
type GapAnswer struct {
	Answer string
	Source string // where the answer comes from; may be empty
	// District the answer holds for, "" city-wide, when Picked; otherwise
	// the actor's own scope (see Actor.AnswerDistrict).
	District string
	Picked   bool
}

// openInScope reads the questions, checks that the actor covers the district
// of every one (ErrOutOfScope) and returns those still open (ErrGapClosed
// when none is).
func (b *Base) openInScope(ctx context.Context, questionIDs []int64, by Actor) ([]Question, error) {
	var qs []Question
	for _, id := range questionIDs {
		q, err := b.st.Question(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("question %d: %w", id, err)
		}
		if !by.Covers(q.District) {
			return nil, fmt.Errorf("question %d of %q: %w", id, q.District, ErrOutOfScope)
		}
		if q.ClosedAt.IsZero() {
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return nil, ErrGapClosed
	}
	return qs, nil
}

// AnswerDistrict is the district an actor's answer holds for: with nothing
// picked, the actor's own scope (city-wide for a city-wide actor, their
// district for a district coordinator); else the district picked ("" is
// city-wide), which must be one the actor covers (ErrOutOfScope: a district
// coordinator may pick neither another district nor the city) and a known
// one (ErrUnknownDistrict).
func (a Actor) AnswerDistrict(district string, picked bool) (string, error) {
	if !picked {
		district = a.District
		if a.CityWide {
			district = ""
		}
	}
	if district != "" && a.ResolveDistrict != nil {
		name, ok := a.ResolveDistrict(district)
		if !ok {
			return "", fmt.Errorf("district %q: %w", district, ErrUnknownDistrict)
		}
		district = name
	}
	if !a.Covers(district) {
		return "", fmt.Errorf("answer for %q: %w", district, ErrOutOfScope)
	}
	return district, nil
}

// AnswerGap answers a group of unanswered questions: it creates an FAQ
// entry (origin gap; question the representative phrasing, alternatives the
// others; the district and source of ans), searchable at once, closes the
// questions and returns who asked, to be told. notify (may be nil) queues
// the notices to the askers in the transaction that closes the questions.
// Questions already closed are skipped; ErrGapClosed when none is left open.
// The actor must cover the district of every question and the district the
// answer is for (ErrOutOfScope, and nothing is answered).
func (b *Base) AnswerGap(ctx context.Context, questionIDs []int64, ans GapAnswer, by Actor, notify func(ctx context.Context, f FAQ, askers []Asker) error) (FAQ, []Asker, error) {
	answer := strings.TrimSpace(cleanControl(ans.Answer))
	if answer == "" {
		return FAQ{}, nil, ErrEmptyAnswer
	}
	district, err := by.AnswerDistrict(strings.TrimSpace(ans.District), ans.Picked)
	if err != nil {
		return FAQ{}, nil, fmt.Errorf("answer gap: %w", err)
	}
	qs, err := b.openInScope(ctx, questionIDs, by)
	if err != nil {
		return FAQ{}, nil, fmt.Errorf("answer gap: %w", err)
	}
	groups := b.group(qs)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	rep := groups[0]
	var alts []string
	seen := map[string]bool{Normalize(rep.Text): true}
	for _, g := range groups {
		for _, p := range g.Phrasings {
			if n := Normalize(p); !seen[n] {
				seen[n] = true
				alts = append(alts, cleanLine(p))
			}
		}
	}
	f := FAQ{
		ID:           "gap-" + strconv.FormatInt(rep.ID, 10),
		Question:     cleanLine(rep.Text),
		Alternatives: alts,
		Answer:       answer,
		Source:       cleanLine(ans.Source),
		District:     district,
		Origin:       OriginGap,
		CreatedBy:    by.UserID,
		CreatedAt:    b.Now(),
	}
	f.Hash = faqHash(f)
	ids := make([]int64, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	var then func(ctx context.Context, askers []Asker) error
	if notify != nil {
		then = func(ctx context.Context, askers []Asker) error { return notify(ctx, f, askers) }
	}
	askers, err := b.st.CloseQuestions(ctx, ids, f, then)
	if err != nil {
		return FAQ{}, nil, fmt.Errorf("answer gap: %w", err)
	}
	b.syncAfterWrite(ctx)
	return f, askers, nil
}

// DismissGap takes a group of questions out of the unanswered queue without
// an answer: they are recorded as dismissed by the actor, now, and nobody is
// told. The actor must cover every question's district (ErrOutOfScope, and
// nothing changes); ErrGapClosed when none is left open. then (may be nil)
// runs in the transaction. It reports how many questions it closed.
func (b *Base) DismissGap(ctx context.Context, questionIDs []int64, by Actor, then func(ctx context.Context) error) (int, error) {
	qs, err := b.openInScope(ctx, questionIDs, by)
	if err != nil {
		return 0, fmt.Errorf("dismiss gap: %w", err)
	}
	ids := make([]int64, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	n, err := b.st.DismissQuestions(ctx, ids, by.UserID, then)
	if err != nil {
		return 0, fmt.Errorf("dismiss gap: %w", err)
	}
	return n, nil
}
