package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// Events in chat. Workers see the upcoming events open to them (/events)
// and their own (/myevents): each card has 报名 / 取消报名 and 加入日历
// (an .ics file). Coordinators create one with /newevent by filling in a
// form (a message of 字段：值 lines, like a 模板), and manage it from its
// card: 修改 (the form again, filled), 取消活动, 签到码, 签到表 and 补签.
//
// Buttons (prefix ev):
//
//	ev:v:<id>      the event's card            ev:in:<id> / ev:out:<id>  sign up / withdraw
//	ev:ics:<id>    the calendar file           ev:l:<mine>               back to the list
//	ev:ed:<id>     edit (coordinator)          ev:cx:<id> / ev:cxok:<id> cancel it (and confirm)
//	ev:code:<id>   show the check-in code      ev:xls:<id>               the 签到表
//	ev:mk:<id>     mark attendance by hand     ev:ok / ev:no             save or drop the form's preview

const (
	flowEvent     = "event"     // Data: id (0 new), form fields
	flowEventMark = "eventmark" // Data: id
	flowEventStop = "eventstop" // Data: id (the cancellation's reason)
)

// eventsShown bounds a list of events.
const eventsShown = 10

func (b *Bot) cmdEvents(ctx context.Context, r *request) error {
	return b.eventList(ctx, r, false, false)
}

func (b *Bot) cmdMyEvents(ctx context.Context, r *request) error {
	return b.eventList(ctx, r, true, false)
}

func (b *Bot) eventList(ctx context.Context, r *request, mine, edit bool) error {
	return b.eventPage(ctx, r, mine, edit, 0)
}

// eventPage is page (from 0) of /events or /myevents, eventsShown a page.
// A coordinator's /events lists the events they manage; a worker's, those
// open to them.
func (b *Bot) eventPage(ctx context.Context, r *request, mine, edit bool, page int) error {
	page = max(page, 0)
	var views []scheduler.EventView
	var err error
	switch {
	case mine:
		views, err = b.sched.Mine(ctx, r.userID)
		if err == nil {
			views = views[min(page*eventsShown, len(views)):]
		}
	case r.role >= RoleCoordinator:
		var actor member.Access
		if actor, err = b.schedAccess(ctx, r); err == nil {
			views, err = b.sched.ManagedFrom(ctx, actor, page*eventsShown, eventsShown+1)
		}
	default:
		views, err = b.sched.UpcomingFrom(ctx, r.userID, page*eventsShown, eventsShown+1)
	}
	if err != nil {
		return err
	}
	head := t("ev.list_head")
	if mine {
		head = t("ev.mine_head")
	}
	if len(views) == 0 && page == 0 {
		text := t("ev.none")
		if mine {
			text = t("ev.mine_none")
		}
		return b.sendOrEdit(ctx, r, edit, message{text: text})
	}
	more := len(views) > eventsShown
	var sb strings.Builder
	sb.WriteString(head)
	var rows [][]models.InlineKeyboardButton
	for i, v := range views[:min(len(views), eventsShown)] {
		n := page*eventsShown + i + 1
		fmt.Fprintf(&sb, "\n\n%d. <b>%s</b>\n%s · %s\n%s", n, esc(v.Event.Title), eventKindName(v.Event.Kind), esc(eventWhen(v.Event, b.loc)),
			esc(eventPlace(v.Event)))
		if status := b.signupLine(v); status != "" {
			sb.WriteString("\n" + status)
		}
		rows = append(rows, []models.InlineKeyboardButton{button(fmt.Sprintf("%d. %s", n, truncate(v.Event.Title, 30)), "ev", "v", v.Event.ID)})
	}
	var nav []models.InlineKeyboardButton
	if page > 0 {
		nav = append(nav, button(t("page.prev"), "ev", "l", b2s(mine), page-1))
	}
	if more {
		nav = append(nav, button(t("page.next"), "ev", "l", b2s(mine), page+1))
	}
	if nav != nil {
		rows = append(rows, nav)
	}
	return b.sendOrEdit(ctx, r, edit, message{text: sb.String(), markup: keyboard(rows...)})
}

func b2s(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func (b *Bot) sendOrEdit(ctx context.Context, r *request, edit bool, m message) error {
	if edit && r.cb != nil {
		return b.editCallbackMessage(ctx, r, m)
	}
	return b.send(ctx, r.chatID, m)
}

func eventKindName(k scheduler.EventKind) string {
	switch k {
	case scheduler.Forum:
		return t("ev.kind_forum")
	case scheduler.Rotation:
		return t("ev.kind_rotation")
	case scheduler.Trip:
		return t("ev.kind_trip")
	}
	return t("ev.kind_course")
}

func (b *Bot) signupLine(v scheduler.EventView) string {
	places := t("ev.places_open", v.Registered)
	if v.Event.Capacity > 0 {
		places = t("ev.places", v.Registered, v.Event.Capacity)
		if v.Waiting > 0 {
			places += t("ev.waiting_count", v.Waiting)
		}
	}
	switch v.Mine {
	case scheduler.Registered:
		return places + " · " + t("ev.you_in")
	case scheduler.Waiting:
		return places + " · " + t("ev.you_waiting", v.Position)
	}
	return places
}

// eventCard is one event as userID sees it, with what they may do.
func (b *Bot) eventCard(ctx context.Context, r *request, v scheduler.EventView) message {
	e := v.Event
	var sb strings.Builder
	fmt.Fprintf(&sb, "<b>%s</b>\n%s", esc(e.Title), eventKindName(e.Kind))
	fmt.Fprintf(&sb, "\n%s", t("ev.card_time", esc(eventWhen(e, b.loc))))
	fmt.Fprintf(&sb, "\n%s", t("ev.card_place", esc(eventPlace(e))))
	if v.Venue.Address != "" {
		fmt.Fprintf(&sb, "（%s）", esc(v.Venue.Address))
	}
	if e.Hours > 0 {
		fmt.Fprintf(&sb, "\n%s", t("ev.card_hours", formatHours(e.Hours)))
	}
	scope := t("ev.city")
	if len(e.Audience.Districts) > 0 {
		scope = strings.Join(e.Audience.Districts, "、")
	}
	fmt.Fprintf(&sb, "\n%s", t("ev.card_for", esc(scope)))
	fmt.Fprintf(&sb, "\n%s", b.signupLine(v))
	if e.Description != "" {
		fmt.Fprintf(&sb, "\n\n%s", esc(e.Description))
	}
	if e.State == scheduler.Cancelled {
		sb.WriteString("\n\n" + t("ev.is_cancelled"))
	}
	var rows [][]models.InlineKeyboardButton
	now := b.now()
	if e.State == scheduler.Open && now.Before(e.Start) {
		switch v.Mine {
		case "":
			label := t("ev.signup")
			if v.Full() {
				label = t("ev.signup_waiting")
			}
			rows = append(rows, []models.InlineKeyboardButton{button(label, "ev", "in", e.ID)})
		default:
			rows = append(rows, []models.InlineKeyboardButton{button(t("ev.withdraw"), "ev", "out", e.ID)})
		}
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("ev.calendar"), "ev", "ics", e.ID)})
	if r.role >= RoleCoordinator {
		if actor, err := b.schedAccess(ctx, r); err == nil && (actor.Role == member.RoleAdmin || actor.District == "" || actor.District == e.District) {
			rows = append(rows,
				[]models.InlineKeyboardButton{button(t("ev.code"), "ev", "code", e.ID), button(t("ev.sheet"), "ev", "xls", e.ID), button(t("ev.mark"), "ev", "mk", e.ID)},
				[]models.InlineKeyboardButton{button(t("ev.edit"), "ev", "ed", e.ID), button(t("ev.cancel"), "ev", "cx", e.ID)})
		}
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("ev.back"), "ev", "l", 0, 0)})
	return message{text: sb.String(), markup: keyboard(rows...)}
}

func formatHours(h float64) string {
	return strconv.FormatFloat(h, 'f', -1, 64)
}

func (b *Bot) onEventButton(ctx context.Context, r *request, payload string) error {
	if b.sched == nil {
		return b.staleButton(ctx, r)
	}
	action, rest, _ := strings.Cut(payload, ":")
	id, _ := strconv.ParseInt(rest, 10, 64)
	switch action {
	case "l":
		mine, pageText, _ := strings.Cut(rest, ":")
		page, _ := strconv.Atoi(pageText)
		return b.eventPage(ctx, r, mine == "1", true, min(page, 10000))
	case "ok", "no":
		return b.eventFormButton(ctx, r, action == "ok", rest)
	}
	if id <= 0 {
		return b.staleButton(ctx, r)
	}
	coordinator := map[string]bool{"ed": true, "cx": true, "cxok": true, "code": true, "xls": true, "mk": true}
	if coordinator[action] && r.role < RoleCoordinator {
		return b.staleButton(ctx, r)
	}
	switch action {
	case "v":
		v, err := b.sched.View(ctx, r.userID, id)
		if errors.Is(err, scheduler.ErrNotFound) {
			return b.staleButton(ctx, r)
		} else if err != nil {
			return err
		}
		if ok, err := b.canSee(ctx, r, v.Event); err != nil || !ok {
			return cmpErr(err, b.refuse(ctx, r, t("ev.not_for_you")))
		}
		return b.sendOrEdit(ctx, r, true, b.eventCard(ctx, r, v))
	case "in", "out":
		var v scheduler.EventView
		var err error
		if action == "in" {
			err = b.atomic(ctx, func(ctx context.Context) error {
				v, err = b.sched.SignUp(ctx, r.userID, id)
				return err
			})
		} else {
			err = b.atomic(ctx, func(ctx context.Context) error {
				v, err = b.sched.Withdraw(ctx, r.userID, id)
				return err
			})
		}
		if msg := eventRefusal(err); msg != "" {
			return b.refuse(ctx, r, msg)
		} else if err != nil {
			return err
		}
		switch {
		case action == "out":
			b.ack(r, t("ev.withdrawn"), false)
		case v.Mine == scheduler.Waiting:
			b.ack(r, t("ev.on_waiting_list", v.Position), true)
		default:
			b.ack(r, t("ev.signed_up"), false)
		}
		return b.sendOrEdit(ctx, r, true, b.eventCard(ctx, r, v))
	case "ics":
		e, err := b.sched.Event(ctx, id)
		if errors.Is(err, scheduler.ErrNotFound) {
			return b.staleButton(ctx, r)
		} else if err != nil {
			return err
		}
		if ok, err := b.canSee(ctx, r, e); err != nil || !ok {
			return cmpErr(err, b.refuse(ctx, r, t("ev.not_for_you")))
		}
		var buf bytes.Buffer
		if err := scheduler.WriteICS(&buf, e, b.loc, "-//dangwu//党务助手//ZH"); err != nil {
			return err
		}
		b.ack(r, "", false)
		return b.out.document(ctx, r.chatID, scheduler.ICSName(e), buf.Bytes(), t("ev.ics_caption", esc(e.Title)))
	case "ed":
		return b.editEventForm(ctx, r, id)
	case "cx":
		e, err := b.managedEvent(ctx, r, id)
		if err != nil || e.ID == 0 {
			return err
		}
		c := store.Conversation{Flow: flowEventStop, Step: "reason", Data: map[string]string{"id": rest}}
		return b.askPrivately(ctx, r, c, t("ev.ask_cancel_reason", esc(e.Title)))
	case "code":
		return b.showCheckInCode(ctx, r, id)
	case "xls":
		return b.sendRoster(ctx, r, id)
	case "mk":
		e, err := b.managedEvent(ctx, r, id)
		if err != nil || e.ID == 0 {
			return err
		}
		c := store.Conversation{Flow: flowEventMark, Step: "mark", Data: map[string]string{"id": rest}}
		return b.askPrivately(ctx, r, c, t("ev.ask_mark", esc(e.Title)))
	}
	return b.staleButton(ctx, r)
}

// canSee reports whether the person may see event e: a coordinator who
// manages it, or someone it is open to (or who signed up).
func (b *Bot) canSee(ctx context.Context, r *request, e scheduler.Event) (bool, error) {
	if r.role >= RoleCoordinator {
		if a, err := b.schedAccess(ctx, r); err == nil && (a.Role == member.RoleAdmin || a.District == "" || a.District == e.District) {
			return true, nil
		}
	}
	return b.sched.OpenTo(ctx, r.userID, e)
}

// managedEvent returns an event the coordinator manages, answering the
// press and returning a zero event when they do not.
func (b *Bot) managedEvent(ctx context.Context, r *request, id int64) (scheduler.Event, error) {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return scheduler.Event{}, err
	}
	roster, err := b.sched.EventRoster(ctx, actor, id)
	if msg := eventRefusal(err); msg != "" {
		return scheduler.Event{}, b.refuse(ctx, r, msg)
	} else if err != nil {
		return scheduler.Event{}, err
	}
	return roster.Event, nil
}

// eventStopFlow takes the reason of a cancellation and cancels the event,
// telling everyone signed up in the same transaction.
func (b *Bot) eventStopFlow(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	reason := r.text
	if reason == t("ev.no_reason_word") {
		reason = ""
	}
	var e scheduler.Event
	err = b.atomic(ctx, func(ctx context.Context) error {
		if e, err = b.sched.CancelEvent(ctx, actor, id, truncate(reason, 200)); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := eventRefusal(err); msg != "" {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("ev.cancel_done", esc(e.Title)))
}

// eventMarkFlow takes a hand-made attendance mark: 姓名或手机号 出席/缺席 原因.
func (b *Bot) eventMarkFlow(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	fields := strings.Fields(r.text)
	if len(fields) < 2 || (fields[1] != t("ev.present_word") && fields[1] != t("ev.absent_word")) {
		return b.reply(ctx, r, t("ev.mark_format"))
	}
	people, err := b.members.Find(ctx, actor.UserID, fields[0])
	if err != nil {
		return err
	}
	if len(people) != 1 {
		return b.reply(ctx, r, t("ev.mark_who", len(people)))
	}
	present := fields[1] == t("ev.present_word")
	reason := strings.Join(fields[2:], " ")
	if reason == "" {
		return b.reply(ctx, r, t("ev.mark_reason"))
	}
	var a scheduler.Attendance
	err = b.atomic(ctx, func(ctx context.Context) error {
		if a, err = b.sched.Mark(ctx, actor, id, people[0].UserID, present, truncate(reason, 200)); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := eventRefusal(err); msg != "" {
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	state := t("ev.absent_word")
	if a.Present {
		state = t("ev.present_word")
	}
	return b.reply(ctx, r, t("ev.marked", esc(people[0].Name), state, formatHours(a.Hours)))
}

// sendRoster sends the 签到表 of an event.
func (b *Bot) sendRoster(ctx context.Context, r *request, id int64) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	roster, err := b.sched.EventRoster(ctx, actor, id)
	if msg := eventRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	} else if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := scheduler.WriteRoster(&buf, roster, b.loc); err != nil {
		return err
	}
	b.ack(r, "", false)
	present := 0
	for _, a := range roster.Attendance {
		if a.Present {
			present++
		}
	}
	return b.out.document(ctx, r.chatID, scheduler.RosterName(roster.Event), buf.Bytes(),
		t("ev.sheet_caption", esc(roster.Event.Title), len(roster.Signups), present))
}

// eventRefusal is the reply to a refused event action, "" when err is not
// a refusal.
func eventRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, scheduler.ErrNotFound):
		return t("ev.gone")
	case errors.Is(err, scheduler.ErrOutOfScope), errors.Is(err, scheduler.ErrNoDistricts):
		return t("sched.out_of_scope")
	case errors.Is(err, scheduler.ErrNotCoordinator):
		return t("denied.command")
	case errors.Is(err, scheduler.ErrEventClosed):
		return t("ev.closed")
	case errors.Is(err, scheduler.ErrNotInAudience):
		return t("ev.not_for_you")
	case errors.Is(err, scheduler.ErrNotApproved):
		return t("ev.not_approved")
	case errors.Is(err, scheduler.ErrAlreadyIn):
		return t("ev.already_in")
	case errors.Is(err, scheduler.ErrNotRegistered):
		return t("ev.not_in")
	case errors.Is(err, scheduler.ErrEventInPast):
		return t("ev.err_past")
	case errors.Is(err, scheduler.ErrEndBeforeStart):
		return t("ev.err_end")
	case errors.Is(err, scheduler.ErrEventTooLong):
		return t("ev.err_long")
	case errors.Is(err, scheduler.ErrBadCapacity):
		return t("ev.err_capacity", scheduler.MaxCapacity)
	case errors.Is(err, scheduler.ErrBadHours):
		return t("ev.err_hours", scheduler.MaxHours)
	case errors.Is(err, scheduler.ErrNoTitle):
		return t("ev.err_title")
	case errors.Is(err, scheduler.ErrTitleTooLong):
		return t("ev.err_title_long", scheduler.MaxTitleRunes)
	case errors.Is(err, scheduler.ErrDescriptionTooLong):
		return t("ev.err_description", scheduler.MaxDescriptionRunes)
	case errors.Is(err, scheduler.ErrPlaceTooLong):
		return t("ev.err_place", scheduler.MaxPlaceRunes)
	case errors.Is(err, scheduler.ErrNoPlace), errors.Is(err, scheduler.ErrUnknownVenue):
		return t("ev.err_no_place")
	case errors.Is(err, scheduler.ErrUnknownDistrict):
		return t("ev.err_district")
	case errors.Is(err, scheduler.ErrUnknownKind):
		return t("ev.err_kind")
	case errors.Is(err, scheduler.ErrBadText):
		return t("ev.err_text")
	case errors.Is(err, scheduler.ErrNotRunning):
		return t("ci.not_running")
	}
	return ""
}

// ---- The event form ----

// The form's fields, in the order it shows them.
var eventFormKeys = []string{"ev.f_kind", "ev.f_title", "ev.f_start", "ev.f_end", "ev.f_place", "ev.f_capacity", "ev.f_hours", "ev.f_districts", "ev.f_description"}

// cmdNewEvent sends the form to fill in.
func (b *Bot) cmdNewEvent(ctx context.Context, r *request) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	c := store.Conversation{Flow: flowEvent, Step: "form", Data: map[string]string{"id": "0"}}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	start := b.now().In(b.loc).AddDate(0, 0, 7)
	start = time.Date(start.Year(), start.Month(), start.Day(), 14, 0, 0, 0, b.loc)
	example := scheduler.Event{Kind: scheduler.Course, Title: t("ev.example_title"), Start: start, End: start.Add(3 * time.Hour),
		Place: t("ev.example_place"), Capacity: 50, Hours: 3, District: actor.District}
	return b.reply(ctx, r, t("ev.form_intro", b.venueHint(ctx, actor))+"\n\n<code>"+esc(b.eventForm(example))+"</code>")
}

func (b *Bot) venueHint(ctx context.Context, actor member.Access) string {
	venues, err := b.sched.Venues(ctx, actor.District)
	if err != nil || len(venues) == 0 {
		return ""
	}
	var names []string
	for _, v := range venues[:min(len(venues), 8)] {
		names = append(names, v.Name)
	}
	return t("ev.venue_hint", esc(strings.Join(names, "、")))
}

// eventForm writes an event as the form's lines.
func (b *Bot) eventForm(e scheduler.Event) string {
	capacity := strconv.Itoa(e.Capacity)
	if e.Capacity == 0 {
		capacity = t("ev.unlimited")
	}
	values := []string{eventKindName(e.Kind), e.Title, e.Start.In(b.loc).Format("2006-01-02 15:04"), e.End.In(b.loc).Format("2006-01-02 15:04"),
		eventPlace(e), capacity, formatHours(e.Hours), strings.Join(e.Audience.Districts, "、"), e.Description}
	var lines []string
	for i, k := range eventFormKeys {
		lines = append(lines, t(k)+"："+values[i])
	}
	return strings.Join(lines, "\n")
}

// editEventForm sends an event's form, filled, to be changed and sent back.
func (b *Bot) editEventForm(ctx context.Context, r *request, id int64) error {
	e, err := b.managedEvent(ctx, r, id)
	if err != nil || e.ID == 0 {
		return err
	}
	c := store.Conversation{Flow: flowEvent, Step: "form", Data: map[string]string{"id": strconv.FormatInt(id, 10)}}
	return b.askPrivately(ctx, r, c, t("ev.edit_intro")+"\n\n<code>"+esc(b.eventForm(e))+"</code>")
}

// parseEventForm reads the form's 字段：值 lines into an event, reporting
// the first line it cannot read.
func (b *Bot) parseEventForm(ctx context.Context, actor member.Access, text string) (scheduler.Event, string) {
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(strings.Replace(line, ":", "：", 1), "：")
		if !ok {
			return scheduler.Event{}, t("ev.form_line", esc(truncate(line, 40)))
		}
		fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	get := func(key string) string { return fields[t(key)] }
	var e scheduler.Event
	switch get("ev.f_kind") {
	case t("ev.kind_course"), "":
		e.Kind = scheduler.Course
	case t("ev.kind_forum"):
		e.Kind = scheduler.Forum
	case t("ev.kind_rotation"):
		e.Kind = scheduler.Rotation
	case t("ev.kind_trip"):
		e.Kind = scheduler.Trip
	default:
		return e, t("ev.err_kind")
	}
	e.Title = get("ev.f_title")
	var ok bool
	if e.Start, ok = parseWhen(get("ev.f_start"), b.now(), b.loc); !ok {
		return e, t("ev.err_time", t("ev.f_start"))
	}
	endText := get("ev.f_end")
	if e.End, ok = parseEventEnd(endText, e.Start, b.loc); !ok {
		return e, t("ev.err_time", t("ev.f_end"))
	}
	place := get("ev.f_place")
	if venues, err := b.sched.Venues(ctx, actor.District); err == nil {
		for _, v := range venues {
			if v.Name == place {
				e.VenueID = v.ID
			}
		}
	}
	if e.VenueID == 0 {
		e.Place = place
	}
	switch capText := get("ev.f_capacity"); capText {
	case "", t("ev.unlimited"), "0":
	default:
		n, err := strconv.Atoi(capText)
		if err != nil || n < 0 {
			return e, t("ev.err_capacity", scheduler.MaxCapacity)
		}
		e.Capacity = n
	}
	if h := get("ev.f_hours"); h != "" {
		v, err := strconv.ParseFloat(h, 64)
		if err != nil {
			return e, t("ev.err_hours", scheduler.MaxHours)
		}
		e.Hours = v
	}
	if d := get("ev.f_districts"); d != "" && d != t("ev.city") {
		for _, name := range strings.FieldsFunc(d, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ' ' }) {
			full, ok := b.members.Districts().Resolve(name)
			if !ok {
				return e, t("ev.err_district")
			}
			e.Audience.Districts = append(e.Audience.Districts, full)
		}
	}
	e.Description = get("ev.f_description")
	e.District = actor.District
	if actor.District == "" && len(e.Audience.Districts) == 1 {
		e.District = e.Audience.Districts[0] // one district's event is that district's
	}
	return e, ""
}

// parseEventEnd reads an end: a full time, or a time of the start's day.
func parseEventEnd(text string, start time.Time, loc *time.Location) (time.Time, bool) {
	text = strings.TrimSpace(strings.Replace(text, "：", ":", -1))
	if at, err := time.ParseInLocation("15:04", text, loc); err == nil {
		s := start.In(loc)
		end := time.Date(s.Year(), s.Month(), s.Day(), at.Hour(), at.Minute(), 0, 0, loc)
		if !end.After(start) {
			end = end.AddDate(0, 0, 1) // 22:00 to 01:00 ends the next day
		}
		return end, true
	}
	return parseWhen(text, start, loc)
}

// eventFlow takes the filled form and shows its preview.
func (b *Bot) eventFlow(ctx context.Context, r *request, c store.Conversation) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	if utf16Units := textLen(r.text); utf16Units > 2000 {
		return b.reply(ctx, r, t("ev.form_long", utf16Units))
	}
	e, problem := b.parseEventForm(ctx, actor, r.msg.Text)
	if problem != "" {
		return b.reply(ctx, r, problem)
	}
	if err := e.Validate(b.now()); err != nil {
		return b.reply(ctx, r, cmpStr(eventRefusal(err), t("ev.err_text")))
	}
	c.Data["form"] = r.msg.Text
	c.Data["n"] = draftNonce()
	c.Step = "preview"
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	v := scheduler.EventView{Event: e}
	if e.VenueID != 0 {
		if venue, err := b.sched.Venue(ctx, e.VenueID); err == nil {
			v.Venue, v.Event.VenueName = venue, venue.Name
		}
	}
	card := b.eventCard(ctx, &request{role: RoleWorker}, v)
	return b.send(ctx, r.chatID, message{text: t("ev.preview") + "\n\n" + card.text, markup: keyboard(
		[]models.InlineKeyboardButton{button(t("ev.save"), "ev", "ok", c.Data["n"]), button(t("ev.discard"), "ev", "no", c.Data["n"])})})
}

// eventFormButton saves or drops the previewed form.
func (b *Bot) eventFormButton(ctx context.Context, r *request, save bool, nonce string) error {
	if r.role < RoleCoordinator {
		return b.staleButton(ctx, r)
	}
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || (err == nil && (c.Flow != flowEvent || c.Step != "preview" || c.Data["n"] != nonce)) {
		return b.staleButton(ctx, r) // also an older preview's button
	}
	if err != nil {
		return err
	}
	if !save {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("ev.discarded")})
	}
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	e, problem := b.parseEventForm(ctx, actor, c.Data["form"])
	if problem != "" {
		return b.refuse(ctx, r, problem)
	}
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	err = b.atomic(ctx, func(ctx context.Context) error {
		if id == 0 {
			e, err = b.sched.CreateEvent(ctx, actor, e)
		} else {
			e.ID = id
			e, err = b.sched.UpdateEvent(ctx, actor, e)
		}
		if err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := eventRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	} else if err != nil {
		return err
	}
	b.ack(r, t("ev.saved"), false)
	v, err := b.sched.View(ctx, r.userID, e.ID)
	if err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, b.eventCard(ctx, r, v))
}
