package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNoConversation means the user is in no multi-step conversation.
var ErrNoConversation = errors.New("no conversation")

// Conversation is where a user stands in a multi-step flow (registration,
// a broadcast being written, ...). Data belongs to the flow.
type Conversation struct {
	Flow      string
	Step      string
	Data      map[string]string
	UpdatedAt time.Time
}

// ConversationTTL is how long a conversation lasts untouched: one left that
// long (a dialogue abandoned halfway) has expired. Get no longer returns it,
// and Purge deletes it.
const ConversationTTL = 7 * 24 * time.Hour

// Conversations keeps conversation state in SQLite so a restart in the
// middle of a flow resumes it instead of losing or half-writing anything.
type Conversations struct{ db *DB }

// NewConversations returns the conversation store of db.
func NewConversations(db *DB) *Conversations { return &Conversations{db: db} }

// Get returns the conversation of user in chat, or ErrNoConversation when
// there is none or it has expired.
func (s *Conversations) Get(ctx context.Context, chatID, userID int64) (Conversation, error) {
	var c Conversation
	var data, updated string
	err := s.db.q(ctx).QueryRowContext(ctx,
		`SELECT flow, step, data, updated_at FROM conversations WHERE chat_id = ? AND user_id = ?`,
		chatID, userID).Scan(&c.Flow, &c.Step, &data, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, ErrNoConversation
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("get conversation: %w", err)
	}
	if err := json.Unmarshal([]byte(data), &c.Data); err != nil {
		return Conversation{}, fmt.Errorf("get conversation: data: %w", err)
	}
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	c.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	if c.UpdatedAt.Before(s.db.Now().Add(-ConversationTTL)) {
		return Conversation{}, ErrNoConversation
	}
	return c, nil
}

// Save stores c as the conversation of user in chat, replacing any other.
func (s *Conversations) Save(ctx context.Context, chatID, userID int64, c Conversation) error {
	data, err := json.Marshal(c.Data)
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	_, err = s.db.q(ctx).ExecContext(ctx, `
		INSERT INTO conversations (chat_id, user_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (chat_id, user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,
			data = excluded.data, updated_at = excluded.updated_at`,
		chatID, userID, c.Flow, c.Step, string(data), s.db.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	return nil
}

// End removes the conversation of user in chat; ending none is not an error.
func (s *Conversations) End(ctx context.Context, chatID, userID int64) error {
	if _, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM conversations WHERE chat_id = ? AND user_id = ?`, chatID, userID); err != nil {
		return fmt.Errorf("end conversation: %w", err)
	}
	return nil
}

// Purge deletes the conversations untouched since olderThan (typically
// now minus ConversationTTL) and reports how many it deleted.
func (s *Conversations) Purge(ctx context.Context, olderThan time.Time) (int, error) {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM conversations WHERE updated_at < ?`,
		olderThan.UTC().Format(time.RFC3339))
	if err != nil {
		return 0, fmt.Errorf("purge conversations: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge conversations: %w", err)
	}
	return int(n), nil
}
