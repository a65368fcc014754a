// Package textenc decides how a text file is encoded and decodes it to UTF-8,
// reporting the bytes it could not read instead of guessing silently.
package textenc

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encoding names, as Result.Encoding reports them.
const (
	UTF8    = "UTF-8"
	UTF8BOM = "UTF-8 (BOM)"
	UTF16LE = "UTF-16LE"
	UTF16BE = "UTF-16BE"
	GB18030 = "GB18030"
)

// ErrUnknownEncoding is returned for data that is neither almost all UTF-8
// nor clean GB18030 (a binary file, or another legacy encoding).
var ErrUnknownEncoding = errors.New("textenc: unknown text encoding")

// MaxPositions bounds Result.Invalid; Result.InvalidCount counts them all.
const MaxPositions = 100

// Position is where a byte sequence that could not be decoded was found. It
// was replaced by U+FFFD in the text.
type Position struct {
	Line   int // from 1
	Offset int // byte offset in the input
}

// Result is decoded text.
type Result struct {
	Text     string
	Encoding string
	// Invalid are the first MaxPositions undecodable sequences, in order.
	Invalid      []Position
	InvalidCount int
}

// InvalidLines are the distinct lines of r.Invalid, in order.
func (r Result) InvalidLines() []int {
	var out []int
	for _, p := range r.Invalid {
		if len(out) == 0 || out[len(out)-1] != p.Line {
			out = append(out, p.Line)
		}
	}
	return out
}

// Decode decodes data. A byte-order mark decides the encoding. Otherwise
// data that is almost all valid UTF-8 — at most a handful of bad sequences
// (or one in a thousand) among more valid multi-byte ones, or lone stray
// bytes in ASCII text — is read as UTF-8 and the bad sequences reported;
// else data that decodes cleanly as GB18030 (a superset of GBK and GB2312,
// which Chinese Windows writes) is read as GB18030; else, when the bad
// sequences are still rare, as UTF-8 with them reported. Time and memory
// are linear in len(data).
func Decode(data []byte) (Result, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		r := decodeUTF8(data[3:], 3)
		r.Encoding = UTF8BOM
		return r, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(data[2:], false), nil
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data[2:], true), nil
	}
	s := scanUTF8(data)
	if s.invalid == 0 {
		return Result{Text: string(data), Encoding: UTF8}, nil
	}
	few := s.invalid <= 8 || s.invalid*1000 <= s.runes
	if few && (s.multibyte >= s.invalid || s.multibyte == 0 && s.lone) {
		return decodeUTF8(data, 0), nil
	}
	if text, ok := cleanGB18030(data); ok {
		return Result{Text: text, Encoding: GB18030}, nil
	}
	if s.invalid*100 <= s.runes {
		return decodeUTF8(data, 0), nil
	}
	return Result{}, ErrUnknownEncoding
}

type utf8Stats struct {
	runes, multibyte, invalid int
	lone                      bool // every bad byte stands between bytes below 0x80
}

func scanUTF8(data []byte) utf8Stats {
	s := utf8Stats{lone: true}
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			s.runes++
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		s.runes++
		if r == utf8.RuneError && n == 1 {
			s.invalid++
			if i > 0 && data[i-1] >= utf8.RuneSelf || i+1 < len(data) && data[i+1] >= utf8.RuneSelf {
				s.lone = false
			}
		} else {
			s.multibyte++
		}
		i += n
	}
	return s
}

// decodeUTF8 copies data, replacing each bad byte with U+FFFD and recording
// it; base is the offset of data in the input.
func decodeUTF8(data []byte, base int) Result {
	var r Result
	r.Encoding = UTF8
	if utf8.Valid(data) {
		r.Text = string(data)
		return r
	}
	var b strings.Builder
	b.Grow(len(data) + 16)
	line := 1
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c == '\n' {
				line++
			}
			b.WriteByte(c)
			i++
			continue
		}
		ch, n := utf8.DecodeRune(data[i:])
		if ch == utf8.RuneError && n == 1 {
			r.add(Position{Line: line, Offset: base + i})
			b.WriteRune(utf8.RuneError)
		} else {
			b.Write(data[i : i+n])
		}
		i += n
	}
	r.Text = b.String()
	return r
}

func (r *Result) add(p Position) {
	r.InvalidCount++
	if len(r.Invalid) < MaxPositions {
		r.Invalid = append(r.Invalid, p)
	}
}

// decodeUTF16 decodes data after a BOM; unpaired surrogates and an odd last
// byte are replaced and recorded.
func decodeUTF16(data []byte, bigEndian bool) Result {
	r := Result{Encoding: UTF16LE}
	if bigEndian {
		r.Encoding = UTF16BE
	}
	unit := func(i int) rune {
		if bigEndian {
			return rune(data[i])<<8 | rune(data[i+1])
		}
		return rune(data[i+1])<<8 | rune(data[i])
	}
	var b strings.Builder
	b.Grow(len(data) * 3 / 2)
	line := 1
	i := 0
	for ; i+1 < len(data); i += 2 {
		u := unit(i)
		switch {
		case u == '\n':
			line++
			b.WriteByte('\n')
		case utf16.IsSurrogate(u):
			if u < 0xDC00 && i+3 < len(data) {
				if ch := utf16.DecodeRune(u, unit(i+2)); ch != utf8.RuneError {
					b.WriteRune(ch)
					i += 2
					continue
				}
			}
			r.add(Position{Line: line, Offset: 2 + i})
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(u)
		}
	}
	if i < len(data) {
		r.add(Position{Line: line, Offset: 2 + i})
		b.WriteRune(utf8.RuneError)
	}
	r.Text = b.String()
	return r
}

// cleanGB18030 decodes data as GB18030 and reports whether every byte
// belonged to a valid character (the decoder writes U+FFFD for the others).
func cleanGB18030(data []byte) (string, bool) {
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) || bytes.IndexByte(out, 0) >= 0 {
		return "", false
	}
	return string(out), true
}

// UTF16Len is the length of s in UTF-16 code units, as Telegram counts a
// text: a character outside the Basic Multilingual Plane counts two.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
