package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// The broadcast dialogue (flowBroadcast): the notice's text (or a photo or
// file with a caption) → its audience → 收到 and when → a preview with the
// number of recipients → 确认发送. Until then it is only the conversation
// row; the confirmation creates the broadcast and queues every message in
// one transaction. The status message that follows is edited in place
// while the outbox sends (a progress bar), with 停止发送, and afterwards
// offers 提醒未回执, 更正 and 撤回.
//
// Buttons (prefix bc):
//
//	bc:aud:<kind>          audience: all, dist (choose districts), ev, exam, venue
//	bc:d:<i>               toggle district i;  bc:dok  done choosing
//	bc:ev:<id> bc:exam:<id> bc:venue:<id>   the audience's event, exam, venue
//	bc:ack1 / bc:ack0      ask for 收到 or not
//	bc:now / bc:later      send now, or ask for a time
//	bc:go / bc:edit / bc:x confirm, start over, cancel the draft
//	bc:ack:<id>            a recipient's 收到
//	bc:stop:<id> bc:rm:<id> bc:fix:<id> bc:wd:<id> bc:wdok:<id> bc:cx:<id> bc:s:<id>
//	                       stop, remind, correct, withdraw (and confirm),
//	                       cancel a scheduled one, show its status

const (
	flowBroadcast    = "bc"
	flowBroadcastFix = "bcfix" // Data: id
)

// Steps of the broadcast dialogue. Data: text, media, aud (JSON), ack, at.
const (
	stepBcText     = "text"
	stepBcAudience = "audience"
	stepBcOptions  = "options"
	stepBcTime     = "time"
	stepBcPreview  = "preview"
)

func (b *Bot) cmdBroadcast(ctx context.Context, r *request) error {
	if _, err := b.schedAccess(ctx, r); err != nil {
		return err
	}
	c := store.Conversation{Flow: flowBroadcast, Step: stepBcText, Data: map[string]string{}}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.reply(ctx, r, t("bc.ask_text", scheduler.MaxBroadcastRunes, scheduler.MaxCaptionRunes))
}

// schedAccess is the person's access for the scheduler's services.
func (b *Bot) schedAccess(ctx context.Context, r *request) (member.Access, error) {
	return b.members.Access(ctx, r.userID)
}

func draftAudience(c store.Conversation) scheduler.Audience {
	var a scheduler.Audience
	if s := c.Data["aud"]; s != "" {
		_ = json.Unmarshal([]byte(s), &a) // written by setAudience
	}
	return a
}

func setAudience(c *store.Conversation, a scheduler.Audience) {
	data, _ := json.Marshal(a)
	c.Data["aud"] = string(data)
}

func draftBroadcast(c store.Conversation) scheduler.Broadcast {
	bc := scheduler.Broadcast{Text: c.Data["text"], Media: c.Data["media"], Audience: draftAudience(c), Ack: c.Data["ack"] == "1"}
	if at, err := time.Parse(time.RFC3339, c.Data["at"]); err == nil {
		bc.SendAt = at
	}
	return bc
}

// broadcastFlow takes what the coordinator types in the dialogue.
func (b *Bot) broadcastFlow(ctx context.Context, r *request, c store.Conversation) error {
	switch c.Step {
	case stepBcText:
		return b.broadcastText(ctx, r, c, r.text, "")
	case stepBcTime:
		at, ok := parseWhen(r.text, b.now(), b.loc)
		if !ok {
			return b.reply(ctx, r, t("bc.bad_time"))
		}
		c.Data["at"] = at.UTC().Format(time.RFC3339)
		return b.broadcastPreview(ctx, r, c, false)
	}
	return b.reply(ctx, r, t("bc.use_buttons"))
}

// broadcastMedia takes a photo or file sent as the notice.
func (b *Bot) broadcastMedia(ctx context.Context, r *request, c store.Conversation) error {
	m := r.msg
	if msg := attachmentTooBig(m); msg != "" {
		return b.reply(ctx, r, msg) // the dialogue waits for another notice
	}
	media := ""
	switch {
	case len(m.Photo) > 0:
		media = mediaPhoto + ":" + m.Photo[len(m.Photo)-1].FileID
	case m.Document != nil:
		media = mediaDocument + ":" + m.Document.FileID
	}
	return b.broadcastText(ctx, r, c, cleanText(m.Caption), media)
}

func (b *Bot) broadcastText(ctx context.Context, r *request, c store.Conversation, text, media string) error {
	if text == "" {
		return b.reply(ctx, r, t("bc.empty"))
	}
	limit := scheduler.MaxBroadcastRunes
	if media != "" {
		limit = scheduler.MaxCaptionRunes
	}
	if n := textLen(text); n > limit {
		return b.reply(ctx, r, t("bc.too_long", n, limit))
	}
	c.Data["text"], c.Data["media"], c.Step = text, media, stepBcAudience
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.send(ctx, r.chatID, b.audienceMenu())
}

func (b *Bot) audienceMenu() message {
	rows := [][]models.InlineKeyboardButton{
		{button(t("bc.aud_all"), "bc", "aud", "all"), button(t("bc.aud_dist"), "bc", "aud", "dist")},
		{button(t("bc.aud_event"), "bc", "aud", "ev"), button(t("bc.aud_exam"), "bc", "aud", "exam")},
		{button(t("bc.aud_venue"), "bc", "aud", "venue"), button(t("bc.aud_level"), "bc", "aud", "level")},
		{button(t("bc.aud_behind"), "bc", "aud", "behind"), button(t("bc.cancel"), "bc", "x")},
	}
	return message{text: t("bc.ask_audience"), markup: keyboard(rows...)}
}

// onBroadcastButton handles the dialogue's buttons and those on notices
// and status messages.
func (b *Bot) onBroadcastButton(ctx context.Context, r *request, payload string) error {
	if b.sched == nil {
		return b.staleButton(ctx, r)
	}
	args := strings.Split(payload, ":")
	id := int64(0)
	if len(args) > 1 {
		id, _ = strconv.ParseInt(args[1], 10, 64)
	}
	switch args[0] {
	case "ack":
		return b.ackBroadcast(ctx, r, id)
	case "stop", "rm", "fix", "wd", "wdok", "cx", "s":
		if r.role < RoleCoordinator {
			return b.staleButton(ctx, r)
		}
		return b.broadcastAction(ctx, r, args[0], id)
	}
	if r.role < RoleCoordinator {
		return b.staleButton(ctx, r)
	}
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || (err == nil && c.Flow != flowBroadcast) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	a := draftAudience(c)
	switch args[0] {
	case "x":
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("bc.dropped")})
	case "edit":
		c = store.Conversation{Flow: flowBroadcast, Step: stepBcText, Data: map[string]string{}}
		if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("bc.ask_text", scheduler.MaxBroadcastRunes, scheduler.MaxCaptionRunes)})
	case "aud":
		if c.Step != stepBcAudience {
			return b.staleButton(ctx, r)
		}
		kind := ""
		if len(args) > 1 {
			kind = args[1]
		}
		return b.chooseAudience(ctx, r, c, actor, kind)
	case "d":
		if c.Step != stepBcAudience || actor.District != "" {
			return b.staleButton(ctx, r)
		}
		i, err := strconv.Atoi(args[min(1, len(args)-1)])
		names := b.members.Districts().Names()
		if err != nil || i < 0 || i >= len(names) {
			return b.staleButton(ctx, r)
		}
		a.Districts = toggle(a.Districts, names[i])
		setAudience(&c, a)
		if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, b.districtPicker(a))
	case "dok":
		if c.Step != stepBcAudience || len(a.Districts) == 0 {
			b.ack(r, t("bc.pick_district"), false)
			return nil
		}
		return b.broadcastOptions(ctx, r, c)
	case "ev", "exam", "venue", "lvl":
		if c.Step != stepBcAudience || len(args) < 2 {
			return b.staleButton(ctx, r)
		}
		a = scheduler.Audience{}
		switch args[0] {
		case "lvl":
			names := b.levelNames()
			i, err := strconv.Atoi(args[1])
			if err != nil || i < 0 || i >= len(names) {
				return b.staleButton(ctx, r)
			}
			a.Levels = []string{names[i]}
		case "ev":
			a.EventID = id
		case "exam":
			a.NotPassed = args[1]
		case "venue":
			a.VenueID = id
		}
		setAudience(&c, a)
		return b.broadcastOptions(ctx, r, c)
	case "ack1", "ack0":
		if c.Step != stepBcOptions {
			return b.staleButton(ctx, r)
		}
		c.Data["ack"] = map[string]string{"ack1": "1", "ack0": ""}[args[0]]
		if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, optionsMenu(c))
	case "now":
		if c.Step != stepBcOptions {
			return b.staleButton(ctx, r)
		}
		delete(c.Data, "at")
		return b.broadcastPreview(ctx, r, c, true)
	case "later":
		if c.Step != stepBcOptions {
			return b.staleButton(ctx, r)
		}
		c.Step = stepBcTime
		if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("bc.ask_time")})
	case "go":
		// The button names the preview it confirms: an older preview's
		// button must not send a newer draft.
		if c.Step != stepBcPreview || len(args) < 2 || args[1] != c.Data["n"] {
			return b.staleButton(ctx, r)
		}
		return b.confirmBroadcast(ctx, r, c, actor)
	}
	return b.staleButton(ctx, r)
}

// draftNonce names one preview of a draft, so a button of an older
// preview cannot confirm a newer one.
func draftNonce() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return hex.EncodeToString(b[:])
}

// levelNames are the certification levels an audience may name.
func (b *Bot) levelNames() []string {
	if b.records == nil {
		return nil
	}
	return b.records.LevelNames()
}

func toggle(list []string, s string) []string {
	for i, x := range list {
		if x == s {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return append(list, s)
}

// chooseAudience answers an audience button: everyone goes on to the
// options, the others show what to choose from.
func (b *Bot) chooseAudience(ctx context.Context, r *request, c store.Conversation, actor member.Access, kind string) error {
	switch kind {
	case "all":
		setAudience(&c, scheduler.Audience{})
		return b.broadcastOptions(ctx, r, c)
	case "behind":
		if b.records == nil {
			return b.staleButton(ctx, r)
		}
		setAudience(&c, scheduler.Audience{Behind: true})
		return b.broadcastOptions(ctx, r, c)
	case "level":
		names := b.levelNames()
		if len(names) == 0 {
			b.ack(r, t("bc.no_levels"), true)
			return nil
		}
		var buttons []models.InlineKeyboardButton
		for i, n := range names {
			buttons = append(buttons, button(n, "bc", "lvl", i))
		}
		return b.editCallbackMessage(ctx, r, message{text: t("bc.pick_level"), markup: keyboard(grid(buttons, 4)...)})
	case "dist":
		if actor.District != "" {
			b.ack(r, t("bc.own_district", actor.District), true)
			return nil
		}
		setAudience(&c, scheduler.Audience{})
		if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, b.districtPicker(scheduler.Audience{}))
	case "ev":
		events, err := b.sched.ManagedEvents(ctx, actor, 20)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			b.ack(r, t("bc.no_events"), true)
			return nil
		}
		var rows [][]models.InlineKeyboardButton
		for _, v := range events {
			rows = append(rows, []models.InlineKeyboardButton{button(truncate(v.Event.Title, 40), "bc", "ev", v.Event.ID)})
		}
		return b.editCallbackMessage(ctx, r, message{text: t("bc.pick_event"), markup: keyboard(rows...)})
	case "exam":
		if b.quiz == nil || len(b.quiz.Exams()) == 0 {
			b.ack(r, t("bc.no_exams"), true)
			return nil
		}
		var rows [][]models.InlineKeyboardButton
		for _, e := range b.quiz.Exams() {
			rows = append(rows, []models.InlineKeyboardButton{button(truncate(e.Title, 40), "bc", "exam", e.ID)})
		}
		return b.editCallbackMessage(ctx, r, message{text: t("bc.pick_exam"), markup: keyboard(rows...)})
	case "venue":
		venues, err := b.sched.Venues(ctx, actor.District)
		if err != nil {
			return err
		}
		if len(venues) == 0 {
			b.ack(r, t("bc.no_venues"), true)
			return nil
		}
		var rows [][]models.InlineKeyboardButton
		for _, v := range venues[:min(len(venues), 30)] {
			rows = append(rows, []models.InlineKeyboardButton{button(truncate(v.Name, 40), "bc", "venue", v.ID)})
		}
		return b.editCallbackMessage(ctx, r, message{text: t("bc.pick_venue"), markup: keyboard(rows...)})
	}
	return b.staleButton(ctx, r)
}

func (b *Bot) districtPicker(a scheduler.Audience) message {
	var buttons []models.InlineKeyboardButton
	for i, d := range b.members.Districts().Names() {
		mark := "☐ "
		for _, x := range a.Districts {
			if x == d {
				mark = "☑ "
			}
		}
		buttons = append(buttons, button(mark+d, "bc", "d", i))
	}
	rows := grid(buttons, 2)
	rows = append(rows, []models.InlineKeyboardButton{button(t("bc.districts_done"), "bc", "dok")})
	return message{text: t("bc.pick_districts"), markup: keyboard(rows...)}
}

func (b *Bot) broadcastOptions(ctx context.Context, r *request, c store.Conversation) error {
	c.Step = stepBcOptions
	if _, ok := c.Data["ack"]; !ok {
		c.Data["ack"] = "1" // a notice asks for 收到 unless told otherwise
	}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, optionsMenu(c))
}

func optionsMenu(c store.Conversation) message {
	ack := button(t("bc.ack_on"), "bc", "ack0")
	if c.Data["ack"] != "1" {
		ack = button(t("bc.ack_off"), "bc", "ack1")
	}
	return message{text: t("bc.ask_options"), markup: keyboard(
		[]models.InlineKeyboardButton{ack},
		[]models.InlineKeyboardButton{button(t("bc.send_now"), "bc", "now"), button(t("bc.send_later"), "bc", "later")},
		[]models.InlineKeyboardButton{button(t("bc.cancel"), "bc", "x")},
	)}
}

// broadcastPreview shows the draft with the number of people it reaches.
func (b *Bot) broadcastPreview(ctx context.Context, r *request, c store.Conversation, edit bool) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	draft, rec, err := b.sched.Preview(ctx, actor, draftBroadcast(c))
	if msg := broadcastRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	} else if err != nil {
		return err
	}
	c.Step = stepBcPreview
	c.Data["n"] = draftNonce()
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	when := t("bc.when_now")
	if !draft.SendAt.IsZero() && draft.SendAt.After(b.now()) {
		when = t("bc.when_at", draft.SendAt.In(b.loc).Format("2006-01-02 15:04"))
	}
	ack := t("bc.ack_no")
	if draft.Ack {
		ack = t("bc.ack_yes")
	}
	body := esc(draft.Text)
	if draft.Media != "" {
		body = t("bc.with_media") + "\n" + body
	}
	text := t("bc.preview", body, esc(b.describeAudience(ctx, draft.Audience, actor)), len(rec.UserIDs), rec.Skipped, ack, when)
	if b.quietNow() && (draft.SendAt.IsZero() || !draft.SendAt.After(b.now())) {
		text += "\n" + t("bc.quiet_note")
	}
	m := message{text: text, markup: keyboard(
		[]models.InlineKeyboardButton{button(t("bc.confirm"), "bc", "go", c.Data["n"])},
		[]models.InlineKeyboardButton{button(t("bc.restart"), "bc", "edit"), button(t("bc.cancel"), "bc", "x")},
	)}
	if edit && r.cb != nil {
		return b.editCallbackMessage(ctx, r, m)
	}
	return b.send(ctx, r.chatID, m)
}

// describeAudience names an audience in words.
func (b *Bot) describeAudience(ctx context.Context, a scheduler.Audience, actor member.Access) string {
	var parts []string
	switch {
	case len(a.Districts) > 0:
		parts = append(parts, strings.Join(a.Districts, "、"))
	default:
		parts = append(parts, t("bc.everyone"))
	}
	if a.EventID != 0 {
		if e, err := b.sched.Event(ctx, a.EventID); err == nil {
			parts = append(parts, t("bc.of_event", truncate(e.Title, 40)))
		}
	}
	if a.NotPassed != "" && b.quiz != nil {
		if e, err := b.quiz.Exam(a.NotPassed); err == nil {
			parts = append(parts, t("bc.not_passed", e.Title))
		}
	}
	if a.VenueID != 0 {
		if v, err := b.sched.Venue(ctx, a.VenueID); err == nil {
			parts = append(parts, t("bc.at_venue", v.Name))
		}
	}
	if len(a.Levels) > 0 {
		parts = append(parts, t("bc.of_level", strings.Join(a.Levels, "、")))
	}
	if a.Behind {
		parts = append(parts, t("bc.behind"))
	}
	return strings.Join(parts, " · ")
}

// confirmBroadcast creates the broadcast and ends the dialogue in one
// transaction, then shows its status.
func (b *Bot) confirmBroadcast(ctx context.Context, r *request, c store.Conversation, actor member.Access) error {
	var bc scheduler.Broadcast
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		if bc, err = b.sched.CreateBroadcast(ctx, actor, draftBroadcast(c)); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := broadcastRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	} else if err != nil {
		return err
	}
	if bc.State == scheduler.Scheduled {
		return b.editCallbackMessage(ctx, r, message{text: t("bc.scheduled", bc.ID, bc.SendAt.In(b.loc).Format("2006-01-02 15:04")),
			markup: keyboard([]models.InlineKeyboardButton{button(t("bc.cancel_scheduled"), "bc", "cx", bc.ID)})})
	}
	b.ack(r, t("bc.queued", bc.Recipients), false)
	return b.showStatus(ctx, r.chatID, bc.ID)
}

// showStatus sends a broadcast's status message and keeps it up to date.
func (b *Bot) showStatus(ctx context.Context, chatID int64, id int64) error {
	st, err := b.sched.StatusOf(ctx, id)
	if err != nil {
		return err
	}
	sent, err := b.out.send(ctx, chatID, b.statusMessage(st))
	if err != nil {
		return err
	}
	if err := b.sched.SetStatusMessage(ctx, id, chatID, sent.ID); err != nil {
		return err
	}
	// Kept current while it is sent, and (asking for 收到) while the
	// acknowledgements come in; refreshStatuses lets it go.
	b.watch.add(id)
	b.watch.show(id, b.statusMessage(st).text)
	return nil
}

// statusMessage is a broadcast's delivery report: a progress bar while it
// is sent, and what can be done with it.
func (b *Bot) statusMessage(st scheduler.BroadcastStatus) message { return statusMessage(st) }

func statusMessage(st scheduler.BroadcastStatus) message {
	bc, c := st.Broadcast, st.Counts
	total := c.Pending + c.Sending + c.Sent + c.Failed + c.Uncertain + c.Cancelled
	done := total - c.Pending - c.Sending
	state := t("bc.state_sending")
	switch {
	case bc.State == scheduler.Stopped:
		state = t("bc.state_stopped")
	case bc.State == scheduler.Withdrawn:
		state = t("bc.state_withdrawn")
	case bc.State == scheduler.Scheduled:
		state = t("bc.state_scheduled")
	case bc.State == scheduler.Dropped:
		state = t("bc.state_cancelled")
	case st.Done():
		state = t("bc.state_done")
	}
	text := t("bc.status", bc.ID, state, progressBar(done, total), done, total, c.Sent, c.Failed, st.Blocked, c.Uncertain, c.Cancelled, bc.Skipped)
	if bc.Ack {
		text += "\n" + t("bc.status_acked", st.Acked, c.Sent)
	}
	text += "\n\n" + esc(truncate(bc.Text, 200))
	var rows [][]models.InlineKeyboardButton
	switch {
	case bc.State == scheduler.Scheduled:
		rows = append(rows, []models.InlineKeyboardButton{button(t("bc.cancel_scheduled"), "bc", "cx", bc.ID)})
	case !st.Done() && bc.State == scheduler.Sent:
		rows = append(rows, []models.InlineKeyboardButton{button(t("bc.stop"), "bc", "stop", bc.ID)})
	case bc.State == scheduler.Sent || bc.State == scheduler.Stopped:
		var row []models.InlineKeyboardButton
		if bc.Ack {
			row = append(row, button(t("bc.remind_button"), "bc", "rm", bc.ID))
		}
		row = append(row, button(t("bc.fix"), "bc", "fix", bc.ID), button(t("bc.withdraw"), "bc", "wd", bc.ID))
		rows = append(rows, row, []models.InlineKeyboardButton{button(t("bc.refresh"), "bc", "s", bc.ID)})
	}
	m := message{text: text}
	if len(rows) > 0 {
		m.markup = keyboard(rows...)
	}
	return m
}

func progressBar(done, total int) string {
	const width = 10
	if total == 0 {
		return strings.Repeat("░", width) + " 0%"
	}
	filled := done * width / total
	return strings.Repeat("▓", filled) + strings.Repeat("░", width-filled) + fmt.Sprintf(" %d%%", done*100/total)
}

// broadcastAction handles the buttons of a status message.
func (b *Bot) broadcastAction(ctx context.Context, r *request, action string, id int64) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	var n int
	switch action {
	case "s":
		st, err := b.sched.Status(ctx, actor, id)
		if msg := broadcastRefusal(err); msg != "" {
			return b.refuse(ctx, r, msg)
		} else if err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, b.statusMessage(st))
	case "stop":
		err = b.atomic(ctx, func(ctx context.Context) error {
			_, n, err = b.sched.StopBroadcast(ctx, actor, id)
			return err
		})
		if err == nil {
			b.ack(r, t("bc.stopped", n), false)
		}
	case "cx":
		err = b.atomic(ctx, func(ctx context.Context) error {
			_, err := b.sched.CancelBroadcast(ctx, actor, id)
			return err
		})
		if err == nil {
			b.ack(r, t("bc.cancelled"), false)
		}
	case "rm":
		err = b.atomic(ctx, func(ctx context.Context) error {
			n, err = b.sched.RemindUnacked(ctx, actor, id)
			return err
		})
		if err == nil {
			b.ack(r, t("bc.reminded", n), false)
		}
	case "wd":
		if _, err := b.sched.Broadcast(ctx, actor, id); err != nil {
			return b.refuse(ctx, r, cmpStr(broadcastRefusal(err), t("unknown.button")))
		}
		b.ack(r, "", false)
		return b.send(ctx, r.chatID, message{text: t("bc.withdraw_confirm", id), markup: keyboard(
			[]models.InlineKeyboardButton{button(t("bc.withdraw_yes"), "bc", "wdok", id), button(t("bc.keep"), "bc", "s", id)})})
	case "wdok":
		err = b.atomic(ctx, func(ctx context.Context) error {
			_, n, err = b.sched.WithdrawBroadcast(ctx, actor, id)
			return err
		})
		if err == nil {
			b.ack(r, t("bc.withdrawn", n), false)
			b.watch.add(id)
		}
	case "fix":
		if _, err := b.sched.Broadcast(ctx, actor, id); err != nil {
			return b.refuse(ctx, r, cmpStr(broadcastRefusal(err), t("unknown.button")))
		}
		c := store.Conversation{Flow: flowBroadcastFix, Step: "text", Data: map[string]string{"id": strconv.FormatInt(id, 10)}}
		return b.askPrivately(ctx, r, c, t("bc.ask_fix"))
	}
	if msg := broadcastRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	} else if err != nil {
		return err
	}
	st, err := b.sched.StatusOf(ctx, id)
	if err != nil {
		return err
	}
	if st.Broadcast.StatusMessage != 0 {
		err := b.out.edit(ctx, st.Broadcast.StatusChat, st.Broadcast.StatusMessage, b.statusMessage(st))
		if err != nil && !isNotModified(err) {
			b.log.Warn("broadcast status", "broadcast", id, "err", err)
		}
	}
	return nil
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// broadcastFixFlow takes the corrected text of a sent notice.
func (b *Bot) broadcastFixFlow(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	if r.text == "" {
		return b.reply(ctx, r, t("bc.empty"))
	}
	var n int
	err = b.atomic(ctx, func(ctx context.Context) error {
		if _, n, err = b.sched.CorrectBroadcast(ctx, actor, id, r.text); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := broadcastRefusal(err); msg != "" {
		if errors.Is(err, scheduler.ErrBroadcastTooLong) || errors.Is(err, scheduler.ErrCaptionTooLong) {
			return b.reply(ctx, r, msg) // stay: they may shorten it
		}
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("bc.fixed", n))
}

// ackBroadcast records a recipient's 收到.
func (b *Bot) ackBroadcast(ctx context.Context, r *request, id int64) error {
	var first bool
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		first, err = b.sched.Ack(ctx, r.userID, id)
		return err
	})
	switch {
	case errors.Is(err, scheduler.ErrNotRecipient), errors.Is(err, scheduler.ErrNotFound):
		return b.staleButton(ctx, r)
	case err != nil:
		return err
	case first:
		b.ack(r, t("bc.acked"), false)
	default:
		b.ack(r, t("bc.acked_before"), false)
	}
	return nil
}

// cmdBroadcasts lists the latest broadcasts in the coordinator's scope.
func (b *Bot) cmdBroadcasts(ctx context.Context, r *request) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	list, err := b.sched.Broadcasts(ctx, actor, 10)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return b.reply(ctx, r, t("bc.none"))
	}
	var sb strings.Builder
	sb.WriteString(t("bc.list_head"))
	var rows [][]models.InlineKeyboardButton
	for _, bc := range list {
		fmt.Fprintf(&sb, "\n\n%s", t("bc.list_line", bc.ID, bc.Created.In(b.loc).Format("01-02 15:04"), broadcastStateName(bc.State), bc.Recipients, esc(truncate(bc.Text, 40))))
		rows = append(rows, []models.InlineKeyboardButton{button(t("bc.open", bc.ID), "bc", "s", bc.ID)})
	}
	return b.send(ctx, r.chatID, message{text: sb.String(), markup: keyboard(rows...)})
}

func broadcastStateName(s scheduler.BroadcastState) string {
	switch s {
	case scheduler.Scheduled:
		return t("bc.state_scheduled")
	case scheduler.Stopped:
		return t("bc.state_stopped")
	case scheduler.Withdrawn:
		return t("bc.state_withdrawn")
	case scheduler.Dropped:
		return t("bc.state_cancelled")
	}
	return t("bc.state_sent")
}

// broadcastRefusal is the reply to a refused broadcast action, "" when err
// is not a refusal.
func broadcastRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, scheduler.ErrEmptyAudience):
		return t("bc.empty_audience")
	case errors.Is(err, scheduler.ErrOutOfScope), errors.Is(err, scheduler.ErrNoDistricts):
		return t("sched.out_of_scope")
	case errors.Is(err, scheduler.ErrNotCoordinator):
		return t("denied.command")
	case errors.Is(err, scheduler.ErrBroadcastTooLong):
		return t("bc.too_long_plain", scheduler.MaxBroadcastRunes)
	case errors.Is(err, scheduler.ErrCaptionTooLong):
		return t("bc.too_long_plain", scheduler.MaxCaptionRunes)
	case errors.Is(err, scheduler.ErrNoBroadcastText):
		return t("bc.empty")
	case errors.Is(err, scheduler.ErrSendAtPast):
		return t("bc.time_past")
	case errors.Is(err, scheduler.ErrSendAtTooFar):
		return t("bc.time_far")
	case errors.Is(err, scheduler.ErrNoSuchEventOrExam), errors.Is(err, scheduler.ErrNotFound):
		return t("bc.gone")
	case errors.Is(err, scheduler.ErrNotSent), errors.Is(err, scheduler.ErrAlreadySent):
		return t("bc.not_now")
	case errors.Is(err, scheduler.ErrStillSending):
		return t("bc.still_sending")
	case errors.Is(err, scheduler.ErrUnknownDistrict):
		return t("bc.gone")
	}
	return ""
}

// parseWhen reads a send time: 2026-12-05 09:00, 12-05 09:00, 明天 09:00,
// or 09:00 (today, or tomorrow when that has passed), in loc.
func parseWhen(text string, now time.Time, loc *time.Location) (time.Time, bool) {
	text = strings.TrimSpace(strings.NewReplacer("：", ":", "　", " ").Replace(text))
	now = now.In(loc)
	day := now
	if rest, ok := strings.CutPrefix(text, "明天"); ok {
		day, text = now.AddDate(0, 0, 1), strings.TrimSpace(rest)
	} else if rest, ok := strings.CutPrefix(text, "今天"); ok {
		text = strings.TrimSpace(rest)
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-1-2 15:04"} {
		if at, err := time.ParseInLocation(layout, text, loc); err == nil {
			return at, true
		}
	}
	if at, err := time.ParseInLocation("01-02 15:04", text, loc); err == nil {
		at = time.Date(now.Year(), at.Month(), at.Day(), at.Hour(), at.Minute(), 0, 0, loc)
		if at.Before(now) {
			at = at.AddDate(1, 0, 0)
		}
		return at, true
	}
	if at, err := time.ParseInLocation("15:04", text, loc); err == nil {
		at = time.Date(day.Year(), day.Month(), day.Day(), at.Hour(), at.Minute(), 0, 0, loc)
		if at.Before(now) && day.Equal(now) {
			at = at.AddDate(0, 0, 1)
		}
		return at, true
	}
	return time.Time{}, false
}

// watchList holds the broadcasts whose status messages are being kept up
// to date while they are sent.
type watchList struct {
	mu  sync.Mutex
	ids map[int64]string // the text last shown, so an unchanged one is not edited again
}

func (w *watchList) add(id int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ids == nil {
		w.ids = map[int64]string{}
	}
	if _, ok := w.ids[id]; !ok {
		w.ids[id] = ""
	}
}

// shown reports whether text is what id's status message shows.
func (w *watchList) shown(id int64, text string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ids[id] == text
}

// show records that id's status message shows text.
func (w *watchList) show(id int64, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.ids[id]; ok {
		w.ids[id] = text
	}
}

func (w *watchList) list() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]int64, 0, len(w.ids))
	for id := range w.ids {
		out = append(out, id)
	}
	return out
}

func (w *watchList) drop(id int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.ids, id)
}

// statusWatchFor is how long the status message of a notice asking for
// 收到 is kept current.
const statusWatchFor = 24 * time.Hour

// refreshStatuses edits the status messages of the broadcasts being sent,
// and lets go of those that are done (after one last edit).
func (b *Bot) refreshStatuses(ctx context.Context) {
	for _, id := range b.watch.list() {
		st, err := b.sched.StatusOf(ctx, id)
		if err != nil {
			b.watch.drop(id)
			continue
		}
		if st.Broadcast.StatusMessage == 0 {
			// A scheduled one's report went through the outbox: once it
			// is delivered, that message is the one to keep current.
			chat, msgID, ok, err := b.sched.QueuedStatus(ctx, id)
			if err != nil || !ok {
				continue
			}
			if err := b.sched.SetStatusMessage(ctx, id, chat, msgID); err != nil {
				continue
			}
			st.Broadcast.StatusChat, st.Broadcast.StatusMessage = chat, msgID
		}
		if st.Broadcast.StatusMessage != 0 {
			m := b.statusMessage(st)
			if !b.watch.shown(id, m.text) {
				err := b.out.edit(ctx, st.Broadcast.StatusChat, st.Broadcast.StatusMessage, m)
				switch {
				case err == nil || isNotModified(err):
					b.watch.show(id, m.text)
				default:
					b.log.Warn("broadcast status", "broadcast", id, "err", err)
				}
			}
		}
		// Sent, it is let go; one asking for 收到 is kept up to date a day
		// more, while the acknowledgements come in.
		if st.Done() && (!st.Broadcast.Ack || b.now().Sub(st.Broadcast.Created) > statusWatchFor || st.Broadcast.State == scheduler.Withdrawn) {
			b.watch.drop(id)
		}
	}
}

// resumeStatuses picks up, after a restart, the status messages of the
// broadcasts still being sent. A broadcast sent at once whose status
// message was never recorded (the process stopped between the broadcast's
// commit and its report) gets its report now, if it is recent: the
// coordinator must learn that it went out, or may send it again. One
// whose report went through the outbox (a scheduled one's) is watched
// until that report is delivered.
func (b *Bot) resumeStatuses(ctx context.Context) {
	if b.sched == nil {
		return
	}
	list, err := b.sched.Broadcasts(ctx, member.Access{Role: member.RoleAdmin}, 50)
	if err != nil {
		return
	}
	for _, bc := range list {
		switch {
		case bc.State != scheduler.Sent:
		case bc.StatusMessage != 0:
			b.watch.add(bc.ID)
		case bc.CreatedBy == 0 || b.now().Sub(bc.Created) > statusWatchFor:
		default:
			queued, err := b.sched.StatusQueued(ctx, bc.ID)
			switch {
			case err != nil:
				b.log.Warn("broadcast status", "broadcast", bc.ID, "err", err)
			case queued:
				b.watch.add(bc.ID)
			default:
				if err := b.showStatus(ctx, bc.CreatedBy, bc.ID); err != nil && ctx.Err() == nil {
					b.log.Warn("broadcast status after a restart", "broadcast", bc.ID, "err", err)
				}
			}
		}
	}
}

// schedTick does the scheduler's timed work and keeps status messages up
// to date. The bot runs it every two seconds; tests call SchedTick.
func (b *Bot) schedTick(ctx context.Context) {
	// The loop and a test's SchedTick take turns: a tick's edits are done
	// when it returns.
	b.schedMu.Lock()
	defer b.schedMu.Unlock()
	released, err := b.sched.Tick(ctx)
	if err != nil && ctx.Err() == nil {
		b.log.Error("scheduler", "err", err)
	}
	if len(released) > 0 {
		b.sender.Wake()
	}
	for _, bc := range released {
		b.watch.add(bc.ID) // its status report is queued with it; kept current once delivered
	}
	b.refreshStatuses(ctx)
	b.refreshCodes(ctx)
	b.pushDaily(ctx)
	if b.records != nil {
		if n, err := b.records.RemindDuties(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("duty reminders", "err", err)
		} else if n > 0 {
			b.sender.Wake()
		}
	}
}

// SchedTick runs the scheduler's timed work once (tests, after moving the
// clock).
func (b *Bot) SchedTick(ctx context.Context) {
	if b.sched != nil {
		b.schedTick(ctx)
	}
}

// schedLoop runs schedTick every two seconds until ctx ends.
func (b *Bot) schedLoop(ctx context.Context) {
	if b.sched == nil {
		return
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		b.schedTick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
