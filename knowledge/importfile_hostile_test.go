package knowledge_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/knowledge"
)

// docxXML is a .docx whose word/document.xml body is body.
func docxXML(tb testing.TB, body string) []byte {
	tb.Helper()
	return zipOf(tb, map[string]string{
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			`<w:p><w:r><w:t>党费收缴通知</w:t></w:r></w:p>` + body + `</w:body></w:document>`,
	})
}

// docxRuns is a .docx with one paragraph of n runs of one character.
func docxRuns(tb testing.TB, n int) []byte {
	return docxXML(tb, "<w:p>"+strings.Repeat("<w:r><w:t>党</w:t></w:r>", n)+"</w:p>")
}

// docxTabs is a .docx with one paragraph of n tabs between two words.
func docxTabs(tb testing.TB, n int) []byte {
	return docxXML(tb, "<w:p><w:r><w:t>党费</w:t>"+strings.Repeat("<w:tab/>", n)+"<w:t>收缴</w:t></w:r></w:p>")
}

// hostile are files that cost the old parsers quadratic time or memory
// far above their size.
func hostile(tb testing.TB) []struct {
	name, file string
	data       []byte
	limit      uint64 // bytes the parse may allocate
} {
	return []struct {
		name, file string
		data       []byte
		limit      uint64
	}{
		{"docx of 100,000 runs in a paragraph", "runs.docx", docxRuns(tb, 100_000), 64 << 20},
		{"docx of 100,000 tabs", "tabs.docx", docxTabs(tb, 100_000), 32 << 20},
		{"txt of 5 million empty lines", "empty.txt", []byte("党费收缴通知\n" + strings.Repeat("\n", 5_000_000) + "正文。\n"), 40 << 20},
		{"txt with a 10 MB line", "long.txt", []byte("党费收缴通知\n" + strings.Repeat("党费。", 10<<20/9) + "\n"), 128 << 20},
		{"txt title of 2 million words", "words.txt", []byte(strings.Repeat("党 ", 2_000_000) + "\n正文。\n"), 48 << 20},
		{"md with 4 MB of front matter", "fm.md", []byte("---\ntitle: 通知\ntags:\n" + strings.Repeat("  - 党费\n", 400_000) + "---\n# 通知\n\n正文。\n"), 32 << 20},
	}
}

func TestParseFileHostileBounded(t *testing.T) {
	for _, tt := range hostile(t) {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := memtest.Allocated(t, func() { _, err = knowledge.ParseFile(context.Background(), tt.file, tt.data) })
			if err != nil && !errors.Is(err, knowledge.ErrFileTooLarge) && !errors.Is(err, knowledge.ErrEmptyDocument) {
				t.Errorf("err = %v", err)
			}
			t.Logf("%d KB file, %d MB allocated", len(tt.data)>>10, n>>20)
			if n > tt.limit {
				t.Errorf("a %d KB file allocated %d MB, want under %d MB", len(tt.data)>>10, n>>20, tt.limit>>20)
			}
		})
	}
}

// TestParseFileFrontMatterAliases: a "billion laughs" front matter is
// refused without being expanded.
func TestParseFileFrontMatterAliases(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\na: &a [\"党\",\"党\",\"党\",\"党\",\"党\",\"党\",\"党\",\"党\",\"党\"]\n")
	prev := "a"
	for _, c := range "bcdefghi" {
		name := string(c)
		b.WriteString(name + ": &" + name + " [")
		for i := range 9 {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("tags: *i\n---\n# 通知\n\n正文。\n")
	data := []byte(b.String())
	var d knowledge.Document
	var err error
	n := memtest.Allocated(t, func() { d, err = knowledge.ParseFile(context.Background(), "laughs.md", data) })
	if err == nil && len(d.Tags) > 1000 {
		t.Errorf("the aliases were expanded into %d tags", len(d.Tags))
	}
	if n > 32<<20 {
		t.Errorf("a %d-byte alias bomb allocated %d MB, want under 32 MB", len(data), n>>20)
	}
}

func TestParseFileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range hostile(t) {
		if _, err := knowledge.ParseFile(ctx, tt.file, tt.data); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", tt.name, err)
		}
	}
}

// TestParseFileCancelledWhileParsing cancels from the paragraph loop's
// point of view: the context ends after the parse has started.
func TestParseFileCancelledWhileParsing(t *testing.T) {
	data := docxRuns(t, 200_000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := knowledge.ParseFile(ctx, "runs.docx", data)
		done <- err
	}()
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want nil or context.Canceled", err)
	}
}

func benchParse(b *testing.B, file string, data []byte) {
	b.ReportAllocs()
	for b.Loop() {
		knowledge.ParseFile(context.Background(), file, data)
	}
}

func BenchmarkParseDocxRuns(b *testing.B) { benchParse(b, "runs.docx", docxRuns(b, 320_000)) }
func BenchmarkParseDocxTabs(b *testing.B) { benchParse(b, "tabs.docx", docxTabs(b, 320_000)) }
func BenchmarkParseTxtEmptyLines(b *testing.B) {
	benchParse(b, "empty.txt", []byte("党费收缴通知\n"+strings.Repeat("\n", 5_000_000)+"正文。\n"))
}
func BenchmarkParseTxtLongLine(b *testing.B) {
	benchParse(b, "long.txt", []byte("党费收缴通知\n"+strings.Repeat("党费。", 10<<20/9)+"\n"))
}
func BenchmarkParseMdFrontMatter(b *testing.B) {
	benchParse(b, "fm.md", []byte("---\ntitle: 通知\ntags:\n"+strings.Repeat("  - 党费\n", 400_000)+"---\n# 通知\n\n正文。\n"))
}
