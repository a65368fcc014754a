package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/go-telegram/bot/models"
)

// Quiz buttons (prefix qz):
//
//	qz:pg:<n>               page n of the /quiz topic menu
//	qz:tp:<i>               a topic of the /quiz menu (i: index in Topics; -1 随机)
//	qz:len:<i>:<n>          the length for topic i
//	qz:a:<sid>:<pos>:<opt>  answer a single-choice or judge question
//	qz:x:<sid>:<pos>:<opt>  toggle an option of a multiple-choice question
//	qz:s:<sid>:<pos>        submit the toggled options
//	qz:n:<sid>:<pos>        next question (practice)
//	qz:c                    show the active session's question again
//	qz:q                    abandon the active session (not an exam)
//	qz:r:<sid>              retry the questions missed in session sid
//	qz:src:<qid>            open the passage a question comes from
//
// Every press is checked against the stored session: the person's own,
// still active, at that question. Answers are graded from the stored
// question; the button only says which option was pressed.

// cmdQuiz opens the topic menu, or offers the session under way.
func (b *Bot) cmdQuiz(ctx context.Context, r *request) error {
	if sess, err := b.quiz.Active(ctx, r.userID); err == nil {
		return b.offerActive(ctx, r, sess)
	} else if !errors.Is(err, quiz.ErrNotFound) {
		return err
	}
	topics, err := b.quiz.Topics(ctx)
	if err != nil {
		return err
	}
	if len(topics) == 0 {
		return b.reply(ctx, r, t("quiz.empty"))
	}
	return b.send(ctx, r.chatID, topicMenu(topics, 0))
}

// topicsPerPage is how many topics one page of the /quiz menu shows:
// imported banks may bring any number, and a keyboard holds 100 buttons.
const topicsPerPage = 16

// topicMenu is page (from 0, clamped) of the topic menu: the topics two
// to a row, 随机, and ◀/▶ when there are more.
func topicMenu(topics []quiz.TopicCount, page int) message {
	pages := (len(topics) + topicsPerPage - 1) / topicsPerPage
	page = min(max(page, 0), max(pages-1, 0))
	var buttons []models.InlineKeyboardButton
	for i := page * topicsPerPage; i < min((page+1)*topicsPerPage, len(topics)); i++ {
		buttons = append(buttons, button(t("quiz.topic_button", topics[i].Topic, topics[i].Count), "qz", "tp", i))
	}
	rows := grid(buttons, 2)
	rows = append(rows, []models.InlineKeyboardButton{button(t("quiz.random"), "qz", "tp", -1)})
	if nav := pageButtons(page, pages, func(p int) string { return fmt.Sprintf("qz:pg:%d", p) }); nav != nil {
		rows = append(rows, nav)
	}
	return message{text: t("quiz.choose_topic"), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}
}

// offerActive tells the person a session is under way, with buttons to
// go on or (outside an exam) to give it up.
func (b *Bot) offerActive(ctx context.Context, r *request, sess quiz.Session) error {
	row := []models.InlineKeyboardButton{button(t("quiz.continue"), "qz", "c")}
	text := t("quiz.active", kindName(sess.Kind), sess.Pos+1, len(sess.Items))
	if sess.Kind == quiz.ExamKind {
		text = t("exam.running", minutesLeft(sess.Remaining(b.now())))
	} else {
		row = append(row, button(t("quiz.abandon"), "qz", "q"))
	}
	return b.send(ctx, r.chatID, message{text: text, markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{row}}})
}

func kindName(k quiz.SessionKind) string {
	switch k {
	case quiz.Daily:
		return t("quiz.kind.daily")
	case quiz.Review:
		return t("quiz.kind.review")
	case quiz.Retry:
		return t("quiz.kind.retry")
	case quiz.ExamKind:
		return t("quiz.kind.exam")
	}
	return t("quiz.kind.practice")
}

func typeName(k quiz.Kind) string {
	switch k {
	case quiz.Multiple:
		return t("quiz.type.multiple")
	case quiz.Judge:
		return t("quiz.type.judge")
	}
	return t("quiz.type.single")
}

// topicAt resolves a topic index of the menu; -1 is every topic.
func (b *Bot) topicAt(ctx context.Context, arg string) (string, bool, error) {
	i, err := strconv.Atoi(arg)
	if err != nil || i < -1 {
		return "", false, nil
	}
	if i == -1 {
		return "", true, nil
	}
	topics, err := b.quiz.Topics(ctx)
	if err != nil || i >= len(topics) {
		return "", false, err
	}
	return topics[i].Topic, true, nil
}

func (b *Bot) onQuizButton(ctx context.Context, r *request, payload string) error {
	if b.quiz == nil {
		return b.staleButton(ctx, r)
	}
	args := strings.Split(payload, ":")
	num := func(i int) (int, bool) {
		if i >= len(args) {
			return 0, false
		}
		n, err := strconv.Atoi(args[i])
		return n, err == nil
	}
	switch args[0] {
	case "pg":
		page, ok := num(1)
		if !ok {
			return b.staleButton(ctx, r)
		}
		topics, err := b.quiz.Topics(ctx)
		if err != nil || len(topics) == 0 {
			return cmpErr(err, b.staleButton(ctx, r))
		}
		return b.editCallbackMessage(ctx, r, topicMenu(topics, page))
	case "tp":
		topic, ok, err := b.topicAt(ctx, args[min(1, len(args)-1)])
		if err != nil || !ok {
			return cmpErr(err, b.staleButton(ctx, r))
		}
		idx := args[1]
		var buttons []models.InlineKeyboardButton
		for _, n := range quiz.Lengths {
			buttons = append(buttons, button(t("quiz.length_button", n), "qz", "len", idx, n))
		}
		name := topic
		if name == "" {
			name = t("quiz.random")
		}
		return b.editCallbackMessage(ctx, r, message{text: t("quiz.choose_length", esc(name)), markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{buttons}}})
	case "len":
		topic, ok, err := b.topicAt(ctx, args[min(1, len(args)-1)])
		n, okN := num(2)
		if err != nil || !ok || !okN || n < 1 || n > quiz.MaxLength {
			return cmpErr(err, b.staleButton(ctx, r))
		}
		sess, err := b.quiz.StartPractice(ctx, r.userID, topic, n)
		return b.started(ctx, r, sess, err, true)
	case "c":
		sess, err := b.quiz.Active(ctx, r.userID)
		if errors.Is(err, quiz.ErrNotFound) {
			return b.staleButton(ctx, r)
		}
		if err != nil {
			return err
		}
		return b.showSession(ctx, r, sess, false)
	case "q":
		err := b.quiz.Abandon(ctx, r.userID)
		switch {
		case errors.Is(err, quiz.ErrNotFound):
			return b.staleButton(ctx, r)
		case errors.Is(err, quiz.ErrExamRunning):
			b.ack(r, t("exam.no_abandon"), true)
			return nil
		case err != nil:
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: t("quiz.abandoned")})
	case "r":
		sid, ok := num(1)
		if !ok {
			return b.staleButton(ctx, r)
		}
		old, err := b.quiz.Session(ctx, int64(sid))
		if errors.Is(err, quiz.ErrNotFound) || (err == nil && old.UserID != r.userID) {
			return b.staleButton(ctx, r)
		}
		if err != nil {
			return err
		}
		missed := old.Summarize().Missed
		if len(missed) == 0 {
			b.ack(r, t("quiz.nothing_missed"), false)
			return nil
		}
		sess, err := b.quiz.StartRetry(ctx, r.userID, missed)
		return b.started(ctx, r, sess, err, false)
	case "src":
		if len(args) < 2 {
			return b.staleButton(ctx, r)
		}
		return b.openQuestionSource(ctx, r, strings.Join(args[1:], ":"))
	case "a", "x", "s", "n":
		sid, ok1 := num(1)
		pos, ok2 := num(2)
		if !ok1 || !ok2 {
			return b.staleButton(ctx, r)
		}
		opt := -1
		if args[0] == "a" || args[0] == "x" {
			o, ok := num(3)
			if !ok || o < 0 {
				return b.staleButton(ctx, r)
			}
			opt = o
		}
		return b.onSessionPress(ctx, r, args[0], int64(sid), pos, opt)
	}
	return b.staleButton(ctx, r)
}

// cmpErr returns err when there is one, else alt.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// started shows a session just started, or says why none was.
func (b *Bot) started(ctx context.Context, r *request, sess quiz.Session, err error, inPlace bool) error {
	switch {
	case errors.Is(err, quiz.ErrActiveSession), errors.Is(err, quiz.ErrExamRunning):
		cur, aerr := b.quiz.Active(ctx, r.userID)
		if aerr != nil {
			return cmpErr(aerr, err)
		}
		if cur.MessageID == 0 {
			// Never shown: a start whose first question a crash cut off,
			// its update replayed. Show it as the start would have.
			return b.showSession(ctx, r, cur, inPlace && r.cb != nil)
		}
		if r.cb != nil {
			b.ack(r, t("quiz.one_at_a_time"), false)
		}
		return b.offerActive(ctx, r, cur)
	case errors.Is(err, quiz.ErrNoQuestions):
		if r.cb != nil {
			b.ack(r, t("quiz.no_questions"), true)
			return nil
		}
		return b.reply(ctx, r, t("quiz.no_questions"))
	case err != nil:
		return err
	}
	return b.showSession(ctx, r, sess, inPlace && r.cb != nil)
}

// showSession shows the session's current question: in place of the
// pressed message, or as a new message, whose id the session then keeps.
func (b *Bot) showSession(ctx context.Context, r *request, sess quiz.Session, inPlace bool) error {
	m, err := b.questionMessage(ctx, sess)
	if err != nil {
		return err
	}
	if inPlace && r.cb != nil && r.cb.Message.Message != nil {
		msgID := r.cb.Message.Message.ID
		if err := b.out.edit(ctx, r.chatID, msgID, m); err != nil {
			return err
		}
		_, err := b.quiz.SetMessage(ctx, sess, r.chatID, msgID)
		return err
	}
	sent, err := b.out.send(ctx, r.chatID, m)
	if err != nil {
		return err
	}
	_, err = b.quiz.SetMessage(ctx, sess, r.chatID, sent.ID)
	return err
}

// onSessionPress handles an answer, a toggle, a submission or "next".
func (b *Bot) onSessionPress(ctx context.Context, r *request, op string, sid int64, pos, opt int) error {
	var err error
	var out quiz.Outcome
	switch op {
	case "a", "s":
		out, err = b.quiz.Answer(ctx, r.userID, sid, pos, opt)
	case "x":
		// with the done mark: a replay must not toggle the option back.
		// A stale press still commits (a late exam's submission).
		var terr error
		err = b.atomic(ctx, func(ctx context.Context) error {
			out.Session, _, terr = b.quiz.Toggle(ctx, r.userID, sid, pos, opt)
			if errors.Is(terr, quiz.ErrStale) {
				return nil
			}
			return terr
		})
		if err == nil {
			err = terr
		}
	case "n":
		out.Session, err = b.quiz.Next(ctx, r.userID, sid, pos)
	}
	switch {
	case errors.Is(err, quiz.ErrNotYours), errors.Is(err, quiz.ErrNotFound), errors.Is(err, quiz.ErrBadChoice):
		b.ack(r, t("quiz.not_yours"), false)
		return nil
	case errors.Is(err, quiz.ErrStale):
		return b.stalePress(ctx, r, out, pos)
	case err != nil:
		return err
	}
	if op == "a" || op == "s" {
		b.obs.QuizAnswered(out.Correct)
	}
	sess := out.Session
	switch {
	case op == "x" || op == "n":
		return b.editSession(ctx, r, sess)
	case sess.Kind == quiz.ExamKind:
		if out.Finished {
			return b.examFinished(ctx, r, sess)
		}
		return b.editSession(ctx, r, sess)
	}
	if out.Correct {
		b.ack(r, t("quiz.ack_right"), false)
	} else {
		b.ack(r, t("quiz.ack_wrong"), false)
	}
	m, err := b.feedbackMessage(ctx, sess, pos, out.Question)
	if err != nil {
		return err
	}
	if err := b.editCallbackMessage(ctx, r, m); err != nil {
		return err
	}
	if out.Finished {
		return b.send(ctx, r.chatID, b.summaryMessage(ctx, sess))
	}
	return nil
}

// stalePress answers a press on a question that has moved on. If the
// exam's time ran out, or the press is on a finished exam's message, the
// result is shown; if the press is on the
// question just answered (a reply lost in a crash), its feedback is shown
// again; otherwise the press changes nothing.
func (b *Bot) stalePress(ctx context.Context, r *request, out quiz.Outcome, pos int) error {
	sess := out.Session
	switch {
	case sess.ID == 0:
		b.ack(r, t("quiz.stale"), false)
		return nil
	case sess.Kind == quiz.ExamKind && out.Finished:
		b.ack(r, t("exam.time_up"), true)
		return b.examFinished(ctx, r, sess)
	case sess.Kind == quiz.ExamKind && sess.State == quiz.Done &&
		r.cb.Message.Message != nil && r.cb.Message.Message.ID == sess.MessageID:
		// A press on a finished exam's own message: the result it should
		// show (lost if a crash cut off the last answer's reply).
		b.ack(r, t("quiz.stale"), false)
		return b.examFinished(ctx, r, sess)
	case sess.Kind == quiz.ExamKind && !sess.Over() &&
		r.cb.Message.Message != nil && r.cb.Message.Message.ID == sess.MessageID:
		// The exam moved on but its message did not (the reply to an
		// answer lost in a crash): show the question it is at.
		b.ack(r, t("quiz.stale"), false)
		return b.editSession(ctx, r, sess)
	case sess.Kind != quiz.ExamKind && pos == sess.Pos && pos < len(sess.Items) && sess.Items[pos].Answered &&
		r.cb.Message.Message != nil && r.cb.Message.Message.ID == sess.MessageID:
		q, err := b.quiz.Question(ctx, sess.Items[pos].QuestionID)
		if err != nil {
			return err
		}
		m, err := b.feedbackMessage(ctx, sess, pos, q)
		if err != nil {
			return err
		}
		b.ack(r, t("quiz.stale"), false)
		return b.editCallbackMessage(ctx, r, m)
	}
	b.ack(r, t("quiz.stale"), false)
	return nil
}

// editSession redraws the session's current question in the pressed message.
func (b *Bot) editSession(ctx context.Context, r *request, sess quiz.Session) error {
	m, err := b.questionMessage(ctx, sess)
	if err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, m)
}

// questionHead is the line above a question: its number, topic and kind.
func (b *Bot) questionHead(sess quiz.Session, pos int, q quiz.Question) string {
	head := t("quiz.head", pos+1, len(sess.Items), esc(q.Topic), typeName(q.Kind))
	if sess.Kind == quiz.ExamKind {
		head = t("exam.head", pos+1, len(sess.Items), minutesLeft(sess.Remaining(b.now())))
	}
	return head
}

// questionBody is the question and its lettered options.
func questionBody(q quiz.Question) string {
	var sb strings.Builder
	sb.WriteString(esc(q.Text))
	if q.Kind != quiz.Judge {
		sb.WriteString("\n")
		for i, o := range q.Options {
			fmt.Fprintf(&sb, "\n%s. %s", quiz.Letter(i), esc(o))
		}
	}
	return sb.String()
}

// questionMessage renders the current question with its answer buttons.
func (b *Bot) questionMessage(ctx context.Context, sess quiz.Session) (message, error) {
	it, ok := sess.Current()
	if !ok {
		return b.summaryMessage(ctx, sess), nil
	}
	q, err := b.quiz.Question(ctx, it.QuestionID)
	if err != nil {
		return message{}, err
	}
	if it.Answered && sess.Kind != quiz.ExamKind {
		return b.feedbackMessage(ctx, sess, sess.Pos, q)
	}
	text := b.questionHead(sess, sess.Pos, q) + "\n\n" + questionBody(q)
	var rows [][]models.InlineKeyboardButton
	switch q.Kind {
	case quiz.Multiple:
		var buttons []models.InlineKeyboardButton
		for i := range q.Options {
			mark := "☐"
			for _, s := range it.Selected {
				if s == i {
					mark = "☑"
				}
			}
			buttons = append(buttons, button(mark+" "+quiz.Letter(i), "qz", "x", sess.ID, sess.Pos, i))
		}
		rows = grid(buttons, 4)
		rows = append(rows, []models.InlineKeyboardButton{button(t("quiz.submit"), "qz", "s", sess.ID, sess.Pos)})
		text += "\n\n" + t("quiz.multiple_hint")
	case quiz.Judge:
		rows = [][]models.InlineKeyboardButton{{
			button("✔ "+quiz.JudgeOptions[0], "qz", "a", sess.ID, sess.Pos, 0),
			button("✘ "+quiz.JudgeOptions[1], "qz", "a", sess.ID, sess.Pos, 1),
		}}
	default:
		var buttons []models.InlineKeyboardButton
		for i := range q.Options {
			buttons = append(buttons, button(quiz.Letter(i), "qz", "a", sess.ID, sess.Pos, i))
		}
		rows = grid(buttons, 4)
	}
	if sess.Kind == quiz.ExamKind {
		rows = append(rows, []models.InlineKeyboardButton{button(t("exam.submit"), "ex", "sub", sess.ID)})
	} else {
		rows = append(rows, []models.InlineKeyboardButton{button(t("quiz.abandon"), "qz", "q")})
	}
	return message{text: text, markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}, nil
}

// rightAnswer is a question's answer as shown: letters, or 正确/错误.
func rightAnswer(q quiz.Question) string {
	if q.Kind == quiz.Judge && len(q.Answer) == 1 && q.Answer[0] < len(q.Options) {
		return q.Options[q.Answer[0]]
	}
	return quiz.Letters(q.Answer)
}

// answerLine says what was chosen and what is right.
func answerLine(q quiz.Question, chosen []int) string {
	right := rightAnswer(q)
	mine := quiz.Letters(chosen)
	if q.Kind == quiz.Judge && len(chosen) == 1 && chosen[0] < len(q.Options) {
		mine = q.Options[chosen[0]]
	}
	if mine == "" {
		mine = t("exam.unanswered")
	}
	if q.Correct(chosen) {
		return t("quiz.right", esc(right))
	}
	return t("quiz.wrong", esc(right), esc(mine))
}

// feedbackMessage shows an answered question: right or wrong, the right
// answer, the explanation and its source, with "next" and "查看原文".
func (b *Bot) feedbackMessage(ctx context.Context, sess quiz.Session, pos int, q quiz.Question) (message, error) {
	it := sess.Items[pos]
	var sb strings.Builder
	sb.WriteString(b.questionHead(sess, pos, q))
	sb.WriteString("\n\n")
	sb.WriteString(questionBody(q))
	sb.WriteString("\n\n")
	sb.WriteString(answerLine(q, it.Selected))
	sb.WriteString("\n")
	sb.WriteString(t("quiz.explanation", esc(q.Explanation)))
	if src := b.questionSource(ctx, q); src != "" {
		sb.WriteString("\n")
		sb.WriteString(src)
	}
	var row []models.InlineKeyboardButton
	if !sess.Over() && pos == sess.Pos && pos < len(sess.Items)-1 {
		row = append(row, button(t("quiz.next"), "qz", "n", sess.ID, pos))
	}
	if q.Doc != "" && b.kb != nil {
		row = append(row, button(t("quiz.source_button"), "qz", "src", q.ID))
	}
	var rows [][]models.InlineKeyboardButton
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if !sess.Over() {
		rows = append(rows, []models.InlineKeyboardButton{button(t("quiz.abandon"), "qz", "q")})
	}
	m := message{text: sb.String()}
	if len(rows) > 0 {
		m.markup = &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	}
	return m, nil
}

// questionSource is the line naming the document and section a question
// tests, or "" when it names none (or the document is gone).
func (b *Bot) questionSource(ctx context.Context, q quiz.Question) string {
	if q.Doc == "" || b.kb == nil {
		return ""
	}
	d, err := b.kb.Document(ctx, q.Doc)
	if err != nil {
		return ""
	}
	if q.Section != "" {
		return t("quiz.source_section", esc(d.Title), esc(q.Section))
	}
	return t("quiz.source", esc(d.Title))
}

// openQuestionSource opens the reader at the passage a question tests.
func (b *Bot) openQuestionSource(ctx context.Context, r *request, questionID string) error {
	q, err := b.quiz.Question(ctx, questionID)
	if errors.Is(err, quiz.ErrNotFound) || (err == nil && (q.Doc == "" || b.kb == nil)) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	d, err := b.kb.Document(ctx, q.Doc)
	if err != nil {
		b.ack(r, t("quiz.source_gone"), true)
		return nil
	}
	var passage int64
	for _, p := range d.Passages {
		if p.Section == q.Section {
			passage = p.ID
			break
		}
	}
	return b.openReader(ctx, r.chatID, q.Doc, passage)
}

// summaryMessage is the result of a finished practice session.
func (b *Bot) summaryMessage(ctx context.Context, sess quiz.Session) message {
	sum := sess.Summarize()
	var sb strings.Builder
	sb.WriteString(t("quiz.summary", kindName(sess.Kind), sum.Right, sum.Total, sum.Percent(), tookText(sum.Took)))
	if len(sum.Topics) > 1 {
		sb.WriteString("\n\n")
		sb.WriteString(t("quiz.by_topic"))
		for _, tr := range sum.Topics {
			fmt.Fprintf(&sb, "\n• %s %d/%d", esc(tr.Topic), tr.Right, tr.Answered)
		}
	}
	var rows [][]models.InlineKeyboardButton
	if len(sum.Missed) > 0 {
		sb.WriteString("\n\n")
		sb.WriteString(t("quiz.to_review"))
		for i, id := range sum.Missed {
			if i == 5 {
				sb.WriteString("\n" + t("quiz.more", len(sum.Missed)-5))
				break
			}
			if q, err := b.quiz.Question(ctx, id); err == nil {
				line := q.Section
				if line == "" {
					line = truncate(q.Text, 40)
				}
				fmt.Fprintf(&sb, "\n• %s", esc(line))
			}
		}
		sb.WriteString("\n\n" + t("quiz.notebook_note"))
		rows = append(rows, []models.InlineKeyboardButton{button(t("quiz.retry"), "qz", "r", sess.ID)})
	} else {
		sb.WriteString("\n\n" + t("quiz.all_right"))
	}
	if sess.Kind == quiz.Daily {
		if days, _, err := b.quiz.Streak(ctx, sess.UserID); err == nil && days > 0 {
			sb.WriteString("\n" + t("daily.streak", days))
		}
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("quiz.again"), "qz", "tp", -1)})
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}
}

// tookText is a duration as people read it: 3分12秒, 45秒.
func tookText(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return t("time.seconds", int(d/time.Second))
	}
	return t("time.minutes_seconds", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// minutesLeft is the time left in an exam: 12:34.
func minutesLeft(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// QuizChecker checks questions against the documents of kb (nil: no
// document check) and the districts.
func QuizChecker(ctx context.Context, kb *knowledge.Base, districts member.Districts) quiz.Checker {
	c := quiz.Checker{District: districts.Resolve}
	if kb != nil {
		c.Section = quiz.DocSections(func(doc string) ([]string, bool) { return kb.Sections(ctx, doc) })
	}
	return c
}
