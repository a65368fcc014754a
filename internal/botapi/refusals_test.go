package botapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/dangwu/dangwu/internal/botapi"
)

const (
	badRequest = http.StatusBadRequest
	forbidden  = http.StatusForbidden
)

// refusal is one table case: fields sent and the answer expected; an empty description
// means the call must succeed.
type refusal struct {
	name   string
	fields map[string]string
	code   int
	desc   string
}

func checkRefusals(t *testing.T, s *botapi.Server, method string, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, s, method, tc.fields)
			if tc.desc == "" {
				wantOK(t, a, nil)
				return
			}
			wantRefusal(t, a, tc.code, tc.desc)
		})
	}
}

func text(t string) map[string]string { return map[string]string{"chat_id": "1", "text": t} }

func html(t string) map[string]string {
	return map[string]string{"chat_id": "1", "text": t, "parse_mode": "HTML"}
}

func TestRefusesTextLength(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	chinese := strings.Repeat("党", 4096)
	emoji := strings.Repeat("😀", 2048) // 4,096 UTF-16 code units
	const tooLong = "Bad Request: message is too long"
	const empty = "Bad Request: message text is empty"
	checkRefusals(t, s, "sendMessage", []refusal{
		{"empty", text(""), badRequest, empty},
		{"only white space", text(" \n\t "), badRequest, empty},
		{"only tags", html("<b></b>"), badRequest, empty},
		{"4096 Chinese characters", text(chinese), 0, ""},
		{"4097 Chinese characters", text(chinese + "党"), badRequest, tooLong},
		{"4096 characters with HTML tags", html("<b>" + chinese[:3*4000] + "</b><i>" + chinese[:3*96] + "</i>"), 0, ""},
		{"entities count once", html(strings.Repeat("&lt;", 4096)), 0, ""},
		{"one entity too many", html(strings.Repeat("&lt;", 4097)), badRequest, tooLong},
		{"2048 emoji are 4096 UTF-16 units", text(emoji), 0, ""},
		{"2049 emoji", text(emoji + "😀"), badRequest, tooLong},
		{"surrounding white space is not counted", text("\n\n" + chinese + "  "), 0, ""},
	})
}

func TestRefusesMalformedHTML(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	const prefix = "Bad Request: can't parse entities: "
	checkRefusals(t, s, "sendMessage", []refusal{
		{"every supported tag", html(`<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>` +
			`<strike>k</strike><del>d</del><a href="https://example.com/?a=1&amp;b=2">a</a><code>c</code>` +
			`<pre><code class="language-go">p</code></pre><tg-spoiler>t</tg-spoiler><span class="tg-spoiler">x</span>` +
			`<blockquote expandable>q</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`), 0, ""},
		{"supported entities", html(`&lt;&gt;&amp;&quot;&#39;&#34;&#x27;`), 0, ""},
		{"unknown tag", html("第一题 <p>x</p>"), badRequest, prefix + `Unsupported start tag "p" at byte offset 10`},
		{"unclosed tag", html("<b>粗体"), badRequest, prefix + `Can't find end tag corresponding to start tag "b"`},
		{"mismatched end tag", html("<b><i>x</b></i>"), badRequest,
			prefix + `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"end tag without start", html("x</b>"), badRequest, prefix + "Unexpected end tag at byte offset 1"},
		{"bare less-than", html("1 < 2"), badRequest, prefix + `Unsupported start tag "" at byte offset 2`},
		{"less-than at the end", html("1 <"), badRequest, prefix + "Unclosed start tag at byte offset 2"},
		{"bare ampersand", html("AT&T"), badRequest,
			prefix + `Unsupported HTML entity at byte offset 2: escape "&" as "&amp;"`},
		{"unknown named entity", html("a&nbsp;b"), badRequest,
			prefix + `Unsupported HTML entity at byte offset 1: escape "&" as "&amp;"`},
		{"span without the spoiler class", html(`<span class="x">s</span>`), badRequest,
			prefix + `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"attribute without value", html(`<a href>x</a>`), badRequest,
			prefix + `Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0`},
		{"unsupported parse mode", map[string]string{"chat_id": "1", "text": "*x*", "parse_mode": "MarkdownV2"},
			badRequest, "Bad Request: unsupported parse_mode"},
		{"HTML is literal without parse_mode", text("<p>1 < 2 & 3</p>"), 0, ""},
	})

	sent := s.Messages(1)[0]
	if sent.Entities[0].Type != botapi.EntityBold {
		t.Errorf("first entity = %+v", sent.Entities[0])
	}
	m := call(t, s, "editMessageText", map[string]string{
		"chat_id": "1", "message_id": strconv.Itoa(sent.MessageID), "text": "<b", "parse_mode": "HTML",
	})
	wantRefusal(t, m, badRequest, prefix+`Unclosed start tag at byte offset 0`)
}

func TestRefusesBadInlineKeyboards(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	withMarkup := func(markup string) map[string]string {
		return map[string]string{"chat_id": "1", "text": "选择", "reply_markup": markup}
	}
	button := func(fields string) map[string]string {
		return withMarkup(`{"inline_keyboard":[[{"text":"按钮"` + fields + `}]]}`)
	}
	checkRefusals(t, s, "sendMessage", []refusal{
		{"64 bytes of callback data", withMarkup(keyboard("a", strings.Repeat("x", 64))), 0, ""},
		{"65 bytes of callback data", withMarkup(keyboard("a", strings.Repeat("x", 65))), badRequest, "Bad Request: BUTTON_DATA_INVALID"},
		{"21 Chinese characters are 63 bytes", withMarkup(keyboard("a", strings.Repeat("题", 21))), 0, ""},
		{"22 Chinese characters are 66 bytes", withMarkup(keyboard("a", strings.Repeat("题", 22))), badRequest, "Bad Request: BUTTON_DATA_INVALID"},
		{"empty callback data", button(`,"callback_data":""`), badRequest, "Bad Request: BUTTON_DATA_INVALID"},
		{"no action", button(``), badRequest,
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"two actions", button(`,"callback_data":"a","url":"https://example.com"`), badRequest,
			"Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used"},
		{"empty text", withMarkup(keyboard("", "a")), badRequest,
			"Bad Request: can't parse inline keyboard button: button text must be non-empty"},
		{"https url", button(`,"url":"https://example.com/x"`), 0, ""},
		{"tg url", button(`,"url":"tg://resolve?domain=dangwu_bot"`), 0, ""},
		{"ftp url", button(`,"url":"ftp://example.com"`), badRequest, "Bad Request: BUTTON_URL_INVALID"},
		{"javascript url", button(`,"url":"javascript:alert(1)"`), badRequest, "Bad Request: BUTTON_URL_INVALID"},
		{"copy_text with empty text counts as absent", button(`,"callback_data":"a","copy_text":{"text":""}`), 0, ""},
		{"not JSON", withMarkup(`{inline`), badRequest, "Bad Request: can't parse reply keyboard markup JSON object"},
		{"empty keyboard", withMarkup(`{"inline_keyboard":[]}`), 0, ""},
	})
}

func TestRefusesEditsAndDeletes(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	userMsg := s.PrivateText(1, "hi")
	var m botapi.Message
	wantOK(t, call(t, s, "sendMessage", map[string]string{"chat_id": "1", "text": "题目", "reply_markup": keyboard("A", "a")}), &m)
	var gone botapi.Message
	wantOK(t, call(t, s, "sendMessage", text("将被删除")), &gone)
	wantOK(t, call(t, s, "deleteMessage", map[string]string{"chat_id": "1", "message_id": strconv.Itoa(gone.MessageID)}), nil)

	id := strconv.Itoa(m.MessageID)
	edit := func(msgID, text, markup string) map[string]string {
		f := map[string]string{"chat_id": "1", "message_id": msgID, "text": text}
		if markup != "" {
			f["reply_markup"] = markup
		}
		return f
	}
	const notFound = "Bad Request: message to edit not found"
	const notModified = "Bad Request: message is not modified: specified new message content and reply markup " +
		"are exactly the same as a current content and reply markup of the message"
	checkRefusals(t, s, "editMessageText", []refusal{
		{"unknown message", edit("999", "x", ""), badRequest, notFound},
		{"deleted message", edit(strconv.Itoa(gone.MessageID), "x", ""), badRequest, notFound},
		{"the user's message", edit(strconv.Itoa(userMsg.MessageID), "x", ""), badRequest, notFound},
		{"same text and keyboard", edit(id, "题目", keyboard("A", "a")), badRequest, notModified},
		{"same text, keyboard removed", edit(id, "题目", ""), 0, ""},
		{"same text, no keyboard again", edit(id, "题目", ""), badRequest, notModified},
		{"same text, formatted", map[string]string{"chat_id": "1", "message_id": id, "text": "<b>题目</b>", "parse_mode": "HTML"}, 0, ""},
	})
	checkRefusals(t, s, "editMessageReplyMarkup", []refusal{
		{"new keyboard", map[string]string{"chat_id": "1", "message_id": id, "reply_markup": keyboard("B", "b")}, 0, ""},
		{"same keyboard", map[string]string{"chat_id": "1", "message_id": id, "reply_markup": keyboard("B", "b")}, badRequest, notModified},
		{"reply keyboard", map[string]string{"chat_id": "1", "message_id": id, "reply_markup": `{"keyboard":[["x"]]}`},
			badRequest, "Bad Request: inline keyboard expected"},
		{"unknown message", map[string]string{"chat_id": "1", "message_id": "999"}, badRequest, notFound},
	})

	var old botapi.Message
	wantOK(t, call(t, s, "sendMessage", text("旧消息")), &old)
	clk.Advance(48*time.Hour + time.Second)
	groupMsg := s.GroupText(-100, 2, "大家好")
	del := func(chat int64, msgID int) map[string]string {
		return map[string]string{"chat_id": strconv.FormatInt(chat, 10), "message_id": strconv.Itoa(msgID)}
	}
	checkRefusals(t, s, "deleteMessage", []refusal{
		{"unknown message", del(1, 999), badRequest, "Bad Request: message to delete not found"},
		{"deleted already", del(1, gone.MessageID), badRequest, "Bad Request: message to delete not found"},
		{"older than 48 hours", del(1, old.MessageID), badRequest, "Bad Request: message can't be deleted"},
		{"someone else's in a group", del(-100, groupMsg.MessageID), badRequest, "Bad Request: message can't be deleted"},
	})
	fresh := s.PrivateText(1, "我的手机号是…")
	wantOK(t, call(t, s, "deleteMessage", del(1, fresh.MessageID)), nil) // bots may delete incoming private messages
}

func TestRefusesUnknownChats(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	s.PrivateText(2, "hi")
	s.BlockBot(2)
	checkRefusals(t, s, "sendMessage", []refusal{
		{"known user", text("ok"), 0, ""},
		{"user who never started the bot", map[string]string{"chat_id": "3", "text": "x"}, forbidden,
			"Forbidden: bot can't initiate conversation with a user"},
		{"unknown group", map[string]string{"chat_id": "-100200", "text": "x"}, badRequest, "Bad Request: chat not found"},
		{"channel username", map[string]string{"chat_id": "@channel", "text": "x"}, badRequest, "Bad Request: chat not found"},
		{"blocked user", map[string]string{"chat_id": "2", "text": "x"}, forbidden, "Forbidden: bot was blocked by the user"},
		{"no chat id", map[string]string{"text": "x"}, badRequest, "Bad Request: chat_id is empty"},
	})
	checkRefusals(t, s, "sendChatAction", []refusal{
		{"typing", map[string]string{"chat_id": "1", "action": "typing"}, 0, ""},
		{"unknown action", map[string]string{"chat_id": "1", "action": "dancing"}, badRequest, "Bad Request: wrong parameter action in request"},
		{"blocked user", map[string]string{"chat_id": "2", "action": "typing"}, forbidden, "Forbidden: bot was blocked by the user"},
	})
}

func TestRefusesLateCallbackAnswers(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	user := botapi.DefaultUser(1)
	chat := botapi.PrivateChat(user)
	s.PrivateText(1, "hi")
	press := func() string { return s.Press(user, chat, 1, "x") }
	answer := func(id, text string) map[string]string {
		return map[string]string{"callback_query_id": id, "text": text}
	}
	const invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"

	answered := press()
	wantOK(t, call(t, s, "answerCallbackQuery", answer(answered, "")), nil)
	late := press()
	clk.Advance(15*time.Second + time.Millisecond)
	onTime := press()
	inline := s.InlineQuery(user, "q")
	checkRefusals(t, s, "answerCallbackQuery", []refusal{
		{"unknown query", answer("12345", ""), badRequest, invalid},
		{"answered twice", answer(answered, ""), badRequest, invalid},
		{"after 15 seconds", answer(late, ""), badRequest, invalid},
		{"an inline query id", answer(inline, ""), badRequest, invalid},
		{"201 characters", answer(onTime, strings.Repeat("答", 201)), badRequest, "Bad Request: MESSAGE_TOO_LONG"},
		{"200 characters", answer(onTime, strings.Repeat("答", 200)), 0, ""},
	})
}

func TestRefusesBadCommands(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	commands := func(list ...string) map[string]string {
		var items []string
		for i := 0; i+1 < len(list); i += 2 {
			items = append(items, fmt.Sprintf(`{"command":%q,"description":%q}`, list[i], list[i+1]))
		}
		return map[string]string{"commands": "[" + strings.Join(items, ",") + "]"}
	}
	var hundred, hundredOne []string
	for i := range 101 {
		if i < 100 {
			hundred = append(hundred, fmt.Sprintf("c%d", i), "说明")
		}
		hundredOne = append(hundredOne, fmt.Sprintf("c%d", i), "说明")
	}
	checkRefusals(t, s, "setMyCommands", []refusal{
		{"valid", commands("start", "开始", "quiz_2", "答题"), 0, ""},
		{"100 commands", commands(hundred...), 0, ""},
		{"101 commands", commands(hundredOne...), badRequest, "Bad Request: BOT_COMMANDS_TOO_MUCH"},
		{"upper case", commands("Start", "开始"), badRequest, "Bad Request: BOT_COMMAND_INVALID"},
		{"leading slash", commands("/start", "开始"), badRequest, "Bad Request: BOT_COMMAND_INVALID"},
		{"Chinese command", commands("开始", "开始"), badRequest, "Bad Request: BOT_COMMAND_INVALID"},
		{"32 characters", commands(strings.Repeat("a", 32), "x"), 0, ""},
		{"33 characters", commands(strings.Repeat("a", 33), "x"), badRequest, "Bad Request: BOT_COMMAND_INVALID"},
		{"empty description", commands("start", ""), badRequest, "Bad Request: command description must be non-empty"},
		{"256-character description", commands("start", strings.Repeat("说", 256)), 0, ""},
		{"257-character description", commands("start", strings.Repeat("说", 257)), badRequest, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"},
		{"no commands field", map[string]string{}, badRequest, `Bad Request: parameter "commands" is required`},
		{"unknown scope", map[string]string{"commands": "[]", "scope": `{"type":"everyone"}`}, badRequest,
			`Bad Request: unsupported bot command scope type "everyone"`},
	})
}

func TestRefusesFilesOver20MB(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	user := botapi.DefaultUser(1)
	limit := s.SendDocument(user, botapi.PrivateChat(user), "limit.bin", "", make([]byte, 20<<20))
	big := s.SendDocument(user, botapi.PrivateChat(user), "big.bin", "", make([]byte, 20<<20+1))
	checkRefusals(t, s, "getFile", []refusal{
		{"20 MB", map[string]string{"file_id": limit.Document.FileID}, 0, ""},
		{"over 20 MB", map[string]string{"file_id": big.Document.FileID}, badRequest, "Bad Request: file is too big"},
		{"unknown file", map[string]string{"file_id": "nope"}, badRequest, "Bad Request: invalid file_id"},
	})
}

func TestRefusesWrongTokenAndUnknownMethod(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	wantRefusal(t, do(t, s.URL()+"/bot123:wrong/getMe", "", ""), http.StatusUnauthorized, "Unauthorized")
	wantRefusal(t, do(t, s.URL()+"/bot"+token+"/sendPigeon", "", ""), http.StatusNotFound, "Not Found")
	wantRefusal(t, do(t, s.URL()+"/elsewhere", "", ""), http.StatusNotFound, "Not Found")

	resp, err := http.Get(s.URL() + "/file/bot123:wrong/documents/file_1.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("download with a wrong token: %d", resp.StatusCode)
	}

	b, err := bot.New("123:wrong", bot.WithServerURL(s.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) || b != nil {
		t.Errorf("bot.New with a wrong token: %v", err)
	}
}
