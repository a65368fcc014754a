package bot_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
	"github.com/xuri/excelize/v2"
)

// Tests of the people issue: registration, approval, rosters, roles and
// their menus, invitations, leaving, blocking and erasure.

// clock is a clock the test moves while the bot's handlers read it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// startClocked starts a bot whose member service and bot read c.
func startClocked(t *testing.T, c *clock) *harness {
	return startBot(t, func(o *bot.Options) {
		o.Now = c.Now
		o.Members.Now = c.Now
	}, nil)
}

// members is the member service the bot runs on.
func (h *harness) members() *member.Service { return h.opts.Members }

// restart stops the bot, as a process that dies would stop, and starts a new
// one on the same database file and Bot API server.
func (h *harness) restart() { h.restartWith(nil) }

// restartWith is restart, running ifDown while the bot is stopped.
func (h *harness) restartWith(ifDown func()) {
	h.t.Helper()
	ctx := context.Background()
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// A waiting long poll has confirmed every update handled so far.
	if err := h.srv.WaitPolling(wait); err != nil {
		h.t.Fatalf("bot not polling before restart: %v", err)
	}
	if err := h.shutdown(); err != nil {
		h.t.Fatalf("stopping the bot: %v", err)
	}
	if ifDown != nil {
		ifDown()
	}
	// A new process on the same data: new services over the database's
	// file, through the handle the other services hold (a store's kept
	// statements belong to its handle, and a transaction to one handle).
	db := h.db
	old := h.members()
	members := member.NewService(store.NewMemberStore(db), old.Districts(), h.opts.Admins)
	members.Now = old.Now
	opts := h.opts
	opts.Members, opts.Store = members, store.NewConversations(db)
	b, err := bot.New(ctx, opts)
	if err != nil {
		h.t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	h.bot, h.stop, h.done, h.opts = b, stop, done, opts
	h.t.Cleanup(func() { h.shutdown() })
	if err := h.srv.WaitPolling(wait); err != nil {
		h.t.Fatalf("restarted bot never polled: %v", err)
	}
}

// next runs act and returns the k messages the bot sends to chat after it.
func (h *harness) next(chatID int64, k int, act func()) []botapi.Message {
	h.t.Helper()
	h.settle()
	n := len(h.sentTo(chatID))
	act()
	events := h.waitSent(chatID, n+k)
	out := make([]botapi.Message, 0, k)
	for _, e := range events[n:] {
		out = append(out, *e.Message)
	}
	return out
}

// say sends text privately from u and returns the bot's next message.
func (h *harness) say(u botapi.User, text string) botapi.Message {
	h.t.Helper()
	return h.next(u.ID, 1, func() { h.srv.SendText(u, botapi.PrivateChat(u), text) })[0]
}

// pressNext presses the button labelled label on m in u's private chat and
// returns the answer to the press and the k messages the bot sends after it.
func (h *harness) pressNext(u botapi.User, m botapi.Message, label string, k int) (botapi.CallbackAnswer, []botapi.Message) {
	h.t.Helper()
	var ans botapi.CallbackAnswer
	msgs := h.next(u.ID, k, func() { ans = h.press(u, botapi.PrivateChat(u), m, label) })
	return ans, msgs
}

// shareContact sends a contact card from u, as the share-contact button does
// when owner is u.ID, and returns the bot's next k messages.
func (h *harness) shareContact(u botapi.User, phone string, owner int64, k int) []botapi.Message {
	h.t.Helper()
	return h.next(u.ID, k, func() {
		h.srv.SendContact(u, botapi.PrivateChat(u), botapi.Contact{PhoneNumber: phone, FirstName: u.FirstName, UserID: owner})
	})
}

// need stops the test when got lacks want: the dialogue went elsewhere.
func need(t testing.TB, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("%s = %q, want it to contain %q", what, got, want)
	}
}

// plain is a catalog sentence as the person reads it: without its HTML.
func plain(s string) string {
	return strings.NewReplacer("<b>", "", "</b>", "", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// worker is someone who registers, with what they will enter.
type worker struct {
	user                                   botapi.User
	name, phone, district, org, post, educ string
	year                                   string
}

func newWorker(id int64, name, phone, district string) worker {
	return worker{user: botapi.DefaultUser(id), name: name, phone: phone, district: district,
		org: "徐州云创科技有限公司", post: "专职党务工作者", educ: "本科", year: "2019"}
}

// contactPhone is the phone as Telegram puts it in a shared contact.
func (w worker) contactPhone() string { return "86" + w.phone }

// fillRegistration walks the dialogue from /start to the confirmation and
// returns the confirmation message.
func (h *harness) fillRegistration(w worker) botapi.Message {
	h.t.Helper()
	u := w.user
	start := h.next(u.ID, 2, func() { h.srv.SendText(u, botapi.PrivateChat(u), "/start") })
	need(h.t, "after /start", start[1].Text, bot.T("reg.ask.name"))
	need(h.t, "after the name", h.say(u, w.name).Text, bot.T("reg.ask.phone"))
	district := h.shareContact(u, w.contactPhone(), u.ID, 2)[1]
	need(h.t, "after the phone", district.Text, bot.T("reg.ask.district"))
	_, msgs := h.pressNext(u, district, w.district, 1)
	need(h.t, "after the district", msgs[0].Text, bot.T("reg.ask.org"))
	post := h.say(u, w.org)
	need(h.t, "after the organisation", post.Text, bot.T("reg.ask.post"))
	_, msgs = h.pressNext(u, post, w.post, 1)
	need(h.t, "after the post", msgs[0].Text, bot.T("reg.ask.education"))
	_, msgs = h.pressNext(u, msgs[0], w.educ, 1)
	need(h.t, "after the education", msgs[0].Text, bot.T("reg.ask.start_year"))
	confirm := h.say(u, w.year)
	need(h.t, "after the year", confirm.Text, plain(bot.T("reg.confirm")))
	return confirm
}

// register walks the whole dialogue, submits, and returns the bot's reply.
func (h *harness) register(w worker) string {
	h.t.Helper()
	confirm := h.fillRegistration(w)
	_, msgs := h.pressNext(w.user, confirm, plain(bot.T("reg.submit")), 1)
	return msgs[0].Text
}

// seedWorker stores a registration through the member service, approved if
// asked, and has the worker write to the bot so it may write back.
func (h *harness) seedWorker(w worker, approve bool) member.Profile {
	h.t.Helper()
	ctx := context.Background()
	year, _ := strconv.Atoi(w.year)
	p, err := h.members().Register(ctx, member.Registration{
		UserID: w.user.ID, Name: w.name, Phone: w.phone, PhoneVerified: true, District: w.district,
		Org: w.org, Post: w.post, Education: w.educ, StartYear: year,
	})
	if err != nil {
		h.t.Fatalf("seed %s: %v", w.name, err)
	}
	if approve && p.Status == member.StatusPending {
		if p, err = h.members().Approve(ctx, adminID, p.ID); err != nil {
			h.t.Fatalf("approve %s: %v", w.name, err)
		}
	}
	h.ask(w.user.ID, "/help")
	return p
}

// roleLabel is how the bot names a coordinator of district ("" city-wide).
func roleLabel(district string) string {
	if district == "" {
		return bot.T("role.city_coordinator")
	}
	return bot.T("role.district_coordinator", district)
}

// grant makes id a coordinator of district through the admin's /grant.
func (h *harness) grant(id int64, district string) {
	h.t.Helper()
	h.ask(id, "/help") // the coordinator has written to the bot, so it may write back
	n := len(h.sentTo(id))
	reply := h.ask(adminID, strings.TrimSpace(fmt.Sprintf("/grant %d %s", id, district)))
	if want := bot.T("grant.done", id, roleLabel(district)); reply != want {
		h.t.Fatalf("/grant %d %s = %q, want %q", id, district, reply, want)
	}
	if got := h.waitSent(id, n+1)[n].Message.Text; got != plain(bot.T("grant.you", roleLabel(district))) {
		h.t.Errorf("the new coordinator was told %q", got)
	}
}

// profile is the member service's view of user.
func (h *harness) profile(userID int64) member.Profile {
	h.t.Helper()
	p, err := h.members().Get(context.Background(), userID)
	if err != nil {
		h.t.Fatalf("profile of %d: %v", userID, err)
	}
	return p
}

// mustHaveNoProfile fails unless user has no profile at all.
func (h *harness) mustHaveNoProfile(userID int64) {
	h.t.Helper()
	if p, err := h.members().Get(context.Background(), userID); !errors.Is(err, member.ErrNotFound) {
		h.t.Errorf("user %d has a profile (%+v, %v), want none", userID, p, err)
	}
}

// waitUntil waits, one handled update at a time, until cond holds.
func (h *harness) waitUntil(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for n := 1; !cond(); n++ {
		if err := h.bot.WaitHandled(ctx, n); err != nil {
			h.t.Fatalf("waiting until %s: %v", what, err)
		}
	}
}

// isActive reports whether userID is on the district's active list.
func (h *harness) isActive(userID int64, district string) bool {
	h.t.Helper()
	ps, err := h.members().Active(context.Background(), district)
	if err != nil {
		h.t.Fatal(err)
	}
	return slices.ContainsFunc(ps, func(p member.Profile) bool { return p.UserID == userID })
}

// buttons lists the callback data of a message's inline buttons.
func buttons(m botapi.Message) []string {
	var out []string
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				out = append(out, b.CallbackData)
			}
		}
	}
	return out
}

// menuNames lists the command names of a menu.
func menuNames(cmds []botapi.BotCommand) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Command)
	}
	return out
}

// sendFile sends a document from u and returns the bot's reply.
func (h *harness) sendFile(u botapi.User, name string, data []byte) string {
	h.t.Helper()
	return h.next(u.ID, 1, func() { h.srv.SendDocument(u, botapi.PrivateChat(u), name, "", data) })[0].Text
}

func TestRegistrationEndToEnd(t *testing.T) {
	h := startBot(t, nil, nil)
	const gulouCoord, yunlongCoord = 301, 302
	h.ask(adminID, "/help")
	h.grant(gulouCoord, "鼓楼区")
	h.grant(yunlongCoord, "云龙区")
	adminBefore, yunlongBefore, gulouBefore := len(h.sentTo(adminID)), len(h.sentTo(yunlongCoord)), len(h.sentTo(gulouCoord))

	w := newWorker(101, "张三", "13912345678", "鼓楼区")
	u, chat := w.user, botapi.PrivateChat(w.user)

	start := h.next(u.ID, 2, func() { h.srv.SendText(u, chat, "/start") })
	mustContain(t, "welcome", start[0].Text, "用户101", "党务助手")
	mustContain(t, "first step", start[1].Text, bot.T("reg.step", 1, 7), bot.T("reg.ask.name"), bot.T("reg.cancel_hint"))

	phonePrompt := h.say(u, w.name)
	mustContain(t, "phone step", phonePrompt.Text, bot.T("reg.step", 2, 7), bot.T("reg.ask.phone"))
	if k := phonePrompt.ReplyKeyboard; k == nil || len(k.Keyboard) != 1 || !k.Keyboard[0][0].RequestContact {
		t.Fatalf("phone prompt keyboard = %+v, want one share-contact button", k)
	}

	// The phone step takes only the user's own contact card.
	if got := h.say(u, "13912345678").Text; got != bot.T("reg.phone_button") {
		t.Errorf("typed phone: reply %q, want %q", got, bot.T("reg.phone_button"))
	}
	if got := h.shareContact(u, "8613800000000", 999, 1)[0].Text; got != bot.T("reg.contact_not_own") {
		t.Errorf("someone else's contact: reply %q, want %q", got, bot.T("reg.contact_not_own"))
	}
	if got := h.shareContact(u, "8613800000000", 0, 1)[0].Text; got != bot.T("reg.contact_not_own") {
		t.Errorf("an address-book contact without user id: reply %q, want %q", got, bot.T("reg.contact_not_own"))
	}
	got := h.shareContact(u, w.contactPhone(), u.ID, 2)
	mustContain(t, "phone received", got[0].Text, bot.T("reg.phone_received", "139****5678"))
	if !got[0].RemoveKeyboard {
		t.Errorf("the phone's receipt does not remove the share-contact keyboard")
	}
	districtPrompt := got[1]
	mustContain(t, "district step", districtPrompt.Text, bot.T("reg.step", 3, 7), bot.T("reg.ask.district"))
	if got := h.say(u, "鼓楼区").Text; got != bot.T("reg.press_choice") {
		t.Errorf("typed district: reply %q, want %q", got, bot.T("reg.press_choice"))
	}
	_, msgs := h.pressNext(u, districtPrompt, "鼓楼区", 1)
	mustContain(t, "organisation step", msgs[0].Text, bot.T("reg.step", 4, 7), bot.T("reg.ask.org"))
	if m := h.srv.Messages(u.ID); !slices.ContainsFunc(m, func(m botapi.Message) bool {
		return m.MessageID == districtPrompt.MessageID && m.Text == bot.T("reg.chosen", bot.T("field.district"), "鼓楼区")
	}) {
		t.Errorf("the district prompt was not replaced by the choice")
	}
	post := h.say(u, w.org)
	mustContain(t, "post step", post.Text, bot.T("reg.step", 5, 7), bot.T("reg.ask.post"))
	_, msgs = h.pressNext(u, post, w.post, 1)
	mustContain(t, "education step", msgs[0].Text, bot.T("reg.step", 6, 7), bot.T("reg.ask.education"))
	_, msgs = h.pressNext(u, msgs[0], w.educ, 1)
	mustContain(t, "year step", msgs[0].Text, bot.T("reg.step", 7, 7), bot.T("reg.ask.start_year"))
	if got := h.say(u, "3019").Text; got != bot.T("err.start_year") {
		t.Errorf("a year in the future: reply %q", got)
	}
	confirm := h.say(u, w.year)
	mustContain(t, "confirmation", confirm.Text, "姓名：张三", "手机号：139****5678", "所在区县：鼓楼区",
		"所在单位：徐州云创科技有限公司", "岗位：专职党务工作者", "学历：本科", "从事党务工作年份：2019")
	if !slices.Contains(buttons(confirm), "rgok") || !slices.Contains(buttons(confirm), "rgfix:org") {
		t.Errorf("confirmation buttons = %v, want rgok and rgfix:<field>", buttons(confirm))
	}
	if got := h.say(u, "好的").Text; got != bot.T("reg.press_confirm") {
		t.Errorf("text at the confirmation: reply %q", got)
	}
	h.mustHaveNoProfile(u.ID) // nothing stored before confirmation

	_, msgs = h.pressNext(u, confirm, "确认提交", 1)
	if want := bot.T("reg.pending", "鼓楼区"); msgs[0].Text != want {
		t.Errorf("after submitting: %q, want %q", msgs[0].Text, want)
	}
	for _, m := range h.srv.Messages(u.ID) {
		if m.MessageID == confirm.MessageID && (m.Text != bot.T("reg.submitted_record") || m.ReplyMarkup != nil) {
			t.Errorf("the submitted confirmation = %q with %v, want the record without buttons", m.Text, buttons(m))
		}
	}

	p := h.profile(u.ID)
	want := member.Profile{UserID: u.ID, Name: "张三", Phone: "13912345678", PhoneVerified: true, District: "鼓楼区",
		Org: "徐州云创科技有限公司", Post: "专职党务工作者", Education: "本科", StartYear: 2019, Status: member.StatusPending}
	stored := member.Profile{UserID: p.UserID, Name: p.Name, Phone: p.Phone, PhoneVerified: p.PhoneVerified, District: p.District,
		Org: p.Org, Post: p.Post, Education: p.Education, StartYear: p.StartYear, Status: p.Status}
	if stored != want {
		t.Errorf("stored profile = %+v, want %+v", stored, want)
	}

	// The district's coordinator is told, with buttons to decide; the other
	// district's coordinator and the admin are not.
	note := h.waitSent(gulouCoord, gulouBefore+1)[gulouBefore].Message
	mustContain(t, "coordinator's notice", note.Text, plain(bot.T("pending.new")), "张三", "鼓楼区", "139****5678")
	if b := buttons(*note); !slices.Equal(b, []string{fmt.Sprintf("pd:a:%d", p.ID), fmt.Sprintf("pd:r:%d", p.ID)}) {
		t.Errorf("notice buttons = %v, want approve and reject of member %d", b, p.ID)
	}
	h.ask(yunlongCoord, "/help")
	h.ask(adminID, "/help")
	if n := len(h.sentTo(yunlongCoord)); n != yunlongBefore+1 {
		t.Errorf("the 云龙区 coordinator got %d messages about a 鼓楼区 registration", n-yunlongBefore-1)
	}
	if n := len(h.sentTo(adminID)); n != adminBefore+1 {
		t.Errorf("the admin got %d notices although the district has a coordinator", n-adminBefore-1)
	}

	// /start again says where the registration stands; /me shows it.
	mustContain(t, "second /start", h.ask(u.ID, "/start"), "张三", bot.T("status.pending"))
	me := h.say(u, "/me")
	mustContain(t, "/me", me.Text, "张三", "139****5678", bot.T("status.pending"))
	if !slices.Contains(buttons(me), "me:org") {
		t.Errorf("/me buttons = %v, want me:<field> edit buttons", buttons(me))
	}
}

func TestCorrectingAStep(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(102, "李四", "13912340002", "鼓楼区")
	u := w.user
	confirm := h.fillRegistration(w)

	// A typed field: the prompt shows the current value, the answer returns to the confirmation.
	_, msgs := h.pressNext(u, confirm, "改所在单位", 1)
	mustContain(t, "correcting the organisation", msgs[0].Text, bot.T("reg.ask.org"), bot.T("reg.current", w.org))
	if strings.Contains(msgs[0].Text, bot.T("reg.step", 4, 7)) {
		t.Errorf("a correction is numbered as a step: %q", msgs[0].Text)
	}
	confirm = h.say(u, "鼓楼区新时代文明实践中心")
	mustContain(t, "confirmation after the fix", confirm.Text, plain(bot.T("reg.confirm")), "所在单位：鼓楼区新时代文明实践中心")
	if strings.Contains(confirm.Text, w.org) {
		t.Errorf("confirmation still shows the old organisation: %q", confirm.Text)
	}

	// A closed choice.
	_, msgs = h.pressNext(u, confirm, "改所在区县", 1)
	mustContain(t, "correcting the district", msgs[0].Text, bot.T("reg.ask.district"), bot.T("reg.current", "鼓楼区"))
	_, msgs = h.pressNext(u, msgs[0], "云龙区", 1)
	confirm = msgs[0]
	mustContain(t, "confirmation after the district fix", confirm.Text, "所在区县：云龙区", "所在单位：鼓楼区新时代文明实践中心")

	// The phone, through the contact button again.
	_, msgs = h.pressNext(u, confirm, "改手机号", 1)
	mustContain(t, "correcting the phone", msgs[0].Text, bot.T("reg.ask.phone"))
	confirm = h.shareContact(u, "8613912349999", u.ID, 2)[1]
	mustContain(t, "confirmation after the phone fix", confirm.Text, "手机号：139****9999")

	// A stale button from an earlier confirmation does nothing.
	if ans := h.pressData(u, botapi.PrivateChat(u), confirm.MessageID, "rg:district:0"); ans.Text != bot.T("unknown.button") {
		t.Errorf("stale district button answered %q", ans.Text)
	}
	h.mustHaveNoProfile(u.ID)

	_, msgs = h.pressNext(u, confirm, "确认提交", 1)
	mustContain(t, "submitted", msgs[0].Text, "云龙区")
	p := h.profile(u.ID)
	if p.District != "云龙区" || p.Org != "鼓楼区新时代文明实践中心" || p.Phone != "13912349999" || p.Name != "李四" {
		t.Errorf("stored profile = %+v, want the corrected values", p)
	}

	// /me edits one field of the stored profile.
	me := h.say(u, "/me")
	_, msgs = h.pressNext(u, me, "改所在单位", 1)
	mustContain(t, "editing from /me", msgs[0].Text, bot.T("reg.ask.org"), "鼓楼区新时代文明实践中心")
	updated := h.say(u, "云龙区党群服务中心")
	mustContain(t, "after the edit", updated.Text, bot.T("me.updated", bot.T("field.org")), "云龙区党群服务中心")
	if got := h.profile(u.ID).Org; got != "云龙区党群服务中心" {
		t.Errorf("org after the edit = %q", got)
	}
}

func TestCancelLeavesRegistration(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(103, "王五", "13912340003", "鼓楼区")
	u := w.user
	h.next(u.ID, 2, func() { h.srv.PrivateText(u.ID, "/start") })
	need(t, "after the name", h.say(u, w.name).Text, bot.T("reg.ask.phone"))

	if got := h.ask(u.ID, "/cancel"); got != bot.T("cancel.done") {
		t.Fatalf("/cancel = %q", got)
	}
	if got := h.ask(u.ID, "/me"); got != bot.T("me.none") {
		t.Errorf("/me after /cancel = %q, want %q", got, bot.T("me.none"))
	}
	h.mustHaveNoProfile(u.ID)
	// The dialogue is over: a contact is no longer the phone step, and /cancel has nothing to end.
	if got := h.shareContact(u, w.contactPhone(), u.ID, 1)[0].Text; got != bot.T("reg.contact_unexpected") {
		t.Errorf("contact after /cancel = %q", got)
	}
	if got := h.ask(u.ID, "/cancel"); got != bot.T("cancel.none") {
		t.Errorf("second /cancel = %q", got)
	}
	// /start begins again at the first step.
	start := h.next(u.ID, 2, func() { h.srv.PrivateText(u.ID, "/start") })
	mustContain(t, "registration again", start[1].Text, bot.T("reg.step", 1, 7), bot.T("reg.ask.name"))
	h.mustHaveNoProfile(u.ID)
}

func TestRestartInTheMiddleOfRegistration(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(104, "赵六", "13912340004", "云龙区")
	u := w.user
	h.next(u.ID, 2, func() { h.srv.PrivateText(u.ID, "/start") })
	need(t, "step 1", h.say(u, w.name).Text, bot.T("reg.ask.phone"))
	district := h.shareContact(u, w.contactPhone(), u.ID, 2)[1]
	_, msgs := h.pressNext(u, district, w.district, 1)
	need(t, "step 3", msgs[0].Text, bot.T("reg.ask.org"))

	h.restart()
	h.mustHaveNoProfile(u.ID)

	// The user answers the fourth step as if nothing happened.
	post := h.say(u, w.org)
	mustContain(t, "after restart", post.Text, bot.T("reg.step", 5, 7), bot.T("reg.ask.post"))
	_, msgs = h.pressNext(u, post, w.post, 1)
	_, msgs = h.pressNext(u, msgs[0], w.educ, 1)
	mustContain(t, "year prompt after restart", msgs[0].Text, bot.T("reg.ask.start_year"))
	confirm := h.say(u, w.year)
	mustContain(t, "confirmation after restart", confirm.Text, "姓名：赵六", "手机号：139****0004", "所在区县：云龙区", "所在单位："+w.org)
	h.mustHaveNoProfile(u.ID)

	_, msgs = h.pressNext(u, confirm, "确认提交", 1)
	if want := bot.T("reg.pending", "云龙区"); msgs[0].Text != want {
		t.Errorf("after submitting: %q, want %q", msgs[0].Text, want)
	}
	if p := h.profile(u.ID); p.Status != member.StatusPending || p.Name != "赵六" || !p.PhoneVerified || p.District != "云龙区" {
		t.Errorf("stored profile = %+v", p)
	}
}

func TestRosterMatchApprovesAtOnce(t *testing.T) {
	h := startBot(t, nil, nil)
	const coord = 311
	h.grant(coord, "鼓楼区")
	c := botapi.DefaultUser(coord)

	csv := "姓名,手机号,区县,单位,职务\n" +
		"孙七,13912340011,鼓楼区,徐州云创科技有限公司,专职党务工作者\n" +
		"周八,13912340012,鼓楼区,徐州某协会,党组织书记\n"
	report := h.sendFile(c, "鼓楼名单.csv", []byte(csv))
	mustContain(t, "import report", report, plain(bot.T("roster.done", "鼓楼名单.csv", 2, 0, 0, 0, 0)))
	before := len(h.sentTo(coord))

	if got := h.register(newWorker(111, "孙七", "13912340011", "鼓楼区")); got != bot.T("reg.approved_at_once") {
		t.Errorf("registration on the roster: %q, want %q", got, bot.T("reg.approved_at_once"))
	}
	if p := h.profile(111); p.Status != member.StatusApproved {
		t.Errorf("status = %s, want approved", p.Status)
	}
	if !h.isActive(111, "鼓楼区") {
		t.Errorf("the roster-approved worker is not active")
	}

	// The same roster phone registered in another district waits for a coordinator.
	if got := h.register(newWorker(112, "周八", "13912340012", "云龙区")); got != bot.T("reg.pending", "云龙区") {
		t.Errorf("roster phone in another district: %q", got)
	}
	h.ask(coord, "/help")
	if n := len(h.sentTo(coord)); n != before+1 {
		t.Errorf("the 鼓楼区 coordinator got %d notices, want none", n-before-1)
	}
	if got := h.ask(coord, "/audit"); got != bot.T("denied.command") {
		t.Errorf("a coordinator's /audit = %q", got)
	}
	mustContain(t, "admin's /audit", h.ask(adminID, "/audit"), bot.T("audit.roster_imported"), bot.T("audit.approved"), bot.T("audit.granted"))
}

func TestRosterXLSXMatch(t *testing.T) {
	h := startBot(t, nil, nil)
	const coord = 321
	h.grant(coord, "鼓楼区")
	c := botapi.DefaultUser(coord)

	// One worker is already waiting when the roster arrives; the other registers after.
	waiting := newWorker(121, "吴九", "13912340021", "鼓楼区")
	if got := h.register(waiting); got != bot.T("reg.pending", "鼓楼区") {
		t.Fatalf("registration before the roster: %q", got)
	}
	n := len(h.sentTo(waiting.user.ID))

	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"序号", "姓名", "手机号码", "所属区县", "工作单位"},
		{1, "吴九", "13912340021", "鼓楼", "徐州云创科技有限公司"},
		{2, "郑十", 13912340022, "鼓楼区", "鼓楼区某商会"},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	report := h.sendFile(c, "名单.xlsx", buf.Bytes())
	mustContain(t, "import report", report, plain(bot.T("roster.done", "名单.xlsx", 2, 0, 0, 0, 1)))

	if got := h.waitSent(waiting.user.ID, n+1)[n].Message.Text; got != bot.T("pending.you_approved") {
		t.Errorf("the waiting worker was told %q", got)
	}
	if p := h.profile(waiting.user.ID); p.Status != member.StatusApproved || p.StatusReason != member.ReasonRoster {
		t.Errorf("waiting worker after the import: %s (%s)", p.Status, p.StatusReason)
	}
	if got := h.register(newWorker(122, "郑十", "13912340022", "鼓楼区")); got != bot.T("reg.approved_at_once") {
		t.Errorf("registration after the xlsx roster: %q", got)
	}
}

func TestPendingApprovalAndRejection(t *testing.T) {
	h := startBot(t, nil, nil)
	h.ask(adminID, "/help")
	a := newWorker(131, "钱一", "13912340031", "鼓楼区")
	b := newWorker(132, "孙二", "13912340032", "云龙区")
	for _, w := range []worker{a, b} {
		n := len(h.sentTo(adminID))
		h.register(w)
		// No coordinator yet: the admin is told.
		mustContain(t, "admin's notice", h.waitSent(adminID, n+1)[n].Message.Text, w.name)
	}

	admin := botapi.DefaultUser(adminID)
	list := h.next(adminID, 3, func() { h.srv.PrivateText(adminID, "/pending") })
	if list[0].Text != bot.T("pending.header", 2) {
		t.Errorf("/pending header = %q", list[0].Text)
	}
	mustContain(t, "first card", list[1].Text, "钱一", "鼓楼区", plain(bot.T("pending.verified")))
	mustContain(t, "second card", list[2].Text, "孙二", "云龙区")

	// Approve the first: the person is told.
	n := len(h.sentTo(a.user.ID))
	ans := h.press(admin, botapi.PrivateChat(admin), list[1], bot.T("pending.approve"))
	if ans.Text != bot.T("pending.approved", "钱一") {
		t.Errorf("approve answered %q", ans.Text)
	}
	if got := h.waitSent(a.user.ID, n+1)[n].Message.Text; got != bot.T("pending.you_approved") {
		t.Errorf("approved person was told %q", got)
	}
	if p := h.profile(a.user.ID); p.Status != member.StatusApproved {
		t.Errorf("status after approval = %s", p.Status)
	}
	// The card is now a record without buttons, and pressing again changes nothing.
	for _, m := range h.srv.Messages(adminID) {
		if m.MessageID == list[1].MessageID && (m.ReplyMarkup != nil || m.Text != bot.T("pending.approved_record", "钱一", "鼓楼区")) {
			t.Errorf("approved card = %+v", m)
		}
	}
	if ans := h.pressData(admin, botapi.PrivateChat(admin), list[1].MessageID, buttons(list[1])[0]); ans.Text != bot.T("err.not_pending") || !ans.ShowAlert {
		t.Errorf("second approval answered %+v", ans)
	}

	// Reject the second with a reason: the person is told the reason.
	_, msgs := h.pressNext(admin, list[2], bot.T("pending.reject"), 1)
	if msgs[0].Text != bot.T("pending.reject_reason", "孙二") {
		t.Errorf("reject asks %q", msgs[0].Text)
	}
	n = len(h.sentTo(b.user.ID))
	if got := h.ask(adminID, "单位不属于两新组织"); got != bot.T("pending.rejected_record", "孙二") {
		t.Errorf("after the reason: %q", got)
	}
	if got := h.waitSent(b.user.ID, n+1)[n].Message.Text; got != bot.T("pending.you_rejected", "单位不属于两新组织") {
		t.Errorf("rejected person was told %q", got)
	}
	p := h.profile(b.user.ID)
	if p.Status != member.StatusRejected || p.StatusReason != "单位不属于两新组织" {
		t.Errorf("after rejection: %s (%q)", p.Status, p.StatusReason)
	}
	if got := h.ask(adminID, "/pending"); got != bot.T("pending.none") {
		t.Errorf("/pending after deciding both = %q", got)
	}
	// The rejected person may register again.
	start := h.next(b.user.ID, 2, func() { h.srv.PrivateText(b.user.ID, "/start") })
	mustContain(t, "rejected person's /start", start[1].Text, bot.T("reg.ask.name"))
}

func TestDistrictCoordinatorCannotApproveAnotherDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const coord = 331
	h.grant(coord, "鼓楼区")
	c := botapi.DefaultUser(coord)
	p := h.seedWorker(newWorker(141, "冯三", "13912340041", "云龙区"), false)

	for _, data := range []string{
		fmt.Sprintf("pd:a:%d", p.ID), fmt.Sprintf("pd:r:%d", p.ID),
		fmt.Sprintf("mb:v:%d", p.ID), fmt.Sprintf("mb:l:%d", p.ID),
	} {
		ans := h.pressData(c, botapi.PrivateChat(c), 1, data)
		if ans.Text != bot.T("err.out_of_scope") || !ans.ShowAlert {
			t.Errorf("press %s answered %+v, want the out-of-scope alert", data, ans)
		}
	}
	if got := h.profile(141); got.Status != member.StatusPending {
		t.Errorf("after the forged presses the profile is %s", got.Status)
	}
	if got := h.ask(coord, "/pending"); got != bot.T("pending.none") {
		t.Errorf("/pending lists another district: %q", got)
	}
	if got := h.ask(coord, "/members 冯三"); got != bot.T("members.none") {
		t.Errorf("/members finds another district: %q", got)
	}
	// The worker themselves cannot press it either.
	w := botapi.DefaultUser(141)
	if ans := h.pressData(w, botapi.PrivateChat(w), 1, fmt.Sprintf("pd:a:%d", p.ID)); ans.Text != bot.T("unknown.button") {
		t.Errorf("worker's own approval press answered %q", ans.Text)
	}
	if got := h.profile(141); got.Status != member.StatusPending {
		t.Errorf("profile is %s, want pending", got.Status)
	}
}

var helpCommand = regexp.MustCompile(`(?m)^/([a-z0-9_]+) — `)

func helpCommands(help string) []string {
	var out []string
	for _, m := range helpCommand.FindAllStringSubmatch(help, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestWorkerRefusedEveryCoordinatorAndAdminCommand(t *testing.T) {
	h := startBot(t, nil, nil)
	const coord = 341
	h.grant(coord, "鼓楼区")
	w := newWorker(151, "陈四", "13912340051", "鼓楼区")
	p := h.seedWorker(w, true)

	workerCmds := helpCommands(h.ask(w.user.ID, "/help"))
	var privileged []string
	for _, c := range helpCommands(h.ask(adminID, "/help")) {
		if !slices.Contains(workerCmds, c) {
			privileged = append(privileged, c)
		}
	}
	want := []string{"pending", "members", "unanswered", "docs", "grant", "invite", "revoke", "audit"}
	for _, c := range want {
		if !slices.Contains(privileged, c) {
			t.Errorf("/%s is not among the admin's extra commands %v", c, privileged)
		}
	}
	args := map[string]string{
		"members": "陈四", "grant": fmt.Sprint(w.user.ID), "revoke": fmt.Sprint(coord),
		"invite": "鼓楼区", "audit": "5", "pending": "", "unanswered": "", "docs": "",
	}
	for _, name := range privileged {
		t.Run(name, func(t *testing.T) {
			texts := []string{"/" + name}
			if args[name] != "" {
				texts = append(texts, "/"+name+" "+args[name])
			}
			for _, text := range texts {
				if got := h.ask(w.user.ID, text); got != bot.T("denied.command") {
					t.Errorf("worker's %q = %q, want %q", text, got, bot.T("denied.command"))
				}
			}
		})
	}
	// Nothing was done on the worker's behalf.
	ctx := context.Background()
	if a, _ := h.members().Access(ctx, w.user.ID); a.Role != member.RoleWorker {
		t.Errorf("worker's role after the refused /grant = %v", a.Role)
	}
	if a, _ := h.members().Access(ctx, coord); a.Role != member.RoleCoordinator || a.District != "鼓楼区" {
		t.Errorf("coordinator's access after the refused /revoke = %+v", a)
	}
	entries, err := h.members().Audit(ctx, adminID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Actor == w.user.ID {
			t.Errorf("audit log has an action by the worker: %+v", e)
		}
	}
	if got := h.profile(w.user.ID); got.ID != p.ID || got.Status != member.StatusApproved {
		t.Errorf("worker's profile changed: %+v", got)
	}
}

func TestCommandMenusFollowGrantAndRevoke(t *testing.T) {
	h := startBot(t, nil, nil)
	const id = 351
	scope := botapi.BotCommandScope{Type: "chat", ChatID: id}
	workerMenu := menuNames(h.srv.Commands(botapi.BotCommandScope{Type: "default"}))
	if slices.Contains(workerMenu, "pending") || len(workerMenu) == 0 {
		t.Fatalf("default menu = %v", workerMenu)
	}
	if admin := menuNames(h.srv.Commands(botapi.BotCommandScope{Type: "chat", ChatID: adminID})); !slices.Contains(admin, "grant") {
		t.Errorf("admin's menu = %v, want /grant in it", admin)
	}

	h.grant(id, "鼓楼区")
	menu := menuNames(h.srv.Commands(scope))
	for _, c := range []string{"start", "help", "pending", "members", "unanswered", "docs"} {
		if !slices.Contains(menu, c) {
			t.Errorf("coordinator's menu %v lacks /%s", menu, c)
		}
	}
	for _, c := range []string{"grant", "invite", "revoke", "audit"} {
		if slices.Contains(menu, c) {
			t.Errorf("coordinator's menu %v offers the admin's /%s", menu, c)
		}
	}
	mustContain(t, "coordinator's /help", h.ask(id, "/help"), bot.T("help.section.coordinator"), "/pending")

	n := len(h.sentTo(id))
	if got := h.ask(adminID, fmt.Sprintf("/revoke %d", id)); got != bot.T("revoke.done", id) {
		t.Errorf("/revoke = %q", got)
	}
	if got := h.waitSent(id, n+1)[n].Message.Text; got != bot.T("revoke.you") {
		t.Errorf("revoked coordinator was told %q", got)
	}
	if menu := menuNames(h.srv.Commands(scope)); !slices.Equal(menu, workerMenu) {
		t.Errorf("menu after /revoke = %v, want the worker's %v", menu, workerMenu)
	}
	if got := h.ask(id, "/pending"); got != bot.T("denied.command") {
		t.Errorf("/pending after /revoke = %q", got)
	}
	if got := h.ask(adminID, fmt.Sprintf("/revoke %d", id)); got != bot.T("err.not_found") {
		t.Errorf("second /revoke = %q", got)
	}
	audit := h.ask(adminID, "/audit")
	mustContain(t, "/audit", audit, bot.T("audit.granted"), bot.T("audit.revoked"), fmt.Sprint(id))
}

var inviteLink = regexp.MustCompile(`https://t\.me/dangwu_bot\?start=(inv_[A-Za-z0-9_-]+)`)

func TestGrantByInviteLink(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	h := startClocked(t, clk)

	reply := h.ask(adminID, "/invite 鼓楼区")
	mustContain(t, "/invite", reply, bot.T("role.district_coordinator", "鼓楼区"), "2026-11-30 10:00")
	m := inviteLink.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("no invitation link in %q", reply)
	}
	code := m[1]

	const first, second, late = 361, 362, 363
	if got := h.ask(first, "/start "+code); got != plain(bot.T("grant.you", roleLabel("鼓楼区"))) {
		t.Errorf("redeeming the link: %q", got)
	}
	ctx := context.Background()
	if a, _ := h.members().Access(ctx, first); a.Role != member.RoleCoordinator || a.District != "鼓楼区" {
		t.Errorf("access after the link = %+v", a)
	}
	if menu := menuNames(h.srv.Commands(botapi.BotCommandScope{Type: "chat", ChatID: first})); !slices.Contains(menu, "pending") {
		t.Errorf("menu after the link = %v", menu)
	}
	if got := h.ask(first, "/pending"); got != bot.T("pending.none") {
		t.Errorf("new coordinator's /pending = %q", got)
	}

	// The same link a second time.
	if got := h.ask(second, "/start "+code); got != bot.T("err.invite_used") {
		t.Errorf("reused link: %q, want %q", got, bot.T("err.invite_used"))
	}
	if a, _ := h.members().Access(ctx, second); a.Role != member.RoleWorker {
		t.Errorf("the reused link made %d a %v", second, a.Role)
	}

	// A link past its 72 hours.
	m = inviteLink.FindStringSubmatch(h.ask(adminID, "/invite"))
	if m == nil {
		t.Fatal("no second invitation link")
	}
	clk.Advance(72*time.Hour + time.Minute)
	if got := h.ask(late, "/start "+m[1]); got != bot.T("err.invite_expired") {
		t.Errorf("expired link: %q, want %q", got, bot.T("err.invite_expired"))
	}
	if a, _ := h.members().Access(ctx, late); a.Role != member.RoleWorker {
		t.Errorf("the expired link made %d a %v", late, a.Role)
	}

	// A link that was never made, or was mangled.
	for _, bad := range []string{"inv_AAAAAAAAAAAAAAAAAAAAAA", "inv_x"} {
		if got := h.ask(late, "/start "+bad); got != bot.T("err.invite_invalid") {
			t.Errorf("unknown link %q: %q, want %q", bad, got, bot.T("err.invite_invalid"))
		}
	}
	// The admin opening a link does not use it up.
	third := inviteLink.FindStringSubmatch(h.ask(adminID, "/invite 云龙区"))[1]
	if got := h.ask(adminID, "/start "+third); got != bot.T("err.already_admin") {
		t.Errorf("admin opening a link: %q", got)
	}
	if got := h.ask(late, "/start "+third); got != plain(bot.T("grant.you", roleLabel("云龙区"))) {
		t.Errorf("the link the admin opened no longer works: %q", got)
	}
}

func TestLeavingAndReturning(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	h := startClocked(t, clk)
	const coordID = 371
	h.grant(coordID, "鼓楼区")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(171, "王小明", "13912340071", "鼓楼区")
	p := h.seedWorker(w, true)
	if !h.isActive(w.user.ID, "鼓楼区") {
		t.Fatal("approved worker not active")
	}

	list := h.say(coord, "/members 王小明")
	mustContain(t, "/members", list.Text, bot.T("members.header", 1), "王小明", bot.T("status.approved"))
	_, msgs := h.pressNext(coord, list, "王小明", 1)
	card := msgs[0]
	mustContain(t, "card", card.Text, "王小明", "鼓楼区", bot.T("status.approved"))
	_, msgs = h.pressNext(coord, card, bot.T("members.leave"), 1)
	if msgs[0].Text != bot.T("members.leave_ask", "王小明") {
		t.Errorf("leave asks %q", msgs[0].Text)
	}
	// A date in the future and a date without a reason are asked again.
	if got := h.ask(coordID, "2099-01-01 调离本单位"); got != bot.T("err.date") {
		t.Errorf("future date: %q", got)
	}
	if got := h.ask(coordID, "2026-11-01"); got != bot.T("err.reason") {
		t.Errorf("no reason: %q", got)
	}
	if got := h.ask(coordID, "2026-11-01 调离本单位"); got != bot.T("members.left", "王小明", "2026-11-01") {
		t.Errorf("leave: %q", got)
	}
	left := h.profile(w.user.ID)
	if left.Status != member.StatusLeft || left.StatusReason != "调离本单位" || left.LeftOn.Format("2006-01-02") != "2026-11-01" {
		t.Errorf("after leaving: %s %q %v", left.Status, left.StatusReason, left.LeftOn)
	}
	if h.isActive(w.user.ID, "鼓楼区") || h.isActive(w.user.ID, "") {
		t.Errorf("a worker who left is still active")
	}

	// The worker still sees their profile, marked as left, without edit buttons.
	me := h.say(w.user, "/me")
	mustContain(t, "/me after leaving", me.Text, "王小明", bot.T("status.left"), plain(bot.T("members.history")), bot.T("history.left", "2026-11-01"), "调离本单位")
	if len(buttons(me)) != 0 {
		t.Errorf("/me after leaving offers edits: %v", buttons(me))
	}
	hist, err := h.members().History(context.Background(), w.user.ID, p.ID)
	if err != nil || !slices.ContainsFunc(hist, func(e member.HistoryEntry) bool { return e.Kind == member.HistoryLeft }) {
		t.Errorf("worker's own history = %+v, %v; want the departure in it", hist, err)
	}

	// Return.
	_, msgs = h.pressNext(coord, list, "王小明", 1)
	card = msgs[0]
	mustContain(t, "card after leaving", card.Text, bot.T("status.left"), "退出（2026-11-01），原因：调离本单位")
	n := len(h.sentTo(w.user.ID))
	ans := h.press(coord, botapi.PrivateChat(coord), card, bot.T("members.return"))
	if ans.Text != bot.T("members.returned", "王小明") {
		t.Errorf("return answered %q", ans.Text)
	}
	if got := h.waitSent(w.user.ID, n+1)[n].Message.Text; got != bot.T("members.you_returned") {
		t.Errorf("returned worker was told %q", got)
	}
	if got := h.profile(w.user.ID); got.Status != member.StatusApproved || !got.LeftOn.IsZero() {
		t.Errorf("after returning: %s %v", got.Status, got.LeftOn)
	}
	if !h.isActive(w.user.ID, "鼓楼区") {
		t.Errorf("returned worker is not active")
	}
	mustContain(t, "/me after returning", h.say(w.user, "/me").Text, bot.T("status.approved"))
}

func TestDeleteMe(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(181, "褚五", "13912340081", "鼓楼区")
	p := h.seedWorker(w, true)
	u := w.user

	mustContain(t, "/privacy", h.ask(u.ID, "/privacy"), "/deleteme", "手机号")

	ask := h.say(u, "/deleteme")
	if ask.Text != bot.T("deleteme.confirm") || len(buttons(ask)) != 2 {
		t.Fatalf("/deleteme = %q with %v", ask.Text, buttons(ask))
	}
	h.press(u, botapi.PrivateChat(u), ask, bot.T("deleteme.no"))
	if m := h.lastMessage(u.ID); m.Text != bot.T("deleteme.kept") {
		t.Errorf("after 不删了: %q", m.Text)
	}
	if got := h.profile(u.ID); got.ID != p.ID || got.Name != "褚五" {
		t.Errorf("profile after 不删了 = %+v", got)
	}
	mustContain(t, "/me after keeping", h.say(u, "/me").Text, "褚五")

	ask = h.say(u, "/deleteme")
	h.press(u, botapi.PrivateChat(u), ask, bot.T("deleteme.yes"))
	if m := h.lastMessage(u.ID); m.Text != bot.T("deleteme.done") {
		t.Errorf("after 确定删除: %q", m.Text)
	}
	h.mustHaveNoProfile(u.ID)
	if got := h.ask(u.ID, "/me"); got != bot.T("me.none") {
		t.Errorf("/me after erasure = %q", got)
	}
	if got := h.ask(adminID, "/members 褚五"); got != bot.T("members.none") {
		t.Errorf("admin still finds the erased worker: %q", got)
	}
	if got := h.ask(adminID, "/members 13912340081"); got != bot.T("members.none") {
		t.Errorf("admin still finds the erased phone: %q", got)
	}
	// They may register anew, with the same phone.
	if got := h.register(w); got != bot.T("reg.pending", "鼓楼区") {
		t.Errorf("registering again after erasure: %q", got)
	}
}

func TestBlockedUserComesBack(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(191, "卫六", "13912340091", "鼓楼区")
	h.seedWorker(w, true)
	if !h.isActive(w.user.ID, "鼓楼区") {
		t.Fatal("approved worker not active")
	}

	h.srv.BlockBot(w.user.ID)
	h.waitUntil("the block is recorded", func() bool { return h.profile(w.user.ID).Blocked })
	if h.isActive(w.user.ID, "鼓楼区") {
		t.Errorf("a worker who blocked the bot is still active")
	}

	reply := h.ask(w.user.ID, "/start")
	mustContain(t, "/start after unblocking", reply, "卫六", bot.T("status.approved"))
	if h.profile(w.user.ID).Blocked || !h.isActive(w.user.ID, "鼓楼区") {
		t.Errorf("after /start the worker is not active again")
	}
}

func TestPeopleBadInput(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 381
	h.grant(coordID, "鼓楼区")
	coord := botapi.DefaultUser(coordID)

	t.Run("names", func(t *testing.T) {
		u := botapi.DefaultUser(201)
		h.next(u.ID, 2, func() { h.srv.PrivateText(u.ID, "/start") })
		for _, name := range []string{"😀😀😀", strings.Repeat("张", 200), "<b>张三</b>", "Zhang San", "张"} {
			if got := h.say(u, name).Text; got != bot.T("err.name") {
				t.Errorf("name %.30q: reply %q, want %q", name, got, bot.T("err.name"))
			}
		}
		h.mustHaveNoProfile(u.ID)
		// Still at the name step.
		mustContain(t, "a good name", h.say(u, "买买提·艾力").Text, bot.T("reg.ask.phone"))
	})

	t.Run("roster columns", func(t *testing.T) {
		tests := []struct {
			name, csv, want string
		}{
			{"no phone column", "姓名,区县\n蒋七,鼓楼区\n",
				bot.T("roster.failed", "a.csv") + bot.T("roster.bad_column", bot.T("field.phone"))},
			{"no district column", "姓名,手机号\n蒋七,13912340101\n",
				bot.T("roster.failed", "a.csv") + bot.T("roster.bad_column", bot.T("field.district"))},
			{"phone column twice", "姓名,手机号,电话,区县\n蒋七,13912340101,13912340101,鼓楼区\n",
				bot.T("roster.failed", "a.csv") + bot.T("roster.duplicate_column", bot.T("field.phone"))},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := h.sendFile(coord, "a.csv", []byte(tc.csv)); got != tc.want {
					t.Errorf("reply = %q, want %q", got, tc.want)
				}
			})
		}
		// Nothing of a refused roster was stored: its phone is not on the roster.
		if got := h.register(newWorker(202, "蒋七", "13912340101", "鼓楼区")); got != bot.T("reg.pending", "鼓楼区") {
			t.Errorf("registration with a phone from a refused roster: %q", got)
		}
	})

	t.Run("roster rows", func(t *testing.T) {
		csv := "姓名,手机号,区县\n" +
			"沈八,13912340111,鼓楼区\n" + // line 2: good
			"韩九,13912340111,鼓楼区\n" + // line 3: same phone as line 2
			"杨十,13912340113,云龙区\n" + // line 4: another district
			"朱一,13912340114,火星区\n" + // line 5: no such district
			"秦二,12345,鼓楼区\n" // line 6: bad phone
		report := h.sendFile(coord, "rows.csv", []byte(csv))
		mustContain(t, "report header", report, plain(bot.T("roster.done", "rows.csv", 1, 0, 0, 4, 0)))
		lines := []string{
			bot.T("roster.problem", 3, bot.T("field.phone"), "13912340111", bot.T("roster.duplicate")) + bot.T("roster.see_line", 2),
			bot.T("roster.problem", 4, bot.T("field.district"), "云龙区", bot.T("roster.out_of_scope")),
			bot.T("roster.problem", 5, bot.T("field.district"), "火星区", bot.T("roster.unknown_district")),
			bot.T("roster.problem", 6, bot.T("field.phone"), "12345", bot.T("err.phone")),
		}
		last := -1
		for _, l := range lines {
			i := strings.Index(report, l)
			if i < 0 {
				t.Errorf("report lacks %q:\n%s", l, report)
				continue
			}
			if i < last {
				t.Errorf("report line %q is out of line order:\n%s", l, report)
			}
			last = i
		}
	})

	t.Run("grant", func(t *testing.T) {
		for arg, want := range map[string]string{
			"abc":        bot.T("grant.bad_id", "abc"),
			"-5":         bot.T("grant.bad_id", "-5"),
			"12 火星区":     bot.T("err.district_list", "火星区", "鼓楼区、云龙区、贾汪区、泉山区、铜山区、徐州经济技术开发区、丰县、沛县、睢宁县、邳州市、新沂市"),
			"1 鼓楼区 more": bot.T("grant.usage"),
		} {
			if got := h.ask(adminID, strings.TrimSpace("/grant "+arg)); got != plain(want) {
				t.Errorf("/grant %s = %q, want %q", arg, got, want)
			}
		}
		mustContain(t, "/grant alone", h.ask(adminID, "/grant"), plain(bot.T("grant.usage")), plain(bot.T("grant.list", 1)))
		if got := h.ask(adminID, "/revoke abc"); got != bot.T("grant.bad_id", "abc") {
			t.Errorf("/revoke abc = %q", got)
		}
		cs, err := h.members().Coordinators(context.Background(), adminID)
		if err != nil || len(cs) != 1 {
			t.Errorf("coordinators after bad grants = %+v, %v; want only the one granted", cs, err)
		}
	})

	t.Run("files", func(t *testing.T) {
		w := botapi.DefaultUser(203)
		if got := h.sendFile(w, "名单.csv", []byte("姓名,手机号,区县\n许三,13912340121,鼓楼区\n")); got != bot.T("file.not_allowed") {
			t.Errorf("worker's file: %q", got)
		}
		if got := h.sendFile(coord, "报告.pdf", []byte("%PDF-1.4")); got != bot.T("file.unsupported", "报告.pdf") {
			t.Errorf("pdf: %q", got)
		}
		before := h.srv.Calls("getFile")
		if got := h.sendFile(coord, "big.xlsx", make([]byte, 21<<20)); got != bot.T("file.too_big", "big.xlsx", "21.0 MB", bot.T("file.kind_sheet"), 20) {
			t.Errorf("21 MB file: %q", got)
		}
		if n := h.srv.Calls("getFile") - before; n != 0 {
			t.Errorf("the bot called getFile %d times for a file over 20 MB", n)
		}
	})
}

func TestMovingDistrictWaitsForTheNewDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const gulou, yunlong = 391, 392
	h.grant(gulou, "鼓楼区")
	h.grant(yunlong, "云龙区")
	w := newWorker(192, "蒋八", "13912340092", "鼓楼区")
	h.seedWorker(w, true)
	gulouBefore, yunlongBefore := len(h.sentTo(gulou)), len(h.sentTo(yunlong))

	// The move is not made before the person has read what it does, and
	// they may keep their district.
	me := h.say(w.user, "/me")
	_, msgs := h.pressNext(w.user, me, "改所在区县", 1)
	mustContain(t, "district prompt", msgs[0].Text, bot.T("reg.ask.district"), bot.T("reg.current", "鼓楼区"))
	_, msgs = h.pressNext(w.user, msgs[0], "云龙区", 1)
	if want := bot.T("move.confirm", "鼓楼区", "云龙区", "云龙区"); msgs[0].Text != want {
		t.Fatalf("after picking 云龙区: %q, want the warning %q", msgs[0].Text, want)
	}
	if p := h.profile(w.user.ID); p.District != "鼓楼区" || p.Status != member.StatusApproved {
		t.Fatalf("before confirming: %s %s, want 鼓楼区 approved", p.District, p.Status)
	}
	if got := h.ask(w.user.ID, "云龙区"); got != bot.T("move.press") {
		t.Errorf("text typed at the warning: %q", got)
	}
	h.press(w.user, botapi.PrivateChat(w.user), msgs[0], bot.T("move.no"))
	if got := h.message(w.user.ID, msgs[0].MessageID).Text; got != bot.T("move.kept", "鼓楼区") {
		t.Errorf("after 不改了 the warning reads %q", got)
	}
	if p := h.profile(w.user.ID); p.District != "鼓楼区" || p.Status != member.StatusApproved {
		t.Fatalf("after 不改了: %s %s, want 鼓楼区 approved", p.District, p.Status)
	}
	me = h.say(w.user, "/me")
	_, msgs = h.pressNext(w.user, me, "改所在区县", 1)
	_, msgs = h.pressNext(w.user, msgs[0], "云龙区", 1)
	_, msgs = h.pressNext(w.user, msgs[0], bot.T("move.ok"), 1)
	mustContain(t, "after the move", msgs[0].Text, bot.T("me.updated", bot.T("field.district")), "云龙区", bot.T("status.pending"),
		bot.T("move.waiting", "云龙区"))

	p := h.profile(w.user.ID)
	if p.District != "云龙区" || p.Status != member.StatusPending {
		t.Fatalf("after moving: %s %s, want 云龙区 pending", p.District, p.Status)
	}
	if h.isActive(w.user.ID, "鼓楼区") || h.isActive(w.user.ID, "云龙区") {
		t.Errorf("a worker waiting for the new district is active")
	}
	// The new district's coordinator is told and approves; the old one is not told.
	note := h.waitSent(yunlong, yunlongBefore+1)[yunlongBefore].Message
	mustContain(t, "new district's notice", note.Text, plain(bot.T("pending.new")), "蒋八", "云龙区")
	coord := botapi.DefaultUser(yunlong)
	n := len(h.sentTo(w.user.ID))
	h.press(coord, botapi.PrivateChat(coord), *note, bot.T("pending.approve"))
	if got := h.profile(w.user.ID); got.Status != member.StatusApproved || got.District != "云龙区" {
		t.Errorf("after the new district's approval: %s %s", got.District, got.Status)
	}
	// The re-approval says what changed instead of welcoming them again.
	if got := h.waitSent(w.user.ID, n+1)[n].Message.Text; got != bot.T("pending.you_reapproved", "云龙区") {
		t.Errorf("the worker was told %q, want %q", got, bot.T("pending.you_reapproved", "云龙区"))
	}
	h.ask(gulou, "/help")
	if n := len(h.sentTo(gulou)); n != gulouBefore+1 {
		t.Errorf("the old district's coordinator got %d notices", n-gulouBefore-1)
	}
}

func TestCoordinatorDeleteMeDropsTheMenu(t *testing.T) {
	h := startBot(t, nil, nil)
	const id = 393
	h.grant(id, "鼓楼区")
	u := botapi.DefaultUser(id)
	scope := botapi.BotCommandScope{Type: "chat", ChatID: id}
	if menu := menuNames(h.srv.Commands(scope)); !slices.Contains(menu, "pending") {
		t.Fatalf("coordinator's menu = %v", menu)
	}
	ask := h.say(u, "/deleteme")
	h.press(u, botapi.PrivateChat(u), ask, bot.T("deleteme.yes"))
	if a, _ := h.members().Access(context.Background(), id); a.Role != member.RoleWorker {
		t.Errorf("role after erasure = %v", a.Role)
	}
	want := menuNames(h.srv.Commands(botapi.BotCommandScope{Type: "default"}))
	if menu := menuNames(h.srv.Commands(scope)); !slices.Equal(menu, want) {
		t.Errorf("menu after erasure = %v, want the worker's %v", menu, want)
	}
}

// Found as a new user: /invite of an unknown district lists the districts,
// /audit with a bad number says how to ask, and 单位 refuses markup.
func TestAdminArgumentsAndOrganisationNames(t *testing.T) {
	h := startBot(t, nil, nil)
	mustContain(t, "/invite 火星区", h.ask(adminID, "/invite 火星区"), "没有“火星区”这个区县", "泉山区", "新沂市")
	for _, arg := range []string{"abc", "0", "101", "-3"} {
		if got := h.ask(adminID, "/audit "+arg); got != bot.T("audit.usage") {
			t.Errorf("/audit %s = %q", arg, got)
		}
	}
	for _, org := range []string{"<b>公司</b>", "徐州{测试}公司", "公司`rm`"} {
		if _, err := member.ValidateOrg(org); err == nil {
			t.Errorf("单位 %q accepted", org)
		}
	}
	for _, org := range []string{"徐州云创科技有限公司", "江苏圣基建设工程有限公司（徐州分公司）", "徐州A&B咨询·服务中心"} {
		if _, err := member.ValidateOrg(org); err != nil {
			t.Errorf("单位 %q refused: %v", org, err)
		}
	}
}

// A worker who is also a coordinator leaves with the role: another
// coordinator is refused, and when the admin marks them as left they are
// told the role is gone and act as a worker from then on.
func TestLeavingCoordinatorLosesTheRole(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	h := startClocked(t, clk)
	const peerID = 372
	h.grant(peerID, "鼓楼区")
	w := newWorker(172, "王小红", "13912340072", "鼓楼区")
	h.seedWorker(w, true)
	h.grant(w.user.ID, "鼓楼区")
	leave := func(u botapi.User) string {
		list := h.say(u, "/members 王小红")
		_, msgs := h.pressNext(u, list, "王小红", 1)
		_, msgs = h.pressNext(u, msgs[0], bot.T("members.leave"), 1)
		if msgs[0].Text != bot.T("members.leave_ask", "王小红") {
			t.Fatalf("leave asks %q", msgs[0].Text)
		}
		return h.ask(u.ID, "2026-11-01 调离本单位")
	}
	if got := leave(botapi.DefaultUser(peerID)); got != bot.T("err.leaver_is_coordinator") {
		t.Errorf("a coordinator marks a coordinator as left: %q", got)
	}
	if p := h.profile(w.user.ID); p.Status != member.StatusApproved {
		t.Errorf("after the refusal the status is %s", p.Status)
	}
	n := len(h.sentTo(w.user.ID))
	if got := leave(botapi.DefaultUser(adminID)); got != bot.T("members.left", "王小红", "2026-11-01") {
		t.Errorf("the admin marks a coordinator as left: %q", got)
	}
	if got := h.waitSent(w.user.ID, n+1)[n].Message.Text; got != bot.T("revoke.you") {
		t.Errorf("the coordinator who left was told %q", got)
	}
	if got := h.ask(w.user.ID, "/members"); got != bot.T("denied.command") {
		t.Errorf("/members after leaving: %q", got)
	}
}
