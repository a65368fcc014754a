package botapi

import (
	"slices"
	"strings"
	"time"
)

// Fault injection. A method name is matched without regard to case, as Telegram does; the
// name "" stands for every method except getUpdates, which the bot calls all the time.

type faultState struct {
	next   []pendingFault
	hook   func(method string, p Params) *APIError
	delays map[string]time.Duration // by lower-case method name, "" for all
	calls  map[string]int           // by canonical method name
}

// pendingFault is a FailNext waiting for its call.
type pendingFault struct {
	method string
	err    *APIError
}

func newFaultState() faultState {
	return faultState{delays: map[string]time.Duration{}, calls: map[string]int{}}
}

// matches reports whether a fault or delay set for pattern applies to the method called.
func matches(pattern, called string) bool {
	if pattern == "" {
		return called != "getUpdates"
	}
	return strings.EqualFold(pattern, called)
}

// FailNext makes the next call of method ("" for any but getUpdates) fail with that answer:
// code is the HTTP status and error_code, description the whole description (e.g. "Bad
// Request: chat not found"), retryAfter, if positive, goes to parameters.retry_after.
// Calls queue up: each FailNext fails one call, in order.
func (s *Server) FailNext(method string, code int, description string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.next = append(s.faults.next, pendingFault{
		method: method,
		err:    &APIError{Code: code, Description: description, RetryAfter: retryAfter},
	})
}

// SetFault installs a hook that sees every call (getUpdates included) before it is handled
// and may refuse it by returning an error; nil lets the call through. SetFault(nil) removes
// the hook. The hook runs without the server's lock, so it may call the Server.
func (s *Server) SetFault(f func(method string, params Params) *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.hook = f
}

// SetDelay makes calls of method ("" for any but getUpdates) wait d before being handled;
// d <= 0 removes the delay. A delay set for the method itself wins over the one for "". A
// delayed call gives up, unhandled, when its client goes away or the server closes.
func (s *Server) SetDelay(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	if d <= 0 {
		delete(s.faults.delays, key)
		return
	}
	s.faults.delays[key] = d
}

// Calls returns how many times method ("" for any but getUpdates) was called with the
// right token, whatever the answer.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for called, count := range s.faults.calls {
		if matches(method, called) {
			n += count
		}
	}
	return n
}

// beginCall counts a call and returns the delay it must wait.
func (s *Server) beginCall(method string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.calls[method]++
	if d, ok := s.faults.delays[strings.ToLower(method)]; ok {
		return d
	}
	if method == "getUpdates" {
		return 0
	}
	return s.faults.delays[""]
}

// injectedFault returns the error FailNext or SetFault chose for this call, if any.
func (s *Server) injectedFault(method string, p Params) *APIError {
	s.mu.Lock()
	for i, f := range s.faults.next {
		if matches(f.method, method) {
			s.faults.next = slices.Delete(s.faults.next, i, i+1)
			s.mu.Unlock()
			return f.err
		}
	}
	hook := s.faults.hook
	s.mu.Unlock()
	if hook == nil {
		return nil
	}
	return hook(method, p)
}
