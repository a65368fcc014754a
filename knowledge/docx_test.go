package knowledge_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strings"
	"testing"
)

func zipOf(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// para is a paragraph of a test .docx: a style id and its text.
type para struct{ style, text string }

// docx builds a minimal .docx. Style "1" is named "heading 1", as Word
// names it in a Chinese installation; "Title" is the title style.
func docx(tb testing.TB, paras []para) []byte {
	tb.Helper()
	var body strings.Builder
	for _, p := range paras {
		body.WriteString("<w:p>")
		if p.style != "" {
			fmt.Fprintf(&body, `<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, p.style)
		}
		// split the text into two runs, as Word does
		rs := []rune(p.text)
		half := len(rs) / 2
		fmt.Fprintf(&body, `<w:r><w:t>%s</w:t></w:r><w:r><w:t xml:space="preserve">%s</w:t></w:r>`,
			html.EscapeString(string(rs[:half])), html.EscapeString(string(rs[half:])))
		body.WriteString("</w:p>")
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() +
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>档次</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>比例</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
		`</w:body></w:document>`
	if paras == nil {
		doc = `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p/></w:body></w:document>`
	}
	styles := `<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
</w:styles>`
	return zipOf(tb, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   doc,
		"word/styles.xml":     styles,
	})
}
