package bot_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/quiz"
)

// seedQuizLoad adds n questions in one imported bank and a history of
// answers and notebook cards for people users.
func seedQuizLoad(tb testing.TB, h *harness, n, people int) {
	tb.Helper()
	ctx := context.Background()
	qs := make([]quiz.Question, n)
	topics := []string{"党费", "发展党员", "组织生活", "三会一课", "支部工作"}
	for i := range qs {
		qs[i] = quiz.Question{
			ID: fmt.Sprintf("load-%05d", i), Kind: quiz.Single, Topic: topics[i%len(topics)], Difficulty: 1 + i%3,
			Text: fmt.Sprintf("第%d道压测题：党支部的哪项做法符合规定？", i), Options: []string{"做法甲", "做法乙", "做法丙", "做法丁"},
			Answer: []int{i % 4}, Explanation: "按规定应当这样做。",
		}
	}
	if err := h.quiz.Import(ctx, "import/load", qs, adminID); err != nil {
		tb.Fatal(err)
	}
	tx, err := h.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	answer, err := tx.PrepareContext(ctx, `INSERT INTO quiz_answers (user_id, question_id, session_id, correct, points, at) VALUES (?, ?, ?, ?, 1, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	card, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO quiz_cards (user_id, question_id, wrong, right_count, box, due_at, last_at) VALUES (?, ?, 1, 0, 1, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	for p := range people {
		uid := 100000 + p
		for k := range 40 {
			id := fmt.Sprintf("load-%05d", (p*37+k*101)%n)
			at := time.Now().Add(-time.Duration(k) * time.Hour).UTC().Format(time.RFC3339)
			if _, err := answer.ExecContext(ctx, uid, id, -(uid*100 + k), k%3 != 0, at); err != nil {
				tb.Fatal(err)
			}
			if k%3 == 0 {
				if _, err := card.ExecContext(ctx, uid, id, at, at); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkAnswerPress measures pressing an answer button — graded from
// the stored question, recorded, the notebook updated and the message
// edited — through internal/botapi, with 10,000 questions in the banks and
// 5,000 people with 40 answers each. It reports the median and 99th
// percentile of the time from the press to the answer of the callback
// query (sent after the edit).
func BenchmarkAnswerPress(b *testing.B) {
	h := startBot(b, func(o *bot.Options) { o.Rate = 100000 }, nil)
	seedQuizLoad(b, h, 10000, 5000)
	u := botapi.DefaultUser(4242)
	chat := botapi.PrivateChat(u)
	h.ask(u.ID, "/help")
	ctx := context.Background()
	var heap runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&heap)
	var lat []time.Duration
	var sess quiz.Session
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if sess.ID == 0 || sess.Over() {
			if _, err := h.quiz.StartPractice(ctx, u.ID, "", quiz.MaxLength); err != nil {
				b.Fatal(err)
			}
			menu := h.say(u, "/quiz") // offers the session; 继续 shows it
			h.press(u, chat, menu, plain(bot.T("quiz.continue")))
			sess = h.activeSession(u.ID)
		} else {
			h.pressData(u, chat, sess.MessageID, fmt.Sprintf("qz:n:%d:%d", sess.ID, sess.Pos))
			sess = h.activeSession(u.ID)
		}
		q, err := h.quiz.Question(ctx, sess.Items[sess.Pos].QuestionID)
		if err != nil {
			b.Fatal(err)
		}
		data := fmt.Sprintf("qz:a:%d:%d:%d", sess.ID, sess.Pos, q.Answer[0])
		b.StartTimer()
		start := time.Now()
		h.pressData(u, chat, sess.MessageID, data)
		lat = append(lat, time.Since(start))
		b.StopTimer()
		if s, err := h.quiz.Session(ctx, sess.ID); err == nil {
			sess = s
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(heap.HeapInuse)/(1<<20), "heap-MB")
}
