package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

func TestStartAndHelp(t *testing.T) {
	h := startBot(t, nil, nil)

	h.srv.PrivateText(1, "/start")
	replies := h.waitSent(1, 2)
	mustContain(t, "/start reply", replies[0].Message.Text, "党务助手", "/help")
	mustContain(t, "then registration", replies[1].Message.Text, bot.T("reg.ask.name"))

	help := h.ask(1, "/help")
	mustContain(t, "worker /help", help, "/start", "/help", "/cancel")
	if strings.Contains(help, bot.T("help.section.admin")) {
		t.Errorf("worker /help shows the admin section: %q", help)
	}
}

func TestCommandMenuSetAtStartup(t *testing.T) {
	h := startBot(t, nil, nil)
	menu := h.srv.Commands(botapi.BotCommandScope{Type: "default"})
	names := map[string]bool{}
	for _, c := range menu {
		names[c.Command] = true
	}
	for _, want := range []string{"start", "help", "cancel"} {
		if !names[want] {
			t.Errorf("default command menu %v lacks /%s", menu, want)
		}
	}
	group := h.srv.Commands(botapi.BotCommandScope{Type: "all_group_chats"})
	for _, c := range group {
		if c.Command == "cancel" {
			t.Errorf("group menu offers /cancel, which only works in private: %v", group)
		}
	}
}

func TestGroupQuietExceptWhenAddressed(t *testing.T) {
	h := startBot(t, nil, nil)
	const group = -500
	// Each quiet message is followed by a loud one; the chat is handled in
	// order, so a reply to the quiet one would arrive before the loud one's.
	steps := []struct {
		text  string
		reply bool
	}{
		{"大家好", false},
		{"/help@dangwu_bot", true},
		{"/help@other_bot", false},
		{"/help", true},
		{"/unknowncmd", false},
		{"/unknowncmd@dangwu_bot", true},
		{"@dangwu_bot 你好", true},
		{"@someone_else 你好", false},
		{"/start", true},
	}
	want := 0
	for _, s := range steps {
		h.srv.GroupText(group, 7, s.text)
		if s.reply {
			want++
			h.waitSent(group, want)
		}
	}
	if got := len(h.sentTo(group)); got != want {
		t.Fatalf("bot sent %d messages to the group, want %d: %q", got, want, h.sentTo(group))
	}
	texts := h.sentTo(group)
	mustContain(t, "reply to /unknowncmd@dangwu_bot", texts[2], "/unknowncmd")
}

func TestOneChatInOrderWhileAnotherIsServed(t *testing.T) {
	h := startBot(t, nil, nil)
	const slow, fast = 11, 22
	// Hold the slow chat's first reply until the fast chat has been answered:
	// if chats were served one after another, this would never finish.
	release := make(chan struct{})
	var once sync.Once
	h.srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "sendMessage" && p.Get("chat_id") == fmt.Sprint(slow) {
			once.Do(func() {
				select {
				case <-release:
				case <-time.After(10 * time.Second):
				}
			})
		}
		return nil
	})
	for i := 1; i <= 10; i++ {
		h.srv.PrivateText(slow, fmt.Sprintf("/m%d", i))
	}
	h.srv.PrivateText(fast, "/start")
	h.waitSent(fast, 1)
	if n := len(h.sentTo(slow)); n != 0 {
		t.Errorf("slow chat got %d replies before it was released", n)
	}
	close(release)
	replies := h.waitSent(slow, 10)
	for i, e := range replies {
		if want := fmt.Sprintf("/m%d", i+1); !strings.Contains(e.Message.Text, want+"。") {
			t.Errorf("reply %d = %q, want the answer to %s", i+1, e.Message.Text, want)
		}
	}
}

func TestPanicInHandlerIsSurvived(t *testing.T) {
	h := startBot(t, nil, func(b *bot.Bot) {
		b.AddTestCommand("boom", func(context.Context) { panic("kaboom") })
	})
	apology := h.ask(3, "/boom")
	if apology != bot.T("error.internal") {
		t.Errorf("after a panic the user got %q, want the apology", apology)
	}
	mustContain(t, "log", h.logs.String(), "handler panic", "kaboom", "goroutine")
	mustContain(t, "next reply", h.ask(3, "/help"), "/start")
}

func TestRefusedSendsAreHandledAndLogged(t *testing.T) {
	var slept []time.Duration
	var mu sync.Mutex
	h := startBot(t, nil, func(b *bot.Bot) {
		b.SetSleep(func(_ context.Context, d time.Duration) error {
			mu.Lock()
			slept = append(slept, d)
			mu.Unlock()
			return nil
		})
	})

	h.srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 7", 7)
	mustContain(t, "reply after a 429", h.ask(4, "/help"), "/start")
	mu.Lock()
	if len(slept) != 1 || slept[0] != 7*time.Second {
		t.Errorf("waited %v after the 429, want [7s]", slept)
	}
	mu.Unlock()
	mustContain(t, "log", h.logs.String(), "telegram rate limit", "retry_after_s=7")

	h.srv.FailNext("sendMessage", 403, "Forbidden: bot was blocked by the user", 0)
	h.srv.PrivateText(5, "/help")
	mustContain(t, "next reply", h.ask(5, "/help"), "/start")
	mustContain(t, "log", h.logs.String(), "chat refuses messages", "chat_id=5")
	if got := h.sentTo(5); len(got) != 1 {
		t.Errorf("chat 5 has %d messages (%q), want only the answer to /help", len(got), got)
	}
}

func TestShutdownWaitsForRunningHandler(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	h := startBot(t, nil, func(b *bot.Bot) {
		b.AddTestCommand("slow", func(context.Context) {
			close(started)
			<-release
		})
	})
	h.srv.PrivateText(8, "/slow")
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- h.shutdown() }()
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) while a handler was still running", err)
	default:
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if texts := h.sentTo(8); len(texts) != 1 || texts[0] != "done slow" {
		t.Errorf("after shutdown the chat has %q, want the slow handler's reply", texts)
	}
}

func TestBadInput(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.User{ID: 12, FirstName: "<b>x</b> & <script>", LanguageCode: "zh-hans"}
	chat := botapi.PrivateChat(u)

	tests := []struct {
		name string
		send func()
		want string
	}{
		{"empty text", func() { h.srv.SendText(u, chat, "") }, bot.T("text.unsupported")},
		{"10,000 characters", func() { h.srv.SendText(u, chat, strings.Repeat("党", 10000)) }, bot.T("text.too_long", 10000, 4096)},
		{"control characters only", func() { h.srv.SendText(u, chat, "\x00\x01\x1b") }, bot.T("text.empty")},
		{"html in user text", func() { h.srv.SendText(u, chat, "<b>x</b>") }, ""},
		{"unknown command", func() { h.srv.SendText(u, chat, "/frobnicate now") }, "/frobnicate"},
		{"html in the user's name", func() { h.srv.SendText(u, chat, "/start") }, "<b>x</b> & <script>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := len(h.sentTo(u.ID))
			tc.send()
			got := h.waitSent(u.ID, n+1)[n].Message.Text
			if got == bot.T("error.internal") {
				t.Fatalf("reply = %q", got)
			}
			mustContain(t, "reply", got, tc.want)
		})
	}
}

func TestForgedAndStaleButtons(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(13)
	for _, data := range []string{"nosuch:1", "", strings.Repeat("x", 64), "kb:\x00\xff"} {
		id := h.srv.Press(u, botapi.PrivateChat(u), 999, data)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
			return e.Kind == botapi.EventAnswerCallback && e.QueryID == id
		})
		cancel()
		if err != nil {
			t.Fatalf("press %q: no answer: %v", data, err)
		}
		ans, _ := h.srv.CallbackAnswer(id)
		if ans.Text != bot.T("unknown.button") {
			t.Errorf("press %q answered %q, want %q", data, ans.Text, bot.T("unknown.button"))
		}
	}
	mustContain(t, "bot still answers", h.ask(13, "/help"), "/start")
}

func TestRepliesPacedUnderTelegramRateLimits(t *testing.T) {
	// Telegram's clock, moved on by the bot's own waits after a 429: the
	// test runs at full speed while the bot behaves as it would in real time.
	clk := &clock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	var waits []time.Duration
	var mu sync.Mutex
	h := startBotOn(t, botapi.Options{Token: botToken, Now: clk.Now, RateLimits: true}, nil, func(b *bot.Bot) {
		b.SetSleep(func(_ context.Context, d time.Duration) error {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			clk.Advance(d)
			return nil
		})
	})
	const n = 8
	for i := 1; i <= n; i++ {
		h.srv.PrivateText(70, fmt.Sprintf("/n%d", i))
	}
	replies := h.waitSent(70, n)
	for i, e := range replies {
		if want := fmt.Sprintf("/n%d。", i+1); !strings.Contains(e.Message.Text, want) {
			t.Errorf("reply %d = %q, want the answer to /n%d", i+1, e.Message.Text, i+1)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// One chat may get a burst of 3, then one a second: the bot must have
	// been told to wait, and waited, at least n-3 times.
	if len(waits) < n-3 {
		t.Errorf("the bot waited %d times (%v), want at least %d", len(waits), waits, n-3)
	}
	refused := 0
	for _, e := range h.srv.Events() {
		if e.Kind == botapi.EventRefused {
			refused++
		}
	}
	if refused != len(waits) {
		t.Errorf("%d sends refused with 429 but the bot waited %d times", refused, len(waits))
	}
	mustContain(t, "log", h.logs.String(), "telegram rate limit")
}

func TestShutdownGraceCancelsAHandlerThatRunsOn(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan struct{})
	h := startBot(t, func(o *bot.Options) { o.ShutdownGrace = 50 * time.Millisecond }, func(b *bot.Bot) {
		b.AddTestCommand("stuck", func(ctx context.Context) {
			close(started)
			<-ctx.Done() // a handler that waits on I/O gives up when told
			close(cancelled)
		})
	})
	h.srv.PrivateText(9, "/stuck")
	<-started
	err := h.shutdown()
	if err == nil || !strings.Contains(err.Error(), "handlers still running") {
		t.Errorf("Run = %v, want the grace period reported", err)
	}
	select {
	case <-cancelled:
	default:
		t.Error("Run returned before the handler saw its context cancelled")
	}
}
