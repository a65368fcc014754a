package botapi_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/dangwu/dangwu/internal/botapi"
)

func sendTo(t *testing.T, s *botapi.Server, chatID int64) answer {
	t.Helper()
	return call(t, s, "sendMessage", map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "text": "x"})
}

func TestRateLimitsAreOffByDefault(t *testing.T) {
	s := mustStart(t, botapi.Options{Now: newClock().Now})
	s.PrivateText(1, "hi")
	for i := range 50 {
		if a := sendTo(t, s, 1); !a.OK {
			t.Fatalf("send %d refused: %s", i, a.Description)
		}
	}
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name       string
		chats      []int64 // one send to each, in turn, all allowed
		then       int64   // the send refused
		retryAfter int
		wait       time.Duration // after which, and not before, the refused send passes
	}{
		{"private chat allows a burst of 3", []int64{1, 1, 1}, 1, 1, time.Second},
		{"group allows 20 a minute", repeat(-100, 20), -100, 3, 3 * time.Second},
		// The 31st send of the second passes 1/30 s after the first; retry_after rounds up.
		{"30 a second overall", append(repeat(1, 3), append(repeat(-100, 20), repeat(-200, 7)...)...), -200, 1, 34 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			s := mustStart(t, botapi.Options{Now: clk.Now, RateLimits: true})
			s.PrivateText(1, "hi")
			s.GroupText(-100, 1, "hi")
			s.GroupText(-200, 1, "hi")
			for i, chat := range tc.chats {
				if a := sendTo(t, s, chat); !a.OK {
					t.Fatalf("send %d to %d refused: %s", i, chat, a.Description)
				}
			}
			a := sendTo(t, s, tc.then)
			wantRefusal(t, a, 429, "Too Many Requests: retry after "+strconv.Itoa(tc.retryAfter))
			if a.Parameters.RetryAfter != tc.retryAfter {
				t.Errorf("retry_after = %d, want %d", a.Parameters.RetryAfter, tc.retryAfter)
			}
			clk.Advance(tc.wait - time.Millisecond)
			if a := sendTo(t, s, tc.then); a.OK {
				t.Errorf("passed before retry_after elapsed")
			}
			clk.Advance(time.Millisecond)
			if a := sendTo(t, s, tc.then); !a.OK {
				t.Errorf("still refused after retry_after: %s", a.Description)
			}
		})
	}
}

func repeat(chat int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = chat
	}
	return out
}

func TestTooManyRequestsReachesTheClient(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	s.SetRateLimits(true)
	b := mustClient(t, s)
	s.PrivateText(1, "hi")
	ctx := context.Background()
	var err error
	for range 4 {
		if _, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"}); err != nil {
			break
		}
	}
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("4th send: %v, want *bot.TooManyRequestsError with RetryAfter 1", err)
	}
	s.SetRateLimits(false)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"}); err != nil {
		t.Errorf("send with limits off: %v", err)
	}
}
