package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dangwu/dangwu/knowledge"
)

var _ knowledge.Store = (*KnowledgeStore)(nil)

// KnowledgeStore keeps the knowledge base: documents, passages, FAQ entries,
// synonyms, questions, shown results and feedback.
type KnowledgeStore struct {
	db *DB
}

// NewKnowledgeStore returns the knowledge store of db.
func NewKnowledgeStore(db *DB) *KnowledgeStore { return &KnowledgeStore{db: db} }

func (s *KnowledgeStore) now() string { return formatTime(s.db.Now()) }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "[]"
	}
	return string(b)
}

func fromJSONList(s string) []string {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil
	}
	return out
}

// bump increments the knowledge generation inside tx and returns it.
func bump(ctx context.Context, tx *sql.Tx) (int64, error) {
	var g int64
	err := tx.QueryRowContext(ctx, `UPDATE kb_state SET generation = generation + 1 WHERE id = 1 RETURNING generation`).Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("bump generation: %w", err)
	}
	return g, nil
}

// Generation returns the current knowledge generation.
func (s *KnowledgeStore) Generation(ctx context.Context) (knowledge.Generation, error) {
	var g knowledge.Generation
	err := s.db.q(ctx).QueryRowContext(ctx, `SELECT generation, instance FROM kb_state WHERE id = 1`).Scan(&g.N, &g.Instance)
	if err != nil {
		return g, fmt.Errorf("read generation: %w", err)
	}
	return g, nil
}

const docColumns = `d.id, d.title, d.origin, d.source, d.date, d.district, d.tags, d.file_name, d.hash, d.imported_by, d.imported_at`

func scanDocument(sc interface{ Scan(...any) error }) (knowledge.Document, error) {
	var d knowledge.Document
	var tags, at string
	err := sc.Scan(&d.ID, &d.Title, &d.Origin, &d.Source, &d.Date, &d.District, &tags, &d.FileName, &d.Hash, &d.ImportedBy, &at)
	d.Tags = fromJSONList(tags)
	d.ImportedAt = parseTime(at)
	return d, err
}

const faqColumns = `id, origin, question, alternatives, answer, source, doc_id, section, district, hash, created_by, created_at`

func scanFAQ(sc interface{ Scan(...any) error }) (knowledge.FAQ, error) {
	var f knowledge.FAQ
	var alts, at string
	err := sc.Scan(&f.ID, &f.Origin, &f.Question, &alts, &f.Answer, &f.Source, &f.DocID, &f.Section, &f.District, &f.Hash, &f.CreatedBy, &at)
	f.Alternatives = fromJSONList(alts)
	f.CreatedAt = parseTime(at)
	return f, err
}

// Changes returns the documents and FAQ entries changed after generation
// since, and those removed; since 0 returns everything. The generation is
// read first, so anything changed while reading is reported again next time.
func (s *KnowledgeStore) Changes(ctx context.Context, since int64) (knowledge.Changes, error) {
	var ch knowledge.Changes
	var err error
	if ch.Generation, err = s.Generation(ctx); err != nil {
		return ch, err
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT `+docColumns+` FROM kb_documents d WHERE d.generation > ? ORDER BY d.id`, since)
	if err != nil {
		return ch, fmt.Errorf("changed documents: %w", err)
	}
	byID := map[string]int{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return ch, fmt.Errorf("changed documents: %w", err)
		}
		byID[d.ID] = len(ch.Documents)
		ch.Documents = append(ch.Documents, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ch, fmt.Errorf("changed documents: %w", err)
	}
	if len(ch.Documents) > 0 {
		rows, err = s.db.q(ctx).QueryContext(ctx, `SELECT p.id, p.doc_id, p.seq, p.section, p.text FROM kb_passages p
			JOIN kb_documents d ON d.id = p.doc_id WHERE d.generation > ? ORDER BY p.doc_id, p.seq`, since)
		if err != nil {
			return ch, fmt.Errorf("changed passages: %w", err)
		}
		for rows.Next() {
			var p knowledge.Passage
			if err := rows.Scan(&p.ID, &p.DocID, &p.Seq, &p.Section, &p.Text); err != nil {
				rows.Close()
				return ch, fmt.Errorf("changed passages: %w", err)
			}
			if i, ok := byID[p.DocID]; ok {
				d := &ch.Documents[i]
				p.Title, p.Source, p.Date, p.District = d.Title, d.Source, d.Date, d.District
				d.Passages = append(d.Passages, p)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return ch, fmt.Errorf("changed passages: %w", err)
		}
	}
	rows, err = s.db.q(ctx).QueryContext(ctx, `SELECT `+faqColumns+` FROM kb_faqs WHERE generation > ? ORDER BY id`, since)
	if err != nil {
		return ch, fmt.Errorf("changed faq: %w", err)
	}
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			rows.Close()
			return ch, fmt.Errorf("changed faq: %w", err)
		}
		ch.FAQs = append(ch.FAQs, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ch, fmt.Errorf("changed faq: %w", err)
	}
	changed := make([]*knowledge.FAQ, len(ch.FAQs))
	for i := range ch.FAQs {
		changed[i] = &ch.FAQs[i]
	}
	if err := addPhrasings(ctx, s.db.q(ctx), changed); err != nil {
		return ch, fmt.Errorf("changed faq: %w", err)
	}
	if since > 0 {
		rows, err = s.db.q(ctx).QueryContext(ctx, `SELECT kind, id FROM kb_removed WHERE generation > ? ORDER BY kind, id`, since)
		if err != nil {
			return ch, fmt.Errorf("removed: %w", err)
		}
		for rows.Next() {
			var r knowledge.Ref
			if err := rows.Scan(&r.Kind, &r.ID); err != nil {
				rows.Close()
				return ch, fmt.Errorf("removed: %w", err)
			}
			ch.Removed = append(ch.Removed, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return ch, fmt.Errorf("removed: %w", err)
		}
	}
	return ch, nil
}

// ContentState returns the hashes of the content documents, FAQ entries and
// synonyms, and the ids other origins hold.
func (s *KnowledgeStore) ContentState(ctx context.Context) (knowledge.ContentState, error) {
	st := knowledge.ContentState{
		Documents: map[string]string{}, FAQs: map[string]string{},
		OtherDocuments: map[string]bool{}, OtherFAQs: map[string]bool{},
	}
	for _, q := range []struct {
		sql     string
		content map[string]string
		other   map[string]bool
	}{
		{`SELECT id, origin, hash FROM kb_documents`, st.Documents, st.OtherDocuments},
		{`SELECT id, origin, hash FROM kb_faqs`, st.FAQs, st.OtherFAQs},
	} {
		rows, err := s.db.q(ctx).QueryContext(ctx, q.sql)
		if err != nil {
			return st, fmt.Errorf("content state: %w", err)
		}
		for rows.Next() {
			var id, origin, hash string
			if err := rows.Scan(&id, &origin, &hash); err != nil {
				rows.Close()
				return st, fmt.Errorf("content state: %w", err)
			}
			if origin == knowledge.OriginContent {
				q.content[id] = hash
			} else {
				q.other[id] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, fmt.Errorf("content state: %w", err)
		}
	}
	if err := s.db.q(ctx).QueryRowContext(ctx, `SELECT synonyms_hash FROM kb_state WHERE id = 1`).Scan(&st.SynonymsHash); err != nil {
		return st, fmt.Errorf("content state: %w", err)
	}
	return st, nil
}

// SyncContent applies a content synchronisation in one transaction.
func (s *KnowledgeStore) SyncContent(ctx context.Context, c knowledge.ContentSync) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		gen, err := bump(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range c.DeleteDocuments {
			if err := deleteDocument(ctx, tx, id, gen); err != nil {
				return err
			}
		}
		for _, d := range c.PutDocuments {
			d.Origin = knowledge.OriginContent
			if err := putDocument(ctx, tx, d, gen, s.db.Now()); err != nil {
				return err
			}
		}
		for _, id := range c.DeleteFAQs {
			if err := deleteFAQ(ctx, tx, id, gen); err != nil {
				return err
			}
		}
		for _, f := range c.PutFAQs {
			f.Origin = knowledge.OriginContent
			if err := putFAQ(ctx, tx, f, gen, s.db.Now()); err != nil {
				return err
			}
		}
		if c.Synonyms != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE kb_state SET synonyms = ?, synonyms_hash = ? WHERE id = 1`,
				toJSON(c.Synonyms.Groups), c.Synonyms.Hash); err != nil {
				return fmt.Errorf("store synonyms: %w", err)
			}
		}
		return nil
	})
}

// Synonyms returns the stored synonym groups.
func (s *KnowledgeStore) Synonyms(ctx context.Context) (knowledge.Synonyms, error) {
	var syn knowledge.Synonyms
	var groups string
	if err := s.db.q(ctx).QueryRowContext(ctx, `SELECT synonyms, synonyms_hash FROM kb_state WHERE id = 1`).Scan(&groups, &syn.Hash); err != nil {
		return syn, fmt.Errorf("read synonyms: %w", err)
	}
	if err := json.Unmarshal([]byte(groups), &syn.Groups); err != nil {
		return syn, fmt.Errorf("read synonyms: %w", err)
	}
	return syn, nil
}

func putDocument(ctx context.Context, tx *sql.Tx, d knowledge.Document, gen int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_documents WHERE id = ?`, d.ID); err != nil {
		return fmt.Errorf("replace document %s: %w", d.ID, err)
	}
	at := d.ImportedAt
	if at.IsZero() {
		at = now
	}
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO kb_documents
		(id, title, origin, source, date, district, tags, file_name, hash, imported_by, imported_at, generation, fingerprint)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Title, d.Origin, d.Source, d.Date, d.District, toJSON(tags), d.FileName, d.Hash, d.ImportedBy, formatTime(at), gen,
		knowledge.Fingerprint(d))
	if err != nil {
		return fmt.Errorf("insert document %s: %w", d.ID, err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO kb_passages (doc_id, seq, section, text) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert passages of %s: %w", d.ID, err)
	}
	defer stmt.Close()
	for i, p := range d.Passages {
		if _, err := stmt.ExecContext(ctx, d.ID, i, p.Section, p.Text); err != nil {
			return fmt.Errorf("insert passage %d of %s: %w", i, d.ID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_removed WHERE kind = 'passage' AND id = ?`, d.ID); err != nil {
		return fmt.Errorf("replace document %s: %w", d.ID, err)
	}
	return nil
}

func deleteDocument(ctx context.Context, tx *sql.Tx, id string, gen int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_documents WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete document %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO kb_removed (kind, id, generation) VALUES ('passage', ?, ?)`, id, gen); err != nil {
		return fmt.Errorf("delete document %s: %w", id, err)
	}
	return nil
}

func putFAQ(ctx context.Context, tx *sql.Tx, f knowledge.FAQ, gen int64, now time.Time) error {
	at := f.CreatedAt
	if at.IsZero() {
		at = now
	}
	alts := f.Alternatives
	if alts == nil {
		alts = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO kb_faqs
		(id, origin, question, alternatives, answer, source, doc_id, section, district, hash, created_by, created_at, generation)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.Origin, f.Question, toJSON(alts), f.Answer, f.Source, f.DocID, f.Section, f.District, f.Hash, f.CreatedBy, formatTime(at), gen)
	if err != nil {
		return fmt.Errorf("store faq %s: %w", f.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_removed WHERE kind = 'faq' AND id = ?`, f.ID); err != nil {
		return fmt.Errorf("store faq %s: %w", f.ID, err)
	}
	return nil
}

func deleteFAQ(ctx context.Context, tx *sql.Tx, id string, gen int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_faqs WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete faq %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_faq_phrasings WHERE faq_id = ?`, id); err != nil {
		return fmt.Errorf("delete faq %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO kb_removed (kind, id, generation) VALUES ('faq', ?, ?)`, id, gen); err != nil {
		return fmt.Errorf("delete faq %s: %w", id, err)
	}
	return nil
}

// docScope returns the origin and district of document id; origin "" when
// there is none.
func docScope(ctx context.Context, tx *sql.Tx, id string) (origin, district string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT origin, district FROM kb_documents WHERE id = ?`, id).Scan(&origin, &district)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return origin, district, err
}

// PutDocument inserts or replaces a document of d.Origin. It replaces only a
// document of the same origin and district.
func (s *KnowledgeStore) PutDocument(ctx context.Context, d knowledge.Document) (bool, error) {
	replaced := false
	if d.Origin == knowledge.OriginImport {
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return fillFingerprints(ctx, tx) }); err != nil {
			return false, err
		}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		o, district, err := docScope(ctx, tx, d.ID)
		if err != nil {
			return fmt.Errorf("put document %s: %w", d.ID, err)
		}
		if o != "" && o != d.Origin {
			return fmt.Errorf("put document %s: %w", d.ID, knowledge.ErrContentDocument)
		}
		if o != "" && district != d.District {
			return fmt.Errorf("put document %s: held by %q: %w", d.ID, district, knowledge.ErrOutOfScope)
		}
		replaced = o != ""
		if d.Origin == knowledge.OriginImport {
			dup, err := duplicateOf(ctx, tx, knowledge.Fingerprint(d), d.ID)
			switch {
			case err == nil:
				return &knowledge.DuplicateError{DocID: dup.ID, Title: dup.Title}
			case !errors.Is(err, knowledge.ErrNotFound):
				return fmt.Errorf("put document %s: %w", d.ID, err)
			}
		}
		gen, err := bump(ctx, tx)
		if err != nil {
			return err
		}
		return putDocument(ctx, tx, d, gen, s.db.Now())
	})
	return replaced, err
}

// DuplicateOf returns the document other than exceptID with the fingerprint.
func (s *KnowledgeStore) DuplicateOf(ctx context.Context, fingerprint, exceptID string) (knowledge.DocInfo, error) {
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return fillFingerprints(ctx, tx) }); err != nil {
		return knowledge.DocInfo{}, err
	}
	return duplicateOf(ctx, s.db.q(ctx), fingerprint, exceptID)
}

// duplicateOf finds the document other than exceptID with the fingerprint
// (fillFingerprints first gives the older documents theirs).
func duplicateOf(ctx context.Context, tx querier, fingerprint, exceptID string) (knowledge.DocInfo, error) {
	var d knowledge.DocInfo
	err := tx.QueryRowContext(ctx, `SELECT id, title, origin, source, district FROM kb_documents
		WHERE fingerprint = ? AND id <> ? ORDER BY origin, imported_at, id LIMIT 1`, fingerprint, exceptID).
		Scan(&d.ID, &d.Title, &d.Origin, &d.Source, &d.District)
	if errors.Is(err, sql.ErrNoRows) {
		return d, knowledge.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("find duplicate: %w", err)
	}
	return d, nil
}

// fillFingerprints computes the fingerprints of the documents that have
// none (stored before migration 0006) from their stored passages, in a
// transaction of its own so that the work is kept whatever the import does
// next. The fingerprint is not part of what the index reflects: the
// generation stays.
func fillFingerprints(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+docColumns+` FROM kb_documents d WHERE d.fingerprint = ''`)
	if err != nil {
		return fmt.Errorf("fill fingerprints: %w", err)
	}
	var docs []knowledge.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("fill fingerprints: %w", err)
		}
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill fingerprints: %w", err)
	}
	for _, d := range docs {
		ps, err := tx.QueryContext(ctx, `SELECT section, text FROM kb_passages WHERE doc_id = ? ORDER BY seq`, d.ID)
		if err != nil {
			return fmt.Errorf("fill fingerprint of %s: %w", d.ID, err)
		}
		for ps.Next() {
			var p knowledge.Passage
			if err := ps.Scan(&p.Section, &p.Text); err != nil {
				ps.Close()
				return fmt.Errorf("fill fingerprint of %s: %w", d.ID, err)
			}
			d.Passages = append(d.Passages, p)
		}
		ps.Close()
		if err := ps.Err(); err != nil {
			return fmt.Errorf("fill fingerprint of %s: %w", d.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_documents SET fingerprint = ? WHERE id = ?`, knowledge.Fingerprint(d), d.ID); err != nil {
			return fmt.Errorf("fill fingerprint of %s: %w", d.ID, err)
		}
	}
	return nil
}

// DeleteDocument removes an imported document of district ("" city-wide).
func (s *KnowledgeStore) DeleteDocument(ctx context.Context, id, district string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		o, held, err := docScope(ctx, tx, id)
		switch {
		case err != nil:
			return fmt.Errorf("delete document %s: %w", id, err)
		case o == "":
			return knowledge.ErrNotFound
		case o != knowledge.OriginImport:
			return knowledge.ErrContentDocument
		case held != district:
			return fmt.Errorf("delete document %s: held by %q: %w", id, held, knowledge.ErrOutOfScope)
		}
		gen, err := bump(ctx, tx)
		if err != nil {
			return err
		}
		return deleteDocument(ctx, tx, id, gen)
	})
}

// Documents lists the documents, newest first.
func (s *KnowledgeStore) Documents(ctx context.Context) ([]knowledge.DocInfo, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT d.id, d.title, d.origin, d.source, d.date, d.district, d.file_name,
		d.imported_by, d.imported_at, (SELECT COUNT(*) FROM kb_passages p WHERE p.doc_id = d.id)
		FROM kb_documents d ORDER BY d.imported_at DESC, d.id`)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []knowledge.DocInfo
	for rows.Next() {
		var d knowledge.DocInfo
		var at string
		if err := rows.Scan(&d.ID, &d.Title, &d.Origin, &d.Source, &d.Date, &d.District, &d.FileName, &d.ImportedBy, &at, &d.Sections); err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		d.ImportedAt = parseTime(at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return out, nil
}

// Document returns a document with its passages.
func (s *KnowledgeStore) Document(ctx context.Context, id string) (knowledge.Document, error) {
	d, err := scanDocument(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+docColumns+` FROM kb_documents d WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, knowledge.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("read document %s: %w", id, err)
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT id, seq, section, text FROM kb_passages WHERE doc_id = ? ORDER BY seq`, id)
	if err != nil {
		return d, fmt.Errorf("read document %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		p := knowledge.Passage{DocID: d.ID, Title: d.Title, Source: d.Source, Date: d.Date, District: d.District}
		if err := rows.Scan(&p.ID, &p.Seq, &p.Section, &p.Text); err != nil {
			return d, fmt.Errorf("read document %s: %w", id, err)
		}
		d.Passages = append(d.Passages, p)
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("read document %s: %w", id, err)
	}
	return d, nil
}

// Passage returns one passage with its document's title, source, date and district.
func (s *KnowledgeStore) Passage(ctx context.Context, id int64) (knowledge.Passage, error) {
	var p knowledge.Passage
	err := s.db.q(ctx).QueryRowContext(ctx, `SELECT p.id, p.doc_id, p.seq, p.section, p.text, d.title, d.source, d.date, d.district
		FROM kb_passages p JOIN kb_documents d ON d.id = p.doc_id WHERE p.id = ?`, id).
		Scan(&p.ID, &p.DocID, &p.Seq, &p.Section, &p.Text, &p.Title, &p.Source, &p.Date, &p.District)
	if errors.Is(err, sql.ErrNoRows) {
		return p, knowledge.ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("read passage %d: %w", id, err)
	}
	return p, nil
}

// Passages returns the passages of ids that exist, in no particular
// order: the candidates of one search, read in one query.
func (s *KnowledgeStore) Passages(ctx context.Context, ids []int64) ([]knowledge.Passage, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT p.id, p.doc_id, p.seq, p.section, p.text, d.title, d.source, d.date, d.district
		FROM kb_passages p JOIN kb_documents d ON d.id = p.doc_id WHERE p.id IN (SELECT value FROM json_each(?))`, toJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	defer rows.Close()
	ps := make([]knowledge.Passage, 0, len(ids))
	for rows.Next() {
		var p knowledge.Passage
		if err := rows.Scan(&p.ID, &p.DocID, &p.Seq, &p.Section, &p.Text, &p.Title, &p.Source, &p.Date, &p.District); err != nil {
			return nil, fmt.Errorf("read passages: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	return ps, nil
}

// FAQsByID returns the FAQ entries of ids that exist, with their merged
// phrasings, in no particular order.
func (s *KnowledgeStore) FAQsByID(ctx context.Context, ids []string) ([]knowledge.FAQ, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := s.db.q(ctx)
	rows, err := q.QueryContext(ctx, `SELECT `+faqColumns+` FROM kb_faqs WHERE id IN (SELECT value FROM json_each(?))`, toJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("read faqs: %w", err)
	}
	var fs []knowledge.FAQ
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read faqs: %w", err)
		}
		fs = append(fs, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read faqs: %w", err)
	}
	ptrs := make([]*knowledge.FAQ, len(fs))
	for i := range fs {
		ptrs[i] = &fs[i]
	}
	if err := addPhrasings(ctx, q, ptrs); err != nil {
		return nil, fmt.Errorf("read faqs: %w", err)
	}
	return fs, nil
}

// FAQ returns one FAQ entry.
func (s *KnowledgeStore) FAQ(ctx context.Context, id string) (knowledge.FAQ, error) {
	f, err := scanFAQ(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+faqColumns+` FROM kb_faqs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, knowledge.ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("read faq %s: %w", id, err)
	}
	if err := addPhrasings(ctx, s.db.q(ctx), []*knowledge.FAQ{&f}); err != nil {
		return f, fmt.Errorf("read faq %s: %w", id, err)
	}
	return f, nil
}

// AddQuestion stores a question with the results shown for it. An
// unconfident one enters the unanswered queue. A question already stored
// from the same update (a replay: same UpdateID, person, chat and text) is
// not stored again: its id is returned.
func (s *KnowledgeStore) AddQuestion(ctx context.Context, q knowledge.Question) (int64, error) {
	var id int64
	err := s.db.Atomic(ctx, func(ctx context.Context) error {
		tx := s.db.q(ctx) // the kept statements
		var update any    // NULL when none
		if q.UpdateID != 0 {
			update = q.UpdateID
			err := tx.QueryRowContext(ctx, `SELECT id FROM kb_questions
				WHERE update_id = ? AND user_id = ? AND chat_id = ? AND text = ? ORDER BY id DESC LIMIT 1`,
				q.UpdateID, q.UserID, q.ChatID, q.Text).Scan(&id)
			if err == nil {
				return nil // a replay: logged when the update was first handled
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("find question of update %d: %w", q.UpdateID, err)
			}
		}
		at := q.AskedAt
		if at.IsZero() {
			at = s.db.Now()
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO kb_questions (user_id, chat_id, district, text, asked_at, confident, confidence, open, update_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			q.UserID, q.ChatID, q.District, q.Text, formatTime(at), q.Confident, q.Confidence, !q.Confident, update).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert question: %w", err)
		}
		for _, r := range q.Shown {
			_, err := tx.ExecContext(ctx, `INSERT INTO kb_shown (question_id, rank, kind, doc_id, passage_id, faq_id, title, section, confidence)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, r.Rank, r.Kind, r.DocID, r.PassageID, r.FAQID, r.Title, r.Section, r.Confidence)
			if err != nil {
				return fmt.Errorf("insert shown result %d: %w", r.Rank, err)
			}
		}
		return nil
	})
	return id, err
}

const questionColumns = `id, user_id, chat_id, district, text, asked_at, confident, confidence, open, COALESCE(closed_at, ''), faq_id, resolution, closed_by`

func scanQuestion(sc interface{ Scan(...any) error }) (knowledge.Question, error) {
	var q knowledge.Question
	var at, closed string
	err := sc.Scan(&q.ID, &q.UserID, &q.ChatID, &q.District, &q.Text, &at, &q.Confident, &q.Confidence, &q.Open, &closed, &q.FAQID, &q.Resolution, &q.ClosedBy)
	q.AskedAt = parseTime(at)
	if closed != "" {
		q.ClosedAt = parseTime(closed)
	}
	return q, err
}

// Question returns a logged question with the results shown for it.
func (s *KnowledgeStore) Question(ctx context.Context, id int64) (knowledge.Question, error) {
	q, err := scanQuestion(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+questionColumns+` FROM kb_questions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return q, knowledge.ErrNotFound
	}
	if err != nil {
		return q, fmt.Errorf("read question %d: %w", id, err)
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT rank, kind, doc_id, passage_id, faq_id, title, section, confidence
		FROM kb_shown WHERE question_id = ? ORDER BY rank`, id)
	if err != nil {
		return q, fmt.Errorf("read question %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r knowledge.Shown
		if err := rows.Scan(&r.Rank, &r.Kind, &r.DocID, &r.PassageID, &r.FAQID, &r.Title, &r.Section, &r.Confidence); err != nil {
			return q, fmt.Errorf("read question %d: %w", id, err)
		}
		q.Shown = append(q.Shown, r)
	}
	if err := rows.Err(); err != nil {
		return q, fmt.Errorf("read question %d: %w", id, err)
	}
	return q, nil
}

// Vote stores a user's vote on a question (the last one wins) and puts the
// question in the unanswered queue while it is unconfident or has a 👎.
func (s *KnowledgeStore) Vote(ctx context.Context, v knowledge.Vote) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_questions WHERE id = ?`, v.QuestionID).Scan(&n); err != nil {
			return fmt.Errorf("store vote: %w", err)
		}
		if n == 0 {
			return knowledge.ErrNotFound
		}
		at := v.At
		if at.IsZero() {
			at = s.db.Now()
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kb_feedback (question_id, user_id, rank, helpful, comment, at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (question_id, user_id) DO UPDATE SET rank = excluded.rank, helpful = excluded.helpful,
			comment = excluded.comment, at = excluded.at`,
			v.QuestionID, v.UserID, v.Rank, v.Helpful, v.Comment, formatTime(at))
		if err != nil {
			return fmt.Errorf("store vote: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE kb_questions SET open = (closed_at IS NULL AND (confident = 0 OR
			EXISTS (SELECT 1 FROM kb_feedback f WHERE f.question_id = kb_questions.id AND f.helpful = 0)))
			WHERE id = ?`, v.QuestionID)
		if err != nil {
			return fmt.Errorf("store vote: %w", err)
		}
		return nil
	})
}

// OpenQuestions lists the unanswered queue of a district ("" = all), newest first.
func (s *KnowledgeStore) OpenQuestions(ctx context.Context, district string, limit int) ([]knowledge.Question, error) {
	var rows *sql.Rows
	var err error
	if district == "" {
		rows, err = s.db.q(ctx).QueryContext(ctx, `SELECT `+questionColumns+` FROM kb_questions WHERE open = 1 ORDER BY id DESC LIMIT ?`, limit)
	} else {
		rows, err = s.db.q(ctx).QueryContext(ctx, `SELECT `+questionColumns+` FROM kb_questions WHERE open = 1 AND district = ? ORDER BY id DESC LIMIT ?`, district, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("open questions: %w", err)
	}
	defer rows.Close()
	var out []knowledge.Question
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return nil, fmt.Errorf("open questions: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open questions: %w", err)
	}
	return out, nil
}

// CloseQuestions stores f and closes the still open questions among ids
// with it, in one transaction, in which then (may be nil) queues the
// notices to the askers. It fails with ErrGapClosed when none is open.
func (s *KnowledgeStore) CloseQuestions(ctx context.Context, ids []int64, f knowledge.FAQ, then func(ctx context.Context, askers []knowledge.Asker) error) ([]knowledge.Asker, error) {
	var askers []knowledge.Asker
	err := s.db.Atomic(ctx, func(ctx context.Context) error {
		tx := ctx.Value(txKey{}).(*sql.Tx)
		askers = askers[:0]
		now := s.now()
		for _, id := range ids {
			var a knowledge.Asker
			err := tx.QueryRowContext(ctx, `UPDATE kb_questions SET open = 0, closed_at = ?, faq_id = ?, resolution = 'answered', closed_by = ?
				WHERE id = ? AND closed_at IS NULL RETURNING id, user_id, chat_id, text`, now, f.ID, f.CreatedBy, id).
				Scan(&a.QuestionID, &a.UserID, &a.ChatID, &a.Text)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("close question %d: %w", id, err)
			}
			askers = append(askers, a)
		}
		if len(askers) == 0 {
			return knowledge.ErrGapClosed
		}
		gen, err := bump(ctx, tx)
		if err != nil {
			return err
		}
		f.Origin = knowledge.OriginGap
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_faqs WHERE id = ?`, f.ID).Scan(&exists); err != nil {
			return fmt.Errorf("store faq %s: %w", f.ID, err)
		}
		if exists > 0 {
			return fmt.Errorf("store faq %s: id taken", f.ID)
		}
		if err := putFAQ(ctx, tx, f, gen, s.db.Now()); err != nil {
			return err
		}
		if then != nil {
			return then(ctx, askers)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return askers, nil
}
