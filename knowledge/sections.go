package knowledge

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A news article or a pasted text has no marked headings; its parts open
// with a short line of their own ("广纳人才 充实队伍") followed by longer
// paragraphs. sectioner takes such a line as a section heading, so a
// coordinator's .txt or .docx is found by its parts, not as one block.

// Bounds of a stand-alone heading line, in runes, and how much longer the
// paragraph after it must be.
const (
	minLineHeading = 2
	maxLineHeading = 20
	minParaAfter   = 30
)

// MaxSections bounds the sections with text of one document: 20 MB of
// prose makes about 15,000 passages. A heading with no text under it makes
// none, so it is dropped at once and costs nothing however many there are.
const MaxSections = 1 << 15

// errTooManySections is a document of over MaxSections sections.
var errTooManySections = fmt.Errorf("%w: over %d sections", ErrContentTooLarge, MaxSections)

// keepSection appends s to secs unless it has no text.
func keepSection(secs []section, s section) []section {
	if isBlank(s.body.String()) {
		return secs
	}
	return append(secs, s)
}

// sectioner collects the lines of a plain text into sections.
type sectioner struct {
	secs    []section
	cur     section
	chapter string // the 第X章 heading the articles that follow belong to
	pending string // a short line that heads a section if a paragraph follows
	waiting bool
}

// heading starts a section named name. An article (第五条) under a chapter
// (第二章 岗位职责) is named with its chapter, "第二章 岗位职责 第五条": the
// chapter says what the article is about, and where to find it.
func (s *sectioner) heading(name string) {
	switch {
	case articleNumbering.MatchString(name):
		if s.chapter != "" {
			name = s.chapter + " " + name
		}
	case chapterNumbering.MatchString(name):
		s.chapter = name
	default:
		s.chapter = ""
	}
	s.settle(false)
	s.secs = keepSection(s.secs, s.cur)
	s.cur = section{heading: name}
}

// line adds a line of text.
func (s *sectioner) line(l string) {
	t := strings.TrimSpace(l)
	if t == "" {
		if !s.waiting {
			s.cur.body.add(l)
		}
		return
	}
	if s.waiting {
		n := utf8.RuneCountInString(t)
		s.settle(n >= max(minParaAfter, 2*utf8.RuneCountInString(s.pending)))
	}
	if lineHeading(t) {
		s.pending, s.waiting = cleanLine(t), true
		return
	}
	s.cur.body.add(l)
}

// settle decides the waiting line: a heading, or a line of the text.
func (s *sectioner) settle(isHeading bool) {
	if !s.waiting {
		return
	}
	s.waiting = false
	if isHeading {
		s.secs = keepSection(s.secs, s.cur)
		s.cur = section{heading: s.pending}
		return
	}
	s.cur.body.add(s.pending)
}

// tooMany reports whether the text has over MaxSections sections so far.
func (s *sectioner) tooMany() bool { return len(s.secs) > MaxSections }

// sections ends the text and returns its sections with text.
func (s *sectioner) sections() []section {
	s.settle(false)
	return keepSection(s.secs, s.cur)
}

// lineHeading reports whether a trimmed line may head a section: short,
// mostly Han characters, not a sentence (no end punctuation, no colon).
func lineHeading(t string) bool {
	n := utf8.RuneCountInString(t)
	if n < minLineHeading || n > maxLineHeading || endsSentence(t) || strings.ContainsAny(t, "：:，,。") {
		return false
	}
	han, other := 0, 0
	for _, r := range t {
		switch {
		case isHan(r):
			han++
		case r == ' ' || r == '\u3000' || r == '·' || r == '—':
		default:
			other++
		}
	}
	return han >= 2 && han > 2*other
}

// titleLine reports whether the first line of a plain text reads as its
// title rather than as its first paragraph: no sentence ends in it.
func titleLine(t string) bool {
	return len(t) <= maxHeadingBytes && !strings.ContainsAny(t, "。！？!?；;") && !endsSentence(t)
}
