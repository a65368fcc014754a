package bot

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
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
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
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
// preferring to break at line ends.
func splitPlain(s string, limit int) []string {
	var parts []string
	for textLen(s) > limit {
		cut, n, lastNL := 0, 0, -1
		for i, r := range s {
			w := utf16.RuneLen(r)
			if n+w > limit {
				cut = i
				break
			}
			n += w
			if r == '\n' {
				lastNL = i
			}
		}
		if lastNL > 0 {
			cut = lastNL + 1
		}
		parts = append(parts, strings.TrimRight(s[:cut], "\n"))
		s = s[cut:]
	}
	if strings.TrimSpace(s) != "" || len(parts) == 0 {
		parts = append(parts, s)
	}
	return parts
}
