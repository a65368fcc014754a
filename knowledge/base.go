package knowledge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// Base is the knowledge base: the store and, unless opened without one, the
// search index kept in step with it. Its methods are safe for concurrent use.
type Base struct {
	st  Store
	log *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time

	dir    string // the index folder; "" when store-only
	tmpDir string // a private index folder to remove on Close

	syncMu   sync.Mutex   // serializes index updates
	idxMu    sync.RWMutex // searches hold it shared; replacing idx holds it exclusively
	idx      bleve.Index
	gen      int64 // the generation the index reflects (under syncMu)
	synonyms atomic.Pointer[synonymIndex]
	sounds   atomic.Pointer[soundIndex] // the index's characters by sound; nil: to be read again

	params params

	answers *answerCache // of recent questions; emptied by every change of the index or the synonyms
	literal literalIndex // FAQ phrasings by their form, rebuilt with each new cache epoch
}

// Open opens the knowledge base on st with its search index in indexDir,
// building or updating the index from the store as needed. With indexDir ""
// the base is store-only: it can import and remove documents, answer gaps
// and list, but not search (ErrNoIndex); the command line uses this while
// the bot holds the index, and the bot picks the changes up before its
// next search.
func Open(ctx context.Context, st Store, indexDir string, log *slog.Logger) (*Base, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Base{st: st, log: log.With("component", "knowledge"), Now: time.Now, dir: indexDir, params: defaults,
		answers: newAnswerCache(AnswerCacheBytes)}
	if indexDir == "" {
		syn, err := st.Synonyms(ctx)
		if err != nil {
			return nil, fmt.Errorf("open knowledge base: %w", err)
		}
		b.synonyms.Store(newSynonymIndex(syn))
		return b, nil
	}
	if err := b.openIndex(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("open knowledge base: %w", err)
	}
	if err := b.sync(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("open knowledge base: %w", err)
	}
	return b, nil
}

// Close closes the index.
func (b *Base) Close() error {
	b.syncMu.Lock()
	defer b.syncMu.Unlock()
	b.idxMu.Lock()
	defer b.idxMu.Unlock()
	var err error
	if b.idx != nil {
		err = b.idx.Close()
		b.idx = nil
	}
	if b.tmpDir != "" {
		if rerr := os.RemoveAll(b.tmpDir); rerr != nil && err == nil {
			err = rerr
		}
		b.tmpDir = ""
	}
	if err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	return nil
}

// Sync brings the index up to date with the store now; Search does it
// itself, so callers need it only to fail early.
func (b *Base) Sync(ctx context.Context) error {
	if b.dir == "" {
		return nil
	}
	return b.sync(ctx)
}

// syncAfterWrite updates the index after a committed change. A failure is
// logged, not returned: the change is stored, and the next search retries.
func (b *Base) syncAfterWrite(ctx context.Context) {
	if b.dir == "" {
		return
	}
	if err := b.sync(ctx); err != nil {
		b.log.Error("update search index", "err", err)
	}
}

// Documents lists the documents, newest first.
func (b *Base) Documents(ctx context.Context) ([]DocInfo, error) {
	ds, err := b.st.Documents(ctx)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return ds, nil
}

// Document returns a document with its passages.
func (b *Base) Document(ctx context.Context, id string) (Document, error) {
	d, err := b.st.Document(ctx, id)
	if err != nil {
		return d, fmt.Errorf("document %s: %w", id, err)
	}
	return d, nil
}

// Passage returns a whole passage, for 查看全文.
func (b *Base) Passage(ctx context.Context, id int64) (Passage, error) {
	p, err := b.st.Passage(ctx, id)
	if err != nil {
		return p, fmt.Errorf("passage %d: %w", id, err)
	}
	return p, nil
}

// FAQ returns an FAQ entry.
func (b *Base) FAQ(ctx context.Context, id string) (FAQ, error) {
	f, err := b.st.FAQ(ctx, id)
	if err != nil {
		return f, fmt.Errorf("faq %s: %w", id, err)
	}
	return f, nil
}

func notFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Sections lists the section headings of document id, in order, each once;
// false when there is no such document.
func (b *Base) Sections(ctx context.Context, id string) ([]string, bool) {
	d, err := b.st.Document(ctx, id)
	if err != nil {
		return nil, false
	}
	var out []string
	for _, p := range d.Passages {
		if len(out) == 0 || out[len(out)-1] != p.Section {
			out = append(out, p.Section)
		}
	}
	return out, true
}
