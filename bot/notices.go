package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/go-telegram/bot/models"
)

// Notices renders the messages the scheduler sends (scheduler.Messages):
// the scheduler decides who gets what and when, the words and buttons are
// the bot's.
type Notices struct {
	loc *time.Location
}

// NewNotices returns the scheduler's messages, with times shown in loc.
func NewNotices(loc *time.Location) *Notices {
	if loc == nil {
		loc = shanghai()
	}
	return &Notices{loc: loc}
}

var _ scheduler.Messages = (*Notices)(nil)

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// queued turns a message into an outbox row's text and markup.
func queued(m message) outbox.Message {
	out := outbox.Message{Text: m.text}
	if m.markup != nil {
		data, err := json.Marshal(m.markup)
		if err == nil {
			out.Markup = string(data)
		}
	}
	return out
}

func settingsButton() models.InlineKeyboardButton { return button(t("settings.open"), "st", "open") }

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// Broadcast is a coordinator's notice, with 收到 when it asks for one.
func (n *Notices) Broadcast(b scheduler.Broadcast) outbox.Message {
	text := t("bc.notice", esc(b.Text))
	if b.Revision > 0 {
		text += "\n\n" + t("bc.corrected")
	}
	row := []models.InlineKeyboardButton{}
	if b.Ack {
		row = append(row, button(t("bc.ack_button"), "bc", "ack", b.ID))
	}
	row = append(row, settingsButton())
	m := queued(message{text: text, markup: keyboard(row)})
	m.Media = b.Media
	return m
}

// Withdrawn replaces a copy of a withdrawn notice too old to delete.
func (n *Notices) Withdrawn(b scheduler.Broadcast) outbox.Message {
	return queued(message{text: t("bc.withdrawn_copy", b.ID)})
}

// Released is the first status report of a scheduled broadcast.
func (n *Notices) Released(b scheduler.Broadcast) outbox.Message {
	return queued(statusMessage(scheduler.BroadcastStatus{Broadcast: b, Counts: outbox.Counts{Pending: b.Recipients}}))
}

// Lapsed tells whoever scheduled b that it was not sent: they no longer
// have the role, or the district, it was made for.
func (n *Notices) Lapsed(b scheduler.Broadcast, why scheduler.Lapse) outbox.Message {
	at, text := b.SendAt.In(n.loc).Format("2006-01-02 15:04"), esc(truncate(b.Text, 200))
	if why == scheduler.LapseDistrict {
		return queued(message{text: t("lapse.bc_district", at, b.ID, esc(lapseScope(b.District)), text)})
	}
	return queued(message{text: t("lapse.bc_role", at, b.ID, text)})
}

// ScheduleLapsed tells whoever made sc that it was paused: they no longer
// have the role, or the district, it runs for.
func (n *Notices) ScheduleLapsed(sc scheduler.Schedule, why scheduler.Lapse) outbox.Message {
	if why == scheduler.LapseDistrict {
		return queued(message{text: t("lapse.sch_district", esc(sc.Title), esc(lapseScope(sc.District)))})
	}
	return queued(message{text: t("lapse.sch_role", esc(sc.Title))})
}

// lapseScope names the scope something was made in: a district, or the city.
func lapseScope(district string) string {
	if district == "" {
		return t("lapse.city")
	}
	return district
}

// BroadcastReminder asks for the 收到 not yet pressed.
func (n *Notices) BroadcastReminder(b scheduler.Broadcast) outbox.Message {
	return queued(message{text: t("bc.remind", esc(truncate(b.Text, 300))),
		markup: keyboard([]models.InlineKeyboardButton{button(t("bc.ack_button"), "bc", "ack", b.ID)})})
}

// Reminder is an event's reminder before it starts.
func (n *Notices) Reminder(e scheduler.Event, before time.Duration, late bool) outbox.Message {
	text := t("ev.reminder", esc(e.Title), n.when(e), esc(eventPlace(e)), leadTime(before))
	if late {
		text += "\n" + t("ev.reminder_late")
	}
	return queued(message{text: text, markup: keyboard([]models.InlineKeyboardButton{button(t("ev.open"), "ev", "v", e.ID), settingsButton()})})
}

// Promoted tells someone they moved up from the waiting list.
func (n *Notices) Promoted(e scheduler.Event) outbox.Message {
	return queued(message{text: t("ev.promoted", esc(e.Title), n.when(e), esc(eventPlace(e))),
		markup: keyboard([]models.InlineKeyboardButton{button(t("ev.open"), "ev", "v", e.ID)})})
}

// Changed tells the people signed up what changed.
func (n *Notices) Changed(e, old scheduler.Event) outbox.Message {
	var lines []string
	if !e.Start.Equal(old.Start) || !e.End.Equal(old.End) {
		lines = append(lines, t("ev.changed_time", n.when(old), n.when(e)))
	}
	if eventPlace(e) != eventPlace(old) {
		lines = append(lines, t("ev.changed_place", esc(eventPlace(old)), esc(eventPlace(e))))
	}
	if e.Title != old.Title {
		lines = append(lines, t("ev.changed_title", esc(old.Title)))
	}
	if len(lines) == 0 {
		lines = append(lines, t("ev.changed_details"))
	}
	return queued(message{text: t("ev.changed", esc(e.Title), strings.Join(lines, "\n")),
		markup: keyboard([]models.InlineKeyboardButton{button(t("ev.open"), "ev", "v", e.ID)})})
}

// Cancelled tells the people signed up that the event is off.
func (n *Notices) Cancelled(e scheduler.Event, reason string) outbox.Message {
	text := t("ev.cancelled", esc(e.Title), n.when(e))
	if reason = strings.TrimSpace(reason); reason != "" {
		text += "\n" + t("ev.cancel_reason", esc(reason))
	}
	return queued(message{text: text})
}

// Recurring is one run of a recurring notice.
func (n *Notices) Recurring(s scheduler.Schedule) outbox.Message {
	return queued(message{text: t("sch.notice", esc(s.Title), esc(s.Text)), markup: keyboard([]models.InlineKeyboardButton{settingsButton()})})
}

// when shows an event's time: 12月10日（周四）14:00–17:00, with the end's
// date when it ends on another day.
func (n *Notices) when(e scheduler.Event) string { return eventWhen(e, n.loc) }

func eventWhen(e scheduler.Event, loc *time.Location) string {
	s, end := e.Start.In(loc), e.End.In(loc)
	text := fmt.Sprintf("%d月%d日（%s）%s", int(s.Month()), s.Day(), weekday(s.Weekday()), s.Format("15:04"))
	if s.Year() == end.Year() && s.YearDay() == end.YearDay() {
		return text + "–" + end.Format("15:04")
	}
	return text + " – " + fmt.Sprintf("%d月%d日 %s", int(end.Month()), end.Day(), end.Format("15:04"))
}

// weekdayKeys are the names of the days, Sunday first (time.Weekday).
var weekdayKeys = []string{"weekday.sun", "weekday.mon", "weekday.tue", "weekday.wed", "weekday.thu", "weekday.fri", "weekday.sat"}

func weekday(d time.Weekday) string { return t(weekdayKeys[d]) }

func eventPlace(e scheduler.Event) string {
	if e.VenueName != "" {
		return e.VenueName
	}
	return e.Place
}

// leadTime says how long before an event a reminder is: 24 小时, 1 小时, 30 分钟.
func leadTime(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return t("ev.hours", int(d/time.Hour))
	}
	return t("ev.minutes", int(d/time.Minute))
}
