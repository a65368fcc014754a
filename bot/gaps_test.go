package bot_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestGapLoopThroughChat(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	askers := []int64{41, 42, 43}
	for i, q := range []string{"公司党支部能不能发年终奖给党员", "党支部可以给党员发年终奖吗", "支部给党员发年终奖行不行"} {
		reply := h.ask(askers[i], q)
		if !strings.Contains(reply, bot.T("ask.recorded")) {
			t.Fatalf("%q got %q, want it recorded as unanswered", q, reply)
		}
	}
	h.ask(44, "徐州今天刮风吗")

	list := h.say(admin, "/unanswered")
	mustContain(t, "/unanswered", list.Text, "年终奖", bot.T("gap.count", 3))
	answer := "党费和党组织工作经费都不能用于发放奖金，支部不能给党员发年终奖；企业的奖金由企业按规定发放。"
	preview := h.draftAnswer(admin, list, 1, answer, bot.T("draft.city"), "《中国共产党党费使用和管理办法》")
	mustContain(t, "preview", preview.Text, "年终奖", "不能用于发放奖金", bot.T("draft.city"), "《中国共产党党费使用和管理办法》")
	done := h.pressEdit(admin, preview, bot.T("draft.save"))
	told := strings.SplitN(bot.T("gap.done", "", 3), "\n", 2)[1] // "已通知 3 位提问人。"
	mustContain(t, "after saving", done.Text, "年终奖", told)
	for _, id := range askers {
		got := h.waitSent(id, 2)[1].Message.Text
		mustContain(t, "asker told", got, "年终奖", "不能用于发放奖金", "党费使用和管理办法")
	}
	if n := len(h.sentTo(44)); n != 1 {
		t.Errorf("the unrelated asker got %d messages, want only the first answer", n)
	}
	// The answer is an FAQ entry now: a fourth person gets it at once, with its source.
	mustContain(t, "new asker", h.ask(45, "党支部发年终奖可以吗"), "不能用于发放奖金", "党费使用和管理办法")
	left := h.say(admin, "/unanswered")
	if strings.Contains(left.Text, "年终奖") || !strings.Contains(left.Text, "刮风") {
		t.Errorf("after answering, /unanswered = %q", left.Text)
	}
}

func TestCoordinatorImportsDocuments(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")

	gbk, err := simplifiedchinese.GBK.NewEncoder().String("企业年金办理须知\n一、谁可以参加\n与本单位签订劳动合同并参加基本养老保险的职工，可以自愿参加企业年金。\n二、怎么缴费\n企业年金由单位和职工共同缴费。\n")
	if err != nil {
		t.Fatal(err)
	}
	reply := h.importFile(admin, "企业年金须知.txt", []byte(gbk), "", "")
	mustContain(t, "GBK import", reply, "企业年金办理须知", "2")
	mustContain(t, "search the import", h.ask(46, "企业年金谁能参加"), "劳动合同")

	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>值班安排通知</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>一、值班时间</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t>春节期间党群服务中心每天九点到十七点有人值班。</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	mustContain(t, "docx import", h.importFile(admin, "duty.docx", docx.Bytes(), "", ""), "值班安排通知")
	mustContain(t, "search the docx", h.ask(47, "春节党群服务中心几点有人值班"), "九点")

	for _, tc := range []struct{ name, data, want string }{
		{"fake.docx", "not a zip at all", bot.T("doc.not_docx", "fake.docx")},
		{"empty.txt", "", bot.T("doc.empty", "empty.txt")},
		{"blank.md", "   \n\n  ", bot.T("doc.empty", "blank.md")},
	} {
		if got := h.sendFile(admin, tc.name, []byte(tc.data)); got != plain(tc.want) {
			t.Errorf("%s: reply %q, want %q", tc.name, got, plain(tc.want))
		}
	}

	docs, err := h.kb.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	imported := 0
	for _, d := range docs {
		if d.Origin == "import" {
			imported++
		}
	}
	if imported != 2 {
		t.Errorf("%d imported documents, want 2 (the bad files must add nothing)", imported)
	}

	// /docs lists them; an imported one can be removed, and is then not found.
	listed := h.next(adminID, 2, func() { h.srv.SendText(admin, botapi.PrivateChat(admin), "/docs") })
	mustContain(t, "/docs", listed[0].Text, "值班安排通知", "党务工作者的能力培训")
	removeList := listed[1]
	_, confirm := h.pressNext(admin, removeList, "值班安排通知", 1)
	ans, _ := h.pressNext(admin, confirm[0], bot.T("doc.remove_yes"), 0)
	if ans.Text != "" {
		t.Errorf("removing answered %q", ans.Text)
	}
	if got := h.srv.Messages(adminID); !strings.Contains(got[len(got)-1].Text, "已删除") {
		t.Errorf("after removal the message reads %q", got[len(got)-1].Text)
	}
	if reply := h.ask(48, "春节党群服务中心几点有人值班"); strings.Contains(reply, "九点") {
		t.Errorf("a removed document still answers: %q", reply)
	}
}

func TestLongContentStaysWithinTelegramLimits(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	title := "关于规范非公企业党组织活动场所建设的补充说明" + strings.Repeat("长", 300)
	body := strings.Repeat("党组织活动场所应当悬挂党旗，配备必要的学习资料和桌椅。", 400) // about 10,000 characters
	doc := title + "\n一、活动场所" + strings.Repeat("很长的标题", 60) + "\n" + body + "\n"
	mustContain(t, "import", h.importFile(admin, "site.txt", []byte(doc), "", ""), "关于规范非公企业党组织活动场所建设")

	u := botapi.DefaultUser(49)
	mustContain(t, "answer", h.ask(u.ID, "党组织活动场所要悬挂党旗吗"), "党旗")
	_, full := h.pressNext(u, h.lastMessage(u.ID), bot.T("ask.full"), 1)
	mustContain(t, "whole passage", full[0].Text, "悬挂党旗")

	// A coordinator's answer as long as Telegram allows reaches the asker,
	// and later askers can read all of it, split across messages.
	mustContain(t, "unanswerable", h.ask(50, "党员可以炒股吗"), bot.T("ask.recorded"))
	list := h.say(admin, "/unanswered")
	long := "党员可以依法买卖股票。" + strings.Repeat("答", 4080)
	preview := h.draftAnswer(admin, list, 1, long, bot.T("draft.city"), "")
	mustContain(t, "long preview", preview.Text, "依法买卖股票", plain(bot.T("draft.long", 4091)))
	h.pressEdit(admin, preview, bot.T("draft.save"))
	mustContain(t, "asker told", h.waitSent(50, 2)[1].Message.Text, "炒股", "答答答")

	v := botapi.DefaultUser(51)
	mustContain(t, "new asker", h.ask(v.ID, "党员可以炒股吗"), "依法买卖股票")
	_, parts := h.pressNext(v, h.lastMessage(v.ID), bot.T("ask.full"), 2)
	got := strings.Count(parts[0].Text+parts[1].Text, "答")
	if got < 4080 {
		t.Errorf("the whole answer came in two messages with %d of its 4,080 characters", got)
	}

	for _, e := range h.srv.Events() {
		if e.Kind == botapi.EventRefused {
			t.Errorf("Telegram refused %s: %v", e.Method, e.Err)
		}
	}
}
