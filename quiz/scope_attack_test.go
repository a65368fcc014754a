package quiz_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dangwu/dangwu/quiz"
)

// A district coordinator calling ImportFor directly — as a bot whose check
// was passed before the question changed hands would — stores nothing of
// another district or of the city, all or none; their own questions are
// their district's; a city-wide importer imports any.
func TestScopeAttackImportForOtherDistricts(t *testing.T) {
	f := newFixture(t, bank(1, "党费"))
	ctx := context.Background()
	bankName := quiz.BankName("题库.csv")
	q := func(id, text, district string) quiz.Question {
		return quiz.Question{ID: id, Kind: quiz.Single, Topic: "本地", Difficulty: 1, Text: text,
			Options: []string{"甲", "乙"}, Answer: []int{0}, Explanation: "因为甲。", District: district}
	}
	if err := f.svc.ImportFor(ctx, "云龙区", bankName, []quiz.Question{q("yl-1", "云龙区的题", ""), q("city-1", "全市的题", "")}, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Question(ctx, "yl-1"); got.District != "云龙区" {
		t.Errorf("a 云龙区 import stored district %q", got.District)
	}
	if err := f.svc.ImportFor(ctx, "", bankName, []quiz.Question{q("city-1", "全市的题", "")}, 2); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		what string
		qs   []quiz.Question
	}{
		{"naming another district", []quiz.Question{q("gl-1", "鼓楼区的题", ""), q("gl-2", "冒充云龙区", "云龙区")}},
		{"replacing another district's", []quiz.Question{q("gl-3", "鼓楼区的题", ""), q("yl-1", "改写云龙区的题", "")}},
		{"replacing the city's", []quiz.Question{q("city-1", "改写全市的题", "鼓楼区")}},
	} {
		if err := f.svc.ImportFor(ctx, "鼓楼区", bankName, tc.qs, 3); !errors.Is(err, quiz.ErrOutOfScope) {
			t.Errorf("%s: %v, want ErrOutOfScope", tc.what, err)
		}
		good, problems, err := f.svc.CheckImportFor(ctx, "鼓楼区", bankName, tc.qs, nil)
		if err != nil || len(good) != len(tc.qs)-1 || len(problems) != 1 || !errors.Is(problems[0].Err, quiz.ErrOutOfScope) {
			t.Errorf("%s: CheckImportFor = %v %v %v", tc.what, good, problems, err)
		}
	}
	for _, id := range []string{"gl-1", "gl-2", "gl-3"} {
		if _, err := f.svc.Question(ctx, id); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("%s was stored by a refused import", id)
		}
	}
	if got, _ := f.svc.Question(ctx, "yl-1"); got.Text != "云龙区的题" {
		t.Errorf("yl-1 = %q after 鼓楼区's imports", got.Text)
	}
	if got, _ := f.svc.Question(ctx, "city-1"); got.Text != "全市的题" || got.District != "" {
		t.Errorf("city-1 = %+v after 鼓楼区's imports", got)
	}
	// The city-wide importer may replace 云龙区's question.
	if err := f.svc.ImportFor(ctx, "", bankName, []quiz.Question{q("yl-1", "更正云龙区的题", "云龙区")}, 2); err != nil {
		t.Errorf("a city-wide correction: %v", err)
	}
}
