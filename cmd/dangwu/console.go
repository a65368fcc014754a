package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/internal/console"
	"github.com/dangwu/dangwu/store"
)

// consoleUserID is the Telegram user id the console plays; it is an
// administrator of the console's own database.
const consoleUserID = 10000

func cmdConsole(ctx context.Context, args []string, env Env) int {
	cfg, _, err := loadConfig("console", args, env.Getenv, nil)
	if err != nil {
		return configError(env, err)
	}
	return runConsole(ctx, cfg, env)
}

// runConsole chats with the bot in the terminal: the bot talks to an
// in-process Bot API server, with its own database file in the data folder
// so console users never reach the real user table.
func runConsole(ctx context.Context, cfg Config, env Env) int {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu: data folder: %v\n", err)
		return 1
	}
	logFile, err := os.OpenFile(filepath.Join(cfg.Data, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu: %v\n", err)
		return 1
	}
	defer logFile.Close()
	log := slog.New(slog.NewTextHandler(logFile, nil))

	srv := botapi.New(botapi.Options{Token: "console:local"})
	if err := srv.Start(); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu: console server: %v\n", err)
		return 1
	}
	defer srv.Close()

	cfg.Admins = append([]int64{consoleUserID}, cfg.Admins...)
	// One person at a terminal, whose updates never reach Telegram, is not
	// held to the flood limits (a pasted script of lines goes through).
	cfg.FloodLimits = bot.FloodLimits{Off: true}
	runner, err := lockRunner(cfg.Data, "console")
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu: %v\n", err)
		return 1
	}
	defer runner.Close()
	a, err := openApp(ctx, cfg, "console", log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu: %v\n", err)
		return 1
	}
	defer a.Close()
	// Each console session has a new in-process server whose update ids
	// start again at 1: the last session's updates mean nothing to it.
	if err := store.NewInbox(a.db).Clear(ctx); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu: %v\n", err)
		return 1
	}
	b, err := a.newBot(ctx, "console:local", srv.URL())
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu: %v\n", err)
		return 1
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()

	fmt.Fprintln(env.Stdout, "党务助手 控制台 — 像在 Telegram 里一样输入消息；按钮显示为 [编号]，输入 [编号] 即可点击；"+
		"/file 路径 发送一个文件（/file 路径 | 说明文字 带上说明）；Ctrl-D 退出。")
	fmt.Fprintf(env.Stdout, "数据库：%s（控制台专用；用 dangwu import --console 导入文件到这里）\n", filepath.Join(cfg.Data, "console.db"))
	user := botapi.User{ID: consoleUserID, FirstName: "控制台用户", LanguageCode: "zh-hans"}
	c := &console.Console{Server: srv, Bot: b, User: user, In: env.Stdin, Out: env.Stdout}
	chatErr := c.Run(runCtx)
	stop()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.Stderr, "dangwu: %v\n", err)
		return 1
	}
	if chatErr != nil {
		fmt.Fprintf(env.Stderr, "dangwu: %v\n", chatErr)
		return 1
	}
	return 0
}
