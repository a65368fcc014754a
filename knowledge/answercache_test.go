package knowledge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/knowledge"
)

// A question asked again is answered from memory with the answer a search
// gives: for every asker's district (a district's rule counts for its own
// askers), and for every number of results.
func TestAnswerCacheGivesTheSearchsAnswer(t *testing.T) {
	ctx := context.Background()
	_, st := mustStore(t)
	cached := mustBase(t, st, "")
	if _, err := cached.LoadContent(ctx, content.Embedded()); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { knowledge.AnswerCacheBytes = n }(knowledge.AnswerCacheBytes)
	knowledge.AnswerCacheBytes = 0
	searched := mustBase(t, st, filepath.Join(t.TempDir(), "index"))

	questions := []string{"党务工作者分几级", "党务工作者分几级？", "党费怎么交", "预备期多长", "贾汪区党务工作者分几级", "组织生活会多久开一次", "🙂"}
	districts := []string{"", "贾汪区", "泉山区", "鼓楼区"}
	for round := range 2 {
		for _, q := range questions {
			for _, d := range districts {
				for _, n := range []int{3, 5} {
					req := knowledge.Request{Text: q, N: n, District: d}
					got, err := cached.Find(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					want, err := searched.Find(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					if g, w := summary(got), summary(want); g != w {
						t.Errorf("round %d, %q asked from %q, %d results:\n got %s\nwant %s", round, q, d, n, g, w)
					}
					if got.Query != q {
						t.Errorf("round %d, %q: Query %q", round, q, got.Query)
					}
				}
			}
		}
	}
}

func summary(a knowledge.Answer) string {
	s := fmt.Sprint(a.Confident)
	for _, r := range a.Results {
		s += fmt.Sprintf(" | %d %s#%s %q %.4f", r.Rank, r.DocID, r.Section, r.Answer, r.Confidence)
	}
	return s
}

// A document imported (here by another process, through the store) is
// found at the next search: the answers from memory are forgotten.
func TestAnswerCacheForgetsOnChange(t *testing.T) {
	ctx := context.Background()
	db, st := mustStore(t)
	b := mustBase(t, st, "")
	if _, err := b.LoadContent(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	q := "蓝鲸湾支部的活动室在哪里"
	before, err := b.Search(ctx, q, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range before.Results {
		if r.DocID == "lanjing" {
			t.Fatalf("found before the import: %+v", r)
		}
	}
	doc := "---\nid: lanjing\ntitle: 蓝鲸湾支部\nsource: 测试\n---\n\n## 活动室\n\n蓝鲸湾支部的活动室在鲸湾大楼三楼。\n"
	if _, err := knowledge.ImportFileWith(ctx, st, "lanjing.md", []byte(doc), knowledge.ImportMeta{}, knowledge.Operator, time.Now()); err != nil {
		t.Fatal(err)
	}
	after, err := b.Search(ctx, q, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Results) == 0 || after.Results[0].DocID != "lanjing" {
		t.Fatalf("after the import: %s", summary(after))
	}
	_ = db
}
