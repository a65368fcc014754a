package bot_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// A press that waited behind its chat's earlier update spent its budget
// waiting: Telegram's 15 s run from the press, not from when its handler
// starts. Here a press waits 9 s behind a slow answer in the same chat
// (a chat's updates are handled one at a time), and its own handler then
// takes 7 s more. Counted from the handler's start, the 8 s budget would
// answer 17 s after the press, and counted from nothing the handler's own
// answer comes 16 s after it: Telegram refuses both, and the spinner turns
// until it gives up. Counted from the press's arrival, the budget is spent
// when the handler starts, and the press is answered then.
func TestQueuedButtonIsAnsweredWithinItsBudget(t *testing.T) {
	h := startBot(t, nil, nil) // the default budget, 8 s
	u := botapi.DefaultUser(33)
	chat := botapi.PrivateChat(u)
	h.ask(u.ID, "预备期多长")
	answer := h.lastMessage(u.ID)
	h.settle()

	var (
		mu       sync.Mutex
		sends    int
		offset   int64 // the highest getUpdates offset so far
		polled   = make(chan struct{}, 1)
		held     = make(chan struct{})
		release  = make(chan struct{})
		answered = make(chan struct{})
		once     sync.Once
	)
	chatID := strconv.FormatInt(u.ID, 10)
	h.srv.SetFaults(func(m string, p botapi.Params) botapi.Fault {
		switch {
		case strings.EqualFold(m, "getUpdates"):
			off, _ := strconv.ParseInt(p.Get("offset"), 10, 64)
			mu.Lock()
			offset = max(offset, off)
			mu.Unlock()
			select {
			case polled <- struct{}{}:
			default:
			}
		case strings.EqualFold(m, "answerCallbackQuery"):
			once.Do(func() { close(answered) })
		case strings.EqualFold(m, "sendMessage") && p.Get("chat_id") == chatID:
			mu.Lock()
			sends++
			n := sends
			mu.Unlock()
			switch n {
			case 1: // the answer to the second question: the chat is busy
				close(held)
				<-release
			case 2: // the press's handler: 7 s more pass before it is done
				select {
				case <-answered:
				case <-time.After(10 * time.Second): // no early answer is coming
				}
				h.clock.Advance(7 * time.Second)
			}
		}
		return botapi.Fault{}
	})
	t.Cleanup(func() { h.srv.SetFaults(nil) })
	lastOffset := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return offset
	}

	h.srv.PrivateText(u.ID, "预备期多长")
	<-held
	// The bot is polling again, with nothing pending: the next poll with a
	// higher offset comes once the press is stored, with its arrival time.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.srv.WaitPolling(ctx); err != nil {
		t.Fatal(err)
	}
	before := lastOffset()
	var data string
	for _, row := range answer.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if strings.Contains(b.Text, bot.T("ask.full")) && data == "" {
				data = b.CallbackData
			}
		}
	}
	id := h.srv.Press(u, chat, answer.MessageID, data)
	for lastOffset() <= before {
		select {
		case <-polled:
		case <-ctx.Done():
			t.Fatal("the press was never fetched")
		}
	}
	h.clock.Advance(9 * time.Second) // the press waits behind the slow answer
	close(release)

	events, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
		return e.QueryID == id && (e.Kind == botapi.EventAnswerCallback || e.Kind == botapi.EventRefused)
	})
	if err != nil {
		t.Fatalf("the press was neither answered nor refused: %v", err)
	}
	if e := events[0]; e.Kind != botapi.EventAnswerCallback {
		t.Errorf("the press's answer was refused: %+v", e.Err)
	}
	h.waitSent(u.ID, 3) // the handler still sends the full text
}
