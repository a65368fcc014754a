package botapi

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// queryTimeout is how long Telegram waits for the answer to a callback or inline query.
const queryTimeout = 15 * time.Second

// CallbackAnswer is the bot's answer to a callback query.
type CallbackAnswer struct {
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
}

// query is a callback or inline query waiting for, or having got, its answer.
type query struct {
	inline   bool
	asked    time.Time
	chatID   int64 // callback queries: the chat of the pressed message
	answered bool
	callback CallbackAnswer
	results  []InlineResult
}

type queryState struct {
	lastID int64
	byID   map[string]*query
}

func newQueryState() queryState { return queryState{byID: map[string]*query{}} }

// addQueryLocked registers a new callback or inline query and returns its id.
func (s *Server) addQueryLocked(inline bool, chatID int64) string {
	s.queries.lastID++
	id := strconv.FormatInt(4_000_000_000_000_000+s.queries.lastID, 10) // numeric, like Telegram's
	s.queries.byID[id] = &query{inline: inline, asked: s.now(), chatID: chatID}
	return id
}

// openQueryLocked returns the query id names if it may still be answered: a known query of
// the right kind, not answered yet, asked no more than 15 seconds ago by the server's clock.
func (s *Server) openQueryLocked(id string, inline bool) (*query, *APIError) {
	q := s.queries.byID[id]
	if q == nil || q.inline != inline || q.answered || s.now().Sub(q.asked) > queryTimeout {
		return nil, errQueryInvalid
	}
	return q, nil
}

// answerCallbackQuery records the answer to a button press.
func (s *Server) answerCallbackQuery(_ context.Context, p Params) (any, *APIError) {
	cacheTime, apiErr := p.int("cache_time")
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p.Get("callback_query_id")
	q, apiErr := s.openQueryLocked(id, false)
	if apiErr != nil {
		return nil, apiErr
	}
	if utf16Len(p.Get("text")) > maxCallbackTextLen {
		// What Telegram answers to a text over 200 characters, as bot authors report it.
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	q.answered = true
	q.callback = CallbackAnswer{
		Text: p.Get("text"), ShowAlert: p.bool("show_alert"), URL: p.Get("url"), CacheTime: cacheTime,
	}
	s.logLocked(Event{Kind: EventAnswerCallback, Method: "answerCallbackQuery", ChatID: q.chatID, QueryID: id, Text: q.callback.Text})
	return true, nil
}

// answerInlineQuery records the results offered for an inline query.
func (s *Server) answerInlineQuery(_ context.Context, p Params) (any, *APIError) {
	var raws []json.RawMessage
	if _, apiErr := p.json("results", &raws); apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p.Get("inline_query_id")
	q, apiErr := s.openQueryLocked(id, true)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(raws) > maxInlineResults {
		return nil, badRequest("RESULTS_TOO_MUCH")
	}
	results := make([]InlineResult, 0, len(raws))
	seen := map[string]bool{}
	for _, raw := range raws {
		var r InlineResult
		if err := json.Unmarshal(raw, &r); err != nil || r.Type == "" {
			return nil, badRequest("can't parse InlineQueryResult JSON object")
		}
		if r.ID == "" || len(r.ID) > maxInlineResultID {
			return nil, badRequest("RESULT_ID_INVALID")
		}
		if seen[r.ID] {
			return nil, badRequest("RESULT_ID_DUPLICATE")
		}
		seen[r.ID] = true
		r.Raw = raw
		results = append(results, r)
	}
	q.answered = true
	q.results = results
	s.logLocked(Event{Kind: EventAnswerInline, Method: "answerInlineQuery", QueryID: id})
	return true, nil
}

// CallbackAnswer returns the bot's answer to the callback query that Press returned, and
// whether it answered.
func (s *Server) CallbackAnswer(queryID string) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries.byID[queryID]
	if q == nil || q.inline || !q.answered {
		return CallbackAnswer{}, false
	}
	return q.callback, true
}

// InlineAnswer returns the results the bot offered for the inline query that InlineQuery
// returned, and whether it answered.
func (s *Server) InlineAnswer(queryID string) ([]InlineResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries.byID[queryID]
	if q == nil || !q.inline || !q.answered {
		return nil, false
	}
	return q.results, true
}
