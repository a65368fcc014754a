package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// Coordinators close the knowledge base's gaps: they see the questions that
// got no reliable answer or a 👎, answer a group of them, and the answer
// becomes an FAQ entry that everyone who asked is sent.

// maxGroups bounds the groups /unanswered lists.
const maxGroups = 10

// actor is who the user is to the knowledge base: an admin or city
// coordinator acts city-wide, a district coordinator in their district, a
// worker on nothing. The knowledge service checks the scope.
func (b *Bot) actor(ctx context.Context, userID int64) (knowledge.Actor, error) {
	a, err := b.members.Access(ctx, userID)
	if err != nil {
		return knowledge.Actor{}, err
	}
	act := knowledge.Actor{UserID: userID, ResolveDistrict: b.members.Districts().Resolve}
	switch {
	case a.CityWide():
		act.CityWide = true
	case a.Role == member.RoleCoordinator:
		act.District = a.District
	}
	return act, nil
}

// cmdUnanswered lists the open question groups of the coordinator's scope.
func (b *Bot) cmdUnanswered(ctx context.Context, r *request) error {
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	groups, err := b.kb.Unanswered(ctx, by)
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		return b.reply(ctx, r, t("gap.none"))
	}
	var sb strings.Builder
	sb.WriteString(t("gap.header", len(groups)))
	var rows [][]models.InlineKeyboardButton
	for i, g := range groups {
		if i == maxGroups {
			sb.WriteString("\n\n" + t("gap.more", len(groups)-maxGroups))
			break
		}
		fmt.Fprintf(&sb, "\n\n%d. %s %s", i+1, esc(truncate(g.Text, 80)), t("gap.count", g.Count))
		for _, p := range g.Phrasings[1:min(len(g.Phrasings), 3)] {
			fmt.Fprintf(&sb, "\n   · %s", esc(truncate(p, 60)))
		}
		rows = append(rows, []models.InlineKeyboardButton{button(t("gap.answer", i+1), "gap", g.ID)})
	}
	return b.send(ctx, r.chatID, message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}})
}

// onGapButton handles gap:<question id>: answer the group of that question.
func (b *Bot) onGapButton(ctx context.Context, r *request, payload string) error {
	qid, err := strconv.ParseInt(payload, 10, 64)
	if err != nil || b.kb == nil {
		return b.staleButton(ctx, r)
	}
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	g, err := b.kb.Gap(ctx, by, qid)
	switch {
	case errors.Is(err, knowledge.ErrOutOfScope):
		return b.reply(ctx, r, t("gap.out_of_scope"))
	case errors.Is(err, knowledge.ErrNotFound), errors.Is(err, knowledge.ErrGapClosed):
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	c := store.Conversation{Flow: flowGapAnswer, Step: "answer", Data: map[string]string{"q": payload}}
	return b.askPrivately(ctx, r, c, t("gap.ask_answer", esc(g.Text), g.Count))
}

// flowGapAnswer waits for a coordinator's answer to a question group.
const flowGapAnswer = "gap"

func (b *Bot) gapAnswerFlow(ctx context.Context, r *request, c store.Conversation) error {
	qid, _ := strconv.ParseInt(c.Data["q"], 10, 64)
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	var faq knowledge.FAQ
	var notices []notice
	g, err := b.kb.Gap(ctx, by, qid)
	if err == nil {
		faq, _, err = b.kb.AnswerGap(ctx, g.QuestionIDs, r.text, by, func(ctx context.Context, faq knowledge.FAQ, askers []knowledge.Asker) error {
			notices = notices[:0]
			told := map[int64]bool{}
			for _, a := range askers {
				if told[a.ChatID] || a.ChatID == r.chatID || a.ChatID == 0 {
					continue
				}
				told[a.ChatID] = true
				notices = append(notices, notice{chatID: a.ChatID, msg: message{
					text: t("gap.answered_you", esc(truncate(a.Text, 100)), esc(truncate(faq.Answer, maxText-300))),
				}})
			}
			// The answer, the end of the dialogue, the notices and the
			// record that this update was handled commit together.
			if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
				return err
			}
			if err := b.queue(ctx, "gap_answer", notices...); err != nil {
				return err
			}
			return b.doneInTx(ctx)
		})
	}
	if err != nil {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		switch {
		case errors.Is(err, knowledge.ErrOutOfScope):
			return b.reply(ctx, r, t("gap.out_of_scope"))
		case errors.Is(err, knowledge.ErrNotFound), errors.Is(err, knowledge.ErrGapClosed):
			return b.reply(ctx, r, t("gap.closed"))
		case errors.Is(err, knowledge.ErrEmptyAnswer):
			return b.reply(ctx, r, t("gap.empty"))
		}
		return err
	}
	return b.reply(ctx, r, t("gap.done", esc(faq.Question), len(notices)))
}

// onDocButton handles doc:rm:<id> (ask) and doc:rmy:<id> (remove). The
// knowledge service checks that the user may remove the document.
func (b *Bot) onDocButton(ctx context.Context, r *request, payload string) error {
	op, id, _ := strings.Cut(payload, ":")
	if r.role < RoleCoordinator || b.kb == nil {
		return b.staleButton(ctx, r)
	}
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	d, err := b.kb.Document(ctx, id)
	if errors.Is(err, knowledge.ErrNotFound) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	switch op {
	case "rm":
		if len("doc:rmy:"+id) > maxCallbackData {
			return b.staleButton(ctx, r)
		}
		if d.Origin == knowledge.OriginImport && !by.Covers(d.District) {
			b.ack(r, docScopeText(d.District), true)
			return nil
		}
		return b.send(ctx, r.chatID, message{text: t("doc.remove_confirm", esc(d.Title)), markup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{button(t("doc.remove_yes"), "doc", "rmy", id)}},
		}})
	case "rmy":
		err := b.kb.Remove(ctx, id, by)
		if errors.Is(err, knowledge.ErrContentDocument) {
			b.ack(r, t("doc.builtin_remove"), true)
			return nil
		}
		if errors.Is(err, knowledge.ErrOutOfScope) {
			b.ack(r, docScopeText(d.District), true)
			return nil
		}
		if err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("doc.removed", esc(d.Title))})
	}
	return b.staleButton(ctx, r)
}

// docScopeText tells a district coordinator that a document of district
// ("" city-wide) is not theirs to remove.
func docScopeText(district string) string {
	if district == "" {
		return t("doc.city_remove")
	}
	return t("doc.other_district_remove", district)
}
