package botapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlEntityTypes maps each tag of Telegram's HTML parse mode to the entity it makes.
var htmlEntityTypes = map[string]string{
	"b": EntityBold, "strong": EntityBold,
	"i": EntityItalic, "em": EntityItalic,
	"u": EntityUnderline, "ins": EntityUnderline,
	"s": EntityStrikethrough, "strike": EntityStrikethrough, "del": EntityStrikethrough,
	"tg-spoiler": EntitySpoiler, "span": EntitySpoiler,
	"a":          EntityTextLink,
	"code":       EntityCode,
	"pre":        EntityPre,
	"blockquote": EntityBlockquote,
	"tg-emoji":   EntityCustomEmoji,
}

// openTag is a start tag whose end tag has not been seen yet.
type openTag struct {
	name       string
	arg        string // href of a, language of code, emoji-id of tg-emoji
	hasClass   bool   // span: class="tg-spoiler" was given
	expandable bool   // blockquote expandable
	offset     int    // UTF-16 offset of the tag's content in the plain text
	start      int    // byte offset of the tag's content in the plain text
}

// ParseHTML parses text written in Telegram's HTML parse mode and returns what the user
// sees: the plain text and its entities, with offsets and lengths in UTF-16 code units,
// sorted by offset. It does not trim the text; sending a message does.
//
// The error is worded, capitals included, like the part of Telegram's refusal that follows
// "can't parse entities: ", e.g. `Unsupported start tag "p" at byte offset 0`. One rule is stricter
// than Telegram, which keeps an unrecognised "&" as text: here it is an error, because a
// bare "&" means the bot forgot to escape something.
func ParseHTML(src string) (string, []MessageEntity, error) {
	var (
		out      strings.Builder
		utf16    int
		stack    []openTag
		entities []MessageEntity
	)
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '&':
			r, next, ok := decodeHTMLEntity(src, i)
			if !ok {
				return "", nil, fmt.Errorf("Unsupported HTML entity at byte offset %d: escape \"&\" as \"&amp;\"", i)
			}
			out.WriteRune(r)
			utf16 += utf16RuneLen(r)
			i = next - 1
		case '<':
			if i+1 < len(src) && src[i+1] == '/' {
				if len(stack) == 0 {
					return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				end, err := parseEndTag(src, i, stack[len(stack)-1].name)
				if err != nil {
					return "", nil, err
				}
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if utf16 > top.offset {
					entities = closeEntity(entities, top, utf16, out.String())
				}
				i = end
				continue
			}
			tag, end, err := parseStartTag(src, i)
			if err != nil {
				return "", nil, err
			}
			tag.offset, tag.start = utf16, out.Len()
			stack = append(stack, tag)
			i = end
		default:
			out.WriteByte(c)
			if utf8.RuneStart(c) {
				utf16++
				if c >= 0xf0 { // four-byte sequence: a surrogate pair in UTF-16
					utf16++
				}
			}
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag %q", stack[len(stack)-1].name)
	}
	for i := range entities {
		if entities[i].Type == EntityCode {
			entities[i].Language = "" // a language survives only on pre
		}
	}
	slices.SortStableFunc(entities, func(a, b MessageEntity) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return b.Length - a.Length
	})
	return out.String(), entities, nil
}

// closeEntity appends the entity that tag makes, now that its content ends at utf16.
func closeEntity(entities []MessageEntity, tag openTag, utf16 int, text string) []MessageEntity {
	e := MessageEntity{Type: htmlEntityTypes[tag.name], Offset: tag.offset, Length: utf16 - tag.offset}
	switch tag.name {
	case "a":
		e.URL = tag.arg
		if e.URL == "" {
			e.URL = text[tag.start:]
		}
	case "code":
		e.Language = tag.arg
	case "pre":
		// <pre><code class="language-go">…</code></pre> is one pre entity with a language.
		if n := len(entities); n > 0 {
			last := entities[n-1]
			if last.Type == EntityCode && last.Offset == e.Offset && last.Length == e.Length {
				e.Language = last.Language
				entities = entities[:n-1]
			}
		}
	case "blockquote":
		if tag.expandable {
			e.Type = EntityExpandableBlockquote
		}
	case "tg-emoji":
		e.CustomEmojiID = tag.arg
	}
	return append(entities, e)
}

// parseStartTag reads the start tag at src[pos] (a '<') and returns it with the offset of
// its closing '>'.
func parseStartTag(src string, pos int) (openTag, int, error) {
	i := pos + 1
	for i < len(src) && !isHTMLSpace(src[i]) && src[i] != '>' {
		i++
	}
	if i >= len(src) {
		return openTag{}, 0, fmt.Errorf("Unclosed start tag at byte offset %d", pos)
	}
	tag := openTag{name: strings.ToLower(src[pos+1 : i])}
	if _, ok := htmlEntityTypes[tag.name]; !ok {
		return openTag{}, 0, fmt.Errorf("Unsupported start tag %q at byte offset %d", tag.name, pos)
	}
	for {
		for i < len(src) && isHTMLSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			return openTag{}, 0, fmt.Errorf("Unclosed start tag at byte offset %d", pos)
		}
		if src[i] == '>' {
			break
		}
		name, value, next, err := parseAttribute(src, i, tag.name, pos)
		if err != nil {
			return openTag{}, 0, err
		}
		i = next
		tag.setAttribute(name, value)
	}
	switch {
	case tag.name == "span" && !tag.hasClass:
		return openTag{}, 0, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", pos)
	case tag.name == "tg-emoji":
		if id, err := strconv.ParseInt(tag.arg, 10, 64); err != nil || id <= 0 {
			return openTag{}, 0, fmt.Errorf("Invalid custom emoji identifier specified at byte offset %d", pos)
		}
	}
	return tag, i, nil
}

// setAttribute keeps the attributes Telegram reads and ignores the others, as Telegram does.
func (t *openTag) setAttribute(name, value string) {
	switch {
	case t.name == "a" && name == "href":
		t.arg = value
	case t.name == "code" && name == "class" && strings.HasPrefix(value, "language-"):
		t.arg = strings.TrimPrefix(value, "language-")
	case t.name == "span" && name == "class":
		t.hasClass = value == "tg-spoiler"
	case t.name == "blockquote" && name == "expandable":
		t.expandable = true
	case t.name == "tg-emoji" && name == "emoji-id":
		t.arg = value
	}
}

// parseAttribute reads one attribute starting at src[i] inside the tag that starts at pos.
// A value may be quoted (entities decoded), a bare name token, or absent for blockquote's
// expandable.
func parseAttribute(src string, i int, tagName string, pos int) (name, value string, next int, err error) {
	start := i
	for i < len(src) && !isHTMLSpace(src[i]) && src[i] != '=' && src[i] != '>' {
		i++
	}
	name = strings.ToLower(src[start:i])
	if name == "" {
		return "", "", 0, fmt.Errorf("Empty attribute name in the tag %q at byte offset %d", tagName, pos)
	}
	for i < len(src) && isHTMLSpace(src[i]) {
		i++
	}
	if i >= len(src) {
		return "", "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", pos)
	}
	if src[i] != '=' {
		if tagName == "blockquote" && name == "expandable" {
			return name, "", i, nil
		}
		return "", "", 0, fmt.Errorf("Expected equal sign in declaration of an attribute of the tag %q at byte offset %d", tagName, pos)
	}
	i++
	for i < len(src) && isHTMLSpace(src[i]) {
		i++
	}
	if i >= len(src) {
		return "", "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", pos)
	}
	if q := src[i]; q == '"' || q == '\'' {
		var b strings.Builder
		for i++; i < len(src) && src[i] != q; {
			if r, after, ok := decodeHTMLEntity(src, i); ok {
				b.WriteRune(r)
				i = after
				continue
			}
			b.WriteByte(src[i]) // Telegram keeps a bare "&" in an attribute, e.g. in a URL
			i++
		}
		if i >= len(src) {
			return "", "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", pos)
		}
		return name, b.String(), i + 1, nil
	}
	tokenStart := i
	for i < len(src) && (isASCIIAlnum(src[i]) || src[i] == '.' || src[i] == '-') {
		i++
	}
	if i >= len(src) || (!isHTMLSpace(src[i]) && src[i] != '>') {
		return "", "", 0, fmt.Errorf("Unexpected end of name token at byte offset %d", tokenStart)
	}
	return name, strings.ToLower(src[tokenStart:i]), i, nil
}

// parseEndTag reads the end tag at src[pos] ("</"), which must close want, and returns the
// offset of its '>'. An empty end tag "</>" closes whatever is open.
func parseEndTag(src string, pos int, want string) (int, error) {
	i := pos + 2
	for i < len(src) && !isHTMLSpace(src[i]) && src[i] != '>' {
		i++
	}
	name := strings.ToLower(src[pos+2 : i])
	for i < len(src) && isHTMLSpace(src[i]) {
		i++
	}
	if i >= len(src) || src[i] != '>' {
		return 0, fmt.Errorf("Unclosed end tag at byte offset %d", pos)
	}
	if name != "" && name != want {
		return 0, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", pos, want, name)
	}
	return i, nil
}

// decodeHTMLEntity decodes the entity at src[pos] (an '&'): &lt; &gt; &amp; &quot; or a
// numeric one such as &#39; or &#x27;. It returns the character and the offset after the
// ';', or ok false when there is no entity Telegram knows there.
func decodeHTMLEntity(src string, pos int) (r rune, next int, ok bool) {
	const longest = len("&#1114111;")
	semi := strings.IndexByte(src[pos:min(len(src), pos+longest)], ';')
	if semi < 2 {
		return 0, 0, false
	}
	name, next := src[pos+1:pos+semi], pos+semi+1
	switch name {
	case "lt":
		return '<', next, true
	case "gt":
		return '>', next, true
	case "amp":
		return '&', next, true
	case "quot":
		return '"', next, true
	}
	if name[0] != '#' {
		return 0, 0, false
	}
	digits, base := name[1:], 10
	if strings.HasPrefix(digits, "x") || strings.HasPrefix(digits, "X") {
		digits, base = digits[1:], 16
	}
	if digits == "" || strings.ContainsAny(digits, "+-") {
		return 0, 0, false
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
		return 0, 0, false
	}
	return rune(n), next, true
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
