package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/quiz"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// bankWorkbook is an .xlsx question bank with rows under the template's header.
func bankWorkbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"题号", "题型", "专题", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (h *harness) sendBank(u botapi.User, name string, data []byte) botapi.Message {
	h.t.Helper()
	return h.next(u.ID, 1, func() { h.srv.SendDocument(u, botapi.PrivateChat(u), name, "", data) })[0]
}

func TestCoordinatorImportsABankWithBadRows(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	long := strings.Repeat("长", 5000)
	data := bankWorkbook(t, [][]any{
		{"df-001", "单选", "新专题", 1, "好题一？", "甲", "乙", "丙", "丁", "B", "因为乙。"},
		{"df-002", "单选", "新专题", 1, "坏题：答案不在选项中？", "甲", "乙", "丙", "丁", "E", "……"},
		{"df-003", "多选", "新专题", 2, "坏题：空选项？", "甲", "", "丙", "丁", "AC", "……"},
		{"df-001", "单选", "新专题", 1, "坏题：重复题号？", "甲", "乙", "", "", "A", "……"},
		{"df-005", "单选", "新专题", 1, long, "甲", "乙", "", "", "A", "……"},
		{"df-006", "判断", "新专题", 1, "好题二：这句话对。", "", "", "", "", "对", "对的。"},
		{"branch-001", "判断", "新专题", 1, "坏题：题号是内置题库的。", "", "", "", "", "对", "对的。"},
	})
	report := h.sendBank(admin, "新题库.xlsx", data)
	for _, want := range []string{"第3行：答案 E 不在选项中", "第4行：选项B是空的", "第5行：题号 df-001 与第2行重复", "第6行：题干超过300字", "第8行：题号 branch-001 已被其他题库使用"} {
		need(t, "import report", report.Text, want)
	}
	if n := countTopic(t, h, "新专题"); n != 0 {
		t.Fatalf("%d questions imported before the coordinator confirmed", n)
	}
	h.press(admin, botapi.PrivateChat(admin), report, "只导入正确的 2 题")
	need(t, "after confirming", h.message(adminID, report.MessageID).Text, "已导入 2 道题")
	if n := countTopic(t, h, "新专题"); n != 2 {
		t.Fatalf("%d questions imported, want the 2 good ones", n)
	}
	q, err := h.quiz.Question(context.Background(), "df-001")
	if err != nil || q.Text != "好题一？" || q.Answer[0] != 1 {
		t.Errorf("df-001 = %+v (%v), want the good row", q, err)
	}
	// The confirmation cannot be pressed twice.
	if ans := h.press(admin, botapi.PrivateChat(admin), report, "只导入正确的 2 题"); ans.Text != bot.T("unknown.button") {
		t.Errorf("second confirmation answered %q", ans.Text)
	}
}

func countTopic(t *testing.T, h *harness, topic string) int {
	t.Helper()
	var n int
	if err := h.db.SQL().QueryRow(`SELECT COUNT(*) FROM quiz_questions WHERE topic = ? AND retired = 0`, topic).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHostileBankFiles(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	worker := botapi.DefaultUser(777)
	h.ask(worker.ID, "/help")

	need(t, "a worker's bank", h.sendBank(worker, "题库.yaml", []byte("- id: x\n")).Text, bot.T("file.not_allowed"))
	need(t, "not a zip", h.sendBank(admin, "题库.xlsx", []byte("这不是表格")).Text, bot.T("file.not_workbook", "题库.xlsx"))
	need(t, "bad YAML", h.sendBank(admin, "题库.yaml", []byte("{{{")).Text, plain(bot.T("qerr.yaml")))

	gbk, err := simplifiedchinese.GBK.NewEncoder().String("题型,专题,题干,选项A,选项B,答案,解析\n单选,编码专题,GBK编码的题目？,甲,乙,A,因为甲。\n")
	if err != nil {
		t.Fatal(err)
	}
	need(t, "GBK CSV", h.sendBank(admin, "gbk.csv", []byte(gbk)).Text, "已导入 1 道题")
	if countTopic(t, h, "编码专题") != 1 {
		t.Error("the GBK question was not stored")
	}
	need(t, "a bank missing a column", h.sendBank(admin, "缺列.csv", []byte("题型,题干,答案\n单选,题？,A\n")).Text, "缺少“专题”列")
	// A roster still goes to the roster import.
	roster := h.sendBank(admin, "名单.csv", []byte("姓名,手机号,区县\n张三,13800000001,鼓楼区\n"))
	if strings.Contains(roster.Text, "题库") {
		t.Errorf("a roster was read as a question bank: %q", roster.Text)
	}
}

func TestQuizTemplateRoundTrips(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	m := h.say(admin, "/quiztemplate")
	name, data, ok := h.srv.Document(adminID, m.MessageID)
	if !ok || !strings.HasSuffix(name, ".xlsx") {
		t.Fatalf("/quiztemplate sent %q (%v)", name, ok)
	}
	bf, err := quiz.ReadBankFile(context.Background(), name, data, quiz.Checker{})
	if err != nil || len(bf.Problems) > 0 || len(bf.Questions) != 3 {
		t.Fatalf("template reads as %d questions, problems %v, err %v", len(bf.Questions), bf.Problems, err)
	}
	// A worker gets no template.
	h.ask(555, "/help")
	if got := h.ask(555, "/quiztemplate"); got != bot.T("denied.command") {
		t.Errorf("a worker's /quiztemplate = %q", got)
	}
}
