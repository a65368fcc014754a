package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// /faq lists the FAQ entries born from answered gaps, page by page, with
// 编辑 and 删除 for those the coordinator may change (a district
// coordinator: their district's; the city-wide ones they see read-only).
// Buttons name an entry gap-<n> by n: faq:e:<n>, faq:d:<n>, faq:dy:<n>.

// faqsPerPage bounds the entries one /faq message shows.
const faqsPerPage = 5

// gapFAQPrefix starts the id of every FAQ entry born from a gap.
const gapFAQPrefix = "gap-"

// faqRef is the number that names a gap FAQ entry on a button.
func faqRef(id string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, gapFAQPrefix), 10, 64)
	return n, err == nil && strings.HasPrefix(id, gapFAQPrefix)
}

func (b *Bot) cmdFAQ(ctx context.Context, r *request) error {
	m, err := b.faqPage(ctx, r.userID, 1)
	if err != nil {
		return err
	}
	return b.send(ctx, r.chatID, m)
}

// faqPage is page n of the gap FAQ entries the user sees.
func (b *Bot) faqPage(ctx context.Context, userID int64, n int) (message, error) {
	by, err := b.actor(ctx, userID)
	if err != nil {
		return message{}, err
	}
	p, err := b.kb.GapFAQs(ctx, by, n, faqsPerPage)
	if err != nil {
		return message{}, err
	}
	if p.Total == 0 {
		return message{text: t("faq.none")}, nil
	}
	var sb strings.Builder
	sb.WriteString(t("faq.header", p.Total))
	if p.Of > 1 {
		sb.WriteString(" " + t("page.of", p.N, p.Of))
	}
	var rows [][]models.InlineKeyboardButton
	for i, f := range p.Entries {
		k := (p.N-1)*faqsPerPage + i + 1
		fmt.Fprintf(&sb, "\n\n%d. %s\n%s\n%s", k, t("ask.faq_heading", esc(truncate(f.Question, 80))),
			esc(truncate(f.Answer, 120)), faqScopeLine(f))
		ref, ok := faqRef(f.ID)
		if !by.MayEditFAQ(f) || !ok {
			sb.WriteString(" · " + t("faq.read_only"))
			continue
		}
		rows = append(rows, []models.InlineKeyboardButton{
			button(t("faq.edit", k), "faq", "e", ref), button(t("faq.delete", k), "faq", "d", ref),
		})
	}
	if nav := listPageButtons(p.Page, "faq"); nav != nil {
		rows = append(rows, nav)
	}
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}, nil
}

// faqScopeLine says where an entry holds and where it comes from.
func faqScopeLine(f knowledge.FAQ) string {
	district := t("draft.city")
	if f.District != "" {
		district = esc(f.District)
	}
	source := t("draft.no_source")
	if f.Source != "" {
		source = esc(truncate(f.Source, 60))
	}
	return t("faq.scope", district, source)
}

// faqRefusal words a refusal of the knowledge service about an FAQ entry;
// "" when err is none of them.
func faqRefusal(err error) string {
	switch {
	case errors.Is(err, knowledge.ErrOutOfScope):
		return t("faq.out_of_scope")
	case errors.Is(err, knowledge.ErrNotGapFAQ):
		return t("faq.builtin")
	case errors.Is(err, knowledge.ErrNotFound):
		return t("faq.gone")
	case errors.Is(err, knowledge.ErrEmptyAnswer):
		return t("gap.empty")
	}
	return ""
}

// onFAQButton handles faq:p:<page>, faq:e:<n> (edit), faq:d:<n> (ask to
// delete) and faq:dy:<n> (delete). The knowledge service checks each.
func (b *Bot) onFAQButton(ctx context.Context, r *request, payload string) error {
	op, arg, _ := strings.Cut(payload, ":")
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || b.kb == nil {
		return b.staleButton(ctx, r)
	}
	if op == "p" {
		m, err := b.faqPage(ctx, r.userID, int(n))
		if err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, m)
	}
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	id := gapFAQPrefix + strconv.FormatInt(n, 10)
	f, err := b.kb.EditableFAQ(ctx, id, by)
	if msg := faqRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	}
	if err != nil {
		return err
	}
	switch op {
	case "e":
		c := store.Conversation{Flow: flowFAQEdit, Step: stepAnswer,
			Data: map[string]string{"f": id, "source": f.Source, "district": f.District}}
		return b.askPrivately(ctx, r, c, t("faq.ask_answer", esc(truncate(f.Question, 200)), esc(truncate(f.Answer, previewAnswer))))
	case "d":
		return b.send(ctx, r.chatID, message{text: t("faq.delete_confirm", esc(truncate(f.Question, 200))), markup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{button(t("faq.delete_yes"), "faq", "dy", n)}},
		}})
	case "dy":
		if _, err := b.kb.DeleteFAQ(ctx, id, by, b.doneInTx); err != nil {
			if msg := faqRefusal(err); msg != "" {
				return b.refuse(ctx, r, msg)
			}
			return err
		}
		settleDone(ctx)
		return b.editCallbackMessage(ctx, r, message{text: t("faq.deleted", esc(truncate(f.Question, 200)))})
	}
	return b.staleButton(ctx, r)
}
