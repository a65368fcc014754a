package table_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/table"
	"github.com/dangwu/dangwu/internal/table/xlsxtest"
)

// countSink wants the first eight columns, counts what it is given and
// never accepts a sheet, so that every sheet is read.
type countSink struct{ rows, cells int }

func (s *countSink) Want(col int) bool { return col < 8 }
func (s *countSink) Row(_ int, cells []table.Cell, _ bool) error {
	s.rows++
	s.cells += len(cells)
	return nil
}
func (s *countSink) End() error { return errors.New("no header") }

// sameSheetWorkbook is a workbook whose list names one worksheet n times.
func sameSheetWorkbook(tb testing.TB, n int, sheetData string) []byte {
	tb.Helper()
	var list strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&list, `<sheet name="%d" r:id="rId1"/>`, i)
	}
	parts := []xlsxtest.Part{
		{Name: "_rels/.rels", Body: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{Name: "xl/workbook.xml", Body: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + list.String() + `</sheets></workbook>`},
		{Name: "xl/_rels/workbook.xml.rels", Body: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{Name: "xl/worksheets/sheet1.xml", Body: `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData></worksheet>`},
	}
	return xlsxtest.Zip(tb, parts...)
}

func manySheets(tb testing.TB, n int) []byte {
	sheets := make([]xlsxtest.Sheet, n)
	for i := range sheets {
		sheets[i] = xlsxtest.Sheet{Name: fmt.Sprintf("S%d", i), Data: `<row r="1">` + xlsxtest.InlineCell("A1", "备注") + `</row>`}
	}
	return xlsxtest.Workbook(tb, "", sheets...)
}

func TestHostile13ReadXLSXBounded(t *testing.T) {
	if raceDetector {
		t.Skip("memory bounds are measured without the race detector")
	}
	cell := `<row>` + strings.Repeat(`<c t="inlineStr"><is><t>党</t></is></c>`, 8) + `</row>`
	cases := []struct {
		name string
		data func() []byte
		peak uint64
	}{
		{"2 million empty cells in a row", func() []byte {
			return xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S", Data: `<row r="1">` + strings.Repeat(`<c/>`, 2_000_000) + `</row>`})
		}, 32 << 20},
		{"1 million rows of 8 cells", func() []byte {
			return xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S", Data: strings.Repeat(`<row><c t="inlineStr"><is><t>党</t></is></c></row>`, 1_000_000)})
		}, 32 << 20},
		{"13 million empty shared strings", func() []byte {
			return xlsxtest.Workbook(t, strings.Repeat(`<si/>`, 12_000_000), xlsxtest.Sheet{Name: "S", Data: `<row r="1">` + xlsxtest.SharedCell("A1", 0) + `</row>`})
		}, 64 << 20},
		{"60 MB of shared-string text", func() []byte {
			return xlsxtest.Workbook(t, strings.Repeat(`<si><t>`+strings.Repeat("党", 80_000)+`</t></si>`, 250), xlsxtest.Sheet{Name: "S", Data: `<row r="1">` + xlsxtest.SharedCell("A1", 0) + `</row>`})
		}, 64 << 20},
		{"a cell at XFD1048576", func() []byte {
			return xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "S", Data: `<row r="1048576">` + xlsxtest.InlineCell("XFD1048576", "党") + `</row>`})
		}, 8 << 20},
		{"4,000 sheets", func() []byte { return manySheets(t, 4000) }, 32 << 20},
		{"one sheet listed 100,000 times", func() []byte { return sameSheetWorkbook(t, 100_000, strings.Repeat(cell, 1000)) }, 32 << 20},
	}
	// The bound on time: what is read of the worksheets, counted as rows.
	const maxRows = 1 << 20
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data()
			var (
				sink   countSink
				sheets int
				err    error
				peak   uint64
			)
			n := memtest.Allocated(t, func() {
				peak = memtest.PeakHeap(func() {
					_, err = table.ReadXLSX(context.Background(), data, func(string) table.SheetSink { sheets++; return &sink }, table.Limits{})
				})
			})
			t.Logf("%d KB file: %d MB allocated, peak heap %d MB, %d sheets, %d rows, %d cells, err %v", len(data)>>10, n>>20, peak>>20, sheets, sink.rows, sink.cells, err)
			if sink.rows > maxRows {
				t.Errorf("%d rows read from a %d KB file", sink.rows, len(data)>>10)
			}
			if peak > tt.peak {
				t.Errorf("a %d KB file held %d MB, want under %d MB", len(data)>>10, peak>>20, tt.peak>>20)
			}
		})
	}
}
