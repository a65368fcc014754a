package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

// Hostile tests of the records through the bot: each attack once found the
// bug its "Was a bug" comment describes (in the code as it stood then), and
// now guards the fix. The attacks the bot always withstood are in
// records_defence_test.go.

// Was a bug: /credit stores the credit outside b.atomic (bot/records.go
// cmdCredit calls records.CreditHours, which commits in its own
// transaction, and the update is marked handled only when the reply is
// out). A crash between the two replays the /credit update at the next
// start and credits the 学时 a second time: manual credits have no key to
// deduplicate. The credit and the update's done mark must commit together
// (DESIGN: a state change ... one transaction; see bot.atomic).
func TestHostileCreditCommitsApartFromItsUpdate(t *testing.T) {
	h := startBot(t, nil, nil)
	recJune(h)
	const coordID = 4101
	h.grant(coordID, "丰县")
	w := newWorker(4102, "丰补登", "13912344102", "丰县")
	h.seedWorker(w, true)
	h.settle()
	release := h.holdUndone("sendMessage", coordID, func(text string) bool { return strings.Contains(text, "丰补登") }, `SELECT COUNT(*) FROM credits`)
	h.srv.PrivateText(coordID, "/credit 丰补登 4 "+recToday(h)+" 参加区委党校专题培训")
	undone, credits := release()
	if credits != 1 || undone != 0 {
		t.Errorf("%d credits stored while its /credit update is undone (%d): a crash now credits it twice on replay", credits, undone)
	}
}

// Was a bug: 已完成 closes the duty outside b.atomic (bot/records.go onDutyButton
// "d" calls records.ReportDuty, which commits on its own; the update is
// marked done only after the handler returns). A crash in between replays
// the press and records a second 已完成 report.
func TestHostileDutyDoneCommitsApartFromItsUpdate(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 4111
	h.grant(coordID, "丰县")
	w := newWorker(4112, "丰完成", "13912344112", "丰县")
	h.seedWorker(w, true)
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, []int64{w.user.ID}, year, []records.DutyItem{{Text: "组建党支部", Due: fmt.Sprintf("%d-12-01", year)}}); err != nil {
		t.Fatal(err)
	}
	list := h.say(w.user, "/duties")
	data := buttonData(t, list, bot.T("du.done_n", 1))
	release := h.holdUndone("answerCallbackQuery", 0, func(string) bool { return true }, `SELECT COUNT(*) FROM duties WHERE done_on IS NOT NULL`)
	h.srv.Press(w.user, botapi.PrivateChat(w.user), list.MessageID, data)
	undone, done := release()
	if done != 1 || undone != 0 {
		t.Errorf("%d duties closed while the press is undone (%d): a crash now records 已完成 twice on replay", done, undone)
	}
}

// Was a bug: 申请 stores the application outside b.atomic (bot/records.go
// onLevelButton calls records.Apply, whose store.Apply commits on its own;
// the update is marked done when the edited /level goes out). A crash in
// between replays the press, which then answers the worker "您已有一份申请在
// 审核中" instead of confirming their application.
func TestHostileApplyCommitsApartFromItsUpdate(t *testing.T) {
	h := startBot(t, nil, nil)
	recJune(h)
	const coordID = 4121
	h.grant(coordID, "丰县")
	w := newWorker(4122, "丰申报", "13912344122", "丰县")
	h.seedWorker(w, true)
	h.recQualify(w.user.ID, member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"})
	level := h.say(w.user, "/level")
	data := buttonData(t, level, bot.T("lv.apply", "初级"))
	release := h.holdUndone("editMessageText", w.user.ID, func(string) bool { return true }, `SELECT COUNT(*) FROM level_applications`)
	h.srv.Press(w.user, botapi.PrivateChat(w.user), level.MessageID, data)
	undone, apps := release()
	if apps != 1 || undone != 0 {
		t.Errorf("%d applications stored while the press is undone (%d)", apps, undone)
	}
}

// Was a bug: 已完成 pressed twice records two 已完成 reports and answers
// 已标记完成 both times (records/service.go ReportDuty adds a report
// whatever the duty's state; bot/records.go onDutyButton does not look at
// d.Done). The list the coordinator reads then says 2 次汇报. A second
// press on a duty already done should change nothing.
func TestHostileDutyDonePressedTwice(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 4131
	h.grant(coordID, "丰县")
	w := newWorker(4132, "丰两下", "13912344132", "丰县")
	h.seedWorker(w, true)
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, []int64{w.user.ID}, year, []records.DutyItem{{Text: "换届选举", Due: fmt.Sprintf("%d-12-01", year)}}); err != nil {
		t.Fatal(err)
	}
	list := h.say(w.user, "/duties")
	data := buttonData(t, list, bot.T("du.done_n", 1))
	h.pressTogether(w.user, list.MessageID, data, 2)
	if n := h.recCount(`SELECT COUNT(*) FROM duty_reports`); n != 1 {
		t.Errorf("two presses of 已完成 stored %d reports, want 1", n)
	}
}

// Was a bug: a worker's /duties prints each item whole (bot/records.go cmdDuties:
// esc(d.Text), up to 500 characters, for up to 30 items) in one message.
// Nine items of 480 characters make some 4,400 UTF-16 units: Telegram
// refuses the message ("message is too long") and the worker gets
// "处理您的消息时出了问题" instead of their list. The list must be cut to
// 4,096 units (truncate the items, or page them).
func TestHostileDutiesOfLongItemsOverflow(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 4141
	h.grant(coordID, "丰县")
	w := newWorker(4142, "丰长项", "13912344142", "丰县")
	h.seedWorker(w, true)
	var items []records.DutyItem
	for i := 0; i < 9; i++ {
		items = append(items, records.DutyItem{Text: fmt.Sprint(i+1, strings.Repeat("落实党建工作责任制", 53)), Due: fmt.Sprintf("%d-12-%02d", year, i+1)})
	}
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, []int64{w.user.ID}, year, items); err != nil {
		t.Fatal(err)
	}
	got := h.ask(w.user.ID, "/duties")
	if got == bot.T("error.internal") || h.recTooLong() {
		t.Errorf("/duties of 9 items of 480 characters was refused as too long; the worker got %q", got)
	}
}

// Was a bug: a worker's /duties shows the first 30 items and stops (bot/records.go
// cmdDuties: "if i == 30 { break }"), without saying more exist and without
// their buttons. With 30 items done and ten open, the worker sees only done
// items and no button at all: the open ten can be neither reported on nor
// closed (AssignDuties allows any number of lists of up to 50).
func TestHostileDutiesPastThirtyAreUnreachable(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 4151
	h.grant(coordID, "丰县")
	w := newWorker(4152, "丰四十", "13912344152", "丰县")
	h.seedWorker(w, true)
	var items []records.DutyItem
	for i := 0; i < 40; i++ {
		items = append(items, records.DutyItem{Text: fmt.Sprintf("事项%02d", i+1), Due: fmt.Sprintf("%d-%02d-%02d", year, 7+i/28, 1+i%28)})
	}
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, []int64{w.user.ID}, year, items); err != nil {
		t.Fatal(err)
	}
	ds, _ := h.recs.Duties(context.Background(), w.user.ID, year)
	for _, d := range ds[:30] {
		if _, err := h.recs.ReportDuty(context.Background(), w.user.ID, d.ID, "", "", true); err != nil {
			t.Fatal(err)
		}
	}
	list := h.say(w.user, "/duties")
	if len(buttons(list)) == 0 && !strings.Contains(list.Text, "事项31") {
		t.Errorf("/duties with 30 items done and 10 open shows none of the open ones and no button:\n%s", list.Text)
	}
}

// Was a bug: /vacancies lists 50 posts in one message with each organisation's
// name whole (bot/records.go cmdVacancies: esc(v.Org), up to 60 characters
// by member.ValidateOrg). Fifty vacancies at organisations with long (valid)
// names make some 5,000 units: Telegram refuses it and the coordinator gets
// an internal error instead of the list.
func TestHostileVacanciesOfLongOrganisationNamesOverflow(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 4161
	h.grant(coordID, "丰县")
	org := func(i int) string {
		return fmt.Sprintf("徐州市丰县%s有限公司%02d", strings.Repeat("新能源科技发展", 7), i)
	}
	if _, err := member.ValidateOrg(org(1)); err != nil {
		t.Fatalf("the organisation name is not valid: %v", err)
	}
	uids := h.recWorkers("丰县", 60000, 60, func(i int) string { return "丰离" + string(rune('甲'+i)) }, org)
	for _, uid := range uids {
		h.recExec(`UPDATE members SET status = 'left', status_at = ?, left_on = ? WHERE user_id = ?`, recStamp(h.clock.Now()), recToday(h), uid)
	}
	got := h.ask(coordID, "/vacancies")
	if got == bot.T("error.internal") || h.recTooLong() {
		t.Errorf("/vacancies of 60 posts at long-named organisations was refused as too long; the coordinator got %q", got)
	}
}

// Was a bug: /duties 逾期 counts what it shows, not what is overdue
// (bot/records.go overdueDuties: Overdue(ctx, actor, 50), then
// t("du.overdue_head", len(ds))): with 70 items overdue in the district it
// says "逾期未完成的事项（50 项）" and nothing about the other 20.
func TestHostileOverdueMiscounted(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 4171
	h.grant(coordID, "丰县")
	uids := h.recWorkers("丰县", 61000, 70, func(i int) string { return "丰逾" + string(rune('甲'+i)) }, func(i int) string { return "单位" })
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, uids, year, []records.DutyItem{{Text: "按时换届", Due: fmt.Sprintf("%d-06-01", year)}}); err != nil {
		t.Fatal(err)
	}
	got := h.ask(coordID, "/duties 逾期")
	if !strings.Contains(got, "70") {
		t.Errorf("with 70 items overdue /duties 逾期 says:\n%.80s…", got)
	}
}

// Was a bug: /duties 逾期 puts 50 lines in one message with each worker's name
// whole (bot/records.go overdueDuties). A name is up to 20 Han characters
// (member.ValidateName), and those outside the Basic Multilingual Plane —
// 𠮷 and the like, found in real names — count two UTF-16 units each: 50
// such lines make some 5,000 units, refused by Telegram, and the
// coordinator gets an internal error.
func TestHostileOverdueOfLongNamesOverflow(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 4181
	h.grant(coordID, "丰县")
	name := func(i int) string {
		return strings.Repeat("𠮷", 18) + string(rune('甲'+i/10)) + string(rune('甲'+i%10))
	}
	if _, err := member.ValidateName(name(1)); err != nil {
		t.Fatalf("the name is not valid: %v", err)
	}
	uids := h.recWorkers("丰县", 62000, 50, name, func(i int) string { return "单位" })
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, uids, year, []records.DutyItem{{Text: strings.Repeat("完成党组织换届选举工作", 5), Due: fmt.Sprintf("%d-06-01", year)}}); err != nil {
		t.Fatal(err)
	}
	got := h.ask(coordID, "/duties 逾期")
	if got == bot.T("error.internal") || h.recTooLong() {
		t.Errorf("/duties 逾期 of 50 long-named workers was refused as too long; the coordinator got %q", got)
	}
}

// Was a bug: /assess, /credit and /duties with a name of more than 20
// characters answer "处理您的消息时出了问题" and log a handler failure
// (bot/records.go findWorker returns member.ErrInvalidQuery from
// members.Find as an error; cmdMembers maps it to a reply). It should say
// that nobody was found, or how to name the worker.
func TestHostileFindWorkerWithALongName(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 4191
	h.grant(coordID, "丰县")
	long := strings.Repeat("张", 21)
	for _, cmd := range []string{"/assess " + long, "/credit " + long + " 4 2026-01-01 原因", "/duties " + long} {
		if got := h.ask(coordID, cmd); got == bot.T("error.internal") {
			t.Errorf("%.20s… = %q", cmd, got)
		}
	}
}

// Was a bug: /report echoes the district asked for whole (bot/records.go
// cmdReport: t("quizstats.unknown_district", esc(r.args))). A name of 4,088
// characters — the longest a message "/report …" may carry — makes a reply
// of 4,097 units, which Telegram refuses: the coordinator gets an internal
// error. The echo should be truncated.
func TestHostileReportEchoesAnOverlongDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 4201
	h.grant(coordID, "丰县")
	got := h.ask(coordID, "/report "+strings.Repeat("x", 4088))
	if got == bot.T("error.internal") || h.recTooLong() {
		t.Errorf("/report of an unknown 4,088-character district was refused as too long; the coordinator got %q", got)
	}
}

// Was a bug: /applications sends the first 20 applications (bot/records.go
// cmdApplications: Applications(ctx, actor, 20)) and says nothing of the
// rest: with 100 pending the coordinator sees 20 cards and no sign of the
// other 80 (where /hours and /vacancies say "……另有 N 条").
func TestHostileApplicationsHideTheRest(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 4211
	h.grant(coordID, "丰县")
	uids := h.recWorkers("丰县", 63000, 100, func(i int) string { return "丰请" + string(rune('甲'+i)) }, func(i int) string { return "单位" })
	for _, uid := range uids {
		h.recPending(uid, "丰县")
	}
	msgs := h.recAll(botapi.DefaultUser(coordID), "/applications")
	cards, told := 0, false
	for _, m := range msgs {
		if strings.Contains(m.Text, "申请评定为") {
			cards++
		} else if strings.Contains(m.Text, "80") || strings.Contains(m.Text, "100") {
			told = true
		}
	}
	if cards < 100 && !told {
		t.Errorf("with 100 applications pending /applications showed %d cards and never said how many more wait", cards)
	}
}

// Was a bug: /setwage confirms the amount as typed while it stores it rounded to
// the fen (bot/records.go cmdSetWage replies formatHours(amount);
// records/service.go SetMinWage stores "%.2f"): "/setwage 2490.126" answers
// "2490.126 元/月" and /pay then multiplies 2490.13. The confirmation should
// give the figure stored (or refuse fractions of a fen).
func TestHostileSetWageConfirmsAnotherFigure(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(4221, "贾分", "13912344221", "贾汪区")
	h.seedWorker(w, true)
	got := h.ask(adminID, "/setwage 2490.126")
	pay := h.ask(w.user.ID, "/pay")
	if strings.Contains(got, "2490.126") && !strings.Contains(pay, "2490.126") {
		t.Errorf("/setwage confirmed %q but /pay reckons with another wage: %q", got, pay)
	}
}

// Was a bug: a duty assigned with a date already past is "recalled" as due in
// the future (records/service.go RemindDuties takes every open duty due on
// or before today+3 that was not reminded, store DutiesDue has no lower
// bound, and bot/records.go DutyDue says "将于 %s 到期"): assigned on 10
// June with the date 1 June, the worker is told at the next tick that it
// "将于 06-01 到期". The reminder is for duties coming due; one already
// overdue should not be announced as coming (or should say it is overdue).
func TestHostileReminderOfADutyAlreadyPast(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 4231
	h.grant(coordID, "丰县")
	w := newWorker(4232, "丰过期", "13912344232", "丰县")
	h.seedWorker(w, true)
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, []int64{w.user.ID}, year, []records.DutyItem{{Text: "补交材料", Due: fmt.Sprintf("%d-06-01", year)}}); err != nil {
		t.Fatal(err)
	}
	h.bot.SchedTick(context.Background())
	h.settle()
	if n := h.countContaining(w.user.ID, plain(bot.T("du.due_soon", "补交材料", fmt.Sprintf("%d-06-01", year)))); n != 0 {
		t.Errorf("on %s the worker was told a duty of %d-06-01 is coming due", recToday(h), year)
	}
}
