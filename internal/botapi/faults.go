package botapi

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Fault injection. A method name is matched without regard to case, as Telegram does; the
// name "" stands for every method except getUpdates, which the bot calls all the time.

type faultState struct {
	next   []pendingFault
	hook   func(method string, p Params) Fault
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
// the hook. The hook runs without the server's lock, so it may call the Server. It replaces
// the hook of SetFaults.
func (s *Server) SetFault(f func(method string, params Params) *APIError) {
	if f == nil {
		s.SetFaults(nil)
		return
	}
	s.SetFaults(func(method string, p Params) Fault { return Fault{Err: f(method, p)} })
}

// Fault is what happens to one call instead of, or before, its answer. The zero Fault lets
// the call through.
type Fault struct {
	// Delay makes the call wait this long before it is handled, as a slow or distant
	// server does; a client that gives up meanwhile leaves it unhandled.
	Delay time.Duration
	// Err refuses the call with this answer; it is not handled.
	Err *APIError
	// Reset drops the connection without an answer, after Delay: with ResetBefore the call
	// is not handled, with ResetAfter it is (the message is sent, the callback answered)
	// and only its answer is lost. The client cannot tell the two apart.
	Reset Reset
}

// Reset says whether and when a Fault drops the connection.
type Reset int

// The resets a Fault can do.
const (
	NoReset     Reset = iota
	ResetBefore       // the call is not handled
	ResetAfter        // the call is handled, its answer lost
)

// SetFaults installs a hook that chooses a Fault for every call, getUpdates included; nil
// removes it. It replaces the hook of SetFault, and runs without the server's lock, so it
// may call the Server. A reset is logged as an EventReset; over HTTP/1.1 it is a TCP reset
// (the client reads "connection reset by peer").
func (s *Server) SetFaults(f func(method string, params Params) Fault) {
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

// injectedFault returns the fault FailNext or the hook of SetFault or SetFaults chose for
// this call; FailNext goes first.
func (s *Server) injectedFault(method string, p Params) Fault {
	s.mu.Lock()
	for i, f := range s.faults.next {
		if matches(f.method, method) {
			s.faults.next = slices.Delete(s.faults.next, i, i+1)
			s.mu.Unlock()
			return Fault{Err: f.err}
		}
	}
	hook := s.faults.hook
	s.mu.Unlock()
	if hook == nil {
		return Fault{}
	}
	return hook(method, p)
}

// wait waits d, or until the client goes away or the server closes (false).
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// logReset records that a call's connection was dropped.
func (s *Server) logReset(method string, p Params, handled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.callEventLocked(method, p)
	e.Kind, e.Handled = EventReset, handled
	s.logLocked(e)
}

// resetConnection drops the connection of w without an answer: a TCP reset (SO_LINGER 0)
// where the connection can be taken over, else an aborted answer.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: the server resets the stream
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
