package bot_test

import (
	"fmt"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
)

// A button that asks for typed text, pressed in a group, asks in the
// private chat, where the answer can reach the dialogue.
func TestButtonsPressedInAGroupAskPrivately(t *testing.T) {
	h := startBot(t, nil, nil)
	h.ask(adminID, "/help")
	admin := botapi.DefaultUser(adminID)
	group := botapi.GroupChat(-500)

	pending := h.seedWorker(newWorker(132, "孙二", "13912340032", "云龙区"), false)
	n := len(h.sentTo(adminID))
	h.pressData(admin, group, 1, fmt.Sprintf("pd:r:%d", pending.ID))
	if got := h.waitSent(adminID, n+1)[n].Message.Text; got != bot.T("pending.reject_reason", "孙二") {
		t.Fatalf("private prompt %q", got)
	}
	if got := h.ask(adminID, "单位不属于两新组织"); got != bot.T("pending.rejected_record", "孙二") {
		t.Errorf("after the reason: %q", got)
	}
	if got := h.profile(132); got.Status != member.StatusRejected {
		t.Errorf("status %s, want rejected", got.Status)
	}

	approved := h.seedWorker(newWorker(133, "孙三", "13912340033", "云龙区"), true)
	n = len(h.sentTo(adminID))
	h.pressData(admin, group, 1, fmt.Sprintf("mb:l:%d", approved.ID))
	if got := h.waitSent(adminID, n+1)[n].Message.Text; got != bot.T("members.leave_ask", "孙三") {
		t.Fatalf("private prompt %q", got)
	}
	h.ask(adminID, "调往外地工作")
	if got := h.profile(133); got.Status != member.StatusLeft {
		t.Errorf("status %s, want left", got.Status)
	}
}
