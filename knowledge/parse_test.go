package knowledge_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/dangwu/dangwu/knowledge"
)

func sections(d knowledge.Document) []string {
	var out []string
	for _, p := range d.Passages {
		out = append(out, p.Section)
	}
	return out
}

func TestParseMarkdown(t *testing.T) {
	src := "---\nid: dues\ntitle: 党费的交纳\nsource: 《规定》\ndate: 2008-02-01\ntags: [党费, 交纳]\ndistrict: 贾汪区\n---\n" +
		"党费是党员向党组织交纳的费用。\n\n## 交纳比例\n按月交纳，**税后**计算。\n\n第二段。\n\n## 空节\n\n### 自行脱党\n连续6个月不交纳党费的，按自行脱党处理。\n```\n## 不是标题\n```\n"
	d, problems := knowledge.ParseMarkdown("knowledge/x.md", "x", []byte(src))
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if d.ID != "dues" || d.Title != "党费的交纳" || d.Source != "《规定》" || d.Date != "2008-02-01" || d.District != "贾汪区" {
		t.Errorf("front matter: %+v", d)
	}
	if strings.Join(d.Tags, ",") != "党费,交纳" {
		t.Errorf("tags = %v", d.Tags)
	}
	if got, want := strings.Join(sections(d), "|"), "党费的交纳|交纳比例|自行脱党"; got != want {
		t.Errorf("sections = %s, want %s", got, want)
	}
	if got := d.Passages[1].Text; got != "按月交纳，税后计算。\n\n第二段。" {
		t.Errorf("passage text = %q", got)
	}
	if !strings.Contains(d.Passages[2].Text, "## 不是标题") {
		t.Errorf("a heading inside a code fence split the passage: %q", d.Passages[2].Text)
	}

	// no front matter: the id is the file name, the title the # heading
	d, problems = knowledge.ParseMarkdown("knowledge/plain.md", "plain", []byte("# 标题\n\n正文。\n"))
	if len(problems) > 0 || d.ID != "plain" || d.Title != "标题" || len(d.Passages) != 1 || d.Passages[0].Section != "标题" {
		t.Errorf("plain markdown: %+v %v", d, problems)
	}
}

func TestParseMarkdownProblems(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unclosed front matter", "---\ntitle: x\n", "knowledge/bad.md:1: front matter is not closed"},
		{"unknown field", "---\ntitle: x\nauthor: y\n---\n正文\n", `knowledge/bad.md:3: unknown field "author"`},
		{"bad yaml", "---\ntitle: [x\n---\n正文\n", "knowledge/bad.md:"},
		{"bad id", "---\nid: Bad Id\ntitle: x\n---\n正文\n", `id "Bad Id"`},
		{"no title", "正文\n", "no title"},
		{"no text", "---\ntitle: x\n---\n\n", "no text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := knowledge.ParseMarkdown("knowledge/bad.md", "bad", []byte(tc.src))
			if len(problems) == 0 {
				t.Fatal("no problem reported")
			}
			if got := problems[0].String(); !strings.Contains(got, tc.want) {
				t.Errorf("problem = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

func TestParseFAQ(t *testing.T) {
	src := `- id: a
  question: 党费交多少？
  alternatives: [工资五千交多少, 党费比例]
  answer: 按比例交纳。
  source: 规定
  doc: dues
  section: 交纳比例
- id: b
  question: 没有答案
- id: c
  question: 问题
  answer: 答案
  colour: red
`
	faqs, problems := knowledge.ParseFAQ("faq/x.yaml", []byte(src))
	if len(faqs) != 1 {
		t.Fatalf("%d entries, want 1", len(faqs))
	}
	f := faqs[0]
	if f.ID != "a" || f.Question != "党费交多少？" || len(f.Alternatives) != 2 || f.DocID != "dues" || f.Section != "交纳比例" || f.Hash == "" {
		t.Errorf("entry = %+v", f)
	}
	got := make([]string, len(problems))
	for i, p := range problems {
		got[i] = p.String()
	}
	want := []string{"faq/x.yaml:8: entry b: no answer", `faq/x.yaml:13: unknown field "colour"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, problems := knowledge.ParseFAQ("faq/y.yaml", []byte("id: a\n")); len(problems) != 1 {
		t.Errorf("a mapping instead of a list: problems %v", problems)
	}
}

func TestParseSynonyms(t *testing.T) {
	syn, problems := knowledge.ParseSynonyms("synonyms.txt", []byte("# 注释\n支书, 支部书记，党支部书记 # 行尾注释\n\nＡＢＣ,abc,甲\n孤单\n"))
	if len(syn.Groups) != 2 {
		t.Fatalf("groups = %v", syn.Groups)
	}
	if got := strings.Join(syn.Groups[0], "|"); got != "支书|支部书记|党支部书记" {
		t.Errorf("group 1 = %s", got)
	}
	if got := strings.Join(syn.Groups[1], "|"); got != "abc|甲" {
		t.Errorf("group 2 = %s (full width folded, duplicates dropped)", got)
	}
	if len(problems) != 1 || problems[0].String() != "synonyms.txt:5: a synonym group needs at least two terms separated by commas" {
		t.Errorf("problems = %v", problems)
	}
}

func TestParseTextHeadings(t *testing.T) {
	src := "党支部工作提示\n\n前言一段。\n一、总体要求\n要求正文。\n（一）指导思想\n思想正文。\n第三条 党支部是党的基础组织，担负直接教育党员的职责。\n1. 按时交纳\n交纳正文。\n2. 这是一条很长的编号句子，它以句号结尾，因此不是标题。\n"
	d, err := knowledge.ParseFile(context.Background(), "提示.txt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "党支部工作提示" {
		t.Errorf("title = %q", d.Title)
	}
	if got, want := strings.Join(sections(d), "|"), "党支部工作提示|一、总体要求|（一）指导思想|第三条|1. 按时交纳"; got != want {
		t.Errorf("sections = %s, want %s", got, want)
	}
	if !strings.HasPrefix(d.Passages[3].Text, "第三条 党支部是党的基础组织") {
		t.Errorf("an article keeps its text: %q", d.Passages[3].Text)
	}
	if !strings.Contains(d.Passages[4].Text, "2. 这是一条很长的编号句子") {
		t.Errorf("a long numbered sentence is text: %q", d.Passages[4].Text)
	}
	if !strings.HasPrefix(d.ID, "doc-") || len(d.ID) != len("doc-")+8 {
		t.Errorf("id of a Chinese file name = %q, want doc- and 8 hex digits", d.ID)
	}
	again, _ := knowledge.ParseFile(context.Background(), "提示.txt", []byte(src))
	if again.ID != d.ID {
		t.Errorf("id not stable: %s then %s", d.ID, again.ID)
	}
}

// TestParseQuestionSheet: a sheet of questions and answers in plain text
// is split at its questions, 问：… lines and numbered questions, each
// heading the answer under it; a 问题： line that asks nothing is text.
func TestParseQuestionSheet(t *testing.T) {
	src := "经开区政策问答\n问：工资每月几号发放？\n答：每月15日前发放上月工资。\n问:住房公积金按什么比例缴纳？\n答：按12%缴存。\n" +
		"3. 考试在哪里？\n在区委党校三楼。\n问题：部分企业党建经费不足，需要统筹解决。\n"
	d, err := knowledge.ParseFile(context.Background(), "问答.txt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "问：工资每月几号发放？|问:住房公积金按什么比例缴纳？|3. 考试在哪里？"
	if got := strings.Join(sections(d), "|"); got != want {
		t.Errorf("sections = %s, want %s", got, want)
	}
	if got := d.Passages[0].Text; got != "每月15日前发放上月工资。" {
		t.Errorf("answer %q: want it without 答：", got)
	}
	if n := len(d.Passages); n != 3 || !strings.Contains(d.Passages[2].Text, "问题：部分企业") {
		t.Errorf("%d passages; a 问题： line that asks nothing stays text: %+v", n, d.Passages)
	}
}

// TestParseMarkdownQuestionLines: a Markdown Q&A written without #
// headings, its questions in bold 问： lines, is split at them.
func TestParseMarkdownQuestionLines(t *testing.T) {
	src := "# 考试问答\n\n**问：考试在哪里？**\n\n答：在区委党校三楼。\n\n**问：带什么证件？**\n\n答：身份证和准考证。\n"
	d, err := knowledge.ParseFile(context.Background(), "问答.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(sections(d), "|"), "问：考试在哪里？|问：带什么证件？"; got != want {
		t.Errorf("sections = %s, want %s", got, want)
	}
}

// TestParseMarkdownRuleOnTop: an imported .md whose first line is a ---
// that nothing closes (a horizontal rule) is read as text, not refused as
// an empty document; `dangwu check` still reports it in content.
func TestParseMarkdownRuleOnTop(t *testing.T) {
	src := "---\n# 研学通知\n\n## 集合时间\n\n4月15日早上7点在区政府广场集合。\n"
	d, err := knowledge.ParseFile(context.Background(), "通知.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "研学通知" || strings.Join(sections(d), "|") != "集合时间" {
		t.Errorf("title %q, sections %v", d.Title, sections(d))
	}
	if _, problems := knowledge.ParseMarkdown("通知.md", "tz", []byte(src)); len(problems) == 0 {
		t.Error("content with an unclosed front matter: no problem reported")
	}
}

// TestParseArticlesUnderChapters: measures written as chapters and
// articles are split by article, each named with its chapter; an article
// under no chapter, or after another kind of heading, keeps its own name.
func TestParseArticlesUnderChapters(t *testing.T) {
	src := "某县专职党务工作者管理办法\n\n第一章 总则\n第一条 为规范管理，制定本办法。\n第二条 本办法适用于全县专职党务工作者。\n" +
		"第二章 请休假\n第三条 请事假3天以内的，由所在党组织书记批准。\n第四条 年休假按国家规定执行。\n" +
		"一、附则说明\n第五条 本办法自印发之日起施行。\n"
	d, err := knowledge.ParseFile(context.Background(), "办法.txt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "第一章 总则 第一条|第一章 总则 第二条|第二章 请休假 第三条|第二章 请休假 第四条|第五条"
	if got := strings.Join(sections(d), "|"); got != want {
		t.Errorf("sections = %s, want %s", got, want)
	}
	for _, p := range d.Passages {
		if !strings.HasPrefix(p.Text, "第") {
			t.Errorf("section %s: an article keeps its text: %q", p.Section, p.Text)
		}
	}
}

func TestParseTextEncodings(t *testing.T) {
	const text = "党费交纳须知\n一、交纳比例\n税后工资3000元以下交0.5%。\n"
	gbk, _, err := transform.Bytes(simplifiedchinese.GBK.NewEncoder(), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	utf16, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"utf-8":     []byte(text),
		"utf-8 bom": append([]byte("\ufeff"), text...),
		"gbk":       gbk,
		"utf-16":    utf16,
	} {
		t.Run(name, func(t *testing.T) {
			d, err := knowledge.ParseFile(context.Background(), "dues.txt", data)
			if err != nil {
				t.Fatal(err)
			}
			if d.ID != "dues" || d.Title != "党费交纳须知" || len(d.Passages) != 1 || d.Passages[0].Section != "一、交纳比例" ||
				d.Passages[0].Text != "税后工资3000元以下交0.5%。" {
				t.Errorf("got %+v", d)
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		data []byte
		want error
	}{
		{"unsupported", "a.pdf", []byte("%PDF"), knowledge.ErrUnsupportedFormat},
		{"old word", "a.doc", []byte("x"), knowledge.ErrUnsupportedFormat},
		{"empty", "a.txt", nil, knowledge.ErrEmptyDocument},
		{"whitespace", "a.md", []byte(" \n\t\u3000\n"), knowledge.ErrEmptyDocument},
		{"punctuation only", "a.txt", []byte("标题\n。。。\n"), knowledge.ErrEmptyDocument},
		{"front matter only", "a.md", []byte("---\ntitle: x\n---\n"), knowledge.ErrEmptyDocument},
		{"too large", "a.txt", make([]byte, knowledge.MaxFileSize+1), knowledge.ErrFileTooLarge},
		{"docx not a zip", "a.docx", []byte("this is not a zip"), knowledge.ErrNotDocx},
		{"docx without document.xml", "a.docx", zipOf(t, map[string]string{"hello.txt": "x"}), knowledge.ErrNotDocx},
		{"docx with no text", "a.docx", docx(t, nil), knowledge.ErrEmptyDocument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := knowledge.ParseFile(context.Background(), tc.file, tc.data)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"党费怎么交？":               "党费怎么交",
		"ＡＢＣ１２３　党费":            "abc123 党费",
		"“两新”组织":               "两新组织",
		"a+b-c:d^e~f*g?h\"(i)": "a b c d e f g h i",
		"  ":                   "",
	} {
		if got := knowledge.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
