package knowledge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/dangwu/dangwu/internal/yamlbound"
)

// Problem is one fault found in a content file.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// frontMatter is the YAML header of a knowledge Markdown file.
type frontMatter struct {
	ID       string     `yaml:"id"`
	Title    string     `yaml:"title"`
	Source   string     `yaml:"source"`
	Date     string     `yaml:"date"`
	Tags     stringList `yaml:"tags"`
	District string     `yaml:"district"`
}

// stringList accepts a YAML list or a comma-separated string.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = s
	case yaml.ScalarNode:
		*l = splitList(n.Value)
	default:
		return fmt.Errorf("line %d: expected a list of words", n.Line)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;；", r) }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlProblem turns a YAML error into a problem, shifting its line number
// by offset (the line of the file where the YAML starts, minus one).
func yamlProblem(file string, offset int, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := offset + 1
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		line = offset + n
		msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg[:m[0]]+msg[m[1]:], ":"), " "))
		msg = strings.TrimPrefix(msg, ": ")
	}
	return Problem{File: file, Line: line, Message: msg}
}

// Limits on what one line or block of a text may cost.
const (
	// maxFrontMatter bounds the YAML front matter of a Markdown file.
	maxFrontMatter = 64 << 10
	// maxHeadingBytes: a longer line is never a heading.
	maxHeadingBytes = 1 << 10
	// checkEvery is the lines or tokens between two looks at the context.
	checkEvery = 1 << 12
	// maxYAMLKeys bounds the keys of a mapping of front matter or of an
	// FAQ entry (they have 6 and 8 fields), checked before it is decoded
	// (see yamlbound).
	maxYAMLKeys = 32
)

// ParseMarkdown parses a knowledge Markdown file: optional YAML front matter,
// then sections. defaultID is used when the front matter names none. The
// problems are the file's faults; the document is usable only when there
// are none. Time and memory are linear in len(data).
func ParseMarkdown(file, defaultID string, data []byte) (Document, []Problem) {
	doc, problems, err := parseMarkdown(context.Background(), file, defaultID, string(data))
	if err != nil {
		problems = []Problem{{File: file, Line: 1, Message: err.Error()}}
	}
	doc.Hash = hashOf(data)
	return doc, problems
}

// parseMarkdown is ParseMarkdown of a text; its error is ctx's, or
// errTooManySections.
func parseMarkdown(ctx context.Context, file, defaultID, text string) (Document, []Problem, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	if strings.Contains(text, "\r") {
		text = strings.ReplaceAll(text, "\r\n", "\n")
	}
	var fm frontMatter
	var problems []Problem
	body, bodyLine := text, 1
	if first, rest, _ := strings.Cut(text, "\n"); strings.TrimSpace(first) == "---" {
		yamlText, after, lines, ok := frontMatterBlock(rest)
		switch {
		case !ok && len(yamlText) > maxFrontMatter:
			return Document{}, []Problem{{File: file, Line: 1, Message: fmt.Sprintf("front matter is over %d KB", maxFrontMatter>>10)}}, nil
		case !ok:
			return Document{}, []Problem{{File: file, Line: 1, Message: "front matter is not closed by a --- line"}}, nil
		}
		var node yaml.Node
		if err := yaml.Unmarshal([]byte(yamlText), &node); err != nil {
			problems = append(problems, yamlProblem(file, 1, err))
		} else if len(node.Content) > 0 {
			if err := yamlbound.Check(node.Content[0], maxYAMLKeys); err != nil {
				problems = append(problems, yamlProblem(file, 1, err))
			} else {
				problems = append(problems, unknownKeys(file, 1, node.Content[0], "id", "title", "source", "date", "tags", "district")...)
				if err := node.Decode(&fm); err != nil {
					problems = append(problems, yamlProblem(file, 1, err))
				}
			}
		}
		body, bodyLine = after, lines+3
	}
	doc := Document{
		ID:       strings.TrimSpace(fm.ID),
		Title:    cleanLine(fm.Title),
		Source:   cleanLine(fm.Source),
		Date:     strings.TrimSpace(fm.Date),
		District: strings.TrimSpace(fm.District),
		Tags:     fm.Tags,
		FileName: file,
	}
	if doc.ID == "" {
		doc.ID = defaultID
	}
	if !validID(doc.ID) {
		problems = append(problems, Problem{File: file, Line: 2, Message: fmt.Sprintf("id %q: use 1 to 48 lower-case letters, digits, - or _", doc.ID)})
	}
	var err error
	if doc.Passages, err = splitMarkdown(ctx, body, &doc.Title); err != nil {
		return Document{}, nil, err
	}
	if doc.Title == "" && len(problems) == 0 {
		problems = append(problems, Problem{File: file, Line: 1, Message: "no title: add title: to the front matter or a # heading"})
	}
	if len(doc.Passages) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{File: file, Line: bodyLine, Message: "no text"})
	}
	return doc, problems, nil
}

// frontMatterBlock finds the --- line that closes the front matter in
// rest, the text after the opening line, looking no further than
// maxFrontMatter: it returns the YAML, the text after the closing line and
// the number of YAML lines.
func frontMatterBlock(rest string) (yamlText, after string, lines int, ok bool) {
	for scan := rest; ; lines++ {
		line, next, found := strings.Cut(scan, "\n")
		if strings.TrimSpace(line) == "---" {
			return strings.TrimSuffix(rest[:len(rest)-len(scan)], "\n"), next, lines, true
		}
		if !found || len(rest)-len(next) > maxFrontMatter {
			return rest[:len(rest)-len(next)], "", lines, false
		}
		scan = next
	}
}

// unknownKeys reports mapping keys outside allowed.
func unknownKeys(file string, offset int, n *yaml.Node, allowed ...string) []Problem {
	if n.Kind != yaml.MappingNode {
		return []Problem{{File: file, Line: offset + n.Line, Message: "expected key: value lines"}}
	}
	var out []Problem
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ok := false
		for _, a := range allowed {
			ok = ok || k.Value == a
		}
		if !ok {
			out = append(out, Problem{File: file, Line: offset + k.Line, Message: fmt.Sprintf("unknown field %q", k.Value)})
		}
	}
	return out
}

var mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)

// splitMarkdown splits Markdown text into passages at ## and ### headings.
// A # heading names the document when title is empty. Text before the first
// section heading is a passage whose section is the title. Its error is
// ctx's, or errTooManySections.
func splitMarkdown(ctx context.Context, text string, title *string) ([]Passage, error) {
	var secs []section
	cur := section{}
	fenced := false
	for n := 0; text != ""; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var line string
		line, text, _ = strings.Cut(text, "\n")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fenced = !fenced
			continue
		}
		if !fenced && strings.HasPrefix(trimmed, "#") && len(trimmed) <= maxHeadingBytes {
			if m := mdHeading.FindStringSubmatch(trimmed); m != nil {
				level, head := len(m[1]), cleanLine(stripInline(m[2]))
				switch {
				case level == 1 && *title == "":
					*title = head
					continue
				case level <= 3:
					if secs = keepSection(secs, cur); len(secs) > MaxSections {
						return nil, errTooManySections
					}
					cur = section{heading: head}
					continue
				default:
					line = head
				}
			}
		}
		if t, ok := mdAsked(trimmed); ok && !fenced {
			if secs = keepSection(secs, cur); len(secs) > MaxSections {
				return nil, errTooManySections
			}
			cur = section{heading: t}
			continue
		}
		cur.body.add(mdLine(line))
	}
	if secs = keepSection(secs, cur); len(secs) > MaxSections {
		return nil, errTooManySections
	}
	return passagesOf(secs, *title), nil
}

// mdAsked is a Markdown line that is the question of a Q&A sheet written
// without # headings (问：…, bold or not), cleaned; ok is false for any
// other line.
func mdAsked(trimmed string) (string, bool) {
	if !strings.ContainsAny(trimmed, "问Qq") {
		return "", false // most lines: not cleaned for nothing
	}
	t := cleanLine(stripInline(trimmed))
	return t, askedLine.MatchString(t) && utf8.RuneCountInString(t) <= maxAskedLine
}

// section is a heading with the text under it.
type section struct {
	heading string
	body    textJoiner
}

// maxPassageRunes is the length past which a long section is cut into
// several passages (same section name) at paragraph ends.
const maxPassageRunes = 600

// answerMark opens the answer of a Q&A sheet.
var answerMark = regexp.MustCompile(`^\s*(答|A|a)\s*\d*\s*[：:]\s*`)

// passagesOf turns sections into passages: text trimmed, blank runs
// collapsed, sections with no text dropped, long ones cut.
func passagesOf(secs []section, title string) []Passage {
	var out []Passage
	for _, s := range secs {
		text := s.body.String()
		if isBlank(text) {
			continue
		}
		name := s.heading
		if name == "" {
			name = title
		}
		if askedLine.MatchString(name) {
			text = answerMark.ReplaceAllString(text, "") // under 问：…, "答：" says nothing
		}
		for _, part := range cutText(text, maxPassageRunes) {
			out = append(out, Passage{Seq: len(out), Section: name, Text: part})
		}
	}
	return out
}

// textJoiner joins lines as they come, trimming each and keeping at most
// one blank line between paragraphs. Control characters other than newline
// and tab are dropped.
type textJoiner struct {
	b     strings.Builder
	blank bool
}

func (j *textJoiner) add(l string) {
	l = strings.TrimRight(cleanControl(l), " \t\u3000")
	if strings.TrimSpace(l) == "" {
		j.blank = j.b.Len() > 0
		return
	}
	if j.b.Len() > 0 {
		j.b.WriteByte('\n')
		if j.blank {
			j.b.WriteByte('\n')
		}
	}
	j.blank = false
	j.b.WriteString(strings.TrimLeft(l, " \t"))
}

// Len is the bytes joined so far.
func (j *textJoiner) Len() int { return j.b.Len() }

func (j *textJoiner) String() string { return j.b.String() }

// cutText cuts text into parts of at most about limit runes at paragraph
// (or, failing that, sentence) ends.
func cutText(text string, limit int) []string {
	if utf8.RuneCountInString(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			parts = append(parts, s)
		}
		cur.Reset()
		curLen = 0
	}
	for rest := text; rest != ""; {
		para := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			para, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		sentencePieces(para, limit, func(piece string) {
			n := utf8.RuneCountInString(piece)
			if curLen > 0 && curLen+n > limit {
				flush()
			}
			cur.WriteString(piece)
			curLen += n
		})
	}
	flush()
	return parts
}

// sentencePieces cuts a paragraph longer than limit after sentence ends,
// and a sentence longer than limit every limit runes, and gives each piece
// to yield.
func sentencePieces(para string, limit int, yield func(string)) {
	if utf8.RuneCountInString(para) <= limit {
		yield(para)
		return
	}
	start, runes := 0, 0
	for i := 0; i < len(para); {
		r, size := utf8.DecodeRuneInString(para[i:])
		i += size
		runes++
		if strings.ContainsRune("。！？；!?;", r) || runes >= limit {
			yield(para[start:i])
			start, runes = i, 0
		}
	}
	if start < len(para) {
		yield(para[start:])
	}
}

var (
	mdLink     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdEmphasis = strings.NewReplacer("**", "", "__", "", "`", "")
)

// stripInline removes inline Markdown markup: emphasis, code ticks, links.
func stripInline(s string) string {
	return mdEmphasis.Replace(mdLink.ReplaceAllString(s, "$1"))
}

// mdLine is a Markdown body line as plain text.
func mdLine(line string) string {
	t := strings.TrimLeft(line, " \t")
	if strings.HasPrefix(t, ">") {
		line = strings.TrimPrefix(strings.TrimPrefix(t, ">"), " ")
	}
	if t := strings.TrimSpace(line); t == "---" || t == "***" || t == "___" {
		return ""
	}
	return stripInline(line)
}

// cleanLine is a single line of text: control characters dropped, spaces
// trimmed and collapsed.
func cleanLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == '\ufeff':
		case unicode.IsSpace(r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleanControl drops control characters (keeping tab and newline), so that
// stored text never contains the snippet markers.
func cleanControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,47}$`)

// validID reports whether id is safe for callback data and the command line.
func validID(id string) bool { return idPattern.MatchString(id) }

func hashOf(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// faqEntry is one entry of a faq/*.yaml file.
type faqEntry struct {
	ID           string     `yaml:"id"`
	Question     string     `yaml:"question"`
	Alternatives stringList `yaml:"alternatives"`
	Answer       string     `yaml:"answer"`
	Source       string     `yaml:"source"`
	Doc          string     `yaml:"doc"`
	Section      string     `yaml:"section"`
	District     string     `yaml:"district"`
}

// ParseFAQ parses a faq/*.yaml file: a list of entries.
func ParseFAQ(file string, data []byte) ([]FAQ, []Problem) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Problem{yamlProblem(file, 0, err)}
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, []Problem{{File: file, Line: list.Line, Message: "expected a list of entries (- id: ...)"}}
	}
	var out []FAQ
	var problems []Problem
	for _, n := range list.Content {
		if err := yamlbound.Check(n, maxYAMLKeys); err != nil {
			problems = append(problems, yamlProblem(file, 0, err))
			continue
		}
		if ps := unknownKeys(file, 0, n, "id", "question", "alternatives", "answer", "source", "doc", "section", "district"); len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		var e faqEntry
		if err := n.Decode(&e); err != nil {
			problems = append(problems, yamlProblem(file, 0, err))
			continue
		}
		f := FAQ{
			ID:       strings.TrimSpace(e.ID),
			Question: cleanLine(e.Question),
			Answer:   strings.TrimSpace(cleanControl(e.Answer)),
			Source:   cleanLine(e.Source),
			DocID:    strings.TrimSpace(e.Doc),
			Section:  cleanLine(e.Section),
			District: strings.TrimSpace(e.District),
			Origin:   OriginContent,
			Line:     n.Line,
		}
		for _, a := range e.Alternatives {
			if a = cleanLine(a); a != "" {
				f.Alternatives = append(f.Alternatives, a)
			}
		}
		switch {
		case !validID(f.ID):
			problems = append(problems, Problem{File: file, Line: n.Line, Message: fmt.Sprintf("id %q: use 1 to 48 lower-case letters, digits, - or _", f.ID)})
			continue
		case f.Question == "":
			problems = append(problems, Problem{File: file, Line: n.Line, Message: fmt.Sprintf("entry %s: no question", f.ID)})
			continue
		case f.Answer == "":
			problems = append(problems, Problem{File: file, Line: n.Line, Message: fmt.Sprintf("entry %s: no answer", f.ID)})
			continue
		}
		f.Hash = hashOf([]byte(f.Question), []byte(strings.Join(f.Alternatives, "\n")), []byte(f.Answer),
			[]byte(f.Source), []byte(f.DocID), []byte(f.Section), []byte(f.District))
		out = append(out, f)
	}
	return out, problems
}

// Synonyms are groups of interchangeable search terms, normalized.
type Synonyms struct {
	Groups [][]string
	Hash   string
}

// ParseSynonyms parses synonyms.txt: one group of interchangeable terms a
// line, separated by commas; # starts a comment.
func ParseSynonyms(file string, data []byte) (Synonyms, []Problem) {
	var syn Synonyms
	var problems []Problem
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\ufeff"))), "\r\n", "\n")
	for i, line := range strings.Split(text, "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		var group []string
		seen := map[string]bool{}
		for _, term := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(",，、", r) }) {
			t := Normalize(term)
			if t == "" || seen[t] {
				continue
			}
			seen[t] = true
			group = append(group, t)
		}
		if len(group) < 2 {
			problems = append(problems, Problem{File: file, Line: i + 1, Message: "a synonym group needs at least two terms separated by commas"})
			continue
		}
		syn.Groups = append(syn.Groups, group)
	}
	syn.Hash = hashOf(data)
	return syn, problems
}
