package botapi

import (
	"encoding/json"
	"net/url"
	"reflect"
)

// markup is a parsed reply_markup: at most one of its fields is set.
type markup struct {
	inline *InlineKeyboardMarkup
	reply  *ReplyKeyboardMarkup
	remove bool
}

var errMarkupJSON = badRequest("can't parse reply keyboard markup JSON object")

// buttonActions are the optional fields of an inline keyboard button, of which a button
// must use exactly one.
var buttonActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
	"callback_game", "pay",
}

// parseMarkup reads a reply_markup field. Edits accept only an inline keyboard.
func parseMarkup(raw string, inlineOnly bool) (markup, *APIError) {
	if raw == "" {
		return markup{}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return markup{}, errMarkupJSON
	}
	_, isInline := fields["inline_keyboard"]
	switch {
	case isInline:
		kb, apiErr := parseInlineKeyboard(fields["inline_keyboard"])
		return markup{inline: kb}, apiErr
	case inlineOnly:
		// This wording is the server's own: Telegram's answer here is not documented.
		return markup{}, badRequest("inline keyboard expected")
	case fields["keyboard"] != nil:
		kb, apiErr := parseReplyKeyboard(raw)
		return markup{reply: kb}, apiErr
	case string(fields["remove_keyboard"]) == "true":
		return markup{remove: true}, nil
	case string(fields["force_reply"]) == "true":
		return markup{}, nil // accepted; nothing a test needs to see
	}
	return markup{}, errMarkupJSON
}

// parseInlineKeyboard checks every button as Telegram does. An empty keyboard is no
// keyboard: nil.
func parseInlineKeyboard(raw json.RawMessage) (*InlineKeyboardMarkup, *APIError) {
	var rows [][]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
	}
	kb := &InlineKeyboardMarkup{InlineKeyboard: make([][]InlineKeyboardButton, 0, len(rows))}
	count := 0
	for _, row := range rows {
		buttons := make([]InlineKeyboardButton, 0, len(row))
		for _, fields := range row {
			b, apiErr := parseInlineButton(fields)
			if apiErr != nil {
				return nil, apiErr
			}
			buttons = append(buttons, b)
		}
		count += len(buttons)
		if len(buttons) > 0 {
			kb.InlineKeyboard = append(kb.InlineKeyboard, buttons)
		}
	}
	if count > maxKeyboardButtons {
		// Undocumented limit (reports say about 100 buttons); the MTProto error name.
		return nil, badRequest("REPLY_MARKUP_TOO_LONG")
	}
	if count == 0 {
		return nil, nil
	}
	return kb, nil
}

func parseInlineButton(fields map[string]json.RawMessage) (InlineKeyboardButton, *APIError) {
	var b InlineKeyboardButton
	if _, ok := fields["text"]; !ok {
		return b, badRequest("can't parse inline keyboard button: Can't find field \"text\"")
	}
	raw, err := json.Marshal(fields)
	if err == nil {
		err = json.Unmarshal(raw, &b)
	}
	if err != nil {
		return b, badRequest("can't parse inline keyboard button: wrong field type")
	}
	if b.CopyText != nil && b.CopyText.Text == "" {
		b.CopyText = nil // go-telegram/bot always sends "copy_text":{"text":""}
	}
	actions := 0
	for _, name := range buttonActions {
		if v, ok := fields[name]; ok && string(v) != "null" && string(v) != "false" &&
			(name != "copy_text" || b.CopyText != nil) {
			actions++
		}
	}
	switch {
	case b.Text == "":
		// The server's own wording: Telegram's answer for an empty label is not documented.
		return b, badRequest("can't parse inline keyboard button: button text must be non-empty")
	case actions == 0:
		return b, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	case actions > 1:
		// The server's own wording: Telegram documents the rule but not its answer.
		return b, badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
	}
	if _, ok := fields["callback_data"]; ok && (b.CallbackData == "" || len(b.CallbackData) > maxCallbackDataLen) {
		return b, badRequest("BUTTON_DATA_INVALID")
	}
	if _, ok := fields["url"]; ok && !validButtonURL(b.URL) {
		return b, badRequest("BUTTON_URL_INVALID")
	}
	if b.CopyText != nil && utf16Len(b.CopyText.Text) > maxCopyTextLen {
		return b, badRequest("BUTTON_COPY_TEXT_INVALID")
	}
	return b, nil
}

// validButtonURL accepts http and https URLs with a host, and tg:// links.
func validButtonURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return true
	}
	return false
}

// parseReplyKeyboard reads a custom keyboard, whose buttons may be objects or plain strings.
func parseReplyKeyboard(raw string) (*ReplyKeyboardMarkup, *APIError) {
	var kb struct {
		ReplyKeyboardMarkup
		Keyboard [][]json.RawMessage `json:"keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, badRequest("field \"keyboard\" of the ReplyKeyboardMarkup should be an Array of Arrays")
	}
	out := kb.ReplyKeyboardMarkup
	out.Keyboard = make([][]KeyboardButton, 0, len(kb.Keyboard))
	for _, row := range kb.Keyboard {
		buttons := make([]KeyboardButton, 0, len(row))
		for _, raw := range row {
			var b KeyboardButton
			if json.Unmarshal(raw, &b.Text) != nil && json.Unmarshal(raw, &b) != nil {
				return nil, badRequest("can't parse keyboard button: wrong field type")
			}
			if b.Text == "" {
				// The server's own wording: Telegram's answer is not documented.
				return nil, badRequest("can't parse keyboard button: button text must be non-empty")
			}
			buttons = append(buttons, b)
		}
		out.Keyboard = append(out.Keyboard, buttons)
	}
	return &out, nil
}

// sameInlineKeyboard reports whether two inline keyboards show the same buttons; nil and
// empty are the same.
func sameInlineKeyboard(a, b *InlineKeyboardMarkup) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(a.InlineKeyboard, b.InlineKeyboard)
}
