package table

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dangwu/dangwu/internal/xmlbound"
)

// oleMagic opens a compound document: an .xls workbook of Excel 97–2003.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// ReadXLSX reads the worksheets of a workbook in order, each into the sink
// newSheet returns for it, until a sheet's End accepts it; if none does,
// the first sheet's End error is returned. Info.Sheet names the sheet
// accepted.
//
// Worksheets are read as a stream of XML tokens straight from the zip,
// keeping only the cells the sink wants: excelize's row reader pads each
// row to its last cell (a cell in column XFD costs 16,384 strings a row)
// and holds the shared strings as one struct each, so it cannot bound a
// hostile file. The zip's entry count and the declared uncompressed sizes
// of its parts are checked against lim before anything is inflated. Errors
// are ErrTooLarge, ErrNotXLSX, ctx.Err() when ctx is cancelled, or the
// sink's own.
func ReadXLSX(ctx context.Context, data []byte, newSheet func(name string) SheetSink, lim Limits) (Info, error) {
	lim = lim.withDefaults()
	if bytes.HasPrefix(data, oleMagic) {
		return Info{}, fmt.Errorf("%w: an .xls workbook of Excel 97-2003, not .xlsx", ErrNotXLSX)
	}
	if n, ok := zipEntries(data); ok && n > lim.MaxZipEntries {
		return Info{}, fmt.Errorf("%w: %d zip entries, limit %d", ErrTooLarge, n, lim.MaxZipEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrNotXLSX, err)
	}
	if len(zr.File) > lim.MaxZipEntries {
		return Info{}, fmt.Errorf("%w: %d zip entries, limit %d", ErrTooLarge, len(zr.File), lim.MaxZipEntries)
	}
	// archive/zip fails a read past an entry's declared size, so the
	// declared sizes bound what is read.
	var total uint64
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > lim.MaxUnzipped || total < f.UncompressedSize64 {
			return Info{}, fmt.Errorf("%w: over %d bytes uncompressed", ErrTooLarge, lim.MaxUnzipped)
		}
		parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))] = f
	}
	wb := &workbook{parts: parts, lim: lim}
	sheets, err := wb.sheets()
	if err != nil {
		return Info{}, damaged(err)
	}
	var firstErr error
	for _, sh := range sheets {
		sink := newSheet(sh.name)
		if err := wb.readSheet(ctx, sh, sink); err != nil {
			return Info{}, err
		}
		err := sink.End()
		if err == nil {
			return Info{Sheet: sh.name}, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return Info{}, firstErr
}

// damaged marks an error of the workbook's structure as ErrNotXLSX, unless
// it is already a limit's or the context's.
func damaged(err error) error {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotXLSX) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrNotXLSX, err)
}

// zipEntries reads the entry count of a zip's end-of-central-directory
// record, so that a directory of millions of entries is refused before
// archive/zip allocates one struct each. A zip64 count reads as 0xFFFF.
func zipEntries(data []byte) (int, bool) {
	const eocdLen = 22
	from := max(0, len(data)-eocdLen-0xFFFF)
	i := bytes.LastIndex(data[from:], []byte("PK\x05\x06"))
	if i < 0 || from+i+eocdLen > len(data) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(data[from+i+10:])), true
}

// workbook finds the parts of an .xlsx package.
type workbook struct {
	parts map[string]*zip.File // by lower-case name
	lim   Limits
	sst   *sharedStrings
}

// sheet is a worksheet's name and part.
type sheet struct {
	name, part string
}

// open opens a part, reading at most limit bytes of it.
func (wb *workbook) open(name string, limit int64) (io.ReadCloser, error) {
	f := wb.parts[strings.ToLower(name)]
	if f == nil {
		return nil, fmt.Errorf("no part %s", name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: %s is %d bytes uncompressed, limit %d", ErrTooLarge, name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, limit), rc}, nil
}

// tokens reads the XML of a part as raw tokens (names as written, end tags
// unchecked), each within the limits.
func (wb *workbook) tokens(r io.Reader) *xmlbound.Reader {
	return xmlbound.NewReader(r, xmlbound.Limits{MaxToken: wb.lim.MaxXMLToken})
}

// decoder decodes the XML of a part, each token within the limits.
func (wb *workbook) decoder(r io.Reader) *xml.Decoder {
	return xmlbound.NewDecoder(r, xmlbound.Limits{MaxToken: wb.lim.MaxXMLToken})
}

// xmlError is ErrTooLarge for XML over the token limits, else ErrNotXLSX.
func xmlError(err error) error {
	if errors.Is(err, xmlbound.ErrTokenTooLarge) || errors.Is(err, xmlbound.ErrTooDeep) || errors.Is(err, xmlbound.ErrTooManyNames) {
		return fmt.Errorf("%w: %w", ErrTooLarge, err)
	}
	return fmt.Errorf("%w: %w", ErrNotXLSX, err)
}

type xmlRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// rels reads the relationships of a part, targets resolved to part names.
func (wb *workbook) rels(part string) ([]xmlRel, error) {
	dir, file := path.Split(part)
	name := dir + "_rels/" + file + ".rels"
	if wb.parts[strings.ToLower(name)] == nil {
		return nil, nil
	}
	rc, err := wb.open(name, wb.lim.MaxSmallXML)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var v struct {
		Rels []xmlRel `xml:"Relationship"`
	}
	if err := wb.decoder(rc).Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", name, xmlError(err))
	}
	for i, r := range v.Rels {
		if strings.HasPrefix(r.Target, "/") {
			v.Rels[i].Target = strings.TrimPrefix(r.Target, "/")
		} else {
			v.Rels[i].Target = path.Join(dir, r.Target)
		}
	}
	return v.Rels, nil
}

// sheets lists the worksheets in workbook order.
func (wb *workbook) sheets() ([]sheet, error) {
	book := "xl/workbook.xml"
	root, err := wb.rels("")
	if err != nil {
		return nil, err
	}
	for _, r := range root {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			book = r.Target
		}
	}
	rels, err := wb.rels(book)
	if err != nil {
		return nil, err
	}
	targets := make(map[string]string, len(rels))
	sstPart := "xl/sharedStrings.xml"
	for _, r := range rels {
		targets[r.ID] = r.Target
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			sstPart = r.Target
		}
	}
	rc, err := wb.open(book, wb.lim.MaxSmallXML)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var v struct {
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := wb.decoder(rc).Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", book, xmlError(err))
	}
	// A part listed twice is read once: a workbook.xml of 4 MB may list
	// one worksheet 100,000 times.
	var out []sheet
	listed := make(map[string]bool)
	for _, s := range v.Sheets {
		for _, a := range s.Attr {
			if part := targets[a.Value]; a.Name.Local == "id" && part != "" && !listed[strings.ToLower(part)] {
				listed[strings.ToLower(part)] = true
				out = append(out, sheet{name: s.Name, part: part})
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no worksheet")
	}
	wb.sst = &sharedStrings{part: sstPart}
	return out, nil
}

// sharedStrings is the workbook's string table: the strings one after the
// other in buf, the end of each in ends (4 bytes a string, whatever the
// table holds). It is read on first use.
type sharedStrings struct {
	part   string
	loaded bool
	buf    []byte
	ends   []uint32
}

// get is string i, cut to limit bytes.
func (s *sharedStrings) get(i, limit int) (string, bool) {
	if i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return string(cut(s.buf[start:s.ends[i]], limit)), true
}

// loadStrings reads the shared strings: the text of each <si>, without
// its phonetic runs (<rPh>), kept to one byte past MaxCellBytes (so that
// get can cut it at a character), at most MaxSharedStrings of them and
// MaxSharedBytes in all.
func (wb *workbook) loadStrings(ctx context.Context) error {
	s := wb.sst
	if s.loaded {
		return nil
	}
	s.loaded = true
	if wb.parts[strings.ToLower(s.part)] == nil {
		return nil
	}
	rc, err := wb.open(s.part, wb.lim.MaxPartXML)
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := wb.tokens(rc)
	inText, phonetic, start := false, 0, 0
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.part, xmlError(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "rPh":
				phonetic++
			case "t":
				inText = phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "rPh":
				phonetic--
			case "t":
				inText = false
			case "si":
				if len(s.ends) >= wb.lim.MaxSharedStrings {
					return fmt.Errorf("%w: %s has over %d strings", ErrTooLarge, s.part, wb.lim.MaxSharedStrings)
				}
				s.ends = append(s.ends, uint32(len(s.buf)))
				start = len(s.buf)
			}
		case xml.CharData:
			if room := wb.lim.MaxCellBytes + 1 - (len(s.buf) - start); inText && room > 0 {
				if len(s.buf)+min(len(t), room) > wb.lim.MaxSharedBytes {
					return fmt.Errorf("%w: %s has over %d bytes of text", ErrTooLarge, s.part, wb.lim.MaxSharedBytes)
				}
				s.buf = append(s.buf, t[:min(len(t), room)]...)
			}
		}
	}
}

// readSheet streams a worksheet's rows into sink.
func (wb *workbook) readSheet(ctx context.Context, sh sheet, sink Sink) error {
	rc, err := wb.open(sh.part, wb.lim.MaxPartXML)
	if err != nil {
		return fmt.Errorf("read sheet %s: %w", sh.name, damaged(err))
	}
	defer rc.Close()
	lim := wb.lim
	dec := wb.tokens(rc)
	var (
		rows, line, col int
		cells           []Cell
		other           bool
		inRow           bool   // in a <row>: a cell or a </row> outside one is ignored
		inCell, keep    bool   // in a <c>; its value is wanted
		typ             string // the cell's t attribute
		val             []byte // the cell's <v>, or its inline string
		inValue         bool   // in <v>, or in <t> of an inline string
		phonetic        int
	)
	fail := func(sentinel error, format string, a ...any) error {
		return fmt.Errorf("%w: sheet %s row %d: %s", sentinel, sh.name, line, fmt.Sprintf(format, a...))
	}
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", sh.name, xmlError(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				if rows++; rows > lim.MaxSheetRows {
					return fail(ErrTooLarge, "over %d rows", lim.MaxSheetRows)
				}
				line++
				if r := xmlAttr(t, "r"); r != "" {
					n, err := strconv.Atoi(r)
					if err != nil || n < line || n > lim.MaxSheetRows {
						return fail(ErrNotXLSX, "bad row number %q", r)
					}
					line = n
				}
				cells, other, col, inRow = cells[:0], false, 0, true
			case "c":
				if !inRow {
					break
				}
				col++
				if r := xmlAttr(t, "r"); r != "" {
					c, _, err := excelize.CellNameToCoordinates(r)
					if err != nil {
						return fail(ErrNotXLSX, "bad cell %q", r)
					}
					col = c
				}
				inCell, typ, val = true, xmlAttr(t, "t"), val[:0]
				keep = len(cells) < lim.MaxRowCells && sink.Want(col-1)
			case "v":
				inValue = inCell
			case "rPh":
				phonetic++
			case "t":
				inValue = inCell && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v", "t":
				inValue = false
			case "rPh":
				phonetic--
			case "c":
				if !inCell {
					break
				}
				inCell = false
				if len(val) == 0 {
					break
				}
				if !keep {
					other = true
					break
				}
				var text string
				if typ == "s" {
					if err := wb.loadStrings(ctx); err != nil {
						return damaged(err)
					}
					i, err := strconv.Atoi(string(bytes.TrimSpace(val)))
					var ok bool
					if text, ok = wb.sst.get(i, lim.MaxCellBytes); err != nil || !ok {
						return fail(ErrNotXLSX, "no shared string %q", string(val))
					}
				} else {
					text = string(cut(val, lim.MaxCellBytes))
				}
				if text != "" {
					cells = append(cells, Cell{Col: col - 1, Text: text})
				}
			case "row":
				if !inRow || len(cells) == 0 && !other {
					inRow = false
					break
				}
				inRow = false
				if err := sink.Row(line, cells, other); err != nil {
					return err
				}
			case "sheetData":
				return nil
			}
		case xml.CharData:
			// A kept value is read one byte past its limit, so that cut
			// can tell where the last whole character ends.
			if room := lim.MaxCellBytes + 1 - len(val); inValue && keep && room > 0 {
				val = append(val, t[:min(len(t), room)]...)
			} else if inValue && len(t) > 0 && len(val) == 0 {
				val = append(val, t[0]) // a cell not kept only needs to be seen
			}
		}
	}
}

func xmlAttr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
