package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// sender is the one way out to Telegram: every call that sends or edits
// passes its rate limiter; a 429 is waited out and retried, and so is a
// failure that left the call undone (Telegram answered 5xx, or the
// connection could not be made). A call that got no answer after its
// request was sent may have been carried out: one that does the same when
// repeated (an edit, a deletion) is tried again, a send is not — it fails
// with errUnanswered, so that nobody gets a message twice.
type sender struct {
	api     *tgbot.Bot
	limiter *rate.Limiter
	log     *slog.Logger
	// sleep waits d or until ctx ends; tests replace it to skip real waits.
	sleep func(ctx context.Context, d time.Duration) error
	// onBlocked is told when a chat refuses messages (blocked, deactivated).
	onBlocked func(ctx context.Context, chatID int64)
}

// maxRetries bounds how often one call is retried after a 429 or a failure.
const maxRetries = 3

// errUnanswered wraps the error of a call that got no answer once its
// request may have reached Telegram: it may have been carried out.
var errUnanswered = errors.New("no answer from Telegram: the call may have been carried out")

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

// retryWait is the wait before retry attempt+1 of a call that failed
// undone or unanswered: 0.5 s, 1 s, 2 s.
func retryWait(attempt int) time.Duration { return 500 * time.Millisecond << attempt }

// do runs call under the rate limiter, retrying as the sender's comment says.
func (s *sender) do(ctx context.Context, method string, chatID int64, call func() error) error {
	maybeDone := false // an earlier attempt got no answer: it may have been carried out
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
		case ctx.Err() != nil:
			return fmt.Errorf("%s: %w", method, err) // stopping
		case errors.As(err, &tooMany) && attempt < maxRetries:
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			s.log.Warn("telegram rate limit", "method", method, "chat_id", chatID, "retry_after_s", tooMany.RetryAfter, "attempt", attempt+1)
			if err := s.sleep(ctx, wait); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		case (undone(err) || (unanswered(err) && repeatable(method))) && attempt < maxRetries:
			maybeDone = maybeDone || unanswered(err)
			s.log.Warn("telegram call failed, trying again", "method", method, "chat_id", chatID, "attempt", attempt+1, "err", err)
			if err := s.sleep(ctx, retryWait(attempt)); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		case maybeDone && alreadyDone(method, err):
			markDone(ctx) // the attempt that got no answer had done it
			return nil
		case unanswered(err):
			s.log.Warn("telegram call unanswered: it may have been carried out", "method", method, "chat_id", chatID, "err", err)
			return fmt.Errorf("%s: %w: %w", method, errUnanswered, err)
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

// serverAnswer is how go-telegram/bot reports an answer with a status it
// has no error of its own for.
var serverAnswer = regexp.MustCompile(`error response from telegram for method \w+, (\d{3}) `)

// undone reports whether a call failed without being carried out, so that
// it may be tried again: Telegram answered 5xx, or no connection could be
// made (the request never left).
func undone(err error) bool {
	if m := serverAnswer.FindStringSubmatch(err.Error()); m != nil {
		return m[1][0] == '5'
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// unanswered reports whether a call got no answer, or one that could not
// be read, after its request may have reached Telegram: the connection
// broke, or the client timed out.
func unanswered(err error) bool {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		var opErr *net.OpError
		return !(errors.As(err, &opErr) && opErr.Op == "dial")
	}
	msg := err.Error()
	return strings.Contains(msg, "error read response body") || strings.Contains(msg, "error decode response body")
}

// repeatable reports whether doing a call twice does no more than doing
// it once: an edit, a deletion, a callback answer, a stopped poll. A send
// is not.
func repeatable(method string) bool {
	return strings.HasPrefix(method, "edit") || method == "deleteMessage" || method == "answerCallbackQuery" || method == "stopPoll"
}

// alreadyDone reports whether err is how Telegram refuses a repeatable
// call that was carried out before.
func alreadyDone(method string, err error) bool {
	if !errors.Is(err, tgbot.ErrorBadRequest) {
		return false
	}
	msg := err.Error()
	switch method {
	case "deleteMessage":
		return strings.Contains(msg, "message to delete not found")
	case "answerCallbackQuery":
		return strings.Contains(msg, "query is too old")
	case "stopPoll":
		return strings.Contains(msg, "poll has already been closed")
	}
	return strings.HasPrefix(method, "edit") && strings.Contains(msg, "message is not modified")
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
// message, and Telegram wants it quickly. Answering twice changes nothing,
// so a failure is retried like an edit's.
func (s *sender) answer(ctx context.Context, queryID, text string, alert bool) {
	maybeDone := false
	for attempt := 0; ; attempt++ {
		_, err := s.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{
			CallbackQueryID: queryID,
			Text:            truncate(text, 200),
			ShowAlert:       alert,
		})
		var tooMany *tgbot.TooManyRequestsError
		wait := retryWait(attempt)
		switch {
		case err == nil:
			return
		case ctx.Err() != nil:
			return
		case errors.As(err, &tooMany) && attempt < maxRetries:
			wait = time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		case (undone(err) || unanswered(err)) && attempt < maxRetries:
			maybeDone = maybeDone || unanswered(err)
		case maybeDone && alreadyDone("answerCallbackQuery", err):
			return
		default:
			s.log.Warn("answer callback query", "err", err)
			return
		}
		s.log.Warn("answer callback query failed, trying again", "attempt", attempt+1, "err", err)
		if s.sleep(ctx, wait) != nil {
			return
		}
	}
}
