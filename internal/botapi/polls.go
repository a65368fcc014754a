package botapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Native polls: sendPoll and stopPoll for the bot, SendPoll and AnswerPoll for simulated
// users. A poll lives apart from the messages that show it; every change replaces the
// message with one carrying a fresh copy of the poll, so Messages handed out stay as they
// were. Timed polls close by the server's clock, checked whenever a poll is used (and at
// every getUpdates), without timers.

// Telegram's poll limits. Unlike message texts they count characters (Unicode code points),
// as TDLib's create_input_message_content checks them.
const (
	maxPollQuestionLen   = 300
	maxPollOptionLen     = 100
	minPollOptions       = 2
	maxPollOptions       = 10 // newer Bot API versions allow 12; the project keeps to 10
	maxExplanationLen    = 200
	maxExplanationBreaks = 2 // line feeds
	minPollOpenPeriod    = 5 // seconds
	maxPollOpenPeriod    = 600
)

// Refusals of sendPoll and stopPoll. The descriptions up to errQuizCorrectOption are TDLib's
// own (td/telegram/MessageContent.cpp, with the first letter lowered as the Bot API server
// passes TDLib's errors on); "wrong correct option ID specified" is also what bot authors
// report. The stopPoll descriptions are TDLib's stop_poll checks and the Bot API server's
// message lookup, in that order. The others are this server's own wording: Telegram's
// servers enforce those documented limits, but their answers are not in the open-source
// code nor reported anywhere found.
var (
	errPollQuestionEmpty   = badRequest("poll question must be non-empty")
	errPollQuestionTooLong = badRequest("poll question length must not exceed %d", maxPollQuestionLen)
	errPollTooFewOptions   = badRequest("poll must have at least 2 option")
	errPollTooManyOptions  = badRequest("poll can't have more than %d options", maxPollOptions)
	errPollOptionEmpty     = badRequest("poll options must be non-empty")
	errPollOptionTooLong   = badRequest("poll options length must not exceed %d", maxPollOptionLen)
	errQuizCorrectOption   = badRequest("wrong correct option ID specified")
	// The Bot API server's wording, as several reimplementations of it quote it.
	errPollType    = badRequest("unsupported poll type specified")
	errPollOptions = badRequest("can't parse options JSON object")

	// Guessed wordings. The Bot API documents allows_multiple_answers as ignored for
	// quizzes; refusing it is this server's choice, so a bot does not believe its quiz
	// takes several answers. QUIZ_MULTIPLE_INVALID is MTProto's name for that refusal.
	errQuizMultiple           = badRequest("QUIZ_MULTIPLE_INVALID")
	errExplanationTooLong     = badRequest("poll explanation length must not exceed %d", maxExplanationLen)
	errExplanationBreaks      = badRequest("poll explanation must have at most %d line feeds", maxExplanationBreaks)
	errOpenPeriod             = badRequest("open_period must be between %d and %d", minPollOpenPeriod, maxPollOpenPeriod)
	errCloseDate              = badRequest("close_date must be %d to %d seconds in the future", minPollOpenPeriod, maxPollOpenPeriod)
	errOpenPeriodAndCloseDate = badRequest("open_period can't be used together with close_date")

	errStopPollNotFound = badRequest("message with poll to stop not found")
	errNotAPoll         = badRequest("message is not a poll")
	errPollClosed       = badRequest("poll has already been closed")
	errCantStopPoll     = badRequest("poll can't be stopped")
)

// Refusals of AnswerPoll, the simulated users' votes. Match them with errors.Is.
var (
	ErrPollNotFound     = errors.New("botapi: no such poll")
	ErrPollClosed       = errors.New("botapi: poll is closed")
	ErrPollOption       = errors.New("botapi: poll has no such option")
	ErrPollSingleAnswer = errors.New("botapi: poll allows only one answer")
	ErrQuizAnswerFinal  = errors.New("botapi: quiz answers cannot be changed or retracted")
)

// pollState is the whole state of one poll.
type pollState struct {
	// poll is the poll as the server keeps it: the correct option and explanation of a
	// quiz included, the counts current.
	poll      Poll
	chatID    int64
	chatType  string
	messageID int
	byBot     bool
	closeAt   time.Time       // zero: the poll closes only when stopped
	votes     map[int64][]int // the chosen options, sorted, by user id
}

type pollStore struct {
	lastID int64
	byID   map[string]*pollState
	// timed holds the polls with a closing time that were open when last looked at, in
	// the order they were sent.
	timed []*pollState
}

func newPollStore() pollStore { return pollStore{byID: map[string]*pollState{}} }

// view returns a copy of the poll as Telegram shows it to the bot, or, with all, with
// nothing hidden. Closing times are shown only while the poll is open: that is how TDLib's
// get_poll_object is read by others who reimplemented it, not confirmed here.
func (ps *pollState) view(all bool) Poll {
	p := ps.poll
	p.Options = slices.Clone(p.Options)
	if p.IsClosed {
		p.OpenPeriod, p.CloseDate = 0, 0
	}
	hidden := p.Type == PollQuiz && !ps.byBot && !p.IsClosed && ps.chatType != ChatPrivate
	if hidden && !all {
		p.CorrectOptionID, p.Explanation, p.ExplanationEntities = nil, "", nil
	}
	return p
}

// addPollLocked gives ps an id and keeps it. Its message is added right after.
func (s *Server) addPollLocked(ps *pollState, st *chatState) {
	s.polls.lastID++
	ps.poll.ID = strconv.FormatInt(5_422_000_000_000_000_000+s.polls.lastID, 10) // Telegram's look
	ps.chatID, ps.chatType = st.chat.ID, st.chat.Type
	ps.votes = map[int64][]int{}
	s.polls.byID[ps.poll.ID] = ps
	if !ps.closeAt.IsZero() && !ps.poll.IsClosed {
		s.polls.timed = append(s.polls.timed, ps)
	}
}

// changedLocked shows a change of ps: its message gets the new poll and, for the bot's own
// polls, the bot gets a poll update, as Telegram sends one about polls the bot sent. It
// returns the poll as the bot sees it.
func (s *Server) changedLocked(ps *pollState) Poll {
	v := ps.view(false)
	if st := s.chats[ps.chatID]; st != nil {
		if m, ok := st.messages[ps.messageID]; ok {
			m.Poll = &v
			st.messages[ps.messageID] = m
		}
	}
	if ps.byBot {
		u := v
		s.enqueueLocked(Update{Poll: &u})
	}
	return v
}

// expireLocked closes ps if its closing time has come, by the server's clock.
func (s *Server) expireLocked(ps *pollState) {
	if ps.poll.IsClosed || ps.closeAt.IsZero() || s.now().Before(ps.closeAt) {
		return
	}
	ps.poll.IsClosed = true
	s.changedLocked(ps)
}

// expirePollsLocked closes every poll whose closing time has come.
func (s *Server) expirePollsLocked() {
	open := s.polls.timed[:0]
	for _, ps := range s.polls.timed {
		s.expireLocked(ps)
		if !ps.poll.IsClosed {
			open = append(open, ps)
		}
	}
	clear(s.polls.timed[len(open):])
	s.polls.timed = open
}

// sendPoll sends a native poll. It is a message: the chat checks and the rate limits of
// sendMessage apply to it.
func (s *Server) sendPoll(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	ps, apiErr := s.parsePoll(p)
	if apiErr != nil {
		return nil, apiErr
	}
	var m Message
	if apiErr := s.decorateLocked(st, p, &m); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.limitLocked(st.chat); apiErr != nil {
		return nil, apiErr
	}
	ps.byBot = true
	s.addPollLocked(ps, st)
	v := ps.view(false)
	bot := s.bot
	m.From, m.Poll = &bot, &v
	m = s.addMessageLocked(st, m)
	ps.messageID = m.MessageID
	s.logLocked(Event{Kind: EventPoll, Method: "sendPoll", ChatID: st.chat.ID, Message: &m})
	return m, nil
}

// parsePoll reads and checks the poll of a sendPoll call: first what the Bot API server
// reads (formatting, options, type), then TDLib's checks, then the limits Telegram's servers
// enforce.
func (s *Server) parsePoll(p Params) (*pollState, *APIError) {
	question, apiErr := formatText(p.Get("question"), p.Get("question_parse_mode"), p.Get("question_entities"))
	if apiErr != nil {
		return nil, apiErr
	}
	options, apiErr := parsePollOptions(p.Get("options"))
	if apiErr != nil {
		return nil, apiErr
	}
	typ := p.Get("type")
	switch typ {
	case "", PollRegular:
		typ = PollRegular
	case PollQuiz:
	default:
		return nil, errPollType
	}
	var explanation formatted
	if typ == PollQuiz { // the Bot API server reads an explanation only for quizzes
		explanation, apiErr = formatText(p.Get("explanation"), p.Get("explanation_parse_mode"), p.Get("explanation_entities"))
		if apiErr != nil {
			return nil, apiErr
		}
	}

	switch {
	case question.text == "":
		return nil, errPollQuestionEmpty
	case utf8.RuneCountInString(question.text) > maxPollQuestionLen:
		return nil, errPollQuestionTooLong
	case len(options) < minPollOptions:
		return nil, errPollTooFewOptions
	case len(options) > maxPollOptions:
		return nil, errPollTooManyOptions
	}
	poll := Poll{
		Question:         question.text,
		QuestionEntities: customEmojiOnly(question.entities),
		Options:          make([]PollOption, len(options)),
		// The Bot API server sends is_anonymous to TDLib only when it is given.
		IsAnonymous:           !p.Has("is_anonymous") || p.bool("is_anonymous"),
		Type:                  typ,
		AllowsMultipleAnswers: p.bool("allows_multiple_answers"),
		IsClosed:              p.bool("is_closed"),
	}
	for i, o := range options {
		switch {
		case o.text == "":
			return nil, errPollOptionEmpty
		case utf8.RuneCountInString(o.text) > maxPollOptionLen:
			return nil, errPollOptionTooLong
		}
		poll.Options[i] = PollOption{Text: o.text, TextEntities: customEmojiOnly(o.entities)}
	}

	if typ == PollQuiz {
		// go-telegram/bot always sends correct_option_id, 0 included, so only a quiz reads
		// it; a quiz without one gets TDLib's refusal of a missing (-1) id.
		id, apiErr := p.int("correct_option_id")
		switch {
		case apiErr != nil:
			return nil, apiErr
		case !p.Has("correct_option_id") || id < 0 || id >= len(options):
			return nil, errQuizCorrectOption
		case poll.AllowsMultipleAnswers:
			return nil, errQuizMultiple
		case utf8.RuneCountInString(explanation.text) > maxExplanationLen:
			return nil, errExplanationTooLong
		case strings.Count(explanation.text, "\n") > maxExplanationBreaks:
			return nil, errExplanationBreaks
		}
		poll.CorrectOptionID = &id
		poll.Explanation, poll.ExplanationEntities = explanation.text, explanation.entities
	}

	period, closeAt, apiErr := s.pollCloseTime(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if !closeAt.IsZero() {
		poll.OpenPeriod, poll.CloseDate = period, closeAt.Unix()
	}
	return &pollState{poll: poll, closeAt: closeAt}, nil
}

// pollCloseTime reads open_period (0 when not given) and close_date, and returns when the
// poll closes by itself, or zero. TDLib keeps open_period and drops close_date when both are
// given; the Bot API documents that they can't be used together, and this server refuses
// them.
func (s *Server) pollCloseTime(p Params) (period int, at time.Time, apiErr *APIError) {
	if period, apiErr = p.int("open_period"); apiErr != nil {
		return 0, time.Time{}, apiErr
	}
	date, apiErr := p.int64("close_date")
	if apiErr != nil {
		return 0, time.Time{}, apiErr
	}
	now := s.now()
	switch {
	case period != 0 && date != 0:
		return 0, time.Time{}, errOpenPeriodAndCloseDate
	case period != 0:
		if period < minPollOpenPeriod || period > maxPollOpenPeriod {
			return 0, time.Time{}, errOpenPeriod
		}
		return period, now.Add(time.Duration(period) * time.Second), nil
	case date != 0:
		at = time.Unix(date, 0)
		if in := at.Sub(now); in < minPollOpenPeriod*time.Second || in > maxPollOpenPeriod*time.Second {
			return 0, time.Time{}, errCloseDate
		}
		return 0, at, nil
	}
	return 0, time.Time{}, nil
}

// parsePollOptions reads the options of sendPoll: a JSON array of InputPollOption objects,
// or of plain strings as older clients send. Each is formatted and trimmed like a text.
func parsePollOptions(raw string) ([]formatted, *APIError) {
	if raw == "" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, errPollOptions
	}
	out := make([]formatted, 0, len(items))
	for _, item := range items {
		var text string
		if json.Unmarshal(item, &text) == nil {
			f, _ := formatText(text, "", "") // plain text cannot fail
			out = append(out, f)
			continue
		}
		var opt struct {
			Text          *string         `json:"text"`
			TextParseMode string          `json:"text_parse_mode"`
			TextEntities  json.RawMessage `json:"text_entities"`
		}
		// The prefix is the Bot API server's; what follows is this server's wording.
		if !strings.HasPrefix(strings.TrimSpace(string(item)), "{") || json.Unmarshal(item, &opt) != nil {
			return nil, badRequest("can't parse InputPollOption: Expected InputPollOption to be an Object")
		}
		if opt.Text == nil {
			return nil, badRequest(`can't parse InputPollOption: Can't find field "text"`)
		}
		entities := string(opt.TextEntities)
		if entities == "null" {
			entities = ""
		}
		f, apiErr := formatText(*opt.Text, opt.TextParseMode, entities)
		if apiErr != nil {
			return nil, badRequest("can't parse InputPollOption: %s", strings.TrimPrefix(apiErr.Description, "Bad Request: "))
		}
		out = append(out, f)
	}
	return out, nil
}

// customEmojiOnly keeps the custom emoji of a poll question's or option's entities, the only
// ones Telegram allows there.
func customEmojiOnly(entities []MessageEntity) []MessageEntity {
	var out []MessageEntity
	for _, e := range entities {
		if e.Type == EntityCustomEmoji {
			out = append(out, e)
		}
	}
	return out
}

// stopPoll closes one of the bot's polls and answers the final poll. Its reply_markup
// replaces the message's inline keyboard; without one the keyboard goes, as in an edit.
func (s *Server) stopPoll(_ context.Context, p Params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	mk, apiErr := parseMarkup(p.Get("reply_markup"), true)
	if apiErr != nil {
		return nil, apiErr
	}
	id, apiErr := p.int("message_id")
	if apiErr != nil {
		return nil, apiErr
	}
	m, ok := st.messages[id]
	if !ok {
		return nil, errStopPollNotFound
	}
	if m.Poll == nil {
		return nil, errNotAPoll
	}
	ps := s.polls.byID[m.Poll.ID]
	s.expireLocked(ps)
	switch {
	case ps.poll.IsClosed:
		return nil, errPollClosed
	case !ps.byBot:
		return nil, errCantStopPoll
	}
	ps.poll.IsClosed = true
	m.ReplyMarkup = mk.inline
	st.messages[id] = m
	final := s.changedLocked(ps)
	m = st.messages[id]
	s.logLocked(Event{Kind: EventStopPoll, Method: "stopPoll", ChatID: st.chat.ID, Message: &m})
	return final, nil
}

// SendPoll simulates from sending a poll in chat (completed as for SendText) and returns its
// message, whose Poll carries the poll's id. The poll is the user's: the bot cannot stop it
// and gets no poll or poll_answer updates about it. Of poll, Question, the options' Text,
// Type ("" for regular), IsAnonymous, AllowsMultipleAnswers, CorrectOptionID and Explanation
// are taken, unchecked, as a Telegram app checks them.
func (s *Server) SendPoll(from User, chat Chat, poll Poll) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.userChatLocked(from, chat)
	kept := Poll{
		Question: poll.Question, Type: poll.Type, IsAnonymous: poll.IsAnonymous,
		AllowsMultipleAnswers: poll.AllowsMultipleAnswers, Explanation: poll.Explanation,
	}
	if kept.Type == "" {
		kept.Type = PollRegular
	}
	if poll.CorrectOptionID != nil {
		id := *poll.CorrectOptionID
		kept.CorrectOptionID = &id
	}
	for _, o := range poll.Options {
		kept.Options = append(kept.Options, PollOption{Text: o.Text})
	}
	ps := &pollState{poll: kept}
	s.addPollLocked(ps, st)
	v := ps.view(false)
	m := s.addMessageLocked(st, Message{From: &from, Poll: &v})
	ps.messageID = m.MessageID
	s.enqueueLocked(Update{Message: &m})
	return m
}

// AnswerPoll simulates from voting for optionIDs (0-based) in a poll; no options retracts
// the vote of a regular poll. The counts change, and for a poll the bot sent the bot gets a
// poll_answer update, unless the poll is anonymous, then a poll update with the new counts.
// A vote that changes nothing sends nothing. A refused vote changes nothing and returns
// ErrPollNotFound, ErrPollClosed, ErrPollOption, ErrPollSingleAnswer or ErrQuizAnswerFinal
// (a quiz answer can be given once and never retracted), wrapped.
func (s *Server) AnswerPoll(from User, pollID string, optionIDs ...int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.polls.byID[pollID]
	if ps == nil {
		return fmt.Errorf("answer poll %s: %w", pollID, ErrPollNotFound)
	}
	s.expireLocked(ps)
	chosen := slices.Compact(slices.Sorted(slices.Values(optionIDs)))
	prev, voted := ps.votes[from.ID]
	switch {
	case ps.poll.IsClosed:
		return fmt.Errorf("answer poll %s: %w", pollID, ErrPollClosed)
	case len(chosen) > 1 && !ps.poll.AllowsMultipleAnswers:
		return fmt.Errorf("answer poll %s: %w", pollID, ErrPollSingleAnswer)
	case len(chosen) > 0 && (chosen[0] < 0 || chosen[len(chosen)-1] >= len(ps.poll.Options)):
		return fmt.Errorf("answer poll %s with %v: %w", pollID, optionIDs, ErrPollOption)
	case ps.poll.Type == PollQuiz && (voted || len(chosen) == 0):
		return fmt.Errorf("answer poll %s: %w", pollID, ErrQuizAnswerFinal)
	case slices.Equal(prev, chosen):
		return nil
	}
	s.users[from.ID] = from
	if len(chosen) == 0 {
		delete(ps.votes, from.ID)
	} else {
		ps.votes[from.ID] = chosen
	}
	for _, id := range prev {
		ps.poll.Options[id].VoterCount--
	}
	for _, id := range chosen {
		ps.poll.Options[id].VoterCount++
	}
	ps.poll.TotalVoterCount = len(ps.votes)
	if ps.byBot && !ps.poll.IsAnonymous {
		voter := from
		s.enqueueLocked(Update{PollAnswer: &PollAnswer{
			PollID: pollID, User: &voter, OptionIDs: append(make([]int, 0, len(chosen)), chosen...),
		}})
	}
	s.changedLocked(ps)
	return nil
}

// Poll returns a poll as the server keeps it — the correct option of a quiz included — after
// closing it if its time has come, and whether it exists.
func (s *Server) Poll(pollID string) (Poll, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.polls.byID[pollID]
	if ps == nil {
		return Poll{}, false
	}
	s.expireLocked(ps)
	return ps.view(true), true
}
