package bot_test

import (
	"archive/zip"
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
)

// importFile sends a file from u and, when the bot asks about it (a .txt
// or .docx), answers: source typed, or 跳过 when it is ""; then, when asked,
// the district pressed, or 全市 when it is "". It returns the last reply.
func (h *harness) importFile(u botapi.User, name string, data []byte, source, district string) string {
	h.t.Helper()
	m := h.next(u.ID, 1, func() { h.srv.SendDocument(u, botapi.PrivateChat(u), name, "", data) })[0]
	if !strings.Contains(m.Text, "来源") || m.ReplyMarkup == nil {
		return m.Text
	}
	if source == "" {
		_, msgs := h.pressNext(u, m, bot.T("import.skip"), 1)
		m = msgs[0]
	} else {
		m = h.say(u, source)
	}
	if !strings.Contains(m.Text, "适用于哪里") {
		return m.Text
	}
	if district == "" {
		district = bot.T("import.city")
	}
	_, msgs := h.pressNext(u, m, district, 1)
	return msgs[0].Text
}

// importedCount is the number of imported documents.
func (h *harness) importedCount() int { return len(h.importedDocs()) }

const newsArticle = "我市召开两新组织党建工作推进会\n" +
	"会议指出，要把党的组织和工作覆盖到更多非公企业和社会组织。\n\n" +
	"会议要求，各区县要配齐配强专职党务工作者，每个党建工作站至少配备一名。\n"

func TestDuplicateDocumentsThroughChat(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")

	mustContain(t, "first import", h.importFile(admin, "推进会.txt", []byte(newsArticle), "徐州日报", "鼓楼区"),
		"已导入", plain(bot.T("doc.owner", "鼓楼区")), "徐州日报")
	if n := h.importedCount(); n != 1 {
		t.Fatalf("%d imported documents, want 1", n)
	}
	id := docID(t, h.importedDocs(), "鼓楼区", "我市召开两新组织党建工作推进会")
	if d := h.importedDocs()[id]; d.Source != "徐州日报" {
		t.Errorf("source = %q, want 徐州日报", d.Source)
	}

	// The same text under another name, with other line ends and spacing
	// and a BOM, is a duplicate: refused before any question.
	again := "\ufeff" + strings.ReplaceAll(strings.ReplaceAll(newsArticle, "\n", "\r\n"), "会议要求，", "会议要求， ")
	want := plain(bot.T("doc.duplicate", "副本.txt", "我市召开两新组织党建工作推进会"))
	if got := h.importFile(admin, "副本.txt", []byte(again), "", ""); got != want {
		t.Errorf("same text, another name: %q, want %q", got, want)
	}
	// So is it as Markdown, and from a district coordinator.
	h.grant(481, "云龙区")
	yl := botapi.DefaultUser(481)
	md := "---\ntitle: 我市召开两新组织党建工作推进会\n---\n会议指出，要把党的组织和工作覆盖到更多非公企业和社会组织。\n\n会议要求，各区县要配齐配强专职党务工作者，每个党建工作站至少配备一名。\n"
	if got := h.importFile(yl, "meeting.md", []byte(md), "", ""); got != plain(bot.T("doc.duplicate", "meeting.md", "我市召开两新组织党建工作推进会")) {
		t.Errorf("same text as .md: %q", got)
	}
	if n := h.importedCount(); n != 1 {
		t.Errorf("%d imported documents after the duplicates, want 1", n)
	}

	// The same name with changed text is an update.
	changed := newsArticle + "会议还部署了下半年的重点工作。\n"
	mustContain(t, "update", h.importFile(admin, "推进会.txt", []byte(changed), "", "鼓楼区"), "已更新")
	if n := h.importedCount(); n != 1 {
		t.Errorf("%d imported documents after the update, want 1", n)
	}
	d, err := h.kb.Document(context.Background(), id)
	if err != nil || !strings.Contains(d.Passages[len(d.Passages)-1].Text, "下半年") {
		t.Errorf("after the update: %+v, %v", d, err)
	}
	// The old text is not in the base any more: under a new name it imports.
	mustContain(t, "old text, new name", h.importFile(admin, "旧版.txt", []byte(newsArticle), "", ""), "已导入")
	if n := h.importedCount(); n != 2 {
		t.Errorf("%d imported documents, want 2", n)
	}
}

func TestImportDialogue(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")

	// Source skipped, district picked: imported with the district.
	m := h.next(adminID, 1, func() { h.srv.SendDocument(admin, botapi.PrivateChat(admin), "推进会.txt", "", []byte(newsArticle)) })[0]
	need(t, "source question", m.Text, plain(bot.T("import.ask_source", "我市召开两新组织党建工作推进会", knowledge.MaxSourceRunes)))
	if h.importedCount() != 0 {
		t.Fatal("the file was stored before the questions were answered")
	}
	// A source over the limit is asked again.
	if got := h.say(admin, strings.Repeat("长", knowledge.MaxSourceRunes+1)).Text; got != bot.T("import.source_too_long", knowledge.MaxSourceRunes) {
		t.Errorf("long source: %q", got)
	}
	_, msgs := h.pressNext(admin, m, bot.T("import.skip"), 1)
	need(t, "district question", msgs[0].Text, bot.T("import.ask_district", "我市召开两新组织党建工作推进会"))
	if b := buttons(msgs[0]); len(b) < 2 || b[0] != "imp:d:0" {
		t.Errorf("district buttons = %v", b)
	}
	if h.importedCount() != 0 {
		t.Fatal("the file was stored before the district was chosen")
	}
	// Typing something that is no district asks again.
	if got := h.say(admin, "火星").Text; got != bot.T("import.pick_district") {
		t.Errorf("unknown district typed: %q", got)
	}
	_, done := h.pressNext(admin, msgs[0], "贾汪区", 1)
	mustContain(t, "imported", done[0].Text, "已导入", plain(bot.T("doc.owner", "贾汪区")))
	docs := h.importedDocs()
	id := docID(t, docs, "贾汪区", "我市召开两新组织党建工作推进会")
	if docs[id].Source != "" {
		t.Errorf("skipped source stored as %q", docs[id].Source)
	}
	// The old buttons are spent.
	if ans := h.press(admin, botapi.PrivateChat(admin), msgs[0], "贾汪区"); ans.Text != bot.T("unknown.button") {
		t.Errorf("pressing the district again: %+v", ans)
	}

	// Abandoned halfway (/cancel, or a file never answered about): nothing stored.
	other := strings.ReplaceAll(newsArticle, "推进会", "部署会") + "\n会议还部署了下半年的党建工作。\n"
	h.next(adminID, 1, func() { h.srv.SendDocument(admin, botapi.PrivateChat(admin), "部署会.txt", "", []byte(other)) })
	h.say(admin, "市委组织部")
	need(t, "cancel", h.say(admin, "/cancel").Text, bot.T("cancel.done"))
	h.next(adminID, 1, func() {
		h.srv.SendDocument(admin, botapi.PrivateChat(admin), "部署会.docx", "", docxOf("部署会", "会议部署了下半年工作。"))
	})
	h.restart()
	if n := h.importedCount(); n != 1 {
		t.Errorf("%d imported documents after the abandoned dialogues, want 1", n)
	}

	// A district coordinator is asked the source only; the file is their district's.
	h.grant(482, "鼓楼区")
	gl := botapi.DefaultUser(482)
	got := h.importFile(gl, "鼓楼通知.txt", []byte("鼓楼区党建通知\n一、时间\n每月第一周开展主题党日。\n"), "鼓楼区委组织部", "")
	mustContain(t, "district coordinator", got, "已导入", "鼓楼区委组织部", plain(bot.T("doc.owner", "鼓楼区")))
}

// docxOf is a minimal .docx with a title and one paragraph.
func docxOf(title, text string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>` + title + `</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t>` + text + `</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	return buf.Bytes()
}

// message is chat's message id as it stands now.
func (h *harness) message(chatID int64, id int) botapi.Message {
	h.t.Helper()
	for _, m := range h.srv.Messages(chatID) {
		if m.MessageID == id {
			return m
		}
	}
	h.t.Fatalf("no message %d in chat %d", id, chatID)
	return botapi.Message{}
}

func TestFullTextPagesThroughTheDocument(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	var doc strings.Builder
	doc.WriteString("非公企业党建工作手册\n")
	for i, topic := range []string{"组织设置", "队伍建设", "活动开展", "阵地建设", "制度建设", "作用发挥"} {
		doc.WriteString([]string{"一", "二", "三", "四", "五", "六"}[i] + "、" + topic + "\n")
		for j := range 12 {
			doc.WriteString(strings.Repeat(topic+"要求", 10) + "第" + string(rune('A'+j)) + "段，" + strings.Repeat("内容详实。", 12) + "\n\n")
		}
	}
	doc.WriteString("七、党旗悬挂\n活动场所应当悬挂党旗，配备学习资料。\n")
	mustContain(t, "import", h.importFile(admin, "手册.txt", []byte(doc.String()), "市委组织部", ""), "已导入")
	id := docID(t, h.importedDocs(), "", "非公企业党建工作手册")
	d, err := h.kb.Document(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}

	u := botapi.DefaultUser(60)
	mustContain(t, "answer", h.ask(u.ID, "活动场所要悬挂党旗吗"), "党旗")
	_, first := h.pressNext(u, h.lastMessage(u.ID), bot.T("ask.full"), 1)
	page := first[0]
	// It opens at the page of the passage that answered, the last one.
	if !strings.Contains(page.Text, "悬挂党旗") || buttonLabel(page, "下一页") {
		t.Fatalf("查看全文 opened %q with buttons %v, want the last page", page.Text, buttons(page))
	}
	// Back to the first page, then forward through all of them.
	for buttonLabel(page, "上一页") {
		h.press(u, botapi.PrivateChat(u), page, "上一页")
		page = h.message(u.ID, page.MessageID)
	}
	var body strings.Builder
	pages := 0
	for {
		pages++
		if n := utf16Len(page.Text); n > 4096 {
			t.Errorf("page %d is %d UTF-16 units", pages, n)
		}
		mustContain(t, "page heading", page.Text, "《非公企业党建工作手册》", "市委组织部")
		// The heading is the first paragraph and the source the last.
		text := page.Text[strings.Index(page.Text, "\n\n")+2 : strings.LastIndex(page.Text, "\n\n")]
		body.WriteString(text)
		if !buttonLabel(page, "下一页") {
			break
		}
		h.press(u, botapi.PrivateChat(u), page, "下一页")
		page = h.message(u.ID, page.MessageID)
	}
	if pages < 3 {
		t.Fatalf("a document of %d characters came in %d pages", len([]rune(doc.String())), pages)
	}
	var want strings.Builder
	prev := d.Title
	for _, p := range d.Passages {
		if p.Section != prev && p.Section != d.Title {
			want.WriteString(p.Section)
		}
		prev = p.Section
		want.WriteString(p.Text)
	}
	if got, want := noSpace(body.String()), noSpace(want.String()); got != want {
		t.Errorf("the pages hold %d characters, the passages %d: not the whole text exactly once", len([]rune(got)), len([]rune(want)))
	}
	for _, e := range h.srv.Events() {
		if e.Kind == botapi.EventRefused {
			t.Errorf("Telegram refused %s: %v", e.Method, e.Err)
		}
	}
}

func TestDocsListsTitlesAndOpens(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	mustContain(t, "import", h.importFile(admin, "tuijinhui.txt", []byte(newsArticle), "徐州日报", "鼓楼区"), "已导入")
	id := docID(t, h.importedDocs(), "鼓楼区", "我市召开两新组织党建工作推进会")

	listed := h.next(adminID, 2, func() { h.srv.SendText(admin, botapi.PrivateChat(admin), "/docs") })
	list := listed[0]
	mustContain(t, "/docs", list.Text, "1. 《我市召开两新组织党建工作推进会》 · 鼓楼区 · 徐州日报", "《党务工作者的能力培训》")
	for _, hidden := range []string{"tuijinhui", id, "dues-rates", ".md"} {
		if strings.Contains(list.Text, hidden) {
			t.Errorf("/docs shows %q: %q", hidden, list.Text)
		}
	}
	if b := buttons(listed[1]); !slices.Equal(b, []string{"doc:rm:" + id}) {
		t.Errorf("removal buttons = %v", b)
	}
	// Paged: all documents, each once, across the pages.
	docs, err := h.kb.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	listLine := regexp.MustCompile(`(?m)^\d+\. 《`)
	seen := len(listLine.FindAllString(list.Text, -1))
	for page := list; buttonLabel(page, "下一页"); {
		h.press(admin, botapi.PrivateChat(admin), page, "下一页")
		page = h.message(adminID, page.MessageID)
		seen += len(listLine.FindAllString(page.Text, -1))
	}
	if seen != len(docs) {
		t.Errorf("the pages of /docs list %d documents, the base has %d", seen, len(docs))
	}
	// A number opens the document in the reader.
	_, opened := h.pressNext(admin, list, bot.T("doc.open", 1), 1)
	mustContain(t, "opened", opened[0].Text, "《我市召开两新组织党建工作推进会》", "配齐配强专职党务工作者", "徐州日报", "鼓楼区")
	// Workers have no /docs, and a forged list button is refused.
	w := botapi.DefaultUser(61)
	if got := h.ask(w.ID, "/docs"); got != bot.T("denied.command") {
		t.Errorf("worker's /docs: %q", got)
	}
	if ans := h.pressData(w, botapi.PrivateChat(w), list.MessageID, "dl:1"); ans.Text != bot.T("unknown.button") {
		t.Errorf("worker presses dl:1: %+v", ans)
	}
}

// buttonLabel reports whether m has a button whose label contains label.
func buttonLabel(m botapi.Message, label string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return true
			}
		}
	}
	return false
}

func noSpace(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
