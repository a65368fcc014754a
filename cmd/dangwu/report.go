package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

// cmdReport writes the training-record workbook of the whole city, or of
// one district: dangwu report [--district NAME] FILE.xlsx.
func cmdReport(ctx context.Context, args []string, env Env) int {
	var district string
	cfg, fs, err := loadConfig("report", args, env.Getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&district, "district", "", "the district to report on (default: the whole city)")
	})
	if err != nil {
		return configError(env, err)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "usage: dangwu report [--data DIR] [--district NAME] FILE.xlsx")
		return 2
	}
	target := fs.Arg(0)
	if _, err := os.Stat(target); err == nil {
		fmt.Fprintf(env.Stderr, "dangwu report: %s already exists; choose a new file\n", target)
		return 1
	}
	a, err := openApp(ctx, cfg, "dangwu", slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu report: %v\n", err)
		return 1
	}
	defer a.Close()
	// The operator reports as an administrator would.
	rep, err := a.recs.Report(ctx, member.Access{Role: member.RoleAdmin}, a.members.Districts(), district)
	if err != nil {
		if errors.Is(err, records.ErrUnknownDistrict) {
			fmt.Fprintf(env.Stderr, "dangwu report: no district %q; the districts are in content/districts.yaml\n", district)
			return 1
		}
		fmt.Fprintf(env.Stderr, "dangwu report: %v\n", err)
		return 1
	}
	if err := createNew(target, func(w io.Writer) error { return records.WriteReport(w, rep, cfg.Location) }); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu report: %v\n", err)
		return 1
	}
	scope := "the whole city"
	if rep.District != "" {
		scope = rep.District
	}
	fmt.Fprintf(env.Stdout, "wrote %s: %s, %d, %d workers, %d events, %d exams, %d vacancies\n", target, scope, rep.Year,
		len(rep.Data.Workers), len(rep.Data.Events), len(rep.Data.Exams), len(rep.Data.Vacancies))
	return 0
}
