package bot

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// Flood control. Each person has a token bucket (golang.org/x/time/rate)
// holding a minute's worth of updates — messages, button presses and
// inline queries to the bot, counted per person across all chats, so one
// busy group costs nobody else their share. Someone who empties it gets one
// polite notice and is then ignored for a while: their updates are dropped,
// and marked done like any handled update so a restart does not replay
// them. Afterwards all is as before. A person who floods again soon after is
// silenced again without a second notice, so a script cannot turn the bot
// into a notice machine.

// FloodLimits configure flood control.
type FloodLimits struct {
	// PerMinute is how many updates a minute a person may send (default 20);
	// as many may come at once.
	PerMinute int
	// StaffPerMinute is the same for coordinators and administrators, who
	// press through queues of approvals and answers (default 60).
	StaffPerMinute int
	// Silence is how long a person who went over is ignored (default 2 minutes).
	Silence time.Duration
	// Off switches flood control off (the console: one person at a
	// terminal, whose updates never reach Telegram).
	Off bool
}

// Defaults of FloodLimits.
const (
	DefaultFloodPerMinute      = 20
	DefaultFloodStaffPerMinute = 60
	DefaultFloodSilence        = 2 * time.Minute
)

const (
	// floodNoticeEvery is how long after a notice a person who floods again
	// is silenced without another one.
	floodNoticeEvery = 10 * time.Minute
	// floodSweepEvery is how often people idle long enough to be forgotten
	// are dropped from memory.
	floodSweepEvery = time.Minute
	// floodMaxTracked bounds the people held in memory (about 200 bytes
	// each): beyond it, someone is forgotten to make room, which costs them
	// at most a fresh bucket.
	floodMaxTracked = 100_000
	// An inline query costs half an update: Telegram sends one as the
	// person types.
	floodMessageCost = 2
	floodInlineCost  = 1
)

// floodVerdict is what flood control makes of one update.
type floodVerdict int

const (
	floodPass   floodVerdict = iota // handle it
	floodNotify                     // drop it and tell the person, once
	floodDrop                       // drop it quietly
)

// floodGate holds the buckets of the people who wrote recently.
type floodGate struct {
	limits FloodLimits
	max    int // people held at most

	mu        sync.Mutex
	people    map[int64]*floodState
	lastSweep time.Time
}

// floodState is one person's standing.
type floodState struct {
	bucket    *rate.Limiter
	perMinute int
	seen      time.Time // their latest update
	quiet     time.Time // ignored until then
	notice    time.Time // when they were last told; zero if never
}

func newFloodGate(l FloodLimits) *floodGate {
	if l.PerMinute <= 0 {
		l.PerMinute = DefaultFloodPerMinute
	}
	if l.StaffPerMinute <= 0 {
		l.StaffPerMinute = DefaultFloodStaffPerMinute
	}
	if l.Silence <= 0 {
		l.Silence = DefaultFloodSilence
	}
	return &floodGate{limits: l, max: floodMaxTracked, people: make(map[int64]*floodState)}
}

// idleAfter is how long after their last update a person's state is the
// same as a stranger's: their bucket full, their silence and the notice
// window over.
func (g *floodGate) idleAfter() time.Duration {
	return max(time.Minute, g.limits.Silence, floodNoticeEvery)
}

// known reports whether userID has a bucket.
func (g *floodGate) known(userID int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.people[userID]
	return ok
}

// check counts an update of cost from userID at time at, and says what to
// do with it and the person's limit a minute. staff says whether they have
// the higher limit (a database read, not made under the lock): it is asked
// for someone without a bucket, and for someone whose ordinary bucket is
// empty, who may have become a coordinator since.
func (g *floodGate) check(userID int64, cost int, at time.Time, staff func() bool) (floodVerdict, int) {
	v, perMinute := g.take(userID, cost, at, nil)
	if v == floodAsk {
		isStaff := staff()
		v, perMinute = g.take(userID, cost, at, &isStaff)
	}
	return v, perMinute
}

// floodAsk is take's answer when it needs to know whether the person is staff.
const floodAsk floodVerdict = -1

// take is check with the person's standing known (isStaff) or not (nil).
func (g *floodGate) take(userID int64, cost int, at time.Time, isStaff *bool) (floodVerdict, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweepLocked(at)
	s, ok := g.people[userID]
	if !ok {
		if isStaff == nil {
			return floodAsk, 0
		}
		g.makeRoomLocked()
		s = &floodState{}
		g.people[userID] = s
		g.fill(s, *isStaff, at, 0)
	}
	if at.After(s.seen) {
		s.seen = at
	}
	switch {
	case at.Before(s.quiet):
		return floodDrop, s.perMinute
	case s.bucket.AllowN(at, cost):
		return floodPass, s.perMinute
	case s.perMinute < g.limits.StaffPerMinute && isStaff == nil:
		return floodAsk, 0
	case s.perMinute < g.limits.StaffPerMinute && *isStaff:
		// Made a coordinator since: the higher limit, less what was used.
		g.fill(s, true, at, float64(s.bucket.Burst())-s.bucket.TokensAt(at))
		if s.bucket.AllowN(at, cost) {
			return floodPass, s.perMinute
		}
	}
	s.quiet = at.Add(g.limits.Silence)
	if !s.notice.IsZero() && at.Sub(s.notice) < floodNoticeEvery {
		return floodDrop, s.perMinute
	}
	s.notice = at
	return floodNotify, s.perMinute
}

// fill gives s a bucket of its limit, full but for used.
func (g *floodGate) fill(s *floodState, staff bool, at time.Time, used float64) {
	s.perMinute = g.limits.PerMinute
	if staff {
		s.perMinute = g.limits.StaffPerMinute
	}
	burst := s.perMinute * floodMessageCost
	s.bucket = rate.NewLimiter(rate.Limit(float64(burst)/60), burst)
	if n := min(int(math.Ceil(used)), burst); n > 0 {
		s.bucket.AllowN(at, n)
	}
}

// sweepLocked forgets the people idle long enough, at most once a sweep period.
func (g *floodGate) sweepLocked(now time.Time) {
	if now.Sub(g.lastSweep) < floodSweepEvery {
		return
	}
	g.lastSweep = now
	idle := g.idleAfter()
	for id, s := range g.people {
		if now.Sub(s.seen) > idle {
			delete(g.people, id)
		}
	}
}

// makeRoomLocked forgets someone when the gate holds as many as it may.
func (g *floodGate) makeRoomLocked() {
	for id := range g.people {
		if len(g.people) < g.max {
			return
		}
		delete(g.people, id)
	}
}

// tracked is how many people the gate holds.
func (g *floodGate) tracked() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.people)
}

// flooded reports whether u is to be dropped because its sender is sending
// too fast; the first update over the limit also tells them so. A dropped
// update counts as handled (the dispatcher marks it done).
func (b *Bot) flooded(ctx context.Context, u *models.Update) bool {
	if b.flood == nil {
		return false
	}
	from, cost, at := b.floodSender(u)
	if from == nil {
		return false
	}
	verdict, perMinute := b.flood.check(from.ID, cost, at, func() bool {
		if b.admins[from.ID] {
			return true
		}
		role, err := b.members.Role(ctx, from.ID)
		return err == nil && role >= RoleCoordinator
	})
	switch verdict {
	case floodPass:
		return false
	case floodNotify:
		b.log.Warn("flood: ignoring a person for a while", "user_id", from.ID, "silence", b.flood.limits.Silence)
		b.floodNotice(ctx, u, from, perMinute)
	}
	return true
}

// floodSender is who sent u, what it costs and when it was sent, for the
// updates flood control counts: messages to the bot (in a group only
// commands and those addressed to it: chatter among people costs nothing),
// button presses and inline queries. A message's time is its date, when the
// person sent it, so a backlog delivered at once after downtime is not
// mistaken for a flood.
func (b *Bot) floodSender(u *models.Update) (*models.User, int, time.Time) {
	now := b.now()
	switch {
	case u.Message != nil && u.Message.From != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate && !strings.HasPrefix(m.Text, "/") && !b.addressed(m) {
			return nil, 0, now
		}
		at := now
		if m.Date > 0 {
			at = time.Unix(int64(m.Date), 0)
		}
		return m.From, floodMessageCost, at
	case u.CallbackQuery != nil:
		return &u.CallbackQuery.From, floodMessageCost, now
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		return u.InlineQuery.From, floodInlineCost, now
	}
	return nil, 0, now
}

// floodNotice tells a person, where they are, that they are ignored for a
// while: in the chat they wrote in (naming them in a group), on the button
// they pressed, or in their private chat for an inline query.
func (b *Bot) floodNotice(ctx context.Context, u *models.Update, from *models.User, perMinute int) {
	minutes := max(int(b.flood.limits.Silence.Round(time.Minute)/time.Minute), 1)
	text := t("flood.notice", perMinute, minutes)
	var err error
	switch {
	case u.Message != nil && u.Message.Chat.Type != models.ChatTypePrivate:
		_, err = b.out.send(ctx, u.Message.Chat.ID, message{text: t("flood.notice_group", esc(displayName(from)), perMinute, minutes)})
	case u.Message != nil:
		_, err = b.out.send(ctx, u.Message.Chat.ID, message{text: text})
	case u.CallbackQuery != nil:
		b.out.answer(ctx, u.CallbackQuery.ID, text, true)
	case u.InlineQuery != nil:
		_, err = b.out.send(ctx, from.ID, message{text: text}) // fails harmlessly if they never opened the bot
	}
	if err != nil {
		b.log.Info("flood notice not sent", "user_id", from.ID, "err", err)
	}
}
