package botapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dangwu/dangwu/internal/botapi"
)

const groupID = -100

// pollFields returns the fields of a sendPoll to the group, options as InputPollOption
// objects; extra are more field names and values.
func pollFields(question string, options []string, extra ...string) map[string]string {
	objects := make([]map[string]string, len(options))
	for i, o := range options {
		objects[i] = map[string]string{"text": o}
	}
	data, _ := json.Marshal(objects)
	f := map[string]string{"chat_id": strconv.Itoa(groupID), "question": question, "options": string(data)}
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i]] = extra[i+1]
	}
	return f
}

func numbered(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("选项%d", i+1)
	}
	return out
}

var abc = []string{"甲", "乙", "丙"}

// sendPoll sends a poll with the raw API and returns its message.
func sendPoll(t *testing.T, s *botapi.Server, fields map[string]string) botapi.Message {
	t.Helper()
	var m botapi.Message
	wantOK(t, call(t, s, "sendPoll", fields), &m)
	if m.Poll == nil {
		t.Fatalf("sendPoll answered a message without a poll: %+v", m)
	}
	return m
}

// takeUpdates returns the pending updates and confirms them.
func takeUpdates(t *testing.T, s *botapi.Server) []botapi.Update {
	t.Helper()
	var updates []botapi.Update
	wantOK(t, call(t, s, "getUpdates", nil), &updates)
	if len(updates) > 0 {
		last := strconv.FormatInt(updates[len(updates)-1].UpdateID+1, 10)
		wantOK(t, call(t, s, "getUpdates", map[string]string{"offset": last}), nil)
	}
	return updates
}

// A quiz in a group, through the real client: sent, answered by two members, stopped.
func TestQuizPollRoundTrip(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	b, updates := startPolling(t, s, bot.WithNotAsyncHandlers()) // updates in order
	ctx := ctxTimeout(t, 10*time.Second)
	s.GroupText(groupID, 1, "/challenge")
	receive(t, updates)

	msg, err := b.SendPoll(ctx, &bot.SendPollParams{
		ChatID:            groupID,
		Question:          "党的<b>最高</b>领导机关是？",
		QuestionParseMode: models.ParseModeHTML,
		Options: []models.InputPollOption{
			{Text: "中央政治局"}, {Text: "党的全国代表大会和它所产生的中央委员会"}, {Text: "中央书记处"},
		},
		IsAnonymous:          bot.False(),
		Type:                 "quiz",
		CorrectOptionID:      1,
		Explanation:          "见<i>党章</i>第十条",
		ExplanationParseMode: "HTML",
		OpenPeriod:           60,
	})
	if err != nil {
		t.Fatal(err)
	}
	p := msg.Poll
	if p == nil || p.Type != "quiz" || p.IsAnonymous || p.IsClosed || p.CorrectOptionID != 1 || len(p.Options) != 3 {
		t.Fatalf("sent poll = %+v", p)
	}
	if p.Question != "党的最高领导机关是？" || len(p.QuestionEntities) != 0 {
		t.Errorf("question = %q %+v (only custom emoji entities stay in a question)", p.Question, p.QuestionEntities)
	}
	wantItalic := []models.MessageEntity{{Type: models.MessageEntityTypeItalic, Offset: 1, Length: 2}}
	if p.Explanation != "见党章第十条" || !reflect.DeepEqual(p.ExplanationEntities, wantItalic) {
		t.Errorf("explanation = %q %+v", p.Explanation, p.ExplanationEntities)
	}
	if p.OpenPeriod != 60 || p.CloseDate != int(clk.Now().Unix())+60 || p.Options[1].Text != "党的全国代表大会和它所产生的中央委员会" {
		t.Errorf("poll = %+v", p)
	}

	first, second := botapi.DefaultUser(2), botapi.DefaultUser(3)
	if err := s.AnswerPoll(first, p.ID, 1); err != nil {
		t.Fatal(err)
	}
	u := receive(t, updates)
	if a := u.PollAnswer; a == nil || a.PollID != p.ID || a.User == nil || a.User.ID != 2 || !reflect.DeepEqual(a.OptionIDs, []int{1}) {
		t.Fatalf("poll_answer update = %+v", u)
	}
	u = receive(t, updates)
	if u.Poll == nil || u.Poll.ID != p.ID || u.Poll.TotalVoterCount != 1 || u.Poll.Options[1].VoterCount != 1 {
		t.Fatalf("poll update = %+v", u)
	}
	if err := s.AnswerPoll(first, p.ID, 0); !errors.Is(err, botapi.ErrQuizAnswerFinal) {
		t.Errorf("second vote on a quiz: %v, want ErrQuizAnswerFinal", err)
	}
	if err := s.AnswerPoll(second, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	if u := receive(t, updates); u.PollAnswer == nil || u.PollAnswer.User.ID != 3 {
		t.Fatalf("second poll_answer = %+v", u)
	}
	receive(t, updates) // its poll update

	stopped, err := b.StopPoll(ctx, &bot.StopPollParams{ChatID: groupID, MessageID: msg.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !stopped.IsClosed || stopped.TotalVoterCount != 2 || stopped.Options[0].VoterCount != 1 || stopped.Options[1].VoterCount != 1 {
		t.Errorf("stopped poll = %+v", stopped)
	}
	if u := receive(t, updates); u.Poll == nil || !u.Poll.IsClosed {
		t.Errorf("poll update after stopPoll = %+v", u)
	}
	_, err = b.StopPoll(ctx, &bot.StopPollParams{ChatID: groupID, MessageID: msg.ID})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "poll has already been closed") {
		t.Errorf("second stopPoll: %v", err)
	}
	if m := s.Messages(groupID)[0]; m.Poll == nil || !m.Poll.IsClosed || m.Poll.TotalVoterCount != 2 {
		t.Errorf("the poll's message = %+v", m.Poll)
	}

	var kinds []botapi.EventKind
	for _, e := range s.Events() {
		kinds = append(kinds, e.Kind)
	}
	want := []botapi.EventKind{botapi.EventPoll, botapi.EventStopPoll, botapi.EventRefused}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("event kinds = %v, want %v", kinds, want)
	}
	if e := s.Events()[0]; e.Method != "sendPoll" || e.ChatID != groupID || e.Message.Poll.ID != p.ID {
		t.Errorf("sendPoll event = %+v", e)
	}
}

func TestRefusesBadPolls(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	s.GroupText(groupID, 1, "hi")
	s.PrivateText(2, "hi")
	s.BlockBot(2)
	now := clk.Now().Unix()
	in := func(seconds int64) string { return strconv.FormatInt(now+seconds, 10) }
	quiz := func(extra ...string) map[string]string {
		return pollFields("问题", abc, append([]string{"type", "quiz", "correct_option_id", "0"}, extra...)...)
	}
	const (
		tooLong     = "Bad Request: poll question length must not exceed 300"
		noQuestion  = "Bad Request: poll question must be non-empty"
		tooFew      = "Bad Request: poll must have at least 2 option"
		tooMany     = "Bad Request: poll can't have more than 10 options"
		optionLong  = "Bad Request: poll options length must not exceed 100"
		wrongOption = "Bad Request: wrong correct option ID specified"
		openPeriod  = "Bad Request: open_period must be between 5 and 600"
		closeDate   = "Bad Request: close_date must be 5 to 600 seconds in the future"
	)
	checkRefusals(t, s, "sendPoll", []refusal{
		{"300-character question", pollFields(strings.Repeat("问", 300), abc), 0, ""},
		{"301-character question", pollFields(strings.Repeat("问", 301), abc), badRequest, tooLong},
		{"300 emoji are 300 characters", pollFields(strings.Repeat("😀", 300), abc), 0, ""},
		{"tags are not counted", pollFields("<b>"+strings.Repeat("问", 300)+"</b>", abc, "question_parse_mode", "HTML"), 0, ""},
		{"question of white space", pollFields(" \n ", abc), badRequest, noQuestion},
		{"no question", pollFields("", abc), badRequest, noQuestion},
		{"1 option", pollFields("问题", numbered(1)), badRequest, tooFew},
		{"no options field", map[string]string{"chat_id": "-100", "question": "问题"}, badRequest, tooFew},
		{"10 options", pollFields("问题", numbered(10)), 0, ""},
		{"11 options", pollFields("问题", numbered(11)), badRequest, tooMany},
		{"100-character option", pollFields("问题", []string{"甲", strings.Repeat("选", 100)}), 0, ""},
		{"101-character option", pollFields("问题", []string{"甲", strings.Repeat("选", 101)}), badRequest, optionLong},
		{"empty option", pollFields("问题", []string{"甲", " "}), badRequest, "Bad Request: poll options must be non-empty"},
		{"options as plain strings", map[string]string{"chat_id": "-100", "question": "问题", "options": `["甲","乙"]`}, 0, ""},
		{"options not JSON", map[string]string{"chat_id": "-100", "question": "问题", "options": `[甲`}, badRequest,
			"Bad Request: can't parse options JSON object"},
		{"option neither string nor object", map[string]string{"chat_id": "-100", "question": "问题", "options": `[1,2]`}, badRequest,
			"Bad Request: can't parse InputPollOption: Expected InputPollOption to be an Object"},
		{"unknown poll type", pollFields("问题", abc, "type", "survey"), badRequest, "Bad Request: unsupported poll type specified"},
		{"malformed HTML question", pollFields("<b>问题", abc, "question_parse_mode", "HTML"), badRequest,
			`Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"unsupported question_parse_mode", pollFields("问题", abc, "question_parse_mode", "Markdown"), badRequest,
			"Bad Request: unsupported parse_mode"},

		{"quiz", quiz(), 0, ""},
		{"quiz with the last option correct", quiz("correct_option_id", "2"), 0, ""},
		{"quiz without correct_option_id", pollFields("问题", abc, "type", "quiz"), badRequest, wrongOption},
		{"quiz with correct_option_id out of range", quiz("correct_option_id", "3"), badRequest, wrongOption},
		{"quiz with a negative correct_option_id", quiz("correct_option_id", "-1"), badRequest, wrongOption},
		{"quiz allowing multiple answers", quiz("allows_multiple_answers", "true"), badRequest, "Bad Request: QUIZ_MULTIPLE_INVALID"},
		{"200-character explanation", quiz("explanation", strings.Repeat("解", 200)), 0, ""},
		{"201-character explanation", quiz("explanation", strings.Repeat("解", 201)), badRequest,
			"Bad Request: poll explanation length must not exceed 200"},
		{"explanation tags are not counted", quiz("explanation", "<i>"+strings.Repeat("解", 200)+"</i>", "explanation_parse_mode", "HTML"), 0, ""},
		{"explanation with 2 line feeds", quiz("explanation", "一\n二\n三"), 0, ""},
		{"explanation with 3 line feeds", quiz("explanation", "一\n二\n三\n四"), badRequest,
			"Bad Request: poll explanation must have at most 2 line feeds"},
		{"a regular poll ignores explanation", pollFields("问题", abc, "explanation", strings.Repeat("解", 201)), 0, ""},
		{"a regular poll ignores correct_option_id", pollFields("问题", abc, "correct_option_id", "0"), 0, ""},

		{"open_period 4", pollFields("问题", abc, "open_period", "4"), badRequest, openPeriod},
		{"open_period 5", pollFields("问题", abc, "open_period", "5"), 0, ""},
		{"open_period 600", pollFields("问题", abc, "open_period", "600"), 0, ""},
		{"open_period 601", pollFields("问题", abc, "open_period", "601"), badRequest, openPeriod},
		{"close_date 4 s ahead", pollFields("问题", abc, "close_date", in(4)), badRequest, closeDate},
		{"close_date 5 s ahead", pollFields("问题", abc, "close_date", in(5)), 0, ""},
		{"close_date 600 s ahead", pollFields("问题", abc, "close_date", in(600)), 0, ""},
		{"close_date 601 s ahead", pollFields("问题", abc, "close_date", in(601)), badRequest, closeDate},
		{"close_date in the past", pollFields("问题", abc, "close_date", in(-60)), badRequest, closeDate},
		{"open_period and close_date", pollFields("问题", abc, "open_period", "60", "close_date", in(60)), badRequest,
			"Bad Request: open_period can't be used together with close_date"},

		{"callback data over 64 bytes", pollFields("问题", abc, "reply_markup", keyboard("a", strings.Repeat("x", 65))), badRequest,
			"Bad Request: BUTTON_DATA_INVALID"},
		{"unknown group", map[string]string{"chat_id": "-200", "question": "问题", "options": `["甲","乙"]`}, badRequest,
			"Bad Request: chat not found"},
		{"blocked user", map[string]string{"chat_id": "2", "question": "问题", "options": `["甲","乙"]`}, forbidden,
			"Forbidden: bot was blocked by the user"},
	})

	for _, m := range s.Messages(groupID) {
		if m.Poll.Type == botapi.PollRegular && (m.Poll.Explanation != "" || m.Poll.CorrectOptionID != nil) {
			t.Errorf("a regular poll kept quiz fields: %+v", m.Poll)
		}
	}
}

func TestPollDefaultsAndClosingTimes(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	s.GroupText(groupID, 1, "hi")

	m := sendPoll(t, s, pollFields("问题", abc))
	p := m.Poll
	if !p.IsAnonymous || p.Type != botapi.PollRegular || p.AllowsMultipleAnswers || p.IsClosed ||
		p.CorrectOptionID != nil || p.OpenPeriod != 0 || p.CloseDate != 0 || p.TotalVoterCount != 0 || m.Text != "" {
		t.Errorf("default poll = %+v", p)
	}
	at := clk.Now().Unix() + 90
	if p := sendPoll(t, s, pollFields("问题", abc, "close_date", strconv.FormatInt(at, 10))).Poll; p.CloseDate != at || p.OpenPeriod != 0 {
		t.Errorf("poll with close_date = %+v", p)
	}
	if p := sendPoll(t, s, pollFields("问题", abc, "is_closed", "true")).Poll; !p.IsClosed {
		t.Errorf("poll sent closed = %+v", p)
	}
	if err := s.AnswerPoll(botapi.DefaultUser(1), m.Poll.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got, ok := s.Poll(m.Poll.ID); !ok || got.Options[0].VoterCount != 1 || got.TotalVoterCount != 1 {
		t.Errorf("Poll = %+v, %v", got, ok)
	}
	if p.TotalVoterCount != 0 || p.Options[0].VoterCount != 0 {
		t.Errorf("a poll handed out changed: %+v", p)
	}
	if _, ok := s.Poll("nope"); ok {
		t.Error("Poll found an unknown poll")
	}
}

func TestRefusesBadStopPolls(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	user := botapi.DefaultUser(1)
	s.GroupText(groupID, 1, "hi")
	stop := func(id int) map[string]string {
		return map[string]string{"chat_id": strconv.Itoa(groupID), "message_id": strconv.Itoa(id)}
	}
	stopWith := func(id int, markup string) map[string]string {
		f := stop(id)
		f["reply_markup"] = markup
		return f
	}
	stopped := sendPoll(t, s, pollFields("问题", abc, "reply_markup", keyboard("旧", "old")))
	kept := sendPoll(t, s, pollFields("问题", abc))
	timed := sendPoll(t, s, pollFields("问题", abc, "open_period", "10"))
	var text botapi.Message
	wantOK(t, call(t, s, "sendMessage", map[string]string{"chat_id": "-100", "text": "不是投票"}), &text)
	users := s.SendPoll(user, botapi.GroupChat(groupID), botapi.Poll{
		Question: "成员的投票", Options: []botapi.PollOption{{Text: "好"}, {Text: "不好"}},
	})
	clk.Advance(10 * time.Second)

	const closed = "Bad Request: poll has already been closed"
	checkRefusals(t, s, "stopPoll", []refusal{
		{"new keyboard", stopWith(stopped.MessageID, keyboard("结果", "results")), 0, ""},
		{"twice", stop(stopped.MessageID), badRequest, closed},
		{"closed by its open_period", stop(timed.MessageID), badRequest, closed},
		{"unknown message", stop(999), badRequest, "Bad Request: message with poll to stop not found"},
		{"no message_id", map[string]string{"chat_id": "-100"}, badRequest, "Bad Request: message with poll to stop not found"},
		{"a text message", stop(text.MessageID), badRequest, "Bad Request: message is not a poll"},
		{"a member's poll", stop(users.MessageID), badRequest, "Bad Request: poll can't be stopped"},
		{"reply keyboard", stopWith(kept.MessageID, `{"keyboard":[["x"]]}`), badRequest, "Bad Request: inline keyboard expected"},
		{"unknown chat", map[string]string{"chat_id": "-200", "message_id": "1"}, badRequest, "Bad Request: chat not found"},
	})

	msgs := s.Messages(groupID)
	if kb := msgs[0].ReplyMarkup; kb == nil || kb.InlineKeyboard[0][0].CallbackData != "results" || !msgs[0].Poll.IsClosed {
		t.Errorf("stopped poll's message = %+v, keyboard %+v", msgs[0].Poll, kb)
	}
	if msgs[1].Poll.IsClosed {
		t.Error("a refused stopPoll closed the poll")
	}
	if p, _ := s.Poll(users.Poll.ID); p.IsClosed {
		t.Error("the member's poll was closed")
	}
}

func TestAnswerPollRefusals(t *testing.T) {
	s := mustStart(t, botapi.Options{Now: newClock().Now})
	s.GroupText(groupID, 1, "hi")
	voter := botapi.DefaultUser(2)
	single := sendPoll(t, s, pollFields("单选", abc, "is_anonymous", "false")).Poll.ID
	quiz := sendPoll(t, s, pollFields("测验", abc, "is_anonymous", "false", "type", "quiz", "correct_option_id", "1")).Poll.ID
	closedMsg := sendPoll(t, s, pollFields("已结束", abc))
	wantOK(t, call(t, s, "stopPoll", map[string]string{"chat_id": "-100", "message_id": strconv.Itoa(closedMsg.MessageID)}), nil)
	if err := s.AnswerPoll(voter, quiz, 0); err != nil {
		t.Fatal(err)
	}
	takeUpdates(t, s)

	tests := []struct {
		name    string
		pollID  string
		options []int
		want    error
	}{
		{"unknown poll", "12345", []int{0}, botapi.ErrPollNotFound},
		{"option out of range", single, []int{3}, botapi.ErrPollOption},
		{"negative option", single, []int{-1}, botapi.ErrPollOption},
		{"several options on a single-answer poll", single, []int{0, 1}, botapi.ErrPollSingleAnswer},
		{"second vote on a quiz", quiz, []int{1}, botapi.ErrQuizAnswerFinal},
		{"retraction on a quiz", quiz, nil, botapi.ErrQuizAnswerFinal},
		{"stopped poll", closedMsg.Poll.ID, []int{0}, botapi.ErrPollClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.AnswerPoll(voter, tc.pollID, tc.options...); !errors.Is(err, tc.want) {
				t.Errorf("AnswerPoll = %v, want %v", err, tc.want)
			}
		})
	}
	if got := takeUpdates(t, s); len(got) != 0 {
		t.Errorf("refused votes sent updates: %+v", got)
	}
	if p, _ := s.Poll(quiz); p.TotalVoterCount != 1 || p.Options[0].VoterCount != 1 || p.Options[1].VoterCount != 0 {
		t.Errorf("quiz counts after refused votes = %+v", p.Options)
	}
	if p, _ := s.Poll(single); p.TotalVoterCount != 0 {
		t.Errorf("single-answer poll counts after refused votes = %+v", p)
	}
}

// A timed poll closes by the server's clock: a vote after its open_period is refused, and
// the bot gets the closed poll.
func TestPollClosesWhenOpenPeriodPasses(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	s.GroupText(groupID, 1, "hi")
	voter := botapi.DefaultUser(2)
	p := sendPoll(t, s, pollFields("限时", abc, "is_anonymous", "false", "open_period", "30")).Poll
	takeUpdates(t, s)

	clk.Advance(30*time.Second - time.Millisecond)
	if err := s.AnswerPoll(voter, p.ID, 0); err != nil {
		t.Fatalf("vote just before the poll closes: %v", err)
	}
	if got := takeUpdates(t, s); len(got) != 2 || got[0].PollAnswer == nil || got[1].Poll == nil || got[1].Poll.IsClosed {
		t.Fatalf("updates for the vote = %+v", got)
	}
	clk.Advance(time.Millisecond)
	if err := s.AnswerPoll(botapi.DefaultUser(3), p.ID, 1); !errors.Is(err, botapi.ErrPollClosed) {
		t.Errorf("vote after open_period: %v, want ErrPollClosed", err)
	}
	got := takeUpdates(t, s)
	if len(got) != 1 || got[0].Poll == nil || !got[0].Poll.IsClosed || got[0].Poll.TotalVoterCount != 1 || got[0].Poll.OpenPeriod != 0 {
		t.Errorf("updates after the poll closed = %+v", got)
	}
	if m := s.Messages(groupID)[0]; !m.Poll.IsClosed {
		t.Errorf("the poll's message still shows it open: %+v", m.Poll)
	}
}

// The bot sees a poll close when it polls for updates, without touching the poll.
func TestClosedPollReachesGetUpdates(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now})
	s.GroupText(groupID, 1, "hi")
	p := sendPoll(t, s, pollFields("限时", abc, "close_date", strconv.FormatInt(clk.Now().Unix()+5, 10))).Poll
	takeUpdates(t, s)
	if got := takeUpdates(t, s); len(got) != 0 {
		t.Fatalf("updates before the poll closes = %+v", got)
	}
	clk.Advance(5 * time.Second)
	if got := takeUpdates(t, s); len(got) != 1 || got[0].Poll == nil || got[0].Poll.ID != p.ID || !got[0].Poll.IsClosed {
		t.Errorf("updates after close_date = %+v", got)
	}
}

func TestAnonymousPollSendsNoPollAnswer(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.GroupText(groupID, 1, "hi")
	p := sendPoll(t, s, pollFields("匿名", abc)).Poll
	takeUpdates(t, s)
	if err := s.AnswerPoll(botapi.DefaultUser(2), p.ID, 2); err != nil {
		t.Fatal(err)
	}
	got := takeUpdates(t, s)
	if len(got) != 1 || got[0].Poll == nil || got[0].Poll.Options[2].VoterCount != 1 || got[0].Poll.TotalVoterCount != 1 {
		t.Errorf("updates for an anonymous vote = %+v, want one poll update", got)
	}
}

func TestRegularPollVotesChangeAndRetract(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.GroupText(groupID, 1, "hi")
	voter := botapi.DefaultUser(2)
	p := sendPoll(t, s, pollFields("多选", abc, "is_anonymous", "false", "allows_multiple_answers", "true")).Poll
	takeUpdates(t, s)

	steps := []struct {
		name    string
		options []int
		answer  []int // the poll_answer's option_ids; nil: no updates
		counts  []int
	}{
		{"two options, one repeated", []int{2, 0, 2}, []int{0, 2}, []int{1, 0, 1}},
		{"the same again changes nothing", []int{0, 2}, nil, []int{1, 0, 1}},
		{"another option", []int{1}, []int{1}, []int{0, 1, 0}},
		{"retraction", nil, []int{}, []int{0, 0, 0}},
		{"retracting again changes nothing", nil, nil, []int{0, 0, 0}},
	}
	for _, step := range steps {
		if err := s.AnswerPoll(voter, p.ID, step.options...); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got := takeUpdates(t, s)
		if step.answer == nil {
			if len(got) != 0 {
				t.Errorf("%s: updates %+v, want none", step.name, got)
			}
			continue
		}
		if len(got) != 2 || got[0].PollAnswer == nil || !reflect.DeepEqual(got[0].PollAnswer.OptionIDs, step.answer) || got[1].Poll == nil {
			t.Fatalf("%s: updates = %+v", step.name, got)
		}
		var counts []int
		for _, o := range got[1].Poll.Options {
			counts = append(counts, o.VoterCount)
		}
		if !reflect.DeepEqual(counts, step.counts) {
			t.Errorf("%s: counts %v, want %v", step.name, counts, step.counts)
		}
	}
}

// A retraction is sent as an empty option_ids array, which is how the bot tells it apart.
func TestRetractionIsAnEmptyArrayOnTheWire(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.GroupText(groupID, 1, "hi")
	voter := botapi.DefaultUser(2)
	p := sendPoll(t, s, pollFields("问题", abc, "is_anonymous", "false")).Poll
	if err := s.AnswerPoll(voter, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	takeUpdates(t, s)
	if err := s.AnswerPoll(voter, p.ID); err != nil {
		t.Fatal(err)
	}
	a := call(t, s, "getUpdates", nil)
	if !strings.Contains(string(a.Result), `"poll_answer":{"poll_id":"`+p.ID+`","user":{"id":2,`) ||
		!strings.Contains(string(a.Result), `"option_ids":[]`) {
		t.Errorf("retraction on the wire: %s", a.Result)
	}
}

func TestAllowedUpdatesWithoutPollAnswer(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.GroupText(groupID, 1, "hi")
	b, updates := startPolling(t, s, bot.WithNotAsyncHandlers(),
		bot.WithAllowedUpdates(bot.AllowedUpdates{models.AllowedUpdateMessage, models.AllowedUpdatePoll}))
	ctx := ctxTimeout(t, 10*time.Second)
	receive(t, updates)
	if err := s.WaitPolling(ctx); err != nil { // allowed_updates is in force
		t.Fatal(err)
	}
	msg, err := b.SendPoll(ctx, &bot.SendPollParams{
		ChatID: groupID, Question: "问题", Options: []models.InputPollOption{{Text: "甲"}, {Text: "乙"}}, IsAnonymous: bot.False(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AnswerPoll(botapi.DefaultUser(2), msg.Poll.ID, 1); err != nil {
		t.Fatal(err)
	}
	s.GroupText(groupID, 2, "投好了")
	if u := receive(t, updates); u.Poll == nil || u.Poll.Options[1].VoterCount != 1 {
		t.Errorf("first update = %+v, want the poll with the vote (no poll_answer)", u)
	}
	if u := receive(t, updates); u.Message == nil || u.Message.Text != "投好了" {
		t.Errorf("second update = %+v, want the message", u)
	}
}

// A member's poll is not the bot's: its quiz answer stays hidden from the bot in a group,
// and votes in it send the bot nothing.
func TestMembersPoll(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	user := botapi.DefaultUser(1)
	correct := 1
	m := s.SendPoll(user, botapi.GroupChat(groupID), botapi.Poll{
		Question: "成员出题", Options: []botapi.PollOption{{Text: "甲"}, {Text: "乙"}},
		Type: botapi.PollQuiz, CorrectOptionID: &correct, Explanation: "因为乙",
	})
	got := takeUpdates(t, s)
	if len(got) != 1 || got[0].Message == nil || got[0].Message.Poll == nil || got[0].Message.Poll.ID != m.Poll.ID {
		t.Fatalf("updates for a member's poll = %+v", got)
	}
	if p := got[0].Message.Poll; p.CorrectOptionID != nil || p.Explanation != "" || p.Type != botapi.PollQuiz {
		t.Errorf("the bot sees a member's open quiz as %+v", p)
	}
	if p, _ := s.Poll(m.Poll.ID); p.CorrectOptionID == nil || *p.CorrectOptionID != 1 {
		t.Errorf("Poll = %+v, want the correct option", p)
	}
	if err := s.AnswerPoll(botapi.DefaultUser(2), m.Poll.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := takeUpdates(t, s); len(got) != 0 {
		t.Errorf("a vote in a member's poll sent %+v", got)
	}
}

// A poll is a message: it shares the group's 20 messages a minute with sendMessage.
func TestPollsCountAgainstTheGroupLimit(t *testing.T) {
	clk := newClock()
	s := mustStart(t, botapi.Options{Now: clk.Now, RateLimits: true})
	s.GroupText(groupID, 1, "hi")
	for i := range 19 {
		if a := sendTo(t, s, groupID); !a.OK {
			t.Fatalf("message %d refused: %s", i, a.Description)
		}
	}
	wantOK(t, call(t, s, "sendPoll", pollFields("第20条", abc)), nil)
	a := call(t, s, "sendPoll", pollFields("第21条", abc))
	wantRefusal(t, a, 429, "Too Many Requests: retry after 3")
	if a := sendTo(t, s, groupID); a.OK {
		t.Error("a message passed after 20 sends in a minute")
	}
	clk.Advance(3 * time.Second)
	wantOK(t, call(t, s, "sendPoll", pollFields("第21条", abc)), nil)
}

func TestAllowedUpdatesOnlyPollAnswer(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	s.GroupText(groupID, 1, "hi")
	p := sendPoll(t, s, pollFields("问题", abc, "is_anonymous", "false")).Poll
	takeUpdates(t, s)
	wantOK(t, call(t, s, "getUpdates", map[string]string{"allowed_updates": `["poll_answer"]`}), nil)
	if err := s.AnswerPoll(botapi.DefaultUser(2), p.ID, 0); err != nil {
		t.Fatal(err)
	}
	s.GroupText(groupID, 2, "not delivered")
	got := takeUpdates(t, s)
	if len(got) != 1 || got[0].PollAnswer == nil || got[0].PollAnswer.PollID != p.ID {
		t.Errorf("updates = %+v, want only the poll_answer", got)
	}
}
