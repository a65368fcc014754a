package botapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig reads GIF
	_ "image/jpeg"
	_ "image/png"
	"slices"
	"strings"
)

// Telegram's limits for a photo (sendPhoto): at most 10 MB, width and height at most 10,000
// together, and a ratio of the longer side to the shorter of at most 20.
const (
	maxPhotoBytes   = 10 << 20
	maxPhotoSideSum = 10000
	maxPhotoRatio   = 20
)

var (
	errNoPhoto         = badRequest("there is no photo in the request")
	errFileEmpty       = badRequest("file must be non-empty")
	errImageProcess    = badRequest("IMAGE_PROCESS_FAILED")
	errPhotoDimensions = badRequest("PHOTO_INVALID_DIMENSIONS")
	errWrongFileID     = badRequest("wrong file identifier/HTTP URL specified")
	errDocumentAsPhoto = badRequest("can't use file of type Document as Photo")
	errMediaNotFound   = badRequest("can't parse InputMedia: media not found")
	errCantEdit        = badRequest("message can't be edited")
)

// photoFormats are the image formats a photo may have, by image.DecodeConfig's names, with
// their MIME types and file extensions.
var photoFormats = map[string]struct{ mimeType, ext string }{
	"png":  {"image/png", ".png"},
	"jpeg": {"image/jpeg", ".jpg"},
	"gif":  {"image/gif", ".gif"},
	"webp": {"image/webp", ".webp"},
}

// photoInput is the photo of a request, checked: a new upload not yet stored, or a photo
// the server already has.
type photoInput struct {
	upload *upload
	format string    // the upload's image format
	size   PhotoSize // the stored photo; for an upload only Width and Height
}

// sendPhoto sends a photo uploaded as a multipart file part (named photo, or by an
// attach://name value), or the file_id of a photo the server issued; URLs are not fetched.
func (s *Server) sendPhoto(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	caption, apiErr := captionText(p.Get("caption"), p.Get("parse_mode"), p.Get("caption_entities"))
	if apiErr != nil {
		return nil, apiErr
	}
	m := Message{Caption: caption.text, CaptionEntities: caption.entities}
	if apiErr := s.decorateLocked(st, p, &m); apiErr != nil {
		return nil, apiErr
	}
	up, fileID := inputFile(p, "photo", p.Get("photo"))
	if up == nil && fileID == "" {
		return nil, errNoPhoto
	}
	in, apiErr := s.checkPhotoLocked(up, fileID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.limitLocked(st.chat); apiErr != nil {
		return nil, apiErr
	}
	m.Photo = []PhotoSize{s.keepPhotoLocked(in)}
	return s.postLocked(st, "sendPhoto", m), nil
}

// inputMedia is the InputMedia of editMessageMedia, read as the Bot API server reads it.
type inputMedia struct {
	caption formatted
	upload  *upload // the attached file, or nil for a file_id
	fileID  string
}

// editMessageMedia replaces the media of one of the bot's messages — a photo, a document or
// a text message — with a photo, caption included: the new caption replaces the old one, and
// no caption removes it. Its reply_markup replaces the inline keyboard; without one the
// keyboard goes, as in editMessageText. Only InputMediaPhoto is simulated.
func (s *Server) editMessageMedia(_ context.Context, p Params) (any, *APIError) {
	media, apiErr := parseInputMedia(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	m, apiErr := s.botMessageLocked(st, p)
	if apiErr != nil {
		return nil, apiErr
	}
	if m.Photo == nil && m.Document == nil && m.Text == "" {
		return nil, errCantEdit // a poll or a contact
	}
	mk, apiErr := parseMarkup(p.Get("reply_markup"), true)
	if apiErr != nil {
		return nil, apiErr
	}
	in, apiErr := s.checkPhotoLocked(media.upload, media.fileID)
	if apiErr != nil {
		return nil, apiErr
	}
	if utf16Len(media.caption.text) > maxCaptionLen {
		return nil, errCaptionTooLong
	}
	samePhoto := in.upload == nil && len(m.Photo) > 0 && m.Photo[len(m.Photo)-1].FileID == in.size.FileID
	if samePhoto && media.caption.text == m.Caption && slices.Equal(media.caption.entities, m.CaptionEntities) &&
		sameInlineKeyboard(mk.inline, m.ReplyMarkup) {
		return nil, errNotModified
	}
	m.Photo = []PhotoSize{s.keepPhotoLocked(in)}
	m.Caption, m.CaptionEntities = media.caption.text, media.caption.entities
	m.Document, m.Text, m.Entities, m.LinkPreviewOptions = nil, "", nil, nil
	m.ReplyMarkup = mk.inline
	return s.replaceLocked(st, "editMessageMedia", m), nil
}

// parseInputMedia reads the media field of editMessageMedia and finds its file, in the Bot
// API server's order: the caption's markup, the type, the media, then whether the type can
// be edited to; each failure reads "can't parse InputMedia: …". The caption's length and the
// file itself are checked later, after the message, as Telegram does.
func parseInputMedia(p Params) (inputMedia, *APIError) {
	raw := p.Get("media")
	if raw == "" {
		return inputMedia{}, badRequest(`parameter "media" is required`)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return inputMedia{}, badRequest("can't parse input media JSON object")
	}
	str := func(name string) (string, *APIError) {
		var v string
		if f, ok := fields[name]; ok && string(f) != "null" && json.Unmarshal(f, &v) != nil {
			return "", badRequest(`can't parse InputMedia: field "%s" must be of type String`, name)
		}
		return v, nil
	}
	var media inputMedia
	caption, apiErr := str("caption")
	if apiErr != nil {
		return inputMedia{}, apiErr
	}
	parseMode, apiErr := str("parse_mode")
	if apiErr != nil {
		return inputMedia{}, apiErr
	}
	var entities string
	if f := fields["caption_entities"]; f != nil && string(f) != "null" {
		entities = string(f)
	}
	if media.caption, apiErr = formatText(caption, parseMode, entities); apiErr != nil {
		return inputMedia{}, badRequest("can't parse InputMedia: %s", strings.TrimPrefix(apiErr.Description, "Bad Request: "))
	}
	if _, ok := fields["type"]; !ok {
		return inputMedia{}, badRequest(`can't parse InputMedia: Can't find field "type"`)
	}
	typ, apiErr := str("type")
	if apiErr != nil {
		return inputMedia{}, apiErr
	}
	ref, apiErr := str("media")
	if apiErr != nil {
		return inputMedia{}, apiErr
	}
	if media.upload, media.fileID = inputFile(p, "", ref); media.upload == nil && media.fileID == "" {
		return inputMedia{}, errMediaNotFound
	}
	switch typ {
	case "photo":
		return media, nil
	case "animation", "audio", "document", "video":
		// The server's own wording: Telegram accepts these types, this server does not simulate them.
		return inputMedia{}, badRequest(`can't parse InputMedia: type "%s" is not simulated`, typ)
	}
	return inputMedia{}, badRequest(`can't parse InputMedia: type "%s" is unsupported`, typ)
}

// captionText formats a caption and checks its length.
func captionText(text, parseMode, entitiesJSON string) (formatted, *APIError) {
	f, apiErr := formatText(text, parseMode, entitiesJSON)
	if apiErr != nil {
		return formatted{}, apiErr
	}
	if utf16Len(f.text) > maxCaptionLen {
		return formatted{}, errCaptionTooLong
	}
	return f, nil
}

// inputFile finds the file a request gives: the multipart part named field (when field is
// not empty), the part an "attach://name" value names, or else value as a file_id. It
// returns nil and "" when there is none, an attach:// naming a missing part included.
func inputFile(p Params, field, value string) (up *upload, fileID string) {
	if u, ok := p.uploads[field]; ok && field != "" {
		return &u, ""
	}
	if name, ok := strings.CutPrefix(value, "attach://"); ok {
		if u, ok := p.uploads[name]; ok {
			return &u, ""
		}
		return nil, ""
	}
	return nil, value
}

// checkPhotoLocked checks an upload as a photo, without storing it, or resolves the file_id
// of a photo the server issued.
func (s *Server) checkPhotoLocked(up *upload, fileID string) (photoInput, *APIError) {
	if up == nil {
		if ps, ok := s.photos[fileID]; ok {
			return photoInput{size: ps}, nil
		}
		if s.files.byID[fileID] != nil {
			return photoInput{}, errDocumentAsPhoto
		}
		return photoInput{}, errWrongFileID
	}
	switch {
	case len(up.data) == 0:
		return photoInput{}, errFileEmpty
	case len(up.data) > maxPhotoBytes:
		// Telegram refuses the size before it reads the image.
		return photoInput{}, badRequest("file of size %d bytes is too big for a photo; the maximum size is %d bytes",
			len(up.data), maxPhotoBytes)
	}
	format, width, height, ok := imageConfig(up.data)
	if !ok {
		return photoInput{}, errImageProcess
	}
	if width+height > maxPhotoSideSum || max(width, height) > maxPhotoRatio*min(width, height) {
		return photoInput{}, errPhotoDimensions
	}
	return photoInput{upload: up, format: format, size: PhotoSize{Width: width, Height: height}}, nil
}

// keepPhotoLocked returns the photo of in, storing it first if it is an upload. The bytes
// are kept as they came: Telegram would re-encode them as JPEG and add smaller sizes.
func (s *Server) keepPhotoLocked(in photoInput) PhotoSize {
	if in.upload == nil {
		return in.size
	}
	f := photoFormats[in.format]
	fs := &s.files
	fs.lastID++
	stored := &storedFile{
		doc: Document{
			FileID:       fmt.Sprintf("AgACAgUAAxkBAAI%06d", fs.lastID),
			FileUniqueID: fmt.Sprintf("AQAD%06d", fs.lastID),
			MimeType:     f.mimeType,
			FileSize:     int64(len(in.upload.data)),
		},
		path: fmt.Sprintf("photos/file_%d%s", fs.lastID, f.ext),
		data: in.upload.data,
	}
	fs.byID[stored.doc.FileID] = stored
	fs.byPath[stored.path] = stored
	ps := in.size
	ps.FileID, ps.FileUniqueID, ps.FileSize = stored.doc.FileID, stored.doc.FileUniqueID, stored.doc.FileSize
	s.photos[ps.FileID] = ps
	return ps
}

// imageConfig reads an image's format and size from its header: PNG, JPEG and GIF with the
// standard library's decoders, WebP (which the standard library cannot decode) from its
// first chunk. ok is false for anything else.
func imageConfig(data []byte) (format string, width, height int, ok bool) {
	if w, h, ok := webpConfig(data); ok {
		return "webp", w, h, true
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if _, known := photoFormats[format]; err != nil || !known || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", 0, 0, false
	}
	return format, cfg.Width, cfg.Height, true
}

// webpConfig reads the canvas size of a WebP image from its RIFF header and first chunk:
// VP8 (lossy), VP8L (lossless) or VP8X (extended).
func webpConfig(data []byte) (width, height int, ok bool) {
	if len(data) < 20 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return 0, 0, false
	}
	chunk, payload := string(data[12:16]), data[20:]
	switch {
	case chunk == "VP8 " && len(payload) >= 10:
		// A key frame (bit 0 of the frame tag clear), the start code, then 14-bit sizes.
		if payload[0]&1 != 0 || !bytes.Equal(payload[3:6], []byte{0x9d, 0x01, 0x2a}) {
			return 0, 0, false
		}
		width = int(binary.LittleEndian.Uint16(payload[6:8]) & 0x3fff)
		height = int(binary.LittleEndian.Uint16(payload[8:10]) & 0x3fff)
	case chunk == "VP8L" && len(payload) >= 5:
		// The signature 0x2f, then 14 bits of width-1, 14 of height-1, alpha, version 0.
		bits := binary.LittleEndian.Uint32(payload[1:5])
		if payload[0] != 0x2f || bits>>29 != 0 {
			return 0, 0, false
		}
		width, height = int(bits&0x3fff)+1, int(bits>>14&0x3fff)+1
	case chunk == "VP8X" && len(payload) >= 10:
		// Flags and reserved bytes, then 24 bits of canvas width-1 and of height-1.
		uint24 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }
		width, height = uint24(payload[4:7])+1, uint24(payload[7:10])+1
	default:
		return 0, 0, false
	}
	return width, height, width > 0 && height > 0
}

// FileBytes returns the bytes of a file the server stores — a photo or a document the bot
// sent, or a document a simulated user sent — by its file_id. The slice is the server's:
// treat it as read-only.
func (s *Server) FileBytes(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files.byID[fileID]
	if f == nil {
		return nil, false
	}
	return f.data, true
}

// editMessageCaption replaces the caption (and keyboard) of one of the
// bot's photo or file messages. A message without media has no caption to
// edit, as Telegram says.
func (s *Server) editMessageCaption(_ context.Context, p Params) (any, *APIError) {
	caption, apiErr := formatText(p.Get("caption"), p.Get("parse_mode"), p.Get("caption_entities"))
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	m, apiErr := s.botMessageLocked(st, p)
	if apiErr != nil {
		return nil, apiErr
	}
	if m.Photo == nil && m.Document == nil {
		return nil, badRequest("there is no caption in the message to edit")
	}
	mk, apiErr := parseMarkup(p.Get("reply_markup"), true)
	if apiErr != nil {
		return nil, apiErr
	}
	if utf16Len(caption.text) > maxCaptionLen {
		return nil, errCaptionTooLong
	}
	if caption.text == m.Caption && slices.Equal(caption.entities, m.CaptionEntities) && sameInlineKeyboard(mk.inline, m.ReplyMarkup) {
		return nil, errNotModified
	}
	m.Caption, m.CaptionEntities, m.ReplyMarkup = caption.text, caption.entities, mk.inline
	return s.replaceLocked(st, "editMessageCaption", m), nil
}
