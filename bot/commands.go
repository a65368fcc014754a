package bot

import (
	"context"
	"fmt"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// registerAll builds the command, button and flow tables.
func (b *Bot) registerAll() {
	b.commands = []*command{
		{name: "start", desc: "cmd.start", group: true, run: b.cmdStart},
		{name: "help", desc: "cmd.help", group: true, run: b.cmdHelp},
		{name: "cancel", desc: "cmd.cancel", run: b.cmdCancel},
	}
	b.byName = make(map[string]*command, len(b.commands))
	for _, c := range b.commands {
		b.byName[c.name] = c
	}
	b.callbacks = map[string]callbackFunc{}
	b.flows = map[string]flowFunc{}
}

// menu lists the commands a role may use, in table order.
func (b *Bot) menu(role Role) []*command {
	var cmds []*command
	for _, c := range b.commands {
		if c.role <= role {
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// botCommands turns commands into Telegram's menu entries.
func botCommands(cmds []*command) []models.BotCommand {
	out := make([]models.BotCommand, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, models.BotCommand{Command: c.name, Description: t(c.desc)})
	}
	return out
}

// setCommands sets the menu everyone sees: the worker's commands, and in
// groups only those that work there. Wider menus are set per chat.
func (b *Bot) setCommands(ctx context.Context) error {
	if _, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
		Commands: botCommands(b.menu(RoleWorker)),
		Scope:    &models.BotCommandScopeDefault{},
	}); err != nil {
		return err
	}
	var group []*command
	for _, c := range b.menu(RoleWorker) {
		if c.group {
			group = append(group, c)
		}
	}
	if _, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
		Commands: botCommands(group),
		Scope:    &models.BotCommandScopeAllGroupChats{},
	}); err != nil {
		return err
	}
	for id := range b.admins {
		if err := b.setChatCommands(ctx, id, RoleAdmin); err != nil {
			b.log.Info("set admin command menu", "user_id", id, "err", err)
		}
	}
	return nil
}

// setChatCommands gives one private chat the menu of role.
func (b *Bot) setChatCommands(ctx context.Context, chatID int64, role Role) error {
	_, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
		Commands: botCommands(b.menu(role)),
		Scope:    &models.BotCommandScopeChat{ChatID: chatID},
	})
	return err
}

func (b *Bot) cmdStart(ctx context.Context, r *request) error {
	name := ""
	if r.user != nil {
		name = strings.TrimSpace(r.user.FirstName + " " + r.user.LastName)
	}
	if name == "" {
		name = "同志"
	}
	return b.reply(ctx, r, t("start.welcome", esc(name)))
}

func (b *Bot) cmdHelp(ctx context.Context, r *request) error {
	var sb strings.Builder
	sb.WriteString(t("help.header"))
	section := Role(-1)
	for _, c := range b.menu(r.role) {
		if !r.private && !c.group {
			continue
		}
		if c.role != section {
			section = c.role
			fmt.Fprintf(&sb, "\n\n<b>%s</b>", t(roleSection[c.role]))
		}
		fmt.Fprintf(&sb, "\n/%s — %s", c.name, esc(t(c.desc)))
	}
	sb.WriteString("\n\n")
	sb.WriteString(t("help.footer"))
	return b.reply(ctx, r, sb.String())
}

var roleSection = map[Role]string{
	RoleWorker:      "help.section.worker",
	RoleCoordinator: "help.section.coordinator",
	RoleAdmin:       "help.section.admin",
}

func (b *Bot) cmdCancel(ctx context.Context, r *request) error {
	if _, err := b.conv.Get(ctx, r.chatID, r.userID); err != nil {
		return b.reply(ctx, r, t("cancel.none"))
	}
	if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
		return err
	}
	return b.reply(ctx, r, t("cancel.done"))
}
