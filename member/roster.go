package member

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/dangwu/dangwu/internal/textenc"
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

// Limits on a roster file. Each is checked before the data it bounds is
// read or allocated, so a parse takes memory bounded by them and time linear
// in the file.
const (
	// MaxRosterSize is the largest roster file, in bytes.
	MaxRosterSize = 20 << 20
	// MaxRosterColumns is the most cells a CSV line may have.
	MaxRosterColumns = 256

	maxHeaderRows  = 10       // non-blank rows searched for the header
	maxRecordBytes = 64 << 10 // one CSV record
	maxRecordLines = 8        // physical lines one CSV record may span
	maxHeaderCells = 1024     // cells kept of a row before the header is known
	maxCellBytes   = 4 << 10  // text kept of one spreadsheet cell
	maxSheetRows   = 1 << 20  // row elements of a sheet (Excel's limit)
	maxZipEntries  = 4096
	maxUnzipped    = 256 << 20 // all entries of a spreadsheet, uncompressed
	maxPartXML     = 64 << 20  // one worksheet or the shared strings, uncompressed
	maxSmallXML    = 4 << 20   // the workbook and relationship parts
	checkEvery     = 1 << 12   // tokens or records between two looks at ctx
)

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

// cell is one non-empty cell of a row; col counts from 0.
type cell struct {
	col  int
	text string
}

// rosterBuilder takes a table row by row: it finds the header among the
// first rows, then checks each data row, keeping only the named columns.
type rosterBuilder struct {
	d         Districts
	cols      map[Field]int // set once the header is found
	colField  map[int]Field
	seen      int    // non-blank rows before the header
	first     []cell // the first non-blank row, for the header error
	dataRows  int
	firstLine map[string]int
	invalid   bool // the text had undecodable bytes
	badLine   int  // the first line before the header with such bytes
	out       Roster
}

func newRosterBuilder(d Districts) *rosterBuilder {
	return &rosterBuilder{d: d, firstLine: make(map[string]int)}
}

// want reports whether the cells of column col are needed.
func (b *rosterBuilder) want(col int) bool {
	if b.cols == nil {
		return true
	}
	_, ok := b.colField[col]
	return ok
}

// add takes the row on line: its wanted non-empty cells (at most
// maxHeaderCells before the header), and whether another cell has content.
func (b *rosterBuilder) add(line int, cells []cell, other bool) error {
	isBlank := !other
	for _, c := range cells {
		isBlank = isBlank && strings.TrimSpace(c.text) == ""
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
	for _, c := range cells {
		if f, ok := b.colField[c.col]; ok {
			values[f] = strings.TrimSpace(c.text)
		}
	}
	values[FieldPhone] = spreadsheetNumber(values[FieldPhone])
	var problems []RowProblem
	if b.invalid {
		for _, f := range rosterColumns {
			if strings.ContainsRune(values[f], utf8.RuneError) {
				problems = append(problems, RowProblem{Line: line, Field: f, Value: values[f], Err: ErrUnreadableText})
			}
		}
	}
	row, rowProblems := checkRosterRow(line, values, b.d)
	problems = append(problems, rowProblems...)
	if len(problems) == 0 {
		if first, dup := b.firstLine[row.Phone]; dup {
			problems = append(problems, RowProblem{Line: row.Line, Field: FieldPhone, Value: values[FieldPhone], Err: ErrDuplicatePhone, SeeLine: first})
		} else {
			b.firstLine[row.Phone] = row.Line
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
func (b *rosterBuilder) headerCandidate(line int, cells []cell) error {
	if b.invalid && b.badLine == 0 {
		for _, c := range cells {
			if strings.ContainsRune(c.text, utf8.RuneError) {
				b.badLine = line
				break
			}
		}
	}
	b.seen++
	if b.first == nil {
		b.first = cells
	}
	known := 0
	for _, c := range cells {
		if _, ok := headerField(c.text); ok {
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
func (b *rosterBuilder) setHeader(cells []cell) error {
	cols := make(map[Field]int)
	for _, c := range cells {
		f, ok := headerField(c.text)
		if !ok {
			continue
		}
		if _, dup := cols[f]; dup {
			return &ColumnError{Field: f, Err: ErrDuplicateColumn, UnreadableLine: b.badLine}
		}
		cols[f] = c.col
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

// finish ends the table: a table whose header was not found is refused.
func (b *rosterBuilder) finish() (Roster, error) {
	if b.cols == nil {
		if err := b.setHeader(b.first); err != nil {
			return Roster{}, err
		}
	}
	return b.out, nil
}

// readCSV decodes a CSV file and reads it record by record.
func readCSV(ctx context.Context, data []byte, d Districts) (Roster, error) {
	dec, err := textenc.Decode(data)
	if err != nil {
		return Roster{}, fmt.Errorf("read csv: %w", err)
	}
	text := dec.Text
	b := newRosterBuilder(d)
	b.invalid = dec.InvalidCount > 0
	lim := &recordLimit{r: strings.NewReader(text)}
	r := csv.NewReader(lim)
	r.Comma = sniffSeparator(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var offset int64 // where the next record starts
	var cells []cell
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return Roster{}, err
			}
		}
		lim.n = 0
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errRecordLimit) {
			line := 1 + strings.Count(text[:offset], "\n")
			return Roster{}, fmt.Errorf("line %d: %w (over %d bytes)", line, ErrRecordTooLong, maxRecordBytes)
		}
		if err != nil {
			return Roster{}, fmt.Errorf("read csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		end := r.InputOffset()
		if spans := strings.Count(text[offset:end], "\n"); spans > maxRecordLines {
			return Roster{}, fmt.Errorf("line %d: %w (a quoted cell runs over %d lines: is a quote not closed?)", line, ErrRecordTooLong, spans)
		}
		offset = end
		if len(rec) > MaxRosterColumns {
			return Roster{}, fmt.Errorf("line %d: %w (%d cells, limit %d)", line, ErrRecordTooLong, len(rec), MaxRosterColumns)
		}
		if b.cols == nil {
			cells = nil // a row before the header may be kept as the first
		}
		cells = cells[:0]
		other := false
		for j, v := range rec {
			switch {
			case v == "":
			case b.want(j):
				cells = append(cells, cell{col: j, text: v})
			default:
				other = true
			}
		}
		if err := b.add(line, cells, other); err != nil {
			return Roster{}, err
		}
	}
	out, err := b.finish()
	if err != nil {
		return Roster{}, err
	}
	out.Encoding = dec.Encoding
	out.InvalidLines = dec.InvalidLines()
	return out, nil
}

var errRecordLimit = errors.New("record over its byte limit")

// recordLimit fails a read once n, which the caller resets before each
// record, passes maxRecordBytes: encoding/csv buffers a whole record (and
// a line however long) before returning it.
type recordLimit struct {
	r io.Reader
	n int
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n > maxRecordBytes {
		return 0, errRecordLimit
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// sniffSeparator picks the separator most used on the first line.
func sniffSeparator(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	if len(first) > maxRecordBytes {
		first = first[:maxRecordBytes]
	}
	best, n := ',', strings.Count(first, ",")
	for _, c := range []rune{'\t', ';'} {
		if k := strings.Count(first, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// readXLSX reads the sheets of a workbook in order and parses the first
// with a header naming every required column; if none has, the first
// sheet's header error is returned. Worksheets are read as a stream of XML
// tokens straight from the zip, keeping only the header's columns:
// excelize's row reader pads each row to its last cell (a cell in column
// XFD costs 16,384 strings a row) and holds the shared strings as one
// struct each, so it cannot bound a hostile file.
func readXLSX(ctx context.Context, data []byte, d Districts) (Roster, error) {
	if n, ok := zipEntries(data); ok && n > maxZipEntries {
		return Roster{}, fmt.Errorf("%w: %d zip entries, limit %d", ErrRosterTooLarge, n, maxZipEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Roster{}, fmt.Errorf("read spreadsheet: %w", err)
	}
	if len(zr.File) > maxZipEntries {
		return Roster{}, fmt.Errorf("%w: %d zip entries, limit %d", ErrRosterTooLarge, len(zr.File), maxZipEntries)
	}
	// archive/zip fails a read past an entry's declared size, so the
	// declared sizes bound what is read.
	var total uint64
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxUnzipped {
			return Roster{}, fmt.Errorf("%w: over %d bytes uncompressed", ErrRosterTooLarge, maxUnzipped)
		}
		parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))] = f
	}
	wb := &workbook{parts: parts}
	sheets, err := wb.sheets()
	if err != nil {
		return Roster{}, fmt.Errorf("read spreadsheet: %w", err)
	}
	var firstErr error
	for _, sh := range sheets {
		b := newRosterBuilder(d)
		if err := wb.readSheet(ctx, sh, b); err != nil {
			return Roster{}, err
		}
		out, err := b.finish()
		var ce *ColumnError
		if errors.As(err, &ce) {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		return out, err
	}
	if firstErr == nil {
		firstErr = &ColumnError{Field: FieldName, Err: ErrMissingColumn}
	}
	return Roster{}, firstErr
}

// zipEntries reads the entry count of a zip's end-of-central-directory
// record, so that a directory of millions of entries is refused before
// archive/zip allocates one struct each. A zip64 count reads as 0xFFFF.
func zipEntries(data []byte) (int, bool) {
	const eocdLen = 22
	from := max(0, len(data)-eocdLen-0xFFFF)
	i := bytes.LastIndex(data[from:], []byte("PK\x05\x06"))
	if i < 0 || from+i+eocdLen > len(data) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(data[from+i+10:])), true
}

// workbook finds the parts of an .xlsx package.
type workbook struct {
	parts map[string]*zip.File // by lower-case name
	sst   *sharedStrings
}

// sheet is a worksheet's name and part.
type sheet struct {
	name, part string
}

// open opens a part, reading at most limit bytes of it.
func (wb *workbook) open(name string, limit int64) (io.ReadCloser, error) {
	f := wb.parts[strings.ToLower(name)]
	if f == nil {
		return nil, fmt.Errorf("no part %s", name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: %s is %d bytes uncompressed, limit %d", ErrRosterTooLarge, name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, limit), rc}, nil
}

type xmlRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// rels reads the relationships of a part, targets resolved to part names.
func (wb *workbook) rels(part string) ([]xmlRel, error) {
	dir, file := path.Split(part)
	name := dir + "_rels/" + file + ".rels"
	if wb.parts[strings.ToLower(name)] == nil {
		return nil, nil
	}
	rc, err := wb.open(name, maxSmallXML)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var v struct {
		Rels []xmlRel `xml:"Relationship"`
	}
	if err := xml.NewDecoder(rc).Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, r := range v.Rels {
		if strings.HasPrefix(r.Target, "/") {
			v.Rels[i].Target = strings.TrimPrefix(r.Target, "/")
		} else {
			v.Rels[i].Target = path.Join(dir, r.Target)
		}
	}
	return v.Rels, nil
}

// sheets lists the worksheets in workbook order.
func (wb *workbook) sheets() ([]sheet, error) {
	book := "xl/workbook.xml"
	root, err := wb.rels("")
	if err != nil {
		return nil, err
	}
	for _, r := range root {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			book = r.Target
		}
	}
	rels, err := wb.rels(book)
	if err != nil {
		return nil, err
	}
	targets := make(map[string]string, len(rels))
	sstPart := "xl/sharedStrings.xml"
	for _, r := range rels {
		targets[r.ID] = r.Target
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			sstPart = r.Target
		}
	}
	rc, err := wb.open(book, maxSmallXML)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var v struct {
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.NewDecoder(rc).Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", book, err)
	}
	var out []sheet
	for _, s := range v.Sheets {
		for _, a := range s.Attr {
			if a.Name.Local == "id" && targets[a.Value] != "" {
				out = append(out, sheet{name: s.Name, part: targets[a.Value]})
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no worksheet")
	}
	wb.sst = &sharedStrings{part: sstPart}
	return out, nil
}

// sharedStrings is the workbook's string table: the strings one after the
// other in buf, the end of each in ends (4 bytes a string, whatever the
// table holds). It is read on first use.
type sharedStrings struct {
	part   string
	loaded bool
	buf    []byte
	ends   []uint32
}

func (s *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	end := min(s.ends[i], start+maxCellBytes)
	return string(s.buf[start:end]), true
}

// load reads the shared strings: the text of each <si>, without its
// phonetic runs (<rPh>).
func (wb *workbook) loadStrings(ctx context.Context) error {
	s := wb.sst
	if s.loaded {
		return nil
	}
	s.loaded = true
	if wb.parts[strings.ToLower(s.part)] == nil {
		return nil
	}
	rc, err := wb.open(s.part, maxPartXML)
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	inText, phonetic := false, 0
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read spreadsheet: %s: %w", s.part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "rPh":
				phonetic++
			case "t":
				inText = phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "rPh":
				phonetic--
			case "t":
				inText = false
			case "si":
				s.ends = append(s.ends, uint32(len(s.buf)))
			}
		case xml.CharData:
			if inText {
				s.buf = append(s.buf, t...)
			}
		}
	}
}

// readSheet streams a worksheet's rows into b.
func (wb *workbook) readSheet(ctx context.Context, sh sheet, b *rosterBuilder) error {
	rc, err := wb.open(sh.part, maxPartXML)
	if err != nil {
		return fmt.Errorf("read sheet %s: %w", sh.name, err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var (
		rows, line, col int
		cells           []cell
		other           bool
		inCell, keep    bool   // in a <c>; its value is wanted
		typ             string // the cell's t attribute
		val             []byte // the cell's <v>, or its inline string
		inValue         bool   // in <v>, or in <t> of an inline string
		phonetic        int
	)
	fail := func(format string, a ...any) error {
		return fmt.Errorf("read sheet %s row %d: %s", sh.name, line, fmt.Sprintf(format, a...))
	}
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read sheet %s: %w", sh.name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				if rows++; rows > maxSheetRows {
					return fail("over %d rows", maxSheetRows)
				}
				line++
				if r := xmlAttr(t, "r"); r != "" {
					n, err := strconv.Atoi(r)
					if err != nil || n < line || n > maxSheetRows {
						return fail("bad row number %q", r)
					}
					line = n
				}
				if b.cols == nil {
					cells = nil // a row before the header may be kept as the first
				}
				cells, other, col = cells[:0], false, 0
			case "c":
				col++
				if r := xmlAttr(t, "r"); r != "" {
					c, _, err := excelize.CellNameToCoordinates(r)
					if err != nil {
						return fail("bad cell %q", r)
					}
					col = c
				}
				inCell, typ, val = true, xmlAttr(t, "t"), val[:0]
				keep = b.want(col-1) && (b.cols != nil || len(cells) < maxHeaderCells)
			case "v":
				inValue = inCell
			case "rPh":
				phonetic++
			case "t":
				inValue = inCell && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v", "t":
				inValue = false
			case "rPh":
				phonetic--
			case "c":
				if !inCell {
					break
				}
				inCell = false
				if len(val) == 0 {
					break
				}
				if !keep {
					other = true
					break
				}
				text := string(val)
				if typ == "s" {
					if err := wb.loadStrings(ctx); err != nil {
						return err
					}
					i, err := strconv.Atoi(strings.TrimSpace(text))
					var ok bool
					if text, ok = wb.sst.get(i); err != nil || !ok {
						return fail("no shared string %q", string(val))
					}
				}
				if text != "" {
					cells = append(cells, cell{col: col - 1, text: text})
				}
			case "row":
				if err := b.add(line, cells, other); err != nil {
					return err
				}
			case "sheetData":
				return nil
			}
		case xml.CharData:
			if inValue && keep && len(val) < maxCellBytes {
				val = append(val, t[:min(len(t), maxCellBytes-len(val))]...)
			} else if inValue && len(t) > 0 && len(val) == 0 {
				val = append(val, t[0]) // a cell not kept only needs to be seen
			}
		}
	}
}

func xmlAttr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
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
