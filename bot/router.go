package bot

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Role is what a person may do with the bot; higher roles include lower ones.
type Role = member.Role

// The roles, lowest first.
const (
	RoleWorker      = member.RoleWorker
	RoleCoordinator = member.RoleCoordinator
	RoleAdmin       = member.RoleAdmin
)

// ConversationStore keeps multi-step conversations across restarts.
type ConversationStore interface {
	Get(ctx context.Context, chatID, userID int64) (store.Conversation, error)
	Save(ctx context.Context, chatID, userID int64, c store.Conversation) error
	End(ctx context.Context, chatID, userID int64) error
	// Purge deletes dialogues untouched since olderThan.
	Purge(ctx context.Context, olderThan time.Time) (int, error)
}

// maxInput is the longest text the bot reads as a message (Telegram itself
// stops users at 4,096 characters; other clients and forwards may not).
const maxInput = 4096

// request is one update as the handlers see it.
type request struct {
	msg     *models.Message       // the message, for text, commands, contacts and files
	cb      *models.CallbackQuery // the pressed button
	chatID  int64
	userID  int64
	user    *models.User
	private bool
	role    Role
	text    string // cleaned message text
	command string // lower-case command name without / and @bot
	args    string // text after the command

	// The answer to a pressed button, sent once the handler is done.
	ackText  string
	ackAlert bool
}

// ack sets the answer to the pressed button: a short notice, or an alert
// the person must dismiss. The answer is sent after the handler has done
// its work, so the button's spinner stops when the result is there; a
// handler that runs past the callback budget has had its press answered
// already, and then the notice or alert reaches the person as a message in
// their private chat (in a group it is dropped).
func (b *Bot) ack(r *request, text string, alert bool) {
	r.ackText, r.ackAlert = text, alert
}

type (
	handlerFunc  func(ctx context.Context, r *request) error
	callbackFunc func(ctx context.Context, r *request, payload string) error
	flowFunc     func(ctx context.Context, r *request, c store.Conversation) error
)

// command is one slash command: its menu entry, who may use it and where.
type command struct {
	name  string
	desc  string // catalog key of the menu description
	role  Role   // the lowest role allowed
	group bool   // also answered in groups
	run   handlerFunc
}

// handle is the dispatcher's entry point for one update.
func (b *Bot) handle(ctx context.Context, u *models.Update) {
	if b.flooded(ctx, u) {
		return
	}
	var err error
	var r *request
	switch {
	case u.Message != nil:
		r = b.newRequest(ctx, u.Message.From, u.Message.Chat)
		r.msg = u.Message
		err = b.onMessage(ctx, r)
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		chat := models.Chat{ID: cq.From.ID, Type: models.ChatTypePrivate}
		if m := cq.Message.Message; m != nil {
			chat = m.Chat
		} else if m := cq.Message.InaccessibleMessage; m != nil {
			chat = m.Chat
		}
		r = b.newRequest(ctx, &cq.From, chat)
		r.cb = cq
		err = b.onCallback(ctx, r)
	case u.InlineQuery != nil:
		if err := b.onInlineQuery(ctx, u.InlineQuery); err != nil {
			b.log.Error("inline query", "update_id", u.ID, "err", err)
		}
		return
	case u.MyChatMember != nil:
		b.onMembership(ctx, u.MyChatMember)
	case u.PollAnswer != nil:
		b.onPollAnswer(ctx, u.PollAnswer)
		return
	default:
		return
	}
	switch {
	case err == nil || r == nil:
	case errors.Is(err, tgbot.ErrorForbidden):
		// The chat refuses messages; the sender has logged it and there is
		// nobody to apologise to.
	default:
		b.log.Error("handler failed", "update_id", u.ID, "chat_id", r.chatID, "user_id", r.userID, "command", r.command, "err", err)
		if !errors.Is(err, context.Canceled) {
			b.reply(ctx, r, t("error.internal"))
		}
	}
}

func (b *Bot) newRequest(ctx context.Context, from *models.User, chat models.Chat) *request {
	r := &request{chatID: chat.ID, user: from, private: chat.Type == models.ChatTypePrivate}
	if from == nil {
		return r
	}
	r.userID = from.ID
	if r.private {
		// Anyone who writes is reachable again, even after blocking the bot.
		// Someone made a coordinator before they ever wrote is told now: the
		// notice is queued in SeenFirst's transaction (its ctx carries it).
		// Someone seen a moment ago is not written at all.
		granted := false
		if err := b.members.SeenFirst(ctx, member.TelegramUser{
			ID: from.ID, Username: from.Username, FirstName: from.FirstName, LastName: from.LastName, Language: from.LanguageCode,
		}, func(ctx context.Context, a member.Access) error {
			if granted = a.Role == RoleCoordinator; !granted {
				return nil
			}
			return b.tell(ctx, from.ID, "role", t("grant.you", esc(roleName(a.Role, a.District))))
		}); err != nil {
			b.log.Warn("record user", "user_id", from.ID, "err", err)
		} else if granted {
			b.sender.Wake()
			b.refreshMenu(ctx, from.ID, RoleCoordinator)
		}
	}
	role, err := b.members.Role(ctx, from.ID)
	if err != nil {
		b.log.Warn("look up role", "user_id", from.ID, "err", err)
	}
	r.role = role
	return r
}

// onPanic apologises to the chat whose update made a handler panic.
func (b *Bot) onPanic(ctx context.Context, u *models.Update, _ any) {
	if u.CallbackQuery != nil {
		b.out.answer(ctx, u.CallbackQuery.ID, "", false)
	}
	if chat := chatKey(u); chat != 0 {
		b.out.send(ctx, chat, message{text: t("error.internal")})
	}
}

func (b *Bot) onMessage(ctx context.Context, r *request) error {
	m := r.msg
	if m.Text == "" && r.private && (len(m.Photo) > 0 || m.Document != nil) && b.sched != nil {
		// A photo or file may be the notice of a broadcast being written.
		if c, err := b.conv.Get(ctx, r.chatID, r.userID); err == nil && c.Flow == flowBroadcast && c.Step == stepBcText && r.role >= RoleCoordinator {
			return b.broadcastMedia(ctx, r, c)
		}
	}
	if m.Text == "" && r.private && (len(m.Photo) > 0 || m.Document != nil) && b.records != nil {
		// A photo or file may be a report on a responsibility-list item.
		if c, err := b.conv.Get(ctx, r.chatID, r.userID); err == nil && c.Flow == flowDutyReport {
			return b.dutyReportMedia(ctx, r, c)
		}
	}
	if m.Text == "" {
		switch {
		case !r.private:
			return nil // groups: only commands and mentions concern the bot
		case m.Contact != nil:
			return b.onContact(ctx, r)
		case m.Document != nil:
			return b.onDocument(ctx, r)
		}
		return b.reply(ctx, r, t("text.unsupported"))
	}
	if n := utf8.RuneCountInString(m.Text); n > maxInput {
		if r.private || b.addressed(m) {
			return b.reply(ctx, r, t("text.too_long", n, maxInput))
		}
		return nil
	}
	r.text = cleanText(m.Text)
	if name, target, args, ok := parseCommand(r.text); ok {
		if target != "" && !strings.EqualFold(target, b.username) {
			return nil // a command for another bot
		}
		r.command, r.args = name, args
		return b.onCommand(ctx, r, target != "")
	}
	if !r.private {
		if !b.addressed(m) {
			return nil
		}
		r.text = strings.TrimSpace(b.stripMention(r.text))
	}
	if r.text == "" {
		return b.reply(ctx, r, t("text.empty"))
	}
	if r.private {
		c, err := b.conv.Get(ctx, r.chatID, r.userID)
		switch {
		case err == nil:
			if flow, ok := b.flows[c.Flow]; ok {
				return flow(ctx, r, c)
			}
			b.conv.End(ctx, r.chatID, r.userID) // a flow this binary no longer has
		case !errors.Is(err, store.ErrNoConversation):
			return err
		}
	}
	return b.onText(ctx, r)
}

// onText handles free text: in a private chat, or addressed to the bot in a
// group. Either way it is a question.
func (b *Bot) onText(ctx context.Context, r *request) error {
	if r.private && b.sched != nil && scheduler.IsCode(r.text) {
		return b.checkInByCode(ctx, r) // six digits: a check-in code
	}
	return b.answerQuestion(ctx, r)
}

func (b *Bot) onCommand(ctx context.Context, r *request, explicit bool) error {
	cmd, ok := b.byName[r.command]
	if !ok {
		if !r.private && !explicit {
			return nil // in a group, a bare unknown command is probably another bot's
		}
		return b.reply(ctx, r, t("unknown.command", esc("/"+r.command)))
	}
	if !r.private && !cmd.group {
		if !explicit {
			return nil
		}
		return b.reply(ctx, r, t("group.private_only", esc(b.username)))
	}
	if r.role < cmd.role {
		return b.reply(ctx, r, t("denied.command"))
	}
	return cmd.run(ctx, r)
}

func (b *Bot) onCallback(ctx context.Context, r *request) error {
	prefix, payload, _ := strings.Cut(r.cb.Data, ":")
	fn, ok := b.callbacks[prefix]
	if !ok {
		fn = func(ctx context.Context, r *request, _ string) error { return b.staleButton(ctx, r) }
	}
	// The press is answered once: with the handler's notice when it is
	// done within the budget, else without one when the budget runs out
	// (the notice, if any, then comes as a message). The budget counts from
	// the press's arrival: Telegram's deadline runs from the press, and
	// the update may have waited behind its chat's earlier ones.
	var answered atomic.Bool
	answerEarly := func() {
		if answered.CompareAndSwap(false, true) {
			b.out.answer(ctx, r.cb.ID, "", false)
		}
	}
	budget := b.cbBudget
	if at, ok := receivedAt(ctx); ok {
		budget -= b.now().Sub(at)
	}
	if budget <= 0 {
		answerEarly()
	} else {
		early := time.AfterFunc(budget, answerEarly)
		// Stopped however the handler ends: one that panics is answered
		// by the recovery (onPanic), not again when the budget runs out.
		defer early.Stop()
	}
	err := fn(ctx, r, payload)
	switch {
	case answered.CompareAndSwap(false, true):
		b.out.answer(ctx, r.cb.ID, r.ackText, r.ackAlert)
	case r.ackText != "" && r.private:
		// the notice or alert is for the one who pressed: in a group it is
		// dropped rather than posted for everyone
		b.out.send(ctx, r.chatID, message{text: esc(r.ackText)})
	}
	return err
}

// onMembership notes a user blocking the bot, so that broadcasts and
// rankings leave them out until they write again.
func (b *Bot) onMembership(ctx context.Context, u *models.ChatMemberUpdated) {
	if u.Chat.Type != models.ChatTypePrivate {
		return
	}
	b.log.Info("private chat membership changed", "chat_id", u.Chat.ID, "status", u.NewChatMember.Type)
	if u.NewChatMember.Type == models.ChatMemberTypeBanned {
		if err := b.members.MarkBlocked(ctx, u.Chat.ID); err != nil && !errors.Is(err, member.ErrNotFound) {
			b.log.Warn("mark blocked", "user_id", u.Chat.ID, "err", err)
		}
	}
}

// addressed reports whether a group message mentions the bot or replies to it.
func (b *Bot) addressed(m *models.Message) bool {
	if m.ReplyToMessage != nil && m.ReplyToMessage.From != nil && m.ReplyToMessage.From.ID == b.id {
		return true
	}
	mention := "@" + strings.ToLower(b.username)
	for _, e := range m.Entities {
		if e.Type == models.MessageEntityTypeMention {
			if strings.ToLower(entityText(m.Text, e)) == mention {
				return true
			}
		}
	}
	return false
}

// stripMention removes @botname from text.
func (b *Bot) stripMention(text string) string {
	lower := strings.ToLower(text)
	mention := "@" + strings.ToLower(b.username)
	for {
		i := strings.Index(lower, mention)
		if i < 0 {
			return text
		}
		text = text[:i] + text[i+len(mention):]
		lower = lower[:i] + lower[i+len(mention):]
	}
}

// parseCommand splits "/name@bot args" into its parts. Commands are matched
// here rather than by go-telegram/bot, whose MatchTypeCommand misses /cmd@bot.
func parseCommand(text string) (name, target, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", "", false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		head, rest = head[:i], head[i+1:]+" "+rest
	}
	name, target, _ = strings.Cut(head, "@")
	if name == "" || len(name) > 32 {
		return "", "", "", false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", "", "", false
		}
	}
	return strings.ToLower(name), target, strings.TrimSpace(rest), true
}

// entityText returns the part of text an entity covers (offsets in UTF-16 units).
func entityText(text string, e models.MessageEntity) string {
	units := 0
	start, end := -1, len(text)
	for i, r := range text {
		if units == e.Offset {
			start = i
		}
		if units == e.Offset+e.Length {
			end = i
			break
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
	}
	if start < 0 {
		return ""
	}
	return text[start:end]
}

// reply sends text to the request's chat.
func (b *Bot) reply(ctx context.Context, r *request, text string) error {
	_, err := b.out.send(ctx, r.chatID, message{text: text})
	return err
}
