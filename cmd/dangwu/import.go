package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/store"
)

// cmdImport adds documents and rosters to the database: the bot's
// (dangwu.db), or with --console the console's (console.db), which keeps
// its own people apart from the real ones. It writes SQLite only, each file
// in one transaction, so it is safe while the bot or the console runs: it
// brings its index up to date before its next search.
func cmdImport(ctx context.Context, args []string, env Env) int {
	var meta knowledge.ImportMeta
	var partial, toConsole bool
	cfg, fs, err := loadConfig("import", args, env.Getenv, func(fs *flag.FlagSet) {
		fs.SetOutput(env.Stderr)
		fs.StringVar(&meta.Source, "source", "", "the `SOURCE` (issuing document or body) of the documents, where a .md file's front matter names none")
		fs.StringVar(&meta.District, "district", "", "the `DISTRICT` the documents belong to, where a .md file's front matter names none (default: city-wide)")
		fs.BoolVar(&partial, "partial", false, "import the good questions of a question bank that has bad rows (default: a bank with any bad row imports nothing)")
		fs.BoolVar(&toConsole, "console", false, "import into the console's database (console.db), to try the files in dangwu console (default: the bot's, dangwu.db)")
		fs.Usage = func() {
			fmt.Fprintln(fs.Output(), "usage: dangwu import [flags] FILE...")
			fmt.Fprintln(fs.Output(), "  .md .txt .docx: knowledge documents; .yaml: a question bank;")
			fmt.Fprintln(fs.Output(), "  .xlsx .csv: a question bank when it has the 题型 column (see dangwu template quiz), else a district roster")
			fmt.Fprintln(fs.Output(), "  a document whose text is already in the knowledge base under another name is a duplicate, not imported")
			fmt.Fprintln(fs.Output(), "  exits 1 if any file, or any roster row, could not be imported")
			fs.PrintDefaults()
		}
	})
	if err != nil {
		return configError(env, err)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.Stderr, "dangwu import: no files")
		fs.Usage()
		return 2
	}
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		fmt.Fprintf(env.Stderr, "dangwu import: data folder: %v\n", err)
		return 1
	}
	name, whose := "dangwu", "the bot's database"
	if toConsole {
		name, whose = "console", "the console's database"
	}
	lock, err := lockDatabase(cfg.Data, name)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu import: %v\n", err)
		return 1
	}
	defer lock.Close()
	dbPath := filepath.Join(cfg.Data, name+".db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		fmt.Fprintf(env.Stderr, "dangwu import: %v\n", err)
		return 1
	}
	defer db.Close()
	fmt.Fprintf(env.Stderr, "dangwu import: into %s (%s)\n", dbPath, whose)
	im := &importer{cfg: cfg, db: db, out: env.Stdout, meta: meta, partial: partial}
	if utf8.RuneCountInString(strings.TrimSpace(meta.Source)) > knowledge.MaxSourceRunes {
		fmt.Fprintf(env.Stderr, "dangwu import: --source is over %d characters\n", knowledge.MaxSourceRunes)
		return 2
	}
	if meta.District != "" {
		svc, err := im.memberService()
		if err != nil {
			fmt.Fprintf(env.Stderr, "dangwu import: --district: %v\n", err)
			return 1
		}
		name, ok := svc.Districts().Resolve(meta.District)
		if !ok {
			fmt.Fprintf(env.Stderr, "dangwu import: --district %q is not a district of the content (see districts.yaml)\n", meta.District)
			return 2
		}
		im.meta.District = name
	}
	failed := 0
	for _, file := range fs.Args() {
		if ctx.Err() != nil {
			fmt.Fprintf(env.Stderr, "dangwu import: %v\n", ctx.Err())
			return 1
		}
		if !im.importFile(ctx, file) {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "dangwu import: %d of %d files not wholly imported\n", failed, fs.NArg())
		return 1
	}
	return 0
}

// importer imports files into one database and reports each on out.
type importer struct {
	cfg  Config
	db   *store.DB
	out  io.Writer
	meta knowledge.ImportMeta // --source and --district
	// partial imports the good questions of a bank with bad rows.
	partial bool

	members    *member.Service // opened with the first roster
	membersErr error
}

// importFile imports one file and reports it; it returns whether all of
// the file was imported.
func (im *importer) importFile(ctx context.Context, file string) bool {
	ext := strings.ToLower(filepath.Ext(file))
	roster := ext == ".xlsx" || ext == ".csv"
	bank := ext == ".yaml" || ext == ".yml"
	if !roster && !bank && ext != ".md" && ext != ".markdown" && ext != ".txt" && ext != ".docx" {
		return im.fail(file, fmt.Sprintf("unsupported file type %q (use .md, .txt or .docx for documents, .yaml, .xlsx or .csv for a question bank, .xlsx or .csv for a roster)", ext))
	}
	info, err := os.Stat(file)
	switch {
	case err != nil:
		return im.fail(file, err.Error())
	case info.IsDir():
		return im.fail(file, "is a folder")
	case info.Size() > knowledge.MaxFileSize:
		return im.fail(file, fmt.Sprintf("over %d MB (%d bytes)", knowledge.MaxFileSize>>20, info.Size()))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return im.fail(file, err.Error())
	}
	overBank := false
	if bank || roster {
		bf, err := im.readBank(ctx, file, data)
		if bank || quiz.MeantAsBank(err) {
			return im.importBank(ctx, file, bf, err)
		}
		overBank = errors.Is(err, quiz.ErrBankTooLarge)
	}
	if roster {
		return im.importRoster(ctx, file, data, overBank)
	}
	return im.importDocument(ctx, file, data)
}

func (im *importer) fail(file, reason string) bool {
	fmt.Fprintf(im.out, "FAIL %s: %s\n", file, reason)
	return false
}

// importDocument imports a knowledge document as the operator: city-wide,
// or of the district its front matter names (one of the content's districts
// when they can be read).
func (im *importer) importDocument(ctx context.Context, file string, data []byte) bool {
	by := knowledge.Operator
	if svc, err := im.memberService(); err == nil {
		by.ResolveDistrict = svc.Districts().Resolve
	}
	res, err := knowledge.ImportFileWith(ctx, store.NewKnowledgeStore(im.db), filepath.Base(file), data, im.meta, by, time.Now())
	var dup *knowledge.DuplicateError
	if errors.As(err, &dup) {
		return im.fail(file, fmt.Sprintf("duplicate of %s «%s»: its text is already in the knowledge base; not imported", dup.DocID, dup.Title))
	}
	if err != nil {
		return im.fail(file, documentProblem(err))
	}
	replaced := ""
	if res.Replaced {
		replaced = " (replaced the earlier import)"
	}
	scope := ""
	if res.District != "" {
		scope = " of " + res.District
	}
	enc := ""
	if res.Encoding != "" {
		enc = ", read as " + res.Encoding
	}
	source := ""
	if res.Source != "" {
		source = ", source «" + res.Source + "»"
	}
	fmt.Fprintf(im.out, "ok  %s: document %s «%s»%s%s, %s%s%s\n", file, res.DocID, res.Title, scope, source, plural(res.Sections, "section"), enc, replaced)
	if len(res.InvalidLines) > 0 {
		fmt.Fprintf(im.out, "    warning: bytes that are not characters were replaced on %s %s\n", plural(len(res.InvalidLines), "line"), lineList(res.InvalidLines))
	}
	return true
}

// documentProblem says in words why a document was refused.
func documentProblem(err error) string {
	switch {
	case errors.Is(err, knowledge.ErrContentTooLarge):
		return fmt.Sprintf("too much content for one document, split it into smaller files (%v)", err)
	case errors.Is(err, knowledge.ErrFileTooLarge):
		return fmt.Sprintf("over %d MB", knowledge.MaxFileSize>>20)
	case errors.Is(err, knowledge.ErrUnsupportedFormat):
		return "unsupported file type (use .md, .txt or .docx)"
	case errors.Is(err, knowledge.ErrNotDocx):
		return "not a .docx file (not a Word document, or damaged)"
	case errors.Is(err, knowledge.ErrEmptyDocument):
		return "empty: the file has no text"
	case errors.Is(err, knowledge.ErrContentDocument):
		return "its document id belongs to the built-in content; rename the file or give it another id"
	case errors.Is(err, knowledge.ErrUnknownDistrict):
		return "the front matter names a district the content does not know (see districts.yaml): " + err.Error()
	case errors.Is(err, knowledge.ErrSourceTooLong):
		return fmt.Sprintf("the source is over %d characters", knowledge.MaxSourceRunes)
	case errors.Is(err, knowledge.ErrOutOfScope):
		return "its document id belongs to a document of another district or of the city; give it another id"
	}
	return err.Error()
}

// memberService opens the member service on the content's districts.
func (im *importer) memberService() (*member.Service, error) {
	if im.members == nil && im.membersErr == nil {
		fsys, err := content.Load(im.cfg.Content)
		if err == nil {
			var d member.Districts
			if d, err = member.LoadDistricts(fsys); err == nil {
				im.members = member.NewService(store.NewMemberStore(im.db), d, im.cfg.Admins)
			}
		}
		if err != nil {
			im.membersErr = fmt.Errorf("districts of the content in use: %w", err)
		}
	}
	return im.members, im.membersErr
}

// importRoster imports a roster; overBank says the file was too big to be
// read as a question bank, which a file that is no roster may have been.
func (im *importer) importRoster(ctx context.Context, file string, data []byte, overBank bool) bool {
	svc, err := im.memberService()
	if err != nil {
		return im.fail(file, err.Error())
	}
	rows, problems, err := member.ParseRoster(ctx, filepath.Base(file), data, svc.Districts())
	if err != nil {
		reason := rosterProblem(err)
		if overBank && errors.Is(err, member.ErrMissingColumn) {
			reason += fmt.Sprintf("; if it is a question bank: a bank holds at most %d MB and %d questions", quiz.MaxImportFile>>20, quiz.MaxImportRows)
		}
		return im.fail(file, reason)
	}
	if len(rows) == 0 {
		reason := "the roster has no rows"
		if len(problems) > 0 {
			reason = "no row could be imported"
		}
		im.fail(file, reason)
		im.rowProblems(problems)
		return false
	}
	// The running bot tells the people the roster approved: their notices
	// are queued in the transaction that approves them.
	ob := store.NewOutbox(im.db)
	rep, err := svc.ImportRosterAsOperator(ctx, rows, func(ctx context.Context, approved []member.Profile) error {
		return ob.Enqueue(ctx, bot.ApprovalNotices(approved))
	})
	if err != nil {
		return im.fail(file, fmt.Sprintf("%v (%d rows written before the failure; importing the file again completes it)",
			err, rep.Added+rep.Updated+rep.Skipped))
	}
	problems = append(problems, rep.Problems...)
	slices.SortStableFunc(problems, func(a, b member.RowProblem) int { return a.Line - b.Line })
	fmt.Fprintf(im.out, "ok  %s: roster, %d added, %d updated, %d skipped (unchanged)", file, rep.Added, rep.Updated, rep.Skipped)
	if len(rep.Approved) > 0 {
		fmt.Fprintf(im.out, ", %s approved", plural(len(rep.Approved), "pending registration"))
	}
	if left := leftOut(problems); left > 0 {
		fmt.Fprintf(im.out, "; %s left out", plural(left, "row"))
	}
	fmt.Fprintln(im.out)
	im.rowProblems(problems)
	return len(problems) == 0
}

// leftOut counts the rows with problems (a row can have several).
func leftOut(problems []member.RowProblem) int {
	lines := map[int]bool{}
	for _, p := range problems {
		lines[p.Line] = true
	}
	return len(lines)
}

func (im *importer) rowProblems(problems []member.RowProblem) {
	for _, p := range problems {
		fmt.Fprintf(im.out, "    line %d: %s %q: %s\n", p.Line, p.Field, p.Value, rowProblem(p))
	}
}

// rosterProblem says in words why a whole roster was refused.
func rosterProblem(err error) string {
	var ce *member.ColumnError
	switch {
	case errors.As(err, &ce) && errors.Is(err, member.ErrMissingColumn):
		return fmt.Sprintf("missing roster column %s (%s)", ce.Field, columnHeaders[ce.Field])
	case errors.As(err, &ce) && errors.Is(err, member.ErrDuplicateColumn):
		return fmt.Sprintf("roster column %s (%s) appears twice", ce.Field, columnHeaders[ce.Field])
	case errors.Is(err, member.ErrTooManyRows):
		return fmt.Sprintf("more than %d rows", member.MaxRosterRows)
	case errors.Is(err, textenc.ErrUnknownEncoding):
		return "the text is neither UTF-8 nor GBK/GB18030: save it as .xlsx, or as UTF-8 .csv"
	}
	return err.Error()
}

// columnHeaders is the usual Chinese header of each roster column.
var columnHeaders = map[member.Field]string{
	member.FieldName: "姓名", member.FieldPhone: "手机号", member.FieldDistrict: "区县",
	member.FieldOrg: "单位", member.FieldPost: "职务",
}

// rowReasons words the problems a roster row can have.
var rowReasons = map[error]string{
	member.ErrMissingValue:    "empty",
	member.ErrInvalidName:     "not a valid name (2 to 20 Chinese characters)",
	member.ErrInvalidPhone:    "not a mainland mobile number",
	member.ErrUnknownDistrict: "unknown district",
	member.ErrInvalidOrg:      "not a valid organisation name",
	member.ErrInvalidPost:     "not a valid post",
	member.ErrOutOfScope:      "a district outside the importer's scope",
	member.ErrUnreadableText:  "has bytes that are not characters (is the file's encoding wrong?)",
}

func rowProblem(p member.RowProblem) string {
	if errors.Is(p.Err, member.ErrDuplicatePhone) {
		return fmt.Sprintf("phone number already on line %d for the same district", p.SeeLine)
	}
	for sentinel, words := range rowReasons {
		if errors.Is(p.Err, sentinel) {
			return words
		}
	}
	return strings.TrimPrefix(p.Err.Error(), "member: ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// lineList prints up to ten line numbers.
func lineList(lines []int) string {
	var b strings.Builder
	for i, n := range lines {
		if i == 10 {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, n)
	}
	return b.String()
}
