package quiz

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// BankName is the bank an imported file becomes: its base name without
// extension, prefixed so that it never collides with a content file.
func BankName(fileName string) string {
	base := path.Base(strings.ReplaceAll(fileName, `\`, "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
	if base == "" || base == "." || base == "/" {
		base = "import"
	}
	return "import/" + base
}

// CheckImport is CheckImportFor a city-wide importer.
func (s *Service) CheckImport(ctx context.Context, bank string, qs []Question, problems []Problem) ([]Question, []Problem, error) {
	return s.CheckImportFor(ctx, "", bank, qs, problems)
}

// CheckImportFor adds to problems the questions whose id already belongs to
// another bank, and those outside the importer's scope (see ImportFor), and
// returns the questions that can be imported into bank, with the district
// they would be stored with. district is the importer's: "" for a
// city-wide one (an administrator, a city coordinator, the operator), else
// a district coordinator's.
func (s *Service) CheckImportFor(ctx context.Context, district, bank string, qs []Question, problems []Problem) ([]Question, []Problem, error) {
	owners, err := s.store.Banks(ctx, ids(qs))
	if err != nil {
		return nil, nil, err
	}
	var good []Question
	for _, q := range qs {
		owner, exists := owners[q.ID]
		if exists && owner != bank {
			problems = append(problems, Problem{File: q.Bank, Line: q.Line, ID: q.ID, Err: ErrIDTaken, Value: owner})
			continue
		}
		of, out, err := s.scopeQuestion(ctx, district, &q, exists)
		if err != nil {
			return nil, nil, err
		}
		if out {
			problems = append(problems, Problem{File: q.Bank, Line: q.Line, ID: q.ID, Err: ErrOutOfScope, Value: of})
			continue
		}
		good = append(good, q)
	}
	sortProblems(problems)
	return good, problems, nil
}

// scopeQuestion applies a district coordinator's scope to a question they
// import: it becomes their district's, unless it names another district
// or would replace a question (exists: its id is stored) that is not
// their district's — another district's or the city's. out reports a
// question outside the scope, of the district it is of ("" the city). A
// city-wide importer (district "") may import any.
func (s *Service) scopeQuestion(ctx context.Context, district string, q *Question, exists bool) (of string, out bool, err error) {
	if district == "" {
		return "", false, nil
	}
	if q.District != "" && q.District != district {
		return q.District, true, nil
	}
	q.District = district
	if !exists {
		return "", false, nil
	}
	old, err := s.store.Question(ctx, q.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", false, nil
	case err != nil:
		return "", false, err
	case old.District != district:
		return old.District, true, nil
	}
	return "", false, nil
}

// Import is ImportFor a city-wide importer.
func (s *Service) Import(ctx context.Context, bank string, qs []Question, by int64) error {
	return s.ImportFor(ctx, "", bank, qs, by)
}

// ImportFor stores the questions of bank, all or none, replacing those it
// had with the same ids. district is the importer's ("" city-wide). A
// district coordinator's questions are their district's: one naming
// another district, or replacing a question of another district or of the
// city, is ErrOutOfScope and nothing is stored. The scope is checked in the
// transaction that stores them.
func (s *Service) ImportFor(ctx context.Context, district, bank string, qs []Question, by int64) error {
	if len(qs) == 0 {
		return fmt.Errorf("%w: nothing to import", ErrNoQuestions)
	}
	qs = slices.Clone(qs)
	return s.atomic(ctx, func(ctx context.Context) error {
		if district != "" {
			owners, err := s.store.Banks(ctx, ids(qs))
			if err != nil {
				return err
			}
			for i := range qs {
				_, exists := owners[qs[i].ID]
				of, out, err := s.scopeQuestion(ctx, district, &qs[i], exists)
				if err != nil {
					return err
				}
				if out {
					return fmt.Errorf("question %s of %q: %w", qs[i].ID, of, ErrOutOfScope)
				}
			}
		}
		return s.store.Import(ctx, bank, qs, by, s.clock())
	})
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
}

// MeantAsBank reports whether a spreadsheet that ReadBankFile read with
// err is meant as a question bank (a roster is the other kind): it was
// read, or it has a bank's first required column (题型) and misses a later
// one.
func MeantAsBank(err error) bool {
	var ce *ColumnError
	return err == nil || (errors.As(err, &ce) && ce.Column != "题型")
}
