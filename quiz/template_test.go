package quiz_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/quiz"
)

func writeTemplate(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := quiz.WriteTemplate(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestTemplateRoundTrip: the template's examples import without a problem,
// one of each type, against the knowledge documents they cite.
func TestTemplateRoundTrip(t *testing.T) {
	got, err := quiz.ReadBankFile(context.Background(), "题库模板.xlsx", writeTemplate(t), contentChecker(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Problems) > 0 || got.Rows != 3 {
		t.Fatalf("problems %v, rows %d; want none, 3", got.Problems, got.Rows)
	}
	var kinds []quiz.Kind
	for _, q := range got.Questions {
		kinds = append(kinds, q.Kind)
		if q.Doc == "" || q.Section == "" || !strings.HasPrefix(q.ID, "imp-") {
			t.Errorf("line %d: doc %q section %q id %q; want a cited passage and a derived id", q.Line, q.Doc, q.Section, q.ID)
		}
	}
	if want := []quiz.Kind{quiz.Single, quiz.Multiple, quiz.Judge}; !slices.Equal(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
}

// TestTemplateFacts: the 党费 examples say what the calculator computes
// from content/dues.yaml.
func TestTemplateFacts(t *testing.T) {
	rules, err := dues.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	got, err := quiz.ReadBankFile(context.Background(), "t.xlsx", writeTemplate(t), quiz.Checker{})
	if err != nil || len(got.Questions) != 3 {
		t.Fatalf("%v, %d questions", err, len(got.Questions))
	}
	employed, err := rules.Calculate("employed", 8000*100)
	if err != nil {
		t.Fatal(err)
	}
	single := got.Questions[0]
	if want := employed.Dues.Yuan() + "元"; single.Options[single.Answer[0]] != want || !strings.Contains(single.Text, "8000元") {
		t.Errorf("the single example's answer is %q, the calculator says %s for 8000元", single.Options[single.Answer[0]], want)
	}
	retired, err := rules.Calculate("retired", 6000*100)
	if err != nil {
		t.Fatal(err)
	}
	judge := got.Questions[2]
	if !strings.Contains(judge.Text, "6000元") || !strings.Contains(judge.Text, "1.5%") || retired.Bracket.Rate.String() == "1.5%" ||
		judge.Answer[0] != 1 || !strings.Contains(judge.Explanation, retired.Dues.Yuan()+"元") {
		t.Errorf("the judge example (%q, answer %v) disagrees with the calculator: %s, %s元", judge.Text, judge.Answer, retired.Bracket.Rate, retired.Dues.Yuan())
	}
}

func TestTemplateLayout(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeTemplate(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{quiz.TemplateSheet, quiz.TemplateHelpSheet}) {
		t.Fatalf("sheets = %v", got)
	}
	header, err := f.GetRows(quiz.TemplateSheet)
	if err != nil || len(header) != 4 {
		t.Fatalf("%d rows, %v; want a header and three examples", len(header), err)
	}
	want := []string{"题号", "题型", "专题", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "出处文档", "出处章节", "适用区县"}
	if !slices.Equal(header[0], want) {
		t.Errorf("header = %v, want %v", header[0], want)
	}
	panes, err := f.GetPanes(quiz.TemplateSheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	id, err := f.GetCellStyle(quiz.TemplateSheet, "E1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(id)
	if err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", style, err)
	}
	if w, err := f.GetColWidth(quiz.TemplateSheet, "E"); err != nil || w < 30 {
		t.Errorf("题干 width = %v, %v; want a wide column", w, err)
	}
	help, err := f.GetRows(quiz.TemplateHelpSheet)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, r := range help {
		text.WriteString(strings.Join(r, "|") + "\n")
	}
	for _, s := range []string{"题干|必填|题目内容，最多300字", "每个选项最多100字", "最多6个选项", "判断题不填选项", "最多200字，且最多2处换行", "题号|选填", "出处文档|选填", "专题|必填"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("填写说明 does not say %q:\n%s", s, text.String())
		}
	}
}
