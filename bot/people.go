package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// The registration and profile-edit dialogues. Their state lives in the
// conversation store, so a restart in the middle resumes the dialogue, and
// nothing reaches the member tables until the person confirms.
const (
	flowRegister = "register"
	flowEdit     = "edit"
)

// regOrder is the order in which registration asks for the fields.
var regOrder = []member.Field{
	member.FieldName, member.FieldPhone, member.FieldDistrict, member.FieldOrg,
	member.FieldPost, member.FieldEducation, member.FieldStartYear,
}

// fieldLabel is the catalog key naming a field.
var fieldLabel = map[member.Field]string{
	member.FieldName:      "field.name",
	member.FieldPhone:     "field.phone",
	member.FieldDistrict:  "field.district",
	member.FieldOrg:       "field.org",
	member.FieldPost:      "field.post",
	member.FieldEducation: "field.education",
	member.FieldStartYear: "field.start_year",
}

// fieldPrompt is the catalog key of the question asking for a field.
var fieldPrompt = map[member.Field]string{
	member.FieldName:      "reg.ask.name",
	member.FieldPhone:     "reg.ask.phone",
	member.FieldDistrict:  "reg.ask.district",
	member.FieldOrg:       "reg.ask.org",
	member.FieldPost:      "reg.ask.post",
	member.FieldEducation: "reg.ask.education",
	member.FieldStartYear: "reg.ask.start_year",
}

// choices returns the closed list of values of a field, or nil for a field
// that is typed.
func (b *Bot) choices(f member.Field) []string {
	switch f {
	case member.FieldDistrict:
		return b.members.Districts().Names()
	case member.FieldPost:
		return member.Posts()
	case member.FieldEducation:
		return member.Educations()
	}
	return nil
}

// validField reports whether s names a profile field.
func validField(s string) (member.Field, bool) {
	for _, f := range regOrder {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// cmdStart welcomes a person; in a private chat it also starts registration
// for someone new, or redeems an invitation deep link.
func (b *Bot) cmdStart(ctx context.Context, r *request) error {
	if !r.private {
		return b.reply(ctx, r, t("start.group"))
	}
	if strings.HasPrefix(r.args, invitePrefix) {
		return b.redeemInvite(ctx, r, r.args)
	}
	if strings.HasPrefix(r.args, scheduler.CheckInLinkPrefix) && b.sched != nil {
		return b.checkInByLink(ctx, r)
	}
	p, err := b.members.Get(ctx, r.userID)
	switch {
	case errors.Is(err, member.ErrNotFound) || (err == nil && (p.Status == member.StatusRejected || p.Status == member.StatusDeleted)):
		// the welcome is sent before the dialogue is saved: a crash between
		// replays /start (and welcomes twice) rather than leave no dialogue
		if err := b.reply(beforeWrite(ctx), r, t("start.welcome", esc(displayName(r.user)))); err != nil {
			return err
		}
		return b.beginRegistration(ctx, r)
	case err != nil:
		return err
	}
	return b.reply(ctx, r, t("start.back", esc(p.Name), t(statusKey(p.Status))))
}

func displayName(u *models.User) string {
	if u == nil {
		return "同志"
	}
	if name := strings.TrimSpace(u.FirstName + " " + u.LastName); name != "" {
		return name
	}
	return "同志"
}

// beginRegistration starts the registration dialogue at its first step, or
// takes it up where the person left it.
func (b *Bot) beginRegistration(ctx context.Context, r *request) error {
	if c, err := b.conv.Get(ctx, r.chatID, r.userID); err == nil && c.Flow == flowRegister {
		if c.Step == stepConfirm {
			return b.send(ctx, r.chatID, confirmMessage(c))
		}
		return b.prompt(ctx, r, c)
	}
	c := store.Conversation{Flow: flowRegister, Step: string(regOrder[0]), Data: map[string]string{}}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.prompt(ctx, r, c)
}

// prompt asks for the field of the conversation's step.
func (b *Bot) prompt(ctx context.Context, r *request, c store.Conversation) error {
	f := member.Field(c.Step)
	text := t(fieldPrompt[f])
	if c.Flow == flowRegister && !fixing(c) {
		text = t("reg.step", stepNumber(f), len(regOrder)) + text
	}
	if cur := c.Data[string(f)]; cur != "" || c.Flow == flowEdit {
		if cur == "" {
			cur = c.Data["current"]
		}
		if cur != "" {
			text += "\n" + t("reg.current", esc(cur))
		}
	}
	text += "\n" + t("reg.cancel_hint")
	m := message{text: text}
	switch {
	case f == member.FieldPhone:
		m.markup = &models.ReplyKeyboardMarkup{
			Keyboard:        [][]models.KeyboardButton{{{Text: t("reg.share_phone"), RequestContact: true}}},
			ResizeKeyboard:  true,
			OneTimeKeyboard: true,
		}
	case b.choices(f) != nil:
		var buttons []models.InlineKeyboardButton
		for i, v := range b.choices(f) {
			buttons = append(buttons, button(v, "rg", f, i))
		}
		m.markup = &models.InlineKeyboardMarkup{InlineKeyboard: grid(buttons, 3)}
	}
	return b.send(ctx, r.chatID, m)
}

func stepNumber(f member.Field) int {
	for i, g := range regOrder {
		if g == f {
			return i + 1
		}
	}
	return 0
}

// fixing reports whether a registration step is a correction made from the
// confirmation screen, after which the dialogue returns there.
func fixing(c store.Conversation) bool { return c.Data["fixing"] == "1" }

// profileFlow handles what a person types during registration or an edit.
func (b *Bot) profileFlow(ctx context.Context, r *request, c store.Conversation) error {
	f, ok := validField(c.Step)
	if !ok {
		switch c.Step {
		case stepConfirm:
			return b.reply(ctx, r, t("reg.press_confirm"))
		case stepMove:
			return b.reply(ctx, r, t("move.press"))
		}
		b.conv.End(ctx, r.chatID, r.userID)
		return b.reply(ctx, r, t("cancel.done"))
	}
	switch {
	case f == member.FieldPhone:
		return b.reply(ctx, r, t("reg.phone_button"))
	case b.choices(f) != nil:
		return b.reply(ctx, r, t("reg.press_choice"))
	}
	v, err := b.members.Check(f, r.text)
	if err != nil {
		return b.reply(ctx, r, memberError(err))
	}
	return b.accept(ctx, r, c, f, v, false)
}

// onContact takes a shared contact as the phone number of the dialogue.
func (b *Bot) onContact(ctx context.Context, r *request) error {
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || (err == nil && c.Step != string(member.FieldPhone)) {
		return b.reply(ctx, r, t("reg.contact_unexpected"))
	}
	if err != nil {
		return err
	}
	contact := r.msg.Contact
	if contact.UserID != r.userID {
		return b.reply(ctx, r, t("reg.contact_not_own"))
	}
	phone, err := b.members.Check(member.FieldPhone, contact.PhoneNumber)
	if err != nil {
		return b.reply(ctx, r, memberError(err))
	}
	if err := b.send(beforeWrite(ctx), r.chatID, message{text: t("reg.phone_received", maskPhone(phone)), markup: &models.ReplyKeyboardRemove{RemoveKeyboard: true}}); err != nil {
		return err
	}
	return b.accept(ctx, r, c, member.FieldPhone, phone, true)
}

// onChoice handles rg:<field>:<index>, a press on a closed choice.
func (b *Bot) onChoice(ctx context.Context, r *request, payload string) error {
	field, idx, _ := strings.Cut(payload, ":")
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	if err != nil || c.Step != field || (c.Flow != flowRegister && c.Flow != flowEdit) {
		return b.staleButton(ctx, r)
	}
	f, _ := validField(field)
	options := b.choices(f)
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(options) {
		return b.staleButton(ctx, r)
	}
	// Show the choice in place of the buttons, so the chat reads as a record.
	if msg := r.cb.Message.Message; msg != nil {
		b.out.edit(beforeWrite(ctx), r.chatID, msg.ID, message{text: t("reg.chosen", t(fieldLabel[f]), esc(options[i]))})
	}
	return b.accept(ctx, r, c, f, options[i], false)
}

// accept stores a field's value and moves the dialogue on: to the next
// registration step, back to the confirmation, or, for an edit, into the profile.
func (b *Bot) accept(ctx context.Context, r *request, c store.Conversation, f member.Field, v string, verified bool) error {
	if c.Flow == flowEdit && f == member.FieldDistrict && v != c.Data["current"] && c.Data["to"] != v {
		// A move that takes the approval away is confirmed first.
		wait, err := b.members.MoveNeedsApproval(ctx, r.userID, v)
		if msg := memberError(err); msg != "" {
			b.conv.End(ctx, r.chatID, r.userID)
			return b.reply(ctx, r, msg)
		} else if err != nil {
			return err
		}
		if wait {
			return b.askMove(ctx, r, c, v)
		}
	}
	if c.Flow == flowEdit {
		// The change, the end of the dialogue and the notice to the new
		// district's coordinators commit together.
		var p member.Profile
		err := b.atomic(ctx, func(ctx context.Context) error {
			if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
				return err
			}
			var err error
			if f == member.FieldPhone {
				p, err = b.members.UpdatePhone(ctx, r.userID, v, verified)
			} else {
				p, err = b.members.Update(ctx, r.userID, f, v)
			}
			if err != nil {
				return err
			}
			// A move to another district waits for that district's coordinators.
			if f == member.FieldDistrict && v != c.Data["current"] && p.Status == member.StatusPending {
				return b.notifyApprovers(ctx, p)
			}
			return nil
		})
		if err != nil {
			if msg := memberError(err); msg != "" {
				// The dialogue ended, as before: the person starts the edit again.
				b.conv.End(ctx, r.chatID, r.userID)
				return b.reply(ctx, r, msg)
			}
			return err
		}
		note := t("me.updated", t(fieldLabel[f]))
		if f == member.FieldDistrict && v != c.Data["current"] && p.Status == member.StatusPending {
			note += "\n" + t("move.waiting", esc(p.District))
		}
		return b.send(ctx, r.chatID, b.profileMessage(p, note))
	}
	c.Data[string(f)] = v
	if f == member.FieldPhone {
		c.Data["phone_verified"] = strconv.FormatBool(verified)
	}
	next := stepConfirm
	if !fixing(c) {
		if i := stepNumber(f); i < len(regOrder) {
			next = string(regOrder[i])
		}
	}
	c.Step = next
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	if next == stepConfirm {
		return b.send(ctx, r.chatID, confirmMessage(c))
	}
	return b.prompt(ctx, r, c)
}

// stepConfirm is the registration's last step: check and submit.
const stepConfirm = "confirm"

// stepMove is the step of a district edit that waits for the person to
// confirm a move that needs the new district's approval.
const stepMove = "move"

// askMove says what moving to district will do to an approved person —
// back to 待审核 until the new district's coordinator approves — and asks
// them to confirm (mv:ok) or keep their district (mv:no).
func (b *Bot) askMove(ctx context.Context, r *request, c store.Conversation, district string) error {
	c.Step, c.Data["to"] = stepMove, district
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.send(ctx, r.chatID, message{
		text:   t("move.confirm", esc(c.Data["current"]), esc(district), esc(district)),
		markup: keyboard([]models.InlineKeyboardButton{button(t("move.ok"), "mv", "ok"), button(t("move.no"), "mv", "no")}),
	})
}

// onMoveButton handles mv:ok and mv:no, the answer to askMove.
func (b *Bot) onMoveButton(ctx context.Context, r *request, payload string) error {
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || err == nil && (c.Flow != flowEdit || c.Step != stepMove) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	switch payload {
	case "ok":
		b.editCallbackMessage(beforeWrite(ctx), r, message{text: t("move.confirmed", esc(c.Data["to"]))})
		return b.accept(ctx, r, c, member.FieldDistrict, c.Data["to"], false)
	case "no":
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("move.kept", esc(c.Data["current"]))})
	}
	return b.staleButton(ctx, r)
}

// confirmMessage shows what was entered, with a button to submit and one
// to correct each field.
func confirmMessage(c store.Conversation) message {
	var sb strings.Builder
	sb.WriteString(t("reg.confirm"))
	for _, f := range regOrder {
		v := c.Data[string(f)]
		if f == member.FieldPhone {
			v = maskPhone(v)
		}
		fmt.Fprintf(&sb, "\n%s：%s", t(fieldLabel[f]), esc(v))
	}
	rows := [][]models.InlineKeyboardButton{{button(t("reg.submit"), "rgok")}}
	rows = append(rows, fieldButtons("rgfix")...)
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}
}

// onFix handles rgfix:<field>: correct one field from the confirmation.
func (b *Bot) onFix(ctx context.Context, r *request, payload string) error {
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	f, ok := validField(payload)
	if err != nil || c.Flow != flowRegister || c.Step != stepConfirm || !ok {
		return b.staleButton(ctx, r)
	}
	c.Step = string(f)
	c.Data["fixing"] = "1"
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.prompt(ctx, r, c)
}

// onSubmit handles rgok: the registration is stored, in one transaction.
func (b *Bot) onSubmit(ctx context.Context, r *request, _ string) error {
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	if err != nil || c.Flow != flowRegister || c.Step != stepConfirm {
		return b.staleButton(ctx, r)
	}
	year, _ := strconv.Atoi(c.Data[string(member.FieldStartYear)])
	// The profile, the end of the dialogue and the notices to the
	// coordinators who can approve it commit together.
	var p member.Profile
	err = b.atomic(ctx, func(ctx context.Context) error {
		var err error
		p, err = b.members.Register(ctx, member.Registration{
			UserID:        r.userID,
			Name:          c.Data[string(member.FieldName)],
			Phone:         c.Data[string(member.FieldPhone)],
			PhoneVerified: c.Data["phone_verified"] == "true",
			District:      c.Data[string(member.FieldDistrict)],
			Org:           c.Data[string(member.FieldOrg)],
			Post:          c.Data[string(member.FieldPost)],
			Education:     c.Data[string(member.FieldEducation)],
			StartYear:     year,
		})
		if err != nil {
			return err
		}
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		if p.Status == member.StatusApproved {
			return nil
		}
		return b.notifyApprovers(ctx, p)
	})
	if err != nil {
		msg := memberError(err)
		if msg == "" {
			return err
		}
		return b.reply(ctx, r, msg)
	}
	b.editCallbackMessage(ctx, r, message{text: t("reg.submitted_record")})
	if p.Status == member.StatusApproved {
		return b.reply(ctx, r, t("reg.approved_at_once"))
	}
	return b.reply(ctx, r, t("reg.pending", esc(p.District)))
}

// notifyApprovers tells the coordinators who can approve p that p waits.
func (b *Bot) notifyApprovers(ctx context.Context, p member.Profile) error {
	ids, err := b.members.Approvers(ctx, p.District)
	if err != nil {
		return err
	}
	m := pendingCard(p)
	m.text = t("pending.new") + "\n" + m.text
	notices := make([]notice, 0, len(ids))
	for _, id := range ids {
		notices = append(notices, notice{chatID: id, msg: m})
	}
	return b.queue(ctx, "approval_request", notices...)
}

// maskPhone shows a phone number with its middle hidden.
func maskPhone(p string) string {
	if len(p) != 11 {
		return p
	}
	return p[:3] + "****" + p[7:]
}

// cmdMe shows the person's profile with buttons to edit it.
func (b *Bot) cmdMe(ctx context.Context, r *request) error {
	p, err := b.members.Get(ctx, r.userID)
	switch {
	case errors.Is(err, member.ErrNotFound) || (err == nil && p.Status == member.StatusDeleted):
		return b.reply(ctx, r, t("me.none")+b.studyBlock(ctx, r.userID))
	case err != nil:
		return err
	case p.Status == member.StatusRejected:
		return b.reply(ctx, r, t("me.rejected"))
	}
	// A worker who left keeps seeing their own record and its history.
	hist, err := b.members.History(ctx, r.userID, p.ID)
	if err != nil {
		return err
	}
	m := b.profileMessage(p, "")
	m.text += b.historyBlock(hist) + b.hoursBlock(ctx, r.userID) + b.studyBlock(ctx, r.userID)
	return b.send(ctx, r.chatID, m)
}

// profileMessage renders a profile for its owner, with edit buttons.
func (b *Bot) profileMessage(p member.Profile, note string) message {
	var sb strings.Builder
	if note != "" {
		sb.WriteString(note)
		sb.WriteString("\n\n")
	}
	sb.WriteString(t("me.header"))
	values := profileValues(p)
	for _, f := range regOrder {
		fmt.Fprintf(&sb, "\n%s：%s", t(fieldLabel[f]), esc(values[f]))
	}
	fmt.Fprintf(&sb, "\n%s：%s", t("me.status"), t(statusKey(p.Status)))
	if p.Role > member.RoleWorker {
		fmt.Fprintf(&sb, "\n%s：%s", t("me.role"), esc(roleName(p.Role, p.CoordDistrict)))
	}
	if p.Status == member.StatusLeft {
		return message{text: sb.String()}
	}
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: fieldButtons("me")}}
}

// fieldButtons offers to correct each profile field, through prefix.
func fieldButtons(prefix string) [][]models.InlineKeyboardButton {
	var buttons []models.InlineKeyboardButton
	for _, f := range regOrder {
		buttons = append(buttons, button(t("reg.fix", t(fieldLabel[f])), prefix, f))
	}
	return grid(buttons, 3)
}

// profileValues are a profile's fields as shown to their owner.
func profileValues(p member.Profile) map[member.Field]string {
	return map[member.Field]string{
		member.FieldName: p.Name, member.FieldPhone: maskPhone(p.Phone), member.FieldDistrict: p.District,
		member.FieldOrg: p.Org, member.FieldPost: p.Post, member.FieldEducation: p.Education,
		member.FieldStartYear: strconv.Itoa(p.StartYear),
	}
}

// onEditButton handles me:<field>: start editing one field of the profile.
func (b *Bot) onEditButton(ctx context.Context, r *request, payload string) error {
	f, ok := validField(payload)
	if !ok {
		return b.staleButton(ctx, r)
	}
	p, err := b.members.Get(ctx, r.userID)
	if err != nil || p.Status == member.StatusLeft || !p.Status.Live() {
		return b.staleButton(ctx, r)
	}
	c := store.Conversation{Flow: flowEdit, Step: string(f), Data: map[string]string{"current": profileValues(p)[f]}}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.prompt(ctx, r, c)
}

// statusKey is the catalog key naming a status.
func statusKey(s member.Status) string {
	if key, ok := statusKeys[s]; ok {
		return key
	}
	return "status.deleted"
}

var statusKeys = map[member.Status]string{
	member.StatusPending:  "status.pending",
	member.StatusApproved: "status.approved",
	member.StatusRejected: "status.rejected",
	member.StatusLeft:     "status.left",
	member.StatusDeleted:  "status.deleted",
}

// roleName says a role in words, with a coordinator's district.
func roleName(role member.Role, district string) string {
	switch role {
	case member.RoleAdmin:
		return t("role.admin")
	case member.RoleCoordinator:
		if district == "" {
			return t("role.city_coordinator")
		}
		return t("role.district_coordinator", district)
	}
	return t("role.worker")
}

// cmdPrivacy says what is stored and why.
func (b *Bot) cmdPrivacy(ctx context.Context, r *request) error {
	return b.reply(ctx, r, t("privacy.text"))
}

// cmdDeleteMe asks for confirmation before erasing the person's identity.
func (b *Bot) cmdDeleteMe(ctx context.Context, r *request) error {
	return b.send(ctx, r.chatID, message{text: t("deleteme.confirm"), markup: &models.InlineKeyboardMarkup{
		InlineKeyboard: [][]models.InlineKeyboardButton{{button(t("deleteme.yes"), "del", "yes"), button(t("deleteme.no"), "del", "no")}},
	}})
}

// onDeleteMe handles del:yes and del:no.
func (b *Bot) onDeleteMe(ctx context.Context, r *request, payload string) error {
	switch payload {
	case "no":
		return b.editCallbackMessage(ctx, r, message{text: t("deleteme.kept")})
	case "yes":
		// What they scheduled goes with their name, in the same
		// transaction: the erasure leaves nothing to tell its author by.
		err := b.atomic(ctx, func(ctx context.Context) error {
			if b.sched != nil {
				if err := b.sched.ForgetAuthor(ctx, r.userID); err != nil {
					return err
				}
			}
			return b.members.Erase(ctx, r.userID)
		})
		if err != nil && !errors.Is(err, member.ErrNotFound) {
			return err
		}
		if r.role == RoleCoordinator { // erasure took the grant away
			b.refreshMenu(ctx, r.userID, RoleWorker)
		}
		return b.editCallbackMessage(ctx, r, message{text: t("deleteme.done")})
	}
	return b.staleButton(ctx, r)
}

// memberError turns a member error into a sentence for the person, or ""
// for an error that is not theirs to fix.
func memberError(err error) string {
	for _, e := range memberErrors {
		if errors.Is(err, e.err) {
			return t(e.key)
		}
	}
	var ce *member.ColumnError
	if errors.As(err, &ce) {
		if errors.Is(ce.Err, member.ErrDuplicateColumn) {
			return t("roster.duplicate_column", esc(t(fieldLabel[ce.Field])))
		}
		return t("roster.bad_column", esc(t(fieldLabel[ce.Field])))
	}
	return ""
}

var memberErrors = []struct {
	err error
	key string
}{
	{member.ErrInvalidName, "err.name"},
	{member.ErrInvalidPhone, "err.phone"},
	{member.ErrUnknownDistrict, "err.district"},
	{member.ErrInvalidOrg, "err.org"},
	{member.ErrInvalidPost, "err.post"},
	{member.ErrInvalidEducation, "err.education"},
	{member.ErrInvalidStartYear, "err.start_year"},
	{member.ErrAlreadyRegistered, "err.already_registered"},
	{member.ErrPhoneTaken, "err.phone_taken"},
	{member.ErrOutOfScope, "err.out_of_scope"},
	{member.ErrForbidden, "denied.command"},
	{member.ErrNotPending, "err.not_pending"},
	{member.ErrNotApproved, "err.not_approved"},
	{member.ErrNotLeft, "err.not_left"},
	{member.ErrLeaverIsCoordinator, "err.leaver_is_coordinator"},
	{member.ErrInviteExpired, "err.invite_expired"},
	{member.ErrInviteUsed, "err.invite_used"},
	{member.ErrAlreadyAdmin, "err.already_admin"},
	{member.ErrInvalidReason, "err.reason"},
	{member.ErrInvalidDate, "err.date"},
	{member.ErrInvalidUser, "err.user_id"},
	{member.ErrNotFound, "err.not_found"},
	{member.ErrUnsupportedFile, "err.unsupported_file"},
	{member.ErrTooManyRows, "err.too_many_rows"},
	{member.ErrRosterTooLarge, "err.roster_too_large"},
	{member.ErrRecordTooLong, "err.roster_line_too_long"},
	{textenc.ErrUnknownEncoding, "file.unknown_encoding_roster"},
}
