package scheduler

import "time"

// EventKind is what an event is.
type EventKind string

// The kinds of events.
const (
	Course   EventKind = "course"   // 培训班
	Forum    EventKind = "forum"    // 先锋论坛
	Rotation EventKind = "rotation" // 轮训班
	Trip     EventKind = "trip"     // 学习考察
)

// EventKinds lists the kinds in the order menus show them.
var EventKinds = []EventKind{Course, Forum, Rotation, Trip}

// Valid reports whether k is one of EventKinds.
func (k EventKind) Valid() bool {
	for _, e := range EventKinds {
		if k == e {
			return true
		}
	}
	return false
}

// EventState is an event's life.
type EventState string

// The states of an event.
const (
	Open      EventState = "open"
	Cancelled EventState = "cancelled"
)

// Event is a course, forum, rotation class or study trip.
type Event struct {
	ID          int64
	Key         string // the id in content/events.yaml; empty for one created in chat
	Kind        EventKind
	Title       string
	Description string
	Start, End  time.Time
	VenueID     int64  // 0 when the event is at Place
	VenueName   string // the venue's name, read with the event
	Place       string // free text when there is no venue
	District    string // the district that owns it; "" for the city
	Audience    Audience
	Capacity    int     // 0: no limit
	Hours       float64 // 学时 credited to those who attend
	State       EventState
	CreatedBy   int64
	Created     time.Time
	Line        int // its line in content/events.yaml
}

// Limits on an event.
const (
	MaxTitleRunes       = 60
	MaxDescriptionRunes = 1000
	MaxPlaceRunes       = 100
	MaxCapacity         = 100000
	MaxHours            = 200
	MaxEventLength      = 31 * 24 * time.Hour
)
