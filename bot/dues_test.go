package bot_test

import (
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/internal/botapi"
)

const duesSource = "来源：《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）一、党费收缴 第"

// startDuesBot starts a bot with the embedded 党费 rules.
func startDuesBot(t *testing.T) *harness {
	t.Helper()
	rules, err := dues.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return startBot(t, func(o *bot.Options) { o.Dues = rules }, func(b *bot.Bot) { b.AddDuesQuestionCommand() })
}

func TestDuesCommandWithAmount(t *testing.T) {
	h := startDuesBot(t)
	got := h.ask(501, "/dues 8000")
	mustContain(t, "/dues 8000", got, "每月应交党费 120元", "税后月工资 8000元", "“5000元以上至10000元（含10000元）”一档", "8000元 × 1.5% = 120元",
		"计算基数：每月工资总额中相对固定的、经常性的工资收入（税后）", "依据：按月领取工资的党员", duesSource+"一条、第二条",
		"假设：您没有说明身份，以上按在职党员")
	if !strings.HasPrefix(got, "每月应交党费 120元") {
		t.Errorf("the amount is not first: %q", got)
	}
	// The amount is in bold.
	m := h.lastMessage(501)
	bold := false
	for _, e := range m.Entities {
		if e.Type == "bold" && e.Offset == len([]rune("每月应交党费 ")) && e.Length == len("120元")-len("元")+1 {
			bold = true
		}
	}
	if !bold {
		t.Errorf("the amount is not bold: %+v", m.Entities)
	}
	mustContain(t, "/dues 学生", h.ask(501, "/dues 学生"), "每月应交党费 0.2元", "学生党员按固定数额交纳", duesSource+"六条")
	mustContain(t, "/dues 退休金6000", h.ask(501, "/dues 退休金6000"), "每月应交党费 60元", "离退休党员", "“5000元以上”一档")
	mustContain(t, "/dues 年薪20万", h.ask(501, "/dues 年薪20万"), "每月应交党费 333.33元", "假设：“20万”是全年数额，以上按平均每月16666.67元计算")
	mustContain(t, "/dues 农民", h.ask(501, "/dues 农民"), "每月应交党费 0.2元至1元")
}

func TestDuesDialogue(t *testing.T) {
	h := startDuesBot(t)
	const user = 502
	u := botapi.DefaultUser(user)
	got := h.ask(user, "/dues")
	mustContain(t, "bare /dues", got, "党费计算器", "8000 或 8千")
	prompt := h.lastMessage(user)
	if prompt.ReplyMarkup == nil || len(prompt.ReplyMarkup.InlineKeyboard) == 0 {
		t.Fatalf("the prompt has no category buttons: %+v", prompt)
	}
	mustContain(t, "八千", h.ask(user, "八千"), "每月应交党费 120元", "假设：")
	// The dialogue ended with the answer: a bare number is now no dues question.
	if got := h.ask(user, "8000"); strings.Contains(got, "每月应交党费") {
		t.Errorf("8000 after the dialogue ended = %q", got)
	}

	// Choose a category, answer with words, then with nonsense amounts.
	h.ask(user, "/dues")
	n := len(h.sentTo(user))
	h.press(u, botapi.PrivateChat(u), h.lastMessage(user), "离退休")
	got = h.waitSent(user, n+1)[n].Message.Text
	mustContain(t, "after 离退休", got, "离退休党员：请输入每月实际领取的离退休费或养老金")
	mustContain(t, "不知道", h.ask(user, "不知道"), "没有看懂金额", "每月实际领取的离退休费或养老金")
	mustContain(t, "-5", h.ask(user, "-5"), "“-5”不像每月收入的金额", "1元到10000000元之间")
	mustContain(t, "999999999", h.ask(user, "999999999"), "“999999999”不像每月收入的金额")
	mustContain(t, "huge", h.ask(user, strings.Repeat("9", 3000)), "不像每月收入的金额")
	mustContain(t, "two amounts", h.ask(user, "5000或6000"), "几个金额（5000、6000）")
	got = h.ask(user, "5000")
	mustContain(t, "5000 retired", got, "每月应交党费 25元", "离退休党员", "“5000元以下（含5000元）”一档", duesSource+"五条")
	if strings.Contains(got, "假设") {
		t.Errorf("a chosen category is no assumption: %q", got)
	}
	if got := h.ask(user, "5001"); strings.Contains(got, "每月应交党费") {
		t.Errorf("5001 after the dialogue ended = %q", got)
	}

	// A fixed-amount button answers at once.
	h.ask(user, "/dues")
	n = len(h.sentTo(user))
	h.press(u, botapi.PrivateChat(u), h.lastMessage(user), "学生")
	mustContain(t, "学生 button", h.waitSent(user, n+1)[n].Message.Text, "每月应交党费 0.2元")

	// /cancel leaves the calculator.
	h.ask(user, "/dues")
	mustContain(t, "/cancel", h.ask(user, "/cancel"), "已退出")
}

func TestDuesNonsense(t *testing.T) {
	h := startDuesBot(t)
	mustContain(t, "/dues -5", h.ask(503, "/dues -5"), "“-5”不像每月收入的金额")
	mustContain(t, "/dues 不知道", h.ask(503, "/dues 不知道"), "没有看懂金额", "税后月工资")
	// The dialogue stays open after a hint: an amount now is answered.
	mustContain(t, "then 3000", h.ask(503, "3000"), "每月应交党费 15元", "“3000元以下（含3000元）”一档")
	mustContain(t, "/dues 3000.01", h.ask(503, "/dues 3000.01"), "每月应交党费 30元", "“3000元以上至5000元（含5000元）”一档")
	mustContain(t, "/dues 10000.01", h.ask(503, "/dues 10000.01"), "每月应交党费 200元", "“10000元以上”一档")
	mustContain(t, "/dues 1万", h.ask(503, "/dues 1万"), "每月应交党费 150元")
}

func TestDuesQuestionPath(t *testing.T) {
	h := startDuesBot(t)
	for q, want := range map[string]string{
		"每月工资8000交多少党费": "每月应交党费 120元",
		"税后一万二党费多少":     "每月应交党费 240元",
		"退休金4500交多少":    "每月应交党费 22.5元",
		"我是学生党员交多少":     "每月应交党费 0.2元",
		"月薪两万党费交多少":     "每月应交党费 400元",
		"8000":          "not a dues question",
		"党费怎么交":         "not a dues question",
	} {
		mustContain(t, q, h.ask(504, "/duesq "+q), want)
	}
	// A question that needs the amount opens the dialogue.
	mustContain(t, "退休交多少", h.ask(504, "/duesq 退休党员党费怎么算"), "请告诉我每月实际领取的离退休费或养老金")
	mustContain(t, "then 4000", h.ask(504, "4000"), "每月应交党费 20元")
	// Two categories: buttons to choose.
	mustContain(t, "two categories", h.ask(504, "/duesq 学生党员和退休党员党费交多少"), "请选择您的情况")
	if m := h.lastMessage(504); m.ReplyMarkup == nil {
		t.Errorf("no category buttons")
	}
	// In a group: answered there, no dialogue.
	const group = -700
	h.settle()
	n := len(h.sentTo(group))
	h.srv.GroupText(group, 504, "/dues@dangwu_bot 8000")
	mustContain(t, "group /dues 8000", h.waitSent(group, n+1)[n].Message.Text, "每月应交党费 120元")
	h.srv.GroupText(group, 504, "/dues@dangwu_bot")
	mustContain(t, "group /dues", h.waitSent(group, n+2)[n+1].Message.Text, "在群里请用 /dues 加金额")
}

func TestDuesPlainText(t *testing.T) {
	rules, err := dues.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := rules.Answer("每月工资8000交多少党费")
	got := bot.DuesPlainText(rep)
	if !strings.HasPrefix(got, "每月应交党费 120元\n") || strings.Contains(got, "<b>") || !strings.Contains(got, "（含10000元）") {
		t.Errorf("DuesPlainText = %q", got)
	}
}

func TestNoDuesRulesNoCommand(t *testing.T) {
	h := startBot(t, func(o *bot.Options) { o.Dues = nil }, nil)
	mustContain(t, "/dues without rules", h.ask(505, "/dues 8000"), "没有这个命令")
	if got := h.ask(505, "/help"); strings.Contains(got, "/dues") {
		t.Errorf("/help lists /dues without rules: %q", got)
	}
}

func TestDuesInHelp(t *testing.T) {
	h := startDuesBot(t)
	mustContain(t, "/help", h.ask(506, "/help"), "/dues — 党费计算")
}
