package table_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/table"
	"github.com/dangwu/dangwu/internal/table/xlsxtest"
	"github.com/dangwu/dangwu/internal/textenc"
)

// Limits small enough for the fuzzer to reach them.
var fuzzLimits = table.Limits{MaxRecordBytes: 512, MaxRecordLines: 3, MaxColumns: 8, MaxRowCells: 4, MaxCellBytes: 16,
	MaxSheetRows: 64, MaxZipEntries: 16, MaxUnzipped: 1 << 20, MaxPartXML: 256 << 10, MaxSmallXML: 64 << 10, MaxXMLToken: 1 << 10}

// checkRows checks what a sink was given: rows in order of their lines,
// each with at most MaxRowCells cells, none empty, in columns the sink
// asked for, of valid UTF-8 (cut to MaxCellBytes in a spreadsheet).
func checkRows(t *testing.T, what string, rows []row, lim table.Limits, sheet bool) {
	t.Helper()
	last := 0
	for _, r := range rows {
		if r.line <= last {
			t.Fatalf("%s: row on line %d after line %d", what, r.line, last)
		}
		last = r.line
		if len(r.cells) > lim.MaxRowCells || len(r.cells) == 0 && !r.other {
			t.Fatalf("%s: line %d has %d cells (other %v)", what, r.line, len(r.cells), r.other)
		}
		for _, c := range r.cells {
			switch {
			case c.Text == "" || !utf8.ValidString(c.Text):
				t.Fatalf("%s: line %d column %d holds %q", what, r.line, c.Col, c.Text)
			case c.Col < 0 || c.Col >= 16384 || !sheet && c.Col >= lim.MaxColumns:
				t.Fatalf("%s: line %d has a cell in column %d", what, r.line, c.Col)
			case c.Col%7 == 6:
				t.Fatalf("%s: line %d has a cell of column %d, which the sink does not want", what, r.line, c.Col)
			case sheet && len(c.Text) > lim.MaxCellBytes:
				t.Fatalf("%s: line %d column %d holds %d bytes, over %d", what, r.line, c.Col, len(c.Text), lim.MaxCellBytes)
			case sheet && c.Invalid || c.Invalid && !strings.ContainsRune(c.Text, utf8.RuneError):
				t.Fatalf("%s: line %d column %d invalid without a replaced byte: %q", what, r.line, c.Col, c.Text)
			}
		}
	}
}

// sparse wants every column but those numbered 6 modulo 7.
func sparse(col int) bool { return col%7 != 6 }

// FuzzReadCSV checks that any bytes are read as rows that satisfy
// checkRows, or refused with a known error.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"姓名,手机号,区县\n张三,13912345678,鼓楼区\n",
		"题型;题干;备注\n单选;\"党费\n怎样交？\";略\n\n;;\n",
		"a\tb\tc\n1\t2\t3\n",
		"\"unclosed\n\n\n\n\n\nx",
		"a,b,c,d,e,f,g,h,i,j,k\n",
		"\xef\xbb\xbfa,\"b\"\"c\",d\r\ne,f\r\n",
		"\xb5\xb3\xb7\xd1,\xca\xd5\xbd\xc9\n",
		"ph\xa0x,y\n",
		strings.Repeat("x", 600) + "\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lim := range []table.Limits{fuzzLimits, {}} {
			r := &recorder{want: sparse}
			info, err := table.ReadCSV(context.Background(), data, r, lim)
			if err != nil {
				if !errors.Is(err, table.ErrRecordTooLong) && !errors.Is(err, textenc.ErrUnknownEncoding) {
					t.Fatalf("ReadCSV(%q): unexpected error %v", data, err)
				}
				continue
			}
			if info.Encoding == "" {
				t.Fatalf("ReadCSV(%q): no encoding", data)
			}
			if lim.MaxRowCells == 0 {
				lim = table.DefaultLimits
			}
			checkRows(t, fmt.Sprintf("ReadCSV(%q)", data), r.rows, lim, false)
		}
	})
}

// FuzzReadCSVRoundTrip checks that records written by encoding/csv read
// back as they were written: every cell, in its column, on its line.
func FuzzReadCSVRoundTrip(f *testing.F) {
	f.Add("姓名", "手机号", "区县", "张三", "139 1234 5678", "鼓楼区")
	f.Add("题干", "\"引号\"", "a,b", "多\n行", "", " 空格 ")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		recs := [][]string{{a, b, c}, {d, e, g}}
		for _, rec := range recs {
			for _, s := range rec {
				// Not written as themselves: bad UTF-8, a lone CR (made
				// a line end), a BOM or NUL (not text), a separator the
				// reader would pick instead of the comma.
				if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\ufeff\x00\t;") || strings.ContainsRune(s, utf8.RuneError) {
					return
				}
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		want := map[int][]string{}
		line := 1
		for _, rec := range recs {
			want[line] = rec
			for _, s := range rec {
				line += strings.Count(s, "\n")
			}
			line++
		}
		r := &recorder{}
		_, err := table.ReadCSV(context.Background(), buf.Bytes(), r, table.Limits{})
		if err != nil {
			if errors.Is(err, table.ErrRecordTooLong) {
				return
			}
			t.Fatalf("ReadCSV(%q): %v", buf.Bytes(), err)
		}
		for _, got := range r.rows {
			rec, ok := want[got.line]
			if !ok {
				t.Fatalf("ReadCSV(%q): a row on line %d, want lines %v", buf.Bytes(), got.line, want)
			}
			cells := make([]string, len(rec))
			for _, c := range got.cells {
				cells[c.Col] = c.Text
			}
			if strings.Join(cells, "\x00") != strings.Join(rec, "\x00") {
				t.Fatalf("ReadCSV(%q) line %d = %q, want %q", buf.Bytes(), got.line, cells, rec)
			}
			delete(want, got.line)
		}
		for line, rec := range want {
			if strings.Join(rec, "") != "" {
				t.Fatalf("ReadCSV(%q): line %d %q not read", buf.Bytes(), line, rec)
			}
		}
	})
}

// unzipped is what a zip's entries declare they hold, uncompressed, within
// lim, or len(data) for what is not a zip.
func unzipped(data []byte, lim table.Limits) uint64 {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return uint64(len(data))
	}
	var n uint64
	for _, f := range zr.File {
		n += min(f.UncompressedSize64, uint64(lim.MaxPartXML))
	}
	return min(n, lim.MaxUnzipped) + uint64(len(data))
}

// readXLSX reads a workbook into recorders, checking what it allocates: at
// most a fixed share of what its parts hold uncompressed.
func readXLSX(t *testing.T, data []byte, lim table.Limits) (table.Info, []*recorder, error) {
	t.Helper()
	var (
		sinks []*recorder
		info  table.Info
		err   error
	)
	alloc := allocated(func() {
		info, err = table.ReadXLSX(context.Background(), data, func(string) table.SheetSink {
			sinks = append(sinks, &recorder{want: sparse})
			return sinks[len(sinks)-1]
		}, lim)
	})
	if lim.MaxUnzipped == 0 {
		lim = table.DefaultLimits
	}
	if n := unzipped(data, lim); alloc > 256*n+(8<<20) {
		t.Fatalf("ReadXLSX of %d bytes (%d uncompressed) allocated %d MB", len(data), n, alloc>>20)
	}
	if err != nil && !errors.Is(err, table.ErrNotXLSX) && !errors.Is(err, table.ErrTooLarge) {
		t.Fatalf("ReadXLSX(%q): unexpected error %v", data, err)
	}
	for _, s := range sinks {
		checkRows(t, fmt.Sprintf("ReadXLSX(%q)", data), s.rows, lim, true)
	}
	return info, sinks, err
}

// allocated is the bytes f allocates, garbage included: memtest.Allocated
// without its collection first, which would slow the fuzzer down tenfold.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// FuzzReadXLSX checks that any workbook, its sheet and shared strings made
// of any XML, is read as rows that satisfy checkRows, in memory bounded by
// what it holds, or refused as damaged or too large.
func FuzzReadXLSX(f *testing.F) {
	f.Add(`<si><t>题型</t></si><si><t>党费</t><rPh><t>dǎng</t></rPh></si>`,
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row><row r="3"><c t="inlineStr"><is><t>x</t></is></c><c r="XFD3"><v>1</v></c></row>`)
	f.Add("", `<row><c r="G1"><v>not wanted</v></c><c r="H1"><v>`+strings.Repeat("长", 20)+`</v></c></row>`)
	f.Add(`<si><t>a</t></si>`, `<row r="2"><c r="A2" t="s"><v>7</v></c></row>`)
	f.Add("", `<row r="5"/><row r="4"><c r="A4"><v>1</v></c></row>`)
	f.Add("", `<row><c r="A0"><v>1</v></c></row><row r="x">`)
	f.Add("", `<row `+strings.Repeat(`x="" `, 300)+`/>`)
	f.Add("", strings.Repeat(`<a>`, 2000))
	f.Add(`<si><t>`+strings.Repeat("a", 2000)+`</t></si>`, `<row><c t="s"><v>0</v></c></row>`)
	f.Fuzz(func(t *testing.T, sst, sheet string) {
		data := xlsxtest.Workbook(t, sst, xlsxtest.Sheet{Name: "题库", Data: sheet}, xlsxtest.Sheet{Name: "第二页", Data: sheet})
		for _, lim := range []table.Limits{fuzzLimits, {}} {
			info, sinks, err := readXLSX(t, data, lim)
			if err == nil && (len(sinks) == 0 || info.Sheet != "题库") {
				t.Fatalf("sheet %q: accepted %q of %d", sheet, info.Sheet, len(sinks))
			}
		}
	})
}

// FuzzReadXLSXCells checks that a cell of any text reads back as that
// text, inline or shared, cut at a character boundary to MaxCellBytes.
func FuzzReadXLSXCells(f *testing.F) {
	f.Add("党费怎样交？", "  空格  ", "a&b<c>\"d'")
	f.Add("", "x", strings.Repeat("长", 3000))
	f.Fuzz(func(t *testing.T, a, b, c string) {
		texts := []string{a, b, c}
		var sheet, sst strings.Builder
		for i, s := range texts {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !xmlChar(r) }) {
				return
			}
			sheet.WriteString(xlsxtest.InlineCell(fmt.Sprintf("%c1", 'A'+i), s))
			sst.WriteString("<si><t xml:space=\"preserve\">")
			xmlEscape(&sst, s)
			sst.WriteString("</t></si>")
		}
		sheet.WriteString("</row><row r=\"2\">")
		for i := range texts {
			sheet.WriteString(xlsxtest.SharedCell(fmt.Sprintf("%c2", 'A'+i), i))
		}
		data := xlsxtest.Workbook(t, sst.String(), xlsxtest.Sheet{Name: "S", Data: "<row r=\"1\">" + sheet.String() + "</row>"})
		_, sinks, err := readXLSX(t, data, table.Limits{})
		if err != nil {
			t.Fatalf("cells %q: %v", texts, err)
		}
		got := map[string]string{}
		for _, r := range sinks[0].rows {
			for _, cell := range r.cells {
				got[fmt.Sprintf("%d:%d", r.line, cell.Col)] = cell.Text
			}
		}
		for i, s := range texts {
			want := s
			if len(want) > table.DefaultLimits.MaxCellBytes {
				want = want[:table.DefaultLimits.MaxCellBytes]
				for !utf8.ValidString(want) {
					want = want[:len(want)-1]
				}
			}
			for line := 1; line <= 2; line++ {
				if g := got[fmt.Sprintf("%d:%d", line, i)]; g != want {
					t.Fatalf("cell %d on line %d = %q, want %q", i, line, g, want)
				}
			}
		}
	})
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func xmlEscape(b *strings.Builder, s string) {
	if err := xml.EscapeText(b, []byte(s)); err != nil {
		panic(err)
	}
}

// FuzzReadXLSXBytes checks that any bytes, the zip itself damaged or
// hostile, are read within the limits as rows that satisfy checkRows, or
// refused as damaged or too large. The seeds include a zip bomb (a part
// declaring 8 GB), a part over MaxPartXML, a dimension of every cell, a
// million shared strings and a tag of a million attributes.
func FuzzReadXLSXBytes(f *testing.F) {
	for _, s := range xlsxSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readXLSX(t, data, fuzzLimits)
		readXLSX(t, data, table.Limits{})
	})
}

// xlsxSeeds are workbooks, plain and hostile.
func xlsxSeeds(tb testing.TB) [][]byte {
	plain := xlsxtest.Workbook(tb, `<si><t>题型</t></si>`, xlsxtest.Sheet{Name: "S", Data: `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>题干</t></is></c></row>`})
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 8 << 30})
	if err != nil {
		tb.Fatal(err)
	}
	w.Write([]byte{0x03, 0x00})
	zw.Close()
	return [][]byte{
		plain,
		bomb.Bytes(),
		xlsxtest.Workbook(tb, "", xlsxtest.Sheet{Name: "S", Data: strings.Repeat(`<row/>`, 300<<10/6)}),
		xlsxtest.Workbook(tb, "", xlsxtest.Sheet{Name: "S", Data: `</sheetData><dimension ref="A1:XFD1048576"/><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>`}),
		xlsxtest.Workbook(tb, strings.Repeat("<si/>", 200_000), xlsxtest.Sheet{Name: "S", Data: `<row><c t="s"><v>199999</v></c></row>`}),
		xlsxtest.Workbook(tb, "", xlsxtest.Sheet{Name: "S", Data: `<row ` + strings.Repeat(`x="" `, 1_000_000) + `/>`}),
		xlsxtest.Workbook(tb, `<si><t>`+strings.Repeat("党", 1<<20)+`</t></si>`, xlsxtest.Sheet{Name: "S", Data: `<row><c t="s"><v>0</v></c></row>`}),
		xlsxtest.Workbook(tb, "", xlsxtest.Sheet{Name: "S", Data: strings.Repeat("<is>", 1_000_000)}),
		plain[:len(plain)/2],
		append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, plain...),
	}
}

// TestReadXLSXHostileXML: a workbook whose XML holds one huge token — a tag
// of a million attributes, a text of megabytes, elements nested a million
// deep — is refused as too large at little cost: encoding/xml holds a
// whole token (a 22 KB workbook of attributes allocated 787 MB, of which
// 374 MB at once).
func TestReadXLSXHostileXML(t *testing.T) {
	seeds := xlsxSeeds(t)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"a tag of a million attributes", seeds[5]},
		{"a shared string of 3 MB", seeds[6]},
		{"a million nested elements", seeds[7]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := memtest.Allocated(t, func() {
				_, err = table.ReadXLSX(context.Background(), tt.data, func(string) table.SheetSink { return &recorder{} }, table.Limits{})
			})
			if !errors.Is(err, table.ErrTooLarge) {
				t.Errorf("err = %v, want ErrTooLarge", err)
			}
			if alloc > 32<<20 {
				t.Errorf("a %d KB workbook allocated %d MB", len(tt.data)>>10, alloc>>20)
			}
		})
	}
}
