package scheduler

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/member"
	"go.yaml.in/yaml/v3"
)

// The scheduler's files in a content folder, each optional.
const (
	VenuesFile    = "venues.yaml"
	SchedulesFile = "schedules.yaml"
	EventsFile    = "events.yaml"
)

// Content file limits: a file is read whole, so it is bounded first.
const (
	MaxContentFile    = 1 << 20 // bytes of one file
	MaxContentEntries = 5000    // entries in one file
	MaxKeyLen         = 40      // bytes of an entry's id
)

// EventTimeLayout is how events.yaml writes a start or an end, in the
// configured time zone (DANGWU_TZ).
const EventTimeLayout = "2006-01-02 15:04"

// Reasons a content entry, or a venue, schedule or event made in chat, is
// refused. The bot maps them to Chinese replies; details are wrapped with %w.
var (
	ErrYAML           = errors.New("not a YAML list of entries")
	ErrTooLarge       = errors.New("content file too large")
	ErrUnknownField   = errors.New("unknown field")
	ErrDuplicateField = errors.New("field given twice")
	ErrFieldType      = errors.New("wrong type of value")
	ErrBadID          = fmt.Errorf("id: use 1 to %d lower-case letters, digits, - or _", MaxKeyLen)
	ErrDuplicateID    = errors.New("id already used")
	ErrBadText        = errors.New("text has bytes that are not characters, or control characters")

	ErrUnknownDistrict         = errors.New("no such district")
	ErrAudienceOutsideDistrict = errors.New("audience names districts outside the owning district")

	ErrNoName           = errors.New("no name")
	ErrNameTooLong      = fmt.Errorf("name over %d characters", MaxVenueNameRunes)
	ErrAddressTooLong   = fmt.Errorf("address over %d characters", MaxVenueAddressRunes)
	ErrUnknownVenueKind = errors.New("unknown kind of venue (党建工作站, 红色驿站, 红色加油站, 红色堡垒 or 其他)")

	ErrNoTitle            = errors.New("no title")
	ErrTitleTooLong       = fmt.Errorf("title over %d characters", MaxTitleRunes)
	ErrNoText             = errors.New("no text")
	ErrTextTooLong        = fmt.Errorf("text over %d characters", MaxScheduleTextRunes)
	ErrDescriptionTooLong = fmt.Errorf("description over %d characters", MaxDescriptionRunes)
	ErrPlaceTooLong       = fmt.Errorf("place over %d characters", MaxPlaceRunes)

	ErrUnknownKind    = errors.New("unknown kind of event (course, forum, rotation, trip or 培训班, 先锋论坛, 轮训班, 学习考察)")
	ErrBadTime        = errors.New("time: write it as YYYY-MM-DD HH:MM, for example 2027-03-01 09:00")
	ErrEventInPast    = errors.New("event starts in the past")
	ErrEndBeforeStart = errors.New("event ends before or when it starts")
	ErrEventTooLong   = fmt.Errorf("event longer than %d days", int(MaxEventLength/(24*time.Hour)))
	ErrUnknownVenue   = errors.New("no such venue")
	ErrNoPlace        = errors.New("neither a venue nor a place")
	ErrVenueAndPlace  = errors.New("both a venue and a place")
	ErrBadCapacity    = fmt.Errorf("capacity must be 0 (no limit) to %d", MaxCapacity)
	ErrBadHours       = fmt.Errorf("hours must be 0 to %d", MaxHours)
	ErrBadState       = errors.New("unknown event state")
)

// Problem is why one entry of a content file was refused. Value is the
// offending text, cut short, when there is one.
type Problem struct {
	File  string
	Line  int
	ID    string
	Err   error
	Value string
}

func (p Problem) Error() string {
	var sb strings.Builder
	if p.File != "" {
		fmt.Fprintf(&sb, "%s:", p.File)
	}
	fmt.Fprintf(&sb, "%d: ", p.Line)
	if p.ID != "" {
		noun := "entry"
		switch path.Base(p.File) {
		case VenuesFile:
			noun = "venue"
		case SchedulesFile:
			noun = "schedule"
		case EventsFile:
			noun = "event"
		}
		fmt.Fprintf(&sb, "%s %q: ", noun, p.ID)
	}
	sb.WriteString(p.Err.Error())
	if p.Value != "" {
		fmt.Fprintf(&sb, ": %q", p.Value)
	}
	return sb.String()
}

func (p Problem) Unwrap() error { return p.Err }

// Content is the scheduler's part of a content folder.
type Content struct {
	Venues    []Venue
	Schedules []Schedule
	Events    []Event
	// EventVenues maps an event's key to its venue's key, for the events
	// held at a venue: content venues have no ID until they are stored, so
	// an event's VenueID is set only once its venue has one.
	EventVenues map[string]string
}

// LoadContent reads venues.yaml, schedules.yaml and events.yaml from the
// root of fsys, each optional (a missing file is no problem), checking
// districts by districts and reading event times in loc. Events may name
// the venues of venues.yaml that were accepted. The error is for a file
// that exists but cannot be read; everything wrong inside a file is a
// Problem.
func LoadContent(fsys fs.FS, districts member.Districts, loc *time.Location) (Content, []Problem, error) {
	if loc == nil {
		return Content{}, nil, errors.New("load scheduler content: no time zone")
	}
	var out Content
	var problems []Problem
	read := func(name string) ([]byte, bool, error) {
		data, err := readLimited(fsys, name, MaxContentFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, false, nil
		case errors.Is(err, ErrTooLarge):
			problems = append(problems, Problem{File: name, Line: 1, Err: err})
			return nil, false, nil
		case err != nil:
			return nil, false, fmt.Errorf("load %s: %w", name, err)
		}
		return data, true, nil
	}
	data, ok, err := read(VenuesFile)
	if err != nil {
		return Content{}, nil, err
	}
	if ok {
		vs, ps := ParseVenues(VenuesFile, data, districts)
		out.Venues = vs
		problems = append(problems, ps...)
	}
	data, ok, err = read(SchedulesFile)
	if err != nil {
		return Content{}, nil, err
	}
	if ok {
		ss, ps := ParseSchedules(SchedulesFile, data, districts)
		out.Schedules = ss
		problems = append(problems, ps...)
	}
	data, ok, err = read(EventsFile)
	if err != nil {
		return Content{}, nil, err
	}
	if ok {
		es, links, ps := parseEvents(EventsFile, data, out.Venues, districts, loc)
		out.Events, out.EventVenues = es, links
		problems = append(problems, ps...)
	}
	return out, problems, nil
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}

// eventKindNames maps what events.yaml may write to a kind.
var eventKindNames = map[string]EventKind{
	"course": Course, "培训班": Course, "培训": Course,
	"forum": Forum, "先锋论坛": Forum, "论坛": Forum,
	"rotation": Rotation, "轮训班": Rotation, "轮训": Rotation,
	"trip": Trip, "学习考察": Trip, "考察": Trip,
}

var eventFields = []string{"id", "kind", "title", "description", "start", "end", "venue", "place", "district", "districts", "capacity", "hours"}

// ParseEvents reads events.yaml: a list of
//
//	# events.yaml
//	- id: spring-course
//	  kind: course            # course, forum, rotation, trip (or 培训班, 先锋论坛, 轮训班, 学习考察)
//	  title: ...
//	  description: ...
//	  start: 2027-03-01 09:00 # in loc
//	  end: 2027-03-01 17:00
//	  venue: some-venue       # a venue's id, or else
//	  place: ...              # free text
//	  district: 鼓楼区         # the owner; absent for the city
//	  districts: [鼓楼区]      # the audience; absent for everyone
//	  capacity: 50            # 0 or absent: no limit
//	  hours: 4                # 学时 credited
//
// Times are read in loc (UTC when nil). An event at a venue gets the
// venue's ID (0 for a venue not yet stored: LoadContent's EventVenues keeps
// the link). Past events are not refused here: a content file keeps its history.
func ParseEvents(file string, data []byte, venues []Venue, districts member.Districts, loc *time.Location) ([]Event, []Problem) {
	es, _, ps := parseEvents(file, data, venues, districts, loc)
	return es, ps
}

func parseEvents(file string, data []byte, venues []Venue, districts member.Districts, loc *time.Location) ([]Event, map[string]string, []Problem) {
	list, problems := parseList(file, data)
	if loc == nil {
		loc = time.UTC
	}
	byKey := make(map[string]Venue, len(venues))
	for _, v := range venues {
		byKey[v.Key] = v
	}
	var out []Event
	links := map[string]string{}
	seen := map[string]int{}
	for _, n := range list {
		en := newEntry(file, n, eventFields)
		e := Event{Key: en.id, Title: en.str("title"), Description: en.str("description"), Place: en.str("place"), State: Open, Line: n.Line}
		en.checkKey(seen)
		kind := en.str("kind")
		e.Kind = eventKindNames[strings.ToLower(kind)]
		e.Start = en.time("start", loc)
		e.End = en.time("end", loc)
		venueKey := en.str("venue")
		switch {
		case venueKey != "" && e.Place != "":
			en.bad(ErrVenueAndPlace, venueKey)
		case venueKey == "" && e.Place == "":
			en.bad(ErrNoPlace, "")
		case venueKey != "":
			if v, ok := byKey[venueKey]; ok {
				e.VenueID = v.ID
				links[e.Key] = venueKey
			} else {
				en.badField("venue", ErrUnknownVenue, venueKey)
			}
		}
		e.District = en.district("district", districts)
		e.Audience = Audience{Districts: en.districtList("districts", districts)}.Normalize()
		if _, ok := e.Audience.Within(e.District); !ok {
			en.badField("districts", ErrAudienceOutsideDistrict, strings.Join(e.Audience.Districts, ","))
		}
		e.Capacity = en.int("capacity")
		e.Hours, _ = en.float("hours")
		for _, fe := range e.check() {
			switch {
			case fe.field == "id", fe.field == "venue", en.failed(fe.field):
				// The id, the venue or place, and values that could not be
				// read are reported above.
			case fe.field == "kind":
				en.badField("kind", fe.err, kind)
			case fe.field == "title":
				en.badField(fe.field, fe.err, e.Title)
			case fe.field == "place":
				en.badField(fe.field, fe.err, e.Place)
			default:
				en.badField(fe.field, fe.err, "")
			}
		}
		if len(en.problems) > 0 {
			problems = append(problems, en.problems...)
			delete(links, e.Key)
			continue
		}
		out = append(out, e)
	}
	return out, links, problems
}

// Validate checks an event created in chat at now: what ParseEvents checks
// of a content event, and that it does not start in the past. It returns
// the first problem, wrapping one of the sentinel errors (ErrEventInPast,
// ErrEndBeforeStart, ErrBadCapacity, ErrBadHours, ErrNoTitle, ...). Whether
// VenueID names a stored venue is checked where it is stored.
func (e Event) Validate(now time.Time) error {
	if errs := e.check(); len(errs) > 0 {
		return errs[0].err
	}
	if e.Start.Before(now) {
		return fmt.Errorf("%w: %s", ErrEventInPast, e.Start.Format(EventTimeLayout))
	}
	return nil
}

// fieldErr is a problem with one field.
type fieldErr struct {
	field string // as events.yaml names it
	err   error
}

// check returns every problem of e that does not depend on the clock, in
// the order a person fills an event in.
func (e Event) check() []fieldErr {
	var errs []fieldErr
	add := func(field string, list ...error) {
		for _, err := range list {
			errs = append(errs, fieldErr{field, err})
		}
	}
	if e.Key != "" && !validKey(e.Key) {
		add("id", ErrBadID)
	}
	if !e.Kind.Valid() {
		add("kind", ErrUnknownKind)
	}
	add("title", checkLine(e.Title, MaxTitleRunes, ErrNoTitle, ErrTitleTooLong)...)
	add("description", checkText(e.Description, MaxDescriptionRunes, nil, ErrDescriptionTooLong)...)
	switch {
	case e.Start.IsZero():
		add("start", ErrBadTime)
	case e.End.IsZero():
		add("end", ErrBadTime)
	case !e.End.After(e.Start):
		add("end", ErrEndBeforeStart)
	case e.End.Sub(e.Start) > MaxEventLength:
		add("end", fmt.Errorf("%w: %s", ErrEventTooLong, e.End.Sub(e.Start)))
	}
	switch {
	case e.VenueID != 0 && e.Place != "":
		add("venue", ErrVenueAndPlace)
	case e.VenueID == 0 && e.Place == "":
		add("venue", ErrNoPlace)
	}
	add("place", checkLine(e.Place, MaxPlaceRunes, nil, ErrPlaceTooLong)...)
	if e.Capacity < 0 || e.Capacity > MaxCapacity {
		add("capacity", fmt.Errorf("%w: %d", ErrBadCapacity, e.Capacity))
	}
	if math.IsNaN(e.Hours) || e.Hours < 0 || e.Hours > MaxHours {
		add("hours", fmt.Errorf("%w: %g", ErrBadHours, e.Hours))
	}
	switch e.State {
	case "", Open, Cancelled:
	default:
		add("state", ErrBadState)
	}
	return errs
}

// checkLine checks a one-line text: trimmed, readable, no control
// characters, within limit runes, and (when noneErr is not nil) not empty.
func checkLine(s string, limit int, noneErr, longErr error) []error {
	return checkTextOf(s, limit, noneErr, longErr, false)
}

// checkText is checkLine for a text of several lines.
func checkText(s string, limit int, noneErr, longErr error) []error {
	return checkTextOf(s, limit, noneErr, longErr, true)
}

func checkTextOf(s string, limit int, noneErr, longErr error, lines bool) []error {
	if s == "" {
		if noneErr != nil {
			return []error{noneErr}
		}
		return nil
	}
	var errs []error
	if !readable(s, lines) {
		errs = append(errs, ErrBadText)
	}
	// Counted as Telegram counts: a character outside the BMP is two.
	if n := textenc.UTF16Len(s); n > limit {
		errs = append(errs, fmt.Errorf("%w: %d", longErr, n))
	}
	return errs
}

// readable reports whether s is valid UTF-8 without control characters
// (but line breaks and tabs when lines is set).
func readable(s string, lines bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if lines && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// validKey reports whether key is 1 to MaxKeyLen of a–z 0–9 - _.
func validKey(key string) bool {
	if key == "" || len(key) > MaxKeyLen {
		return false
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// clip shortens a value shown in a problem.
func clip(s string) string {
	const limit = 30
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}

// parseList reads a content file as a YAML list; an empty file (or an
// empty list) has no entries.
func parseList(file string, data []byte) ([]*yaml.Node, []Problem) {
	if len(data) > MaxContentFile {
		return nil, []Problem{{File: file, Line: 1, Err: fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxContentFile)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Problem{{File: file, Line: yamlLine(err), Err: fmt.Errorf("%w: %v", ErrYAML, err)}}
	}
	if root.Kind == 0 {
		return nil, nil
	}
	list := &root
	if list.Kind == yaml.DocumentNode && len(list.Content) == 1 {
		list = list.Content[0]
	}
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, []Problem{{File: file, Line: list.Line, Err: ErrYAML}}
	}
	if len(list.Content) > MaxContentEntries {
		return nil, []Problem{{File: file, Line: 1, Err: fmt.Errorf("%w: %d entries, limit %d", ErrTooLarge, len(list.Content), MaxContentEntries)}}
	}
	return list.Content, nil
}

// yamlLine is the line a YAML error names, or 1.
func yamlLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+len("line "):], "%d", &line)
	}
	return max(line, 1)
}

// entry is one mapping of a content list, read field by field so that
// every problem is reported with the line of its value.
type entry struct {
	file     string
	node     *yaml.Node
	fields   map[string]*yaml.Node
	id       string
	problems []Problem
	failedAt map[string]bool // fields whose value was refused
}

func newEntry(file string, n *yaml.Node, allowed []string) *entry {
	e := &entry{file: file, node: n, fields: map[string]*yaml.Node{}, failedAt: map[string]bool{}}
	if n.Kind != yaml.MappingNode {
		e.badAt(n.Line, ErrYAML, "")
		return e
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !contains(allowed, k.Value):
			e.badAt(k.Line, ErrUnknownField, clip(k.Value))
		case e.fields[k.Value] != nil:
			e.badAt(k.Line, ErrDuplicateField, k.Value)
		default:
			e.fields[k.Value] = v
		}
	}
	e.id = e.str("id")
	for i := range e.problems {
		e.problems[i].ID = e.id
	}
	return e
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// field returns the value of key, if given and not null.
func (e *entry) field(key string) (*yaml.Node, bool) {
	v := e.fields[key]
	if v == nil || v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, false
	}
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	return v, true
}

func (e *entry) badAt(line int, err error, value string) {
	e.problems = append(e.problems, Problem{File: e.file, Line: line, ID: e.id, Err: err, Value: clip(value)})
}

// bad reports a problem of the entry as a whole, at its first line.
func (e *entry) bad(err error, value string) { e.badAt(e.node.Line, err, value) }

// badField reports a problem with key's value, at its line (the entry's
// when the field is absent).
func (e *entry) badField(key string, err error, value string) {
	line := e.node.Line
	if v := e.fields[key]; v != nil {
		line = v.Line
	}
	e.failedAt[key] = true
	e.badAt(line, err, value)
}

// failed reports whether any of keys had its value refused.
func (e *entry) failed(keys ...string) bool {
	for _, k := range keys {
		if e.failedAt[k] {
			return true
		}
	}
	return false
}

// str is key's scalar value, trimmed; "" when absent.
func (e *entry) str(key string) string {
	v, ok := e.field(key)
	if !ok {
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		e.badField(key, fmt.Errorf("%w: %s must be text", ErrFieldType, key), "")
		return ""
	}
	return strings.TrimSpace(v.Value)
}

// strs is key's list of texts (a single text is a list of one).
func (e *entry) strs(key string) []string {
	v, ok := e.field(key)
	if !ok {
		return nil
	}
	switch v.Kind {
	case yaml.ScalarNode:
		return []string{strings.TrimSpace(v.Value)}
	case yaml.SequenceNode:
		var out []string
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				e.badField(key, fmt.Errorf("%w: %s must be a list of texts", ErrFieldType, key), "")
				return nil
			}
			out = append(out, strings.TrimSpace(item.Value))
		}
		return out
	}
	e.badField(key, fmt.Errorf("%w: %s must be a list of texts", ErrFieldType, key), "")
	return nil
}

// int is key's whole number; 0 when absent.
func (e *entry) int(key string) int {
	v, ok := e.field(key)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.Value))
	if v.Kind != yaml.ScalarNode || err != nil {
		e.badField(key, fmt.Errorf("%w: %s must be a whole number", ErrFieldType, key), v.Value)
		return 0
	}
	return n
}

// float is key's number, and whether it was given.
func (e *entry) float(key string) (float64, bool) {
	v, ok := e.field(key)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64)
	if v.Kind != yaml.ScalarNode || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		e.badField(key, fmt.Errorf("%w: %s must be a number", ErrFieldType, key), v.Value)
		return 0, false
	}
	return f, true
}

// bool is key's true or false; false when absent.
func (e *entry) bool(key string) bool {
	v, ok := e.field(key)
	if !ok {
		return false
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		e.badField(key, fmt.Errorf("%w: %s must be true or false", ErrFieldType, key), v.Value)
		return false
	}
	return b
}

// time is key's time, written as EventTimeLayout in loc; zero when absent
// or bad (and reported).
func (e *entry) time(key string, loc *time.Location) time.Time {
	s := e.str(key)
	if s == "" {
		if !e.failed(key) {
			e.badField(key, fmt.Errorf("%w: no %s", ErrBadTime, key), "")
		}
		return time.Time{}
	}
	for _, layout := range []string{EventTimeLayout, "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	e.badField(key, ErrBadTime, s)
	return time.Time{}
}

// checkKey checks the entry's id and that no entry before it used it.
func (e *entry) checkKey(seen map[string]int) {
	switch first, dup := seen[e.id]; {
	case !validKey(e.id):
		e.badField("id", ErrBadID, e.id)
	case dup:
		e.badField("id", ErrDuplicateID, fmt.Sprintf("%s:%d", e.file, first))
	default:
		seen[e.id] = e.node.Line
	}
}

// district resolves key's district (an alias gives the full name); ""
// when absent, meaning the city.
func (e *entry) district(key string, districts member.Districts) string {
	s := e.str(key)
	if s == "" {
		return ""
	}
	name, ok := districts.Resolve(s)
	if !ok {
		e.badField(key, ErrUnknownDistrict, s)
		return ""
	}
	return name
}

// districtList resolves each district of key's list.
func (e *entry) districtList(key string, districts member.Districts) []string {
	var out []string
	for _, s := range e.strs(key) {
		if s == "" {
			continue
		}
		name, ok := districts.Resolve(s)
		if !ok {
			e.badField(key, ErrUnknownDistrict, s)
			continue
		}
		out = append(out, name)
	}
	return out
}
