package knowledge_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dangwu/dangwu/knowledge"
)

// knownDistricts resolves district names and aliases as the member service does.
func knownDistricts(name string) (string, bool) {
	d, ok := map[string]string{"鼓楼区": "鼓楼区", "鼓楼": "鼓楼区", "云龙区": "云龙区", "云龙": "云龙区"}[name]
	return d, ok
}

var (
	scopeAdmin = knowledge.Actor{UserID: 1, CityWide: true, ResolveDistrict: knownDistricts}
	gulou      = knowledge.Actor{UserID: 2, District: "鼓楼区", ResolveDistrict: knownDistricts}
	yunlong    = knowledge.Actor{UserID: 3, District: "云龙区", ResolveDistrict: knownDistricts}
)

var scopeNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func mustImport(tb testing.TB, st knowledge.Store, by knowledge.Actor, name, text string) knowledge.ImportResult {
	tb.Helper()
	res, err := knowledge.ImportFile(context.Background(), st, name, []byte(text), by, scopeNow)
	if err != nil {
		tb.Fatalf("import %s by %+v: %v", name, by, err)
	}
	return res
}

func mustDocument(tb testing.TB, st knowledge.Store, id, wantText string) knowledge.Document {
	tb.Helper()
	d, err := st.Document(context.Background(), id)
	if err != nil {
		tb.Fatalf("document %s: %v", id, err)
	}
	if len(d.Passages) == 0 || d.Passages[0].Text != wantText {
		tb.Errorf("document %s = %+v, want its text %q", id, d.Passages, wantText)
	}
	return d
}

func TestDocumentsHaveAnOwnerScope(t *testing.T) {
	ctx := context.Background()
	_, st := mustStore(t)

	city := mustImport(t, st, scopeAdmin, "党建工作要点.txt", "党建工作要点\n一、要点\n全市的要点。\n")
	yl := mustImport(t, st, yunlong, "党建工作要点.txt", "党建工作要点\n一、要点\n云龙区的要点。\n")
	gl := mustImport(t, st, gulou, "党建工作要点.txt", "党建工作要点\n一、要点\n鼓楼区的要点。\n")
	if city.District != "" || yl.District != "云龙区" || gl.District != "鼓楼区" {
		t.Errorf("districts: city %q, 云龙 %q, 鼓楼 %q", city.District, yl.District, gl.District)
	}
	if yl.Replaced || gl.Replaced || city.DocID == yl.DocID || yl.DocID == gl.DocID || city.DocID == gl.DocID {
		t.Fatalf("the same file name in three scopes: %+v %+v %+v, want three documents", city, yl, gl)
	}
	for _, id := range []string{city.DocID, yl.DocID, gl.DocID} {
		if len("doc:rmy:"+id) > 64 {
			t.Errorf("id %q is too long for callback data", id)
		}
	}
	mustDocument(t, st, city.DocID, "全市的要点。")
	mustDocument(t, st, yl.DocID, "云龙区的要点。")

	// Within one scope a new version replaces the old one.
	again := mustImport(t, st, gulou, "党建工作要点.txt", "党建工作要点\n一、要点\n鼓楼区的新要点。\n")
	if !again.Replaced || again.DocID != gl.DocID {
		t.Errorf("鼓楼's second upload = %+v, want it to replace %s", again, gl.DocID)
	}
	mustDocument(t, st, gl.DocID, "鼓楼区的新要点。")

	// 鼓楼's coordinator may not touch 云龙's or the city's documents.
	for _, id := range []string{yl.DocID, city.DocID} {
		if err := knowledge.RemoveDocument(ctx, st, id, gulou); !errors.Is(err, knowledge.ErrOutOfScope) {
			t.Errorf("鼓楼 removes %s: %v, want ErrOutOfScope", id, err)
		}
	}
	mustDocument(t, st, yl.DocID, "云龙区的要点。")
	mustDocument(t, st, city.DocID, "全市的要点。")

	for _, tc := range []struct {
		name, file, text string
		by               knowledge.Actor
		want             error
	}{
		{"another district in front matter", "云龙规定.md", "---\ndistrict: 云龙区\n---\n# 云龙规定\n\n## 一\n冒名的规定。\n", gulou, knowledge.ErrOutOfScope},
		{"another district by its alias", "云龙规定.md", "---\ndistrict: 云龙\n---\n# 云龙规定\n\n## 一\n冒名的规定。\n", gulou, knowledge.ErrOutOfScope},
		{"the id of 云龙's document", "x.md", "---\nid: " + yl.DocID + "\n---\n# 覆盖\n\n## 一\n冒名的规定。\n", gulou, knowledge.ErrOutOfScope},
		{"the id of the city's document", "x.md", "---\nid: " + city.DocID + "\n---\n# 覆盖\n\n## 一\n冒名的规定。\n", gulou, knowledge.ErrOutOfScope},
		{"a city document over 云龙's id", "x.md", "---\nid: " + yl.DocID + "\n---\n# 覆盖\n\n## 一\n冒名的规定。\n", scopeAdmin, knowledge.ErrOutOfScope},
		{"an unknown district", "火星.md", "---\ndistrict: 火星区\n---\n# 火星\n\n## 一\n正文。\n", scopeAdmin, knowledge.ErrUnknownDistrict},
		{"a worker", "w.txt", "标题\n一、节\n正文。\n", knowledge.Actor{UserID: 9}, knowledge.ErrOutOfScope},
	} {
		if _, err := knowledge.ImportFile(ctx, st, tc.file, []byte(tc.text), tc.by, scopeNow); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	mustDocument(t, st, yl.DocID, "云龙区的要点。")
	mustDocument(t, st, city.DocID, "全市的要点。")
	docs, err := st.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 {
		t.Errorf("%d documents after the refusals, want 3: %+v", len(docs), docs)
	}

	// Front matter naming the coordinator's own district (or an alias) is theirs.
	own := mustImport(t, st, gulou, "鼓楼规定.md", "---\ndistrict: 鼓楼\n---\n# 鼓楼规定\n\n## 一\n本区的规定。\n")
	if own.District != "鼓楼区" {
		t.Errorf("own district by alias: %+v", own)
	}
	// A city-wide actor may import a district's document: it joins that
	// district's scope, and replaces the district's own upload of that name.
	byAdmin := mustImport(t, st, scopeAdmin, "党建工作要点.md", "---\ndistrict: 云龙区\n---\n# 党建工作要点\n\n## 要点\n市里替云龙区更新的要点。\n")
	if byAdmin.District != "云龙区" || byAdmin.DocID != yl.DocID || !byAdmin.Replaced {
		t.Errorf("admin's 云龙区 document = %+v, want it to replace %s", byAdmin, yl.DocID)
	}

	// Who may remove what.
	if !gulou.MayRemove(knowledge.DocInfo{Origin: knowledge.OriginImport, District: "鼓楼区"}) ||
		gulou.MayRemove(knowledge.DocInfo{Origin: knowledge.OriginImport, District: "云龙区"}) ||
		gulou.MayRemove(knowledge.DocInfo{Origin: knowledge.OriginImport}) ||
		gulou.MayRemove(knowledge.DocInfo{Origin: knowledge.OriginContent, District: "鼓楼区"}) ||
		!scopeAdmin.MayRemove(knowledge.DocInfo{Origin: knowledge.OriginImport, District: "云龙区"}) {
		t.Error("MayRemove does not follow the scope")
	}
	if err := knowledge.RemoveDocument(ctx, st, gl.DocID, gulou); err != nil {
		t.Errorf("鼓楼 removes its own: %v", err)
	}
	for _, id := range []string{yl.DocID, city.DocID} {
		if err := knowledge.RemoveDocument(ctx, st, id, scopeAdmin); err != nil {
			t.Errorf("admin removes %s: %v", id, err)
		}
	}
	if err := knowledge.RemoveDocument(ctx, st, own.DocID, yunlong); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("云龙 removes 鼓楼's: %v, want ErrOutOfScope", err)
	}
}

// TestDistrictDocumentStoredBeforeScopedIDs: a district's document stored
// under the id of its file name alone (before ids held the district) is
// still replaced by its district's next upload, not doubled.
func TestDistrictDocumentStoredBeforeScopedIDs(t *testing.T) {
	ctx := context.Background()
	_, st := mustStore(t)
	legacy := knowledge.DocIDFromFileName("值班安排")
	old := knowledge.Document{ID: legacy, Title: "值班安排", Origin: knowledge.OriginImport, District: "云龙区",
		FileName: "值班安排.txt", Hash: "old", Passages: []knowledge.Passage{{Section: "一", Text: "旧的安排。"}}}
	if _, err := st.PutDocument(ctx, old); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, st, yunlong, "值班安排.txt", "值班安排\n一、时间\n新的安排。\n")
	if res.DocID != legacy || !res.Replaced {
		t.Errorf("upload over the old document = %+v, want it to replace %s", res, legacy)
	}
	mustDocument(t, st, legacy, "新的安排。")
	other := mustImport(t, st, gulou, "值班安排.txt", "值班安排\n一、时间\n鼓楼的安排。\n")
	if other.DocID == legacy || other.Replaced {
		t.Errorf("鼓楼's upload of the same name = %+v, want a document of its own", other)
	}
	mustDocument(t, st, legacy, "新的安排。")
}

func TestScopedDocIDs(t *testing.T) {
	if got := knowledge.ScopedDocID("", "Heart Talk"); got != knowledge.DocIDFromFileName("Heart Talk") {
		t.Errorf("city-wide id %q, want the file name's id", got)
	}
	a, b := knowledge.ScopedDocID("鼓楼区", "Heart Talk"), knowledge.ScopedDocID("云龙区", "Heart Talk")
	c := knowledge.ScopedDocID("鼓楼区", "要点")
	if a == b || a == c || a == knowledge.DocIDFromFileName("Heart Talk") || len(a) != len(knowledge.DocIDFromFileName("要点"))+2 {
		t.Errorf("district ids %q %q %q", a, b, c)
	}
	if a != knowledge.ScopedDocID("鼓楼区", "Heart Talk") {
		t.Error("district id is not stable")
	}
}

// TestGapsFollowTheCoordinatorsDistrict: a district coordinator lists and
// answers their district's questions only; after a move, an old question
// is out of scope, not "already answered".
func TestGapsFollowTheCoordinatorsDistrict(t *testing.T) {
	ctx := context.Background()
	_, st := mustStore(t)
	b, err := knowledge.Open(ctx, st, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	logQ := func(user int64, district, text string) int64 {
		t.Helper()
		id, err := b.LogQuestion(ctx, knowledge.Asked{UserID: user, ChatID: user, District: district, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	glQ := logQ(11, "鼓楼区", "鼓楼区的党群服务中心几点开门")
	ylQ := logQ(12, "云龙区", "云龙区的红色驿站在哪里")

	groups, err := b.Unanswered(ctx, gulou)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].ID != glQ {
		t.Errorf("鼓楼's queue = %+v, want its question only", groups)
	}
	if groups, err := b.Unanswered(ctx, knowledge.Actor{UserID: 9}); err != nil || len(groups) != 0 {
		t.Errorf("a worker's queue = %+v, %v, want nothing", groups, err)
	}
	if groups, err := b.Unanswered(ctx, scopeAdmin); err != nil || len(groups) != 2 {
		t.Errorf("the admin's queue = %+v, %v, want both", groups, err)
	}
	if _, err := b.Gap(ctx, gulou, ylQ); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("鼓楼 opens 云龙's gap: %v, want ErrOutOfScope", err)
	}
	if _, _, err := b.AnswerGap(ctx, []int64{ylQ}, knowledge.GapAnswer{Answer: "答案"}, gulou, nil); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("鼓楼 answers 云龙's gap: %v, want ErrOutOfScope", err)
	}
	if q, err := b.Shown(ctx, ylQ); err != nil || !q.Open {
		t.Errorf("云龙's question after the refusal: %+v, %v, want it open", q, err)
	}

	// The coordinator moves from 鼓楼区 to 云龙区: 鼓楼's question is now out of scope.
	moved := knowledge.Actor{UserID: gulou.UserID, District: "云龙区"}
	if _, err := b.Gap(ctx, moved, glQ); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("moved coordinator opens the old gap: %v, want ErrOutOfScope", err)
	}
	if _, _, err := b.AnswerGap(ctx, []int64{glQ}, knowledge.GapAnswer{Answer: "九点开门。"}, moved, nil); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("moved coordinator answers the old gap: %v, want ErrOutOfScope", err)
	}
	g, err := b.Gap(ctx, moved, ylQ)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.AnswerGap(ctx, g.QuestionIDs, knowledge.GapAnswer{Answer: "在市民广场东侧。"}, moved, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Gap(ctx, moved, ylQ); !errors.Is(err, knowledge.ErrGapClosed) {
		t.Errorf("answered gap: %v, want ErrGapClosed", err)
	}
	if _, err := b.Gap(ctx, moved, 987654); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("missing gap: %v, want ErrNotFound", err)
	}
}
