package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/go-telegram/bot/models"
)

// The document list (/docs) and the document reader (查看全文, and a
// document opened from the list): a whole document shown a page at a time,
// with ◀/▶ buttons that edit the page in place.
//
// Callback data: dl:<list page>; rd:o:<doc id> opens a document (a new
// message); rd:p:<page>:<doc id> turns its pages. Document ids are at most
// 48 bytes, so the data stays within Telegram's 64.

// docsPerPage is the number of documents one page of /docs lists.
const docsPerPage = 20

// readerBody bounds the text of one reader page, in UTF-16 units after
// markup: Telegram's limit less room for the page's heading (a title cut to
// maxHeading, and the page number) and its source line.
const readerBody = maxText - 500

// cmdDocs lists the knowledge documents by title, with their district and
// source, paged; a number button opens each. The imported ones the user may
// remove (a district coordinator: their district's) get removal buttons in
// a second message.
func (b *Bot) cmdDocs(ctx context.Context, r *request) error {
	by, err := b.actor(ctx, r.userID)
	if err != nil {
		return err
	}
	docs, err := b.kb.Documents(ctx)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return b.reply(ctx, r, t("doc.none"))
	}
	if err := b.send(ctx, r.chatID, docListMessage(docs, 0)); err != nil {
		return err
	}
	var rows [][]models.InlineKeyboardButton
	for _, d := range docs {
		if d.Origin == knowledge.OriginImport && by.MayRemove(d) && len(rows) < maxListed && len("doc:rmy:"+d.ID) <= maxCallbackData {
			rows = append(rows, []models.InlineKeyboardButton{button(t("doc.remove", truncate(d.Title, 20)), "doc", "rm", d.ID)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	hint := "doc.remove_hint"
	if !by.CityWide {
		hint = "doc.remove_hint_district"
	}
	return b.send(ctx, r.chatID, message{text: t(hint), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}})
}

// docListMessage is page (from 0) of the document list.
func docListMessage(docs []knowledge.DocInfo, page int) message {
	pages := (len(docs) + docsPerPage - 1) / docsPerPage
	page = max(0, min(page, pages-1))
	var sb strings.Builder
	sb.WriteString(t("doc.header", len(docs)))
	if pages > 1 {
		sb.WriteString(" " + t("doc.list_page", page+1, pages))
	}
	var open []models.InlineKeyboardButton
	for i := page * docsPerPage; i < min(len(docs), (page+1)*docsPerPage); i++ {
		d := docs[i]
		fmt.Fprintf(&sb, "\n%d. 《%s》", i+1, esc(truncate(d.Title, 60)))
		if d.District != "" {
			sb.WriteString(" · " + esc(d.District))
		}
		if d.Source != "" {
			sb.WriteString(" · " + esc(truncate(d.Source, 24)))
		}
		if len("rd:o:"+d.ID) <= maxCallbackData {
			open = append(open, button(t("doc.open", i+1), "rd", "o", d.ID))
		}
	}
	sb.WriteString("\n\n" + t("doc.open_hint"))
	rows := grid(open, 5)
	if nav := pageButtons(page, pages, func(p int) string { return "dl:" + strconv.Itoa(p) }); nav != nil {
		rows = append(rows, nav)
	}
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}
}

// pageButtons is the ◀/▶ row of page (from 0) of pages, nil for one page.
func pageButtons(page, pages int, data func(page int) string) []models.InlineKeyboardButton {
	if pages <= 1 {
		return nil
	}
	var row []models.InlineKeyboardButton
	if page > 0 {
		row = append(row, models.InlineKeyboardButton{Text: t("page.prev"), CallbackData: data(page - 1)})
	}
	if page < pages-1 {
		row = append(row, models.InlineKeyboardButton{Text: t("page.next"), CallbackData: data(page + 1)})
	}
	return row
}

// onDocListButton handles dl:<page>: another page of /docs, in place.
func (b *Bot) onDocListButton(ctx context.Context, r *request, payload string) error {
	page, err := strconv.Atoi(payload)
	if err != nil || page < 0 || b.kb == nil {
		return b.staleButton(ctx, r)
	}
	docs, err := b.kb.Documents(ctx)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return b.editCallbackMessage(ctx, r, message{text: t("doc.none")})
	}
	return b.editCallbackMessage(ctx, r, docListMessage(docs, page))
}

// readerPage is one page of a document: its text in HTML and the passages
// that start or go on in it.
type readerPage struct {
	body     string
	passages []int64
}

// readerPages cuts a document into pages of at most limit UTF-16 units
// of text (after markup) each. Passages stay whole on a page when they fit;
// a longer one is cut at line ends (splitPlain). Each passage's section
// heading is shown in bold where it changes (not the title again). Every
// character of the passages' text is on exactly one page, in order.
func readerPages(d knowledge.Document, limit int) []readerPage {
	var pages []readerPage
	var cur readerPage
	used := 0
	prev := d.Title
	for _, p := range d.Passages {
		head := ""
		if p.Section != "" && p.Section != prev && p.Section != d.Title {
			head = truncate(p.Section, maxHeading)
		}
		prev = p.Section
		headLen := 0
		if head != "" {
			headLen = textLen(head) + 1
		}
		for i, piece := range splitPlain(strings.TrimSpace(p.Text), limit-maxHeading-3) {
			chunk, n := esc(piece), textLen(piece)
			if i == 0 && head != "" {
				chunk, n = "<b>"+esc(head)+"</b>\n"+chunk, n+headLen
			}
			if used > 0 && used+2+n > limit {
				pages = append(pages, cur)
				cur, used = readerPage{}, 0
			}
			if used > 0 {
				cur.body += "\n\n"
				used += 2
			}
			cur.body += chunk
			used += n
			if len(cur.passages) == 0 || cur.passages[len(cur.passages)-1] != p.ID {
				cur.passages = append(cur.passages, p.ID)
			}
		}
	}
	if used > 0 || len(pages) == 0 {
		pages = append(pages, cur)
	}
	return pages
}

// readerMessage is page (from 0) of a document, with its heading, its
// source line and the buttons to the pages beside it.
func readerMessage(d knowledge.Document, pages []readerPage, page int) message {
	page = max(0, min(page, len(pages)-1))
	head := "<b>《" + esc(truncate(d.Title, maxHeading)) + "》</b>"
	if len(pages) > 1 {
		head += " " + t("reader.page", page+1, len(pages))
	}
	foot := sourceLine(truncate(d.Source, maxHeading), truncate(d.Date, 30))
	if d.District != "" {
		foot += "\n" + t("ask.district", esc(d.District))
	}
	m := message{text: head + "\n\n" + pages[page].body + "\n\n" + foot}
	if len("rd:p:"+strconv.Itoa(len(pages))+":"+d.ID) <= maxCallbackData {
		if nav := pageButtons(page, len(pages), func(p int) string { return "rd:p:" + strconv.Itoa(p) + ":" + d.ID }); nav != nil {
			m.markup = &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{nav}}
		}
	}
	return m
}

// openReader sends the page of document id holding passage (0: the first
// page) as a new message.
func (b *Bot) openReader(ctx context.Context, chatID int64, id string, passage int64) error {
	d, err := b.kb.Document(ctx, id)
	if err != nil {
		return err
	}
	pages := readerPages(d, readerBody)
	return b.send(ctx, chatID, readerMessage(d, pages, pageOf(pages, passage)))
}

// pageOf is the first page holding passage, or 0.
func pageOf(pages []readerPage, passage int64) int {
	for i, p := range pages {
		for _, id := range p.passages {
			if id == passage {
				return i
			}
		}
	}
	return 0
}

// onReaderButton handles rd:o:<doc id> (open) and rd:p:<page>:<doc id>
// (turn a page in place). Anyone may read: documents are what answers show.
func (b *Bot) onReaderButton(ctx context.Context, r *request, payload string) error {
	if b.kb == nil {
		return b.staleButton(ctx, r)
	}
	op, rest, _ := strings.Cut(payload, ":")
	switch op {
	case "o":
		err := b.openReader(ctx, r.chatID, rest, 0)
		if errors.Is(err, knowledge.ErrNotFound) {
			return b.staleButton(ctx, r)
		}
		return err
	case "p":
		num, id, _ := strings.Cut(rest, ":")
		page, err := strconv.Atoi(num)
		if err != nil || page < 0 {
			return b.staleButton(ctx, r)
		}
		d, err := b.kb.Document(ctx, id)
		if errors.Is(err, knowledge.ErrNotFound) {
			return b.staleButton(ctx, r)
		}
		if err != nil {
			return err
		}
		return b.editCallbackMessage(ctx, r, readerMessage(d, readerPages(d, readerBody), page))
	}
	return b.staleButton(ctx, r)
}
