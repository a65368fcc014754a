package quiz_test

import (
	"strings"
	"testing"

	"github.com/dangwu/dangwu/quiz"
)

// A question fits a quiz poll only with one correct option and texts
// within the poll limits counted in UTF-16 units, so that characters
// outside the BMP (which count twice there) never make a poll too long.
func TestPollReady(t *testing.T) {
	base := quiz.Question{ID: "p-1", Kind: quiz.Single, Topic: "党费", Difficulty: 1, Text: "问题",
		Options: []string{"甲", "乙"}, Answer: []int{0}, Explanation: "因为甲。"}
	cases := []struct {
		name string
		edit func(q *quiz.Question)
		want bool
	}{
		{"plain", func(*quiz.Question) {}, true},
		{"a judge", func(q *quiz.Question) { q.Kind, q.Options = quiz.Judge, quiz.JudgeOptions }, true},
		{"multiple choice", func(q *quiz.Question) { q.Kind, q.Answer = quiz.Multiple, []int{0, 1} }, false},
		{"question of 300 BMP characters", func(q *quiz.Question) { q.Text = strings.Repeat("问", 300) }, true},
		{"question of 151 wide characters", func(q *quiz.Question) { q.Text = strings.Repeat("𠀀", 151) }, false},
		{"question of 150 wide characters", func(q *quiz.Question) { q.Text = strings.Repeat("𠀀", 150) }, true},
		{"option of 51 emoji", func(q *quiz.Question) { q.Options[1] = strings.Repeat("🙂", 51) }, false},
		{"explanation of 101 wide characters", func(q *quiz.Question) { q.Explanation = strings.Repeat("𠀀", 101) }, false},
		{"explanation of two line breaks", func(q *quiz.Question) { q.Explanation = "一\n二\n三" }, true},
	}
	for _, c := range cases {
		q := base
		q.Options = append([]string(nil), base.Options...)
		c.edit(&q)
		if ps := (quiz.Checker{}).Check(&q); len(ps) > 0 {
			t.Fatalf("%s: not a valid question: %v", c.name, ps)
		}
		if got := q.PollReady(); got != c.want {
			t.Errorf("%s: PollReady = %v, want %v", c.name, got, c.want)
		}
	}
}
