package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// SyncReport tells what LoadContent changed.
type SyncReport struct {
	Added, Updated, Removed          []string // document ids
	FAQAdded, FAQUpdated, FAQRemoved []string // FAQ ids
	SynonymsChanged                  bool
	// Problems are the faults of the content; a faulty file is skipped
	// and what the store held of it is kept.
	Problems []Problem
}

// Changed reports whether anything was written.
func (r SyncReport) Changed() bool {
	return len(r.Added)+len(r.Updated)+len(r.Removed)+len(r.FAQAdded)+len(r.FAQUpdated)+len(r.FAQRemoved) > 0 || r.SynonymsChanged
}

// parsedContent is a content folder read and checked.
type parsedContent struct {
	docs     []Document
	faqs     []FAQ
	synonyms *Synonyms
	// files that had problems: their ids are neither replaced nor removed
	brokenDocs map[string]bool
	brokenFAQs bool
	problems   []Problem
}

// ParseContent reads and checks a content folder (knowledge/*.md,
// faq/*.yaml, synonyms.txt) without storing anything: `dangwu check` reports
// its problems.
func ParseContent(fsys fs.FS) ([]Document, []FAQ, Synonyms, []Problem, error) {
	pc, err := parseContent(fsys)
	if err != nil {
		return nil, nil, Synonyms{}, nil, err
	}
	var syn Synonyms
	if pc.synonyms != nil {
		syn = *pc.synonyms
	}
	return pc.docs, pc.faqs, syn, pc.problems, nil
}

func parseContent(fsys fs.FS) (parsedContent, error) {
	pc := parsedContent{brokenDocs: map[string]bool{}}
	mds, err := fs.Glob(fsys, "knowledge/*.md")
	if err != nil {
		return pc, fmt.Errorf("list knowledge: %w", err)
	}
	sort.Strings(mds)
	seen := map[string]string{}
	for _, name := range mds {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return pc, fmt.Errorf("read %s: %w", name, err)
		}
		stem := strings.TrimSuffix(path.Base(name), path.Ext(name))
		d, problems := ParseMarkdown(name, stem, data)
		if prev, ok := seen[d.ID]; ok {
			problems = append(problems, Problem{File: name, Line: 1, Message: fmt.Sprintf("id %q already used by %s", d.ID, prev)})
		}
		if len(problems) > 0 {
			pc.problems = append(pc.problems, problems...)
			pc.brokenDocs[d.ID] = true
			pc.brokenDocs[stem] = true
			continue
		}
		seen[d.ID] = name
		d.FileName = path.Base(name)
		d.Origin = OriginContent
		pc.docs = append(pc.docs, d)
	}
	yamls, err := fs.Glob(fsys, "faq/*.yaml")
	if err != nil {
		return pc, fmt.Errorf("list faq: %w", err)
	}
	more, _ := fs.Glob(fsys, "faq/*.yml")
	yamls = append(yamls, more...)
	sort.Strings(yamls)
	sections := map[string]map[string]bool{} // document id → its section headings
	for _, d := range pc.docs {
		sections[d.ID] = map[string]bool{}
		for _, p := range d.Passages {
			sections[d.ID][p.Section] = true
		}
	}
	faqSeen := map[string]string{}
	for _, name := range yamls {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return pc, fmt.Errorf("read %s: %w", name, err)
		}
		faqs, problems := ParseFAQ(name, data)
		for _, f := range faqs {
			if prev, ok := faqSeen[f.ID]; ok {
				problems = append(problems, Problem{File: name, Line: f.Line, Message: fmt.Sprintf("faq id %q already used in %s", f.ID, prev)})
				continue
			}
			faqSeen[f.ID] = name
			switch {
			case f.DocID == "" || pc.brokenDocs[f.DocID]:
			case seen[f.DocID] == "":
				problems = append(problems, Problem{File: name, Line: f.Line, Message: fmt.Sprintf("faq %s: doc %q is not a knowledge document", f.ID, f.DocID)})
			case f.Section != "" && !sections[f.DocID][f.Section]:
				problems = append(problems, Problem{File: name, Line: f.Line, Message: fmt.Sprintf("faq %s: doc %q has no section %q", f.ID, f.DocID, f.Section)})
			}
			pc.faqs = append(pc.faqs, f)
		}
		if len(problems) > 0 {
			pc.brokenFAQs = true
			pc.problems = append(pc.problems, problems...)
		}
	}
	data, err := fs.ReadFile(fsys, "synonyms.txt")
	switch {
	case err == nil:
		syn, problems := ParseSynonyms("synonyms.txt", data)
		pc.problems = append(pc.problems, problems...)
		pc.synonyms = &syn
	case isNotExist(err):
		pc.synonyms = &Synonyms{Hash: hashOf(nil)}
	default:
		return pc, fmt.Errorf("read synonyms.txt: %w", err)
	}
	return pc, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// LoadContent makes the content origin of the store what fsys holds:
// documents, FAQ entries and synonyms that are new or changed are stored,
// those gone are removed; imported documents and gap FAQ entries are left
// alone. It writes nothing when nothing changed. Problems in the content
// come back in the report, not as an error: a faulty file is skipped.
func (b *Base) LoadContent(ctx context.Context, fsys fs.FS) (SyncReport, error) {
	var rep SyncReport
	pc, err := parseContent(fsys)
	if err != nil {
		return rep, fmt.Errorf("load content: %w", err)
	}
	rep.Problems = pc.problems
	state, err := b.st.ContentState(ctx)
	if err != nil {
		return rep, fmt.Errorf("load content: %w", err)
	}
	var cs ContentSync
	present := map[string]bool{}
	for _, d := range pc.docs {
		present[d.ID] = true
		if state.OtherDocuments[d.ID] {
			rep.Problems = append(rep.Problems, Problem{File: "knowledge/" + d.FileName, Message: fmt.Sprintf("id %q is taken by an imported document", d.ID)})
			continue
		}
		old, ok := state.Documents[d.ID]
		switch {
		case !ok:
			rep.Added = append(rep.Added, d.ID)
		case old != d.Hash:
			rep.Updated = append(rep.Updated, d.ID)
		default:
			continue
		}
		cs.PutDocuments = append(cs.PutDocuments, d)
	}
	for id := range state.Documents {
		if !present[id] && !pc.brokenDocs[id] {
			rep.Removed = append(rep.Removed, id)
			cs.DeleteDocuments = append(cs.DeleteDocuments, id)
		}
	}
	faqPresent := map[string]bool{}
	for _, f := range pc.faqs {
		faqPresent[f.ID] = true
		if state.OtherFAQs[f.ID] {
			rep.Problems = append(rep.Problems, Problem{File: "faq", Message: fmt.Sprintf("faq id %q is taken by an answered question", f.ID)})
			continue
		}
		old, ok := state.FAQs[f.ID]
		switch {
		case !ok:
			rep.FAQAdded = append(rep.FAQAdded, f.ID)
		case old != f.Hash:
			rep.FAQUpdated = append(rep.FAQUpdated, f.ID)
		default:
			continue
		}
		cs.PutFAQs = append(cs.PutFAQs, f)
	}
	if !pc.brokenFAQs {
		for id := range state.FAQs {
			if !faqPresent[id] {
				rep.FAQRemoved = append(rep.FAQRemoved, id)
				cs.DeleteFAQs = append(cs.DeleteFAQs, id)
			}
		}
	}
	if pc.synonyms != nil && pc.synonyms.Hash != state.SynonymsHash {
		rep.SynonymsChanged = true
		cs.Synonyms = pc.synonyms
	}
	sort.Strings(rep.Removed)
	sort.Strings(rep.FAQRemoved)
	if !rep.Changed() {
		return rep, nil
	}
	if err := b.st.SyncContent(ctx, cs); err != nil {
		return SyncReport{Problems: rep.Problems}, fmt.Errorf("load content: %w", err)
	}
	b.syncAfterWrite(ctx)
	return rep, nil
}
