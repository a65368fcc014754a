package bot_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

// Hostile tests of the records through the bot that hold: forged and
// tampered buttons, coordinators outside their district, hostile numbers,
// dates and forms, limits, double presses. Each documents a defence; the
// attacks that found bugs are in records_hostile_test.go.

// recJune moves the clock to 10 June next year, 09:00 in Shanghai, so that
// the year's figures cross no new year whenever the test runs; it returns
// that year.
func recJune(h *harness) int {
	h.t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		h.t.Fatal(err)
	}
	now := h.clock.Now().In(loc)
	h.clock.Advance(time.Date(now.Year()+1, 6, 10, 9, 0, 0, 0, loc).Sub(now))
	return now.Year() + 1
}

// recToday is the clock's day in Shanghai.
func recToday(h *harness) string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return h.clock.Now().In(loc).Format(time.DateOnly)
}

// recStamp is the store's form of a time.
func recStamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// recCount runs a COUNT query.
func (h *harness) recCount(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.db.SQL().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// recExec runs a statement.
func (h *harness) recExec(query string, args ...any) {
	h.t.Helper()
	if _, err := h.db.SQL().ExecContext(context.Background(), query, args...); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
}

// recWorkers stores n approved workers of district straight in the
// database (uids from base; name and org from the functions) and returns
// their uids. They have not written to the bot.
func (h *harness) recWorkers(district string, base int64, n int, name, org func(i int) string) []int64 {
	h.t.Helper()
	ctx := context.Background()
	tx, err := h.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	defer tx.Rollback()
	seen := recStamp(h.clock.Now().AddDate(-1, 0, 0))
	var out []int64
	for i := 0; i < n; i++ {
		uid := base + int64(i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)`, uid, seen, seen); err != nil {
			h.t.Fatal(err)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO members (user_id, name, phone, district, org, post, education, start_year,
			status, status_reason, status_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '专职党务工作者', '本科', 2015, 'approved', '', ?, ?, ?) RETURNING id`,
			uid, name(i), fmt.Sprintf("137%08d", uid%100000000), district, org(i), seen, seen, seen).Scan(&id); err != nil {
			h.t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_history (member_id, at, kind) VALUES (?, ?, 'approved')`, id, seen); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, uid)
	}
	if err := tx.Commit(); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// recQualify gives uid what the city's 初级 asks, this year up to the
// clock: a general paper at 85 (2 学时), 14 学时 by hand, an attended
// course and a duty done on time.
func (h *harness) recQualify(uid int64, by member.Access) {
	h.t.Helper()
	ctx := context.Background()
	now := h.clock.Now()
	h.recExec(`INSERT INTO quiz_sessions (user_id, kind, exam_id, state, started_at, deadline, finished_at, score, passed)
		VALUES (?, 'exam', 'general', 'done', ?, ?, ?, 85, 1)`, uid, recStamp(now.Add(-2*time.Hour)), recStamp(now.Add(-time.Hour)), recStamp(now.Add(-time.Hour)))
	if _, err := h.recs.CreditHours(ctx, by, uid, 14, recToday(h), "", "补登"); err != nil {
		h.t.Fatal(err)
	}
	var ev int64
	if err := h.db.SQL().QueryRowContext(ctx, `INSERT INTO events (kind, title, starts_at, ends_at, district, hours, secret, created_at, updated_at)
		VALUES ('course', ?, ?, ?, '', 0, x'00', ?, ?) RETURNING id`, fmt.Sprint("课", uid), recStamp(now.Add(-48*time.Hour)),
		recStamp(now.Add(-46*time.Hour)), recStamp(now), recStamp(now)).Scan(&ev); err != nil {
		h.t.Fatal(err)
	}
	h.recExec(`INSERT INTO event_signups (event_id, user_id, status, at, seq) VALUES (?, ?, 'registered', ?, 1)`, ev, uid, recStamp(now))
	h.recExec(`INSERT INTO event_attendance (event_id, user_id, at, method, present, hours) VALUES (?, ?, ?, 'manual', 1, 0)`, ev, uid, recStamp(now))
	day := now.AddDate(0, 0, -2).In(shanghaiLoc(h.t.(*testing.T))).Format(time.DateOnly)
	h.recExec(`INSERT INTO duties (user_id, year, text, due_on, done_on, created_at) VALUES (?, ?, '按时完成', ?, ?, ?)`,
		uid, now.In(shanghaiLoc(h.t.(*testing.T))).Year(), day, day, recStamp(now))
}

// recPending stores a pending application of uid for 初级 in district.
func (h *harness) recPending(uid int64, district string) int64 {
	h.t.Helper()
	var id int64
	if err := h.db.SQL().QueryRowContext(context.Background(), `INSERT INTO level_applications (user_id, level, district, state, at)
		VALUES (?, '初级', ?, 'pending', ?) RETURNING id`, uid, district, recStamp(h.clock.Now())).Scan(&id); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// recAll sends text privately from u and returns every message the bot
// sends in answer to it: it sends /cancel after it and waits for that
// reply, which the chat's serial handling puts after the whole answer.
func (h *harness) recAll(u botapi.User, text string) []botapi.Message {
	h.t.Helper()
	h.settle()
	count := func() []botapi.Event {
		var out []botapi.Event
		for _, e := range h.srv.Events() {
			if e.Kind == botapi.EventSend && e.ChatID == u.ID {
				out = append(out, e)
			}
		}
		return out
	}
	n := len(count())
	h.srv.SendText(u, botapi.PrivateChat(u), text)
	h.srv.SendText(u, botapi.PrivateChat(u), "/cancel")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		events := count()
		for i := n; i < len(events); i++ {
			if events[i].Message.Text == bot.T("cancel.none") {
				var out []botapi.Message
				for _, e := range events[n:i] {
					out = append(out, *e.Message)
				}
				return out
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("no end to the answer to %.40q", text)
	return nil
}

// holdUndone makes the server hold the first call of method to chat that
// match (text is the call's text or caption, "" for answerCallbackQuery)
// and report whether the latest update was not done (1) or done (0), and
// how many rows count counts, while it was held. It returns a function that releases the call
// and gives both figures.
func (h *harness) holdUndone(method string, chat int64, match func(text string) bool, count string) func() (undone, rows int) {
	h.t.Helper()
	type seen struct{ undone, rows int }
	held, release := make(chan seen, 1), make(chan struct{})
	h.srv.SetFault(func(m string, p botapi.Params) *botapi.APIError {
		if m != method || (chat != 0 && p.Get("chat_id") != strconv.FormatInt(chat, 10)) || !match(p.Get("text")) {
			return nil
		}
		var s seen
		// Whether the latest update (the one being answered) is undone.
		h.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE done_at IS NULL AND update_id = (SELECT MAX(update_id) FROM inbox)`).Scan(&s.undone)
		h.db.SQL().QueryRow(count).Scan(&s.rows)
		select {
		case held <- s:
			<-release
		default:
		}
		return nil
	})
	return func() (int, int) {
		h.t.Helper()
		s := <-held
		close(release)
		h.srv.SetFault(nil)
		return s.undone, s.rows
	}
}

// recTooLong says whether the Bot API server refused a message as too long.
func (h *harness) recTooLong() bool {
	return strings.Contains(h.logs.String(), "message is too long") || strings.Contains(h.logs.String(), "caption is too long")
}

// A forged 通过 / 驳回 for another district's application is refused and
// changes nothing; tampered ids are stale; workers cannot press them.
func TestDefenceForgedApplicationButtons(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3101
	h.grant(coordID, "丰县")
	coord := botapi.DefaultUser(coordID)
	pei := newWorker(3102, "沛申请", "13912343102", "沛县")
	h.seedWorker(pei, true)
	feng := newWorker(3103, "丰申请", "13912343103", "丰县")
	h.seedWorker(feng, true)
	id := h.recPending(pei.user.ID, "沛县")
	own := h.recPending(feng.user.ID, "丰县")
	told := len(h.sentTo(pei.user.ID))
	chat := botapi.PrivateChat(coord)

	for _, data := range []string{fmt.Sprintf("ap:ok:%d", id), fmt.Sprintf("ap:no:%d", id)} {
		if ans := h.pressData(coord, chat, 1, data); ans.Text != bot.T("sched.out_of_scope") {
			t.Errorf("%s by 丰县's coordinator answered %q", data, ans.Text)
		}
	}
	stale := bot.T("unknown.button")
	for _, data := range []string{"ap:ok:99999999999999999999", "ap:ok:abc", "ap:ok:", "ap:", "ap", "ap:yes:" + strconv.FormatInt(own, 10),
		"ap:ok:1e3", "ap:ok: " + strconv.FormatInt(own, 10), "ap:ok:0x" + strconv.FormatInt(own, 16)} {
		if ans := h.pressData(coord, chat, 1, data); ans.Text != stale {
			t.Errorf("%q answered %q, want it stale", data, ans.Text)
		}
	}
	for _, data := range []string{"ap:ok:-1", "ap:ok:0", "ap:ok:9223372036854775807"} {
		if ans := h.pressData(coord, chat, 1, data); ans.Text != bot.T("rec.not_worker") {
			t.Errorf("%q answered %q", data, ans.Text)
		}
	}
	// A worker pressing a coordinator's button, even for their own application.
	fu := feng.user
	for _, data := range []string{fmt.Sprintf("ap:ok:%d", own), fmt.Sprintf("ap:no:%d", own), fmt.Sprintf("as:%d:2026:0", fu.ID)} {
		if ans := h.pressData(fu, botapi.PrivateChat(fu), 1, data); ans.Text != stale {
			t.Errorf("a worker's %s answered %q", data, ans.Text)
		}
	}
	if h.ask(fu.ID, "自评优秀") == bot.T("as.done", 2026, "优秀") {
		t.Error("a worker's text was taken as an assessment comment")
	}
	h.settle()
	if n := h.recCount(`SELECT COUNT(*) FROM level_applications WHERE state = 'pending'`); n != 2 {
		t.Errorf("%d applications still pending, want 2", n)
	}
	if n := h.recCount(`SELECT COUNT(*) FROM levels`) + h.recCount(`SELECT COUNT(*) FROM assessments`); n != 0 {
		t.Errorf("%d levels and assessments", n)
	}
	if got := h.sentTo(pei.user.ID)[told:]; len(got) != 0 {
		t.Errorf("the 沛县 worker was told %q", got)
	}
}

// A forged or tampered 考核 button: another district's worker, a year out
// of range, a rating index out of range, ids that are no numbers. Nothing
// is stored and nobody told.
func TestDefenceForgedAssessButtons(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 3111
	h.grant(coordID, "丰县")
	coord := botapi.DefaultUser(coordID)
	chat := botapi.PrivateChat(coord)
	pei := newWorker(3112, "沛考核", "13912343112", "沛县")
	h.seedWorker(pei, true)
	feng := newWorker(3113, "丰考核", "13912343113", "丰县")
	h.seedWorker(feng, true)
	told := len(h.sentTo(pei.user.ID))

	// Out of scope, with a valid year and rating: asked for a comment, refused at the end.
	h.pressData(coord, chat, 1, fmt.Sprintf("as:%d:%d:0", pei.user.ID, year))
	if got := h.ask(coordID, "无"); got != bot.T("sched.out_of_scope") {
		t.Errorf("assessing a 沛县 worker = %q", got)
	}
	for _, y := range []string{"9999", "-1", "0", "1999", strconv.Itoa(year + 1), "99999999999"} {
		h.pressData(coord, chat, 1, fmt.Sprintf("as:%d:%s:1", feng.user.ID, y))
		if got := h.ask(coordID, "无"); got != bot.T("rec.bad_date") {
			t.Errorf("assessing for year %s = %q", y, got)
		}
	}
	stale := bot.T("unknown.button")
	for _, data := range []string{
		fmt.Sprintf("as:%d:%d:4", feng.user.ID, year), fmt.Sprintf("as:%d:%d:-1", feng.user.ID, year),
		fmt.Sprintf("as:%d:%d:99", feng.user.ID, year), fmt.Sprintf("as:%d:%d:x", feng.user.ID, year),
		fmt.Sprintf("as:abc:%d:0", year), fmt.Sprintf("as:99999999999999999999:%d:0", year),
		fmt.Sprintf("as:%d:%d", feng.user.ID, year), fmt.Sprintf("as:%d:%d:0:0", feng.user.ID, year), "as:", "as",
	} {
		if ans := h.pressData(coord, chat, 1, data); ans.Text != stale {
			t.Errorf("%q answered %q, want it stale", data, ans.Text)
		}
	}
	// A forged one for nobody, and for a negative id.
	for _, uid := range []string{"-5", "0", "123456789"} {
		h.pressData(coord, chat, 1, fmt.Sprintf("as:%s:%d:0", uid, year))
		if got := h.ask(coordID, "无"); got != bot.T("rec.not_worker") {
			t.Errorf("assessing user %s = %q", uid, got)
		}
	}
	h.settle()
	if n := h.recCount(`SELECT COUNT(*) FROM assessments`); n != 0 {
		t.Errorf("%d assessments stored", n)
	}
	if got := h.sentTo(pei.user.ID)[told:]; len(got) != 0 {
		t.Errorf("the 沛县 worker was told %q", got)
	}
	// The genuine one still works.
	h.pressData(coord, chat, 1, fmt.Sprintf("as:%d:%d:1", feng.user.ID, year))
	if got := h.ask(coordID, "无"); got != bot.T("as.done", year, "合格") {
		t.Errorf("a genuine assessment = %q", got)
	}
}

// 汇报 and 已完成 on a duty that is not one's own are stale, for workers and
// coordinators alike; tampered ids too.
func TestDefenceDutyButtonsOfAnother(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 3121
	h.grant(coordID, "丰县")
	coord := botapi.DefaultUser(coordID)
	a := newWorker(3122, "丰甲", "13912343122", "丰县")
	h.seedWorker(a, true)
	b := newWorker(3123, "丰乙", "13912343123", "丰县")
	h.seedWorker(b, true)
	access := member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"}
	if _, err := h.recs.AssignDuties(context.Background(), access, []int64{a.user.ID}, year, []records.DutyItem{{Text: "甲的事项", Due: fmt.Sprintf("%d-12-01", year)}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := h.recs.Duties(context.Background(), a.user.ID, year)
	id := ds[0].ID
	stale := bot.T("unknown.button")
	for _, u := range []botapi.User{b.user, coord} {
		for _, data := range []string{fmt.Sprintf("du:r:%d", id), fmt.Sprintf("du:d:%d", id)} {
			if ans := h.pressData(u, botapi.PrivateChat(u), 1, data); ans.Text != stale {
				t.Errorf("%d pressing %s answered %q", u.ID, data, ans.Text)
			}
		}
	}
	for _, data := range []string{"du:d:-1", "du:d:abc", "du:d:99999999999999999999", fmt.Sprintf("du:x:%d", id), "du:", "du"} {
		if ans := h.pressData(a.user, botapi.PrivateChat(a.user), 1, data); ans.Text != stale {
			t.Errorf("%q answered %q", data, ans.Text)
		}
	}
	// B's next text is not a report on A's duty.
	h.ask(b.user.ID, "已经完成了")
	if n := h.recCount(`SELECT COUNT(*) FROM duty_reports`) + h.recCount(`SELECT COUNT(*) FROM duties WHERE done_on IS NOT NULL`); n != 0 {
		t.Errorf("%d reports or closed duties", n)
	}
}

// /credit and /duties name only the coordinator's district's workers:
// another district's, by name or phone, is not found, and no form opens.
func TestDefenceCreditAndDutiesOutsideTheDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 3131
	h.grant(coordID, "丰县")
	pei := newWorker(3132, "沛学时", "13912343132", "沛县")
	h.seedWorker(pei, true)
	today := recToday(h)
	notFound := bot.T("ev.mark_who", 0)
	for _, cmd := range []string{
		"/credit 沛学时 4 " + today + " 参加培训",
		"/credit 13912343132 4 " + today + " 参加培训",
		"/credit 沛学时 -4 " + today + " 扣除",
		"/duties 沛学时",
		"/duties 13912343132",
		"/assess 沛学时",
	} {
		if got := h.ask(coordID, cmd); got != notFound {
			t.Errorf("%s = %q, want %q", cmd, got, notFound)
		}
	}
	// No duty form was opened: a line of items is a question, not an assignment.
	if got := h.ask(coordID, fmt.Sprintf("%d-06-30 完成党支部换届", year)); strings.Contains(got, "已布置") {
		t.Errorf("the items were assigned: %q", got)
	}
	if n := h.recCount(`SELECT COUNT(*) FROM credits`) + h.recCount(`SELECT COUNT(*) FROM duties`); n != 0 {
		t.Errorf("%d credits and duties stored", n)
	}
}

// Hostile numbers, dates and reasons of /credit: refused with the usage or
// the reason, nothing stored.
func TestDefenceCreditHostileInputThroughTheBot(t *testing.T) {
	h := startBot(t, nil, nil)
	recJune(h)
	const coordID = 3141
	h.grant(coordID, "丰县")
	w := newWorker(3142, "丰数字", "13912343142", "丰县")
	h.seedWorker(w, true)
	today := recToday(h)
	usage, badHours, badDate := bot.T("rec.credit_usage"), bot.T("rec.bad_hours", records.MaxCredit), bot.T("rec.bad_date")
	year, _ := strconv.Atoi(today[:4])
	tests := []struct{ args, want string }{
		{"丰数字 NaN " + today + " 原因", badHours},
		{"丰数字 Inf " + today + " 原因", badHours},
		{"丰数字 -Infinity " + today + " 原因", badHours},
		{"丰数字 1e309 " + today + " 原因", usage},
		{"丰数字 -1e309 " + today + " 原因", usage},
		{"丰数字 1e308 " + today + " 原因", badHours},
		{"丰数字 0 " + today + " 原因", badHours},
		{"丰数字 -0 " + today + " 原因", badHours},
		{"丰数字 200.01 " + today + " 原因", badHours},
		{"丰数字 -5 " + today + " 扣除（今年没有学时）", badHours},
		{"丰数字 1,5 " + today + " 原因", usage},
		{"丰数字 １.５ " + today + " 原因", usage},
		{"丰数字 ４ " + today + " 原因", usage},
		{"丰数字 四 " + today + " 原因", usage},
		{"丰数字 4 " + fmt.Sprintf("%d-02-30", year) + " 原因", badDate},
		{"丰数字 4 " + fmt.Sprintf("%d-13-01", year) + " 原因", badDate},
		{"丰数字 4 " + fmt.Sprintf("%d-6-1", year) + " 原因", badDate},
		{"丰数字 4 " + fmt.Sprintf("%d-12-31", year) + " 原因", badDate},
		{"丰数字 4 9999-01-01 原因", badDate},
		{"丰数字 4 0000-01-01 原因", badDate},
		{"丰数字 4 明天 原因", badDate},
		{"丰数字 4 " + today, usage},
		{"丰数字 4 " + today + " " + strings.Repeat("理", 4000), bot.T("rec.too_long")},
		{"丰数字 4 " + today + " " + strings.Repeat("😀", 201), bot.T("rec.too_long")},
	}
	for _, tt := range tests {
		if got := h.ask(coordID, "/credit "+tt.args); got != tt.want {
			t.Errorf("/credit %.60s = %q, want %q", tt.args, got, tt.want)
		}
	}
	if n := h.recCount(`SELECT COUNT(*) FROM credits`); n != 0 {
		t.Errorf("%d credits stored", n)
	}
	if got := h.ask(w.user.ID, "/credit 丰数字 4 "+today+" 自己加"); got != bot.T("denied.command") {
		t.Errorf("a worker's /credit = %q", got)
	}
	// A reason with markup is shown as typed (escaped, not parsed).
	if got := h.ask(coordID, "/credit 丰数字 2.5 "+today+" <b>培训</b>&"); got != bot.T("rec.credited", "丰数字", "+2.5", today) {
		t.Errorf("a genuine credit = %q", got)
	}
	mustContain(t, "/hours", h.ask(w.user.ID, "/hours"), "<b>培训</b>&", "+2.5")
}

// /setwage: absurd amounts, years far away or negative, and anyone but an
// administrator are refused; the wage set gives 2.5 × 2490 = 6225.
func TestDefenceSetWageHostileInput(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	w := newWorker(3151, "贾工资", "13912343151", "贾汪区")
	h.seedWorker(w, true)
	const coordID = 3152
	h.grant(coordID, "")
	usage, bad := bot.T("pay.setwage_usage"), bot.T("pay.bad_wage")
	tests := []struct{ args, want string }{
		{"", usage}, {"abc", usage}, {"2490 2026 1", usage}, {"2490 二〇二六", usage}, {"1e309", usage}, {"2490 9999999999999999999", usage},
		{"-2490", bad}, {"0", bad}, {"NaN", bad}, {"Inf", bad}, {"499.99", bad}, {"20000.01", bad}, {"1e300", bad},
		{"2490 9999", bot.T("rec.bad_date")}, {"2490 -1", bot.T("rec.bad_date")}, {"2490 " + strconv.Itoa(year+2), bot.T("rec.bad_date")},
	}
	for _, tt := range tests {
		if got := h.ask(adminID, strings.TrimSpace("/setwage "+tt.args)); got != tt.want {
			t.Errorf("/setwage %s = %q, want %q", tt.args, got, tt.want)
		}
	}
	for _, id := range []int64{coordID, w.user.ID} {
		if got := h.ask(id, "/setwage 2490"); got != bot.T("denied.command") {
			t.Errorf("/setwage by %d = %q", id, got)
		}
	}
	if n := h.recCount(`SELECT COUNT(*) FROM settings`); n != 0 {
		t.Fatalf("%d settings stored", n)
	}
	mustContain(t, "/setwage", h.ask(adminID, "/setwage 2490"), "2490")
	mustContain(t, "/pay", h.ask(w.user.ID, "/pay"), "6225 元/月", "2490 元/月", "2.5 倍", strconv.Itoa(year))
}

// The duty form: 60 lines, a date of another year, a line without a date,
// an empty form: refused whole, the form kept; then a valid one.
func TestDefenceDutyFormHostileInput(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 3161
	h.grant(coordID, "丰县")
	w := newWorker(3162, "丰清单", "13912343162", "丰县")
	h.seedWorker(w, true)
	mustContain(t, "/duties 丰清单", h.ask(coordID, "/duties 丰清单"), "丰清单")
	var many []string
	for i := 0; i < 60; i++ {
		many = append(many, fmt.Sprintf("%d-07-01 事项%d", year, i))
	}
	tests := []struct{ form, want string }{
		{strings.Join(many, "\n"), bot.T("rec.too_long")},
		{fmt.Sprintf("%d-07-01 好的\n%d-01-01 明年的", year, year+1), bot.T("rec.bad_date")},
		{fmt.Sprintf("%d-07-01 好的\n%d-12-31 去年的", year, year-1), bot.T("rec.bad_date")},
		{fmt.Sprintf("%d-02-30 没有这天", year), bot.T("rec.bad_date")},
		{"9999-01-01 太远", bot.T("rec.bad_date")},
		{fmt.Sprintf("%d-07-01 %s", year, strings.Repeat("长", 600)), bot.T("rec.too_long")},
		{fmt.Sprintf("%d-07-01 好的\n没有日期", year), bot.T("du.bad_line", "没有日期")},
	}
	for _, tt := range tests {
		if got := h.ask(coordID, tt.form); got != tt.want {
			t.Errorf("form %.40q = %q, want %q", tt.form, got, tt.want)
		}
	}
	if n := h.recCount(`SELECT COUNT(*) FROM duties`); n != 0 {
		t.Fatalf("%d duties stored", n)
	}
	if got := h.ask(coordID, fmt.Sprintf("%d-07-01 <b>换届</b>\n%d-08-01 &党课", year, year)); got != bot.T("du.assigned", 2) {
		t.Errorf("a valid form = %q", got)
	}
	mustContain(t, "/duties", h.ask(w.user.ID, "/duties"), "<b>换届</b>", "&党课")
}

// /report: another district, an unknown one and a partial name are
// refused; an alias is its district; the caption fits.
func TestDefenceReportScopeThroughTheBot(t *testing.T) {
	h := startBot(t, nil, nil)
	const feng, jw, city = 3171, 3172, 3173
	h.grant(feng, "丰县")
	h.grant(jw, "贾汪区")
	h.grant(city, "")
	h.seedWorker(newWorker(3174, "贾报表", "13912343174", "贾汪区"), true)
	h.seedWorker(newWorker(3175, "沛报表", "13912343175", "沛县"), true)
	for _, tt := range []struct {
		id         int64
		args, want string
	}{
		{feng, "沛县", bot.T("sched.out_of_scope")},
		{feng, "贾汪", bot.T("sched.out_of_scope")},
		{feng, "不存在县", bot.T("quizstats.unknown_district", "不存在县")},
		{feng, "丰", bot.T("quizstats.unknown_district", "丰")},
		{feng, "<b>", plain(bot.T("quizstats.unknown_district", "&lt;b&gt;"))},
		{city, "全市县", bot.T("quizstats.unknown_district", "全市县")},
	} {
		if got := h.ask(tt.id, "/report "+tt.args); got != tt.want {
			t.Errorf("/report %s by %d = %q, want %q", tt.args, tt.id, got, tt.want)
		}
	}
	for _, tt := range []struct {
		id       int64
		args     string
		district string
	}{{jw, "贾汪", "贾汪区"}, {jw, "", "贾汪区"}, {city, "经开区", "徐州经济技术开发区"}, {city, "ＰＥＩ县", ""}, {city, "沛县", "沛县"}} {
		if tt.district == "" {
			continue
		}
		h.ask(tt.id, strings.TrimSpace("/report "+tt.args))
		m := h.lastMessage(tt.id)
		if m.Document == nil || !strings.Contains(m.Document.FileName, tt.district) {
			t.Errorf("/report %s by %d sent %+v", tt.args, tt.id, m)
			continue
		}
		if n := utf16Units(m.Caption); n > 1024 {
			t.Errorf("caption of %d units", n)
		}
	}
	if h.recTooLong() {
		t.Error("a message was refused as too long")
	}
}

// /stats and /vacancies of a district coordinator show their district only;
// the city's /stats of 11 districts fits one message.
func TestDefenceStatsAndVacanciesStayInTheDistrict(t *testing.T) {
	h := startBot(t, nil, nil)
	const feng = 3181
	h.grant(feng, "丰县")
	districts := h.members().Districts().Names()
	for i, d := range districts {
		uids := h.recWorkers(d, int64(40000+100*i), 3, func(j int) string { return fmt.Sprintf("统计%c%c", '甲'+rune(i), '甲'+rune(j)) },
			func(j int) string { return fmt.Sprintf("%s单位%d", d, j) })
		h.recExec(`UPDATE members SET status = 'left', status_at = ?, left_on = ? WHERE user_id = ?`, recStamp(h.clock.Now()), recToday(h), uids[0])
	}
	stats := h.ask(feng, "/stats")
	need(t, "丰县's /stats", stats, "丰县")
	vac := h.ask(feng, "/vacancies")
	need(t, "丰县's /vacancies", vac, "丰县")
	for _, d := range districts {
		if d == "丰县" {
			continue
		}
		if strings.Contains(stats, d) || strings.Contains(vac, d) {
			t.Errorf("丰县's /stats or /vacancies names %s:\n%s\n%s", d, stats, vac)
		}
	}
	all := h.ask(adminID, "/stats")
	for _, d := range districts {
		need(t, "the city's /stats", all, d)
	}
	if n := utf16Units(all); n > 4096 {
		t.Errorf("the city's /stats is %d units", n)
	}
	if got := h.ask(3182, "/stats"); got != bot.T("denied.command") {
		t.Errorf("a stranger's /stats = %q", got)
	}
}

// /hours of 500 entries, with emoji and markup in their titles, fits one
// message and says how many more there are.
func TestDefenceHoursOfFiveHundredEntries(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	w := newWorker(3191, "丰五百", "13912343191", "丰县")
	h.seedWorker(w, true)
	for i := 0; i < 500; i++ {
		h.recExec(`INSERT INTO credits (user_id, hours, on_day, kind, title, reason, by_user, created_at) VALUES (?, 0.25, ?, 'manual', ?, '补登', 1, ?)`,
			w.user.ID, fmt.Sprintf("%d-03-01", year), strings.Repeat("😀<&>", 60), recStamp(h.clock.Now()))
	}
	got := h.ask(w.user.ID, "/hours")
	if n := utf16Units(got); n > 4096 {
		t.Errorf("/hours is %d units", n)
	}
	mustContain(t, "/hours", got, "125/32", bot.T("rec.more", 460))
	if h.recTooLong() {
		t.Error("a message was refused as too long")
	}
}

// 通过 pressed twice at once: one award, one message to the worker, and
// the decision commits with the update marked handled.
func TestDefenceApproveTwiceAtOnce(t *testing.T) {
	h := startBot(t, nil, nil)
	recJune(h)
	const coordID = 3201
	h.grant(coordID, "丰县")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(3202, "丰两次", "13912343202", "丰县")
	h.seedWorker(w, true)
	h.recPending(w.user.ID, "丰县")
	card := h.say(coord, "/applications")
	need(t, "/applications", card.Text, "丰两次")
	data := buttonData(t, card, bot.T("lv.approve"))

	held, release := make(chan int, 1), make(chan struct{})
	h.srv.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "editMessageText" && p.Get("chat_id") == strconv.Itoa(coordID) {
			// Whether the first press (the one whose edit this is) is undone.
			var undone int
			h.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE done_at IS NULL AND update_id =
				(SELECT MIN(update_id) FROM inbox WHERE CAST(payload AS TEXT) LIKE '%"data":"' || ? || '"%')`, data).Scan(&undone)
			select {
			case held <- undone:
				<-release
			default:
			}
		}
		return nil
	})
	before := len(h.sentTo(w.user.ID))
	go func() {
		if undone := <-held; undone != 0 {
			t.Errorf("the first press is not done while the approval's edit is on its way")
		}
		close(release)
	}()
	answers := h.pressTogether(coord, card.MessageID, data, 2)
	h.srv.SetFault(nil)
	texts := []string{answers[0].Text, answers[1].Text}
	if !(texts[0] == bot.T("lv.approved") && texts[1] == bot.T("lv.decided")) {
		t.Errorf("two presses answered %q", texts)
	}
	h.settle()
	if n := h.recCount(`SELECT COUNT(*) FROM inbox WHERE CAST(payload AS TEXT) LIKE '%"data":"' || ? || '"%'`, data); n != 2 {
		t.Errorf("%d presses found in the inbox, want 2", n)
	}
	if n := h.recCount(`SELECT COUNT(*) FROM levels`); n != 1 {
		t.Errorf("%d levels awarded", n)
	}
	if got := h.sentTo(w.user.ID)[before:]; len(got) != 1 || !strings.Contains(got[0], "初级") {
		t.Errorf("the worker was told %q", got)
	}
}

// /applications of 100 pending: each message fits, and each card has its
// two buttons.
func TestDefenceApplicationsCardsFit(t *testing.T) {
	h := startBot(t, nil, nil)
	recJune(h)
	const coordID = 3211
	h.grant(coordID, "丰县")
	uids := h.recWorkers("丰县", 50000, 100, func(i int) string {
		return strings.Repeat("𠮷", 18) + string(rune('甲'+i/10)) + string(rune('甲'+i%10))
	},
		func(i int) string { return strings.Repeat("单", 60) })
	for _, uid := range uids {
		h.recPending(uid, "丰县")
	}
	msgs := h.recAll(botapi.DefaultUser(coordID), "/applications")
	cards := 0
	for _, m := range msgs {
		if n := utf16Units(m.Text); n > 4096 {
			t.Errorf("a message of %d units", n)
		}
		if !strings.Contains(m.Text, "申请评定为") {
			continue
		}
		cards++
		if b := buttons(m); len(b) != 2 {
			t.Errorf("a card with buttons %q", b)
		}
	}
	if cards == 0 || cards > 100 {
		t.Errorf("%d cards", cards)
	}
	if h.recTooLong() {
		t.Error("a message was refused as too long")
	}
}

// Workers may use none of the coordinators' record commands.
func TestDefenceWorkerCannotUseCoordinatorRecords(t *testing.T) {
	h := startBot(t, nil, nil)
	w := newWorker(3221, "丰工人", "13912343221", "丰县")
	h.seedWorker(w, true)
	for _, cmd := range []string{"/credit 丰工人 4 2026-01-01 自己", "/assess 丰工人", "/applications", "/report", "/report 丰县", "/stats", "/vacancies", "/setwage 2490"} {
		if got := h.ask(w.user.ID, cmd); got != bot.T("denied.command") {
			t.Errorf("a worker's %s = %q", cmd, got)
		}
	}
	// /duties 姓名 from a worker is their own list, not another's.
	if got := h.ask(w.user.ID, "/duties 丰工人"); got != bot.T("du.none", h.recs.Year()) {
		t.Errorf("a worker's /duties 丰工人 = %q", got)
	}
}

// The assessment, the rejection and the assignment of duties commit with
// their update marked handled: while the confirmation is on its way, the
// change is stored and no update is left undone.
func TestDefenceFlowsCommitWithTheirUpdate(t *testing.T) {
	h := startBot(t, nil, nil)
	year := recJune(h)
	const coordID = 3231
	h.grant(coordID, "丰县")
	coord := botapi.DefaultUser(coordID)
	w := newWorker(3232, "丰流程", "13912343232", "丰县")
	h.seedWorker(w, true)
	app := h.recPending(w.user.ID, "丰县")
	h.settle()

	check := func(what, reply, count, send string) {
		t.Helper()
		release := h.holdUndone("sendMessage", coordID, func(text string) bool { return strings.Contains(text, reply) }, count)
		h.srv.SendText(coord, botapi.PrivateChat(coord), send)
		undone, rows := release()
		if rows != 1 || undone != 0 {
			t.Errorf("%s: %d rows stored, %d updates undone while the confirmation is on its way", what, rows, undone)
		}
		h.settle()
	}
	h.pressData(coord, botapi.PrivateChat(coord), 1, fmt.Sprintf("as:%d:%d:0", w.user.ID, year))
	check("assessment", "已记录", `SELECT COUNT(*) FROM assessments`, "表现突出")
	h.pressData(coord, botapi.PrivateChat(coord), 1, fmt.Sprintf("ap:no:%d", app))
	check("rejection", "已驳回", `SELECT COUNT(*) FROM level_applications WHERE state = 'rejected'`, "材料不全")
	h.ask(coordID, "/duties 丰流程")
	check("duties", "已布置", `SELECT COUNT(*) FROM duties`, fmt.Sprintf("%d-12-01 换届", year))
}

// 申请 pressed twice at once stores one application.
func TestDefenceApplyTwiceAtOnce(t *testing.T) {
	h := startBot(t, nil, nil)
	recJune(h)
	const coordID = 3241
	h.grant(coordID, "丰县")
	w := newWorker(3242, "丰急", "13912343242", "丰县")
	h.seedWorker(w, true)
	h.recQualify(w.user.ID, member.Access{UserID: coordID, Role: member.RoleCoordinator, District: "丰县"})
	level := h.say(w.user, "/level")
	data := buttonData(t, level, bot.T("lv.apply", "初级"))
	answers := h.pressTogether(w.user, level.MessageID, data, 2)
	if answers[0].Text != bot.T("lv.applied", "初级") || answers[1].Text != bot.T("lv.already_pending") {
		t.Errorf("two presses answered %q and %q", answers[0].Text, answers[1].Text)
	}
	if n := h.recCount(`SELECT COUNT(*) FROM level_applications`); n != 1 {
		t.Errorf("%d applications", n)
	}
	for _, data := range []string{"lv:apply2", "lv:", "lv", "lv:apply:1"} {
		if ans := h.pressData(w.user, botapi.PrivateChat(w.user), level.MessageID, data); ans.Text != bot.T("unknown.button") {
			t.Errorf("%q answered %q", data, ans.Text)
		}
	}
}

// /vacancies of 500 posts, with emoji in the organisations' names, fits one
// message and says how many more there are.
func TestDefenceVacanciesOfFiveHundred(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 3251
	h.grant(coordID, "丰县")
	uids := h.recWorkers("丰县", 70000, 500, func(i int) string { return "丰空" + string(rune('甲'+i)) },
		func(i int) string { return fmt.Sprintf("🏭红色<驿站>&%03d", i) })
	for _, uid := range uids {
		h.recExec(`UPDATE members SET status = 'left', status_at = ?, left_on = ? WHERE user_id = ?`, recStamp(h.clock.Now()), recToday(h), uid)
	}
	got := h.ask(coordID, "/vacancies")
	if n := utf16Units(got); n > 4096 {
		t.Errorf("/vacancies is %d units", n)
	}
	mustContain(t, "/vacancies", got, "500", "🏭红色<驿站>&000", "……另有")
	if h.recTooLong() {
		t.Error("a message was refused as too long")
	}
}
