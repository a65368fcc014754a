package bot

import (
	"context"
	"html"
	"regexp"
	"strings"

	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// The 党费 calculator: /dues opens it with a choice of categories, /dues
// 8000 answers at once, and a typed answer continues the dialogue until an
// amount is computed. The rules come from content (dues.yaml).

// flowDues waits for the amount (or category) the calculator asked for.
const flowDues = "dues"

// cmdDues handles /dues and /dues <amount or question>.
func (b *Bot) cmdDues(ctx context.Context, r *request) error {
	args := strings.TrimSpace(r.args)
	if args == "" {
		if !r.private {
			return b.reply(ctx, r, t("dues.group_usage"))
		}
		if err := b.saveDues(ctx, r, ""); err != nil {
			return err
		}
		return b.send(ctx, r.chatID, message{text: t("dues.prompt"), markup: b.duesKeyboard(b.dues.Categories)})
	}
	return b.replyDues(ctx, r, b.dues.AnswerAmount("", args), "")
}

// duesFlow takes what the user typed in the dialogue: an amount, or a
// category in words.
func (b *Bot) duesFlow(ctx context.Context, r *request, c store.Conversation) error {
	cat := c.Data["cat"]
	return b.replyDues(ctx, r, b.dues.AnswerAmount(cat, r.text), cat)
}

// onDuesButton handles dues:<category id>: the user chose their category.
func (b *Bot) onDuesButton(ctx context.Context, r *request, payload string) error {
	c, ok := b.dues.Category(payload)
	if !ok {
		return b.staleButton(ctx, r)
	}
	if c.Kind != dues.ByBrackets {
		rep, err := b.dues.Calculate(c.ID, 0)
		if err != nil {
			return err
		}
		return b.replyDues(ctx, r, rep, c.ID)
	}
	conv := store.Conversation{Flow: flowDues, Step: "amount", Data: map[string]string{"cat": c.ID}}
	return b.askPrivately(ctx, r, conv, t("dues.ask_amount", esc(c.Name), esc(c.Prompt)))
}

// answerDues answers question with the calculator when it is a question the
// calculator answers (see dues.Rules.Answer), and reports whether it did.
// A question that needs the amount opens the dialogue in a private chat, so
// the next message can be the amount. The free-text question path calls it
// before searching the knowledge base.
func (b *Bot) answerDues(ctx context.Context, r *request, question string) (bool, error) {
	if b.dues == nil {
		return false, nil
	}
	rep, ok := b.dues.Answer(question)
	if !ok {
		return false, nil
	}
	return true, b.replyDues(ctx, r, rep, "")
}

// replyDues sends the calculator's reply. A computed amount ends the
// dialogue; a reply that asks for more keeps it open (in a private chat)
// with the category known so far.
func (b *Bot) replyDues(ctx context.Context, r *request, rep dues.Reply, chosen string) error {
	m := message{text: duesText(rep)}
	switch rep.Kind {
	case dues.Computed, dues.Fixed, dues.Ranged:
		if r.private {
			if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
				return err
			}
		}
		return b.send(ctx, r.chatID, m)
	case dues.NeedAmount:
		chosen = rep.Category.ID
	case dues.NeedCategory:
		m.markup = b.duesKeyboard(rep.Choices)
	}
	if !r.private {
		if rep.Kind == dues.NeedCategory {
			m.markup = nil // the buttons ask for an amount in a private chat
		}
		m.text += "\n\n" + t("dues.group_usage")
		return b.send(ctx, r.chatID, m)
	}
	if err := b.saveDues(ctx, r, chosen); err != nil {
		return err
	}
	m.text += "\n" + t("reg.cancel_hint")
	return b.send(ctx, r.chatID, m)
}

func (b *Bot) saveDues(ctx context.Context, r *request, category string) error {
	return b.conv.Save(ctx, r.chatID, r.userID, store.Conversation{
		Flow: flowDues, Step: "amount", Data: map[string]string{"cat": category},
	})
}

// duesKeyboard offers categories as buttons, three to a row.
func (b *Bot) duesKeyboard(cats []*dues.Category) *models.InlineKeyboardMarkup {
	buttons := make([]models.InlineKeyboardButton, 0, len(cats))
	for _, c := range cats {
		buttons = append(buttons, button(c.Button, "dues", c.ID))
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: grid(buttons, 3)}
}

// maxShownAmount bounds an amount quoted back to the user (a hostile one
// may be thousands of digits).
const maxShownAmount = 24

// duesText is the calculator's reply in HTML: the amount in bold first, then
// how it was computed, the rule and its source, and what was assumed.
func duesText(rep dues.Reply) string {
	var lines []string
	c := rep.Category
	switch rep.Kind {
	case dues.Computed:
		label := esc(c.Prompt)
		if rep.Assumes(dues.AssumedPreTax) {
			label = t("dues.given_pretax")
		}
		lines = append(lines,
			t("dues.amount", yuan(rep.Dues)),
			t("dues.computed", esc(c.Name), label, yuan(rep.Base), bracketText(rep), rep.Bracket.Rate.String(), yuan(rep.Dues)),
			t("dues.base", esc(c.Base)))
	case dues.Fixed:
		lines = append(lines, t("dues.amount", yuan(rep.Dues)), t("dues.fixed", esc(c.Name)))
	case dues.Ranged:
		lines = append(lines, t("dues.amount", t("dues.range_amount", rep.Min.Yuan(), rep.Max.Yuan())), t("dues.ranged", esc(c.Name)))
	case dues.NeedAmount:
		lines = append(lines, t("dues.need_amount", esc(c.Name), esc(c.Prompt)))
	case dues.NeedCategory:
		names := make([]string, len(rep.Choices))
		for i, ch := range rep.Choices {
			names[i] = esc(ch.Name)
		}
		return t("dues.need_category", strings.Join(names, "、"))
	case dues.Implausible:
		return t("dues.implausible", esc(truncate(rep.Given.Text, maxShownAmount)), yuan(dues.MinMonthly), yuan(dues.MaxMonthly))
	case dues.Ambiguous:
		var found []string
		for i, a := range rep.Candidates {
			if i == 3 {
				found = append(found, "…")
				break
			}
			found = append(found, esc(truncate(a.Text, maxShownAmount)))
		}
		return t("dues.ambiguous", strings.Join(found, "、"))
	case dues.NoAmount:
		return t("dues.no_amount", esc(c.Prompt))
	}
	lines = append(lines, t("dues.rule", esc(rep.Rule)), t("ask.source", esc(rep.Source)))
	for _, a := range rep.Assumptions {
		switch a {
		case dues.AssumedDefault:
			lines = append(lines, t("dues.assumed_default", esc(c.Name)))
		case dues.AssumedMonthlyAverage:
			lines = append(lines, t("dues.assumed_yearly", esc(truncate(rep.Given.Text, maxShownAmount)), yuan(rep.Base), esc(c.Base)))
		case dues.AssumedPreTax:
			lines = append(lines, t("dues.assumed_pretax"))
		}
	}
	return strings.Join(lines, "\n")
}

// bracketText names the band of a computed reply: 3000元以下（含3000元）,
// 3000元以上至5000元（含5000元）, 10000元以上.
func bracketText(rep dues.Reply) string {
	switch {
	case rep.Bracket.Open && rep.First:
		return t("dues.bracket_all")
	case rep.Bracket.Open:
		return t("dues.bracket_last", rep.Lower.Yuan())
	case rep.First:
		return t("dues.bracket_first", rep.Bracket.Upto.Yuan())
	}
	return t("dues.bracket_middle", rep.Lower.Yuan(), rep.Bracket.Upto.Yuan())
}

func yuan(m dues.Money) string { return t("dues.yuan", m.Yuan()) }

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// DuesPlainText is the calculator's reply as plain text, as the bot words
// it, for the command line (`dangwu ask`).
func DuesPlainText(rep dues.Reply) string {
	return html.UnescapeString(htmlTag.ReplaceAllString(duesText(rep), ""))
}
