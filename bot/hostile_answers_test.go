package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// Hostile tests of answering in chat (issue 8). Each test names the defect
// it demonstrates; it fails until the defect is fixed.

// Defect: the calculator reads 二十万 as 220000 (dues.readNumber counts the
// digit before 十 twice when 万 follows), so a worker on 年薪二十万 is told
// 366.67元 a month, confidently, instead of 333.33元 (and 工资十万 is
// computed on 110000元).
func TestHostileBotYearlyTwentyWan(t *testing.T) {
	h := startDuesBot(t)
	mustContain(t, "年薪二十万交多少党费", h.ask(601, "年薪二十万交多少党费"), "每月应交党费 333.33元")
	mustContain(t, "/dues 十万", h.ask(601, "/dues 工资十万"), "每月应交党费 2000元")
}

// Defect: 三四千 ("three or four thousand") is read as 34000: the bot
// answers 每月应交党费 680元 to a worker who earns 3000–4000元.
func TestHostileBotSpokenRange(t *testing.T) {
	h := startDuesBot(t)
	if got := h.ask(602, "工资三四千交多少党费"); strings.Contains(got, "680元") || strings.Contains(got, "34000元") {
		t.Errorf("工资三四千交多少党费 = %q: computed on 34000元", got)
	}
}

// Defect: 赞成票 loses its 赞 (taken for thanks), so the question about the
// votes a candidate needs to be elected is answered, confidently, by the
// quorum rule of the 支部大会 that admits 预备党员; the 选举 passage that
// says 赞成票超过实到会有选举权人数的一半 is not the answer shown.
func TestHostileBotZanChengPiao(t *testing.T) {
	h := startBot(t, nil, nil)
	got := h.ask(603, "赞成票要超过半数吗")
	if !strings.Contains(got, "赞成") {
		t.Errorf("赞成票要超过半数吗 = %q; want a rule on 赞成票 or 赞成人数", got)
	}
}

// Probe kept as a regression test: a greeting addressed to the bot in a
// group gets the greeting, and an empty inline query is answered.
func TestHostileGroupGreetingAndEmptyInline(t *testing.T) {
	h := startBot(t, nil, nil)
	const group = -4242
	h.srv.GroupText(group, 604, "@dangwu_bot 你好")
	if got := h.waitSent(group, 1)[0].Message.Text; got != bot.T("chat.greeting") {
		t.Errorf("greeting in a group = %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, q := range []string{"", "   ", "工资8000交多少党费", "你好"} {
		id := h.srv.InlineQuery(botapi.DefaultUser(604), q)
		if _, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
			return e.Kind == botapi.EventAnswerInline && e.QueryID == id
		}); err != nil {
			t.Errorf("inline %q not answered: %v", q, err)
		}
	}
}

// Probe: /cancel in the middle of /dues ends it, and an old category
// button pressed afterwards restarts it cleanly; text in the dialogue gets
// a clear reply.
func TestHostileDuesDialogueAbuse(t *testing.T) {
	h := startDuesBot(t)
	const user = 605
	u := botapi.DefaultUser(user)
	h.ask(user, "/dues")
	prompt := h.lastMessage(user)
	mustContain(t, "/cancel", h.ask(user, "/cancel"), "已退出")
	if got := h.ask(user, "8000"); strings.Contains(got, "每月应交党费") {
		t.Errorf("8000 after /cancel = %q: the dialogue was still open", got)
	}
	n := len(h.sentTo(user))
	h.press(u, botapi.PrivateChat(u), prompt, "离退休")
	got := h.waitSent(user, n+1)[n].Message.Text
	mustContain(t, "old button", got, "离退休党员")
	mustContain(t, "text", h.ask(user, "我也不清楚啊"), "没有看懂金额")
	mustContain(t, "huge", h.ask(user, "一亿亿"), "不像每月收入的金额")
	mustContain(t, "4500", h.ask(user, "4500"), "每月应交党费 22.5元")
}

// Probe: a document holding HTML-looking text (<b>, &amp;, a lone <) and a
// source with markup is shown escaped (the in-process Bot API server
// refuses bad HTML), in the answer, the 查看全文 reader and inline mode.
func TestHostileHTMLInImportedDocument(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	doc := "火星支部议事规则\n<b>火星支部</b>每季度召开一次议事会 &amp; 会后通报，人数<5人的&不召开<script>alert(1)</script>。\n\n" +
		"火星议事的表决\n火星议事会表决时，赞成票超过到会人数一半的事项通过，表决结果当场公布并记录在案<i>。\n"
	got := h.importFile(admin, "火星.txt", []byte(doc), "<b>火星日报</b> & 记者", "")
	if strings.Contains(got, bot.T("error.internal")) {
		t.Fatalf("import = %q", got)
	}
	for _, q := range []string{"火星支部议事会多久开一次", "火星议事会怎么表决"} {
		got := h.ask(adminID, q)
		if got == bot.T("error.internal") || !strings.Contains(got, "火星") {
			t.Errorf("%s = %q", q, got)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := h.srv.InlineQuery(admin, "火星支部议事会")
	if _, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
		return e.Kind == botapi.EventAnswerInline && e.QueryID == id
	}); err != nil {
		t.Errorf("inline not answered: %v", err)
	}
}
