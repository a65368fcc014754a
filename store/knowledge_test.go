package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
)

func doc(id, origin string, sections ...string) knowledge.Document {
	d := knowledge.Document{ID: id, Title: "标题 " + id, Origin: origin, Hash: "h-" + id, Tags: []string{"t"}}
	for _, s := range sections {
		d.Passages = append(d.Passages, knowledge.Passage{Section: s, Text: s + "的正文"})
	}
	return d
}

func TestKnowledgeGenerationAndChanges(t *testing.T) {
	ctx := context.Background()
	ks := store.NewKnowledgeStore(MustOpen(t))
	g0, err := ks.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g0.N != 0 || len(g0.Instance) != 16 {
		t.Errorf("initial generation = %+v", g0)
	}
	if _, err := ks.PutDocument(ctx, doc("a", knowledge.OriginImport, "一", "二")); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.PutDocument(ctx, doc("b", knowledge.OriginImport, "三")); err != nil {
		t.Fatal(err)
	}
	g2, _ := ks.Generation(ctx)
	if g2.N != 2 || g2.Instance != g0.Instance {
		t.Errorf("generation after two puts = %+v", g2)
	}
	all, err := ks.Changes(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Documents) != 2 || len(all.Documents[0].Passages) != 2 || all.Documents[0].Passages[1].Section != "二" || all.Generation.N != 2 {
		t.Errorf("all = %+v", all)
	}
	replaced, err := ks.PutDocument(ctx, doc("a", knowledge.OriginImport, "新"))
	if err != nil || !replaced {
		t.Fatalf("replace: %v %v", replaced, err)
	}
	if err := ks.DeleteDocument(ctx, "b", ""); err != nil {
		t.Fatal(err)
	}
	ch, err := ks.Changes(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Documents) != 1 || ch.Documents[0].ID != "a" || len(ch.Documents[0].Passages) != 1 || ch.Documents[0].Passages[0].Title != "标题 a" {
		t.Errorf("changed = %+v", ch.Documents)
	}
	if len(ch.Removed) != 1 || ch.Removed[0] != (knowledge.Ref{Kind: knowledge.KindPassage, ID: "b"}) {
		t.Errorf("removed = %+v", ch.Removed)
	}
	if ch, _ := ks.Changes(ctx, ch.Generation.N); len(ch.Documents)+len(ch.FAQs)+len(ch.Removed) != 0 {
		t.Errorf("changes after the current generation: %+v", ch)
	}
	// passage ids are never reused
	old := all.Documents[0].Passages[0].ID
	if _, err := ks.Passage(ctx, old); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("replaced passage %d: %v, want ErrNotFound", old, err)
	}
	if ch.Documents[0].Passages[0].ID <= all.Documents[1].Passages[0].ID {
		t.Errorf("new passage id %d not above every earlier one", ch.Documents[0].Passages[0].ID)
	}
}

// TestKnowledgeDocumentScope: a document is replaced and deleted only within
// its district ("" city-wide).
func TestKnowledgeDocumentScope(t *testing.T) {
	ctx := context.Background()
	ks := store.NewKnowledgeStore(MustOpen(t))
	yl := doc("yl", knowledge.OriginImport, "云龙")
	yl.District = "云龙区"
	if _, err := ks.PutDocument(ctx, yl); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.PutDocument(ctx, doc("city", knowledge.OriginImport, "全市")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, id, district string
	}{
		{"鼓楼 over 云龙", "yl", "鼓楼区"},
		{"city-wide over 云龙", "yl", ""},
		{"鼓楼 over city-wide", "city", "鼓楼区"},
	} {
		d := doc(tc.id, knowledge.OriginImport, "冒名")
		d.District = tc.district
		if _, err := ks.PutDocument(ctx, d); !errors.Is(err, knowledge.ErrOutOfScope) {
			t.Errorf("put %s: %v, want ErrOutOfScope", tc.name, err)
		}
		if err := ks.DeleteDocument(ctx, tc.id, tc.district); !errors.Is(err, knowledge.ErrOutOfScope) {
			t.Errorf("delete %s: %v, want ErrOutOfScope", tc.name, err)
		}
	}
	if got, err := ks.Document(ctx, "yl"); err != nil || got.Passages[0].Section != "云龙" || got.District != "云龙区" {
		t.Errorf("云龙's document after the refusals = %+v, %v", got, err)
	}
	again := doc("yl", knowledge.OriginImport, "新")
	again.District = "云龙区"
	if replaced, err := ks.PutDocument(ctx, again); err != nil || !replaced {
		t.Errorf("replace within 云龙区: %v %v", replaced, err)
	}
	if err := ks.DeleteDocument(ctx, "yl", "云龙区"); err != nil {
		t.Errorf("delete within 云龙区: %v", err)
	}
	if err := ks.DeleteDocument(ctx, "city", ""); err != nil {
		t.Errorf("delete city-wide: %v", err)
	}
}

func TestKnowledgeOrigins(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	ks := store.NewKnowledgeStore(db)
	err := ks.SyncContent(ctx, knowledge.ContentSync{
		PutDocuments: []knowledge.Document{doc("c", knowledge.OriginContent, "一")},
		PutFAQs:      []knowledge.FAQ{{ID: "f", Question: "问", Alternatives: []string{"问法"}, Answer: "答", Hash: "x"}},
		Synonyms:     &knowledge.Synonyms{Groups: [][]string{{"支书", "支部书记"}}, Hash: "s"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.PutDocument(ctx, doc("c", knowledge.OriginImport, "冒名")); !errors.Is(err, knowledge.ErrContentDocument) {
		t.Errorf("import over content: %v", err)
	}
	if err := ks.DeleteDocument(ctx, "c", ""); !errors.Is(err, knowledge.ErrContentDocument) {
		t.Errorf("delete content: %v", err)
	}
	if err := ks.DeleteDocument(ctx, "nope", ""); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("delete missing: %v", err)
	}
	state, err := ks.ContentState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if state.Documents["c"] != "h-c" || state.FAQs["f"] != "x" || state.SynonymsHash != "s" {
		t.Errorf("state = %+v", state)
	}
	syn, err := ks.Synonyms(ctx)
	if err != nil || len(syn.Groups) != 1 || syn.Groups[0][1] != "支部书记" {
		t.Errorf("synonyms = %+v, %v", syn, err)
	}
	f, err := ks.FAQ(ctx, "f")
	if err != nil || f.Origin != knowledge.OriginContent || f.Alternatives[0] != "问法" {
		t.Errorf("faq = %+v, %v", f, err)
	}
	if _, err := ks.Document(ctx, "nope"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("missing document: %v", err)
	}
}

func TestKnowledgeQuestions(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	ks := store.NewKnowledgeStore(db)
	add := func(user int64, confident bool) int64 {
		id, err := ks.AddQuestion(ctx, knowledge.Question{UserID: user, ChatID: user, District: "d", Text: "q", Confident: confident,
			Shown: []knowledge.Shown{{Rank: 1, Kind: knowledge.KindPassage, DocID: "a", PassageID: 7}}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a, b := add(1, false), add(2, true)
	open := func(district string) []int64 {
		qs, err := ks.OpenQuestions(ctx, district, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, q := range qs {
			out = append(out, q.ID)
		}
		return out
	}
	if got := open(""); len(got) != 1 || got[0] != a {
		t.Errorf("open = %v, want [%d]", got, a)
	}
	if got := open("other"); len(got) != 0 {
		t.Errorf("open in another district = %v", got)
	}
	if err := ks.Vote(ctx, knowledge.Vote{QuestionID: b, UserID: 5, Rank: 1, Helpful: false}); err != nil {
		t.Fatal(err)
	}
	if got := open("d"); len(got) != 2 || got[0] != b {
		t.Errorf("open after 👎 = %v", got)
	}
	askers, err := ks.CloseQuestions(ctx, []int64{a, b}, knowledge.FAQ{ID: "gap-1", Question: "q", Answer: "答", Hash: "h"}, nil)
	if err != nil || len(askers) != 2 {
		t.Fatalf("close: %+v, %v", askers, err)
	}
	if got := open(""); len(got) != 0 {
		t.Errorf("open after closing = %v", got)
	}
	if _, err := ks.CloseQuestions(ctx, []int64{a}, knowledge.FAQ{ID: "gap-2", Question: "q", Answer: "答", Hash: "h"}, nil); !errors.Is(err, knowledge.ErrGapClosed) {
		t.Errorf("closing again: %v", err)
	}
	var faqs int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_faqs`).Scan(&faqs); err != nil || faqs != 1 {
		t.Errorf("%d faq entries (%v), want 1: a failed close stores nothing", faqs, err)
	}
	q, err := ks.Question(ctx, a)
	if err != nil || q.FAQID != "gap-1" || q.ClosedAt.IsZero() || len(q.Shown) != 1 || q.Shown[0].PassageID != 7 {
		t.Errorf("question = %+v, %v", q, err)
	}
}

// TestKnowledgeBatchReads: the candidates of a search are read in one query
// each for passages and FAQ entries; ids that are gone are left out, and an
// entry comes with the phrasings merged into it, not another's.
func TestKnowledgeBatchReads(t *testing.T) {
	ctx := context.Background()
	ks := store.NewKnowledgeStore(MustOpen(t))
	err := ks.SyncContent(ctx, knowledge.ContentSync{
		PutDocuments: []knowledge.Document{doc("c", knowledge.OriginContent, "一", "二", "三")},
		PutFAQs: []knowledge.FAQ{
			{ID: "f", Question: "问甲", Alternatives: []string{"甲的问法"}, Answer: "答甲", Hash: "x"},
			{ID: "g", Question: "问乙", Answer: "答乙", Hash: "y"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	qid, err := ks.AddQuestion(ctx, knowledge.Question{UserID: 1, ChatID: 1, Text: "乙怎么问"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ks.MergeQuestions(ctx, []int64{qid}, "g", []string{"乙怎么问"}, 1, nil); err != nil {
		t.Fatal(err)
	}
	d, err := ks.Document(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	want := map[int64]string{}
	for _, p := range d.Passages {
		ids = append(ids, p.ID)
		want[p.ID] = p.Text
	}
	ps, err := ks.Passages(ctx, append(ids, 1<<40))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("passages = %+v, want the 3 that exist", ps)
	}
	for _, p := range ps {
		if want[p.ID] != p.Text || p.Title != "标题 c" || p.DocID != "c" {
			t.Errorf("passage %d = %+v", p.ID, p)
		}
	}
	fs, err := ks.FAQsByID(ctx, []string{"g", "gone", "f"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range fs {
		got[f.ID] = f.Alternatives
	}
	if len(fs) != 2 || len(got["f"]) != 1 || got["f"][0] != "甲的问法" || len(got["g"]) != 1 || got["g"][0] != "乙怎么问" {
		t.Errorf("faqs = %+v", fs)
	}
	if ps, err := ks.Passages(ctx, nil); err != nil || len(ps) != 0 {
		t.Errorf("no ids: %v, %v", ps, err)
	}
}

// TestKnowledgeQuestionOfAReplay: a question logged again from the same
// update (a replay after a crash) is stored once; another question that
// reuses an update id (a new bot token, a new console) is stored.
func TestKnowledgeQuestionOfAReplay(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	ks := store.NewKnowledgeStore(db)
	add := func(update int64, text string) int64 {
		id, err := ks.AddQuestion(ctx, knowledge.Question{UpdateID: update, UserID: 5, ChatID: 5, Text: text,
			Shown: []knowledge.Shown{{Rank: 1, Kind: knowledge.KindPassage, DocID: "a", PassageID: 7}}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := add(41, "党费怎么交")
	if again := add(41, "党费怎么交"); again != first {
		t.Errorf("the replay logged question %d, want the first one, %d", again, first)
	}
	if other := add(41, "预备期多长"); other == first {
		t.Errorf("another question with update id 41 was not logged")
	}
	if none := add(0, "党费怎么交"); none == first {
		t.Errorf("a question of no update was taken for the first")
	}
	var n, shown int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM kb_questions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM kb_shown WHERE question_id = ?`, first).Scan(&shown); err != nil {
		t.Fatal(err)
	}
	if n != 3 || shown != 1 {
		t.Errorf("%d questions and %d results shown for the first, want 3 and 1", n, shown)
	}
}
