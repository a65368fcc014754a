package knowledge

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestClassifyMessage(t *testing.T) {
	for _, c := range []struct {
		text  string
		kind  Chatter
		query string
	}{
		{"你好", Greeting, ""},
		{"您好呀！", Greeting, ""},
		{"在吗？", Greeting, ""},
		{"Hello", Greeting, ""},
		{"谢谢", Thanks, ""},
		{"好的，谢谢！", Thanks, ""},
		{"thx", Thanks, ""},
		{"？", Hint, ""},
		{"。。。", Hint, ""},
		{"👍", Hint, ""},
		{"吗", Hint, ""},
		{"嗯嗯", Hint, ""},
		{"8000", Number, ""},
		{"８０００元", Number, ""},
		{"一万二", Number, ""},
		{"八千块", Number, ""},
		{"十一", Number, ""},
		{"党费", NotChatter, "党费"},
		{"你好，预备期多长", NotChatter, "预备期多长"},
		{"在吗 党费怎么交", NotChatter, "党费怎么交"},
		{"谢谢你们的培训通知在哪看", NotChatter, "的培训通知在哪看"},
		{"history", NotChatter, "history"},
	} {
		kind, q := ClassifyMessage(c.text)
		if kind != c.kind || kind == NotChatter && c.query != "" && q != c.query && q != c.text {
			t.Errorf("ClassifyMessage(%q) = %v, %q; want %v, %q", c.text, kind, q, c.kind, c.query)
		}
	}
}

func TestChatterLeavesQuestionWordsAlone(t *testing.T) {
	for _, q := range []string{"好多党员没交党费怎么办", "对外出党员怎么管理", "是否可以代交党费"} {
		if kind, rest := ClassifyMessage(q); kind != NotChatter || rest != q {
			t.Errorf("ClassifyMessage(%q) = %v, %q", q, kind, rest)
		}
	}
}

// TestChatterSet checks the labelled messages of testdata/chatter.yaml.
func TestChatterSet(t *testing.T) {
	data, err := os.ReadFile("testdata/chatter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Text string `yaml:"text"`
		Kind string `yaml:"kind"`
	}
	if err := yaml.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]Chatter{"greeting": Greeting, "thanks": Thanks, "hint": Hint, "number": Number, "question": NotChatter}
	if len(cases) < 60 {
		t.Errorf("%d messages, want at least 60", len(cases))
	}
	for _, c := range cases {
		want, ok := kinds[c.Kind]
		if !ok {
			t.Fatalf("%q: unknown kind %q", c.Text, c.Kind)
		}
		if got, _ := ClassifyMessage(c.Text); got != want {
			t.Errorf("ClassifyMessage(%q) = %v, want %s", c.Text, got, c.Kind)
		}
	}
}

func TestRepetitiveTextIsAHint(t *testing.T) {
	if kind, _ := ClassifyMessage(strings.Repeat("党", 500)); kind != Hint {
		t.Errorf("党×500 = %v, want a hint", kind)
	}
	if kind, _ := ClassifyMessage("党员党员"); kind != NotChatter {
		t.Errorf("党员党员 = %v, want a question", kind)
	}
}
