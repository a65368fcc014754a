package bot_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
)

// A decision and the notice it causes commit together: when the notice
// cannot be queued, the decision is not taken either.
func TestApprovalThatCannotBeToldIsNotTaken(t *testing.T) {
	h := startBot(t, nil, nil)
	p := h.seedWorker(newWorker(151, "褚四", "13912340051", "鼓楼区"), false)
	ctx := context.Background()
	if _, err := h.db.SQL().ExecContext(ctx, `CREATE TRIGGER outbox_full BEFORE INSERT ON outbox
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	a := botapi.DefaultUser(adminID)
	h.pressData(a, botapi.PrivateChat(a), 1, fmt.Sprintf("pd:a:%d", p.ID))
	if got := h.profile(151); got.Status != member.StatusPending {
		t.Fatalf("approved although the notice could not be queued: %s", got.Status)
	}
	if _, err := h.db.SQL().ExecContext(ctx, `DROP TRIGGER outbox_full`); err != nil {
		t.Fatal(err)
	}
	h.pressData(a, botapi.PrivateChat(a), 1, fmt.Sprintf("pd:a:%d", p.ID))
	if got := h.profile(151); got.Status != member.StatusApproved {
		t.Fatalf("second press: %s", got.Status)
	}
	h.settle()
	told := 0
	for _, text := range h.sentTo(151) {
		if text == bot.T("pending.you_approved") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("worker was told %d times", told)
	}
}
