package scheduler

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
)

// Check-in codes. During an event the coordinator shows a six-digit code
// that changes every CodePeriod; a worker sends it, or opens the chk_ deep
// link its QR image carries. The code of the current period and of the one
// before are accepted, so a code read just before it changes still works.
// A code is HMAC-SHA256 over the event id and the period number, keyed by
// the event's secret (as TOTP, RFC 6238, derives codes from time steps),
// so it cannot be guessed from another event's codes.
const (
	CodePeriod = 30 * time.Second
	CodeDigits = 6
	// codeHistory is how many periods back a code is recognised as expired
	// rather than wrong.
	codeHistory = 20
)

// CheckInLinkPrefix starts a check-in deep link's payload: chk_<event>_<code>.
const CheckInLinkPrefix = "chk_"

func code(secret []byte, eventID int64, period int64) string {
	mac := hmac.New(sha256.New, secret)
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(eventID))
	binary.BigEndian.PutUint64(buf[8:], uint64(period))
	mac.Write(buf[:])
	sum := mac.Sum(nil)
	n := binary.BigEndian.Uint32(sum[:4]) % 1000000
	return fmt.Sprintf("%06d", n)
}

func period(t time.Time) int64 { return t.Unix() / int64(CodePeriod/time.Second) }

// CheckInCode is an event's current code, when it changes next, and the
// deep-link payload that carries it.
type CheckInCode struct {
	Event   Event
	Code    string
	Payload string // chk_<event>_<code>
	Until   time.Time
}

// Code returns the current check-in code of an event to a coordinator in
// scope, while its check-in is open.
func (s *Service) Code(ctx context.Context, actor member.Access, eventID int64) (CheckInCode, error) {
	district, err := scope(actor)
	if err != nil {
		return CheckInCode{}, err
	}
	e, err := s.store.Event(ctx, eventID)
	if err != nil {
		return CheckInCode{}, err
	}
	if !covers(district, e.District) {
		return CheckInCode{}, ErrOutOfScope
	}
	now := s.clock()
	if !checkInOpen(e, now) {
		return CheckInCode{}, ErrNotRunning
	}
	secret, err := s.store.EventSecret(ctx, eventID)
	if err != nil {
		return CheckInCode{}, err
	}
	p := period(now)
	c := code(secret, eventID, p)
	return CheckInCode{Event: e, Code: c, Payload: CheckInLinkPrefix + strconv.FormatInt(eventID, 10) + "_" + c,
		Until: time.Unix((p+1)*int64(CodePeriod/time.Second), 0)}, nil
}

func checkInOpen(e Event, now time.Time) bool {
	return e.State == Open && !now.Before(e.Start.Add(-CheckInOpens)) && now.Before(e.End.Add(CheckInCloses))
}

// match reports how code matches event e at now: 0 current or previous,
// 1 an expired one of the last codeHistory periods, -1 none.
func (s *Service) match(ctx context.Context, e Event, c string, now time.Time) (int, error) {
	secret, err := s.store.EventSecret(ctx, e.ID)
	if err != nil {
		return -1, err
	}
	p := period(now)
	for back := int64(0); back <= codeHistory; back++ {
		if hmac.Equal([]byte(code(secret, e.ID, p-back)), []byte(c)) {
			if back <= 1 {
				return 0, nil
			}
			return 1, nil
		}
	}
	return -1, nil
}

// NormalizeCode folds full-width digits (１２３, what a Chinese input
// method gives in full-width mode) to ASCII and trims spaces.
func NormalizeCode(text string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		if r == ' ' || r == '　' {
			return -1
		}
		return r
	}, strings.TrimSpace(text))
}

// IsCode reports whether text looks like a check-in code.
func IsCode(text string) bool {
	text = NormalizeCode(text)
	if len(text) != CodeDigits {
		return false
	}
	for _, r := range text {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseCheckInLink reads a chk_ deep-link payload.
func ParseCheckInLink(payload string) (eventID int64, c string, ok bool) {
	rest, found := strings.CutPrefix(payload, CheckInLinkPrefix)
	if !found {
		return 0, "", false
	}
	idText, c, found := strings.Cut(rest, "_")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !found || err != nil || id <= 0 || !IsCode(c) {
		return 0, "", false
	}
	return id, c, true
}

// CheckIn records userID's attendance from a code they sent: the running
// event whose current (or previous) code it is. ErrCodeExpired for an old
// code of a running event, ErrNotRunning for a code of an event whose
// check-in closed moments ago, ErrBadCode for no event's.
func (s *Service) CheckIn(ctx context.Context, userID int64, c string) (Attendance, Event, error) {
	c = NormalizeCode(c)
	now := s.clock()
	// Events whose check-in closed within the codes' history are looked at
	// too: the last code they showed is answered as too late, not as wrong.
	running, err := s.store.RunningEvents(ctx, now, CheckInOpens, CheckInCloses+codeHistory*CodePeriod)
	if err != nil {
		return Attendance{}, Event{}, err
	}
	expired, closed := false, false
	for _, e := range running {
		m, err := s.match(ctx, e, c, now)
		if err != nil {
			return Attendance{}, Event{}, err
		}
		switch {
		case m < 0:
		case !checkInOpen(e, now):
			closed = true
		case m == 0:
			a, err := s.attend(ctx, userID, e, "code")
			return a, e, err
		default:
			expired = true
		}
	}
	switch {
	case expired:
		return Attendance{}, Event{}, ErrCodeExpired
	case closed:
		return Attendance{}, Event{}, ErrNotRunning
	}
	return Attendance{}, Event{}, ErrBadCode
}

// CheckInLink records attendance from a chk_ deep link for eventID. A
// code of another running event is ErrOtherEvent.
func (s *Service) CheckInLink(ctx context.Context, userID, eventID int64, c string) (Attendance, Event, error) {
	e, err := s.store.Event(ctx, eventID)
	if errors.Is(err, ErrNotFound) {
		return Attendance{}, Event{}, ErrBadCode
	}
	if err != nil {
		return Attendance{}, Event{}, err
	}
	now := s.clock()
	if !checkInOpen(e, now) {
		return Attendance{}, e, ErrNotRunning
	}
	m, err := s.match(ctx, e, c, now)
	if err != nil {
		return Attendance{}, e, err
	}
	switch m {
	case 0:
		a, err := s.attend(ctx, userID, e, "link")
		return a, e, err
	case 1:
		return Attendance{}, e, ErrCodeExpired
	}
	running, err := s.store.RunningEvents(ctx, now, CheckInOpens, CheckInCloses)
	if err != nil {
		return Attendance{}, e, err
	}
	for _, other := range running {
		if other.ID == e.ID {
			continue
		}
		if m, err := s.match(ctx, other, c, now); err != nil {
			return Attendance{}, e, err
		} else if m >= 0 {
			return Attendance{}, e, ErrOtherEvent
		}
	}
	return Attendance{}, e, ErrBadCode
}

// attend records that userID is at e: registered people, and approved
// workers the event is open to (walk-ins). A second check-in keeps the
// first.
func (s *Service) attend(ctx context.Context, userID int64, e Event, method string) (Attendance, error) {
	var a Attendance
	err := s.atomic(ctx, func(ctx context.Context) error {
		if _, err := s.store.Signup(ctx, e.ID, userID); errors.Is(err, ErrNotFound) {
			w, err := s.store.Worker(ctx, userID)
			if errors.Is(err, ErrNotFound) || (err == nil && !w.Approved) {
				return ErrNotApproved
			}
			if err != nil {
				return err
			}
			if !openTo(e, w) {
				return ErrNotInAudience
			}
		} else if err != nil {
			return err
		}
		present, err := s.store.Attendance(ctx, e.ID)
		if err != nil {
			return err
		}
		for _, have := range present {
			if have.UserID == userID && have.Present {
				a = have
				return nil
			}
		}
		a = Attendance{EventID: e.ID, UserID: userID, At: s.clock(), Method: method, Present: true, Hours: e.Hours}
		return s.store.PutAttendance(ctx, a)
	})
	return a, err
}

// Mark records a coordinator's attendance mark for a person, present or
// not, with a reason: from when the event's check-in opens (marks come
// after the event too), never for a cancelled event.
func (s *Service) Mark(ctx context.Context, actor member.Access, eventID, userID int64, present bool, reason string) (Attendance, error) {
	district, err := scope(actor)
	if err != nil {
		return Attendance{}, err
	}
	var a Attendance
	err = s.atomic(ctx, func(ctx context.Context) error {
		e, err := s.store.Event(ctx, eventID)
		if err != nil {
			return err
		}
		if !covers(district, e.District) {
			return ErrOutOfScope
		}
		if e.State != Open {
			return ErrEventClosed
		}
		if s.clock().Before(e.Start.Add(-CheckInOpens)) {
			return ErrNotRunning
		}
		w, err := s.store.Worker(ctx, userID)
		if err != nil {
			return err
		}
		if !covers(district, w.District) {
			return ErrOutOfScope
		}
		hours := 0.0
		if present {
			hours = e.Hours
		}
		a = Attendance{EventID: eventID, UserID: userID, At: s.clock(), Method: "manual", Present: present, Hours: hours,
			MarkedBy: actor.UserID, Reason: strings.TrimSpace(reason)}
		return s.store.PutAttendance(ctx, a)
	})
	return a, err
}
