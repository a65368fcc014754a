package knowledge_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/knowledge"
)

// docID is the shape of a document or FAQ id (safe for callback data).
var docID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,47}$`)

// maxPassageRunes is the length past which a section is cut.
const maxPassageRunes = 600

// allocated is the bytes f allocates, garbage included, without the
// collection memtest.Allocated starts with (it would slow the fuzzer).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// controlFree reports text without control characters but tab and newline
// (the snippet markers are control characters).
func controlFree(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == '\ufeff'
	})
}

// checkDocument checks a document ParseFile or ParseMarkdown made: a safe
// id, a title and sections on one line each, passages in order, none blank
// or longer than a passage may be, all valid UTF-8 without control
// characters.
func checkDocument(t *testing.T, what string, d knowledge.Document) {
	t.Helper()
	switch {
	case !docID.MatchString(d.ID):
		t.Fatalf("%s: id %q", what, d.ID)
	case d.Title == "" || strings.ContainsAny(d.Title, "\n\t") || !utf8.ValidString(d.Title) || !controlFree(d.Title):
		t.Fatalf("%s: title %q", what, d.Title)
	case !utf8.ValidString(d.Source) || strings.Contains(d.Source, "\n") || !controlFree(d.Source):
		t.Fatalf("%s: source %q", what, d.Source)
	case len(d.Passages) == 0 || d.Hash == "":
		t.Fatalf("%s: %d passages, hash %q", what, len(d.Passages), d.Hash)
	}
	for i, p := range d.Passages {
		switch {
		case p.Seq != i:
			t.Fatalf("%s: passage %d has seq %d", what, i, p.Seq)
		case p.Section == "" || strings.ContainsAny(p.Section, "\n\t") || !utf8.ValidString(p.Section) || !controlFree(p.Section):
			t.Fatalf("%s: passage %d section %q", what, i, p.Section)
		case strings.TrimSpace(p.Text) == "" || !utf8.ValidString(p.Text) || !controlFree(p.Text):
			t.Fatalf("%s: passage %d text %q", what, i, p.Text)
		case utf8.RuneCountInString(p.Text) > maxPassageRunes:
			t.Fatalf("%s: passage %d of %d characters, over %d", what, i, utf8.RuneCountInString(p.Text), maxPassageRunes)
		case !strings.ContainsFunc(p.Text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }):
			t.Fatalf("%s: passage %d holds no word: %q", what, i, p.Text)
		}
	}
}

// parseFile parses a file, checking what it allocates (linear in the file
// and in what a .docx inflates to) and that a second parse gives the same.
func parseFile(t *testing.T, name string, data []byte) (knowledge.Document, error) {
	t.Helper()
	var (
		d   knowledge.Document
		err error
	)
	alloc := allocated(func() { d, err = knowledge.ParseFile(context.Background(), name, data) })
	if n := inflated(data); alloc > 256*n+(8<<20) {
		t.Fatalf("ParseFile(%s) of %d bytes (%d uncompressed) allocated %d MB", name, len(data), n, alloc>>20)
	}
	if err != nil {
		if !errors.Is(err, knowledge.ErrEmptyDocument) && !errors.Is(err, knowledge.ErrFileTooLarge) &&
			!errors.Is(err, knowledge.ErrNotDocx) && !errors.Is(err, knowledge.ErrUnsupportedFormat) && !strings.Contains(err.Error(), "textenc") {
			t.Fatalf("ParseFile(%s, %q): unexpected error %v", name, data, err)
		}
		return d, err
	}
	checkDocument(t, fmt.Sprintf("ParseFile(%s, %q)", name, data), d)
	if d.FileName != path.Base(strings.ReplaceAll(name, `\`, "/")) || d.Encoding == "" && !strings.HasSuffix(name, ".docx") {
		t.Fatalf("ParseFile(%s): file %q, encoding %q", name, d.FileName, d.Encoding)
	}
	again, err := knowledge.ParseFile(context.Background(), name, data)
	if err != nil || !reflect.DeepEqual(d, again) {
		t.Fatalf("ParseFile(%s, %q) twice: %+v, then %+v (%v)", name, data, d, again, err)
	}
	return d, nil
}

// inflated is what a zip's entries hold uncompressed (their declared
// sizes, each at most the .docx limit of 64 MB), plus the file itself.
func inflated(data []byte) uint64 {
	n := uint64(len(data))
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		for _, f := range zr.File {
			n += min(f.UncompressedSize64, 64<<20)
		}
	}
	return n
}

// contentFiles are some files of the embedded content, as seeds.
func contentFiles(tb testing.TB, dir string, n int) [][]byte {
	tb.Helper()
	entries, err := fs.ReadDir(content.Embedded(), dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, e := range entries[:min(n, len(entries))] {
		data, err := fs.ReadFile(content.Embedded(), dir+"/"+e.Name())
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// textSeeds are texts as coordinators send them.
var textSeeds = []string{
	"---\ntitle: 党费收缴通知\nsource: 市委组织部\ntags: [党费, 收缴]\ndistrict: 鼓楼区\n---\n\n# 党费收缴通知\n\n## 一、交纳标准\n\n按月交纳。\n",
	"---\nid: Bad ID\n---\n正文\n",
	"---\ntitle: [unclosed\n---\n",
	"---\na: &a [*a]\n---\n# t\n\nx\n",
	"---\ntitle: 没有结束\n",
	"党费收缴通知\n\n一、交纳标准\n党员按月交纳党费。\n（一）在职党员\n第一条 按工资交纳。\n",
	"广纳人才 充实队伍\n近年来，我市坚持把党务工作者队伍建设作为基层党建的重要内容，面向社会公开选聘。\n",
	"```\n## 不是标题\n```\n~~~\n",
	"# \n## #\n### ##\n#### 四级\n正文。",
	"\x02\x03\x7f\ufeff党\x00费\r\n\r交纳",
	strings.Repeat("很长的一句话没有句号", 100) + "\n",
	strings.Repeat("句。", 400),
	"> 引用\n---\n***\n[链接](http://x) **粗** `代码`\n",
}

// FuzzParseMarkdown checks a knowledge Markdown file of any text: either
// it has problems, each on a line of the file, or it is a usable document.
func FuzzParseMarkdown(f *testing.F) {
	for _, s := range textSeeds {
		f.Add([]byte(s))
	}
	for _, d := range contentFiles(f, "knowledge", 3) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, problems := knowledge.ParseMarkdown("knowledge/x.md", "x", data)
		lines := yamlLines(data)
		for _, p := range problems {
			if p.File != "knowledge/x.md" || p.Line < 1 || p.Line > lines || p.Message == "" {
				t.Fatalf("ParseMarkdown(%q): problem %+v outside the file's %d lines", data, p, lines)
			}
		}
		if len(problems) > 0 || !utf8.Valid(data) {
			return
		}
		if !docID.MatchString(d.ID) {
			t.Fatalf("ParseMarkdown(%q): id %q with no problem", data, d.ID)
		}
		if d.Title == "" {
			t.Fatalf("ParseMarkdown(%q): no title and no problem", data)
		}
		checkDocument(t, fmt.Sprintf("ParseMarkdown(%q)", data), d)
	})
}

// FuzzFrontMatter checks that the fields of a front matter written by a
// YAML library read back as written (on one line, spaces collapsed).
func FuzzFrontMatter(f *testing.F) {
	f.Add("党费收缴通知", "市委组织部", "2024-01-01", "党费,收缴", "鼓楼区", "dues-2024")
	f.Add(": x", "- y", "'", "a, b，c、d", "#", "")
	f.Add("多\n行", "  空格  ", "null", "[1, 2]", "~", "0x10")
	f.Fuzz(func(t *testing.T, title, source, date, tags, district, id string) {
		fm := map[string]any{"title": title, "source": source, "date": date, "tags": tags, "district": district}
		if id != "" {
			fm["id"] = id
		}
		y, err := yaml.Marshal(fm)
		if err != nil {
			return
		}
		data := []byte("---\n" + string(y) + "---\n\n## 正文\n\n党员按月交纳党费。\n")
		d, problems := knowledge.ParseMarkdown("knowledge/x.md", "x", data)
		// Each on its own: invalid pieces can make a valid whole.
		for _, s := range []string{title, source, date, tags, district, id} {
			if !utf8.ValidString(s) {
				return
			}
		}
		if len(problems) > 0 {
			if len(problems) == 1 && strings.TrimSpace(id) != "" && !docID.MatchString(strings.TrimSpace(id)) && strings.HasPrefix(problems[0].Message, "id ") {
				return
			}
			if len(problems) == 1 && strings.TrimSpace(clean(title)) == "" && strings.HasPrefix(problems[0].Message, "no title") {
				return
			}
			t.Fatalf("front matter %q: problems %v", y, problems)
		}
		want := knowledge.Document{Title: clean(title), Source: clean(source), Date: strings.TrimSpace(date), District: strings.TrimSpace(district)}
		if d.Title != want.Title || d.Source != want.Source || d.Date != want.Date || d.District != want.District {
			t.Fatalf("front matter %q read as title %q source %q date %q district %q, want %+v", y, d.Title, d.Source, d.Date, d.District, want)
		}
		var wantTags []string
		for _, tag := range strings.FieldsFunc(tags, func(r rune) bool { return strings.ContainsRune(",，、;；", r) }) {
			if tag = strings.TrimSpace(tag); tag != "" {
				wantTags = append(wantTags, tag)
			}
		}
		if strings.Join(d.Tags, "\x00") != strings.Join(wantTags, "\x00") {
			t.Fatalf("front matter %q: tags %q, want %q", y, d.Tags, wantTags)
		}
		if strings.TrimSpace(id) != "" && d.ID != strings.TrimSpace(id) {
			t.Fatalf("front matter %q: id %q", y, d.ID)
		}
	})
}

// clean is a front-matter text on one line: control characters dropped,
// spaces trimmed and collapsed.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == '\ufeff':
		case unicode.IsSpace(r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestFrontMatterHostileYAML: front matter that repeats one key 13,000
// times (64 KB) made yaml.v3 record an error for each of 80 million pairs
// of equal keys, and took the process down; one of 10,000 distinct keys
// cost a quadratic comparison and a problem each. Both are one problem now.
func TestFrontMatterHostileYAML(t *testing.T) {
	var distinct strings.Builder
	for i := 0; distinct.Len() < 60<<10; i++ {
		fmt.Fprintf(&distinct, "k%d: 1\n", i)
	}
	for _, tt := range []struct{ name, yaml string }{
		{"one key 13,000 times", "{" + strings.Repeat("a: 1, ", 10_000) + "b: 1}\n"},
		{"10,000 distinct keys", distinct.String()},
		{"a key twice", "title: a\ntitle: b\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte("---\n" + tt.yaml + "---\n# 通知\n\n正文。\n")
			var problems []knowledge.Problem
			alloc := memtest.Allocated(t, func() { _, problems = knowledge.ParseMarkdown("x.md", "x", data) })
			if len(problems) != 1 || problems[0].Line < 2 {
				t.Errorf("problems %v, want one", problems)
			}
			if alloc > 32<<20 {
				t.Errorf("%d KB of front matter allocated %d MB", len(data)>>10, alloc>>20)
			}
		})
	}
}

// FuzzParseText checks a .txt or .md file of any bytes, in any encoding:
// a document that satisfies checkDocument, or a known refusal.
func FuzzParseText(f *testing.F) {
	for _, s := range textSeeds {
		f.Add([]byte(s), false, "通知")
		f.Add([]byte(s), true, "通知")
	}
	f.Add([]byte("\xff\xfe\x5a\x51\x39\x8d\n\x00"), false, "utf16")                                   // UTF-16LE
	f.Add([]byte("\xb5\xb3\xb7\xd1\xca\xd5\xbd\xc9\xcd\xa8\xd6\xaa\n\xd5\xfd\xce\xc4"), false, "gbk") // GBK
	f.Add([]byte("各党支部：请\xe6按月收缴党费。\n"), false, "")
	f.Add([]byte("正文。\n"), true, "a/b\\\n\x02 c")
	f.Fuzz(func(t *testing.T, data []byte, md bool, stem string) {
		name := stem + ".txt"
		if md {
			name = stem + ".md"
		}
		parseFile(t, name, data)
	})
}

// docxOf is a .docx of the body of word/document.xml and, when not empty,
// the styles of word/styles.xml.
func docxOf(tb testing.TB, body, styles string) []byte {
	tb.Helper()
	files := map[string]string{
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`,
	}
	if styles != "" {
		files["word/styles.xml"] = `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` + styles + `</w:styles>`
	}
	return zipOf(tb, files)
}

// docxSeeds are document bodies and styles, plain and hostile.
var docxSeeds = []struct{ body, styles string }{
	{`<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>党费收缴通知</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="2"/></w:pPr><w:r><w:t>一、标准</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">按月 </w:t><w:tab/><w:t>交纳。</w:t></w:r></w:p>`,
		`<w:style w:styleId="2"><w:name w:val="heading 2"/></w:style>`},
	{`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>姓名</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>党费</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>大纲</w:t></w:r></w:p><w:p><w:r><w:t>正文内容</w:t></w:r></w:p>`, ""},
	{`<w:p><w:r><w:t>第一条 党员必须按月交纳党费。</w:t></w:r></w:p><w:p><w:r><w:br/><w:cr/></w:r></w:p><w:p><w:pPr><w:outlineLvl w:val="x"/></w:pPr></w:p>`, `<w:style w:styleId="a"><w:name/></w:style>`},
	{`<w:p><w:r><w:t>未闭合</w:t></w:r>`, ""},
	{`<w:tr><w:tc></w:tr></w:tr><w:p></w:p></w:tc>`, ""},
	{`<w:p ` + strings.Repeat(`x="" `, 300) + `/>`, ""},
	{strings.Repeat(`<w:p>`, 1200), ""},
}

// FuzzParseDocx checks a .docx whose document and styles are any XML: a
// document that satisfies checkDocument, in memory bounded by its size, or
// a known refusal.
func FuzzParseDocx(f *testing.F) {
	for _, s := range docxSeeds {
		f.Add(s.body, s.styles)
	}
	f.Fuzz(func(t *testing.T, body, styles string) {
		parseFile(t, "通知.docx", docxOf(t, body, styles))
	})
}

// FuzzParseDocxBytes checks a .docx of any bytes, the zip itself damaged
// or hostile. The seeds include a zip bomb (document.xml declaring 8 GB), a
// tag of a million attributes and a million nested elements: each refused
// as too large.
func FuzzParseDocxBytes(f *testing.F) {
	for _, d := range docxBytesSeeds(f) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parseFile(t, "通知.docx", data)
	})
}

func docxBytesSeeds(tb testing.TB) [][]byte {
	plain := docxOf(tb, docxSeeds[0].body, docxSeeds[0].styles)
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 8 << 30})
	if err != nil {
		tb.Fatal(err)
	}
	w.Write([]byte{0x03, 0x00})
	zw.Close()
	return [][]byte{
		plain,
		bomb.Bytes(),
		docxOf(tb, `<w:p `+strings.Repeat(`x="" `, 1_000_000)+`/>`, ""),
		docxOf(tb, strings.Repeat(`<w:p>`, 1_000_000), ""),
		docxOf(tb, `<w:p><w:r><w:t>`+strings.Repeat("党", 1<<20)+`</w:t></w:r></w:p>`, ""),
		docxOf(tb, docxSeeds[0].body, `<w:style `+strings.Repeat(`x="" `, 1_000_000)+`/>`),
		plain[:len(plain)/2],
		[]byte("PK\x05\x06" + strings.Repeat("\x00", 18)),
	}
}

// TestParseDocxHostileXML: a .docx whose XML holds one huge token — a tag
// of a million attributes (21 KB zipped: it allocated 787 MB, 389 MB at
// once), a million nested elements (8 KB: 549 MB, 310 MB at once, the
// stack encoding/xml keeps) — is refused as too large at little cost.
func TestParseDocxHostileXML(t *testing.T) {
	seeds := docxBytesSeeds(t)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"a tag of a million attributes", seeds[2]},
		{"a million nested elements", seeds[3]},
		{"a style of a million attributes", seeds[5]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := memtest.Allocated(t, func() { _, err = knowledge.ParseFile(context.Background(), "通知.docx", tt.data) })
			if !errors.Is(err, knowledge.ErrFileTooLarge) {
				t.Errorf("err = %v, want ErrFileTooLarge", err)
			}
			if alloc > 80<<20 {
				t.Errorf("a %d KB .docx allocated %d MB", len(tt.data)>>10, alloc>>20)
			}
		})
	}
}

// FuzzParseFAQ checks an FAQ file of any text: its problems on lines of the
// file, its entries with a safe id, a question on one line and an answer.
func FuzzParseFAQ(f *testing.F) {
	for _, d := range contentFiles(f, "faq", 2) {
		f.Add(d)
	}
	for _, s := range []string{
		"- id: dues-when\n  question: 党费什么时候交\n  alternatives: [几号交党费, 党费按月交吗]\n  answer: 按月交纳。\n  source: 规定\n  doc: dues\n  section: 交纳时间\n",
		"- id: Bad\n  question: x\n  answer: y\n",
		"- id: a\n  question: \"\\x02\"\n  answer: \"\\x03\"\n  alternatives: \"甲，乙、丙\"\n",
		"- id: a\n  unknown: 1\n",
		"id: a\n",
		"- [1, 2]\n- x\n",
		"- id: a\n  question: q\n  answer: a\n  alternatives: {x: 1}\n",
		"a: &a [*a, *a, *a]\nb: &b [*a, *a, *a]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		faqs, problems := knowledge.ParseFAQ("faq/x.yaml", data)
		lines := yamlLines(data)
		for _, p := range problems {
			if p.File != "faq/x.yaml" || p.Line < 0 || p.Line > lines || p.Message == "" {
				t.Fatalf("ParseFAQ(%q): problem %+v outside the file's %d lines", data, p, lines)
			}
		}
		for _, q := range faqs {
			switch {
			case !docID.MatchString(q.ID) || q.Hash == "" || q.Origin != knowledge.OriginContent || q.Line < 1 || q.Line > lines:
				t.Fatalf("ParseFAQ(%q): entry %+v", data, q)
			case q.Question == "" || strings.ContainsAny(q.Question, "\n\t") || !controlFree(q.Question):
				t.Fatalf("ParseFAQ(%q): question %q", data, q.Question)
			case strings.TrimSpace(q.Answer) == "" || !controlFree(q.Answer):
				t.Fatalf("ParseFAQ(%q): answer %q", data, q.Answer)
			}
			for _, a := range q.Alternatives {
				if a == "" || strings.ContainsAny(a, "\n\t") || !controlFree(a) {
					t.Fatalf("ParseFAQ(%q): alternative %q", data, a)
				}
			}
		}
	})
}

// FuzzParseSynonyms checks that every synonym group of any file holds two
// or more distinct terms, each normalized and not empty.
func FuzzParseSynonyms(f *testing.F) {
	f.Add([]byte("# 注释\n党费,党员会费，会费\n预备党员、预备期\n单独\n"))
	f.Add([]byte("\ufeffＡ,a\r\nB,b,B\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		syn, problems := knowledge.ParseSynonyms("synonyms.txt", data)
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range problems {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("ParseSynonyms(%q): problem on line %d of %d", data, p.Line, lines)
			}
		}
		for _, g := range syn.Groups {
			seen := map[string]bool{}
			for _, term := range g {
				if term == "" || knowledge.Normalize(term) != term || seen[term] {
					t.Fatalf("ParseSynonyms(%q): group %q", data, g)
				}
				seen[term] = true
			}
			if len(g) < 2 {
				t.Fatalf("ParseSynonyms(%q): group %q of one term", data, g)
			}
		}
	})
}

// yamlLines is the lines YAML sees in data, and one more: it breaks lines
// at \n, \r, \r\n, NEL, LS and PS.
func yamlLines(data []byte) int {
	s := string(data)
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029") + 2
}
