package knowledge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

func TestImportDocx(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ctx := context.Background()
	data := docx(t, []para{
		{"Title", "非公企业党建工作手册"},
		{"", "本手册供党务工作者参考。"},
		{"1", "组织设置"},
		{"", "职工中有正式党员3人以上的非公企业，应当单独建立党组织。"},
		{"2", "党建指导员"},
		{"", "对暂不具备建立党组织条件的企业，可以选派党建指导员。"},
		{"", "二、经费保障"},
		{"", "企业党组织工作经费可以按规定列入企业管理费用。"},
	})
	res, err := b.Import(ctx, "手册.docx", data, knowledge.Actor{UserID: 42, CityWide: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Title != "非公企业党建工作手册" || res.Sections != 4 || res.Replaced {
		t.Errorf("result = %+v", res)
	}
	d, err := b.Document(ctx, res.DocID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"非公企业党建工作手册", "组织设置", "党建指导员", "二、经费保障"}
	if got := sections(d); len(got) != len(want) || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("sections = %v, want %v", got, want)
	}
	if d.Origin != knowledge.OriginImport || d.ImportedBy != 42 || d.FileName != "手册.docx" {
		t.Errorf("document = %+v", d)
	}
	if last := d.Passages[3].Text; last != "企业党组织工作经费可以按规定列入企业管理费用。\n档次 | 比例" {
		t.Errorf("last passage (with the table row) = %q", last)
	}
	// searchable at once
	ans, err := b.Search(ctx, "党建指导员", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].DocID != res.DocID || ans.Results[0].Section != "党建指导员" {
		t.Errorf("search after import: %+v", ans.Results)
	}
	// the same file again replaces it
	res2, err := b.Import(ctx, "手册.docx", data, knowledge.Actor{UserID: 42, CityWide: true})
	if err != nil || !res2.Replaced || res2.DocID != res.DocID {
		t.Errorf("second import = %+v, %v", res2, err)
	}
}

func TestImportRejectsBadFiles(t *testing.T) {
	b, db := mustFixtureBase(t)
	ctx := context.Background()
	docs, passages := count(t, db, "kb_documents"), count(t, db, "kb_passages")
	for _, tc := range []struct {
		name string
		file string
		data []byte
		want error
	}{
		{"docx not a zip", "a.docx", []byte("PK? no"), knowledge.ErrNotDocx},
		{"docx without document.xml", "a.docx", zipOf(t, map[string]string{"word/other.xml": "<x/>"}), knowledge.ErrNotDocx},
		{"empty", "a.txt", nil, knowledge.ErrEmptyDocument},
		{"whitespace", "a.md", []byte("\n \n"), knowledge.ErrEmptyDocument},
		{"21 MB", "big.txt", make([]byte, 21<<20), knowledge.ErrFileTooLarge},
		{"unsupported", "a.xlsx", []byte("x"), knowledge.ErrUnsupportedFormat},
		{"content id", "dues.md", []byte("---\nid: dues\ntitle: 冒名\n---\n正文\n"), knowledge.ErrContentDocument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Import(ctx, tc.file, tc.data, knowledge.Operator)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if n := count(t, db, "kb_documents"); n != docs {
				t.Errorf("%d documents after a failed import, want %d", n, docs)
			}
			if n := count(t, db, "kb_passages"); n != passages {
				t.Errorf("%d passages after a failed import, want %d", n, passages)
			}
		})
	}
}

func TestImportTextAndRemove(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ctx := context.Background()
	res, err := b.Import(ctx, "Heart Talk.txt", []byte("谈心谈话提示\n一、谈话频次\n党员之间每年谈心谈话一般不少于1次。\n"), knowledge.Actor{UserID: 7, CityWide: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.DocID != "heart-talk" || res.Sections != 1 {
		t.Errorf("result = %+v", res)
	}
	ans, err := b.Search(ctx, "谈心谈话几次", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].DocID != "heart-talk" {
		t.Fatalf("imported text not found: %+v", ans.Results)
	}
	removedPassage := ans.Results[0].PassageID
	docs, err := b.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 4 || docs[0].ID != "heart-talk" || docs[0].Origin != knowledge.OriginImport || docs[0].Sections != 1 {
		t.Errorf("documents = %+v", docs)
	}
	if err := b.Remove(ctx, "heart-talk", knowledge.Operator); err != nil {
		t.Fatal(err)
	}
	ans, err = b.Search(ctx, "谈心谈话几次", 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ans.Results {
		if r.DocID == "heart-talk" {
			t.Errorf("removed document still found")
		}
	}
	if err := b.Remove(ctx, "heart-talk", knowledge.Operator); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("removing it again: %v, want ErrNotFound", err)
	}
	if err := b.Remove(ctx, "dues", knowledge.Operator); !errors.Is(err, knowledge.ErrContentDocument) {
		t.Errorf("removing content: %v, want ErrContentDocument", err)
	}
	if _, err := b.Passage(ctx, removedPassage); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("removed passage: %v, want ErrNotFound", err)
	}
}
