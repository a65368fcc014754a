package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// sender is the one way out to Telegram: every call that sends or edits
// passes its rate limiter, and a 429 is waited out and retried.
type sender struct {
	api     *tgbot.Bot
	limiter *rate.Limiter
	log     *slog.Logger
	// sleep waits d or until ctx ends; tests replace it to skip real waits.
	sleep func(ctx context.Context, d time.Duration) error
	// onBlocked is told when a chat refuses messages (blocked, deactivated).
	onBlocked func(ctx context.Context, chatID int64)
}

// maxRetries bounds how often one call is retried after a 429.
const maxRetries = 3

func newSender(api *tgbot.Bot, perSecond float64, log *slog.Logger) *sender {
	burst := int(perSecond)
	if burst < 1 {
		burst = 1
	}
	return &sender{
		api:     api,
		limiter: rate.NewLimiter(rate.Limit(perSecond), burst),
		log:     log,
		sleep:   sleepCtx,
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do runs call under the rate limiter, waiting out and retrying 429s.
func (s *sender) do(ctx context.Context, method string, chatID int64, call func() error) error {
	for attempt := 0; ; attempt++ {
		if err := s.limiter.Wait(ctx); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		err := call()
		var tooMany *tgbot.TooManyRequestsError
		switch {
		case err == nil:
			markDone(ctx)
			return nil
		case errors.As(err, &tooMany) && attempt < maxRetries:
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			s.log.Warn("telegram rate limit", "method", method, "chat_id", chatID, "retry_after_s", tooMany.RetryAfter, "attempt", attempt+1)
			if err := s.sleep(ctx, wait); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		case errors.Is(err, tgbot.ErrorForbidden):
			s.log.Info("chat refuses messages", "method", method, "chat_id", chatID, "err", err)
			if s.onBlocked != nil {
				s.onBlocked(ctx, chatID)
			}
			return fmt.Errorf("%s: %w", method, err)
		case isNotModified(err):
			return nil // an edit that changes nothing is harmless
		default:
			s.log.Error("telegram call failed", "method", method, "chat_id", chatID, "err", err)
			return fmt.Errorf("%s: %w", method, err)
		}
	}
}

func isNotModified(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified")
}

// message is what the bot sends: HTML text and optional buttons.
type message struct {
	text   string
	markup models.ReplyMarkup
}

func (s *sender) send(ctx context.Context, chatID int64, m message) (*models.Message, error) {
	var sent *models.Message
	err := s.do(ctx, "sendMessage", chatID, func() error {
		var err error
		sent, err = s.api.SendMessage(ctx, &tgbot.SendMessageParams{
			ChatID:             chatID,
			Text:               m.text,
			ParseMode:          models.ParseModeHTML,
			ReplyMarkup:        m.markup,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		})
		return err
	})
	return sent, err
}

func (s *sender) edit(ctx context.Context, chatID int64, messageID int, m message) error {
	return s.do(ctx, "editMessageText", chatID, func() error {
		_, err := s.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{
			ChatID:             chatID,
			MessageID:          messageID,
			Text:               m.text,
			ParseMode:          models.ParseModeHTML,
			ReplyMarkup:        m.markup,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		})
		return err
	})
}

// sendMedia sends the photo or document fileID (one Telegram holds) with
// m's text as its caption.
func (s *sender) sendMedia(ctx context.Context, chatID int64, kind, fileID string, m message) (*models.Message, error) {
	var sent *models.Message
	method := "sendDocument"
	if kind == mediaPhoto {
		method = "sendPhoto"
	}
	err := s.do(ctx, method, chatID, func() error {
		var err error
		if kind == mediaPhoto {
			sent, err = s.api.SendPhoto(ctx, &tgbot.SendPhotoParams{
				ChatID: chatID, Photo: &models.InputFileString{Data: fileID},
				Caption: m.text, ParseMode: models.ParseModeHTML, ReplyMarkup: m.markup,
			})
		} else {
			sent, err = s.api.SendDocument(ctx, &tgbot.SendDocumentParams{
				ChatID: chatID, Document: &models.InputFileString{Data: fileID},
				Caption: m.text, ParseMode: models.ParseModeHTML, ReplyMarkup: m.markup,
			})
		}
		return err
	})
	return sent, err
}

// The kinds of attachments a queued message may carry (outbox Media
// "photo:<file_id>" or "document:<file_id>").
const (
	mediaPhoto    = "photo"
	mediaDocument = "document"
)

// answer answers a callback query. It is not rate limited: it sends no
// message, and Telegram wants it quickly.
func (s *sender) answer(ctx context.Context, queryID, text string, alert bool) {
	_, err := s.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{
		CallbackQueryID: queryID,
		Text:            truncate(text, 200),
		ShowAlert:       alert,
	})
	if err != nil {
		s.log.Warn("answer callback query", "err", err)
	}
}
