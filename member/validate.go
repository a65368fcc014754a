package member

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits of the free-text fields, in runes.
const (
	MinNameLen   = 2
	MaxNameLen   = 20
	MaxOrgLen    = 60
	MaxPostLen   = 30 // a post as written in a roster
	MaxReasonLen = 200
	MinStartYear = 1950
)

var posts = []string{"专职党务工作者", "党组织书记", "副书记", "委员", "党建指导员", "党建工作联络员", "其他"}

var educations = []string{"大专", "本科", "研究生", "其他"}

// Posts returns the posts a worker can hold, in display order.
func Posts() []string { return append([]string(nil), posts...) }

// Educations returns the education levels, in display order.
func Educations() []string { return append([]string(nil), educations...) }

// Field names a profile field that can be entered or edited.
type Field string

const (
	FieldName      Field = "name"
	FieldPhone     Field = "phone"
	FieldDistrict  Field = "district"
	FieldOrg       Field = "org"
	FieldPost      Field = "post"
	FieldEducation Field = "education"
	FieldStartYear Field = "start_year"
)

// Fields returns the profile fields in registration order.
func Fields() []Field {
	return []Field{FieldName, FieldPhone, FieldDistrict, FieldOrg, FieldPost, FieldEducation, FieldStartYear}
}

// middleDots are the characters people type between the parts of a name
// written in the Han script from another language (买买提·艾力).
var middleDots = map[rune]bool{'·': true, '•': true, '・': true, '‧': true, '∙': true, '.': true, '．': true, '｡': true}

// ValidateName checks a real name and returns it cleaned: 2 to 20 Han
// characters, spaces removed, with single middle dots (·) allowed between
// parts. Emoji, Latin letters, digits and markup are refused.
func ValidateName(s string) (string, error) {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 4*MaxNameLen {
		return "", ErrInvalidName
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	han, n := 0, 0
	lastDot := true // a dot may not come first
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case middleDots[r]:
			if lastDot {
				return "", ErrInvalidName
			}
			r, lastDot = '·', true
		case unicode.Is(unicode.Han, r):
			han++
			lastDot = false
		default:
			return "", ErrInvalidName
		}
		b.WriteRune(r)
		n++
	}
	if han < MinNameLen || n > MaxNameLen || (n > 0 && lastDot) {
		return "", ErrInvalidName
	}
	return b.String(), nil
}

// NormalizePhone returns the 11 digits of a mainland mobile number
// (1[3-9]xxxxxxxxx), accepting +86, 86 and 0086 prefixes, spaces, dashes,
// dots, parentheses and full-width digits.
func NormalizePhone(s string) (string, error) {
	if len(s) > 64 {
		return "", ErrInvalidPhone
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && !plus:
			plus = true
		case unicode.IsSpace(r) || strings.ContainsRune("-–—().", r):
		default:
			return "", ErrInvalidPhone
		}
	}
	d := b.String()
	switch {
	case len(d) == 15 && strings.HasPrefix(d, "0086") && !plus:
		d = d[4:]
	case len(d) == 13 && strings.HasPrefix(d, "86"):
		d = d[2:]
	case plus:
		return "", ErrInvalidPhone // another country
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return "", ErrInvalidPhone
	}
	return d, nil
}

// cleanText trims s, turns every run of white space into one space, and
// refuses invalid UTF-8, control characters and text longer than max runes
// or without any letter or digit.
func cleanText(s string, max int) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	var b strings.Builder
	space, meaningful, n := false, false, 0
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "", false
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			meaningful = true
		}
		b.WriteRune(r)
		n++
		if n > max {
			return "", false
		}
	}
	if !meaningful {
		return "", false
	}
	return b.String(), true
}

// ValidateOrg checks an organisation name (1 to 60 characters, at least one
// letter or digit, no control characters) and returns it with white space
// tidied.
func ValidateOrg(s string) (string, error) {
	org, ok := cleanText(s, MaxOrgLen)
	if !ok || strings.ContainsAny(org, orgForbidden) {
		return "", ErrInvalidOrg
	}
	return org, nil
}

// orgForbidden are the characters no organisation's name holds (markup
// and code, not the （）、·&- of real names).
const orgForbidden = "<>{}[]\\|`~^$#@*=;\""

// ValidatePost checks that s is one of Posts.
func ValidatePost(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, p := range posts {
		if s == p {
			return p, nil
		}
	}
	return "", ErrInvalidPost
}

// ValidateEducation checks that s is one of Educations.
func ValidateEducation(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, e := range educations {
		if s == e {
			return e, nil
		}
	}
	return "", ErrInvalidEducation
}

// ValidateStartYear checks the year someone took up party-affairs work:
// from 1950 to the current year.
func ValidateStartYear(y int, now time.Time) error {
	if y < MinStartYear || y > now.Year() {
		return ErrInvalidStartYear
	}
	return nil
}

// ParseStartYear reads a year as typed ("2015", "２０１５", "2015年") and
// checks it with ValidateStartYear.
func ParseStartYear(s string, now time.Time) (int, error) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "年"))
	if len(s) != 4 {
		return 0, ErrInvalidStartYear
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, ErrInvalidStartYear
	}
	if err := ValidateStartYear(y, now); err != nil {
		return 0, err
	}
	return y, nil
}

// validateReason checks a free-text reason; an empty one is allowed only when
// not required.
func validateReason(s string, required bool) (string, error) {
	if strings.TrimSpace(s) == "" {
		if required {
			return "", ErrInvalidReason
		}
		return "", nil
	}
	r, ok := cleanText(s, MaxReasonLen)
	if !ok {
		return "", ErrInvalidReason
	}
	return r, nil
}
