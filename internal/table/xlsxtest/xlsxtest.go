// Package xlsxtest writes .xlsx workbooks by hand for tests: any
// <sheetData> and shared-strings content, such as a hostile file no
// spreadsheet program would write (a cell in column XFD on every row, a
// million shared strings).
package xlsxtest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

// Sheet is one worksheet: its name and the content of its <sheetData>.
type Sheet struct {
	Name, Data string
}

// Workbook writes a workbook of the sheets, in order, and, when sst is not
// empty, a shared-strings part holding sst (a run of <si> elements).
func Workbook(tb testing.TB, sst string, sheets ...Sheet) []byte {
	tb.Helper()
	var rels, types, list bytes.Buffer
	for i, s := range sheets {
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&list, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, s.Name, i+1, i+1)
	}
	if sst != "" {
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, len(sheets)+1)
		types.WriteString(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
	}
	parts := []Part{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + types.String() + `</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + list.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`},
	}
	for i, s := range sheets {
		parts = append(parts, Part{
			fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1),
			`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + s.Data + `</sheetData></worksheet>`,
		})
	}
	if sst != "" {
		parts = append(parts, Part{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sst + `</sst>`})
	}
	return Zip(tb, parts...)
}

// Part is a file of a zip package: its path and its content.
type Part struct{ Name, Body string }

// Zip writes the parts, in order, as a zip file: any package by hand, such
// as a workbook whose list names one sheet a thousand times.
func Zip(tb testing.TB, parts ...Part) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(p.Body)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// InlineCell is a cell of inline text: <c r="B2" t="inlineStr">…</c>.
func InlineCell(ref, text string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(text))
	return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, b.String())
}

// SharedCell is a cell holding shared string i: <c r="B2" t="s"><v>i</v></c>.
func SharedCell(ref string, i int) string {
	return fmt.Sprintf(`<c r="%s" t="s"><v>%d</v></c>`, ref, i)
}
