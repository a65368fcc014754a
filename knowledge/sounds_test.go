package knowledge_test

import (
	"context"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

// A slip of the pinyin keyboard (a character of the same sound) still
// finds the passage, and a document imported later is heard too.
func TestSoundAlikeTyposFindThePassage(t *testing.T) {
	_, st := mustStore(t)
	b := mustBase(t, st, "")
	ctx := context.Background()
	doc := "党费和支部\n## 党费\n党员应当按月交纳党费。\n## 支部\n正式党员三人以上的单位应当成立党支部。\n## 其他\n会议要有记录。\n"
	if _, err := b.Import(ctx, "fees.md", []byte(doc), knowledge.Operator); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"三个人能建支布吗": "支部", "党废按月交吗": "党费"} {
		ans, err := b.Search(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Results) == 0 || ans.Results[0].Section != want {
			t.Errorf("%q: got %+v, want section %s first", q, ans.Results, want)
		}
	}
	// 换届 is in no document yet: 换界 finds nothing like it; after an
	// import that holds it, the same typo finds it.
	if ans, _ := b.Search(ctx, "换界", 3); len(ans.Results) > 0 && ans.Results[0].Section == "换届" {
		t.Fatal("found before the document exists")
	}
	more := "换届\n## 换届\n支部委员会任期届满应当按期换届。\n## 选举\n换届选举实行差额选举。\n"
	if _, err := b.Import(ctx, "term.md", []byte(more), knowledge.Operator); err != nil {
		t.Fatal(err)
	}
	ans, err := b.Search(ctx, "支部啥时候换界", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].DocID != "term" {
		t.Errorf("换界 after the import: %+v, want the term document first", ans.Results)
	}
}
