package knowledge

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ParseFile turns a file into a document without storing it. It checks the
// size before anything else, then the extension, then the content.
func ParseFile(fileName string, data []byte) (Document, error) {
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
	switch ext {
	case ".md", ".markdown":
		text, derr := decodeText(data)
		if derr != nil {
			return Document{}, fmt.Errorf("%s: %w", fileName, derr)
		}
		var problems []Problem
		doc, problems = ParseMarkdown(base, DocIDFromFileName(stem), []byte(text))
		if len(problems) > 0 && len(doc.Passages) == 0 {
			return Document{}, fmt.Errorf("%s: %w", fileName, ErrEmptyDocument)
		}
		if doc.Title == "" {
			doc.Title = stem
		}
		if !validID(doc.ID) {
			doc.ID = DocIDFromFileName(doc.ID)
		}
	case ".txt":
		text, derr := decodeText(data)
		if derr != nil {
			return Document{}, fmt.Errorf("%s: %w", fileName, derr)
		}
		doc = parsePlain(strings.Split(text, "\n"), stem)
	case ".docx":
		doc, err = parseDocx(data, stem)
		if err != nil {
			return Document{}, fmt.Errorf("%s: %w", fileName, err)
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

// decodeText decodes a text file: UTF-8 (BOM stripped), UTF-16 with a BOM,
// else GB18030 (a superset of GBK and GB2312).
func decodeText(data []byte) (string, error) {
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		if err != nil {
			return "", fmt.Errorf("decode utf-16: %w", err)
		}
		text = string(out)
	case utf8.Valid(data):
		text = string(bytes.TrimPrefix(data, []byte("\ufeff")))
	default:
		out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
		if err != nil {
			return "", fmt.Errorf("decode gb18030: %w", err)
		}
		text = string(out)
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return cleanControl(text), nil
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
	articleNumbering = regexp.MustCompile(`^第[一二三四五六七八九十百千零〇两\d]+条`)
)

// plainHeading reports whether a line of a plain text starts a section and
// returns the section name. Short lines with outline numbering (一、 （一）
// 第X章 1. 1.1) and "第X条" articles are headings; an article's heading is
// "第X条" and the line's text stays in the body.
func plainHeading(line string) (name string, keepLine bool, ok bool) {
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "#") {
		h := strings.TrimSpace(strings.TrimLeft(t, "#"))
		return h, false, h != ""
	}
	if m := articleNumbering.FindString(t); m != "" {
		rest := strings.TrimSpace(strings.TrimPrefix(t, m))
		if rest == "" || utf8.RuneCountInString(rest) <= 20 && !endsSentence(rest) {
			return t, false, true
		}
		return m, true, true
	}
	if !headingNumbering.MatchString(t) {
		return "", false, false
	}
	if n := utf8.RuneCountInString(t); n > 40 || endsSentence(t) {
		return "", false, false
	}
	return t, false, true
}

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(s))
	return strings.ContainsRune("。；;，,：:！？!?", r)
}

// parsePlain splits plain-text lines into a document: the first non-empty
// line is the title, heading lines start sections.
func parsePlain(lines []string, stem string) Document {
	doc := Document{}
	var secs []section
	cur := section{}
	for _, line := range lines {
		if doc.Title == "" {
			if t := cleanLine(strings.TrimLeft(line, "# ")); t != "" {
				doc.Title = t
			}
			continue
		}
		if name, keep, ok := plainHeading(line); ok {
			secs = append(secs, cur)
			cur = section{heading: cleanLine(name)}
			if keep {
				cur.lines = append(cur.lines, line)
			}
			continue
		}
		cur.lines = append(cur.lines, line)
	}
	secs = append(secs, cur)
	if doc.Title == "" {
		doc.Title = stem
	}
	doc.Passages = passagesOf(secs, doc.Title)
	return doc
}

// maxDocxXML bounds how much of word/document.xml is read (a zip bomb guard).
const maxDocxXML = 64 << 20

// parseDocx extracts the paragraphs of a .docx (word/document.xml) and
// splits them at heading paragraphs: Heading/标题 styles, outline levels,
// or outline numbering.
func parseDocx(data []byte, stem string) (Document, error) {
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
	styles := map[string]string{} // style id → lower-case name
	if stylesFile != nil {
		if err := readStyles(stylesFile, styles); err != nil {
			return Document{}, fmt.Errorf("%w: styles: %v", ErrNotDocx, err)
		}
	}
	paras, err := readParagraphs(docFile)
	if err != nil {
		return Document{}, err
	}
	doc := Document{}
	var secs []section
	cur := section{}
	for _, p := range paras {
		text := cleanLine(p.text)
		if text == "" {
			continue
		}
		level := headingLevel(p.style, styles[p.style], p.outline)
		if level <= 1 && doc.Title == "" && len(secs) == 0 && len(cur.lines) == 0 {
			level = -1 // the first paragraph, or a first top heading, is the title
		}
		switch {
		case level < 0 && doc.Title == "":
			doc.Title = text
		case level > 0:
			secs = append(secs, cur)
			cur = section{heading: text}
		default:
			if name, keep, ok := plainHeading(text); ok {
				secs = append(secs, cur)
				cur = section{heading: cleanLine(name)}
				if keep {
					cur.lines = append(cur.lines, text)
				}
				continue
			}
			cur.lines = append(cur.lines, p.text)
		}
	}
	secs = append(secs, cur)
	if doc.Title == "" {
		doc.Title = stem
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

// readParagraphs reads the paragraphs of document.xml in order; table rows
// become one paragraph with cells separated by " | ".
func readParagraphs(f *zip.File) ([]docxPara, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotDocx, err)
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: maxDocxXML + 1}
	dec := xml.NewDecoder(lr)
	var (
		paras   []docxPara
		cur     *docxPara
		inText  bool
		rowText []string
		inRow   int
		cellBuf strings.Builder
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lr.N <= 0 {
				return nil, fmt.Errorf("%w: document.xml over %d bytes", ErrFileTooLarge, maxDocxXML)
			}
			return nil, fmt.Errorf("%w: document.xml: %v", ErrNotDocx, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tr":
				inRow++
				rowText = rowText[:0]
			case "tc":
				cellBuf.Reset()
			case "p":
				cur = &docxPara{outline: -1}
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
			case "tab":
				if cur != nil {
					cur.text += " "
				}
			case "br", "cr":
				if cur != nil {
					cur.text += " "
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if cur != nil {
					if inRow > 0 {
						if cellBuf.Len() > 0 {
							cellBuf.WriteByte(' ')
						}
						cellBuf.WriteString(strings.TrimSpace(cur.text))
					} else {
						paras = append(paras, *cur)
					}
				}
				cur = nil
			case "tc":
				rowText = append(rowText, strings.TrimSpace(cellBuf.String()))
			case "tr":
				inRow--
				if line := strings.Trim(strings.Join(rowText, " | "), " |"); line != "" {
					paras = append(paras, docxPara{outline: -1, text: line})
				}
			}
		case xml.CharData:
			if inText && cur != nil {
				cur.text += string(t)
			}
		}
	}
	return paras, nil
}

// readStyles maps style ids to their lower-case names.
func readStyles(f *zip.File, styles map[string]string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(&io.LimitedReader{R: rc, N: maxDocxXML})
	id := ""
	for {
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
