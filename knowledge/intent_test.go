package knowledge

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuestionKind(t *testing.T) {
	for q, want := range map[string]answerKind{
		"组织生活会多久开一次":   wantFrequency,
		"党费使用要遵循哪几条原则": wantList,
		"去哪几个城市学习":     wantList,
		"支委会一年开几次":     wantFrequency,
		"预备期多长":        wantDuration,
		"入党要多久":        wantDuration,
		"申请书交了什么时候谈话":  wantDuration,
		"工资8000交多少党费":  wantNumber,
		"党务工作者分几级":     wantNumber,
		"发展党员有哪些步骤":    wantList,
		"入党的流程":        wantList,
		"谁来批准预备党员转正":   wantWho,
		"预备党员能不能投票":    wantYesNo,
		"可以委托别人代交吗":    wantYesNo,
		"三会一课是什么":      wantName,
		"论坛在哪儿开啊":      wantPlace,
		"培训去哪报到":       wantPlace,
		"先锋论坛一般礼拜几开":   wantDuration,
		"测试成绩多会儿出来":    wantDuration,
		"党费":           wantAny,
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
	weights := evenWeights(p)
	got, _, typed := answerSentence(p, weights, r)
	if got != "预备期为一年，从支部大会通过之日起计算。" || !typed {
		t.Errorf("answer %q (typed %v)", got, typed)
	}
	// a first FAQ sentence too short to stand alone takes the next one
	f := Result{Kind: KindFAQ, Text: "要交。预备党员从支部大会通过之日起交纳党费。其他说明。"}
	p = analyze("预备党员要交党费吗", si)
	weights = evenWeights(p)
	if got, _, _ := answerSentence(p, weights, f); got != "要交。预备党员从支部大会通过之日起交纳党费。" {
		t.Errorf("FAQ answer %q", got)
	}
}

func TestFAQSimilarity(t *testing.T) {
	si := newSynonymIndex(Synonyms{})
	q := questionGrams(analyze("预备期多长", si))
	same := Result{Kind: KindFAQ, question: "预备期多长？\n预备期有多久"}
	other := Result{Kind: KindFAQ, question: "预备期能延长多久？"}
	s1, s2 := faqSimilarity(si, q, "预备期多长", same), faqSimilarity(si, q, "预备期多长", other)
	if s1 < 0.99 || s2 >= s1 || s2 > 0.8 {
		t.Errorf("similarity: literal %.2f, other %.2f", s1, s2)
	}
}

// A phrasing that negates what the question asks (不交党费咋办 for 交党费)
// is further from it than one that does not, and the yes-or-no form of a
// question (能不能) or a word whose meaning is a negation (不足) is no
// negation.
func TestFAQSimilarityNegation(t *testing.T) {
	si := newSynonymIndex(Synonyms{})
	sim := func(q, phrasing string) float64 {
		return faqSimilarity(si, questionGrams(analyze(q, si)), Normalize(q), Result{Kind: KindFAQ, question: phrasing})
	}
	if neg, plain := sim("交党费", "不交党费咋办"), sim("交党费", "交党费找谁"); neg >= plain {
		t.Errorf("交党费: negated phrasing %.2f, plain %.2f", neg, plain)
	}
	if a, b := sim("没交党费怎么办", "不交党费咋办"), sim("交党费", "不交党费咋办"); a <= b {
		t.Errorf("both negated %.2f, one negated %.2f", a, b)
	}
	for q, negatedWant := range map[string]bool{
		"能不能补交党费": false, "党员不足3人": false, "有没有党费": false, "不合格党员": false,
		"不交党费咋办": true, "还没转正": true, "未按时交纳": true,
	} {
		if got := negated(Normalize(q)); got != negatedWant {
			t.Errorf("negated(%q) = %v, want %v", q, got, negatedWant)
		}
	}
}

func TestQuestionMeasure(t *testing.T) {
	for q, want := range map[string]string{
		"党务工作者分几级": "级", "分几个等级": "等个人名位", "一个支部最多几名委员": "个人名位", "交多少": "", "多少钱": "", "几年": "",
		"得找几个人担保": "个人名位", "几个正式党员就得单独建": "正个人名位", "一个月交几毛钱": "元块角毛",
		"一年要学够多少个钟头": "时钟课", "党费使用要遵循哪几条原则": "", "一天学几个小时": "",
		"论坛一般礼拜几开": "", "星期几报到": "", "周几上课": "", "每期几个人": "个人名位",
	} {
		if got := questionMeasure(Normalize(q)); got != want {
			t.Errorf("questionMeasure(%q) = %q, want %q", q, got, want)
		}
	}
	if !countsIn("按照初级、中级、高级、特级四个等级认证", "等") || countsIn("共96名，评为初级的77名", "级") {
		t.Error("countsIn")
	}
	for sentence, measure := range map[string]string{
		"每月交纳党费0.2元。":            "元块角毛",
		"党员每年集中学习培训时间一般不少于32学时。": "时钟课",
		"正式党员3人以上的，应当成立党支部。":     "正个人名位",
		"应当有一至两名正式党员作入党介绍人。":     "个人名位",
	} {
		if !countsIn(sentence, measure) {
			t.Errorf("countsIn(%q, %q) = false", sentence, measure)
		}
	}
}

// "几天", "几年", "几回": the unit of time after 几 asks how long or how
// often; it is a cue of the question, not a topic word to be found (a
// passage that merely mentions a 天 does not answer 公示几天), and it asks
// the same as 多久 / 几次.
func TestTimeUnitsAfterJiAreCues(t *testing.T) {
	si := newSynonymIndex(Synonyms{})
	for q, want := range map[string]struct {
		kind answerKind
		cue  string
	}{
		"公示几天":      {wantDuration, "几天"},
		"预备期几年":     {wantDuration, "几年"},
		"培训要几个月":    {wantDuration, "几个月"},
		"支委会一个月开几回": {wantFrequency, "几回"},
	} {
		p := analyze(q, si)
		if p.kind != want.kind {
			t.Errorf("%q: kind %v, want %v", q, p.kind, want.kind)
		}
		if p.measure != "" {
			t.Errorf("%q: measure %q, want none (a unit of time or 回 is no measure)", q, p.measure)
		}
		found := false
		for _, u := range p.units {
			if u.single {
				t.Errorf("%q: single-character unit %q", q, u.text)
			}
			if u.text == want.cue {
				found = u.cue
			}
		}
		if !found {
			t.Errorf("%q: no cue unit %q in %+v", q, want.cue, p.units)
		}
		for _, c := range p.chars {
			if c == "天" || c == "几" || c == "回" {
				t.Errorf("%q: cue character %q searched as a topic character", q, c)
			}
		}
	}
	same := questionGrams(analyze("预备期多久", si))
	if sim := weightedDice(questionGrams(analyze("预备期几年", si)), same); sim < 0.99 {
		t.Errorf("预备期几年 vs 预备期多久: similarity %.2f, want the same question", sim)
	}
}

func TestWhClass(t *testing.T) {
	for q, want := range map[string]string{
		"组织生活会怎么开":   "how",
		"组织生活会咋开":    "how",
		"组织生活会啥时候开":  "when",
		"组织生活会什么时候开": "when",
		"党务工作者为啥要培训": "why",
		"为什么要交党费":    "why",
		"党费交多少":      "",
	} {
		if got := whClass(Normalize(q)); got != want {
			t.Errorf("whClass(%q) = %q, want %q", q, got, want)
		}
	}
	si := newSynonymIndex(Synonyms{})
	q := questionGrams(analyze("组织生活会怎么开", si))
	how := Result{Kind: KindFAQ, question: "组织生活会咋开"}
	when := Result{Kind: KindFAQ, question: "组织生活会啥时候开"}
	if a, b := faqSimilarity(si, q, Normalize("组织生活会怎么开"), how), faqSimilarity(si, q, Normalize("组织生活会怎么开"), when); a < 0.99 || b > 0.75 {
		t.Errorf("怎么开 against 咋开 %.2f (want 1), against 啥时候开 %.2f (want discounted)", a, b)
	}
}

// TestHeldMemo: the memo of the sentence patterns answers as the patterns
// do, asked once or again, for every kind, and forgets before it holds more
// than heldMemoBytes of text.
func TestHeldMemo(t *testing.T) {
	texts := []string{"预备期为一年。", "党员每月交纳党费。", "由党支部指定。", "可以。", "包括以下内容：一是学习，二是培训。", "在区党群服务中心二楼举行。", ""}
	var h heldMemo
	for round := 0; round < 2; round++ {
		for _, s := range texts {
			for k := wantNumber; k <= wantPlace; k++ {
				if got, want := h.match(k, s), sentenceHolds[k].MatchString(s); got != want {
					t.Errorf("round %d: match(%v, %q) = %v, want %v", round, k, s, got, want)
				}
			}
		}
	}
	if h.match(wantAny, "预备期为一年。") {
		t.Error("wantAny matched")
	}
	long := strings.Repeat("预备期为一年。", 1000)
	for i := 0; h.bytes < heldMemoBytes-2*len(long); i++ {
		h.match(wantDuration, long+strconv.Itoa(i))
	}
	h.match(wantDuration, long+"x")
	h.match(wantDuration, long+"y")
	if h.bytes > heldMemoBytes {
		t.Errorf("memo holds %d bytes, more than %d", h.bytes, heldMemoBytes)
	}
	if !h.match(wantDuration, long+"y") || h.match(wantNumber, "无") {
		t.Error("wrong answer after forgetting")
	}
	before := h.bytes
	huge := strings.Repeat("预备期为一年。", heldMemoLongest/10)
	if !h.match(wantDuration, huge) || h.bytes != before {
		t.Errorf("a text over %d bytes: memo grew from %d to %d bytes", heldMemoLongest, before, h.bytes)
	}
}

// TestTrimTagParticle: the 不 or 没 that ends a spoken yes-or-no question
// goes; a 不 that negates, or ends an A不A, stays.
func TestTrimTagParticle(t *testing.T) {
	for q, want := range map[string]string{
		"培训班中间能请假不":  "培训班中间能请假",
		"轮训班要自己掏钱不？": "轮训班要自己掏钱",
		"党费交了没":      "党费交了",
		"能不能请假":      "能不能请假",
		"不交党费":       "不交党费",
		"行不":         "行不",
		"好不不":        "好不不",
		"8000":       "8000",
		"":           "",
	} {
		if got := trimTagParticle(Normalize(q)); got != Normalize(want) {
			t.Errorf("trimTagParticle(%q) = %q, want %q", q, got, Normalize(want))
		}
	}
}

// TestBridgeUnits: the pieces inside a run of four or more characters know
// their neighbours, whose weight caps theirs (stats).
func TestBridgeUnits(t *testing.T) {
	p := analyze("初级考试报名", newSynonymIndex(Synonyms{}))
	byText := map[string]unit{}
	for _, u := range p.units {
		byText[u.text] = u
	}
	for text, want := range map[string][2]string{"级考": {"初级", "考试"}, "考试": {"级考", "试报"}, "试报": {"考试", "报名"}} {
		u, ok := byText[text]
		if !ok || !u.bridge || p.units[u.left].text != want[0] || p.units[u.right].text != want[1] {
			t.Errorf("unit %q = %+v, want a bridge between %q and %q", text, u, want[0], want[1])
		}
	}
	for _, text := range []string{"初级", "报名"} {
		if byText[text].bridge {
			t.Errorf("%q, at an end of the run, is a bridge", text)
		}
	}
	if q := analyze("党费", newSynonymIndex(Synonyms{})); len(q.units) != 1 || q.units[0].bridge {
		t.Errorf("a two-character question: %+v", q.units)
	}
}

// TestTimeUnitOfAHowLongQuestion: a how-long question in a unit is answered
// by an amount in that unit: 几天 by 3天 or 5个工作日, not by 56学时.
func TestTimeUnitOfAHowLongQuestion(t *testing.T) {
	for q, want := range map[string]string{
		"培训班要培训几天":  "天日",
		"公示多少天":     "天日",
		"一天要学几个小时":  "时",
		"预备期几个月":    "月",
		"入党要几年":     "年",
		"预备期多长":     "",
		"党员大会多久开一次": "",
	} {
		if got := analyze(q, newSynonymIndex(Synonyms{})).unit; got != want {
			t.Errorf("unit of %q = %q, want %q", q, got, want)
		}
	}
	for _, c := range []struct {
		unit, sentence string
		want           bool
	}{
		{"天日", "培训时间一般不少于3天。", true},
		{"天日", "公示期不少于5个工作日。", true},
		{"天日", "每年一般不少于56学时。", false},
		{"时", "每年一般不少于56学时。", true},
		{"时", "培训时间一般不少于3天。", false},
		{"月", "预备期为一年。", false},
	} {
		if got := holds(wantDuration, "", c.unit, c.sentence); got != c.want {
			t.Errorf("holds(duration in %q, %q) = %v, want %v", c.unit, c.sentence, got, c.want)
		}
	}
}

// TestIndefiniteJi: a 几 that means "a few" does not make a how-many
// question: 好几个, or a 几 with another question word after it.
func TestIndefiniteJi(t *testing.T) {
	for q, want := range map[string]answerKind{
		"党员分在好几个厂区上班 用不用分小组":  wantYesNo,
		"几家单位合起来建 要按啥原则":      wantAny,
		"隔壁几家小厂能不能合一块":        wantYesNo,
		"几家小企业合起来建一个，最多能合几家？": wantNumber,
		"支部最多能有几名委员":          wantNumber,
	} {
		p := analyze(q, newSynonymIndex(Synonyms{}))
		if p.kind != want {
			t.Errorf("kind of %q = %v, want %v", q, p.kind, want)
		}
		if want != wantNumber && p.measure != "" {
			t.Errorf("%q counts in %q", q, p.measure)
		}
	}
}

// TestContentSlot: the questions that ask what a course or an exam covers
// ask for a notice's 内容 part.
func TestContentSlot(t *testing.T) {
	for _, q := range []string{"初级考试都考哪些内容", "轮训学什么", "这次培训讲啥", "考试考什么", "论坛内容是啥"} {
		s := questionSlot(Normalize(q))
		if s == nil || !slices.Contains(s.heads, "内容") {
			t.Errorf("slot of %q = %v, want the content part", q, s)
		}
	}
	if s := questionSlot(Normalize("党费怎么交")); s != nil {
		t.Errorf("党费怎么交 asks for part %v", s.heads)
	}
}

// TestFrequencySlot: a how-often question asks for a plan's 频次 part; a
// how-long one does not.
func TestFrequencySlot(t *testing.T) {
	for _, q := range []string{"论坛一年搞几回", "多久开一期", "一年办多少场"} {
		s := questionSlot(Normalize(q))
		if s == nil || !slices.Contains(s.heads, "频次") {
			t.Errorf("slot of %q = %v, want the frequency part", q, s)
		}
	}
	if s := questionSlot(Normalize("预备期多长")); s != nil && slices.Contains(s.heads, "频次") {
		t.Error("预备期多长 asks for the frequency part")
	}
}

// TestMoreNoticeSlots: getting there, for whom, and who pays are parts of a
// notice too.
func TestMoreNoticeSlots(t *testing.T) {
	for q, head := range map[string]string{
		"去研学能自己开车过去吗": "交通", "在哪集合": "集合", "轮训是给谁办的": "对象",
		"研学的钱要俺自己出吗": "费用", "一个人花多少": "费用", "都去哪些地方": "点位",
		"俺今年36了还能报名吗": "年龄", "三十六岁能报不": "年龄", "俺才入职半年 这次要考不": "对象",
		"刚上岗的要定等次不": "对象", "成绩多会儿出来": "什么时候",
	} {
		s := questionSlot(Normalize(q))
		if s == nil || !slices.Contains(s.heads, head) {
			t.Errorf("slot of %q = %v, want the part headed %s", q, s, head)
		}
	}
}

// TestNoticeSlots: the part of a notice a spoken question asks for, when
// two parts could claim it (报名截止到几号 asks for the 报名 part, which
// holds its deadline, not for the 时间 of the class).
func TestNoticeSlots(t *testing.T) {
	for q, head := range map[string]string{
		"报名截止到几号":     "报名",
		"在哪报名":        "报名",
		"报考要上传啥材料":    "报名",
		"论坛几号报到":      "时间",
		"去苏州考察是哪几天":   "时间",
		"培训在哪儿":       "地点",
		"七月党日那天都干啥":   "内容",
		"轮训都讲些啥课":     "内容",
		"轮训班要自己掏钱不":   "费用",
		"来回路费谁出":      "费用",
		"报名小程序登不上去找谁": "联系",
		"园区七月党日主题是啥":  "主题",
		"培训班中间能请假不":   "要求",
		"开考以后迟到了还能进不": "要求",
	} {
		s := questionSlot(Normalize(q))
		if s == nil || s.heads[0] != head {
			t.Errorf("slot of %q = %v, want the %s part", q, s, head)
		}
	}
	for _, q := range []string{"党费怎么交", "预备期多长", "入党要多久"} {
		if s := questionSlot(Normalize(q)); s != nil {
			t.Errorf("%s asks for part %v", q, s.heads)
		}
	}
}

// TestTied: two results that cover the question whole and score within
// tieMargin of each other are tied, and the first is then held below the
// threshold; a clear margin, or a runner-up that misses part of the
// question, is no tie.
func TestTied(t *testing.T) {
	res := func(final, cov float64) Result { return Result{cov: cov, feat: features{final: final}} }
	for _, c := range []struct {
		rs   []Result
		want bool
	}{
		{[]Result{res(3.33, 1), res(3.27, 1)}, true},
		{[]Result{res(3.33, 1), res(2.5, 1)}, false},
		{[]Result{res(3.33, 1), res(3.30, 0.6)}, false},
		{[]Result{res(3.33, 1)}, false},
	} {
		if got := tied(c.rs); got != c.want {
			t.Errorf("tied(%v) = %v, want %v", c.rs, got, c.want)
		}
	}
	p := analyze("预备党员中不中报", newSynonymIndex(Synonyms{}))
	rs := []Result{res(3.33, 1), res(3.27, 1)}
	rs[0].charCov, rs[1].charCov = 1, 1
	rs[0].feat.head, rs[1].feat.head = 0.9, 0.9
	setConfidence(p, rs)
	if rs[0].Confidence >= Threshold {
		t.Errorf("a tied first result has confidence %.2f, want below %.2f", rs[0].Confidence, Threshold)
	}
}

// TestZhongBuZhong: 中不中, the Xuzhou and Henan 行不行, asks yes or no and
// is no topic word.
func TestZhongBuZhong(t *testing.T) {
	p := analyze("预备党员中不中报名", newSynonymIndex(Synonyms{}))
	if p.kind != wantYesNo {
		t.Errorf("kind = %v, want yes or no", p.kind)
	}
	for _, u := range p.units {
		if strings.Contains(u.text, "中") {
			t.Errorf("unit %q of 中不中", u.text)
		}
	}
}

// TestPlaceSentences: a where-question is answered by a sentence that names
// a place, an address or a platform, not by one that only names the topic.
func TestPlaceSentences(t *testing.T) {
	for s, want := range map[string]bool{
		"地址为鼓楼区下淀路197号鼓楼科技创业园3号楼。":     true,
		"论坛在区党群服务中心二楼举行。":              true,
		"党员应当向所在党支部交纳党费。":              true,
		"考生登录“泉山党建”小程序报名。":             true,
		"鼓楼区开设“两新”组织“先锋论坛”，通过身边人讲身边事。": false,
		"预备期为一年。":                      false,
	} {
		if got := holds(wantPlace, "", "", s); got != want {
			t.Errorf("holds(place, %q) = %v, want %v", s, got, want)
		}
	}
}

// TestAboutNamed: a document of no district whose passage names the
// district a question names is that district's for the question; one that
// names another, or a district's own rule, is not.
func TestAboutNamed(t *testing.T) {
	named := map[string]bool{"丰县": true}
	rs := []Result{
		{Kind: KindPassage, DocID: "news", Text: "近年来，丰县着力打造专业化队伍。"},
		{Kind: KindPassage, DocID: "news", Text: "该县还建立了导师帮带制度。"},
		{Kind: KindPassage, DocID: "other", Text: "邳州市举办先锋论坛。"},
		{Kind: KindPassage, DocID: "district-fengxian", District: "丰县", Text: "丰县选取试点。"},
	}
	texts := make([]string, len(rs))
	for i, r := range rs {
		texts[i] = searchText(r)
	}
	about := aboutNamed(named, rs, texts)
	if !about["news"] || about["other"] || about["district-fengxian"] {
		t.Errorf("about %v, want only news", about)
	}
	if aboutNamed(nil, rs, texts) != nil {
		t.Error("about without a named district")
	}
}

// TestHeadlessLead: a paragraph under no heading is headed by its first
// sentence; a passage with a heading of its own is not.
func TestHeadlessLead(t *testing.T) {
	p := analyze("丰县党组织有多少个", newSynonymIndex(Synonyms{}))
	weights := evenWeights(p)
	text := "丰县共有两新党组织860个。其他内容。"
	headless := Result{Kind: KindPassage, Title: "xinwen", Text: text}
	headed := Result{Kind: KindPassage, Title: "xinwen", Section: "队伍建设", Text: text}
	if a, b := headCoverage(p, weights, headless), headCoverage(p, weights, headed); a < 0.5 || b > 0 {
		t.Errorf("head coverage headless %.2f (want ≥ 0.5), headed %.2f (want 0)", a, b)
	}
	if got := leadSentence(strings.Repeat("长", 300)); utf8.RuneCountInString(got) != leadRunes {
		t.Errorf("lead of a sentence of 300 runes has %d", utf8.RuneCountInString(got))
	}
}

// TestDistrictBelow: a question naming a district, answered first with the
// rule of all while that district's own passage comes next, is not sure;
// answered first with the district's own, or naming none, it may be.
func TestDistrictBelow(t *testing.T) {
	si := newSynonymIndex(Synonyms{})
	city := Result{Kind: KindFAQ, FAQID: "member-education"}
	own := Result{Kind: KindPassage, DocID: "district-fengxian", District: "丰县"}
	own.feat.place = 1
	p := analyze("丰县一年培训学时要够多少", si)
	if !districtBelow(p, []Result{city, own}) {
		t.Error("city rule over the named district's: sure")
	}
	if districtBelow(p, []Result{own, city}) {
		t.Error("the named district's own first: not sure")
	}
	if districtBelow(analyze("一年培训学时要够多少", si), []Result{city, own}) {
		t.Error("no district named: not sure")
	}
}

// TestCompoundWord: a word the dictionary does not know, made of a known
// word and a noun suffix (失业金), is found whole or not at all.
func TestCompoundWord(t *testing.T) {
	si := newSynonymIndex(Synonyms{Groups: [][]string{{"下岗失业", "失业", "下岗"}}})
	p := analyze("失业金怎么领取", si)
	bound := 0
	for _, u := range p.units {
		if u.bound != "" {
			bound++
		}
	}
	if bound != 2 {
		t.Fatalf("units %+v: want 失业 and 金 bound to 失业金", p.units)
	}
	dues := Result{Kind: KindPassage, Text: "下岗失业的党员和领取最低生活保障金的党员，每月交纳党费0.2元。"}
	benefit := Result{Kind: KindPassage, Text: "失业金由失业人员到经办机构申请领取。"}
	d, b := missesCompound(p, searchText(dues)), missesCompound(p, searchText(benefit))
	if !d || b {
		t.Errorf("missesCompound: dues %v (want true), benefit %v (want false)", d, b)
	}
	for _, u := range analyze("党费怎么交", si).units {
		if u.bound != "" {
			t.Errorf("党费怎么交: %q bound to %q", u.text, u.bound)
		}
	}
}

// TestAskedHeading: a heading that is a question (问：…, or ending in ？)
// is compared with the question asked as an FAQ question is; a topic
// heading is not.
func TestAskedHeading(t *testing.T) {
	for h, want := range map[string]string{
		"问：工资每月几号发放？":  "工资每月几号发放？",
		"Q: 考试在哪里？":    "考试在哪里？",
		"问题3：准考证怎么领？":  "准考证怎么领？",
		"这次一共招几个人？":    "这次一共招几个人？",
		"三、参训对象":       "",
		"第二章 考核内容 第五条": "",
	} {
		if got := askedHeading(h); got != want {
			t.Errorf("askedHeading(%q) = %q, want %q", h, got, want)
		}
	}
	si := newSynonymIndex(Synonyms{})
	p := analyze("工资每月几号发", si)
	r := Result{Kind: KindPassage, Section: "问：工资每月几号发放？", Text: "每月15日前发放上月工资。"}
	if sim := faqSimilarity(si, questionGrams(p), p.norm, r); sim < 0.5 {
		t.Errorf("question heading against the question asked: %.2f", sim)
	}
}

// evenWeights weighs every unit of p as 1, for tests of what is covered,
// not how rare it is.
func evenWeights(p plan) []float64 {
	w := make([]float64, len(p.units))
	for i := range w {
		w[i] = 1
	}
	return w
}
