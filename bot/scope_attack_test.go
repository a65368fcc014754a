package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/quiz"
)

// Attacks on the district scope: a district coordinator of 鼓楼区 (and a
// worker, a revoked or moved coordinator, an erased user) trying to reach
// what belongs to another district through commands, forged or stale
// buttons, dialogues left open across a change of role, and files.

// bankCSV is a question bank in the template's columns, with the district
// column (适用区县) last.
func bankCSV(rows ...string) []byte {
	return []byte("题号,题型,专题,难度,题干,选项A,选项B,答案,解析,适用区县\n" + strings.Join(rows, "\n") + "\n")
}

// question is a stored question, or the zero one when there is none.
func (h *harness) question(id string) quiz.Question {
	h.t.Helper()
	q, err := h.quiz.Question(context.Background(), id)
	if err != nil && !errors.Is(err, quiz.ErrNotFound) {
		h.t.Fatal(err)
	}
	return q
}

// A 鼓楼区 coordinator sends question banks that name 云龙区 in 适用区县,
// or that carry the ids of 云龙区's questions under the file name of
// 云龙区's bank (which /quizstats shows), so that they replace them. None
// of it is imported; 云龙区's questions keep their text and answer. Their
// own questions are imported, and are their district's. A city
// coordinator may still import and replace any district's.
func TestScopeAttackQuestionBankOfAnotherDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const yunID, guID, cityID = 4101, 4102, 4103
	h.grant(yunID, "云龙区")
	h.grant(guID, "鼓楼区")
	h.grant(cityID, "")
	yun, gu, city := botapi.DefaultUser(yunID), botapi.DefaultUser(guID), botapi.DefaultUser(cityID)

	need(t, "云龙区's own bank", h.sendBank(yun, "题库.csv", bankCSV(
		"yl-001,单选,云龙本地,1,云龙区的补贴标准是多少？,甲,乙,A,云龙区规定为甲。,云龙区",
		"yl-002,单选,云龙本地,1,云龙区的报送时间是哪天？,五日,十日,B,云龙区规定为十日。,",
	)).Text, "已导入 2 道题")
	if q := h.question("yl-002"); q.District != "云龙区" {
		t.Errorf("a 云龙区 coordinator's question is of %q, want 云龙区", q.District)
	}

	// The same file name, the same ids: a replacement of 云龙区's questions.
	report := h.sendBank(gu, "题库.csv", bankCSV(
		"yl-001,单选,云龙本地,1,被鼓楼改写的题干？,甲,乙,B,鼓楼改写。,",
		"yl-002,单选,云龙本地,1,被鼓楼改写的题干二？,五日,十日,A,鼓楼改写。,云龙区",
	))
	if strings.Contains(report.Text, "已导入") {
		t.Errorf("the 鼓楼区 coordinator replaced 云龙区's questions: %q", report.Text)
	}
	need(t, "the refusal", report.Text, plain(bot.T("qerr.out_of_scope", "云龙区")))
	if q := h.question("yl-001"); q.Text != "云龙区的补贴标准是多少？" || len(q.Answer) != 1 || q.Answer[0] != 0 || q.District != "云龙区" {
		t.Errorf("yl-001 after the 鼓楼区 import: %+v", q)
	}
	if q := h.question("yl-002"); q.Text != "云龙区的报送时间是哪天？" || q.Answer[0] != 1 {
		t.Errorf("yl-002 after the 鼓楼区 import: %+v", q)
	}

	// A new question naming 云龙区, beside one of their own.
	report = h.sendBank(gu, "鼓楼题.csv", bankCSV(
		"gl-x01,单选,云龙本地,1,冒充云龙区的题目？,甲,乙,A,冒充。,云龙区",
		"gl-001,单选,鼓楼本地,1,鼓楼区的报送时间是哪天？,五日,十日,A,鼓楼区规定为五日。,",
	))
	need(t, "a question naming 云龙区", report.Text, plain(bot.T("qerr.out_of_scope", "云龙区")))
	if q := h.question("gl-x01"); q.ID != "" {
		t.Errorf("a question naming 云龙区 was stored before any confirmation: %+v", q)
	}
	h.press(gu, botapi.PrivateChat(gu), report, "只导入正确的 1 题")
	if q := h.question("gl-x01"); q.ID != "" {
		t.Errorf("the confirmed import stored a question naming 云龙区: %+v", q)
	}
	if q := h.question("gl-001"); q.ID == "" || q.District != "鼓楼区" {
		t.Errorf("the 鼓楼区 coordinator's own question: %+v, want it stored as 鼓楼区's", q)
	}

	// A city coordinator covers 云龙区: the refusals above were the scope's.
	need(t, "the city coordinator's correction", h.sendBank(city, "题库.csv", bankCSV(
		"yl-001,单选,云龙本地,1,云龙区的补贴标准是多少？,甲,乙,B,更正为乙。,云龙区",
	)).Text, "已导入 1 道题")
	if q := h.question("yl-001"); q.Answer[0] != 1 {
		t.Errorf("the city coordinator's correction was not stored: %+v", q)
	}
}

// A city coordinator sends a bank with a bad row and a 云龙区 question, is
// then made 鼓楼区's coordinator, and presses the old 只导入正确的 button:
// the file is read again as the person they are now, and nothing of
// 云龙区 is imported.
func TestScopeAttackStaleBankConfirmationAfterAMove(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 4111
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	report := h.sendBank(coord, "混合.csv", bankCSV(
		"mx-001,单选,云龙本地,1,云龙区的会议几点开？,九点,十点,A,九点。,云龙区",
		"mx-002,单选,云龙本地,1,坏题：答案不在选项中？,九点,十点,E,……,",
	))
	if !buttonLabel(report, "只导入正确的 1 题") {
		t.Fatalf("the report offers no confirmation: %q", report.Text)
	}
	h.grant(coordID, "鼓楼区")
	h.press(coord, botapi.PrivateChat(coord), report, "只导入正确的 1 题")
	if q := h.question("mx-001"); q.ID != "" {
		t.Errorf("a 鼓楼区 coordinator's old confirmation imported 云龙区's question: %+v", q)
	}
	need(t, "after the press", h.message(coordID, report.MessageID).Text, plain(bot.T("qimport.nothing_good")))
}
