package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/store"
	"github.com/mattn/go-isatty"
)

// app is one wired dangwu: its database and the services on top of it.
// Close releases them in reverse order of construction.
type app struct {
	cfg Config
	log *slog.Logger
	db  *store.DB
}

// openApp opens the database file dbName in the data folder and the
// services that live on it.
func openApp(ctx context.Context, cfg Config, dbName string, log *slog.Logger) (*app, error) {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	db, err := store.Open(ctx, filepath.Join(cfg.Data, dbName))
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, log: log, db: db}, nil
}

func (a *app) Close() error {
	return a.db.Close()
}

// newBot connects a bot to apiURL (empty: Telegram) with token.
func (a *app) newBot(ctx context.Context, token, apiURL string, admins []int64) (*bot.Bot, error) {
	return bot.New(ctx, bot.Options{
		Token:  token,
		APIURL: apiURL,
		Rate:   a.cfg.Rate,
		Admins: admins,
		Log:    a.log.With("component", "bot"),
		Store:  store.NewConversations(a.db),
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
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	log.Info("starting dangwu", "config", cfg.String())
	a, err := openApp(ctx, cfg, "dangwu.db", log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	b, err := a.newBot(ctx, cfg.Token, cfg.APIURL, cfg.Admins)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	if err := b.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func stdinIsTerminal() bool {
	fd := os.Stdin.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}
