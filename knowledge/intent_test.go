package knowledge

import "testing"

func TestQuestionKind(t *testing.T) {
	for q, want := range map[string]answerKind{
		"组织生活会多久开一次":  wantFrequency,
		"支委会一年开几次":    wantFrequency,
		"预备期多长":       wantDuration,
		"入党要多久":       wantDuration,
		"申请书交了什么时候谈话": wantDuration,
		"工资8000交多少党费": wantNumber,
		"党务工作者分几级":    wantNumber,
		"发展党员有哪些步骤":   wantList,
		"入党的流程":       wantList,
		"谁来批准预备党员转正":  wantWho,
		"预备党员能不能投票":   wantYesNo,
		"可以委托别人代交吗":   wantYesNo,
		"三会一课是什么":     wantName,
		"党费":          wantAny,
	} {
		if got := questionKind(Normalize(q)); got != want {
			t.Errorf("questionKind(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestAnswerSentence(t *testing.T) {
	si := newSynonymIndex(Synonyms{})
	p := analyze("预备期多长", si)
	r := Result{Kind: KindPassage, Text: "预备党员要参加组织生活。预备期为一年，从支部大会通过之日起计算。期满后由支部讨论转正。"}
	weights := make([]float64, len(p.units))
	for i := range weights {
		weights[i] = 1
	}
	got, _, typed := answerSentence(p, weights, r)
	if got != "预备期为一年，从支部大会通过之日起计算。" || !typed {
		t.Errorf("answer %q (typed %v)", got, typed)
	}
	// a first FAQ sentence too short to stand alone takes the next one
	f := Result{Kind: KindFAQ, Text: "要交。预备党员从支部大会通过之日起交纳党费。其他说明。"}
	p = analyze("预备党员要交党费吗", si)
	weights = make([]float64, len(p.units))
	for i := range weights {
		weights[i] = 1
	}
	if got, _, _ := answerSentence(p, weights, f); got != "要交。预备党员从支部大会通过之日起交纳党费。" {
		t.Errorf("FAQ answer %q", got)
	}
}

func TestFAQSimilarity(t *testing.T) {
	si := newSynonymIndex(Synonyms{})
	q := questionGrams(analyze("预备期多长", si))
	same := Result{Kind: KindFAQ, question: "预备期多长？\n预备期有多久"}
	other := Result{Kind: KindFAQ, question: "预备期能延长多久？"}
	s1, s2 := faqSimilarity(si, q, same), faqSimilarity(si, q, other)
	if s1 < 0.99 || s2 >= s1 || s2 > 0.8 {
		t.Errorf("similarity: literal %.2f, other %.2f", s1, s2)
	}
}

func TestQuestionMeasure(t *testing.T) {
	for q, want := range map[string]string{
		"党务工作者分几级": "级", "分几个等级": "等", "一个支部最多几名委员": "名", "交多少": "", "多少钱": "", "几年": "",
	} {
		if got := questionMeasure(Normalize(q)); got != want {
			t.Errorf("questionMeasure(%q) = %q, want %q", q, got, want)
		}
	}
	if !countsIn("按照初级、中级、高级、特级四个等级认证", "等") || countsIn("共96名，评为初级的77名", "级") {
		t.Error("countsIn")
	}
}
