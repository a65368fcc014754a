package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// /grant for someone who never opened the bot says so (Telegram would
// refuse the notice), records the role, shows it as waiting in /grant and
// /audit, and tells the person when they first write.
func TestGrantBeforeTheyOpenTheBot(t *testing.T) {
	h := startBot(t, nil, nil)
	const newcomer = 777001
	h.ask(adminID, "/help")
	got := h.ask(adminID, "/grant 777001 鼓楼")
	if want := plain(bot.T("grant.waiting", newcomer, roleLabel("鼓楼区"), "dangwu_bot")); got != want {
		t.Fatalf("/grant for someone who never opened the bot = %q, want %q", got, want)
	}
	h.settle()
	if n := len(h.sentTo(newcomer)); n != 0 {
		t.Errorf("the bot tried %d messages to someone who never opened it", n)
	}
	if n := h.outboxRows("failed"); n != 0 {
		t.Errorf("%d failed outbox rows, want none", n)
	}
	list := h.ask(adminID, "/grant")
	mustContain(t, "/grant alone", list, plain(bot.T("grant.usage")), plain(bot.T("grant.list", 1)),
		"777001 · "+roleLabel("鼓楼区")+" · "+bot.T("grant.unseen"))
	mustContain(t, "/audit", h.ask(adminID, "/audit"), bot.T("audit.granted")+" 777001 · 鼓楼区 · "+bot.T("audit.unseen"))

	// They open the bot: told of the role once, with the wider menu.
	u := botapi.DefaultUser(newcomer)
	h.next(newcomer, 1, func() { h.srv.SendText(u, botapi.PrivateChat(u), "/start") })
	h.settle() // the notice was queued before /start was answered
	texts := h.sentTo(newcomer)
	told := 0
	for _, s := range texts {
		if s == plain(bot.T("grant.you", roleLabel("鼓楼区"))) {
			told++
		}
	}
	if told != 1 {
		t.Errorf("on opening the bot the newcomer was told of the role %d times (messages %q)", told, texts)
	}
	scope := botapi.BotCommandScope{Type: "chat", ChatID: newcomer}
	if menu := menuNames(h.srv.Commands(scope)); !slices.Contains(menu, "pending") {
		t.Errorf("the newcomer's menu = %v, want the coordinator's", menu)
	}
	h.ask(newcomer, "/help")
	h.settle()
	if n := strings.Count(strings.Join(h.sentTo(newcomer), "\n"), plain(bot.T("grant.you", roleLabel("鼓楼区")))); n != 1 {
		t.Errorf("told of the role %d times after writing again, want once", n)
	}
	if list := h.ask(adminID, "/grant"); strings.Contains(list, bot.T("grant.unseen")) {
		t.Errorf("/grant still shows the grant as waiting: %q", list)
	}
	if audit := h.ask(adminID, "/audit"); strings.Contains(audit, bot.T("audit.unseen")) {
		t.Errorf("/audit still shows the grant as waiting: %q", audit)
	}
	// A grant to someone who has opened the bot is told at once, as before.
	h.grant(777002, "")
}
