package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// Hostile rosters get a clear reply in Chinese, never a generic failure.
func TestHostileRostersGetClearReplies(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"wide.csv", []byte("姓名,手机号,区县\n" + strings.Repeat(",", 5000) + "\n"), bot.T("err.roster_line_too_long")},
		{"quote.csv", []byte("姓名,手机号,区县\n\"张三" + strings.Repeat("\n李四,13900000001,鼓楼区", 20) + "\n"), bot.T("err.roster_line_too_long")},
		{"stray.csv", []byte("姓名,手机号,区县\n张三,13900000001,鼓楼区\n李\xff四,13900000002,鼓楼区\n"), bot.T("roster.unreadable_text")},
	} {
		if got := h.sendFile(admin, tc.name, tc.data); !strings.Contains(got, tc.want) {
			t.Errorf("%s: reply %q, want it to contain %q", tc.name, got, tc.want)
		}
	}
}

// A file whose reading takes longer than the import timeout is stopped
// with a reply, and nothing of it is kept.
func TestImportTimeoutStopsAFile(t *testing.T) {
	h := startBot(t, func(o *bot.Options) { o.ImportTimeout = time.Nanosecond }, nil)
	admin := botapi.DefaultUser(adminID)
	for _, name := range []string{"名单.csv", "通知.md"} {
		data := []byte("姓名,手机号,区县\n张三,13900000001,鼓楼区\n")
		if name == "通知.md" {
			data = []byte("# 通知\n\n## 时间\n\n每月交纳。\n")
		}
		if got := h.sendFile(admin, name, data); got != bot.T("file.too_slow", name) {
			t.Errorf("%s: reply %q", name, got)
		}
	}
	if docs, err := h.kb.Documents(context.Background()); err == nil {
		for _, d := range docs {
			if d.Title == "通知" {
				t.Errorf("a document cut off by the timeout was stored: %+v", d)
			}
		}
	}
}
