package botapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/dangwu/dangwu/internal/botapi"
)

func TestFailNext(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 5*time.Second)
	s.PrivateText(1, "hi")

	s.FailNext("sendMessage", http.StatusForbidden, "Forbidden: user is deactivated", 0)
	s.FailNext("", http.StatusTooManyRequests, "Too Many Requests: retry after 7", 7)

	poll(t, s, nil) // getUpdates is not "any method"
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "user is deactivated") {
		t.Errorf("first send: %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 1, MessageID: 1, Text: "x"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
		t.Errorf("second call: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"}); err != nil {
		t.Errorf("third call: %v (faults are one-shot)", err)
	}
	if got := len(s.Messages(1)); got != 1 {
		t.Errorf("%d messages stored, want 1", got)
	}
}

func TestSetFault(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	s.SetFault(func(method string, p botapi.Params) *botapi.APIError {
		if method == "sendMessage" && strings.Contains(p.Get("text"), "坏") {
			return &botapi.APIError{Code: http.StatusBadGateway, Description: "Bad Gateway"}
		}
		return nil
	})
	wantRefusal(t, call(t, s, "sendMessage", text("坏消息")), http.StatusBadGateway, "Bad Gateway")
	wantOK(t, call(t, s, "sendMessage", text("好消息")), nil)
	s.SetFault(nil)
	wantOK(t, call(t, s, "sendMessage", text("坏消息")), nil)
}

func TestSetDelayRespectsCancellation(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	s.PrivateText(1, "hi")

	s.SetDelay("sendMessage", time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "slow"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed send: %v, want the client's deadline", err)
	}
	s.SetDelay("sendMessage", 0)
	if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 1, Text: "fast"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Messages(1); len(got) != 1 || got[0].Text != "fast" {
		t.Errorf("messages = %+v: the abandoned call must not be handled", got)
	}

	s.SetDelay("", 20*time.Millisecond)
	start := time.Now()
	wantOK(t, call(t, s, "getMe", nil), nil)
	if time.Since(start) < 20*time.Millisecond {
		t.Errorf("getMe was not delayed")
	}
}

func TestCalls(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	call(t, s, "sendMessage", text("a"))
	call(t, s, "sendmessage", text("")) // refused, still a call; names ignore case
	call(t, s, "getUpdates", nil)
	call(t, s, "getMe", nil)
	do(t, s.URL()+"/bot1:wrong/sendMessage", "", "") // a wrong token is not a call
	for method, want := range map[string]int{"sendMessage": 2, "SENDMESSAGE": 2, "getUpdates": 1, "": 3, "deleteMessage": 0} {
		if got := s.Calls(method); got != want {
			t.Errorf("Calls(%q) = %d, want %d", method, got, want)
		}
	}
}

func TestRefusalsAreEvents(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	call(t, s, "sendMessage", map[string]string{"chat_id": "5", "text": "x"})
	events, err := s.WaitEvents(ctxTimeout(t, 5*time.Second), 1, func(e botapi.Event) bool { return e.Kind == botapi.EventRefused })
	if err != nil {
		t.Fatal(err)
	}
	e := events[0]
	if e.Method != "sendMessage" || e.ChatID != 5 || e.Err == nil || e.Err.Code != http.StatusForbidden {
		t.Errorf("refusal event = %+v", e)
	}
}

func TestSetFaultsResets(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 5*time.Second)
	s.PrivateText(1, "hi")
	s.SetFaults(func(method string, p botapi.Params) botapi.Fault {
		switch p.Get("text") {
		case "lost":
			return botapi.Fault{Reset: botapi.ResetBefore}
		case "landed":
			return botapi.Fault{Reset: botapi.ResetAfter}
		}
		return botapi.Fault{}
	})
	for _, text := range []string{"lost", "landed"} {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: text})
		if err == nil || !strings.Contains(err.Error(), "error do request") {
			t.Errorf("send %q: %v, want the request itself to fail (no answer)", text, err)
		}
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "fine"}); err != nil {
		t.Errorf("send after the resets: %v", err)
	}
	var texts []string
	for _, m := range s.Messages(1) {
		texts = append(texts, m.Text)
	}
	if got := strings.Join(texts, ","); got != "landed,fine" {
		t.Errorf("messages %s, want landed,fine: a reset before handling sends nothing, one after it sends", got)
	}
	var resets []botapi.Event
	for _, e := range s.Events() {
		if e.Kind == botapi.EventReset {
			resets = append(resets, e)
		}
	}
	if len(resets) != 2 || resets[0].Handled || !resets[1].Handled || resets[0].ChatID != 1 || resets[0].Method != "sendMessage" {
		t.Errorf("reset events %+v, want one unhandled and one handled sendMessage to chat 1", resets)
	}
}

func TestSetFaultsDelayAndRefusal(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	s.PrivateText(1, "hi")
	s.SetFaults(func(method string, p botapi.Params) botapi.Fault {
		switch p.Get("text") {
		case "slow":
			return botapi.Fault{Delay: time.Hour}
		case "busy":
			return botapi.Fault{Err: &botapi.APIError{Code: http.StatusInternalServerError, Description: "Internal Server Error"}}
		}
		return botapi.Fault{}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "slow"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow send: %v, want the client's deadline", err)
	}
	_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 1, Text: "busy"})
	if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("busy send: %v, want a 500 answer", err)
	}
	if got := len(s.Messages(1)); got != 0 {
		t.Errorf("%d messages stored: a delayed call given up and a refused one send nothing", got)
	}
	// SetFault replaces the hook of SetFaults, and SetFault(nil) removes it.
	s.SetFault(func(string, botapi.Params) *botapi.APIError { return nil })
	wantOK(t, call(t, s, "sendMessage", text("slow")), nil)
	s.SetFaults(func(string, botapi.Params) botapi.Fault { return botapi.Fault{Reset: botapi.ResetBefore} })
	s.SetFault(nil)
	wantOK(t, call(t, s, "sendMessage", text("busy")), nil)
}

func TestSetFaultsSeesGetUpdates(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	s.SetFaults(func(method string, _ botapi.Params) botapi.Fault {
		if method == "getUpdates" {
			return botapi.Fault{Reset: botapi.ResetAfter}
		}
		return botapi.Fault{}
	})
	if _, err := post(s, "getUpdates", nil); err == nil {
		t.Fatal("getUpdates answered through a reset")
	}
	s.SetFaults(nil)
	// The answer was lost, so nothing was confirmed: the update comes again.
	if ids := poll(t, s, nil); len(ids) != 1 {
		t.Errorf("updates after the reset %v, want the one not confirmed", ids)
	}
}

func TestFailedCallbackAnswersNameTheirChat(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	u := botapi.DefaultUser(7)
	m := s.SendText(u, botapi.PrivateChat(u), "hi")
	id := s.Press(u, botapi.PrivateChat(u), m.MessageID, "x:1")
	n := 0
	s.SetFaults(func(method string, _ botapi.Params) botapi.Fault {
		if method != "answerCallbackQuery" {
			return botapi.Fault{}
		}
		n++
		switch n {
		case 1:
			return botapi.Fault{Err: &botapi.APIError{Code: http.StatusTooManyRequests, Description: "Too Many Requests: retry after 1", RetryAfter: 1}}
		case 2:
			return botapi.Fault{Reset: botapi.ResetAfter}
		}
		return botapi.Fault{}
	})
	answer := map[string]string{"callback_query_id": id, "text": "ok"}
	wantRefusal(t, call(t, s, "answerCallbackQuery", answer), http.StatusTooManyRequests, "Too Many Requests: retry after 1")
	if _, err := post(s, "answerCallbackQuery", answer); err == nil {
		t.Fatal("answerCallbackQuery answered through a reset")
	}
	// The reset came after the answer was taken: a repeat is too late.
	if a := call(t, s, "answerCallbackQuery", answer); a.OK || a.ErrorCode != http.StatusBadRequest {
		t.Errorf("repeated answer: %+v, want 400", a)
	}
	var got []string
	for _, e := range s.Events() {
		if e.Method == "answerCallbackQuery" {
			got = append(got, fmt.Sprintf("%s chat %d query %v", e.Kind, e.ChatID, e.QueryID == id))
		}
	}
	want := "refused chat 7 query true,answer_callback chat 7 query true,reset chat 7 query true,refused chat 7 query true"
	if strings.Join(got, ",") != want {
		t.Errorf("events %q, want %q: a failed answer names the query and the chat of the pressed message", got, want)
	}
}
