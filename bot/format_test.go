package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/botapi"
)

// FuzzEscMarked checks that any text with any match markers becomes HTML
// that Telegram accepts and that reads as the text itself.
func FuzzEscMarked(f *testing.F) {
	for _, s := range []string{"", "党费\x02按月\x03交纳", "<b>x</b> & \"y\" 'z'", "\x03\x02\x02a\x03\x03", "a<\x02b>&amp;\x03", "&#39;&lt;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		out := escMarked(s)
		plain, _, err := botapi.ParseHTML(out)
		if err != nil {
			t.Fatalf("escMarked(%q) = %q: Telegram would refuse it: %v", s, out, err)
		}
		want := strings.NewReplacer(markOpen, "", markClose, "").Replace(s)
		if plain != want {
			t.Fatalf("escMarked(%q) reads %q, want %q", s, plain, want)
		}
	})
}

// FuzzSplitPlain checks that splitting never loses text or makes a piece
// too long.
func FuzzSplitPlain(f *testing.F) {
	f.Add(strings.Repeat("党员", 3000), 4000)
	f.Add("a\nb\nc", 1)
	f.Add("🙂🙂🙂🙂", 3)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 2 || limit > 5000 || !utf8.ValidString(s) {
			t.Skip()
		}
		parts := splitPlain(s, limit)
		for _, p := range parts {
			if textLen(p) > limit {
				t.Fatalf("piece of %d units over the limit %d", textLen(p), limit)
			}
		}
		joined := strings.ReplaceAll(strings.Join(parts, ""), "\n", "")
		if joined != strings.ReplaceAll(s, "\n", "") && strings.TrimSpace(s) != "" {
			t.Fatalf("split lost text: %q -> %q", s, parts)
		}
	})
}
