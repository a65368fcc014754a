package knowledge_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

// logGap puts a question of district into the unanswered queue.
func logGap(tb testing.TB, b *knowledge.Base, user int64, district, text string) int64 {
	tb.Helper()
	id, err := b.LogQuestion(context.Background(), knowledge.Asked{UserID: user, ChatID: user, District: district, Text: text})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// searchFinds reports whether a search for q shows FAQ entry id with want in its text.
func searchFinds(tb testing.TB, b *knowledge.Base, q, id, want string) bool {
	tb.Helper()
	for _, r := range mustSearch(tb, b, q, 5).Results {
		if r.FAQID == id && strings.Contains(r.Text, want) {
			return true
		}
	}
	return false
}

func TestAnswerDistrict(t *testing.T) {
	for _, tc := range []struct {
		name     string
		by       knowledge.Actor
		district string
		picked   bool
		want     string
		err      error
	}{
		{"city default", scopeAdmin, "", false, "", nil},
		{"city picks a district", scopeAdmin, "云龙", true, "云龙区", nil},
		{"city picks the city", scopeAdmin, "", true, "", nil},
		{"city picks an unknown district", scopeAdmin, "火星区", true, "", knowledge.ErrUnknownDistrict},
		{"district default", gulou, "", false, "鼓楼区", nil},
		{"district picks its own", gulou, "鼓楼区", true, "鼓楼区", nil},
		{"district picks another", gulou, "云龙区", true, "", knowledge.ErrOutOfScope},
		{"district picks the city", gulou, "", true, "", knowledge.ErrOutOfScope},
		{"a worker", knowledge.Actor{UserID: 9}, "", false, "", knowledge.ErrOutOfScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.by.AnswerDistrict(tc.district, tc.picked)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Errorf("AnswerDistrict(%q, %v) = %q, %v; want %q, %v", tc.district, tc.picked, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestAnswerGapHoldsForTheDistrictPicked(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ctx := context.Background()
	q := logGap(t, b, 1, "鼓楼区", "鼓楼区的党群服务中心几点开门")
	if _, _, err := b.AnswerGap(ctx, []int64{q}, knowledge.GapAnswer{Answer: "九点。", District: "云龙区", Picked: true}, gulou, nil); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("鼓楼 answers for 云龙: %v, want ErrOutOfScope", err)
	}
	if _, _, err := b.AnswerGap(ctx, []int64{q}, knowledge.GapAnswer{Answer: "九点。", Picked: true}, gulou, nil); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("鼓楼 answers for the city: %v, want ErrOutOfScope", err)
	}
	if g, err := b.Gap(ctx, gulou, q); err != nil || g.Count != 1 {
		t.Fatalf("after the refusals the gap is %+v, %v; want it open", g, err)
	}
	f, askers, err := b.AnswerGap(ctx, []int64{q}, knowledge.GapAnswer{Answer: "九点。", Source: " 中心公告 "}, gulou, nil)
	if err != nil || f.District != "鼓楼区" || f.Source != "中心公告" || len(askers) != 1 {
		t.Fatalf("鼓楼's answer = %+v, %+v, %v", f, askers, err)
	}
	if got, err := b.Shown(ctx, q); err != nil || got.Resolution != knowledge.ResolutionAnswered || got.ClosedBy != gulou.UserID {
		t.Errorf("answered question = %+v, %v", got, err)
	}
	// An admin's answer is city-wide unless a district is picked.
	q2 := logGap(t, b, 2, "鼓楼区", "党员可以炒股吗")
	if f, _, err := b.AnswerGap(ctx, []int64{q2}, knowledge.GapAnswer{Answer: "可以依法买卖股票。"}, scopeAdmin, nil); err != nil || f.District != "" {
		t.Errorf("the admin's answer = %+v, %v, want it city-wide", f, err)
	}
}

func TestDismissGap(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ctx := context.Background()
	gl := logGap(t, b, 1, "鼓楼区", "鼓楼区有没有篮球场")
	yl := logGap(t, b, 2, "云龙区", "云龙区有没有游泳池")
	if _, err := b.DismissGap(ctx, []int64{yl}, gulou, nil); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("鼓楼 dismisses 云龙's: %v", err)
	}
	if _, err := b.DismissGap(ctx, []int64{gl, yl}, gulou, nil); !errors.Is(err, knowledge.ErrOutOfScope) {
		t.Errorf("鼓楼 dismisses its own with 云龙's: %v", err)
	}
	if q, _ := b.Shown(ctx, gl); !q.Open {
		t.Errorf("a refused dismissal closed 鼓楼's question: %+v", q)
	}
	failing := errors.New("the notice could not be queued")
	if _, err := b.DismissGap(ctx, []int64{gl}, gulou, func(context.Context) error { return failing }); !errors.Is(err, failing) {
		t.Errorf("dismissal whose transaction fails: %v", err)
	}
	if q, _ := b.Shown(ctx, gl); !q.Open {
		t.Errorf("a rolled back dismissal closed the question: %+v", q)
	}
	if n, err := b.DismissGap(ctx, []int64{gl}, gulou, nil); err != nil || n != 1 {
		t.Fatalf("dismiss = %d, %v", n, err)
	}
	q, err := b.Shown(ctx, gl)
	if err != nil || q.Open || q.ClosedAt.IsZero() || q.ClosedBy != gulou.UserID || q.Resolution != knowledge.ResolutionDismissed {
		t.Errorf("dismissed question = %+v, %v", q, err)
	}
	if _, err := b.DismissGap(ctx, []int64{gl}, gulou, nil); !errors.Is(err, knowledge.ErrGapClosed) {
		t.Errorf("dismissing again: %v", err)
	}
	// A 👎 afterwards does not bring a dismissed question back.
	if err := b.Feedback(ctx, gl, 1, false, "", 5); err != nil {
		t.Fatal(err)
	}
	if groups, _ := b.Unanswered(ctx, gulou); len(groups) != 0 {
		t.Errorf("鼓楼's queue after the dismissal = %+v", groups)
	}
}

func TestMergeGap(t *testing.T) {
	// The fixture is copied, so the test can change the content and reload it.
	dir := t.TempDir()
	if err := os.CopyFS(dir, fixture()); err != nil {
		t.Fatal(err)
	}
	db, st := mustStore(t)
	b := mustBase(t, st, "")
	if _, err := b.LoadContent(context.Background(), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	phrasing := "每月发了工资以后要上交组织的钱怎么算"
	q1 := logGap(t, b, 1, "鼓楼区", phrasing)
	q2 := logGap(t, b, 2, "鼓楼区", phrasing+"？")
	yl := logGap(t, b, 3, "云龙区", "云龙区的工会会费怎么算")
	ylFAQ, _, err := b.AnswerGap(ctx, []int64{yl}, knowledge.GapAnswer{Answer: "按工会规定。", District: "云龙区", Picked: true}, scopeAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}

	cands, err := b.MergeCandidates(ctx, gulou, "党费交多少", 5)
	if err != nil || len(cands) == 0 || cands[0].ID != "dues-how-much" {
		t.Fatalf("candidates = %+v, %v", cands, err)
	}
	if cands, _ := b.MergeCandidates(ctx, gulou, "云龙区的工会会费怎么算", 5); slices.ContainsFunc(cands, func(f knowledge.FAQ) bool { return f.ID == ylFAQ.ID }) {
		t.Errorf("鼓楼 is offered 云龙's entry: %+v", cands)
	}
	for _, tc := range []struct {
		name string
		ids  []int64
		faq  string
		by   knowledge.Actor
		err  error
	}{
		{"into another district's entry", []int64{q1}, ylFAQ.ID, gulou, knowledge.ErrOutOfScope},
		{"another district's questions", []int64{q1, yl}, "dues-how-much", gulou, knowledge.ErrOutOfScope},
		{"into nothing", []int64{q1}, "no-such-entry", gulou, knowledge.ErrNotFound},
		{"by a worker", []int64{q1}, "dues-how-much", knowledge.Actor{UserID: 9}, knowledge.ErrOutOfScope},
	} {
		if _, _, err := b.MergeGap(ctx, tc.ids, tc.faq, tc.by, nil); !errors.Is(err, tc.err) {
			t.Errorf("merge %s: %v, want %v", tc.name, err, tc.err)
		}
	}
	if n := count(t, db, "kb_faq_phrasings"); n != 0 {
		t.Errorf("refused merges stored %d phrasings", n)
	}

	var told []knowledge.Asker
	f, askers, err := b.MergeGap(ctx, []int64{q1, q2}, "dues-how-much", gulou, func(ctx context.Context, f knowledge.FAQ, a []knowledge.Asker) error {
		if !slices.Contains(f.Alternatives, phrasing) && !slices.Contains(f.Alternatives, phrasing+"？") {
			t.Errorf("the entry the askers are told of lacks the phrasing: %+v", f)
		}
		told = a
		return nil
	})
	if err != nil || len(askers) != 2 || len(told) != 2 || !strings.Contains(f.Answer, "税后月工资") {
		t.Fatalf("merge = %+v, %+v, %v", f, askers, err)
	}
	if n := count(t, db, "kb_faq_phrasings"); n != 1 {
		t.Errorf("%d phrasings stored, want the two questions' one", n)
	}
	for _, id := range []int64{q1, q2} {
		if q, err := b.Shown(ctx, id); err != nil || q.Resolution != knowledge.ResolutionMerged || q.FAQID != "dues-how-much" || q.ClosedBy != gulou.UserID {
			t.Errorf("merged question %d = %+v, %v", id, q, err)
		}
	}
	if !searchFinds(t, b, phrasing, "dues-how-much", "税后月工资") {
		t.Errorf("the merged phrasing does not find the entry")
	}
	if _, _, err := b.MergeGap(ctx, []int64{q1}, "dues-how-much", gulou, nil); !errors.Is(err, knowledge.ErrGapClosed) {
		t.Errorf("merging a closed group: %v", err)
	}

	// A content update of the entry keeps the merged phrasing.
	file := filepath.Join(dir, "faq", "dues.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), "在职党员按税后月工资分档交纳", "在职党员每月按税后工资分档交纳", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := b.LoadContent(ctx, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	f, err = b.FAQ(ctx, "dues-how-much")
	if err != nil || !strings.Contains(f.Answer, "每月按税后工资") || !strings.Contains(strings.Join(f.Alternatives, "|"), phrasing) {
		t.Errorf("the entry after a content update = %+v, %v", f, err)
	}
	if !searchFinds(t, b, phrasing, "dues-how-much", "每月按税后工资") {
		t.Errorf("after the content update the merged phrasing does not find the entry")
	}
}

func TestGapFAQsEditAndDelete(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ctx := context.Background()
	answer := func(by knowledge.Actor, district, question, text string) knowledge.FAQ {
		t.Helper()
		q := logGap(t, b, 1, district, question)
		f, _, err := b.AnswerGap(ctx, []int64{q}, knowledge.GapAnswer{Answer: text, District: district, Picked: by.CityWide}, by, nil)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	city := answer(scopeAdmin, "", "党员可以在网上直播带货吗", "可以，但要遵守法律法规和党的纪律。")
	own := answer(gulou, "鼓楼区", "鼓楼区党员活动室能借用吗", "可以，提前三天预约。")
	other := answer(yunlong, "云龙区", "云龙区红色驿站可以办婚礼吗", "不可以，只用于党群活动。")

	ids := func(p knowledge.FAQPage) []string {
		var out []string
		for _, f := range p.Entries {
			out = append(out, f.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		by   knowledge.Actor
		want []string
	}{
		{"admin", scopeAdmin, []string{other.ID, own.ID, city.ID}},
		{"鼓楼", gulou, []string{own.ID, city.ID}},
		{"worker", knowledge.Actor{UserID: 9}, nil},
	} {
		p, err := b.GapFAQs(ctx, tc.by, 1, 10)
		if err != nil || !slices.Equal(ids(p), tc.want) || p.Total != len(tc.want) {
			t.Errorf("%s sees %v (%+v, %v), want %v", tc.name, ids(p), p.Page, err, tc.want)
		}
	}
	if p, _ := b.GapFAQs(ctx, scopeAdmin, 7, 2); p.N != 2 || p.Of != 2 || !slices.Equal(ids(p), []string{city.ID}) {
		t.Errorf("page 7 of 2 = %+v %v, want the last page", p.Page, ids(p))
	}
	if !gulou.MayEditFAQ(own) || gulou.MayEditFAQ(city) || gulou.MayEditFAQ(other) || !scopeAdmin.MayEditFAQ(other) {
		t.Errorf("MayEditFAQ is wrong")
	}

	for _, tc := range []struct {
		name string
		id   string
		err  error
	}{
		{"the city's", city.ID, knowledge.ErrOutOfScope},
		{"云龙's", other.ID, knowledge.ErrOutOfScope},
		{"a built-in one", "dues-how-much", knowledge.ErrNotGapFAQ},
		{"a missing one", "gap-999999", knowledge.ErrNotFound},
	} {
		if _, err := b.EditFAQ(ctx, tc.id, "改掉", "", gulou, nil); !errors.Is(err, tc.err) {
			t.Errorf("鼓楼 edits %s: %v, want %v", tc.name, err, tc.err)
		}
		if _, err := b.DeleteFAQ(ctx, tc.id, gulou, nil); !errors.Is(err, tc.err) {
			t.Errorf("鼓楼 deletes %s: %v, want %v", tc.name, err, tc.err)
		}
	}
	if _, err := b.EditFAQ(ctx, own.ID, "  ", "", gulou, nil); !errors.Is(err, knowledge.ErrEmptyAnswer) {
		t.Errorf("empty edit: %v", err)
	}
	if f, err := b.FAQ(ctx, city.ID); err != nil || f.Answer != city.Answer {
		t.Errorf("the city's entry after the refusals = %+v, %v", f, err)
	}

	edited, err := b.EditFAQ(ctx, own.ID, "可以，提前一周向社区党委预约。", "社区公告", gulou, nil)
	if err != nil || edited.Source != "社区公告" || edited.District != "鼓楼区" || edited.Question != own.Question {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if !searchFinds(t, b, own.Question, own.ID, "提前一周") || searchFinds(t, b, own.Question, own.ID, "提前三天") {
		t.Errorf("the search does not follow the edit")
	}
	if !searchFinds(t, b, city.Question, city.ID, "遵守法律法规") {
		t.Fatalf("the city's entry is not found before its deletion")
	}
	if _, err := b.DeleteFAQ(ctx, city.ID, scopeAdmin, nil); err != nil {
		t.Fatal(err)
	}
	if searchFinds(t, b, city.Question, city.ID, "") {
		t.Errorf("the search still finds a deleted entry")
	}
	if _, err := b.FAQ(ctx, city.ID); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("the deleted entry: %v", err)
	}
}

func TestUnansweredPage(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ctx := context.Background()
	for _, q := range []string{"火星上能种土豆吗", "长江的源头在哪里", "钢琴有几个琴键", "珠穆朗玛峰多高", "蜜蜂怎样酿蜜"} {
		logGap(t, b, 1, "", q)
	}
	all, err := b.Unanswered(ctx, knowledge.Operator)
	if err != nil || len(all) != 5 {
		t.Fatalf("queue = %+v, %v", all, err)
	}
	var seen []int64
	for n := 1; n <= 3; n++ {
		p, err := b.UnansweredPage(ctx, knowledge.Operator, n, 2)
		if err != nil || p.N != n || p.Of != 3 || p.Total != 5 {
			t.Fatalf("page %d = %+v, %v", n, p.Page, err)
		}
		for _, g := range p.Groups {
			seen = append(seen, g.ID)
		}
	}
	for i, g := range all {
		if i >= len(seen) || seen[i] != g.ID {
			t.Fatalf("pages list %v, the queue %+v", seen, all)
		}
	}
	for _, n := range []int{4, 99} {
		if p, _ := b.UnansweredPage(ctx, knowledge.Operator, n, 2); p.N != 3 || len(p.Groups) != 1 {
			t.Errorf("page %d = %+v with %d groups, want the last", n, p.Page, len(p.Groups))
		}
	}
	if p, _ := b.UnansweredPage(ctx, knowledge.Actor{UserID: 9}, 1, 2); p.Total != 0 || p.Of != 1 || len(p.Groups) != 0 {
		t.Errorf("a worker's page = %+v", p)
	}
}
