package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

// Hostile tests of the notices: each attack once found the bug its "Was a
// bug" comment describes (in the code as it stood then), and now guards
// the fix. The attacks the notices always withstood are in
// notices_defence_test.go.

func districtAccess(id int64, district string) member.Access {
	return member.Access{UserID: id, Role: member.RoleCoordinator, District: district}
}

// Was a bug: correcting a notice sent as a file or photo (更正内容) never reaches
// anyone: the correction is queued as an OpEdit row and bot/deliver.go
// sendQueued always edits with editMessageText, which Telegram refuses on
// a message without text ("there is no text in the message to edit"); a
// document's or photo's caption needs editMessageCaption. The bot still
// answers "已更正，正在替换 1 条已送达的消息".
func TestHostileCorrectingAFileNoticeReachesNobody(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2001
	h.grant(coordID, "邳州市")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(2002, "收文人", "13912342002", "邳州市")
	h.seedWorker(w, true)
	need(t, "/broadcast", h.say(coord, "/broadcast").Text, "发布通知")
	menu := h.next(coordID, 1, func() {
		h.srv.SendDocumentCaption(coord, botapi.PrivateChat(coord), "培训安排.pdf", "application/pdf", []byte("%PDF-1.4 培训安排"), "附件是下月培训安排，地点在三楼。")
	})[0]
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_all"))
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), bot.T("bc.send_now"))
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), bot.T("bc.confirm"))
	h.settle()
	list, err := h.sched.Broadcasts(context.Background(), adminAccess(), 1)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	prompt := h.next(coordID, 1, func() {
		h.pressData(coord, botapi.PrivateChat(coord), menu.MessageID, fmt.Sprintf("bc:fix:%d", list[0].ID))
	})[0]
	need(t, "fix prompt", prompt.Text, "更正后的通知")
	need(t, "fix reply", h.ask(coordID, "附件是下月培训安排，地点改在五楼。"), "已更正")
	h.settle()
	var doc *botapi.Message
	for _, m := range h.srv.Messages(w.user.ID) {
		if m.Document != nil {
			doc = &m
		}
	}
	if doc == nil {
		t.Fatal("the worker never got the file")
	}
	if !strings.Contains(doc.Caption, "五楼") {
		t.Errorf("after 更正内容 the worker's file still says %q; the edit failed: %s", doc.Caption, h.refusals())
	}
}

// Was a bug: withdrawing a notice (撤回) while one of its copies is in flight
// leaves that copy in the person's chat for good: scheduler/broadcast.go
// WithdrawBroadcast cancels the pending rows and deletes the delivered
// ones, but a row being sent (status sending) is neither, and nothing
// deletes it once it lands. The status says 已撤回 all the same.
func TestHostileWithdrawDuringASendLeavesACopy(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2011
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	a := newWorker(2012, "在途人", "13912342012", "泉山区")
	b := newWorker(2013, "已达人", "13912342013", "泉山区")
	h.seedWorker(a, true)
	h.seedWorker(b, true)
	inFlight, release := make(chan struct{}), make(chan struct{})
	var held atomic.Bool
	h.srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "sendMessage" && p.Get("chat_id") == fmt.Sprint(a.user.ID) && strings.Contains(p.Get("text"), "撤回竞态") && held.CompareAndSwap(false, true) {
			close(inFlight)
			<-release // Telegram is slow to answer: the send is in flight
		}
		return nil
	})
	preview := h.writeBroadcast(coord, "撤回竞态：本通知发错了，马上撤回。")
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	select {
	case <-inFlight:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the notice to the first worker never went out")
	}
	ctx := context.Background()
	list, _ := h.sched.Broadcasts(ctx, adminAccess(), 1)
	id := list[0].ID
	// The other copy lands meanwhile.
	deadline := time.Now().Add(10 * time.Second)
	for h.countContaining(b.user.ID, "撤回竞态") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	_, n, err := h.sched.WithdrawBroadcast(ctx, districtAccess(coordID, "泉山区"), id)
	close(release)
	if err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	h.settle()
	h.srv.SetFault(nil)
	h.settle()
	// The copy in flight landed after the withdrawal: the scheduler's timed
	// work (every 2 s) takes it back too.
	h.bot.SchedTick(ctx)
	h.settle()
	for _, w := range []worker{a, b} {
		for _, m := range h.srv.Messages(w.user.ID) {
			if strings.Contains(m.Text, "撤回竞态") {
				t.Errorf("%s still has the withdrawn notice (the withdrawal deleted %d copies)", w.name, n)
			}
		}
	}
}

// Was a bug: a reminder the quiet hours hold is not withdrawn when the event
// is moved: scheduler/service.go UpdateEvent tells the people signed up
// of the change at once, but leaves the reminder already queued with the
// old time (CancelEvent cancels such rows, "they would now mislead";
// UpdateEvent does not). When the quiet hours end the person gets a
// 活动提醒 with the old date, after the notice of the change.
func TestHostileHeldReminderKeepsTheOldTimeAfterAMove(t *testing.T) {
	loc := shanghaiLoc(t)
	h := startBot(t, func(o *bot.Options) {
		now := o.Now().In(loc)
		minute := now.Hour()*60 + now.Minute()
		o.Quiet = bot.QuietHours{Start: (minute + 24*60 - 60) % (24 * 60), End: (minute + 60) % (24 * 60)}
		o.QuietSet = true
	}, nil)
	w := newWorker(2022, "夜里人", "13912342022", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	start := h.clock.Now().Add(24*time.Hour + 10*time.Minute).Truncate(time.Minute)
	e, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Course, Title: "改期测试培训班",
		Start: start, End: start.Add(3 * time.Hour), Place: "三楼会议室"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.sched.SignUp(ctx, w.user.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(15 * time.Minute) // the 24-hour reminder is due, in the quiet hours
	h.bot.SchedTick(ctx)
	h.settle()
	if n := h.countContaining(w.user.ID, "活动提醒"); n != 0 {
		t.Fatalf("the reminder went out in the quiet hours (%d)", n)
	}
	moved := e
	moved.Start, moved.End = e.Start.Add(48*time.Hour), e.End.Add(48*time.Hour)
	if _, err := h.sched.UpdateEvent(ctx, adminAccess(), moved); err != nil {
		t.Fatal(err)
	}
	h.settle()
	need(t, "change notice", strings.Join(h.sentTo(w.user.ID), "\n"), "活动有变动")
	h.clock.Advance(60 * time.Minute) // the quiet hours end
	h.bot.SchedTick(ctx)
	h.settle()
	old := start.In(loc)
	oldDay := fmt.Sprintf("%d月%d日", int(old.Month()), old.Day())
	for _, text := range h.sentTo(w.user.ID) {
		if strings.Contains(text, "活动提醒") && strings.Contains(text, oldDay) {
			t.Errorf("after the move the worker was reminded of the old time: %q", text)
		}
	}
}

// Was a bug: a reminder that fell due while the bot was down is held by the
// quiet hours past the start of its event: scheduler/service.go remind
// decides "quiet" by the time left (more than UrgentBefore) without
// looking at when the quiet hours end, so the late 24-hour reminder of an
// event starting at night is delivered hours after the event began,
// saying "距开始还有 24 小时" — the README says a late reminder is dropped
// once its event has begun.
func TestHostileLateReminderHeldPastTheStart(t *testing.T) {
	loc := shanghaiLoc(t)
	h := startBot(t, func(o *bot.Options) {
		now := o.Now().In(loc)
		minute := now.Hour()*60 + now.Minute()
		// Quiet from 2 hours after now to 8 hours after (time of day).
		o.Quiet = bot.QuietHours{Start: (minute + 120) % (24 * 60), End: (minute + 480) % (24 * 60)}
		o.QuietSet = true
	}, nil)
	w := newWorker(2032, "早班人", "13912342032", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	start := h.clock.Now().Add(30 * time.Hour).Truncate(time.Minute) // in the quiet hours of the next day
	e, err := h.sched.CreateEvent(ctx, adminAccess(), scheduler.Event{Kind: scheduler.Trip, Title: "凌晨出发的学习考察",
		Start: start, End: start.Add(10 * time.Hour), Place: "市委党校门口"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.sched.SignUp(ctx, w.user.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(27 * time.Hour) // down until 3 hours before: the 24-hour reminder is late
	h.bot.SchedTick(ctx)
	h.settle()
	h.clock.Advance(2*time.Hour + 5*time.Minute) // the 1-hour reminder, on time
	h.bot.SchedTick(ctx)
	h.settle()
	h.clock.Advance(time.Hour) // the event has begun
	h.bot.SchedTick(ctx)
	h.settle()
	before := h.countContaining(w.user.ID, "活动提醒")
	h.clock.Advance(2 * time.Hour) // the quiet hours end
	h.bot.SchedTick(ctx)
	h.settle()
	if after := h.countContaining(w.user.ID, "活动提醒"); after != before {
		got := h.sentTo(w.user.ID)
		t.Errorf("%d reminder(s) arrived after the event began: %q", after-before, got[len(got)-1])
	}
}

// Was a bug: the status report of a scheduled notice is sent outside the
// outbox: bot/broadcast.go schedTick releases the broadcast in one
// transaction and then calls showStatus, which sends the status message
// directly (b.out.send). One 5xx from Telegram (or a crash between the
// commit and the send) and the coordinator never gets it, though
// "到时我会把送达情况发给您" promised it; nothing retries it.
func TestHostileScheduledNoticeStatusLostOnOneFault(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2041
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(2042, "定时人", "13912342042", "铜山区")
	h.seedWorker(w, true)
	h.say(coord, "/broadcast")
	menu := h.say(coord, "定时状态测试：明早召开视频会。")
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_all"))
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), bot.T("bc.send_later"))
	at := h.clock.Now().Add(3 * time.Hour).In(shanghaiLoc(t))
	preview := h.say(coord, at.Format("2006-01-02 15:04"))
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	ctx := context.Background()
	list, _ := h.sched.Broadcasts(ctx, adminAccess(), 1)
	id := list[0].ID
	status := fmt.Sprintf("通知 #%d ·", id)
	var failed atomic.Bool
	h.srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "sendMessage" && p.Get("chat_id") == fmt.Sprint(coordID) && strings.Contains(p.Get("text"), fmt.Sprintf("通知 #%d<", id)) && failed.CompareAndSwap(false, true) {
			return &botapi.APIError{Code: 502, Description: "Bad Gateway"}
		}
		return nil
	})
	h.clock.Advance(3*time.Hour + time.Minute)
	h.bot.SchedTick(ctx)
	h.settle()
	if n := h.countContaining(w.user.ID, "定时状态测试"); n != 1 {
		t.Fatalf("the scheduled notice arrived %d times", n)
	}
	h.srv.SetFault(nil)
	for range 3 {
		h.clock.Advance(2 * time.Minute)
		h.bot.SchedTick(ctx)
		h.settle()
	}
	if !failed.Load() {
		t.Fatal("the status message was never tried")
	}
	if n := h.countContaining(coordID, status); n == 0 {
		t.Errorf("after one 502 the coordinator never got the status of notice #%d", id)
	}
}

// Was a bug: 确认发送 on an old preview sends whatever draft is current, not
// the notice that preview shows: bot/broadcast.go confirmBroadcast takes
// the draft from the conversation, and the bc:go button names none. A
// coordinator who previewed 通知甲 to everyone, started /broadcast again
// and previewed 通知乙 to one district, and then confirms the first
// preview, sends 通知乙. (ev:ok on an old event preview saves the newer
// form in the same way: bot/events.go eventFormButton.)
func TestHostileOldPreviewConfirmsANewerDraft(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2051
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	a := newWorker(2052, "泉山人", "13912342052", "泉山区")
	b := newWorker(2053, "鼓楼人", "13912342053", "鼓楼区")
	h.seedWorker(a, true)
	h.seedWorker(b, true)
	previewA := h.writeBroadcast(coord, "通知甲：请全体按时参会。")
	need(t, "preview A", previewA.Text, "通知甲")
	h.say(coord, "/broadcast")
	menu := h.say(coord, "通知乙：只发鼓楼区的测试。")
	h.press(coord, botapi.PrivateChat(coord), menu, bot.T("bc.aud_dist"))
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), "鼓楼区")
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), bot.T("bc.districts_done"))
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, menu.MessageID), bot.T("bc.send_now"))
	need(t, "preview B", h.message(coordID, menu.MessageID).Text, "通知乙")
	// The coordinator scrolls up and confirms the first preview.
	h.press(coord, botapi.PrivateChat(coord), h.message(coordID, previewA.MessageID), bot.T("bc.confirm"))
	h.settle()
	if n := h.countContaining(b.user.ID, "通知乙"); n != 0 {
		t.Errorf("confirming the preview of 通知甲 sent 通知乙 (%d to 鼓楼区); 通知甲 reached %d", n, h.countContaining(a.user.ID, "通知甲"))
	}
}

// Was a bug: a check-in code typed with full-width digits (１２３４５６, what a
// Chinese input method gives in full-width mode) is not taken as a code:
// scheduler.IsCode accepts only ASCII digits and bot/router.go onText
// sends anything else to the question answerer, so the worker standing
// at the door gets an answer about something else instead of 签到成功.
func TestHostileFullWidthCheckInCode(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2061
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(2062, "全角人", "13912342062", "泉山区")
	h.seedWorker(w, true)
	e := h.createEvent(coord, eventForm("全角签到测试", h.clock.Now().Add(2*time.Hour), "20"))
	h.clock.Advance(2*time.Hour + 5*time.Minute)
	card := h.openEvent(coord, e.ID)
	h.press(coord, botapi.PrivateChat(coord), card, bot.T("ev.code"))
	msgs := h.srv.Messages(coordID)
	caption := msgs[len(msgs)-1].Caption
	i := strings.Index(caption, "签到码：")
	if i < 0 {
		t.Fatalf("no code in %q", caption)
	}
	code := caption[i+len("签到码："):][:6]
	wide := strings.Map(func(r rune) rune { return r - '0' + '０' }, code)
	got := h.ask(w.user.ID, wide)
	if !strings.Contains(got, "签到成功") {
		t.Errorf("the code %s in full-width digits (%s) answered %q", code, wide, got)
	}
}

// runSoon is a daily spec that runs two minutes from now, and how far to
// move the clock for it to be due the same day.
func runSoon(h *harness, loc *time.Location) (string, time.Duration) {
	now := h.clock.Now().In(loc)
	at := now.Truncate(time.Minute).Add(2 * time.Minute)
	if at.Day() != now.Day() || at.Hour() == 23 && at.Minute() == 59 {
		at = at.Add(3 * time.Minute) // stay clear of midnight
	}
	return fmt.Sprintf("%d %d * * *", at.Minute(), at.Hour()), at.Add(10 * time.Second).Sub(now)
}

// Was a bug: a recurring notice is checked in runes, not as Telegram counts
// (UTF-16): scheduler/schedule.go Schedule.check allows a title of 60
// and a text of 2,000 runes, so a notice of emoji (two UTF-16 units
// each) is accepted — in chat by an administrator, or in schedules.yaml —
// and renders over Telegram's 4,096: every run is refused ("message is
// too long") and reaches nobody, while /schedule shows it as 运行中.
func TestHostileRecurringNoticeOfEmojiOverTelegramsLimit(t *testing.T) {
	h := startBot(t, nil, nil)
	loc := shanghaiLoc(t)
	w := newWorker(2072, "表情人", "13912342072", "沛县")
	h.seedWorker(w, true)
	spec, wait := runSoon(h, loc)
	ctx := context.Background()
	_, err := h.sched.SaveSchedule(ctx, adminAccess(), scheduler.Schedule{Title: strings.Repeat("🎉", scheduler.MaxScheduleTitleRunes),
		Text: strings.Repeat("📢", scheduler.MaxScheduleTextRunes), Spec: spec}, false)
	if err != nil {
		return // refused: the limit is right
	}
	h.clock.Advance(wait)
	h.bot.SchedTick(ctx)
	h.settle()
	if n := h.countContaining(w.user.ID, "📢📢📢"); n != 1 {
		t.Errorf("an accepted recurring notice reached the worker %d times: %s", n, h.refusals())
	}
}

// venueName is a venue name of exactly n runes, numbered i.
func venueName(i, n int, fill string) string {
	head := fmt.Sprintf("%02d", i)
	return head + strings.Repeat(fill, n-len(head))
}

// Was a bug: /venues does not bound its text: bot/venues.go cmdVenues lists up
// to 30 venues with their names (up to 40 characters) and addresses (up
// to 100), which is more than Telegram's 4,096; with 30 venues at their
// limits the list is refused ("message is too long") and the coordinator
// gets an error instead of the list.
func TestHostileVenueListOverTelegramsLimit(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2081
	h.grant(coordID, "泉山区")
	ctx := context.Background()
	for i := range 30 {
		v := scheduler.Venue{Name: venueName(i, scheduler.MaxVenueNameRunes, "站"), Kind: scheduler.VenueStation,
			Address: strings.Repeat("址", scheduler.MaxVenueAddressRunes)}
		if _, err := h.sched.SaveVenue(ctx, districtAccess(coordID, "泉山区"), v); err != nil {
			t.Fatal(err)
		}
	}
	got := h.ask(coordID, "/venues")
	if !strings.Contains(got, plain(bot.T("vn.head"))) {
		t.Errorf("/venues with 30 long venues answered %q: %s", got, h.refusals())
	}
}

// Was a bug: venues after the 30th cannot be reached: bot/venues.go cmdVenues
// shows the first 30 and "……另有 N 个" with no way to page on, so a
// coordinator cannot change or delete the others; stationMenu offers a
// worker the first 30 (the city's first), so a worker stationed at the
// 35th cannot name it in /settings.
func TestHostileVenuesBeyondThirtyCannotBeReached(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2091
	h.grant(coordID, "泉山区")
	w := newWorker(2092, "驻站人", "13912342092", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	var last scheduler.Venue
	for i := range 35 {
		v, err := h.sched.SaveVenue(ctx, districtAccess(coordID, "泉山区"), scheduler.Venue{Name: fmt.Sprintf("泉山阵地%02d", i), Kind: scheduler.VenueStation})
		if err != nil {
			t.Fatal(err)
		}
		last = v
	}
	h.say(botapi.DefaultUser(coordID), "/venues")
	list := h.lastMessage(coordID)
	if !hasButtonData(list, fmt.Sprintf("vn:ed:%d", last.ID)) && !hasPaging(list, "vn:") {
		t.Errorf("/venues offers no way to change the 35th venue %q", last.Name)
	}
	settings := h.say(w.user, "/settings")
	h.press(w.user, botapi.PrivateChat(w.user), settings, bot.T("settings.station_button"))
	menu := h.message(w.user.ID, settings.MessageID)
	if !hasButtonData(menu, fmt.Sprintf("st:vs:%d", last.ID)) && !hasPaging(menu, "st:") {
		t.Errorf("the station menu offers no way to choose the 35th venue %q", last.Name)
	}
}

// hasPaging reports whether m has a button of prefix that pages on (▶, 下一页, 更多).
func hasPaging(m botapi.Message, prefix string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) && (strings.Contains(b.Text, "▶") || strings.Contains(b.Text, "下一页") || strings.Contains(b.Text, "更多")) {
				return true
			}
		}
	}
	return false
}

// Was a bug: /events shows the 10 soonest events and nothing else: bot/events.go
// eventList has no next page, so with a busy calendar a worker cannot
// open (or sign up for) the 11th event until ten others are over.
func TestHostileEventListBeyondTenCannotBeReached(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2101
	h.grant(coordID, "泉山区")
	w := newWorker(2102, "看活动", "13912342102", "泉山区")
	h.seedWorker(w, true)
	ctx := context.Background()
	var last scheduler.Event
	for i := range 12 {
		start := h.clock.Now().Add(time.Duration(48+i) * time.Hour)
		e, err := h.sched.CreateEvent(ctx, districtAccess(coordID, "泉山区"), scheduler.Event{Kind: scheduler.Forum,
			Title: fmt.Sprintf("先锋论坛第%d期", i+1), Start: start, End: start.Add(time.Hour), Place: "线上"})
		if err != nil {
			t.Fatal(err)
		}
		last = e
	}
	list := h.say(w.user, "/events")
	if !hasButtonData(list, fmt.Sprintf("ev:v:%d", last.ID)) && !hasPaging(list, "ev:") {
		t.Errorf("/events offers no way to open %q, the 12th upcoming event", last.Title)
	}
}

// Was a bug: a worker opens the card (and the .ics) of another district's
// event with a forged button: bot/events.go onEventButton "v" and "ics"
// look the event up without asking whether it is open to the person, so
// a 鼓楼区 worker reads 泉山区's course with its description, though the
// list never shows it to them and 报名 refuses them (ev.not_for_you).
func TestHostileForgedCardOfAnotherDistrictsEvent(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2111
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	other := newWorker(2112, "鼓楼看客", "13912342112", "鼓楼区")
	h.seedWorker(other, true)
	e := h.createEvent(coord, eventForm("泉山区内部培训", h.clock.Now().Add(72*time.Hour), "10", "说明：仅限泉山区，内部安排"))
	list := h.say(other.user, "/events")
	if strings.Contains(list.Text, e.Title) {
		t.Fatalf("the list shows it: %q", list.Text)
	}
	h.pressData(other.user, botapi.PrivateChat(other.user), list.MessageID, fmt.Sprintf("ev:v:%d", e.ID))
	if card := h.message(other.user.ID, list.MessageID); strings.Contains(card.Text, "内部安排") {
		t.Errorf("a 鼓楼区 worker opened 泉山区's event: %q", card.Text)
	}
	before := len(h.srv.Messages(other.user.ID))
	h.pressData(other.user, botapi.PrivateChat(other.user), list.MessageID, fmt.Sprintf("ev:ics:%d", e.ID))
	h.settle()
	for _, m := range h.srv.Messages(other.user.ID)[before:] {
		if m.Document != nil {
			t.Errorf("a 鼓楼区 worker got 泉山区's calendar file %s", m.Document.FileName)
		}
	}
}

// Was a bug: a tampered 每日一练 time is stored: bot/settings.go
// onSettingsButton "d" checks len(arg) == 4 and Atoi, which take "-100"
// and "+900", and stores "-1:00" / "+9:00" as the daily push's time; the
// push then goes at midnight (the string is less than any "HH:MM") and
// /settings shows 每天 -1:00.
func TestHostileTamperedDailyPushTime(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(2122, "改时间", "13912342122", "沛县")
	h.seedWorker(w, true)
	settings := h.say(w.user, "/settings")
	for _, arg := range []string{"-100", "+900"} {
		h.pressData(w.user, botapi.PrivateChat(w.user), settings.MessageID, "st:d:"+arg)
		p, err := h.quiz.Prefs(context.Background(), w.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Daily != "" {
			t.Errorf("st:d:%s stored the daily push time %q", arg, p.Daily)
		}
	}
}

// Was a bug: an evening event that ends after midnight cannot be written with
// the end as a time of day, as the form says it may ("结束可以只写时间"):
// bot/events.go parseEventEnd puts a bare time on the start's day, so
// 开始 22:00 / 结束 01:00 is refused as ending before it starts instead of
// ending at 01:00 the next day.
func TestHostileEventAcrossMidnightWithABareEndTime(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2131
	h.grant(coordID, "")
	loc := shanghaiLoc(t)
	day := h.clock.Now().In(loc).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 22, 0, 0, 0, loc)
	form := strings.Join([]string{"类型：先锋论坛", "标题：跨夜观影学习", "开始：" + start.Format("2006-01-02 15:04"), "结束：01:00",
		"地点：市图书馆报告厅", "名额：不限", "学时：3"}, "\n")
	h.say(botapi.DefaultUser(coordID), "/newevent")
	got := h.ask(coordID, form)
	if !strings.Contains(got, "请核对") {
		t.Errorf("22:00 to 01:00 answered %q", got)
	}
}

// Was a bug: /schedule does not bound its text: bot/schedules.go scheduleList
// lists up to 20 notices with their titles (60 runes: 120 UTF-16 units
// of emoji), their specs ("cron " and up to 100 bytes, for an
// administrator's) and their districts; 20 at their limits are more than
// Telegram's 4,096, and /schedule answers with an error.
func TestHostileScheduleListOverTelegramsLimit(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	spec := "0 0,2,4,6,8,10,12,14,16,18,20,22 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20 * *"
	for len(spec) < scheduler.MaxSpecLen-2 {
		spec = strings.Replace(spec, " * *", ",2 * *", 1)
	}
	all := h.members().Districts().Names()
	for i := range 20 {
		_, err := h.sched.SaveSchedule(ctx, adminAccess(), scheduler.Schedule{Title: venueName(i, scheduler.MaxScheduleTitleRunes/2, "🎓"),
			Text: "请按时完成学习任务。", Spec: spec, Audience: scheduler.Audience{Districts: all}}, true)
		if err != nil {
			t.Fatalf("schedule %d (%q, %d bytes): %v", i, spec, len(spec), err)
		}
	}
	got := h.ask(adminID, "/schedule")
	if !strings.Contains(got, plain(bot.T("sch.list_head"))) {
		t.Errorf("/schedule with 20 notices answered %q: %s", got, h.refusals())
	}
}

// Was a bug: 撤回通知 two days after a notice went out removes nothing and says
// it did: Telegram lets a bot delete a message only within 48 hours, so
// every deletion WithdrawBroadcast (scheduler/broadcast.go) queues is
// refused ("message can't be deleted") and given up, while the
// coordinator is told "正在从 N 个聊天里删除这条通知" and the status reads
// 已撤回. The notice stays in every chat, unmarked; nothing tells the
// coordinator, and nothing edits the copies to say they were withdrawn.
func TestHostileWithdrawAfterTwoDaysLeavesEveryCopy(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 2141
	h.grant(coordID, "新沂市")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(2142, "老通知", "13912342142", "新沂市")
	h.seedWorker(w, true)
	preview := h.writeBroadcast(coord, "过期撤回：本周五下午开会。")
	h.press(coord, botapi.PrivateChat(coord), preview, bot.T("bc.confirm"))
	h.settle()
	ctx := context.Background()
	list, _ := h.sched.Broadcasts(ctx, adminAccess(), 1)
	st, _ := h.sched.Status(ctx, adminAccess(), list[0].ID)
	h.bot.SchedTick(ctx) // the status message shows 撤回通知 once all is sent
	h.clock.Advance(49 * time.Hour)
	status := h.message(coordID, st.Broadcast.StatusMessage)
	confirm := h.next(coordID, 1, func() { h.press(coord, botapi.PrivateChat(coord), status, bot.T("bc.withdraw")) })[0]
	ans := h.press(coord, botapi.PrivateChat(coord), confirm, bot.T("bc.withdraw_yes"))
	h.settle()
	h.bot.SchedTick(ctx)
	for _, m := range h.srv.Messages(w.user.ID) {
		if m.Text == "📢 通知\n\n过期撤回：本周五下午开会。" {
			t.Errorf("two days on, 撤回 (answered %q) left the notice as it was in the worker's chat: %s", ans.Text, h.refusals())
		}
	}
}

// Was a bug: a /settings toggle is not recorded as handled with its change:
// bot/settings.go onSettingsButton "t" flips the push with SetPush in a
// transaction of its own (not b.atomic, which marks the update done in
// the same transaction), so while its reply is on its way the update is
// still unhandled; a crash then replays it and flips the push back — the
// person's 🔕 silently undone, though the README says an update "counts
// as handled once the change it makes commits (recorded in the same
// transaction)". (bc:d, a district toggled in a draft, has the same gap.)
func TestHostileSettingsToggleNotHandledWithItsChange(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(2152, "关通知", "13912342152", "沛县")
	h.seedWorker(w, true)
	settings := h.say(w.user, "/settings")
	held, release := make(chan [2]int, 1), make(chan struct{})
	h.srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "editMessageText" && p.Get("chat_id") == fmt.Sprint(w.user.ID) {
			var undone, off int
			h.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE done_at IS NULL`).Scan(&undone)
			h.db.SQL().QueryRow(`SELECT COUNT(*) FROM push_prefs WHERE user_id = ? AND off = 1`, w.user.ID).Scan(&off)
			select {
			case held <- [2]int{undone, off}:
				<-release
			default:
			}
		}
		return nil
	})
	h.srv.Press(w.user, botapi.PrivateChat(w.user), settings.MessageID, "st:t:"+scheduler.PushSchedule)
	var got [2]int
	select {
	case got = <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the toggle was never answered")
	}
	close(release)
	h.srv.SetFault(nil)
	if got[1] == 1 && got[0] != 0 {
		t.Errorf("the push is turned off (committed) while its update is not yet handled (%d undone): a crash now replays the toggle and turns it back on", got[0])
	}
}
