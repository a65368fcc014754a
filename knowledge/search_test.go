package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

func mustSearch(tb testing.TB, b *knowledge.Base, q string, n int) knowledge.Answer {
	tb.Helper()
	ans, err := b.Search(context.Background(), q, n)
	if err != nil {
		tb.Fatalf("search %q: %v", q, err)
	}
	if ans.Query != q {
		tb.Errorf("answer query = %q, want %q as typed", ans.Query, q)
	}
	return ans
}

func TestSearchOneCharacter(t *testing.T) {
	b, _ := mustFixtureBase(t)
	for _, q := range []string{"党", "费", "薪"} {
		ans := mustSearch(t, b, q, 3)
		if len(ans.Results) == 0 {
			t.Errorf("%q found nothing", q)
			continue
		}
		if !strings.Contains(ans.Results[0].Text+ans.Results[0].Title+ans.Results[0].Section, q) {
			t.Errorf("%q: top result does not contain it: %+v", q, ans.Results[0])
		}
		if ans.Confident {
			t.Errorf("%q: a single character answered with confidence", q)
		}
	}
}

func TestSearchQuestionWordsDoNotSpoil(t *testing.T) {
	b, _ := mustFixtureBase(t)
	base := mustSearch(t, b, "党费", 3)
	if len(base.Results) == 0 {
		t.Fatal("党费 found nothing")
	}
	for _, q := range []string{"党费怎么交？", "请问党费是多少呢", "党费吗？？", "我想问一下党费"} {
		ans := mustSearch(t, b, q, 3)
		if len(ans.Results) == 0 || ans.Results[0].DocID != base.Results[0].DocID {
			t.Errorf("%q: top %+v, want document %s like 党费", q, ans.Results, base.Results[0].DocID)
		}
	}
	// a question of nothing but question words is searched as typed
	if _, err := b.Search(context.Background(), "怎么办？", 3); err != nil {
		t.Errorf("question words only: %v", err)
	}
}

func TestSearchSyntaxIsText(t *testing.T) {
	b, _ := mustFixtureBase(t)
	for _, q := range []string{`+-:^~*?"()`, `党费 +-:^~*?"()`, `-党费`, `body:党费`, `"党费"`, `党费^10`, `(((`, `*`, `\`, `/.*/`} {
		ans := mustSearch(t, b, q, 3)
		if strings.Contains(q, "党费") {
			if len(ans.Results) == 0 || ans.Results[0].DocID != "dues" {
				t.Errorf("%q: top %+v, want the dues document: syntax characters must not change the question", q, ans.Results)
			}
		}
	}
	if ans := mustSearch(t, b, `+-:^~*?"()`, 3); len(ans.Results) != 0 || ans.Confident {
		t.Errorf("punctuation only found %+v", ans.Results)
	}
}

func TestSearchOddQuestions(t *testing.T) {
	b, _ := mustFixtureBase(t)
	long := strings.Repeat("党费怎么交纳，", 4096/7+1)
	long = string([]rune(long)[:4096])
	for name, q := range map[string]string{
		"4096 characters": long,
		"emoji":           "😀👍🎉",
		"english":         "How do I pay party dues?",
		"digits":          "3000",
		"empty":           "",
		"spaces":          " \t\n",
		"control":         "党费\x02\x03\x00",
	} {
		t.Run(name, func(t *testing.T) {
			ans := mustSearch(t, b, q, 3)
			if name == "emoji" || name == "empty" || name == "spaces" {
				if len(ans.Results) != 0 || ans.Confident {
					t.Errorf("found %+v", ans.Results)
				}
			}
			if name == "english" && ans.Confident {
				t.Errorf("English answered with confidence: %+v", ans.Results[0])
			}
			if name == "4096 characters" && (len(ans.Results) == 0 || ans.Results[0].DocID != "dues") {
				t.Errorf("long question: %+v", ans.Results)
			}
			if name == "digits" && (len(ans.Results) == 0 || ans.Results[0].Section != "交纳比例") {
				t.Errorf("digits: %+v", ans.Results)
			}
		})
	}
}

func TestSearchFullWidth(t *testing.T) {
	b, _ := mustFixtureBase(t)
	for half, full := range map[string]string{
		"3000元以下": "３０００元以下",
		"2.5倍 本科": "２．５倍　本科",
	} {
		a, f := mustSearch(t, b, half, 3), mustSearch(t, b, full, 3)
		if len(a.Results) == 0 || len(a.Results) != len(f.Results) {
			t.Fatalf("%q: %d results, %q: %d", half, len(a.Results), full, len(f.Results))
		}
		for i := range a.Results {
			if a.Results[i].PassageID != f.Results[i].PassageID || a.Results[i].FAQID != f.Results[i].FAQID || a.Results[i].Score != f.Results[i].Score {
				t.Errorf("%q and %q differ at %d: %+v vs %+v", half, full, i, a.Results[i], f.Results[i])
			}
		}
	}
}

func TestSearchSynonyms(t *testing.T) {
	b, _ := mustFixtureBase(t)
	// 硕士 appears nowhere; the fixture's synonyms make it 研究生
	ans := mustSearch(t, b, "硕士", 3)
	if len(ans.Results) == 0 || ans.Results[0].DocID != "jiawang" {
		t.Fatalf("硕士: %+v, want the jiawang document through its synonym 研究生", ans.Results)
	}
	if !strings.Contains(ans.Results[0].Snippet, "\x02研究生\x03") {
		t.Errorf("snippet does not mark the synonym: %q", ans.Results[0].Snippet)
	}
	// quotation marks do not break a term: the text says “两新”组织
	ans = mustSearch(t, b, "非公企业和社会组织的薪酬", 3)
	if len(ans.Results) == 0 || ans.Results[0].DocID != "jiawang" {
		t.Errorf("非公企业和社会组织: %+v", ans.Results)
	}
}

func TestSearchResults(t *testing.T) {
	b, _ := mustFixtureBase(t)
	ans := mustSearch(t, b, "党费交多少", 5)
	if !ans.Confident || len(ans.Results) < 2 {
		t.Fatalf("answer = %+v", ans)
	}
	top := ans.Results[0]
	if top.DocID != "dues" || top.Rank != 1 {
		t.Errorf("top = %+v, want the dues document", top)
	}
	var faq *knowledge.Result
	for i, r := range ans.Results {
		if r.Kind == knowledge.KindFAQ {
			faq = &ans.Results[i]
		}
	}
	if faq == nil || faq.FAQID != "dues-how-much" || faq.DocID != "dues" || faq.Section != "交纳比例" || faq.Title != "党费交多少？" ||
		!strings.HasPrefix(faq.Text, "在职党员按税后月工资分档交纳") {
		t.Errorf("FAQ result = %+v", faq)
	}
	if top.Confidence < knowledge.Threshold || top.Confidence > 1 {
		t.Errorf("confidence = %v", top.Confidence)
	}
	seen := map[string]bool{}
	for i, r := range ans.Results {
		if r.Rank != i+1 {
			t.Errorf("rank %d at %d", r.Rank, i)
		}
		key := r.DocID + "#" + r.Section
		if seen[key] {
			t.Errorf("%s shown twice (the FAQ entry and its passage)", key)
		}
		seen[key] = true
		if r.Kind == knowledge.KindPassage && (r.PassageID == 0 || r.Title == "" || r.Source == "" || r.Date == "") {
			t.Errorf("passage result lacks fields: %+v", r)
		}
		if i > 0 && r.Score > ans.Results[i-1].Score {
			t.Errorf("results not ordered by score")
		}
	}
	p := mustSearch(t, b, "贾汪区薪酬", 1).Results[0]
	if p.District != "贾汪区" || p.Kind != knowledge.KindPassage {
		t.Errorf("district not carried: %+v", p)
	}
	full, err := b.Passage(context.Background(), p.PassageID)
	if err != nil || full.Text != p.Text || full.Title != p.Title {
		t.Errorf("Passage(%d) = %+v, %v", p.PassageID, full, err)
	}
}

func TestSnippet(t *testing.T) {
	_, st := mustStore(t)
	b := mustBase(t, st, "")
	ctx := context.Background()
	long := strings.Repeat("这是与问题无关的一句话。", 20) + "党员应当按月交纳党费，这是党员的义务。" + strings.Repeat("后面还有许多别的内容。", 20)
	if _, err := b.Import(ctx, "long.txt", []byte("长文\n"+long), knowledge.Operator); err != nil {
		t.Fatal(err)
	}
	ans := mustSearch(t, b, "按月交纳党费", 1)
	if len(ans.Results) == 0 {
		t.Fatal("nothing found")
	}
	s := ans.Results[0].Snippet
	if n := len([]rune(s)); n > 310 {
		t.Errorf("snippet is %d characters", n)
	}
	if !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
		t.Errorf("trimmed snippet without ellipses: %q", s)
	}
	if !strings.Contains(s, "\x02按月交纳党费\x03") {
		t.Errorf("matched words not marked: %q", s)
	}
	if ans.Results[0].Text != long {
		t.Errorf("Text is not the whole passage")
	}
}
