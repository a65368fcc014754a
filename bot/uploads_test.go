package bot_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/quiz"
)

// sendStated sends a file whose stated size is stated and returns the reply.
func (h *harness) sendStated(u botapi.User, name string, data []byte, stated int64, caption string) string {
	h.t.Helper()
	return h.next(u.ID, 1, func() { h.srv.SendDocumentStated(u, botapi.PrivateChat(u), name, data, stated, caption) })[0].Text
}

// Each kind of file has its limit, named in the refusal; a file stated as
// too big is refused before anything is downloaded.
func TestUploadLimitsByKindBeforeDownload(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	cases := []struct {
		name   string
		stated int64
		want   string
	}{
		{"题库.yaml", 6 << 20, bot.T("file.too_big", "题库.yaml", "6.0 MB", bot.T("file.kind_bank"), 5)},
		{"通知.docx", 25 << 20, bot.T("file.too_big", "通知.docx", "25.0 MB", bot.T("file.kind_document"), 20)},
		{"名单.csv", 20<<20 + 1, bot.T("file.too_big", "名单.csv", "20.0 MB", bot.T("file.kind_sheet"), 20)},
	}
	before := h.srv.Calls("getFile")
	for _, c := range cases {
		if got := h.sendStated(admin, c.name, []byte("x"), c.stated, ""); got != c.want {
			t.Errorf("%s stated as %d bytes: %q, want %q", c.name, c.stated, got, c.want)
		}
	}
	if n := h.srv.Calls("getFile") - before; n != 0 {
		t.Errorf("the bot called getFile %d times for files stated too big", n)
	}
}

// A stated size can lie: the download stops one byte past the limit, and
// the file is refused with the limit named and nothing imported.
func TestUploadDownloadCappedWhenTheSizeLies(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	docs := h.importedCount()
	big := append([]byte("# 大文件\n\n"), bytes.Repeat([]byte("党建"), 11<<20)...) // 22 MB
	if got, want := h.sendStated(admin, "大文件.md", big, 1024, ""), bot.T("file.too_big", "大文件.md", bot.T("file.size_over", 20), bot.T("file.kind_document"), 20); got != want {
		t.Errorf("a 22 MB document stated as 1 KB: %q, want %q", got, want)
	}
	if n := h.importedCount(); n != docs {
		t.Errorf("%d documents imported, want %d", n, docs)
	}
	bank := bytes.Repeat([]byte("# "+strings.Repeat("题", 60)+"\n"), (6<<20)/182)
	if got, want := h.sendStated(admin, "题库.yaml", bank, 2048, ""), bot.T("file.too_big", "题库.yaml", bot.T("file.size_over", 5), bot.T("file.kind_bank"), 5); got != want {
		t.Errorf("a 6 MB bank stated as 2 KB: %q, want %q", got, want)
	}
}

// A spreadsheet too big for a question bank is read as a roster; when it
// is no roster either, the refusal says what a bank may hold.
func TestUploadSheetTooBigForABank(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	var csv strings.Builder
	csv.WriteString("题型,专题,题干,选项A,选项B,答案,解析\n")
	for i := 0; csv.Len() <= quiz.MaxImportFile; i++ {
		fmt.Fprintf(&csv, "单选,党费,第%d题：%s？,对,错,A,%s\n", i, strings.Repeat("党费交纳", 10), strings.Repeat("解析", 10))
	}
	got := h.sendStated(admin, "大题库.csv", []byte(csv.String()), int64(csv.Len()), "")
	mustContain(t, "a 5 MB+ bank", got, "大题库.csv", bot.T("roster.maybe_bank", 5, quiz.MaxImportRows))
}

// A notice's attachment over 50 MB is refused and the dialogue waits for
// another; message text over Telegram's length is refused too.
func TestUploadAttachmentAndTextLimits(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	h.ask(adminID, "/help")
	need(t, "/broadcast", h.say(admin, "/broadcast").Text, "发布通知")
	got := h.sendStated(admin, "会议录像.mp4", []byte("x"), 60<<20, "请观看会议录像。")
	if want := bot.T("file.attachment_too_big", "60.0 MB", bot.T("file.kind_attachment"), 50); got != want {
		t.Errorf("a 60 MB attachment: %q, want %q", got, want)
	}
	if n := h.srv.Calls("getFile"); n != 0 {
		t.Errorf("the bot downloaded an attachment (%d getFile calls)", n)
	}
	// Still writing the notice: a small file goes on to the audience.
	menu := h.next(adminID, 1, func() {
		h.srv.SendDocumentStated(admin, botapi.PrivateChat(admin), "通知.pdf", []byte("%PDF-1.4"), 300<<10, "请查收附件。")
	})[0]
	need(t, "audience menu", menu.Text, "发给谁")
	h.ask(adminID, "/cancel")
	long := strings.Repeat("党", 5000)
	if got, want := h.ask(adminID, long), bot.T("text.too_long", 5000, 4096); got != want {
		t.Errorf("a 5,000-character message: %q, want %q", got, want)
	}
}
