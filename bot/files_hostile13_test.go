package bot_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
)

// docx13 is a .docx whose body is body.
func docx13(tb testing.TB, body string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`)); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// A small file whose content is over the limits is refused for its
// content, not said to be over 20 MB.
func TestHostile13DocumentOfTooMuchContent(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"表格.docx", docx13(t, "<w:p><w:r><w:t>通知</w:t></w:r></w:p><w:tbl><w:tr>"+strings.Repeat("<w:tc><w:p><w:r><w:t>党</w:t></w:r></w:p></w:tc>", 300_000)+"</w:tr></w:tbl>")},
		{"章节.md", []byte("# 通知\n" + strings.Repeat("## 党费\n按月交纳。\n", knowledge.MaxSections+1))},
	} {
		got := h.sendFile(admin, tc.name, tc.data)
		if want := bot.T("doc.too_much", tc.name, knowledge.MaxSections); got != want {
			t.Errorf("%s (%d KB): reply %q, want %q", tc.name, len(tc.data)>>10, got, want)
		}
	}
}

// A document whose title is as long as its front matter allows is
// imported with a reply Telegram accepts.
func TestHostile13DocumentOfALongTitle(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	data := []byte("---\ntitle: " + strings.Repeat("<党>", 5000) + "\n---\n## 党费\n按月交纳。\n")
	got := h.sendFile(admin, "长标题.md", data)
	if !strings.Contains(got, "已导入") {
		t.Errorf("reply %q", got)
	}
}
