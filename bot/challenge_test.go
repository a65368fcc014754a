package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/quiz"
)

// waitPoll waits for the n-th poll the bot posts in chat.
func (h *harness) waitPoll(chatID int64, n int) botapi.Message {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events, err := h.srv.WaitEvents(ctx, n, func(e botapi.Event) bool { return e.Kind == botapi.EventPoll && e.ChatID == chatID })
	if err != nil {
		h.t.Fatalf("waiting for poll %d: %v", n, err)
	}
	return *events[n-1].Message
}

func TestGroupChallengeWithThreePlayers(t *testing.T) {
	h := startBot(t, nil, nil)
	const group = -4242
	players := []botapi.User{botapi.DefaultUser(601), botapi.DefaultUser(602), botapi.DefaultUser(603)}
	players[0].FirstName, players[1].FirstName, players[2].FirstName = "甲", "乙", "丙"
	for _, p := range players {
		h.ask(p.ID, "/help") // so that a private message can show their votes were handled
	}
	// A worker may not start one; nor may anyone in a private chat.
	h.srv.GroupText(group, players[0].ID, "/challenge@dangwu_bot")
	need(t, "worker's /challenge", h.waitSent(group, 1)[0].Message.Text, bot.T("denied.command"))
	need(t, "/challenge in private", h.ask(adminID, "/challenge"), bot.T("challenge.group_only"))

	h.srv.GroupText(group, adminID, "/challenge 3")
	need(t, "opening", h.waitSent(group, 2)[1].Message.Text, "共 3 题")
	h.srv.GroupText(group, adminID, "/challenge 3")
	need(t, "second /challenge", h.waitSent(group, 3)[2].Message.Text, bot.T("challenge.running"))

	ctx := context.Background()
	for round := 1; round <= 3; round++ {
		m := h.waitPoll(group, round)
		if m.Poll == nil || m.Poll.Type != botapi.PollQuiz || m.Poll.IsAnonymous {
			t.Fatalf("round %d: %+v is not a non-anonymous quiz poll", round, m.Poll)
		}
		full, ok := h.srv.Poll(m.Poll.ID)
		if !ok || full.CorrectOptionID == nil {
			t.Fatalf("round %d: poll unknown to the server", round)
		}
		right := *full.CorrectOptionID
		wrong := (right + 1) % len(full.Options)
		// 甲 always right, 乙 right twice, 丙 wrong.
		votes := []int{right, right, wrong}
		if round == 3 {
			votes[1] = wrong
		}
		for i, p := range players {
			if err := h.srv.AnswerPoll(p, m.Poll.ID, votes[i]); err != nil {
				t.Fatalf("round %d: %s votes: %v", round, p.FirstName, err)
			}
		}
		for _, p := range players {
			h.ask(p.ID, "/help") // handled after the vote: one worker per chat
		}
		h.clock.Advance(quiz.ChallengeOpen + time.Second)
		h.bot.QuizTick(ctx)
	}
	h.settle()
	texts := h.sentTo(group)
	board := texts[len(texts)-1]
	need(t, "leaderboard", board, "挑战结束")
	i1, i2, i3 := strings.Index(board, "甲"), strings.Index(board, "乙"), strings.Index(board, "丙")
	if i1 < 0 || i2 < 0 || i3 < 0 || !(i1 < i2 && i2 < i3) {
		t.Errorf("leaderboard not in the order 甲 乙 丙:\n%s", board)
	}
	need(t, "leaderboard", board, "答对 3 题")
	// Each poll closes by its open_period at the moment the bot stops it.
	if n := h.srv.Calls("stopPoll"); n != 3 {
		t.Errorf("stopPoll called %d times, want 3", n)
	}
	for round := 1; round <= 3; round++ {
		if p, _ := h.srv.Poll(h.waitPoll(group, round).Poll.ID); !p.IsClosed || p.TotalVoterCount != 3 {
			t.Errorf("poll %d: closed %v with %d voters, want closed with 3", round, p.IsClosed, p.TotalVoterCount)
		}
	}
	// A vote after the poll closed is refused by Telegram; the board is final.
	h.srv.GroupText(group, adminID, "/challenge 1")
	need(t, "a new challenge after the end", h.waitSent(group, len(texts)+1)[len(texts)].Message.Text, "共 1 题")
}
