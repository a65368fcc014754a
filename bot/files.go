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
	"strings"

	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	tgbot "github.com/go-telegram/bot"
)

// maxDownload is the largest file a bot may download from Telegram.
const maxDownload = 20 << 20

// onDocument imports a file a coordinator sends: a roster (.xlsx, .csv) or
// a knowledge document (.md, .txt, .docx).
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
	case ".md", ".txt", ".docx":
		kind = "document"
	default:
		return b.reply(ctx, r, t("file.unsupported", esc(name)))
	}
	if doc.FileSize > maxDownload {
		return b.reply(ctx, r, t("file.too_big", esc(name), doc.FileSize>>20))
	}
	data, err := b.download(ctx, doc.FileID)
	if errors.Is(err, errTooBig) {
		return b.reply(ctx, r, t("file.too_big", esc(name), maxDownload>>20))
	}
	if err != nil {
		return err
	}
	if kind == "roster" {
		return b.importRoster(ctx, r, name, data)
	}
	return b.importDocument(ctx, r, name, data)
}

var errTooBig = errors.New("file too big")

// download fetches a file through getFile and the file download path,
// reading at most maxDownload bytes.
func (b *Bot) download(ctx context.Context, fileID string) ([]byte, error) {
	f, err := b.api.GetFile(ctx, &tgbot.GetFileParams{FileID: fileID})
	if err != nil {
		if errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "too big") {
			return nil, errTooBig
		}
		return nil, fmt.Errorf("get file: %w", err)
	}
	if f.FileSize > maxDownload {
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
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", f.FilePath, err)
	}
	if len(data) > maxDownload {
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

// importRoster imports a district roster and reports row by row.
func (b *Bot) importRoster(ctx context.Context, r *request, name string, data []byte) error {
	pctx, cancel := context.WithTimeout(ctx, b.importTimeout)
	rows, problems, err := member.ParseRoster(pctx, name, data, b.members.Districts())
	cancel()
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return b.reply(ctx, r, t("file.too_slow", esc(name)))
	}
	if err != nil {
		if msg := memberError(err); msg != "" {
			return b.reply(ctx, r, t("roster.failed", esc(name))+msg)
		}
		return b.reply(ctx, r, t("roster.unreadable", esc(name)))
	}
	// Each batch's approvals and their notices commit together.
	report, err := b.members.ImportRoster(ctx, r.userID, rows, func(ctx context.Context, approved []member.Profile) error {
		notices := make([]notice, 0, len(approved))
		for _, p := range approved {
			notices = append(notices, notice{chatID: p.UserID, msg: message{text: t("pending.you_approved")}})
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
func (b *Bot) importDocument(ctx context.Context, r *request, name string, data []byte) error {
	if b.kb == nil {
		return b.reply(ctx, r, t("file.unsupported", esc(name)))
	}
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	ictx, cancel := context.WithTimeout(ctx, b.importTimeout)
	res, err := b.kb.Import(ictx, name, data, by)
	cancel()
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return b.reply(ctx, r, t("file.too_slow", esc(name)))
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
	case errors.Is(err, knowledge.ErrFileTooLarge):
		return b.reply(ctx, r, t("file.too_big", esc(name), maxDownload>>20))
	case errors.Is(err, knowledge.ErrUnsupportedFormat):
		return b.reply(ctx, r, t("file.unsupported", esc(name)))
	case errors.Is(err, knowledge.ErrContentDocument):
		return b.reply(ctx, r, t("doc.builtin", esc(name)))
	case err != nil:
		return err
	}
	key := "doc.imported"
	if res.Replaced {
		key = "doc.replaced"
	}
	text := t(key, esc(res.Title), res.Sections, esc(res.DocID))
	if res.District != "" {
		text += "\n" + t("doc.owner", esc(res.District))
	}
	if n := len(res.InvalidLines); n > 0 {
		text += "\n" + t("doc.invalid_lines", n, res.InvalidLines[0])
	}
	return b.reply(ctx, r, text)
}
