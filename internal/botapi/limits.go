package botapi

import "time"

// Telegram's sending pace, from the Bot FAQ: about 30 messages a second overall, about one
// a second to one chat with short bursts allowed, 20 a minute to one group. Only sends
// (sendMessage, sendDocument, sendPhoto, sendPoll) count; Telegram counts edits too, but not
// documentedly, so they are left out here.
const (
	globalInterval  = time.Second / 30
	globalBurst     = 30
	privateInterval = time.Second
	privateBurst    = 3
	groupInterval   = time.Minute / 20
	groupBurst      = 20
)

// pace is a generic cell rate algorithm: one event per interval on average, up to burst
// events at once. Its zero tat lets the first burst through.
type pace struct {
	interval time.Duration
	burst    int
	tat      time.Time // theoretical arrival time of the next event
}

// wait returns how long until one more event conforms; 0 means now.
func (p *pace) wait(now time.Time) time.Duration {
	earliest := p.tat.Add(-p.interval * time.Duration(p.burst-1))
	return max(earliest.Sub(now), 0)
}

func (p *pace) take(now time.Time) {
	if p.tat.Before(now) {
		p.tat = now
	}
	p.tat = p.tat.Add(p.interval)
}

type rateLimits struct {
	on     bool
	global pace
	chats  map[int64]*pace
}

func newRateLimits(on bool) rateLimits {
	return rateLimits{
		on:     on,
		global: pace{interval: globalInterval, burst: globalBurst},
		chats:  map[int64]*pace{},
	}
}

// SetRateLimits switches Telegram's sending limits on or off. When on, a send over the
// pace answers 429 "Too Many Requests: retry after N" with parameters.retry_after N, the
// whole seconds (at least 1) until it would pass, by the server's clock.
func (s *Server) SetRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.on = on
}

// limitLocked counts one send to chat, or refuses it with 429 when over the pace.
func (s *Server) limitLocked(chat Chat) *APIError {
	l := &s.limits
	if !l.on {
		return nil
	}
	c := l.chats[chat.ID]
	if c == nil {
		c = &pace{interval: privateInterval, burst: privateBurst}
		if chat.Type != ChatPrivate {
			c = &pace{interval: groupInterval, burst: groupBurst}
		}
		l.chats[chat.ID] = c
	}
	now := s.now()
	if wait := max(l.global.wait(now), c.wait(now)); wait > 0 {
		return tooManyRequests(max(int((wait+time.Second-1)/time.Second), 1))
	}
	l.global.take(now)
	c.take(now)
	return nil
}
