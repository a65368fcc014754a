package quiz

import "time"

// The wrong-answer notebook is reviewed on a Leitner schedule (Sebastian
// Leitner, "So lernt man lernen", 1972): each card sits in a box, and a box
// says how long until the card is due again. A wrong answer anywhere puts
// the card in box 1, due a day later. A right answer on a due review moves
// it one box up, with a longer wait; a right answer to the box-3 card on
// its due review takes it out of the notebook. So a question leaves the
// notebook after GraduateAfter right answers in a row on spaced reviews,
// a day, three days and a week apart. A right answer before the card is
// due proves nothing about memory over time and leaves the card as it is;
// a wrong one, at any time, starts it over.

// Intervals are the waits after box 1, 2 and 3.
var Intervals = [...]time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour}

// GraduateAfter is how many right spaced reviews take a card out.
const GraduateAfter = len(Intervals)

// Card is one question in one person's notebook.
type Card struct {
	UserID     int64
	QuestionID string
	Wrong      int // times answered wrong, ever
	Right      int // times answered right since it entered the notebook
	Box        int // 1..GraduateAfter; 0 once it has left the notebook
	Due        time.Time
	Last       time.Time
	// Topic and Text describe the question, for listing.
	Topic, Text string
}

// InNotebook reports whether the card is still to be reviewed.
func (c Card) InNotebook() bool { return c.Box > 0 }

// IsDue reports whether the card's review time has come at now.
func (c Card) IsDue(now time.Time) bool { return c.InNotebook() && !now.Before(c.Due) }

// Review applies one answer to the card at now and returns the new card.
// A card not in the notebook enters it only on a wrong answer.
func (c Card) Review(correct bool, now time.Time) Card {
	c.Last = now
	switch {
	case !correct:
		c.Wrong++
		c.Right = 0
		c.Box = 1
		c.Due = now.Add(Intervals[0])
	case c.IsDue(now):
		c.Right++
		if c.Box >= GraduateAfter {
			c.Box, c.Due = 0, time.Time{}
		} else {
			c.Box++
			c.Due = now.Add(Intervals[c.Box-1])
		}
	}
	return c
}
