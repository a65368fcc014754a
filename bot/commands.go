package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// registerAll builds the command, button and flow tables.
func (b *Bot) registerAll() {
	b.commands = []*command{
		{name: "start", desc: "cmd.start", group: true, run: b.cmdStart},
		{name: "help", desc: "cmd.help", group: true, run: b.cmdHelp},
		{name: "ask", desc: "cmd.ask", group: true, run: b.cmdAsk},
		{name: "dues", desc: "cmd.dues", group: true, run: b.cmdDues},
		{name: "me", desc: "cmd.me", run: b.cmdMe},
		{name: "quiz", desc: "cmd.quiz", run: b.cmdQuiz},
		{name: "daily", desc: "cmd.daily", run: b.cmdDaily},
		{name: "exam", desc: "cmd.exam", run: b.cmdExam},
		{name: "mistakes", desc: "cmd.mistakes", run: b.cmdMistakes},
		{name: "review", desc: "cmd.review", run: b.cmdReview},
		{name: "rank", desc: "cmd.rank", run: b.cmdRank},
		{name: "events", desc: "cmd.events", run: b.cmdEvents},
		{name: "myevents", desc: "cmd.myevents", run: b.cmdMyEvents},
		{name: "settings", desc: "cmd.settings", run: b.cmdSettings},
		{name: "hours", desc: "cmd.hours", run: b.cmdHours},
		{name: "level", desc: "cmd.level", run: b.cmdLevel},
		{name: "duties", desc: "cmd.duties", run: b.cmdDuties},
		{name: "pay", desc: "cmd.pay", run: b.cmdPay},
		{name: "cancel", desc: "cmd.cancel", run: b.cmdCancel},
		{name: "privacy", desc: "cmd.privacy", run: b.cmdPrivacy},
		{name: "deleteme", desc: "cmd.deleteme", run: b.cmdDeleteMe},

		{name: "pending", desc: "cmd.pending", role: RoleCoordinator, run: b.cmdPending},
		{name: "members", desc: "cmd.members", role: RoleCoordinator, run: b.cmdMembers},
		{name: "unanswered", desc: "cmd.unanswered", role: RoleCoordinator, run: b.cmdUnanswered},
		{name: "faq", desc: "cmd.faq", role: RoleCoordinator, run: b.cmdFAQ},
		{name: "docs", desc: "cmd.docs", role: RoleCoordinator, run: b.cmdDocs},
		{name: "challenge", desc: "cmd.challenge", role: RoleCoordinator, group: true, run: b.cmdChallenge},
		{name: "quizstats", desc: "cmd.quizstats", role: RoleCoordinator, run: b.cmdQuizStats},
		{name: "quiztemplate", desc: "cmd.quiztemplate", role: RoleCoordinator, run: b.cmdQuizTemplate},
		{name: "broadcast", desc: "cmd.broadcast", role: RoleCoordinator, run: b.cmdBroadcast},
		{name: "broadcasts", desc: "cmd.broadcasts", role: RoleCoordinator, run: b.cmdBroadcasts},
		{name: "newevent", desc: "cmd.newevent", role: RoleCoordinator, run: b.cmdNewEvent},
		{name: "schedule", desc: "cmd.schedule", role: RoleCoordinator, run: b.cmdSchedule},
		{name: "venues", desc: "cmd.venues", role: RoleCoordinator, run: b.cmdVenues},
		{name: "applications", desc: "cmd.applications", role: RoleCoordinator, run: b.cmdApplications},
		{name: "assess", desc: "cmd.assess", role: RoleCoordinator, run: b.cmdAssess},
		{name: "credit", desc: "cmd.credit", role: RoleCoordinator, run: b.cmdCredit},
		{name: "vacancies", desc: "cmd.vacancies", role: RoleCoordinator, run: b.cmdVacancies},
		{name: "report", desc: "cmd.report", role: RoleCoordinator, run: b.cmdReport},
		{name: "stats", desc: "cmd.stats", role: RoleCoordinator, run: b.cmdStats},

		{name: "grant", desc: "cmd.grant", role: RoleAdmin, run: b.cmdGrant},
		{name: "invite", desc: "cmd.invite", role: RoleAdmin, run: b.cmdInvite},
		{name: "revoke", desc: "cmd.revoke", role: RoleAdmin, run: b.cmdRevoke},
		{name: "audit", desc: "cmd.audit", role: RoleAdmin, run: b.cmdAudit},
		{name: "setwage", desc: "cmd.setwage", role: RoleAdmin, run: b.cmdSetWage},
	}
	if b.quiz == nil {
		quizCommands := []string{"quiz", "daily", "exam", "mistakes", "review", "rank", "challenge", "quizstats", "quiztemplate"}
		b.commands = slices.DeleteFunc(b.commands, func(c *command) bool { return slices.Contains(quizCommands, c.name) })
	}
	if b.sched == nil {
		schedCommands := []string{"events", "myevents", "settings", "broadcast", "broadcasts", "newevent", "schedule", "venues"}
		b.commands = slices.DeleteFunc(b.commands, func(c *command) bool { return slices.Contains(schedCommands, c.name) })
	}
	if b.records == nil {
		recordCommands := []string{"hours", "level", "duties", "pay", "applications", "assess", "credit", "vacancies", "setwage", "report", "stats"}
		b.commands = slices.DeleteFunc(b.commands, func(c *command) bool { return slices.Contains(recordCommands, c.name) })
	}
	if b.dues == nil {
		b.commands = slices.DeleteFunc(b.commands, func(c *command) bool { return c.name == "dues" }) // no dues.yaml
	}
	b.byName = make(map[string]*command, len(b.commands))
	for _, c := range b.commands {
		b.byName[c.name] = c
	}
	b.callbacks = map[string]callbackFunc{
		"kb":    b.onKnowledgeButton,
		"kbw":   b.onFeedbackReason,
		"rg":    b.onChoice,
		"rgfix": b.onFix,
		"rgok":  b.onSubmit,
		"me":    b.onEditButton,
		"mv":    b.onMoveButton,
		"del":   b.onDeleteMe,
		"pd":    b.coordinatorOnly(b.onPendingButton),
		"mb":    b.coordinatorOnly(b.onMemberButton),
		"gap":   b.coordinatorOnly(b.onGapButton),
		"dr":    b.coordinatorOnly(b.onDraftButton),
		"faq":   b.coordinatorOnly(b.onFAQButton),
		"doc":   b.coordinatorOnly(b.onDocButton),
		"dl":    b.coordinatorOnly(b.onDocListButton),
		"rd":    b.onReaderButton,
		"imp":   b.coordinatorOnly(b.onImportButton),
		"qz":    b.onQuizButton,
		"ex":    b.onExamButton,
		"mk":    b.onNotebookButton,
		"rv":    b.onReviewButton,
		"rk":    b.onRankButton,
		"qs":    b.coordinatorOnly(b.onQuizStatsButton),
		"qi":    b.coordinatorOnly(b.onQuizImportButton),
		"bc":    b.onBroadcastButton,
		"ev":    b.onEventButton,
		"sc":    b.coordinatorOnly(b.onScheduleButton),
		"vn":    b.coordinatorOnly(b.onVenueButton),
		"st":    b.onSettingsButton,
		"dy":    b.onDailyButton,
		"lv":    b.onLevelButton,
		"ap":    b.coordinatorOnly(b.onApplicationButton),
		"as":    b.coordinatorOnly(b.onAssessButton),
		"du":    b.onDutyButton,
	}
	b.flows = map[string]flowFunc{
		flowFeedback:   b.feedbackFlow,
		flowRegister:   b.profileFlow,
		flowEdit:       b.profileFlow,
		flowReject:     b.coordinatorFlow(b.rejectFlow),
		flowLeave:      b.coordinatorFlow(b.leaveFlow),
		flowDocImport:  b.coordinatorFlow(b.docImportFlow),
		flowGapAnswer:  b.coordinatorFlow(b.draftFlow),
		flowFAQEdit:    b.coordinatorFlow(b.draftFlow),
		flowGapMerge:   b.coordinatorFlow(b.mergeSearchFlow),
		flowQuizImport: b.coordinatorFlow(b.quizImportFlow),
	}
	if b.records != nil {
		b.flows[flowReject2] = b.coordinatorFlow(b.rejectApplicationFlow)
		b.flows[flowAssess] = b.coordinatorFlow(b.assessFlow)
		b.flows[flowDuties] = b.coordinatorFlow(b.dutiesFlow)
		b.flows[flowDutyReport] = b.dutyReportFlow
	}
	if b.sched != nil {
		b.flows[flowBroadcast] = b.coordinatorFlow(b.broadcastFlow)
		b.flows[flowBroadcastFix] = b.coordinatorFlow(b.broadcastFixFlow)
		b.flows[flowEvent] = b.coordinatorFlow(b.eventFlow)
		b.flows[flowEventMark] = b.coordinatorFlow(b.eventMarkFlow)
		b.flows[flowEventStop] = b.coordinatorFlow(b.eventStopFlow)
		b.flows[flowSchedule] = b.coordinatorFlow(b.scheduleFlow)
		b.flows[flowVenue] = b.coordinatorFlow(b.venueFlow)
	}
	if b.dues != nil {
		b.callbacks["dues"] = b.onDuesButton
		b.flows[flowDues] = b.duesFlow
	}
}

// coordinatorOnly refuses a button to someone who is no longer a coordinator.
func (b *Bot) coordinatorOnly(fn callbackFunc) callbackFunc {
	return func(ctx context.Context, r *request, payload string) error {
		if r.role < RoleCoordinator {
			return b.staleButton(ctx, r)
		}
		return fn(ctx, r, payload)
	}
}

// coordinatorFlow ends a coordinator's dialogue when they lost the role.
func (b *Bot) coordinatorFlow(fn flowFunc) flowFunc {
	return func(ctx context.Context, r *request, c store.Conversation) error {
		if r.role < RoleCoordinator {
			if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
				return err
			}
			return b.reply(ctx, r, t("denied.command"))
		}
		return fn(ctx, r, c)
	}
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
	// Chat menus stay set on Telegram's side; they are set again here so a
	// new version's commands reach them. Listing coordinators takes an admin.
	var admin int64
	for id := range b.admins {
		b.refreshMenu(ctx, id, RoleAdmin)
		admin = id
	}
	if admin == 0 {
		return nil
	}
	coords, err := b.members.Coordinators(ctx, admin)
	if err != nil {
		return err
	}
	granted := map[int64]bool{}
	for _, c := range coords {
		granted[c.UserID] = true
		if !b.admins[c.UserID] {
			b.refreshMenu(ctx, c.UserID, RoleCoordinator)
		}
	}
	// A coordinator's menu is taken away after the revocation (or the
	// departure) commits: a crash between leaves it on Telegram's side. The
	// people of the latest revocations and departures who hold no role now
	// get the worker's menu again (the newest entries are the ones a crash
	// can have cut off).
	entries, err := b.members.Audit(ctx, admin, member.MaxAudit)
	if err != nil {
		return err
	}
	reset := map[int64]bool{}
	for _, e := range entries {
		if (e.Action == member.AuditRevoked || e.Action == member.AuditLeft) && e.TargetUser != 0 &&
			!granted[e.TargetUser] && !b.admins[e.TargetUser] && !reset[e.TargetUser] {
			reset[e.TargetUser] = true
			b.refreshMenu(ctx, e.TargetUser, RoleWorker)
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
	_, err := b.conv.Get(ctx, r.chatID, r.userID)
	if errors.Is(err, store.ErrNoConversation) {
		return b.reply(ctx, r, t("cancel.none"))
	}
	if err != nil {
		return err
	}
	if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
		return err
	}
	// Take away a share-contact keyboard the dialogue may have left.
	return b.send(ctx, r.chatID, message{text: t("cancel.done"), markup: &models.ReplyKeyboardRemove{RemoveKeyboard: true}})
}
