package bot

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A body of unknown length is sent with its length when short, chunked as
// it comes when long, and whole either way.
func TestTransportSendsShortBodiesWhole(t *testing.T) {
	type seen struct {
		length   int64
		chunked  bool
		body     string
		received bool
	}
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		got = seen{r.ContentLength, len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked", string(data), true}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	client := &http.Client{Transport: NewTransport()}
	for _, c := range []struct {
		name    string
		body    string
		chunked bool
	}{
		{"short", strings.Repeat("字段", 200), false},
		{"empty", "", false},
		{"long", strings.Repeat("x", maxWholeBody+1000), true},
	} {
		pr, pw := io.Pipe()
		go func() {
			// Written in pieces, as a multipart form is.
			for b := []byte(c.body); len(b) > 0; {
				n := min(len(b), 100)
				pw.Write(b[:n])
				b = b[n:]
			}
			pw.Close()
		}()
		req, err := http.NewRequest(http.MethodPost, srv.URL, pr)
		if err != nil {
			t.Fatal(err)
		}
		got = seen{}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if !got.received || got.body != c.body || got.chunked != c.chunked {
			t.Errorf("%s: received %v, chunked %v (want %v), %d bytes of %d, same %v", c.name, got.received, got.chunked, c.chunked,
				len(got.body), len(c.body), got.body == c.body)
		}
		if !c.chunked && got.length != int64(len(c.body)) {
			t.Errorf("%s: Content-Length %d, want %d", c.name, got.length, len(c.body))
		}
	}
}
