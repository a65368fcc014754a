package member

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/dangwu/dangwu/internal/table"
)

// MaxRosterRows is the most data rows a roster file may have.
const MaxRosterRows = 20000

// RosterRow is one checked row of a roster file.
type RosterRow struct {
	Line     int // line (CSV) or row (spreadsheet) number in the file, from 1
	Name     string
	Phone    string
	District string
	Org      string
	Post     string
}

// RowProblem is why one row of a roster was not imported. Err is one of the
// package's sentinels: ErrMissingValue, ErrInvalidName, ErrInvalidPhone,
// ErrUnknownDistrict, ErrInvalidOrg, ErrInvalidPost, ErrDuplicatePhone,
// ErrOutOfScope. A row can have several problems.
type RowProblem struct {
	Line    int
	Field   Field  // the column at fault
	Value   string // the cell as found
	Err     error
	SeeLine int // for ErrDuplicatePhone: the line where the phone came first in that district
}

func (p RowProblem) Error() string {
	msg := fmt.Sprintf("line %d: %s %q: %v", p.Line, p.Field, p.Value, p.Err)
	if p.SeeLine > 0 {
		msg += fmt.Sprintf(" (first on line %d)", p.SeeLine)
	}
	return msg
}

func (p RowProblem) Unwrap() error { return p.Err }

// ColumnError refuses a whole roster file because of its header: a required
// column is missing (ErrMissingColumn) or a column appears twice
// (ErrDuplicateColumn).
type ColumnError struct {
	Field Field
	Err   error
	// UnreadableLine is a line before the data with bytes that could not be
	// decoded (which may have spoiled the header), 0 if none.
	UnreadableLine int
}

func (e *ColumnError) Error() string {
	msg := fmt.Sprintf("roster column %s (%s): %v", e.Field, headerNames[e.Field][0], e.Err)
	if e.UnreadableLine > 0 {
		msg += fmt.Sprintf(" (line %d has bytes that are not characters)", e.UnreadableLine)
	}
	return msg
}

func (e *ColumnError) Unwrap() error { return e.Err }

// headerNames are the header texts of each column, Chinese and English,
// compared after folding width and case and removing spaces and marks.
var headerNames = map[Field][]string{
	FieldName:     {"姓名", "名字", "name", "fullname"},
	FieldPhone:    {"手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式", "移动电话", "phone", "phonenumber", "mobile", "mobilephone", "cellphone", "tel", "telephone"},
	FieldDistrict: {"区县", "地区", "区域", "县区", "县(市、区)", "县(市区)", "所属区县", "所在区县", "所属地区", "district", "area", "county"},
	FieldOrg:      {"单位", "组织", "单位名称", "组织名称", "所在单位", "工作单位", "所在组织", "organisation", "organization", "org", "company", "unit"},
	FieldPost:     {"职务", "岗位", "职位", "post", "position", "title", "jobtitle", "role"},
}

var rosterColumns = []Field{FieldName, FieldPhone, FieldDistrict, FieldOrg, FieldPost}

var requiredColumns = []Field{FieldName, FieldPhone, FieldDistrict}

var headerIndex = func() map[string]Field {
	m := make(map[string]Field)
	for f, names := range headerNames {
		for _, n := range names {
			m[foldHeader(n)] = f
		}
	}
	return m
}()

func foldHeader(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if r == ' ' || r == '*' || r == ':' || r == '\u00a0' || r == '\ufeff' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// headerField recognises a header cell: "手机号", "Phone", "手机号（必填）", "*姓名".
func headerField(cell string) (Field, bool) {
	h := foldHeader(cell)
	if f, ok := headerIndex[h]; ok {
		return f, true
	}
	if i := strings.IndexByte(h, '('); i > 0 {
		f, ok := headerIndex[h[:i]]
		return f, ok
	}
	return "", false
}

// rosterKey is what makes a roster row one: its phone in its district (each
// district keeps its own roster, and a phone may be on several).
func rosterKey(r RosterRow) string { return r.Phone + "\x00" + r.District }

// Limits on a roster file. Each is checked before the data it bounds is
// read or allocated, so a parse takes memory bounded by them and time linear
// in the file.
const (
	// MaxRosterSize is the largest roster file, in bytes.
	MaxRosterSize = 20 << 20
	// MaxRosterColumns is the most cells a CSV line may have.
	MaxRosterColumns = 256

	maxHeaderRows = 10 // non-blank rows searched for the header
)

// rosterLimits bound the reading of a roster table.
var rosterLimits = table.Limits{
	MaxRecordBytes: 64 << 10, // one CSV record
	MaxRecordLines: 8,        // physical lines one CSV record may span
	MaxColumns:     MaxRosterColumns,
	MaxRowCells:    1024,    // cells kept of a row
	MaxCellBytes:   4 << 10, // text kept of one spreadsheet cell
	MaxSheetRows:   1 << 20, // row elements of a sheet (Excel's limit)
	MaxZipEntries:  4096,
	MaxUnzipped:    256 << 20, // all entries of a spreadsheet, uncompressed
	MaxPartXML:     64 << 20,  // one worksheet or the shared strings, uncompressed
	MaxSmallXML:    4 << 20,   // the workbook and relationship parts
}

// Errors of roster files beyond the package's sentinels.
var (
	// ErrRosterTooLarge: the file, or a part of the spreadsheet once
	// uncompressed, is over its limit.
	ErrRosterTooLarge = errors.New("member: roster file is too large")
	// ErrRecordTooLong: a CSV record is over maxRecordBytes, has more than
	// MaxRosterColumns cells, or spans more than maxRecordLines lines (a
	// quote that is never closed).
	ErrRecordTooLong = errors.New("member: roster line is too long")
	// ErrUnreadableText: a value holds bytes that are not characters of the
	// file's encoding (each was replaced by U+FFFD).
	ErrUnreadableText = errors.New("member: value has bytes that are not characters")
)

// Roster is a parsed roster file.
type Roster struct {
	Rows     []RosterRow
	Problems []RowProblem // rows left out, by line
	// Encoding is the text encoding of a CSV file ("UTF-8", "UTF-8 (BOM)",
	// "UTF-16LE", "UTF-16BE" or "GB18030"); empty for a spreadsheet.
	Encoding string
	// InvalidLines are the lines of a CSV file with bytes that could not be
	// decoded (at most textenc.MaxPositions of them). A row whose value has
	// such a byte is left out with ErrUnreadableText.
	InvalidLines []int
}

// ParseRoster reads a roster file: .xlsx (the first sheet with a header) or
// .csv (UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030; comma,
// semicolon or tab separated). The header row — the first of the first ten
// rows that names at least two known columns — maps columns by their text in
// any order: 姓名/name, 手机/手机号/电话/phone, 区县/地区/district (required),
// 单位/组织/organisation and 职务/岗位/post (optional). A file without a
// required column is refused whole with a *ColumnError. Otherwise every row
// is checked, and the rows with a problem (empty required value, bad name or
// phone, unknown district, phone already on an earlier row, ...) are left out
// and reported with their line number. Blank rows are ignored. Only the
// columns the header names are kept; see ReadRoster for the limits.
func ParseRoster(ctx context.Context, fileName string, data []byte, d Districts) ([]RosterRow, []RowProblem, error) {
	r, err := ReadRoster(ctx, fileName, data, d)
	return r.Rows, r.Problems, err
}

// ReadRoster is ParseRoster that also reports a CSV file's encoding and the
// lines with undecodable bytes. The file may have MaxRosterSize bytes,
// MaxRosterRows data rows and, in CSV, MaxRosterColumns cells a line;
// spreadsheets are read as a stream, with their uncompressed parts bounded
// before they are read. It returns ctx.Err() when ctx is cancelled.
func ReadRoster(ctx context.Context, fileName string, data []byte, d Districts) (Roster, error) {
	if len(data) > MaxRosterSize {
		return Roster{}, fmt.Errorf("%w (%d bytes, limit %d)", ErrRosterTooLarge, len(data), MaxRosterSize)
	}
	switch ext := strings.ToLower(path.Ext(fileName)); {
	case ext == ".xlsx" || ext == ".xlsm" || (ext != ".csv" && bytes.HasPrefix(data, []byte("PK\x03\x04"))):
		return readXLSX(ctx, data, d)
	case ext == ".csv" || ext == ".txt" || ext == "":
		return readCSV(ctx, data, d)
	default:
		return Roster{}, fmt.Errorf("%w: %s", ErrUnsupportedFile, ext)
	}
}

// rosterBuilder takes a table row by row (it is a table.SheetSink): it
// finds the header among the first rows, then checks each data row, keeping
// only the named columns.
type rosterBuilder struct {
	d         Districts
	cols      map[Field]int // set once the header is found
	colField  map[int]Field
	seen      int          // non-blank rows before the header
	first     []table.Cell // the first non-blank row, for the header error
	dataRows  int
	firstLine map[string]int
	badLine   int // the first line before the header with undecodable bytes
	out       Roster
}

func newRosterBuilder(d Districts) *rosterBuilder {
	return &rosterBuilder{d: d, firstLine: make(map[string]int)}
}

// Want reports whether the cells of column col are needed.
func (b *rosterBuilder) Want(col int) bool {
	if b.cols == nil {
		return true
	}
	_, ok := b.colField[col]
	return ok
}

// Row takes the row on line: its wanted non-empty cells, and whether
// another cell has content.
func (b *rosterBuilder) Row(line int, cells []table.Cell, other bool) error {
	isBlank := !other
	for _, c := range cells {
		isBlank = isBlank && strings.TrimSpace(c.Text) == ""
	}
	if isBlank {
		return nil
	}
	if b.cols == nil {
		return b.headerCandidate(line, cells)
	}
	b.dataRows++
	if b.dataRows > MaxRosterRows {
		return ErrTooManyRows
	}
	values := make(map[Field]string, len(rosterColumns))
	invalid := make(map[Field]bool)
	for _, c := range cells {
		if f, ok := b.colField[c.Col]; ok {
			values[f] = strings.TrimSpace(c.Text)
			invalid[f] = c.Invalid
		}
	}
	values[FieldPhone] = spreadsheetNumber(values[FieldPhone])
	var problems []RowProblem
	for _, f := range rosterColumns {
		if invalid[f] {
			problems = append(problems, RowProblem{Line: line, Field: f, Value: values[f], Err: ErrUnreadableText})
		}
	}
	row, rowProblems := checkRosterRow(line, values, b.d)
	problems = append(problems, rowProblems...)
	if len(problems) == 0 {
		if first, dup := b.firstLine[rosterKey(row)]; dup {
			problems = append(problems, RowProblem{Line: row.Line, Field: FieldPhone, Value: values[FieldPhone], Err: ErrDuplicatePhone, SeeLine: first})
		} else {
			b.firstLine[rosterKey(row)] = row.Line
		}
	}
	if len(problems) > 0 {
		b.out.Problems = append(b.out.Problems, problems...)
		return nil
	}
	b.out.Rows = append(b.out.Rows, row)
	return nil
}

// headerCandidate looks at a non-blank row before the header: the first
// with at least two known column names is the header.
func (b *rosterBuilder) headerCandidate(line int, cells []table.Cell) error {
	if b.badLine == 0 {
		for _, c := range cells {
			if c.Invalid {
				b.badLine = line
				break
			}
		}
	}
	b.seen++
	if b.first == nil {
		b.first = slices.Clone(cells) // the reader reuses cells
	}
	known := 0
	for _, c := range cells {
		if _, ok := headerField(c.Text); ok {
			known++
		}
	}
	switch {
	case known >= 2:
		return b.setHeader(cells)
	case b.seen >= maxHeaderRows:
		return b.setHeader(b.first)
	}
	return nil
}

// setHeader maps columns from the header row, or refuses the file.
func (b *rosterBuilder) setHeader(cells []table.Cell) error {
	cols := make(map[Field]int)
	for _, c := range cells {
		f, ok := headerField(c.Text)
		if !ok {
			continue
		}
		if _, dup := cols[f]; dup {
			return &ColumnError{Field: f, Err: ErrDuplicateColumn, UnreadableLine: b.badLine}
		}
		cols[f] = c.Col
	}
	for _, f := range requiredColumns {
		if _, ok := cols[f]; !ok {
			return &ColumnError{Field: f, Err: ErrMissingColumn, UnreadableLine: b.badLine}
		}
	}
	b.cols = cols
	b.colField = make(map[int]Field, len(cols))
	for f, j := range cols {
		b.colField[j] = f
	}
	b.first = nil
	return nil
}

// End ends the table: a table whose header was not found is refused.
func (b *rosterBuilder) End() error {
	if b.cols == nil {
		return b.setHeader(b.first)
	}
	return nil
}

// readCSV reads a CSV file record by record.
func readCSV(ctx context.Context, data []byte, d Districts) (Roster, error) {
	b := newRosterBuilder(d)
	info, err := table.ReadCSV(ctx, data, b, rosterLimits)
	if err == nil {
		err = b.End()
	}
	if err != nil {
		return Roster{}, rosterError(err)
	}
	b.out.Encoding = info.Encoding
	b.out.InvalidLines = info.InvalidLines
	return b.out, nil
}

// readXLSX parses the first sheet of a workbook with a header naming every
// required column; if none has, the first sheet's header error is returned.
func readXLSX(ctx context.Context, data []byte, d Districts) (Roster, error) {
	var b *rosterBuilder
	_, err := table.ReadXLSX(ctx, data, func(string) table.SheetSink {
		b = newRosterBuilder(d)
		return b
	}, rosterLimits)
	if err != nil {
		return Roster{}, rosterError(err)
	}
	return b.out, nil
}

// rosterError gives an error of internal/table the roster sentinel that
// means the same, in its words; errors.Is finds both.
func rosterError(err error) error {
	for _, m := range []struct{ table, roster error }{
		{table.ErrTooLarge, ErrRosterTooLarge},
		{table.ErrRecordTooLong, ErrRecordTooLong},
	} {
		if errors.Is(err, m.table) {
			msg := strings.Replace(err.Error(), m.table.Error(), m.roster.Error(), 1)
			return &tableError{msg: msg, errs: []error{m.roster, err}}
		}
	}
	return err
}

type tableError struct {
	msg  string
	errs []error
}

func (e *tableError) Error() string   { return e.msg }
func (e *tableError) Unwrap() []error { return e.errs }

// spreadsheetNumber undoes what spreadsheets do to long numbers:
// "1.3912345678E+10", "13912345678.0", and the text mark "'13912345678".
func spreadsheetNumber(s string) string {
	s = strings.TrimPrefix(s, "'")
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1e9 || f >= 1e15 || f != float64(int64(f)) {
		return s
	}
	return strconv.FormatInt(int64(f), 10)
}

// checkRosterRow checks and normalises one row's values.
func checkRosterRow(line int, v map[Field]string, d Districts) (RosterRow, []RowProblem) {
	row := RosterRow{Line: line}
	var problems []RowProblem
	bad := func(f Field, err error) {
		problems = append(problems, RowProblem{Line: line, Field: f, Value: v[f], Err: err})
	}
	var err error
	for _, f := range requiredColumns {
		if v[f] == "" {
			bad(f, ErrMissingValue)
		}
	}
	if v[FieldName] != "" {
		if row.Name, err = ValidateName(v[FieldName]); err != nil {
			bad(FieldName, err)
		}
	}
	if v[FieldPhone] != "" {
		if row.Phone, err = NormalizePhone(v[FieldPhone]); err != nil {
			bad(FieldPhone, err)
		}
	}
	if v[FieldDistrict] != "" {
		var ok bool
		if row.District, ok = d.Resolve(v[FieldDistrict]); !ok {
			bad(FieldDistrict, ErrUnknownDistrict)
		}
	}
	if v[FieldOrg] != "" {
		if row.Org, err = ValidateOrg(v[FieldOrg]); err != nil {
			bad(FieldOrg, err)
		}
	}
	if v[FieldPost] != "" {
		var ok bool
		if row.Post, ok = cleanText(v[FieldPost], MaxPostLen); !ok {
			bad(FieldPost, ErrInvalidPost)
		}
	}
	return row, problems
}

// RosterReport is the outcome of ImportRoster.
type RosterReport struct {
	Added   int // phones new to their district's roster
	Updated int // phones whose entry on their district's roster changed
	Skipped int // rows identical to their district's roster entry
	// Problems are the rows left out, by line.
	Problems []RowProblem
	// Approved are the pending registrations approved because their verified
	// phone is now on their district's roster; the bot tells each of them.
	Approved []Profile
}
