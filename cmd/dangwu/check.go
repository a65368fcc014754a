package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/scheduler"
)

// cmdCheck validates the content in use (the embedded content, or
// --content DIR) and prints each problem as file:line: message.
func cmdCheck(_ context.Context, args []string, env Env) int {
	cfg, fset, err := loadConfig("check", args, env.Getenv, nil)
	if err != nil {
		return configError(env, err)
	}
	if fset.NArg() > 0 {
		fmt.Fprintln(env.Stderr, "usage: dangwu check [--content DIR]")
		return 2
	}
	fsys, err := content.Load(cfg.Content)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu check: content: %v\n", err)
		return 1
	}
	docs, faqs, synonyms, problems, err := knowledge.ParseContent(fsys)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu check: %v\n", err)
		return 1
	}
	for _, p := range problems {
		fmt.Fprintln(env.Stdout, p.String())
	}
	bad := len(problems)
	districts, err := member.LoadDistricts(fsys)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		districts, _ = member.LoadDistricts(content.Embedded()) // the built-in list is used
	case err != nil:
		fmt.Fprintln(env.Stdout, err)
		bad++
	}
	duesRules, err := dues.Load(fsys)
	var duesProblems dues.Problems
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No dues.yaml: no 党费 calculator, which is allowed.
	case errors.As(err, &duesProblems):
		for _, p := range duesProblems {
			fmt.Fprintln(env.Stdout, p.String())
		}
		bad += len(duesProblems)
	case err != nil:
		fmt.Fprintln(env.Stdout, err)
		bad++
	}
	if duesRules != nil {
		for _, p := range duesPointers(duesRules, docs) {
			fmt.Fprintln(env.Stdout, p)
			bad++
		}
	}
	sections := map[string][]string{}
	for _, d := range docs {
		for _, p := range d.Passages {
			sections[d.ID] = append(sections[d.ID], p.Section)
		}
	}
	quizContent, quizProblems, err := quiz.LoadContent(fsys, quiz.Checker{
		District: districts.Resolve,
		Section: quiz.DocSections(func(doc string) ([]string, bool) {
			s, ok := sections[doc]
			return s, ok
		}),
	})
	var examIDs []string // nil: the papers could not be read, so not checked
	if err != nil {
		fmt.Fprintf(env.Stdout, "%s: %v\n", quiz.Dir, err)
		bad++
	} else {
		examIDs = []string{}
		for _, e := range quizContent.Exams {
			examIDs = append(examIDs, e.ID)
		}
	}
	for _, p := range quizProblems {
		fmt.Fprintln(env.Stdout, p.Error())
		bad++
	}
	schedContent, schedProblems, err := scheduler.LoadContent(fsys, districts, cfg.Location)
	if err != nil {
		fmt.Fprintln(env.Stdout, err)
		bad++
	}
	for _, p := range schedProblems {
		fmt.Fprintln(env.Stdout, p.Error())
		bad++
	}
	recordsContent, recordsProblems, err := records.LoadContent(fsys, districts, examIDs)
	if err != nil {
		fmt.Fprintln(env.Stdout, err)
		bad++
	}
	for _, p := range recordsProblems {
		fmt.Fprintln(env.Stdout, p.Error())
		bad++
	}
	if bad > 0 {
		fmt.Fprintf(env.Stderr, "dangwu check: %d problems in %s\n", bad, orEmbedded(cfg.Content))
		return 1
	}
	passages := 0
	for _, d := range docs {
		passages += len(d.Passages)
	}
	duesLine := "no dues calculator (no dues.yaml)"
	if duesRules != nil {
		duesLine = fmt.Sprintf("%d dues categories", len(duesRules.Categories))
	}
	polls := 0
	for _, q := range quizContent.Questions {
		if q.PollReady() {
			polls++
		}
	}
	fmt.Fprintf(env.Stdout, "ok: %d documents (%d passages), %d FAQ entries, %d synonym groups, %d districts, %s, %d quiz questions (%d fit a group poll), %d exam papers, %d venues, %d schedules, %d events, %d levels, %d pay rules\n",
		len(docs), passages, len(faqs), len(synonyms.Groups), len(districts.Names()), duesLine, len(quizContent.Questions), polls, len(quizContent.Exams),
		len(schedContent.Venues), len(schedContent.Schedules), len(schedContent.Events),
		recordsContent.LevelCount(), len(recordsContent.Pay))
	return 0
}

// duesPointers checks that the knowledge document and sections dues.yaml
// points at exist.
func duesPointers(r *dues.Rules, docs []knowledge.Document) []string {
	if r.Doc == "" {
		return nil
	}
	var doc *knowledge.Document
	for i := range docs {
		if docs[i].ID == r.Doc {
			doc = &docs[i]
		}
	}
	if doc == nil {
		return []string{fmt.Sprintf("%s:%d: doc %q: no such knowledge document", dues.File, r.DocLine, r.Doc)}
	}
	var out []string
	for _, c := range r.Categories {
		if c.Section == "" {
			continue
		}
		found := false
		for _, p := range doc.Passages {
			found = found || p.Section == c.Section
		}
		if !found {
			out = append(out, fmt.Sprintf("%s:%d: category %q: section %q: no such section in %s", dues.File, c.Line, c.ID, c.Section, r.Doc))
		}
	}
	return out
}
