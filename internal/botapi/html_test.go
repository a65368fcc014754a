package botapi_test

import (
	"reflect"
	"testing"

	"github.com/dangwu/dangwu/internal/botapi"
)

func TestParseHTML(t *testing.T) {
	type e = botapi.MessageEntity
	tests := []struct {
		name     string
		src      string
		text     string
		entities []botapi.MessageEntity
	}{
		{"plain", "党的二十大", "党的二十大", nil},
		{"bold after an emoji counts UTF-16 units", "😀<b>好</b>", "😀好",
			[]e{{Type: botapi.EntityBold, Offset: 2, Length: 1}}},
		{"nested entities sort outer first", "<b>a<i>b</i></b>", "ab",
			[]e{{Type: botapi.EntityBold, Offset: 0, Length: 2}, {Type: botapi.EntityItalic, Offset: 1, Length: 1}}},
		{"synonyms", "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", "abcd", []e{
			{Type: botapi.EntityBold, Offset: 0, Length: 1}, {Type: botapi.EntityItalic, Offset: 1, Length: 1},
			{Type: botapi.EntityUnderline, Offset: 2, Length: 1}, {Type: botapi.EntityStrikethrough, Offset: 3, Length: 1},
		}},
		{"link with an escaped query", `<a href="https://example.com/?a=1&amp;b=2">链接</a>`, "链接",
			[]e{{Type: botapi.EntityTextLink, Offset: 0, Length: 2, URL: "https://example.com/?a=1&b=2"}}},
		{"pre with a language", `<pre><code class="language-go">x := 1</code></pre>`, "x := 1",
			[]e{{Type: botapi.EntityPre, Offset: 0, Length: 6, Language: "go"}}},
		{"code alone has no language", `<code class="language-go">x</code>`, "x",
			[]e{{Type: botapi.EntityCode, Offset: 0, Length: 1}}},
		{"spoilers", `<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>`, "ab",
			[]e{{Type: botapi.EntitySpoiler, Offset: 0, Length: 1}, {Type: botapi.EntitySpoiler, Offset: 1, Length: 1}}},
		{"expandable blockquote", "<blockquote expandable>引文</blockquote>", "引文",
			[]e{{Type: botapi.EntityExpandableBlockquote, Offset: 0, Length: 2}}},
		{"custom emoji", `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍",
			[]e{{Type: botapi.EntityCustomEmoji, Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}}},
		{"entities decode", "&lt;b&gt; &amp; &quot;x&quot; &#39;y&#x27; &#x1F600;", `<b> & "x" 'y' 😀`, nil},
		{"upper-case tags", "<B>x</B>", "x", []e{{Type: botapi.EntityBold, Offset: 0, Length: 1}}},
		{"empty entity is dropped", "<b></b>x", "x", nil},
		{"unknown attributes are ignored", `<b class="x">y</b>`, "y", []e{{Type: botapi.EntityBold, Offset: 0, Length: 1}}},
		{"empty end tag closes the last", "<b>x</>", "x", []e{{Type: botapi.EntityBold, Offset: 0, Length: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, entities, err := botapi.ParseHTML(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if text != tc.text || !reflect.DeepEqual(entities, tc.entities) {
				t.Errorf("ParseHTML(%q) = %q %+v; want %q %+v", tc.src, text, entities, tc.text, tc.entities)
			}
		})
	}
}

func TestParseHTMLErrors(t *testing.T) {
	tests := []struct{ src, err string }{
		{"<script>", `Unsupported start tag "script" at byte offset 0`},
		{"<b>x", `Can't find end tag corresponding to start tag "b"`},
		{"<b>x</i>", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"x</b>", "Unexpected end tag at byte offset 1"},
		{"<b>x</b", "Unclosed end tag at byte offset 4"},
		{`<a href="x>y</a>`, "Unclosed start tag at byte offset 0"},
		{`<a href=x/y>z</a>`, "Unexpected end of name token at byte offset 8"},
		{`<a =x>z</a>`, `Empty attribute name in the tag "a" at byte offset 0`},
		{`<tg-emoji emoji-id="abc">x</tg-emoji>`, "Invalid custom emoji identifier specified at byte offset 0"},
		{"&#0;", `Unsupported HTML entity at byte offset 0: escape "&" as "&amp;"`},
		{"&lt", `Unsupported HTML entity at byte offset 0: escape "&" as "&amp;"`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, _, err := botapi.ParseHTML(tc.src)
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseHTML(%q) error = %v; want %q", tc.src, err, tc.err)
			}
		})
	}
}

func TestUserTextEntities(t *testing.T) {
	type e = botapi.MessageEntity
	s := botapi.New(botapi.Options{Token: token})
	tests := []struct {
		text string
		want []botapi.MessageEntity
	}{
		{"/start", []e{{Type: botapi.EntityBotCommand, Offset: 0, Length: 6}}},
		{"/start@dangwu_bot abc_123", []e{{Type: botapi.EntityBotCommand, Offset: 0, Length: 17}}},
		{"😀 /help 第二条", []e{{Type: botapi.EntityBotCommand, Offset: 3, Length: 5}}},
		{"问 @dangwu_bot 好", []e{{Type: botapi.EntityMention, Offset: 2, Length: 11}}},
		{"a/b and x@example.com", nil},
		{"@abc is too short", nil},
		{"党章", nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := s.PrivateText(1, tc.text).Entities; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("entities of %q = %+v; want %+v", tc.text, got, tc.want)
			}
		})
	}
}
