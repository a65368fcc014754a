package botapi

import (
	"context"
	"errors"
	"sync"
	"time"
)

// EventKind says what the bot did.
type EventKind string

// The kinds of Event.
const (
	EventSend           EventKind = "send"            // sendMessage, sendDocument, sendPhoto
	EventEdit           EventKind = "edit"            // editMessageText, editMessageReplyMarkup, editMessageMedia
	EventDelete         EventKind = "delete"          // deleteMessage
	EventAnswerCallback EventKind = "answer_callback" // answerCallbackQuery
	EventAnswerInline   EventKind = "answer_inline"   // answerInlineQuery
	EventSetCommands    EventKind = "set_commands"    // setMyCommands
	EventDeleteCommands EventKind = "delete_commands" // deleteMyCommands
	EventChatAction     EventKind = "chat_action"     // sendChatAction
	EventPoll           EventKind = "poll"            // sendPoll
	EventStopPoll       EventKind = "stop_poll"       // stopPoll
	EventRefused        EventKind = "refused"         // any call but getUpdates that got an error
	EventReset          EventKind = "reset"           // a call whose connection a Fault dropped
)

// Event is one thing the bot did through the API. Reads (getMe, getUpdates, getFile...)
// are not events; Calls counts them.
type Event struct {
	Seq    int // position in the log, from 1
	Time   time.Time
	Kind   EventKind
	Method string // the Bot API method, e.g. "sendMessage"
	ChatID int64  // the chat concerned, when there is one
	// Message is the message after the call: as sent, as edited (a stopped poll's message
	// with the closed poll), or as it was when deleted.
	Message *Message
	// QueryID is the callback or inline query answered (or, for EventRefused and
	// EventReset, the callback query whose answer failed).
	QueryID string
	// Text is the callback answer's text, or the chat action.
	Text string
	// Err is the refusal, for EventRefused.
	Err *APIError
	// Handled tells, for EventReset, whether the call was handled before its connection
	// was dropped (Fault.Reset ResetAfter).
	Handled bool
}

// ErrClosed is returned by WaitEvents when the server closes first.
var ErrClosed = errors.New("botapi: server closed")

// eventLog is the append-only log of events.
type eventLog struct {
	log   []Event
	added signal
}

// signal lets goroutines wait for the next change of some state guarded by Server.mu.
type signal struct{ ch chan struct{} }

// wait returns a channel that is closed at the next broadcast.
func (g *signal) wait() <-chan struct{} {
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *signal) broadcast() {
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

func (s *Server) logLocked(e Event) {
	e.Seq = len(s.events.log) + 1
	e.Time = s.now()
	s.events.log = append(s.events.log, e)
	s.events.added.broadcast()
}

// logRefusal records that a call was refused.
func (s *Server) logRefusal(method string, p Params, apiErr *APIError) {
	refusal := *apiErr // the event's copy: shared refusals must stay as they are
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.callEventLocked(method, p)
	e.Kind, e.Err = EventRefused, &refusal
	s.logLocked(e)
}

// callEventLocked is the Event of a call that failed: its method, and the chat it
// concerns — the chat_id, or for an answer to a callback query the query (QueryID) and
// the chat of the pressed message, so that a lost answer is laid at the right chat.
func (s *Server) callEventLocked(method string, p Params) Event {
	e := Event{Method: method}
	e.ChatID, _ = p.int64("chat_id")
	if id := p.Get("callback_query_id"); id != "" {
		e.QueryID = id
		if q := s.queries.byID[id]; q != nil && e.ChatID == 0 {
			e.ChatID = q.chatID
		}
	}
	return e
}

// Events returns the log of everything the bot did, oldest first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events.log...)
}

// since returns the events from position next on, and a channel closed when more arrive.
func (s *Server) since(next int) ([]Event, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events.log[next:len(s.events.log):len(s.events.log)], s.events.added.wait()
}

// WaitEvents blocks until n events satisfy match (nil matches all), counting events that
// happened before the call, and returns the first n of them. It returns what it found so
// far with ctx's error when ctx ends first, or with ErrClosed when the server closes.
func (s *Server) WaitEvents(ctx context.Context, n int, match func(Event) bool) ([]Event, error) {
	var found []Event
	for next := 0; len(found) < n; {
		events, more := s.since(next)
		for _, e := range events {
			if match == nil || match(e) {
				found = append(found, e)
				if len(found) == n {
					return found, nil
				}
			}
		}
		next += len(events)
		if len(events) > 0 {
			continue
		}
		select {
		case <-more:
		case <-ctx.Done():
			return found, ctx.Err()
		case <-s.closing:
			return found, ErrClosed
		}
	}
	return found, nil
}

// Subscribe streams the events that happen from now on, in order and without loss: the
// stream waits for a slow reader (buf is the channel's buffer). Call the returned function
// to unsubscribe; the channel is closed then, or when the server closes (events not read
// by then are dropped; Events still has them).
func (s *Server) Subscribe(buf int) (<-chan Event, func()) {
	out := make(chan Event, buf)
	stop, done := make(chan struct{}), make(chan struct{})
	s.mu.Lock()
	next := len(s.events.log)
	s.mu.Unlock()
	go func() {
		defer close(done)
		defer close(out)
		for {
			events, more := s.since(next)
			for _, e := range events {
				select {
				case out <- e:
					next++
				case <-stop:
					return
				case <-s.closing:
					return
				}
			}
			if len(events) > 0 {
				continue
			}
			select {
			case <-more:
			case <-stop:
				return
			case <-s.closing:
				return
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() { close(stop) })
		<-done
	}
}
