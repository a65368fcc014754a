package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// ErrDuplicate is a document whose text the knowledge base already holds
// under another id; the error is a *DuplicateError naming that document.
var ErrDuplicate = errors.New("document already in the knowledge base")

// DuplicateError names the document that already holds an imported
// document's text.
type DuplicateError struct {
	DocID string
	Title string
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("duplicate of %s «%s»", e.DocID, e.Title)
}

// Is makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// Fingerprint is a document's content fingerprint: the hex SHA-256 of its
// passages' text, in order, with every white-space character (line ends,
// spaces, U+3000, BOMs and zero-width spaces) removed and full-width
// letters, digits and punctuation folded to their half-width forms. The
// title and the section headings are left out: the same body sent without
// its title line (whose first heading then becomes the title) or with
// other headings holds the same words. So the same text saved as .txt,
// .docx or .md, with other line breaks, indentation or encodings, has one
// fingerprint, and where the split into passages falls does not change it.
func Fingerprint(d Document) string {
	h := sha256.New()
	write := func(s string) {
		s = width.Fold.String(s)
		s = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b' {
				return -1
			}
			return r
		}, s)
		h.Write([]byte(s))
	}
	for _, p := range d.Passages {
		write(p.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}
