package bot

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
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

// FuzzSplitPlain checks that splitting always ends, never loses text but the
// line breaks it cuts at, and never makes a piece too long: only a single
// character wider than the limit may be.
func FuzzSplitPlain(f *testing.F) {
	f.Add(strings.Repeat("党员", 3000), 4000)
	f.Add("a\nb\nc", 1)
	f.Add("🙂🙂🙂🙂", 3)
	f.Add("0000 ", 4)    // a piece of only white space was dropped
	f.Add("🙂", 1)        // a surrogate pair wider than the limit looped forever
	f.Add("a", 0)        // so did any character with a limit below 1
	f.Add("\n\n\nab", 2) // a window of only line breaks made an empty piece
	f.Add("", -1)
	f.Add("ab\n\ncd", 3) // a piece started with a line break after a cut
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < -1 || limit > 5000 || !utf8.ValidString(s) {
			t.Skip()
		}
		checkSplit(t, s, limit, splitPlain(s, limit))
	})
}

// checkSplit fails unless parts is a correct split of s under limit: each
// piece within it (or a single character), none empty unless s is, and the
// pieces with runs of line breaks between them rebuilding s exactly.
func checkSplit(t *testing.T, s string, limit int, parts []string) {
	t.Helper()
	if len(parts) == 0 {
		t.Fatalf("splitPlain(%q, %d) returned no pieces", s, limit)
	}
	rest := s
	for i, p := range parts {
		if textLen(p) > limit && utf8.RuneCountInString(p) > 1 {
			t.Fatalf("splitPlain(%q, %d): piece %d %q of %d units is over the limit", s, limit, i, p, textLen(p))
		}
		if p == "" && s != "" {
			t.Fatalf("splitPlain(%q, %d) = %q: piece %d is empty", s, limit, parts, i)
		}
		if i > 0 {
			// The line breaks cut at, then the piece with its own.
			if strings.Trim(p, "\n") == "" {
				t.Fatalf("splitPlain(%q, %d) = %q: piece %d is only line breaks", s, limit, parts, i)
			}
			k := leadingBreaks(rest) - leadingBreaks(p)
			if k < 0 {
				t.Fatalf("splitPlain(%q, %d) = %q: piece %d does not follow its text", s, limit, parts, i)
			}
			rest = rest[k:]
		}
		if !strings.HasPrefix(rest, p) {
			t.Fatalf("splitPlain(%q, %d) = %q: piece %d does not match the text %q", s, limit, parts, i, rest)
		}
		rest = rest[len(p):]
	}
	if strings.Trim(rest, "\n") != "" {
		t.Fatalf("splitPlain(%q, %d) = %q lost %q", s, limit, parts, rest)
	}
}

func leadingBreaks(s string) int { return len(s) - len(strings.TrimLeft(s, "\n")) }

func TestSplitPlain(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		want  []string
	}{
		{"fits", "党员", 4, []string{"党员"}},
		{"empty", "", 4, []string{""}},
		{"trailing space kept", "0000 ", 4, []string{"0000", " "}},
		{"breaks at a line end", "ab\ncd\nef", 6, []string{"ab\ncd", "ef"}},
		{"drops the breaks it cuts at", "ab\n\n\ncd", 3, []string{"ab", "cd"}},
		{"hard cut before a line break", "abc\ndef", 3, []string{"abc", "def"}},
		{"leading line breaks are text", "\n\n\nab", 2, []string{"\n\n", "ab"}},
		{"surrogate pair kept whole", "🙂🙂🙂", 3, []string{"🙂", "🙂", "🙂"}},
		{"surrogate pair wider than the limit", "a🙂b", 1, []string{"a", "🙂", "b"}},
		{"limit below one", "ab", 0, []string{"a", "b"}},
		{"negative limit", "a", -1, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitPlain(tt.s, tt.limit)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("splitPlain(%q, %d) = %q, want %q", tt.s, tt.limit, got, tt.want)
			}
			checkSplit(t, tt.s, tt.limit, got)
		})
	}
}

func TestAfterAnswer(t *testing.T) {
	m, e := string(knowledge.MarkStart), string(knowledge.MarkEnd)
	for _, c := range []struct{ snippet, answer, want string }{
		{"预备期为一年。预备党员的义务同正式党员一样。", "预备期为一年。", "预备党员的义务同正式党员一样。"},
		{m + "预备期" + e + "为一年。" + m + "预备" + e + "党员…", "预备期为一年。", m + "预备" + e + "党员…"},
		{"预" + m + "备期为一年。预备" + e + "党员", "预备期为一年。", m + "预备" + e + "党员"},
		{"预备期为一年。", "预备期为一年。", ""},
		{"…别的开头。预备期为一年。", "预备期为一年。", "…别的开头。预备期为一年。"},
		{"短", "", "短"},
	} {
		if got := afterAnswer(c.snippet, c.answer); got != c.want {
			t.Errorf("afterAnswer(%q, %q) = %q, want %q", c.snippet, c.answer, got, c.want)
		}
	}
}

// FuzzHTMLLen checks that htmlLen of the bot's HTML (escaped text between
// tags) counts what Telegram counts: the parsed text in UTF-16 units.
func FuzzHTMLLen(f *testing.F) {
	for _, s := range []string{"", "党费", "<b>&amp;</i>", "𠀀🙂&<>", "\"'\n"} {
		f.Add(s, "b")
	}
	f.Fuzz(func(t *testing.T, s, tag string) {
		if !utf8.ValidString(s) || (tag != "b" && tag != "i" && tag != "code") {
			t.Skip()
		}
		html := "<" + tag + ">" + esc(s) + "</" + tag + ">" + esc(s)
		plain, _, err := botapi.ParseHTML(html)
		if err != nil {
			t.Fatalf("ParseHTML(%q): %v", html, err)
		}
		if got, want := htmlLen(html), textLen(plain); got != want {
			t.Fatalf("htmlLen(%q) = %d, Telegram counts %d", html, got, want)
		}
	})
}

func TestPackPages(t *testing.T) {
	blocks := []string{"aaaa", "bb", "cc", "dddddddd", "e", "f", "g", "h"}
	got := packPages(blocks, 3, 6, textLen)
	want := [][2]int{{0, 2}, {2, 3}, {3, 4}, {4, 7}, {7, 8}} // 4+2 fits 6; 8 alone; at most 3
	if !slices.Equal(got, want) {
		t.Errorf("packPages = %v, want %v", got, want)
	}
	if got := packPages(nil, 3, 6, textLen); len(got) != 0 {
		t.Errorf("packPages of nothing = %v", got)
	}
}
