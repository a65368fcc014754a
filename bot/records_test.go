package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/xuri/excelize/v2"
)

// A 丰县 worker's year through the bot: an attended course credits its 学时
// (the bar in /me), a passed exam and a responsibility list done on time
// make them eligible for 初级; they apply from /level, the 丰县
// coordinator approves in /applications and the worker is told. The
// coordinator's /report holds the worker's line; a 丰县 coordinator can
// neither assess nor export 沛县.
func TestRecordsThroughTheBot(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	// Mid-June next year, whatever the day the test runs: the year's
	// figures do not cross a new year.
	loc := shanghaiLoc(t)
	now := h.clock.Now().In(loc)
	h.clock.Advance(time.Date(now.Year()+1, 6, 10, 9, 0, 0, 0, loc).Sub(now))
	const coordID = 1101
	h.grant(coordID, "丰县")
	coord := botapi.DefaultUser(coordID)
	fengAccess := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	w := newWorker(1102, "丰记录", "13912341102", "丰县")
	h.seedWorker(w, true)
	other := newWorker(1103, "沛记录", "13912341103", "沛县")
	h.seedWorker(other, true)
	h.ask(w.user.ID, "/help")

	// A course of 20 学时 the worker attends.
	start := h.clock.Now().Add(time.Hour)
	e, err := h.sched.CreateEvent(ctx, fengAccess, scheduler.Event{Kind: scheduler.Course, Title: "丰县党务工作者轮训", Start: start,
		End: start.Add(30 * time.Minute), Place: "县委党校", Hours: 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.sched.SignUp(ctx, w.user.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(2 * time.Hour)
	if _, err := h.sched.Mark(ctx, fengAccess, e.ID, w.user.ID, true, "现场签到"); err != nil {
		t.Fatal(err)
	}
	me := h.ask(w.user.ID, "/me")
	mustContain(t, "/me", me, "学时", "20/32")
	mustContain(t, "/hours", h.ask(w.user.ID, "/hours"), "丰县党务工作者轮训", "+20")
	// The exam below credits the 2 学时 levels.yaml gives the general paper.

	// A passed paper and a duty done on time.
	year := h.clock.Now().In(shanghaiLoc(t)).Year()
	stamp := h.clock.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	if _, err := h.db.SQL().ExecContext(ctx, `INSERT INTO quiz_sessions (user_id, kind, exam_id, state, started_at, deadline, finished_at, score, passed)
		VALUES (?, 'exam', 'general', 'done', ?, ?, ?, 85, 1)`, w.user.ID, stamp, stamp, stamp); err != nil {
		t.Fatal(err)
	}
	// Due today, done today; a duty counts once its day has passed.
	due := h.clock.Now().In(shanghaiLoc(t)).Format(time.DateOnly)
	if _, err := h.recs.AssignDuties(ctx, fengAccess, []int64{w.user.ID}, year, []records.DutyItem{{Text: "组建党支部", Due: due}}); err != nil {
		t.Fatal(err)
	}
	duties := h.say(w.user, "/duties")
	need(t, "/duties", duties.Text, "组建党支部")
	h.press(w.user, botapi.PrivateChat(w.user), duties, bot.T("du.done_n", 1))

	h.clock.Advance(24 * time.Hour)
	level := h.say(w.user, "/level")
	need(t, "/level", level.Text, "初级")
	ans := h.press(w.user, botapi.PrivateChat(w.user), level, bot.T("lv.apply", "初级"))
	if ans.Text != bot.T("lv.applied", "初级") {
		t.Fatalf("applying answered %q; /level said %q", ans.Text, level.Text)
	}
	// A second application while one is pending is refused.
	if _, err := h.recs.Apply(ctx, w.user.ID); err == nil {
		t.Error("a second application was accepted")
	}
	card := h.say(coord, "/applications")
	need(t, "/applications", card.Text, "丰记录")
	before := len(h.sentTo(w.user.ID))
	h.press(coord, botapi.PrivateChat(coord), card, bot.T("lv.approve"))
	h.settle()
	told := h.sentTo(w.user.ID)[before:]
	if len(told) != 1 || !strings.Contains(told[0], "初级") {
		t.Errorf("the worker was told %q", told)
	}
	if st, _ := h.recs.Standing(ctx, w.user.ID); st.Current != "初级" {
		t.Errorf("level after the approval %q", st.Current)
	}

	// Out of scope: 沛县.
	if got := h.ask(coordID, "/assess 沛记录"); got != bot.T("ev.mark_who", 0) {
		t.Errorf("a 丰县 coordinator's /assess of a 沛县 worker = %q", got)
	}
	if _, err := h.recs.Assess(ctx, fengAccess, other.user.ID, year, records.Competent, ""); err == nil {
		t.Error("a 丰县 coordinator assessed a 沛县 worker")
	}
	if got := h.ask(coordID, "/report 沛县"); got != bot.T("sched.out_of_scope") {
		t.Errorf("/report 沛县 by a 丰县 coordinator = %q", got)
	}

	// The report of 丰县, opened back.
	h.ask(coordID, "/report")
	msgs := h.srv.Messages(coordID)
	doc := msgs[len(msgs)-1].Document
	if doc == nil || !strings.HasSuffix(doc.FileName, ".xlsx") {
		t.Fatalf("/report sent %+v", msgs[len(msgs)-1])
	}
	data, _ := h.srv.FileBytes(doc.FileID)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(records.SheetWorkers)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("the workers sheet has %d rows, want the header and 丰县's one worker: %q", len(rows), rows)
	}
	want := map[int]string{0: "丰记录", 1: "丰县", 7: "初级", 8: "22", 9: "32", 11: "1", 12: "85", 13: "1", 14: "1", 16: "1", 17: "1"}
	for col, v := range want {
		if rows[1][col] != v {
			t.Errorf("workers sheet column %s (%s) = %q, want %q", rows[0][col], rows[0][col], rows[1][col], v)
		}
	}
	sum, _ := f.GetRows(records.SheetSummary)
	if len(sum) < 3 || sum[2][0] != "丰县" || sum[2][1] != "1" {
		t.Errorf("the summary sheet %q", sum)
	}
}

// /pay: 贾汪区's rule by education, the figure only once an administrator
// set the minimum wage; a worker of a district without a rule is told so.
func TestPayReference(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(1111, "贾薪酬", "13912341111", "贾汪区")
	h.seedWorker(w, true)
	other := newWorker(1112, "鼓薪酬", "13912341112", "鼓楼区")
	h.seedWorker(other, true)
	mustContain(t, "/pay before the wage", h.ask(w.user.ID, "/pay"), "2.5 倍", "还没有设置")
	if got := h.ask(w.user.ID, "/setwage 2490 2026"); got != bot.T("denied.command") {
		t.Errorf("a worker's /setwage = %q", got)
	}
	if got := h.ask(adminID, "/setwage 99999999"); got != bot.T("pay.bad_wage") {
		t.Errorf("an absurd wage = %q", got)
	}
	year := h.clock.Now().In(shanghaiLoc(t)).Year()
	mustContain(t, "/setwage", h.ask(adminID, "/setwage 2490"), "2490")
	mustContain(t, "/pay", h.ask(w.user.ID, "/pay"), "6225 元/月", "2.5 倍", fmt.Sprint(year))
	if got := h.ask(other.user.ID, "/pay"); got != bot.T("pay.no_rule") {
		t.Errorf("a 鼓楼区 worker's /pay = %q", got)
	}
}

// A responsibility list for every worker of an organisation: both get the
// items, a worker of another organisation does not; a bad line is
// reported and nothing is stored.
func TestDutiesForAnOrganisation(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const coordID = 1121
	h.grant(coordID, "铜山区")
	a := newWorker(1122, "铜甲", "13912341122", "铜山区")
	b := newWorker(1123, "铜乙", "13912341123", "铜山区")
	c := newWorker(1124, "铜丙", "13912341124", "铜山区")
	c.org = "徐州另一家公司"
	for _, w := range []worker{a, b, c} {
		h.seedWorker(w, true)
	}
	mustContain(t, "/duties 单位", h.ask(coordID, "/duties 单位 "+a.org), "2 名党务工作者")
	year := h.clock.Now().In(shanghaiLoc(t)).Year()
	if got := h.ask(coordID, "下周 完成换届"); got != bot.T("rec.bad_date") {
		t.Errorf("a line with no date answered %q", got)
	}
	if got := h.ask(coordID, "完成换届"); !strings.Contains(got, "没看懂") {
		t.Errorf("a line of one word answered %q", got)
	}
	got := h.ask(coordID, fmt.Sprintf("%d-12-31 完成党支部换届\n%d-12-31 上报年度总结", year, year))
	if got != bot.T("du.assigned", 4) {
		t.Errorf("assigning answered %q", got)
	}
	for _, w := range []worker{a, b} {
		ds, err := h.recs.Duties(ctx, w.user.ID, year)
		if err != nil || len(ds) != 2 {
			t.Errorf("%s has %d duties (%v), want 2", w.name, len(ds), err)
		}
	}
	if ds, _ := h.recs.Duties(ctx, c.user.ID, year); len(ds) != 0 {
		t.Errorf("the worker of another organisation got %d duties", len(ds))
	}
}
