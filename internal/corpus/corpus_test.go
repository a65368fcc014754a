package corpus_test

import (
	"testing"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/corpus"
	"github.com/dangwu/dangwu/knowledge"
)

func TestGenerateIsDeterministicAndParses(t *testing.T) {
	a, err := corpus.Generate(content.Embedded(), 20, 5, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := corpus.Generate(content.Embedded(), 20, 5, 7)
	if len(a) != 20 || len(a[0].Passages) != 5 {
		t.Fatalf("got %d documents of %d passages", len(a), len(a[0].Passages))
	}
	if a[19].Passages[4].Text != b[19].Passages[4].Text {
		t.Error("the same seed gave different corpora")
	}
	d, problems := knowledge.ParseMarkdown("x.md", "x", corpus.Markdown(a[3]))
	if len(problems) > 0 || d.ID != a[3].ID || len(d.Passages) != 5 || d.Passages[2].Text != a[3].Passages[2].Text {
		t.Errorf("rendered document parses to %+v (problems %v)", d, problems)
	}
}
