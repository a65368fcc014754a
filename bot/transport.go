package bot

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

// NewTransport is the HTTP transport of the bot's calls to the Bot API:
// http.DefaultTransport's settings (HTTPS_PROXY and the rest), keeping as
// many idle connections to the one host as calls may be made at once —
// the handlers (Options.MaxParallel, 32 by default), the sender's workers
// and the long poll. DefaultTransport keeps 2, so under load most calls
// opened a connection (a TLS handshake, with Telegram) and closed it
// after one request. A request body of unknown length up to 64 KB (every
// call but a file upload) is read first and sent whole.
func NewTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.MaxIdleConns = max(t.MaxIdleConns, t.MaxIdleConnsPerHost)
	return wholeBodies{t}
}

// wholeBodies sends a request body of unknown length that turns out short
// with its length. go-telegram/bot writes each call's form through a pipe,
// so net/http sent it chunked, one write to the socket for every field
// (it flushes after each chunk): five or more a message.
type wholeBodies struct{ next http.RoundTripper }

// maxWholeBody is the longest body read before it is sent.
const maxWholeBody = 64 << 10

func (w wholeBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength > 0 {
		return w.next.RoundTrip(req)
	}
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, req.Body, maxWholeBody+1)
	if err != nil && !errors.Is(err, io.EOF) {
		req.Body.Close()
		return nil, err
	}
	out := req.Clone(req.Context())
	if n <= maxWholeBody {
		req.Body.Close()
		data := buf.Bytes()
		if len(data) == 0 {
			out.Body, out.GetBody, out.ContentLength = http.NoBody, nil, 0
			return w.next.RoundTrip(out)
		}
		out.Body = io.NopCloser(bytes.NewReader(data))
		out.ContentLength = int64(len(data))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		return w.next.RoundTrip(out)
	}
	// Longer (a file): the part read, then the rest, as it comes.
	out.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(&buf, req.Body), req.Body}
	return w.next.RoundTrip(out)
}
