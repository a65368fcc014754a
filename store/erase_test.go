package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/dbtest"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
)

// TestEraseReachesKnowledgeTables checks that erasing a person also removes
// their Telegram id from the questions they asked, the votes they cast, the
// documents they imported and the answers they wrote.
func TestEraseReachesKnowledgeTables(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	const uid, other = 4242424242, 5151515151
	members := member.NewService(store.NewMemberStore(db), districts, nil)
	kb, err := knowledge.Open(ctx, store.NewKnowledgeStore(db), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	if err := members.Seen(ctx, member.TelegramUser{ID: uid, FirstName: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := members.Register(ctx, member.Registration{UserID: uid, Name: "赵六", Phone: "13912345678",
		District: "鼓楼区", Org: "某公司", Post: "委员", Education: "本科", StartYear: 2020}); err != nil {
		t.Fatal(err)
	}
	// A question in a private chat and one in a group, both voted on by the
	// person and by someone else.
	var qids []int64
	for _, chat := range []int64{uid, -100} {
		qid, err := kb.LogQuestion(ctx, knowledge.Asked{UserID: uid, ChatID: chat, District: "鼓楼区", Text: "党费怎么交"})
		if err != nil {
			t.Fatal(err)
		}
		qids = append(qids, qid)
		for _, voter := range []int64{uid, other} {
			if err := kb.Feedback(ctx, qid, 1, false, "不对", voter); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := knowledge.ImportFile(ctx, store.NewKnowledgeStore(db), "notice.txt", []byte("通知\n一、内容\n正文"), knowledge.Actor{UserID: uid, CityWide: true}, db.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := kb.AnswerGap(ctx, qids[:1], knowledge.GapAnswer{Answer: "按月交纳。"}, knowledge.Actor{UserID: uid, CityWide: true}, nil); err != nil {
		t.Fatal(err)
	}

	if err := members.Erase(ctx, uid); err != nil {
		t.Fatal(err)
	}
	if found := dbtest.Holding(t, db.SQL(), uid); len(found) > 0 {
		t.Errorf("after erasure the user id remains in:\n%s", strings.Join(found, "\n"))
	}
	var votes, questions int
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_feedback`).Scan(&votes)
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_questions`).Scan(&questions)
	if votes != 4 || questions != 2 {
		t.Errorf("after erasure %d votes and %d questions remain, want the anonymous 4 and 2", votes, questions)
	}
}
