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
	scope := botapi.BotCommandScope{Type: "chat", ChatID: newcomer}
	h.srv.SendText(u, botapi.PrivateChat(u), "/start")
	h.waitUntil("the newcomer has the coordinator's menu", func() bool {
		return slices.Contains(menuNames(h.srv.Commands(scope)), "pending")
	})
	h.settle() // the notice was queued before the menu was set
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

// After an administrator erases their data, /audit shows their grants as
// an erased account's, with a stable label, not as the system's.
func TestAuditShowsAnErasedAdministrator(t *testing.T) {
	h := startBot(t, nil, nil)
	h.ask(adminID, "/help")
	h.grant(780001, "鼓楼区")
	admin := botapi.DefaultUser(adminID)
	ask := h.say(admin, "/deleteme")
	h.press(admin, botapi.PrivateChat(admin), ask, bot.T("deleteme.yes"))
	audit := h.ask(adminID, "/audit")
	label := bot.T("audit.erased_user", 1)
	mustContain(t, "/audit", audit, label+" "+bot.T("audit.granted")+" 780001 · 鼓楼区", label+" "+bot.T("audit.erased"))
	if strings.Contains(audit, bot.T("audit.system")) {
		t.Errorf("/audit names the system as an actor:\n%s", audit)
	}
}
