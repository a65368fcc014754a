// Command dangwu runs the 党务助手 Telegram bot and its maintenance tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, IsTerminal: stdinIsTerminal()}
	os.Exit(Main(ctx, os.Args[1:], env))
}

// Env is the process's surroundings, replaceable in tests.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	IsTerminal     bool // standard input is a terminal
}

// subcommand is one `dangwu NAME` action; it returns the exit code.
type subcommand struct {
	summary string
	run     func(ctx context.Context, args []string, env Env) int
}

var subcommands = map[string]subcommand{}

func init() {
	subcommands["run"] = subcommand{"run the bot (the default)", cmdRun}
	subcommands["console"] = subcommand{"chat with the bot in this terminal", cmdConsole}
	subcommands["ask"] = subcommand{"answer one question from the knowledge base", cmdAsk}
	subcommands["import"] = subcommand{"add documents (.md .txt .docx), question banks (.yaml .xlsx .csv) and rosters (.xlsx .csv)", cmdImport}
	subcommands["template"] = subcommand{"write an empty question-bank workbook: template quiz FILE.xlsx", cmdTemplate}
	subcommands["check"] = subcommand{"validate the content in use; file:line: message for each problem", cmdCheck}
	subcommands["report"] = subcommand{"write the training-record workbook: report [--district NAME] FILE.xlsx", cmdReport}
	subcommands["backup"] = subcommand{"write a consistent copy of the database, also while the bot runs", cmdBackup}
	subcommands["restore"] = subcommand{"put a backup in place of the database (the bot stopped): restore BACKUP", cmdRestore}
}

// subcommandOrder is how usage lists them.
var subcommandOrder = []string{"run", "console", "ask", "import", "check", "template", "report", "backup", "restore"}

// Main runs dangwu with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	name := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(env.Stdout)
		return 0
	}
	sc, ok := subcommands[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "dangwu: unknown command %q\n\n", name)
		usage(env.Stderr)
		return 2
	}
	return sc.run(ctx, args, env)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: dangwu [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, n := range subcommandOrder {
		fmt.Fprintf(w, "  %-8s %s\n", n, subcommands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'dangwu COMMAND -h' for a command's flags.")
}

// exitCode turns a configuration error into the exit code for bad usage.
func configError(env Env, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(env.Stderr, "dangwu: %v\n", err)
	return 2
}
