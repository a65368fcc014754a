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

// CheckImport adds to problems the questions whose id already belongs to
// another bank, and returns the questions that can be imported into bank.
func (s *Service) CheckImport(ctx context.Context, bank string, qs []Question, problems []Problem) ([]Question, []Problem, error) {
	owners, err := s.store.Banks(ctx, ids(qs))
	if err != nil {
		return nil, nil, err
	}
	var good []Question
	for _, q := range qs {
		if owner, ok := owners[q.ID]; ok && owner != bank {
			problems = append(problems, Problem{File: q.Bank, Line: q.Line, ID: q.ID, Err: ErrIDTaken, Value: owner})
			continue
		}
		good = append(good, q)
	}
	sortProblems(problems)
	return good, problems, nil
}

// Import stores the questions of bank, all or none, replacing those it
// had with the same ids.
func (s *Service) Import(ctx context.Context, bank string, qs []Question, by int64) error {
	if len(qs) == 0 {
		return fmt.Errorf("%w: nothing to import", ErrNoQuestions)
	}
	return s.store.Import(ctx, bank, qs, by, s.clock())
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
