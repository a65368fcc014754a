package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dangwu/dangwu/store"
)

func TestConversations(t *testing.T) {
	ctx := context.Background()
	s := store.NewConversations(MustOpen(t))

	if _, err := s.Get(ctx, 1, 2); !errors.Is(err, store.ErrNoConversation) {
		t.Fatalf("Get on empty store: err = %v, want ErrNoConversation", err)
	}
	want := store.Conversation{Flow: "register", Step: "phone", Data: map[string]string{"name": "张<b>三"}}
	if err := s.Save(ctx, 1, 2, want); err != nil {
		t.Fatal(err)
	}
	want.Step = "district"
	if err := s.Save(ctx, 1, 2, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Flow != "register" || got.Step != "district" || got.Data["name"] != "张<b>三" {
		t.Errorf("Get = %+v, want flow register, step district, name kept", got)
	}
	if _, err := s.Get(ctx, 1, 3); !errors.Is(err, store.ErrNoConversation) {
		t.Errorf("another user's conversation leaked: %v", err)
	}
	if err := s.End(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, 1, 2); !errors.Is(err, store.ErrNoConversation) {
		t.Errorf("Get after End: err = %v, want ErrNoConversation", err)
	}
}

// TestConversationsExpire leaves a reason prompt untouched for longer than
// ConversationTTL: Get no longer resumes it and Purge deletes it, while a
// conversation touched since stays.
func TestConversationsExpire(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	s := store.NewConversations(db)

	abandoned := store.Conversation{Flow: "reject", Step: "reason", Data: map[string]string{"member": "7"}}
	if err := s.Save(ctx, -100, 5, abandoned); err != nil {
		t.Fatal(err)
	}
	now = now.Add(store.ConversationTTL - time.Hour)
	if err := s.Save(ctx, 6, 6, store.Conversation{Flow: "register", Step: "name", Data: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, -100, 5); err != nil {
		t.Fatalf("Get within the TTL: %v", err)
	}
	now = now.Add(2 * time.Hour) // the reject prompt is past the TTL, the registration is not
	if _, err := s.Get(ctx, -100, 5); !errors.Is(err, store.ErrNoConversation) {
		t.Errorf("Get of an expired conversation: err = %v, want ErrNoConversation", err)
	}
	n, err := s.Purge(ctx, now.Add(-store.ConversationTTL))
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1 deleted", n, err)
	}
	if n, err := s.Purge(ctx, now.Add(-store.ConversationTTL)); err != nil || n != 0 {
		t.Errorf("second Purge = %d, %v; want nothing left to delete", n, err)
	}
	if c, err := s.Get(ctx, 6, 6); err != nil || c.Step != "name" {
		t.Errorf("the recent conversation: %+v, %v", c, err)
	}
	// Nothing of the expired one remains: the same key starts afresh.
	var left int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations WHERE chat_id = -100`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d rows of the purged conversation remain", left)
	}
}
