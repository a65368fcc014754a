package botapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dangwu/dangwu/internal/botapi"
)

const token = "7000001:AAtest-token"

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mustStart starts a server with opts (the token is filled in) and closes it after the test.
func mustStart(tb testing.TB, opts botapi.Options) *botapi.Server {
	tb.Helper()
	opts.Token = token
	s := botapi.New(opts)
	if err := s.Start(); err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// mustClient returns a go-telegram/bot client of s; New calls getMe.
func mustClient(tb testing.TB, s *botapi.Server, opts ...bot.Option) *bot.Bot {
	tb.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(s.URL()),
		bot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := bot.New(token, opts...)
	if err != nil {
		tb.Fatalf("bot.New: %v", err)
	}
	return b
}

// startPolling runs b.Start with a default handler that passes updates to the channel it
// returns, until the test ends. opts are added to the client's options.
func startPolling(tb testing.TB, s *botapi.Server, opts ...bot.Option) (*bot.Bot, <-chan *models.Update) {
	tb.Helper()
	updates := make(chan *models.Update, 16)
	opts = append(opts, bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) {
		updates <- u
	}))
	b := mustClient(tb, s, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	tb.Cleanup(func() {
		cancel()
		<-done
	})
	return b, updates
}

// receive waits for the next update, failing the test after 5 s.
func receive(tb testing.TB, updates <-chan *models.Update) *models.Update {
	tb.Helper()
	select {
	case u := <-updates:
		return u
	case <-time.After(5 * time.Second):
		tb.Fatal("no update within 5 s")
		return nil
	}
}

// answer is a Bot API answer as it is on the wire.
type answer struct {
	status      int
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts form fields to a method of s, as application/x-www-form-urlencoded.
func call(tb testing.TB, s *botapi.Server, method string, fields map[string]string) answer {
	tb.Helper()
	a, err := post(s, method, fields)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// callAsync is call in a goroutine; the answer arrives on the channel (a failed request as
// an answer with status 0).
func callAsync(s *botapi.Server, method string, fields map[string]string) <-chan answer {
	ch := make(chan answer, 1)
	go func() {
		a, _ := post(s, method, fields)
		ch <- a
	}()
	return ch
}

func post(s *botapi.Server, method string, fields map[string]string) (answer, error) {
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	return send(s.URL()+"/bot"+token+"/"+method, "application/x-www-form-urlencoded", form.Encode())
}

// do posts body to u and decodes the answer.
func do(tb testing.TB, u, contentType, body string) answer {
	tb.Helper()
	a, err := send(u, contentType, body)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func send(u, contentType, body string) (answer, error) {
	resp, err := http.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	var a answer
	if err := json.Unmarshal(data, &a); err != nil {
		return answer{}, fmt.Errorf("decode %s: %w", data, err)
	}
	a.status = resp.StatusCode
	return a, nil
}

// wantRefusal checks that a refused with code and description, HTTP status included.
func wantRefusal(tb testing.TB, a answer, code int, description string) {
	tb.Helper()
	if a.OK || a.status != code || a.ErrorCode != code || a.Description != description {
		tb.Errorf("got ok=%v status=%d error_code=%d %q; want %d %q",
			a.OK, a.status, a.ErrorCode, a.Description, code, description)
	}
}

// wantOK checks that a succeeded and decodes its result into v, if v is not nil.
func wantOK(tb testing.TB, a answer, v any) {
	tb.Helper()
	if !a.OK || a.status != http.StatusOK {
		tb.Fatalf("got status=%d %d %q; want ok", a.status, a.ErrorCode, a.Description)
	}
	if v != nil {
		if err := json.Unmarshal(a.Result, v); err != nil {
			tb.Fatalf("decode result %s: %v", a.Result, err)
		}
	}
}

// keyboard returns a reply_markup with one callback button.
func keyboard(text, data string) string {
	b, _ := json.Marshal(map[string]any{"inline_keyboard": [][]map[string]string{{{"text": text, "callback_data": data}}}})
	return string(b)
}

func ctxTimeout(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}
