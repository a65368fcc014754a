// Package bot is dangwu's Telegram edge: it receives updates through
// go-telegram/bot, dispatches them per chat, routes commands, buttons and
// questions to the domain packages, and formats every reply. It is the only
// package that imports go-telegram/bot.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/inbox"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/scheduler"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Options configure a Bot.
type Options struct {
	Token  string
	APIURL string // Bot API server; empty means Telegram's
	// HTTPClient defaults to one that honours HTTPS_PROXY.
	HTTPClient *http.Client
	// PollTimeout is the long-poll wait of getUpdates (default 50 s).
	PollTimeout time.Duration
	// Rate is the messages per second the bot sends in all (default 25).
	Rate float64
	// Admins are the Telegram user ids with the administrator role.
	Admins []int64
	// MaxParallel bounds how many chats are handled at once (default 32).
	MaxParallel int
	// ShutdownGrace is how long shutdown waits for running handlers (default 20 s).
	ShutdownGrace time.Duration
	Log           *slog.Logger
	Store         ConversationStore
	// Knowledge answers questions; nil leaves questions unanswered.
	Knowledge *knowledge.Base
	// Dues computes 党费; nil leaves out the calculator (/dues).
	Dues *dues.Rules
	// Quiz runs practice, exams, the notebook and challenges; nil leaves
	// out the quiz commands.
	Quiz *quiz.Service
	// Scheduler runs events, venues, broadcasts and recurring notices; nil
	// leaves out their commands.
	Scheduler *scheduler.Service
	// Records keeps 学时, assessments, levels, duties and pay; nil leaves
	// out their commands.
	Records *records.Service
	// Quiet are the quiet hours, when non-urgent pushes wait (default
	// DefaultQuietHours; the zero value with QuietSet means none).
	Quiet    QuietHours
	QuietSet bool
	// Members knows people, roles and districts.
	Members *member.Service
	// Outbox queues the messages the bot starts on its own.
	Outbox outbox.Store
	// Inbox keeps each received update until it has been handled.
	Inbox inbox.Store
	// Atomic runs a function in one database transaction that every store
	// call made with its context joins (store.DB.Atomic).
	Atomic func(ctx context.Context, fn func(ctx context.Context) error) error
	// CallbackBudget is how long after a press arrives its handler may
	// still be running before the press is answered without waiting for it
	// (default 8 s): Telegram refuses an answer more than about 15 s after
	// the press, and the spinner turns until then. The time the press
	// waited behind its chat's earlier updates counts. An alert the handler
	// wanted then comes as a message.
	CallbackBudget time.Duration
	// ImportTimeout bounds the reading of one file a coordinator sends
	// (default 1 minute): the parsers are linear, so only a file built to
	// be slow gets near it.
	ImportTimeout time.Duration
	// MaxQueued bounds the updates held in memory, queued or running
	// (default 256); beyond it the bot stops fetching until there is room.
	MaxQueued int
	// Flood limits how fast one person may send (see FloodLimits).
	Flood FloodLimits
	// Location is the time zone of dates shown to people (default Asia/Shanghai).
	Location *time.Location
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Webhook, when set, has Telegram deliver updates to it (see Deliver)
	// instead of the bot polling.
	Webhook *Webhook
	// Observer is told what the bot does, for metrics; nil tells nobody.
	Observer Observer
}

// Bot is a running dangwu bot.
type Bot struct {
	api      *tgbot.Bot
	recv     *receiver // how updates arrive: polling or webhook
	obs      Observer
	username string // without @, as Telegram spells it
	id       int64
	log      *slog.Logger
	disp     *dispatcher
	out      *sender
	grace    time.Duration
	admins   map[int64]bool
	conv     ConversationStore
	kb       *knowledge.Base
	dues     *dues.Rules
	quiz     *quiz.Service
	sched    *scheduler.Service
	records  *records.Service
	quiet    QuietHours
	flood    *floodGate   // nil when flood control is off
	watch    watchList    // broadcasts whose status messages are kept up to date
	codes    codeDisplays // check-in codes kept up to date
	schedMu  sync.Mutex   // one scheduler tick at a time
	// challengeMu keeps one goroutine at a time moving challenges on.
	challengeMu   sync.Mutex
	members       *member.Service
	outbox        outbox.Store
	sender        *outbox.Sender
	inbox         inbox.Store
	atomicFn      func(ctx context.Context, fn func(ctx context.Context) error) error
	token         string
	apiURL        string
	pollTimeout   time.Duration
	importTimeout time.Duration
	cbBudget      time.Duration // see Options.CallbackBudget
	http          *http.Client
	loc           *time.Location
	now           func() time.Time

	commands  []*command
	byName    map[string]*command
	callbacks map[string]callbackFunc
	flows     map[string]flowFunc
}

// New connects to the Bot API server (getMe) and prepares the handlers.
func New(ctx context.Context, o Options) (*Bot, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 50 * time.Second
	}
	if o.Rate <= 0 {
		o.Rate = 25
	}
	if o.MaxParallel <= 0 {
		o.MaxParallel = 32
	}
	if o.ImportTimeout <= 0 {
		o.ImportTimeout = time.Minute
	}
	if o.CallbackBudget <= 0 {
		o.CallbackBudget = 8 * time.Second
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = 256
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 20 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: NewTransport(), Timeout: o.PollTimeout + 10*time.Second}
	}
	if o.Store == nil || o.Members == nil || o.Outbox == nil || o.Inbox == nil || o.Atomic == nil {
		return nil, errors.New("bot: a conversation store, a member service, an outbox, an inbox and transactions are required")
	}
	if o.APIURL == "" {
		o.APIURL = "https://api.telegram.org"
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
		o.Location = loc
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	b := &Bot{
		log:           o.Log,
		grace:         o.ShutdownGrace,
		admins:        make(map[int64]bool, len(o.Admins)),
		conv:          o.Store,
		kb:            o.Knowledge,
		dues:          o.Dues,
		quiz:          o.Quiz,
		sched:         o.Scheduler,
		records:       o.Records,
		quiet:         o.Quiet,
		members:       o.Members,
		outbox:        o.Outbox,
		inbox:         o.Inbox,
		atomicFn:      o.Atomic,
		token:         o.Token,
		apiURL:        strings.TrimRight(o.APIURL, "/"),
		pollTimeout:   o.PollTimeout,
		importTimeout: o.ImportTimeout,
		cbBudget:      o.CallbackBudget,
		http:          o.HTTPClient,
		loc:           o.Location,
		now:           o.Now,
	}
	for _, id := range o.Admins {
		b.admins[id] = true
	}
	if !o.Flood.Off {
		b.flood = newFloodGate(o.Flood)
	}
	if b.quiz != nil {
		// However an exam runs out of time, its result message commits
		// with the submission.
		b.quiz.OnExpire(b.tellExamExpired)
	}
	b.recv, b.obs = newReceiver(o.Webhook), o.Observer
	if b.obs == nil {
		b.obs = nopObserver{}
	}
	b.disp = newDispatcher(o.MaxParallel, o.MaxQueued, o.Log, b.observe, b.onPanic, b.updateDone)
	if !o.QuietSet {
		b.quiet = DefaultQuietHours
	}
	b.sender = outbox.NewSender(o.Outbox, b.sendQueued, outbox.SenderOptions{
		Log: o.Log.With("component", "outbox"), Now: o.Now,
		Quiet: func(t time.Time) (time.Time, bool) { return b.quiet.In(t, b.loc) },
	})

	// The library only sends: updates are fetched by the bot's own poller.
	opts := []tgbot.Option{
		tgbot.WithHTTPClient(o.PollTimeout, o.HTTPClient),
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithErrorsHandler(func(err error) { b.log.Warn("telegram", "err", redactToken(err, o.Token)) }),
		tgbot.WithSkipGetMe(),
		tgbot.WithServerURL(b.apiURL),
	}
	api, err := tgbot.New(o.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("bot: getMe: %w", err)
	}
	b.api, b.username, b.id = api, me.Username, me.ID
	b.out = newSender(api, o.Rate, o.Log.With("component", "sender"))
	b.out.onBlocked = func(ctx context.Context, chatID int64) {
		if chatID <= 0 {
			return // a group, not a person
		}
		if err := b.members.MarkBlocked(ctx, chatID); err != nil && !errors.Is(err, member.ErrNotFound) {
			b.log.Warn("mark blocked", "user_id", chatID, "err", err)
		}
	}
	b.registerAll()
	return b, nil
}

// Run polls for updates (or, with a webhook, takes them from Deliver) until
// ctx ends, then stops taking new ones and waits (up to the shutdown grace
// period) for the handlers still at work.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.startReceiving(ctx); err != nil {
		return err
	}
	if err := b.setCommands(ctx); err != nil {
		b.log.Warn("set command menu", "err", err)
	}
	// The sender finishes the send it is on when ctx ends, but not beyond
	// the grace period (a 429's retry_after, a slow server).
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	stopSends := context.AfterFunc(ctx, func() { time.AfterFunc(b.grace, cancelSends) })
	defer stopSends()
	delivered := make(chan struct{})
	go func() {
		defer close(delivered)
		b.sender.Run(ctx, sendCtx)
	}()
	housekept := make(chan struct{})
	go func() {
		defer close(housekept)
		b.housekeep(ctx)
	}()
	quizzed := make(chan struct{})
	go func() {
		defer close(quizzed)
		b.quizLoop(ctx)
	}()
	scheduled := make(chan struct{})
	go func() {
		defer close(scheduled)
		b.resumeStatuses(ctx)
		b.schedLoop(ctx)
	}()
	if err := b.replay(ctx); err != nil && ctx.Err() == nil {
		b.log.Error("replay unfinished updates", "err", err)
	}
	b.receive(ctx)
	<-delivered
	<-housekept
	<-quizzed
	<-scheduled
	return b.shutdown()
}

// updateDone records that an update has been handled.
func (b *Bot) updateDone(ctx context.Context, u *models.Update) {
	if err := b.inbox.Done(ctx, u.ID, b.now()); err != nil {
		b.log.Error("mark update done", "update_id", u.ID, "err", err)
	}
}

func (b *Bot) shutdown() error {
	b.log.Info("stopping: waiting for running handlers", "grace", b.grace)
	ctx, cancel := context.WithTimeout(context.Background(), b.grace)
	defer cancel()
	if err := b.disp.close(ctx); err != nil {
		return fmt.Errorf("handlers still running after %s: %w", b.grace, err)
	}
	return nil
}

// WaitHandled blocks until the bot has handled n updates since it started.
// The console uses it to know when the answer to what it sent is complete.
func (b *Bot) WaitHandled(ctx context.Context, n int) error { return b.disp.waitHandled(ctx, n) }
