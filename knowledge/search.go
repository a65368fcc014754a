package knowledge

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// Snippet markers: the matched words of a snippet are wrapped in them, so
// the bot can bold them after escaping the text.
const (
	MarkStart = '\x02'
	MarkEnd   = '\x03'
)

// snippetRunes is the length a snippet is trimmed to.
const snippetRunes = 300

// Answer is the outcome of a search.
type Answer struct {
	Query     string // as typed
	Results   []Result
	Confident bool // the top result is above the confidence threshold
}

// Result is one passage or FAQ entry found.
type Result struct {
	Rank       int    // from 1
	Kind       string // KindPassage or KindFAQ
	DocID      string // the document (for an FAQ entry, the one it cites, if any)
	Title      string // the document's title; for an FAQ entry, its question
	Source     string
	Date       string
	District   string
	Section    string
	Text       string  // the whole passage, or the FAQ answer
	Snippet    string  // Text trimmed around the best match, matched words between MarkStart and MarkEnd
	Score      float64 // the rerank score: results are in its order
	Confidence float64 // 0..1, comparable across questions
	FAQID      string
	PassageID  int64

	// Answer is the sentence, or two, of Text that answers the question.
	Answer string

	question string // an FAQ entry's question and alternatives

	cov, charCov float64  // shares of the question covered (see coverage)
	feat         features // what reranked it
}

// DefaultResults is the number of results Search returns for n <= 0.
const DefaultResults = 3

// candidates is how many hits are reranked for one question, of the
// hitsRead best Bleve finds (several may be phrasings of one FAQ entry,
// read once).
const (
	candidates = 30
	hitsRead   = 50
)

// maxResults bounds n.
const maxResults = 20

// Request is a question to answer, and who asks it.
type Request struct {
	Text string
	N    int // results wanted; DefaultResults when <= 0
	// District is the asker's (from their profile), "" when unknown: a
	// close call goes to their district's rules, and another district's
	// local practice is not the answer to a general question.
	District string
}

// Search answers a question asked by nobody in particular.
func (b *Base) Search(ctx context.Context, question string, n int) (Answer, error) {
	return b.Find(ctx, Request{Text: question, N: n})
}

// Find answers a question: one ranked list of passages and FAQ entries,
// each with the sentence that answers it. The question is only ever
// searched as text: no character in it is query syntax. A question with
// nothing searchable in it (emoji, punctuation) finds nothing and is no
// error.
func (b *Base) Find(ctx context.Context, req Request) (Answer, error) {
	ans := Answer{Query: req.Text}
	if b.dir == "" {
		return ans, ErrNoIndex
	}
	n := req.N
	if n <= 0 {
		n = DefaultResults
	}
	n = min(n, maxResults)
	if err := b.sync(ctx); err != nil {
		return ans, fmt.Errorf("search: %w", err)
	}
	epoch := b.answers.current()
	key := cacheKey(req.Text, n)
	if cached, ok := b.answers.get(key, req.District); ok {
		cached.Query = req.Text
		return cached, nil
	}
	si := b.synonyms.Load()
	p := analyze(req.Text, si)
	if p.empty() {
		b.answers.put(epoch, key, nil, req.District, ans)
		return ans, nil
	}
	b.idxMu.RLock()
	defer b.idxMu.RUnlock()
	if b.idx == nil {
		return ans, fmt.Errorf("search: index closed")
	}
	st, err := b.readStats(ctx, &p)
	if err != nil {
		return ans, fmt.Errorf("search %q: %w", req.Text, err)
	}
	bq := bleve.NewSearchRequestOptions(b.params.build(p, st), max(hitsRead, n+8), 0, false)
	// Equal scores are ordered by key, so a question always gets the same answer.
	bq.SortBy([]string{"-_score", "_id"})
	res, err := b.idx.SearchInContext(ctx, bq)
	if err != nil {
		return ans, fmt.Errorf("search %q: %w", req.Text, err)
	}
	var keys []string
	scores := map[string]float64{}
	seenFAQ := map[string]bool{}
	want := max(candidates, n+8)
	for _, h := range res.Hits {
		if len(keys) == want {
			break
		}
		// Each phrasing of an FAQ entry is a document of its own: the
		// entry is read once, for its best-scored phrasing (rerank would
		// keep that one of the copies anyway).
		if kind, _, fid, _ := parseKey(h.ID); kind == KindFAQ {
			if seenFAQ[fid] {
				continue
			}
			seenFAQ[fid] = true
		}
		keys = append(keys, h.ID)
		scores[hitKey(h.ID)] = h.Score
	}
	cands, err := b.results(ctx, keys)
	if err != nil {
		return ans, fmt.Errorf("search %q: %w", req.Text, err)
	}
	for i := range cands {
		cands[i].Score = scores[hitKey(cands[i].key())]
	}
	if cands, err = b.addLiteral(ctx, si, p, cands); err != nil {
		return ans, fmt.Errorf("search %q: %w", req.Text, err)
	}
	// The asker's district can change the answer only through a
	// candidate that is a district's rule, when the question names none
	// (see place).
	var districts map[string]bool
	if len(namedDistricts(p.norm, cands)) == 0 {
		for _, c := range cands {
			if c.District != "" {
				if districts == nil {
					districts = map[string]bool{}
				}
				districts[c.District] = true
			}
		}
	}
	ans.Results = b.rerank(p, st, si, req.District, cands, max(n, promoteDepth))
	setConfidence(p, ans.Results)
	promoteTyped(p, ans.Results)
	ans.Results = ans.Results[:min(n, len(ans.Results))]
	ans.Confident = len(ans.Results) > 0 && ans.Results[0].Confidence >= b.params.threshold
	b.answers.put(epoch, key, districts, req.District, ans)
	return ans, nil
}

// promoteDepth is how many of the best results promoteTyped looks at,
// whatever the number asked for, so that the first answer does not depend
// on how many are shown.
const promoteDepth = 3

// promoteTyped puts first the best of the next results that holds the kind
// of answer asked for (a time for 多久, a count for 几个), when the first
// holds none and it covers as much of the question's topic: 公示几天 is
// answered by 公示期不少于5个工作日, not by a passage titled 公示 that
// gives no time. Each result keeps the confidence it has at its own rank.
func promoteTyped(p plan, rs []Result) {
	switch {
	case len(rs) < 2 || rs[0].feat.typed || literal(rs[0]):
		return // an FAQ phrasing that is the question asked stays first
	case !asksCountOrTime(p):
		return // a list or a who is told by patterns too loose to overrule the ranking (any 、)
	}
	for j := 1; j < min(len(rs), promoteDepth); j++ {
		if rs[j].feat.typed && rs[j].cov >= rs[0].cov-1e-9 {
			r := rs[j]
			copy(rs[1:j+1], rs[:j])
			rs[0] = r
			for i := range rs {
				rs[i].Rank = i + 1
			}
			return
		}
	}
}

// asksCountOrTime reports whether p asks for a count, a time or a
// frequency: kinds whose sentence patterns are precise enough to tell an
// answer from a passage that merely names the topic.
func asksCountOrTime(p plan) bool {
	return p.measure != "" || p.kind == wantNumber || p.kind == wantDuration || p.kind == wantFrequency
}

// addLiteral adds to the candidates the FAQ entries with a phrasing that
// is the question asked (literalFAQs) that Bleve did not find.
func (b *Base) addLiteral(ctx context.Context, si *synonymIndex, p plan, cands []Result) ([]Result, error) {
	ids, err := b.literalFAQs(ctx, si, p)
	if err != nil || len(ids) == 0 {
		return cands, err
	}
	var keys []string
	for _, id := range ids {
		if !slices.ContainsFunc(cands, func(r Result) bool { return r.FAQID == id }) {
			keys = append(keys, faqKey(id, 0))
		}
	}
	more, err := b.results(ctx, keys)
	// Score 0: Bleve ranked them below its hits
	return append(cands, more...), err
}

// cacheKey is what a search's answer depends on besides the index, the
// synonyms and the asker's district: the question as analyze reads it,
// and the results wanted.
func cacheKey(question string, n int) string {
	norm := Normalize(question)
	if rs := []rune(norm); len(rs) > maxQueryRunes {
		norm = strings.TrimSpace(string(rs[:maxQueryRunes]))
	}
	return strconv.Itoa(n) + "\x00" + norm
}

// rerank scores the candidates (see rerank.go), keeps the better placed of
// a passage and the FAQ entry that cites it, and returns the best want.
func (b *Base) rerank(p plan, st termStats, si *synonymIndex, asker string, cands []Result, want int) []Result {
	if len(cands) == 0 {
		return nil
	}
	q := questionGrams(p)
	named := namedDistricts(p.norm, cands)
	top := cands[0].Score
	w := b.params.rerank
	rarest := rarestUnits(p, st.unitIDF)
	texts := make([]string, len(cands))
	for i, r := range cands {
		texts[i] = searchText(r)
	}
	about := aboutNamed(named, cands, texts)
	for i := range cands {
		r := &cands[i]
		text := texts[i]
		r.cov, r.charCov = coverage(p, st.unitIDF, st.charIDF, text)
		f := &r.feat
		if top > 0 {
			f.bm = r.Score / top
		}
		f.head = headCoverage(p, st.unitIDF, *r)
		f.faqSim = faqSimilarity(si, q, p.norm, *r)
		var typed bool
		f.answer, f.ansFrac, typed = answerSentence(p, st.unitIDF, *r)
		f.slot = holdsSlot(p.slot, *r)
		f.typed = typed || f.slot || (strongKind(p.kind) && typedAnywhere(p, *r))
		f.place = place(named, asker, r.District)
		if r.District == "" && about[r.DocID] {
			f.place = 1
		}
		f.rare = rareCoverage(p, rarest, text)
		f.noCompound = missesCompound(p, text)
		f.phrase = phraseCoverage(p, text)
		f.final = w.score(*f, r.cov, r.charCov)
		if literal(*r) {
			// the question asked, nearly word for word: the nearer, the more
			f.final += literalBonus * (f.faqSim - literalFAQ) / (1 - literalFAQ)
		}
		if strongKind(p.kind) && f.typed {
			f.final += kindBonus
		}
		if p.measure != "" && f.typed {
			f.final += measureBonus // a count in the very measure asked for ("四个等级" for 几级)
		}
	}
	slotBoost(cands)
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].feat.final > cands[j].feat.final })
	seen := map[string]bool{}
	var out []Result
	for _, r := range cands {
		if len(out) == want {
			break
		}
		key := resultKey(r)
		if seen[key] {
			continue
		}
		seen[key] = true
		r.Rank = len(out) + 1
		r.Score = r.feat.final
		r.Answer = r.feat.answer
		r.Snippet = snippet(r.Text, p, snippetRunes)
		out = append(out, r)
	}
	return out
}

// resultKey is the section a result stands for: an FAQ entry and the
// passage it cites share one.
func resultKey(r Result) string {
	if r.DocID == "" {
		return "f:" + r.FAQID
	}
	return r.DocID + "#" + r.Section
}

// kindBonus is what a sentence of the kind a question asks for adds, when
// the kind tells answers apart (a time for 多久, a count for 多少).
const kindBonus = 0.2

// slotBoost adds slotBonus to the sections whose heading names the part of
// a notice the question asks for (slots.go), times the best topic coverage
// among its document's candidates over the best of all, so that the
// labelled part of the notice the question is about wins (一、活动时间 for 论坛几号报到, though only the
// notice's first paragraph names the 论坛), and a 召开时间 section of
// another subject does not answer 骑手…啥时候开.
func slotBoost(cands []Result) {
	best, byDoc := 0.0, map[string]float64{}
	for _, r := range cands {
		best = max(best, r.cov)
		byDoc[r.DocID] = max(byDoc[r.DocID], r.cov)
	}
	if best == 0 {
		return
	}
	for i := range cands {
		if r := &cands[i]; r.feat.slot {
			r.feat.final += slotBonus * byDoc[r.DocID] / best
		}
	}
}

// slotBonus is what a section whose heading names the part of a notice a
// question asks for adds, in the measure its document is on the question's
// topic (see slotBoost).
const slotBonus = 0.8

// measureBonus is what a count in the measure a question asks for (几级:
// "四个等级") adds to a candidate's rerank score.
const measureBonus = 0.25

// literal reports whether r is an FAQ entry whose question or alternative
// is nearly the question asked, all its topic covered.
func literal(r Result) bool { return r.feat.faqSim >= literalFAQ && r.cov >= 0.99 }

// literalBonus is what an FAQ entry adds whose question or alternative is
// the question asked word for word (faqSim 1, all its topic covered), and
// in proportion down to literalFAQ: such an entry comes first, and of two,
// the nearer.
const literalBonus = 0.5

// hitKey is the index document id of a passage, and of the entry, not the
// phrasing, for an FAQ entry.
func hitKey(key string) string {
	k, _, _ := strings.Cut(key, "#")
	return k
}

// key is the index document id of a result (of its question, for an FAQ
// entry).
func (r Result) key() string {
	if r.Kind == KindFAQ {
		return faqKey(r.FAQID, 0)
	}
	return passageKey(r.PassageID)
}

// result reads what a hit stands for from the store.
func (b *Base) result(ctx context.Context, key string) (Result, bool, error) {
	rs, err := b.results(ctx, []string{key})
	if err != nil || len(rs) == 0 {
		return Result{}, false, err
	}
	return rs[0], true, nil
}

// results reads what hits stand for from the store, in one query for the
// passages and one for the FAQ entries, in the order of keys; a key whose
// passage or entry is gone (removed since the index was read) is left out.
func (b *Base) results(ctx context.Context, keys []string) ([]Result, error) {
	var pids []int64
	var fids []string
	for _, key := range keys {
		switch kind, pid, fid, ok := parseKey(key); {
		case !ok:
		case kind == KindPassage:
			pids = append(pids, pid)
		default:
			fids = append(fids, fid)
		}
	}
	ps, err := b.st.Passages(ctx, pids)
	if err != nil {
		return nil, err
	}
	fs, err := b.st.FAQsByID(ctx, fids)
	if err != nil {
		return nil, err
	}
	passages := make(map[int64]Result, len(ps))
	for _, p := range ps {
		passages[p.ID] = Result{Kind: KindPassage, DocID: p.DocID, Title: p.Title, Source: p.Source, Date: p.Date,
			District: p.District, Section: p.Section, Text: p.Text, PassageID: p.ID}
	}
	faqs := make(map[string]Result, len(fs))
	for _, f := range fs {
		head := f.Question
		if len(f.Alternatives) > 0 {
			head += "\n" + strings.Join(f.Alternatives, "\n")
		}
		faqs[f.ID] = Result{Kind: KindFAQ, DocID: f.DocID, Title: f.Question, Source: f.Source, District: f.District,
			Section: f.Section, Text: f.Answer, FAQID: f.ID, question: head}
	}
	out := make([]Result, 0, len(keys))
	for _, key := range keys {
		kind, pid, fid, ok := parseKey(key)
		if !ok {
			continue
		}
		r, found := faqs[fid]
		if kind == KindPassage {
			r, found = passages[pid]
		}
		if found {
			out = append(out, r)
		}
	}
	return out, nil
}

// readStats reads, with one index reader, what the search needs to know of
// the question's terms: sound-alikes of the pieces no document holds (which
// change p), then how rare each term is.
func (b *Base) readStats(ctx context.Context, p *plan) (termStats, error) {
	ix, err := b.idx.Advanced()
	if err != nil {
		return termStats{}, err
	}
	r, err := ix.Reader()
	if err != nil {
		return termStats{}, err
	}
	defer r.Close()
	if err := b.correctSounds(ctx, r, p); err != nil {
		return termStats{}, err
	}
	return b.stats(ctx, r, *p)
}

// docFreq is how many documents hold term in field.
func docFreq(ctx context.Context, r index.IndexReader, term, field string) (uint64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	defer tfr.Close()
	return tfr.Count(), nil
}

// termStats are how rare the terms of a question are in the index.
type termStats struct {
	unitIDF []float64 // BM25 idf of each unit (mean over its terms), times its weight
	unitDF  []float64 // share of the indexed documents holding each unit's rarest term
	charIDF []float64 // idf of each character
	charDF  []float64 // share of the indexed documents holding each character
	total   int       // documents in the index
}

// stats weighs each unit and character of a question by how rare it is in
// the index (BM25's idf): covering "党费" counts for more than covering
// "工作", and a character found nearly everywhere is not worth searching.
func (b *Base) stats(ctx context.Context, r index.IndexReader, p plan) (termStats, error) {
	var st termStats
	total, err := r.DocCount()
	if err != nil {
		return st, err
	}
	st.total = int(total)
	df := func(term, field string) (float64, error) {
		n, err := docFreq(ctx, r, term, field)
		return float64(n), err
	}
	idf := func(n float64) float64 {
		return math.Log(1 + (float64(total)-n+0.5)/(n+0.5))
	}
	st.charIDF = make([]float64, len(p.chars))
	st.charDF = make([]float64, len(p.chars))
	for i, c := range p.chars {
		n, err := df(c, fieldUniBody)
		if err != nil {
			return st, err
		}
		st.charIDF[i] = idf(n)
		st.charDF[i] = n / float64(max(total, 1))
	}
	st.unitIDF = make([]float64, len(p.units))
	st.unitDF = make([]float64, len(p.units))
	for i, u := range p.units {
		field := fieldBody
		if u.single {
			field = fieldUniBody
		}
		var s float64
		st.unitDF[i] = 1
		for _, t := range u.terms {
			n, err := df(t, field)
			if err != nil {
				return st, err
			}
			s += idf(n)
			st.unitDF[i] = min(st.unitDF[i], n/float64(max(total, 1)))
		}
		st.unitIDF[i] = u.weight * s / float64(len(u.terms))
		if st.unitDF[i] == 0 && len(u.alts) == 0 && isNumber(u.text) {
			// a figure of the asker's own (a salary, a head count) that no
			// document mentions is a value to apply the rule to, not
			// something the answer should contain: it does not count
			// against coverage
			st.unitIDF[i] = 0
		}
	}
	// A piece inside a longer run weighs at most what the rarer of its
	// neighbours does: across two words (级考 of 初级考试) it is rare as
	// an accident of the writing, and would outweigh the words it joins.
	for i, u := range p.units {
		if u.bridge {
			st.unitIDF[i] = min(st.unitIDF[i], max(st.unitIDF[u.left], st.unitIDF[u.right]))
		}
	}
	return st, nil
}

// coverage is the share of the question, weighted by rarity, that a result
// covers: of its units (a unit counts when its text, or a synonym, appears in
// the result's heading or text), and of its characters. text is the
// result's searchable text (searchText).
func coverage(p plan, weights, charWeights []float64, text string) (units, chars float64) {
	var got, all float64
	for i, u := range p.units {
		if u.cue && !p.cuesOnly {
			continue // what kind of answer is wanted, not what it is about
		}
		all += weights[i]
		if covers(text, u) {
			got += weights[i]
		}
	}
	if all > 0 {
		units = got / all
	}
	got, all = 0, 0
	for i, c := range p.chars {
		all += charWeights[i]
		if strings.Contains(text, c) {
			got += charWeights[i]
		}
	}
	if all > 0 {
		chars = got / all
	}
	return units, chars
}

func covers(text string, u unit) bool {
	if u.bound != "" {
		return strings.Contains(text, u.bound)
	}
	if strings.Contains(text, u.text) {
		return true
	}
	for _, a := range u.alts {
		if strings.Contains(text, a) {
			return true
		}
	}
	return false
}

// snippet trims text to about limit runes around the densest run of
// matched words and wraps the matched words in the markers.
func snippet(text string, p plan, limit int) string {
	rs := []rune(text)
	// the folded text without dropped runes, and where each rune came from
	var norm []rune
	var at []int
	for i, r := range foldRunes(text) {
		if r >= 0 {
			norm = append(norm, r)
			at = append(at, i)
		}
	}
	marked := make([]bool, len(rs))
	mark := func(term string) {
		t := []rune(term)
		if len(t) == 0 {
			return
		}
		for i := 0; i+len(t) <= len(norm); i++ {
			match := true
			for j := range t {
				if norm[i+j] != t[j] {
					match = false
					break
				}
			}
			if match {
				for k := at[i]; k <= at[i+len(t)-1]; k++ {
					marked[k] = true
				}
			}
		}
	}
	onlySingles := true
	for _, u := range p.units {
		onlySingles = onlySingles && u.single
	}
	for _, u := range p.units {
		if u.single && !onlySingles {
			continue
		}
		mark(u.text)
		for _, a := range u.alts {
			mark(a)
		}
	}
	start, end := 0, len(rs)
	if len(rs) > limit {
		var first int
		start, first = bestWindow(marked, limit)
		// begin at a sentence or line start shortly after, if one comes
		// before the first match
		for i := max(start, 1); i < start+40 && i <= first && i < len(rs); i++ {
			if strings.ContainsRune("。！？；\n", rs[i-1]) {
				start = i
				break
			}
		}
		end = min(len(rs), start+limit)
	}
	var out strings.Builder
	if start > 0 {
		out.WriteString("…")
	}
	in := false
	for i := start; i < end; i++ {
		if marked[i] && !in {
			out.WriteRune(MarkStart)
			in = true
		} else if !marked[i] && in {
			out.WriteRune(MarkEnd)
			in = false
		}
		out.WriteRune(rs[i])
	}
	if in {
		out.WriteRune(MarkEnd)
	}
	if end < len(rs) {
		out.WriteString("…")
	}
	return out.String()
}

// bestWindow returns the start of a window of n runes around the densest
// run of marked runes (the marks centred in it), and the first marked rune
// in it.
func bestWindow(marked []bool, n int) (start, first int) {
	count := 0
	for i := 0; i < n && i < len(marked); i++ {
		if marked[i] {
			count++
		}
	}
	best, bestAt := count, 0
	for i := n; i < len(marked); i++ {
		if marked[i] {
			count++
		}
		if marked[i-n] {
			count--
		}
		if count > best {
			best, bestAt = count, i-n+1
		}
	}
	if best == 0 {
		return 0, 0
	}
	first, last := bestAt, bestAt+n-1
	for !marked[first] {
		first++
	}
	for !marked[last] {
		last--
	}
	start = (first+last)/2 - n/2
	return max(0, min(start, len(marked)-n)), first
}

// setConfidence estimates, for each result, how likely it is the answer:
// a logistic model over what the result covers of the question (its topic
// words, the two rarest of them, its characters, its heading), how close
// an FAQ question is to the one asked, whether it holds the kind of answer
// asked for, and how far the top result stands above the next. The model is
// fitted on the evaluation set (TestFitConfidence, docs/BENCHMARKS.md). An
// FAQ entry whose question is the one asked, nearly word for word, is as
// sure as an answer gets; a question of single characters never is.
func setConfidence(p plan, rs []Result) {
	singles := true
	for _, u := range p.units {
		singles = singles && u.single
	}
	singles = singles || repetitive(p.norm) // 党党党…: nothing asked
	for i := range rs {
		r := &rs[i]
		x := resultInputs(p, rs, i)
		z := 0.0
		for j, w := range confidenceModel {
			z += w * x[j]
		}
		c := 1 / (1 + math.Exp(-z))
		if asksCountOrTime(p) && !r.feat.typed {
			c = min(c, uncountedCap) // asked how many (级) or how long and no count (of 级) or time in it
		}
		if i == 0 && tied(rs) {
			c = min(c, uncountedCap) // another section answers it as well, by every measure
		}
		if r.feat.noCompound {
			c = min(c, uncountedCap) // 失业金 asked, only 失业 found
		}
		if i == 0 && districtBelow(p, rs) {
			c = min(c, uncountedCap) // asked about a district, answered with the rule of all
		}
		if literal(*r) {
			// an FAQ phrasing that is the question asked: its answer
			// answers it, whatever words the answer uses for the count
			c = max(c, r.feat.faqSim)
		}
		if singles {
			c = min(c, singleCap)
		}
		r.Confidence = c
	}
}

// missesCompound reports whether text (a result's searchText) lacks a word
// of the question that the dictionary does not know, made of a word and a
// noun suffix (unit.bound).
func missesCompound(p plan, text string) bool {
	for _, u := range p.units {
		if u.bound != "" && !covers(text, u) {
			return true
		}
	}
	return false
}

// districtBelow reports whether the question names a district, the first
// result is not that district's, and one of the next two is: the general
// rule may not be the district's practice asked about, so it is shown, but
// not as sure.
func districtBelow(p plan, rs []Result) bool {
	if len(rs) < 2 || rs[0].feat.place > 0 || len(namedDistricts(p.norm, rs)) == 0 {
		return false
	}
	for _, r := range rs[1:min(len(rs), 3)] {
		if r.feat.place > 0 {
			return true
		}
	}
	return false
}

// tied reports whether the first two results cover all of the question's
// topic and stand within tieMargin of each other: nothing tells which of
// two sections answers it (a question of one topic word, which every
// passage on it covers whole).
func tied(rs []Result) bool {
	if len(rs) < 2 || rs[0].feat.final <= 0 {
		return false
	}
	margin := (rs[0].feat.final - rs[1].feat.final) / rs[0].feat.final
	return rs[0].cov >= 0.99 && rs[1].cov >= 0.99 && margin < tieMargin
}

// tieMargin is the margin under which two results that cover the question
// whole are tied (measured on the halves and both sets of imported
// documents, docs/BENCHMARKS.md).
var tieMargin = 0.03

// resultInputs are the model's inputs for result i: 1 (the intercept),
// topic coverage, character coverage, heading coverage, FAQ similarity,
// kind (+1 holds the kind asked for, -1 lacks it, 0 nothing specific was
// asked), margin over the next result (top result only), coverage of the
// answering sentence, coverage of the rarest units.
func resultInputs(p plan, rs []Result, i int) []float64 {
	r := rs[i]
	kind := 0.0
	if strongKind(p.kind) {
		kind = -1
		if r.feat.typed {
			kind = 1
		}
	}
	margin := 0.0
	if i == 0 {
		margin = 1
		if len(rs) > 1 && r.feat.final > 0 {
			margin = (r.feat.final - rs[1].feat.final) / r.feat.final
		}
	}
	return []float64{1, r.cov, r.charCov, r.feat.head, r.feat.faqSim, kind, margin, r.feat.ansFrac, r.feat.rare}
}

// confidenceModel are the weights of resultInputs, fitted on the
// evaluation set.
var confidenceModel = []float64{-1.73, 0.89, 1.35, -0.11, 0.58, 0.06, 1.70, 0.96, 0.26}

// The most a question of single characters can reach (below Threshold),
// and the similarity of an FAQ question that counts as the question asked.
const (
	singleCap = 0.5
	// uncountedCap is the most a result can reach that has no count in
	// the measure a question asks for (几级, 多少名).
	uncountedCap = 0.6
	literalFAQ   = 0.85
)

// isNumber reports whether s is a run of ASCII digits.
func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// searchText is a result's heading, FAQ questions and text, normalized:
// what coverage is counted on.
func searchText(r Result) string {
	return Normalize(r.Title + " " + r.Section + " " + r.question + " " + r.Text)
}
