package member

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
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
	SeeLine int // for ErrDuplicatePhone: the line where the phone came first
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
}

func (e *ColumnError) Error() string {
	return fmt.Sprintf("roster column %s (%s): %v", e.Field, headerNames[e.Field][0], e.Err)
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

// table is a file's rows with the line number of each.
type table struct {
	rows  [][]string
	lines []int
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
// and reported with their line number. Blank rows are ignored.
func ParseRoster(fileName string, data []byte, d Districts) ([]RosterRow, []RowProblem, error) {
	switch ext := strings.ToLower(path.Ext(fileName)); {
	case ext == ".xlsx" || ext == ".xlsm" || (ext != ".csv" && bytes.HasPrefix(data, []byte("PK\x03\x04"))):
		return parseXLSX(data, d)
	case ext == ".csv" || ext == ".txt" || ext == "":
		t, err := readCSV(data)
		if err != nil {
			return nil, nil, err
		}
		return parseTable(t, d)
	default:
		return nil, nil, fmt.Errorf("%w: %s", ErrUnsupportedFile, ext)
	}
}

// parseXLSX parses the first sheet that has a header with every required
// column; if none has, the first sheet's header error is returned.
func parseXLSX(data []byte, d Districts) ([]RosterRow, []RowProblem, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20})
	if err != nil {
		return nil, nil, fmt.Errorf("read spreadsheet: %w", err)
	}
	defer f.Close()
	var firstErr error
	for _, sheet := range f.GetSheetList() {
		t, err := readSheet(f, sheet)
		if err != nil {
			return nil, nil, err
		}
		rows, problems, err := parseTable(t, d)
		var ce *ColumnError
		if errors.As(err, &ce) {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		return rows, problems, err
	}
	if firstErr == nil {
		firstErr = &ColumnError{Field: FieldName, Err: ErrMissingColumn}
	}
	return nil, nil, firstErr
}

// readSheet reads a sheet's cells as stored (a long number stays digits),
// numbering rows as the spreadsheet does.
func readSheet(f *excelize.File, sheet string) (table, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return table{}, fmt.Errorf("read sheet %s: %w", sheet, err)
	}
	defer rows.Close()
	var t table
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return table{}, fmt.Errorf("read sheet %s row %d: %w", sheet, n, err)
		}
		t.rows = append(t.rows, cells)
		t.lines = append(t.lines, n)
		if len(t.rows) > MaxRosterRows+10 {
			return table{}, ErrTooManyRows
		}
	}
	if err := rows.Error(); err != nil {
		return table{}, fmt.Errorf("read sheet %s: %w", sheet, err)
	}
	return t, nil
}

// decodeText returns data as UTF-8: a UTF-8 BOM is dropped, UTF-16 with a BOM
// is converted, valid UTF-8 is kept, and anything else is read as GB18030 (a
// superset of GBK, which Excel writes on Chinese Windows).
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder(), data)
		if err != nil {
			return "", fmt.Errorf("read UTF-16 text: %w", err)
		}
		return string(out), nil
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil {
		return "", fmt.Errorf("read GBK text: %w", err)
	}
	return string(out), nil
}

func readCSV(data []byte) (table, error) {
	text, err := decodeText(data)
	if err != nil {
		return table{}, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffSeparator(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var t table
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return table{}, fmt.Errorf("read csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
		if len(t.rows) > MaxRosterRows+10 {
			return table{}, ErrTooManyRows
		}
	}
	return t, nil
}

// sniffSeparator picks the separator most used on the first line.
func sniffSeparator(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	best, n := ',', strings.Count(first, ",")
	for _, c := range []rune{'\t', ';'} {
		if k := strings.Count(first, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// findHeader returns the index of the header row and its column map.
func findHeader(t table) (int, map[Field]int, error) {
	at := -1
	for i, seen := 0, 0; i < len(t.rows) && seen < 10; i++ {
		if blank(t.rows[i]) {
			continue
		}
		seen++
		if at < 0 {
			at = i
		}
		known := 0
		for _, c := range t.rows[i] {
			if _, ok := headerField(c); ok {
				known++
			}
		}
		if known >= 2 {
			at = i
			break
		}
	}
	cols := make(map[Field]int)
	if at >= 0 {
		for j, c := range t.rows[at] {
			f, ok := headerField(c)
			if !ok {
				continue
			}
			if _, dup := cols[f]; dup {
				return 0, nil, &ColumnError{Field: f, Err: ErrDuplicateColumn}
			}
			cols[f] = j
		}
	}
	for _, f := range requiredColumns {
		if _, ok := cols[f]; !ok {
			return 0, nil, &ColumnError{Field: f, Err: ErrMissingColumn}
		}
	}
	return at, cols, nil
}

func parseTable(t table, d Districts) ([]RosterRow, []RowProblem, error) {
	at, cols, err := findHeader(t)
	if err != nil {
		return nil, nil, err
	}
	if len(t.rows)-at-1 > MaxRosterRows {
		return nil, nil, ErrTooManyRows
	}
	var rows []RosterRow
	var problems []RowProblem
	firstLine := make(map[string]int)
	for i := at + 1; i < len(t.rows); i++ {
		raw := t.rows[i]
		if blank(raw) {
			continue
		}
		cell := func(f Field) string {
			j, ok := cols[f]
			if !ok || j >= len(raw) {
				return ""
			}
			return strings.TrimSpace(raw[j])
		}
		values := make(map[Field]string, len(rosterColumns))
		for _, f := range rosterColumns {
			values[f] = cell(f)
		}
		values[FieldPhone] = spreadsheetNumber(values[FieldPhone])
		row, rowProblems := checkRosterRow(t.lines[i], values, d)
		if len(rowProblems) == 0 {
			if first, dup := firstLine[row.Phone]; dup {
				rowProblems = append(rowProblems, RowProblem{Line: row.Line, Field: FieldPhone, Value: values[FieldPhone], Err: ErrDuplicatePhone, SeeLine: first})
			} else {
				firstLine[row.Phone] = row.Line
			}
		}
		if len(rowProblems) > 0 {
			problems = append(problems, rowProblems...)
			continue
		}
		rows = append(rows, row)
	}
	return rows, problems, nil
}

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
	Added   int // phones new to the roster
	Updated int // phones whose entry changed
	Skipped int // rows identical to the roster
	// Problems are the rows left out, by line.
	Problems []RowProblem
	// Approved are the pending registrations approved because their verified
	// phone is now on their district's roster; the bot tells each of them.
	Approved []Profile
}
