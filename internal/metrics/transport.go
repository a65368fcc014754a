package metrics

import (
	"net/http"
	"strconv"
	"strings"
)

// Transport wraps next (nil: http.DefaultTransport) so that every Bot API
// call that fails is counted in dangwu_botapi_errors_total: by its method
// and HTTP status (Telegram answers a refusal with its error_code as the
// status), or "network" when no answer came. A call cancelled by its caller
// (shutdown, a long poll given up) is not an error. The method is the last
// segment of the path, so the token in the path never becomes a label.
func (m *Metrics) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return &countingTransport{next: next, m: m}
}

type countingTransport struct {
	next http.RoundTripper
	m    *Metrics
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	switch {
	case err != nil:
		if req.Context().Err() == nil {
			t.m.apiErrors.WithLabelValues(apiMethod(req.URL.Path), "network").Inc()
		}
	case resp.StatusCode >= 400:
		t.m.apiErrors.WithLabelValues(apiMethod(req.URL.Path), strconv.Itoa(resp.StatusCode)).Inc()
	}
	return resp, err
}

// apiMethod names the Bot API method of a request path
// (/bot<token>/sendMessage), "file" for a file download
// (/file/bot<token>/<path>), and "other" for anything else.
func apiMethod(path string) string {
	if strings.Contains(path, "/file/bot") {
		return "file"
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 || !strings.Contains(path[:i+1], "/bot") {
		return "other"
	}
	name := path[i+1:]
	if name == "" || len(name) > 64 {
		return "other"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "other"
		}
	}
	return name
}
