package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"
)

// mappingVersion names the index layout; an index built with another one is
// rebuilt. Change it whenever fields, analyzers or normalization change.
const mappingVersion = "kb-6"

// Index fields.
const (
	fieldKind     = "kind"     // KindPassage or KindFAQ
	fieldOwner    = "owner"    // "d:" + document id, or "f:" + FAQ id
	fieldSection  = "section"  // section heading (bigrams)
	fieldQuestion = "question" // FAQ question and alternatives (bigrams)
	fieldBody     = "body"     // passage text or FAQ answer (bigrams)
	fieldUniHead  = "uhead"    // title, section, question (single characters): the title weighs only here
	fieldUniBody  = "ubody"    // body (single characters)

	analyzerUni = "dangwu_unigram"
)

// Keys of the index's internal values.
var (
	keyMapping    = []byte("dangwu_mapping")
	keyGeneration = []byte("dangwu_generation")
	keyInstance   = []byte("dangwu_instance")
)

func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	err := im.AddCustomAnalyzer(analyzerUni, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{cjk.WidthName, lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("unigram analyzer: %w", err)
	}
	field := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fieldKind, field(keyword.Name))
	dm.AddFieldMappingsAt(fieldOwner, field(keyword.Name))
	for _, f := range []string{fieldSection, fieldQuestion, fieldBody} {
		dm.AddFieldMappingsAt(f, field(cjk.AnalyzerName))
	}
	dm.AddFieldMappingsAt(fieldUniHead, field(analyzerUni))
	dm.AddFieldMappingsAt(fieldUniBody, field(analyzerUni))
	im.DefaultMapping = dm
	im.DefaultAnalyzer = cjk.AnalyzerName
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}

// passageDoc and faqDoc are what the index holds of a passage and an FAQ.
func passageDoc(p Passage, title string) map[string]any {
	return map[string]any{
		fieldKind:    KindPassage,
		fieldOwner:   "d:" + p.DocID,
		fieldSection: Normalize(p.Section),
		fieldBody:    Normalize(p.Text),
		fieldUniHead: Normalize(title + " " + p.Section),
		fieldUniBody: Normalize(p.Text),
	}
}

// faqDocs makes the index document of an FAQ entry: its question and
// alternatives are matched as its heading, its answer as its text.
func faqDocs(f FAQ) []map[string]any {
	q := Normalize(strings.Join(append([]string{f.Question}, f.Alternatives...), "\n"))
	answer := Normalize(f.Answer)
	return []map[string]any{{
		fieldKind:     KindFAQ,
		fieldOwner:    "f:" + f.ID,
		fieldQuestion: q,
		fieldBody:     answer,
		fieldUniHead:  q,
		fieldUniBody:  answer,
	}}
}

func passageKey(id int64) string { return "p:" + strconv.FormatInt(id, 10) }

// faqKey is the index id of phrasing n of an FAQ entry.
func faqKey(id string, n int) string { return "f:" + id + "#" + strconv.Itoa(n) }

// parseKey splits an index document id into its kind and id.
func parseKey(key string) (kind string, passageID int64, faqID string, ok bool) {
	switch {
	case strings.HasPrefix(key, "p:"):
		n, err := strconv.ParseInt(key[2:], 10, 64)
		return KindPassage, n, "", err == nil
	case strings.HasPrefix(key, "f:"):
		id, _, _ := strings.Cut(key[2:], "#")
		return KindFAQ, 0, id, true
	}
	return "", 0, "", false
}

// openIndex opens the index in dir, or builds it afresh from the store when
// it is missing, unreadable, of another mapping version or of another
// database. When another process holds the index, it builds a private one in
// a temporary folder instead (removed on Close).
func (b *Base) openIndex(ctx context.Context) error {
	gen, err := b.st.Generation(ctx)
	if err != nil {
		return err
	}
	idx, err := bleve.OpenUsing(b.dir, map[string]any{"bolt_timeout": "500ms"})
	switch {
	case err == nil:
		why := b.reusable(idx, gen)
		if why == "" {
			b.idx = idx
			return nil
		}
		b.log.Info("rebuilding search index", "reason", why, "dir", b.dir)
		idx.Close()
	case errors.Is(err, bolterrors.ErrTimeout):
		tmp, terr := makePrivateDir("", b.log)
		if terr != nil {
			return fmt.Errorf("index %s is in use and no temporary folder: %w", b.dir, terr)
		}
		b.log.Warn("search index in use by another process; using a private copy", "dir", b.dir, "tmp", tmp)
		b.dir, b.tmpDir = filepath.Join(tmp, "index"), tmp
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		b.log.Info("building search index", "dir", b.dir)
	default:
		b.log.Warn("search index unreadable; rebuilding", "dir", b.dir, "err", err)
	}
	return b.rebuild(ctx)
}

// reusable returns why an opened index cannot be reused, or "".
func (b *Base) reusable(idx bleve.Index, gen Generation) string {
	v, err := idx.GetInternal(keyMapping)
	if err != nil || string(v) != mappingVersion {
		return fmt.Sprintf("mapping %q, want %q", v, mappingVersion)
	}
	inst, err := idx.GetInternal(keyInstance)
	if err != nil || string(inst) != gen.Instance {
		return "built from another database"
	}
	g, err := idx.GetInternal(keyGeneration)
	if err != nil || len(g) == 0 {
		return "incomplete build"
	}
	n, err := strconv.ParseInt(string(g), 10, 64)
	if err != nil || n > gen.N {
		return "newer than the database"
	}
	b.gen = n
	b.sounds.Store(nil) // the characters may have changed
	b.answers.reset()
	return ""
}

// rebuild builds the index from everything in the store.
func (b *Base) rebuild(ctx context.Context) error {
	start := time.Now()
	if err := os.RemoveAll(b.dir); err != nil {
		return fmt.Errorf("remove index %s: %w", b.dir, err)
	}
	m, err := newMapping()
	if err != nil {
		return err
	}
	idx, err := bleve.New(b.dir, m)
	if err != nil {
		return fmt.Errorf("create index %s: %w", b.dir, err)
	}
	ch, err := b.st.Changes(ctx, 0)
	if err != nil {
		idx.Close()
		return err
	}
	n, err := applyChanges(idx, ch, true)
	if err != nil {
		idx.Close()
		return fmt.Errorf("build index: %w", err)
	}
	batch := idx.NewBatch()
	batch.SetInternal(keyMapping, []byte(mappingVersion))
	batch.SetInternal(keyInstance, []byte(ch.Generation.Instance))
	batch.SetInternal(keyGeneration, []byte(strconv.FormatInt(ch.Generation.N, 10)))
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return fmt.Errorf("build index: %w", err)
	}
	// one segment searches fastest; later changes add small ones
	if err := forceMerge(ctx, idx); err != nil {
		b.log.Warn("merge search index", "err", err)
	}
	b.idx = idx
	b.gen = ch.Generation.N
	b.sounds.Store(nil) // the characters may have changed
	b.answers.reset()
	b.log.Info("search index built", "docs", n, "generation", b.gen, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// forceMerge merges a scorch index into one segment.
func forceMerge(ctx context.Context, idx bleve.Index) error {
	ix, err := idx.Advanced()
	if err != nil {
		return err
	}
	if sc, ok := ix.(*scorch.Scorch); ok {
		return sc.ForceMerge(ctx, nil)
	}
	return nil
}

// Compact brings the index up to date and merges it into one segment.
// Searches are fastest then, and scores no longer depend on how far Bleve's
// background merging has got (BM25's statistics are read per segment), so
// the evaluation gives the same figures on every run.
func (b *Base) Compact(ctx context.Context) error {
	if err := b.sync(ctx); err != nil {
		return err
	}
	b.idxMu.RLock()
	defer b.idxMu.RUnlock()
	if b.idx == nil {
		return ErrNoIndex
	}
	return forceMerge(ctx, b.idx)
}

// batchSize bounds the documents in one index batch.
const batchSize = 500

// applyChanges writes ch into idx and returns how many index documents it
// wrote. fresh skips looking for old documents to delete.
func applyChanges(idx bleve.Index, ch Changes, fresh bool) (int, error) {
	batch := idx.NewBatch()
	n := 0
	flush := func(force bool) error {
		if batch.Size() == 0 || !force && batch.Size() < batchSize {
			return nil
		}
		if err := idx.Batch(batch); err != nil {
			return err
		}
		// a new batch, not Reset: the race detector saw the index still
		// reading a reset one
		batch = idx.NewBatch()
		return nil
	}
	deleteOwner := func(owner string) error {
		if fresh {
			return nil
		}
		keys, err := ownerKeys(idx, owner)
		if err != nil {
			return err
		}
		for _, k := range keys {
			batch.Delete(k)
		}
		return nil
	}
	for _, r := range ch.Removed {
		owner := "d:" + r.ID
		if r.Kind == KindFAQ {
			owner = "f:" + r.ID
		}
		if err := deleteOwner(owner); err != nil {
			return n, err
		}
	}
	for _, d := range ch.Documents {
		if err := deleteOwner("d:" + d.ID); err != nil {
			return n, err
		}
		for _, p := range d.Passages {
			p.DocID = d.ID
			if err := batch.Index(passageKey(p.ID), passageDoc(p, d.Title)); err != nil {
				return n, err
			}
			n++
			if err := flush(false); err != nil {
				return n, err
			}
		}
	}
	for _, f := range ch.FAQs {
		if err := deleteOwner("f:" + f.ID); err != nil {
			return n, err
		}
		for i, d := range faqDocs(f) {
			if err := batch.Index(faqKey(f.ID, i), d); err != nil {
				return n, err
			}
			n++
			if err := flush(false); err != nil {
				return n, err
			}
		}
	}
	return n, flush(true)
}

// ownerKeys lists the index documents of an owner.
func ownerKeys(idx bleve.Index, owner string) ([]string, error) {
	tq := query.NewTermQuery(owner)
	tq.SetField(fieldOwner)
	var keys []string
	for from := 0; ; from += 1000 {
		req := bleve.NewSearchRequestOptions(tq, 1000, from, false)
		req.Score = "none"
		res, err := idx.Search(req)
		if err != nil {
			return nil, fmt.Errorf("find %s in index: %w", owner, err)
		}
		for _, h := range res.Hits {
			keys = append(keys, h.ID)
		}
		if len(res.Hits) < 1000 {
			return keys, nil
		}
	}
}

// sync brings the index up to the store's generation by applying what
// changed since the generation it reflects, and reloads the synonyms when
// they changed. It is cheap when nothing changed: one indexed SELECT.
func (b *Base) sync(ctx context.Context) error {
	gen, err := b.st.Generation(ctx)
	if err != nil {
		return err
	}
	b.syncMu.Lock()
	defer b.syncMu.Unlock()
	if gen.N == b.gen && b.synonyms.Load() != nil {
		return nil
	}
	if gen.N < b.gen {
		// The database went back (a restored backup): start over.
		b.idxMu.Lock()
		b.idx.Close()
		err := b.rebuild(ctx)
		b.idxMu.Unlock()
		if err != nil {
			return err
		}
	} else if gen.N > b.gen {
		ch, err := b.st.Changes(ctx, b.gen)
		if err != nil {
			return err
		}
		if _, err := applyChanges(b.idx, ch, false); err != nil {
			return fmt.Errorf("update index: %w", err)
		}
		if err := b.idx.SetInternal(keyGeneration, []byte(strconv.FormatInt(ch.Generation.N, 10))); err != nil {
			return fmt.Errorf("update index: %w", err)
		}
		b.log.Debug("search index updated", "from", b.gen, "to", ch.Generation.N,
			"documents", len(ch.Documents), "faq", len(ch.FAQs), "removed", len(ch.Removed))
		b.gen = ch.Generation.N
		b.sounds.Store(nil) // the characters may have changed
		b.answers.reset()
	}
	syn, err := b.st.Synonyms(ctx)
	if err != nil {
		return err
	}
	if cur := b.synonyms.Load(); cur == nil || cur.hash != syn.Hash {
		b.synonyms.Store(newSynonymIndex(syn))
		b.answers.reset()
	}
	return nil
}
