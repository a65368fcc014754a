package botapi

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// paramSeeds are request bodies with their Content-Type, as clients send
// them and as they should not.
var paramSeeds = []struct{ contentType, body string }{
	{"application/json", `{"chat_id":42,"text":"党费怎么交","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"kb:up:1:1"}]]},"parse_mode":null}`},
	{"application/json", `{"chat_id":"@x","text":"\u0000\ud800"}`},
	{"application/json", `[1,2]`},
	{"application/json", `{"a":1,"a":2}`},
	{"application/json; charset=utf-8", ``},
	{"application/x-www-form-urlencoded", "chat_id=42&text=%E5%85%9A%E8%B4%B9&text=x&reply_markup=%7B%7D"},
	{"application/x-www-form-urlencoded", "a=%zz;b"},
	{"", "chat_id=1"},
	{"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n--XX\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n党费\r\n--XX--\r\n"},
	{"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"},
	{"multipart/form-data", "--\r\n"},
	{"text/plain; x=\"", "x"},
}

// FuzzParseParams checks that any body of any type, with any query
// string, is read or refused with an API error of Telegram's kind, and
// that what is read holds no more bytes than the request.
func FuzzParseParams(f *testing.F) {
	for _, s := range paramSeeds {
		f.Add(s.contentType, []byte(s.body), "offset=1")
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte, query string) {
		r := httptest.NewRequest(http.MethodPost, "/bot1:x/sendMessage", bytes.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", contentType)
		p, apiErr := parseParams(r)
		if apiErr != nil {
			if apiErr.Code != http.StatusBadRequest && apiErr.Code != http.StatusRequestEntityTooLarge || apiErr.Description == "" {
				t.Fatalf("parseParams(%q, %q): error %+v", contentType, body, apiErr)
			}
			return
		}
		n := 0
		for k, v := range p.values {
			n += len(k) + len(v)
			if len(v) > maxFieldBytes {
				t.Fatalf("parseParams(%q, %q): field %q of %d bytes", contentType, body, k, len(v))
			}
			if p.Get(k) != v || !p.Has(k) {
				t.Fatalf("parseParams(%q, %q): field %q reads %q", contentType, body, k, p.Get(k))
			}
		}
		for k, u := range p.uploads {
			n += len(k) + len(u.data)
			if len(u.data) > maxUploadBytes || u.name == "" {
				t.Fatalf("parseParams(%q, %q): upload %q %+v", contentType, body, k, u)
			}
		}
		// JSON reads a bad byte as U+FFFD: three bytes for one.
		if n > 3*len(body)+len(query) {
			t.Fatalf("parseParams(%q, %q, %q): %d bytes of fields from %d", contentType, body, query, n, len(body)+len(query))
		}
		var v struct {
			A int `json:"chat_id"`
		}
		p.json("reply_markup", &v) // any text: parsed or refused
		p.int64("chat_id")
		p.bool("disable_notification")
	})
}

// FuzzParamsRoundTrip checks that two fields sent in each encoding a
// client may use — query string, form, JSON, multipart — read back as
// they were sent.
func FuzzParamsRoundTrip(f *testing.F) {
	f.Add("chat_id", "42", "text", "党费怎么交？")
	f.Add("a b", "&=?", "c\"d", "\\")
	f.Add("text", "", "reply_markup", `{"inline_keyboard":[]}`)
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		if k1 == "" || k2 == "" || k1 == k2 {
			return
		}
		want := map[string]string{k1: v1, k2: v2}
		check := func(how string, r *http.Request) {
			t.Helper()
			p, apiErr := parseParams(r)
			if apiErr != nil {
				t.Fatalf("%s of %q: %+v", how, want, apiErr)
			}
			for k, v := range want {
				if got := p.Get(k); got != v || !p.Has(k) {
					t.Fatalf("%s of %q: %q reads %q", how, want, k, got)
				}
			}
		}
		form := url.Values{k1: {v1}, k2: {v2}}.Encode()
		r := httptest.NewRequest(http.MethodGet, "/bot1:x/getMe?"+form, nil)
		check("query", r)
		r = httptest.NewRequest(http.MethodPost, "/bot1:x/getMe", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		check("form", r)
		printable := func(s string) bool {
			return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
		}
		valid := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, utf8.RuneError) }
		if valid(k1) && valid(v1) && valid(k2) && valid(v2) {
			body, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			r = httptest.NewRequest(http.MethodPost, "/bot1:x/getMe", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			check("json", r)
		}
		if printable(k1) && printable(k2) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField(k1, v1)
			mw.WriteField(k2, v2)
			mw.Close()
			r = httptest.NewRequest(http.MethodPost, "/bot1:x/getMe", &buf)
			r.Header.Set("Content-Type", mw.FormDataContentType())
			check("multipart", r)
		}
	})
}

// FuzzServe checks that any call of a method the bot uses, with any body,
// is answered as Telegram answers: JSON with ok, and for a refusal an
// error_code that is the HTTP status and a description.
func FuzzServe(f *testing.F) {
	for _, s := range paramSeeds {
		f.Add("sendMessage", s.contentType, []byte(s.body))
	}
	f.Add("editMessageText", "application/json", []byte(`{"chat_id":42,"message_id":1,"text":"<b>x</b>","parse_mode":"HTML"}`))
	f.Add("answerCallbackQuery", "application/json", []byte(`{"callback_query_id":"1","text":"x","show_alert":true}`))
	f.Add("sendPoll", "application/json", []byte(`{"chat_id":42,"question":"q","options":[{"text":"a"},{"text":"b"}],"type":"quiz","correct_option_id":5}`))
	f.Add("setMyCommands", "application/json", []byte(`{"commands":[{"command":"Bad Command","description":""}],"scope":{"type":"chat"}}`))
	f.Add("sendDocument", paramSeeds[8].contentType, []byte(paramSeeds[8].body))
	// Methods that wait (getUpdates) or call out (setWebhook) are left out.
	allowed := map[string]bool{"getMe": true, "sendMessage": true, "editMessageText": true, "editMessageReplyMarkup": true, "editMessageCaption": true,
		"deleteMessage": true, "sendChatAction": true, "getChat": true, "answerCallbackQuery": true, "answerInlineQuery": true, "setMyCommands": true,
		"getMyCommands": true, "deleteMyCommands": true, "sendDocument": true, "getFile": true, "sendPhoto": true, "editMessageMedia": true,
		"sendPoll": true, "stopPoll": true, "getWebhookInfo": true, "nosuchMethod": true}
	s := New(Options{Token: "1:x"})
	defer s.Close()
	s.PrivateText(42, "/start") // chat 42 exists, with a message 1
	f.Fuzz(func(t *testing.T, method, contentType string, body []byte) {
		if !allowed[method] {
			return
		}
		r := httptest.NewRequest(http.MethodPost, "/bot1:x/"+method, bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		var resp struct {
			OK          *bool           `json:"ok"`
			Result      json.RawMessage `json:"result"`
			ErrorCode   int             `json:"error_code"`
			Description string          `json:"description"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.OK == nil {
			t.Fatalf("%s %q: answered %d %q (%v)", method, body, w.Code, w.Body.Bytes(), err)
		}
		switch {
		case *resp.OK && (w.Code != http.StatusOK || len(resp.Result) == 0):
			t.Fatalf("%s %q: ok with status %d and result %q", method, body, w.Code, resp.Result)
		case !*resp.OK && (resp.ErrorCode != w.Code || w.Code < 400 || resp.Description == ""):
			t.Fatalf("%s %q: refused with status %d, %+v", method, body, w.Code, resp)
		}
	})
}
