package botapi

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// deleteWindow is how old a message may be and still be deleted.
const deleteWindow = 48 * time.Hour

// chatActions are the actions sendChatAction accepts.
var chatActions = []string{
	"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
	"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}

// messageText formats the text of sendMessage or editMessageText and checks its length.
func messageText(p Params) (formatted, *APIError) {
	if p.Get("text") == "" {
		return formatted{}, errTextEmpty
	}
	f, apiErr := formatText(p.Get("text"), p.Get("parse_mode"), p.Get("entities"))
	switch {
	case apiErr != nil:
		return formatted{}, apiErr
	case f.text == "":
		return formatted{}, errTextEmpty
	case utf16Len(f.text) > maxTextLen:
		return formatted{}, errTextTooLong
	}
	return f, nil
}

// linkPreview reads link_preview_options, or the older disable_web_page_preview.
func linkPreview(p Params) (*LinkPreviewOptions, *APIError) {
	var opts LinkPreviewOptions
	has, apiErr := p.json("link_preview_options", &opts)
	switch {
	case apiErr != nil:
		return nil, apiErr
	case has:
		return &opts, nil
	case p.bool("disable_web_page_preview"):
		return &LinkPreviewOptions{IsDisabled: true}, nil
	}
	return nil, nil
}

// decorateLocked applies what every sent message may carry: reply_markup,
// reply_parameters (or reply_to_message_id) and disable_notification.
func (s *Server) decorateLocked(st *chatState, p Params, m *Message) *APIError {
	mk, apiErr := parseMarkup(p.Get("reply_markup"), false)
	if apiErr != nil {
		return apiErr
	}
	var reply struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if _, apiErr := p.json("reply_parameters", &reply); apiErr != nil {
		return apiErr
	}
	if reply.MessageID == 0 {
		if reply.MessageID, apiErr = p.int("reply_to_message_id"); apiErr != nil {
			return apiErr
		}
		reply.AllowSendingWithoutReply = p.bool("allow_sending_without_reply")
	}
	if reply.MessageID != 0 {
		target, ok := st.messages[reply.MessageID]
		switch {
		case ok:
			target.ReplyToMessage = nil // Telegram does not nest replies
			m.ReplyToMessage = &target
		case !reply.AllowSendingWithoutReply:
			return badRequest("message to be replied not found")
		}
	}
	m.ReplyMarkup, m.ReplyKeyboard, m.RemoveKeyboard = mk.inline, mk.reply, mk.remove
	m.Silent = p.bool("disable_notification")
	return nil
}

// postLocked stores a message from the bot and logs it. Rate limits are checked before.
func (s *Server) postLocked(st *chatState, method string, m Message) Message {
	bot := s.bot
	m.From = &bot
	m = s.addMessageLocked(st, m)
	s.logLocked(Event{Kind: EventSend, Method: method, ChatID: st.chat.ID, Message: &m})
	return m
}

// sendMessage sends a text message.
func (s *Server) sendMessage(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	text, apiErr := messageText(p)
	if apiErr != nil {
		return nil, apiErr
	}
	preview, apiErr := linkPreview(p)
	if apiErr != nil {
		return nil, apiErr
	}
	m := Message{Text: text.text, Entities: text.entities, LinkPreviewOptions: preview}
	if apiErr := s.decorateLocked(st, p, &m); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.limitLocked(st.chat); apiErr != nil {
		return nil, apiErr
	}
	return s.postLocked(st, "sendMessage", m), nil
}

// editMessageText replaces the text of one of the bot's messages, and its inline keyboard:
// an edit without reply_markup removes the keyboard, as on Telegram.
func (s *Server) editMessageText(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	m, apiErr := s.botMessageLocked(st, p)
	if apiErr != nil {
		return nil, apiErr
	}
	if m.Text == "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	text, apiErr := messageText(p)
	if apiErr != nil {
		return nil, apiErr
	}
	mk, apiErr := parseMarkup(p.Get("reply_markup"), true)
	if apiErr != nil {
		return nil, apiErr
	}
	preview, apiErr := linkPreview(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if text.text == m.Text && slices.Equal(text.entities, m.Entities) && sameInlineKeyboard(mk.inline, m.ReplyMarkup) {
		return nil, errNotModified
	}
	m.Text, m.Entities, m.ReplyMarkup = text.text, text.entities, mk.inline
	if preview != nil {
		m.LinkPreviewOptions = preview
	}
	return s.replaceLocked(st, "editMessageText", m), nil
}

// editMessageReplyMarkup replaces the inline keyboard of one of the bot's messages.
func (s *Server) editMessageReplyMarkup(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	m, apiErr := s.botMessageLocked(st, p)
	if apiErr != nil {
		return nil, apiErr
	}
	mk, apiErr := parseMarkup(p.Get("reply_markup"), true)
	if apiErr != nil {
		return nil, apiErr
	}
	if sameInlineKeyboard(mk.inline, m.ReplyMarkup) {
		return nil, errNotModified
	}
	m.ReplyMarkup = mk.inline
	return s.replaceLocked(st, "editMessageReplyMarkup", m), nil
}

// replaceLocked stores an edited message and logs the edit.
func (s *Server) replaceLocked(st *chatState, method string, m Message) Message {
	m.EditDate = s.now().Unix()
	st.messages[m.MessageID] = m
	s.logLocked(Event{Kind: EventEdit, Method: method, ChatID: st.chat.ID, Message: &m})
	return m
}

// deleteMessage deletes a message sent less than 48 hours ago: any of the bot's, and in a
// private chat the user's too (bots may delete incoming messages there); in a group the
// bot is not an administrator, so it cannot delete others' messages.
func (s *Server) deleteMessage(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	id, apiErr := p.int("message_id")
	if apiErr != nil {
		return nil, apiErr
	}
	m, ok := st.messages[id]
	if !ok {
		return nil, errDeleteNotFound
	}
	fromBot := m.From != nil && m.From.ID == s.bot.ID
	if !fromBot && st.chat.Type != ChatPrivate || s.now().Sub(time.Unix(m.Date, 0)) > deleteWindow {
		return nil, errCantDelete
	}
	delete(st.messages, id)
	s.logLocked(Event{Kind: EventDelete, Method: "deleteMessage", ChatID: st.chat.ID, Message: &m})
	return true, nil
}

// sendChatAction accepts one of Telegram's chat actions and logs it.
func (s *Server) sendChatAction(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	action := p.Get("action")
	if !slices.Contains(chatActions, action) {
		return nil, badRequest("wrong parameter action in request")
	}
	s.logLocked(Event{Kind: EventChatAction, Method: "sendChatAction", ChatID: st.chat.ID, Text: action})
	return true, nil
}

// getChat returns a chat the server knows.
func (s *Server) getChat(_ context.Context, p Params) (any, *APIError) {
	id, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	if err != nil {
		return nil, errChatNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chats[id]
	if st == nil {
		return nil, errChatNotFound
	}
	return st.chat, nil
}
