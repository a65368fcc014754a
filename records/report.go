package records

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/xuri/excelize/v2"
)

// ErrUnknownDistrict refuses a report of a district that does not exist.
var ErrUnknownDistrict = errors.New("records: no such district")

// ReportWorker is one worker's line of the report.
type ReportWorker struct {
	UserID                 int64
	Name, District, Org    string
	Post, Education        string
	StartYear              int
	Status                 string
	Level                  string
	Hours                  float64
	ExamsPassed, BestScore int
	Registered, Attended   int // events of the year registered for that ended, and attended
	Rating                 string
	DutiesDue, DutiesDone  int // due this year so far, and done on time
	LastSeen               time.Time
}

// ReportEvent is one event's line of the report.
type ReportEvent struct {
	ID                   int64
	Title, Kind          string
	District             string
	Start, End           time.Time
	Registered, Attended int
	Hours                float64
}

// ReportExam is one finished exam.
type ReportExam struct {
	Name, District, Exam string
	Score                int
	Passed               bool
	Finished             time.Time
}

// ReportData is what a report holds, read by a ReportStore.
type ReportData struct {
	Workers   []ReportWorker
	Events    []ReportEvent
	Exams     []ReportExam
	Vacancies []Vacancy
}

// DistrictStats are one district's figures at a glance.
type DistrictStats struct {
	District      string
	Workers       int // approved
	ActiveWeek    int // approved workers who wrote to the bot in the last 7 days
	Questions     int // asked in the last 7 days
	Unanswered    int // of those, without a confident answer
	Quizzes       int // sessions finished in the last 7 days
	Registered    int // sign-ups of the year's ended events
	Attended      int
	BehindOnHours int // approved workers behind the year's target, pro rata
	ExamsTaken    int // this year
	ExamsPassed   int
	HoursDone     float64
	HoursTarget   float64
}

// ReportStore reads what reports and statistics need; store.RecordsStore
// implements it.
type ReportStore interface {
	// ReportData reads district's ("" all) figures of year as they stand at now.
	ReportData(ctx context.Context, district string, year int, now time.Time, loc *time.Location) (ReportData, error)
	// DistrictStats counts district's figures: the week before now, and year.
	DistrictStats(ctx context.Context, district string, now time.Time, year int, loc *time.Location) (DistrictStats, error)
}

func (s *Service) reportStore() (ReportStore, error) {
	rs, ok := s.store.(ReportStore)
	if !ok {
		return nil, errors.New("records: the store cannot read reports")
	}
	return rs, nil
}

// reportScope resolves the district a report covers: a district
// coordinator's own (another is ErrOutOfScope), any or all ("") for a
// city-wide one.
func reportScope(actor member.Access, districts member.Districts, asked string) (string, error) {
	district := ""
	if asked != "" {
		d, ok := districts.Resolve(asked)
		if !ok {
			return "", ErrUnknownDistrict
		}
		district = d
	}
	switch {
	case actor.Role == member.RoleAdmin || (actor.Role == member.RoleCoordinator && actor.District == ""):
		return district, nil
	case actor.Role == member.RoleCoordinator && (district == "" || district == actor.District):
		return actor.District, nil
	case actor.Role == member.RoleCoordinator:
		return "", ErrOutOfScope
	}
	return "", ErrNotCoordinator
}

// Report gathers the report of the actor's scope (district "" for all of
// it) for this year, with each worker's target.
func (s *Service) Report(ctx context.Context, actor member.Access, districts member.Districts, district string) (Report, error) {
	rs, err := s.reportStore()
	if err != nil {
		return Report{}, err
	}
	district, err = reportScope(actor, districts, district)
	if err != nil {
		return Report{}, err
	}
	year := s.Year()
	data, err := s.syncedData(ctx, rs, district, year)
	if err != nil {
		return Report{}, err
	}
	r := Report{District: district, Year: year, Made: s.clock(), Data: data, Targets: map[int64]float64{}}
	for _, w := range data.Workers {
		r.Targets[w.UserID] = s.content.For(w.District).Target(w.Post).Hours
	}
	names := districts.Names()
	if district != "" {
		names = []string{district}
	}
	for _, d := range names {
		st, err := rs.DistrictStats(ctx, d, s.clock(), year, s.loc)
		if err != nil {
			return Report{}, err
		}
		st.HoursTarget = s.targetsOf(data.Workers, d)
		st.BehindOnHours = s.behindOf(data.Workers, d)
		r.Stats = append(r.Stats, st)
	}
	return r, nil
}

// syncedData reads the report's data after bringing every worker's ledger
// up to date with their attendance and exams (the ledger is otherwise
// brought up to date when someone reads it).
func (s *Service) syncedData(ctx context.Context, rs ReportStore, district string, year int) (ReportData, error) {
	data, err := rs.ReportData(ctx, district, year, s.clock(), s.loc)
	if err != nil {
		return data, err
	}
	err = s.atomic(ctx, func(ctx context.Context) error {
		for _, w := range data.Workers {
			if err := s.store.SyncCredits(ctx, w.UserID, s.content.For(w.District).ExamHours, s.Day); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return data, err
	}
	return rs.ReportData(ctx, district, year, s.clock(), s.loc)
}

// behindOf counts district's approved workers behind their year's 学时
// target pro rata (by the day of the year).
func (s *Service) behindOf(ws []ReportWorker, district string) int {
	now := s.clock().In(s.loc)
	start := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, s.loc)
	share := now.Sub(start).Hours() / start.AddDate(1, 0, 0).Sub(start).Hours()
	n := 0
	for _, w := range ws {
		if w.District == district && w.Status == string(member.StatusApproved) &&
			w.Hours < s.content.For(w.District).Target(w.Post).Hours*share {
			n++
		}
	}
	return n
}

func (s *Service) targetsOf(ws []ReportWorker, district string) float64 {
	total := 0.0
	for _, w := range ws {
		if w.District == district && w.Status == string(member.StatusApproved) {
			total += s.content.For(w.District).Target(w.Post).Hours
		}
	}
	return total
}

// Stats are the figures per district of the actor's scope.
func (s *Service) Stats(ctx context.Context, actor member.Access, districts member.Districts) ([]DistrictStats, error) {
	rs, err := s.reportStore()
	if err != nil {
		return nil, err
	}
	district, err := reportScope(actor, districts, "")
	if err != nil {
		return nil, err
	}
	names := districts.Names()
	if district != "" {
		names = []string{district}
	}
	data, err := s.syncedData(ctx, rs, district, s.Year())
	if err != nil {
		return nil, err
	}
	var out []DistrictStats
	for _, d := range names {
		st, err := rs.DistrictStats(ctx, d, s.clock(), s.Year(), s.loc)
		if err != nil {
			return nil, err
		}
		st.HoursTarget = s.targetsOf(data.Workers, d)
		st.BehindOnHours = s.behindOf(data.Workers, d)
		out = append(out, st)
	}
	return out, nil
}

// Report is a coordinator's workbook: the figures of their scope.
type Report struct {
	District string // "" the whole city
	Year     int
	Made     time.Time
	Data     ReportData
	Targets  map[int64]float64 // each worker's 学时 target
	Stats    []DistrictStats
}

// The report's sheets.
const (
	SheetSummary   = "汇总"
	SheetWorkers   = "党务工作者"
	SheetEvents    = "活动和出勤"
	SheetExams     = "考试成绩"
	SheetVacancies = "空缺岗位"
)

// WriteReport writes the report as an .xlsx workbook: a summary sheet with
// native charts per district (active workers, 学时 completion, exam pass
// rate), then the workers, events, exams and vacancies, each with Chinese
// headers, a frozen header row and readable widths. Long sheets are
// streamed.
func WriteReport(w io.Writer, r Report, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02")
	}
	pct := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return math.Round(float64(a)*1000/float64(b)) / 10
	}

	// The summary, with its charts.
	scope := "全市"
	if r.District != "" {
		scope = r.District
	}
	sum := [][]any{
		{fmt.Sprintf("%s党务工作者情况汇总（%d年，%s制表）", scope, r.Year, date(r.Made))},
		{"区县", "党务工作者", "近7天活跃", "学时完成率（%）", "考试通过率（%）", "培训出勤率（%）", "学时落后人数", "近7天提问", "其中未答出"},
	}
	for _, st := range r.Stats {
		done := 0.0
		if st.HoursTarget > 0 {
			done = math.Round(math.Min(st.HoursDone/st.HoursTarget, 1)*1000) / 10
		}
		sum = append(sum, []any{st.District, st.Workers, st.ActiveWeek, done, pct(st.ExamsPassed, st.ExamsTaken),
			pct(st.Attended, st.Registered), st.BehindOnHours, st.Questions, st.Unanswered})
	}
	for i, row := range sum {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(SheetSummary, cell, &row); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(SheetSummary, "A1", "I2", bold); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetSummary, "A", "A", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetSummary, "B", "I", 16); err != nil {
		return err
	}
	if err := freeze(f, SheetSummary, 2); err != nil {
		return err
	}
	if n := len(r.Stats); n > 0 {
		last := n + 2
		charts := []struct {
			col, title, anchor string
		}{
			{"C", "近7天活跃人数", "K2"},
			{"D", "学时完成率（%）", "K18"},
			{"E", "考试通过率（%）", "K34"},
		}
		for _, c := range charts {
			if err := f.AddChart(SheetSummary, c.anchor, &excelize.Chart{
				Type: excelize.Col,
				Series: []excelize.ChartSeries{{
					Name:       fmt.Sprintf("'%s'!$%s$2", SheetSummary, c.col),
					Categories: fmt.Sprintf("'%s'!$A$3:$A$%d", SheetSummary, last),
					Values:     fmt.Sprintf("'%s'!$%s$3:$%s$%d", SheetSummary, c.col, c.col, last),
				}},
				Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title}}},
				Legend:    excelize.ChartLegend{Position: "none"},
				Dimension: excelize.ChartDimension{Width: 640, Height: 300},
			}); err != nil {
				return fmt.Errorf("chart %s: %w", c.title, err)
			}
		}
	}

	// The long sheets, streamed.
	sheets := []struct {
		name   string
		header []any
		widths []float64
		rows   func(yield func([]any) error) error
	}{
		{SheetWorkers, []any{"姓名", "区县", "单位", "岗位", "学历", "任职年份", "状态", "等级", "学时", "学时目标", "完成率（%）",
			"通过考试", "最好成绩", "报名活动", "出席", "年度考核", "责任清单到期", "按时完成", "最近活跃"},
			[]float64{10, 14, 28, 14, 8, 10, 8, 8, 8, 10, 12, 10, 10, 10, 8, 10, 12, 10, 12},
			func(yield func([]any) error) error {
				for _, w := range r.Data.Workers {
					target := r.Targets[w.UserID]
					done := 100.0
					if target > 0 {
						done = math.Round(math.Min(w.Hours/target, 1)*1000) / 10
					}
					if err := yield([]any{w.Name, w.District, w.Org, w.Post, w.Education, w.StartYear, statusName(w.Status), w.Level,
						w.Hours, target, done, w.ExamsPassed, w.BestScore, w.Registered, w.Attended, w.Rating, w.DutiesDue, w.DutiesDone,
						date(w.LastSeen)}); err != nil {
						return err
					}
				}
				return nil
			}},
		{SheetEvents, []any{"活动", "类型", "区县", "开始", "结束", "报名", "出席", "出勤率（%）", "学时"},
			[]float64{36, 10, 14, 18, 18, 8, 8, 12, 8},
			func(yield func([]any) error) error {
				for _, e := range r.Data.Events {
					district := e.District
					if district == "" {
						district = "全市"
					}
					if err := yield([]any{e.Title, kindName(e.Kind), district, e.Start.In(loc).Format("2006-01-02 15:04"),
						e.End.In(loc).Format("2006-01-02 15:04"), e.Registered, e.Attended, pct(e.Attended, e.Registered), e.Hours}); err != nil {
						return err
					}
				}
				return nil
			}},
		{SheetExams, []any{"姓名", "区县", "试卷", "成绩", "是否通过", "交卷时间"},
			[]float64{10, 14, 16, 8, 10, 18},
			func(yield func([]any) error) error {
				for _, e := range r.Data.Exams {
					passed := "否"
					if e.Passed {
						passed = "是"
					}
					if err := yield([]any{e.Name, e.District, e.Exam, e.Score, passed, e.Finished.In(loc).Format("2006-01-02 15:04")}); err != nil {
						return err
					}
				}
				return nil
			}},
		{SheetVacancies, []any{"区县", "单位", "空缺原因", "空缺起始", "原党务工作者"},
			[]float64{14, 30, 20, 12, 12},
			func(yield func([]any) error) error {
				for _, v := range r.Data.Vacancies {
					reason := "原党务工作者已退出"
					if v.Reason != "left" {
						reason = "原党务工作者考核不合格"
					}
					if err := yield([]any{v.District, v.Org, reason, date(v.Since), v.Name}); err != nil {
						return err
					}
				}
				return nil
			}},
	}
	for _, sh := range sheets {
		if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			return err
		}
		for i, wd := range sh.widths {
			if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		header := make([]any, len(sh.header))
		for i, h := range sh.header {
			header[i] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		row := 2
		err = sh.rows(func(values []any) error {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			row++
			return sw.SetRow(cell, values)
		})
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	// The summary, the first sheet, is the active one already: setting it
	// again would read every streamed sheet back into memory.
	_, err = f.WriteTo(w)
	return err
}

func freeze(f *excelize.File, sheet string, rows int) error {
	cell, _ := excelize.CoordinatesToCellName(1, rows+1)
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: rows, TopLeftCell: cell, ActivePane: "bottomLeft"})
}

func statusName(s string) string {
	switch member.Status(s) {
	case member.StatusApproved:
		return "在岗"
	case member.StatusLeft:
		return "已退出"
	case member.StatusPending:
		return "待审核"
	}
	return s
}

func kindName(k string) string {
	names := map[string]string{"course": "培训班", "forum": "先锋论坛", "rotation": "轮训班", "trip": "学习考察"}
	if n, ok := names[k]; ok {
		return n
	}
	return k
}

// Behind keeps, of userIDs, the people behind the year's 学时 target pro
// rata (by the day of the year): the audience "behind on 学时".
func (s *Service) Behind(ctx context.Context, userIDs []int64) ([]int64, error) {
	now := s.clock().In(s.loc)
	start := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, s.loc)
	share := now.Sub(start).Hours() / start.AddDate(1, 0, 0).Sub(start).Hours()
	var out []int64
	for _, id := range userIDs {
		p, err := s.Ledger(ctx, id, now.Year())
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if p.Hours < p.Target.Hours*share {
			out = append(out, id)
		}
	}
	return out, nil
}

// LevelNames lists the level names of the city's and every district's
// rules, lowest first, each once.
func (s *Service) LevelNames() []string {
	var out []string
	seen := map[string]bool{}
	add := func(r Rules) {
		for _, l := range r.Levels {
			if !seen[l.Name] {
				seen[l.Name] = true
				out = append(out, l.Name)
			}
		}
	}
	add(s.content.City)
	for _, r := range s.content.Districts {
		add(r)
	}
	return out
}
