package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/internal/metrics"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
	"github.com/mattn/go-isatty"
)

// app is one wired dangwu: its database and the services on top of it.
// Close releases them in reverse order of construction.
type app struct {
	cfg     Config
	log     *slog.Logger
	db      *store.DB
	lock    *dataLock // the data-folder lock, held shared while db is open
	kb      *knowledge.Base
	members *member.Service
	// dues is the 党费 calculator; nil when the content has no dues.yaml.
	dues  *dues.Rules
	quiz  *quiz.Service
	sched *scheduler.Service
	recs  *records.Service
	// metrics are on with --http; webhook is set in webhook mode (http.go).
	metrics *metrics.Metrics
	webhook *bot.Webhook
}

// openApp opens the database file name+".db" in the data folder, the
// search index name+"-index" beside it, and the services that live on them,
// and brings the content in use into the database. It holds the data-folder
// lock name+".lock" shared until Close, so no restore replaces the database
// under it.
func openApp(ctx context.Context, cfg Config, name string, log *slog.Logger) (*app, error) {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	fsys, err := content.Load(cfg.Content)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	lock, err := lockDatabase(cfg.Data, name)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, filepath.Join(cfg.Data, name+".db"))
	if err != nil {
		lock.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db, lock: lock}
	districts, err := member.LoadDistricts(fsys)
	if errors.Is(err, fs.ErrNotExist) {
		// A content folder without districts.yaml keeps the built-in districts.
		districts, err = member.LoadDistricts(content.Embedded())
	}
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("content: %w", err)
	}
	a.dues, err = dues.Load(fsys)
	if errors.Is(err, fs.ErrNotExist) {
		a.dues, err = nil, nil // a content folder without dues.yaml: no calculator
	}
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("content: %w", err)
	}
	a.members = member.NewService(store.NewMemberStore(db), districts, cfg.Admins)
	a.kb, err = knowledge.Open(ctx, store.NewKnowledgeStore(db), filepath.Join(cfg.Data, name+"-index"), log)
	if err != nil {
		a.Close()
		return nil, err
	}
	report, err := a.kb.LoadContent(ctx, fsys)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("load content: %w", err)
	}
	for _, p := range report.Problems {
		log.Warn("content problem", "file", p.File, "line", p.Line, "problem", p.Message)
	}
	if report.Changed() {
		log.Info("content loaded", "documents_added", len(report.Added), "documents_updated", len(report.Updated),
			"documents_removed", len(report.Removed), "faq_added", len(report.FAQAdded), "faq_updated", len(report.FAQUpdated),
			"faq_removed", len(report.FAQRemoved))
	}
	if err := a.loadQuiz(ctx, fsys); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.loadScheduler(ctx, fsys); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.loadRecords(fsys); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// loadRecords opens the records with the content's levels, 学时 targets
// and pay rules. A rule with a problem is left out and logged (dangwu
// check lists them all).
func (a *app) loadRecords(fsys fs.FS) error {
	var exams []string
	for _, e := range a.quiz.Exams() {
		exams = append(exams, e.ID)
	}
	c, problems, err := records.LoadContent(fsys, a.members.Districts(), exams)
	if err != nil {
		return fmt.Errorf("load levels and pay rules: %w", err)
	}
	for _, p := range problems {
		a.log.Warn("records content problem", "problem", p.Error())
	}
	a.recs, err = records.NewService(store.NewRecordsStore(a.db), records.Options{
		Atomic: a.db.Atomic, Outbox: store.NewOutbox(a.db), Messages: bot.RecordMessages{}, Content: c, Location: a.cfg.Location,
	})
	return err
}

// loadScheduler opens the scheduler and brings the content's venues,
// recurring notices and events into it. An entry with a problem is left
// out and logged (dangwu check lists them all).
func (a *app) loadScheduler(ctx context.Context, fsys fs.FS) error {
	var err error
	a.sched, err = scheduler.NewService(store.NewSchedulerStore(a.db), scheduler.Options{
		Atomic: a.db.Atomic, Outbox: store.NewOutbox(a.db), Messages: bot.NewNotices(a.cfg.Location),
		Access: a.members.Access, Districts: a.members.Districts(), Location: a.cfg.Location,
		// The records open after the scheduler; only a broadcast asks.
		Behind: func(ctx context.Context, ids []int64) ([]int64, error) { return a.recs.Behind(ctx, ids) },
	})
	if err != nil {
		return err
	}
	c, problems, err := scheduler.LoadContent(fsys, a.members.Districts(), a.cfg.Location)
	if err != nil {
		return fmt.Errorf("load scheduler content: %w", err)
	}
	for _, p := range problems {
		a.log.Warn("scheduler content problem", "problem", p.Error())
	}
	if err := a.sched.LoadContent(ctx, c); err != nil {
		return fmt.Errorf("load scheduler content: %w", err)
	}
	return nil
}

// loadQuiz opens the quiz service and brings the content's question banks
// and exam papers into it. A question with a problem is left out and
// logged (dangwu check lists them all).
func (a *app) loadQuiz(ctx context.Context, fsys fs.FS) error {
	var err error
	a.quiz, err = quiz.NewService(store.NewQuizStore(a.db), quiz.Options{Atomic: a.db.Atomic, Location: a.cfg.Location})
	if err != nil {
		return err
	}
	qc, problems, err := quiz.LoadContent(fsys, bot.QuizChecker(ctx, a.kb, a.members.Districts()))
	if err != nil {
		return fmt.Errorf("load question banks: %w", err)
	}
	for _, p := range problems {
		a.log.Warn("question bank problem", "problem", p.Error())
	}
	counts, err := a.quiz.LoadContent(ctx, qc)
	if err != nil {
		return fmt.Errorf("load question banks: %w", err)
	}
	if counts.Added+counts.Updated+counts.Retired > 0 {
		a.log.Info("question banks loaded", "added", counts.Added, "updated", counts.Updated, "retired", counts.Retired, "exams", len(qc.Exams))
	}
	return nil
}

// Close closes what openApp opened, in reverse order.
func (a *app) Close() error {
	var errs []error
	if a.kb != nil {
		errs = append(errs, a.kb.Close())
	}
	errs = append(errs, a.db.Close())
	errs = append(errs, a.lock.Close())
	return errors.Join(errs...)
}

// newBot connects a bot to apiURL (empty: Telegram) with token.
func (a *app) newBot(ctx context.Context, token, apiURL string) (*bot.Bot, error) {
	return bot.New(ctx, bot.Options{
		Token:     token,
		APIURL:    apiURL,
		Rate:      a.cfg.Rate,
		Admins:    a.cfg.Admins,
		Log:       a.log.With("component", "bot"),
		Store:     store.NewConversations(a.db),
		Knowledge: a.kb,
		Members:   a.members,
		Outbox:    store.NewOutbox(a.db),
		Inbox:     store.NewInbox(a.db),
		Atomic:    a.db.Atomic,
		Location:  a.cfg.Location,
		Dues:      a.dues,
		Quiz:      a.quiz,
		Scheduler: a.sched,
		Records:   a.recs,
		Quiet:     a.cfg.QuietHours,
		QuietSet:  true,
		Flood:     a.cfg.FloodLimits,
		// Webhook mode and metrics (http.go); nil for polling, no metrics.
		Webhook:    a.webhook,
		Observer:   a.observer(),
		HTTPClient: a.botHTTPClient(),
	})
}

const noTokenAdvice = `dangwu: TELEGRAM_BOT_TOKEN is not set.

To run the bot on Telegram:
  1. In Telegram, talk to @BotFather, send /newbot and follow the steps;
     it gives you a token like 123456789:AAE...
  2. export TELEGRAM_BOT_TOKEN=<that token>
  3. Run dangwu again.
Where Telegram is not directly reachable, set HTTPS_PROXY, or point
TELEGRAM_API_URL at a self-hosted telegram-bot-api server.

未设置 TELEGRAM_BOT_TOKEN：请在 Telegram 中找 @BotFather 创建机器人获取令牌，
设置环境变量 TELEGRAM_BOT_TOKEN 后再运行。`

func cmdRun(ctx context.Context, args []string, env Env) int {
	cfg, _, err := loadConfig("run", args, env.Getenv, nil)
	if err != nil {
		return configError(env, err)
	}
	if cfg.Token == "" {
		fmt.Fprintln(env.Stderr, noTokenAdvice)
		if !env.IsTerminal {
			return 1
		}
		fmt.Fprintln(env.Stderr, "\nOpening the console chat instead (Ctrl-D leaves).")
		return runConsole(ctx, cfg, env)
	}
	log := slog.New(cfg.redactLog(slog.NewTextHandler(env.Stderr, nil)))
	log.Info("starting dangwu", "config", cfg.String())
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		log.Error("start", "err", fmt.Errorf("data folder: %w", err))
		return 1
	}
	runner, err := lockRunner(cfg.Data, "dangwu")
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer runner.Close()
	a, err := openApp(ctx, cfg, "dangwu", log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	return a.runBot(ctx)
}

func stdinIsTerminal() bool {
	fd := os.Stdin.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}
