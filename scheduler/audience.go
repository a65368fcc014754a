package scheduler

import (
	"slices"
	"strings"
)

// Audience says who a notice or an event is for. The zero value is
// everyone (every approved worker in the sender's scope); each field that
// is set narrows it, and the fields combine with "and".
type Audience struct {
	Districts []string `json:"districts,omitempty"`  // any of these districts
	Levels    []string `json:"levels,omitempty"`     // any of these certification levels (the latest awarded)
	EventID   int64    `json:"event,omitempty"`      // registered for this event
	NotPassed string   `json:"not_passed,omitempty"` // have not passed this exam paper (id)
	VenueID   int64    `json:"venue,omitempty"`      // stationed at this venue
	Behind    bool     `json:"behind,omitempty"`     // behind the year's 学时 target, pro rata
}

// Everyone reports whether a is not narrowed at all.
func (a Audience) Everyone() bool {
	return len(a.Districts) == 0 && len(a.Levels) == 0 && a.EventID == 0 && a.NotPassed == "" && a.VenueID == 0 && !a.Behind
}

// Normalize sorts and deduplicates the lists, dropping empty names.
func (a Audience) Normalize() Audience {
	clean := func(in []string) []string {
		var out []string
		for _, s := range in {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	a.Districts, a.Levels = clean(a.Districts), clean(a.Levels)
	a.NotPassed = strings.TrimSpace(a.NotPassed)
	return a
}

// Within narrows a to district: a district coordinator's audience is
// always their district. It reports false when a names only other
// districts, so nobody would be reached.
func (a Audience) Within(district string) (Audience, bool) {
	if district == "" {
		return a, true
	}
	if len(a.Districts) > 0 && !slices.Contains(a.Districts, district) {
		return a, false
	}
	a.Districts = []string{district}
	return a, true
}
