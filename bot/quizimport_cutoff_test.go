package bot_test

import (
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// The coordinator presses 只导入正确的 N 题 and the bot stops (here: the
// shutdown grace ends; a kill -9 leaves the same state) while it downloads
// the file again. The press was the person's: the next start imports the
// good questions, or at least the button still works. (The dialogue used
// to end in a transaction of its own before the download, so the replayed
// press found none and was refused as stale.)
func TestBankConfirmationCutOffIsImportedAtTheNextStart(t *testing.T) {
	h := startBot(t, func(o *bot.Options) { o.ShutdownGrace = 50 * time.Millisecond }, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	data := bankWorkbook(t, [][]any{
		{"h3-001", "单选", "断电专题", 1, "好题一？", "甲", "乙", "丙", "丁", "B", "因为乙。"},
		{"h3-002", "单选", "断电专题", 1, "坏题：答案不在选项中？", "甲", "乙", "丙", "丁", "E", "……"},
		{"h3-003", "判断", "断电专题", 1, "好题二：这句话对。", "", "", "", "", "对", "对的。"},
	})
	report := h.sendBank(admin, "断电题库.xlsx", data)
	confirm := h.buttonData(report, "只导入正确的 2 题")

	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.srv.SetFault(func(method string, _ botapi.Params) *botapi.APIError {
		if method != "getFile" {
			return nil
		}
		first := false
		once.Do(func() { first = true })
		if !first {
			return nil
		}
		close(held)
		<-release // the process that asked is gone by then
		return &botapi.APIError{Code: 500, Description: "Internal Server Error"}
	})
	h.srv.Press(admin, botapi.PrivateChat(admin), report.MessageID, confirm)
	<-held
	h.restartAfterShutdown(nil)
	close(release)
	h.srv.SetFault(nil)
	h.ask(adminID, "/help") // handled after the replayed press, in the same chat

	if n := countTopic(t, h, "断电专题"); n == 2 {
		return
	}
	ans := h.pressData(admin, botapi.PrivateChat(admin), report.MessageID, confirm)
	if n := countTopic(t, h, "断电专题"); n != 2 {
		t.Errorf("a confirmation cut off by a stop: after the restart %d questions imported, want 2; pressing 只导入正确的 2 题 again answers %q", n, ans.Text)
	}
}
