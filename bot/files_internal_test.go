package bot

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

// A photo is held to Telegram's 10 MB for photos, by its largest size; a
// file to 50 MB; anything within passes.
func TestAttachmentTooBig(tt *testing.T) {
	photo := func(sizes ...int) *models.Message {
		m := &models.Message{}
		for _, s := range sizes {
			m.Photo = append(m.Photo, models.PhotoSize{FileID: "p", FileSize: s})
		}
		return m
	}
	cases := []struct {
		name string
		m    *models.Message
		want string
	}{
		{"small photo", photo(1<<10, 300<<10), ""},
		{"photo over 10 MB", photo(1<<10, 11<<20), t("file.attachment_too_big", "11.0 MB", t("file.kind_photo"), 10)},
		{"file of 50 MB", &models.Message{Document: &models.Document{FileSize: 50 << 20}}, ""},
		{"file over 50 MB", &models.Message{Document: &models.Document{FileSize: 50<<20 + 1}}, t("file.attachment_too_big", "50.0 MB", t("file.kind_attachment"), 50)},
		{"text", &models.Message{Text: "你好"}, ""},
	}
	for _, c := range cases {
		if got := attachmentTooBig(c.m); got != c.want {
			tt.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := sizeText(1); got != "1 KB" {
		tt.Errorf("sizeText(1) = %q", got)
	}
}
