package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/dangwu/dangwu/outbox"
)

// Errors of the scheduler's services. The bot maps each to a Chinese reply.
var (
	ErrNotFound       = errors.New("scheduler: not found")
	ErrOutOfScope     = errors.New("scheduler: outside the coordinator's district")
	ErrNotCoordinator = errors.New("scheduler: only coordinators and administrators may do this")
	ErrEventClosed    = errors.New("scheduler: the event is cancelled or has begun")
	ErrNotInAudience  = errors.New("scheduler: the event is not open to this person")
	ErrNotRegistered  = errors.New("scheduler: not signed up")
	ErrAlreadyIn      = errors.New("scheduler: already signed up")
	ErrNotApproved    = errors.New("scheduler: only approved workers may sign up")
	ErrNotRunning     = errors.New("scheduler: check-in is open only around the event")
	ErrBadCode        = errors.New("scheduler: no event has this check-in code")
	ErrCodeExpired    = errors.New("scheduler: the check-in code has expired")
	ErrOtherEvent     = errors.New("scheduler: the check-in code is another event's")
	ErrEmptyAudience  = errors.New("scheduler: the audience has nobody in it")
	ErrNoDistricts    = errors.New("scheduler: the audience names only districts outside the coordinator's")
	ErrNotSent        = errors.New("scheduler: the notice is not sent yet, or was stopped or withdrawn")
	ErrStillSending   = errors.New("scheduler: the notice is still being sent")
	ErrAlreadySent    = errors.New("scheduler: the notice has gone out")
	ErrNotRecipient   = errors.New("scheduler: the notice was not sent to this person")
	ErrBadPush        = errors.New("scheduler: unknown kind of push")
)

// Kinds of pushes a person can turn off (push_prefs), and the outbox kinds
// of the messages.
const (
	PushBroadcast = "broadcast" // coordinators' notices
	PushReminder  = "reminder"  // event reminders and changes
	PushSchedule  = "schedule"  // recurring notices
	PushDaily     = "daily"     // the daily quiz push
)

// PushKinds lists the kinds in the order /settings shows them.
var PushKinds = []string{PushBroadcast, PushReminder, PushSchedule, PushDaily}

// SignupStatus is where a person stands for an event.
type SignupStatus string

// The statuses of a sign-up.
const (
	Registered SignupStatus = "registered"
	Waiting    SignupStatus = "waiting"
)

// Signup is one person's sign-up.
type Signup struct {
	EventID int64
	UserID  int64
	Status  SignupStatus
	At      time.Time
	Seq     int64
}

// Standing is an event's sign-ups counted, and one person's among them.
type Standing struct {
	Registered, Waiting int
	Mine                SignupStatus // "" when not signed up
	Position            int          // on the waiting list, from 1; 0 when not waiting
}

// Attendance is one person's check-in (or a coordinator's mark).
type Attendance struct {
	EventID  int64
	UserID   int64
	At       time.Time
	Method   string // "code", "link" or "manual"
	Present  bool
	Hours    float64
	MarkedBy int64
	Reason   string
}

// Reminder is one reminder of an event, due before its start.
type Reminder struct {
	EventID int64
	Before  time.Duration
	Due     time.Time
}

// Worker is what the scheduler needs to know of a person.
type Worker struct {
	UserID   int64
	Name     string
	District string
	Approved bool
}

// Recipients is an audience resolved to people.
type Recipients struct {
	UserIDs []int64
	Skipped int // in the audience, but blocked the bot or turned this push off
}

// Store keeps the scheduler's records. store.Scheduler implements it; its
// calls join the transaction of the context (store.DB.Atomic).
type Store interface {
	Worker(ctx context.Context, userID int64) (Worker, error)
	// Reachable reports whether the bot may write to userID: a person it
	// knows (they wrote to it, and were not erased) who has not blocked it.
	Reachable(ctx context.Context, userID int64) (bool, error)
	// Resolve lists the approved workers in a, leaving out (and counting)
	// those who blocked the bot or turned push off.
	Resolve(ctx context.Context, a Audience, push string) (Recipients, error)
	PushOff(ctx context.Context, userID int64) (map[string]bool, error)
	SetPush(ctx context.Context, userID int64, push string, off bool) error

	PutVenue(ctx context.Context, v *Venue, by int64) error // insert (ID 0) or update
	Venue(ctx context.Context, id int64) (Venue, error)
	Venues(ctx context.Context, district string) ([]Venue, error) // district "" lists all
	DeleteVenue(ctx context.Context, id int64) error
	SetStation(ctx context.Context, userID, venueID int64) error // 0 clears
	Station(ctx context.Context, userID int64) (int64, error)

	CreateEvent(ctx context.Context, e *Event, secret []byte) error
	UpdateEvent(ctx context.Context, e Event) error
	Event(ctx context.Context, id int64) (Event, error)
	EventSecret(ctx context.Context, id int64) ([]byte, error)
	EventByKey(ctx context.Context, key string) (Event, error)
	// EventsOpenTo lists, soonest first, the open events ending after now
	// that are open to district ("" none) or that userID signed up for.
	EventsOpenTo(ctx context.Context, now time.Time, userID int64, district string, offset, limit int) ([]Event, error)
	// EventsOwnedBy lists, soonest first, the open events ending after
	// since owned by district ("" every district's and the city's).
	EventsOwnedBy(ctx context.Context, since time.Time, district string, offset, limit int) ([]Event, error)
	// RunningEvents lists open events whose check-in is open at now.
	RunningEvents(ctx context.Context, now time.Time, before, after time.Duration) ([]Event, error)
	// SyncContentEvents inserts or updates the content's events by key;
	// venues maps an event's key to its venue's content key.
	SyncContentEvents(ctx context.Context, events []Event, venues map[string]string, secret func() []byte) error

	Signup(ctx context.Context, eventID, userID int64) (Signup, error)
	PutSignup(ctx context.Context, s Signup) error
	DeleteSignup(ctx context.Context, eventID, userID int64) error
	// PruneSignups removes the sign-ups of people who are no longer
	// approved workers, and returns how many.
	PruneSignups(ctx context.Context, eventID int64) (int, error)
	// Signups lists an event's sign-ups, registered first, each in order.
	Signups(ctx context.Context, eventID int64) ([]Signup, error)
	CountSignups(ctx context.Context, eventID int64) (registered, waiting int, err error)
	// Standing counts an event's sign-ups and finds userID's (0: nobody's)
	// among them, without reading them all.
	Standing(ctx context.Context, eventID, userID int64) (Standing, error)
	UserSignups(ctx context.Context, userID int64, now time.Time) ([]Signup, error)

	PutReminders(ctx context.Context, eventID int64, rs []Reminder, now time.Time) error
	DropReminders(ctx context.Context, eventID int64) error
	DueReminders(ctx context.Context, now time.Time, limit int) ([]Reminder, error)
	// MarkReminder marks a pending reminder sent (or dropped); ErrNotFound
	// when it is not pending, so two ticks cannot both send it.
	MarkReminder(ctx context.Context, r Reminder, sent bool) error

	PutAttendance(ctx context.Context, a Attendance) error
	Attendance(ctx context.Context, eventID int64) ([]Attendance, error)

	CreateBroadcast(ctx context.Context, b *Broadcast) error
	UpdateBroadcast(ctx context.Context, b Broadcast) error
	Broadcast(ctx context.Context, id int64) (Broadcast, error)
	Broadcasts(ctx context.Context, district string, limit int) ([]Broadcast, error)
	DueBroadcasts(ctx context.Context, now time.Time, limit int) ([]Broadcast, error)
	// ScheduledBroadcastsBy lists the broadcasts userID made that are still
	// scheduled.
	ScheduledBroadcastsBy(ctx context.Context, userID int64) ([]Broadcast, error)
	Ack(ctx context.Context, broadcastID, userID int64, at time.Time) (bool, error)
	Acked(ctx context.Context, broadcastID int64) (map[int64]bool, error)
	// NotTakenBack lists the delivered copies of a broadcast and of its
	// reminders (refs broadcast:<id> and broadcast:<id>:remind) for which
	// no deletion or withdrawal edit is queued.
	NotTakenBack(ctx context.Context, broadcastID int64) ([]outbox.Message, error)
	// Received reports whether the broadcast was (perhaps) delivered to
	// userID: sent, in flight, or uncertain after a crash.
	Received(ctx context.Context, broadcastID, userID int64) (bool, error)
	// BroadcastCounts counts a broadcast's messages by status, and the
	// failed ones to people who blocked the bot.
	BroadcastCounts(ctx context.Context, broadcastID int64) (outbox.Counts, int, error)

	PutSchedule(ctx context.Context, s *Schedule) error
	Schedule(ctx context.Context, id int64) (Schedule, error)
	Schedules(ctx context.Context, district string) ([]Schedule, error)
	DeleteSchedule(ctx context.Context, id int64) error
	// SyncContentSchedules makes the content's schedules (those with a
	// key) exactly ss, matched by key: new ones count their runs from now,
	// and those no longer in ss are removed.
	SyncContentSchedules(ctx context.Context, ss []Schedule, now time.Time) error
	SyncContentVenues(ctx context.Context, vs []Venue) error
}

// Outbox is the queue the scheduler's messages go through (outbox.Store).
type Outbox interface {
	Enqueue(ctx context.Context, msgs []outbox.Message) error
	Cancel(ctx context.Context, ref string) (int, error)
	// CancelChat stops ref's pending messages to one chat.
	CancelChat(ctx context.Context, ref string, chatID int64) (int, error)
	Delivered(ctx context.Context, ref string) ([]outbox.Message, error)
	// RefCounts reports how many of ref's messages are in each status.
	RefCounts(ctx context.Context, ref string) (outbox.Counts, error)
}

// Messages renders what the scheduler sends: the bot implements it, so the
// words and buttons stay in its catalog. Each returns the text, markup
// and media of a message; the scheduler fills in the chat, kind and ref.
type Messages interface {
	Broadcast(b Broadcast) outbox.Message
	// BroadcastReminder asks someone who has not acknowledged b to do so.
	BroadcastReminder(b Broadcast) outbox.Message
	Reminder(e Event, before time.Duration, late bool) outbox.Message
	Promoted(e Event) outbox.Message
	Changed(e, old Event) outbox.Message
	Cancelled(e Event, reason string) outbox.Message
	Recurring(s Schedule) outbox.Message
	// Withdrawn replaces a copy of a withdrawn notice too old to delete.
	Withdrawn(b Broadcast) outbox.Message
	// Released tells whoever scheduled a broadcast that it went out: its
	// first status report.
	Released(b Broadcast) outbox.Message
	// Lapsed tells whoever scheduled b that it was cancelled, not sent,
	// because they may no longer send it (why).
	Lapsed(b Broadcast, why Lapse) outbox.Message
	// ScheduleLapsed tells whoever made a recurring notice that it was
	// paused because they may no longer send it (why).
	ScheduleLapsed(sc Schedule, why Lapse) outbox.Message
}
