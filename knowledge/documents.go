package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Actor is who imports or removes a document or answers a gap, with the
// scope they act in. The bot builds it from the member's access; the command
// line acts as Operator. The zero Actor may act on nothing.
type Actor struct {
	UserID int64
	// CityWide is an admin, a city coordinator (one without a district) or
	// the operator: they act on every district and on city-wide documents.
	CityWide bool
	// District is a district coordinator's district, when not CityWide.
	District string
	// ResolveDistrict names a known district from a name or alias; the
	// district in a document's front matter must be one. nil takes the name
	// as written.
	ResolveDistrict func(nameOrAlias string) (string, bool)
}

// Operator is the command line: city-wide, with no user.
var Operator = Actor{CityWide: true}

// Covers reports whether the actor acts on district ("" is city-wide: only
// a city-wide actor covers it).
func (a Actor) Covers(district string) bool {
	return a.CityWide || a.District != "" && a.District == district
}

// MayRemove reports whether the actor may remove the listed document: an
// imported one of a district they cover.
func (a Actor) MayRemove(d DocInfo) bool {
	return d.Origin == OriginImport && a.Covers(d.District)
}

// documentDistrict is the district a document the actor imports belongs to,
// given the district its front matter names (may be ""). A district
// coordinator imports into their own district only; a city-wide actor into
// any known district, or city-wide.
func (a Actor) documentDistrict(named string) (string, error) {
	if named != "" && a.ResolveDistrict != nil {
		name, ok := a.ResolveDistrict(named)
		if !ok {
			return "", fmt.Errorf("district %q: %w", named, ErrUnknownDistrict)
		}
		named = name
	}
	switch {
	case a.CityWide:
		return named, nil
	case a.District == "":
		return "", ErrOutOfScope
	case named == "" || named == a.District:
		return a.District, nil
	}
	return "", fmt.Errorf("district %q: %w", named, ErrOutOfScope)
}

// ImportResult reports one imported document.
type ImportResult struct {
	DocID    string
	Title    string
	Source   string
	District string // the district it belongs to; "" city-wide
	Sections int    // passages stored
	Replaced bool
	// Encoding is the text encoding the file was read in (.md and .txt),
	// and InvalidLines the lines with bytes that were not characters
	// (replaced with U+FFFD), to report to whoever imported it.
	Encoding     string
	InvalidLines []int
}

// ImportMeta is what an importer says of a file besides its bytes: the
// source (the issuing document or body) and the district, for a file that
// cannot say them itself (.txt, .docx). A .md file's front matter wins over
// both. District "" leaves the document city-wide (or, for a district
// coordinator, their district's).
type ImportMeta struct {
	Source   string
	District string
}

// MaxSourceRunes bounds ImportMeta.Source.
const MaxSourceRunes = 200

// ErrSourceTooLong is an ImportMeta.Source over MaxSourceRunes.
var ErrSourceTooLong = errors.New("source too long")

// ImportFile is ImportFileWith with no ImportMeta.
func ImportFile(ctx context.Context, st Store, fileName string, data []byte, by Actor, now time.Time) (ImportResult, error) {
	return ImportFileWith(ctx, st, fileName, data, ImportMeta{}, by, now)
}

// ImportFileWith parses a .md, .txt or .docx file and stores it as an
// imported document of the actor's scope, in one transaction. A district
// coordinator's document belongs to their district (its front matter or
// meta may name no other: ErrOutOfScope); a city-wide actor's to the
// district its front matter or meta names (a known one: ErrUnknownDistrict),
// or to the city.
// It replaces an imported document with the same id of the same scope only;
// one of another scope is left alone (ErrOutOfScope), and ids made from the
// file name include the district, so two districts' files of one name are two
// documents. A document whose Fingerprint another document (of any id,
// origin or district) already has is refused with a *DuplicateError
// (ErrDuplicate): the same file name with changed text is an update, the
// same text under another name is a duplicate.
//
// It writes the store only: a process that does not hold the index (the
// command line while the bot runs) uses it, and a running Base picks the
// document up before its next search.
func ImportFileWith(ctx context.Context, st Store, fileName string, data []byte, meta ImportMeta, by Actor, now time.Time) (ImportResult, error) {
	doc, err := prepareImport(ctx, st, fileName, data, meta, by, now)
	if err != nil {
		return ImportResult{}, err
	}
	replaced, err := st.PutDocument(ctx, doc)
	if err != nil {
		if errors.Is(err, ErrDuplicate) {
			return ImportResult{}, fmt.Errorf("%s: %w", fileName, err)
		}
		return ImportResult{}, fmt.Errorf("store %s: %w", fileName, err)
	}
	return resultOf(doc, replaced), nil
}

// CheckImport does what ImportFileWith does except storing: it parses the
// file, applies meta and the actor's scope, and looks for a document with
// the same text. It returns the same errors, and the result the import
// would have now (Replaced: a document of that id exists). The bot checks a
// file before asking about it, and imports it once the questions are
// answered (which checks again).
func CheckImport(ctx context.Context, st Store, fileName string, data []byte, meta ImportMeta, by Actor) (ImportResult, error) {
	doc, err := prepareImport(ctx, st, fileName, data, meta, by, time.Time{})
	if err != nil {
		return ImportResult{}, err
	}
	dup, err := st.DuplicateOf(ctx, Fingerprint(doc), doc.ID)
	switch {
	case err == nil:
		return ImportResult{}, fmt.Errorf("%s: %w", fileName, &DuplicateError{DocID: dup.ID, Title: dup.Title})
	case !notFound(err):
		return ImportResult{}, fmt.Errorf("check %s: %w", fileName, err)
	}
	old, err := st.Document(ctx, doc.ID)
	switch {
	case err == nil && (old.Origin != OriginImport):
		return ImportResult{}, fmt.Errorf("%s: %w", fileName, ErrContentDocument)
	case err == nil && old.District != doc.District:
		return ImportResult{}, fmt.Errorf("%s: held by %q: %w", fileName, old.District, ErrOutOfScope)
	case err != nil && !notFound(err):
		return ImportResult{}, fmt.Errorf("check %s: %w", fileName, err)
	}
	return resultOf(doc, err == nil), nil
}

// prepareImport parses a file into the document an import would store.
func prepareImport(ctx context.Context, st Store, fileName string, data []byte, meta ImportMeta, by Actor, now time.Time) (Document, error) {
	source := strings.TrimSpace(meta.Source)
	if utf8.RuneCountInString(source) > MaxSourceRunes {
		return Document{}, fmt.Errorf("%s: %w (%d characters, limit %d)", fileName, ErrSourceTooLong, utf8.RuneCountInString(source), MaxSourceRunes)
	}
	doc, err := ParseFile(ctx, fileName, data)
	if err != nil {
		return Document{}, err
	}
	named := doc.District
	if named == "" {
		named = strings.TrimSpace(meta.District)
	}
	district, err := by.documentDistrict(named)
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", fileName, err)
	}
	stem := strings.TrimSuffix(doc.FileName, path.Ext(doc.FileName))
	if district != "" && doc.ID == DocIDFromFileName(stem) {
		if doc.ID, err = districtDocID(ctx, st, district, stem); err != nil {
			return Document{}, fmt.Errorf("%s: %w", fileName, err)
		}
	}
	if doc.Source == "" {
		doc.Source = source
	}
	doc.District = district
	doc.Origin = OriginImport
	doc.ImportedBy = by.UserID
	doc.ImportedAt = now
	return doc, nil
}

func resultOf(doc Document, replaced bool) ImportResult {
	return ImportResult{DocID: doc.ID, Title: doc.Title, Source: doc.Source, District: doc.District, Sections: len(doc.Passages),
		Replaced: replaced, Encoding: doc.Encoding, InvalidLines: doc.InvalidLines}
}

// districtDocID is the id of a district's document named by its file: the
// scoped id, or the id made from the name alone when a document of the
// district was stored under it before ids were scoped.
func districtDocID(ctx context.Context, st Store, district, stem string) (string, error) {
	id := ScopedDocID(district, stem)
	if _, err := st.Document(ctx, id); !notFound(err) {
		return id, err
	}
	old, err := st.Document(ctx, DocIDFromFileName(stem))
	switch {
	case notFound(err):
		return id, nil
	case err != nil:
		return "", err
	case old.Origin == OriginImport && old.District == district:
		return old.ID, nil
	}
	return id, nil
}

// RemoveDocument deletes an imported document from the store only (see
// ImportFile): ErrContentDocument for built-in content, ErrOutOfScope when
// the document is city-wide or another district's and the actor does not
// cover it, ErrNotFound when there is none.
func RemoveDocument(ctx context.Context, st Store, id string, by Actor) error {
	d, err := st.Document(ctx, id)
	if err != nil {
		return fmt.Errorf("remove document %s: %w", id, err)
	}
	switch {
	case d.Origin != OriginImport:
		return fmt.Errorf("remove document %s: %w", id, ErrContentDocument)
	case !by.Covers(d.District):
		return fmt.Errorf("remove document %s of %q: %w", id, d.District, ErrOutOfScope)
	}
	if err := st.DeleteDocument(ctx, id, d.District); err != nil {
		return fmt.Errorf("remove document %s: %w", id, err)
	}
	return nil
}

// Import is ImportWith with no ImportMeta.
func (b *Base) Import(ctx context.Context, fileName string, data []byte, by Actor) (ImportResult, error) {
	return b.ImportWith(ctx, fileName, data, ImportMeta{}, by)
}

// ImportWith parses a .md, .txt or .docx file and stores it as an imported
// document of the actor's scope (see ImportFileWith), then updates the
// index. On any error nothing is stored.
func (b *Base) ImportWith(ctx context.Context, fileName string, data []byte, meta ImportMeta, by Actor) (ImportResult, error) {
	res, err := ImportFileWith(ctx, b.st, fileName, data, meta, by, b.Now())
	if err != nil {
		return res, err
	}
	b.syncAfterWrite(ctx)
	return res, nil
}

// CheckImport checks a file as ImportWith would import it, storing nothing
// (see CheckImport).
func (b *Base) CheckImport(ctx context.Context, fileName string, data []byte, meta ImportMeta, by Actor) (ImportResult, error) {
	return CheckImport(ctx, b.st, fileName, data, meta, by)
}

// Remove deletes an imported document the actor covers (see
// RemoveDocument), then updates the index.
func (b *Base) Remove(ctx context.Context, id string, by Actor) error {
	if err := RemoveDocument(ctx, b.st, id, by); err != nil {
		return err
	}
	b.syncAfterWrite(ctx)
	return nil
}

var slugDrop = regexp.MustCompile(`[^a-z0-9_-]+`)

// DocIDFromFileName makes a stable id, safe for callback data and the
// command line, from a file name without extension: the ASCII slug when the
// name is ASCII, else "doc-" and a short hash of the name. It is the id of
// content and city-wide documents; see ScopedDocID.
func DocIDFromFileName(stem string) string {
	ascii := true
	for _, r := range stem {
		ascii = ascii && r < utf8.RuneSelf
	}
	if ascii {
		s := slugDrop.ReplaceAllString(strings.ToLower(strings.ReplaceAll(stem, " ", "-")), "-")
		s = strings.Trim(s, "-_")
		if len(s) > 48 {
			s = strings.Trim(s[:48], "-_")
		}
		if s != "" && validID(s) {
			return s
		}
	}
	sum := sha256.Sum256([]byte(stem))
	return "doc-" + hex.EncodeToString(sum[:4])
}

// ScopedDocID is the id of an imported document of district ("" for
// city-wide) named by its file name without extension. A district's id is
// "doc-" and 10 hex digits of a hash of the district and the name: 14 bytes,
// a length the city-wide "doc-" ids (12) never have, so the ids of two
// scopes do not collide.
func ScopedDocID(district, stem string) string {
	if district == "" {
		return DocIDFromFileName(stem)
	}
	sum := sha256.Sum256([]byte(district + "\x00" + stem))
	return "doc-" + hex.EncodeToString(sum[:5])
}
