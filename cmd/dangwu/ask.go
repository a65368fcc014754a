package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/knowledge"
)

// maxAskResults is the most results `dangwu ask -n` may ask for.
const maxAskResults = 20

// cmdAsk answers one question from the knowledge base, as the bot would.
// It opens the same database and index as the bot; when the running bot
// holds the index, knowledge.Open gives up on it after a short wait and
// builds a private one from the database in a temporary folder, which Close
// removes. Like the bot, it first brings the content in use into the
// database, so it works on a fresh data folder.
func cmdAsk(ctx context.Context, args []string, env Env) int {
	var (
		n      int
		asJSON bool
	)
	args = negativesAreText(args)
	cfg, fs, err := loadConfig("ask", args, env.Getenv, func(fs *flag.FlagSet) {
		fs.SetOutput(env.Stderr)
		fs.IntVar(&n, "n", knowledge.DefaultResults, fmt.Sprintf("how many results to show, 1 to %d", maxAskResults))
		fs.BoolVar(&asJSON, "json", false, `print the results as a JSON array of {"rank","kind","doc","title","source","section","text","snippet","score","answer","confident"}`)
		fs.Usage = func() {
			fmt.Fprintln(fs.Output(), "usage: dangwu ask [-n K] [--json] [flags] QUESTION")
			fs.PrintDefaults()
		}
	})
	if err != nil {
		return configError(env, err)
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	for _, a := range fs.Args() {
		if strings.HasPrefix(a, "-") && len(a) > 1 && !isNumeric(a) {
			fmt.Fprintf(env.Stderr, "dangwu ask: %s after the question: flags go first (dangwu ask %s QUESTION)\n", a, a)
			fs.Usage()
			return 2
		}
	}
	switch {
	case n < 1 || n > maxAskResults:
		fmt.Fprintf(env.Stderr, "dangwu ask: -n %d: must be from 1 to %d\n", n, maxAskResults)
		fs.Usage()
		return 2
	case question == "":
		fmt.Fprintln(env.Stderr, "dangwu ask: no question")
		fs.Usage()
		return 2
	}

	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(ctx, cfg, "dangwu", log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu ask: %v\n", err)
		return 1
	}
	defer a.Close()
	if a.dues != nil {
		// The bot asks back when the calculator needs more; one command
		// cannot, so in JSON only an answer with an amount replaces the
		// search, and as text the calculator's reply is printed (an
		// implausible amount, two amounts, a missing one).
		if rep, ok := a.dues.Answer(question); ok && (certain(rep) || !asJSON) {
			if err := writeDues(env.Stdout, a.dues, rep, asJSON); err != nil {
				fmt.Fprintf(env.Stderr, "dangwu ask: %v\n", err)
				return 1
			}
			return 0
		}
	}
	kind, search := knowledge.ClassifyMessage(question)
	if kind != knowledge.NotChatter {
		// as the bot does: chatter is not searched
		if asJSON {
			_, err = fmt.Fprintln(env.Stdout, "[]")
		} else {
			_, err = fmt.Fprintln(env.Stdout, chatterLine[kind])
		}
		if err != nil {
			return 1
		}
		return 0
	}
	ans, err := a.kb.Search(ctx, search, n)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu ask: %v\n", err)
		return 1
	}
	if asJSON {
		err = writeAnswerJSON(env.Stdout, ans)
	} else {
		err = writeAnswerText(env.Stdout, ans)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu ask: %v\n", err)
		return 1
	}
	return 0
}

// askResult is one result of `dangwu ask --json`; its keys are an interface
// (see DESIGN.md).
type askResult struct {
	Rank    int     `json:"rank"`
	Kind    string  `json:"kind"`
	Doc     string  `json:"doc"`
	Title   string  `json:"title"`
	Source  string  `json:"source"`
	Section string  `json:"section"`
	Text    string  `json:"text"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
	// Answer is the sentence(s) of Text that answer the question.
	Answer string `json:"answer"`
	// Confident is true only on rank 1, when the bot presents it as a
	// reliable answer.
	Confident bool `json:"confident"`
}

// chatterLine is what `dangwu ask` prints for a message that is not a
// question, as the bot would reply.
var chatterLine = map[knowledge.Chatter]string{
	knowledge.Greeting: "（问候）这不是一个问题。直接提问即可，例如：dangwu ask 预备期多长",
	knowledge.Thanks:   "（致谢）这不是一个问题。",
	knowledge.Hint:     "（没有可以查询的内容）请用一句话写出问题，例如：dangwu ask 党费怎么交",
	knowledge.Number:   "（只有一个数字）计算党费请这样问：dangwu ask 工资8000交多少党费",
}

// negativesAreText puts "--" before the first argument that is a negative
// number ("dangwu ask -5", "ask -n 3 -5"), so the flag parser takes it as
// the question rather than as an unknown flag.
func negativesAreText(args []string) []string {
	for i, a := range args {
		if a == "--" {
			return args
		}
		if strings.HasPrefix(a, "-") && isNumeric(a) && (i == 0 || args[i-1] != "-n") {
			out := append(append(append([]string{}, args[:i]...), "--"), args[i:]...)
			return out
		}
	}
	return args
}

// isNumeric reports whether a is a negative number ("-5"), which is a
// question's text, not a flag.
func isNumeric(a string) bool {
	_, err := strconv.ParseFloat(a, 64)
	return err == nil
}

var (
	stripMarks   = strings.NewReplacer(string(knowledge.MarkStart), "", string(knowledge.MarkEnd), "")
	bracketMarks = strings.NewReplacer(string(knowledge.MarkStart), "【", string(knowledge.MarkEnd), "】")
)

func writeAnswerJSON(w io.Writer, ans knowledge.Answer) error {
	out := make([]askResult, 0, len(ans.Results))
	for _, r := range ans.Results {
		out = append(out, askResult{Rank: r.Rank, Kind: r.Kind, Doc: r.DocID, Title: r.Title, Source: r.Source,
			Section: r.Section, Text: r.Text, Snippet: stripMarks.Replace(r.Snippet), Score: r.Score,
			Answer: r.Answer, Confident: r.Rank == 1 && ans.Confident})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeAnswerText prints the answer for a person: each result with its
// place in its document, the snippet with the matched words in 【】, and
// where it comes from.
func writeAnswerText(w io.Writer, ans knowledge.Answer) error {
	var b strings.Builder
	switch {
	case len(ans.Results) == 0:
		b.WriteString("没有找到相关内容。可以换个说法再问，或请组织部门补充。\n")
	case !ans.Confident:
		b.WriteString("没有找到可靠的答案。以下是最接近的内容，仅供参考：\n")
	}
	for _, r := range ans.Results {
		head := r.Title
		if r.Kind == knowledge.KindFAQ {
			head = "问答：" + head
		}
		if r.Section != "" {
			head += " · " + r.Section
		}
		fmt.Fprintf(&b, "\n%d. %s\n", r.Rank, head)
		if r.Answer != "" {
			fmt.Fprintf(&b, "   答：%s\n", r.Answer)
		}
		for line := range strings.Lines(bracketMarks.Replace(r.Snippet)) {
			if line = strings.TrimSpace(line); line != "" {
				fmt.Fprintf(&b, "   %s\n", line)
			}
		}
		var about []string
		if r.Source != "" {
			about = append(about, "来源："+r.Source)
		}
		if r.Date != "" {
			about = append(about, "日期："+r.Date)
		}
		if r.District != "" {
			about = append(about, "适用："+r.District)
		}
		if r.DocID != "" {
			about = append(about, "文档："+r.DocID)
		}
		if len(about) > 0 {
			fmt.Fprintf(&b, "   %s\n", strings.Join(about, "；"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// certain reports whether the calculator gave an amount.
func certain(rep dues.Reply) bool {
	return rep.Kind == dues.Computed || rep.Kind == dues.Fixed || rep.Kind == dues.Ranged
}

// writeDues prints the calculator's answer: as text, or as a one-element
// JSON array, a passage of the document that states the rule (dues.yaml's
// doc and the category's section) whose text and answer are the computed
// reply, confident by construction.
func writeDues(w io.Writer, rules *dues.Rules, rep dues.Reply, asJSON bool) error {
	text := bot.DuesPlainText(rep)
	if !asJSON {
		_, err := fmt.Fprintln(w, text)
		return err
	}
	first, _, _ := strings.Cut(text, "\n")
	res := askResult{Rank: 1, Kind: knowledge.KindPassage, Doc: rules.Doc, Title: "党费计算", Source: rep.Source,
		Text: text, Snippet: text, Score: 1, Answer: first, Confident: true}
	if rep.Category != nil {
		res.Section = rep.Category.Section
		res.Title += "：" + rep.Category.Name
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode([]askResult{res})
}
