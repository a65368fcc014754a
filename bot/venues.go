package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// Venues (/venues): the 党建工作站, 红色驿站, 红色加油站 and 红色堡垒 where
// training happens and workers are stationed. Coordinators list them, add
// one with a form (名称, 类型, 区县, 地址), change or delete one. Workers
// name theirs in /settings (所在阵地).
//
// Buttons (prefix vn): vn:new, vn:ed:<id>, vn:d:<id> / vn:dok:<id>;
// st:v (choose a station) and st:vs:<id> in /settings.

const flowVenue = "venue" // Data: id (0 new)

var venueFormKeys = []string{"vn.f_name", "vn.f_kind", "vn.f_district", "vn.f_address"}

// venuesPerPage is how many venues a page of /venues or of the station
// menu shows.
const venuesPerPage = 10

func (b *Bot) cmdVenues(ctx context.Context, r *request) error { return b.venuePage(ctx, r, 0, false) }

// venuePage is page (from 0) of /venues.
func (b *Bot) venuePage(ctx context.Context, r *request, page int, edit bool) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	venues, err := b.sched.Venues(ctx, actor.District)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(t("vn.head"))
	if len(venues) == 0 {
		sb.WriteString("\n\n" + t("vn.none"))
	}
	pages := max((len(venues)+venuesPerPage-1)/venuesPerPage, 1)
	page = min(max(page, 0), pages-1)
	var rows [][]models.InlineKeyboardButton
	for i := page * venuesPerPage; i < min((page+1)*venuesPerPage, len(venues)); i++ {
		v := venues[i]
		district := v.District
		if district == "" {
			district = t("ev.city")
		}
		fmt.Fprintf(&sb, "\n%d. <b>%s</b> · %s · %s", i+1, esc(v.Name), esc(v.Kind), esc(district))
		if v.Address != "" {
			fmt.Fprintf(&sb, "\n   %s", esc(v.Address))
		}
		if actor.District == "" || v.District == actor.District {
			rows = append(rows, []models.InlineKeyboardButton{button(t("vn.edit", i+1), "vn", "ed", v.ID), button(t("vn.delete", i+1), "vn", "d", v.ID)})
		}
	}
	if nav := pageButtons(page, pages, func(p int) string { return fmt.Sprintf("vn:p:%d", p) }); nav != nil {
		rows = append(rows, nav)
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("vn.new"), "vn", "new")})
	return b.sendOrEdit(ctx, r, edit, message{text: sb.String(), markup: keyboard(rows...)})
}

func (b *Bot) venueForm(v scheduler.Venue) string {
	values := []string{v.Name, v.Kind, v.District, v.Address}
	var lines []string
	for i, k := range venueFormKeys {
		lines = append(lines, t(k)+"："+values[i])
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) onVenueButton(ctx context.Context, r *request, payload string) error {
	if b.sched == nil {
		return b.staleButton(ctx, r)
	}
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	action, rest, _ := strings.Cut(payload, ":")
	id, _ := strconv.ParseInt(rest, 10, 64)
	switch action {
	case "p":
		page, _ := strconv.Atoi(rest)
		return b.venuePage(ctx, r, page, true)
	case "new":
		c := store.Conversation{Flow: flowVenue, Step: "form", Data: map[string]string{"id": "0"}}
		b.ack(r, "", false)
		example := scheduler.Venue{Name: t("vn.example_name"), Kind: scheduler.VenueStation, District: actor.District}
		return b.askPrivately(ctx, r, c, t("vn.form_intro", esc(strings.Join(scheduler.VenueKinds, "、")))+"\n\n<code>"+esc(b.venueForm(example))+"</code>")
	case "ed":
		v, err := b.sched.Venue(ctx, id)
		if err != nil {
			return b.refuse(ctx, r, cmpStr(eventRefusal(err), t("unknown.button")))
		}
		if actor.District != "" && v.District != actor.District {
			return b.refuse(ctx, r, t("sched.out_of_scope"))
		}
		c := store.Conversation{Flow: flowVenue, Step: "form", Data: map[string]string{"id": rest}}
		b.ack(r, "", false)
		return b.askPrivately(ctx, r, c, t("vn.edit_intro")+"\n\n<code>"+esc(b.venueForm(v))+"</code>")
	case "d":
		b.ack(r, "", false)
		return b.send(ctx, r.chatID, message{text: t("vn.delete_confirm"), markup: keyboard(
			[]models.InlineKeyboardButton{button(t("vn.delete_yes"), "vn", "dok", id)})})
	case "dok":
		err := b.atomic(ctx, func(ctx context.Context) error { return b.sched.DeleteVenue(ctx, actor, id) })
		if msg := eventRefusal(err); msg != "" {
			return b.refuse(ctx, r, msg)
		} else if err != nil {
			return err
		}
		b.ack(r, t("vn.deleted"), false)
		return b.editCallbackMessage(ctx, r, message{text: t("vn.deleted")})
	}
	return b.staleButton(ctx, r)
}

// venueFlow takes a filled venue form.
func (b *Bot) venueFlow(ctx context.Context, r *request, c store.Conversation) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for _, line := range strings.Split(r.msg.Text, "\n") {
		k, v, ok := strings.Cut(strings.Replace(strings.TrimSpace(line), ":", "：", 1), "：")
		if !ok {
			if strings.TrimSpace(line) != "" {
				return b.reply(ctx, r, t("ev.form_line", esc(truncate(line, 40))))
			}
			continue
		}
		fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	get := func(key string) string { return fields[t(key)] }
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	v := scheduler.Venue{ID: id, Name: get("vn.f_name"), Kind: get("vn.f_kind"), Address: get("vn.f_address")}
	if d := get("vn.f_district"); d != "" && d != t("ev.city") {
		full, ok := b.members.Districts().Resolve(d)
		if !ok {
			return b.reply(ctx, r, t("ev.err_district"))
		}
		v.District = full
	}
	err = b.atomic(ctx, func(ctx context.Context) error {
		if v, err = b.sched.SaveVenue(ctx, actor, v); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := venueRefusal(err); msg != "" {
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("vn.saved", esc(v.Name)))
}

func venueRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, scheduler.ErrNoName), errors.Is(err, scheduler.ErrNameTooLong):
		return t("vn.bad_name", scheduler.MaxVenueNameRunes)
	case errors.Is(err, scheduler.ErrAddressTooLong):
		return t("vn.bad_address", scheduler.MaxVenueAddressRunes)
	case errors.Is(err, scheduler.ErrUnknownVenueKind):
		return t("vn.bad_kind", strings.Join(scheduler.VenueKinds, "、"))
	case errors.Is(err, scheduler.ErrDuplicateID):
		return t("vn.duplicate")
	}
	return eventRefusal(err)
}

// stationMenu lets a worker choose the venue they are stationed at.
func (b *Bot) stationMenu(ctx context.Context, r *request, page int) error {
	p, err := b.members.Get(ctx, r.userID)
	if err != nil {
		return b.refuse(ctx, r, t("ev.not_approved"))
	}
	venues, err := b.sched.Venues(ctx, p.District)
	if err != nil {
		return err
	}
	pages := max((len(venues)+venuesPerPage-1)/venuesPerPage, 1)
	page = min(max(page, 0), pages-1)
	var rows [][]models.InlineKeyboardButton
	for _, v := range venues[page*venuesPerPage : min((page+1)*venuesPerPage, len(venues))] {
		rows = append(rows, []models.InlineKeyboardButton{button(truncate(v.Name, 40), "st", "vs", v.ID)})
	}
	if nav := pageButtons(page, pages, func(p int) string { return fmt.Sprintf("st:v:%d", p) }); nav != nil {
		rows = append(rows, nav)
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("settings.station_none"), "st", "vs", 0)})
	b.ack(r, "", false)
	return b.editCallbackMessage(ctx, r, message{text: t("settings.station_pick"), markup: keyboard(rows...)})
}
