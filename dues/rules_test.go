package dues_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/dues"
)

func mustRules(tb testing.TB) *dues.Rules {
	tb.Helper()
	r, err := dues.Load(content.Embedded())
	if err != nil {
		tb.Fatalf("the embedded dues.yaml: %v", err)
	}
	return r
}

func TestEmbeddedRulesLoad(t *testing.T) {
	r := mustRules(t)
	if r.Default() == nil || r.Default().ID != "employed" {
		t.Fatalf("default category = %+v, want employed", r.Default())
	}
	for _, c := range r.Categories {
		if !strings.HasPrefix(r.SourceOf(c), "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）一、党费收缴 第") {
			t.Errorf("category %s: source %q does not name the regulation and article", c.ID, r.SourceOf(c))
		}
		if c.Kind == dues.ByBrackets && len(c.Brackets) == 0 {
			t.Errorf("category %s has no brackets", c.ID)
		}
	}
}

func TestLoadWithoutFile(t *testing.T) {
	_, err := dues.Load(fstest.MapFS{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a folder without dues.yaml: %v, want fs.ErrNotExist", err)
	}
}

const goodRules = `document: 《规定》
keywords: [党费]
categories:
  - id: employed
    name: 在职党员
    button: 在职
    keywords: [工资]
    default: true
    base: 税后工资
    prompt: 税后月工资
    brackets:
      - upto: 3000
        rate: 0.5%
      - rate: 1%
    rule: 规则。
    source: 第一条
`

func TestParseProblems(t *testing.T) {
	if _, err := dues.Parse([]byte(goodRules)); err != nil {
		t.Fatalf("good rules: %v", err)
	}
	tests := []struct {
		name, replace, with string
		want                []string
	}{
		{"unordered brackets", "      - upto: 3000\n        rate: 0.5%\n", "      - upto: 5000\n        rate: 0.5%\n      - upto: 3000\n        rate: 1%\n",
			[]string{"dues.yaml:14: category \"employed\": bracket upto 3000 overlaps or comes before"}},
		{"overlapping brackets", "      - upto: 3000\n        rate: 0.5%\n", "      - upto: 3000\n        rate: 0.5%\n      - upto: 3000\n        rate: 1%\n",
			[]string{"dues.yaml:14: category \"employed\": bracket upto 3000 overlaps"}},
		{"rate out of range", "rate: 1%", "rate: 15%", []string{"dues.yaml:14: category \"employed\": rate 15% is out of range"}},
		{"zero rate", "rate: 1%", "rate: 0%", []string{"dues.yaml:14: category \"employed\": rate 0% is out of range"}},
		{"rate not a percentage", "rate: 1%", "rate: 0.01", []string{"dues.yaml:14: category \"employed\": rate \"0.01\" must be a percentage"}},
		{"missing source", "    source: 第一条\n", "", []string{"dues.yaml:4: category \"employed\": missing source"}},
		{"empty source", "source: 第一条", "source: \"\"", []string{"dues.yaml:16: category \"employed\": source is empty"}},
		{"open bracket not last", "      - rate: 1%\n", "      - rate: 1%\n      - upto: 9000\n        rate: 2%\n",
			[]string{"dues.yaml:14: category \"employed\": only the last bracket may leave out upto", "dues.yaml:15: category \"employed\": the last bracket must have no upto"}},
		{"unknown field", "    button: 在职\n", "    button: 在职\n    buton: 在职\n", []string{"dues.yaml:7: category: unknown field \"buton\""}},
		{"no default", "    default: true\n", "", []string{"no category has default: true"}},
		{"two kinds", "    base: 税后工资\n", "    base: 税后工资\n    fixed: 0.2\n", []string{"dues.yaml:4: category \"employed\": give exactly one of brackets"}},
		{"missing document", "document: 《规定》\n", "", []string{"dues.yaml:1: missing document"}},
		{"bad yaml", "keywords: [党费]", "keywords: [党费", []string{"dues.yaml:"}},
		{"bad upto", "upto: 3000", "upto: 三千", []string{"dues.yaml:12: category \"employed\": bracket upto \"三千\" is not an amount"}},
		{"default is fixed", "    base: 税后工资\n    prompt: 税后月工资\n    brackets:\n      - upto: 3000\n        rate: 0.5%\n      - rate: 1%\n", "    fixed: 0.2\n",
			[]string{"dues.yaml:4: category \"employed\": the default category must compute from an income"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(goodRules, tc.replace, tc.with, 1)
			if text == goodRules {
				t.Fatalf("the replacement %q changed nothing", tc.replace)
			}
			_, err := dues.Parse([]byte(text))
			var probs dues.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Parse = %v, want Problems", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems:\n%s\nwant one containing %q", err, w)
				}
			}
		})
	}
}

func TestParseCategoryProblems(t *testing.T) {
	more := goodRules + `  - id: retired
    name: 离退休党员
    button: 离退休
    keywords: [工资]
    brackets_of: nosuch
    base: 养老金
    prompt: 养老金
    rule: 规则。
    source: 第五条
  - id: farmer
    name: 农民党员
    button: 农民
    keywords: [农民]
    range: [2, 0.2]
    rule: 规则。
    source: 第六条
  - id: farmer
    name: 学生党员
    button: 学生
    keywords: [学生]
    fixed: 500
    rule: 规则。
    source: 第六条
`
	_, err := dues.Parse([]byte(more))
	if err == nil {
		t.Fatal("bad categories passed")
	}
	for _, w := range []string{
		`dues.yaml:17: category "retired": keyword "工资" already identifies category "employed"`,
		`dues.yaml:21: category "retired": brackets_of "nosuch": no such category`,
		`dues.yaml:30: category "farmer": range min 2 must be below max 0.2`,
		`dues.yaml:33: category "farmer": id used twice`,
		`dues.yaml:37: category "farmer": fixed 500 yuan is out of range`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("problems:\n%s\nwant %q", err, w)
		}
	}
}
