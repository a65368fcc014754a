package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/scheduler"
)

// Attacks on the district scope: a district coordinator of 鼓楼区 (and a
// worker, a revoked or moved coordinator, an erased user) trying to reach
// what belongs to another district through commands, forged or stale
// buttons, dialogues left open across a change of role, and files.

// bankCSV is a question bank in the template's columns, with the district
// column (适用区县) last.
func bankCSV(rows ...string) []byte {
	return []byte("题号,题型,专题,难度,题干,选项A,选项B,答案,解析,适用区县\n" + strings.Join(rows, "\n") + "\n")
}

// question is a stored question, or the zero one when there is none.
func (h *harness) question(id string) quiz.Question {
	h.t.Helper()
	q, err := h.quiz.Question(context.Background(), id)
	if err != nil && !errors.Is(err, quiz.ErrNotFound) {
		h.t.Fatal(err)
	}
	return q
}

// A 鼓楼区 coordinator sends question banks that name 云龙区 in 适用区县,
// or that carry the ids of 云龙区's questions under the file name of
// 云龙区's bank (which /quizstats shows), so that they replace them. None
// of it is imported; 云龙区's questions keep their text and answer. Their
// own questions are imported, and are their district's. A city
// coordinator may still import and replace any district's.
func TestScopeAttackQuestionBankOfAnotherDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const yunID, guID, cityID = 4101, 4102, 4103
	h.grant(yunID, "云龙区")
	h.grant(guID, "鼓楼区")
	h.grant(cityID, "")
	yun, gu, city := botapi.DefaultUser(yunID), botapi.DefaultUser(guID), botapi.DefaultUser(cityID)

	need(t, "云龙区's own bank", h.sendBank(yun, "题库.csv", bankCSV(
		"yl-001,单选,云龙本地,1,云龙区的补贴标准是多少？,甲,乙,A,云龙区规定为甲。,云龙区",
		"yl-002,单选,云龙本地,1,云龙区的报送时间是哪天？,五日,十日,B,云龙区规定为十日。,",
	)).Text, "已导入 2 道题")
	if q := h.question("yl-002"); q.District != "云龙区" {
		t.Errorf("a 云龙区 coordinator's question is of %q, want 云龙区", q.District)
	}

	// The same file name, the same ids: a replacement of 云龙区's questions.
	report := h.sendBank(gu, "题库.csv", bankCSV(
		"yl-001,单选,云龙本地,1,被鼓楼改写的题干？,甲,乙,B,鼓楼改写。,",
		"yl-002,单选,云龙本地,1,被鼓楼改写的题干二？,五日,十日,A,鼓楼改写。,云龙区",
	))
	if strings.Contains(report.Text, "已导入") {
		t.Errorf("the 鼓楼区 coordinator replaced 云龙区's questions: %q", report.Text)
	}
	need(t, "the refusal", report.Text, plain(bot.T("qerr.out_of_scope", "云龙区")))
	if q := h.question("yl-001"); q.Text != "云龙区的补贴标准是多少？" || len(q.Answer) != 1 || q.Answer[0] != 0 || q.District != "云龙区" {
		t.Errorf("yl-001 after the 鼓楼区 import: %+v", q)
	}
	if q := h.question("yl-002"); q.Text != "云龙区的报送时间是哪天？" || q.Answer[0] != 1 {
		t.Errorf("yl-002 after the 鼓楼区 import: %+v", q)
	}

	// A new question naming 云龙区, beside one of their own.
	report = h.sendBank(gu, "鼓楼题.csv", bankCSV(
		"gl-x01,单选,云龙本地,1,冒充云龙区的题目？,甲,乙,A,冒充。,云龙区",
		"gl-001,单选,鼓楼本地,1,鼓楼区的报送时间是哪天？,五日,十日,A,鼓楼区规定为五日。,",
	))
	need(t, "a question naming 云龙区", report.Text, plain(bot.T("qerr.out_of_scope", "云龙区")))
	if q := h.question("gl-x01"); q.ID != "" {
		t.Errorf("a question naming 云龙区 was stored before any confirmation: %+v", q)
	}
	h.press(gu, botapi.PrivateChat(gu), report, "只导入正确的 1 题")
	if q := h.question("gl-x01"); q.ID != "" {
		t.Errorf("the confirmed import stored a question naming 云龙区: %+v", q)
	}
	if q := h.question("gl-001"); q.ID == "" || q.District != "鼓楼区" {
		t.Errorf("the 鼓楼区 coordinator's own question: %+v, want it stored as 鼓楼区's", q)
	}

	// A city coordinator covers 云龙区: the refusals above were the scope's.
	need(t, "the city coordinator's correction", h.sendBank(city, "题库.csv", bankCSV(
		"yl-001,单选,云龙本地,1,云龙区的补贴标准是多少？,甲,乙,B,更正为乙。,云龙区",
	)).Text, "已导入 1 道题")
	if q := h.question("yl-001"); q.Answer[0] != 1 {
		t.Errorf("the city coordinator's correction was not stored: %+v", q)
	}
}

// A city coordinator sends a bank with a bad row and a 云龙区 question, is
// then made 鼓楼区's coordinator, and presses the old 只导入正确的 button:
// the file is read again as the person they are now, and nothing of
// 云龙区 is imported.
func TestScopeAttackStaleBankConfirmationAfterAMove(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 4111
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	report := h.sendBank(coord, "混合.csv", bankCSV(
		"mx-001,单选,云龙本地,1,云龙区的会议几点开？,九点,十点,A,九点。,云龙区",
		"mx-002,单选,云龙本地,1,坏题：答案不在选项中？,九点,十点,E,……,",
	))
	if !buttonLabel(report, "只导入正确的 1 题") {
		t.Fatalf("the report offers no confirmation: %q", report.Text)
	}
	h.grant(coordID, "鼓楼区")
	h.press(coord, botapi.PrivateChat(coord), report, "只导入正确的 1 题")
	if q := h.question("mx-001"); q.ID != "" {
		t.Errorf("a 鼓楼区 coordinator's old confirmation imported 云龙区's question: %+v", q)
	}
	need(t, "after the press", h.message(coordID, report.MessageID).Text, plain(bot.T("qimport.nothing_good")))
}

// lastID is the id of the latest message in u's private chat, for a
// forged press to land on.
func (h *harness) lastID(u botapi.User) int {
	h.t.Helper()
	h.settle()
	return h.lastMessage(u.ID).MessageID
}

// A city coordinator opens every dialogue that acts on one 云龙区 thing —
// a rejection's reason, a departure, an event's cancellation and its edit,
// a notice's correction, an assessment, a responsibility list, an
// application's rejection, a venue's form, a document's district — and is
// made 鼓楼区's coordinator before finishing it. What they type or press
// afterwards is refused and changes nothing: each service reads the scope
// again when it acts.
func TestScopeAttackDialoguesLeftOpenAcrossAMove(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const coordID = 4201
	h.grant(coordID, "")
	coord := botapi.DefaultUser(coordID)
	chat := botapi.PrivateChat(coord)
	pending := h.seedWorker(newWorker(4202, "云龙待审", "13912344202", "云龙区"), false)
	working := h.seedWorker(newWorker(4203, "云龙在岗", "13912344203", "云龙区"), true)
	yunlong := coordinatorOf(4299, "云龙区")
	start := h.clock.Now().Add(48 * time.Hour)
	ev, err := h.sched.CreateEvent(ctx, yunlong, scheduler.Event{Kind: scheduler.Course, Title: "云龙区培训班",
		Start: start, End: start.Add(2 * time.Hour), Place: "云龙区党校", Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	notice, err := h.sched.CreateBroadcast(ctx, yunlong, scheduler.Broadcast{Text: "云龙区通知：周五交材料。", Ack: true})
	if err != nil {
		t.Fatal(err)
	}
	venue, err := h.sched.SaveVenue(ctx, yunlong, scheduler.Venue{Name: "云龙区党建工作站", Kind: scheduler.VenueStation})
	if err != nil {
		t.Fatal(err)
	}
	app := h.recPending(working.UserID, "云龙区")
	year := h.recs.Year()
	h.settle()

	// open starts a dialogue as the city coordinator, then moves them.
	open := func(what string, start func()) {
		t.Helper()
		h.grant(coordID, "")
		start()
		h.grant(coordID, "鼓楼区")
	}
	press := func(data string) func() {
		return func() { h.pressData(coord, chat, h.lastID(coord), data) }
	}
	refused := func(what, got, want string) {
		t.Helper()
		if !strings.Contains(got, plain(want)) {
			t.Errorf("%s after the move answered %q, want %q", what, got, plain(want))
		}
	}

	open("reject", press(fmt.Sprintf("pd:r:%d", pending.ID)))
	refused("the rejection's reason", h.say(coord, "资料不全").Text, bot.T("err.out_of_scope"))
	if p := h.profile(pending.UserID); p.Status != member.StatusPending {
		t.Errorf("the 云龙区 registration is %s", p.Status)
	}

	open("leave", press(fmt.Sprintf("mb:l:%d", working.ID)))
	refused("the departure's reason", h.say(coord, "调离本单位").Text, bot.T("err.out_of_scope"))
	if p := h.profile(working.UserID); p.Status != member.StatusApproved {
		t.Errorf("the 云龙区 worker is %s", p.Status)
	}

	open("cancel event", press(fmt.Sprintf("ev:cx:%d", ev.ID)))
	refused("the cancellation's reason", h.say(coord, "场地维修").Text, bot.T("sched.out_of_scope"))

	open("edit event", press(fmt.Sprintf("ev:ed:%d", ev.ID)))
	preview := h.say(coord, eventForm("鼓楼改名的培训班", start, "10"))
	if !buttonLabel(preview, bot.T("ev.save")) {
		t.Fatalf("the edited form's preview: %q", preview.Text)
	}
	refused("saving the edited form", h.press(coord, chat, preview, bot.T("ev.save")).Text, bot.T("sched.out_of_scope"))
	if e, _ := h.sched.Event(ctx, ev.ID); e.Title != "云龙区培训班" || e.State != scheduler.Open || e.District != "云龙区" {
		t.Errorf("the 云龙区 event after the dialogues: %+v", e)
	}

	open("fix notice", press(fmt.Sprintf("bc:fix:%d", notice.ID)))
	refused("the correction", h.say(coord, "云龙区通知：改成周六。").Text, bot.T("sched.out_of_scope"))
	if b, _ := h.sched.Broadcast(ctx, adminAccess(), notice.ID); b.Revision != 0 || b.Text != "云龙区通知：周五交材料。" {
		t.Errorf("the 云龙区 notice after the correction: %+v", b)
	}

	open("assess", press(fmt.Sprintf("as:%d:%d:0", working.UserID, year)))
	refused("the assessment's comment", h.say(coord, "表现突出").Text, bot.T("sched.out_of_scope"))
	if n := h.recCount(`SELECT COUNT(*) FROM assessments WHERE user_id = ?`, working.UserID); n != 0 {
		t.Errorf("%d assessments of the 云龙区 worker", n)
	}

	open("duties", func() { h.say(coord, "/duties 云龙在岗") })
	refused("the duties", h.say(coord, fmt.Sprintf("%d-12-31 完成支部换届", year)).Text, bot.T("sched.out_of_scope"))
	if n := h.recCount(`SELECT COUNT(*) FROM duties WHERE user_id = ?`, working.UserID); n != 0 {
		t.Errorf("%d duties given to the 云龙区 worker", n)
	}

	open("reject application", press(fmt.Sprintf("ap:no:%d", app)))
	refused("the application's reason", h.say(coord, "学时不足").Text, bot.T("sched.out_of_scope"))
	if n := h.recCount(`SELECT COUNT(*) FROM level_applications WHERE id = ? AND state = 'pending'`, app); n != 1 {
		t.Errorf("the 云龙区 application was decided")
	}

	open("venue", press(fmt.Sprintf("vn:ed:%d", venue.ID)))
	form := strings.Join([]string{bot.T("vn.f_name") + "：鼓楼改名的工作站", bot.T("vn.f_kind") + "：" + scheduler.VenueStation,
		bot.T("vn.f_district") + "：", bot.T("vn.f_address") + "：鼓楼大街1号"}, "\n")
	refused("the venue form", h.say(coord, form).Text, bot.T("sched.out_of_scope"))
	if v, _ := h.sched.Venue(ctx, venue.ID); v.Name != "云龙区党建工作站" || v.District != "云龙区" {
		t.Errorf("the 云龙区 venue after the form: %+v", v)
	}

	// A .txt file whose district a city coordinator is asked for: 云龙区
	// pressed after the move.
	open("document", func() {
		h.next(coordID, 1, func() {
			h.srv.SendDocument(coord, chat, "云龙通知.txt", "", []byte("云龙区党建通知\n一、时间\n每月第二周开展主题党日。\n"))
		})
		need(t, "the district question", h.say(coord, "云龙区委组织部").Text, plain(bot.T("import.ask_district", "云龙区党建通知")))
	})
	idx := slices.Index(h.members().Districts().Names(), "云龙区")
	got := h.next(coordID, 1, func() { h.pressData(coord, chat, h.lastID(coord), fmt.Sprintf("imp:d:%d", idx+1)) })[0].Text
	refused("the document's district", got, bot.T("doc.out_of_scope", "云龙通知.txt", "鼓楼区"))
	for _, d := range h.importedDocs() {
		if d.District == "云龙区" {
			t.Errorf("a 云龙区 document was imported by 鼓楼区's coordinator: %+v", d)
		}
	}
}

// A 鼓楼区 coordinator presses forged buttons on 云龙区's recurring notice
// (暂停, 恢复, 删除) and venue (修改, 删除), and on a city venue: each is
// refused and nothing changes; /schedule and /venues offer none of them.
func TestScopeAttackForgedScheduleAndVenueButtons(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const guID = 4211
	h.grant(guID, "鼓楼区")
	gu := botapi.DefaultUser(guID)
	chat := botapi.PrivateChat(gu)
	yunlong := coordinatorOf(4298, "云龙区")
	sc, err := h.sched.SaveSchedule(ctx, yunlong, scheduler.Schedule{Title: "云龙区周报", Text: "请报送本周工作。",
		Spec: scheduler.Recurrence{Every: scheduler.EveryWeek, Weekday: time.Monday, Hour: 9}.Spec()}, false)
	if err != nil {
		t.Fatal(err)
	}
	venue, err := h.sched.SaveVenue(ctx, yunlong, scheduler.Venue{Name: "云龙区红色驿站", Kind: scheduler.VenueStation})
	if err != nil {
		t.Fatal(err)
	}
	city, err := h.sched.SaveVenue(ctx, adminAccess(), scheduler.Venue{Name: "市级红色堡垒", Kind: scheduler.VenueBastion})
	if err != nil {
		t.Fatal(err)
	}
	list := h.say(gu, "/schedule")
	if strings.Contains(list.Text, "云龙区周报") || hasButtonData(list, fmt.Sprintf("sc:p:%d", sc.ID)) {
		t.Errorf("/schedule of 鼓楼区 shows 云龙区's notice: %q", list.Text)
	}
	venues := h.say(gu, "/venues")
	for _, id := range []int64{venue.ID, city.ID} {
		if hasButtonData(venues, fmt.Sprintf("vn:ed:%d", id)) || hasButtonData(venues, fmt.Sprintf("vn:d:%d", id)) {
			t.Errorf("/venues of 鼓楼区 offers to change venue %d", id)
		}
	}
	for _, data := range []string{
		fmt.Sprintf("sc:p:%d", sc.ID), fmt.Sprintf("sc:r:%d", sc.ID), fmt.Sprintf("sc:dok:%d", sc.ID),
		fmt.Sprintf("vn:ed:%d", venue.ID), fmt.Sprintf("vn:dok:%d", venue.ID),
		fmt.Sprintf("vn:ed:%d", city.ID), fmt.Sprintf("vn:dok:%d", city.ID),
	} {
		if ans := h.pressData(gu, chat, list.MessageID, data); ans.Text != plain(bot.T("sched.out_of_scope")) {
			t.Errorf("%s answered %q", data, ans.Text)
		}
	}
	// No venue dialogue was opened: a form typed now is a question.
	h.say(gu, bot.T("vn.f_name")+"：鼓楼改名")
	all, err := h.sched.Schedules(ctx, adminAccess())
	if err != nil || len(all) == 0 {
		t.Fatal(all, err)
	}
	for _, s := range all {
		if s.ID == sc.ID && s.Paused {
			t.Errorf("云龙区's notice was paused")
		}
	}
	if !slices.ContainsFunc(all, func(s scheduler.Schedule) bool { return s.ID == sc.ID }) {
		t.Errorf("云龙区's notice was deleted")
	}
	for _, v := range []scheduler.Venue{venue, city} {
		if got, err := h.sched.Venue(ctx, v.ID); err != nil || got.Name != v.Name || got.District != v.District {
			t.Errorf("venue %q after the presses: %+v %v", v.Name, got, err)
		}
	}
}

// A worker, a coordinator whose role was revoked and an erased coordinator
// press the coordinator buttons they saw or forge — approve a registration,
// mark a departure, answer and dismiss a gap, remove a document, decide an
// application, assess, cancel and edit an event, show its code and sheet,
// stop and withdraw a notice, pause a recurring notice, delete a venue —
// and send a roster and a question bank: all are refused, nothing changes.
func TestScopeAttackWithoutTheRole(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const revokedID, erasedID = 4221, 4222
	h.grant(revokedID, "鼓楼区")
	h.grant(erasedID, "鼓楼区")
	gulou := coordinatorOf(4297, "鼓楼区")
	w := newWorker(4223, "鼓楼在岗", "13912344223", "鼓楼区")
	working := h.seedWorker(w, true)
	pending := h.seedWorker(newWorker(4224, "鼓楼待审", "13912344224", "鼓楼区"), false)
	start := h.clock.Now().Add(48 * time.Hour)
	ev, err := h.sched.CreateEvent(ctx, gulou, scheduler.Event{Kind: scheduler.Course, Title: "鼓楼区培训班",
		Start: start, End: start.Add(2 * time.Hour), Place: "鼓楼区党校", Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	notice, err := h.sched.CreateBroadcast(ctx, gulou, scheduler.Broadcast{Text: "鼓楼区通知", Ack: true})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := h.sched.SaveSchedule(ctx, gulou, scheduler.Schedule{Title: "鼓楼区周报", Text: "请报送。",
		Spec: scheduler.Recurrence{Every: scheduler.EveryDay, Hour: 9}.Spec()}, false)
	if err != nil {
		t.Fatal(err)
	}
	venue, err := h.sched.SaveVenue(ctx, gulou, scheduler.Venue{Name: "鼓楼区党建工作站", Kind: scheduler.VenueStation})
	if err != nil {
		t.Fatal(err)
	}
	app := h.recPending(working.UserID, "鼓楼区")
	qid := h.logQuestion(w.user.ID, "鼓楼区", "鼓楼区的党员活动室怎么预约")
	res, err := h.kb.Import(ctx, "鼓楼规定.md", []byte("---\ntitle: 鼓楼区规定\ndistrict: 鼓楼区\n---\n# 活动室\n活动室每周开放三天。\n"),
		knowledge.Actor{District: "鼓楼区"})
	if err != nil {
		t.Fatal(err)
	}
	h.settle()

	// The revoked coordinator loses the role; the erased one erases themselves.
	if got := h.ask(adminID, fmt.Sprintf("/revoke %d", revokedID)); !strings.Contains(got, fmt.Sprint(revokedID)) {
		t.Fatalf("/revoke: %q", got)
	}
	erased := botapi.DefaultUser(erasedID)
	ask := h.say(erased, "/deleteme")
	h.press(erased, botapi.PrivateChat(erased), ask, bot.T("deleteme.yes"))

	forged := []string{
		fmt.Sprintf("pd:a:%d", pending.ID), fmt.Sprintf("pd:r:%d", pending.ID), fmt.Sprintf("mb:l:%d", working.ID),
		fmt.Sprintf("gap:a:%d", qid), fmt.Sprintf("gap:m:%d", qid), fmt.Sprintf("gap:x:1:%d", qid),
		"doc:rmy:" + res.DocID, fmt.Sprintf("ap:ok:%d", app), fmt.Sprintf("ap:no:%d", app),
		fmt.Sprintf("as:%d:%d:0", working.UserID, h.recs.Year()),
		fmt.Sprintf("ev:cx:%d", ev.ID), fmt.Sprintf("ev:ed:%d", ev.ID), fmt.Sprintf("ev:code:%d", ev.ID), fmt.Sprintf("ev:xls:%d", ev.ID),
		fmt.Sprintf("ev:mk:%d", ev.ID), fmt.Sprintf("bc:stop:%d", notice.ID), fmt.Sprintf("bc:wdok:%d", notice.ID),
		fmt.Sprintf("bc:rm:%d", notice.ID), fmt.Sprintf("sc:p:%d", sc.ID), fmt.Sprintf("sc:dok:%d", sc.ID),
		fmt.Sprintf("vn:dok:%d", venue.ID), fmt.Sprintf("qs:q:-1:%s", "dues-001"),
	}
	for _, u := range []botapi.User{w.user, botapi.DefaultUser(revokedID), erased} {
		chat := botapi.PrivateChat(u)
		id := h.lastID(u)
		for _, data := range forged {
			if ans := h.pressData(u, chat, id, data); ans.Text != bot.T("unknown.button") {
				t.Errorf("user %d pressing %s got %q", u.ID, data, ans.Text)
			}
		}
		// No dialogue was opened by any press: text is a question, and a
		// file is refused.
		h.say(u, "资料不全")
		need(t, "a roster from someone without the role", h.sendFile(u, "名单.csv", []byte("姓名,手机号,区县\n鼓楼新人,13812344225,鼓楼区\n")), bot.T("file.not_allowed"))
		need(t, "a bank from someone without the role", h.sendFile(u, "题库.csv", bankCSV("xx-001,单选,越权,1,题？,甲,乙,A,甲。,")), bot.T("file.not_allowed"))
	}
	h.settle()
	if p := h.profile(pending.UserID); p.Status != member.StatusPending {
		t.Errorf("the registration is %s", p.Status)
	}
	if p := h.profile(working.UserID); p.Status != member.StatusApproved {
		t.Errorf("the worker is %s", p.Status)
	}
	if e, _ := h.sched.Event(ctx, ev.ID); e.State != scheduler.Open {
		t.Errorf("the event is %s", e.State)
	}
	if b, _ := h.sched.Broadcast(ctx, adminAccess(), notice.ID); b.State != scheduler.Sent {
		t.Errorf("the notice is %s", b.State)
	}
	if n := h.recCount(`SELECT COUNT(*) FROM level_applications WHERE id = ? AND state = 'pending'`, app); n != 1 {
		t.Errorf("the application was decided")
	}
	if n := h.recCount(`SELECT COUNT(*) FROM schedules WHERE id = ? AND paused = 0`, sc.ID); n != 1 {
		t.Errorf("the recurring notice was paused or deleted")
	}
	if _, err := h.sched.Venue(ctx, venue.ID); err != nil {
		t.Errorf("the venue: %v", err)
	}
	if _, err := h.kb.Document(ctx, res.DocID); err != nil {
		t.Errorf("the document: %v", err)
	}
	if n := h.recCount(`SELECT COUNT(*) FROM roster WHERE phone = '13812344225'`); n != 0 {
		t.Errorf("the roster row was imported")
	}
	if q := h.question("xx-001"); q.ID != "" {
		t.Errorf("the bank was imported: %+v", q)
	}
	if g, err := h.kb.Gap(ctx, knowledge.Actor{District: "鼓楼区"}, qid); err != nil || g.Count != 1 {
		t.Errorf("the gap after the presses: %+v %v", g, err)
	}
}

// An erased worker presses the buttons of what they had — 收到 on a
// notice, 👎 on an answer, 报名 on an event, 已完成 on a duty — and none of
// it brings their record back: no acknowledgement, vote, sign-up or
// report is stored for them.
func TestScopeAttackErasedWorkersOldButtons(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	gulou := coordinatorOf(4231, "鼓楼区")
	w := newWorker(4232, "鼓楼注销", "13912344232", "鼓楼区")
	h.seedWorker(w, true)
	u, chat := w.user, botapi.PrivateChat(w.user)
	notice, err := h.sched.CreateBroadcast(ctx, gulou, scheduler.Broadcast{Text: "鼓楼区通知：请回执。", Ack: true})
	if err != nil {
		t.Fatal(err)
	}
	start := h.clock.Now().Add(48 * time.Hour)
	ev, err := h.sched.CreateEvent(ctx, gulou, scheduler.Event{Kind: scheduler.Course, Title: "鼓楼区培训班",
		Start: start, End: start.Add(2 * time.Hour), Place: "鼓楼区党校"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.recs.AssignDuties(ctx, gulou, []int64{u.ID}, h.recs.Year(), []records.DutyItem{{Text: "完成支部换届", Due: fmt.Sprintf("%d-12-31", h.recs.Year())}}); err != nil {
		t.Fatal(err)
	}
	duties, err := h.recs.Duties(ctx, u.ID, h.recs.Year())
	if err != nil || len(duties) != 1 {
		t.Fatal(duties, err)
	}
	answer := h.say(u, "党费怎么交")
	h.settle()
	var kb string
	for _, data := range buttons(answer) {
		if strings.HasPrefix(data, "kb:dn:") {
			kb = data
		}
	}
	if kb == "" {
		t.Fatalf("no 👎 on the answer %q", answer.Text)
	}

	ask := h.say(u, "/deleteme")
	h.press(u, chat, ask, bot.T("deleteme.yes"))
	h.mustHaveNoProfile(u.ID)

	id := h.lastID(u)
	for _, data := range []string{fmt.Sprintf("bc:ack:%d", notice.ID), kb, fmt.Sprintf("ev:in:%d", ev.ID), fmt.Sprintf("du:d:%d", duties[0].ID), "lv:apply"} {
		h.pressData(u, chat, id, data)
	}
	h.settle()
	for what, query := range map[string]string{
		"acknowledgement": `SELECT COUNT(*) FROM broadcast_acks WHERE user_id = ?`,
		"vote":            `SELECT COUNT(*) FROM kb_feedback WHERE user_id = ?`,
		"sign-up":         `SELECT COUNT(*) FROM event_signups WHERE user_id = ?`,
		"duty":            `SELECT COUNT(*) FROM duties WHERE user_id = ?`,
		"application":     `SELECT COUNT(*) FROM level_applications WHERE user_id = ?`,
	} {
		if n := h.recCount(query, u.ID); n != 0 {
			t.Errorf("the erased worker's old buttons stored %d %s rows", n, what)
		}
	}
}
