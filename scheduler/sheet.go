package scheduler

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// RosterSheet is the sheet of the workbook WriteRoster writes.
const RosterSheet = "签到表"

// rosterTimeLayout is how the 签到表 writes times, in the event's zone.
const rosterTimeLayout = "2006-01-02 15:04"

// The columns of the 签到表, with their widths in characters.
var rosterColumns = []struct {
	name  string
	width float64
}{
	{"序号", 7},
	{"姓名", 12},
	{"区县", 12},
	{"报名状态", 10},
	{"报名时间", 18},
	{"签到时间", 18},
	{"签到方式", 10},
	{"出席", 7},
	{"学时", 7},
	{"备注", 30},
}

// The labels of the 签到表's cells.
const (
	rosterRegistered = "已报名"
	rosterWaiting    = "候补"
	rosterWalkIn     = "现场签到"
	rosterPresent    = "是"
	rosterAbsent     = "否"
	rosterGone       = "已注销" // a worker no longer on record
	rosterNoCheckIn  = "未签到"
)

// rosterMethods names the ways of checking in (Attendance.Method).
var rosterMethods = map[string]string{
	"code":   "签到码",
	"link":   "扫码",
	"manual": "手工",
}

// RosterName is the name of the file WriteRoster writes for e.
func RosterName(e Event) string {
	return fmt.Sprintf("签到表-%d.xlsx", e.ID)
}

// WriteRoster writes r as an .xlsx 签到表: the event's title, time (in
// loc) and place above a header row, then one row for each person signed
// up, registered first and then waiting, each in the order of r.Signups,
// then one for each person who attended without signing up (现场签到), in
// the order of r.Attendance. A person without a check-in is 未签到 and
// absent. Rows are streamed, so a large roster does not build a worksheet
// in memory.
func WriteRoster(w io.Writer, r Roster, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	if err := writeRoster(w, r, loc); err != nil {
		return fmt.Errorf("write roster of event %d: %w", r.Event.ID, err)
	}
	return nil
}

func writeRoster(w io.Writer, r Roster, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", RosterSheet); err != nil {
		return err
	}
	titleStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	if err != nil {
		return err
	}
	headerStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2DCDB"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(RosterSheet)
	if err != nil {
		return err
	}
	for i, c := range rosterColumns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	last, err := excelize.ColumnNumberToName(len(rosterColumns))
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	// The title, and the time and place, each across the sheet.
	e := r.Event
	info := fmt.Sprintf("时间：%s 至 %s", e.Start.In(loc).Format(rosterTimeLayout), e.End.In(loc).Format(rosterTimeLayout))
	if place := eventPlace(e); place != "" {
		info += "　地点：" + place
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: titleStyle, Value: e.Title}}, excelize.RowOpts{Height: 24}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{info}); err != nil {
		return err
	}
	for row := 1; row <= 2; row++ {
		if err := sw.MergeCell(fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", last, row)); err != nil {
			return err
		}
	}
	header := make([]any, len(rosterColumns))
	for i, c := range rosterColumns {
		header[i] = c.name
	}
	if err := sw.SetRow("A3", header, excelize.RowOpts{StyleID: headerStyle}); err != nil {
		return err
	}

	attended := make(map[int64]Attendance, len(r.Attendance))
	for _, a := range r.Attendance {
		attended[a.UserID] = a // the last record of a person stands
	}
	signed := make(map[int64]bool, len(r.Signups))
	n := 0
	put := func(userID int64, status string, signedAt time.Time) error {
		n++
		row := make([]any, len(rosterColumns))
		row[0] = n
		row[1] = rosterGone
		if wk, ok := r.Workers[userID]; ok && wk.UserID != 0 {
			row[1], row[2] = wk.Name, wk.District
		}
		row[3] = status
		if !signedAt.IsZero() {
			row[4] = signedAt.In(loc).Format(rosterTimeLayout)
		}
		row[7], row[8], row[9] = rosterAbsent, 0, rosterNoCheckIn
		if a, ok := attended[userID]; ok {
			if !a.At.IsZero() {
				row[5] = a.At.In(loc).Format(rosterTimeLayout)
			}
			row[6] = a.Method
			if m, ok := rosterMethods[a.Method]; ok {
				row[6] = m
			}
			row[7] = rosterAbsent
			if a.Present {
				row[7] = rosterPresent
			}
			row[8], row[9] = a.Hours, a.Reason
		}
		return sw.SetRow(fmt.Sprintf("A%d", n+3), row)
	}
	// Registered first, then waiting, each in the order given.
	for _, registered := range []bool{true, false} {
		for _, s := range r.Signups {
			if (s.Status == Registered) != registered || signed[s.UserID] {
				continue
			}
			signed[s.UserID] = true
			status := string(s.Status)
			switch s.Status {
			case Registered:
				status = rosterRegistered
			case Waiting:
				status = rosterWaiting
			}
			if err := put(s.UserID, status, s.At); err != nil {
				return err
			}
		}
	}
	for _, a := range r.Attendance {
		if signed[a.UserID] || !attended[a.UserID].Present {
			continue
		}
		signed[a.UserID] = true
		if err := put(a.UserID, rosterWalkIn, time.Time{}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
