package botapi

import "strconv"

// The simulated users. Each hook returns what it created and queues the matching Update
// for getUpdates (unless allowed_updates excludes its type). A chat with an empty Type is
// completed: GroupChat(chat.ID) for a negative id, else the private chat with the user.
// Writing in a private chat where the bot is blocked unblocks it first, as restarting the
// bot does in Telegram.

// SendText simulates from writing text in chat. Like Telegram, it marks bot commands
// (/start, /start@dangwu_bot) where a word begins and @username mentions as entities.
func (s *Server) SendText(from User, chat Chat, text string) Message {
	return s.deliver(from, chat, Message{Text: text, Entities: userEntities(text)})
}

// PrivateText simulates DefaultUser(userID) writing text to the bot in private.
func (s *Server) PrivateText(userID int64, text string) Message {
	u := DefaultUser(userID)
	return s.SendText(u, PrivateChat(u), text)
}

// GroupText simulates DefaultUser(userID) writing text in GroupChat(groupID). It panics if
// groupID is not negative, as group ids are.
func (s *Server) GroupText(groupID, userID int64, text string) Message {
	if groupID >= 0 {
		panic("botapi: GroupText needs a negative group id")
	}
	return s.SendText(DefaultUser(userID), GroupChat(groupID), text)
}

// SendContact simulates from sharing a contact in chat, as a request_contact button does.
func (s *Server) SendContact(from User, chat Chat, c Contact) Message {
	return s.deliver(from, chat, Message{Contact: &c})
}

// SendDocument simulates from sending a file in chat. The file is stored, so the bot can
// getFile and download it.
func (s *Server) SendDocument(from User, chat Chat, fileName, mimeType string, data []byte) Message {
	s.mu.Lock()
	doc := s.storeFileLocked(fileName, mimeType, data)
	s.mu.Unlock()
	return s.deliver(from, chat, Message{Document: &doc})
}

// SendDocumentCaption is SendDocument with a caption, as a person sends a
// file with a few words about it.
func (s *Server) SendDocumentCaption(from User, chat Chat, fileName, mimeType string, data []byte, caption string) Message {
	s.mu.Lock()
	doc := s.storeFileLocked(fileName, mimeType, data)
	s.mu.Unlock()
	return s.deliver(from, chat, Message{Document: &doc, Caption: caption})
}

// Press simulates from pressing a button with data on the message messageID of chat and
// returns the callback query id. The data need not be on the message, to simulate forged
// payloads; a message that no longer exists arrives as an inaccessible message (date 0).
func (s *Server) Press(from User, chat Chat, messageID int, data string) (queryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.userChatLocked(from, chat)
	m, ok := st.messages[messageID]
	if !ok {
		m = Message{MessageID: messageID, Chat: st.chat}
	}
	queryID = s.addQueryLocked(false, st.chat.ID)
	s.enqueueLocked(Update{CallbackQuery: &CallbackQuery{
		ID: queryID, From: from, Message: &m, ChatInstance: strconv.FormatInt(st.chat.ID, 10), Data: data,
	}})
	return queryID
}

// InlineQuery simulates from typing "@bot query" in some chat and returns the query id.
func (s *Server) InlineQuery(from User, query string) (queryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[from.ID] = from
	queryID = s.addQueryLocked(true, 0)
	s.enqueueLocked(Update{InlineQuery: &InlineQuery{ID: queryID, From: from, Query: query}})
	return queryID
}

// BlockBot simulates the user blocking the bot: a my_chat_member update with the new
// status "kicked", after which sends to the user answer 403 "Forbidden: bot was blocked
// by the user".
func (s *Server) BlockBot(userID int64) { s.setBlocked(userID, true) }

// UnblockBot simulates the user unblocking the bot: a my_chat_member update with the new
// status "member"; the bot may write again.
func (s *Server) UnblockBot(userID int64) { s.setBlocked(userID, false) }

func (s *Server) setBlocked(userID int64, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		u = DefaultUser(userID)
	}
	st := s.chats[userID]
	if st == nil {
		st = s.chatLocked(PrivateChat(u))
	}
	s.setBlockedLocked(st, u, blocked)
}

// setBlockedLocked changes whether the bot is blocked in a private chat and reports the
// change to the bot, as Telegram does.
func (s *Server) setBlockedLocked(st *chatState, from User, blocked bool) {
	if st.blocked == blocked {
		return
	}
	st.blocked = blocked
	st.started = st.started || !blocked
	was, is := MemberStatusMember, MemberStatusKicked
	if !blocked {
		was, is = is, was
	}
	s.enqueueLocked(Update{MyChatMember: &ChatMemberUpdated{
		Chat: st.chat, From: from, Date: s.now().Unix(),
		OldChatMember: ChatMember{Status: was, User: s.bot},
		NewChatMember: ChatMember{Status: is, User: s.bot},
	}})
}

// deliver stores a message from a user and queues it for the bot.
func (s *Server) deliver(from User, chat Chat, m Message) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.userChatLocked(from, chat)
	m.From = &from
	m = s.addMessageLocked(st, m)
	s.enqueueLocked(Update{Message: &m})
	return m
}

// userChatLocked records that from is active in chat, which lets the bot write there.
func (s *Server) userChatLocked(from User, chat Chat) *chatState {
	switch {
	case chat.Type != "":
	case chat.ID < 0:
		chat = GroupChat(chat.ID)
	default:
		chat = PrivateChat(from)
	}
	s.users[from.ID] = from
	st := s.chatLocked(chat)
	if chat.Type == ChatPrivate {
		s.setBlockedLocked(st, from, false)
	}
	st.started = true
	return st
}

// StartChat makes DefaultUser(userID)'s private chat one the bot may write to, as if
// the user had started the bot long ago, without sending the bot an update.
func (s *Server) StartChat(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		u = DefaultUser(userID)
	}
	s.chatLocked(PrivateChat(u)).started = true
}
