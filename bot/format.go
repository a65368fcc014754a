package bot

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/textenc"
)

// maxText is Telegram's limit on a message's text after entity parsing,
// counted in UTF-16 code units.
const maxText = 4096

// esc escapes an outside string (user text, content, names) for HTML parse mode.
func esc(s string) string { return html.EscapeString(s) }

// Highlight markers that the knowledge package puts around matched words.
const (
	markOpen  = "\x02"
	markClose = "\x03"
)

// escMarked escapes s and turns the knowledge package's match markers into
// bold tags, dropping unbalanced ones so the result always parses.
func escMarked(s string) string {
	var b strings.Builder
	open := false
	for len(s) > 0 {
		i := strings.IndexAny(s, markOpen+markClose)
		if i < 0 {
			b.WriteString(esc(s))
			break
		}
		b.WriteString(esc(s[:i]))
		switch s[i : i+1] {
		case markOpen:
			if !open {
				b.WriteString("<b>")
				open = true
			}
		case markClose:
			if open {
				b.WriteString("</b>")
				open = false
			}
		}
		s = s[i+1:]
	}
	if open {
		b.WriteString("</b>")
	}
	return b.String()
}

// cleanText normalises text a person typed: invalid UTF-8 replaced, control
// characters other than line breaks and tabs removed, surrounding space trimmed.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// textLen counts s as Telegram does: UTF-16 code units.
func textLen(s string) int { return textenc.UTF16Len(s) }

// htmlLen counts the bot's own HTML as Telegram does once it has parsed
// the entities: tags count nothing, an escaped character one, and the rest
// in UTF-16 code units. It is meant for text built with esc, where every
// < and & of the content is escaped.
func htmlLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return n + textLen(s[i:])
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return n + textLen(s[i:])
			}
			n++
			i += end + 1
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			n += utf16.RuneLen(r)
			i += size
		}
	}
	return n
}

// packPages groups blocks, in order, into pages of at most maxPer blocks
// whose lengths (by measure) add up to at most budget; a block longer than
// budget gets a page of its own. It returns each page's first block and
// its end.
func packPages(blocks []string, maxPer, budget int, measure func(string) int) [][2]int {
	var pages [][2]int
	start, used := 0, 0
	for i, bl := range blocks {
		n := measure(bl)
		if i > start && (i-start == maxPer || used+n > budget) {
			pages = append(pages, [2]int{start, i})
			start, used = i, 0
		}
		used += n
	}
	if start < len(blocks) {
		pages = append(pages, [2]int{start, len(blocks)})
	}
	return pages
}

// truncate shortens plain (unescaped) text to at most limit UTF-16 code
// units, ending with an ellipsis when it cut.
func truncate(s string, limit int) string {
	if textLen(s) <= limit {
		return s
	}
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > limit-1 {
			return s[:i] + "…"
		}
	}
	return s
}

// splitPlain cuts plain text into pieces of at most limit UTF-16 code units,
// preferring to break at line ends. The only text it drops is the line breaks
// at which it cuts; every other character, white space included, is kept in
// order, so the pieces and those line breaks rebuild s. No piece is empty
// unless s is. A character wider than limit (a surrogate pair when limit is
// 1, anything when limit is below 1) becomes a piece of its own rather than
// stalling the loop.
func splitPlain(s string, limit int) []string {
	var parts []string
	units := textLen(s) // of what is left, counted once: the loop stays linear
	for s != "" && units > limit {
		// cut is where the window of at most limit units ends; brk is the
		// end of its last line, counted only after some text that is not a
		// line break, so that breaking there leaves a piece that is not empty.
		cut, n, brk, text := len(s), 0, -1, false
		for i, r := range s {
			w := utf16.RuneLen(r)
			if n+w > limit {
				cut = i
				break
			}
			n += w
			if r != '\n' {
				text = true
			} else if text {
				brk = i
			}
		}
		piece := s[:cut]
		switch {
		case brk >= 0:
			piece = strings.TrimRight(s[:brk], "\n")
			cut = brk + 1
		case cut == 0:
			// The first character alone is wider than limit: progress
			// matters more than the limit, which no split could meet.
			_, size := utf8.DecodeRuneInString(s)
			cut = size
			piece = s[:cut]
		}
		parts = append(parts, piece)
		// Line breaks right after a cut are part of the break.
		next := strings.TrimLeft(s[cut:], "\n")
		units -= textLen(s[:cut]) + len(s) - cut - len(next)
		s = next
	}
	if s != "" || len(parts) == 0 {
		parts = append(parts, s)
	}
	return parts
}
