package botapi

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
)

// storedFile is a file someone uploaded: a user through SendDocument, or the bot.
type storedFile struct {
	doc  Document
	path string
	data []byte
}

type fileStore struct {
	lastID int
	byID   map[string]*storedFile
	byPath map[string]*storedFile
}

func newFileStore() fileStore {
	return fileStore{byID: map[string]*storedFile{}, byPath: map[string]*storedFile{}}
}

// storeFileLocked keeps data and returns the Document that describes it. The MIME type is
// guessed from the name when the uploader gave none (or only application/octet-stream).
func (s *Server) storeFileLocked(name, mimeType string, data []byte) Document {
	if mimeType == "" || mimeType == "application/octet-stream" {
		mimeType = mime.TypeByExtension(path.Ext(name))
	}
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	fs := &s.files
	fs.lastID++
	f := &storedFile{
		doc: Document{
			FileID:       fmt.Sprintf("BQACAgUAAxkBAAI%06d", fs.lastID),
			FileUniqueID: fmt.Sprintf("AgAD%06d", fs.lastID),
			FileName:     name,
			MimeType:     mimeType,
			FileSize:     int64(len(data)),
		},
		path: fmt.Sprintf("documents/file_%d%s", fs.lastID, path.Ext(name)),
		data: data,
	}
	fs.byID[f.doc.FileID] = f
	fs.byPath[f.path] = f
	return f.doc
}

// sendDocument accepts a document uploaded as a multipart file part, or the file_id of a
// file the server already has; URLs are not fetched.
func (s *Server) sendDocument(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	caption, apiErr := formatText(p.Get("caption"), p.Get("parse_mode"), p.Get("caption_entities"))
	if apiErr != nil {
		return nil, apiErr
	}
	if utf16Len(caption.text) > maxCaptionLen {
		return nil, errCaptionTooLong
	}
	m := Message{Caption: caption.text, CaptionEntities: caption.entities}
	if apiErr := s.decorateLocked(st, p, &m); apiErr != nil {
		return nil, apiErr
	}
	up, uploaded := p.uploads["document"]
	var doc Document
	switch id := p.Get("document"); {
	case uploaded:
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
	case id == "":
		return nil, badRequest("there is no document in the request")
	case s.files.byID[id] == nil:
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	default:
		doc = s.files.byID[id].doc
	}
	if apiErr := s.limitLocked(st.chat); apiErr != nil {
		return nil, apiErr
	}
	if uploaded {
		doc = s.storeFileLocked(up.name, up.contentType, up.data)
	}
	m.Document = &doc
	return s.postLocked(st, "sendDocument", m), nil
}

// getFile prepares a file for download, refusing files over 20 MB as Telegram does.
func (s *Server) getFile(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files.byID[p.Get("file_id")]
	switch {
	case f == nil:
		return nil, badRequest("invalid file_id")
	case f.doc.FileSize > maxDownloadFileSize:
		return nil, badRequest("file is too big")
	}
	return File{FileID: f.doc.FileID, FileUniqueID: f.doc.FileUniqueID, FileSize: f.doc.FileSize, FilePath: f.path}, nil
}

// serveFile answers GET /file/bot{token}/{file_path}; rest is what follows "/file/bot".
func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, filePath, ok := strings.Cut(rest, "/")
	if !ok {
		writeError(w, errNotFound)
		return
	}
	if token != s.token {
		writeError(w, errUnauthorized)
		return
	}
	s.mu.Lock()
	f := s.files.byPath[filePath]
	s.mu.Unlock()
	if f == nil {
		writeError(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(f.data) // a client that went away needs no answer
}

// Document returns the name and bytes of the document attached to a message in a chat,
// whether the bot or a user sent it.
func (s *Server) Document(chatID int64, messageID int) (name string, data []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chats[chatID]
	if st == nil {
		return "", nil, false
	}
	m, found := st.messages[messageID]
	if !found || m.Document == nil {
		return "", nil, false
	}
	f := s.files.byID[m.Document.FileID]
	return f.doc.FileName, f.data, true
}
