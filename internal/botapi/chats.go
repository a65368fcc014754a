package botapi

import (
	"fmt"
	"strconv"
)

// chatState is what the server knows of one chat. Messages are values that are replaced,
// never changed in place, so a Message handed out stays as it was.
type chatState struct {
	chat    Chat
	started bool // a user wrote here, so the bot may write too
	blocked bool // private chat: the user blocked the bot
	lastID  int  // the last message id given out in this chat
	// messages holds every message still in the chat, by id.
	messages map[int]Message
	// sent lists the ids of the bot's messages, in the order they were sent.
	sent []int
}

// DefaultUser returns the user that PrivateText and GroupText write as.
func DefaultUser(id int64) User {
	return User{ID: id, FirstName: fmt.Sprintf("用户%d", id), LanguageCode: "zh-hans"}
}

// PrivateChat returns the private chat between the bot and u.
func PrivateChat(u User) Chat {
	return Chat{ID: u.ID, Type: ChatPrivate, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

// GroupChat returns the group with that (negative) id, a supergroup when the id has the
// -100… form of supergroups.
func GroupChat(id int64) Chat {
	c := Chat{ID: id, Type: ChatGroup, Title: fmt.Sprintf("群组%d", -id)}
	if id < -1_000_000_000_000 {
		c.Type = ChatSupergroup
	}
	return c
}

// chatLocked returns the state of c, creating it, and records c's latest details.
func (s *Server) chatLocked(c Chat) *chatState {
	st := s.chats[c.ID]
	if st == nil {
		st = &chatState{messages: map[int]Message{}}
		s.chats[c.ID] = st
	}
	st.chat = c
	return st
}

// targetLocked resolves the chat_id of a bot call to a chat the bot may write to.
func (s *Server) targetLocked(p Params) (*chatState, *APIError) {
	raw := p.Get("chat_id")
	if raw == "" {
		return nil, errChatIDEmpty
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errChatNotFound // @channelusername: no channels here
	}
	st := s.chats[id]
	switch {
	case st != nil && st.blocked:
		return nil, errBlocked
	case st != nil && st.started:
		return st, nil
	case id > 0:
		return nil, errCantInitiate
	}
	return nil, errChatNotFound
}

// botMessageLocked finds a message the bot sent in st, for editing.
func (s *Server) botMessageLocked(st *chatState, p Params) (Message, *APIError) {
	if p.Get("inline_message_id") != "" {
		return Message{}, badRequest("MESSAGE_ID_INVALID") // inline messages are not simulated
	}
	id, apiErr := p.int("message_id")
	if apiErr != nil {
		return Message{}, apiErr
	}
	m, ok := st.messages[id]
	if !ok || m.From == nil || m.From.ID != s.bot.ID {
		return Message{}, errEditNotFound
	}
	return m, nil
}

// addMessageLocked gives m the next id of its chat, stores it and returns it.
func (s *Server) addMessageLocked(st *chatState, m Message) Message {
	st.lastID++
	m.MessageID = st.lastID
	m.Chat = st.chat
	m.Date = s.now().Unix()
	st.messages[m.MessageID] = m
	if m.From != nil && m.From.ID == s.bot.ID {
		st.sent = append(st.sent, m.MessageID)
	}
	return m
}

// Messages returns the bot's messages in a chat as they are now — edits applied, polls with
// their current counts, deleted ones gone — in the order they were sent.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expirePollsLocked()
	st := s.chats[chatID]
	if st == nil {
		return nil
	}
	var out []Message
	for _, id := range st.sent {
		if m, ok := st.messages[id]; ok {
			out = append(out, m)
		}
	}
	return out
}
