package quiz_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/table/xlsxtest"
	"github.com/dangwu/dangwu/quiz"
)

// fuzzChecker knows one document with one section, and two districts.
var fuzzChecker = quiz.Checker{
	Section: func(doc, section string) (bool, bool) {
		return doc == "dues-rates", section == "在职党员的交纳比例"
	},
	District: func(name string) (string, bool) {
		switch name {
		case "鼓楼区", "鼓楼":
			return "鼓楼区", true
		case "泉山区":
			return "泉山区", true
		}
		return "", false
	},
}

// checkQuestion checks a question a bank gave as good: what Check would
// accept again, unchanged, and what a quiz can show and grade.
func checkQuestion(t *testing.T, what string, q quiz.Question) {
	t.Helper()
	again := q
	again.Options = slices.Clone(q.Options)
	again.Answer = slices.Clone(q.Answer)
	if ps := fuzzChecker.Check(&again); len(ps) > 0 {
		t.Fatalf("%s: question %+v accepted, then checked again: %v", what, q, ps)
	}
	switch {
	case again.ID != q.ID || again.Text != q.Text || again.Topic != q.Topic || again.District != q.District || !slices.Equal(again.Options, q.Options):
		t.Fatalf("%s: question %+v changed when checked again: %+v", what, q, again)
	case q.Kind != quiz.Single && q.Kind != quiz.Multiple && q.Kind != quiz.Judge:
		t.Fatalf("%s: kind %q", what, q.Kind)
	case len(q.Options) < quiz.MinOptions || len(q.Options) > quiz.MaxOptions:
		t.Fatalf("%s: %d options", what, len(q.Options))
	case len(q.Answer) == 0 || !slices.IsSorted(q.Answer) || len(slices.Compact(slices.Clone(q.Answer))) != len(q.Answer):
		t.Fatalf("%s: answer %v", what, q.Answer)
	case q.Answer[0] < 0 || q.Answer[len(q.Answer)-1] >= len(q.Options):
		t.Fatalf("%s: answer %v of %d options", what, q.Answer, len(q.Options))
	case !q.Correct(q.Answer) || len(q.Answer) > 1 && q.Correct(q.Answer[:1]):
		t.Fatalf("%s: answer %v does not grade as itself", what, q.Answer)
	case q.Line < 1 || q.Bank == "":
		t.Fatalf("%s: line %d of bank %q", what, q.Line, q.Bank)
	}
	for _, s := range append([]string{q.ID, q.Text, q.Topic, q.Explanation, q.Doc, q.Section, q.District}, q.Options...) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
			t.Fatalf("%s: text %q", what, s)
		}
	}
	q.PollReady()
}

// readBank reads a bank file and checks the result: known errors only;
// good questions that satisfy checkQuestion, with unique ids, no more
// than the rows read; problems with a line and a reason. It bounds what
// the read allocates by the size of the file.
func readBank(t *testing.T, name string, data []byte) quiz.BankFile {
	t.Helper()
	var (
		bf  quiz.BankFile
		err error
	)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	bf, err = quiz.ReadBankFile(context.Background(), name, data, fuzzChecker)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256*inflatedSize(data)+(8<<20) {
		t.Fatalf("ReadBankFile(%s) of %d bytes allocated %d MB", name, len(data), alloc>>20)
	}
	what := fmt.Sprintf("ReadBankFile(%s, %q)", name, data)
	if err != nil {
		var ce *quiz.ColumnError
		for _, known := range []error{quiz.ErrBankTooLarge, quiz.ErrUnsupportedFile, quiz.ErrNotWorkbook, quiz.ErrUnknownEncoding, quiz.ErrLineTooLong} {
			if errors.Is(err, known) {
				return bf
			}
		}
		if !errors.As(err, &ce) || ce.Column == "" || ce.Err == nil || err.Error() == "" {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return bf
	}
	if len(bf.Questions) > bf.Rows || len(bf.Questions) > quiz.MaxImportRows {
		t.Fatalf("%s: %d questions of %d rows", what, len(bf.Questions), bf.Rows)
	}
	seen := map[string]bool{}
	for _, q := range bf.Questions {
		checkQuestion(t, what, q)
		if seen[q.ID] {
			t.Fatalf("%s: id %q twice", what, q.ID)
		}
		seen[q.ID] = true
	}
	for _, p := range bf.Problems {
		if p.Err == nil || p.Line < 1 || p.Error() == "" || !utf8.ValidString(p.Value) || utf8.RuneCountInString(p.Value) > 31 {
			t.Fatalf("%s: problem %+v", what, p)
		}
	}
	return bf
}

// inflatedSize is a workbook's size once inflated, at most: its parts as
// they declare, or the file itself.
func inflatedSize(data []byte) uint64 { return uint64(len(data)) * 1100 }

// bankSeeds are bank files as coordinators send them, good and bad.
var bankSeeds = []string{
	"题号,题型,专题,难度,题干,选项A,选项B,选项C,选项D,答案,解析\nq1,单选,党费,1,党费按月交吗？,是,否,,,A,按月交纳。\n,判断,党费,基础,党员可以不交党费。,,,,,错,必须交纳。\nq3,多选,党费,2.0,哪些要交？,在职,退休,学生,,\"A,B\",都要交。\n",
	"题型;专题;题干;答案;解析\n单选;党费;题;E;略\n多选;党费;题;A;略\n判断;党费;题;是;\n",
	"*题型（必填）\t专题\t题干\t选项 A\t选项 B\t答案\t解析\n未知\t党费\t题\ta\tb\tA\t解析\n",
	"题型,题型,专题,题干,答案,解析\n",
	"说明\n\n\n题干,答案\n",
	"type,topic,question,option_a,option_b,answer,explanation,doc,section,district\nsingle,x,q,a,a,A,e,dues-rates,无此章节,火星区\n",
	"- id: q1\n  type: single\n  topic: 党费\n  difficulty: 1\n  question: 党费按月交吗？\n  options: [是, 否]\n  answer: A\n  explanation: 按月交纳。\n  doc: dues-rates\n  section: 在职党员的交纳比例\n",
	"- id: q1\n  type: multiple\n  answer: [A, C]\n  options: [a, b, c]\n- id: q1\n- 3\n- {unknown: 1}\n",
	"a: &a [*a]\n",
}

// TestReadBankHostileYAML: a bank entry that repeats one key, or has tens
// of thousands of keys, is one problem: yaml.v3 compares every key of a
// mapping with every other when it decodes it (a 4 MB bank of one entry of
// 700,000 keys did not finish in ten minutes, and one key given 13,000
// times makes an error for each of 80 million pairs). A bank of more list
// items, keys and commas than 5,000 questions have is refused before it is
// parsed (4 MB of "1," took 6.6 s and 487 MB).
func TestReadBankHostileYAML(t *testing.T) {
	var wide strings.Builder
	wide.WriteString("- {")
	for i := range 50_000 {
		fmt.Fprintf(&wide, "k%d: 1, ", i)
	}
	wide.WriteString("id: x}\n")
	for _, tt := range []struct{ name, yaml string }{
		{"an entry of 50,000 keys", wide.String()},
		{"4 MB of list items", "[" + strings.Repeat("1,", 2<<20-8) + "1]"},
		{"an entry repeating a key", "- {" + strings.Repeat("id: x, ", 13_000) + "type: single}\n"},
		{"an exam repeating a key", "- {" + strings.Repeat("id: x, ", 13_000) + "title: t}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var problems []quiz.Problem
			alloc := memtest.Allocated(t, func() {
				if strings.Contains(tt.name, "exam") {
					_, problems = quiz.ParseExams("quiz/exams.yaml", []byte(tt.yaml), nil)
					return
				}
				bf, err := quiz.ReadBankFile(context.Background(), "题库.yaml", []byte(tt.yaml), fuzzChecker)
				if err != nil {
					t.Fatal(err)
				}
				problems = bf.Problems
			})
			if len(problems) != 1 || !errors.Is(problems[0], quiz.ErrYAML) && !errors.Is(problems[0], quiz.ErrExamField) && !errors.Is(problems[0], quiz.ErrBankTooLarge) {
				t.Errorf("problems %v, want one", problems)
			}
			if alloc > 16*uint64(len(tt.yaml))+(32<<20) {
				t.Errorf("%d KB of YAML allocated %d MB", len(tt.yaml)>>10, alloc>>20)
			}
		})
	}
}

// FuzzReadBankFile checks a bank file of any bytes, as .csv or .yaml.
func FuzzReadBankFile(f *testing.F) {
	for _, s := range bankSeeds {
		f.Add([]byte(s), strings.HasPrefix(s, "-") || strings.HasPrefix(s, "a:"))
	}
	for _, d := range contentBanks(f) {
		f.Add(d, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		name := "题库.csv"
		if yaml {
			name = "题库.yaml"
		}
		readBank(t, name, data)
	})
}

// contentBanks are two banks of the embedded content.
func contentBanks(tb testing.TB) [][]byte {
	var out [][]byte
	for _, name := range []string{"branch.yaml", "dues.yaml"} {
		data, err := fs.ReadFile(content.Embedded(), quiz.Dir+"/"+name)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// FuzzReadBankXLSX checks a bank workbook whose sheet is any XML.
func FuzzReadBankXLSX(f *testing.F) {
	header := `<row r="1">` + xlsxtest.InlineCell("A1", "题型") + xlsxtest.InlineCell("B1", "专题") + xlsxtest.InlineCell("C1", "题干") +
		xlsxtest.InlineCell("D1", "选项A") + xlsxtest.InlineCell("E1", "选项B") + xlsxtest.InlineCell("F1", "答案") + xlsxtest.InlineCell("G1", "解析") + `</row>`
	f.Add(`<si><t>单选</t></si>`, header+`<row r="2"><c r="A2" t="s"><v>0</v></c>`+xlsxtest.InlineCell("B2", "党费")+xlsxtest.InlineCell("C2", "题？")+
		xlsxtest.InlineCell("D2", "是")+xlsxtest.InlineCell("E2", "否")+xlsxtest.InlineCell("F2", "A")+xlsxtest.InlineCell("G2", "略")+`</row>`)
	f.Add("", header+`<row r="3"><c r="XFD3"><v>1</v></c></row>`)
	f.Add("", `<row r="1"><c r="A1" t="s"><v>9</v></c></row>`)
	f.Add("", header+strings.Repeat(`<row><c><v>1</v></c></row>`, 30))
	f.Fuzz(func(t *testing.T, sst, sheet string) {
		readBank(t, "题库.xlsx", xlsxtest.Workbook(t, sst, xlsxtest.Sheet{Name: "题库", Data: sheet}))
	})
}

// FuzzBankRoundTrip checks that a question written in a bank, as CSV and
// as an .xlsx sheet, reads back as written, or is refused with a problem.
func FuzzBankRoundTrip(f *testing.F) {
	f.Add("单选", "党费", "2", "党费按月交吗？", "是", "否", "", "A", "按月交纳。")
	f.Add("多选", "党费", "", "哪些要交？", "在职", "退休", "学生", "A、C", "都要交。")
	f.Add("判断", "党费", "难", "党员可以不交党费。", "", "", "", "×", "必须交纳。")
	f.Add("single", " 空格 ", "3", "\"引号\", 逗号", "a\nb", "a", "c", "b", "多\n行\n解\n析")
	f.Fuzz(func(t *testing.T, kind, topic, difficulty, text, a, b, c, answer, explanation string) {
		row := []string{kind, topic, difficulty, text, a, b, c, answer, explanation}
		for _, s := range row {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\x00\ufeff\t;") || strings.ContainsFunc(s, func(r rune) bool { return !xmlChar(r) }) {
				return
			}
		}
		header := []string{"题型", "专题", "难度", "题干", "选项A", "选项B", "选项C", "答案", "解析"}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.WriteAll([][]string{header, row})
		var sheet strings.Builder
		for line, r := range [][]string{header, row} {
			fmt.Fprintf(&sheet, `<row r="%d">`, line+1)
			for i, s := range r {
				if s != "" {
					sheet.WriteString(xlsxtest.InlineCell(fmt.Sprintf("%c%d", 'A'+i, line+1), s))
				}
			}
			sheet.WriteString("</row>")
		}
		csvBank := readBank(t, "题库.csv", buf.Bytes())
		xlsxBank := readBank(t, "题库.xlsx", xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "题库", Data: sheet.String()}))
		for _, bf := range []quiz.BankFile{csvBank, xlsxBank} {
			if len(bf.Questions)+min(len(bf.Problems), 1) != 1 && strings.Join(row, "") != "" {
				t.Fatalf("row %q: %d questions, %d problems", row, len(bf.Questions), len(bf.Problems))
			}
			if len(bf.Questions) == 0 {
				continue
			}
			q := bf.Questions[0]
			if q.Text != strings.TrimSpace(text) || q.Topic != strings.TrimSpace(topic) || q.Explanation != strings.TrimSpace(explanation) || q.Line != 2 {
				t.Fatalf("row %q read as %+v", row, q)
			}
			if q.Kind != quiz.Judge {
				var opts []string
				for _, o := range []string{a, b, c} {
					opts = append(opts, strings.TrimSpace(o))
				}
				for len(opts) > 0 && opts[len(opts)-1] == "" {
					opts = opts[:len(opts)-1]
				}
				if !slices.Equal(q.Options, opts) {
					t.Fatalf("row %q: options %q", row, q.Options)
				}
			}
		}
		if len(csvBank.Questions) != len(xlsxBank.Questions) || len(csvBank.Problems) != len(xlsxBank.Problems) {
			t.Fatalf("row %q: csv %d questions %v, xlsx %d questions %v", row, len(csvBank.Questions), csvBank.Problems, len(xlsxBank.Questions), xlsxBank.Problems)
		}
	})
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// FuzzParseAnswer checks that an answer read is ascending, without
// duplicates and among the options, and that the letters of any answer
// read back as it.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{"B", "ACD", "A,C", "a、c", "Ｂ", "正确", "错", "√", "×", "T", "", "E", "A1", "ZZZ", "ａｂ", "；/|"} {
		f.Add(s, 4, false)
		f.Add(s, 2, true)
	}
	f.Fuzz(func(t *testing.T, s string, options int, judge bool) {
		kind := quiz.Single
		if judge {
			kind = quiz.Judge
		}
		a, err := quiz.ParseAnswer(kind, s, options)
		if err != nil {
			if !errors.Is(err, quiz.ErrNoAnswer) && !errors.Is(err, quiz.ErrAnswerNotOption) || a != nil {
				t.Fatalf("ParseAnswer(%q, %d) = %v, %v", s, options, a, err)
			}
			return
		}
		if len(a) == 0 || !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != len(a) || a[0] < 0 || a[len(a)-1] >= max(options, 2) {
			t.Fatalf("ParseAnswer(%q, %d) = %v", s, options, a)
		}
		if judge {
			if len(a) != 1 {
				t.Fatalf("ParseAnswer(judge, %q) = %v", s, a)
			}
			return
		}
		if back, err := quiz.ParseAnswer(kind, quiz.Letters(a), options); err != nil || !slices.Equal(back, a) {
			t.Fatalf("ParseAnswer(%q) = %v, whose letters %q read as %v (%v)", s, a, quiz.Letters(a), back, err)
		}
	})
}

// FuzzParseExams checks an exam papers file of any text against the
// embedded banks: each paper kept has a safe unique id, a title, a
// duration of 1 to 180 minutes as written, a pass mark of 1 to 100, an
// attempt, a period, and 1 to 100 questions its topics can fill.
func FuzzParseExams(f *testing.F) {
	data, err := fs.ReadFile(content.Embedded(), quiz.Dir+"/"+quiz.ExamsFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{
		"- id: e1\n  title: 测验\n  minutes: 30\n  pass: 60\n  attempts: 1\n  period: week\n  quotas:\n    - topic: 支部工作\n      count: 5\n",
		"- id: e1\n  title: t\n  minutes: 9007199254741022\n  pass: 60\n  attempts: 1\n  quotas: [{topic: 支部工作, count: 1}]\n",
		"- id: e1\n  title: t\n  minutes: 307445734561825861\n  pass: 60\n  attempts: 1\n  quotas: [{topic: 支部工作, count: 1}]\n",
		"- id: e1\n  title: t\n  minutes: 30\n  pass: 60\n  attempts: 1\n  quotas: [{topic: 支部工作, count: 9223372036854775807}, {topic: 支部工作, count: 9223372036854775807}]\n",
		"- id: e1\n  title: t\n  minutes: 30\n  pass: 60\n  attempts: 1\n  quotas: [{topic: 支部工作, count: -9223372036854775808}, {topic: 党费, count: 1}]\n",
		"", "---\n", "x: 1\n", "- 1\n", "- {quotas: x}\n",
	} {
		f.Add([]byte(s))
	}
	qc, problems, err := quiz.LoadContent(content.Embedded(), quiz.Checker{})
	if err != nil || len(problems) > 0 {
		f.Fatalf("embedded banks: %v %v", err, problems)
	}
	byTopic := map[string]int{}
	for _, q := range qc.Questions {
		byTopic[q.Topic]++
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		exams, problems := quiz.ParseExams("quiz/exams.yaml", data, qc.Questions)
		for _, p := range problems {
			if p.Err == nil || p.Line < 0 || p.Error() == "" {
				t.Fatalf("ParseExams(%q): problem %+v", data, p)
			}
		}
		seen := map[string]bool{}
		for _, e := range exams {
			minutes := e.Duration / time.Minute
			switch {
			case seen[e.ID] || e.Title == "" || e.Attempts < 1 || e.Pass < 1 || e.Pass > 100:
				t.Fatalf("ParseExams(%q): paper %+v", data, e)
			case e.Duration%time.Minute != 0 || minutes < 1 || minutes > 180 || !bytes.Contains(data, []byte(fmt.Sprint(int64(minutes)))):
				t.Fatalf("ParseExams(%q): paper %s of %v", data, e.ID, e.Duration)
			case e.Size() < 1 || e.Size() > quiz.MaxExamQuestions:
				t.Fatalf("ParseExams(%q): paper %s of %d questions", data, e.ID, e.Size())
			}
			seen[e.ID] = true
			asked := map[string]int{}
			for _, qt := range e.Quotas {
				if qt.Count < 1 {
					t.Fatalf("ParseExams(%q): paper %s quota %+v", data, e.ID, qt)
				}
				if asked[qt.Topic] += qt.Count; asked[qt.Topic] > byTopic[qt.Topic] {
					t.Fatalf("ParseExams(%q): paper %s asks %d of topic %q, which has %d", data, e.ID, asked[qt.Topic], qt.Topic, byTopic[qt.Topic])
				}
			}
		}
	})
}
