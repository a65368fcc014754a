package botapi_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dangwu/dangwu/internal/botapi"
)

// filePart is a file part of a multipart request.
type filePart struct {
	field, name string
	data        []byte
}

// callMultipart posts fields and files to a method of s as multipart/form-data, the way
// go-telegram/bot sends every request.
func callMultipart(tb testing.TB, s *botapi.Server, method string, fields map[string]string, files ...filePart) answer {
	tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.name)
		if err == nil {
			_, err = fw.Write(f.data)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return do(tb, s.URL()+"/bot"+token+"/"+method, w.FormDataContentType(), body.String())
}

// testImage is a w×h image whose pixel (x, y) has red x and green y (mod 256).
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 0x80, A: 0xff})
		}
	}
	return img
}

func encodePNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h), nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is the start of a w×h PNG: signature, IHDR and IEND, no pixels. Reading its
// size needs no more, so it stands for images too large to encode in a test.
func pngHeader(w, h int) []byte {
	chunk := func(typ string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(append(out, typ...), data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
}

// padded is data followed by zero bytes up to n bytes.
func padded(data []byte, n int) []byte {
	return append(data, make([]byte, n-len(data))...)
}

// webp is a WebP file with one chunk.
func webp(chunk string, payload []byte) []byte {
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+8+len(payload)))
	out = append(append(out, "WEBP"+chunk...), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	return append(out, payload...)
}

func webpLossy(w, h int) []byte {
	p := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a} // key frame tag, start code
	p = binary.LittleEndian.AppendUint16(p, uint16(w))
	return webp("VP8 ", binary.LittleEndian.AppendUint16(p, uint16(h)))
}

func webpLossless(w, h int) []byte {
	return webp("VP8L", binary.LittleEndian.AppendUint32([]byte{0x2f}, uint32(w-1)|uint32(h-1)<<14))
}

func webpExtended(w, h int) []byte {
	p := []byte{0x10, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	return webp("VP8X", p)
}

// photoTo returns the fields of a sendPhoto to chat, with extra field names and values.
func photoTo(chat int64, extra ...string) map[string]string {
	f := map[string]string{"chat_id": strconv.FormatInt(chat, 10)}
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i]] = extra[i+1]
	}
	return f
}

func photoPart(data []byte) filePart { return filePart{"photo", "photo.png", data} }

// sendPhoto sends data as a photo to chat with the raw API and returns its message.
func sendPhoto(t *testing.T, s *botapi.Server, chat int64, data []byte, extra ...string) botapi.Message {
	t.Helper()
	var m botapi.Message
	wantOK(t, callMultipart(t, s, "sendPhoto", photoTo(chat, extra...), photoPart(data)), &m)
	if len(m.Photo) == 0 {
		t.Fatalf("sendPhoto answered a message without a photo: %+v", m)
	}
	return m
}

// A photo through the real client: uploaded, read back, downloaded, sent again by file_id.
func TestPhotoRoundTrip(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 10*time.Second)
	s.PrivateText(42, "/card")
	data := encodePNG(t, 40, 30)

	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "再来", CallbackData: "again"}}}}
	msg, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID:      42,
		Photo:       &models.InputFileUpload{Filename: "证书.png", Data: bytes.NewReader(data)},
		Caption:     "<b>优秀</b>党员",
		ParseMode:   models.ParseModeHTML,
		ReplyMarkup: kb,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Photo) != 1 {
		t.Fatalf("photo sizes = %+v, want one", msg.Photo)
	}
	size := msg.Photo[0]
	if size.Width != 40 || size.Height != 30 || size.FileSize != len(data) || size.FileID == "" || size.FileUniqueID == "" {
		t.Errorf("photo size = %+v", size)
	}
	wantBold := []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 2}}
	if msg.Caption != "优秀党员" || !reflect.DeepEqual(msg.CaptionEntities, wantBold) {
		t.Errorf("caption = %q %+v", msg.Caption, msg.CaptionEntities)
	}
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "again" {
		t.Errorf("reply markup = %+v", msg.ReplyMarkup)
	}

	sent := s.Messages(42)
	if len(sent) != 1 || len(sent[0].Photo) != 1 || sent[0].Photo[0].FileID != size.FileID || sent[0].Caption != "优秀党员" {
		t.Fatalf("Messages = %+v", sent)
	}
	stored, ok := s.FileBytes(size.FileID)
	if !ok {
		t.Fatal("FileBytes: no such file")
	}
	img, err := png.Decode(bytes.NewReader(stored))
	if err != nil {
		t.Fatalf("decode the stored photo: %v", err)
	}
	if r, g, _, _ := img.At(7, 5).RGBA(); img.Bounds().Dx() != 40 || img.Bounds().Dy() != 30 || r>>8 != 7 || g>>8 != 5 {
		t.Errorf("stored photo: bounds %v, pixel (7, 5) = %v", img.Bounds(), img.At(7, 5))
	}
	if _, ok := s.FileBytes("AgACAgUAAxkBAAI999999"); ok {
		t.Error("FileBytes found an unknown file_id")
	}

	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: size.FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	downloaded, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(downloaded, data) || f.FileSize != int64(len(data)) {
		t.Errorf("download = %d, %d bytes, size %d", resp.StatusCode, len(downloaded), f.FileSize)
	}

	again, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 42, Photo: &models.InputFileString{Data: size.FileID}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Photo, msg.Photo) || again.Caption != "" {
		t.Errorf("resent by file_id: %+v, caption %q; want the same sizes %+v", again.Photo, again.Caption, msg.Photo)
	}

	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: 42, Photo: &models.InputFileString{Data: size.FileID}, Caption: strings.Repeat("长", 1025),
	})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message caption is too long") {
		t.Errorf("1025-character caption: %v", err)
	}

	var methods []string
	for _, e := range s.Events() {
		methods = append(methods, string(e.Kind)+" "+e.Method)
	}
	want := []string{"send sendPhoto", "send sendPhoto", "refused sendPhoto"}
	if !reflect.DeepEqual(methods, want) {
		t.Errorf("events = %v, want %v", methods, want)
	}
}

func TestSendPhotoFormats(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	tests := []struct {
		name          string
		data          []byte
		width, height int
	}{
		{"PNG", encodePNG(t, 64, 48), 64, 48},
		{"JPEG", encodeJPEG(t, 33, 17), 33, 17},
		{"GIF", encodeGIF(t, 20, 20), 20, 20},
		{"lossy WebP", webpLossy(640, 480), 640, 480},
		{"lossless WebP", webpLossless(300, 200), 300, 200},
		{"extended WebP", webpExtended(1024, 768), 1024, 768},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := sendPhoto(t, s, 1, tc.data)
			size := m.Photo[0]
			if size.Width != tc.width || size.Height != tc.height || size.FileSize != int64(len(tc.data)) {
				t.Errorf("size = %+v, want %d×%d of %d bytes", size, tc.width, tc.height, len(tc.data))
			}
			if data, ok := s.FileBytes(size.FileID); !ok || !bytes.Equal(data, tc.data) {
				t.Errorf("FileBytes = %d bytes, %v", len(data), ok)
			}
		})
	}
}

func TestRefusesBadPhotos(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	user := botapi.DefaultUser(1)
	doc := s.SendDocument(user, botapi.PrivateChat(user), "图.png", "image/png", encodePNG(t, 4, 4))
	small := encodePNG(t, 8, 8)
	photo := sendPhoto(t, s, 1, small).Photo[0]

	const (
		notImage   = "Bad Request: IMAGE_PROCESS_FAILED"
		dimensions = "Bad Request: PHOTO_INVALID_DIMENSIONS"
		tooLong    = "Bad Request: message caption is too long"
		wrongID    = "Bad Request: wrong file identifier/HTTP URL specified"
		noPhoto    = "Bad Request: there is no photo in the request"
	)
	chinese := strings.Repeat("党", 1024)
	emoji := strings.Repeat("😀", 512) // 1,024 UTF-16 code units
	tests := []struct {
		name   string
		fields map[string]string
		files  []filePart
		desc   string // the refusal; "" when the photo must be sent
	}{
		{"text file", photoTo(1), []filePart{photoPart([]byte("这不是图片"))}, notImage},
		{"PNG signature only", photoTo(1), []filePart{photoPart([]byte("\x89PNG\r\n\x1a\n"))}, notImage},
		{"PDF", photoTo(1), []filePart{photoPart([]byte("%PDF-1.4\n"))}, notImage},
		{"RIFF but not WebP", photoTo(1), []filePart{photoPart(padded([]byte("RIFF\x00\x00\x00\x00WAVEfmt "), 40))}, notImage},
		{"empty file", photoTo(1), []filePart{photoPart(nil)}, "Bad Request: file must be non-empty"},
		{"10 MB", photoTo(1), []filePart{photoPart(padded(pngHeader(100, 100), 10<<20))}, ""},
		{"over 10 MB", photoTo(1), []filePart{photoPart(padded(pngHeader(100, 100), 10<<20+1))},
			"Bad Request: file of size 10485761 bytes is too big for a photo; the maximum size is 10485760 bytes"},
		{"over 10 MB and not an image", photoTo(1), []filePart{photoPart(make([]byte, 10<<20+1))},
			"Bad Request: file of size 10485761 bytes is too big for a photo; the maximum size is 10485760 bytes"},
		{"width + height 10000", photoTo(1), []filePart{photoPart(pngHeader(5000, 5000))}, ""},
		{"width + height 10001", photoTo(1), []filePart{photoPart(pngHeader(5001, 5000))}, dimensions},
		{"ratio 20", photoTo(1), []filePart{photoPart(pngHeader(4000, 200))}, ""},
		{"ratio over 20", photoTo(1), []filePart{photoPart(pngHeader(4001, 200))}, dimensions},
		{"tall ratio over 20", photoTo(1), []filePart{photoPart(pngHeader(10, 201))}, dimensions},
		{"WebP too wide", photoTo(1), []filePart{photoPart(webpLossless(9000, 1001))}, dimensions},
		{"1024-character caption", photoTo(1, "caption", chinese), []filePart{photoPart(small)}, ""},
		{"1025-character caption", photoTo(1, "caption", chinese+"党"), []filePart{photoPart(small)}, tooLong},
		{"512 emoji are 1024 UTF-16 units", photoTo(1, "caption", emoji), []filePart{photoPart(small)}, ""},
		{"512 emoji and a letter", photoTo(1, "caption", emoji+"a"), []filePart{photoPart(small)}, tooLong},
		{"tags are not counted", photoTo(1, "caption", "<b>"+chinese+"</b>", "parse_mode", "HTML"), []filePart{photoPart(small)}, ""},
		{"malformed HTML caption", photoTo(1, "caption", "<b>粗", "parse_mode", "HTML"), []filePart{photoPart(small)},
			"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""},
		{"caption checked before the photo", photoTo(1, "caption", chinese+"党"), []filePart{photoPart([]byte("x"))}, tooLong},
		{"callback data over 64 bytes", photoTo(1, "reply_markup", keyboard("按钮", strings.Repeat("d", 65))),
			[]filePart{photoPart(small)}, "Bad Request: BUTTON_DATA_INVALID"},
		{"by file_id", photoTo(1, "photo", photo.FileID), nil, ""},
		{"unknown file_id", photoTo(1, "photo", "AgACAgUAAxkBAAI999999"), nil, wrongID},
		{"a document's file_id", photoTo(1, "photo", doc.Document.FileID), nil, "Bad Request: can't use file of type Document as Photo"},
		{"attach:// names a part", photoTo(1, "photo", "attach://pic"), []filePart{{"pic", "pic.png", small}}, ""},
		{"attach:// names no part", photoTo(1, "photo", "attach://pic"), nil, noPhoto},
		{"no photo", photoTo(1), nil, noPhoto},
		{"chat never started", photoTo(5), []filePart{photoPart(small)}, "Forbidden: bot can't initiate conversation with a user"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := callMultipart(t, s, "sendPhoto", tc.fields, tc.files...)
			if tc.desc != "" {
				code := badRequest
				if strings.HasPrefix(tc.desc, "Forbidden") {
					code = forbidden
				}
				wantRefusal(t, a, code, tc.desc)
				return
			}
			var m botapi.Message
			wantOK(t, a, &m)
			if len(m.Photo) != 1 {
				t.Errorf("photo = %+v", m.Photo)
			}
		})
	}
}

// editMedia returns the fields of an editMessageMedia of message id in chat, with an
// InputMediaPhoto of media and the extra fields of the InputMedia.
func editMedia(chat int64, id int, media string, extra ...string) map[string]string {
	im := map[string]string{"type": "photo", "media": media}
	for i := 0; i+1 < len(extra); i += 2 {
		im[extra[i]] = extra[i+1]
	}
	data, _ := json.Marshal(im)
	return map[string]string{"chat_id": strconv.FormatInt(chat, 10), "message_id": strconv.Itoa(id), "media": string(data)}
}

// A photo replaced through the real client, then an edit that changes nothing.
func TestEditMessageMedia(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 10*time.Second)
	s.PrivateText(42, "/card")
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "下一张", CallbackData: "next"}}}}
	first, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: 42, Photo: &models.InputFileUpload{Filename: "a.png", Data: bytes.NewReader(encodePNG(t, 10, 10))},
		Caption: "第一张", ReplyMarkup: kb,
	})
	if err != nil {
		t.Fatal(err)
	}

	next := encodePNG(t, 60, 20)
	edited, err := b.EditMessageMedia(ctx, &bot.EditMessageMediaParams{
		ChatID:    42,
		MessageID: first.ID,
		Media: &models.InputMediaPhoto{
			Media: "attach://next.png", MediaAttachment: bytes.NewReader(next),
			Caption: "<i>第二张</i>", ParseMode: models.ParseModeHTML,
		},
		ReplyMarkup: kb,
	})
	if err != nil {
		t.Fatal(err)
	}
	size := edited.Photo[len(edited.Photo)-1]
	if edited.ID != first.ID || size.FileID == first.Photo[0].FileID || size.Width != 60 || size.Height != 20 {
		t.Errorf("edited photo = %+v (was %+v)", edited.Photo, first.Photo)
	}
	wantItalic := []models.MessageEntity{{Type: models.MessageEntityTypeItalic, Offset: 0, Length: 3}}
	if edited.Caption != "第二张" || !reflect.DeepEqual(edited.CaptionEntities, wantItalic) || edited.EditDate == 0 {
		t.Errorf("edited caption = %q %+v, edit date %d", edited.Caption, edited.CaptionEntities, edited.EditDate)
	}
	if edited.ReplyMarkup == nil || edited.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "next" {
		t.Errorf("keyboard = %+v, want it kept", edited.ReplyMarkup)
	}
	m := s.Messages(42)[0]
	if m.Photo[0].FileID != size.FileID || m.Caption != "第二张" {
		t.Errorf("Messages shows %+v, caption %q", m.Photo, m.Caption)
	}
	stored, _ := s.FileBytes(size.FileID)
	if cfg, err := png.DecodeConfig(bytes.NewReader(stored)); err != nil || cfg.Width != 60 || cfg.Height != 20 {
		t.Errorf("stored photo: %+v, %v", cfg, err)
	}

	same := &bot.EditMessageMediaParams{
		ChatID: 42, MessageID: first.ID, ReplyMarkup: kb,
		Media: &models.InputMediaPhoto{Media: size.FileID, Caption: "<i>第二张</i>", ParseMode: models.ParseModeHTML},
	}
	_, err = b.EditMessageMedia(ctx, same)
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("edit to the same photo, caption and keyboard: %v", err)
	}

	// Back to the first photo by its file_id, without caption or keyboard: both go.
	back, err := b.EditMessageMedia(ctx, &bot.EditMessageMediaParams{
		ChatID: 42, MessageID: first.ID, Media: &models.InputMediaPhoto{Media: first.Photo[0].FileID},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Photo, first.Photo) || back.Caption != "" || back.ReplyMarkup != nil {
		t.Errorf("back to the first photo: %+v, caption %q, keyboard %+v", back.Photo, back.Caption, back.ReplyMarkup)
	}

	var methods []string
	for _, e := range s.Events() {
		methods = append(methods, string(e.Kind)+" "+e.Method)
	}
	want := []string{"send sendPhoto", "edit editMessageMedia", "refused editMessageMedia", "edit editMessageMedia"}
	if !reflect.DeepEqual(methods, want) {
		t.Errorf("events = %v, want %v", methods, want)
	}
}

func TestRefusesBadMediaEdits(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	s.PrivateText(2, "hi")
	s.GroupText(groupID, 1, "hi")
	small := encodePNG(t, 8, 8)
	photo := sendPhoto(t, s, 1, small, "caption", "旧", "reply_markup", keyboard("按钮", "b"))
	fileID := photo.Photo[0].FileID
	var text botapi.Message
	wantOK(t, call(t, s, "sendMessage", map[string]string{"chat_id": "1", "text": "文字"}), &text)
	userMsg := s.PrivateText(1, "用户的消息")
	poll := sendPoll(t, s, pollFields("问题", abc))
	attached := []filePart{{"pic", "pic.png", encodePNG(t, 12, 6)}}
	notFound := "Bad Request: message to edit not found"

	withMarkup := func(f map[string]string) map[string]string {
		f["reply_markup"] = keyboard("按钮", "b")
		return f
	}
	tests := []struct {
		name   string
		fields map[string]string
		files  []filePart
		desc   string // the refusal; "" when the edit must pass
	}{
		{"no media", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(photo.MessageID)}, nil,
			`Bad Request: parameter "media" is required`},
		{"media not JSON", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(photo.MessageID), "media": "{photo"}, nil,
			"Bad Request: can't parse input media JSON object"},
		{"no type", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(photo.MessageID), "media": `{"media":"` + fileID + `"}`}, nil,
			`Bad Request: can't parse InputMedia: Can't find field "type"`},
		{"sticker", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(photo.MessageID), "media": `{"type":"sticker","media":"` + fileID + `"}`}, nil,
			`Bad Request: can't parse InputMedia: type "sticker" is unsupported`},
		{"video, not simulated", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(photo.MessageID), "media": `{"type":"video","media":"` + fileID + `"}`}, nil,
			`Bad Request: can't parse InputMedia: type "video" is not simulated`},
		{"type not a string", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(photo.MessageID), "media": `{"type":1,"media":"` + fileID + `"}`}, nil,
			`Bad Request: can't parse InputMedia: field "type" must be of type String`},
		{"malformed caption", editMedia(1, photo.MessageID, fileID, "caption", "<i>斜", "parse_mode", "HTML"), nil,
			`Bad Request: can't parse InputMedia: can't parse entities: Can't find end tag corresponding to start tag "i"`},
		{"attach:// names no part", editMedia(1, photo.MessageID, "attach://pic"), nil, "Bad Request: can't parse InputMedia: media not found"},
		{"no media in the InputMedia", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(photo.MessageID), "media": `{"type":"photo"}`}, nil,
			"Bad Request: can't parse InputMedia: media not found"},
		{"nonexistent message", editMedia(1, 999, "attach://pic"), attached, notFound},
		{"a message of another chat", editMedia(2, photo.MessageID, "attach://pic"), attached, notFound},
		{"a user's message", editMedia(1, userMsg.MessageID, "attach://pic"), attached, notFound},
		{"a poll", editMedia(groupID, poll.MessageID, "attach://pic"), attached, "Bad Request: message can't be edited"},
		{"chat never started", editMedia(5, photo.MessageID, "attach://pic"), attached, "Forbidden: bot can't initiate conversation with a user"},
		{"not an image", editMedia(1, photo.MessageID, "attach://pic"), []filePart{{"pic", "pic.png", []byte("text")}},
			"Bad Request: IMAGE_PROCESS_FAILED"},
		{"too wide", editMedia(1, photo.MessageID, "attach://pic"), []filePart{{"pic", "pic.png", pngHeader(2100, 100)}},
			"Bad Request: PHOTO_INVALID_DIMENSIONS"},
		{"over 10 MB", editMedia(1, photo.MessageID, "attach://pic"), []filePart{{"pic", "pic.png", padded(pngHeader(10, 10), 10<<20+1)}},
			"Bad Request: file of size 10485761 bytes is too big for a photo; the maximum size is 10485760 bytes"},
		{"unknown file_id", editMedia(1, photo.MessageID, "AgACAgUAAxkBAAI999999"), nil, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"1025-character caption", editMedia(1, photo.MessageID, fileID, "caption", strings.Repeat("😀", 512)+"a"), nil,
			"Bad Request: message caption is too long"},
		{"not modified", withMarkup(editMedia(1, photo.MessageID, fileID, "caption", "旧")), nil,
			"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
		{"1024-unit caption", withMarkup(editMedia(1, photo.MessageID, fileID, "caption", strings.Repeat("😀", 512))), nil, ""},
		{"a text message becomes a photo", editMedia(1, text.MessageID, "attach://pic", "caption", "配图"), attached, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := callMultipart(t, s, "editMessageMedia", tc.fields, tc.files...)
			if tc.desc != "" {
				code := badRequest
				if strings.HasPrefix(tc.desc, "Forbidden") {
					code = forbidden
				}
				wantRefusal(t, a, code, tc.desc)
				return
			}
			var m botapi.Message
			wantOK(t, a, &m)
			if len(m.Photo) != 1 || m.Text != "" {
				t.Errorf("edited message = %+v", m)
			}
		})
	}
	if m := s.Messages(1)[0]; m.Photo[0].FileID != fileID || m.Caption != strings.Repeat("😀", 512) {
		t.Errorf("the photo after the refused edits: %+v, caption %q", m.Photo, m.Caption)
	}
}
