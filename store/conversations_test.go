package store_test

import (
	"context"
	"errors"
	"testing"

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
