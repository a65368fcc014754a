// Package xmlbound reads the XML of a file a person sends — a worksheet or
// the shared strings of an .xlsx, the document of a .docx — one token at a
// time, with each token's size and the nesting of elements bounded.
//
// encoding/xml holds a whole token in memory before returning it, however
// long: one tag with millions of attributes (a 20 KB zip inflates to 15 MB
// of them) costs hundreds of megabytes, and so does the stack of elements
// Token keeps for a million nested ones, and so do the name-space
// declarations of the open elements, which Token keeps a record of each
// (60 nested tags of 1 MB of xmlns:a="x" each hold 5 million). Bounding
// the part a zip entry inflates to bounds none of these: a Reader does.
package xmlbound

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Errors of XML over the limits.
var (
	ErrTokenTooLarge = errors.New("xml: a tag or a text is too long")
	ErrTooDeep       = errors.New("xml: elements nested too deeply")
	ErrTooManyNames  = errors.New("xml: too many name-space declarations")
)

// Limits bound what one token may cost. A zero field takes its default.
type Limits struct {
	// MaxToken is the bytes of input one token may span: a tag with its
	// attributes, a text between two tags, a comment.
	MaxToken int
	// MaxDepth is how deeply elements may nest.
	MaxDepth int
	// MaxNames is how many name-space declarations (xmlns, xmlns:x) the
	// open elements may hold together.
	MaxNames int
}

// Defaults: a cell of Excel holds at most 32,767 characters (about 100 KB
// of UTF-8), a document's elements nest a few dozen deep, and Word declares
// a few dozen name spaces on a document's root.
const (
	DefaultMaxToken = 1 << 20
	DefaultMaxDepth = 1000
	DefaultMaxNames = 1024
)

// Reader returns the tokens of its input as xml.Decoder's RawToken does —
// names with their prefix as written, end tags not checked against start
// tags — failing with ErrTokenTooLarge, ErrTooDeep or ErrTooManyNames past
// its limits. It is
// an xml.TokenReader: NewDecoder makes a Decoder of it for Token and Decode.
type Reader struct {
	dec   *xml.Decoder
	in    *countingReader
	depth int
	names []int // the name-space declarations of each open element
	total int   // their sum
	lim   Limits
}

// NewReader reads XML from r.
func NewReader(r io.Reader, lim Limits) *Reader {
	if lim.MaxToken <= 0 {
		lim.MaxToken = DefaultMaxToken
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultMaxDepth
	}
	if lim.MaxNames <= 0 {
		lim.MaxNames = DefaultMaxNames
	}
	in := &countingReader{r: bufio.NewReader(r), max: lim.MaxToken}
	return &Reader{dec: xml.NewDecoder(in), in: in, lim: lim}
}

// NewDecoder is a Decoder of XML from r within lim: its Token checks end
// tags and resolves name spaces, and Decode fills a struct, as those of
// xml.NewDecoder do.
func NewDecoder(r io.Reader, lim Limits) *xml.Decoder {
	return xml.NewTokenDecoder(NewReader(r, lim))
}

// Token returns the next token, or io.EOF at the end of the input.
func (r *Reader) Token() (xml.Token, error) {
	r.in.n, r.in.refused = 0, false
	tok, err := r.dec.RawToken()
	// Cut inside a character, the decoder may report the text as invalid
	// rather than pass the reader's error on; cut inside a text, it returns
	// the text read so far as if the input ended there.
	if err != nil || r.in.refused {
		if errors.Is(err, ErrTokenTooLarge) || r.in.refused {
			return nil, fmt.Errorf("%w (over %d bytes, at byte %d)", ErrTokenTooLarge, r.lim.MaxToken, r.dec.InputOffset())
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if r.depth++; r.depth > r.lim.MaxDepth {
			return nil, fmt.Errorf("%w (over %d levels)", ErrTooDeep, r.lim.MaxDepth)
		}
		n := 0
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
				n++
			}
		}
		r.names = append(r.names, n)
		if r.total += n; r.total > r.lim.MaxNames {
			return nil, fmt.Errorf("%w (over %d)", ErrTooManyNames, r.lim.MaxNames)
		}
	case xml.EndElement:
		r.depth = max(0, r.depth-1)
		if k := len(r.names); k > 0 {
			r.total -= r.names[k-1]
			r.names = r.names[:k-1]
		}
	}
	return tok, nil
}

// countingReader fails once n, the bytes read since Token reset it before
// a token, reaches max; refused records that it did. It is an
// io.ByteReader, so xml.Decoder reads it byte by byte, without buffering
// of its own past the token.
type countingReader struct {
	r       *bufio.Reader
	n, max  int
	refused bool
}

func (c *countingReader) ReadByte() (byte, error) {
	if c.n >= c.max {
		c.refused = true
		return 0, ErrTokenTooLarge
	}
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.max {
		c.refused = true
		return 0, ErrTokenTooLarge
	}
	p = p[:min(len(p), c.max-c.n)]
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
