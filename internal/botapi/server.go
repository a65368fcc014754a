// Package botapi is an in-process Telegram Bot API server. It backs the bot's tests, the
// local console chat and load benchmarks: simulated users write, press buttons and block
// the bot through test hooks, the bot talks to it over HTTP exactly as to Telegram, and
// every answer — including the refusals, with Telegram's codes and descriptions — follows
// what api.telegram.org does.
//
// The package has its own wire types and never imports a Telegram client library, so it
// stays an independent check of what the bot sends.
package botapi

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. Only Token is required.
type Options struct {
	// Token is the bot token the server accepts; any other answers 401 Unauthorized.
	Token string
	// BotID, BotUsername and BotName describe the bot, as getMe returns it. Defaults:
	// 7000001, "dangwu_bot", "党务助手".
	BotID       int64
	BotUsername string
	BotName     string
	// Now is the clock for message dates, callback query expiry, rate limits and the
	// closing of timed polls.
	// Default: time.Now. Long-poll timeouts and SetDelay always use real time.
	Now func() time.Time
	// RateLimits switches Telegram's sending limits on; see SetRateLimits.
	RateLimits bool
	// WebhookRetry is the wait before the first retry of a webhook delivery that was not
	// answered with a 2xx status; each further retry waits twice as long, up to a minute.
	// Default: 1 s.
	WebhookRetry time.Duration
}

// Server is a fake Telegram Bot API server for one bot. It is safe for concurrent use.
type Server struct {
	token     string
	bot       User
	now       func() time.Time
	methods   map[string]method // by lower-case method name
	closing   chan struct{}     // closed by Close
	closeOnce sync.Once

	mu        sync.Mutex // guards everything below
	chats     map[int64]*chatState
	users     map[int64]User // every simulated user seen, by id
	updates   updateQueue
	queries   queryState
	commands  map[commandKey][]BotCommand
	files     fileStore
	photos    map[string]PhotoSize // the photos among files, by file_id
	limits    rateLimits
	faults    faultState
	events    eventLog
	polls     pollStore
	listening *http.Server
	url       string
	// webhookRetry is Options.WebhookRetry; hookClient posts webhook deliveries.
	webhookRetry time.Duration
	hookClient   *http.Client
}

// method is one Bot API method: its canonical name and its handler.
type method struct {
	name   string
	handle func(ctx context.Context, p Params) (any, *APIError)
}

// New returns a server for opts.Token; call Start to listen, or mount Handler. It panics if
// the token is empty.
func New(opts Options) *Server {
	if opts.Token == "" {
		panic("botapi: Options.Token is required")
	}
	bot := User{
		ID: opts.BotID, IsBot: true, FirstName: opts.BotName, Username: opts.BotUsername,
		CanJoinGroups: true, SupportsInlineQueries: true,
	}
	if bot.ID == 0 {
		bot.ID = 7000001
	}
	if bot.Username == "" {
		bot.Username = "dangwu_bot"
	}
	if bot.FirstName == "" {
		bot.FirstName = "党务助手"
	}
	s := &Server{
		token:    opts.Token,
		bot:      bot,
		now:      opts.Now,
		closing:  make(chan struct{}),
		chats:    map[int64]*chatState{},
		users:    map[int64]User{},
		queries:  newQueryState(),
		commands: map[commandKey][]BotCommand{},
		files:    newFileStore(),
		photos:   map[string]PhotoSize{},
		limits:   newRateLimits(opts.RateLimits),
		faults:   newFaultState(),
		polls:    newPollStore(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.webhookRetry = opts.WebhookRetry
	if s.webhookRetry <= 0 {
		s.webhookRetry = time.Second
	}
	// Deliveries go straight to the bot, never through HTTPS_PROXY.
	s.hookClient = &http.Client{Transport: &http.Transport{}, Timeout: webhookTimeout}
	s.methods = map[string]method{}
	for name, handle := range map[string]func(context.Context, Params) (any, *APIError){
		"getMe":                  s.getMe,
		"getUpdates":             s.getUpdates,
		"setWebhook":             s.setWebhook,
		"deleteWebhook":          s.deleteWebhook,
		"getWebhookInfo":         s.getWebhookInfo,
		"sendMessage":            s.sendMessage,
		"editMessageText":        s.editMessageText,
		"editMessageReplyMarkup": s.editMessageReplyMarkup,
		"editMessageCaption":     s.editMessageCaption,
		"deleteMessage":          s.deleteMessage,
		"sendChatAction":         s.sendChatAction,
		"getChat":                s.getChat,
		"answerCallbackQuery":    s.answerCallbackQuery,
		"answerInlineQuery":      s.answerInlineQuery,
		"setMyCommands":          s.setMyCommands,
		"getMyCommands":          s.getMyCommands,
		"deleteMyCommands":       s.deleteMyCommands,
		"sendDocument":           s.sendDocument,
		"getFile":                s.getFile,
		"sendPhoto":              s.sendPhoto,
		"editMessageMedia":       s.editMessageMedia,
		"sendPoll":               s.sendPoll,
		"stopPoll":               s.stopPoll,
	} {
		s.methods[strings.ToLower(name)] = method{name: name, handle: handle}
	}
	return s
}

// Start listens on a free port of 127.0.0.1 and serves until Close.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listening != nil {
		return errors.New("botapi: server already started")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.listening = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.listening) // ends with http.ErrServerClosed
	return nil
}

// URL is the base URL to give a client (go-telegram/bot's WithServerURL), or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Handler serves the Bot API: POST or GET {base}/bot{token}/{method}, and file downloads at
// GET {base}/file/bot{token}/{file_path}.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Close answers pending long polls, ends Subscribe streams and stops listening.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	srv := s.listening
	s.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if srv.Shutdown(ctx) != nil {
		_ = srv.Close() // a handler outlived the grace period: drop its connection
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, name, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, errNotFound)
		return
	}
	if token != s.token {
		writeError(w, errUnauthorized)
		return
	}
	m, ok := s.methods[strings.ToLower(name)]
	if !ok {
		writeError(w, errNotFound)
		return
	}
	p, apiErr := parseParams(r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	result, apiErr, answered, reset := s.call(r.Context(), m, p)
	switch {
	case reset:
		resetConnection(w)
	case !answered:
		// The client went away or the server is closing: nobody reads an answer.
	case apiErr != nil:
		writeError(w, apiErr)
	default:
		writeJSON(w, http.StatusOK, struct {
			OK     bool `json:"ok"`
			Result any  `json:"result"`
		}{true, result})
	}
}

// call runs one method: it counts the call, applies the delay and the faults, then the
// handler, and logs a refusal or a reset as an Event. reset means the connection must be
// dropped without an answer.
func (s *Server) call(ctx context.Context, m method, p Params) (result any, apiErr *APIError, answered, reset bool) {
	if !s.wait(ctx, s.beginCall(m.name)) {
		return nil, nil, false, false
	}
	f := s.injectedFault(m.name, p)
	if !s.wait(ctx, f.Delay) {
		return nil, nil, false, false
	}
	if f.Reset == ResetBefore {
		s.logReset(m.name, p, false)
		return nil, nil, false, true
	}
	apiErr = f.Err
	if apiErr == nil {
		result, apiErr = m.handle(ctx, p)
	}
	if apiErr != nil && m.name != "getUpdates" {
		s.logRefusal(m.name, p, apiErr)
	}
	if f.Reset == ResetAfter {
		s.logReset(m.name, p, true)
		return nil, nil, false, true
	}
	return result, apiErr, true, false
}

func writeError(w http.ResponseWriter, e *APIError) {
	type parameters struct {
		RetryAfter int `json:"retry_after"`
	}
	body := struct {
		OK          bool        `json:"ok"`
		ErrorCode   int         `json:"error_code"`
		Description string      `json:"description"`
		Parameters  *parameters `json:"parameters,omitempty"`
	}{OK: false, ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 {
		body.Parameters = &parameters{RetryAfter: e.RetryAfter}
	}
	writeJSON(w, e.Code, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data) // a client that went away needs no answer
}

// getMe answers with the bot's own user.
func (s *Server) getMe(context.Context, Params) (any, *APIError) {
	return s.bot, nil
}
