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

// writeBroadcast walks the /broadcast dialogue as coord up to the preview:
// text, 全体, the options (收到 as it is), 立即发送.
func (h *harness) writeBroadcast(coord botapi.User, text string) botapi.Message {
	h.t.Helper()
	need(h.t, "/broadcast", h.say(coord, "/broadcast").Text, "发布通知")
	menu := h.say(coord, text)
	need(h.t, "audience menu", menu.Text, "发给谁")
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_all"))
	options := h.message(coord.ID, menu.MessageID)
	need(h.t, "options", options.Text, "发送方式")
	h.press(coord, botapi.PrivateChat(coord), options, bot.T("bc.send_now"))
	return h.message(coord.ID, menu.MessageID)
}

// A district coordinator's notice reaches the approved workers of their
// district only, each once, with 收到; the status message counts what was
// delivered and acknowledged; a withdrawal deletes it where it arrived.
func TestBroadcastReachesTheDistrictWithAcknowledgements(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 901
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	var ours []worker
	for i := range 3 {
		w := newWorker(int64(902+i), []string{"赵甲", "钱乙", "孙丙"}[i], fmt.Sprintf("1391234090%d", 2+i), "泉山区")
		h.seedWorker(w, true)
		h.ask(w.user.ID, "/help")
		ours = append(ours, w)
	}
	other := newWorker(910, "鼓楼人", "13912340910", "鼓楼区")
	h.seedWorker(other, true)
	h.ask(other.user.ID, "/help")
	pending := newWorker(911, "待审人", "13912340911", "泉山区")
	h.seedWorker(pending, false)

	preview := h.writeBroadcast(coord, "请于本周五前报送第四季度党建工作总结。")
	need(t, "preview", preview.Text, "人数：3 人")
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	h.settle()
	for _, w := range ours {
		if n := h.countContaining(w.user.ID, "第四季度党建工作总结"); n != 1 {
			t.Errorf("%s got the notice %d times", w.name, n)
		}
	}
	for _, w := range []worker{other, pending} {
		if n := h.countContaining(w.user.ID, "第四季度党建工作总结"); n != 0 {
			t.Errorf("%s (not in the audience) got the notice", w.name)
		}
	}
	ctx := context.Background()
	list, err := h.sched.Broadcasts(ctx, adminAccess(), 1)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	id := list[0].ID
	// Two press 收到, one of them twice; someone who never got it cannot.
	noticeOf := func(w worker) botapi.Message {
		for _, m := range h.srv.Messages(w.user.ID) {
			if strings.Contains(m.Text, "第四季度党建工作总结") {
				return m
			}
		}
		t.Fatalf("%s has no notice", w.name)
		return botapi.Message{}
	}
	for i, w := range ours[:2] {
		notice := noticeOf(w)
		if ans := h.press(w.user, botapi.PrivateChat(w.user), notice, bot.T("bc.ack_button")); ans.Text != bot.T("bc.acked") {
			t.Errorf("worker %d's 收到 answered %q", i, ans.Text)
		}
	}
	if ans := h.press(ours[0].user, botapi.PrivateChat(ours[0].user), noticeOf(ours[0]), bot.T("bc.ack_button")); ans.Text != bot.T("bc.acked_before") {
		t.Errorf("a second 收到 answered %q", ans.Text)
	}
	if ans := h.pressData(other.user, botapi.PrivateChat(other.user), h.lastMessage(other.user.ID).MessageID, fmt.Sprintf("bc:ack:%d", id)); ans.Text != bot.T("unknown.button") {
		t.Errorf("a forged 收到 answered %q", ans.Text)
	}
	st, err := h.sched.Status(ctx, adminAccess(), id)
	if err != nil || st.Counts.Sent != 3 || st.Acked != 2 || !st.Done() {
		t.Fatalf("status %+v %v", st, err)
	}
	// The status message, refreshed, says so.
	h.bot.SchedTick(ctx)
	status := h.message(coordID, st.Broadcast.StatusMessage)
	need(t, "status", status.Text, "已回执 2 / 3")

	// 提醒未回执 reaches the one who has not pressed it.
	before := h.countContaining(ours[2].user.ID, "请确认您已收到")
	h.press(coord, botapi.PrivateChat(coord), status, bot.T("bc.remind_button"))
	h.settle()
	if n := h.countContaining(ours[2].user.ID, "请确认您已收到"); n != before+1 {
		t.Errorf("the one without 收到 was reminded %d times", n-before)
	}
	if n := h.countContaining(ours[0].user.ID, "请确认您已收到"); n != 0 {
		t.Errorf("someone who pressed 收到 was reminded")
	}

	// 撤回 deletes it from every chat it reached.
	confirm := h.next(coordID, 1, func() { h.press(coord, botapi.PrivateChat(coord), status, bot.T("bc.withdraw")) })[0]
	h.press(coord, botapi.PrivateChat(coord), confirm, bot.T("bc.withdraw_yes"))
	h.settle()
	for _, w := range ours {
		for _, m := range h.srv.Messages(w.user.ID) {
			if strings.Contains(m.Text, "第四季度党建工作总结") && !strings.Contains(m.Text, "请确认") {
				t.Errorf("%s still has the withdrawn notice", w.name)
			}
		}
	}
	if b, _ := h.sched.Broadcast(ctx, adminAccess(), id); b.State != scheduler.Withdrawn {
		t.Errorf("broadcast state %s", b.State)
	}
}

// A scheduled broadcast goes at its time, once; an empty audience and a
// worker's /broadcast are refused; a notice over the limit gets its count.
func TestBroadcastScheduledAndRefused(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 921
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(922, "定时人", "13912340922", "铜山区")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")

	if got := h.ask(coordID, "/broadcast"); !strings.Contains(got, "发布通知") {
		t.Fatalf("/broadcast = %q", got)
	}
	long := strings.Repeat("党", scheduler.MaxBroadcastRunes+1)
	if got := h.ask(coordID, long); got != bot.T("bc.too_long", scheduler.MaxBroadcastRunes+1, scheduler.MaxBroadcastRunes) {
		t.Errorf("a long notice answered %q", got)
	}
	menu := h.say(coord, "明早九点召开全市党务工作者视频会。")
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_all"))
	options := h.message(coordID, menu.MessageID)
	h.press(coord, botapi.PrivateChat(coord), options, bot.T("bc.send_later"))
	at := h.clock.Now().Add(3 * time.Hour).In(shanghaiLoc(t))
	preview := h.say(coord, at.Format("2006-01-02 15:04"))
	need(t, "preview", preview.Text, "定时 "+at.Format("2006-01-02 15:04"))
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	ctx := context.Background()
	h.bot.SchedTick(ctx)
	h.settle()
	if n := h.countContaining(w.user.ID, "视频会"); n != 0 {
		t.Fatalf("the scheduled notice went early")
	}
	h.clock.Advance(3*time.Hour + time.Minute)
	h.bot.SchedTick(ctx)
	h.bot.SchedTick(ctx)
	h.settle()
	if n := h.countContaining(w.user.ID, "视频会"); n != 1 {
		t.Errorf("the scheduled notice arrived %d times, want once", n)
	}

	// An audience nobody is in: the registrants of an event nobody joined.
	e, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Forum, Title: "无人报名的论坛",
		Start: h.clock.Now().Add(48 * time.Hour), End: h.clock.Now().Add(50 * time.Hour), Place: "线上"})
	if err != nil {
		t.Fatal(err)
	}
	h.say(coord, "/broadcast")
	menu = h.say(coord, "论坛通知")
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_event"))
	picker := h.message(coordID, menu.MessageID)
	h.press(coord, botapi.PrivateChat(coord), picker, e.Title)
	options = h.message(coordID, menu.MessageID)
	if ans := h.press(coord, botapi.PrivateChat(coord), options, bot.T("bc.send_now")); ans.Text != bot.T("bc.empty_audience") {
		t.Errorf("an empty audience answered %q", ans.Text)
	}
	if got := h.ask(w.user.ID, "/broadcast"); got != bot.T("denied.command") {
		t.Errorf("a worker's /broadcast = %q", got)
	}
}

// /settings turns a kind of push off: a recurring notice no longer
// reaches the person, while others still get it.
func TestSettingsTurnAPushOff(t *testing.T) {
	h := startBot(t, nil, nil)
	a := newWorker(931, "关推送", "13912340931", "沛县")
	b := newWorker(932, "开推送", "13912340932", "沛县")
	for _, w := range []worker{a, b} {
		h.seedWorker(w, true)
		h.ask(w.user.ID, "/help")
	}
	settings := h.say(a.user, "/settings")
	need(t, "/settings", settings.Text, "推送设置")
	h.press(a.user, botapi.PrivateChat(a.user), settings, bot.T("settings.kind_schedule"))
	need(t, "after the toggle", h.message(a.user.ID, settings.MessageID).Text, "推送设置")
	off, err := h.sched.PushOff(context.Background(), a.user.ID)
	if err != nil || !off[scheduler.PushSchedule] {
		t.Fatalf("push preferences %v %v", off, err)
	}
	// A coordinator's weekly notice, run by the clock.
	const coordID = 933
	h.grant(coordID, "")
	h.ask(coordID, "/schedule")
	list := h.lastMessage(coordID)
	prompt := h.next(coordID, 1, func() {
		h.press(botapi.DefaultUser(coordID), botapi.PrivateChat(botapi.DefaultUser(coordID)), list, bot.T("sch.new"))
	})[0]
	need(t, "schedule form", prompt.Text, "新建定期提醒")
	saved := h.ask(coordID, "标题：每日学习\n内容：今天的学习任务请按时完成。\n频率：每天\n时间：10:00\n面向区县：沛县")
	need(t, "saved", saved, "已保存定期提醒")
	// To just past the next 10:00 in 沛县: a run missed by a whole day is
	// dropped, so a fixed step would fail at some hours of the day.
	now := h.clock.Now().In(shanghaiLoc(t))
	run := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, now.Location())
	if !run.After(now) {
		run = run.AddDate(0, 0, 1)
	}
	h.clock.Advance(run.Sub(now) + 5*time.Minute)
	h.bot.SchedTick(context.Background())
	h.settle()
	if n := h.countContaining(b.user.ID, "今天的学习任务"); n != 1 {
		t.Errorf("the worker with pushes on got the notice %d times", n)
	}
	if n := h.countContaining(a.user.ID, "今天的学习任务"); n != 0 {
		t.Errorf("the worker who turned it off got it %d times", n)
	}
}

func shanghaiLoc(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// 停止发送 while the notice cannot get through cancels what is left, and
// nothing of it goes out later; a person who blocked the bot is counted
// and not tried.
func TestBroadcastStoppedAndBlocked(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 941
	h.grant(coordID, "睢宁县")
	coord := botapi.DefaultUser(coordID)
	var ws []worker
	for i, name := range []string{"李甲", "李乙", "李丙"} {
		w := newWorker(int64(942+i), name, fmt.Sprintf("1391234094%d", 2+i), "睢宁县")
		h.seedWorker(w, true)
		h.ask(w.user.ID, "/help")
		ws = append(ws, w)
	}
	h.srv.BlockBot(ws[2].user.ID)
	h.settle()
	// Telegram is failing for the first worker: the notice waits for a retry.
	h.srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "sendMessage" && p.Get("chat_id") == fmt.Sprint(ws[0].user.ID) && strings.Contains(p.Get("text"), "停止测试") {
			return &botapi.APIError{Code: 502, Description: "Bad Gateway"}
		}
		return nil
	})
	preview := h.writeBroadcast(coord, "停止测试：本通知会被停止。")
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	h.settle()
	ctx := context.Background()
	list, _ := h.sched.Broadcasts(ctx, adminAccess(), 1)
	id := list[0].ID
	st, err := h.sched.Status(ctx, adminAccess(), id)
	// The one who blocked the bot is known to have: skipped, not tried.
	if err != nil || st.Counts.Pending != 1 || st.Counts.Sent != 1 || st.Broadcast.Skipped != 1 || st.Broadcast.Recipients != 2 {
		t.Fatalf("before the stop: %+v %v", st, err)
	}
	status := h.message(coordID, st.Broadcast.StatusMessage)
	h.press(coord, botapi.PrivateChat(coord), status, bot.T("bc.stop"))
	h.srv.SetFault(nil)
	h.clock.Advance(time.Hour) // past any retry
	h.settle()
	if n := h.countContaining(ws[0].user.ID, "停止测试"); n != 0 {
		t.Errorf("the stopped notice reached the first worker %d times", n)
	}
	st, _ = h.sched.Status(ctx, adminAccess(), id)
	if st.Counts.Cancelled != 1 || st.Broadcast.State != scheduler.Stopped {
		t.Errorf("after the stop: %+v", st)
	}
	need(t, "status", h.message(coordID, st.Broadcast.StatusMessage).Text, "已停止")
}

// In quiet hours a notice waits until they end; a reply is not held.
func TestBroadcastWaitsOutQuietHours(t *testing.T) {
	loc := shanghaiLoc(t)
	var h *harness
	h = startBot(t, func(o *bot.Options) {
		now := o.Now().In(loc)
		minute := now.Hour()*60 + now.Minute()
		o.Quiet = bot.QuietHours{Start: (minute + 24*60 - 60) % (24 * 60), End: (minute + 60) % (24 * 60)}
		o.QuietSet = true
	}, nil)
	const coordID = 951
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(952, "夜里人", "13912340952", "新沂市")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	preview := h.writeBroadcast(coord, "夜间测试通知。")
	need(t, "preview", preview.Text, "免打扰")
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	h.settle()
	if n := h.countContaining(w.user.ID, "夜间测试通知"); n != 0 {
		t.Fatalf("the notice went out in quiet hours")
	}
	h.clock.Advance(90 * time.Minute)
	h.settle()
	if n := h.countContaining(w.user.ID, "夜间测试通知"); n != 1 {
		t.Errorf("after the quiet hours the notice arrived %d times, want once", n)
	}
}

// A notice with a file: the file goes to each recipient by Telegram's
// file id, with the notice as its caption.
func TestBroadcastWithAFile(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 961
	h.grant(coordID, "邳州市")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(962, "收文人", "13912340962", "邳州市")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	need(t, "/broadcast", h.say(coord, "/broadcast").Text, "发布通知")
	menu := h.next(coordID, 1, func() {
		h.srv.SendDocumentCaption(coord, botapi.PrivateChat(coord), "培训安排.pdf", "application/pdf", []byte("%PDF-1.4 培训安排"), "附件是下月培训安排，请查收。")
	})[0]
	need(t, "audience menu", menu.Text, "发给谁")
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_all"))
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), bot.T("bc.send_now"))
	preview := h.message(coordID, menu.MessageID)
	need(t, "preview", preview.Text, "附图片或文件")
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	h.settle()
	var got *botapi.Message
	for _, m := range h.srv.Messages(w.user.ID) {
		if m.Document != nil {
			got = &m
		}
	}
	if got == nil || got.Document.FileName != "培训安排.pdf" || !strings.Contains(got.Caption, "下月培训安排") {
		t.Fatalf("the worker received %+v", got)
	}
	if data, ok := h.srv.FileBytes(got.Document.FileID); !ok || !strings.Contains(string(data), "培训安排") {
		t.Errorf("the file sent is not the coordinator's")
	}
}
