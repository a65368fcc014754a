package bot_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu      sync.Mutex
	kinds   []string
	answers []string
	quiz    []bool
}

func (r *recorder) Handled(kind string, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kinds = append(r.kinds, kind)
}

func (r *recorder) Answered(result string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, result)
}

func (r *recorder) QuizAnswered(correct bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.quiz = append(r.quiz, correct)
}

func (r *recorder) snapshot() (kinds, answers []string, quiz []bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.kinds), slices.Clone(r.answers), slices.Clone(r.quiz)
}

func TestObserverIsToldOfUpdatesAnswersAndQuizAnswers(t *testing.T) {
	rec := &recorder{}
	h := startBot(t, func(o *bot.Options) { o.Observer = rec }, nil)
	u := botapi.DefaultUser(611)
	chat := botapi.PrivateChat(u)

	h.ask(u.ID, "党费按什么比例交")
	h.ask(u.ID, "你好") // a greeting is no question searched
	menu := h.say(u, "/quiz")
	h.press(u, chat, menu, "支部工作")
	h.press(u, chat, h.message(u.ID, menu.MessageID), bot.T("quiz.length_button", 5))
	h.answerCurrent(u, h.message(u.ID, menu.MessageID), true)
	fb := h.message(u.ID, menu.MessageID)
	h.press(u, chat, fb, plain(bot.T("quiz.next")))
	h.answerCurrent(u, h.message(u.ID, menu.MessageID), false)

	// Every update is in the inbox by now (each step waited for its
	// answer); a multiple-choice question takes a press per option.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var updates int
	if err := h.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox`).Scan(&updates); err != nil {
		t.Fatal(err)
	}
	if err := h.bot.WaitHandled(ctx, updates); err != nil {
		t.Fatalf("waiting for %d updates handled: %v", updates, err)
	}
	kinds, answers, quiz := rec.snapshot()
	count := func(kind string) int {
		n := 0
		for _, k := range kinds {
			if k == kind {
				n++
			}
		}
		return n
	}
	if count("message") != 3 || count("callback_query") < 5 || count("message")+count("callback_query") != updates {
		t.Errorf("handled kinds %v of %d updates: want 3 messages, the rest button presses", kinds, updates)
	}
	if len(answers) != 1 || answers[0] != bot.AnswerFound {
		t.Errorf("answers %v, want one %q", answers, bot.AnswerFound)
	}
	if !slices.Equal(quiz, []bool{true, false}) {
		t.Errorf("quiz answers %v, want right then wrong", quiz)
	}
}
