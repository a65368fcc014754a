package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
)

// Administrators' work: coordinator grants (directly or by invitation link),
// revocations and the audit log.

// invitePrefix marks an invitation deep-link payload.
const invitePrefix = "inv_"

// inviteTTL is how long an invitation link works.
const inviteTTL = 72 * time.Hour

// cmdGrant: /grant USER_ID [区县] makes someone a coordinator (city-wide
// without a district).
func (b *Bot) cmdGrant(ctx context.Context, r *request) error {
	fields := strings.Fields(r.args)
	if len(fields) == 0 {
		return b.listCoordinators(ctx, r)
	}
	if len(fields) > 2 {
		return b.reply(ctx, r, t("grant.usage"))
	}
	id, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil || id <= 0 {
		return b.reply(ctx, r, t("grant.bad_id", esc(fields[0])))
	}
	district := ""
	if len(fields) == 2 {
		d, ok := b.members.Districts().Resolve(fields[1])
		if !ok {
			return b.reply(ctx, r, t("err.district_list", esc(truncate(fields[1], 20)), esc(strings.Join(b.members.Districts().Names(), "、"))))
		}
		district = d
	}
	var access member.Access
	opened := false
	err = b.atomic(ctx, func(ctx context.Context) error {
		var err error
		if access, err = b.members.Grant(ctx, r.userID, id, district); err != nil {
			return err
		}
		// Telegram refuses a bot's first message to someone: a person who
		// never opened the bot is told when they do (newRequest).
		if opened, err = b.members.Opened(ctx, id); err != nil || !opened {
			return err
		}
		return b.tell(ctx, id, "role", t("grant.you", esc(roleName(access.Role, access.District))))
	})
	if msg := memberError(err); msg != "" {
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	role := esc(roleName(access.Role, access.District))
	if !opened {
		return b.reply(ctx, r, t("grant.waiting", id, role, esc(b.username)))
	}
	b.refreshMenu(ctx, id, access.Role)
	return b.reply(ctx, r, t("grant.done", id, role))
}

// listCoordinators answers /grant alone: how to use it, and who holds a
// coordinator grant, those who have not opened the bot yet marked.
func (b *Bot) listCoordinators(ctx context.Context, r *request) error {
	cs, err := b.members.Coordinators(ctx, r.userID)
	if msg := memberError(err); msg != "" {
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return b.reply(ctx, r, t("grant.usage")+"\n\n"+t("grant.none"))
	}
	lines := make([]string, 0, len(cs))
	for _, c := range cs {
		line := strconv.FormatInt(c.UserID, 10)
		if c.Name != "" {
			line += " " + esc(c.Name)
		}
		line += " · " + esc(roleName(member.RoleCoordinator, c.District))
		if !c.Opened {
			line += " · " + t("grant.unseen")
		}
		lines = append(lines, line)
	}
	head := t("grant.usage") + "\n\n" + t("grant.list", len(cs))
	return b.reply(ctx, r, boundedList(head, lines, func(n int) string { return t("grant.more", n) }))
}

// cmdInvite: /invite [区县] makes a one-time link that makes whoever opens
// it a coordinator.
func (b *Bot) cmdInvite(ctx context.Context, r *request) error {
	district := ""
	if arg := strings.TrimSpace(r.args); arg != "" {
		d, ok := b.members.Districts().Resolve(arg)
		if !ok {
			return b.reply(ctx, r, t("err.district_list", esc(truncate(arg, 20)), esc(strings.Join(b.members.Districts().Names(), "、"))))
		}
		district = d
	}
	inv, err := b.members.CreateInvite(ctx, r.userID, district, inviteTTL)
	if msg := memberError(err); msg != "" {
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	link := fmt.Sprintf("https://t.me/%s?start=%s", b.username, inv.Code)
	return b.reply(ctx, r, t("invite.link", esc(roleName(member.RoleCoordinator, district)), esc(link),
		inv.ExpiresAt.In(b.loc).Format("2006-01-02 15:04")))
}

// redeemInvite handles /start inv_… from an invitation link.
func (b *Bot) redeemInvite(ctx context.Context, r *request, code string) error {
	// Redeemed with the update's done mark: a replay after a crash must not
	// find the invitation used and call it invalid.
	var access member.Access
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		access, err = b.members.RedeemInvite(ctx, r.userID, code)
		return err
	})
	if errors.Is(err, member.ErrNotFound) {
		return b.reply(ctx, r, t("err.invite_invalid"))
	}
	if msg := memberError(err); msg != "" {
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	b.refreshMenu(ctx, r.userID, access.Role)
	return b.reply(ctx, r, t("grant.you", esc(roleName(access.Role, access.District))))
}

// cmdRevoke: /revoke USER_ID takes a coordinator's role away.
func (b *Bot) cmdRevoke(ctx context.Context, r *request) error {
	fields := strings.Fields(r.args)
	if len(fields) != 1 {
		return b.reply(ctx, r, t("revoke.usage"))
	}
	id, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil || id <= 0 {
		return b.reply(ctx, r, t("grant.bad_id", esc(fields[0])))
	}
	err = b.atomic(ctx, func(ctx context.Context) error {
		if err := b.members.Revoke(ctx, r.userID, id); err != nil {
			return err
		}
		if opened, err := b.members.Opened(ctx, id); err != nil || !opened {
			return err // nobody to tell: they never opened the bot
		}
		return b.tell(ctx, id, "role", t("revoke.you"))
	})
	if msg := memberError(err); msg != "" {
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	b.refreshMenu(ctx, id, member.RoleWorker)
	return b.reply(ctx, r, t("revoke.done", id))
}

// cmdAudit shows the latest entries of the audit log.
func (b *Bot) cmdAudit(ctx context.Context, r *request) error {
	limit := 20
	if arg := strings.TrimSpace(r.args); arg != "" {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > 100 {
			return b.reply(ctx, r, t("audit.usage"))
		}
		limit = n
	}
	entries, err := b.members.Audit(ctx, r.userID, limit)
	if msg := memberError(err); msg != "" {
		return b.reply(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return b.reply(ctx, r, t("audit.none"))
	}
	var lines []string
	for _, e := range entries {
		who := e.ActorName
		switch {
		case e.ActorErased != 0:
			who = t("audit.erased_user", e.ActorErased)
		case who == "":
			who = idOrSystem(e.Actor)
		}
		whom := e.TargetName
		switch {
		case e.TargetErased != 0:
			whom = t("audit.erased_user", e.TargetErased)
		case whom == "" && e.TargetUser != 0:
			whom = strconv.FormatInt(e.TargetUser, 10)
		}
		line := fmt.Sprintf("%s %s %s", e.At.In(b.loc).Format("01-02 15:04"), esc(who), t(auditKey(e.Action)))
		if whom != "" {
			line += " " + esc(whom)
		}
		if e.District != "" {
			line += " · " + esc(e.District)
		}
		if e.Action == member.AuditGranted && e.TargetUnseen {
			line += " · " + t("audit.unseen")
		}
		// A roster import's reason is the member package's own tally, not words for people.
		if e.Reason != "" && e.Action != member.AuditRosterImport {
			line += " · " + esc(truncate(e.Reason, 60))
		}
		lines = append(lines, line)
	}
	return b.sendLines(ctx, r.chatID, t("audit.header", len(entries)), lines)
}

func idOrSystem(id int64) string {
	if id == 0 {
		return t("audit.system")
	}
	return strconv.FormatInt(id, 10)
}

// auditKey is the catalog key naming an audited action.
func auditKey(a member.AuditAction) string {
	if key, ok := auditKeys[a]; ok {
		return key
	}
	return "audit.erased"
}

var auditKeys = map[member.AuditAction]string{
	member.AuditGranted:       "audit.granted",
	member.AuditRevoked:       "audit.revoked",
	member.AuditInviteCreated: "audit.invite_created",
	member.AuditApproved:      "audit.approved",
	member.AuditRejected:      "audit.rejected",
	member.AuditLeft:          "audit.left",
	member.AuditReturned:      "audit.returned",
	member.AuditRosterImport:  "audit.roster_imported",
	member.AuditErased:        "audit.erased",
}

// refreshMenu gives a person's private chat the command menu of their role.
func (b *Bot) refreshMenu(ctx context.Context, userID int64, role member.Role) {
	if err := b.setChatCommands(ctx, userID, role); err != nil {
		b.log.Info("set command menu", "user_id", userID, "err", err)
	}
}

// sendLines sends a header and lines (already HTML), as few messages as fit.
func (b *Bot) sendLines(ctx context.Context, chatID int64, header string, lines []string) error {
	text := header
	for _, l := range lines {
		if textLen(text)+textLen(l)+1 > maxText-200 {
			if err := b.send(ctx, chatID, message{text: text}); err != nil {
				return err
			}
			text = ""
		}
		if text != "" {
			text += "\n"
		}
		text += l
	}
	return b.send(ctx, chatID, message{text: text})
}
