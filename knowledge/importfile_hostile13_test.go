package knowledge_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/knowledge"
)

// zipEntries13 is a zip of the entries, deflated.
func zipEntries13(tb testing.TB, entries map[string][]byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const wordNS = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`

func docxBody13(tb testing.TB, body string) []byte {
	return zipEntries13(tb, map[string][]byte{"word/document.xml": []byte(wordNS + `<w:p><w:r><w:t>党费收缴通知</w:t></w:r></w:p>` + body + `</w:body></w:document>`)})
}

func utf16BOM(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := []byte{0xFF, 0xFE}
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

func prose13(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "第%d段：非公企业党组织应当按照规定按月收缴党费，党员工资收入在3000元以下的按0.5%%交纳。\n", i)
	}
	return b.String()
}

// TestHostile13ParseFileBounded: files of at most 20 MB whose parse held
// hundreds of megabytes (a 1 KB .docx whose one cell nests 990 deep held
// 3 GB and made 495,005 passages; 2 million "# 党" headings in a .md held
// 314 MB) are read within a bounded heap, or refused as too much content.
func TestHostile13ParseFileBounded(t *testing.T) {
	const small, large = 32 << 20, 96 << 20 // peak heap; large for files of 10 MB of text
	cases := []struct {
		name, file string
		data       func() []byte
		peak       uint64
		want       error // nil: parsed, or refused as empty
	}{
		{"txt one 50,000-character paragraph", "para.txt", func() []byte {
			return []byte("通知\n" + strings.Repeat("党员按月交纳党费，", 50_000/9) + "\n")
		}, small, nil},
		{"txt of 10 MB prose", "big.txt", func() []byte { return []byte(prose13(10 << 20)) }, large, nil},
		{"txt of 2.5 million headings", "heads.txt", func() []byte { return []byte("通知\n" + strings.Repeat("一、\n", 2_500_000)) }, large, nil},
		{"txt of 100,000 headings with text", "heads2.txt", func() []byte { return []byte("通知\n" + strings.Repeat("一、\n正文。\n", 100_000)) }, small, knowledge.ErrContentTooLarge},
		{"md of 100,000 headings", "heads.md", func() []byte { return []byte(strings.Repeat("## 党费\n正文。\n", 100_000)) }, small, knowledge.ErrContentTooLarge},
		{"md of 5 million hashes", "empty.md", func() []byte { return []byte(strings.Repeat("#\n", 5_000_000)) }, large, nil},
		{"md of 2 million headings", "h2.md", func() []byte { return []byte(strings.Repeat("## 党\n", 2_000_000)) }, large, nil},
		{"md of unclosed front matter", "fm.md", func() []byte { return []byte("---\n" + strings.Repeat("党费\n", 1_000_000)) }, small, nil},
		{"md of deep lists", "list.md", func() []byte { return []byte(strings.Repeat("- ", 1_000_000) + "党\n") }, small, nil},
		{"md of a 10 MB line", "line.md", func() []byte { return []byte("# 通知\n" + strings.Repeat("党", 10<<20/3) + "\n") }, large, nil},
		{"GBK txt", "gbk.txt", func() []byte {
			return []byte{0xb5, 0xb3, 0xb7, 0xd1, 0xca, 0xd5, 0xbd, 0xc9, '\n', 0xb5, 0xb3, 0xb7, 0xd1}
		}, small, nil},
		{"UTF-16 txt of 5 MB", "u16.txt", func() []byte { return utf16BOM(prose13(5 << 20 / 2)) }, small, nil},
		{"binary txt", "bin.txt", func() []byte { return bytes.Repeat([]byte{0, 1, 2, 0xff, 0xfe, 0x80}, 1<<20) }, small, textenc.ErrUnknownEncoding},
		{"docx of 78 MB of XML", "paras.docx", func() []byte {
			return docxBody13(t, strings.Repeat("<w:p><w:r><w:t>党费</w:t></w:r></w:p>", 2_000_000))
		}, small, knowledge.ErrContentTooLarge},
		{"docx of 500,000 headings", "heads.docx", func() []byte {
			return docxBody13(t, strings.Repeat(`<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>党</w:t></w:r></w:p>`, 500_000))
		}, small, nil},
		{"docx of 100,000 headings with text", "heads2.docx", func() []byte {
			return docxBody13(t, strings.Repeat(`<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>党</w:t></w:r></w:p><w:p><w:r><w:t>正文</w:t></w:r></w:p>`, 100_000))
		}, small, knowledge.ErrContentTooLarge},
		{"docx row of 1 million cells", "cells.docx", func() []byte {
			return docxBody13(t, "<w:tbl><w:tr>"+strings.Repeat("<w:tc><w:p><w:r><w:t>党</w:t></w:r></w:p></w:tc>", 1_000_000)+"</w:tr></w:tbl>")
		}, small, knowledge.ErrContentTooLarge},
		{"docx text of 60 MB of spaces", "spaces.docx", func() []byte { return docxBody13(t, strings.Repeat(" ", 60<<20)) }, small, knowledge.ErrContentTooLarge},
		{"docx nested 900 deep", "deep.docx", func() []byte {
			return docxBody13(t, strings.Repeat("<w:x>", 900)+"<w:p><w:r><w:t>党</w:t></w:r></w:p>"+strings.Repeat("</w:x>", 900))
		}, small, nil},
		{"docx of 5 million empty paragraphs", "empty.docx", func() []byte { return docxBody13(t, strings.Repeat("<w:p/>", 5_000_000)) }, small, nil},
		{"docx of a 900 KB cell nested 990 deep", "nested.docx", func() []byte {
			return docxBody13(t, "<w:tbl><w:tr>"+strings.Repeat("<w:tc>", 990)+"<w:p><w:r><w:t>"+strings.Repeat("党", 300_000)+"</w:t></w:r></w:p>"+strings.Repeat("</w:tc>", 990)+"</w:tr></w:tbl>")
		}, small, nil},
		{"docx of 1 million breaks", "br.docx", func() []byte {
			return docxBody13(t, "<w:p><w:r><w:t>党</w:t>"+strings.Repeat("<w:br/>", 1_000_000)+"</w:r></w:p>")
		}, small, nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data()
			var (
				doc  knowledge.Document
				err  error
				peak uint64
			)
			n := memtest.Allocated(t, func() {
				peak = memtest.PeakHeap(func() { doc, err = knowledge.ParseFile(context.Background(), tt.file, data) })
			})
			t.Logf("%d KB file: %d MB allocated, peak heap %d MB, %d passages, err %v", len(data)>>10, n>>20, peak>>20, len(doc.Passages), err)
			switch {
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("err = %v, want %v", err, tt.want)
			case tt.want == nil && err != nil && !errors.Is(err, knowledge.ErrEmptyDocument):
				t.Errorf("err = %v", err)
			}
			if peak > tt.peak {
				t.Errorf("a %d KB file held %d MB, want under %d MB", len(data)>>10, peak>>20, tt.peak>>20)
			}
			if len(doc.Passages) > 1<<15 {
				t.Errorf("%d passages", len(doc.Passages))
			}
		})
	}
}

// TestHostile13ContentTooLargeIsTooLarge: callers that know only
// ErrFileTooLarge still refuse a file of too much content.
func TestHostile13ContentTooLargeIsTooLarge(t *testing.T) {
	_, err := knowledge.ParseFile(context.Background(), "cells.docx",
		docxBody13(t, "<w:tbl><w:tr>"+strings.Repeat("<w:tc><w:p><w:r><w:t>党</w:t></w:r></w:p></w:tc>", 300_000)+"</w:tr></w:tbl>"))
	if !errors.Is(err, knowledge.ErrContentTooLarge) || !errors.Is(err, knowledge.ErrFileTooLarge) || !strings.HasPrefix(err.Error(), "cells.docx: ") {
		t.Errorf("err = %v", err)
	}
	// ParseMarkdown, which checks the content folder, reports it as a problem.
	doc, problems := knowledge.ParseMarkdown("many.md", "many", []byte(strings.Repeat("## 党费\n正文。\n", 40_000)))
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "sections") || len(doc.Passages) != 0 {
		t.Errorf("problems = %v, %d passages", problems, len(doc.Passages))
	}
}

// TestHostile13RefusedImportStoresNothing: a file of too many sections is
// refused before anything is stored.
func TestHostile13RefusedImportStoresNothing(t *testing.T) {
	db, st := mustStore(t)
	b := mustBase(t, st, "")
	data := []byte(strings.Repeat("## 党费\n党员按月交纳党费。\n", 40_000))
	if _, err := b.Import(context.Background(), "many.md", data, knowledge.Operator); !errors.Is(err, knowledge.ErrContentTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if n := count(t, db, "kb_documents"); n != 0 {
		t.Errorf("%d documents stored", n)
	}
	if n := count(t, db, "kb_passages"); n != 0 {
		t.Errorf("%d passages stored", n)
	}
}
