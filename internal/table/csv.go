package table

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/dangwu/dangwu/internal/textenc"
)

// ReadCSV decodes a CSV file (UTF-8 with or without BOM, UTF-16 with BOM,
// or GBK/GB18030: see textenc.Decode) and feeds its records to sink, one
// Row a record, on the line where the record starts. The separator is the
// one of comma, semicolon and tab most used on the first line; quotes are
// read leniently. It returns ErrRecordTooLong for a record over the limits,
// and ctx.Err() when ctx is cancelled.
func ReadCSV(ctx context.Context, data []byte, sink Sink, lim Limits) (Info, error) {
	lim = lim.withDefaults()
	dec, err := textenc.Decode(data)
	if err != nil {
		return Info{}, fmt.Errorf("read csv: %w", err)
	}
	text := dec.Text
	invalid := dec.InvalidCount > 0
	rl := &recordLimit{r: strings.NewReader(text), max: lim.MaxRecordBytes}
	r := csv.NewReader(rl)
	r.Comma = sniffSeparator(text, lim.MaxRecordBytes)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var offset int64 // where the next record starts
	var cells []Cell
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return Info{}, err
			}
		}
		rl.n = 0
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errRecordLimit) {
			line := 1 + strings.Count(text[:offset], "\n")
			return Info{}, fmt.Errorf("line %d: %w (over %d bytes)", line, ErrRecordTooLong, lim.MaxRecordBytes)
		}
		if err != nil {
			return Info{}, fmt.Errorf("read csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		end := r.InputOffset()
		if spans := strings.Count(text[offset:end], "\n"); spans > lim.MaxRecordLines {
			return Info{}, fmt.Errorf("line %d: %w (a quoted cell runs over %d lines: is a quote not closed?)", line, ErrRecordTooLong, spans)
		}
		offset = end
		if len(rec) > lim.MaxColumns {
			return Info{}, fmt.Errorf("line %d: %w (%d cells, limit %d)", line, ErrRecordTooLong, len(rec), lim.MaxColumns)
		}
		cells = cells[:0]
		other := false
		for j, v := range rec {
			switch {
			case v == "":
			case len(cells) < lim.MaxRowCells && sink.Want(j):
				cells = append(cells, Cell{Col: j, Text: v, Invalid: invalid && strings.ContainsRune(v, utf8.RuneError)})
			default:
				other = true
			}
		}
		if len(cells) == 0 && !other {
			continue
		}
		if err := sink.Row(line, cells, other); err != nil {
			return Info{}, err
		}
	}
	return Info{Encoding: dec.Encoding, InvalidLines: dec.InvalidLines()}, nil
}

var errRecordLimit = errors.New("record over its byte limit")

// recordLimit fails a read once n, which the caller resets before each
// record, passes max: encoding/csv buffers a whole record (and a line
// however long) before returning it.
type recordLimit struct {
	r   io.Reader
	n   int
	max int
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, errRecordLimit
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// sniffSeparator picks the separator most used on the first line.
func sniffSeparator(text string, limit int) rune {
	first, _, _ := strings.Cut(text, "\n")
	if len(first) > limit {
		first = first[:limit]
	}
	best, n := ',', strings.Count(first, ",")
	for _, c := range []rune{'\t', ';'} {
		if k := strings.Count(first, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}
