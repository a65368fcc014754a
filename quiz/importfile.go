package quiz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/dangwu/dangwu/internal/table"
	"github.com/dangwu/dangwu/internal/textenc"
)

// Limits on an imported bank file: the file is read whole, so it is bounded
// first; a spreadsheet's parts are bounded before they are inflated.
const (
	MaxImportFile = 5 << 20 // bytes of an imported .xlsx, .csv or .yaml
	// MaxImportRows is the most data rows of an imported spreadsheet.
	MaxImportRows = MaxBankQuestions

	maxBankHeaderRows = 10 // non-blank rows searched for the header
)

// importLimits bound the reading of a spreadsheet or CSV bank.
var importLimits = table.DefaultLimits

// Errors that refuse a whole imported file. A file over a limit is
// ErrBankTooLarge.
var (
	ErrUnsupportedFile = errors.New("unsupported question bank file: use .xlsx, .csv or .yaml")
	ErrNotWorkbook     = errors.New("not a readable .xlsx workbook")
	ErrUnknownEncoding = errors.New("text encoding not recognised")
	ErrLineTooLong     = errors.New("a line of the file is too long")
	ErrMissingColumn   = errors.New("a required column is missing")
	ErrDuplicateColumn = errors.New("a column appears twice")
)

// ColumnError refuses a whole bank file because of its header: a required
// column is missing (ErrMissingColumn) or a column appears twice
// (ErrDuplicateColumn).
type ColumnError struct {
	Column string // the column's header as the template writes it: 答案
	Err    error
	// UnreadableLine is a line before the data with bytes that could not be
	// decoded (which may have spoiled the header), 0 if none.
	UnreadableLine int
}

func (e *ColumnError) Error() string {
	msg := fmt.Sprintf("question bank column %s: %v", e.Column, e.Err)
	if col, ok := columnByHeader[e.Column]; ok {
		msg = fmt.Sprintf("question bank column %s (%s): %v", e.Column, columnNames[col][1], e.Err)
	}
	if e.UnreadableLine > 0 {
		msg += fmt.Sprintf(" (line %d has bytes that are not characters)", e.UnreadableLine)
	}
	return msg
}

func (e *ColumnError) Unwrap() error { return e.Err }

// BankFile is an imported bank file, read and checked. Nothing is stored.
type BankFile struct {
	Questions []Question // the good ones, in file order
	Problems  []Problem  // the rows refused, by line
	Rows      int        // data rows read (YAML: entries)
	// Encoding is the text encoding of a CSV or YAML file, as textenc names
	// it; empty for a spreadsheet.
	Encoding string
}

// ReadBankFile reads a question bank a coordinator sends: .xlsx (the first
// sheet with a header), .csv (UTF-8, UTF-16 with BOM or GBK; comma,
// semicolon or tab separated) or .yaml/.yml (the content format, see
// ParseYAML), of at most MaxImportFile bytes.
//
// In a spreadsheet or CSV file the header — the first of the first ten
// non-blank rows that names at least two known columns — maps the columns
// by their text, in any order (see the template, WriteTemplate): 题号 (the
// id; when blank, one derived from the file's base name and the question
// text, so that importing the same file again gives the same ids), 题型,
// 专题, 难度 (blank is 2), 题干, 选项A to 选项F, 答案, 解析, 出处文档,
// 出处章节 and 适用区县; English names are accepted too. A file without
// 题型, 专题, 题干, 答案 or 解析 is refused whole with a *ColumnError. Each
// other non-blank row becomes a question, with Bank the file name and Line
// its row, checked with c; the rows with a problem (and a repeated id, on
// the later row) are reported and left out. A file of more than
// MaxImportRows rows is refused with ErrBankTooLarge.
//
// Errors refusing the whole file are ErrBankTooLarge, ErrUnsupportedFile,
// ErrNotWorkbook, ErrUnknownEncoding, ErrLineTooLong, a *ColumnError, or
// ctx.Err() when ctx is cancelled.
func ReadBankFile(ctx context.Context, fileName string, data []byte, c Checker) (BankFile, error) {
	if len(data) > MaxImportFile {
		return BankFile{}, fmt.Errorf("%w: %d bytes, limit %d", ErrBankTooLarge, len(data), MaxImportFile)
	}
	var (
		out BankFile
		err error
	)
	switch ext := strings.ToLower(path.Ext(fileName)); ext {
	case ".xlsx", ".xlsm":
		out, err = readBankXLSX(ctx, fileName, data, c)
	case ".csv":
		out, err = readBankCSV(ctx, fileName, data, c)
	case ".yaml", ".yml":
		out, err = readBankYAML(fileName, data, c)
	case ".xls", ".et":
		err = fmt.Errorf("%w: %s is an old Excel workbook, save it as .xlsx", ErrUnsupportedFile, ext)
	default:
		err = fmt.Errorf("%w: %q", ErrUnsupportedFile, ext)
	}
	if err != nil {
		return BankFile{}, importError(err)
	}
	sortProblems(out.Problems)
	return out, nil
}

// importError gives an error of internal/table or textenc the quiz
// sentinel that means the same; errors.Is finds both.
func importError(err error) error {
	for _, m := range []struct{ from, to error }{
		{table.ErrTooLarge, ErrBankTooLarge},
		{table.ErrRecordTooLong, ErrLineTooLong},
		{table.ErrNotXLSX, ErrNotWorkbook},
		{textenc.ErrUnknownEncoding, ErrUnknownEncoding},
	} {
		if errors.Is(err, m.from) {
			msg := strings.Replace(err.Error(), m.from.Error(), m.to.Error(), 1)
			return &mappedError{msg: msg, errs: []error{m.to, err}}
		}
	}
	return err
}

type mappedError struct {
	msg  string
	errs []error
}

func (e *mappedError) Error() string   { return e.msg }
func (e *mappedError) Unwrap() []error { return e.errs }

func readBankXLSX(ctx context.Context, fileName string, data []byte, c Checker) (BankFile, error) {
	var s *bankSink
	_, err := table.ReadXLSX(ctx, data, func(string) table.SheetSink {
		s = newBankSink(fileName, c)
		return s
	}, importLimits)
	if err != nil {
		return BankFile{}, err
	}
	return s.out, nil
}

func readBankCSV(ctx context.Context, fileName string, data []byte, c Checker) (BankFile, error) {
	s := newBankSink(fileName, c)
	info, err := table.ReadCSV(ctx, data, s, importLimits)
	if err == nil {
		err = s.End()
	}
	if err != nil {
		return BankFile{}, err
	}
	s.out.Encoding = info.Encoding
	return s.out, nil
}

// readBankYAML decodes a YAML bank to UTF-8 (so a GBK file reads too) and
// parses it with ParseYAML, then refuses ids repeated within the file.
func readBankYAML(fileName string, data []byte, c Checker) (BankFile, error) {
	dec, err := textenc.Decode(data)
	if err != nil {
		return BankFile{}, fmt.Errorf("read yaml: %w", err)
	}
	text := []byte(dec.Text)
	qs, problems, entries := parseYAML(fileName, text, c)
	out := BankFile{Encoding: dec.Encoding, Problems: problems, Rows: entries}
	first := make(map[string]int, len(qs))
	for _, q := range qs {
		if line, dup := first[q.ID]; dup {
			out.Problems = append(out.Problems, duplicateIDProblem(q, line))
			continue
		}
		first[q.ID] = q.Line
		out.Questions = append(out.Questions, q)
	}
	return out, nil
}

func duplicateIDProblem(q Question, firstLine int) Problem {
	return Problem{File: q.Bank, Line: q.Line, ID: q.ID, Err: ErrDuplicateID, Value: fmt.Sprintf("%s:%d", q.Bank, firstLine)}
}

// bankColumn is a column of a bank spreadsheet.
type bankColumn int

const (
	colID bankColumn = iota
	colKind
	colTopic
	colDifficulty
	colText
	colOption // colOption+i is option i, up to MaxOptions
	colAnswer = colOption + MaxOptions
)

const (
	colExplanation = colAnswer + 1 + iota
	colDoc
	colSection
	colDistrict
	numColumns
)

// columnNames are the header texts of each column: the template's first,
// the English one second, then the other names accepted. They are compared
// after folding width and case and removing spaces, marks, "_" and "-",
// and a header may have a remark in brackets: "答案（必填）".
var columnNames = func() [numColumns][]string {
	var n [numColumns][]string
	n[colID] = []string{"题号", "id", "编号", "试题编号", "题目编号", "questionid"}
	n[colKind] = []string{"题型", "type", "题目类型", "试题类型", "类型", "kind", "questiontype"}
	n[colTopic] = []string{"专题", "topic", "主题", "分类", "类别"}
	n[colDifficulty] = []string{"难度", "difficulty", "难易程度", "难度等级", "level"}
	n[colText] = []string{"题干", "question", "题目", "试题", "题目内容", "问题", "text", "stem"}
	for i := range MaxOptions {
		l := Letter(i)
		n[colOption+bankColumn(i)] = []string{"选项" + l, "option_" + strings.ToLower(l), l, "选项" + strconv.Itoa(i+1), "option" + strconv.Itoa(i+1)}
	}
	n[colAnswer] = []string{"答案", "answer", "正确答案", "参考答案", "标准答案", "correctanswer"}
	n[colExplanation] = []string{"解析", "explanation", "答案解析", "试题解析", "analysis"}
	n[colDoc] = []string{"出处文档", "doc", "文档", "document", "docid"}
	n[colSection] = []string{"出处章节", "section", "章节"}
	n[colDistrict] = []string{"适用区县", "district", "区县", "适用地区"}
	return n
}()

// requiredBankColumns must be in every bank file's header, in template order.
var requiredBankColumns = []bankColumn{colKind, colTopic, colText, colAnswer, colExplanation}

var columnIndex = func() map[string]bankColumn {
	m := make(map[string]bankColumn)
	for c, names := range columnNames {
		for _, name := range names {
			m[foldBankHeader(name)] = bankColumn(c)
		}
	}
	return m
}()

var columnByHeader = func() map[string]bankColumn {
	m := make(map[string]bankColumn)
	for c, names := range columnNames {
		m[names[0]] = bankColumn(c)
	}
	return m
}()

func foldBankHeader(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '*', ':', '_', '-', '\u00a0', '\ufeff', '\t', '\n', '\r':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// bankHeaderColumn recognises a header cell: "题干", "Question", "答案（必填）",
// "*题型", "选项 A".
func bankHeaderColumn(cell string) (bankColumn, bool) {
	h := foldBankHeader(cell)
	if c, ok := columnIndex[h]; ok {
		return c, true
	}
	if i := strings.IndexAny(h, "(["); i > 0 {
		c, ok := columnIndex[h[:i]]
		return c, ok
	}
	return 0, false
}

// bankSink takes a bank table row by row (it is a table.SheetSink): it
// finds the header among the first rows, then turns each data row into a
// checked question. A sheet whose header is not found, or lacks a
// required column, is passed over: its error waits for End.
type bankSink struct {
	file, base string
	c          Checker
	colAt      map[int]bankColumn // set once the header is found
	headerErr  error              // the header was refused: the rest is ignored
	seen       int                // non-blank rows before the header
	first      []table.Cell       // the first non-blank row, for the header error
	badLine    int                // the first line before the header with undecodable bytes
	firstLine  map[string]int     // the line of each id
	out        BankFile
}

func newBankSink(file string, c Checker) *bankSink {
	base := path.Base(strings.ReplaceAll(file, `\`, "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
	return &bankSink{file: file, base: base, c: c, firstLine: make(map[string]int)}
}

// Want reports whether the cells of column col are needed.
func (s *bankSink) Want(col int) bool {
	switch {
	case s.headerErr != nil:
		return false
	case s.colAt == nil:
		return true
	}
	_, ok := s.colAt[col]
	return ok
}

// Row takes the row on line.
func (s *bankSink) Row(line int, cells []table.Cell, _ bool) error {
	if s.headerErr != nil {
		return nil
	}
	if s.colAt == nil {
		s.headerCandidate(line, cells)
		return nil
	}
	var v [numColumns]string
	for _, c := range cells {
		if col, ok := s.colAt[c.Col]; ok {
			v[col] = importCell(c.Text)
		}
	}
	blank := true
	for _, x := range v {
		blank = blank && x == ""
	}
	if blank {
		return nil // nothing in the bank's columns
	}
	if s.out.Rows++; s.out.Rows > MaxImportRows {
		return fmt.Errorf("%w: over %d rows", ErrBankTooLarge, MaxImportRows)
	}
	q, problems := s.question(line, &v)
	if len(problems) > 0 {
		s.out.Problems = append(s.out.Problems, problems...)
		return nil
	}
	s.out.Questions = append(s.out.Questions, q)
	return nil
}

// importCell trims a cell and makes its line breaks "\n".
func importCell(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return s
}

// question makes and checks the question of one data row.
func (s *bankSink) question(line int, v *[numColumns]string) (Question, []Problem) {
	q := Question{
		ID:          strings.ToLower(norm.NFKC.String(v[colID])),
		Kind:        importKind(v[colKind]),
		Topic:       v[colTopic],
		Text:        v[colText],
		Explanation: v[colExplanation],
		Doc:         v[colDoc],
		Section:     v[colSection],
		District:    v[colDistrict],
		Bank:        s.file,
		Line:        line,
	}
	derived := q.ID == ""
	if derived {
		sum := sha256.Sum256([]byte(s.base + "\n" + q.Text))
		q.ID = "imp-" + hex.EncodeToString(sum[:5])
	}
	difficulty, okDifficulty := importDifficulty(v[colDifficulty])
	q.Difficulty = difficulty
	last := -1
	for i := range MaxOptions {
		if v[colOption+bankColumn(i)] != "" {
			last = i
		}
	}
	for i := 0; i <= last; i++ {
		q.Options = append(q.Options, v[colOption+bankColumn(i)])
	}

	var problems []Problem
	answer := v[colAnswer]
	answerSaid := false // a problem with the answer is already reported
	switch q.Kind {
	case Single, Multiple, Judge:
		options := len(q.Options)
		if q.Kind == Judge {
			options = len(JudgeOptions)
		}
		a, err := ParseAnswer(q.Kind, answer, options)
		switch {
		case err == nil:
			q.Answer = a
		case !errors.Is(err, ErrNoAnswer):
			problems = append(problems, Problem{File: q.Bank, Line: line, ID: q.ID, Err: err, Value: clip(answer)})
			answerSaid = true
		}
	default:
		// Without a known type the answer cannot be read; the type is
		// what to fix.
		answerSaid = answer != ""
	}
	ps := s.c.Check(&q)
	if answerSaid {
		ps = dropErr(ps, ErrNoAnswer)
	}
	for i, p := range ps {
		if errors.Is(p.Err, ErrBadDifficulty) && !okDifficulty {
			ps[i].Value = clip(v[colDifficulty])
		}
	}
	problems = append(problems, ps...)
	if !derived || q.Text != "" {
		if first, dup := s.firstLine[q.ID]; dup {
			problems = append(problems, duplicateIDProblem(q, first))
		} else {
			s.firstLine[q.ID] = line
		}
	}
	return q, problems
}

// importKind reads a 题型 cell: 单选, 单选题, single, ... An unknown type is
// kept as written, for Check to report.
func importKind(s string) Kind {
	switch k := strings.ToLower(strings.TrimSpace(norm.NFKC.String(s))); k {
	case "单选", "单选题", "单项选择", "单项选择题", "single", "单":
		return Single
	case "多选", "多选题", "多项选择", "多项选择题", "multiple", "多":
		return Multiple
	case "判断", "判断题", "judge", "是非题", "判":
		return Judge
	default:
		return Kind(s)
	}
}

// importDifficulty reads a 难度 cell: 1/2/3, 基础/提高/较难, 易/中/难; blank
// is 2. It returns 0 and false for anything else.
func importDifficulty(s string) (int, bool) {
	switch k := strings.ToLower(strings.TrimSpace(norm.NFKC.String(s))); k {
	case "":
		return 2, true
	case "1", "基础", "易", "容易", "简单", "easy", "一":
		return 1, true
	case "2", "提高", "中", "中等", "一般", "medium", "二":
		return 2, true
	case "3", "较难", "难", "困难", "hard", "三":
		return 3, true
	default:
		// A spreadsheet may hold the number as 2.0.
		if f, err := strconv.ParseFloat(k, 64); err == nil && (f == 1 || f == 2 || f == 3) {
			return int(f), true
		}
		return 0, false
	}
}

// headerCandidate looks at a non-blank row before the header: the first
// with at least two known column names is the header.
func (s *bankSink) headerCandidate(line int, cells []table.Cell) {
	if s.badLine == 0 {
		for _, c := range cells {
			if c.Invalid {
				s.badLine = line
				break
			}
		}
	}
	blank := true
	for _, c := range cells {
		blank = blank && strings.TrimSpace(c.Text) == ""
	}
	if blank {
		return
	}
	s.seen++
	if s.first == nil {
		s.first = append([]table.Cell(nil), cells...) // the reader reuses cells
	}
	known := 0
	for _, c := range cells {
		if _, ok := bankHeaderColumn(c.Text); ok {
			known++
		}
	}
	switch {
	case known >= 2:
		s.headerErr = s.setHeader(cells)
	case s.seen >= maxBankHeaderRows:
		s.headerErr = s.setHeader(s.first)
	}
}

// setHeader maps the columns of the header row, or says why the file is
// refused.
func (s *bankSink) setHeader(cells []table.Cell) error {
	cols := make(map[bankColumn]int)
	for _, c := range cells {
		col, ok := bankHeaderColumn(c.Text)
		if !ok {
			continue
		}
		if _, dup := cols[col]; dup {
			return &ColumnError{Column: columnNames[col][0], Err: ErrDuplicateColumn, UnreadableLine: s.badLine}
		}
		cols[col] = c.Col
	}
	for _, col := range requiredBankColumns {
		if _, ok := cols[col]; !ok {
			return &ColumnError{Column: columnNames[col][0], Err: ErrMissingColumn, UnreadableLine: s.badLine}
		}
	}
	s.colAt = make(map[int]bankColumn, len(cols))
	for col, j := range cols {
		s.colAt[j] = col
	}
	s.first = nil
	return nil
}

// End ends the table: a header that was not found, or was refused, refuses
// the table.
func (s *bankSink) End() error {
	switch {
	case s.headerErr != nil:
		return s.headerErr
	case s.colAt == nil && s.first == nil:
		return &ColumnError{Column: columnNames[colKind][0], Err: ErrMissingColumn, UnreadableLine: s.badLine}
	case s.colAt == nil:
		return s.setHeader(s.first)
	}
	return nil
}

var _ table.SheetSink = (*bankSink)(nil)
