package scheduler

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ICSAlarm is how long before an event the calendar entry WriteICS writes
// reminds of it.
const ICSAlarm = time.Hour

// ICSName is the name of the file WriteICS writes for e.
func ICSName(e Event) string {
	return fmt.Sprintf("event-%d.ics", e.ID)
}

// icsUID is e's UID, the same in every file written for it, so that a
// calendar updates (or, once cancelled, removes) the entry it holds.
func icsUID(e Event) string {
	return fmt.Sprintf("event-%d@dangwu", e.ID)
}

// WriteICS writes e as an iCalendar (RFC 5545) file with one VEVENT: its
// times in UTC, its title, place and description, and a reminder ICSAlarm
// before it starts. A cancelled event is written with METHOD:CANCEL and
// STATUS:CANCELLED, and no reminder, so that a calendar that imported it
// removes it. loc, when not nil, is named as the calendar's time zone
// (X-WR-TIMEZONE); prodID is the PRODID, "-//dangwu//dangwu//ZH" when
// empty.
func WriteICS(w io.Writer, e Event, loc *time.Location, prodID string) error {
	if prodID == "" {
		prodID = "-//dangwu//dangwu//ZH"
	}
	now := time.Now()
	cal := ics.NewCalendar()
	cal.SetProductId(prodID)
	cal.SetCalscale("GREGORIAN")
	cancelled := e.State == Cancelled
	if cancelled {
		cal.SetMethod(ics.MethodCancel)
	} else {
		cal.SetMethod(ics.MethodPublish)
	}
	if loc != nil {
		cal.SetXWRTimezone(loc.String())
	}

	ev := cal.AddEvent(icsUID(e))
	ev.SetDtStampTime(now)
	if !e.Created.IsZero() {
		ev.SetCreatedTime(e.Created)
	}
	ev.SetSequence(icsSequence(e, now))
	ev.SetStartAt(e.Start)
	ev.SetEndAt(e.End)
	ev.SetSummary(icsText(e.Title))
	if place := eventPlace(e); place != "" {
		ev.SetLocation(icsText(place))
	}
	if e.Description != "" {
		ev.SetDescription(icsText(e.Description))
	}
	if cancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
		alarm := ev.AddAlarm()
		alarm.SetAction(ics.ActionDisplay)
		alarm.SetTrigger("-PT1H")
		alarm.SetProperty(ics.ComponentPropertyDescription, icsText(e.Title))
	}
	// RFC 5545 ends lines with CRLF; the library's default is the
	// platform's line ending.
	if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil {
		return fmt.Errorf("write event %d as ics: %w", e.ID, err)
	}
	return nil
}

// icsSequence is the SEQUENCE of the file written at now: the seconds
// since e was created, so that each file written supersedes the ones
// before it (the event keeps no revision number); at least 1 for a
// cancellation.
func icsSequence(e Event, now time.Time) int {
	seq := 0
	if !e.Created.IsZero() && now.After(e.Created) {
		seq = int(min(now.Sub(e.Created)/time.Second, math.MaxInt32))
	}
	if e.State == Cancelled {
		seq = max(seq, 1)
	}
	return seq
}

// icsText prepares a text for a TEXT property: line breaks become "\n"
// (the library escapes them, and commas, semicolons and backslashes), and
// no bare carriage return is left to break the line structure.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// eventPlace is where e takes place: its venue's name, or its free-text
// place.
func eventPlace(e Event) string {
	if e.VenueName != "" {
		return e.VenueName
	}
	return e.Place
}
