package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// The answer dialogue: a coordinator writes the answer to a group of
// questions (flowGapAnswer) or a new version of an FAQ entry born from one
// (flowFAQEdit). It asks for the answer; for a new answer of a city-wide
// coordinator or admin, the district it holds for (全市 or one district; a
// district coordinator's answer is their district's); an optional source;
// then shows a preview with 保存 / 重写 / 取消. Until 保存 the dialogue is
// only its conversation row; 保存 writes the entry, closes the questions,
// queues the askers' notices, ends the dialogue and marks the update
// handled in one transaction. The knowledge service checks the scope at
// every step, so a forged button changes nothing.

const (
	flowGapAnswer = "gap"     // Data: q (a question of the group)
	flowFAQEdit   = "faqedit" // Data: f (the FAQ entry's id)
)

// Steps of the answer dialogue. Data holds answer, district and source.
const (
	stepAnswer   = "answer"
	stepDistrict = "district"
	stepSource   = "source"
	stepPreview  = "preview"
)

// maxSource bounds a source typed in the dialogue.
const maxSource = 200

// previewAnswer bounds the answer a preview shows, under Telegram's limit.
const previewAnswer = 3000

// startGapAnswer starts the dialogue answering the group of qid.
func (b *Bot) startGapAnswer(ctx context.Context, r *request, qid int64) error {
	g, _, ok, err := b.openGap(ctx, r, qid)
	if !ok {
		return err
	}
	c := store.Conversation{Flow: flowGapAnswer, Step: stepAnswer, Data: map[string]string{"q": strconv.FormatInt(qid, 10)}}
	return b.askPrivately(ctx, r, c, t("gap.ask_answer", esc(g.Text), g.Count))
}

// checkDraft asks the knowledge service whether the dialogue's target is
// still the user's to answer or edit.
func (b *Bot) checkDraft(ctx context.Context, by knowledge.Actor, c store.Conversation) error {
	if c.Flow == flowFAQEdit {
		_, err := b.kb.EditableFAQ(ctx, c.Data["f"], by)
		return err
	}
	qid, _ := strconv.ParseInt(c.Data["q"], 10, 64)
	_, err := b.kb.Gap(ctx, by, qid)
	return err
}

// refuseDraft ends a dialogue the knowledge service refused and says why,
// or returns err when it is not a refusal.
func (b *Bot) refuseDraft(ctx context.Context, r *request, c store.Conversation, err error) error {
	msg := gapRefusal(err)
	if c.Flow == flowFAQEdit {
		msg = faqRefusal(err)
	}
	if msg == "" {
		return err
	}
	if err := b.conv.End(ctx, r.userID, r.userID); err != nil {
		return err
	}
	return b.refuse(ctx, r, msg)
}

// draftFlow takes what the coordinator types at each step.
func (b *Bot) draftFlow(ctx context.Context, r *request, c store.Conversation) error {
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	if err := b.checkDraft(ctx, by, c); err != nil {
		return b.refuseDraft(ctx, r, c, err)
	}
	if replayedStep(ctx, c) {
		return b.reprompt(ctx, r, c)
	}
	switch c.Step {
	case stepAnswer:
		c.Data["answer"] = r.text
		if c.Flow == flowGapAnswer && by.CityWide {
			return b.askDistrict(ctx, r, c)
		}
		return b.askSource(ctx, r, c)
	case stepSource:
		c.Data["source"] = truncate(r.text, maxSource)
		return b.preview(ctx, r, c)
	case stepDistrict:
		return b.reply(ctx, r, t("reg.press_choice"))
	}
	return b.reply(ctx, r, t("draft.press"))
}

// A dialogue step is saved before its prompt is sent, and the update that
// moved the dialogue is marked done only once the prompt is out. A crash
// between the two replays the update against the step it had already
// moved to: the coordinator's answer would be taken as its source. So a
// step remembers the update that led to it (markStep), and a replay of
// that update asks the step's question again instead (reprompt).
func markStep(ctx context.Context, c *store.Conversation) {
	if id := updateID(ctx); id != 0 {
		c.Data[stepUpdate] = strconv.FormatInt(id, 10)
	}
}

// stepUpdate is the key of the update that led to a dialogue's step.
const stepUpdate = "_u"

// replayedStep reports whether the update being handled is the one that
// moved c to its step.
func replayedStep(ctx context.Context, c store.Conversation) bool {
	id := updateID(ctx)
	return id != 0 && c.Data[stepUpdate] == strconv.FormatInt(id, 10)
}

// reprompt asks the question of the step c is at again.
func (b *Bot) reprompt(ctx context.Context, r *request, c store.Conversation) error {
	switch c.Step {
	case stepDistrict:
		return b.askDistrict(ctx, r, c)
	case stepSource:
		return b.askSource(ctx, r, c)
	case stepPreview:
		return b.preview(ctx, r, c)
	}
	return b.reply(ctx, r, t("draft.press"))
}

// askDistrict offers 全市 and each district: dr:d:0 is 全市, dr:d:<n> the
// n-th district.
func (b *Bot) askDistrict(ctx context.Context, r *request, c store.Conversation) error {
	c.Step = stepDistrict
	markStep(ctx, &c)
	if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
		return err
	}
	buttons := []models.InlineKeyboardButton{button(t("draft.city"), "dr", "d", 0)}
	for i, name := range b.members.Districts().Names() {
		buttons = append(buttons, button(name, "dr", "d", i+1))
	}
	return b.send(ctx, r.userID, message{text: t("draft.ask_district"), markup: &models.InlineKeyboardMarkup{InlineKeyboard: grid(buttons, 3)}})
}

// askSource asks for an optional source, with 跳过 (which keeps the source
// an edited entry had).
func (b *Bot) askSource(ctx context.Context, r *request, c store.Conversation) error {
	c.Step = stepSource
	markStep(ctx, &c)
	if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
		return err
	}
	text, skip := t("draft.ask_source"), t("draft.skip")
	if cur := c.Data["source"]; cur != "" {
		text, skip = t("draft.ask_source_current", esc(cur)), t("draft.keep_source")
	}
	return b.send(ctx, r.userID, message{text: text, markup: &models.InlineKeyboardMarkup{
		InlineKeyboard: [][]models.InlineKeyboardButton{{button(skip, "dr", "skip")}},
	}})
}

// preview shows what 保存 would store.
func (b *Bot) preview(ctx context.Context, r *request, c store.Conversation) error {
	c.Step = stepPreview
	markStep(ctx, &c)
	if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
		return err
	}
	question, err := b.draftQuestion(ctx, c)
	if err != nil {
		return err
	}
	answer := c.Data["answer"]
	shown := esc(truncate(answer, previewAnswer))
	if n := len([]rune(answer)); n > previewAnswer {
		shown += "\n" + t("draft.long", n)
	}
	district := t("draft.city")
	if d := c.Data["district"]; d != "" {
		district = esc(d)
	}
	source := t("draft.no_source")
	if s := c.Data["source"]; s != "" {
		source = esc(s)
	}
	text := t("draft.preview", esc(truncate(question, 200)), shown, district, source)
	return b.send(ctx, r.userID, message{text: text, markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		button(t("draft.save"), "dr", "save"), button(t("draft.redo"), "dr", "redo"), button(t("draft.cancel"), "dr", "cancel"),
	}}}})
}

// draftQuestion is the question the dialogue answers.
func (b *Bot) draftQuestion(ctx context.Context, c store.Conversation) (string, error) {
	if c.Flow == flowFAQEdit {
		f, err := b.kb.FAQ(ctx, c.Data["f"])
		return f.Question, err
	}
	qid, _ := strconv.ParseInt(c.Data["q"], 10, 64)
	q, err := b.kb.Shown(ctx, qid)
	return q.Text, err
}

// onDraftButton handles the dialogue's buttons: dr:d:<n> (district),
// dr:skip (no source), dr:save, dr:redo and dr:cancel. A button of a step
// the dialogue is not at is stale.
func (b *Bot) onDraftButton(ctx context.Context, r *request, payload string) error {
	c, err := b.conv.Get(ctx, r.userID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || err == nil && c.Flow != flowGapAnswer && c.Flow != flowFAQEdit {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	if err := b.checkDraft(ctx, by, c); err != nil {
		return b.refuseDraft(ctx, r, c, err)
	}
	if replayedStep(ctx, c) {
		return b.reprompt(ctx, r, c)
	}
	op, arg, _ := strings.Cut(payload, ":")
	switch {
	case op == "d" && c.Flow == flowGapAnswer && (c.Step == stepDistrict || c.Step == stepPreview):
		return b.pickDistrict(ctx, r, by, c, arg)
	case op == "skip" && c.Step == stepSource:
		return b.preview(ctx, r, c)
	case op == "save" && c.Step == stepPreview:
		return b.saveDraft(ctx, r, by, c)
	case op == "redo" && c.Step == stepPreview:
		c.Step = stepAnswer
		if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("draft.rewrite")})
	case op == "cancel":
		if err := b.conv.End(ctx, r.userID, r.userID); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("draft.cancelled")})
	}
	return b.staleButton(ctx, r)
}

// pickDistrict takes the district an answer holds for, as the knowledge
// service allows it (a district coordinator: only their own).
func (b *Bot) pickDistrict(ctx context.Context, r *request, by knowledge.Actor, c store.Conversation, arg string) error {
	n, err := strconv.Atoi(arg)
	names := b.members.Districts().Names()
	if err != nil || n < 0 || n > len(names) {
		return b.staleButton(ctx, r)
	}
	picked := ""
	if n > 0 {
		picked = names[n-1]
	}
	district, err := by.AnswerDistrict(picked, true)
	if errors.Is(err, knowledge.ErrOutOfScope) {
		b.ack(r, t("draft.district_scope", by.District), true)
		return nil
	}
	if err != nil {
		return err
	}
	c.Data["district"], c.Data["picked"] = district, "1"
	if c.Step == stepPreview {
		return b.preview(ctx, r, c)
	}
	return b.askSource(ctx, r, c)
}

// saveDraft stores the answer or the edited entry, in one transaction with
// the askers' notices, the dialogue's end and the update's done mark.
func (b *Bot) saveDraft(ctx context.Context, r *request, by knowledge.Actor, c store.Conversation) error {
	answer, source := c.Data["answer"], c.Data["source"]
	if c.Flow == flowFAQEdit {
		f, err := b.kb.EditFAQ(ctx, c.Data["f"], answer, source, by, func(ctx context.Context) error {
			if err := b.conv.End(ctx, r.userID, r.userID); err != nil {
				return err
			}
			return b.doneInTx(ctx)
		})
		if err != nil {
			return b.refuseDraft(ctx, r, c, err)
		}
		settleDone(ctx)
		return b.editCallbackMessage(ctx, r, message{text: t("faq.saved", esc(truncate(f.Question, 100)))})
	}
	qid, _ := strconv.ParseInt(c.Data["q"], 10, 64)
	g, err := b.kb.Gap(ctx, by, qid)
	if err != nil {
		return b.refuseDraft(ctx, r, c, err)
	}
	var told int
	ans := knowledge.GapAnswer{Answer: answer, Source: source, District: c.Data["district"], Picked: c.Data["picked"] == "1"}
	f, _, err := b.kb.AnswerGap(ctx, g.QuestionIDs, ans, by, func(ctx context.Context, f knowledge.FAQ, askers []knowledge.Asker) error {
		n, err := b.tellAskers(ctx, r, f, askers)
		told = n
		return err
	})
	if err != nil {
		return b.refuseDraft(ctx, r, c, err)
	}
	settleDone(ctx)
	return b.editCallbackMessage(ctx, r, message{text: t("gap.done", esc(truncate(f.Question, 100)), told)})
}
