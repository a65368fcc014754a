package scheduler_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/xuri/excelize/v2"

	"github.com/dangwu/dangwu/scheduler"
)

func parseICS(tb testing.TB, e scheduler.Event) (*ics.Calendar, string) {
	tb.Helper()
	var buf bytes.Buffer
	if err := scheduler.WriteICS(&buf, e, mustLoc(tb, "Asia/Shanghai"), "-//dangwu//test//ZH"); err != nil {
		tb.Fatalf("WriteICS: %v", err)
	}
	raw := buf.String()
	cal, err := ics.ParseCalendar(strings.NewReader(raw))
	if err != nil {
		tb.Fatalf("parse ics: %v\n%s", err, raw)
	}
	return cal, raw
}

func prop(c *ics.ComponentBase, p ics.ComponentProperty) string {
	if ip := c.GetProperty(p); ip != nil {
		return ip.Value
	}
	return ""
}

func calProp(cal *ics.Calendar, p ics.Property) string {
	for _, cp := range cal.CalendarProperties {
		if cp.IANAToken == string(p) {
			return cp.Value
		}
	}
	return ""
}

func TestWriteICS(t *testing.T) {
	loc := mustLoc(t, "Asia/Shanghai")
	start := time.Date(2025, 7, 1, 9, 30, 0, 0, loc)
	base := scheduler.Event{
		ID:          42,
		Kind:        scheduler.Course,
		Title:       "学习贯彻“二十大”精神，专题培训；第一期, part 1",
		Description: "第一行，带逗号; semicolon\n第二行：请带笔记本,\r\n第三行 \\ 反斜杠",
		Start:       start,
		End:         start.Add(150 * time.Minute),
		Place:       "市委党校 3 楼，301 室",
		State:       scheduler.Open,
		Created:     time.Now().Add(-time.Hour),
	}
	for _, tc := range []struct {
		name     string
		edit     func(*scheduler.Event)
		location string
		status   string
		method   string
		alarms   int
	}{
		{"open at a place", func(*scheduler.Event) {}, "市委党校 3 楼，301 室", "CONFIRMED", "PUBLISH", 1},
		{"open at a venue", func(e *scheduler.Event) { e.VenueID, e.VenueName = 7, "鼓楼区党群服务中心；二楼" }, "鼓楼区党群服务中心；二楼", "CONFIRMED", "PUBLISH", 1},
		{"cancelled", func(e *scheduler.Event) { e.State = scheduler.Cancelled }, "市委党校 3 楼，301 室", "CANCELLED", "CANCEL", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base
			tc.edit(&e)
			cal, raw := parseICS(t, e)
			for i, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
				if len(line) > 75 {
					t.Errorf("line %d is %d octets, longer than 75: %q", i+1, len(line), line)
				}
			}
			if !strings.HasPrefix(raw, "BEGIN:VCALENDAR\r\n") || !strings.Contains(raw, "VERSION:2.0\r\n") {
				t.Errorf("not a VCALENDAR 2.0:\n%s", raw)
			}
			if got := calProp(cal, ics.PropertyMethod); got != tc.method {
				t.Errorf("METHOD = %q, want %q", got, tc.method)
			}
			if got := calProp(cal, ics.PropertyProductId); got != "-//dangwu//test//ZH" {
				t.Errorf("PRODID = %q", got)
			}
			events := cal.Events()
			if len(events) != 1 {
				t.Fatalf("%d VEVENTs, want 1", len(events))
			}
			ev := events[0]
			if got, want := ev.Id(), "event-42@dangwu"; got != want {
				t.Errorf("UID = %q, want %q", got, want)
			}
			if _, err := ev.GetDtStampTime(); err != nil {
				t.Errorf("DTSTAMP: %v", err)
			}
			for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd} {
				if v := prop(&ev.ComponentBase, p); !strings.HasSuffix(v, "Z") {
					t.Errorf("%s = %q, want a UTC time", p, v)
				}
			}
			gotStart, err := ev.GetStartAt()
			if err != nil || !gotStart.Equal(e.Start) || gotStart.Location() != time.UTC {
				t.Errorf("DTSTART = %v (%v), want %v in UTC", gotStart, err, e.Start.UTC())
			}
			gotEnd, err := ev.GetEndAt()
			if err != nil || !gotEnd.Equal(e.End) {
				t.Errorf("DTEND = %v (%v), want %v", gotEnd, err, e.End.UTC())
			}
			if got := prop(&ev.ComponentBase, ics.ComponentPropertySummary); got != e.Title {
				t.Errorf("SUMMARY = %q, want %q", got, e.Title)
			}
			if got := prop(&ev.ComponentBase, ics.ComponentPropertyLocation); got != tc.location {
				t.Errorf("LOCATION = %q, want %q", got, tc.location)
			}
			wantDesc := "第一行，带逗号; semicolon\n第二行：请带笔记本,\n第三行 \\ 反斜杠"
			if got := prop(&ev.ComponentBase, ics.ComponentPropertyDescription); got != wantDesc {
				t.Errorf("DESCRIPTION = %q, want %q", got, wantDesc)
			}
			if !strings.Contains(raw, `\,`) || !strings.Contains(raw, `\;`) || !strings.Contains(raw, `\n`) {
				t.Errorf("commas, semicolons and newlines are not escaped:\n%s", raw)
			}
			if got := prop(&ev.ComponentBase, ics.ComponentPropertyStatus); got != tc.status {
				t.Errorf("STATUS = %q, want %q", got, tc.status)
			}
			alarms := ev.Alarms()
			if len(alarms) != tc.alarms {
				t.Fatalf("%d VALARMs, want %d", len(alarms), tc.alarms)
			}
			for _, a := range alarms {
				if got := prop(&a.ComponentBase, ics.ComponentPropertyAction); got != "DISPLAY" {
					t.Errorf("alarm ACTION = %q", got)
				}
				if got := prop(&a.ComponentBase, ics.ComponentPropertyTrigger); got != "-PT1H" {
					t.Errorf("alarm TRIGGER = %q", got)
				}
				if got := prop(&a.ComponentBase, ics.ComponentPropertyDescription); got != e.Title {
					t.Errorf("alarm DESCRIPTION = %q", got)
				}
			}
		})
	}
}

func TestWriteICSSequence(t *testing.T) {
	e := scheduler.Event{ID: 1, Title: "会", Start: time.Now().Add(time.Hour), End: time.Now().Add(2 * time.Hour), State: scheduler.Open, Created: time.Now().Add(-time.Minute)}
	seq := func(e scheduler.Event) string {
		cal, _ := parseICS(t, e)
		return prop(&cal.Events()[0].ComponentBase, ics.ComponentPropertySequence)
	}
	open := seq(e)
	e.State = scheduler.Cancelled
	e.Created = time.Time{}
	if got := seq(e); got != "1" {
		t.Errorf("SEQUENCE of a cancellation = %q, want 1", got)
	}
	if open == "" || open == "0" {
		t.Errorf("SEQUENCE of an event created a minute ago = %q, want the seconds since", open)
	}
}

func TestICSAndRosterName(t *testing.T) {
	e := scheduler.Event{ID: 17}
	if got := scheduler.ICSName(e); got != "event-17.ics" {
		t.Errorf("ICSName = %q", got)
	}
	if got := scheduler.RosterName(e); got != "签到表-17.xlsx" {
		t.Errorf("RosterName = %q", got)
	}
}

func readRoster(tb testing.TB, r scheduler.Roster, loc *time.Location) [][]string {
	tb.Helper()
	var buf bytes.Buffer
	if err := scheduler.WriteRoster(&buf, r, loc); err != nil {
		tb.Fatalf("WriteRoster: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		tb.Fatalf("open roster: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != scheduler.RosterSheet {
		tb.Fatalf("sheets = %v, want [%s]", got, scheduler.RosterSheet)
	}
	rows, err := f.GetRows(scheduler.RosterSheet)
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}

func TestWriteRoster(t *testing.T) {
	loc := mustLoc(t, "Asia/Shanghai")
	start := time.Date(2025, 7, 1, 9, 30, 0, 0, loc)
	signedAt := func(day, h, m int) time.Time { return time.Date(2025, 6, day, h, m, 0, 0, loc).UTC() }
	r := scheduler.Roster{
		Event: scheduler.Event{ID: 5, Title: "先锋论坛：基层治理", Start: start, End: start.Add(2 * time.Hour), VenueID: 3, VenueName: "鼓楼区党群服务中心", Hours: 2},
		// The waiting one is listed first: the sheet puts the registered first.
		Signups: []scheduler.Signup{
			{EventID: 5, UserID: 4, Status: scheduler.Waiting, At: signedAt(20, 8, 0), Seq: 4},
			{EventID: 5, UserID: 1, Status: scheduler.Registered, At: signedAt(10, 9, 5), Seq: 1},
			{EventID: 5, UserID: 2, Status: scheduler.Registered, At: signedAt(11, 10, 0), Seq: 2},
			{EventID: 5, UserID: 3, Status: scheduler.Registered, At: signedAt(12, 20, 30), Seq: 3},
			{EventID: 5, UserID: 9, Status: scheduler.Waiting, At: signedAt(21, 7, 45), Seq: 5},
		},
		Attendance: []scheduler.Attendance{
			{EventID: 5, UserID: 1, At: start.Add(-5 * time.Minute), Method: "code", Present: true, Hours: 2},
			{EventID: 5, UserID: 3, At: start.Add(time.Hour), Method: "manual", Present: false, Hours: 0, Reason: "请假"},
			{EventID: 5, UserID: 7, At: start.Add(3 * time.Minute), Method: "link", Present: true, Hours: 2},
			{EventID: 5, UserID: 8, At: start.Add(30 * time.Minute), Method: "manual", Present: true, Hours: 1.5, Reason: "迟到"},
			{EventID: 5, UserID: 6, At: start.Add(40 * time.Minute), Method: "manual", Present: false, Reason: "误登记"},
		},
		Workers: map[int64]scheduler.Worker{
			1: {UserID: 1, Name: "张三", District: "鼓楼区", Approved: true},
			2: {UserID: 2, Name: "李四", District: "台江区", Approved: true},
			3: {UserID: 3, Name: "王五", District: "鼓楼区", Approved: true},
			4: {UserID: 4, Name: "赵六", District: "仓山区", Approved: true},
			7: {UserID: 7, Name: "孙七", District: "晋安区", Approved: true},
			8: {}, // not found by the service: the zero Worker
			// 9 and 6 are not in the map at all.
		},
	}
	rows := readRoster(t, r, loc)
	if len(rows) < 3 {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	if rows[0][0] != r.Event.Title {
		t.Errorf("title row = %q", rows[0])
	}
	if want := "时间：2025-07-01 09:30 至 2025-07-01 11:30　地点：鼓楼区党群服务中心"; rows[1][0] != want {
		t.Errorf("time and place row = %q, want %q", rows[1][0], want)
	}
	header := []string{"序号", "姓名", "区县", "报名状态", "报名时间", "签到时间", "签到方式", "出席", "学时", "备注"}
	if fmt.Sprint(rows[2]) != fmt.Sprint(header) {
		t.Errorf("header = %q, want %q", rows[2], header)
	}
	want := [][]string{
		{"1", "张三", "鼓楼区", "已报名", "2025-06-10 09:05", "2025-07-01 09:25", "签到码", "是", "2", ""},
		{"2", "李四", "台江区", "已报名", "2025-06-11 10:00", "", "", "否", "0", "未签到"},
		{"3", "王五", "鼓楼区", "已报名", "2025-06-12 20:30", "2025-07-01 10:30", "手工", "否", "0", "请假"},
		{"4", "赵六", "仓山区", "候补", "2025-06-20 08:00", "", "", "否", "0", "未签到"},
		{"5", "已注销", "", "候补", "2025-06-21 07:45", "", "", "否", "0", "未签到"},
		{"6", "孙七", "晋安区", "现场签到", "", "2025-07-01 09:33", "扫码", "是", "2", ""},
		{"7", "已注销", "", "现场签到", "", "2025-07-01 10:00", "手工", "是", "1.5", "迟到"},
	}
	got := rows[3:]
	if len(got) != len(want) {
		t.Fatalf("%d people, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		row := append(got[i], make([]string, len(header)-len(got[i]))...) // GetRows drops trailing empty cells
		if fmt.Sprint(row) != fmt.Sprint(want[i]) {
			t.Errorf("row %d = %q,\n            want %q", i+1, row, want[i])
		}
	}
}

func TestWriteRosterLarge(t *testing.T) {
	const people = 20000
	loc := mustLoc(t, "Asia/Shanghai")
	start := time.Date(2025, 7, 1, 9, 30, 0, 0, loc)
	r := scheduler.Roster{
		Event:      scheduler.Event{ID: 6, Title: "全市党员轮训", Start: start, End: start.Add(8 * time.Hour), Place: "体育中心", Hours: 8},
		Signups:    make([]scheduler.Signup, people),
		Attendance: make([]scheduler.Attendance, 0, people/2),
		Workers:    make(map[int64]scheduler.Worker, people),
	}
	for i := range people {
		id := int64(i + 1)
		status := scheduler.Registered
		if i >= people*9/10 {
			status = scheduler.Waiting
		}
		r.Signups[i] = scheduler.Signup{EventID: 6, UserID: id, Status: status, At: start.Add(-time.Duration(people-i) * time.Minute), Seq: id}
		r.Workers[id] = scheduler.Worker{UserID: id, Name: fmt.Sprintf("党员%05d", id), District: "鼓楼区", Approved: true}
		if i%2 == 0 {
			r.Attendance = append(r.Attendance, scheduler.Attendance{EventID: 6, UserID: id, At: start, Method: "code", Present: true, Hours: 8})
		}
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var buf bytes.Buffer
	if err := scheduler.WriteRoster(&buf, r, loc); err != nil {
		t.Fatalf("WriteRoster: %v", err)
	}
	runtime.ReadMemStats(&after)
	// The heap the runtime holds follows its peak; rows are streamed to a
	// temporary file in chunks, so it grows by tens of MB, not by the size
	// of a worksheet of 20,000 rows built in memory.
	if grown := int64(after.HeapSys) - int64(before.HeapSys); grown > 100<<20 {
		t.Errorf("the heap grew by %d MB writing %d rows", grown>>20, people)
	}

	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("open roster: %v", err)
	}
	defer f.Close()
	rows, err := f.Rows(scheduler.RosterSheet)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if n <= 3 {
			continue
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint(n - 3); cols[0] != want {
			t.Fatalf("row %d has 序号 %q, want %s", n, cols[0], want)
		}
	}
	if err := rows.Error(); err != nil {
		t.Fatal(err)
	}
	if n != people+3 {
		t.Errorf("%d rows, want %d people and 3 above them", n, people)
	}
}
