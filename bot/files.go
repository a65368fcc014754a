package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/store"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Size limits on what people send. Each kind of file the bot imports has
// its limit, within the 20 MB Telegram lets a bot download; it is checked
// against the size Telegram states before anything is downloaded, and again
// while downloading, which stops one byte past the limit (a stated size can
// be wrong). Photos and files kept by their file_id — a notice's attachment,
// a duty report — are never downloaded by the bot, but every recipient
// downloads them, so they have limits too. Message text is limited by
// maxInput, captions by the flows that keep them.
const (
	// maxDownload is the largest file a bot may download from Telegram.
	maxDownload = 20 << 20
	// maxAttachment is the largest file kept as an attachment: what a bot
	// may upload, and more than anyone should receive on a phone.
	maxAttachment = 50 << 20
	// maxPhoto is the largest photo, Telegram's own limit for photos.
	maxPhoto = 10 << 20
)

// importLimit is the largest file of a kind the bot imports, and the words
// naming the kind. A spreadsheet may be a roster or a question bank: it is
// held to the roster's limit, and a bank among them to the bank's when it is
// read.
func importLimit(kind string) (int64, string) {
	switch kind {
	case "bank":
		return quiz.MaxImportFile, t("file.kind_bank")
	case "roster":
		return member.MaxRosterSize, t("file.kind_sheet")
	}
	return knowledge.MaxFileSize, t("file.kind_document")
}

// sizeText says a file size in words: 830 KB, 21.3 MB.
func sizeText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", max((n+1023)>>10, 1))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// tooBig is the refusal of a file over limit; size < 0 when only the
// download found out.
func tooBig(name string, size, limit int64, what string) string {
	stated := t("file.size_over", limit>>20)
	if size >= 0 {
		stated = sizeText(size)
	}
	return t("file.too_big", esc(name), stated, what, limit>>20)
}

// attachmentTooBig is the refusal of a message's photo or file kept as an
// attachment when it is over its limit, and "" otherwise.
func attachmentTooBig(m *models.Message) string {
	switch {
	case len(m.Photo) > 0 && int64(m.Photo[len(m.Photo)-1].FileSize) > maxPhoto:
		return t("file.attachment_too_big", sizeText(int64(m.Photo[len(m.Photo)-1].FileSize)), t("file.kind_photo"), maxPhoto>>20)
	case m.Document != nil && m.Document.FileSize > maxAttachment:
		return t("file.attachment_too_big", sizeText(m.Document.FileSize), t("file.kind_attachment"), maxAttachment>>20)
	}
	return ""
}

// onDocument imports a file a coordinator sends: a question bank (.yaml, or
// .xlsx/.csv with a 题干 column), a roster (.xlsx, .csv) or a knowledge
// document (.md, .txt, .docx).
func (b *Bot) onDocument(ctx context.Context, r *request) error {
	doc := r.msg.Document
	if r.role < member.RoleCoordinator {
		return b.reply(ctx, r, t("file.not_allowed"))
	}
	name := doc.FileName
	ext := strings.ToLower(filepath.Ext(name))
	kind := ""
	switch ext {
	case ".xlsx", ".csv":
		kind = "roster"
	case ".yaml", ".yml":
		kind = "bank"
	case ".md", ".txt", ".docx":
		kind = "document"
	default:
		return b.reply(ctx, r, t("file.unsupported", esc(name)))
	}
	limit, what := importLimit(kind)
	if doc.FileSize > limit {
		return b.reply(ctx, r, tooBig(name, doc.FileSize, limit, what))
	}
	data, err := b.download(ctx, doc.FileID, limit)
	if errors.Is(err, errTooBig) {
		return b.reply(ctx, r, tooBig(name, -1, limit, what))
	}
	if err != nil {
		return err
	}
	district := "" // the district whose questions a bank may hold
	if (kind == "bank" || kind == "roster") && b.quiz != nil {
		if district, err = b.bankScope(ctx, r.userID); errors.Is(err, quiz.ErrOutOfScope) {
			return b.reply(ctx, r, t("file.not_allowed"))
		} else if err != nil {
			return err
		}
	}
	switch {
	case kind == "bank" && b.quiz != nil:
		bf, err := b.readBank(ctx, district, name, data)
		return b.importBank(ctx, r, district, doc.FileID, name, bf, err)
	case kind == "bank":
		return b.reply(ctx, r, t("file.unsupported", esc(name)))
	case kind == "roster" && b.quiz != nil:
		// A spreadsheet with a 题干 column is a question bank; else a roster.
		bf, err := b.readBank(ctx, district, name, data)
		if quiz.MeantAsBank(err) {
			return b.importBank(ctx, r, district, doc.FileID, name, bf, err)
		}
		if errors.Is(err, quiz.ErrNotWorkbook) {
			return b.reply(ctx, r, t("file.not_workbook", esc(name)))
		}
		// Too big for a bank, so read as a roster: if it is no roster
		// either, it may have been a bank.
		return b.importRoster(ctx, r, name, data, errors.Is(err, quiz.ErrBankTooLarge))
	case kind == "roster":
		return b.importRoster(ctx, r, name, data, false)
	case ext == ".md" || b.kb == nil:
		return b.importDocument(ctx, r, name, data, knowledge.ImportMeta{}, nil)
	}
	return b.startDocImport(ctx, r, doc.FileID, name, data)
}

var errTooBig = errors.New("file too big")

// download fetches a file through getFile and the file download path,
// reading at most limit bytes (at most maxDownload): errTooBig beyond.
func (b *Bot) download(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	limit = min(limit, maxDownload)
	f, err := b.api.GetFile(ctx, &tgbot.GetFileParams{FileID: fileID})
	if err != nil {
		if errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "too big") {
			return nil, errTooBig
		}
		return nil, fmt.Errorf("get file: %w", err)
	}
	if f.FileSize > limit {
		return nil, errTooBig
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.api.FileDownloadLink(f), nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", f.FilePath, redactToken(err, b.api.Token()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: status %d", f.FilePath, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", f.FilePath, err)
	}
	if int64(len(data)) > limit {
		return nil, errTooBig
	}
	return data, nil
}

// redactToken keeps the token, which is part of download URLs, out of errors.
func redactToken(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "***"))
}

// importRoster imports a district roster and reports row by row. overBank
// says the file was too big to be read as a question bank, which a file
// that is no roster may have been meant as.
func (b *Bot) importRoster(ctx context.Context, r *request, name string, data []byte, overBank bool) error {
	pctx, cancel := context.WithTimeout(ctx, b.importTimeout)
	rows, problems, err := member.ParseRoster(pctx, name, data, b.members.Districts())
	cancel()
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return b.reply(ctx, r, t("file.too_slow", esc(name)))
	}
	if err != nil {
		if msg := memberError(err); msg != "" {
			if overBank && errors.Is(err, member.ErrMissingColumn) {
				msg += "\n" + t("roster.maybe_bank", quiz.MaxImportFile>>20, quiz.MaxImportRows)
			}
			return b.reply(ctx, r, t("roster.failed", esc(name))+msg)
		}
		return b.reply(ctx, r, t("roster.unreadable", esc(name)))
	}
	// Each batch's approvals and their notices commit together.
	report, err := b.members.ImportRoster(ctx, r.userID, rows, func(ctx context.Context, approved []member.Profile) error {
		notices := make([]notice, 0, len(approved))
		for _, p := range approved {
			notices = append(notices, notice{chatID: p.UserID, msg: message{text: approvalText(p)}})
		}
		return b.queue(ctx, "decision", notices...)
	})
	if err != nil {
		if msg := memberError(err); msg != "" {
			return b.reply(ctx, r, msg)
		}
		return err
	}
	problems = append(problems, report.Problems...)
	slices.SortStableFunc(problems, func(a, b member.RowProblem) int { return cmp.Compare(a.Line, b.Line) })
	lines := make([]string, 0, len(problems))
	for _, p := range problems {
		line := t("roster.problem", p.Line, esc(t(fieldLabel[p.Field])), esc(truncate(p.Value, 30)), stripTags(problemText(p)))
		if p.SeeLine > 0 {
			line += t("roster.see_line", p.SeeLine)
		}
		lines = append(lines, line)
	}
	header := t("roster.done", esc(name), report.Added, report.Updated, report.Skipped, len(problems), len(report.Approved))
	return b.sendLines(ctx, r.chatID, header, lines)
}

// problemText says what is wrong with a roster row.
func problemText(p member.RowProblem) string {
	switch {
	case errors.Is(p.Err, member.ErrDuplicatePhone):
		return t("roster.duplicate")
	case errors.Is(p.Err, member.ErrMissingValue):
		return t("roster.missing")
	case errors.Is(p.Err, member.ErrOutOfScope):
		return t("roster.out_of_scope")
	case errors.Is(p.Err, member.ErrUnknownDistrict):
		return t("roster.unknown_district")
	case errors.Is(p.Err, member.ErrUnreadableText):
		return t("roster.unreadable_text")
	}
	if msg := memberError(p.Err); msg != "" {
		return msg
	}
	return t("roster.bad_value")
}

// importDocument imports a knowledge document into the coordinator's scope
// (a district coordinator's: their district) and says what was added.
// settle, if not nil, runs once the import is over, before the reply that
// marks the update done: the end of the dialogue that led to it.
func (b *Bot) importDocument(ctx context.Context, r *request, name string, data []byte, meta knowledge.ImportMeta, settle func() error) error {
	if b.kb == nil {
		return b.reply(ctx, r, t("file.unsupported", esc(name)))
	}
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	ictx, cancel := context.WithTimeout(ctx, b.importTimeout)
	res, err := b.kb.ImportWith(ictx, name, data, meta, by)
	cancel()
	if settle != nil && (err == nil || ctx.Err() == nil) {
		if err := settle(); err != nil {
			return err
		}
	}
	if err != nil {
		return b.refuseDocument(ctx, r, name, by, err)
	}
	key := "doc.imported"
	if res.Replaced {
		key = "doc.replaced"
	}
	text := t(key, esc(truncate(res.Title, maxHeading)), res.Sections, esc(res.DocID))
	if res.Source != "" {
		text += "\n" + t("ask.source", esc(truncate(res.Source, maxHeading)))
	}
	if res.District != "" {
		text += "\n" + t("doc.owner", esc(res.District))
	}
	if n := len(res.InvalidLines); n > 0 {
		text += "\n" + t("doc.invalid_lines", n, res.InvalidLines[0])
	}
	return b.reply(ctx, r, text)
}

// refuseDocument says why a document was not imported, or returns err when
// it is not the file's fault.
func (b *Bot) refuseDocument(ctx context.Context, r *request, name string, by knowledge.Actor, err error) error {
	var dup *knowledge.DuplicateError
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return b.reply(ctx, r, t("file.too_slow", esc(name)))
	case errors.As(err, &dup):
		return b.reply(ctx, r, t("doc.duplicate", esc(name), esc(truncate(dup.Title, maxHeading))))
	case errors.Is(err, knowledge.ErrOutOfScope) && by.CityWide:
		return b.reply(ctx, r, t("doc.id_taken", esc(name)))
	case errors.Is(err, knowledge.ErrOutOfScope):
		return b.reply(ctx, r, t("doc.out_of_scope", esc(name), esc(by.District)))
	case errors.Is(err, knowledge.ErrUnknownDistrict):
		return b.reply(ctx, r, t("doc.unknown_district", esc(name)))
	case errors.Is(err, knowledge.ErrNotDocx):
		return b.reply(ctx, r, t("doc.not_docx", esc(name)))
	case errors.Is(err, knowledge.ErrEmptyDocument):
		return b.reply(ctx, r, t("doc.empty", esc(name)))
	case errors.Is(err, textenc.ErrUnknownEncoding):
		return b.reply(ctx, r, t("file.unknown_encoding", esc(name)))
	case errors.Is(err, knowledge.ErrContentTooLarge):
		return b.reply(ctx, r, t("doc.too_much", esc(name), knowledge.MaxSections))
	case errors.Is(err, knowledge.ErrFileTooLarge):
		return b.reply(ctx, r, tooBig(name, -1, knowledge.MaxFileSize, t("file.kind_document")))
	case errors.Is(err, knowledge.ErrUnsupportedFormat):
		return b.reply(ctx, r, t("file.unsupported", esc(name)))
	case errors.Is(err, knowledge.ErrContentDocument):
		return b.reply(ctx, r, t("doc.builtin", esc(name)))
	case errors.Is(err, knowledge.ErrSourceTooLong):
		return b.reply(ctx, r, t("import.source_too_long", knowledge.MaxSourceRunes))
	}
	return err
}

// A .txt or .docx file cannot say its source or district, so the
// coordinator is asked before it is imported: the source (typed, or 跳过),
// then, for a city-wide coordinator, the district (buttons). The dialogue
// keeps only the file's Telegram file_id, name and size; the file is
// checked when it arrives (so a bad or duplicate file is refused before any
// question), downloaded again and imported in one transaction after the
// last answer. A crash, /cancel or an abandoned dialogue leaves no document.

// flowDocImport waits for the answers about a file being imported.
const flowDocImport = "docimport"

// startDocImport checks a .txt or .docx file and asks for its source.
func (b *Bot) startDocImport(ctx context.Context, r *request, fileID, name string, data []byte) error {
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	ictx, cancel := context.WithTimeout(ctx, b.importTimeout)
	res, err := b.kb.CheckImport(ictx, name, data, knowledge.ImportMeta{}, by)
	cancel()
	if err != nil {
		return b.refuseDocument(ctx, r, name, by, err)
	}
	title := truncate(res.Title, maxHeading)
	c := store.Conversation{Flow: flowDocImport, Step: "source", Data: map[string]string{
		"file": fileID, "name": name, "size": strconv.Itoa(len(data)), "title": title,
	}}
	if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
		return err
	}
	return b.send(ctx, r.userID, message{text: t("import.ask_source", esc(title), knowledge.MaxSourceRunes),
		markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{button(t("import.skip"), "imp", "skip")}}}})
}

// docImportFlow takes typed answers: the source, or a district's name.
func (b *Bot) docImportFlow(ctx context.Context, r *request, c store.Conversation) error {
	switch c.Step {
	case "source":
		if n := utf8.RuneCountInString(r.text); n > knowledge.MaxSourceRunes {
			return b.reply(ctx, r, t("import.source_too_long", knowledge.MaxSourceRunes)) // ask again
		}
		c.Data["source"] = r.text
		return b.afterSource(ctx, r, c)
	case "district":
		if r.text == t("import.city") {
			return b.finishDocImport(ctx, r, c, "")
		}
		if name, ok := b.members.Districts().Resolve(r.text); ok {
			return b.finishDocImport(ctx, r, c, name)
		}
		return b.send(ctx, r.userID, b.districtQuestion(c, t("import.pick_district")))
	}
	if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
		return err
	}
	return b.onText(ctx, r)
}

// onImportButton handles imp:skip (no source) and imp:d:<n> (district n of
// the list from 1; 0 is 全市), pressed in the dialogue of a file import.
func (b *Bot) onImportButton(ctx context.Context, r *request, payload string) error {
	c, err := b.conv.Get(ctx, r.userID, r.userID)
	if errors.Is(err, store.ErrNoConversation) || err == nil && c.Flow != flowDocImport {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return err
	}
	op, arg, _ := strings.Cut(payload, ":")
	switch {
	case op == "skip" && c.Step == "source":
		c.Data["source"] = ""
		return b.afterSource(ctx, r, c)
	case op == "d" && c.Step == "district":
		names := b.members.Districts().Names()
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || n > len(names) {
			return b.staleButton(ctx, r)
		}
		district := ""
		if n > 0 {
			district = names[n-1]
		}
		return b.finishDocImport(ctx, r, c, district)
	}
	return b.staleButton(ctx, r)
}

// afterSource asks a city-wide coordinator for the district; a district
// coordinator's file is their district's, so it is imported now.
func (b *Bot) afterSource(ctx context.Context, r *request, c store.Conversation) error {
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	if !by.CityWide {
		return b.finishDocImport(ctx, r, c, "")
	}
	c.Step = "district"
	if err := b.conv.Save(ctx, r.userID, r.userID, c); err != nil {
		return err
	}
	return b.send(ctx, r.userID, b.districtQuestion(c, t("import.ask_district", esc(c.Data["title"]))))
}

// districtQuestion is prompt with the buttons 全市 and the districts.
func (b *Bot) districtQuestion(c store.Conversation, prompt string) message {
	buttons := []models.InlineKeyboardButton{button(t("import.city"), "imp", "d", 0)}
	for i, name := range b.members.Districts().Names() {
		buttons = append(buttons, models.InlineKeyboardButton{Text: name, CallbackData: fmt.Sprintf("imp:d:%d", i+1)})
	}
	return message{text: prompt, markup: &models.InlineKeyboardMarkup{InlineKeyboard: grid(buttons, 3)}}
}

// finishDocImport downloads the file again and imports it with the
// answers, ending the dialogue before the reply. The document commits in
// one transaction; a crash before the dialogue ends leaves the update
// unfinished, and its replay imports the same file under the same id (an
// update); a crash after it leaves nothing to answer.
func (b *Bot) finishDocImport(ctx context.Context, r *request, c store.Conversation, district string) error {
	name := c.Data["name"]
	meta := knowledge.ImportMeta{Source: c.Data["source"], District: district}
	end := func() error { return b.conv.End(ctx, r.userID, r.userID) }
	data, err := b.download(ctx, c.Data["file"], knowledge.MaxFileSize)
	switch {
	case errors.Is(err, errTooBig):
		if err := end(); err != nil {
			return err
		}
		return b.reply(ctx, r, tooBig(name, -1, knowledge.MaxFileSize, t("file.kind_document")))
	case err != nil:
		return err
	}
	return b.importDocument(ctx, r, name, data, meta, end)
}
