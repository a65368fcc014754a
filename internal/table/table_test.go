package table_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dangwu/dangwu/internal/table"
	"github.com/dangwu/dangwu/internal/table/xlsxtest"
)

type row struct {
	line  int
	cells []table.Cell
	other bool
}

// recorder is a SheetSink that keeps what it is given.
type recorder struct {
	want   func(col int) bool // nil: every column
	rows   []row
	rowErr error // returned by Row
	endErr error // returned by End
	ended  bool
}

func (r *recorder) Want(col int) bool { return r.want == nil || r.want(col) }

func (r *recorder) Row(line int, cells []table.Cell, other bool) error {
	r.rows = append(r.rows, row{line, slices.Clone(cells), other})
	return r.rowErr
}

func (r *recorder) End() error {
	r.ended = true
	return r.endErr
}

func (r *recorder) texts() [][]string {
	var out [][]string
	for _, row := range r.rows {
		var t []string
		for _, c := range row.cells {
			t = append(t, fmt.Sprintf("%d:%s", c.Col, c.Text))
		}
		out = append(out, t)
	}
	return out
}

func gbk(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestReadCSV(t *testing.T) {
	data := gbk(t, "题型;题干;备注\n单选;\"党费\n怎样交？\";略\n\n;;\n判断;预备期一年;\n")
	r := &recorder{want: func(col int) bool { return col != 2 }}
	info, err := table.ReadCSV(context.Background(), data, r, table.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Encoding != "GB18030" || len(info.InvalidLines) != 0 {
		t.Errorf("info = %+v, want GB18030 and no invalid lines", info)
	}
	want := [][]string{{"0:题型", "1:题干"}, {"0:单选", "1:党费\n怎样交？"}, {"0:判断", "1:预备期一年"}}
	if got := r.texts(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	var lines []int
	var others []bool
	for _, row := range r.rows {
		lines = append(lines, row.line)
		others = append(others, row.other)
	}
	if !slices.Equal(lines, []int{1, 2, 6}) || !slices.Equal(others, []bool{true, true, false}) {
		t.Errorf("lines %v, other %v; want [1 2 6], [true true false] (blank records skipped)", lines, others)
	}
}

func TestReadCSVInvalidBytes(t *testing.T) {
	data := []byte("题型,题干\n单选,党\xe5费\n判断,预备期\n")
	r := &recorder{}
	info, err := table.ReadCSV(context.Background(), data, r, table.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Encoding != "UTF-8" || !slices.Equal(info.InvalidLines, []int{2}) {
		t.Errorf("info = %+v, want UTF-8 with line 2 invalid", info)
	}
	var invalid []string
	for _, row := range r.rows {
		for _, c := range row.cells {
			if c.Invalid {
				invalid = append(invalid, fmt.Sprintf("%d:%d", row.line, c.Col))
			}
		}
	}
	if !slices.Equal(invalid, []string{"2:1"}) {
		t.Errorf("invalid cells %v, want [2:1]", invalid)
	}
}

func TestReadCSVLimits(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"a record over its bytes", "a,b\n" + strings.Repeat("x", 70<<10) + "\n"},
		{"too many cells", "a,b\n" + strings.Repeat(",", 300) + "\n"},
		{"a quote never closed", "a,b\n\"x,y\n" + strings.Repeat("z,z\n", 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := table.ReadCSV(context.Background(), []byte(tt.data), &recorder{}, table.Limits{})
			if !errors.Is(err, table.ErrRecordTooLong) || !strings.Contains(err.Error(), "line 2") {
				t.Errorf("err = %v, want ErrRecordTooLong on line 2", err)
			}
		})
	}
}

// TestReadCSVSinkError: the sink's error stops the reading, as it is.
func TestReadCSVSinkError(t *testing.T) {
	stop := errors.New("stop")
	r := &recorder{rowErr: stop}
	_, err := table.ReadCSV(context.Background(), []byte("a\nb\nc\n"), r, table.Limits{})
	if err != stop || len(r.rows) != 1 {
		t.Errorf("err = %v after %d rows, want stop after 1", err, len(r.rows))
	}
}

func TestReadXLSXSheetsInOrder(t *testing.T) {
	data := xlsxtest.Workbook(t, `<si><t>共享</t></si>`,
		xlsxtest.Sheet{Name: "说明", Data: `<row r="1">` + xlsxtest.InlineCell("A1", "填写说明") + `</row>`},
		xlsxtest.Sheet{Name: "题库", Data: `<row r="2">` + xlsxtest.InlineCell("B2", "题干") + xlsxtest.SharedCell("C2", 0) + `</row><row r="3"></row><row r="5"><c r="A5"><v>42</v></c></row>`},
		xlsxtest.Sheet{Name: "其他", Data: `<row r="1">` + xlsxtest.InlineCell("A1", "不该读") + `</row>`},
	)
	noHeader := errors.New("no header")
	var sinks []*recorder
	info, err := table.ReadXLSX(context.Background(), data, func(name string) table.SheetSink {
		r := &recorder{}
		if name == "说明" {
			r.endErr = noHeader
		}
		sinks = append(sinks, r)
		return r
	}, table.Limits{})
	if err != nil || info.Sheet != "题库" {
		t.Fatalf("sheet %q, err %v; want 题库", info.Sheet, err)
	}
	if len(sinks) != 2 || !sinks[0].ended || !sinks[1].ended {
		t.Fatalf("%d sheets read, want 2, each ended", len(sinks))
	}
	want := [][]string{{"1:题干", "2:共享"}, {"0:42"}}
	if got := sinks[1].texts(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	if sinks[1].rows[0].line != 2 || sinks[1].rows[1].line != 5 {
		t.Errorf("lines %d, %d; want 2, 5", sinks[1].rows[0].line, sinks[1].rows[1].line)
	}

	// No sheet accepted: the first sheet's error.
	first := errors.New("first")
	n := 0
	_, err = table.ReadXLSX(context.Background(), data, func(string) table.SheetSink {
		n++
		if n == 1 {
			return &recorder{endErr: first}
		}
		return &recorder{endErr: noHeader}
	}, table.Limits{})
	if err != first || n != 3 {
		t.Errorf("err = %v after %d sheets, want the first sheet's after 3", err, n)
	}

	// A Row error stops at once.
	stop := errors.New("stop")
	n = 0
	_, err = table.ReadXLSX(context.Background(), data, func(string) table.SheetSink {
		n++
		return &recorder{rowErr: stop, endErr: noHeader}
	}, table.Limits{})
	if err != stop || n != 1 {
		t.Errorf("err = %v after %d sheets, want stop after 1", err, n)
	}
}

// TestReadXLSXWantedColumns: only wanted cells are kept; the others mark
// the row as having other content, even in column XFD.
func TestReadXLSXWantedColumns(t *testing.T) {
	data := xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S", Data: `<row r="1">` + xlsxtest.InlineCell("A1", "a") + xlsxtest.InlineCell("XFD1", "z") + `</row><row r="2">` + xlsxtest.InlineCell("XFD2", "z") + `</row>`})
	var r *recorder
	_, err := table.ReadXLSX(context.Background(), data, func(string) table.SheetSink {
		r = &recorder{want: func(col int) bool { return col == 0 }}
		return r
	}, table.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.rows) != 2 || len(r.rows[0].cells) != 1 || !r.rows[0].other || len(r.rows[1].cells) != 0 || !r.rows[1].other {
		t.Errorf("rows = %+v, want [a] with other, then only other", r.rows)
	}
}

// TestReadXLSXCellCut: a long cell is cut at its limit, between two
// characters, inline or shared.
func TestReadXLSXCellCut(t *testing.T) {
	long := strings.Repeat("党", 5000)
	data := xlsxtest.Workbook(t, "<si><t>"+long+"</t></si>", xlsxtest.Sheet{Name: "S", Data: `<row r="1">` + xlsxtest.InlineCell("A1", long) + xlsxtest.SharedCell("B1", 0) + `</row>`})
	var r *recorder
	_, err := table.ReadXLSX(context.Background(), data, func(string) table.SheetSink { r = &recorder{}; return r }, table.Limits{MaxCellBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.rows[0].cells {
		if !utf8.ValidString(c.Text) || c.Text != strings.Repeat("党", 333) {
			t.Errorf("cell %d: %d bytes, valid %v; want 333 characters", c.Col, len(c.Text), utf8.ValidString(c.Text))
		}
	}
}

func TestReadXLSXNotWorkbook(t *testing.T) {
	var noBook bytes.Buffer
	zw := zip.NewWriter(&noBook)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("hi"))
	zw.Close()
	tests := []struct {
		name string
		data []byte
	}{
		{"csv text", []byte("题型,题干\n单选,x\n")},
		{"an xls of Excel 97-2003", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)},
		{"a zip without a workbook", noBook.Bytes()},
		{"a worksheet that is not XML", xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S", Data: `<row r="1"><c r=A1><v>1</v></c></row>`})},
		{"a shared string that is not there", xlsxtest.Workbook(t, "<si><t>x</t></si>", xlsxtest.Sheet{Name: "S", Data: `<row r="1">` + xlsxtest.SharedCell("A1", 7) + `</row>`})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := table.ReadXLSX(context.Background(), tt.data, func(string) table.SheetSink { return &recorder{} }, table.Limits{})
			if !errors.Is(err, table.ErrNotXLSX) {
				t.Errorf("err = %v, want ErrNotXLSX", err)
			}
		})
	}
}

func TestReadXLSXTooLarge(t *testing.T) {
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 8 << 30})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{0x03, 0x00})
	zw.Close()
	var rows strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d"><v>1</v></c></row>`, i, i)
	}
	tests := []struct {
		name string
		data []byte
		lim  table.Limits
	}{
		{"a part of 8 GB", bomb.Bytes(), table.Limits{}},
		{"more rows than the limit", xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S", Data: rows.String()}), table.Limits{MaxSheetRows: 10}},
		{"more entries than the limit", xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S"}), table.Limits{MaxZipEntries: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := table.ReadXLSX(context.Background(), tt.data, func(string) table.SheetSink { return &recorder{} }, tt.lim)
			if !errors.Is(err, table.ErrTooLarge) || errors.Is(err, table.ErrNotXLSX) {
				t.Errorf("err = %v, want ErrTooLarge only", err)
			}
		})
	}
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var csv, sheet strings.Builder
	for i := 1; i <= 10000; i++ {
		fmt.Fprintf(&csv, "a%d,b\n", i)
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d"><v>%d</v></c></row>`, i, i, i)
	}
	if _, err := table.ReadCSV(ctx, []byte(csv.String()), &recorder{}, table.Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("csv: err = %v, want context.Canceled", err)
	}
	data := xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S", Data: sheet.String()})
	if _, err := table.ReadXLSX(ctx, data, func(string) table.SheetSink { return &recorder{} }, table.Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("xlsx: err = %v, want context.Canceled", err)
	}
}
