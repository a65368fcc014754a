package xmlbound_test

import (
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/xmlbound"
)

// tokens reads every token of next until an error, copying each.
func tokens(next func() (xml.Token, error)) ([]xml.Token, error) {
	var out []xml.Token
	for {
		tok, err := next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, err
		}
		out = append(out, xml.CopyToken(tok))
	}
}

func TestReaderHostile(t *testing.T) {
	const n = 1_000_000
	tests := []struct {
		name string
		xml  string
		want error
	}{
		{"a million attributes", `<row ` + strings.Repeat(`x="" `, n) + `/>`, xmlbound.ErrTokenTooLarge},
		{"10 MB between two tags", `<t>` + strings.Repeat("党", 10<<20/3) + `</t>`, xmlbound.ErrTokenTooLarge},
		{"a 5 MB name", `<` + strings.Repeat("a", 5<<20) + `/>`, xmlbound.ErrTokenTooLarge},
		{"a 5 MB comment", `<!--` + strings.Repeat("<", 5<<20) + `-->`, xmlbound.ErrTokenTooLarge},
		{"a million nested elements", strings.Repeat("<a>", n), xmlbound.ErrTooDeep},
		// each tag within the token limit, but Token keeps a record of
		// every declaration of the open elements
		{"60 nested tags of 1 MB of name spaces", strings.Repeat(`<a `+strings.Repeat(`xmlns:x="y" `, 80_000)+`>`, 60), xmlbound.ErrTooManyNames},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := memtest.Allocated(t, func() {
				_, err = tokens(xmlbound.NewDecoder(strings.NewReader(tt.xml), xmlbound.Limits{}).Token)
			})
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if alloc > 64<<20 {
				t.Errorf("%d MB of XML allocated %d MB", len(tt.xml)>>20, alloc>>20)
			}
		})
	}
}

// The declarations of elements that have ended no longer count: a document
// of many siblings that each declare a name space reads to its end, as
// does Word's root with its few dozen.
func TestNameSpacesOfClosedElementsAreFreed(t *testing.T) {
	doc := `<r xmlns="u" ` + strings.Repeat(`xmlns:p="v" `, 40) + `>` + strings.Repeat(`<a xmlns:q="w"><b/></a>`, 5000) + `</r>`
	toks, err := tokens(xmlbound.NewDecoder(strings.NewReader(doc), xmlbound.Limits{MaxNames: 64}).Token)
	if err != nil || len(toks) != 2+4*5000 {
		t.Errorf("%d tokens, %v; want %d and no error", len(toks), err, 2+4*5000)
	}
}

func TestDecoderDecodes(t *testing.T) {
	var v struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	const rels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`
	if err := xmlbound.NewDecoder(strings.NewReader(rels), xmlbound.Limits{}).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Rels) != 1 || v.Rels[0].ID != "rId1" || v.Rels[0].Target != "worksheets/sheet1.xml" {
		t.Fatalf("decoded %+v", v)
	}
	if _, err := tokens(xmlbound.NewDecoder(strings.NewReader("<a><b></a>"), xmlbound.Limits{}).Token); err == nil {
		t.Fatal("a mismatched end tag was read")
	}
}

// FuzzReader checks that within its limits a Reader gives the tokens
// xml.Decoder's RawToken gives, and Token through NewDecoder those of
// Token, and that past them it stops with its own error, at a token that
// is over them.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body><w:p><w:r><w:t xml:space="preserve">党费 </w:t></w:r></w:p></w:body></w:document>`,
		`<sst><si><t>a</t><rPh><t>b</t></rPh></si></sst>`,
		`<a x="1" y='2'>t&amp;<![CDATA[<>]]><!--c--><?pi x?></a>`,
		`<a><b></a>`, `<a`, `&bogus;`, `<a><a><a><a></a></a></a></a>`, `<!DOCTYPE x [<!ENTITY e "v">]><x>&e;</x>`,
	} {
		f.Add(s, uint8(0), uint8(0))
		f.Add(s, uint8(8), uint8(2))
	}
	f.Fuzz(func(t *testing.T, s string, maxToken, maxDepth uint8) {
		lim := xmlbound.Limits{MaxToken: int(maxToken), MaxDepth: int(maxDepth)}
		want, wantErr := tokens(xml.NewDecoder(strings.NewReader(s)).RawToken)
		got, err := tokens(xmlbound.NewReader(strings.NewReader(s), lim).Token)
		limited := errors.Is(err, xmlbound.ErrTokenTooLarge) || errors.Is(err, xmlbound.ErrTooDeep)
		switch {
		case limited && (lim.MaxToken == 0 && lim.MaxDepth == 0 || len(got) > len(want) || !sameTokens(got, want[:len(got)])):
			t.Fatalf("%q (limits %+v): %v after %d tokens, want %d tokens (%v)", s, lim, err, len(got), len(want), wantErr)
		case !limited && (!sameTokens(got, want) || (err == nil) != (wantErr == nil)):
			t.Fatalf("%q: tokens %#v (%v), want %#v (%v)", s, got, err, want, wantErr)
		}
		if errors.Is(err, xmlbound.ErrTokenTooLarge) && len(s) < lim.MaxToken {
			t.Fatalf("%q: a token over %d bytes in %d bytes", s, lim.MaxToken, len(s))
		}
		want, wantErr = tokens(xml.NewDecoder(strings.NewReader(s)).Token)
		got, err = tokens(xmlbound.NewDecoder(strings.NewReader(s), xmlbound.Limits{}).Token)
		if !sameTokens(got, want) || (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: Token gave %#v (%v), want %#v (%v)", s, got, err, want, wantErr)
		}
	})
}

func sameTokens(a, b []xml.Token) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
