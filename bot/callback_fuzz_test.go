package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// errorLog keeps the errors the bot logs.
type errorLog struct {
	mu   sync.Mutex
	errs []string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, b.String())
	return nil
}

func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

// since returns the errors logged after the first n.
func (l *errorLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs[n:]...)
}

func (l *errorLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.errs)
}

// callbackSeeds are button data as the bot makes them (one of each kind,
// with plausible ids) and as a forged client may send it: unknown
// prefixes, missing, negative, huge and non-numeric arguments.
var callbackSeeds = []string{
	"kb:up:1:1", "kb:dn:1:2", "kb:full:1:1", "kb:r:1:3", "kbw:1:off", "rg:district:0", "rgfix:name", "rgok", "me:phone", "del:yes", "del:no",
	"pd:a:1", "pd:r:1", "mb:l:1", "mb:ret:1", "mb:v:1", "gap:a:1", "gap:m:1", "gap:mp:1:1", "gap:x:1:1", "gap:p:2", "dr:d:1", "dr:skip", "dr:save",
	"dr:redo", "dr:cancel", "faq:e:x", "faq:d:x", "faq:dy:1", "faq:p:2", "doc:rm:dues-rates", "doc:rmy:dues-rates", "dl:2", "rd:o:dues-rates", "imp:d:0", "imp:skip",
	"qz:tp:0", "qz:tp:-1", "qz:len:0:5", "qz:a:1:0:0", "qz:x:1:0:1", "qz:s:1:0", "qz:n:1:1", "qz:r:1", "qz:src:branch-001", "qz:c", "qz:q",
	"ex:s:monthly", "ex:go:monthly", "ex:sub:1", "ex:subok:1", "ex:rv:1:0", "mk:2", "rv:go", "rk:show:1", "rk:show:0", "qs:q:0", "qi:ok", "qi:no",
	"bc:aud:all", "bc:aud:dist", "bc:d:0", "bc:dok", "bc:ack1", "bc:now", "bc:later", "bc:go:1", "bc:s:1", "bc:ack:1", "bc:stop:1", "bc:wd:1", "bc:wdok:1",
	"bc:lvl:0", "bc:x", "ev:v:1", "ev:in:1", "ev:out:1", "ev:ics:1", "ev:code:1", "ev:xls:1", "ev:mk:1", "ev:ed:1", "ev:cx:1", "ev:l:0:0", "ev:ok:1",
	"sc:p:1", "sc:r:1", "sc:d:1", "sc:dok:1", "sc:new", "vn:ed:1", "vn:d:1", "vn:dok:1", "vn:new", "st:open", "st:t:daily", "st:d:0730", "st:d:off",
	"st:v", "st:vs:0", "st:vs:1", "dy:go", "lv:apply", "ap:ok:1", "ap:no:1", "as:1:优秀", "du:r:1", "du:d:1", "dues:employed", "dues:nosuch",
	"", ":", "::::", "kb", "kb:", "kb:up", "kb:up:x:y", "kb:up:-1:-1", "qz:a:99999999999999999999:0:0", "qz:a:1:-1:-5", "qz:len:99:99",
	"ev:l:9223372036854775807:1", "gap:p:-3", "dr:d:100000", "st:d:2561", "st:d:", "bc:lvl:-1", "mk:0", "dl:-1", "faq:dy:99999", "rk:show:2",
	"nosuch:1", "KB:UP:1:1", "kb:up:1:1:extra:fields", "党费:1", strings.Repeat("x", 64),
}

// FuzzCallbackData presses a button of any data, as a worker, a
// coordinator and an administrator, on the latest message of their chat:
// the bot answers every press, and no handler fails or panics whatever the
// data (a forged or stale button is answered as such). The state the
// presses change carries over from one to the next, as it would for a
// person pressing buttons of old messages.
func FuzzCallbackData(f *testing.F) {
	for i, s := range callbackSeeds {
		f.Add(s, uint8(i%3))
	}
	logs := &errorLog{}
	h := startBot(f, func(o *bot.Options) { o.Log = slog.New(logs) }, nil)
	const coordID, workerID = 910, 920
	h.seedWorker(newWorker(workerID, "张三", "13912345678", "鼓楼区"), true)
	h.seedWorker(newWorker(coordID, "李四", "13912345679", "鼓楼区"), true)
	h.grant(coordID, "鼓楼区")
	h.ask(workerID, "党费怎么交")
	h.ask(coordID, "/unanswered")
	h.ask(adminID, "/events")
	h.settle()
	if errs := logs.since(0); len(errs) > 0 {
		f.Fatalf("errors before any press: %q", errs)
	}
	events, stop := h.srv.Subscribe(1024)
	defer stop()
	users := []int64{workerID, coordID, adminID}
	f.Fuzz(func(t *testing.T, data string, who uint8) {
		if data == "" || len(data) > 64 || !utf8.ValidString(data) {
			return // Telegram sends 1 to 64 bytes of UTF-8
		}
		u := botapi.DefaultUser(users[int(who)%len(users)])
		messageID := 1
		for _, m := range h.srv.Messages(u.ID) {
			if m.From != nil && m.From.IsBot {
				messageID = m.MessageID
			}
		}
		before := logs.len()
		// A handler's error is logged after its press is answered; a
		// second press in the chat, handled after the first is done, is
		// the barrier after which it has been.
		var refused []string
		for _, d := range []string{data, "zz:barrier"} {
			id := h.srv.Press(u, botapi.PrivateChat(u), messageID, d)
			timeout := time.After(10 * time.Second)
			for answered := false; !answered; {
				select {
				case e, ok := <-events:
					if !ok {
						t.Fatal("the Bot API server closed")
					}
					switch {
					case e.Kind == botapi.EventAnswerCallback && e.QueryID == id:
						answered = true
					case e.Kind == botapi.EventRefused && !strings.Contains(e.Err.Description, "message is not modified"):
						// An edit to the same text is refused and ignored, as
						// Telegram refuses it (a settings button pressed twice).
						refused = append(refused, fmt.Sprintf("%s: %v", e.Method, e.Err))
					}
				case <-timeout:
					t.Fatalf("press %q by %d on message %d: not answered in 10 s", d, u.ID, messageID)
				}
			}
		}
		if errs := logs.since(before); len(errs) > 0 || len(refused) > 0 {
			t.Fatalf("press %q by %d on message %d: errors %q, calls refused %q", data, u.ID, messageID, errs, refused)
		}
	})
}
