package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Messages the bot starts on its own go through the outbox: queued in the
// database — in the same transaction as the change that causes them (see
// atomic) — then delivered in order by the one outbox.Sender, which sends
// through the same rate limiter as interactive replies.

// notice is a message to queue for one chat.
type notice struct {
	chatID int64
	msg    message
}

// atomic runs fn in one database transaction: the state changes fn makes
// through the domain services and the notices it queues commit together.
// Replies to the person being answered belong after it, not inside.
//
// The update being handled is marked done in the same transaction (see
// doneInTx). So a crash after the commit and before the reply leaves the
// change made and the person without its confirmation; it is not replayed.
func (b *Bot) atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	err := b.atomicFn(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return b.doneInTx(ctx)
	})
	if err != nil {
		return err
	}
	settleDone(ctx) // recorded: the marks after the reply write nothing more
	b.sender.Wake()
	return nil
}

// queue puts notices in the outbox, all or none, and wakes the sender.
// Personal notices are short and a duplicate is harmless, so they are
// repeatable: sent again if a crash cuts their send off.
func (b *Bot) queue(ctx context.Context, kind string, notices ...notice) error {
	msgs := make([]outbox.Message, 0, len(notices))
	now := b.now() // the clock the sender reads the queue with
	for _, n := range notices {
		if n.chatID == 0 {
			continue // an erased person
		}
		m := outbox.Message{ChatID: n.chatID, Text: n.msg.text, Kind: kind, NotBefore: now, Repeatable: true}
		if n.msg.markup != nil {
			data, err := json.Marshal(n.msg.markup)
			if err != nil {
				return fmt.Errorf("queue %s: %w", kind, err)
			}
			m.Markup = string(data)
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := b.outbox.Enqueue(ctx, msgs); err != nil {
		return fmt.Errorf("queue %s: %w", kind, err)
	}
	b.sender.Wake()
	return nil
}

// ApprovalNotices are the messages telling each person that their
// registration was approved. The command line queues them, in the
// transaction of the roster import that approved the people, for the
// running bot to deliver.
func ApprovalNotices(approved []member.Profile) []outbox.Message {
	var msgs []outbox.Message
	for _, p := range approved {
		if p.UserID != 0 {
			msgs = append(msgs, outbox.Message{ChatID: p.UserID, Text: approvalText(p), Kind: "decision", Repeatable: true})
		}
	}
	return msgs
}

// approvalText tells a person their registration was approved: a welcome
// the first time, what changed for a re-approval after a move.
func approvalText(p member.Profile) string {
	if p.MovedFrom != "" {
		return t("pending.you_reapproved", esc(p.District))
	}
	return t("pending.you_approved")
}

// tell queues text for a person other than the one being answered.
func (b *Bot) tell(ctx context.Context, userID int64, kind, text string) error {
	return b.queue(ctx, kind, notice{chatID: userID, msg: message{text: text}})
}

// sendQueued is the outbox sender's way out: one queued row — a message
// (with its attachment), an edit or a deletion — through the rate limiter
// shared with replies. It returns the id of the message in the chat.
func (b *Bot) sendQueued(ctx context.Context, m outbox.Message) (int, error) {
	msg := message{text: m.Text}
	if m.Markup != "" {
		var kb models.InlineKeyboardMarkup
		if err := json.Unmarshal([]byte(m.Markup), &kb); err != nil {
			return 0, fmt.Errorf("bad markup: %w: %w", outbox.ErrRefused, err)
		}
		msg.markup = &kb
	}
	id, err := m.Target, error(nil)
	switch m.Op {
	case outbox.OpEdit:
		if m.Media != "" {
			// A photo's or file's words are its caption.
			err = b.out.do(ctx, "editMessageCaption", m.ChatID, func() error {
				_, err := b.api.EditMessageCaption(ctx, &tgbot.EditMessageCaptionParams{ChatID: m.ChatID, MessageID: m.Target,
					Caption: msg.text, ParseMode: models.ParseModeHTML, ReplyMarkup: msg.markup})
				return err
			})
		} else {
			err = b.out.edit(ctx, m.ChatID, m.Target, msg)
		}
		if isNotModified(err) {
			err = nil // already so: a repeat after a crash
		}
	case outbox.OpDelete:
		err = b.out.do(ctx, "deleteMessage", m.ChatID, func() error {
			_, err := b.api.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: m.ChatID, MessageID: m.Target})
			return err
		})
	default:
		var sent *models.Message
		if kind, fileID, ok := strings.Cut(m.Media, ":"); ok {
			sent, err = b.out.sendMedia(ctx, m.ChatID, kind, fileID, msg)
		} else {
			sent, err = b.out.send(ctx, m.ChatID, msg)
		}
		if sent != nil {
			id = sent.ID
		}
	}
	switch {
	case errors.Is(err, tgbot.ErrorForbidden) || errors.Is(err, tgbot.ErrorBadRequest):
		// The chat refuses messages, or the message itself is wrong:
		// trying again would get the same answer.
		return 0, fmt.Errorf("%w: %w", outbox.ErrRefused, err)
	case errors.Is(err, errUnanswered) && m.Op != outbox.OpEdit && m.Op != outbox.OpDelete:
		// The message may have been delivered: sending it again could
		// deliver it twice (the sender knows whether that is harmless).
		return 0, fmt.Errorf("%w: %w", outbox.ErrUncertain, err)
	}
	return id, err
}

// waitOutboxEmpty blocks until a delivery pass that began after the call
// has found nothing left to send, or ctx ends.
func (b *Bot) waitOutboxEmpty(ctx context.Context) error { return b.sender.WaitIdle(ctx) }
