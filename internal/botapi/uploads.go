package botapi

// SendDocumentStated is SendDocumentCaption with a file whose stated size —
// the file_size of the message and of getFile — is stated rather than its
// true size, as a client or a server may get it wrong. The download serves
// the true bytes, so a bot that trusts the stated size reads more than it
// meant to.
func (s *Server) SendDocumentStated(from User, chat Chat, fileName string, data []byte, stated int64, caption string) Message {
	s.mu.Lock()
	doc := s.storeFileLocked(fileName, "", data)
	doc.FileSize = stated
	s.files.byID[doc.FileID].doc.FileSize = stated
	s.mu.Unlock()
	return s.deliver(from, chat, Message{Document: &doc, Caption: caption})
}
