package member_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/table/xlsxtest"
	"github.com/dangwu/dangwu/member"
)

// rawXLSX writes a workbook by hand: one worksheet with the given
// <sheetData> content and, when sst is not empty, a shared-strings part.
func rawXLSX(tb testing.TB, sheetData, sst string) []byte {
	tb.Helper()
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	types := `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	if sst != "" {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
	}
	parts := []xlsxtest.Part{
		{Name: "[Content_Types].xml", Body: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + types + `</Types>`},
		{Name: "_rels/.rels", Body: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{Name: "xl/workbook.xml", Body: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{Name: "xl/_rels/workbook.xml.rels", Body: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`},
		{Name: "xl/worksheets/sheet1.xml", Body: `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData></worksheet>`},
	}
	if sst != "" {
		parts = append(parts, xlsxtest.Part{Name: "xl/sharedStrings.xml", Body: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sst + `</sst>`})
	}
	return xlsxtest.Zip(tb, parts...)
}

const headerRow = `<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>手机</t></is></c><c r="C1" t="inlineStr"><is><t>区县</t></is></c></row>`

// xfdRoster is a roster of n valid rows, each with a cell in column XFD,
// the last one: a reader that pads rows holds 16,384 cells a row.
func xfdRoster(tb testing.TB, n int) []byte {
	tb.Helper()
	var b strings.Builder
	b.WriteString(headerRow)
	for i := 2; i < n+2; i++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d"><v>139%08d</v></c><c r="C%d" t="s"><v>1</v></c><c r="XFD%d" t="s"><v>2</v></c></row>`, i, i, i, i, i, i)
	}
	return rawXLSX(tb, b.String(), `<si><t>张三</t></si><si><t>鼓楼区</t></si><si><t>备注</t></si>`)
}

// sstRoster has n shared strings (one used) and three rows.
func sstRoster(tb testing.TB, n int) []byte {
	tb.Helper()
	var sst strings.Builder
	sst.WriteString(`<si><t>张三</t></si><si><t>鼓楼区</t></si>`)
	for i := 2; i < n; i++ {
		fmt.Fprintf(&sst, `<si><t>%d</t></si>`, i)
	}
	rows := headerRow + `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>13900000001</v></c><c r="C2" t="s"><v>1</v></c></row>`
	return rawXLSX(tb, rows, sst.String())
}

// wideCSV is a header and one line of n commas.
func wideCSV(n int) []byte {
	return []byte("姓名,手机,区县\n张三,13900000001,鼓楼区" + strings.Repeat(",", n) + "\n")
}

func TestParseRosterXFDBounded(t *testing.T) {
	data := xfdRoster(t, member.MaxRosterRows)
	d := mustDistricts(t)
	var rows []member.RosterRow
	var problems []member.RowProblem
	var err error
	n := memtest.Allocated(t, func() {
		rows, problems, err = member.ParseRoster(context.Background(), "r.xlsx", data, d)
	})
	if err != nil || len(problems) > 0 || len(rows) != member.MaxRosterRows {
		t.Fatalf("%d rows, %d problems, err %v", len(rows), len(problems), err)
	}
	if rows[0].Line != 2 || rows[0].Name != "张三" || rows[0].Phone != "13900000002" || rows[0].District != "鼓楼区" {
		t.Errorf("first row = %+v", rows[0])
	}
	if n > 64<<20 {
		t.Errorf("a %d KB roster of %d rows with cells in column XFD allocated %d MB, want under 64 MB", len(data)>>10, len(rows), n>>20)
	}
}

func TestParseRosterSharedStringsBounded(t *testing.T) {
	data := sstRoster(t, 500_000)
	d := mustDistricts(t)
	var rows []member.RosterRow
	var err error
	n := memtest.Allocated(t, func() {
		rows, _, err = member.ParseRoster(context.Background(), "r.xlsx", data, d)
	})
	if err != nil || len(rows) != 1 || rows[0].Name != "张三" {
		t.Fatalf("rows = %+v, err %v", rows, err)
	}
	if n > 192<<20 {
		t.Errorf("a roster with 500,000 shared strings allocated %d MB, want under 192 MB", n>>20)
	}
}

// TestParseRosterZipBomb: a part whose uncompressed size is over the limit
// is refused before it is inflated.
func TestParseRosterZipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 8 << 30})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{0x03, 0x00})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, err = member.ParseRoster(context.Background(), "r.xlsx", buf.Bytes(), mustDistricts(t))
	if !errors.Is(err, member.ErrRosterTooLarge) {
		t.Errorf("err = %v, want ErrRosterTooLarge", err)
	}
}

func TestParseRosterCSVBounded(t *testing.T) {
	d := mustDistricts(t)
	tests := []struct {
		name string
		data []byte
	}{
		{"four million cells on a line", wideCSV(4 << 20)},
		{"a ten-megabyte cell", []byte("姓名,手机,区县\n张三,13900000001,鼓楼区" + strings.Repeat("x", 10<<20) + "\n")},
		{"a quote never closed", []byte("姓名,手机,区县\n张三,\"13900000001,鼓楼区\n" + strings.Repeat("李四,13900000002,鼓楼区\n", 100))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := memtest.Allocated(t, func() { _, _, err = member.ParseRoster(context.Background(), "r.csv", tt.data, d) })
			if !errors.Is(err, member.ErrRecordTooLong) {
				t.Errorf("err = %v, want ErrRecordTooLong", err)
			}
			if limit := uint64(len(tt.data))*3 + 4<<20; n > limit {
				t.Errorf("allocated %d MB for a %d MB file, want under %d MB", n>>20, len(tt.data)>>20, limit>>20)
			}
		})
	}
}

func TestParseRosterCancelled(t *testing.T) {
	d := mustDistricts(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var csv bytes.Buffer
	csv.WriteString("姓名,手机,区县\n")
	for i := range 10000 {
		fmt.Fprintf(&csv, "张三,139%08d,鼓楼区\n", i)
	}
	for name, data := range map[string][]byte{"r.xlsx": xfdRoster(t, 10000), "r.csv": csv.Bytes()} {
		if _, _, err := member.ParseRoster(ctx, name, data, d); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", name, err)
		}
	}
}

func BenchmarkRosterXFD(b *testing.B) {
	data := xfdRoster(b, member.MaxRosterRows)
	d := mustDistricts(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := member.ParseRoster(context.Background(), "r.xlsx", data, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRosterSharedStrings(b *testing.B) {
	data := sstRoster(b, 1_000_000)
	d := mustDistricts(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := member.ParseRoster(context.Background(), "r.xlsx", data, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRosterCSVWideLine(b *testing.B) {
	data := wideCSV(4 << 20)
	d := mustDistricts(b)
	b.ReportAllocs()
	for b.Loop() {
		member.ParseRoster(context.Background(), "r.csv", data, d)
	}
}
