package botapi

import (
	"encoding/json"
	"strings"
	"unicode"
)

// Telegram's limits. Text lengths count UTF-16 code units after entity parsing; the
// callback data and inline result id limits count bytes.
const (
	maxTextLen          = 4096
	maxCaptionLen       = 1024
	maxCallbackTextLen  = 200
	maxCallbackDataLen  = 64 // bytes
	maxCommandDescLen   = 256
	maxCommandNameLen   = 32
	maxCommands         = 100
	maxInlineResults    = 50
	maxInlineResultID   = 64 // bytes
	maxKeyboardButtons  = 100
	maxCopyTextLen      = 256
	maxDownloadFileSize = 20 << 20
)

// formatted is a text as Telegram stores it: plain, with entities.
type formatted struct {
	text     string
	entities []MessageEntity
}

// formatText applies parse_mode (or the explicit entities) to a text or caption, then trims
// surrounding white space as Telegram does. Only HTML is supported among the parse modes:
// the project writes HTML, and a Markdown text judged as plain would hide mistakes.
func formatText(text, parseMode, entitiesJSON string) (formatted, *APIError) {
	var f formatted
	switch strings.ToLower(parseMode) {
	case "":
		f.text = text
		if entitiesJSON != "" {
			if err := json.Unmarshal([]byte(entitiesJSON), &f.entities); err != nil {
				return formatted{}, badRequest("can't parse entities JSON object")
			}
		}
	case "html":
		plain, entities, err := ParseHTML(text)
		if err != nil {
			return formatted{}, badRequest("can't parse entities: %v", err)
		}
		f = formatted{text: plain, entities: entities}
	default:
		// Telegram knows Markdown and MarkdownV2 too; this server refuses them on purpose.
		return formatted{}, badRequest("unsupported parse_mode")
	}
	return f.trimmed(), nil
}

// trimmed drops leading and trailing white space, moving and clipping entities to match,
// and drops entities left empty.
func (f formatted) trimmed() formatted {
	text := strings.TrimLeftFunc(f.text, unicode.IsSpace)
	cut := utf16Len(f.text) - utf16Len(text)
	text = strings.TrimRightFunc(text, unicode.IsSpace)
	n := utf16Len(text)
	var entities []MessageEntity
	for _, e := range f.entities {
		start, end := max(e.Offset-cut, 0), min(e.Offset+e.Length-cut, n)
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		entities = append(entities, e)
	}
	return formatted{text: text, entities: entities}
}

// utf16Len counts the UTF-16 code units of s, the unit of Telegram's lengths and offsets.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16RuneLen(r)
	}
	return n
}

func utf16RuneLen(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// userEntities marks what Telegram marks in a text a user types: bot commands such as
// /start or /start@dangwu_bot where a word begins, and @username mentions.
func userEntities(text string) []MessageEntity {
	runes := []rune(text)
	var entities []MessageEntity
	offset := 0 // UTF-16 offset of runes[i]
	for i := 0; i < len(runes); {
		atWordStart := i == 0 || !isWordRune(runes[i-1])
		var typ string
		var n int
		switch {
		case runes[i] == '/' && atWordStart && (i == 0 || unicode.IsSpace(runes[i-1])):
			typ, n = EntityBotCommand, commandLen(runes[i:])
		case runes[i] == '@' && atWordStart:
			typ, n = EntityMention, mentionLen(runes[i:])
		}
		if n == 0 {
			offset += utf16RuneLen(runes[i])
			i++
			continue
		}
		length := utf16Len(string(runes[i : i+n]))
		entities = append(entities, MessageEntity{Type: typ, Offset: offset, Length: length})
		offset += length
		i += n
	}
	return entities
}

// commandLen returns the length in runes of the bot command at the start of r ("/cmd" or
// "/cmd@bot"), or 0 if there is none.
func commandLen(r []rune) int {
	name := wordLen(r[1:])
	if name == 0 || name > 64 {
		return 0
	}
	n := 1 + name
	if n < len(r) && r[n] == '@' {
		if bot := wordLen(r[n+1:]); bot >= 3 && bot <= 32 {
			n += 1 + bot
		}
	}
	return n
}

// mentionLen returns the length in runes of the @username at the start of r, or 0. A
// username has 5 to 32 letters, digits or underscores.
func mentionLen(r []rune) int {
	name := wordLen(r[1:])
	if name < 5 || name > 32 {
		return 0
	}
	return 1 + name
}

// wordLen counts the leading ASCII letters, digits and underscores of r.
func wordLen(r []rune) int {
	n := 0
	for n < len(r) && r[n] < unicode.MaxASCII && isWordRune(r[n]) {
		n++
	}
	return n
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
