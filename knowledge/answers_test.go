package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

// The failures issue 8 reported, on the embedded content: each question
// must get the answer that answers it, first.
func TestCommonQuestionsGetTheirAnswerFirst(t *testing.T) {
	b := evalBase(t)
	for _, c := range []struct {
		q, district  string
		doc, section string
		answerHas    string
	}{
		{"预备期多长", "", "recruit-probation", "预备期", "一年"},
		{"发展党员有哪些步骤", "", "recruit-overview", "五个阶段", "阶段"},
		{"入党要多久", "", "recruit-overview", "最少要多长时间", "一年"},
		{"组织生活会多久开一次", "", "org-life-meeting", "召开时间和形式", "至少"},
		{"党务工作者分几级", "贾汪区", "district-quanshan", "四个等级", "四个等级"},
	} {
		ans, err := b.Find(context.Background(), knowledge.Request{Text: c.q, District: c.district})
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Results) == 0 {
			t.Errorf("%q: nothing", c.q)
			continue
		}
		r := ans.Results[0]
		if r.DocID != c.doc || r.Section != c.section || !strings.Contains(r.Answer, c.answerHas) {
			t.Errorf("%q: got %s#%s answering %q; want %s#%s with %q", c.q, r.DocID, r.Section, r.Answer, c.doc, c.section, c.answerHas)
		}
	}
}

// A result that lacks the count a question asks for is never confident.
func TestUncountedAnswerIsNotConfident(t *testing.T) {
	b := evalBase(t)
	ans, err := b.Find(context.Background(), knowledge.Request{Text: "党务工作者分几级", N: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ans.Results {
		if r.Confidence >= knowledge.Threshold && !strings.Contains(r.Text, "四个等级") && !strings.Contains(r.Text, "四级") {
			t.Errorf("%s#%s (%q) is confident without a count of 级", r.DocID, r.Section, r.Answer)
		}
	}
}
