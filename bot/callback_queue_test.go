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

// pressBehind presses the button labelled label on m while u's chat is
// busy: a question u asks just before is answered only once the press has
// arrived and the clock has moved on by wait, so the press's handler
// starts with wait of its budget spent in the queue (a chat's updates are
// handled one at a time). then, if not nil, sees every later Bot API call
// for u's chat, as a fault hook does, and its n-th sendMessage (from 1).
// It returns the press's query id.
func (h *harness) pressBehind(u botapi.User, m botapi.Message, label string, wait time.Duration,
	then func(method string, sends int)) string {
	h.t.Helper()
	data := h.buttonData(m, label)
	h.settle()
	var (
		mu      sync.Mutex
		sends   int
		offset  int64 // the highest getUpdates offset so far
		polled  = make(chan struct{}, 1)
		held    = make(chan struct{})
		release = make(chan struct{})
	)
	chatID := strconv.FormatInt(u.ID, 10)
	h.srv.SetFaults(func(method string, p botapi.Params) botapi.Fault {
		switch {
		case strings.EqualFold(method, "getUpdates"):
			off, _ := strconv.ParseInt(p.Get("offset"), 10, 64)
			mu.Lock()
			offset = max(offset, off)
			mu.Unlock()
			select {
			case polled <- struct{}{}:
			default:
			}
		case p.Get("chat_id") == chatID || strings.EqualFold(method, "answerCallbackQuery"):
			n := 0
			if strings.EqualFold(method, "sendMessage") {
				mu.Lock()
				sends++
				n = sends
				mu.Unlock()
			}
			if n == 1 { // the answer to the question: the chat is busy
				close(held)
				<-release
				return botapi.Fault{}
			}
			if then != nil {
				then(method, n-1)
			}
		}
		return botapi.Fault{}
	})
	h.t.Cleanup(func() { h.srv.SetFaults(nil) })
	lastOffset := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return offset
	}

	h.srv.PrivateText(u.ID, "预备期多长")
	<-held
	// The bot polls again with nothing pending; its next poll with a
	// higher offset comes once the press is stored, with its arrival time.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.srv.WaitPolling(ctx); err != nil {
		h.t.Fatal(err)
	}
	before := lastOffset()
	id := h.srv.Press(u, botapi.PrivateChat(u), m.MessageID, data)
	for lastOffset() <= before {
		select {
		case <-polled:
		case <-ctx.Done():
			h.t.Fatal("the press was never fetched")
		}
	}
	h.clock.Advance(wait)
	close(release)
	return id
}

// pressOutcome waits for the press id to be answered, or its answer
// refused, and returns that event.
func (h *harness) pressOutcome(id string) botapi.Event {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	events, err := h.srv.WaitEvents(ctx, 1, func(e botapi.Event) bool {
		return e.QueryID == id && (e.Kind == botapi.EventAnswerCallback || e.Kind == botapi.EventRefused)
	})
	if err != nil {
		h.t.Fatalf("press %s neither answered nor refused: %v", id, err)
	}
	return events[0]
}

// A press that waited behind its chat's earlier update spent its budget
// waiting: Telegram's 15 s run from the press, not from when its handler
// starts. Here a press waits 9 s behind a slow answer in the same chat,
// and its own handler then takes 7 s more. Counted from the handler's
// start, the 8 s budget would answer 17 s after the press, and the
// handler's own answer comes 16 s after it: Telegram refuses both, and
// the spinner turns until it gives up. Counted from the press's arrival,
// the budget is spent when the handler starts, and the press is answered
// then.
func TestQueuedButtonIsAnsweredWithinItsBudget(t *testing.T) {
	h := startBot(t, nil, nil) // the default budget, 8 s
	u := botapi.DefaultUser(33)
	h.ask(u.ID, "预备期多长")
	answer := h.lastMessage(u.ID)

	answered := make(chan struct{})
	var once sync.Once
	id := h.pressBehind(u, answer, bot.T("ask.full"), 9*time.Second, func(method string, sends int) {
		switch {
		case strings.EqualFold(method, "answerCallbackQuery"):
			once.Do(func() { close(answered) })
		case sends == 1: // the press's handler sends the full text
			select {
			case <-answered:
			case <-time.After(10 * time.Second): // no early answer is coming
			}
			h.clock.Advance(7 * time.Second)
		}
	})
	if e := h.pressOutcome(id); e.Kind != botapi.EventAnswerCallback {
		t.Errorf("the press's answer was refused: %v", e.Err)
	}
	h.waitSent(u.ID, 3) // the handler still sends the full text
}
