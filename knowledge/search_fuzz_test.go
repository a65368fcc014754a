package knowledge_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/knowledge"
)

// questionSeeds are questions as workers type them, and what else they
// send: greetings, numbers, emoji, query syntax, hostile lengths.
var questionSeeds = []string{
	"党费怎么交", "预备期多长时间？", "你好，预备期多长", "谢谢", "？", "👍", "8000", "工资8000交多少党费",
	"泉山区党务工作者分几级", "入党介绍人的条件", "+党费 -交纳 \"预备期\" title:x *", "党费~2^3 AND OR NOT (a:b)",
	"ＡＢＣ　党费", "\x02党费\x03", "党" + strings.Repeat("费", 2000), strings.Repeat("党费 ", 500), "a\u0300\u0301", "\xff\xfe党费",
}

// FuzzNormalize checks that normalizing is idempotent and gives valid
// UTF-8 without upper-case ASCII, quotation marks, or spaces at the ends
// or two in a row.
func FuzzNormalize(f *testing.F) {
	for _, s := range questionSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := knowledge.Normalize(s)
		switch {
		case !utf8.ValidString(n):
			t.Fatalf("Normalize(%q) = %q: not UTF-8", s, n)
		case knowledge.Normalize(n) != n:
			t.Fatalf("Normalize(%q) = %q, then %q", s, n, knowledge.Normalize(n))
		case strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  "):
			t.Fatalf("Normalize(%q) = %q: spaces", s, n)
		case strings.ContainsAny(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ“”‘’\"'《》"):
			t.Fatalf("Normalize(%q) = %q: upper case or quotation marks", s, n)
		case utf8.RuneCountInString(n) > utf8.RuneCountInString(s):
			t.Fatalf("Normalize(%q) = %q: longer in characters", s, n)
		}
		kind, rest := knowledge.ClassifyMessage(s)
		switch {
		case kind == knowledge.NotChatter && (rest == "" || knowledge.Normalize(rest) == ""):
			t.Fatalf("ClassifyMessage(%q) = a question, searching %q", s, rest)
		case kind != knowledge.NotChatter && rest != "":
			t.Fatalf("ClassifyMessage(%q) = %v with %q", s, kind, rest)
		case n == "" && kind != knowledge.Hint:
			t.Fatalf("ClassifyMessage(%q) = %v for nothing searchable", s, kind)
		}
	})
}

// FuzzSearch asks any question of a real index of the embedded content
// and checks the answer: at most the results asked for, ranked in order
// of score, each a passage or an FAQ entry with a confidence in [0, 1], a
// snippet that is its text (trimmed, with balanced marks) and an answer of
// valid UTF-8; confident only with a result.
func FuzzSearch(f *testing.F) {
	for i, s := range questionSeeds {
		f.Add(s, i%4, []string{"", "鼓楼区", "泉山区", "火星区"}[i%4])
	}
	_, st := mustStore(f)
	b := mustBase(f, st, "")
	if _, err := b.LoadContent(context.Background(), content.Embedded()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, question string, n int, district string) {
		if n < 0 {
			n = -(n + 1)
		}
		n %= 25
		ans, err := b.Find(context.Background(), knowledge.Request{Text: question, N: n, District: district})
		if err != nil {
			t.Fatalf("Find(%q, %d, %q): %v", question, n, district, err)
		}
		want := n
		if want == 0 {
			want = knowledge.DefaultResults
		}
		if len(ans.Results) > min(want, 20) || ans.Confident && len(ans.Results) == 0 || ans.Query != question {
			t.Fatalf("Find(%q, %d): %d results, confident %v, query %q", question, n, len(ans.Results), ans.Confident, ans.Query)
		}
		for i, r := range ans.Results {
			what := func() string { return question + " → " + r.Kind + " " + r.DocID + "#" + r.Section + " " + r.FAQID }
			switch {
			case r.Rank != i+1:
				t.Fatalf("%s: rank %d at %d", what(), r.Rank, i)
			case i > 0 && r.Score > ans.Results[i-1].Score:
				t.Fatalf("%s: score %v above %v of rank %d", what(), r.Score, ans.Results[i-1].Score, i)
			case !(r.Confidence >= 0 && r.Confidence <= 1):
				t.Fatalf("%s: confidence %v", what(), r.Confidence)
			case r.Kind == knowledge.KindPassage && (r.PassageID == 0 || r.DocID == ""),
				r.Kind == knowledge.KindFAQ && r.FAQID == "",
				r.Kind != knowledge.KindPassage && r.Kind != knowledge.KindFAQ:
				t.Fatalf("%s: result %+v", what(), r)
			case r.Text == "" || !utf8.ValidString(r.Answer) || !utf8.ValidString(r.Snippet):
				t.Fatalf("%s: text %q, answer %q, snippet %q", what(), r.Text, r.Answer, r.Snippet)
			}
			checkSnippet(t, what(), r)
			if s := b.AnswerSentence(question, r); !utf8.ValidString(s) {
				t.Fatalf("%s: AnswerSentence %q", what(), s)
			}
		}
	})
}

// checkSnippet checks that a snippet's marks alternate, start before end,
// and that without them and its ellipses it is a piece of the text.
func checkSnippet(t *testing.T, what string, r knowledge.Result) {
	t.Helper()
	open := false
	for _, c := range r.Snippet {
		switch c {
		case knowledge.MarkStart:
			if open {
				t.Fatalf("%s: snippet %q opens a mark twice", what, r.Snippet)
			}
			open = true
		case knowledge.MarkEnd:
			if !open {
				t.Fatalf("%s: snippet %q closes a mark not opened", what, r.Snippet)
			}
			open = false
		}
	}
	if open {
		t.Fatalf("%s: snippet %q leaves a mark open", what, r.Snippet)
	}
	plain := strings.NewReplacer(string(knowledge.MarkStart), "", string(knowledge.MarkEnd), "").Replace(r.Snippet)
	plain = strings.TrimSuffix(strings.TrimPrefix(plain, "…"), "…")
	if !strings.Contains(r.Text, plain) {
		t.Fatalf("%s: snippet %q is not a piece of the text %q", what, r.Snippet, r.Text)
	}
}
