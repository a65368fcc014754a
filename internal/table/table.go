// Package table reads the rows of a table a person sends — a CSV file in any
// encoding internal/textenc decodes, or a worksheet of an .xlsx workbook —
// in memory bounded by its Limits and time linear in the file, stopping when
// its context is cancelled. It knows nothing of what the table holds: the
// caller's Sink takes the rows one by one, finds the header and says which
// columns it wants, so that a hostile file with a cell in column XFD or a
// million shared strings costs no more than its limits.
package table

import (
	"errors"
	"unicode/utf8"
)

// Errors of a table that cannot be read. Errors returned by a Sink are
// passed back as they are.
var (
	// ErrTooLarge: a spreadsheet has too many zip entries, rows or shared
	// strings, a part of it is over its limit once uncompressed, or a tag
	// or text of its XML is (see Limits.MaxXMLToken).
	ErrTooLarge = errors.New("table: file is too large")
	// ErrRecordTooLong: a CSV record is over MaxRecordBytes, has more than
	// MaxColumns cells, or spans more than MaxRecordLines lines (a quote
	// that is never closed).
	ErrRecordTooLong = errors.New("table: line is too long")
	// ErrNotXLSX: the data is not an .xlsx workbook (not a zip, an .xls of
	// Excel 97–2003, no workbook or worksheet) or a damaged one.
	ErrNotXLSX = errors.New("table: not a readable .xlsx workbook")
)

// Cell is one non-empty cell of a row.
type Cell struct {
	Col  int // column, from 0
	Text string
	// Invalid: the text holds bytes that were not characters of the file's
	// encoding, each replaced by U+FFFD (CSV only).
	Invalid bool
}

// Sink takes the rows of a table, in order.
type Sink interface {
	// Want reports whether the cells of column col (from 0) are needed. It
	// is asked as the cells are read, so its answer may change once the
	// sink has seen a header row.
	Want(col int) bool
	// Row takes the row on line (from 1): its wanted non-empty cells in file
	// order (at most Limits.MaxRowCells), and whether another cell of the row
	// has content. Rows without a non-empty cell are not passed. cells is
	// reused once Row returns. An error stops the reading and is returned
	// as it is.
	Row(line int, cells []Cell, other bool) error
}

// SheetSink takes the rows of one worksheet.
type SheetSink interface {
	Sink
	// End is called after the sheet's last row. nil accepts the sheet and
	// ends the reading; an error passes over the sheet to the next one
	// (typically: the sheet has no usable header).
	End() error
}

// Info describes a table that was read.
type Info struct {
	// Encoding is a CSV file's text encoding, as textenc names it.
	Encoding string
	// InvalidLines are the lines of a CSV file with bytes that could not be
	// decoded (at most textenc.MaxPositions of them).
	InvalidLines []int
	// Sheet is the name of the worksheet read.
	Sheet string
}

// Limits bound the reading of a table. Each is checked before the data it
// bounds is read or allocated. A zero field takes its value in
// DefaultLimits.
type Limits struct {
	MaxRecordBytes int    // bytes of one CSV record
	MaxRecordLines int    // physical lines one CSV record may span
	MaxColumns     int    // cells of one CSV record
	MaxRowCells    int    // cells of a row kept for the sink; the others count as other
	MaxCellBytes   int    // text kept of one spreadsheet cell (cut at a character boundary)
	MaxSheetRows   int    // row elements of one worksheet
	MaxZipEntries  int    // entries of a workbook's zip
	MaxUnzipped    uint64 // all entries of a workbook, uncompressed
	MaxPartXML     int64  // one worksheet or the shared strings, uncompressed
	MaxSmallXML    int64  // the workbook and relationship parts, uncompressed
	MaxXMLToken    int    // one tag (with its attributes) or text of a part's XML
	// MaxSharedStrings and MaxSharedBytes bound a workbook's shared
	// strings: how many, and the text kept of them all (each cut to
	// MaxCellBytes). An empty <si/> is 5 bytes of XML that inflate from
	// almost nothing, and costs 4 bytes held.
	MaxSharedStrings int
	MaxSharedBytes   int
}

// DefaultLimits are the limits a zero Limits field takes.
var DefaultLimits = Limits{
	MaxRecordBytes: 64 << 10,
	MaxRecordLines: 8,
	MaxColumns:     256,
	MaxRowCells:    1024,
	MaxCellBytes:   4 << 10,
	MaxSheetRows:   1 << 20, // Excel's limit
	MaxZipEntries:  4096,
	MaxUnzipped:    256 << 20,
	MaxPartXML:     64 << 20,
	MaxSmallXML:    4 << 20,
	// A cell holds at most 32,767 characters (under 100 KB of UTF-8); a tag
	// with a million attributes is one token, held whole by encoding/xml.
	MaxXMLToken: 256 << 10,
	// 20,000 rows of 50 cells; a bank of 5,000 questions holds far less.
	MaxSharedStrings: 1 << 20,
	MaxSharedBytes:   16 << 20,
}

// checkEvery is the tokens or records between two looks at the context.
const checkEvery = 1 << 12

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxRecordBytes, d.MaxRecordBytes)
	set(&l.MaxRecordLines, d.MaxRecordLines)
	set(&l.MaxColumns, d.MaxColumns)
	set(&l.MaxRowCells, d.MaxRowCells)
	set(&l.MaxCellBytes, d.MaxCellBytes)
	set(&l.MaxSheetRows, d.MaxSheetRows)
	set(&l.MaxZipEntries, d.MaxZipEntries)
	set(&l.MaxXMLToken, d.MaxXMLToken)
	set(&l.MaxSharedStrings, d.MaxSharedStrings)
	set(&l.MaxSharedBytes, d.MaxSharedBytes)
	if l.MaxUnzipped == 0 {
		l.MaxUnzipped = d.MaxUnzipped
	}
	if l.MaxPartXML <= 0 {
		l.MaxPartXML = d.MaxPartXML
	}
	if l.MaxSmallXML <= 0 {
		l.MaxSmallXML = d.MaxSmallXML
	}
	return l
}

// cut is the longest prefix of b of at most n bytes that does not end
// inside a UTF-8 sequence.
func cut(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	end := n
	for end > 0 && end > n-utf8.UTFMax && !utf8.RuneStart(b[end]) {
		end--
	}
	return b[:end]
}
