// Package knowledge is dangwu's knowledge base: policy documents split into
// passages, FAQ entries, the Bleve index that searches them, the handling of
// Chinese questions (normalization, question words, synonyms), confidence,
// snippets, and the loop that closes gaps: questions nobody could answer are
// queued, grouped, answered by a coordinator and turned into FAQ entries.
//
// SQLite (through the Store interface) is the source of truth; the Bleve index
// is a cache rebuilt from it when missing, corrupt, built by another mapping
// version or stale. It knows nothing of Telegram.
package knowledge

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Domain errors. The bot turns them into Chinese.
var (
	ErrNotFound          = errors.New("not found")
	ErrUnsupportedFormat = errors.New("unsupported file format")
	ErrEmptyDocument     = errors.New("document has no text")
	ErrFileTooLarge      = errors.New("file too large")
	ErrNotDocx           = errors.New("not a docx file")
	ErrContentDocument   = errors.New("document belongs to the built-in content")
	ErrEmptyAnswer       = errors.New("empty answer")
	ErrGapClosed         = errors.New("questions already answered")
	ErrOutOfScope        = errors.New("outside the actor's district")
	ErrUnknownDistrict   = errors.New("unknown district")
	ErrNoIndex           = errors.New("knowledge base opened without an index")
	// ErrContentTooLarge is a file within MaxFileSize whose content is
	// over a limit once read: a .docx that unpacks to too much XML or
	// text, a paragraph or table row too long, too many sections. It is
	// an ErrFileTooLarge.
	ErrContentTooLarge = fmt.Errorf("%w: too much content", ErrFileTooLarge)
)

// MaxFileSize is the largest file Import accepts (Telegram's getFile limit).
const MaxFileSize = 20 << 20

// Origins of documents and FAQ entries.
const (
	OriginContent = "content" // the embedded or --content folder
	OriginImport  = "import"  // a file sent by a coordinator or `dangwu import`
	OriginGap     = "gap"     // an FAQ entry born from an answered question
)

// Result kinds.
const (
	KindPassage = "passage"
	KindFAQ     = "faq"
)

// Document is one knowledge document, split into passages.
type Document struct {
	ID         string
	Title      string
	Source     string // the issuing document or body
	Date       string
	District   string // non-empty when the rule is local
	Tags       []string
	Origin     string
	FileName   string // the file it came from
	Hash       string // content hash, to skip unchanged files
	ImportedBy int64
	ImportedAt time.Time
	Passages   []Passage
	// Of an imported .md or .txt file, from ParseFile: the text encoding
	// chosen ("UTF-8", "UTF-8 (BOM)", "UTF-16LE", "UTF-16BE", "GB18030")
	// and the lines with bytes that could not be decoded (each replaced by
	// U+FFFD). Not stored.
	Encoding     string
	InvalidLines []int
}

// Passage is one heading section of a document.
type Passage struct {
	ID      int64 // stable while the document is not replaced
	DocID   string
	Seq     int // order in the document, from 0
	Section string
	Text    string
	// Of its document, filled when read back:
	Title, Source, Date, District string
}

// FAQ is a question with its alternative phrasings and an answer.
type FAQ struct {
	ID           string
	Question     string
	Alternatives []string
	Answer       string
	Source       string
	DocID        string // the document and section it answers from, if any
	Section      string
	District     string
	Origin       string
	Hash         string
	CreatedBy    int64
	CreatedAt    time.Time
	Line         int // where the entry starts in its content file, for problems
}

// DocInfo is a line of the document list.
type DocInfo struct {
	ID         string
	Title      string
	Origin     string
	Sections   int
	Source     string
	Date       string
	District   string
	FileName   string
	ImportedBy int64
	ImportedAt time.Time
}

// Generation identifies a state of the knowledge in the store: N grows on
// every change; Instance changes when the database itself is a different one.
type Generation struct {
	Instance string
	N        int64
}

// Ref names a removed document or FAQ entry.
type Ref struct {
	Kind string // KindPassage for a document, KindFAQ for an FAQ entry
	ID   string
}

// Changes is what changed in the store after a generation.
type Changes struct {
	Generation Generation
	Documents  []Document // added or replaced, with their passages
	FAQs       []FAQ      // added or replaced
	Removed    []Ref
}

// ContentSync is one content synchronisation, applied in one transaction.
type ContentSync struct {
	PutDocuments    []Document
	DeleteDocuments []string
	PutFAQs         []FAQ
	DeleteFAQs      []string
	Synonyms        *Synonyms // nil: unchanged
}

// ContentState is what the store holds of the content origin: hash by id.
type ContentState struct {
	Documents    map[string]string
	FAQs         map[string]string
	SynonymsHash string
	// ids held by other origins (imported documents, gap FAQ entries),
	// which the content may not take
	OtherDocuments map[string]bool
	OtherFAQs      map[string]bool
}

// Question is a logged question with the results that were shown for it.
type Question struct {
	ID         int64
	UpdateID   int64 // the Telegram update it came in, 0 if none
	UserID     int64
	ChatID     int64
	District   string
	Text       string
	AskedAt    time.Time
	Confident  bool
	Confidence float64 // of the top result
	Open       bool    // in the unanswered queue
	ClosedAt   time.Time
	FAQID      string // the FAQ entry that closed it
	// Resolution is how it left the queue (ResolutionAnswered, ResolutionMerged,
	// ResolutionDismissed), "" while it has not; ClosedBy is who closed it.
	Resolution string
	ClosedBy   int64
	Shown      []Shown
}

// Shown is one result shown for a question.
type Shown struct {
	Rank       int
	Kind       string
	DocID      string
	PassageID  int64
	FAQID      string
	Title      string
	Section    string
	Confidence float64
}

// Vote is one person's feedback on one answer.
type Vote struct {
	QuestionID int64
	UserID     int64
	Rank       int
	Helpful    bool
	Comment    string
	At         time.Time
}

// Asker is someone whose question an answered gap closed.
type Asker struct {
	QuestionID int64
	UserID     int64
	ChatID     int64
	Text       string
}

// Store is what the knowledge base needs from storage. store.KnowledgeStore
// implements it with SQLite. Every write bumps the generation in the same
// transaction and stamps the rows it touches with it.
type Store interface {
	Generation(ctx context.Context) (Generation, error)
	// Changes returns what changed after generation since (0: everything).
	Changes(ctx context.Context, since int64) (Changes, error)

	ContentState(ctx context.Context) (ContentState, error)
	SyncContent(ctx context.Context, s ContentSync) error
	Synonyms(ctx context.Context) (Synonyms, error)

	// PutDocument inserts or replaces a document with its passages; it
	// reports whether one with the same id was replaced. It refuses to
	// replace a document of another origin with ErrContentDocument, and one
	// of another district (d.District; "" is city-wide) with ErrOutOfScope.
	// It stores the document's Fingerprint, and refuses an imported
	// document whose fingerprint a document of another id has with a
	// *DuplicateError naming that document, in the same transaction.
	PutDocument(ctx context.Context, d Document) (replaced bool, err error)
	// DuplicateOf returns the document, other than exceptID, whose text has
	// the fingerprint (see Fingerprint); ErrNotFound when there is none.
	DuplicateOf(ctx context.Context, fingerprint, exceptID string) (DocInfo, error)
	// DeleteDocument removes a document of origin import and of district
	// ("" city-wide): ErrContentDocument for content, ErrOutOfScope for a
	// document of another district, ErrNotFound when missing.
	DeleteDocument(ctx context.Context, id, district string) error
	Documents(ctx context.Context) ([]DocInfo, error)
	Document(ctx context.Context, id string) (Document, error)
	Passage(ctx context.Context, id int64) (Passage, error)
	FAQ(ctx context.Context, id string) (FAQ, error)
	// Passages and FAQsByID return those of ids that exist, in any order.
	Passages(ctx context.Context, ids []int64) ([]Passage, error)
	FAQsByID(ctx context.Context, ids []string) ([]FAQ, error)

	AddQuestion(ctx context.Context, q Question) (int64, error)
	Question(ctx context.Context, id int64) (Question, error)
	// Vote stores (or replaces) a user's vote and updates whether the
	// question is in the unanswered queue.
	Vote(ctx context.Context, v Vote) error
	// OpenQuestions lists the unanswered queue, newest first, at most limit.
	OpenQuestions(ctx context.Context, district string, limit int) ([]Question, error)
	// CloseQuestions stores the FAQ entry and closes the open questions among
	// ids with it, in one transaction; it returns their askers.
	// then, if not nil, runs inside that transaction with its context.
	CloseQuestions(ctx context.Context, ids []int64, f FAQ, then func(ctx context.Context, askers []Asker) error) ([]Asker, error)
	// The rest of the gap loop (see gaps.go and faqs.go).
	GapStore
}
