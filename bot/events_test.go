package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

// eventForm is the /newevent form of an event starting at start.
func eventForm(title string, start time.Time, capacity string, extra ...string) string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	s := start.In(loc)
	lines := []string{
		"类型：培训班",
		"标题：" + title,
		"开始：" + s.Format("2006-01-02 15:04"),
		"结束：" + s.Add(3*time.Hour).Format("15:04"),
		"地点：泉山区党群服务中心三楼",
		"名额：" + capacity,
		"学时：3",
	}
	return strings.Join(append(lines, extra...), "\n")
}

// createEvent fills the /newevent form as coord and saves it.
func (h *harness) createEvent(coord botapi.User, form string) scheduler.Event {
	h.t.Helper()
	intro := h.say(coord, "/newevent")
	need(h.t, "/newevent", intro.Text, "创建活动")
	preview := h.say(coord, form)
	need(h.t, "preview", preview.Text, "请核对")
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("ev.save"))
	card := h.message(coord.ID, preview.MessageID)
	need(h.t, "saved card", card.Text, "已报名 0")
	events, err := h.sched.ManagedEvents(context.Background(), adminAccess(), 50)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, v := range events {
		if strings.Contains(form, "标题："+v.Event.Title+"\n") {
			return v.Event
		}
	}
	h.t.Fatalf("the event of the form is not stored")
	return scheduler.Event{}
}

// openEvent shows the card of event id to u, as the /events list's button does.
func (h *harness) openEvent(u botapi.User, id int64) botapi.Message {
	h.t.Helper()
	list := h.say(u, "/events")
	h.pressData(u, botapi.PrivateChat(u), list.MessageID, fmt.Sprintf("ev:v:%d", id))
	return h.message(u.ID, list.MessageID)
}

// A district coordinator creates a course with one place; the first worker
// gets it, the second waits, a worker of another district never sees it.
// When the first withdraws the second moves up and is told; when the
// coordinator cancels, the one signed up is told with the reason.
func TestEventSignUpWaitingListAndCancellation(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 801
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	a := newWorker(802, "周一", "13912340802", "泉山区")
	b := newWorker(803, "吴二", "13912340803", "泉山区")
	other := newWorker(804, "郑三", "13912340804", "鼓楼区")
	for _, w := range []worker{a, b, other} {
		h.seedWorker(w, true)
		h.ask(w.user.ID, "/help")
	}
	start := h.clock.Now().Add(72 * time.Hour)
	e := h.createEvent(coord, eventForm("党费工作专题培训", start, "1"))
	if e.District != "泉山区" || e.Capacity != 1 || e.Hours != 3 {
		t.Fatalf("stored event %+v", e)
	}

	if got := h.ask(other.user.ID, "/events"); strings.Contains(got, e.Title) {
		t.Errorf("a 鼓楼区 worker sees 泉山区's course: %q", got)
	}
	cardA := h.openEvent(a.user, e.ID)
	need(t, "card", cardA.Text, "已报名 0 / 1 人")
	ans := h.press(a.user, botapi.PrivateChat(a.user), cardA, bot.T("ev.signup"))
	if ans.Text != bot.T("ev.signed_up") {
		t.Errorf("sign-up answered %q", ans.Text)
	}
	need(t, "card after sign-up", h.message(a.user.ID, cardA.MessageID).Text, "您已报名")

	cardB := h.openEvent(b.user, e.ID)
	ans = h.press(b.user, botapi.PrivateChat(b.user), cardB, bot.T("ev.signup_waiting"))
	if ans.Text != bot.T("ev.on_waiting_list", 1) {
		t.Errorf("a full event answered %q", ans.Text)
	}
	// A forged sign-up of the other district's worker is refused.
	if ans := h.pressData(other.user, botapi.PrivateChat(other.user), cardB.MessageID, fmt.Sprintf("ev:in:%d", e.ID)); ans.Text != bot.T("ev.not_for_you") {
		t.Errorf("a 鼓楼区 worker's sign-up answered %q", ans.Text)
	}

	before := len(h.sentTo(b.user.ID))
	cardA = h.message(a.user.ID, cardA.MessageID)
	h.press(a.user, botapi.PrivateChat(a.user), cardA, bot.T("ev.withdraw"))
	h.settle()
	told := h.sentTo(b.user.ID)[before:]
	if len(told) != 1 || !strings.Contains(told[0], "候补成功") {
		t.Fatalf("the waiting worker was told %q", told)
	}
	v, err := h.sched.View(context.Background(), b.user.ID, e.ID)
	if err != nil || v.Mine != scheduler.Registered {
		t.Fatalf("after the move up: %+v %v", v, err)
	}

	// The coordinator cancels it with a reason.
	card := h.openEvent(coord, e.ID)
	prompt := h.next(coord.ID, 1, func() { h.press(coord, botapi.PrivateChat(coord), card, bot.T("ev.cancel")) })[0]
	need(t, "cancel prompt", prompt.Text, "取消原因")
	before = len(h.sentTo(b.user.ID))
	need(t, "cancel done", h.ask(coordID, "场地临时维修"), "已取消")
	h.settle()
	told = h.sentTo(b.user.ID)[before:]
	if len(told) != 1 || !strings.Contains(told[0], "活动取消") || !strings.Contains(told[0], "场地临时维修") {
		t.Errorf("the registrant was told %q", told)
	}
	if got := h.ask(a.user.ID, "/myevents"); strings.Contains(got, e.Title) {
		t.Errorf("a cancelled event is still in /myevents: %q", got)
	}
}

// Bad forms get a clear reply and store nothing: a start in the past, an
// end before the start, a negative capacity; a worker cannot /newevent.
func TestEventFormRefusals(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 811
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	h.say(coord, "/newevent")
	now := h.clock.Now()
	cases := []struct{ form, want string }{
		{eventForm("过去的活动", now.Add(-48*time.Hour), "10"), bot.T("ev.err_past")},
		{strings.Replace(eventForm("倒着的活动", now.Add(48*time.Hour), "10"), "结束：", "结束：2020-01-01 ", 1), bot.T("ev.err_end")},
		{eventForm("负名额", now.Add(48*time.Hour), "-3"), bot.T("ev.err_capacity", scheduler.MaxCapacity)},
		{eventForm("区县不对", now.Add(48*time.Hour), "10", "面向区县：火星区"), bot.T("ev.err_district")},
		{"随便写点什么", bot.T("ev.form_line", "随便写点什么")},
	}
	for _, c := range cases {
		if got := h.ask(coordID, c.form); !strings.Contains(got, plain(c.want)) {
			t.Errorf("form %q answered %q, want %q", c.form, got, plain(c.want))
		}
	}
	if got, _ := h.sched.ManagedEvents(context.Background(), adminAccess(), 10); len(got) != 0 {
		t.Errorf("refused forms stored %d events", len(got))
	}
	w := newWorker(812, "王五", "13912340812", "泉山区")
	h.seedWorker(w, true)
	if got := h.ask(w.user.ID, "/newevent"); got != bot.T("denied.command") {
		t.Errorf("a worker's /newevent = %q", got)
	}
}

// Registrants are reminded 24 hours and 1 hour before; a reminder missed
// while the bot was down is sent late, once.
func TestEventRemindersOnTheClock(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 821
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(822, "冯六", "13912340822", "泉山区")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	start := h.clock.Now().Add(50 * time.Hour)
	e := h.createEvent(coord, eventForm("先锋论坛第五期", start, "不限"))
	card := h.openEvent(w.user, e.ID)
	h.press(w.user, botapi.PrivateChat(w.user), card, bot.T("ev.signup"))
	ctx := context.Background()
	reminders := func() int {
		h.settle()
		return h.countContaining(w.user.ID, "活动提醒")
	}
	h.clock.Advance(25 * time.Hour) // 25 h before the start: not yet
	h.bot.SchedTick(ctx)
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders 25 hours before", n)
	}
	h.clock.Advance(65 * time.Minute) // 23 h 55 min before: due 5 minutes ago, on time
	h.bot.SchedTick(ctx)
	h.bot.SchedTick(ctx)
	if n := reminders(); n != 1 {
		t.Fatalf("%d reminders a day before, want 1", n)
	}
	// Down until 40 min before: the 1-hour reminder is 20 minutes late.
	h.clock.Advance(23*time.Hour + 15*time.Minute)
	h.bot.SchedTick(ctx)
	if n := reminders(); n != 2 {
		t.Fatalf("%d reminders, want the late one too", n)
	}
	if n := h.countContaining(w.user.ID, "延迟送达"); n != 1 {
		t.Errorf("%d reminders say they are late, want the second", n)
	}
}

// A check-in: the coordinator shows the code (a QR image whose caption
// carries it), a worker sends it and is recorded with the hours; an old
// code and a made-up one are refused.
func TestCheckInWithTheCode(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 831
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(832, "陈七", "13912340832", "泉山区")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	e := h.createEvent(coord, eventForm("轮训班签到测试", h.clock.Now().Add(2*time.Hour), "20"))
	h.clock.Advance(2*time.Hour + 5*time.Minute) // the event is on
	card := h.openEvent(coord, e.ID)
	h.press(coord, botapi.PrivateChat(coord), card, bot.T("ev.code"))
	msgs := h.srv.Messages(coordID)
	photo := msgs[len(msgs)-1]
	if len(photo.Photo) == 0 || !strings.Contains(photo.Caption, "签到码") {
		t.Fatalf("the code message is %+v", photo)
	}
	code := photo.Caption[strings.Index(photo.Caption, "签到码：")+len("签到码："):][:6]
	if !scheduler.IsCode(code) {
		t.Fatalf("no code in the caption %q", photo.Caption)
	}
	if got := h.ask(w.user.ID, "000000"); got != bot.T("ci.bad_code") && code != "000000" {
		t.Errorf("a made-up code answered %q", got)
	}
	got := h.ask(w.user.ID, code)
	mustContain(t, "check-in", got, "签到成功", "3 学时")
	roster, err := h.sched.EventRoster(context.Background(), adminAccess(), e.ID)
	if err != nil || len(roster.Attendance) != 1 || roster.Attendance[0].UserID != w.user.ID || roster.Attendance[0].Hours != 3 {
		t.Fatalf("attendance %+v %v", roster.Attendance, err)
	}
	// The same code five minutes later has expired.
	h.clock.Advance(5 * time.Minute)
	if got := h.ask(w.user.ID, code); got != bot.T("ci.expired") {
		t.Errorf("a code five minutes old answered %q", got)
	}
	// The 签到表 is a workbook.
	card = h.openEvent(coord, e.ID)
	h.press(coord, botapi.PrivateChat(coord), card, bot.T("ev.sheet"))
	msgs = h.srv.Messages(coordID)
	if doc := msgs[len(msgs)-1]; doc.Document == nil || !strings.HasSuffix(doc.Document.FileName, ".xlsx") {
		t.Errorf("the sheet message is %+v", doc)
	}
}

func adminAccess() member.Access { return member.Access{UserID: adminID, Role: member.RoleAdmin} }

// 加入日历 sends the event as an .ics file a calendar can read.
func TestEventCalendarFile(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 841
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(842, "日历人", "13912340842", "丰县")
	h.seedWorker(w, true)
	h.ask(w.user.ID, "/help")
	e := h.createEvent(coord, eventForm("学习考察：红色教育基地", h.clock.Now().Add(96*time.Hour), "30"))
	card := h.openEvent(w.user, e.ID)
	h.press(w.user, botapi.PrivateChat(w.user), card, bot.T("ev.calendar"))
	msgs := h.srv.Messages(w.user.ID)
	doc := msgs[len(msgs)-1].Document
	if doc == nil || !strings.HasSuffix(doc.FileName, ".ics") {
		t.Fatalf("加入日历 sent %+v", msgs[len(msgs)-1])
	}
	data, _ := h.srv.FileBytes(doc.FileID)
	for _, want := range []string{"BEGIN:VEVENT", "SUMMARY:学习考察：红色教育基地", "DTSTART:" + e.Start.UTC().Format("20060102T150405Z")} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the .ics lacks %q:\n%s", want, data)
		}
	}
}

// The daily quiz push comes at the time the person chose, once a day, and
// not on a day the set is already done.
func TestDailyPushAtTheChosenTime(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(851, "早起人", "13912340851", "鼓楼区")
	h.seedWorker(w, true)
	loc := shanghaiLoc(t)
	// Tomorrow at 10:00, whatever the hour the test runs at.
	now := h.clock.Now().In(loc)
	ten := time.Date(now.Year(), now.Month(), now.Day()+1, 10, 0, 0, 0, loc)
	h.clock.Advance(ten.Sub(now))
	at := "10:30"
	if got := h.ask(w.user.ID, "/daily "+at); !strings.Contains(got, at) {
		t.Fatalf("/daily %s = %q", at, got)
	}
	ctx := context.Background()
	pushes := func() int {
		h.settle()
		return h.countContaining(w.user.ID, "每日一练（")
	}
	h.bot.SchedTick(ctx)
	if n := pushes(); n != 0 {
		t.Fatalf("pushed %d times before the time", n)
	}
	h.clock.Advance(31 * time.Minute)
	h.bot.SchedTick(ctx)
	h.bot.SchedTick(ctx)
	if n := pushes(); n != 1 {
		t.Fatalf("pushed %d times at the time, want once", n)
	}
	// The push's button starts the set.
	push := h.lastMessage(w.user.ID)
	h.press(w.user, botapi.PrivateChat(w.user), push, bot.T("daily.start"))
	if sess := h.activeSession(w.user.ID); len(sess.Items) == 0 {
		t.Errorf("the push's button started no set")
	}
}
