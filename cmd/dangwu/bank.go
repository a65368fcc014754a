package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/store"
)

// quizService opens the quiz service on the import's database.
func (im *importer) quizService() (*quiz.Service, error) {
	return quiz.NewService(store.NewQuizStore(im.db), quiz.Options{Atomic: im.db.Atomic, Location: im.cfg.Location})
}

// readBank reads a question bank file, checking each question against the
// documents in the database and the content's districts, and ids against
// the banks already stored.
func (im *importer) readBank(ctx context.Context, file string, data []byte) (quiz.BankFile, error) {
	kst := store.NewKnowledgeStore(im.db)
	var contentDocs map[string][]string // the content's, before a bot has loaded them
	c := quiz.Checker{Section: quiz.DocSections(func(doc string) ([]string, bool) {
		if d, err := kst.Document(ctx, doc); err == nil {
			var out []string
			for _, p := range d.Passages {
				out = append(out, p.Section)
			}
			return out, true
		}
		if contentDocs == nil {
			contentDocs = map[string][]string{}
			if fsys, err := content.Load(im.cfg.Content); err == nil {
				if docs, _, _, _, err := knowledge.ParseContent(fsys); err == nil {
					for _, d := range docs {
						for _, p := range d.Passages {
							contentDocs[d.ID] = append(contentDocs[d.ID], p.Section)
						}
					}
				}
			}
		}
		s, ok := contentDocs[doc]
		return s, ok
	})}
	if svc, err := im.memberService(); err == nil {
		c.District = svc.Districts().Resolve
	}
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	bf, err := quiz.ReadBankFile(rctx, filepath.Base(file), data, c)
	if err != nil {
		return bf, err
	}
	svc, err := im.quizService()
	if err != nil {
		return bf, err
	}
	bf.Questions, bf.Problems, err = svc.CheckImport(ctx, quiz.BankName(file), bf.Questions, bf.Problems)
	return bf, err
}

// importBank reports a bank row by row and stores it: whole when it has no
// problems, its good questions with --partial, else nothing.
func (im *importer) importBank(ctx context.Context, file string, bf quiz.BankFile, err error) bool {
	if err != nil {
		return im.fail(file, err.Error())
	}
	for _, p := range bf.Problems {
		p.File = file
		fmt.Fprintf(im.out, "     %s\n", p.Error())
	}
	switch {
	case len(bf.Questions) == 0:
		return im.fail(file, "no question could be imported")
	case len(bf.Problems) > 0 && !im.partial:
		return im.fail(file, fmt.Sprintf("%d problems; nothing imported (fix them, or pass --partial to import the %d good questions)", len(bf.Problems), len(bf.Questions)))
	}
	svc, err := im.quizService()
	if err != nil {
		return im.fail(file, err.Error())
	}
	if err := svc.Import(ctx, quiz.BankName(file), bf.Questions, 0); err != nil {
		return im.fail(file, err.Error())
	}
	enc := ""
	if bf.Encoding != "" {
		enc = ", read as " + bf.Encoding
	}
	fmt.Fprintf(im.out, "ok  %s: question bank %s, %s%s\n", file, quiz.BankName(file), plural(len(bf.Questions), "question"), enc)
	return len(bf.Problems) == 0
}

// cmdTemplate writes an empty question-bank workbook: dangwu template quiz FILE.xlsx.
func cmdTemplate(_ context.Context, args []string, env Env) int {
	if len(args) != 2 || args[0] != "quiz" {
		fmt.Fprintln(env.Stderr, "usage: dangwu template quiz FILE.xlsx")
		return 2
	}
	if err := createNew(args[1], quiz.WriteTemplate); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu template: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "wrote %s: fill in the sheet %s (see %s), then dangwu import %s\n", args[1], quiz.TemplateSheet, quiz.TemplateHelpSheet, args[1])
	return 0
}
