package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// Coordinators' work on people: approving registrations, finding a worker,
// marking departures and returns. The member service enforces the district
// scope; these handlers only present it.

// maxListed bounds the people listed in one message.
const maxListed = 20

// pendingCard describes one pending registration with its decision buttons.
func pendingCard(p member.Profile) message {
	text := t("pending.card", esc(p.Name), esc(p.District), esc(p.Org), esc(p.Post), esc(p.Education), p.StartYear, maskPhone(p.Phone))
	if p.PhoneVerified {
		text += t("pending.verified")
	}
	return message{text: text, markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		button(t("pending.approve"), "pd", "a", p.ID), button(t("pending.reject"), "pd", "r", p.ID),
	}}}}
}

// cmdPending lists the registrations waiting in the coordinator's scope.
func (b *Bot) cmdPending(ctx context.Context, r *request) error {
	ps, err := b.members.Pending(ctx, r.userID)
	if err != nil {
		if msg := memberError(err); msg != "" {
			return b.reply(ctx, r, msg)
		}
		return err
	}
	if len(ps) == 0 {
		return b.reply(ctx, r, t("pending.none"))
	}
	if err := b.reply(ctx, r, t("pending.header", len(ps))); err != nil {
		return err
	}
	for i, p := range ps {
		if i == maxListed {
			return b.reply(ctx, r, t("pending.more", len(ps)-maxListed))
		}
		if err := b.send(ctx, r.chatID, pendingCard(p)); err != nil {
			return err
		}
	}
	return nil
}

// onPendingButton handles pd:a:<member id> and pd:r:<member id>.
func (b *Bot) onPendingButton(ctx context.Context, r *request, payload string) error {
	op, idText, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || (op != "a" && op != "r") {
		return b.staleButton(ctx, r)
	}
	if op == "r" {
		p, err := b.members.Member(ctx, r.userID, id)
		if err != nil {
			return b.refuseButton(ctx, r, err)
		}
		if p.Status != member.StatusPending {
			return b.refuseButton(ctx, r, member.ErrNotPending)
		}
		c := store.Conversation{Flow: flowReject, Step: "reason", Data: map[string]string{"member": idText}}
		return b.askPrivately(ctx, r, c, t("pending.reject_reason", esc(p.Name)))
	}
	var p member.Profile
	err = b.atomic(ctx, func(ctx context.Context) error {
		var err error
		if p, err = b.members.Approve(ctx, r.userID, id); err != nil {
			return err
		}
		return b.tell(ctx, p.UserID, "decision", approvalText(p))
	})
	if err != nil {
		return b.refuseButton(ctx, r, err)
	}
	b.ack(r, t("pending.approved", p.Name), false)
	b.editCallbackMessage(ctx, r, message{text: t("pending.approved_record", esc(p.Name), esc(p.District))})
	return nil
}

// flowReject waits for the reason of a rejection.
const flowReject = "reject"

func (b *Bot) rejectFlow(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["member"], 10, 64)
	var p member.Profile
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		if p, err = b.members.Reject(ctx, r.userID, id, r.text); err != nil {
			return err
		}
		return b.tell(ctx, p.UserID, "decision", t("pending.you_rejected", esc(r.text)))
	})
	if msg := memberError(err); msg != "" {
		if errors.Is(err, member.ErrInvalidReason) {
			return b.reply(ctx, r, msg) // stay in the flow and ask again
		}
		b.conv.End(ctx, r.chatID, r.userID)
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
		return err
	}
	return b.reply(ctx, r, t("pending.rejected_record", esc(p.Name)))
}

// refuseButton answers a press whose action the member service refused.
func (b *Bot) refuseButton(ctx context.Context, r *request, err error) error {
	msg := memberError(err)
	if msg == "" {
		return err
	}
	b.ack(r, stripTags(msg), true)
	return nil
}

// stripTags removes the HTML of a catalog sentence for places that show
// plain text, such as a callback answer.
func stripTags(s string) string {
	var sb strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			sb.WriteRune(r)
		}
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(sb.String())
}

// cmdMembers finds workers in the coordinator's scope by name or phone.
func (b *Bot) cmdMembers(ctx context.Context, r *request) error {
	if strings.TrimSpace(r.args) == "" {
		return b.reply(ctx, r, t("members.usage"))
	}
	ps, err := b.members.Find(ctx, r.userID, r.args)
	if err != nil {
		if msg := memberError(err); msg != "" {
			return b.reply(ctx, r, msg)
		}
		if errors.Is(err, member.ErrInvalidQuery) {
			return b.reply(ctx, r, t("members.usage"))
		}
		return err
	}
	if len(ps) == 0 {
		return b.reply(ctx, r, t("members.none"))
	}
	var rows [][]models.InlineKeyboardButton
	var sb strings.Builder
	sb.WriteString(t("members.header", len(ps)))
	for i, p := range ps {
		if i == maxListed {
			sb.WriteString("\n" + t("members.more", len(ps)-maxListed))
			break
		}
		fmt.Fprintf(&sb, "\n%d. %s · %s · %s · %s", i+1, esc(p.Name), esc(p.District), esc(p.Org), t(statusKey(p.Status)))
		rows = append(rows, []models.InlineKeyboardButton{button(fmt.Sprintf("%d. %s", i+1, p.Name), "mb", "v", p.ID)})
	}
	return b.send(ctx, r.chatID, message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}})
}

// memberCard shows a worker to a coordinator, with history and actions.
func (b *Bot) memberCard(ctx context.Context, actor int64, p member.Profile) (message, error) {
	hist, err := b.members.History(ctx, actor, p.ID)
	if err != nil {
		return message{}, err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "<b>%s</b>\n", esc(p.Name))
	fmt.Fprintf(&sb, "%s · %s · %s · %s · %d\n", esc(p.District), esc(p.Org), esc(p.Post), esc(p.Education), p.StartYear)
	fmt.Fprintf(&sb, "%s：%s", t("me.status"), t(statusKey(p.Status)))
	sb.WriteString(b.historyBlock(hist))
	var row []models.InlineKeyboardButton
	switch p.Status {
	case member.StatusApproved:
		row = append(row, button(t("members.leave"), "mb", "l", p.ID))
	case member.StatusLeft:
		row = append(row, button(t("members.return"), "mb", "ret", p.ID))
	case member.StatusPending:
		return pendingCard(p), nil
	}
	m := message{text: sb.String()}
	if len(row) > 0 {
		m.markup = &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{row}}
	}
	return m, nil
}

// historyBlock lists status changes under a heading, or says nothing when
// there are none.
func (b *Bot) historyBlock(hist []member.HistoryEntry) string {
	if len(hist) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\n\n" + t("members.history"))
	for _, h := range hist {
		fmt.Fprintf(&sb, "\n%s %s", h.At.In(b.loc).Format("2006-01-02"), esc(historyLine(h)))
	}
	return sb.String()
}

// historyLine says one status change in words.
func historyLine(h member.HistoryEntry) string {
	var s string
	switch h.Kind {
	case member.HistoryJoined:
		s = t("history.joined")
	case member.HistoryApproved:
		s = t("history.approved")
	case member.HistoryRejected:
		s = t("history.rejected")
	case member.HistoryMoved:
		s = t("history.moved", h.FromDistrict, h.ToDistrict)
	case member.HistoryPending:
		s = t("history.pending")
	case member.HistoryLeft:
		s = t("history.left", h.On.Format("2006-01-02"))
	case member.HistoryReturned:
		s = t("history.returned")
	default:
		s = t("history.deleted")
	}
	if h.Reason != "" && h.Reason != member.ReasonRoster {
		s += t("history.reason", h.Reason)
	}
	return s
}

// onMemberButton handles mb:v:<id> (view), mb:l:<id> (mark left) and
// mb:ret:<id> (mark returned).
func (b *Bot) onMemberButton(ctx context.Context, r *request, payload string) error {
	op, idText, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return b.staleButton(ctx, r)
	}
	switch op {
	case "v":
		p, err := b.members.Member(ctx, r.userID, id)
		if err != nil {
			return b.refuseButton(ctx, r, err)
		}
		card, err := b.memberCard(ctx, r.userID, p)
		if err != nil {
			return err
		}
		return b.send(ctx, r.chatID, card)
	case "l":
		p, err := b.members.Member(ctx, r.userID, id)
		if err != nil {
			return b.refuseButton(ctx, r, err)
		}
		if p.Status != member.StatusApproved {
			return b.refuseButton(ctx, r, member.ErrNotApproved)
		}
		c := store.Conversation{Flow: flowLeave, Step: "reason", Data: map[string]string{"member": idText}}
		return b.askPrivately(ctx, r, c, t("members.leave_ask", esc(p.Name)))
	case "ret":
		var p member.Profile
		err := b.atomic(ctx, func(ctx context.Context) error {
			var err error
			if p, err = b.members.Return(ctx, r.userID, id); err != nil {
				return err
			}
			return b.tell(ctx, p.UserID, "decision", t("members.you_returned"))
		})
		if err != nil {
			return b.refuseButton(ctx, r, err)
		}
		b.ack(r, t("members.returned", p.Name), false)
		return nil
	}
	return b.staleButton(ctx, r)
}

// flowLeave waits for "[date] reason" of a departure.
const flowLeave = "leave"

func (b *Bot) leaveFlow(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["member"], 10, 64)
	date, reason := b.now().In(b.loc), r.text
	if head, rest, ok := strings.Cut(r.text, " "); ok || len(r.text) == 10 {
		if d, err := time.ParseInLocation("2006-01-02", head, b.loc); err == nil {
			date, reason = d, strings.TrimSpace(rest)
		}
	}
	var p member.Profile
	revoked := false
	err := b.atomic(ctx, func(ctx context.Context) error {
		before, err := b.members.Member(ctx, r.userID, id)
		if err != nil {
			return err
		}
		role, err := b.members.Role(ctx, before.UserID)
		if err != nil {
			return err
		}
		if p, err = b.members.Leave(ctx, r.userID, id, date, reason); err != nil {
			return err
		}
		// the dialogue ends with the departure, so a crash between them
		// leaves no dialogue asking again for a departure already made
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		if revoked = role == member.RoleCoordinator; !revoked {
			return nil
		}
		if opened, err := b.members.Opened(ctx, p.UserID); err != nil || !opened {
			return err // nobody to tell: they never opened the bot
		}
		return b.tell(ctx, p.UserID, "role", t("revoke.you"))
	})
	if revoked && err == nil {
		b.refreshMenu(ctx, p.UserID, member.RoleWorker)
	}
	if errors.Is(err, member.ErrInvalidReason) || errors.Is(err, member.ErrInvalidDate) {
		return b.reply(ctx, r, memberError(err)) // ask again
	}
	if msg := memberError(err); msg != "" {
		// refused (out of scope, no longer approved, a coordinator): the
		// dialogue is over
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	return b.reply(ctx, r, t("members.left", esc(p.Name), date.Format("2006-01-02")))
}

// askPrivately starts a dialogue whose answer the person types, in their
// private chat whatever chat the button was pressed in: in a group only
// commands and mentions reach the bot and no text reaches a dialogue, so one
// kept under the group could never complete.
func (b *Bot) askPrivately(ctx context.Context, r *request, c store.Conversation, prompt string) error {
	if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
		return err
	}
	if !r.private {
		b.ack(r, t("group.private_only", b.username), false)
	}
	return b.send(ctx, r.userID, message{text: prompt})
}
