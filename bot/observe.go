package bot

import (
	"context"
	"time"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/go-telegram/bot/models"
)

// Observer is told what the bot does, for metrics (internal/metrics
// implements it). Its methods must be quick and safe for concurrent use.
type Observer interface {
	// Handled is told of each update handled: its kind, as allowed_updates
	// spells it ("message", "callback_query", ...; "other" for the rest),
	// and how long its handler took.
	Handled(kind string, took time.Duration)
	// Answered is told of each question searched: AnswerFound,
	// AnswerUnsure or AnswerNotFound.
	Answered(result string)
	// QuizAnswered is told of each quiz question answered (practice, the
	// daily set, review, exams).
	QuizAnswered(correct bool)
}

// What a question searched found, as Observer.Answered is told.
const (
	AnswerFound    = "found"     // an answer presented as reliable
	AnswerUnsure   = "unsure"    // results, none reliable enough
	AnswerNotFound = "not_found" // nothing
)

// nopObserver is the Observer when Options.Observer is nil.
type nopObserver struct{}

func (nopObserver) Handled(string, time.Duration) {}
func (nopObserver) Answered(string)               {}
func (nopObserver) QuizAnswered(bool)             {}

// observe is the dispatcher's entry point: handle, timed and counted. A
// handler that panics is counted too (the dispatcher recovers).
func (b *Bot) observe(ctx context.Context, u *models.Update) {
	start := time.Now()
	defer func() { b.obs.Handled(updateKind(u), time.Since(start)) }()
	b.handle(ctx, u)
}

// updateKind names u's kind as allowed_updates spells it.
func updateKind(u *models.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.InlineQuery != nil:
		return "inline_query"
	case u.PollAnswer != nil:
		return "poll_answer"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return "other"
}

// answerResult is what a search found, for Observer.Answered.
func answerResult(ans knowledge.Answer) string {
	switch {
	case len(ans.Results) == 0:
		return AnswerNotFound
	case ans.Confident:
		return AnswerFound
	}
	return AnswerUnsure
}
