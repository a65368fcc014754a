package textenc_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/dangwu/dangwu/internal/textenc"
)

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16With(t *testing.T, s string, e unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const notice = "---\ntitle: 党费收缴通知\n---\n\n# 党费收缴通知\n\n各党支部：请按月收缴党费。\n"
	stray := bytes.Replace([]byte(notice), []byte("请按月"), []byte("请\xe6按月"), 1)
	tests := []struct {
		name     string
		data     []byte
		text     string
		encoding string
		lines    []int
	}{
		{"utf-8", []byte(notice), notice, textenc.UTF8, nil},
		{"ascii", []byte("name,phone\n"), "name,phone\n", textenc.UTF8, nil},
		{"utf-8 bom", append([]byte("\xef\xbb\xbf"), notice...), notice, textenc.UTF8BOM, nil},
		{"utf-16le", utf16With(t, notice, unicode.LittleEndian), notice, textenc.UTF16LE, nil},
		{"utf-16be", utf16With(t, notice, unicode.BigEndian), notice, textenc.UTF16BE, nil},
		{"gbk", gbk(t, notice), notice, textenc.GB18030, nil},
		{"gbk short", gbk(t, "姓名,手机\n"), "姓名,手机\n", textenc.GB18030, nil},
		{"one stray byte in utf-8", stray, "---\ntitle: 党费收缴通知\n---\n\n# 党费收缴通知\n\n各党支部：请\ufffd按月收缴党费。\n", textenc.UTF8, []int{7}},
		{"stray byte in ascii", []byte("name\nph\xa0x\n"), "name\nph\ufffdx\n", textenc.UTF8, []int{2}},
		{"utf-16 odd byte", append(utf16With(t, "a\nb", unicode.LittleEndian), 'x'), "a\nb\ufffd", textenc.UTF16LE, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := textenc.Decode(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Text != tt.text || r.Encoding != tt.encoding {
				t.Errorf("Decode = %q (%s), want %q (%s)", r.Text, r.Encoding, tt.text, tt.encoding)
			}
			if got := r.InvalidLines(); !slices.Equal(got, tt.lines) || r.InvalidCount != len(tt.lines) {
				t.Errorf("invalid lines = %v (count %d), want %v", got, r.InvalidCount, tt.lines)
			}
		})
	}
}

func TestDecodeBinary(t *testing.T) {
	data := bytes.Repeat([]byte{0xff, 0x00, 0xfe, 0x80}, 1000)[1:]
	if _, err := textenc.Decode(data); !errors.Is(err, textenc.ErrUnknownEncoding) {
		t.Errorf("err = %v, want ErrUnknownEncoding", err)
	}
}

func TestDecodeBoundsPositions(t *testing.T) {
	data := bytes.Repeat([]byte(strings.Repeat("党费收缴通知", 20)+"\xff\n"), 5000)
	r, err := textenc.Decode(data)
	if err != nil || r.Encoding != textenc.UTF8 {
		t.Fatalf("Decode = %s, %v", r.Encoding, err)
	}
	if len(r.Invalid) != textenc.MaxPositions || r.InvalidCount != 5000 || r.Invalid[1].Line != 2 {
		t.Errorf("%d positions, count %d, second %+v", len(r.Invalid), r.InvalidCount, r.Invalid[1])
	}
}

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "党费": 2, "𠀀🙂": 4, "a𠮷b": 4} {
		if got := textenc.UTF16Len(s); got != want {
			t.Errorf("UTF16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
