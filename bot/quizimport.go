package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/store"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// A question bank a coordinator sends (.xlsx, .csv or .yaml) is read row by
// row. A file without problems is imported at once. A file with problems is
// reported line by line, and nothing is imported unless the coordinator
// confirms the good rows (qi:ok) — the file is then read again from
// Telegram, so what is imported is exactly what was reported.

const flowQuizImport = "quizimport"

// problemLines is how many problems a report lists before summing up.
const problemLines = 20

// templateName is the file name of the question-bank template.
const templateName = "题库模板.xlsx"

// bankScope is the district a person imports question banks for: "" for
// an administrator or a city coordinator, a district coordinator's own
// (the quiz service keeps their questions to it); quiz.ErrOutOfScope for
// anyone else.
func (b *Bot) bankScope(ctx context.Context, userID int64) (string, error) {
	a, err := b.members.Access(ctx, userID)
	switch {
	case err != nil:
		return "", err
	case a.CityWide():
		return "", nil
	case a.Role == member.RoleCoordinator:
		return a.District, nil
	}
	return "", quiz.ErrOutOfScope
}

// readBank reads a bank file within the import time limit, as an importer
// of district (see bankScope) would import it.
func (b *Bot) readBank(ctx context.Context, district, name string, data []byte) (quiz.BankFile, error) {
	pctx, cancel := context.WithTimeout(ctx, b.importTimeout)
	defer cancel()
	bf, err := quiz.ReadBankFile(pctx, name, data, QuizChecker(ctx, b.kb, b.members.Districts()))
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return bf, errImportSlow
	}
	if err != nil {
		return bf, err
	}
	bf.Questions, bf.Problems, err = b.quiz.CheckImportFor(ctx, district, quiz.BankName(name), bf.Questions, bf.Problems)
	return bf, err
}

var errImportSlow = errors.New("import too slow")

// importBank reports a bank file sent in chat (bf, err: what readBank
// made of it for an importer of district) and imports it when it has no
// problems.
func (b *Bot) importBank(ctx context.Context, r *request, district, fileID, name string, bf quiz.BankFile, err error) error {
	if err != nil {
		return b.reply(ctx, r, t("qimport.failed", esc(name))+bankFileError(err))
	}
	if len(bf.Problems) == 0 {
		if len(bf.Questions) == 0 {
			return b.reply(ctx, r, t("qimport.empty", esc(name)))
		}
		if err := b.quiz.ImportFor(ctx, district, quiz.BankName(name), bf.Questions, r.userID); errors.Is(err, quiz.ErrOutOfScope) {
			return b.reply(ctx, r, t("qimport.failed", esc(name))+t("qimport.out_of_scope"))
		} else if err != nil {
			return err
		}
		return b.reply(ctx, r, t("qimport.done", len(bf.Questions), esc(name))+topicCounts(bf.Questions))
	}
	report := t("qimport.problems", esc(name), len(bf.Problems), len(bf.Questions)) + problemList(bf.Problems)
	if len(bf.Questions) == 0 {
		return b.reply(ctx, r, report+"\n\n"+t("qimport.nothing_good"))
	}
	if err := b.conv.Save(ctx, r.chatID, r.userID, store.Conversation{Flow: flowQuizImport, Data: map[string]string{"file": fileID, "name": name}}); err != nil {
		return err
	}
	return b.send(ctx, r.chatID, message{text: report + "\n\n" + t("qimport.confirm", len(bf.Questions)), markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		button(t("qimport.ok", len(bf.Questions)), "qi", "ok"), button(t("qimport.cancel"), "qi", "no"),
	}}}})
}

// onQuizImportButton confirms (qi:ok) or cancels (qi:no) a pending import.
func (b *Bot) onQuizImportButton(ctx context.Context, r *request, payload string) error {
	c, err := b.conv.Get(ctx, r.chatID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || (err == nil && c.Flow != flowQuizImport) || b.quiz == nil {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	// The dialogue ends with the import, in its transaction: a press cut
	// off by a stop or a crash before it (while the file downloads again)
	// finds its dialogue when it is handled again at the next start.
	end := func(text string) error {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, message{text: text})
	}
	if payload != "ok" {
		return end(t("qimport.cancelled"))
	}
	name := c.Data["name"]
	// Read as the person is now: one whose scope changed since the report
	// imports only what is theirs to import now.
	district, err := b.bankScope(ctx, r.userID)
	if errors.Is(err, quiz.ErrOutOfScope) {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.staleButton(ctx, r)
	} else if err != nil {
		return err
	}
	data, err := b.download(ctx, c.Data["file"], quiz.MaxImportFile)
	if err != nil {
		return end(t("qimport.failed", esc(name)) + t("qimport.gone"))
	}
	bf, err := b.readBank(ctx, district, name, data)
	if err != nil {
		return end(t("qimport.failed", esc(name)) + bankFileError(err))
	}
	if len(bf.Questions) == 0 {
		return end(t("qimport.nothing_good"))
	}
	err = b.atomic(ctx, func(ctx context.Context) error {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.quiz.ImportFor(ctx, district, quiz.BankName(name), bf.Questions, r.userID)
	})
	if errors.Is(err, quiz.ErrOutOfScope) {
		return end(t("qimport.failed", esc(name)) + t("qimport.out_of_scope"))
	} else if err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, message{text: t("qimport.done_partial", len(bf.Questions), esc(name), len(bf.Problems)) + topicCounts(bf.Questions)})
}

// quizImportFlow answers text typed while an import waits for its buttons.
func (b *Bot) quizImportFlow(ctx context.Context, r *request, _ store.Conversation) error {
	return b.reply(ctx, r, t("qimport.press"))
}

func topicCounts(qs []quiz.Question) string {
	counts := map[string]int{}
	var order []string
	for _, q := range qs {
		if counts[q.Topic] == 0 {
			order = append(order, q.Topic)
		}
		counts[q.Topic]++
	}
	var sb strings.Builder
	for _, topic := range order {
		fmt.Fprintf(&sb, "\n• %s %s", esc(topic), t("qimport.count", counts[topic]))
	}
	return sb.String()
}

func problemList(ps []quiz.Problem) string {
	var sb strings.Builder
	for i, p := range ps {
		if i == problemLines {
			sb.WriteString("\n" + t("qimport.more", len(ps)-problemLines))
			break
		}
		sb.WriteString("\n" + t("qimport.line", p.Line, bankProblemText(p)))
	}
	return sb.String()
}

// bankProblemText says in Chinese what is wrong with one row of a bank.
func bankProblemText(p quiz.Problem) string {
	v := esc(p.Value)
	switch {
	case errors.Is(p.Err, quiz.ErrDuplicateID):
		line := p.Value[strings.LastIndex(p.Value, ":")+1:] // "file:line"
		return t("qerr.duplicate_id", esc(p.ID), esc(line))
	case errors.Is(p.Err, quiz.ErrIDTaken):
		return t("qerr.id_taken", esc(p.ID))
	case errors.Is(p.Err, quiz.ErrOutOfScope):
		of := t("ev.city")
		if p.Value != "" {
			of = v
		}
		return t("qerr.out_of_scope", of)
	}
	for _, e := range bankErrors {
		if errors.Is(p.Err, e.err) {
			if strings.Contains(catalog[e.key], "%s") {
				return t(e.key, v)
			}
			return t(e.key)
		}
	}
	return t("qerr.other")
}

var bankErrors = []struct {
	err error
	key string
}{
	{quiz.ErrNoID, "qerr.no_id"},
	{quiz.ErrBadID, "qerr.bad_id"},
	{quiz.ErrBadKind, "qerr.bad_kind"},
	{quiz.ErrNoTopic, "qerr.no_topic"},
	{quiz.ErrTopicTooLong, "qerr.topic_long"},
	{quiz.ErrBadDifficulty, "qerr.bad_difficulty"},
	{quiz.ErrNoQuestion, "qerr.no_question"},
	{quiz.ErrQuestionTooLong, "qerr.question_long"},
	{quiz.ErrTooFewOptions, "qerr.few_options"},
	{quiz.ErrTooManyOptions, "qerr.many_options"},
	{quiz.ErrEmptyOption, "qerr.empty_option"},
	{quiz.ErrOptionTooLong, "qerr.option_long"},
	{quiz.ErrDuplicateOption, "qerr.duplicate_option"},
	{quiz.ErrJudgeOptions, "qerr.judge_options"},
	{quiz.ErrNoAnswer, "qerr.no_answer"},
	{quiz.ErrAnswerNotOption, "qerr.answer_not_option"},
	{quiz.ErrSingleAnswer, "qerr.single_answer"},
	{quiz.ErrMultipleAnswer, "qerr.multiple_answer"},
	{quiz.ErrNoExplanation, "qerr.no_explanation"},
	{quiz.ErrExplanationLong, "qerr.explanation_long"},
	{quiz.ErrExplanationRows, "qerr.explanation_rows"},
	{quiz.ErrUnknownDistrict, "qerr.district"},
	{quiz.ErrUnknownDoc, "qerr.doc"},
	{quiz.ErrUnknownSection, "qerr.section"},
	{quiz.ErrSourceTooLong, "qerr.source_long"},
	{quiz.ErrUnreadable, "qerr.unreadable"},
	{quiz.ErrUnknownField, "qerr.unknown_field"},
	{quiz.ErrYAML, "qerr.yaml"},
}

// bankFileError says why a whole bank file was refused.
func bankFileError(err error) string {
	var ce *quiz.ColumnError
	switch {
	case errors.As(err, &ce) && errors.Is(ce.Err, quiz.ErrDuplicateColumn):
		return t("qfile.duplicate_column", esc(ce.Column))
	case errors.As(err, &ce):
		return t("qfile.missing_column", esc(ce.Column))
	case errors.Is(err, errImportSlow):
		return t("qfile.slow")
	case errors.Is(err, quiz.ErrBankTooLarge):
		return t("qfile.too_large", quiz.MaxImportRows)
	case errors.Is(err, quiz.ErrNotWorkbook):
		return t("qfile.not_workbook")
	case errors.Is(err, quiz.ErrUnsupportedFile):
		return t("qfile.unsupported")
	case errors.Is(err, quiz.ErrUnknownEncoding):
		return t("qfile.encoding")
	case errors.Is(err, quiz.ErrLineTooLong):
		return t("qfile.line_long")
	case errors.Is(err, quiz.ErrYAML):
		return t("qerr.yaml")
	}
	return t("qerr.other")
}

// cmdQuizTemplate sends the question-bank template.
func (b *Bot) cmdQuizTemplate(ctx context.Context, r *request) error {
	var buf bytes.Buffer
	if err := quiz.WriteTemplate(&buf); err != nil {
		return err
	}
	return b.out.document(ctx, r.chatID, templateName, buf.Bytes(), t("qtemplate.caption"))
}

// document uploads a file to chat with a caption.
func (s *sender) document(ctx context.Context, chatID int64, name string, data []byte, caption string) error {
	return s.do(ctx, "sendDocument", chatID, func() error {
		_, err := s.api.SendDocument(ctx, &tgbot.SendDocumentParams{
			ChatID:    chatID,
			Document:  &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)},
			Caption:   caption,
			ParseMode: models.ParseModeHTML,
		})
		return err
	})
}
