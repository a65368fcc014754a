package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"
)

// maxCallbackData is Telegram's limit on a button's callback data, in bytes.
const maxCallbackData = 64

// button makes an inline button whose callback data is prefix and args
// joined by colons. The data must fit Telegram's 64 bytes: every caller
// passes short ids, and a test presses every kind of button.
func button(text, prefix string, args ...any) models.InlineKeyboardButton {
	var sb strings.Builder
	sb.WriteString(prefix)
	for _, a := range args {
		fmt.Fprintf(&sb, ":%v", a)
	}
	data := sb.String()
	if len(data) > maxCallbackData {
		panic(fmt.Sprintf("callback data %q is over %d bytes", data, maxCallbackData))
	}
	return models.InlineKeyboardButton{Text: text, CallbackData: data}
}

// grid lays buttons out in rows of width.
func grid(buttons []models.InlineKeyboardButton, width int) [][]models.InlineKeyboardButton {
	var rows [][]models.InlineKeyboardButton
	for len(buttons) > width {
		rows = append(rows, buttons[:width:width])
		buttons = buttons[width:]
	}
	if len(buttons) > 0 {
		rows = append(rows, buttons)
	}
	return rows
}

// send sends m to chat.
func (b *Bot) send(ctx context.Context, chatID int64, m message) error {
	_, err := b.out.send(ctx, chatID, m)
	return err
}

// staleButton answers a press on a button that no longer means anything.
func (b *Bot) staleButton(ctx context.Context, r *request) error {
	b.ack(r, t("unknown.button"), false)
	return nil
}

// editCallbackMessage replaces the message under the pressed button, or
// sends m anew when that message is no longer accessible.
func (b *Bot) editCallbackMessage(ctx context.Context, r *request, m message) error {
	if msg := r.cb.Message.Message; msg != nil {
		return b.out.edit(ctx, r.chatID, msg.ID, m)
	}
	return b.send(ctx, r.chatID, m)
}
