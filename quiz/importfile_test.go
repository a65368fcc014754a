package quiz_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/table/xlsxtest"
	"github.com/dangwu/dangwu/quiz"
)

var bankHeader = []any{"题号", "题型", "专题", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"}

// bankXLSX writes a one-sheet workbook with excelize, row i on line i+1;
// a nil row is left blank.
func bankXLSX(tb testing.TB, rows ...[]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			tb.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

type importProblem struct {
	line  int
	err   error
	value string
}

func importProblemsOf(ps []quiz.Problem) []importProblem {
	var out []importProblem
	for _, p := range ps {
		out = append(out, importProblem{p.Line, p.Err, p.Value})
	}
	return out
}

func importProblemsEqual(a, b []importProblem) bool {
	return slices.EqualFunc(a, b, func(x, y importProblem) bool {
		return x.line == y.line && errors.Is(x.err, y.err) && x.value == y.value
	})
}

func TestReadBankFileXLSX(t *testing.T) {
	long := strings.Repeat("党", 5000)
	data := bankXLSX(t,
		[]any{"党费知识题库（2024）"}, // 1: a title above the header
		bankHeader,            // 2
		[]any{"DF-001", "单选题", "党费", "基础", "税后月工资8000元，每月交党费多少元？", "40元", "80元", "120元", "160元", "C", "8000×1.5%＝120元。"}, // 3
		[]any{"df-002", "单选", "党费", 2, "税后月工资3000元，交纳比例是多少？", "0.5%", "1%", "1.5%", "2%", "E", "3000元以下（含）交0.5%。"},       // 4: answer E of four options
		[]any{"df-003", "多选", "党费", "", "哪些党员每月交0.2元？", "学生党员", "", "下岗失业的党员", "", "AC", "学生党员、下岗失业的党员每月交0.2元。"},         // 5: empty option B
		[]any{"df-001", "判断", "党费", "易", "农民党员每月交纳党费0.2元至1元。", "", "", "", "", "正确", "农民党员每月交0.2元至1元。"},                  // 6: id of line 3
		[]any{"df-004", "单选", "党费", "", long, "甲", "乙", "", "", "A", "太长。"},                                              // 7: a 5,000-character question
		[]any{"df-005", "填空", "党费", "", "离退休党员5000元以下交____。", "", "", "", "", "0.5%", "按0.5%交纳。"},                        // 8: unknown type
		nil, // 9: blank
		[]any{"", "判断题", "发展党员", "较难", "预备党员的预备期为一年。", "", "", "", "", "√", "预备期为一年。"},                                 // 10: derived id
		[]any{"df-006", "multiple", "发展党员", "极难", "预备党员没有哪些权利？", "表决权", "选举权", "被选举权", "", "A,B，C", "没有表决权、选举权和被选举权。"}, // 11: bad difficulty
		[]any{"df-007", "多选", "发展党员", 3, "预备党员有哪些权利？", "表决权", "知情权", "建议权", "", "b、c", "除了表决权、选举权和被选举权，同正式党员一样。"},      // 12
	)
	got, err := quiz.ReadBankFile(context.Background(), "党费题库.xlsx", data, quiz.Checker{})
	if err != nil {
		t.Fatal(err)
	}
	want := []importProblem{
		{4, quiz.ErrAnswerNotOption, "E"},
		{5, quiz.ErrEmptyOption, "B"},
		{6, quiz.ErrDuplicateID, "党费题库.xlsx:3"},
		{7, quiz.ErrQuestionTooLong, strings.Repeat("党", 30) + "…"},
		{8, quiz.ErrBadKind, "填空"},
		{11, quiz.ErrBadDifficulty, "极难"},
	}
	if ps := importProblemsOf(got.Problems); !importProblemsEqual(ps, want) {
		t.Errorf("problems:\n got %v\nwant %v", got.Problems, want)
	}
	if got.Rows != 9 || got.Encoding != "" {
		t.Errorf("rows %d, encoding %q; want 9 data rows, no encoding", got.Rows, got.Encoding)
	}
	if len(got.Questions) != 3 {
		t.Fatalf("%d questions, want 3: %+v", len(got.Questions), got.Questions)
	}
	q := got.Questions[0]
	if q.ID != "df-001" || q.Kind != quiz.Single || q.Difficulty != 1 || q.Topic != "党费" || !slices.Equal(q.Answer, []int{2}) ||
		len(q.Options) != 4 || q.Bank != "党费题库.xlsx" || q.Line != 3 {
		t.Errorf("line 3 = %+v", q)
	}
	q = got.Questions[1]
	if !regexp.MustCompile(`^imp-[0-9a-f]{10}$`).MatchString(q.ID) || q.Kind != quiz.Judge || q.Difficulty != 3 ||
		!slices.Equal(q.Answer, []int{0}) || !slices.Equal(q.Options, quiz.JudgeOptions) || q.Line != 10 {
		t.Errorf("line 10 = %+v", q)
	}
	q = got.Questions[2]
	if q.ID != "df-007" || q.Kind != quiz.Multiple || q.Difficulty != 3 || !slices.Equal(q.Answer, []int{1, 2}) || len(q.Options) != 3 {
		t.Errorf("line 12 = %+v", q)
	}

	// The derived id is stable for the file's name and the text, and
	// another file's differs.
	again, err := quiz.ReadBankFile(context.Background(), "dir/党费题库.xlsx", data, quiz.Checker{})
	if err != nil || len(again.Questions) != 3 || again.Questions[1].ID != got.Questions[1].ID {
		t.Errorf("read again: %v, %+v; want the id %s again", err, again.Questions, got.Questions[1].ID)
	}
	other, err := quiz.ReadBankFile(context.Background(), "发展党员.xlsx", data, quiz.Checker{})
	if err != nil || len(other.Questions) != 3 || other.Questions[1].ID == got.Questions[1].ID {
		t.Errorf("another file: %v; derived id %s, want one other than %s", err, other.Questions[1].ID, got.Questions[1].ID)
	}
}

// TestReadBankFileChecker: the checker's verdicts on documents and
// districts are the rows' problems, and the district its canonical name.
func TestReadBankFileChecker(t *testing.T) {
	data := bankXLSX(t,
		[]any{"题型", "专题", "题干", "选项A", "选项B", "答案", "解析", "出处文档", "出处章节", "适用区县"},
		[]any{"单选", "党费", "问一", "甲", "乙", "A", "解一", "dues-rates", "计算基数", "鼓楼"},
		[]any{"单选", "党费", "问二", "甲", "乙", "B", "解二", "nope", "", ""},
		[]any{"单选", "党费", "问三", "甲", "乙", "B", "解三", "dues-rates", "没有这节", ""},
		[]any{"单选", "党费", "问四", "甲", "乙", "B", "解四", "", "", "火星区"},
	)
	c := quiz.Checker{
		Section: func(doc, section string) (bool, bool) {
			return doc == "dues-rates", section == "计算基数"
		},
		District: func(name string) (string, bool) {
			if strings.HasPrefix("鼓楼区", name) {
				return "鼓楼区", true
			}
			return "", false
		},
	}
	got, err := quiz.ReadBankFile(context.Background(), "b.xlsx", data, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []importProblem{{3, quiz.ErrUnknownDoc, "nope"}, {4, quiz.ErrUnknownSection, "没有这节"}, {5, quiz.ErrUnknownDistrict, "火星区"}}
	if !importProblemsEqual(importProblemsOf(got.Problems), want) {
		t.Errorf("problems = %v, want %v", got.Problems, want)
	}
	if len(got.Questions) != 1 || got.Questions[0].District != "鼓楼区" || got.Questions[0].Doc != "dues-rates" || got.Questions[0].Section != "计算基数" {
		t.Errorf("questions = %+v", got.Questions)
	}
}

// TestReadBankFileGBKCSV: a CSV saved by Excel on Chinese Windows (GBK),
// with English headers in another order and a cell over two lines.
func TestReadBankFileGBKCSV(t *testing.T) {
	text := "type,question,option_a,option_b,option_c,answer,explanation,topic,difficulty\r\n" +
		"单选,税后月工资8000元，每月交党费多少元？,80元,120元,160元,B,\"第三档1.5%：\r\n8000×1.5%＝120元。\",党费,1\r\n" +
		"判断,预备党员的预备期为一年。,,,,对,预备期为一年。,发展党员,\r\n" +
		"单选,离退休党员养老金6000元，每月交多少？,30元,60元,,C,按1%交60元。,党费,\r\n"
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got, err := quiz.ReadBankFile(context.Background(), "题库.CSV", data, quiz.Checker{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Encoding != "GB18030" || got.Rows != 3 {
		t.Errorf("encoding %q, rows %d; want GB18030, 3", got.Encoding, got.Rows)
	}
	if want := []importProblem{{5, quiz.ErrAnswerNotOption, "C"}}; !importProblemsEqual(importProblemsOf(got.Problems), want) {
		t.Errorf("problems = %v, want %v", got.Problems, want)
	}
	if len(got.Questions) != 2 {
		t.Fatalf("questions = %+v, want 2", got.Questions)
	}
	q := got.Questions[0]
	if q.Text != "税后月工资8000元，每月交党费多少元？" || q.Options[1] != "120元" || q.Explanation != "第三档1.5%：\n8000×1.5%＝120元。" || q.Topic != "党费" || q.Line != 2 {
		t.Errorf("line 2 = %+v", q)
	}
	if q := got.Questions[1]; q.Kind != quiz.Judge || q.Line != 4 || q.Difficulty != 2 || !slices.Equal(q.Answer, []int{0}) {
		t.Errorf("line 4 = %+v", q)
	}
}

func TestReadBankFileRefused(t *testing.T) {
	var many strings.Builder
	many.WriteString("题型,专题,题干,答案,解析\n")
	for i := range quiz.MaxImportRows + 1 {
		fmt.Fprintf(&many, "判断,党费,第%d题。,对,解析。\n", i)
	}
	notes := [][]any{{"填写说明"}}
	for i := range 12 {
		notes = append(notes, []any{fmt.Sprintf("第%d条", i)})
	}
	tests := []struct {
		name, file string
		data       []byte
		want       error
		column     string // of a *quiz.ColumnError
	}{
		{"an .xlsx that is not a zip", "b.xlsx", []byte("题型,专题,题干,答案,解析\n"), quiz.ErrNotWorkbook, ""},
		{"an .xls", "b.xls", []byte{0xD0, 0xCF, 0x11, 0xE0}, quiz.ErrUnsupportedFile, ""},
		{"a Word file", "b.docx", bankXLSX(t, bankHeader), quiz.ErrUnsupportedFile, ""},
		{"no 解析", "b.xlsx", bankXLSX(t, []any{"题型", "专题", "题干", "答案"}, []any{"判断", "党费", "问", "对"}), quiz.ErrMissingColumn, "解析"},
		{"no 专题", "b.csv", []byte("题型,题干,答案,解析\n判断,问,对,解\n"), quiz.ErrMissingColumn, "专题"},
		{"no 题干 in the first ten rows", "b.csv", []byte(strings.Repeat("说明\n", 10) + "题型,专题,题干,答案,解析\n"), quiz.ErrMissingColumn, "题型"},
		{"选项A twice", "b.csv", []byte("题型,专题,题干,选项A,A,答案,解析\n"), quiz.ErrDuplicateColumn, "选项A"},
		{"an empty file", "b.csv", nil, quiz.ErrMissingColumn, "题型"},
		{"a sheet of notes only", "b.xlsx", bankXLSX(t, notes...), quiz.ErrMissingColumn, "题型"},
		{"more rows than the limit", "b.csv", []byte(many.String()), quiz.ErrBankTooLarge, ""},
		{"more bytes than the limit", "b.csv", make([]byte, quiz.MaxImportFile+1), quiz.ErrBankTooLarge, ""},
		{"a line of 100 KB", "b.csv", []byte("题型,专题,题干,答案,解析\n判断,党费," + strings.Repeat("长", 40000) + ",对,解\n"), quiz.ErrLineTooLong, ""},
		{"a binary file", "b.csv", bytes.Repeat([]byte{0x81, 0x20, 0xff, 0x00}, 100), quiz.ErrUnknownEncoding, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := quiz.ReadBankFile(context.Background(), tt.file, tt.data, quiz.Checker{})
			if !errors.Is(err, tt.want) || len(got.Questions) > 0 {
				t.Fatalf("err = %v (%d questions), want %v", err, len(got.Questions), tt.want)
			}
			var ce *quiz.ColumnError
			if tt.column != "" && (!errors.As(err, &ce) || ce.Column != tt.column || !strings.Contains(err.Error(), tt.column)) {
				t.Errorf("err = %v, want a *ColumnError naming %s", err, tt.column)
			}
		})
	}
}

// TestReadBankFileSecondSheet: a first sheet of notes is passed over.
func TestReadBankFileSecondSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for i := range 12 {
		f.SetCellValue("Sheet1", fmt.Sprintf("A%d", i+1), fmt.Sprintf("说明第%d条", i))
	}
	if _, err := f.NewSheet("题目"); err != nil {
		t.Fatal(err)
	}
	f.SetSheetRow("题目", "B3", &[]any{"题型", "专题", "题干", "答案", "解析"})
	f.SetSheetRow("题目", "B4", &[]any{"判断", "党费", "学生党员每月交纳党费0.2元。", "正确", "学生党员每月交0.2元。"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := quiz.ReadBankFile(context.Background(), "b.xlsx", buf.Bytes(), quiz.Checker{})
	if err != nil || len(got.Questions) != 1 || got.Questions[0].Line != 4 || len(got.Problems) != 0 {
		t.Fatalf("%+v, %v; want one question on line 4", got, err)
	}
}

func TestReadBankFileYAML(t *testing.T) {
	text := `- id: y-1
  type: judge
  topic: 党费
  difficulty: 1
  question: 学生党员每月交纳党费0.2元。
  answer: 正确
  explanation: 学生党员每月交0.2元。
- id: y-1
  type: judge
  topic: 党费
  difficulty: 1
  question: 农民党员每月交纳党费0.2元至1元。
  answer: 正确
  explanation: 农民党员每月交0.2元至1元。
- id: y-2
  type: single
  topic: 党费
  difficulty: 1
  question: 题
  options: [甲, 乙]
  answer: C
  explanation: 解。
`
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got, err := quiz.ReadBankFile(context.Background(), "b.yml", data, quiz.Checker{})
	if err != nil {
		t.Fatal(err)
	}
	want := []importProblem{{8, quiz.ErrDuplicateID, "b.yml:1"}, {15, quiz.ErrAnswerNotOption, "C"}}
	if !importProblemsEqual(importProblemsOf(got.Problems), want) || got.Rows != 3 || got.Encoding != "GB18030" {
		t.Errorf("problems %v, rows %d, encoding %s; want %v, 3, GB18030", got.Problems, got.Rows, got.Encoding, want)
	}
	if len(got.Questions) != 1 || got.Questions[0].Text != "学生党员每月交纳党费0.2元。" {
		t.Errorf("questions = %+v", got.Questions)
	}
}

// hostileBank is a bank of n rows whose question is in column XFD, the
// last one, beside a shared-strings table of sst strings (three used).
func hostileBank(tb testing.TB, n, sst int) []byte {
	tb.Helper()
	var strs strings.Builder
	strs.WriteString(`<si><t>判断</t></si><si><t>党费</t></si><si><t>正确</t></si><si><t>学生党员每月交0.2元。</t></si>`)
	for i := 4; i < sst; i++ {
		fmt.Fprintf(&strs, `<si><t>%d</t></si>`, i)
	}
	var rows strings.Builder
	rows.WriteString(`<row r="1">` + xlsxtest.InlineCell("A1", "题型") + xlsxtest.InlineCell("B1", "专题") + xlsxtest.InlineCell("C1", "答案") +
		xlsxtest.InlineCell("D1", "解析") + xlsxtest.InlineCell("XFD1", "题干") + `</row>`)
	for i := 2; i < n+2; i++ {
		fmt.Fprintf(&rows, `<row r="%d">%s%s%s%s%s</row>`, i, xlsxtest.SharedCell(fmt.Sprintf("A%d", i), 0), xlsxtest.SharedCell(fmt.Sprintf("B%d", i), 1),
			xlsxtest.SharedCell(fmt.Sprintf("C%d", i), 2), xlsxtest.SharedCell(fmt.Sprintf("D%d", i), 3),
			xlsxtest.InlineCell(fmt.Sprintf("XFD%d", i), fmt.Sprintf("学生党员每月交纳党费0.2元（第%d题）。", i)))
	}
	return xlsxtest.Workbook(tb, strs.String(), xlsxtest.Sheet{Name: "题库", Data: rows.String()})
}

// TestReadBankFileHostileBounded: a reader that pads rows to their last
// cell would hold 16,384 cells a row (80 million strings here); one that
// keeps a struct a shared string, half a million of them.
func TestReadBankFileHostileBounded(t *testing.T) {
	data := hostileBank(t, quiz.MaxImportRows, 500_000)
	if len(data) > quiz.MaxImportFile {
		t.Fatalf("the test file is %d bytes, over the limit", len(data))
	}
	var got quiz.BankFile
	var err error
	n := memtest.Allocated(t, func() {
		got, err = quiz.ReadBankFile(context.Background(), "b.xlsx", data, quiz.Checker{})
	})
	if err != nil || len(got.Problems) > 0 || len(got.Questions) != quiz.MaxImportRows {
		t.Fatalf("%d questions, problems %v, err %v", len(got.Questions), got.Problems[:min(3, len(got.Problems))], err)
	}
	if q := got.Questions[0]; q.Text != "学生党员每月交纳党费0.2元（第2题）。" || q.Kind != quiz.Judge || q.Line != 2 {
		t.Errorf("first question = %+v", q)
	}
	if n > 192<<20 {
		t.Errorf("a %d KB bank of %d rows with its questions in column XFD and 500,000 shared strings allocated %d MB, want under 192 MB", len(data)>>10, quiz.MaxImportRows, n>>20)
	}
}

// TestReadBankFileLongCells: a question of 5,000 characters is a problem
// of its row, read in memory bounded by the file's size.
func TestReadBankFileLongCells(t *testing.T) {
	long := strings.Repeat("党", 5000)
	var csv strings.Builder
	csv.WriteString("题型,专题,题干,答案,解析\n")
	for i := range 100 {
		fmt.Fprintf(&csv, "判断,党费,%d%s,对,%s\n", i, long, long)
	}
	rows := [][]any{{"题型", "专题", "题干", "答案", "解析"}}
	for i := range 100 {
		rows = append(rows, []any{"判断", "党费", fmt.Sprint(i) + long, "对", long})
	}
	for name, data := range map[string][]byte{"b.csv": []byte(csv.String()), "b.xlsx": bankXLSX(t, rows...)} {
		t.Run(name, func(t *testing.T) {
			var got quiz.BankFile
			var err error
			n := memtest.Allocated(t, func() { got, err = quiz.ReadBankFile(context.Background(), name, data, quiz.Checker{}) })
			if err != nil || len(got.Questions) != 0 || len(got.Problems) != 200 {
				t.Fatalf("%d questions, %d problems, err %v; want 200 problems", len(got.Questions), len(got.Problems), err)
			}
			for _, p := range got.Problems {
				if !errors.Is(p.Err, quiz.ErrQuestionTooLong) && !errors.Is(p.Err, quiz.ErrExplanationLong) {
					t.Fatalf("problem %v, want only too long question and explanation", p)
				}
			}
			if limit := uint64(len(csv.String()))*8 + 8<<20; n > limit {
				t.Errorf("allocated %d MB, want under %d MB", n>>20, limit>>20)
			}
		})
	}
}

func TestReadBankFileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var csv strings.Builder
	csv.WriteString("题型,专题,题干,答案,解析\n")
	for i := range 5000 {
		fmt.Fprintf(&csv, "判断,党费,第%d题,对,解\n", i)
	}
	for name, data := range map[string][]byte{"b.xlsx": hostileBank(t, 5000, 10), "b.csv": []byte(csv.String())} {
		if _, err := quiz.ReadBankFile(ctx, name, data, quiz.Checker{}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", name, err)
		}
	}
}

// contentChecker checks documents and sections against the knowledge
// documents of content/: their ids are their file names, their sections
// their "## " headings.
func contentChecker(tb testing.TB) quiz.Checker {
	tb.Helper()
	files, err := filepath.Glob("../content/knowledge/*.md")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no knowledge documents: %v", err)
	}
	sections := map[string][]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".md")
		for _, line := range strings.Split(string(data), "\n") {
			if h, ok := strings.CutPrefix(line, "## "); ok {
				sections[id] = append(sections[id], strings.TrimSpace(h))
			}
		}
	}
	return quiz.Checker{Section: func(doc, section string) (bool, bool) {
		s, ok := sections[doc]
		return ok, slices.Contains(s, section)
	}}
}
