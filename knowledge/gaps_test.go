package knowledge_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/dangwu/dangwu/knowledge"
)

// admin99 is an administrator, who answers gaps of every district.
var admin99 = knowledge.Actor{UserID: 99, CityWide: true}

// ask searches and logs a question as the bot does.
func ask(tb testing.TB, b *knowledge.Base, user int64, district, q string) (int64, knowledge.Answer) {
	tb.Helper()
	ans := mustSearch(tb, b, q, 3)
	id, err := b.LogQuestion(context.Background(), knowledge.Asked{UserID: user, ChatID: user + 1000, District: district, Text: q, Answer: ans})
	if err != nil {
		tb.Fatal(err)
	}
	if id <= 0 {
		tb.Fatalf("question id %d", id)
	}
	return id, ans
}

func TestGapLoop(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }

	paraphrases := []string{"党费可以用微信交吗？", "能不能用微信缴纳党费", "微信交党费行不行"}
	var ids []int64
	for i, q := range paraphrases {
		id, ans := ask(t, b, int64(i+1), "贾汪区", q)
		if ans.Confident {
			t.Fatalf("%q answered with confidence (%+v): the fixture cannot answer it", q, ans.Results[0])
		}
		ids = append(ids, id)
	}
	other, ans := ask(t, b, 9, "鼓楼区", "退休以后还能参加党组织活动吗")
	if ans.Confident {
		t.Fatalf("unrelated question answered with confidence: %+v", ans.Results[0])
	}
	confident, ans := ask(t, b, 10, "贾汪区", "党费交多少")
	if !ans.Confident {
		t.Fatalf("a question the fixture answers was not confident: %+v", ans.Results)
	}

	groups, err := b.Unanswered(ctx, knowledge.Operator)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Fatalf("groups = %+v, want the paraphrases together and the other apart", groups)
	}
	g := groups[0]
	got := append([]int64(nil), g.QuestionIDs...)
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	if g.Count != 3 || len(got) != 3 || got[0] != ids[0] || got[2] != ids[2] || len(g.Phrasings) != 3 {
		t.Errorf("paraphrase group = %+v", g)
	}
	if groups[1].Count != 1 || groups[1].ID != other || groups[1].Text != "退休以后还能参加党组织活动吗" {
		t.Errorf("other group = %+v", groups[1])
	}
	if g.First.IsZero() || !g.Last.After(g.First) {
		t.Errorf("group times %v %v", g.First, g.Last)
	}
	local, err := b.Unanswered(ctx, knowledge.Actor{District: "鼓楼区"})
	if err != nil {
		t.Fatal(err)
	}
	if len(local) != 1 || local[0].ID != other {
		t.Errorf("district queue = %+v", local)
	}
	if found, err := b.Gap(ctx, knowledge.Operator, ids[1]); err != nil || found.ID != g.ID {
		t.Errorf("Gap(%d) = %+v, %v", ids[1], found, err)
	}
	for _, gr := range groups {
		for _, id := range gr.QuestionIDs {
			if id == confident {
				t.Errorf("a confident question is in the queue")
			}
		}
	}

	// the coordinator answers: an FAQ entry, searchable at once
	if _, _, err := b.AnswerGap(ctx, g.QuestionIDs, knowledge.GapAnswer{Answer: "  "}, admin99, nil); !errors.Is(err, knowledge.ErrEmptyAnswer) {
		t.Errorf("empty answer: %v", err)
	}
	faq, askers, err := b.AnswerGap(ctx, g.QuestionIDs, knowledge.GapAnswer{Answer: "可以。经党支部同意，党员可以通过微信等线上方式交纳党费。"}, admin99, nil)
	if err != nil {
		t.Fatal(err)
	}
	if faq.Origin != knowledge.OriginGap || faq.Question != g.Text || len(faq.Alternatives) != 2 || faq.CreatedBy != 99 {
		t.Errorf("faq = %+v", faq)
	}
	if len(askers) != 3 {
		t.Fatalf("askers = %+v", askers)
	}
	users := map[int64]bool{}
	for _, a := range askers {
		users[a.UserID] = true
		if a.ChatID != a.UserID+1000 || a.Text == "" {
			t.Errorf("asker = %+v", a)
		}
	}
	if !users[1] || !users[2] || !users[3] {
		t.Errorf("askers = %+v", askers)
	}
	for _, q := range append(paraphrases, "党费能用微信交吗") {
		ans := mustSearch(t, b, q, 3)
		if len(ans.Results) == 0 || ans.Results[0].FAQID != faq.ID || !ans.Confident {
			t.Errorf("%q after the answer: %+v (confident %v)", q, ans.Results, ans.Confident)
		}
	}
	groups, err = b.Unanswered(ctx, knowledge.Operator)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].ID != other {
		t.Errorf("queue after answering = %+v", groups)
	}
	if _, _, err := b.AnswerGap(ctx, g.QuestionIDs, knowledge.GapAnswer{Answer: "再答一次"}, admin99, nil); !errors.Is(err, knowledge.ErrGapClosed) {
		t.Errorf("answering a closed group: %v, want ErrGapClosed", err)
	}
	if _, _, err := b.AnswerGap(ctx, []int64{123456}, knowledge.GapAnswer{Answer: "答案"}, admin99, nil); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("answering an unknown question: %v, want ErrNotFound", err)
	}
	q, err := b.Shown(ctx, ids[0])
	if err != nil || q.ClosedAt.IsZero() || q.FAQID != faq.ID || q.Open {
		t.Errorf("closed question = %+v, %v", q, err)
	}
}

func TestFeedback(t *testing.T) {
	b, db := mustFixtureBase(t)
	ctx := context.Background()
	id, ans := ask(t, b, 1, "", "党费交多少")
	if !ans.Confident {
		t.Fatal("not confident")
	}
	q, err := b.Shown(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if q.Text != "党费交多少" || q.UserID != 1 || q.ChatID != 1001 || !q.Confident || q.Open || len(q.Shown) != len(ans.Results) {
		t.Fatalf("shown = %+v", q)
	}
	for i, s := range q.Shown {
		r := ans.Results[i]
		if s.Rank != r.Rank || s.Kind != r.Kind || s.PassageID != r.PassageID || s.FAQID != r.FAQID || s.DocID != r.DocID {
			t.Errorf("shown %d = %+v, result %+v", i, s, r)
		}
	}
	second, err := b.ShownResult(ctx, id, 2)
	if err != nil || second.Text != ans.Results[1].Text {
		t.Errorf("ShownResult(2) = %+v, %v", second, err)
	}
	if _, err := b.ShownResult(ctx, id, 9); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("ShownResult(9): %v", err)
	}

	inQueue := func() bool {
		groups, err := b.Unanswered(ctx, knowledge.Operator)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			for _, qid := range g.QuestionIDs {
				if qid == id {
					return true
				}
			}
		}
		return false
	}
	if inQueue() {
		t.Fatal("a confident answer is in the queue")
	}
	if err := b.Feedback(ctx, id, 1, false, "没说交纳时间", 2); err != nil {
		t.Fatal(err)
	}
	if !inQueue() {
		t.Error("👎 did not put the question in the queue")
	}
	if err := b.Feedback(ctx, id, 1, false, "again", 2); err != nil {
		t.Fatal(err)
	}
	if err := b.Feedback(ctx, id, 1, true, "", 2); err != nil {
		t.Fatal(err)
	}
	if inQueue() {
		t.Error("the user's last vote (👍) should have taken it out of the queue")
	}
	if err := b.Feedback(ctx, id, 1, true, "", 3); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "kb_feedback"); n != 2 {
		t.Errorf("%d votes stored, want 2 (one a user)", n)
	}
	if err := b.Feedback(ctx, 999999, 1, true, "", 3); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("feedback on an unknown question: %v", err)
	}
	if _, err := b.Shown(ctx, 999999); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("unknown question: %v", err)
	}
}
