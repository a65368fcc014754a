package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

// Hostile tests of the notices that hold: forged buttons from another
// district, tampered ids, hostile text, limits, double presses. Each
// documents a defence; the ones that found bugs are in
// notices_hostile_test.go.

func coordinatorOf(id int64, district string) member.Access {
	return member.Access{UserID: id, Role: member.RoleCoordinator, District: district}
}

// pressTogether presses data on message id as u n times at once and
// waits for every answer.
func (h *harness) pressTogether(u botapi.User, messageID int, data string, n int) []botapi.CallbackAnswer {
	h.t.Helper()
	var ids []string
	for range n {
		ids = append(ids, h.srv.Press(u, botapi.PrivateChat(u), messageID, data))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []botapi.CallbackAnswer
	for _, id := range ids {
		if _, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
			return e.Kind == botapi.EventAnswerCallback && e.QueryID == id
		}); err != nil {
			h.t.Fatalf("press %q not answered: %v", data, err)
		}
		ans, _ := h.srv.CallbackAnswer(id)
		out = append(out, ans)
	}
	return out
}

// hasButtonData reports whether m has a button pressing data.
func hasButtonData(m botapi.Message, data string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

func utf16Units(s string) int { return len(utf16.Encode([]rune(s))) }

// A 鼓楼区 coordinator pressing forged coordinator buttons of a 泉山区
// event (修改, 取消活动, 签到码, 签到表, 补签) is refused each time, gets no
// code, no sheet and no dialogue, and the event is unchanged.
func TestNoticesDefenceForgedEventButtonsOfAnotherDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const quanID, gulouID = 3001, 3002
	h.grant(quanID, "泉山区")
	h.grant(gulouID, "鼓楼区")
	quan, gulou := botapi.DefaultUser(quanID), botapi.DefaultUser(gulouID)
	w := newWorker(3003, "泉山人", "13912343003", "泉山区")
	h.seedWorker(w, true)
	e := h.createEvent(quan, eventForm("泉山区轮训班", h.clock.Now().Add(2*time.Hour), "20"))
	card := h.openEvent(w.user, e.ID)
	h.press(w.user, botapi.PrivateChat(w.user), card, bot.T("ev.signup"))
	h.clock.Advance(2*time.Hour + 5*time.Minute) // running: the owner could show its code now
	list := h.say(gulou, "/events")
	before := len(h.srv.Messages(gulouID))
	for _, action := range []string{"ed", "cx", "cxok", "code", "xls", "mk"} {
		ans := h.pressData(gulou, botapi.PrivateChat(gulou), list.MessageID, fmt.Sprintf("ev:%s:%d", action, e.ID))
		want := plain(bot.T("sched.out_of_scope"))
		if action == "cxok" {
			want = bot.T("unknown.button") // no such step: the confirmation is the typed reason
		}
		if ans.Text != want {
			t.Errorf("ev:%s of another district's event answered %q", action, ans.Text)
		}
	}
	h.settle()
	for _, m := range h.srv.Messages(gulouID)[before:] {
		if len(m.Photo) > 0 || m.Document != nil {
			t.Errorf("the 鼓楼区 coordinator got a code or a sheet: %+v", m)
		}
	}
	// No dialogue was opened: a reason typed now cancels nothing.
	h.ask(gulouID, "场地临时维修")
	got, err := h.sched.Event(context.Background(), e.ID)
	if err != nil || got.State != scheduler.Open {
		t.Fatalf("the event after the forged presses: %+v %v", got, err)
	}
	roster, _ := h.sched.EventRoster(context.Background(), adminAccess(), e.ID)
	if len(roster.Attendance) != 0 || len(roster.Signups) != 1 {
		t.Errorf("the forged presses changed the roster: %+v", roster)
	}
	// The owner's own code button works: the refusal was the district's.
	card = h.openEvent(quan, e.ID)
	h.press(quan, botapi.PrivateChat(quan), card, bot.T("ev.code"))
	if msgs := h.srv.Messages(quanID); len(msgs[len(msgs)-1].Photo) == 0 {
		t.Errorf("the owner got no code")
	}
}

// A 鼓楼区 coordinator pressing the status buttons of a 泉山区 notice
// (状态, 停止, 提醒未回执, 更正, 撤回 and its confirmation, 取消定时) is
// refused; the notice, its acknowledgements and its copies stay as they
// were, and a scheduled one stays scheduled.
func TestNoticesDefenceForgedBroadcastButtonsOfAnotherDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const quanID, gulouID = 3011, 3012
	h.grant(quanID, "泉山区")
	h.grant(gulouID, "鼓楼区")
	quan, gulou := botapi.DefaultUser(quanID), botapi.DefaultUser(gulouID)
	w := newWorker(3013, "泉山收文", "13912343013", "泉山区")
	h.seedWorker(w, true)
	preview := h.writeBroadcast(quan, "泉山区内部通知：周五交材料。")
	h.press(quan, botapi.PrivateChat(quan), preview, bot.T("bc.confirm"))
	h.settle()
	ctx := context.Background()
	list, _ := h.sched.Broadcasts(ctx, adminAccess(), 1)
	id := list[0].ID
	scheduled, err := h.sched.CreateBroadcast(ctx, coordinatorOf(quanID, "泉山区"), scheduler.Broadcast{Text: "泉山区定时通知",
		SendAt: h.clock.Now().Add(5 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	mine := h.say(gulou, "/broadcasts")
	before := len(h.sentTo(w.user.ID))
	for _, data := range []string{"s", "stop", "rm", "fix", "wd", "wdok"} {
		ans := h.pressData(gulou, botapi.PrivateChat(gulou), mine.MessageID, fmt.Sprintf("bc:%s:%d", data, id))
		if ans.Text != plain(bot.T("sched.out_of_scope")) {
			t.Errorf("bc:%s of another district's notice answered %q", data, ans.Text)
		}
	}
	if ans := h.pressData(gulou, botapi.PrivateChat(gulou), mine.MessageID, fmt.Sprintf("bc:cx:%d", scheduled.ID)); ans.Text != plain(bot.T("sched.out_of_scope")) {
		t.Errorf("bc:cx of another district's scheduled notice answered %q", ans.Text)
	}
	// No correction dialogue was opened for the 鼓楼区 coordinator.
	h.ask(gulouID, "泉山区内部通知：改成周六。")
	h.settle()
	st, err := h.sched.Status(ctx, adminAccess(), id)
	if err != nil || st.Broadcast.State != scheduler.Sent || st.Broadcast.Revision != 0 || st.Counts.Sent != 1 || st.Counts.Cancelled != 0 {
		t.Errorf("the notice after the forged presses: %+v %v", st, err)
	}
	if b, _ := h.sched.Broadcast(ctx, adminAccess(), scheduled.ID); b.State != scheduler.Scheduled {
		t.Errorf("the scheduled notice is %s", b.State)
	}
	if got := h.sentTo(w.user.ID)[before:]; len(got) != 0 {
		t.Errorf("the forged presses reached the worker: %q", got)
	}
	if n := h.countContaining(w.user.ID, "周五交材料"); n != 1 {
		t.Errorf("the worker's copy: %d", n)
	}
	for _, m := range h.srv.Messages(w.user.ID) {
		if strings.Contains(m.Text, "周六") {
			t.Errorf("the worker's copy was changed: %q", m.Text)
		}
	}
}

// Tampered buttons — huge, negative, non-numeric and missing ids, unknown
// actions, and 收到 for a notice the person never got — are answered as
// stale or refused, change nothing, and leave the bot answering.
func TestNoticesDefenceTamperedButtons(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3021
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	a := newWorker(3022, "收到人", "13912343022", "泉山区")
	b := newWorker(3023, "鼓楼人", "13912343023", "鼓楼区")
	h.seedWorker(a, true)
	h.seedWorker(b, true)
	ctx := context.Background()
	toGulou, err := h.sched.CreateBroadcast(ctx, adminAccess(), scheduler.Broadcast{Text: "只发鼓楼区", Ack: true,
		Audience: scheduler.Audience{Districts: []string{"鼓楼区"}}})
	if err != nil {
		t.Fatal(err)
	}
	h.settle()
	e, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Course, Title: "篡改测试",
		Start: h.clock.Now().Add(48 * time.Hour), End: h.clock.Now().Add(50 * time.Hour), Place: "线上", Capacity: 1})
	if err != nil {
		t.Fatal(err)
	}
	help := h.say(a.user, "/help")
	forged := []string{
		"ev:v:99999999999999999999", "ev:v:-1", "ev:v:abc", "ev:v:", "ev:in:-7", "ev:in:abc", "ev:out:0",
		fmt.Sprintf("ev:in:%d:junk", e.ID), "ev:ics:999999", "ev:ed:1", "ev:code:1", "ev:zz:1", "ev",
		"bc:ack:99999999999999999999", "bc:ack:-1", fmt.Sprintf("bc:ack:%d", toGulou.ID), "bc:s:1", "bc:go", "bc:d:-1", "bc:d:999",
		"st:t:nonsense", "st:t:", "st:d:2460", "st:d:abcd", "st:d:9", "st:vs:abc", "st:vs:99999", "st:vs:-3", "st:zz",
		"sc:p:1", "sc:dok:1", "vn:dok:1", "vn:ed:1", "zz:1",
	}
	for _, data := range forged {
		ans := h.pressData(a.user, botapi.PrivateChat(a.user), help.MessageID, data)
		if ans.Text == plain(bot.T("error.internal")) {
			t.Errorf("%q broke the handler", data)
		}
	}
	h.settle()
	for _, text := range h.sentTo(a.user.ID) {
		if strings.Contains(text, plain(bot.T("error.internal"))) {
			t.Errorf("a tampered button made an internal error: %q", text)
		}
	}
	if st, _ := h.sched.Status(ctx, adminAccess(), toGulou.ID); st.Acked != 0 {
		t.Errorf("a forged 收到 was counted: %d", st.Acked)
	}
	if v, _ := h.sched.View(ctx, a.user.ID, e.ID); v.Mine != "" || v.Registered != 0 {
		t.Errorf("a forged sign-up was stored: %+v", v)
	}
	if off, _ := h.sched.PushOff(ctx, a.user.ID); len(off) != 0 {
		t.Errorf("forged settings stored %v", off)
	}
	if _, err := h.sched.Station(ctx, a.user.ID); err == nil {
		t.Errorf("a forged station was stored")
	}
	// The coordinator's own huge and negative ids are refused as gone.
	for _, data := range []string{"bc:s:99999999999999999999", "bc:stop:-1", "bc:wdok:0", "bc:fix:abc", "ev:cx:99999999", "ev:xls:-2", "vn:dok:-1", "sc:r:99999"} {
		ans := h.pressData(coord, botapi.PrivateChat(coord), help.MessageID, data)
		if ans.Text == plain(bot.T("error.internal")) {
			t.Errorf("the coordinator's %q broke the handler", data)
		}
	}
	need(t, "after the tampering", h.ask(a.user.ID, "/help"), "/events")
}

// A district coordinator's forms that name another district are refused
// and store nothing: an event for 鼓楼区, a recurring notice for 鼓楼区, a
// venue of 鼓楼区; a draft's forged audience (another district's event or
// venue, a district toggle) is refused too.
func TestNoticesDefenceFormsNamingAnotherDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const quanID = 3031
	h.grant(quanID, "泉山区")
	quan := botapi.DefaultUser(quanID)
	w := newWorker(3032, "泉山人", "13912343032", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	h.say(quan, "/newevent")
	preview := h.say(quan, eventForm("越界活动", h.clock.Now().Add(48*time.Hour), "10", "面向区县：鼓楼区"))
	if strings.Contains(preview.Text, "请核对") {
		ans := h.press(quan, botapi.PrivateChat(quan), preview, bot.T("ev.save"))
		if ans.Text != plain(bot.T("sched.out_of_scope")) {
			t.Errorf("saving an event for 鼓楼区 answered %q", ans.Text)
		}
	}
	if got, _ := h.sched.ManagedEvents(ctx, adminAccess(), 10); len(got) != 0 {
		t.Errorf("a 泉山区 coordinator stored an event for 鼓楼区: %+v", got[0].Event)
	}
	h.ask(quanID, "/cancel")
	h.ask(quanID, "/schedule")
	h.next(quanID, 1, func() { h.press(quan, botapi.PrivateChat(quan), h.lastMessage(quanID), bot.T("sch.new")) })
	got := h.ask(quanID, "标题：越界提醒\n内容：请鼓楼区的同志注意。\n频率：每天\n时间：10:00\n面向区县：鼓楼区")
	if !strings.Contains(got, plain(bot.T("sched.out_of_scope"))) {
		t.Errorf("a recurring notice for 鼓楼区 answered %q", got)
	}
	if list, _ := h.sched.Schedules(ctx, coordinatorOf(quanID, "泉山区")); len(list) != 0 {
		t.Errorf("stored %d schedules", len(list))
	}
	h.ask(quanID, "/cancel")
	h.ask(quanID, "/venues")
	h.next(quanID, 1, func() { h.press(quan, botapi.PrivateChat(quan), h.lastMessage(quanID), bot.T("vn.new")) })
	got = h.ask(quanID, "名称：鼓楼区某工作站\n类型：党建工作站\n区县：鼓楼区\n地址：")
	if !strings.Contains(got, plain(bot.T("sched.out_of_scope"))) {
		t.Errorf("a venue of 鼓楼区 answered %q", got)
	}
	h.ask(quanID, "/cancel")
	// Another district's event and venue, forged into a draft's audience.
	gulouEvent, err := h.sched.CreateEvent(ctx, coordinatorOf(1, "鼓楼区"), scheduler.Event{Kind: scheduler.Forum, Title: "鼓楼论坛",
		Start: h.clock.Now().Add(48 * time.Hour), End: h.clock.Now().Add(50 * time.Hour), Place: "线上"})
	if err != nil {
		t.Fatal(err)
	}
	gulouVenue, err := h.sched.SaveVenue(ctx, coordinatorOf(1, "鼓楼区"), scheduler.Venue{Name: "鼓楼红色驿站", Kind: scheduler.VenuePost})
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{fmt.Sprintf("bc:ev:%d", gulouEvent.ID), fmt.Sprintf("bc:venue:%d", gulouVenue.ID)} {
		h.say(quan, "/broadcast")
		menu := h.say(quan, "越界通知")
		h.pressData(quan, botapi.PrivateChat(quan), menu.MessageID, data)
		options := h.message(quanID, menu.MessageID)
		ans := h.press(quan, botapi.PrivateChat(quan), options, bot.T("bc.send_now"))
		if ans.Text != plain(bot.T("sched.out_of_scope")) {
			t.Errorf("%s then 立即发送 answered %q", data, ans.Text)
		}
		h.ask(quanID, "/cancel")
	}
	h.say(quan, "/broadcast")
	menu := h.say(quan, "越界通知")
	if ans := h.pressData(quan, botapi.PrivateChat(quan), menu.MessageID, "bc:d:0"); ans.Text != bot.T("unknown.button") {
		t.Errorf("a district coordinator's district toggle answered %q", ans.Text)
	}
	if ans := h.press(quan, botapi.PrivateChat(quan), menu, bot.T("bc.aud_dist")); !strings.Contains(ans.Text, "泉山区") {
		t.Errorf("按区县选择 for a district coordinator answered %q", ans.Text)
	}
	if list, _ := h.sched.Broadcasts(ctx, adminAccess(), 10); len(list) != 0 {
		t.Errorf("%d broadcasts were made", len(list))
	}
}

// Hostile notice text: 5,000 characters are refused; HTML and entities
// arrive as typed; a notice of exactly 3,800 UTF-16 units of emoji goes
// through preview, delivery and status within Telegram's limits, and one
// unit more is refused with its count.
func TestNoticesDefenceHostileNoticeText(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3041
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(3042, "长文人", "13912343042", "丰县")
	h.seedWorker(w, true)
	h.say(coord, "/broadcast")
	if got := h.ask(coordID, strings.Repeat("党", 5000)); !strings.Contains(got, "5000") {
		t.Errorf("a 5,000-character notice answered %q", got)
	}
	over := strings.Repeat("📢", scheduler.MaxBroadcastRunes/2) + "a"
	if got := h.ask(coordID, over); got != bot.T("bc.too_long", scheduler.MaxBroadcastRunes+1, scheduler.MaxBroadcastRunes) {
		t.Errorf("3,801 units answered %q", got)
	}
	h.ask(coordID, "/cancel")
	head := `<b>注意</b> &amp; <a href="x">链接</a> &lt;script&gt; `
	text := head + strings.Repeat("📢", (scheduler.MaxBroadcastRunes-utf16Units(head))/2)
	for utf16Units(text) < scheduler.MaxBroadcastRunes {
		text += "。"
	}
	preview := h.writeBroadcast(coord, text)
	need(t, "preview", preview.Text, head)
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	h.settle()
	h.bot.SchedTick(context.Background())
	if n := h.countContaining(w.user.ID, head); n != 1 {
		t.Errorf("the notice with HTML in it arrived %d times: %s", n, h.refusals())
	}
	for _, m := range h.srv.Messages(w.user.ID) {
		if strings.Contains(m.Text, "注意") && len(m.Entities) > 1 {
			t.Errorf("the coordinator's HTML became formatting: %+v", m.Entities)
		}
	}
	if r := h.refusals(); r != "" {
		t.Errorf("Telegram refused: %s", r)
	}
}

// Titles, places and descriptions with HTML and at their limits in emoji
// (two UTF-16 units each): the card, the list of 200 events, the
// reminder, the check-in code's caption and the 签到表's caption all stay
// within Telegram's limits and show the HTML as typed.
func TestNoticesDefenceEventTextAtItsLimits(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3051
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(3052, "极限人", "13912343052", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	// Limits count UTF-16 units, as Telegram does: an emoji is two.
	title := "<b>&amp;</b>" + strings.Repeat("🎓", (scheduler.MaxTitleRunes-len([]rune("<b>&amp;</b>")))/2)
	start := h.clock.Now().Add(2 * time.Hour)
	e, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Trip, Title: title,
		Description: "<i>说明</i>" + strings.Repeat("🚌", (scheduler.MaxDescriptionRunes-len([]rune("<i>说明</i>")))/2),
		Start:       start, End: start.Add(30 * time.Hour), Place: strings.Repeat("📍", scheduler.MaxPlaceRunes/2), Capacity: scheduler.MaxCapacity,
		Hours: scheduler.MaxHours})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		s := h.clock.Now().Add(time.Duration(3+i) * time.Hour)
		if _, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Course,
			Title: fmt.Sprintf("%04d", i) + strings.Repeat("🎓", (scheduler.MaxTitleRunes-4)/2), Start: s, End: s.Add(24 * time.Hour),
			Place: strings.Repeat("📍", scheduler.MaxPlaceRunes/2), Capacity: scheduler.MaxCapacity}); err != nil {
			t.Fatal(err)
		}
	}
	list := h.say(w.user, "/events")
	need(t, "/events", list.Text, "<b>&amp;</b>")
	if n := len(list.ReplyMarkup.InlineKeyboard); n > 100 {
		t.Errorf("%d buttons", n)
	}
	card := h.openEvent(w.user, e.ID)
	need(t, "card", card.Text, "<i>说明</i>")
	h.press(w.user, botapi.PrivateChat(w.user), card, bot.T("ev.signup"))
	h.clock.Advance(time.Hour + time.Minute) // the 1-hour reminder
	h.bot.SchedTick(ctx)
	h.settle()
	if n := h.countContaining(w.user.ID, "活动提醒"); n != 1 {
		t.Errorf("%d reminders", n)
	}
	h.clock.Advance(time.Hour + 5*time.Minute)
	card = h.openEvent(coord, e.ID)
	h.press(coord, botapi.PrivateChat(coord), card, bot.T("ev.code"))
	msgs := h.srv.Messages(coordID)
	if photo := msgs[len(msgs)-1]; len(photo.Photo) == 0 || !strings.Contains(photo.Caption, "<b>&amp;</b>") {
		t.Errorf("the code message is %+v", photo)
	}
	h.press(coord, botapi.PrivateChat(coord), h.openEvent(coord, e.ID), bot.T("ev.sheet"))
	msgs = h.srv.Messages(coordID)
	if doc := msgs[len(msgs)-1]; doc.Document == nil || !strings.Contains(doc.Caption, "<b>&amp;</b>") {
		t.Errorf("the sheet message is %+v", doc)
	}
	if r := h.refusals(); r != "" {
		t.Errorf("Telegram refused: %s", r)
	}
}

// Giant forms are refused and store nothing: 10,000 lines, a line of
// 3,000 characters within Telegram's message limit, a venue name over its
// limit, a recurring notice over its limit.
func TestNoticesDefenceGiantForms(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3061
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	ctx := context.Background()
	h.say(coord, "/newevent")
	if got := h.ask(coordID, strings.Repeat("标题：x\n", 10000)); strings.Contains(got, "请核对") {
		t.Errorf("10,000 lines answered %q", got)
	}
	form := eventForm("长说明", h.clock.Now().Add(48*time.Hour), "10", "说明："+strings.Repeat("长", 3000))
	if got := h.ask(coordID, form); strings.Contains(got, "请核对") {
		t.Errorf("a 3,000-character description answered %q", got)
	}
	if got, _ := h.sched.ManagedEvents(ctx, adminAccess(), 10); len(got) != 0 {
		t.Errorf("giant forms stored %d events", len(got))
	}
	h.ask(coordID, "/cancel")
	h.ask(coordID, "/venues")
	h.next(coordID, 1, func() { h.press(coord, botapi.PrivateChat(coord), h.lastMessage(coordID), bot.T("vn.new")) })
	if got := h.ask(coordID, "名称："+strings.Repeat("站", 41)+"\n类型：党建工作站"); got != bot.T("vn.bad_name", scheduler.MaxVenueNameRunes) {
		t.Errorf("a long venue name answered %q", got)
	}
	h.ask(coordID, "/cancel")
	h.ask(coordID, "/schedule")
	h.next(coordID, 1, func() { h.press(coord, botapi.PrivateChat(coord), h.lastMessage(coordID), bot.T("sch.new")) })
	if got := h.ask(coordID, "标题：长提醒\n内容："+strings.Repeat("学", 3000)+"\n频率：每天\n时间：10:00"); got != bot.T("sch.bad_text", scheduler.MaxScheduleTextRunes) {
		t.Errorf("a long recurring notice answered %q", got)
	}
	if list, _ := h.sched.Schedules(ctx, adminAccess()); len(list) != 3 { // the embedded content's
		t.Errorf("%d schedules", len(list))
	}
}

// Check-in codes: another running event's code through this event's link
// is "another event's", a code of an event the person is not open to
// checks them in nowhere, tampered links are bad codes, and the right code
// checks in once.
func TestNoticesDefenceCheckInCodesOfOtherEvents(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3071
	h.grant(coordID, "")
	w := newWorker(3072, "签到人", "13912343072", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	start := h.clock.Now().Add(2 * time.Hour)
	ours, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Course, Title: "泉山区培训",
		Start: start, End: start.Add(3 * time.Hour), Place: "三楼", Audience: scheduler.Audience{Districts: []string{"泉山区"}}, Hours: 2})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Course, Title: "鼓楼区培训",
		Start: start, End: start.Add(3 * time.Hour), Place: "五楼", Audience: scheduler.Audience{Districts: []string{"鼓楼区"}}, Hours: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.sched.SignUp(ctx, w.user.ID, ours.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(2*time.Hour + time.Minute)
	codeOurs, err := h.sched.Code(ctx, adminAccess(), ours.ID)
	if err != nil {
		t.Fatal(err)
	}
	codeTheirs, _ := h.sched.Code(ctx, adminAccess(), theirs.ID)
	if codeOurs.Code == codeTheirs.Code {
		t.Skip("the two codes happen to be equal")
	}
	cases := []struct{ text, want string }{
		{fmt.Sprintf("/start chk_%d_%s", ours.ID, codeTheirs.Code), bot.T("ci.other_event")},
		{codeTheirs.Code, bot.T("ev.not_for_you")},
		{"/start chk_99999999999999999999_123456", bot.T("ci.bad_code")},
		{"/start chk_-1_123456", bot.T("ci.bad_code")},
		{fmt.Sprintf("/start chk_%d_12345x", ours.ID), bot.T("ci.bad_code")},
		{fmt.Sprintf("/start chk_%d_%s", theirs.ID, codeTheirs.Code), bot.T("ev.not_for_you")},
	}
	for _, c := range cases {
		if got := h.ask(w.user.ID, c.text); got != plain(c.want) {
			t.Errorf("%q answered %q, want %q", c.text, got, plain(c.want))
		}
	}
	roster, _ := h.sched.EventRoster(ctx, adminAccess(), theirs.ID)
	if len(roster.Attendance) != 0 {
		t.Errorf("checked in at the other district's event: %+v", roster.Attendance)
	}
	mustContain(t, "check-in", h.ask(w.user.ID, codeOurs.Code), "签到成功", "2 学时")
	mustContain(t, "again", h.ask(w.user.ID, fmt.Sprintf("/start chk_%d_%s", ours.ID, codeOurs.Code)), "签到成功")
	roster, _ = h.sched.EventRoster(ctx, adminAccess(), ours.ID)
	if len(roster.Attendance) != 1 {
		t.Errorf("attendance %+v", roster.Attendance)
	}
}

// Double presses: 报名 pressed twice at once signs up once; two people
// pressing 报名 for the last place at once get one place and one waiting;
// 确认发送 pressed twice at once makes one notice, delivered once.
func TestNoticesDefenceDoublePresses(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3081
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	a := newWorker(3082, "手快人", "13912343082", "泉山区")
	b := newWorker(3083, "手慢人", "13912343083", "泉山区")
	h.seedWorker(a, true)
	h.seedWorker(b, true)
	ctx := context.Background()
	e, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Course, Title: "最后一个名额",
		Start: h.clock.Now().Add(48 * time.Hour), End: h.clock.Now().Add(50 * time.Hour), Place: "线上", Capacity: 1})
	if err != nil {
		t.Fatal(err)
	}
	cardA, cardB := h.openEvent(a.user, e.ID), h.openEvent(b.user, e.ID)
	data := fmt.Sprintf("ev:in:%d", e.ID)
	idsA := []string{h.srv.Press(a.user, botapi.PrivateChat(a.user), cardA.MessageID, data), h.srv.Press(a.user, botapi.PrivateChat(a.user), cardA.MessageID, data)}
	idB := h.srv.Press(b.user, botapi.PrivateChat(b.user), cardB.MessageID, data)
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, id := range append(idsA, idB) {
		if _, err := h.srv.WaitEvents(wait, 1, func(ev botapi.Event) bool { return ev.Kind == botapi.EventAnswerCallback && ev.QueryID == id }); err != nil {
			t.Fatal(err)
		}
	}
	v, err := h.sched.View(ctx, 0, e.ID)
	if err != nil || v.Registered != 1 || v.Waiting != 1 {
		t.Errorf("after the presses: %d registered, %d waiting (%v)", v.Registered, v.Waiting, err)
	}
	preview := h.writeBroadcast(coord, "双击测试：只应收到一次。")
	answers := h.pressTogether(coord, preview.MessageID, buttonData(t, preview, bot.T("bc.confirm")), 3)
	h.settle()
	if list, _ := h.sched.Broadcasts(ctx, adminAccess(), 10); len(list) != 1 {
		t.Errorf("three presses of 确认发送 made %d notices (%+v)", len(list), answers)
	}
	if n := h.countContaining(a.user.ID, "双击测试"); n != 1 {
		t.Errorf("the notice arrived %d times", n)
	}
}

// A worker's station and a notice's venue cannot be another district's:
// a forged st:vs of a 鼓楼区 venue is refused and stores nothing; the
// city's venue may be chosen.
func TestNoticesDefenceStationOfAnotherDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(3092, "驻站人", "13912343092", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	gulou, err := h.sched.SaveVenue(ctx, adminAccess(), scheduler.Venue{Name: "鼓楼区党建工作站", Kind: scheduler.VenueStation, District: "鼓楼区"})
	if err != nil {
		t.Fatal(err)
	}
	city, err := h.sched.SaveVenue(ctx, adminAccess(), scheduler.Venue{Name: "市级红色堡垒", Kind: scheduler.VenueBastion})
	if err != nil {
		t.Fatal(err)
	}
	settings := h.say(w.user, "/settings")
	h.press(w.user, botapi.PrivateChat(w.user), settings, bot.T("settings.station_button"))
	menu := h.message(w.user.ID, settings.MessageID)
	if hasButtonData(menu, fmt.Sprintf("st:vs:%d", gulou.ID)) {
		t.Errorf("the station menu offers another district's venue")
	}
	if ans := h.pressData(w.user, botapi.PrivateChat(w.user), settings.MessageID, fmt.Sprintf("st:vs:%d", gulou.ID)); ans.Text != plain(bot.T("sched.out_of_scope")) {
		t.Errorf("a forged station answered %q", ans.Text)
	}
	if _, err := h.sched.Station(ctx, w.user.ID); err == nil {
		t.Errorf("another district's venue was stored as the station")
	}
	h.pressData(w.user, botapi.PrivateChat(w.user), settings.MessageID, fmt.Sprintf("st:vs:%d", city.ID))
	if v, err := h.sched.Station(ctx, w.user.ID); err != nil || v.ID != city.ID {
		t.Errorf("the city's venue: %+v %v", v, err)
	}
}

// The districts picker of a city coordinator's notice lists every
// district within Telegram's button limits and toggles them in place.
func TestNoticesDefenceDistrictsPicker(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3101
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	h.say(coord, "/broadcast")
	menu := h.say(coord, "分区通知")
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_dist"))
	picker := h.message(coordID, menu.MessageID)
	buttons := 0
	for _, row := range picker.ReplyMarkup.InlineKeyboard {
		buttons += len(row)
		if len(row) > 8 {
			t.Errorf("a row of %d buttons", len(row))
		}
	}
	names := h.members().Districts().Names()
	if buttons != len(names)+1 || buttons > 100 {
		t.Errorf("%d buttons for %d districts", buttons, len(names))
	}
	h.press(coord, botapi.PrivateChat(coord), picker, "☐ "+names[0])
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), "☑ "+names[0])
	if ans := h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), bot.T("bc.districts_done")); ans.Text != bot.T("bc.pick_district") {
		t.Errorf("选好了 with none chosen answered %q", ans.Text)
	}
}
