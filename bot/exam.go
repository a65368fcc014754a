package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/quiz"
	"github.com/go-telegram/bot/models"
)

// Exam buttons (prefix ex):
//
//	ex:s:<exam>         about to start a paper: the rules and a confirmation
//	ex:go:<exam>        start it
//	ex:sub:<sid>        hand in early (asks when questions are unanswered)
//	ex:subok:<sid>      hand in
//	ex:rv:<sid>:<page>  the review of every answer, a page at a time

// reviewPerPage is how many questions a page of an exam review shows at
// most; fewer when their texts would not fit one message, measured as
// Telegram measures it (a character outside the BMP counts twice).
const reviewPerPage = 3

// reviewBudget is the room for questions on a review page: a message less
// the heading and the ◀/▶ page numbers.
const reviewBudget = maxText - 200

// cmdExam lists the papers with the attempts left.
func (b *Bot) cmdExam(ctx context.Context, r *request) error {
	if sess, err := b.quiz.Active(ctx, r.userID); err == nil && sess.Kind == quiz.ExamKind {
		return b.offerActive(ctx, r, sess)
	} else if err != nil && !errors.Is(err, quiz.ErrNotFound) {
		return err
	}
	exams := b.quiz.Exams()
	if len(exams) == 0 {
		return b.reply(ctx, r, t("exam.none"))
	}
	var sb strings.Builder
	sb.WriteString(t("exam.header"))
	var rows [][]models.InlineKeyboardButton
	for _, e := range exams {
		st, err := b.quiz.ExamStatus(ctx, r.userID, e)
		if err != nil {
			return err
		}
		sb.WriteString("\n\n")
		sb.WriteString(t("exam.item", esc(e.Title), e.Size(), int(e.Duration/time.Minute), e.Pass, periodName(e.Period), st.Left))
		if st.Left > 0 {
			rows = append(rows, []models.InlineKeyboardButton{button(t("exam.start_button", e.Title), "ex", "s", e.ID)})
		}
	}
	if results, err := b.quiz.ExamResults(ctx, r.userID, 3); err == nil && len(results) > 0 {
		sb.WriteString("\n\n" + t("exam.recent"))
		for _, s := range results {
			fmt.Fprintf(&sb, "\n• %s %s %d分 %s", b.day(s.Started), esc(b.examTitle(s.ExamID)), s.Score, passText(s.Passed))
		}
	}
	m := message{text: sb.String()}
	if len(rows) > 0 {
		m.markup = &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	}
	return b.send(ctx, r.chatID, m)
}

func (b *Bot) examTitle(id string) string {
	if e, err := b.quiz.Exam(id); err == nil {
		return e.Title
	}
	return id
}

func periodName(p quiz.Period) string {
	switch p {
	case quiz.PerDay:
		return t("exam.period.day")
	case quiz.PerWeek:
		return t("exam.period.week")
	case quiz.PerMonth:
		return t("exam.period.month")
	case quiz.PerYear:
		return t("exam.period.year")
	}
	return t("exam.period.ever")
}

func passText(passed bool) string {
	if passed {
		return t("exam.passed")
	}
	return t("exam.failed")
}

// day is a date as shown to people.
func (b *Bot) day(tm time.Time) string { return tm.In(b.loc).Format("1月2日") }

func (b *Bot) onExamButton(ctx context.Context, r *request, payload string) error {
	if b.quiz == nil {
		return b.staleButton(ctx, r)
	}
	op, rest, _ := strings.Cut(payload, ":")
	switch op {
	case "s":
		e, err := b.quiz.Exam(rest)
		if err != nil {
			return b.staleButton(ctx, r)
		}
		text := t("exam.rules", esc(e.Title), e.Size(), int(e.Duration/time.Minute), e.Pass)
		return b.editCallbackMessage(ctx, r, message{text: text, markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{button(t("exam.go"), "ex", "go", e.ID)}}}})
	case "go":
		sess, err := b.quiz.StartExam(ctx, r.userID, rest)
		switch {
		case errors.Is(err, quiz.ErrUnknownExam):
			return b.staleButton(ctx, r)
		case errors.Is(err, quiz.ErrAttemptsUsed):
			b.ack(r, t("exam.no_attempts"), true)
			return nil
		case errors.Is(err, quiz.ErrQuotaTooLarge):
			b.ack(r, t("exam.not_enough"), true)
			return nil
		}
		return b.started(ctx, r, sess, err, true)
	case "sub", "subok":
		sid, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return b.staleButton(ctx, r)
		}
		sess, err := b.quiz.Session(ctx, sid)
		if errors.Is(err, quiz.ErrNotFound) || (err == nil && (sess.UserID != r.userID || sess.Kind != quiz.ExamKind)) {
			return b.staleButton(ctx, r)
		}
		if err != nil {
			return err
		}
		if sess.Over() {
			return b.examFinished(ctx, r, sess)
		}
		if left := len(sess.Items) - sess.Summarize().Answered; op == "sub" && left > 0 {
			return b.editCallbackMessage(ctx, r, message{text: t("exam.confirm_submit", left), markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
				button(t("exam.submit_now"), "ex", "subok", sess.ID), button(t("quiz.continue"), "qz", "c"),
			}}}})
		}
		sess, err = b.quiz.Submit(ctx, r.userID, sid)
		if errors.Is(err, quiz.ErrStale) {
			return b.examFinished(ctx, r, sess)
		}
		if err != nil {
			return err
		}
		return b.examFinished(ctx, r, sess)
	case "rv":
		sidText, pageText, _ := strings.Cut(rest, ":")
		sid, err1 := strconv.ParseInt(sidText, 10, 64)
		page, err2 := strconv.Atoi(pageText)
		if err1 != nil || err2 != nil || page < 0 {
			return b.staleButton(ctx, r)
		}
		sess, err := b.quiz.Session(ctx, sid)
		if errors.Is(err, quiz.ErrNotFound) || (err == nil && (sess.UserID != r.userID || !sess.Over() || sess.Kind != quiz.ExamKind)) {
			return b.staleButton(ctx, r)
		}
		if err != nil {
			return err
		}
		m, err := b.examReview(ctx, sess, page)
		if err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, m)
	}
	return b.staleButton(ctx, r)
}

// examResult is the message with an exam's result.
func (b *Bot) examResult(sess quiz.Session) message {
	sum := sess.Summarize()
	var sb strings.Builder
	key := "exam.result"
	if sess.State == quiz.Expired {
		key = "exam.result_expired"
	}
	pass := 0
	if e, err := b.quiz.Exam(sess.ExamID); err == nil {
		pass = e.Pass
	}
	sb.WriteString(t(key, esc(b.examTitle(sess.ExamID)), sess.Score, pass, passText(sess.Passed), sum.Right, sum.Total, sum.Answered, tookText(sum.Took)))
	if len(sum.Topics) > 1 {
		sb.WriteString("\n\n" + t("quiz.by_topic"))
		for _, tr := range sum.Topics {
			fmt.Fprintf(&sb, "\n• %s %d/%d", esc(tr.Topic), tr.Right, tr.Answered)
		}
	}
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		button(t("exam.review_button"), "ex", "rv", sess.ID, 0),
	}}}}
}

// examFinished shows the result of an exam in the pressed message.
func (b *Bot) examFinished(ctx context.Context, r *request, sess quiz.Session) error {
	return b.editCallbackMessage(ctx, r, b.examResult(sess))
}

// examReview is one page of the review of every answer of an exam. Pages
// hold up to reviewPerPage questions, cut by length, so any questions a
// bank allows fit.
func (b *Bot) examReview(ctx context.Context, sess quiz.Session, page int) (message, error) {
	blocks := make([]string, len(sess.Items))
	for pos, it := range sess.Items {
		q, err := b.quiz.Question(ctx, it.QuestionID)
		if err != nil {
			return message{}, err
		}
		chosen := it.Selected
		if !it.Answered {
			chosen = nil
		}
		blocks[pos] = fmt.Sprintf("\n\n<b>%d.</b> %s\n%s\n%s", pos+1, questionBody(q), answerLine(q, chosen), t("quiz.explanation", esc(q.Explanation)))
	}
	pages := packPages(blocks, reviewPerPage, reviewBudget, htmlLen)
	page = min(max(page, 0), max(len(pages)-1, 0))
	var sb strings.Builder
	sb.WriteString(t("exam.review_head", esc(b.examTitle(sess.ExamID)), page+1, max(len(pages), 1)))
	if len(pages) > 0 {
		for _, bl := range blocks[pages[page][0]:pages[page][1]] {
			sb.WriteString(bl)
		}
	}
	nav := pageButtons(page, len(pages), func(p int) string { return fmt.Sprintf("ex:rv:%d:%d", sess.ID, p) })
	m := message{text: sb.String()}
	if len(nav) > 0 {
		m.markup = &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{nav}}
	}
	return m, nil
}

// QuizTick does the quiz work that time brings: exams whose time is up are
// submitted (the person told through the outbox, in the same transaction),
// and group challenges move on. The bot runs it every second; tests call it
// after moving the clock.
func (b *Bot) QuizTick(ctx context.Context) {
	if b.quiz == nil {
		return
	}
	_, err := b.quiz.ExpireExams(ctx)
	if err != nil && ctx.Err() == nil {
		b.log.Error("expire exams", "err", err)
	}
	b.advanceChallenges(ctx)
}

// tellExamExpired queues the result of an exam submitted because its
// time ran out; the quiz service calls it in the submitting transaction.
func (b *Bot) tellExamExpired(ctx context.Context, sess quiz.Session) error {
	return b.queue(ctx, "exam", notice{chatID: sess.UserID, msg: b.examResult(sess)})
}

// quizLoop runs QuizTick every second until ctx ends.
func (b *Bot) quizLoop(ctx context.Context) {
	if b.quiz == nil {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		b.QuizTick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
