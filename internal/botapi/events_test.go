package botapi_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
)

func TestSubscribeStreamsInOrder(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	call(t, s, "sendMessage", text("before")) // not streamed: it happened before Subscribe

	events, stop := s.Subscribe(0) // unbuffered: the stream waits for its reader
	for _, word := range []string{"一", "二", "三"} {
		call(t, s, "sendMessage", text(word))
	}
	for i, want := range []string{"一", "二", "三"} {
		select {
		case e := <-events:
			if e.Kind != botapi.EventSend || e.Message.Text != want || e.Seq != i+2 || e.ChatID != 1 {
				t.Errorf("event %d = %+v (%q)", i, e, e.Message.Text)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d did not arrive", i)
		}
	}
	stop()
	if _, open := <-events; open {
		t.Error("the stream is still open after stop")
	}
	stop() // stopping twice is harmless
}

func TestSubscribeEndsOnClose(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	events, stop := s.Subscribe(1)
	defer stop()
	s.Close()
	select {
	case _, open := <-events:
		if open {
			t.Error("got an event from a closed server")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream stayed open after Close")
	}
}

func TestWaitEvents(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	call(t, s, "sendMessage", text("past"))
	isSend := func(e botapi.Event) bool { return e.Kind == botapi.EventSend }

	done := make(chan []botapi.Event, 1)
	go func() {
		events, _ := s.WaitEvents(context.Background(), 2, isSend)
		done <- events
	}()
	call(t, s, "sendChatAction", map[string]string{"chat_id": "1", "action": "typing"}) // does not match
	call(t, s, "sendMessage", text("future"))
	select {
	case events := <-done:
		if len(events) != 2 || events[0].Message.Text != "past" || events[1].Message.Text != "future" {
			t.Errorf("events = %+v", events)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitEvents did not return")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	events, err := s.WaitEvents(ctx, 3, isSend)
	if !errors.Is(err, context.DeadlineExceeded) || len(events) != 2 {
		t.Errorf("WaitEvents past its deadline = %d events, %v", len(events), err)
	}
	if all := s.Events(); len(all) != 3 || all[1].Kind != botapi.EventChatAction || all[1].Text != "typing" {
		t.Errorf("Events = %+v", all)
	}
}
