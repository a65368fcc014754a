package scheduler

import (
	"fmt"
	"slices"

	"github.com/dangwu/dangwu/member"
)

// Venue is a place where workers meet and events happen: a 党建工作站, a
// 红色驿站 in a shopping district, a 红色加油站 in an office building or
// park, a 红色堡垒 of a "two new" organisation.
type Venue struct {
	ID       int64  // in the store; 0 until stored
	Key      string // the id in content/venues.yaml; empty for one added in chat
	Name     string
	Kind     string // one of VenueKinds
	District string // its district's full name; "" for the city
	Address  string // may be empty
	Line     int    // its line in content/venues.yaml
}

// The kinds of venues.
const (
	VenueStation = "党建工作站"
	VenuePost    = "红色驿站"
	VenueDepot   = "红色加油站"
	VenueBastion = "红色堡垒"
	VenueOther   = "其他"
)

// VenueKinds lists the kinds of venues in the order menus show them.
var VenueKinds = []string{VenueStation, VenuePost, VenueDepot, VenueBastion, VenueOther}

// Limits on a venue.
const (
	MaxVenueNameRunes    = 40
	MaxVenueAddressRunes = 100
)

var venueFields = []string{"id", "name", "kind", "district", "address"}

// ParseVenues reads venues.yaml: a list of
//
//	# venues.yaml
//	- id: fengxian-kaifaqu
//	  name: 丰县县经济开发区党建工作站
//	  kind: 党建工作站      # 党建工作站, 红色驿站, 红色加油站, 红色堡垒 or 其他
//	  district: 丰县        # a district or an alias of one; absent for the city
//	  address: ...         # may be absent
//
// ids are unique in the file. An alias of a district is stored as its full
// name. Every problem is reported; an entry with one is left out whole.
func ParseVenues(file string, data []byte, districts member.Districts) ([]Venue, []Problem) {
	list, problems := parseList(file, data)
	var out []Venue
	seen := map[string]int{}
	for _, n := range list {
		en := newEntry(file, n, venueFields)
		v := Venue{Key: en.id, Name: en.str("name"), Kind: en.str("kind"), Address: en.str("address"), Line: n.Line}
		en.checkKey(seen)
		v.District = en.district("district", districts)
		for _, fe := range v.check(districts) {
			switch {
			case fe.field == "id", en.failed(fe.field):
			case fe.field == "name":
				en.badField(fe.field, fe.err, v.Name)
			case fe.field == "kind":
				en.badField(fe.field, fe.err, v.Kind)
			case fe.field == "address":
				en.badField(fe.field, fe.err, v.Address)
			default:
				en.badField(fe.field, fe.err, "")
			}
		}
		if len(en.problems) > 0 {
			problems = append(problems, en.problems...)
			continue
		}
		out = append(out, v)
	}
	return out, problems
}

// Validate checks a venue a coordinator adds in chat: a name of 1 to
// MaxVenueNameRunes characters, a known kind, a district that is exactly a
// district's name (or "" for the city) and an address of at most
// MaxVenueAddressRunes. It returns the first problem, wrapping a sentinel
// error (ErrNoName, ErrNameTooLong, ErrUnknownVenueKind, ErrUnknownDistrict,
// ErrAddressTooLong, ErrBadText, ErrBadID).
func (v Venue) Validate(districts member.Districts) error {
	if errs := v.check(districts); len(errs) > 0 {
		return errs[0].err
	}
	return nil
}

func (v Venue) check(districts member.Districts) []fieldErr {
	var errs []fieldErr
	add := func(field string, list ...error) {
		for _, err := range list {
			errs = append(errs, fieldErr{field, err})
		}
	}
	if v.Key != "" && !validKey(v.Key) {
		add("id", ErrBadID)
	}
	add("name", checkLine(v.Name, MaxVenueNameRunes, ErrNoName, ErrNameTooLong)...)
	if !slices.Contains(VenueKinds, v.Kind) {
		add("kind", ErrUnknownVenueKind)
	}
	if v.District != "" && !districts.Has(v.District) {
		add("district", fmt.Errorf("%w: %q", ErrUnknownDistrict, v.District))
	}
	add("address", checkLine(v.Address, MaxVenueAddressRunes, nil, ErrAddressTooLong)...)
	return errs
}
