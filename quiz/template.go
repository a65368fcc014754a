package quiz

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// The sheets of the question-bank template.
const (
	TemplateSheet     = "题库"
	TemplateHelpSheet = "填写说明"
)

// templateExamples are the template's example rows, one a type, by column.
// Their facts are those of the knowledge documents they cite.
var templateExamples = []map[bankColumn]string{
	{
		colKind: "单选", colTopic: "党费", colDifficulty: "基础",
		colText:   "某在职党员税后月工资收入为8000元，每月应交纳党费多少元？",
		colOption: "40元", colOption + 1: "80元", colOption + 2: "120元", colOption + 3: "160元",
		colAnswer:      "C",
		colExplanation: "税后月工资收入5000元以上至10000元（含10000元）的，交月工资收入的1.5%，每月交8000×1.5%＝120元。",
		colDoc:         "dues-rates", colSection: "在职党员的交纳比例",
	},
	{
		colKind: "多选", colTopic: "发展党员", colDifficulty: "提高",
		colText:   "下列关于预备党员预备期的说法，正确的有哪些？",
		colOption: "预备期为一年", colOption + 1: "预备期从支部大会通过其为预备党员之日起计算",
		colOption + 2: "预备期从上级党委批准之日起计算", colOption + 3: "预备党员在预备期内有表决权、选举权和被选举权",
		colAnswer:      "AB",
		colExplanation: "预备期为一年，从支部大会通过其为预备党员之日起计算，而不是从上级党委批准之日算起；预备党员没有表决权、选举权和被选举权。",
		colDoc:         "recruit-probation", colSection: "预备期",
	},
	{
		colKind: "判断", colTopic: "党费", colDifficulty: "提高",
		colText:        "离退休党员每月领取养老金6000元，应按1.5%的比例交纳党费。",
		colAnswer:      "错误",
		colExplanation: "离退休党员养老金5000元以上的按1%交纳，每月交6000×1%＝60元；1.5%是在职党员5000元以上至10000元一档的比例。",
		colDoc:         "dues-rates", colSection: "离退休党员的交纳比例",
	},
}

// templateWidths are the column widths of the 题库 sheet, in characters.
var templateWidths = map[bankColumn]float64{
	colID: 12, colKind: 8, colTopic: 12, colDifficulty: 8, colText: 44,
	colAnswer: 8, colExplanation: 44, colDoc: 18, colSection: 20, colDistrict: 10,
}

// templateHelp explains each column of the template: its header, whether
// it is required, and what it may hold.
func templateHelp() [][3]string {
	return [][3]string{
		{columnNames[colID][0], "选填", fmt.Sprintf("题目编号：小写字母、数字、“-”或“_”，最多%d个字符（大写字母按小写读），在所有题库中不能重复。不填时按文件名和题干自动生成，同一文件再次导入时编号不变。", MaxIDLen)},
		{columnNames[colKind][0], "必填", "单选、多选或判断（也可写单选题、多选题、判断题）。"},
		{columnNames[colTopic][0], "必填", fmt.Sprintf("题目所属专题，如“党费”“发展党员”，最多%d个字；专题练习和考试按专题出题。", MaxTopicRunes)},
		{columnNames[colDifficulty][0], "选填", "1、2、3，或基础、提高、较难（也可写易、中、难）；不填按2（提高）。"},
		{columnNames[colText][0], "必填", fmt.Sprintf("题目内容，最多%d字。", MaxQuestionRunes)},
		{"选项A～选项F", "单选、多选题必填", fmt.Sprintf("每格一个选项，从选项A起依次填写，中间不能留空格；至少%d个、最多%d个选项，每个选项最多%d字，选项不能相同。判断题不填选项。", MinOptions, MaxOptions, MaxOptionRunes)},
		{columnNames[colAnswer][0], "必填", "单选题填一个字母，如 B；多选题填两个以上字母，如 ACD 或 A,C；判断题填 正确 或 错误（也可写对/错、√/×）。字母必须是已填写的选项。"},
		{columnNames[colExplanation][0], "必填", fmt.Sprintf("答题后显示的解释，说明为什么，最好写明依据；最多%d字，且最多%d处换行。", MaxExplanationRunes, MaxExplanationLines)},
		{columnNames[colDoc][0], "选填", "题目依据的知识库文档编号，如 dues-rates；填写时必须是知识库里已有的文档。"},
		{columnNames[colSection][0], "选填", "该文档中的章节标题，如 在职党员的交纳比例；填写时须同时填出处文档，且章节在该文档中。"},
		{columnNames[colDistrict][0], "选填", "只考某个区县本地规定的题目填区县名称，如 鼓楼区；全市通用的不填。"},
	}
}

// templateNotes open the 填写说明 sheet.
var templateNotes = []string{
	"一行一道题。第一行是表头：列的顺序可以调整，表头文字请不要改动，不用的选填列可以删除。",
	"第2至4行是单选、多选、判断各一道示例，可照着填写，导入前请删除。",
	fmt.Sprintf("一个文件最多%d道题、不超过%d MB；保存为 .xlsx（也可另存为 CSV），在对话中发给机器人，或用 dangwu import 导入。", MaxImportRows, MaxImportFile>>20),
	"有问题的行不会导入，机器人会逐行说明原因（例如“第17行：答案 E 不在选项中”），改正后重新导入即可。",
}

// WriteTemplate writes an empty question-bank workbook to fill in: the
// sheet 题库 with the header ReadBankFile reads (bold and frozen) and one
// example row of each type, and the sheet 填写说明 explaining each column.
func WriteTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeBankSheet(f); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	if err := writeHelpSheet(f); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

func writeBankSheet(f *excelize.File) error {
	const sheet = TemplateSheet
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header := make([]any, numColumns)
	for c := range numColumns {
		header[c] = columnNames[c][0]
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	for i, ex := range templateExamples {
		row := make([]any, numColumns)
		for c := range numColumns {
			row[c] = ex[c]
		}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2DCDB"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(int(numColumns))
	if err != nil {
		return err
	}
	for c := range numColumns {
		name, err := excelize.ColumnNumberToName(int(c) + 1)
		if err != nil {
			return err
		}
		width, ok := templateWidths[c]
		if !ok {
			width = 16 // an option
		}
		if err := f.SetColWidth(sheet, name, name, width); err != nil {
			return err
		}
		if err := f.SetColStyle(sheet, name, wrap); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sheet, "A1", last+"1", bold); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	// Drop-down lists for the type and the difficulty; other values the
	// importer accepts (single, 易 ...) only draw a warning.
	for _, dl := range []struct {
		col   bankColumn
		keys  []string
		title string
	}{
		{colKind, []string{"单选", "多选", "判断"}, "题型"},
		{colDifficulty, []string{"基础", "提高", "较难"}, "难度"},
	} {
		name, err := excelize.ColumnNumberToName(int(dl.col) + 1)
		if err != nil {
			return err
		}
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", name, name, MaxImportRows+1))
		if err := dv.SetDropList(dl.keys); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, dl.title, "请从下拉列表中选择")
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}
	return nil
}

func writeHelpSheet(f *excelize.File) error {
	const sheet = TemplateHelpSheet
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	row := 1
	set := func(values ...any) error {
		err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", row), &values)
		row++
		return err
	}
	for _, n := range templateNotes {
		if err := set(n); err != nil {
			return err
		}
	}
	row++
	headerRow := row
	if err := set("列名", "是否必填", "填写要求"); err != nil {
		return err
	}
	for _, h := range templateHelp() {
		if err := set(h[0], h[1], h[2]); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2DCDB"}}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", headerRow), fmt.Sprintf("C%d", headerRow), bold); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", headerRow+1), fmt.Sprintf("C%d", row-1), wrap); err != nil {
		return err
	}
	for _, w := range []struct {
		col   string
		width float64
	}{{"A", 14}, {"B", 18}, {"C", 80}} {
		if err := f.SetColWidth(sheet, w.col, w.col, w.width); err != nil {
			return err
		}
	}
	return nil
}
