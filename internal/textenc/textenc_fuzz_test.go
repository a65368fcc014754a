package textenc_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/dangwu/dangwu/internal/textenc"
)

// FuzzDecode checks that any bytes decode to valid UTF-8 in one of the
// encodings textenc names, or are refused with ErrUnknownEncoding; that the
// bad sequences reported are real, in order and bounded; that the text is at
// most a bounded multiple of the input; and that UTF-8 without a bad byte,
// and clean GB18030, read back exactly.
func FuzzDecode(f *testing.F) {
	for _, s := range [][]byte{
		nil,
		[]byte("姓名,手机号,区县\n张三,13912345678,鼓楼区\n"),
		[]byte("\xef\xbb\xbf党费收缴通知\n"),
		[]byte("\xff\xfe\x5a\x51\x39\x8d\n\x00"),        // UTF-16LE 党费, a line feed, an odd byte
		[]byte("\xfe\xff\xd8\x3d\xde\x00\xdc\x00\x00a"), // UTF-16BE: a pair, a lone low surrogate
		[]byte("\xb5\xb3\xb7\xd1\xca\xd5\xbd\xc9"),      // GBK 党费收缴
		[]byte("\x81\x30\x81\x30\x95\x32\x82\x36"),      // GB18030 four-byte sequences
		[]byte("name\nph\xa0x\n"),
		[]byte("各党支部：请\xe6按月收缴党费。\n"),
		[]byte("\x00\x01\x02\xff\xfe"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := textenc.Decode(data)
		if err != nil {
			if !errors.Is(err, textenc.ErrUnknownEncoding) {
				t.Fatalf("Decode(%q): error %v, want ErrUnknownEncoding", data, err)
			}
			if utf8.Valid(data) {
				t.Fatalf("Decode(%q) refused valid UTF-8", data)
			}
			return
		}
		if !utf8.ValidString(r.Text) {
			t.Fatalf("Decode(%q).Text = %q: not valid UTF-8", data, r.Text)
		}
		// U+FFFD is 3 bytes for a bad byte of 1; a UTF-16 unit of 2 bytes
		// is at most 3; a GB18030 sequence of 2 or 4 bytes at most 4.
		if len(r.Text) > 3*len(data) {
			t.Fatalf("Decode of %d bytes gave %d bytes of text", len(data), len(r.Text))
		}
		if len(r.Invalid) > textenc.MaxPositions || len(r.Invalid) > r.InvalidCount {
			t.Fatalf("Decode(%q): %d positions of %d invalid", data, len(r.Invalid), r.InvalidCount)
		}
		if r.InvalidCount > len(data) {
			t.Fatalf("Decode(%q): %d invalid sequences in %d bytes", data, r.InvalidCount, len(data))
		}
		if r.InvalidCount > 0 && strings.Count(r.Text, "\ufffd") < r.InvalidCount {
			t.Fatalf("Decode(%q): %d invalid sequences but %d U+FFFD in the text", data, r.InvalidCount, strings.Count(r.Text, "\ufffd"))
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if r.Encoding == textenc.UTF16LE || r.Encoding == textenc.UTF16BE {
			lines = strings.Count(r.Text, "\n") + 1
		}
		last := Position{Line: 1, Offset: -1}
		for _, p := range r.Invalid {
			if p.Offset <= last.Offset || p.Offset >= len(data) || p.Line < last.Line || p.Line > lines {
				t.Fatalf("Decode(%q): position %+v after %+v (%d lines)", data, p, last, lines)
			}
			last = Position(p)
		}
		if got := r.InvalidLines(); len(got) > len(r.Invalid) {
			t.Fatalf("Decode(%q): %d invalid lines of %d positions", data, len(got), len(r.Invalid))
		}
		switch r.Encoding {
		case textenc.UTF8:
			if r.InvalidCount == 0 && r.Text != string(data) {
				t.Fatalf("Decode(%q) as clean UTF-8 = %q", data, r.Text)
			}
			if r.InvalidCount > 0 && r.Text != strings.ToValidUTF8(string(data), "\ufffd") && !sameButReplaced(string(data), r.Text) {
				t.Fatalf("Decode(%q) as UTF-8 = %q: more than the bad bytes changed", data, r.Text)
			}
		case textenc.UTF8BOM:
			if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
				t.Fatalf("Decode(%q): UTF-8 with BOM without a BOM", data)
			}
			if r.InvalidCount == 0 && r.Text != string(data[3:]) {
				t.Fatalf("Decode(%q) as clean UTF-8 with BOM = %q", data, r.Text)
			}
		case textenc.UTF16LE, textenc.UTF16BE:
			if !bytes.HasPrefix(data, []byte("\xff\xfe")) && !bytes.HasPrefix(data, []byte("\xfe\xff")) {
				t.Fatalf("Decode(%q): UTF-16 without a BOM", data)
			}
			if r.InvalidCount == 0 && len(data)%2 != 0 {
				t.Fatalf("Decode(%q): an odd byte of UTF-16 not reported", data)
			}
		case textenc.GB18030:
			if r.InvalidCount != 0 {
				t.Fatalf("Decode(%q): GB18030 with invalid sequences", data)
			}
			// Not a byte-exact round trip: 0x80 reads as €, as Windows
			// writes it, and € is written A2 E3.
			want, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil || r.Text != string(want) || strings.ContainsRune(r.Text, utf8.RuneError) || strings.ContainsRune(r.Text, 0) {
				t.Fatalf("Decode(%q) as GB18030 = %q, want %q (%v) with neither U+FFFD nor NUL", data, r.Text, want, err)
			}
		default:
			t.Fatalf("Decode(%q): encoding %q", data, r.Encoding)
		}
	})
}

// Position is textenc.Position, to compare positions in order.
type Position textenc.Position

// sameButReplaced reports whether text is data with some bytes each
// replaced by one U+FFFD: decodeUTF8 replaces every bad byte on its own,
// where strings.ToValidUTF8 replaces a run of them once.
func sameButReplaced(data, text string) bool {
	var b strings.Builder
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRuneInString(data[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(data[i : i+n])
		}
		i += n
	}
	return b.String() == text
}

// FuzzDecodeRoundTrip checks that any text written in UTF-16 with a BOM, or
// in GB18030 by a Chinese Windows program, reads back as itself.
func FuzzDecodeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "党费收缴通知\n各党支部：", "姓名,手机\r\n张三,139", "a", "😀 emoji 𠀀", "\u0080\u00ff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, e := range []struct {
			name string
			enc  unicode.Endianness
		}{{textenc.UTF16LE, unicode.LittleEndian}, {textenc.UTF16BE, unicode.BigEndian}} {
			data, err := unicode.UTF16(e.enc, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			r, err := textenc.Decode(data)
			if err != nil || r.Text != s || r.Encoding != e.name || r.InvalidCount != 0 {
				t.Fatalf("%s of %q read as %q in %s (%d invalid, %v)", e.name, s, r.Text, r.Encoding, r.InvalidCount, err)
			}
		}
		data, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
		if err != nil {
			return // a character GB18030 does not have (a lone surrogate)
		}
		if back, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil || string(back) != s {
			return // x/text reads some private-use characters back as others (U+E0E8 as U+F0FC)
		}
		// A GB18030 text may also be valid UTF-8 by chance (涓枃 is the
		// UTF-8 of 中文): that reading is not checked. A NUL or a U+FFFD
		// makes it unclean GB18030 on purpose.
		r, err := textenc.Decode(data)
		unclean := strings.ContainsRune(s, 0) || strings.ContainsRune(s, utf8.RuneError)
		switch {
		case err != nil && !unclean:
			t.Fatalf("GB18030 of %q refused: %v", s, err)
		case err == nil && r.Encoding == textenc.GB18030 && r.Text != s:
			t.Fatalf("GB18030 of %q read as %q", s, r.Text)
		case err == nil && !unclean && !utf8.Valid(data) && r.Encoding != textenc.GB18030 && r.InvalidCount > 8:
			t.Fatalf("GB18030 of %q read as %s with %d bad sequences", s, r.Encoding, r.InvalidCount)
		}
	})
}

// FuzzUTF16Len checks UTF16Len against encoding the text.
func FuzzUTF16Len(f *testing.F) {
	for _, s := range []string{"", "党费", "😀a", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := textenc.UTF16Len(s), len(utf16.Encode([]rune(s))); got != want {
			t.Fatalf("UTF16Len(%q) = %d, want %d", s, got, want)
		}
	})
}
