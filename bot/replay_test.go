package bot_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// The update that saves a gap's answer is recorded as handled in the transaction
// that stores the answer, before its reply goes out: a crash in between
// cannot replay the answer as a new question.
func TestGapAnswerIsHandledWithItsChange(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	reply := h.ask(41, "公司党支部能不能发年终奖给党员")
	if !strings.Contains(reply, bot.T("ask.recorded")) {
		t.Fatalf("got %q, want it recorded as unanswered", reply)
	}
	list := h.say(admin, "/unanswered")
	preview := h.draftAnswer(admin, list, 1, "党费和党组织工作经费都不能用于发放奖金。", bot.T("draft.city"), "")

	held, release := make(chan int, 1), make(chan struct{})
	h.srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "editMessageText" && p.Get("chat_id") == strconv.Itoa(adminID) {
			var undone int
			h.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE done_at IS NULL`).Scan(&undone)
			select {
			case held <- undone:
				<-release
			default: // a later message: let it through
			}
		}
		return nil
	})
	h.srv.Press(admin, botapi.PrivateChat(admin), preview.MessageID, buttonData(t, preview, bot.T("draft.save")))
	undone := <-held
	close(release)
	h.srv.SetFault(nil)
	if undone != 0 {
		t.Errorf("%d updates not done while the reply to the answer is on its way", undone)
	}
	h.waitSent(41, 2) // the asker is told
}
