package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/store"
)

// Topics reuses its counts for a few seconds, but a bank written through
// any store of the handle is counted at once.
func TestTopicsCountAnImportAtOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	question := func(id, topic string) quiz.Question {
		return quiz.Question{ID: id, Kind: quiz.Single, Topic: topic, Difficulty: 1, Text: "问题" + id,
			Options: []string{"甲", "乙"}, Answer: []int{0}, Explanation: "因为"}
	}
	count := func(st *store.QuizStore) map[string]int {
		t.Helper()
		ts, err := st.Topics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, tc := range ts {
			m[tc.Topic] = tc.Count
		}
		return m
	}
	a, b := store.NewQuizStore(db), store.NewQuizStore(db)
	if _, err := a.SyncContent(ctx, []quiz.Question{question("c-1", "党费"), question("c-2", "党费")}); err != nil {
		t.Fatal(err)
	}
	if got := count(a); got["党费"] != 2 || len(got) != 1 {
		t.Fatalf("after the content: %v", got)
	}
	if err := b.Import(ctx, "import/新题.xlsx", []quiz.Question{question("i-1", "发展党员")}, 5, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := count(a); got["发展党员"] != 1 || got["党费"] != 2 {
		t.Errorf("after an import through another store of the handle: %v", got)
	}
	if _, err := a.SyncContent(ctx, []quiz.Question{question("c-1", "党费")}); err != nil {
		t.Fatal(err)
	}
	if got := count(b); got["党费"] != 1 {
		t.Errorf("after a question was retired: %v", got)
	}
}
