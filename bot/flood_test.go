package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/store"
)

// startFlooding starts a bot with flood control at its defaults, on a
// clock that stands still unless the test moves it (the Bot API server's
// too, which dates the messages): buckets fill up with time, so real time
// passing must not change what a test sees.
func startFlooding(t *testing.T) (*harness, *clock) {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	h := startBotOn(t, botapi.Options{Token: botToken, Now: c.Now}, func(o *bot.Options) {
		o.Flood = bot.FloodLimits{}
		o.Now = c.Now
		o.Members.Now = c.Now
	}, nil)
	return h, c
}

// waitAllHandled waits until the bot has handled n updates and checks that
// none is left unfinished in the inbox, so a restart would replay nothing.
func (h *harness) waitAllHandled(n int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.bot.WaitHandled(ctx, n); err != nil {
		h.t.Fatalf("waiting for %d updates to be handled: %v", n, err)
	}
	left, err := store.NewInbox(h.db).Unfinished(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(left) > 0 {
		h.t.Errorf("%d updates left unfinished in the inbox, want none (dropped ones are done too)", len(left))
	}
}

// Someone sending 21 messages at once gets 20 answers and one notice; what
// they send in the next two minutes is dropped without a word (and marked
// done); then they are answered again.
func TestFloodOneNoticeThenSilenceThenNormal(t *testing.T) {
	h, clk := startFlooding(t)
	const user = 5101
	for range bot.DefaultFloodPerMinute + 1 {
		h.srv.PrivateText(user, "你好")
	}
	sent := h.waitSent(user, bot.DefaultFloodPerMinute+1)
	for i, e := range sent[:bot.DefaultFloodPerMinute] {
		if e.Message.Text != bot.T("chat.greeting") {
			t.Fatalf("answer %d = %q, want the greeting", i+1, e.Message.Text)
		}
	}
	notice := bot.T("flood.notice", bot.DefaultFloodPerMinute, int(bot.DefaultFloodSilence/time.Minute))
	if got := sent[bot.DefaultFloodPerMinute].Message.Text; got != notice {
		t.Fatalf("message %d = %q, want the flood notice %q", bot.DefaultFloodPerMinute+1, got, notice)
	}
	// Silence: a message, a button and an inline query go unanswered.
	h.srv.PrivateText(user, "你好")
	h.srv.PrivateText(user, "/help")
	u := botapi.DefaultUser(user)
	q := h.srv.Press(u, botapi.PrivateChat(u), sent[0].Message.MessageID, "zz:1")
	h.srv.InlineQuery(u, "党费")
	h.waitAllHandled(bot.DefaultFloodPerMinute + 5)
	if n := len(h.sentTo(user)); n != bot.DefaultFloodPerMinute+1 {
		t.Errorf("during the silence the bot sent %d messages in all, want %d", n, bot.DefaultFloodPerMinute+1)
	}
	if _, answered := h.srv.CallbackAnswer(q); answered {
		t.Errorf("a press during the silence was answered")
	}
	if n := h.srv.Calls("answerInlineQuery"); n != 0 {
		t.Errorf("an inline query during the silence was answered (%d calls)", n)
	}
	// After the silence, all is as before.
	clk.Advance(bot.DefaultFloodSilence + time.Second)
	if got := h.ask(user, "你好"); got != bot.T("chat.greeting") {
		t.Errorf("after the silence the bot answered %q, want the greeting", got)
	}
}

// A person who floods again soon after their silence is silenced again
// without a second notice.
func TestFloodSecondFloodNoSecondNotice(t *testing.T) {
	h, clk := startFlooding(t)
	const user = 5102
	for range bot.DefaultFloodPerMinute + 1 {
		h.srv.PrivateText(user, "你好")
	}
	h.waitSent(user, bot.DefaultFloodPerMinute+1)
	h.waitAllHandled(bot.DefaultFloodPerMinute + 1)
	clk.Advance(bot.DefaultFloodSilence + time.Second)
	for range bot.DefaultFloodPerMinute + 3 {
		h.srv.PrivateText(user, "你好")
	}
	h.waitAllHandled(2*bot.DefaultFloodPerMinute + 4)
	texts := h.sentTo(user)
	notice := bot.T("flood.notice", bot.DefaultFloodPerMinute, int(bot.DefaultFloodSilence/time.Minute))
	notices := 0
	for _, s := range texts {
		if s == notice {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d flood notices, want 1 (texts %q)", notices, texts)
	}
	// A bucket refilled by the silence: 20 more answers, then nothing.
	if want := 2*bot.DefaultFloodPerMinute + 1; len(texts) != want {
		t.Errorf("the bot sent %d messages, want %d", len(texts), want)
	}
}

// In a group each person has their own limit: three people asking the bot
// 8 times each (24 in the group) are all answered, and chatter among people
// that does not address the bot costs nothing. One person's messages count
// together across the group and their private chat.
func TestFloodCountsPerPersonNotPerGroup(t *testing.T) {
	h, _ := startFlooding(t)
	const group = -1005
	users := []int64{5201, 5202, 5203}
	for range 8 {
		for _, u := range users {
			h.srv.GroupText(group, u, "/help@dangwu_bot")
		}
	}
	for range 30 {
		h.srv.GroupText(group, users[0], "大家好，今天下午开会")
	}
	h.waitAllHandled(24 + 30)
	if n := len(h.sentTo(group)); n != 24 {
		t.Errorf("the group got %d messages, want 24 answers and no notice", n)
	}
	// users[0] asked 8 times in the group: 12 private messages are answered,
	// the 13th is their 21st and gets the notice, privately.
	for range 13 {
		h.srv.PrivateText(users[0], "你好")
	}
	sent := h.waitSent(users[0], 13)
	notice := bot.T("flood.notice", bot.DefaultFloodPerMinute, int(bot.DefaultFloodSilence/time.Minute))
	if got := sent[12].Message.Text; got != notice {
		t.Errorf("the 21st message overall got %q, want the notice", got)
	}
	if got := sent[11].Message.Text; got != bot.T("chat.greeting") {
		t.Errorf("the 20th message overall got %q, want the greeting", got)
	}
	// In the group, the person over the limit is named; the others go on.
	h.srv.GroupText(group, users[0], "/help@dangwu_bot")
	h.srv.GroupText(group, users[1], "/help@dangwu_bot")
	h.waitAllHandled(24 + 30 + 13 + 2)
	if n := len(h.sentTo(group)); n != 25 {
		t.Errorf("the group got %d messages, want one more answer (for %d)", n, users[1])
	}
}

// A coordinator has a higher limit; the button that goes over it shows the
// notice as an alert.
func TestFloodStaffLimitAndButtonNotice(t *testing.T) {
	h, _ := startFlooding(t)
	u := botapi.DefaultUser(adminID)
	h.srv.StartChat(adminID)
	list := h.say(u, "/help") // a message to press stale buttons on
	var ids []string
	for i := range bot.DefaultFloodStaffPerMinute {
		ids = append(ids, h.srv.Press(u, botapi.PrivateChat(u), list.MessageID, fmt.Sprintf("zz:%d", i)))
	}
	h.waitAllHandled(bot.DefaultFloodStaffPerMinute + 1)
	notice := bot.T("flood.notice", bot.DefaultFloodStaffPerMinute, int(bot.DefaultFloodSilence/time.Minute))
	for i, id := range ids {
		ans, ok := h.srv.CallbackAnswer(id)
		switch {
		case !ok:
			t.Fatalf("press %d was not answered", i+1)
		case i < bot.DefaultFloodStaffPerMinute-1 && ans.Text == notice:
			t.Fatalf("press %d got the flood notice; an administrator has %d a minute", i+1, bot.DefaultFloodStaffPerMinute)
		case i == bot.DefaultFloodStaffPerMinute-1 && (ans.Text != notice || !ans.ShowAlert):
			t.Fatalf("the press over the limit got %+v, want the notice as an alert", ans)
		}
	}
}
