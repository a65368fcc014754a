package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/scheduler"
)

// scheduleBroadcast walks /broadcast to a notice to everyone in coord's
// scope at at (Shanghai, to the minute) and returns the confirmation with
// its 取消定时发送 button, and the broadcast.
func (h *harness) scheduleBroadcast(coord botapi.User, text string, at time.Time) (botapi.Message, scheduler.Broadcast) {
	h.t.Helper()
	need(h.t, "/broadcast", h.say(coord, "/broadcast").Text, "发布通知")
	menu := h.say(coord, text)
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_all"))
	h.press(coord, botapi.PrivateChat(coord), h.message(coord.ID, menu.MessageID), bot.T("bc.send_later"))
	preview := h.say(coord, at.Format("2006-01-02 15:04"))
	need(h.t, "preview", preview.Text, "定时 "+at.Format("2006-01-02 15:04"))
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	confirmed := h.message(coord.ID, preview.MessageID)
	list, err := h.sched.Broadcasts(context.Background(), adminAccess(), 1)
	if err != nil || len(list) != 1 || list[0].Text != text || list[0].State != scheduler.Scheduled {
		h.t.Fatalf("the scheduled notice: %+v %v", list, err)
	}
	return confirmed, list[0]
}

// A 云龙区 coordinator schedules a notice and is made 鼓楼区's before it is
// due: when the clock passes its time nobody gets it — not 云龙区, not
// 鼓楼区 — it is cancelled, and the coordinator is told why; 取消定时发送
// on their old confirmation is refused. A 鼓楼区 coordinator's notice due
// at the same time goes out; so does the notice of a coordinator revoked
// and granted back before it is due.
func TestLapsedScheduledNoticeOfAMovedCoordinator(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const movedID, keptID, backID = 5101, 5102, 5103
	h.grant(movedID, "云龙区")
	h.grant(keptID, "鼓楼区")
	h.grant(backID, "云龙区")
	moved, kept, back := botapi.DefaultUser(movedID), botapi.DefaultUser(keptID), botapi.DefaultUser(backID)
	yun, gu := newWorker(5104, "云龙工作者", "13912345104", "云龙区"), newWorker(5105, "鼓楼工作者", "13912345105", "鼓楼区")
	for _, w := range []worker{yun, gu} {
		h.seedWorker(w, true)
		h.ask(w.user.ID, "/help")
	}
	at := h.clock.Now().Add(3 * time.Hour).In(shanghaiLoc(t)).Truncate(time.Minute)
	confirmed, lapsed := h.scheduleBroadcast(moved, "云龙区定时通知：周五交材料。", at)
	_, goes := h.scheduleBroadcast(kept, "鼓楼区定时通知：周六开会。", at)
	_, regranted := h.scheduleBroadcast(back, "云龙区第二条定时通知。", at)

	h.grant(movedID, "鼓楼区")
	if got := h.ask(adminID, fmt.Sprintf("/revoke %d", backID)); !strings.Contains(got, fmt.Sprint(backID)) {
		t.Fatalf("/revoke: %q", got)
	}
	h.grant(backID, "云龙区")
	h.settle() // the notice of the revocation is delivered first, not counted below
	before := len(h.sentTo(movedID))
	h.clock.Advance(3*time.Hour + time.Minute)
	h.bot.SchedTick(ctx)
	h.settle()

	for _, w := range []worker{yun, gu} {
		if n := h.countContaining(w.user.ID, "周五交材料"); n != 0 {
			t.Errorf("%s got the moved coordinator's notice", w.name)
		}
	}
	if n := h.countContaining(gu.user.ID, "周六开会"); n != 1 {
		t.Errorf("鼓楼区's worker got 鼓楼区's notice %d times, want once", n)
	}
	if n := h.countContaining(yun.user.ID, "云龙区第二条定时通知"); n != 1 {
		t.Errorf("云龙区's worker got the notice of the coordinator granted back %d times, want once", n)
	}
	if b, _ := h.sched.Broadcast(ctx, adminAccess(), lapsed.ID); b.State != scheduler.Dropped {
		t.Errorf("the moved coordinator's notice is %s", b.State)
	}
	for _, b := range []scheduler.Broadcast{goes, regranted} {
		if got, _ := h.sched.Broadcast(ctx, adminAccess(), b.ID); got.State != scheduler.Sent {
			t.Errorf("%q is %s", b.Text, got.State)
		}
	}
	told := h.sentTo(movedID)[before:]
	want := plain(bot.T("lapse.bc_district", at.Format("2006-01-02 15:04"), lapsed.ID, "云龙区", "云龙区定时通知：周五交材料。"))
	if len(told) != 1 || told[0] != want {
		t.Errorf("the moved coordinator was told %q, want %q", told, want)
	}
	if ans := h.press(moved, botapi.PrivateChat(moved), confirmed, bot.T("bc.cancel_scheduled")); ans.Text != plain(bot.T("sched.out_of_scope")) {
		t.Errorf("取消定时发送 after the move answered %q", ans.Text)
	}
}

// A coordinator whose role is revoked before their scheduled notice is due
// is told it was not sent; nobody gets it.
func TestLapsedScheduledNoticeOfARevokedCoordinator(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const coordID = 5111
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(5112, "全市工作者", "13912345112", "铜山区")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	at := h.clock.Now().Add(2 * time.Hour).In(shanghaiLoc(t)).Truncate(time.Minute)
	_, b := h.scheduleBroadcast(coord, "全市定时通知：月底前报送。", at)
	if got := h.ask(adminID, fmt.Sprintf("/revoke %d", coordID)); !strings.Contains(got, fmt.Sprint(coordID)) {
		t.Fatalf("/revoke: %q", got)
	}
	h.settle() // the notice of the revocation is delivered first, not counted below
	before := len(h.sentTo(coordID))
	h.clock.Advance(2*time.Hour + time.Minute)
	h.bot.SchedTick(ctx)
	h.settle()
	if n := h.countContaining(w.user.ID, "月底前报送"); n != 0 {
		t.Errorf("the revoked coordinator's notice reached the worker")
	}
	if got, _ := h.sched.Broadcast(ctx, adminAccess(), b.ID); got.State != scheduler.Dropped {
		t.Errorf("the notice is %s", got.State)
	}
	want := plain(bot.T("lapse.bc_role", at.Format("2006-01-02 15:04"), b.ID, "全市定时通知：月底前报送。"))
	if told := h.sentTo(coordID)[before:]; len(told) != 1 || told[0] != want {
		t.Errorf("the revoked coordinator was told %q, want %q", told, want)
	}
}

// The buttons of a sent notice's status message — 停止发送, 提醒未回执,
// 更正内容, 撤回通知, 刷新 — read the presser's role when pressed: after a
// move to another district they are refused as out of scope, after a
// revocation as unknown, and nothing changes; granted the district again,
// the same message works.
func TestOpenBroadcastControlsFollowTheRoleAtThePress(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const coordID = 5121
	h.grant(coordID, "云龙区")
	coord := botapi.DefaultUser(coordID)
	chat := botapi.PrivateChat(coord)
	w := newWorker(5122, "云龙收文", "13912345122", "云龙区")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	preview := h.writeBroadcast(coord, "云龙区通知：请回执。")
	h.press(coord, chat, preview, bot.T("bc.confirm"))
	h.settle()
	list, err := h.sched.Broadcasts(ctx, adminAccess(), 1)
	if err != nil || len(list) != 1 || list[0].StatusMessage == 0 {
		t.Fatalf("the notice and its status message: %+v %v", list, err)
	}
	id, status := list[0].ID, list[0].StatusMessage

	presses := []string{"stop", "rm", "fix", "wd", "wdok", "s"}
	check := func(when, want string) {
		t.Helper()
		for _, data := range presses {
			if ans := h.pressData(coord, chat, status, fmt.Sprintf("bc:%s:%d", data, id)); ans.Text != want {
				t.Errorf("%s, bc:%s answered %q, want %q", when, data, ans.Text, want)
			}
		}
		h.say(coord, "云龙区通知：改成周六。") // no correction dialogue was opened: a question
		h.settle()
		b, err := h.sched.Broadcast(ctx, adminAccess(), id)
		if err != nil || b.State != scheduler.Sent || b.Revision != 0 {
			t.Errorf("%s, the notice is %+v %v", when, b, err)
		}
		if n := h.countContaining(w.user.ID, "请确认您已收到"); n != 0 {
			t.Errorf("%s, the worker was reminded", when)
		}
	}
	h.grant(coordID, "鼓楼区")
	check("moved to 鼓楼区", plain(bot.T("sched.out_of_scope")))
	if got := h.ask(adminID, fmt.Sprintf("/revoke %d", coordID)); !strings.Contains(got, fmt.Sprint(coordID)) {
		t.Fatalf("/revoke: %q", got)
	}
	check("revoked", bot.T("unknown.button"))

	h.grant(coordID, "云龙区")
	if ans := h.pressData(coord, chat, status, fmt.Sprintf("bc:rm:%d", id)); ans.Text != bot.T("bc.reminded", 1) {
		t.Errorf("提醒未回执 with the district again answered %q", ans.Text)
	}
	h.settle()
	if n := h.countContaining(w.user.ID, "请确认您已收到"); n != 1 {
		t.Errorf("the worker was reminded %d times, want once", n)
	}
}

// A city-wide coordinator schedules a notice and a recurring notice, then
// erases themselves with /deleteme: the erasure takes their id off both
// (as if the operator had made them), so they are cancelled and paused in
// its transaction, and nothing reaches anyone when their time comes.
func TestErasedCoordinatorsScheduledNotices(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const coordID = 5131
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(5132, "全市收文", "13912345132", "沛县")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	at := h.clock.Now().Add(2 * time.Hour).In(shanghaiLoc(t)).Truncate(time.Minute)
	_, b := h.scheduleBroadcast(coord, "注销前安排的通知。", at)
	sc, err := h.sched.SaveSchedule(ctx, coordinatorOf(coordID, ""), scheduler.Schedule{Title: "注销前的提醒", Text: "每日学习。",
		Spec: scheduler.Recurrence{Every: scheduler.EveryDay, Hour: at.Hour(), Minute: at.Minute()}.Spec()}, false)
	if err != nil {
		t.Fatal(err)
	}
	ask := h.say(coord, "/deleteme")
	h.press(coord, botapi.PrivateChat(coord), ask, bot.T("deleteme.yes"))
	h.settle()
	if got, _ := h.sched.Broadcast(ctx, adminAccess(), b.ID); got.State != scheduler.Dropped || got.CreatedBy != 0 {
		t.Errorf("the erased coordinator's notice: %+v", got)
	}
	if n := h.recCount(`SELECT COUNT(*) FROM schedules WHERE id = ? AND paused = 1 AND created_by = 0`, sc.ID); n != 1 {
		t.Errorf("the erased coordinator's recurring notice is not paused")
	}
	h.clock.Advance(2*time.Hour + time.Minute)
	h.bot.SchedTick(ctx)
	h.settle()
	for _, text := range []string{"注销前安排的通知", "每日学习"} {
		if n := h.countContaining(w.user.ID, text); n != 0 {
			t.Errorf("%q reached the worker after its author was erased", text)
		}
	}
}
