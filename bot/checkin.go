package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/dangwu/dangwu/scheduler"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	qrcode "github.com/skip2/go-qrcode"
)

// Check-in (签到). A coordinator presses 签到码 on an event's card during
// it: the bot sends a QR image of the chk_ deep link with the six-digit
// code as its caption, and replaces both whenever the code changes (every
// scheduler.CodePeriod) for codeShownFor. A worker sends the code in the
// private chat, or scans the image, which opens the bot with /start chk_….

// codeShownFor is how long a shown code keeps changing by itself; 签到码
// shows it again.
const codeShownFor = 15 * time.Minute

// codeDisplay is a check-in code message kept up to date.
type codeDisplay struct {
	chatID    int64
	messageID int
	eventID   int64
	actorID   int64
	code      string
	until     time.Time
}

// codeDisplays are the check-in code messages being kept up to date.
type codeDisplays struct {
	mu sync.Mutex
	m  map[int]codeDisplay // by message id
}

func (c *codeDisplays) put(d codeDisplay) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int]codeDisplay{}
	}
	c.m[d.messageID] = d
}

func (c *codeDisplays) all() []codeDisplay {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]codeDisplay, 0, len(c.m))
	for _, d := range c.m {
		out = append(out, d)
	}
	return out
}

func (c *codeDisplays) drop(id int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// checkInLink is the deep link a code's QR image carries.
func (b *Bot) checkInLink(payload string) string {
	return "https://t.me/" + b.username + "?start=" + payload
}

func qrPNG(content string) ([]byte, error) {
	return qrcode.Encode(content, qrcode.Medium, 384)
}

func (b *Bot) codeCaption(c scheduler.CheckInCode, live bool) string {
	text := t("ci.caption", esc(c.Event.Title), c.Code, int(scheduler.CodePeriod/time.Second))
	if !live {
		text += "\n" + t("ci.caption_stopped")
	}
	return text
}

// showCheckInCode sends the code of an event the coordinator manages.
func (b *Bot) showCheckInCode(ctx context.Context, r *request, id int64) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	c, err := b.sched.Code(ctx, actor, id)
	if msg := eventRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	} else if err != nil {
		return err
	}
	png, err := qrPNG(b.checkInLink(c.Payload))
	if err != nil {
		return err
	}
	b.ack(r, "", false)
	var sent *models.Message
	err = b.out.do(ctx, "sendPhoto", r.chatID, func() error {
		var err error
		sent, err = b.api.SendPhoto(ctx, &tgbot.SendPhotoParams{
			ChatID:    r.chatID,
			Photo:     &models.InputFileUpload{Filename: "checkin-qr.png", Data: bytes.NewReader(png)},
			Caption:   b.codeCaption(c, true),
			ParseMode: models.ParseModeHTML,
			ReplyMarkup: keyboard([]models.InlineKeyboardButton{
				button(t("ci.show_again"), "ev", "code", id)}),
		})
		return err
	})
	if err != nil {
		return err
	}
	b.codes.put(codeDisplay{chatID: r.chatID, messageID: sent.ID, eventID: id, actorID: r.userID, code: c.Code, until: b.now().Add(codeShownFor)})
	return nil
}

// refreshCodes replaces the code messages whose code has changed, and lets
// go of those shown long enough (or whose event's check-in closed).
func (b *Bot) refreshCodes(ctx context.Context) {
	now := b.now()
	for _, d := range b.codes.all() {
		actor, err := b.members.Access(ctx, d.actorID)
		if err != nil {
			continue
		}
		c, err := b.sched.Code(ctx, actor, d.eventID)
		live := err == nil && now.Before(d.until)
		if err == nil && live && c.Code == d.code {
			continue
		}
		if !live {
			b.codes.drop(d.messageID)
			if err == nil {
				b.editCode(ctx, d, c, false)
			}
			continue
		}
		if b.editCode(ctx, d, c, true) {
			d.code = c.Code
			b.codes.put(d)
		}
	}
}

// editCode shows c in the code message d.
func (b *Bot) editCode(ctx context.Context, d codeDisplay, c scheduler.CheckInCode, live bool) bool {
	media := &models.InputMediaPhoto{Caption: b.codeCaption(c, live), ParseMode: models.ParseModeHTML}
	if live {
		png, err := qrPNG(b.checkInLink(c.Payload))
		if err != nil {
			return false
		}
		media.Media, media.MediaAttachment = "attach://checkin-qr.png", bytes.NewReader(png)
	} else {
		// The image stays; only the caption says the code no longer changes.
		err := b.out.do(ctx, "editMessageCaption", d.chatID, func() error {
			_, err := b.api.EditMessageCaption(ctx, &tgbot.EditMessageCaptionParams{ChatID: d.chatID, MessageID: d.messageID,
				Caption: media.Caption, ParseMode: models.ParseModeHTML,
				ReplyMarkup: keyboard([]models.InlineKeyboardButton{button(t("ci.show_again"), "ev", "code", d.eventID)})})
			return err
		})
		return err == nil
	}
	err := b.out.do(ctx, "editMessageMedia", d.chatID, func() error {
		_, err := b.api.EditMessageMedia(ctx, &tgbot.EditMessageMediaParams{ChatID: d.chatID, MessageID: d.messageID, Media: media,
			ReplyMarkup: keyboard([]models.InlineKeyboardButton{button(t("ci.show_again"), "ev", "code", d.eventID)})})
		return err
	})
	if err != nil && !isNotModified(err) {
		b.log.Warn("check-in code", "event", d.eventID, "err", err)
		b.codes.drop(d.messageID)
		return false
	}
	return true
}

// checkInByCode takes six digits sent in a private chat as a check-in.
func (b *Bot) checkInByCode(ctx context.Context, r *request) error {
	var a scheduler.Attendance
	var e scheduler.Event
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		a, e, err = b.sched.CheckIn(ctx, r.userID, strings.TrimSpace(r.text))
		return err
	})
	if err != nil {
		if msg := checkInRefusal(err); msg != "" {
			return b.reply(ctx, r, msg)
		}
		return err
	}
	return b.reply(ctx, r, t("ci.done", esc(e.Title), a.At.In(b.loc).Format("15:04"), formatHours(a.Hours)))
}

// checkInByLink takes /start chk_<event>_<code>.
func (b *Bot) checkInByLink(ctx context.Context, r *request) error {
	id, code, ok := scheduler.ParseCheckInLink(r.args)
	if !ok {
		return b.reply(ctx, r, t("ci.bad_code"))
	}
	var a scheduler.Attendance
	var e scheduler.Event
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		a, e, err = b.sched.CheckInLink(ctx, r.userID, id, code)
		return err
	})
	if err != nil {
		if msg := checkInRefusal(err); msg != "" {
			return b.reply(ctx, r, msg)
		}
		return err
	}
	return b.reply(ctx, r, t("ci.done", esc(e.Title), a.At.In(b.loc).Format("15:04"), formatHours(a.Hours)))
}

func checkInRefusal(err error) string {
	switch {
	case errors.Is(err, scheduler.ErrBadCode):
		return t("ci.bad_code")
	case errors.Is(err, scheduler.ErrCodeExpired):
		return t("ci.expired")
	case errors.Is(err, scheduler.ErrOtherEvent):
		return t("ci.other_event")
	case errors.Is(err, scheduler.ErrNotRunning):
		return t("ci.not_running")
	case errors.Is(err, scheduler.ErrNotApproved):
		return t("ci.not_approved")
	case errors.Is(err, scheduler.ErrNotInAudience):
		return t("ev.not_for_you")
	}
	return ""
}
