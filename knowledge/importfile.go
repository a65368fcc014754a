package knowledge

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/textenc"
	"github.com/dangwu/dangwu/internal/xmlbound"
)

// ParseFile turns a file into a document without storing it. It checks the
// size before anything else, then the extension, then the content. Time and
// memory are linear in len(data) (a .docx expands to at most maxDocxXML of
// XML and maxDocxText of text); it returns ctx.Err() once ctx is cancelled.
// Document.Encoding and Document.InvalidLines say how a text file was
// decoded.
func ParseFile(ctx context.Context, fileName string, data []byte) (Document, error) {
	if len(data) > MaxFileSize {
		return Document{}, fmt.Errorf("%s: %w (%d bytes, limit %d)", fileName, ErrFileTooLarge, len(data), MaxFileSize)
	}
	base := path.Base(strings.ReplaceAll(fileName, `\`, "/"))
	ext := strings.ToLower(path.Ext(base))
	stem := strings.TrimSuffix(base, path.Ext(base))
	var (
		doc Document
		err error
	)
	switch ext {
	case ".md", ".markdown", ".txt", ".docx":
	default:
		return Document{}, fmt.Errorf("%s: %w %q (use .md, .txt or .docx)", fileName, ErrUnsupportedFormat, ext)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Document{}, fmt.Errorf("%s: %w", fileName, ErrEmptyDocument)
	}
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	switch ext {
	case ".md", ".markdown":
		text, enc, derr := decodeText(data)
		if derr != nil {
			return Document{}, fmt.Errorf("%s: %w", fileName, derr)
		}
		if first, rest, _ := strings.Cut(strings.TrimPrefix(text, "\ufeff"), "\n"); strings.TrimSpace(first) == "---" {
			// A --- that nothing closes in a short file is a horizontal
			// rule, not a front matter (a long unclosed one stays refused).
			if yamlText, _, _, closed := frontMatterBlock(rest); !closed && len(yamlText) <= maxFrontMatter {
				text = rest
			}
		}
		var problems []Problem
		doc, problems, err = parseMarkdown(ctx, base, DocIDFromFileName(stem), text)
		if err != nil {
			return Document{}, fileError(ctx, fileName, err)
		}
		if len(problems) > 0 && len(doc.Passages) == 0 {
			return Document{}, fmt.Errorf("%s: %w", fileName, ErrEmptyDocument)
		}
		if doc.Title == "" {
			// The text before the first heading was named after the
			// title, which was not known yet.
			doc.Title = fileTitle(stem)
			for i := range doc.Passages {
				if doc.Passages[i].Section == "" {
					doc.Passages[i].Section = doc.Title
				}
			}
		}
		if !validID(doc.ID) {
			doc.ID = DocIDFromFileName(doc.ID)
		}
		doc.Encoding, doc.InvalidLines = enc.Encoding, enc.InvalidLines()
	case ".txt":
		text, enc, derr := decodeText(data)
		if derr != nil {
			return Document{}, fmt.Errorf("%s: %w", fileName, derr)
		}
		if doc, err = parsePlain(ctx, text, fileTitle(stem)); err != nil {
			return Document{}, fileError(ctx, fileName, err)
		}
		doc.Encoding, doc.InvalidLines = enc.Encoding, enc.InvalidLines()
	case ".docx":
		if doc, err = parseDocx(ctx, data, fileTitle(stem)); err != nil {
			return Document{}, fileError(ctx, fileName, err)
		}
	}
	if doc.ID == "" {
		doc.ID = DocIDFromFileName(stem)
	}
	if len(doc.Passages) == 0 {
		return Document{}, fmt.Errorf("%s: %w", fileName, ErrEmptyDocument)
	}
	doc.FileName = base
	doc.Hash = hashOf(data)
	return doc, nil
}

// fileError is err of the file named fileName, or ctx's own error as it
// is.
func fileError(ctx context.Context, fileName string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s: %w", fileName, err)
}

// fileTitle is the title of a document that names none: its file name
// without extension on one line, or its id when that leaves nothing.
func fileTitle(stem string) string {
	if t := cleanLine(stem); t != "" {
		return t
	}
	return DocIDFromFileName(stem)
}

// decodeText decodes a text file (see textenc.Decode: a BOM decides, else
// UTF-8 when almost all of it is, else clean GB18030), with line ends made
// \n and control characters dropped. The result tells the encoding and
// the lines whose bytes could not be decoded.
func decodeText(data []byte) (string, textenc.Result, error) {
	res, err := textenc.Decode(data)
	if err != nil {
		return "", res, err
	}
	text := res.Text
	res.Text = ""
	if strings.Contains(text, "\r") {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return cleanControl(text), res, nil
}

var (
	numCN = `[一二三四五六七八九十百零〇两]+`
	// heading numbering of Chinese official documents and plain outlines
	headingNumbering = regexp.MustCompile(`^(` +
		numCN + `[、．.]|` +
		`[（(]` + numCN + `[）)]|` +
		`第[一二三四五六七八九十百千零〇两\d]+[章节部分篇条款]|` +
		`\d{1,2}(\.\d{1,2}){0,2}[.、．]?\s|\d{1,2}[.、．]` +
		`)`)
	// the question of a sheet of questions and answers: 问：… 答：…
	askedLine        = regexp.MustCompile(`^(问|Q|q)\s*\d*\s*[：:]|^(问题|提问)\s*\d*\s*[：:].*[？?]$`)
	articleNumbering = regexp.MustCompile(`^第[一二三四五六七八九十百千零〇两\d]+条`)
	chapterNumbering = regexp.MustCompile(`^第[一二三四五六七八九十百千零〇两\d]+[章节编篇部分]`)
)

// plainHeading reports whether a line of a plain text starts a section and
// returns the section name. Short lines with outline numbering (一、 （一）
// 第X章 1. 1.1), numbered questions ("3. 考试在哪里？") and the 问 lines of
// a Q&A sheet are headings, and "第X条" articles; an article's heading is
// "第X条" and the line's text stays in the body.
func plainHeading(line string) (name string, keepLine bool, ok bool) {
	t := strings.TrimSpace(line)
	if askedLine.MatchString(t) && utf8.RuneCountInString(t) <= maxAskedLine {
		return t, false, true
	}
	if m := articleNumbering.FindString(t); m != "" {
		rest := strings.TrimSpace(strings.TrimPrefix(t, m))
		if rest == "" || utf8.RuneCountInString(rest) <= 20 && !endsSentence(rest) {
			return t, false, true
		}
		return m, true, true
	}
	if len(t) > maxHeadingBytes {
		return "", false, false
	}
	if strings.HasPrefix(t, "#") {
		h := strings.TrimSpace(strings.TrimLeft(t, "#"))
		return h, false, h != ""
	}
	if !headingNumbering.MatchString(t) {
		return "", false, false
	}
	if n := utf8.RuneCountInString(t); n > 40 || endsSentence(t) && !asks(t) {
		return "", false, false
	}
	return t, false, true
}

// maxAskedLine bounds, in runes, the question line of a Q&A sheet that
// heads its answer; a longer one is text.
const maxAskedLine = 80

// asks reports whether a line ends with a question mark.
func asks(t string) bool {
	return strings.HasSuffix(t, "？") || strings.HasSuffix(t, "?")
}

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(s))
	return strings.ContainsRune("。；;，,：:！？!?", r)
}

// parsePlain splits a plain text into a document: the first non-empty
// line is the title (else untitled), heading lines start sections. Its
// error is ctx's, or errTooManySections.
func parsePlain(ctx context.Context, text, untitled string) (Document, error) {
	doc := Document{}
	var sec sectioner
	first := true
	for n := 0; text != ""; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return Document{}, err
			}
		}
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if first {
			t := cleanLine(strings.TrimLeft(line, "# "))
			if t == "" {
				continue
			}
			first = false
			if titleLine(t) {
				doc.Title = t
				continue
			}
		}
		if name, keep, ok := plainHeading(line); ok {
			sec.heading(cleanLine(name))
			if keep {
				sec.cur.body.add(line)
			}
		} else {
			sec.line(line)
		}
		if sec.tooMany() {
			return Document{}, errTooManySections
		}
	}
	if doc.Title == "" {
		doc.Title = untitled
	}
	secs := sec.sections()
	if len(secs) > MaxSections {
		return Document{}, errTooManySections
	}
	doc.Passages = passagesOf(secs, doc.Title)
	return doc, nil
}

// Limits on a .docx, checked before the data they bound is read.
const (
	maxDocxXML       = 64 << 20 // word/document.xml, uncompressed (a zip bomb guard)
	maxStylesXML     = 8 << 20  // word/styles.xml, uncompressed
	maxDocxText      = 16 << 20 // text of the whole document
	maxParagraphText = 1 << 20  // text of one paragraph
	// maxDocxToken bounds one tag (with its attributes) or text of the XML:
	// encoding/xml holds a token whole, and a tag of a million attributes
	// is 20 KB zipped (see xmlbound).
	maxDocxToken = maxParagraphText
)

// docxXML reads the XML of a .docx part within maxDocxToken a token.
func docxXML(r io.Reader) *xml.Decoder {
	return xmlbound.NewDecoder(r, xmlbound.Limits{MaxToken: maxDocxToken})
}

// xmlTooLarge reports XML refused by the token limits.
func xmlTooLarge(err error) bool {
	return errors.Is(err, xmlbound.ErrTokenTooLarge) || errors.Is(err, xmlbound.ErrTooDeep) || errors.Is(err, xmlbound.ErrTooManyNames)
}

// parseDocx extracts the paragraphs of a .docx (word/document.xml) and
// splits them at heading paragraphs: Heading/标题 styles, outline levels,
// or outline numbering.
func parseDocx(ctx context.Context, data []byte, untitled string) (Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrNotDocx, err)
	}
	var docFile, stylesFile *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			docFile = f
		case "word/styles.xml":
			stylesFile = f
		}
	}
	if docFile == nil {
		return Document{}, fmt.Errorf("%w: no word/document.xml", ErrNotDocx)
	}
	// archive/zip fails a read past an entry's declared size.
	if docFile.UncompressedSize64 > maxDocxXML {
		return Document{}, fmt.Errorf("%w: document.xml is %d bytes uncompressed, limit %d", ErrContentTooLarge, docFile.UncompressedSize64, maxDocxXML)
	}
	styles := map[string]string{} // style id → lower-case name
	if stylesFile != nil {
		if stylesFile.UncompressedSize64 > maxStylesXML {
			return Document{}, fmt.Errorf("%w: styles.xml is %d bytes uncompressed, limit %d", ErrContentTooLarge, stylesFile.UncompressedSize64, maxStylesXML)
		}
		if err := readStyles(ctx, stylesFile, styles); err != nil {
			switch {
			case ctx.Err() != nil:
				return Document{}, ctx.Err()
			case xmlTooLarge(err):
				return Document{}, fmt.Errorf("%w: styles.xml: %v", ErrContentTooLarge, err)
			}
			return Document{}, fmt.Errorf("%w: styles: %v", ErrNotDocx, err)
		}
	}
	doc := Document{}
	var sec sectioner
	first := true
	err = readParagraphs(ctx, docFile, func(p docxPara) error {
		text := cleanLine(p.text)
		if text == "" {
			return nil
		}
		level := headingLevel(p.style, styles[p.style], p.outline)
		if first && (level < 0 || level == 1 || level == 0 && titleLine(text)) {
			level = -1 // a title paragraph, a first top heading, or a short first line is the title
		}
		first = false
		switch {
		case level < 0 && doc.Title == "":
			doc.Title = text
		case level > 0:
			sec.heading(text)
		default:
			if name, keep, ok := plainHeading(text); ok {
				sec.heading(cleanLine(name))
				if keep {
					sec.cur.body.add(text)
				}
			} else {
				sec.line(p.text)
			}
		}
		if sec.tooMany() {
			return errTooManySections
		}
		return nil
	})
	if err != nil {
		return Document{}, err
	}
	secs := sec.sections()
	if len(secs) > MaxSections {
		return Document{}, errTooManySections
	}
	if doc.Title == "" {
		doc.Title = untitled
	}
	doc.Passages = passagesOf(secs, doc.Title)
	return doc, nil
}

var headingStyle = regexp.MustCompile(`^(heading|标题)\s*(\d)$`)

// headingLevel is -1 for a title paragraph, 1… for a heading, 0 otherwise.
func headingLevel(styleID, styleName string, outline int) int {
	for _, s := range []string{strings.ToLower(styleName), strings.ToLower(styleID)} {
		s = strings.TrimSpace(s)
		if s == "title" || s == "标题" {
			return -1
		}
		if m := headingStyle.FindStringSubmatch(strings.ReplaceAll(s, " ", "")); m != nil {
			return int(m[2][0]-'0') + 0
		}
	}
	if outline >= 0 && outline < 9 {
		return outline + 1
	}
	return 0
}

type docxPara struct {
	style   string
	outline int // -1 when none
	text    string
}

func xmlAttr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// readParagraphs reads the paragraphs of document.xml in order and gives
// each non-blank one to yield, stopping at its error; table rows become one
// paragraph with cells separated by " | ". A paragraph or a table row may
// hold maxParagraphText bytes of text and the document maxDocxText.
func readParagraphs(ctx context.Context, f *zip.File, yield func(docxPara) error) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotDocx, err)
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: maxDocxXML + 1}
	dec := docxXML(lr)
	var (
		cur     *docxPara
		text    strings.Builder // the text of cur
		total   int             // text bytes of the document so far
		inText  bool
		rowText []string
		rowLen  int // bytes of rowText
		inRow   int
		cellBuf strings.Builder
	)
	write := func(s string) error {
		if text.Len()+len(s) > maxParagraphText {
			return fmt.Errorf("%w: a paragraph has over %d bytes of text", ErrContentTooLarge, maxParagraphText)
		}
		if total += len(s); total > maxDocxText {
			return fmt.Errorf("%w: over %d bytes of text", ErrContentTooLarge, maxDocxText)
		}
		text.WriteString(s)
		return nil
	}
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lr.N <= 0 {
				return fmt.Errorf("%w: document.xml over %d bytes", ErrContentTooLarge, maxDocxXML)
			}
			if xmlTooLarge(err) {
				return fmt.Errorf("%w: document.xml: %v", ErrContentTooLarge, err)
			}
			return fmt.Errorf("%w: document.xml: %v", ErrNotDocx, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tr":
				inRow++
				rowText, rowLen = rowText[:0], 0
			case "tc":
				cellBuf.Reset()
			case "p":
				cur = &docxPara{outline: -1}
				text.Reset()
			case "pStyle":
				if cur != nil {
					cur.style = xmlAttr(t, "val")
				}
			case "outlineLvl":
				if cur != nil {
					var n int
					if _, err := fmt.Sscan(xmlAttr(t, "val"), &n); err == nil {
						cur.outline = n
					}
				}
			case "t":
				inText = true
			case "tab", "br", "cr":
				if cur != nil {
					if err := write(" "); err != nil {
						return err
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if cur != nil {
					cur.text = text.String()
					text.Reset()
					switch {
					case inRow > 0:
						if cellBuf.Len() > 0 {
							cellBuf.WriteByte(' ')
						}
						cellBuf.WriteString(strings.TrimSpace(cur.text))
					case strings.TrimSpace(cur.text) != "":
						if err := yield(*cur); err != nil {
							return err
						}
					}
				}
				cur = nil
			case "tc":
				// A cell closes once however deeply cells nest: nested
				// cells would repeat its text in the row.
				cell := strings.TrimSpace(cellBuf.String())
				cellBuf.Reset()
				if rowLen += len(cell) + 3; rowLen > maxParagraphText {
					return fmt.Errorf("%w: a table row has over %d bytes of text", ErrContentTooLarge, maxParagraphText)
				}
				rowText = append(rowText, cell)
			case "tr":
				inRow--
				if line := strings.Trim(strings.Join(rowText, " | "), " |"); line != "" {
					if err := yield(docxPara{outline: -1, text: line}); err != nil {
						return err
					}
				}
				rowText, rowLen = rowText[:0], 0
			}
		case xml.CharData:
			if inText && cur != nil {
				if err := write(string(t)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// readStyles maps style ids to their lower-case names.
func readStyles(ctx context.Context, f *zip.File, styles map[string]string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := docxXML(&io.LimitedReader{R: rc, N: maxStylesXML})
	id := ""
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok {
			switch t.Name.Local {
			case "style":
				id = xmlAttr(t, "styleId")
			case "name":
				if id != "" {
					styles[id] = strings.ToLower(xmlAttr(t, "val"))
				}
			}
		}
	}
}

// isBlank reports whether s has no letters, digits or ideographs.
func isBlank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0
}
