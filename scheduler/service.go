package scheduler

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
)

// DefaultReminders are the offsets before an event at which registrants
// are reminded.
var DefaultReminders = []time.Duration{24 * time.Hour, time.Hour}

// Defaults of the service.
const (
	// LateAfter is how overdue a reminder is before it says it is late
	// (it fell due while the bot was down).
	LateAfter = 10 * time.Minute
	// UrgentBefore: reminders this close to an event are sent in quiet
	// hours too; earlier ones wait for the morning.
	UrgentBefore = 2 * time.Hour
	// CheckInOpens and CheckInCloses bound check-in around an event.
	CheckInOpens  = 30 * time.Minute
	CheckInCloses = 30 * time.Minute
)

// Options configure a Service.
type Options struct {
	// Atomic runs fn in one transaction that the store and outbox calls made
	// with its context join (store.DB.Atomic). Required.
	Atomic   func(ctx context.Context, fn func(ctx context.Context) error) error
	Outbox   Outbox   // required
	Messages Messages // required
	// Access is a person's role and scope as they are now
	// (member.Service.Access), joining the transaction of its context.
	// What a coordinator leaves to go later — a scheduled broadcast, a
	// recurring notice made in chat — asks it for its author when it goes
	// out, and does not go out when they may no longer send it. Required.
	Access    func(ctx context.Context, userID int64) (member.Access, error)
	Districts member.Districts
	Location  *time.Location // DANGWU_TZ; default Asia/Shanghai
	Now       func() time.Time
	// Reminders are the offsets before an event (default DefaultReminders).
	Reminders []time.Duration
	// Behind keeps, of userIDs, those behind on the year's 学时 (the
	// records know the targets); nil refuses such an audience.
	Behind func(ctx context.Context, userIDs []int64) ([]int64, error)
}

// Service runs events, venues, broadcasts and recurring notices.
type Service struct {
	store     Store
	outbox    Outbox
	msgs      Messages
	atomic    func(ctx context.Context, fn func(ctx context.Context) error) error
	access    func(ctx context.Context, userID int64) (member.Access, error)
	districts member.Districts
	loc       *time.Location
	now       func() time.Time
	reminders []time.Duration
	behind    func(ctx context.Context, userIDs []int64) ([]int64, error)
}

// NewService returns a service over st.
func NewService(st Store, o Options) (*Service, error) {
	if st == nil || o.Atomic == nil || o.Outbox == nil || o.Messages == nil || o.Access == nil {
		return nil, errors.New("scheduler: a store, transactions, an outbox, messages and people's access are required")
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, err
		}
		o.Location = loc
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.Reminders) == 0 {
		o.Reminders = DefaultReminders
	}
	return &Service{store: st, outbox: o.Outbox, msgs: o.Messages, atomic: o.Atomic, access: o.Access, districts: o.Districts,
		loc: o.Location, now: o.Now, reminders: slices.Clone(o.Reminders), behind: o.Behind}, nil
}

// Location is where the service's days and times are.
func (s *Service) Location() *time.Location { return s.loc }

// Districts are the districts audiences may name.
func (s *Service) Districts() member.Districts { return s.districts }

func (s *Service) clock() time.Time { return s.now().Truncate(time.Second) }

// scope checks that a may organise things and returns the district they
// act in ("" for the whole city).
func scope(a member.Access) (string, error) {
	switch a.Role {
	case member.RoleAdmin:
		return "", nil
	case member.RoleCoordinator:
		return a.District, nil
	}
	return "", ErrNotCoordinator
}

// covers reports whether the actor's district may act on something owned
// by district.
func covers(actorDistrict, district string) bool {
	return actorDistrict == "" || actorDistrict == district
}

func eventRef(id int64) string     { return "event:" + strconv.FormatInt(id, 10) }
func reminderRef(id int64) string  { return eventRef(id) + ":reminder" }
func broadcastRef(id int64) string { return "broadcast:" + strconv.FormatInt(id, 10) }
func scheduleRef(id int64) string  { return "schedule:" + strconv.FormatInt(id, 10) }

// send queues m for each person in userIDs.
func (s *Service) send(ctx context.Context, userIDs []int64, m outbox.Message, kind, ref string, quiet, repeatable bool) error {
	if len(userIDs) == 0 {
		return nil
	}
	msgs := make([]outbox.Message, 0, len(userIDs))
	now := s.now()
	for _, id := range userIDs {
		if id == 0 {
			continue
		}
		c := m
		c.ChatID, c.Kind, c.Ref, c.Quiet, c.Repeatable, c.NotBefore = id, kind, ref, quiet, repeatable, now
		msgs = append(msgs, c)
	}
	return s.outbox.Enqueue(ctx, msgs)
}

// ---- Venues ----

// Venues lists the venues a coordinator of district sees: their
// district's and the city's; all of them for a city-wide one.
func (s *Service) Venues(ctx context.Context, district string) ([]Venue, error) {
	return s.store.Venues(ctx, district)
}

// Venue returns one venue.
func (s *Service) Venue(ctx context.Context, id int64) (Venue, error) { return s.store.Venue(ctx, id) }

// SaveVenue adds a venue (ID 0) or changes one, within the actor's scope:
// a district coordinator's venues are their district's.
func (s *Service) SaveVenue(ctx context.Context, actor member.Access, v Venue) (Venue, error) {
	district, err := scope(actor)
	if err != nil {
		return Venue{}, err
	}
	if district != "" {
		if v.District != "" && v.District != district {
			return Venue{}, ErrOutOfScope
		}
		v.District = district
	}
	if err := v.Validate(s.districts); err != nil {
		return Venue{}, err
	}
	err = s.atomic(ctx, func(ctx context.Context) error {
		if v.ID != 0 {
			old, err := s.store.Venue(ctx, v.ID)
			if err != nil {
				return err
			}
			if !covers(district, old.District) {
				return ErrOutOfScope
			}
			v.Key = old.Key
		}
		return s.store.PutVenue(ctx, &v, actor.UserID)
	})
	return v, err
}

// DeleteVenue removes a venue within the actor's scope; events held there
// keep their other details.
func (s *Service) DeleteVenue(ctx context.Context, actor member.Access, id int64) error {
	district, err := scope(actor)
	if err != nil {
		return err
	}
	return s.atomic(ctx, func(ctx context.Context) error {
		v, err := s.store.Venue(ctx, id)
		if err != nil {
			return err
		}
		if !covers(district, v.District) {
			return ErrOutOfScope
		}
		return s.store.DeleteVenue(ctx, id)
	})
}

// SetStation records the venue a worker is stationed at (0 clears it). The
// venue must be their district's or the city's.
func (s *Service) SetStation(ctx context.Context, userID, venueID int64) error {
	return s.atomic(ctx, func(ctx context.Context) error {
		if venueID != 0 {
			w, err := s.store.Worker(ctx, userID)
			if err != nil {
				return err
			}
			v, err := s.store.Venue(ctx, venueID)
			if err != nil {
				return err
			}
			if v.District != "" && v.District != w.District {
				return ErrOutOfScope
			}
		}
		return s.store.SetStation(ctx, userID, venueID)
	})
}

// Station returns the venue a worker is stationed at (ErrNotFound: none).
func (s *Service) Station(ctx context.Context, userID int64) (Venue, error) {
	id, err := s.store.Station(ctx, userID)
	if err != nil {
		return Venue{}, err
	}
	return s.store.Venue(ctx, id)
}

// ---- Events ----

// Event returns one event.
func (s *Service) Event(ctx context.Context, id int64) (Event, error) { return s.store.Event(ctx, id) }

// prepare checks an event an actor creates or edits and narrows its
// audience to their district.
func (s *Service) prepare(ctx context.Context, actor member.Access, e *Event) error {
	district, err := scope(actor)
	if err != nil {
		return err
	}
	if district != "" {
		if e.District != "" && e.District != district {
			return ErrOutOfScope
		}
		e.District = district
	}
	a, ok := e.Audience.Normalize().Within(e.District)
	if !ok {
		return ErrNoDistricts
	}
	for _, d := range a.Districts {
		if !s.districts.Has(d) {
			return fmt.Errorf("%w: %s", ErrUnknownDistrict, d)
		}
	}
	e.Audience = a
	if err := e.Validate(s.clock()); err != nil {
		return err
	}
	if e.VenueID != 0 {
		v, err := s.store.Venue(ctx, e.VenueID)
		if err != nil {
			return fmt.Errorf("%w: %d", ErrUnknownVenue, e.VenueID)
		}
		if v.District != "" && v.District != e.District && e.District != "" {
			return ErrOutOfScope
		}
	}
	return nil
}

// reminderRows are the reminders of an event at the service's offsets.
func (s *Service) reminderRows(e Event) []Reminder {
	var rs []Reminder
	for _, d := range s.reminders {
		rs = append(rs, Reminder{EventID: e.ID, Before: d, Due: e.Start.Add(-d)})
	}
	return rs
}

// CreateEvent stores a new event with its reminders.
func (s *Service) CreateEvent(ctx context.Context, actor member.Access, e Event) (Event, error) {
	e.State, e.CreatedBy, e.Created, e.Key = Open, actor.UserID, s.clock(), ""
	err := s.atomic(ctx, func(ctx context.Context) error {
		if err := s.prepare(ctx, actor, &e); err != nil {
			return err
		}
		if err := s.store.CreateEvent(ctx, &e, newSecret()); err != nil {
			return err
		}
		return s.store.PutReminders(ctx, e.ID, s.reminderRows(e), s.clock())
	})
	return e, err
}

// UpdateEvent changes an event that has not begun. Its reminders move with
// its start (those whose new time is still ahead are due again), and the
// people signed up are told what changed.
func (s *Service) UpdateEvent(ctx context.Context, actor member.Access, e Event) (Event, error) {
	err := s.atomic(ctx, func(ctx context.Context) error {
		old, err := s.store.Event(ctx, e.ID)
		if err != nil {
			return err
		}
		district, err := scope(actor)
		if err != nil {
			return err
		}
		if !covers(district, old.District) {
			return ErrOutOfScope
		}
		if old.State != Open || !s.clock().Before(old.Start) {
			return ErrEventClosed
		}
		e.Key, e.State, e.CreatedBy, e.Created = old.Key, old.State, old.CreatedBy, old.Created
		if e.District == "" {
			e.District = old.District
		}
		if err := s.prepare(ctx, actor, &e); err != nil {
			return err
		}
		if err := s.store.UpdateEvent(ctx, e); err != nil {
			return err
		}
		if !e.Start.Equal(old.Start) {
			if err := s.store.PutReminders(ctx, e.ID, s.reminderRows(e), s.clock()); err != nil {
				return err
			}
			// A reminder already queued (held by the quiet hours) has
			// the old time: it goes, and the moved ones come in their turn.
			if _, err := s.outbox.Cancel(ctx, reminderRef(e.ID)); err != nil {
				return err
			}
		}
		if e.Capacity == 0 || e.Capacity > old.Capacity {
			if err := s.promote(ctx, e); err != nil {
				return err
			}
		}
		signups, err := s.store.Signups(ctx, e.ID)
		if err != nil {
			return err
		}
		return s.send(ctx, signupUsers(signups, ""), s.msgs.Changed(e, old), PushReminder, eventRef(e.ID), false, true)
	})
	return e, err
}

// CancelEvent cancels an event; everyone signed up or waiting is told, and
// its reminders are dropped.
func (s *Service) CancelEvent(ctx context.Context, actor member.Access, id int64, reason string) (Event, error) {
	var e Event
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.store.Event(ctx, id); err != nil {
			return err
		}
		district, err := scope(actor)
		if err != nil {
			return err
		}
		if !covers(district, e.District) {
			return ErrOutOfScope
		}
		if e.State != Open || !s.clock().Before(e.End) {
			return ErrEventClosed
		}
		e.State = Cancelled
		if err := s.store.UpdateEvent(ctx, e); err != nil {
			return err
		}
		if err := s.store.DropReminders(ctx, id); err != nil {
			return err
		}
		// What was queued about it and is not sent yet (a reminder held by
		// the quiet hours, a move up) would now mislead.
		if _, err := s.outbox.Cancel(ctx, reminderRef(id)); err != nil {
			return err
		}
		if _, err := s.outbox.Cancel(ctx, eventRef(id)); err != nil {
			return err
		}
		signups, err := s.store.Signups(ctx, id)
		if err != nil {
			return err
		}
		return s.send(ctx, signupUsers(signups, ""), s.msgs.Cancelled(e, reason), PushReminder, eventRef(id), false, true)
	})
	return e, err
}

func signupUsers(ss []Signup, status SignupStatus) []int64 {
	var out []int64
	for _, su := range ss {
		if status == "" || su.Status == status {
			out = append(out, su.UserID)
		}
	}
	return out
}

// openTo reports whether w may sign up for e. An event a district owns is
// for that district's workers even when its audience is empty (a content
// event that names no districts): the empty audience is everyone in the
// owner's scope.
func openTo(e Event, w Worker) bool {
	a, ok := e.Audience.Within(e.District)
	if !ok {
		return false
	}
	return len(a.Districts) == 0 || slices.Contains(a.Districts, w.District)
}

// EventView is an event as one person sees it.
type EventView struct {
	Event      Event
	Venue      Venue // zero when the event is at a place
	Registered int
	Waiting    int
	Mine       SignupStatus // "" when not signed up
	Position   int          // on the waiting list, from 1
}

// Full reports whether every place is taken.
func (v EventView) Full() bool { return v.Event.Capacity > 0 && v.Registered >= v.Event.Capacity }

// View returns e as userID sees it.
func (s *Service) View(ctx context.Context, userID, eventID int64) (EventView, error) {
	e, err := s.store.Event(ctx, eventID)
	if err != nil {
		return EventView{}, err
	}
	return s.view(ctx, userID, e)
}

func (s *Service) view(ctx context.Context, userID int64, e Event) (EventView, error) {
	v := EventView{Event: e}
	if e.VenueID != 0 {
		if venue, err := s.store.Venue(ctx, e.VenueID); err == nil {
			v.Venue = venue
		}
	}
	st, err := s.store.Standing(ctx, e.ID, userID)
	if err != nil {
		return EventView{}, err
	}
	v.Registered, v.Waiting, v.Mine, v.Position = st.Registered, st.Waiting, st.Mine, st.Position
	return v, nil
}

// Upcoming lists the open events not yet over that userID may sign up
// for (or has), soonest first.
func (s *Service) Upcoming(ctx context.Context, userID int64, limit int) ([]EventView, error) {
	return s.UpcomingFrom(ctx, userID, 0, limit)
}

// UpcomingFrom is a page of Upcoming: limit events from offset.
func (s *Service) UpcomingFrom(ctx context.Context, userID int64, offset, limit int) ([]EventView, error) {
	w, err := s.store.Worker(ctx, userID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	district := w.District
	if !w.Approved {
		district = "" // only what they signed up for
	}
	events, err := s.store.EventsOpenTo(ctx, s.clock(), userID, district, offset, limit)
	if err != nil {
		return nil, err
	}
	var out []EventView
	for _, e := range events {
		v, err := s.view(ctx, userID, e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Mine lists the events userID signed up for that are not over.
func (s *Service) Mine(ctx context.Context, userID int64) ([]EventView, error) {
	signups, err := s.store.UserSignups(ctx, userID, s.clock())
	if err != nil {
		return nil, err
	}
	var out []EventView
	for _, su := range signups {
		v, err := s.View(ctx, userID, su.EventID)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// ManagedEvents lists the events not yet over that a coordinator of
// district manages.
func (s *Service) ManagedEvents(ctx context.Context, actor member.Access, limit int) ([]EventView, error) {
	return s.ManagedFrom(ctx, actor, 0, limit)
}

// ManagedFrom is a page of ManagedEvents: limit events from offset.
func (s *Service) ManagedFrom(ctx context.Context, actor member.Access, offset, limit int) ([]EventView, error) {
	district, err := scope(actor)
	if err != nil {
		return nil, err
	}
	events, err := s.store.EventsOwnedBy(ctx, s.clock().Add(-24*time.Hour), district, offset, limit)
	if err != nil {
		return nil, err
	}
	var out []EventView
	for _, e := range events {
		v, err := s.view(ctx, 0, e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// OpenTo reports whether userID may see event e: it is open to their
// district, or they signed up for it.
func (s *Service) OpenTo(ctx context.Context, userID int64, e Event) (bool, error) {
	if _, err := s.store.Signup(ctx, e.ID, userID); err == nil {
		return true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	w, err := s.store.Worker(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return w.Approved && openTo(e, w), nil
}

// SignUp registers userID for an event, or puts them on its waiting list
// when it is full. It returns their view of the event.
func (s *Service) SignUp(ctx context.Context, userID, eventID int64) (EventView, error) {
	var v EventView
	err := s.atomic(ctx, func(ctx context.Context) error {
		e, err := s.store.Event(ctx, eventID)
		if err != nil {
			return err
		}
		if e.State != Open || !s.clock().Before(e.Start) {
			return ErrEventClosed
		}
		w, err := s.store.Worker(ctx, userID)
		switch {
		case errors.Is(err, ErrNotFound):
			return ErrNotApproved
		case err != nil:
			return err
		case !w.Approved:
			return ErrNotApproved
		case !openTo(e, w):
			return ErrNotInAudience
		}
		if _, err := s.store.Signup(ctx, eventID, userID); err == nil {
			return ErrAlreadyIn
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		registered, _, err := s.store.CountSignups(ctx, eventID)
		if err != nil {
			return err
		}
		status := Registered
		if e.Capacity > 0 && registered >= e.Capacity {
			status = Waiting
		}
		if err := s.store.PutSignup(ctx, Signup{EventID: eventID, UserID: userID, Status: status, At: s.clock()}); err != nil {
			return err
		}
		v, err = s.view(ctx, userID, e)
		return err
	})
	return v, err
}

// Withdraw takes userID off an event; when that frees a place, the first
// person waiting moves up and is told, in the same transaction.
func (s *Service) Withdraw(ctx context.Context, userID, eventID int64) (EventView, error) {
	var v EventView
	err := s.atomic(ctx, func(ctx context.Context) error {
		e, err := s.store.Event(ctx, eventID)
		if err != nil {
			return err
		}
		if e.State != Open || !s.clock().Before(e.Start) {
			return ErrEventClosed
		}
		if _, err := s.store.Signup(ctx, eventID, userID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return ErrNotRegistered
			}
			return err
		}
		if err := s.store.DeleteSignup(ctx, eventID, userID); err != nil {
			return err
		}
		// A reminder already queued for them (held by the quiet hours) goes too.
		if _, err := s.outbox.CancelChat(ctx, reminderRef(eventID), userID); err != nil {
			return err
		}
		if err := s.promote(ctx, e); err != nil {
			return err
		}
		v, err = s.view(ctx, userID, e)
		return err
	})
	return v, err
}

// promote moves people up from the waiting list while places are free,
// telling each.
func (s *Service) promote(ctx context.Context, e Event) error {
	signups, err := s.store.Signups(ctx, e.ID)
	if err != nil {
		return err
	}
	registered := len(signupUsers(signups, Registered))
	var moved []int64
	for _, su := range signups {
		if su.Status != Waiting || (e.Capacity > 0 && registered >= e.Capacity) {
			continue
		}
		su.Status = Registered
		if err := s.store.PutSignup(ctx, su); err != nil {
			return err
		}
		registered++
		moved = append(moved, su.UserID)
	}
	return s.send(ctx, moved, s.msgs.Promoted(e), PushReminder, eventRef(e.ID), false, true)
}

// Roster is an event's sign-ups and attendance, for the 签到表.
type Roster struct {
	Event      Event
	Signups    []Signup
	Attendance []Attendance
	Workers    map[int64]Worker
}

// EventRoster returns an event's roster to a coordinator in scope.
func (s *Service) EventRoster(ctx context.Context, actor member.Access, eventID int64) (Roster, error) {
	district, err := scope(actor)
	if err != nil {
		return Roster{}, err
	}
	e, err := s.store.Event(ctx, eventID)
	if err != nil {
		return Roster{}, err
	}
	if !covers(district, e.District) {
		return Roster{}, ErrOutOfScope
	}
	r := Roster{Event: e, Workers: map[int64]Worker{}}
	if r.Signups, err = s.store.Signups(ctx, eventID); err != nil {
		return Roster{}, err
	}
	if r.Attendance, err = s.store.Attendance(ctx, eventID); err != nil {
		return Roster{}, err
	}
	for _, id := range append(signupUsers(r.Signups, ""), attendees(r.Attendance)...) {
		if _, ok := r.Workers[id]; ok {
			continue
		}
		w, err := s.store.Worker(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Roster{}, err
		}
		r.Workers[id] = w
	}
	return r, nil
}

func attendees(as []Attendance) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.UserID
	}
	return out
}

// ---- Reminders ----

// SendReminders queues the reminders that are due: to the people
// registered, marked late when they fell due more than LateAfter ago (the
// bot was down), and dropped when their event has begun or when a later
// reminder of the event is due too (after a restart one reminder goes out,
// not one per offset missed). Each reminder and its messages commit
// together; one that fails is left pending for the next call and the
// others go on. It returns how many it sent.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	type key struct {
		event  int64
		before time.Duration
	}
	n := 0
	var errs []error
	failed := map[key]bool{}
	for {
		due, err := s.store.DueReminders(ctx, s.clock(), 50+len(failed))
		if err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		progress := false
		for _, r := range due {
			k := key{r.EventID, r.Before}
			if failed[k] {
				continue
			}
			progress = true
			sent, err := s.remind(ctx, r)
			if err != nil {
				failed[k] = true
				errs = append(errs, fmt.Errorf("reminder %s before event %d: %w", r.Before, r.EventID, err))
				continue
			}
			if sent {
				n++
			}
		}
		if !progress {
			return n, errors.Join(errs...)
		}
	}
}

// remind sends one due reminder, or drops it, and reports whether it sent.
func (s *Service) remind(ctx context.Context, r Reminder) (bool, error) {
	sent := false
	err := s.atomic(ctx, func(ctx context.Context) error {
		e, err := s.store.Event(ctx, r.EventID)
		if err != nil {
			return err
		}
		now := s.clock()
		send := e.State == Open && now.Before(e.Start) && !s.superseded(e, r, now)
		// Marking first claims the reminder: a tick that read it as due
		// at the same time as another finds it taken and sends nothing.
		switch err := s.store.MarkReminder(ctx, r, send); {
		case errors.Is(err, ErrNotFound):
			return nil
		case err != nil:
			return err
		}
		if !send {
			return nil
		}
		// People who are no longer approved workers (they left) give up
		// their places: the waiting list moves up before the reminder.
		pruned, err := s.store.PruneSignups(ctx, e.ID)
		if err != nil {
			return err
		}
		if pruned > 0 {
			if err := s.promote(ctx, e); err != nil {
				return err
			}
		}
		signups, err := s.store.Signups(ctx, e.ID)
		if err != nil {
			return err
		}
		late := now.Sub(r.Due) > LateAfter
		before := r.Before
		// Quiet hours hold a reminder unless the event is close; a late
		// one is not held (it could arrive after the start), and says how
		// long there really is.
		quiet := e.Start.Sub(now) > UrgentBefore && !late
		if late {
			before = e.Start.Sub(now).Truncate(time.Minute)
		}
		to, err := s.pushOnAmong(ctx, signupUsers(signups, Registered), PushReminder)
		if err != nil {
			return err
		}
		if err := s.send(ctx, to, s.msgs.Reminder(e, before, late), PushReminder, reminderRef(e.ID), quiet, true); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent && err == nil, err
}

// superseded reports whether a reminder closer to e's start than r is due
// at now as well, so r would only repeat it.
func (s *Service) superseded(e Event, r Reminder, now time.Time) bool {
	for _, d := range s.reminders {
		if d > 0 && d < r.Before && !e.Start.Add(-d).After(now) {
			return true
		}
	}
	return false
}

// pushOnAmong keeps the people of ids who have not turned push off.
func (s *Service) pushOnAmong(ctx context.Context, ids []int64, push string) ([]int64, error) {
	var out []int64
	for _, id := range ids {
		off, err := s.store.PushOff(ctx, id)
		if err != nil {
			return nil, err
		}
		if !off[push] {
			out = append(out, id)
		}
	}
	return out, nil
}

// ---- Pushes ----

// PushOff reports which pushes userID turned off.
func (s *Service) PushOff(ctx context.Context, userID int64) (map[string]bool, error) {
	return s.store.PushOff(ctx, userID)
}

// SetPush turns one kind of push on or off for userID.
func (s *Service) SetPush(ctx context.Context, userID int64, push string, off bool) error {
	if !slices.Contains(PushKinds, push) {
		return ErrBadPush
	}
	return s.store.SetPush(ctx, userID, push, off)
}

func newSecret() []byte {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}
