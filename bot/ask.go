package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/dues"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// shownResults is how many results an answer offers: the one shown and the
// next two as buttons.
const shownResults = 3

// maxQuestion is the longest question searched; the rest is ignored.
const maxQuestion = 500

// cmdAsk answers "/ask 问题" (in groups, or in private).
func (b *Bot) cmdAsk(ctx context.Context, r *request) error {
	if strings.TrimSpace(r.args) == "" {
		return b.reply(ctx, r, t("ask.usage"))
	}
	r.text = r.args
	return b.answerQuestion(ctx, r)
}

// answerQuestion searches the knowledge base for r.text and replies with the
// best passage, its source and buttons for the next results and feedback.
func (b *Bot) answerQuestion(ctx context.Context, r *request) error {
	if b.kb == nil {
		return b.reply(ctx, r, t("text.fallback"))
	}
	q := r.text
	if len([]rune(q)) > maxQuestion {
		q = string([]rune(q)[:maxQuestion])
	}
	// A policy question with a number in it gets the number, computed.
	if ok, err := b.answerDues(ctx, r, q); ok || err != nil {
		return err
	}
	kind, search := knowledge.ClassifyMessage(q)
	switch kind {
	case knowledge.Greeting:
		return b.reply(ctx, r, t("chat.greeting"))
	case knowledge.Thanks:
		return b.reply(ctx, r, t("chat.thanks"))
	case knowledge.Hint:
		return b.reply(ctx, r, t("chat.hint"))
	case knowledge.Number:
		return b.reply(ctx, r, t("chat.number"))
	}
	// The asker's district (if they registered) breaks close calls, and
	// the question joins that district's queue.
	district := ""
	if p, err := b.members.Get(ctx, r.userID); err == nil && p.Status.Live() {
		district = p.District
	}
	ans, err := b.kb.Find(ctx, knowledge.Request{Text: search, N: shownResults, District: district})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	ans.Query = q
	qid, err := b.kb.LogQuestion(ctx, knowledge.Asked{
		UserID: r.userID, ChatID: r.chatID, District: district, Text: q, Answer: ans,
		UpdateID: updateID(ctx), // a replay after a crash logs it once
	})
	if err != nil {
		return fmt.Errorf("log question: %w", err)
	}
	b.obs.Answered(answerResult(ans))
	if len(ans.Results) == 0 {
		return b.reply(ctx, r, t("ask.nothing"))
	}
	if !ans.Confident {
		return b.send(ctx, r.chatID, unsureMessage(qid, ans.Results))
	}
	return b.send(ctx, r.chatID, resultMessage(qid, ans.Results[0], ans.Results))
}

// resultMessage shows one result with buttons for the others and feedback.
func resultMessage(qid int64, res knowledge.Result, all []knowledge.Result) message {
	var sb strings.Builder
	if res.Answer != "" {
		sb.WriteString("<b>" + esc(res.Answer) + "</b>\n\n")
	}
	sb.WriteString(resultHeading(res))
	snippet := res.Snippet
	if snippet == "" {
		snippet = truncate(res.Text, 600)
	}
	if rest := afterAnswer(snippet, res.Answer); rest != "" {
		sb.WriteString("\n")
		sb.WriteString(escMarked(rest))
	}
	sb.WriteString("\n\n")
	sb.WriteString(sourceLine(truncate(res.Source, maxHeading), res.Date))
	if res.District != "" {
		sb.WriteString("\n")
		sb.WriteString(t("ask.district", esc(res.District)))
	}
	var others []models.InlineKeyboardButton
	for _, o := range all {
		if o.Rank != res.Rank {
			others = append(others, button(t("ask.other", o.Rank, truncate(shortLabel(o), 16)), "kb", "r", qid, o.Rank))
		}
	}
	rows := [][]models.InlineKeyboardButton{}
	if len(others) > 0 {
		for _, o := range others {
			rows = append(rows, []models.InlineKeyboardButton{o})
		}
	}
	rows = append(rows, []models.InlineKeyboardButton{
		button("👍", "kb", "up", qid, res.Rank),
		button("👎", "kb", "dn", qid, res.Rank),
		button(t("ask.full"), "kb", "full", qid, res.Rank),
	})
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}
}

// afterAnswer is the snippet without the answering sentence when it opens
// with it (the sentence is shown in bold above): the rest, its match marks
// kept; "" when the answer is all it says.
func afterAnswer(snippet, answer string) string {
	want := []rune(strings.TrimSuffix(answer, "…"))
	if len(want) == 0 {
		return snippet
	}
	rs := []rune(snippet)
	i, matched, marked := 0, 0, false
	for ; i < len(rs) && matched < len(want); i++ {
		switch rs[i] {
		case knowledge.MarkStart:
			marked = true
		case knowledge.MarkEnd:
			marked = false
		default:
			if rs[i] != want[matched] {
				return snippet
			}
			matched++
		}
	}
	if matched < len(want) {
		return snippet
	}
	rest := strings.TrimLeft(string(rs[i:]), " \n")
	if strings.Trim(rest, string([]rune{knowledge.MarkStart, knowledge.MarkEnd})+" \n") == "" {
		return ""
	}
	if marked {
		rest = string(knowledge.MarkStart) + rest // the mark the cut opened
	}
	return rest
}

// shortLabel names a result on a button: a passage by its section, which
// tells apart the sections of one document, an FAQ entry by its question.
func shortLabel(res knowledge.Result) string {
	if res.Kind == knowledge.KindPassage && res.Section != "" {
		return res.Section
	}
	return res.Title
}

// maxHeading bounds a title or section shown above an answer: an imported
// file may have a heading as long as a paragraph.
const maxHeading = 100

// resultHeading is a result's title, and a passage's section, in bold HTML.
func resultHeading(res knowledge.Result) string {
	title := truncate(res.Title, maxHeading)
	if res.Kind == knowledge.KindFAQ {
		title = t("ask.faq_heading", title)
	}
	if res.District != "" && !strings.Contains(title, res.District) {
		title = t("ask.district_tag", res.District) + title // a local rule never passes for the city's
	}
	h := "<b>" + esc(title) + "</b>"
	if res.Section != "" && res.Kind == knowledge.KindPassage {
		h += " · " + esc(truncate(res.Section, maxHeading))
	}
	return h
}

// sourceLine says where a passage comes from.
func sourceLine(source, date string) string {
	if source == "" {
		source = t("ask.source_unknown")
	}
	if date != "" && !strings.Contains(source, date) {
		return t("ask.source_dated", esc(source), esc(date))
	}
	return t("ask.source", esc(source))
}

// unsureMessage says nothing reliable was found and offers the closest titles.
func unsureMessage(qid int64, results []knowledge.Result) message {
	var sb strings.Builder
	sb.WriteString(t("ask.unsure"))
	var rows [][]models.InlineKeyboardButton
	for i, res := range results {
		if i == 2 {
			break
		}
		title := truncate(res.Title, maxHeading)
		if res.Section != "" && res.Kind == knowledge.KindPassage {
			title += " · " + truncate(res.Section, maxHeading)
		}
		fmt.Fprintf(&sb, "\n%d. %s", i+1, esc(title))
		if res.Answer != "" {
			sb.WriteString("\n   " + esc(truncate(res.Answer, 80)))
		}
		rows = append(rows, []models.InlineKeyboardButton{button(t("ask.look", i+1), "kb", "r", qid, res.Rank)})
	}
	sb.WriteString("\n\n")
	sb.WriteString(t("ask.recorded"))
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}
}

// onKnowledgeButton handles kb:<op>:<question id>:<rank>.
func (b *Bot) onKnowledgeButton(ctx context.Context, r *request, payload string) error {
	parts := strings.Split(payload, ":")
	if len(parts) < 3 || b.kb == nil {
		return b.staleButton(ctx, r)
	}
	qid, err1 := strconv.ParseInt(parts[1], 10, 64)
	rank, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil {
		return b.staleButton(ctx, r)
	}
	q, err := b.kb.Shown(ctx, qid)
	if errors.Is(err, knowledge.ErrNotFound) || (err == nil && q.ChatID != r.chatID) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	res, err := b.kb.ShownResult(ctx, qid, rank)
	if errors.Is(err, knowledge.ErrNotFound) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	switch parts[0] {
	case "r": // show another result in place
		all, err := b.shownResults(ctx, q)
		if err != nil {
			return err
		}
		res.Answer = b.kb.AnswerSentence(q.Text, res)
		return b.editCallbackMessage(ctx, r, resultMessage(qid, res, all))
	case "full":
		// A passage opens its whole document at its page; an FAQ entry
		// is whole already.
		if res.Kind == knowledge.KindPassage && res.DocID != "" {
			err := b.openReader(ctx, r.chatID, res.DocID, res.PassageID)
			if !errors.Is(err, knowledge.ErrNotFound) {
				return err
			}
		}
		return b.sendFull(ctx, r.chatID, res)
	case "up":
		if err := b.kb.Feedback(ctx, qid, rank, true, "", r.userID); err != nil {
			return err
		}
		b.ack(r, t("ask.thanks"), false)
		return nil
	case "dn":
		if err := b.kb.Feedback(ctx, qid, rank, false, "", r.userID); err != nil {
			return err
		}
		// In a private chat the next words typed are the comment; a group
		// reads only what is addressed to the bot, so there it is buttons only.
		why := t("ask.why_buttons")
		if r.private {
			why = t("ask.why")
			if err := b.conv.Save(ctx, r.chatID, r.userID, store.Conversation{
				Flow: flowFeedback, Step: "why",
				Data: map[string]string{"q": strconv.FormatInt(qid, 10), "rank": strconv.Itoa(rank)},
			}); err != nil {
				return err
			}
		}
		return b.send(ctx, r.chatID, message{text: why, markup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{
				{button(t("ask.why.off_topic"), "kbw", qid, rank, "off"), button(t("ask.why.outdated"), "kbw", qid, rank, "old")},
				{button(t("ask.why.thin"), "kbw", qid, rank, "thin"), button(t("ask.why.skip"), "kbw", qid, rank, "skip")},
			}}})
	}
	return b.staleButton(ctx, r)
}

// flowFeedback waits for the words a person types after 👎.
const flowFeedback = "feedback"

// feedbackReasons are the reasons offered after 👎, by code.
var feedbackReasons = map[string]string{
	"off":  "ask.why.off_topic",
	"old":  "ask.why.outdated",
	"thin": "ask.why.thin",
}

// onFeedbackReason handles kbw:<question id>:<rank>:<reason>.
func (b *Bot) onFeedbackReason(ctx context.Context, r *request, payload string) error {
	parts := strings.Split(payload, ":")
	if len(parts) != 3 {
		return b.staleButton(ctx, r)
	}
	qid, err1 := strconv.ParseInt(parts[0], 10, 64)
	rank, err2 := strconv.Atoi(parts[1])
	key, known := feedbackReasons[parts[2]]
	if err1 != nil || err2 != nil || (!known && parts[2] != "skip") {
		return b.staleButton(ctx, r)
	}
	if q, err := b.kb.Shown(ctx, qid); err != nil || q.ChatID != r.chatID {
		return b.staleButton(ctx, r)
	}
	if known {
		if err := b.kb.Feedback(ctx, qid, rank, false, t(key), r.userID); err != nil {
			return err
		}
	}
	if r.private {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
	}
	b.ack(r, t("ask.thanks"), false)
	return b.editCallbackMessage(ctx, r, message{text: t("ask.feedback_saved")})
}

// feedbackFlow takes the words typed after 👎 as the comment.
func (b *Bot) feedbackFlow(ctx context.Context, r *request, c store.Conversation) error {
	qid, _ := strconv.ParseInt(c.Data["q"], 10, 64)
	rank, _ := strconv.Atoi(c.Data["rank"])
	if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
		return err
	}
	if err := b.kb.Feedback(ctx, qid, rank, false, truncate(r.text, 500), r.userID); err != nil {
		return err
	}
	return b.reply(ctx, r, t("ask.feedback_saved"))
}

// shownResults reads back the results a question showed, for the buttons.
func (b *Bot) shownResults(ctx context.Context, q knowledge.Question) ([]knowledge.Result, error) {
	var out []knowledge.Result
	for _, s := range q.Shown {
		res, err := b.kb.ShownResult(ctx, q.ID, s.Rank)
		if errors.Is(err, knowledge.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// sendFull sends a whole section (or FAQ answer), split under Telegram's limit.
func (b *Bot) sendFull(ctx context.Context, chatID int64, res knowledge.Result) error {
	head := resultHeading(res)
	foot := sourceLine(truncate(res.Source, maxHeading), res.Date)
	// Leave room for the heading and the source line around the text.
	parts := splitPlain(res.Text, maxText-textLen(head+foot)-16)
	for i, p := range parts {
		text := esc(p)
		if i == 0 {
			text = head + "\n\n" + text
		}
		if i == len(parts)-1 {
			text += "\n\n" + foot
		}
		if _, err := b.out.send(ctx, chatID, message{text: text}); err != nil {
			return err
		}
	}
	return nil
}

// onInlineQuery lists matching answers for "@bot 党费" typed in any chat.
func (b *Bot) onInlineQuery(ctx context.Context, q *models.InlineQuery) error {
	text := cleanText(q.Query)
	var results []models.InlineQueryResult
	if text != "" && b.kb != nil {
		if len([]rune(text)) > maxQuestion {
			text = string([]rune(text)[:maxQuestion])
		}
		if b.dues != nil {
			if rep, ok := b.dues.Answer(text); ok && (rep.Kind == dues.Computed || rep.Kind == dues.Fixed || rep.Kind == dues.Ranged) {
				results = append(results, &models.InlineQueryResultArticle{
					ID:          "dues",
					Title:       t("dues.inline_title"),
					Description: truncate(DuesPlainText(rep), 100),
					InputMessageContent: &models.InputTextMessageContent{
						MessageText: duesText(rep), ParseMode: models.ParseModeHTML,
					},
				})
			}
		}
		ans, err := b.kb.Search(ctx, text, 5)
		if err != nil {
			return fmt.Errorf("inline search: %w", err)
		}
		for _, res := range ans.Results {
			body := resultHeading(res) + "\n\n" + esc(truncate(res.Text, 3000)) + "\n\n" + sourceLine(truncate(res.Source, maxHeading), res.Date)
			if res.Answer != "" {
				body = "<b>" + esc(res.Answer) + "</b>\n\n" + body
			}
			desc := res.Answer
			if desc == "" {
				desc = res.Section
			}
			if desc == "" || res.Kind == knowledge.KindFAQ && res.Answer == "" {
				desc = truncate(res.Text, 60)
			}
			desc = truncate(desc, 100)
			results = append(results, &models.InlineQueryResultArticle{
				ID:          fmt.Sprintf("%s-%d", res.Kind, res.Rank),
				Title:       truncate(res.Title, 60),
				Description: desc,
				InputMessageContent: &models.InputTextMessageContent{
					MessageText: body, ParseMode: models.ParseModeHTML,
				},
			})
		}
	}
	_, err := b.api.AnswerInlineQuery(ctx, &tgbot.AnswerInlineQueryParams{
		InlineQueryID: q.ID, Results: results, CacheTime: 60,
	})
	return err
}
