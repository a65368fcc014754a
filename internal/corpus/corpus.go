// Package corpus generates large knowledge corpora for benchmarks and load
// tests: sentences, headings and titles of real content recombined,
// deterministically for a given seed.
package corpus

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strings"

	"github.com/dangwu/dangwu/knowledge"
)

// Generate returns docs documents of sections passages each, built from the
// knowledge documents in fsys (the layout of content/).
func Generate(fsys fs.FS, docs, sections int, seed uint64) ([]knowledge.Document, error) {
	files, err := fs.Glob(fsys, "knowledge/*.md")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("corpus: no knowledge documents to draw from")
	}
	var sentences, headings, titles []string
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		d, _ := knowledge.ParseMarkdown(f, "x", data)
		titles = append(titles, d.Title)
		for _, p := range d.Passages {
			headings = append(headings, p.Section)
			for _, s := range strings.SplitAfter(p.Text, "。") {
				if s = strings.TrimSpace(s); s != "" {
					sentences = append(sentences, s)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	out := make([]knowledge.Document, 0, docs)
	for i := range docs {
		d := knowledge.Document{
			ID:     fmt.Sprintf("gen-%05d", i),
			Title:  fmt.Sprintf("%s（第%d号）", pick(titles), i),
			Source: "生成的测试文档",
			Hash:   fmt.Sprintf("gen-%d-%d", seed, i),
		}
		for range sections {
			var text strings.Builder
			for range 2 + rng.IntN(6) {
				text.WriteString(pick(sentences))
			}
			d.Passages = append(d.Passages, knowledge.Passage{Section: pick(headings), Text: text.String()})
		}
		out = append(out, d)
	}
	return out, nil
}

// Markdown renders a document in the content format of content/knowledge.
func Markdown(d knowledge.Document) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\nsource: %s\n---\n", d.ID, d.Title, d.Source)
	for _, p := range d.Passages {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", p.Section, p.Text)
	}
	return []byte(b.String())
}
