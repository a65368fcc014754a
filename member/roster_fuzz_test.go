package member_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/table"
	"github.com/dangwu/dangwu/internal/table/xlsxtest"
	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/member"
)

// rowErrors are the reasons a roster row may be left out.
var rowErrors = []error{member.ErrMissingValue, member.ErrInvalidName, member.ErrInvalidPhone, member.ErrUnknownDistrict,
	member.ErrInvalidOrg, member.ErrInvalidPost, member.ErrDuplicatePhone, member.ErrUnreadableText}

// readRoster reads a roster and checks the result: a known error, or rows
// whose values are what the validators make of them (validating one again
// changes nothing), with unique phones, in order of their lines, and
// problems on other lines with a known reason.
func readRoster(t *testing.T, d member.Districts, name string, data []byte) member.Roster {
	t.Helper()
	r, err := member.ReadRoster(context.Background(), name, data, d)
	what := fmt.Sprintf("ReadRoster(%s, %q)", name, data)
	if err != nil {
		var ce *member.ColumnError
		for _, known := range []error{member.ErrRosterTooLarge, member.ErrRecordTooLong, member.ErrUnsupportedFile, member.ErrTooManyRows,
			table.ErrNotXLSX, textenc.ErrUnknownEncoding} {
			if errors.Is(err, known) {
				return r
			}
		}
		if !errors.As(err, &ce) || ce.Field == "" || err.Error() == "" {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return r
	}
	if len(r.Rows) > member.MaxRosterRows {
		t.Fatalf("%s: %d rows", what, len(r.Rows))
	}
	phones := map[string]int{}
	last := 0
	good := map[int]bool{}
	for _, row := range r.Rows {
		name, nameErr := member.ValidateName(row.Name)
		phone, phoneErr := member.NormalizePhone(row.Phone)
		district, ok := d.Resolve(row.District)
		switch {
		case row.Line <= last:
			t.Fatalf("%s: row on line %d after line %d", what, row.Line, last)
		case nameErr != nil || name != row.Name:
			t.Fatalf("%s: line %d name %q validates as %q (%v)", what, row.Line, row.Name, name, nameErr)
		case phoneErr != nil || phone != row.Phone:
			t.Fatalf("%s: line %d phone %q normalizes as %q (%v)", what, row.Line, row.Phone, phone, phoneErr)
		case !ok || district != row.District:
			t.Fatalf("%s: line %d district %q resolves as %q", what, row.Line, row.District, district)
		case phones[row.Phone+" "+row.District] > 0:
			t.Fatalf("%s: phone %s of %s on lines %d and %d", what, row.Phone, row.District, phones[row.Phone+" "+row.District], row.Line)
		}
		if row.Org != "" {
			if org, err := member.ValidateOrg(row.Org); err != nil || org != row.Org {
				t.Fatalf("%s: line %d organisation %q validates as %q (%v)", what, row.Line, row.Org, org, err)
			}
		}
		if !utf8.ValidString(row.Post) || strings.ContainsAny(row.Post, "\n\t") {
			t.Fatalf("%s: line %d post %q", what, row.Line, row.Post)
		}
		phones[row.Phone+" "+row.District] = row.Line
		good[row.Line] = true
		last = row.Line
	}
	for _, p := range r.Problems {
		known := false
		for _, e := range rowErrors {
			known = known || errors.Is(p, e)
		}
		if !known || p.Line < 1 || good[p.Line] || p.Field == "" || p.Error() == "" {
			t.Fatalf("%s: problem %+v", what, p)
		}
	}
	return r
}

func districts(tb testing.TB) member.Districts {
	tb.Helper()
	d, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// FuzzReadRosterCSV checks a roster of any bytes, read as CSV.
func FuzzReadRosterCSV(f *testing.F) {
	for _, s := range []string{
		"姓名,手机号,区县,单位,岗位\n张三,13912345678,鼓楼区,某公司,专职党务工作者\n李四,+86 139-1234-5679,鼓楼,,\n王五,13912345678,泉山区,,\n",
		"*姓名（必填）;电话;所属区县\n赵·六,1.3912345678E+10,云龙区\n",
		"说明：本表为名单\n\n姓名,手机\n",
		"name,phone,district,org\nZhang San,'13912345670,gulou,<b>\n",
		"姓名,姓名,手机号,区县\n",
		"姓名,手机号,区县\n\"未闭合,1\n\n\n\n\n\n\n\n\n",
		"\xd0\xd5\xc3\xfb,\xca\xd6\xbb\xfa\xba\xc5,\xc7\xf8\xcf\xd8\n\xd5\xc5\xc8\xfd,13912345678,\xb9\xc4\xc2\xa5\xc7\xf8\n", // GBK
		"姓名,手机号,区县\n张\xe6三,13912345678,鼓楼区\n",
	} {
		f.Add([]byte(s))
	}
	d := districts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		readRoster(t, d, "名单.csv", data)
	})
}

// FuzzReadRosterXLSX checks a roster workbook whose sheet is any XML.
func FuzzReadRosterXLSX(f *testing.F) {
	header := `<row r="1">` + xlsxtest.InlineCell("A1", "姓名") + xlsxtest.InlineCell("B1", "手机号") + xlsxtest.InlineCell("C1", "区县") + `</row>`
	f.Add(`<si><t>张三</t></si>`, header+`<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>13912345678</v></c>`+xlsxtest.InlineCell("C2", "鼓楼区")+`<c r="XFD2"><v>1</v></c></row>`)
	f.Add("", header+`<row r="3"><c r="B3"><v>1.3912345678E+10</v></c></row>`)
	f.Add("", `<row r="1"><c r="A1" t="s"><v>3</v></c></row>`)
	f.Add("", header+strings.Repeat(`<row><c><v>张三</v></c><c><v>13912345678</v></c><c><v>鼓楼区</v></c></row>`, 5))
	d := districts(f)
	f.Fuzz(func(t *testing.T, sst, sheet string) {
		readRoster(t, d, "名单.xlsx", xlsxtest.Workbook(t, sst, xlsxtest.Sheet{Name: "名单", Data: sheet}))
	})
}

// FuzzRosterRoundTrip checks that a row written in a roster, as CSV and as
// an .xlsx sheet, reads back as the validators make its values, or is left
// out with a problem on its line.
func FuzzRosterRoundTrip(f *testing.F) {
	f.Add("张三", "13912345678", "鼓楼区", "某某科技有限公司", "专职党务工作者")
	f.Add("欧阳·娜娜", "+86 139 1234 5678", "鼓楼", "", "")
	f.Add("Zhang", "0086-13912345678", "火星区", "<公司>", "岗位\n二")
	f.Fuzz(func(t *testing.T, name, phone, district, org, post string) {
		row := []string{name, phone, district, org, post}
		for _, s := range row {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\x00\ufeff\t;") || strings.ContainsFunc(s, func(r rune) bool { return !xmlChar(r) }) {
				return
			}
		}
		header := []string{"姓名", "手机号", "区县", "单位", "岗位"}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.WriteAll([][]string{header, row})
		var sheet strings.Builder
		for line, r := range [][]string{header, row} {
			fmt.Fprintf(&sheet, `<row r="%d">`, line+1)
			for i, s := range r {
				if s != "" {
					sheet.WriteString(xlsxtest.InlineCell(fmt.Sprintf("%c%d", 'A'+i, line+1), s))
				}
			}
			sheet.WriteString("</row>")
		}
		d := districts(t)
		for _, r := range []member.Roster{
			readRoster(t, d, "名单.csv", buf.Bytes()),
			readRoster(t, d, "名单.xlsx", xlsxtest.Workbook(t, "", xlsxtest.Sheet{Name: "名单", Data: sheet.String()})),
		} {
			if strings.TrimSpace(strings.Join(row, "")) == "" {
				continue
			}
			if len(r.Rows)+min(len(r.Problems), 1) != 1 {
				t.Fatalf("row %q: rows %+v, problems %v", row, r.Rows, r.Problems)
			}
			if len(r.Rows) == 0 {
				continue
			}
			got := r.Rows[0]
			wantName, _ := member.ValidateName(strings.TrimSpace(name))
			wantDistrict, _ := d.Resolve(strings.TrimSpace(district))
			if got.Line != 2 || got.Name != wantName || got.District != wantDistrict {
				t.Fatalf("row %q read as %+v", row, got)
			}
		}
	})
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// FuzzValidate checks that what the validators accept they accept again
// unchanged: a name, a phone, an organisation, a post.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"张三", " 欧阳 · 娜娜 ", "+86 139-1234-5678", "0086 13912345678", "某某（徐州）科技有限公司", "<b>", "专职党务工作者", "ｚｈａｎｇ", "·张三", "张三·"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := member.ValidateName(s); err == nil {
			if again, err := member.ValidateName(v); err != nil || again != v || v == "" {
				t.Fatalf("ValidateName(%q) = %q, then %q (%v)", s, v, again, err)
			}
		}
		if v, err := member.NormalizePhone(s); err == nil {
			if again, err := member.NormalizePhone(v); err != nil || again != v || len(v) != 11 {
				t.Fatalf("NormalizePhone(%q) = %q, then %q (%v)", s, v, again, err)
			}
		}
		if v, err := member.ValidateOrg(s); err == nil {
			if again, err := member.ValidateOrg(v); err != nil || again != v || strings.ContainsAny(v, "<>\n") {
				t.Fatalf("ValidateOrg(%q) = %q, then %q (%v)", s, v, again, err)
			}
		}
		if v, err := member.ValidatePost(s); err == nil {
			if again, err := member.ValidatePost(v); err != nil || again != v {
				t.Fatalf("ValidatePost(%q) = %q, then %q (%v)", s, v, again, err)
			}
		}
	})
}

// FuzzParseDistricts checks that every district of any districts.yaml is
// named, once, and found by its name.
func FuzzParseDistricts(f *testing.F) {
	data, err := fs.ReadFile(content.Embedded(), member.DistrictsFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{"districts:\n  - name: 鼓楼区\n    aliases: [鼓楼, ＧＬ]\n  - name: 鼓楼\n", "districts: []\n", "districts:\n  - name: \" \"\n", "- 1\n", "a: &a [*a]\n", "districts:\n  - name: a\n    aliases: [\"\"]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := member.ParseDistricts(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), member.DistrictsFile) {
				t.Fatalf("ParseDistricts(%q): error %v does not name the file", data, err)
			}
			return
		}
		names := d.Names()
		if len(names) == 0 {
			t.Fatalf("ParseDistricts(%q): no districts and no error", data)
		}
		seen := map[string]bool{}
		for _, n := range names {
			if got, ok := d.Resolve(n); n == "" || seen[n] || !ok || got != n || !d.Has(n) {
				t.Fatalf("ParseDistricts(%q): district %q resolves as %q, %v", data, n, got, ok)
			}
			seen[n] = true
		}
	})
}
