package botapi

import (
	"fmt"
	"net/http"
)

// APIError is a refusal, worded as Telegram words it. Code is both the HTTP status and the
// error_code of the answer; RetryAfter, when positive, goes to parameters.retry_after.
type APIError struct {
	Code        int
	Description string
	RetryAfter  int
}

// Error returns the description.
func (e *APIError) Error() string { return e.Description }

func badRequest(format string, args ...any) *APIError {
	return &APIError{Code: http.StatusBadRequest, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(description string) *APIError {
	return &APIError{Code: http.StatusForbidden, Description: "Forbidden: " + description}
}

func tooManyRequests(retryAfter int) *APIError {
	return &APIError{
		Code:        http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

// Refusals shared by several methods. Descriptions are Telegram's, except where a comment
// says the wording is this package's own.
var (
	errUnauthorized   = &APIError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	errNotFound       = &APIError{Code: http.StatusNotFound, Description: "Not Found"}
	errTooLarge       = &APIError{Code: http.StatusRequestEntityTooLarge, Description: "Request Entity Too Large"}
	errChatNotFound   = badRequest("chat not found")
	errChatIDEmpty    = badRequest("chat_id is empty")
	errBlocked        = forbidden("bot was blocked by the user")
	errCantInitiate   = forbidden("bot can't initiate conversation with a user")
	errTextEmpty      = badRequest("message text is empty")
	errTextTooLong    = badRequest("message is too long")
	errCaptionTooLong = badRequest("message caption is too long")
	errEditNotFound   = badRequest("message to edit not found")
	errDeleteNotFound = badRequest("message to delete not found")
	errCantDelete     = badRequest("message can't be deleted")
	errNotModified    = badRequest("message is not modified: specified new message content and reply markup are " +
		"exactly the same as a current content and reply markup of the message")
	errQueryInvalid = badRequest("query is too old and response timeout expired or query ID is invalid")
	errConflict     = &APIError{Code: http.StatusConflict, Description: "Conflict: terminated by other getUpdates " +
		"request; make sure that only one bot instance is running"}
	errWebhookActive = &APIError{Code: http.StatusConflict, Description: "Conflict: can't use getUpdates method " +
		"while webhook is active; use deleteWebhook to delete the webhook first"}
)
