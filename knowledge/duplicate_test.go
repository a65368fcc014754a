package knowledge_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/knowledge"
)

const article = "两新组织党建工作推进会召开\n会议指出，要扩大党的组织覆盖和工作覆盖。\n\n会议要求，各区县配齐配强专职党务工作者。\n"

func simpleDocx(title string, paras ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	x := `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>` + title + `</w:t></w:r></w:p>`
	for _, p := range paras {
		x += `<w:p><w:r><w:t>` + p + `</w:t></w:r></w:p>`
	}
	w.Write([]byte(x + `</w:body></w:document>`))
	zw.Close()
	return buf.Bytes()
}

func TestFingerprintSurvivesTrivialDifferences(t *testing.T) {
	ctx := context.Background()
	fp := func(name string, data []byte) string {
		t.Helper()
		d, err := knowledge.ParseFile(ctx, name, data)
		if err != nil {
			t.Fatal(err)
		}
		return knowledge.Fingerprint(d)
	}
	want := fp("a.txt", []byte(article))
	for name, data := range map[string][]byte{
		"crlf.txt":  []byte(strings.ReplaceAll(article, "\n", "\r\n")),
		"bom.txt":   []byte("\ufeff" + article),
		"space.txt": []byte(strings.ReplaceAll(article, "\n", "\n　 ")),
		"wide.txt":  []byte(strings.ReplaceAll(article, "，", ",")), // full-width comma folded
		"doc.docx":  simpleDocx("两新组织党建工作推进会召开", "会议指出，要扩大党的组织覆盖和工作覆盖。", "会议要求，各区县配齐配强专职党务工作者。"),
		"doc.md":    []byte("---\ntitle: 两新组织党建工作推进会召开\n---\n会议指出，要扩大党的组织覆盖和工作覆盖。\n\n会议要求，各区县配齐配强专职党务工作者。\n"),
	} {
		if got := fp(name, data); got != want {
			t.Errorf("%s: fingerprint differs from the .txt's", name)
		}
	}
	if fp("b.txt", []byte(article+"会议还部署了下半年工作。\n")) == want {
		t.Error("a changed text has the same fingerprint")
	}
}

func TestImportRefusesDuplicatesAndKeepsScope(t *testing.T) {
	ctx := context.Background()
	db, st := mustStore(t)
	b := mustBase(t, st, "")
	if _, err := b.LoadContent(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	contentDocs := count(t, db, "kb_documents")
	now := time.Now()
	if _, err := knowledge.ImportFile(ctx, st, "a.txt", []byte(article), knowledge.Operator, now); err != nil {
		t.Fatal(err)
	}
	// CheckImport and ImportFile both name the document holding the text.
	var dup *knowledge.DuplicateError
	if _, err := knowledge.CheckImport(ctx, st, "b.docx", simpleDocx("两新组织党建工作推进会召开", "会议指出，要扩大党的组织覆盖和工作覆盖。", "会议要求，各区县配齐配强专职党务工作者。"), knowledge.ImportMeta{}, knowledge.Operator); !errors.As(err, &dup) || dup.DocID != "a" {
		t.Errorf("check of a duplicate: %v", err)
	}
	gulou := knowledge.Actor{UserID: 7, District: "鼓楼区"}
	if _, err := knowledge.ImportFile(ctx, st, "c.txt", []byte(article), gulou, now); !errors.Is(err, knowledge.ErrDuplicate) {
		t.Errorf("a district's copy of the city's text: %v, want ErrDuplicate", err)
	}
	// A copy of a built-in document is a duplicate too.
	branch, err := st.Document(ctx, "branch")
	if err != nil {
		t.Fatal(err)
	}
	var md strings.Builder
	md.WriteString("# " + branch.Title + "\n")
	for _, p := range branch.Passages {
		md.WriteString("\n## " + p.Section + "\n" + p.Text + "\n")
	}
	if _, err := knowledge.ImportFile(ctx, st, "copy.md", []byte(md.String()), knowledge.Operator, now); !errors.As(err, &dup) || dup.DocID != "branch" {
		t.Errorf("a copy of the content's branch: %v", err)
	}
	if n := count(t, db, "kb_documents"); n != contentDocs+1 {
		t.Errorf("%d documents, want %d: a duplicate was stored", n, contentDocs+1)
	}

	// The same name with another text replaces; the same name with the
	// same text too (nothing to refuse).
	for _, text := range []string{article, article + "补充一段。\n"} {
		res, err := knowledge.ImportFile(ctx, st, "a.txt", []byte(text), knowledge.Operator, now)
		if err != nil || !res.Replaced {
			t.Errorf("re-import of a.txt: %+v, %v", res, err)
		}
	}

	// Meta: the source and district of a .txt; a district coordinator may
	// name only their own district.
	other := "鼓楼区通知\n每月第一周开展主题党日。\n"
	if _, err := knowledge.ImportFileWith(ctx, st, "n.txt", []byte(other), knowledge.ImportMeta{District: "云龙区"}, gulou, now); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("鼓楼 imports into 云龙区: %v", err)
	}
	if _, err := knowledge.ImportFileWith(ctx, st, "n.txt", []byte(other), knowledge.ImportMeta{Source: strings.Repeat("长", knowledge.MaxSourceRunes+1)}, gulou, now); !errors.Is(err, knowledge.ErrSourceTooLong) {
		t.Errorf("long source: %v", err)
	}
	res, err := knowledge.ImportFileWith(ctx, st, "n.txt", []byte(other), knowledge.ImportMeta{Source: " 鼓楼区委组织部 ", District: "鼓楼区"}, gulou, now)
	if err != nil || res.District != "鼓楼区" || res.Source != "鼓楼区委组织部" {
		t.Errorf("鼓楼's import with meta: %+v, %v", res, err)
	}
	// Front matter wins over meta.
	fm := "---\nsource: 市委组织部\n---\n# 前言文件\n\n## 一\n正文。\n"
	res, err = knowledge.ImportFileWith(ctx, st, "fm.md", []byte(fm), knowledge.ImportMeta{Source: "别的来源"}, knowledge.Operator, now)
	if err != nil || res.Source != "市委组织部" {
		t.Errorf("front matter and meta: %+v, %v", res, err)
	}
}

func TestFingerprintsOfOlderDocumentsAreFilledIn(t *testing.T) {
	ctx := context.Background()
	db, st := mustStore(t)
	now := time.Now()
	if _, err := knowledge.ImportFile(ctx, st, "a.txt", []byte(article), knowledge.Operator, now); err != nil {
		t.Fatal(err)
	}
	// As if stored before migration 0006.
	if _, err := db.SQL().ExecContext(ctx, `UPDATE kb_documents SET fingerprint = ''`); err != nil {
		t.Fatal(err)
	}
	if _, err := knowledge.ImportFile(ctx, st, "b.txt", []byte(article), knowledge.Operator, now); !errors.Is(err, knowledge.ErrDuplicate) {
		t.Errorf("copy of a document without a stored fingerprint: %v, want ErrDuplicate", err)
	}
	var empty int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_documents WHERE fingerprint = ''`).Scan(&empty); err != nil || empty != 0 {
		t.Errorf("%d documents without a fingerprint (%v)", empty, err)
	}
}
