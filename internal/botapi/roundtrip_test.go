package botapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dangwu/dangwu/internal/botapi"
)

func TestGetMe(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	me, err := b.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 7000001 || !me.IsBot || me.Username != "dangwu_bot" || me.FirstName != "党务助手" {
		t.Errorf("getMe = %+v", me)
	}
}

// A user writes, the bot answers with HTML and a keyboard, the user presses a button, the
// bot answers the press and edits its message: all through the real client library.
func TestRoundTrip(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	b, updates := startPolling(t, s)
	ctx := ctxTimeout(t, 10*time.Second)

	sent := s.PrivateText(42, "/start@dangwu_bot hello")
	u := receive(t, updates)
	if u.Message == nil || u.Message.Text != "/start@dangwu_bot hello" || u.Message.ID != sent.MessageID {
		t.Fatalf("update = %+v", u)
	}
	wantEntities := []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: 17}}
	if !reflect.DeepEqual(u.Message.Entities, wantEntities) {
		t.Errorf("entities = %+v, want %+v", u.Message.Entities, wantEntities)
	}
	if u.Message.Chat.ID != 42 || u.Message.Chat.Type != models.ChatTypePrivate || u.Message.From.LanguageCode != "zh-hans" {
		t.Errorf("chat = %+v, from = %+v", u.Message.Chat, u.Message.From)
	}

	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID:    u.Message.Chat.ID,
		Text:      "<b>欢迎</b>使用 &lt;党务助手&gt;",
		ParseMode: models.ParseModeHTML,
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "开始答题", CallbackData: "quiz:start"}},
		}},
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Text != "欢迎使用 <党务助手>" || msg.From.ID != 7000001 || msg.Date != int(clk.Now().Unix()) {
		t.Errorf("sent = %+v", msg)
	}
	if msg.ID != sent.MessageID+1 {
		t.Errorf("message id = %d, want %d (ids increase per chat)", msg.ID, sent.MessageID+1)
	}
	got := s.Messages(42)
	if len(got) != 1 || got[0].Text != "欢迎使用 <党务助手>" {
		t.Fatalf("Messages = %+v", got)
	}
	wantBold := []botapi.MessageEntity{{Type: botapi.EntityBold, Offset: 0, Length: 2}}
	if !reflect.DeepEqual(got[0].Entities, wantBold) || got[0].ReplyMarkup.InlineKeyboard[0][0].CallbackData != "quiz:start" {
		t.Errorf("stored = %+v", got[0])
	}

	queryID := s.Press(botapi.DefaultUser(42), botapi.PrivateChat(botapi.DefaultUser(42)), msg.ID, "quiz:start")
	u = receive(t, updates)
	cq := u.CallbackQuery
	if cq == nil || cq.ID != queryID || cq.Data != "quiz:start" || cq.Message.Message == nil || cq.Message.Message.ID != msg.ID {
		t.Fatalf("callback update = %+v", u)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "开始!"}); err != nil {
		t.Fatal(err)
	}
	if a, ok := s.CallbackAnswer(queryID); !ok || a.Text != "开始!" {
		t.Errorf("CallbackAnswer = %+v, %v", a, ok)
	}

	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{
		ChatID: 42, MessageID: msg.ID, Text: "第 <i>1</i> 题", ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "第 1 题" || edited.EditDate == 0 {
		t.Errorf("edited = %+v", edited)
	}
	got = s.Messages(42)
	if len(got) != 1 || got[0].Text != "第 1 题" || got[0].ReplyMarkup != nil {
		t.Errorf("after edit Messages = %+v (an edit without reply_markup drops the keyboard)", got)
	}

	events, err := s.WaitEvents(ctx, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []botapi.EventKind{events[0].Kind, events[1].Kind, events[2].Kind}
	if !reflect.DeepEqual(kinds, []botapi.EventKind{botapi.EventSend, botapi.EventAnswerCallback, botapi.EventEdit}) {
		t.Errorf("event kinds = %v", kinds)
	}
}

func TestCommandHandlerMatchesUserCommands(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	matched := make(chan string, 1)
	b := mustClient(t, s)
	b.RegisterHandler(bot.HandlerTypeMessageText, "help", bot.MatchTypeCommand, func(_ context.Context, _ *bot.Bot, u *models.Update) {
		matched <- u.Message.Text
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	s.PrivateText(7, "/help 党章")
	select {
	case text := <-matched:
		if text != "/help 党章" {
			t.Errorf("matched %q", text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the /help handler did not run")
	}
}

func TestDocumentsBothWays(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 5*time.Second)
	user := botapi.DefaultUser(42)

	in := s.SendDocument(user, botapi.PrivateChat(user), "题库.csv", "text/csv", []byte("q,a\n1,2\n"))
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: in.Document.FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(data) != "q,a\n1,2\n" || f.FileSize != 8 {
		t.Errorf("download = %d %q, size %d", resp.StatusCode, data, f.FileSize)
	}

	out, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:    42,
		Document:  &models.InputFileUpload{Filename: "成绩.pdf", Data: bytes.NewReader([]byte("%PDF-1.4"))},
		Caption:   "<b>成绩单</b>",
		ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Document == nil || out.Document.FileName != "成绩.pdf" || out.Document.MimeType != "application/pdf" || out.Caption != "成绩单" {
		t.Errorf("sent document = %+v, caption %q", out.Document, out.Caption)
	}
	name, data, ok := s.Document(42, out.ID)
	if !ok || name != "成绩.pdf" || string(data) != "%PDF-1.4" {
		t.Errorf("Document = %q %q %v", name, data, ok)
	}
	resend, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 42, Document: &models.InputFileString{Data: out.Document.FileID}})
	if err != nil || resend.Document.FileID != out.Document.FileID {
		t.Errorf("resend by file_id = %+v, %v", resend, err)
	}
}

func TestContactAndReplyKeyboard(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b, updates := startPolling(t, s)
	ctx := ctxTimeout(t, 5*time.Second)
	s.PrivateText(9, "/bind")
	receive(t, updates)

	_, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: 9, Text: "请共享手机号",
		ReplyMarkup: &models.ReplyKeyboardMarkup{
			Keyboard:        [][]models.KeyboardButton{{{Text: "共享手机号", RequestContact: true}}},
			OneTimeKeyboard: true, ResizeKeyboard: true,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	kb := s.Messages(9)[0].ReplyKeyboard
	if kb == nil || !kb.Keyboard[0][0].RequestContact || !kb.OneTimeKeyboard {
		t.Fatalf("reply keyboard = %+v", kb)
	}

	user := botapi.DefaultUser(9)
	s.SendContact(user, botapi.PrivateChat(user), botapi.Contact{PhoneNumber: "+8613800000000", FirstName: "张", UserID: 9})
	u := receive(t, updates)
	if u.Message == nil || u.Message.Contact == nil || u.Message.Contact.PhoneNumber != "+8613800000000" || u.Message.Contact.UserID != 9 {
		t.Fatalf("contact update = %+v", u.Message)
	}

	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: 9, Text: "已绑定", ReplyMarkup: &models.ReplyKeyboardRemove{RemoveKeyboard: true},
	}); err != nil {
		t.Fatal(err)
	}
	if m := s.Messages(9)[1]; !m.RemoveKeyboard {
		t.Errorf("remove_keyboard not recorded: %+v", m)
	}
}

func TestReplyParameters(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 5*time.Second)
	question := s.PrivateText(5, "什么是党章?")

	m, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: 5, Text: "答案", DisableNotification: true,
		ReplyParameters: &models.ReplyParameters{MessageID: question.MessageID},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ReplyToMessage == nil || m.ReplyToMessage.Text != "什么是党章?" || !s.Messages(5)[0].Silent {
		t.Errorf("reply = %+v", m.ReplyToMessage)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: "x", ReplyParameters: &models.ReplyParameters{MessageID: 999}})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("reply to a missing message: %v", err)
	}
}

func TestInlineQuery(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b, updates := startPolling(t, s)
	ctx := ctxTimeout(t, 5*time.Second)

	id := s.InlineQuery(botapi.DefaultUser(3), "党员 义务")
	u := receive(t, updates)
	if u.InlineQuery == nil || u.InlineQuery.ID != id || u.InlineQuery.Query != "党员 义务" {
		t.Fatalf("inline update = %+v", u)
	}
	_, err := b.AnswerInlineQuery(ctx, &bot.AnswerInlineQueryParams{
		InlineQueryID: id,
		Results: []models.InlineQueryResult{&models.InlineQueryResultArticle{
			ID: "art-1", Title: "党员的义务",
			InputMessageContent: &models.InputTextMessageContent{MessageText: "第三条"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	results, ok := s.InlineAnswer(id)
	if !ok || len(results) != 1 || results[0].Type != "article" || results[0].ID != "art-1" || results[0].Title != "党员的义务" {
		t.Errorf("InlineAnswer = %+v, %v", results, ok)
	}
	if !bytes.Contains(results[0].Raw, []byte("第三条")) {
		t.Errorf("raw result = %s", results[0].Raw)
	}
}

func TestCommands(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b := mustClient(t, s)
	ctx := ctxTimeout(t, 5*time.Second)
	all := []models.BotCommand{{Command: "start", Description: "开始"}, {Command: "quiz", Description: "答题"}}
	admin := []models.BotCommand{{Command: "stats", Description: "统计"}}

	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: all}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{
		Commands: admin, Scope: &models.BotCommandScopeChat{ChatID: 42}, LanguageCode: "zh",
	}); err != nil {
		t.Fatal(err)
	}
	want := []botapi.BotCommand{{Command: "start", Description: "开始"}, {Command: "quiz", Description: "答题"}}
	if got := s.Commands(botapi.BotCommandScope{}); !reflect.DeepEqual(got, want) {
		t.Errorf("default commands = %+v", got)
	}
	chat := botapi.BotCommandScope{Type: botapi.ScopeChat, ChatID: 42}
	if got := s.Commands(chat); got != nil {
		t.Errorf("chat commands without language = %+v, want none", got)
	}
	if got := s.LocalizedCommands(chat, "zh"); len(got) != 1 || got[0].Command != "stats" {
		t.Errorf("chat commands in zh = %+v", got)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: &models.BotCommandScopeChat{ChatID: 42}, LanguageCode: "zh"})
	if err != nil || len(got) != 1 || got[0].Command != "stats" {
		t.Errorf("getMyCommands = %+v, %v", got, err)
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands(botapi.BotCommandScope{Type: botapi.ScopeDefault}); got != nil {
		t.Errorf("after delete = %+v", got)
	}
}

func TestBlockBot(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	b, updates := startPolling(t, s)
	ctx := ctxTimeout(t, 5*time.Second)
	s.PrivateText(8, "hi")
	receive(t, updates)

	s.BlockBot(8)
	u := receive(t, updates)
	if u.MyChatMember == nil || u.MyChatMember.NewChatMember.Type != models.ChatMemberTypeBanned ||
		u.MyChatMember.OldChatMember.Type != models.ChatMemberTypeMember || u.MyChatMember.Chat.ID != 8 {
		t.Fatalf("my_chat_member = %+v", u.MyChatMember)
	}
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 8, Text: "还在吗"})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("send to a blocked user: %v, want ErrorForbidden", err)
	}

	s.UnblockBot(8)
	if u := receive(t, updates); u.MyChatMember == nil || u.MyChatMember.NewChatMember.Type != models.ChatMemberTypeMember {
		t.Fatalf("unblock update = %+v", u)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 8, Text: "欢迎回来"}); err != nil {
		t.Errorf("send after unblock: %v", err)
	}
}

// Telegram accepts JSON bodies and query strings as well as forms.
func TestRequestEncodings(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.PrivateText(1, "hi")
	base := s.URL() + "/bot" + token

	var m botapi.Message
	wantOK(t, do(t, base+"/sendMessage", "application/json", `{"chat_id":1,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]}}`), &m)
	if m.Text != "json" || m.ReplyMarkup == nil {
		t.Errorf("json body: %+v", m)
	}
	wantOK(t, do(t, base+"/sendMessage?chat_id=1&text=query", "", ""), &m)
	if m.Text != "query" {
		t.Errorf("query string: %+v", m)
	}
	resp, err := http.Get(base + "/getMe")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET getMe: %d", resp.StatusCode)
	}
	wantOK(t, do(t, base+"/SENDMESSAGE", "application/x-www-form-urlencoded", "chat_id=1&text=case"), nil)
}
