package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dangwu/dangwu/knowledge"
)

// The gap loop's storage beyond answering: dismissed questions, questions
// merged into FAQ entries as phrasings, 👎 votes, and the FAQ entries born
// from gaps edited and deleted.

var _ knowledge.GapStore = (*KnowledgeStore)(nil)

// fewFAQs is how many entries addPhrasings reads the phrasings of by id;
// for more, it reads them all.
const fewFAQs = 64

// addPhrasings appends the phrasings merged into each entry to its
// alternatives, in the order they were added.
func addPhrasings(ctx context.Context, q querier, faqs []*knowledge.FAQ) error {
	if len(faqs) == 0 {
		return nil
	}
	byID := make(map[string]*knowledge.FAQ, len(faqs))
	for _, f := range faqs {
		byID[f.ID] = f
	}
	query, args := `SELECT faq_id, phrasing FROM kb_faq_phrasings ORDER BY faq_id, added_at, phrasing`, []any{}
	switch {
	case len(faqs) == 1:
		query, args = `SELECT faq_id, phrasing FROM kb_faq_phrasings WHERE faq_id = ? ORDER BY added_at, phrasing`, []any{faqs[0].ID}
	case len(faqs) <= fewFAQs:
		ids := make([]string, len(faqs))
		for i, f := range faqs {
			ids[i] = f.ID
		}
		query, args = `SELECT faq_id, phrasing FROM kb_faq_phrasings WHERE faq_id IN (SELECT value FROM json_each(?))
			ORDER BY faq_id, added_at, phrasing`, []any{toJSON(ids)}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read phrasings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			return fmt.Errorf("read phrasings: %w", err)
		}
		if f, ok := byID[id]; ok {
			f.Alternatives = append(f.Alternatives, p)
		}
	}
	return rows.Err()
}

// DismissQuestions closes the open questions among ids as dismissed by by.
func (s *KnowledgeStore) DismissQuestions(ctx context.Context, ids []int64, by int64, then func(ctx context.Context) error) (int, error) {
	n := 0
	err := s.db.Atomic(ctx, func(ctx context.Context) error {
		tx := ctx.Value(txKey{}).(*sql.Tx)
		n = 0
		now := s.now()
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE kb_questions SET open = 0, closed_at = ?, resolution = 'dismissed', closed_by = ?
				WHERE id = ? AND closed_at IS NULL`, now, by, id)
			if err != nil {
				return fmt.Errorf("dismiss question %d: %w", id, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("dismiss question %d: %w", id, err)
			}
			n += int(k)
		}
		if n == 0 {
			return knowledge.ErrGapClosed
		}
		return runThen(ctx, then)
	})
	return n, err
}

// MergeQuestions closes the open questions among ids with FAQ entry faqID
// and adds the phrasings to it, in one transaction with then.
func (s *KnowledgeStore) MergeQuestions(ctx context.Context, ids []int64, faqID string, phrasings []string, by int64,
	then func(ctx context.Context, f knowledge.FAQ, askers []knowledge.Asker) error) (knowledge.FAQ, []knowledge.Asker, error) {
	var f knowledge.FAQ
	var askers []knowledge.Asker
	err := s.db.Atomic(ctx, func(ctx context.Context) error {
		tx := ctx.Value(txKey{}).(*sql.Tx)
		askers = askers[:0]
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_faqs WHERE id = ?`, faqID).Scan(&n); err != nil {
			return fmt.Errorf("merge into %s: %w", faqID, err)
		}
		if n == 0 {
			return knowledge.ErrNotFound
		}
		now := s.now()
		for _, id := range ids {
			var a knowledge.Asker
			err := tx.QueryRowContext(ctx, `UPDATE kb_questions SET open = 0, closed_at = ?, faq_id = ?, resolution = 'merged', closed_by = ?
				WHERE id = ? AND closed_at IS NULL RETURNING id, user_id, chat_id, text`, now, faqID, by, id).
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
		for _, p := range phrasings {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO kb_faq_phrasings (faq_id, phrasing, added_by, added_at)
				VALUES (?, ?, ?, ?)`, faqID, p, by, now); err != nil {
				return fmt.Errorf("merge into %s: %w", faqID, err)
			}
		}
		gen, err := bump(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_faqs SET generation = ? WHERE id = ?`, gen, faqID); err != nil {
			return fmt.Errorf("merge into %s: %w", faqID, err)
		}
		if f, err = s.FAQ(ctx, faqID); err != nil {
			return err
		}
		if then != nil {
			return then(ctx, f, askers)
		}
		return nil
	})
	if err != nil {
		return knowledge.FAQ{}, nil, err
	}
	return f, askers, nil
}

// Downvotes lists the 👎 votes on a question, newest first.
func (s *KnowledgeStore) Downvotes(ctx context.Context, questionID int64) ([]knowledge.Vote, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT question_id, user_id, rank, helpful, comment, at FROM kb_feedback
		WHERE question_id = ? AND helpful = 0 ORDER BY at DESC, user_id`, questionID)
	if err != nil {
		return nil, fmt.Errorf("downvotes of %d: %w", questionID, err)
	}
	defer rows.Close()
	var out []knowledge.Vote
	for rows.Next() {
		var v knowledge.Vote
		var at string
		if err := rows.Scan(&v.QuestionID, &v.UserID, &v.Rank, &v.Helpful, &v.Comment, &at); err != nil {
			return nil, fmt.Errorf("downvotes of %d: %w", questionID, err)
		}
		v.At = parseTime(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// FAQs lists the FAQ entries of origin, newest first.
func (s *KnowledgeStore) FAQs(ctx context.Context, origin string) ([]knowledge.FAQ, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT `+faqColumns+` FROM kb_faqs WHERE origin = ? ORDER BY created_at DESC, id DESC`, origin)
	if err != nil {
		return nil, fmt.Errorf("list faq: %w", err)
	}
	var out []knowledge.FAQ
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list faq: %w", err)
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list faq: %w", err)
	}
	ptrs := make([]*knowledge.FAQ, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := addPhrasings(ctx, s.db.q(ctx), ptrs); err != nil {
		return nil, fmt.Errorf("list faq: %w", err)
	}
	return out, nil
}

// UpdateFAQ stores f's answer, source and hash for the gap entry f.ID.
func (s *KnowledgeStore) UpdateFAQ(ctx context.Context, f knowledge.FAQ, then func(ctx context.Context) error) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		tx := ctx.Value(txKey{}).(*sql.Tx)
		gen, err := bump(ctx, tx)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE kb_faqs SET answer = ?, source = ?, hash = ?, generation = ?
			WHERE id = ? AND origin = 'gap'`, f.Answer, f.Source, f.Hash, gen, f.ID)
		if err != nil {
			return fmt.Errorf("update faq %s: %w", f.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("update faq %s: %w", f.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("update faq %s: %w", f.ID, knowledge.ErrNotFound)
		}
		return runThen(ctx, then)
	})
}

// DeleteFAQ removes the gap entry id and its merged phrasings.
func (s *KnowledgeStore) DeleteFAQ(ctx context.Context, id string, then func(ctx context.Context) error) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		tx := ctx.Value(txKey{}).(*sql.Tx)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_faqs WHERE id = ? AND origin = 'gap'`, id).Scan(&n); err != nil {
			return fmt.Errorf("delete faq %s: %w", id, err)
		}
		if n == 0 {
			return knowledge.ErrNotFound
		}
		gen, err := bump(ctx, tx)
		if err != nil {
			return err
		}
		if err := deleteFAQ(ctx, tx, id, gen); err != nil {
			return err
		}
		return runThen(ctx, then)
	})
}

// runThen runs then, if any, with the transaction's context.
func runThen(ctx context.Context, then func(ctx context.Context) error) error {
	if then == nil {
		return nil
	}
	return then(ctx)
}
