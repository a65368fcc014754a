package bot_test

import (
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// Was a crash window: /challenge stored the challenge (its own
// transaction), then sent the opening, which marks the update done. A
// crash between the two replayed /challenge, which met the challenge it had
// stored and told the group "这个群里已经有一场挑战在进行。": the polls
// came (the quiz tick posts them) with no opening saying how to play, and
// the coordinator was told the challenge they had just started was someone
// else's.
func TestCrash13ChallengeReplayCallsItsOwnChallengeRunning(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	const group = -4313
	hc := h.holdCall("sendMessage", group, func(p botapi.Params) bool { return strings.Contains(p.Get("text"), "共 3 题") })
	h.srv.GroupText(group, adminID, "/challenge 3")
	h.crashHere(hc)
	h.waitUntil("the unfinished updates are replayed", func() bool { return h.undoneUpdates() == 0 })
	h.waitPoll(group, 1)
	h.settle()
	var challenges int
	if err := h.db.SQL().QueryRow(`SELECT COUNT(*) FROM quiz_challenges WHERE chat_id = ?`, group).Scan(&challenges); err != nil {
		t.Fatal(err)
	}
	openings, running := h.countContaining(group, "共 3 题"), h.countContaining(group, bot.T("challenge.running"))
	t.Logf("after the restart: %d challenges, the group got %d openings and %d %q", challenges, openings, running, bot.T("challenge.running"))
	if challenges != 1 {
		t.Errorf("%d challenges stored for one /challenge", challenges)
	}
	if openings != 1 {
		t.Errorf("the opening was sent %d times, want once", openings)
	}
	if running > 0 {
		t.Errorf("the group was told %d times that a challenge is already running", running)
	}
}
