package member_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dangwu/dangwu/member"
)

type problem struct {
	line    int
	field   member.Field
	err     error
	seeLine int
}

func problemsOf(ps []member.RowProblem) []problem {
	var out []problem
	for _, p := range ps {
		out = append(out, problem{p.Line, p.Field, p.Err, p.SeeLine})
	}
	return out
}

func linesOf(rows []member.RosterRow) []int {
	var out []int
	for _, r := range rows {
		out = append(out, r.Line)
	}
	return out
}

func buildXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseRosterXLSX(t *testing.T) {
	d := mustDistricts(t)
	data := buildXLSX(t, [][]any{
		{"鼓楼区党务工作者名单"},                                     // 1: a title above the header
		{"Phone", "姓名", "单位名称", "区县（必填）", "职务"},            // 2
		{13900000001, "张三", "某某科技有限公司党支部", "鼓楼区", "党组织书记"}, // 3: phone as a number
		nil, // 4: blank
		{"1390000", "李四", "某公司", "鼓楼区", ""},            // 5: bad phone
		{"13900000003", "王五", "某公司", "南京市", ""},        // 6: unknown district
		{"139 0000 0001", "赵六", "某公司", "鼓楼区", ""},      // 7: same phone as line 3
		{"+86 139-0000-0004", "钱七", "", "云龙", "委员"},    // 8: alias district, no org
		{"13900000005", "", "某公司", "鼓楼区", ""},          // 9: empty name
		{"13900000006", "😀😀", "某公司", "鼓楼区", ""},        // 10: emoji name
		{1.3900000007e10, "孙八", "某公司", "泉山区", "党建指导员"}, // 11: float phone
	})
	rows, problems, err := ParseRosterOK(t, "名单.XLSX", data, d)
	if err != nil {
		t.Fatal(err)
	}
	if got := linesOf(rows); !slices.Equal(got, []int{3, 8, 11}) {
		t.Errorf("good rows on lines %v, want [3 8 11]", got)
	}
	want := []member.RosterRow{
		{Line: 3, Name: "张三", Phone: "13900000001", District: "鼓楼区", Org: "某某科技有限公司党支部", Post: "党组织书记"},
		{Line: 8, Name: "钱七", Phone: "13900000004", District: "云龙区", Post: "委员"},
		{Line: 11, Name: "孙八", Phone: "13900000007", District: "泉山区", Org: "某公司", Post: "党建指导员"},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows = %+v\nwant %+v", rows, want)
	}
	wantProblems := []problem{
		{5, member.FieldPhone, member.ErrInvalidPhone, 0},
		{6, member.FieldDistrict, member.ErrUnknownDistrict, 0},
		{7, member.FieldPhone, member.ErrDuplicatePhone, 3},
		{9, member.FieldName, member.ErrMissingValue, 0},
		{10, member.FieldName, member.ErrInvalidName, 0},
	}
	if got := problemsOf(problems); !slices.Equal(got, wantProblems) {
		t.Errorf("problems = %+v\nwant %+v", got, wantProblems)
	}
}

// ParseRosterOK calls ParseRoster and checks that every problem names a line.
func ParseRosterOK(t *testing.T, name string, data []byte, d member.Districts) ([]member.RosterRow, []member.RowProblem, error) {
	t.Helper()
	rows, problems, err := member.ParseRoster(context.Background(), name, data, d)
	for _, p := range problems {
		if p.Line <= 0 || p.Err == nil {
			t.Errorf("problem without line or error: %+v", p)
		}
	}
	return rows, problems, err
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := simplifiedchinese.GBK.NewEncoder().Writer(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseRosterCSV(t *testing.T) {
	d := mustDistricts(t)
	const body = "姓名,手机号,区县,单位,职务\n" +
		"张三,13900000001,鼓楼区,某某公司,党组织书记\n" +
		"李四,13900000002,徐州市,某某公司,\n" +
		"\n" +
		"王五,13900000001,鼓楼,\"某某\n分公司\",委员\n" +
		"赵六,13900000004,铜山,某某公司,\n" +
		// the same phone on another district's roster is no duplicate:
		// each district keeps its own
		"张三,13900000001,云龙区,某某公司,\n"
	wantRows := []member.RosterRow{
		{Line: 2, Name: "张三", Phone: "13900000001", District: "鼓楼区", Org: "某某公司", Post: "党组织书记"},
		{Line: 7, Name: "赵六", Phone: "13900000004", District: "铜山区", Org: "某某公司"},
		{Line: 8, Name: "张三", Phone: "13900000001", District: "云龙区", Org: "某某公司"},
	}
	wantProblems := []problem{
		{3, member.FieldDistrict, member.ErrUnknownDistrict, 0},
		{5, member.FieldPhone, member.ErrDuplicatePhone, 2},
	}
	tests := []struct {
		name string
		file string
		data []byte
	}{
		{"utf-8", "roster.csv", []byte(body)},
		{"utf-8 with BOM", "roster.csv", append([]byte("\xEF\xBB\xBF"), body...)},
		{"gbk", "花名册.csv", gbk(t, body)},
		{"crlf", "roster.CSV", bytes.ReplaceAll([]byte(body), []byte("\n"), []byte("\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, problems, err := ParseRosterOK(t, tt.file, tt.data, d)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows, wantRows) {
				t.Errorf("rows = %+v\nwant %+v", rows, wantRows)
			}
			if got := problemsOf(problems); !slices.Equal(got, wantProblems) {
				t.Errorf("problems = %+v\nwant %+v", got, wantProblems)
			}
		})
	}
}

func TestParseRosterHeaders(t *testing.T) {
	d := mustDistricts(t)
	tests := []struct {
		name  string
		file  string
		data  string
		lines []int
		field member.Field
		err   error
	}{
		{"english, any order", "r.csv", "District,Mobile,Organization,Name\n鼓楼区,13900000001,X公司,张三\n", []int{2}, "", nil},
		{"tab separated", "r.txt", "姓名\t电话\t地区\n张三\t13900000001\t鼓楼区\n", []int{2}, "", nil},
		{"semicolon separated", "r.csv", "姓名;联系电话;所属区县;岗位\n张三;13900000001;鼓楼区;委员\n", []int{2}, "", nil},
		{"marked header", "r.csv", "*姓名,*手机号(必填),区 县\n张三,13900000001,鼓楼区\n", []int{2}, "", nil},
		{"missing district", "r.csv", "姓名,手机号,单位\n张三,13900000001,X公司\n", nil, member.FieldDistrict, member.ErrMissingColumn},
		{"missing phone", "r.csv", "姓名,区县\n张三,鼓楼区\n", nil, member.FieldPhone, member.ErrMissingColumn},
		{"no header at all", "r.csv", "张三,13900000001,鼓楼区\n", nil, member.FieldName, member.ErrMissingColumn},
		{"empty file", "r.csv", "", nil, member.FieldName, member.ErrMissingColumn},
		{"phone twice", "r.csv", "姓名,手机,电话,区县\n张三,13900000001,13900000002,鼓楼区\n", nil, member.FieldPhone, member.ErrDuplicateColumn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, problems, err := member.ParseRoster(context.Background(), tt.file, []byte(tt.data), d)
			if tt.err != nil {
				var ce *member.ColumnError
				if !errors.As(err, &ce) || !errors.Is(err, tt.err) || ce.Field != tt.field {
					t.Fatalf("err = %v, want a column error for %s", err, tt.field)
				}
				if rows != nil || problems != nil {
					t.Errorf("refused file gave rows %v, problems %v", rows, problems)
				}
				return
			}
			if err != nil || len(problems) > 0 {
				t.Fatalf("err = %v, problems = %v", err, problems)
			}
			if got := linesOf(rows); !slices.Equal(got, tt.lines) {
				t.Errorf("lines = %v, want %v", got, tt.lines)
			}
		})
	}
	_, _, err := member.ParseRoster(context.Background(), "old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0}, d)
	wantErr(t, "xls", err, member.ErrUnsupportedFile)
	_, _, err = member.ParseRoster(context.Background(), "broken.xlsx", []byte("PK\x03\x04 not really"), d)
	if err == nil {
		t.Error("a broken spreadsheet was accepted")
	}
}

func TestParseRosterXLSXMissingColumn(t *testing.T) {
	data := buildXLSX(t, [][]any{{"姓名", "手机", "单位"}, {"张三", "13900000001", "X"}})
	_, _, err := member.ParseRoster(context.Background(), "r.xlsx", data, mustDistricts(t))
	var ce *member.ColumnError
	if !errors.As(err, &ce) || ce.Field != member.FieldDistrict || !errors.Is(err, member.ErrMissingColumn) {
		t.Fatalf("err = %v, want missing district column", err)
	}
}

func TestImportRoster(t *testing.T) {
	e := newEnv(t)
	verified := e.register(t, 100, "13900000001", "鼓楼区", true)
	typed := e.register(t, 101, "13900000002", "鼓楼区", false)
	elsewhere := e.register(t, 102, "13900000003", "云龙区", true)
	rows := []member.RosterRow{
		{Line: 2, Name: "张三", Phone: "13900000001", District: "鼓楼区"},
		{Line: 3, Name: "李四", Phone: "13900000002", District: "鼓楼区"},
		{Line: 4, Name: "王五", Phone: "13900000003", District: "云龙区"},
		{Line: 5, Name: "赵六", Phone: "13900000004", District: "鼓楼"},
		{Line: 6, Name: "钱七", Phone: "1390000", District: "鼓楼区"},
		{Line: 7, Name: "孙八", Phone: "13900000004", District: "鼓楼区"},
	}
	_, err := e.svc.ImportRoster(e.ctx, 100, rows, nil)
	wantErr(t, "import by a worker", err, member.ErrForbidden)

	rep, err := e.svc.ImportRoster(e.ctx, coordGulou, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 3 || rep.Updated != 0 || rep.Skipped != 0 {
		t.Errorf("report %d added %d updated %d skipped, want 3 0 0", rep.Added, rep.Updated, rep.Skipped)
	}
	wantProblems := []problem{
		{4, member.FieldDistrict, member.ErrOutOfScope, 0},
		{6, member.FieldPhone, member.ErrInvalidPhone, 0},
		{7, member.FieldPhone, member.ErrDuplicatePhone, 5},
	}
	if got := problemsOf(rep.Problems); !slices.Equal(got, wantProblems) {
		t.Errorf("problems = %+v\nwant %+v", got, wantProblems)
	}
	if len(rep.Approved) != 1 || rep.Approved[0].ID != verified.ID || rep.Approved[0].Status != member.StatusApproved || rep.Approved[0].UserID != 100 {
		t.Fatalf("approved = %+v, want only member %d", rep.Approved, verified.ID)
	}
	for id, want := range map[int64]member.Status{verified.ID: member.StatusApproved, typed.ID: member.StatusPending, elsewhere.ID: member.StatusPending} {
		if got := e.status(t, id); got != want {
			t.Errorf("member %d is %s, want %s", id, got, want)
		}
	}
	if got := e.kinds(t, 100, verified.ID); !slices.Equal(got, []member.HistoryKind{member.HistoryJoined, member.HistoryApproved}) {
		t.Errorf("history = %v", got)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'approved' AND actor = ? AND target_member = ? AND reason = 'roster'`, coordGulou, verified.ID); n != 1 {
		t.Errorf("%d audited roster approvals, want 1", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'roster_imported' AND actor = ? AND district = '鼓楼区'`, coordGulou); n != 1 {
		t.Errorf("%d audited imports, want 1", n)
	}

	// Again, changed: the city coordinator may write any district's rows.
	rows2 := []member.RosterRow{
		{Line: 2, Name: "张三", Phone: "13900000001", District: "鼓楼区"},             // same
		{Line: 3, Name: "李四", Phone: "13900000002", District: "鼓楼区", Org: "新单位"}, // changed
		{Line: 4, Name: "王五", Phone: "13900000003", District: "云龙区"},             // new, approves 102
	}
	rep, err = e.svc.ImportRoster(e.ctx, coordCity, rows2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Updated != 1 || rep.Skipped != 1 || len(rep.Problems) != 0 {
		t.Errorf("second report = %+v", rep)
	}
	if len(rep.Approved) != 1 || rep.Approved[0].ID != elsewhere.ID {
		t.Errorf("second import approved %+v, want member %d", rep.Approved, elsewhere.ID)
	}
	// Another district's coordinator lists a phone already on 鼓楼区's
	// roster: it goes on 云龙区's own roster, and 鼓楼区's entry stays as it
	// was. This used to be refused as ErrOutOfScope on the phone, which was a
	// leak (it told 云龙区 the phone was on another district's roster) and let
	// the first district to import a phone keep every other from listing it.
	rep, err = e.svc.ImportRoster(e.ctx, coordYunl, []member.RosterRow{{Line: 9, Name: "张三", Phone: "13900000001", District: "云龙区"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 || rep.Added != 1 || rep.Updated+rep.Skipped != 0 || len(rep.Approved) != 0 {
		t.Errorf("云龙区's report = %+v, want 1 added and nothing else", rep)
	}
	if got := e.rosterDistricts(t, "13900000001"); !slices.Equal(got, []string{"云龙区", "鼓楼区"}) {
		t.Errorf("13900000001 is on the rosters of %v, want 云龙区 and 鼓楼区", got)
	}
}

// failingStore fails the n-th PutRoster of a transaction sequence.
type failingStore struct {
	member.Store
	failOn, calls int
}

var errInjected = errors.New("injected failure")

func (f *failingStore) Atomic(ctx context.Context, fn func(context.Context, member.Tx) error) error {
	return f.Store.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return fn(ctx, &failingTx{Tx: tx, s: f}) })
}

type failingTx struct {
	member.Tx
	s *failingStore
}

func (t *failingTx) PutRoster(ctx context.Context, r member.RosterEntry) error {
	t.s.calls++
	if t.s.calls == t.s.failOn {
		return errInjected
	}
	return t.Tx.PutRoster(ctx, r)
}

func TestImportRosterFailureWritesNothing(t *testing.T) {
	var fs *failingStore
	e := newEnvWith(t, func(st member.Store) member.Store {
		fs = &failingStore{Store: st, failOn: 3}
		return fs
	})
	p1 := e.register(t, 100, "13900000001", "鼓楼区", true)
	p2 := e.register(t, 101, "13900000002", "鼓楼区", true)
	audits, history := e.count(t, `SELECT COUNT(*) FROM audit_log`), e.count(t, `SELECT COUNT(*) FROM member_history`)
	var rows []member.RosterRow
	for i := 1; i <= 4; i++ {
		rows = append(rows, member.RosterRow{Line: i + 1, Name: "张三", Phone: fmt.Sprintf("1390000000%d", i), District: "鼓楼区"})
	}
	_, err := e.svc.ImportRoster(e.ctx, coordGulou, rows, nil)
	wantErr(t, "import", err, errInjected)
	if fs.calls != 3 {
		t.Fatalf("PutRoster called %d times, want the failure on the 3rd", fs.calls)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM roster`); n != 0 {
		t.Errorf("%d roster rows after a failed import", n)
	}
	for _, p := range []member.Profile{p1, p2} {
		if s := e.status(t, p.ID); s != member.StatusPending {
			t.Errorf("member %d is %s after a failed import", p.ID, s)
		}
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log`); n != audits {
		t.Errorf("audit log %d -> %d after a failed import", audits, n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM member_history`); n != history {
		t.Errorf("history %d -> %d after a failed import", history, n)
	}
	// The same import without the fault goes through whole.
	fs.failOn = 0
	rep, err := e.svc.ImportRoster(e.ctx, coordGulou, rows, nil)
	if err != nil || rep.Added != 4 || len(rep.Approved) != 2 {
		t.Fatalf("retry = %+v, %v", rep, err)
	}
}

func TestParseRosterSecondSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	e := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e(f.SetCellStr("Sheet1", "A1", "填表说明：请勿修改表头"))
	_, err := f.NewSheet("名单")
	e(err)
	e(f.SetSheetRow("名单", "A1", &[]any{"姓名", "手机号码", "地区"}))
	e(f.SetSheetRow("名单", "A4", &[]any{"张三", "13900000001", "新沂"}))
	var buf bytes.Buffer
	e(f.Write(&buf))
	rows, problems, err := member.ParseRoster(context.Background(), "r.xlsx", buf.Bytes(), mustDistricts(t))
	if err != nil || len(problems) != 0 {
		t.Fatalf("err = %v, problems = %v", err, problems)
	}
	if len(rows) != 1 || rows[0].Line != 4 || rows[0].District != "新沂市" {
		t.Errorf("rows = %+v, want one on line 4 of the second sheet", rows)
	}
}

func TestParseRosterTooManyRows(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("姓名,手机,区县\n")
	for i := 0; i <= member.MaxRosterRows+10; i++ {
		fmt.Fprintf(&b, "张三,139%08d,鼓楼区\n", i)
	}
	_, _, err := member.ParseRoster(context.Background(), "big.csv", b.Bytes(), mustDistricts(t))
	wantErr(t, "too many rows", err, member.ErrTooManyRows)
}

func TestImportRosterAsOperator(t *testing.T) {
	e := newEnv(t)
	p := e.register(t, 100, "13900000001", "丰县", true)
	rows := []member.RosterRow{{Line: 2, Name: "张三", Phone: "13900000001", District: "丰县"}}
	_, err := e.svc.ImportRoster(e.ctx, 0, rows, nil)
	wantErr(t, "import with no actor", err, member.ErrForbidden)
	rep, err := e.svc.ImportRosterAsOperator(e.ctx, rows, nil)
	if err != nil || rep.Added != 1 || len(rep.Approved) != 1 || rep.Approved[0].ID != p.ID {
		t.Fatalf("operator import = %+v, %v", rep, err)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE actor IS NULL AND action IN ('approved', 'roster_imported')`); n != 2 {
		t.Errorf("%d operator audit entries, want 2", n)
	}
}
