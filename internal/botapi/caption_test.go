package botapi_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// editMessageCaption changes the words under a photo or file; a text
// message has none, and Telegram's caption limit and "not modified" hold.
func TestEditMessageCaption(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 10*time.Second)
	s.PrivateText(42, "/file")
	doc, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 42,
		Document: &models.InputFileUpload{Filename: "安排.pdf", Data: bytes.NewReader([]byte("%PDF"))}, Caption: "三楼"})
	if err != nil {
		t.Fatal(err)
	}
	edited, err := b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: 42, MessageID: doc.ID, Caption: "<b>五楼</b>", ParseMode: models.ParseModeHTML})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Caption != "五楼" || len(edited.CaptionEntities) != 1 || s.Messages(42)[0].Caption != "五楼" {
		t.Errorf("edited caption %q %+v", edited.Caption, edited.CaptionEntities)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: 42, MessageID: doc.ID, Caption: "<b>五楼</b>", ParseMode: models.ParseModeHTML})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("the same caption again: %v", err)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: 42, MessageID: doc.ID, Caption: strings.Repeat("😀", 513)})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "caption is too long") {
		t.Errorf("a caption of 1,026 UTF-16 units: %v", err)
	}
	text, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "纯文字"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: 42, MessageID: text.ID, Caption: "说明"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "no caption") {
		t.Errorf("a caption on a text message: %v", err)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: 42, MessageID: 9999, Caption: "说明"})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("a caption on a message that does not exist: %v", err)
	}
}
