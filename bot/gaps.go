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

// Coordinators close the knowledge base's gaps: they page through the
// questions that got no reliable answer or a 👎, and answer a group (see
// drafts.go), merge it into an FAQ entry that already answers it, or
// dismiss it. The knowledge service checks the scope of every action.

// gapsPerPage bounds the groups one /unanswered message shows.
const gapsPerPage = 5

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

// cmdUnanswered shows the first page of the coordinator's queue.
func (b *Bot) cmdUnanswered(ctx context.Context, r *request) error {
	m, err := b.gapPage(ctx, r.userID, 1)
	if err != nil {
		return err
	}
	return b.send(ctx, r.chatID, m)
}

// gapPage is page n of the user's unanswered queue, with a row of buttons
// per group and ◀/▶ between pages.
func (b *Bot) gapPage(ctx context.Context, userID int64, n int) (message, error) {
	by, err := b.actor(ctx, userID)
	if err != nil {
		return message{}, err
	}
	p, err := b.kb.UnansweredPage(ctx, by, n, gapsPerPage)
	if err != nil {
		return message{}, err
	}
	if p.Total == 0 {
		return message{text: t("gap.none")}, nil
	}
	var sb strings.Builder
	sb.WriteString(t("gap.header", p.Total))
	if p.Of > 1 {
		sb.WriteString(" " + t("page.of", p.N, p.Of))
	}
	var rows [][]models.InlineKeyboardButton
	for i, g := range p.Groups {
		k := (p.N-1)*gapsPerPage + i + 1
		fmt.Fprintf(&sb, "\n\n%d. %s %s", k, esc(truncate(g.Text, 80)), t("gap.count", g.Count))
		for _, ph := range g.Phrasings[1:min(len(g.Phrasings), 3)] {
			fmt.Fprintf(&sb, "\n   · %s", esc(truncate(ph, 60)))
		}
		for _, rej := range g.Rejections {
			sb.WriteString("\n   " + rejectionLine(rej))
		}
		rows = append(rows, []models.InlineKeyboardButton{
			button(t("gap.answer", k), "gap", "a", g.ID),
			button(t("gap.merge", k), "gap", "m", g.ID),
			button(t("gap.dismiss", k), "gap", "x", p.N, g.ID),
		})
	}
	if nav := listPageButtons(p.Page, "gap"); nav != nil {
		rows = append(rows, nav)
	}
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}, nil
}

// rejectionLine shows an answer rejected with 👎 and the reason given.
func rejectionLine(rej knowledge.Rejection) string {
	what := rej.Title
	if rej.Section != "" {
		what += " · " + rej.Section
	}
	line := t("gap.rejected", esc(truncate(what, 40)))
	if rej.Text != "" {
		line += "\n     " + esc(truncate(rej.Text, 80))
	}
	if rej.Comment != "" {
		line += "\n     " + t("gap.reason", esc(truncate(rej.Comment, 100)))
	}
	return line
}

// listPageButtons are ◀ and ▶ for a list with more than one page: prefix:p:<n>.
func listPageButtons(p knowledge.Page, prefix string) []models.InlineKeyboardButton {
	var nav []models.InlineKeyboardButton
	if p.N > 1 {
		nav = append(nav, button(t("page.prev"), prefix, "p", p.N-1))
	}
	if p.N < p.Of {
		nav = append(nav, button(t("page.next"), prefix, "p", p.N+1))
	}
	return nav
}

// onGapButton handles gap:p:<page> (another page), gap:a:<question id>
// (answer its group), gap:m:<question id> (merge it into an FAQ entry),
// gap:x:<page>:<question id> (dismiss it) and gap:mp:<question id>:<n>
// (merge into the n-th entry offered). A bare gap:<question id> is an
// answer button of an older list.
func (b *Bot) onGapButton(ctx context.Context, r *request, payload string) error {
	if b.kb == nil {
		return b.staleButton(ctx, r)
	}
	op, rest, _ := strings.Cut(payload, ":")
	if _, err := strconv.ParseInt(op, 10, 64); err == nil {
		op, rest = "a", op
	}
	args := strings.Split(rest, ":")
	nums := make([]int64, len(args))
	for i, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return b.staleButton(ctx, r)
		}
		nums[i] = n
	}
	switch {
	case op == "p" && len(nums) == 1:
		m, err := b.gapPage(ctx, r.userID, int(nums[0]))
		if err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, m)
	case op == "a" && len(nums) == 1:
		return b.startGapAnswer(ctx, r, nums[0])
	case op == "m" && len(nums) == 1:
		return b.startMerge(ctx, r, nums[0])
	case op == "mp" && len(nums) == 2:
		return b.pickMerge(ctx, r, nums[0], int(nums[1]))
	case op == "x" && len(nums) == 2:
		return b.dismissGap(ctx, r, int(nums[0]), nums[1])
	}
	return b.staleButton(ctx, r)
}

// openGap is the group of question qid for the user, or false when the
// press was answered already: out of scope, answered, or gone.
func (b *Bot) openGap(ctx context.Context, r *request, qid int64) (knowledge.GapGroup, knowledge.Actor, bool, error) {
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return knowledge.GapGroup{}, by, false, err
	}
	g, err := b.kb.Gap(ctx, by, qid)
	if err != nil {
		return g, by, false, b.refuseGap(ctx, r, err)
	}
	return g, by, true, nil
}

// refuseGap tells the user why the knowledge service refused a gap action
// (a press with an alert, typed text with a reply), or returns err when it
// is not a refusal.
func (b *Bot) refuseGap(ctx context.Context, r *request, err error) error {
	msg := gapRefusal(err)
	if msg == "" {
		return err
	}
	return b.refuse(ctx, r, msg)
}

// gapRefusal words a refusal about a group of questions; "" when err is none.
func gapRefusal(err error) string {
	switch {
	case errors.Is(err, knowledge.ErrOutOfScope):
		return t("gap.out_of_scope")
	case errors.Is(err, knowledge.ErrNotFound), errors.Is(err, knowledge.ErrGapClosed):
		return t("gap.closed")
	case errors.Is(err, knowledge.ErrUnknownDistrict):
		return t("err.district")
	case errors.Is(err, knowledge.ErrEmptyAnswer):
		return t("gap.empty")
	}
	return ""
}

// refuse answers a press with an alert, or typed text with a reply.
func (b *Bot) refuse(ctx context.Context, r *request, msg string) error {
	if r.cb != nil {
		b.ack(r, msg, true)
		return nil
	}
	return b.reply(ctx, r, msg)
}

// dismissGap takes the group of qid out of the queue, nobody told, and shows
// the page it was on again.
func (b *Bot) dismissGap(ctx context.Context, r *request, page int, qid int64) error {
	g, by, ok, err := b.openGap(ctx, r, qid)
	if !ok {
		return err
	}
	n, err := b.kb.DismissGap(ctx, g.QuestionIDs, by, b.doneInTx)
	if err != nil {
		return b.refuseGap(ctx, r, err)
	}
	settleDone(ctx)
	b.ack(r, t("gap.dismissed", n), false)
	m, err := b.gapPage(ctx, r.userID, page)
	if err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, m)
}

// flowGapMerge waits for words to search FAQ entries with, to merge a group into.
const flowGapMerge = "gapmerge"

// mergeChoices is how many FAQ entries a merge offers.
const mergeChoices = 5

// startMerge offers the FAQ entries that the search finds for the group's
// question, and waits for other words to search with.
func (b *Bot) startMerge(ctx context.Context, r *request, qid int64) error {
	g, by, ok, err := b.openGap(ctx, r, qid)
	if !ok {
		return err
	}
	c := store.Conversation{Flow: flowGapMerge, Step: "pick", Data: map[string]string{"q": strconv.FormatInt(qid, 10)}}
	m, err := b.mergeChoices(ctx, by, &c, g.Text)
	if err != nil {
		return err
	}
	if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
		return err
	}
	if !r.private {
		b.ack(r, t("group.private_only", b.username), false)
	}
	return b.send(ctx, r.userID, message{text: t("gap.merge_intro", esc(truncate(g.Text, 100))) + "\n\n" + m.text, markup: m.markup})
}

// mergeChoices searches FAQ entries for text, keeps their ids in c and
// lists them with a button each.
func (b *Bot) mergeChoices(ctx context.Context, by knowledge.Actor, c *store.Conversation, text string) (message, error) {
	faqs, err := b.kb.MergeCandidates(ctx, by, text, mergeChoices)
	if err != nil {
		return message{}, err
	}
	for k := range c.Data {
		if strings.HasPrefix(k, "f") {
			delete(c.Data, k)
		}
	}
	if len(faqs) == 0 {
		return message{text: t("gap.merge_none")}, nil
	}
	var sb strings.Builder
	sb.WriteString(t("gap.merge_pick"))
	var buttons []models.InlineKeyboardButton
	for i, f := range faqs {
		c.Data["f"+strconv.Itoa(i+1)] = f.ID
		fmt.Fprintf(&sb, "\n\n%d. %s\n%s", i+1, t("ask.faq_heading", esc(truncate(f.Question, 80))), esc(truncate(f.Answer, 120)))
		buttons = append(buttons, button(t("gap.merge_into", i+1), "gap", "mp", c.Data["q"], i+1))
	}
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: grid(buttons, 3)}}, nil
}

// mergeSearchFlow takes typed words as a new search for entries to merge into.
func (b *Bot) mergeSearchFlow(ctx context.Context, r *request, c store.Conversation) error {
	qid, _ := strconv.ParseInt(c.Data["q"], 10, 64)
	_, by, ok, err := b.openGap(ctx, r, qid)
	if !ok {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return err
	}
	m, err := b.mergeChoices(ctx, by, &c, r.text)
	if err != nil {
		return err
	}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.send(ctx, r.chatID, m)
}

// pickMerge merges the group of qid into the n-th entry the merge dialogue
// offered: the questions become its phrasings, and the askers are sent its
// answer, in one transaction with the dialogue's end.
func (b *Bot) pickMerge(ctx context.Context, r *request, qid int64, n int) error {
	c, err := b.conv.Get(ctx, r.userID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || err == nil && (c.Flow != flowGapMerge || c.Data["q"] != strconv.FormatInt(qid, 10)) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	faqID, ok := c.Data["f"+strconv.Itoa(n)]
	if !ok {
		return b.staleButton(ctx, r)
	}
	g, by, ok, err := b.openGap(ctx, r, qid)
	if !ok {
		return err
	}
	var told int
	f, _, err := b.kb.MergeGap(ctx, g.QuestionIDs, faqID, by, func(ctx context.Context, f knowledge.FAQ, askers []knowledge.Asker) error {
		n, err := b.tellAskers(ctx, r, f, askers)
		told = n
		return err
	})
	if err != nil {
		return b.refuseGap(ctx, r, err)
	}
	settleDone(ctx)
	return b.editCallbackMessage(ctx, r, message{text: t("gap.merged", esc(truncate(f.Question, 100)), told)})
}

// tellAskers queues the answer of f to everyone who asked, except the
// coordinator's own chat, ends the coordinator's dialogue and marks the
// update done: inside the transaction that closes the questions.
func (b *Bot) tellAskers(ctx context.Context, r *request, f knowledge.FAQ, askers []knowledge.Asker) (int, error) {
	var notices []notice
	told := map[int64]bool{}
	answer := f.Answer
	if f.Source != "" {
		answer += "\n\n" + t("ask.source", f.Source)
	}
	for _, a := range askers {
		if told[a.ChatID] || a.ChatID == r.userID || a.ChatID == 0 {
			continue
		}
		told[a.ChatID] = true
		notices = append(notices, notice{chatID: a.ChatID, msg: message{
			text: t("gap.answered_you", esc(truncate(a.Text, 100)), esc(truncate(answer, maxText-300))),
		}})
	}
	if err := b.conv.End(ctx, r.userID, r.userID); err != nil {
		return 0, err
	}
	if err := b.queue(ctx, "gap_answer", notices...); err != nil {
		return 0, err
	}
	return len(notices), b.doneInTx(ctx)
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
