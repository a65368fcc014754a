package knowledge

import (
	"regexp"
	"strings"
	"sync"
)

// What a question asks for decides which sentence answers it: "多久" wants a
// time, "哪些" a list. This is the answer-type step of classic question
// answering, done with cue words on the question and patterns on the
// candidate sentences; it needs no model.

// answerKind is the kind of answer a question wants.
type answerKind int

const (
	wantAny       answerKind = iota
	wantNumber               // 多少, 几个, 几名, 百分之几: a count, amount or share
	wantDuration             // 多久, 多长时间, 几年: a length of time or a deadline
	wantFrequency            // 多久一次, 一年几次: how often
	wantList                 // 哪些, 步骤, 流程: several items or steps
	wantWho                  // 谁, 哪个部门, 由谁: a body or person
	wantYesNo                // 能不能, 可以吗, 要不要: whether
	wantName                 // 叫什么, 是什么: a name or definition
	wantPlace                // 在哪, 什么地方: a place, an address, a platform
)

var kindNames = [...]string{"any", "number", "duration", "frequency", "list", "who", "yesno", "name", "place"}

func (k answerKind) String() string { return kindNames[k] }

// Cue patterns on a normalized question, tried in order: the first that
// matches decides. Frequency comes before duration ("多久开一次" asks how
// often, not how long), duration before number ("多少天" is a time).
var questionCues = []struct {
	kind answerKind
	re   *regexp.Regexp
}{
	{wantFrequency, regexp.MustCompile(`(多久|多长时间|隔多长|多少天|几个月|几年)[^ ]{0,6}(一次|1次|一回)|[一每]?(年|月|季度|季|周|星期)[^ ]{0,3}(几次|多少次|几回)|(频次|频率|多久开|多久搞|多久举行|多久召开|多久组织|多久过)`)},
	{wantDuration, regexp.MustCompile(`多久|多长时间|多长|多少天|多少年|多少个月|几天|几年|几个月|几周|几个小时|几小时|多少学时|几个学时|什么时候|啥时候|啥时|何时|几时|多会儿|多咱|什么时间|啥时间|哪天|哪年|几月|星期几|礼拜几|周几|期限|时限|截止|多大年龄|多大岁数|几岁|多少岁`)},
	{wantNumber, regexp.MustCompile(`多少|几个|几名|几人|几位|几家|几级|几类|几种|几项|几条|几档|几倍|百分之几|多大比例|比例是|什么比例|几成|几毛|几块|几分|交多少|几元`)},
	{wantList, regexp.MustCompile(`哪些|哪几|步骤|流程|程序|环节|几步|什么条件|啥条件|哪方面|包括什么|包括啥|有什么要求|有啥要求|怎么走|都有什么|都有啥|内容有`)},
	{wantPlace, regexp.MustCompile(`在哪|哪里|哪儿|去哪|到哪|什么地方|啥地方|哪个地方|什么位置|地点在|地址在`)},
	{wantWho, regexp.MustCompile(`谁|哪个部门|哪个单位|哪个组织|哪级|哪一级|由哪|找哪|归哪|哪个会|什么会议|什么人|啥人|哪个党组织`)},
	{wantYesNo, regexp.MustCompile(`能不能|可不可以|可以吗|行不行|中不中|行吗|要不要|需不需要|用不用|是不是|是否|能否|可否|算不算|会不会|有没有|能[^ ]{1,12}吗|可以[^ ]{1,12}吗|要[^ ]{1,12}吗|算[^ ]{1,12}吗|得[^ ]{1,8}吗$`)},
	{wantName, regexp.MustCompile(`叫什么|叫啥|是什么|是啥|什么是|啥是|指什么|指的是|什么意思|啥意思|含义|定义`)},
}

// whichOnes is 哪几 not before a unit of time: it asks which ones, a list
// (哪几条原则, 哪几个城市), whatever count word follows.
var whichOnes = regexp.MustCompile(`哪几[^天日月年]`)

// questionKind is what a normalized question asks for.
func questionKind(norm string) answerKind {
	if whichOnes.MatchString(norm) {
		return wantList
	}
	for _, c := range questionCues {
		if c.re.MatchString(norm) {
			return c.kind
		}
	}
	return wantAny
}

const (
	numeral  = `(\d+(\.\d+)?|[一二两三四五六七八九十百千万半零〇]+)`
	timeUnit = `(年|个月|月|周|星期|天|日|个工作日|工作日|小时|学时|课时|届)`
)

// Patterns of sentences that hold each kind of answer.
var sentenceHolds = map[answerKind]*regexp.Regexp{
	wantNumber:    regexp.MustCompile(numeral + `\s*(名|个|人|元|%|％|级|类|种|项|条|档|倍|家|位|次|分|岁|成|毛|角|票|等次|等级|学时|以上|以下|至)|百分之|分之` + numeral + `|` + numeral + `\s*(年|个月|天)`),
	wantDuration:  regexp.MustCompile(numeral + `\s*` + timeUnit + `|(星期|礼拜|周)[一二三四五六日天]|半年|一年|每年|每月|每季度|届满|任期|期满|之日起|以内|之内|前|当天|当月|及时`),
	wantFrequency: regexp.MustCompile(`每(年|月|季度|季|半年|周|星期|届)|(年|月|季度|周)[^。；]{0,8}(\d+|[一二两三四五六七八九十])\s*次|按(月|季度|季|年)|定期|随时|经常|一般[^。；]{0,6}次|至少[^。；]{0,8}次`),
	wantList:      regexp.MustCompile(`、[^。；]*、|；|一是|二是|第一|首先|其次|然后|最后|包括|分为|主要有|以下|程序|步骤|环节|（一）|\(一\)|\d[.、]`),
	wantWho:       regexp.MustCompile(`由[^。；，]{1,20}(决定|批准|审批|负责|指定|讨论|审查|确定|任命|选举|推荐|备案|组织|召开|主持)|报[^。；，]{0,8}(批准|审批|备案)|(党委|党支部|支部委员会|支部大会|党员大会|上级党组织|组织部|党组织|书记|委员会)`),
	wantYesNo:     regexp.MustCompile(`可以|不可以|不能|能够|不得|应当|应该|必须|须|需要|不需要|无需|不用|允许|不允许|禁止|要|不要|不算|算作|视为|是|不是|没有|不再`),
	wantPlace:     regexp.MustCompile(`\d+号|号楼|\d+楼|[一二三四五六七八九十]楼|会议室|多功能厅|报告厅|会议中心|服务中心|活动中心|活动室|纪念馆|党校|学院|基地|礼堂|展馆|酒店|宾馆|广场|大厦|大楼|地点|地址|线上|网上|平台|小程序|在[^。；，]{2,16}(举行|举办|召开|进行|开展|集中|报到|上课|培训|开讲)|向[^。；，]{1,12}(交|缴|报送|提交|申请|提出)|到[^。；，]{2,12}(办理|领取|报到|参加)`),
	wantName:      regexp.MustCompile(`是指|称为|叫做|简称|即|也就是|是[^。；，]{2,30}(的|制度|活动|会议|组织|形式|机制|做法)`),
}

// holds reports whether a sentence, as written (with its punctuation), holds
// the kind of answer; for a count with a measure word ("几级", "多少名") the
// sentence must count in that measure ("四个等级", "96名"), and for a length
// of time in a unit ("几天") in that unit.
func holds(k answerKind, measure, unit, sentence string) bool {
	if !held.match(k, sentence) {
		return false
	}
	return (measure == "" || countsIn(sentence, measure)) && (unit == "" || countsInAny(sentence, unit, 4))
}

// timeUnits are the units of time a how-long question may count in, each
// with the characters its amounts end in: 几天 is answered by 3天 or 5个工作日,
// not by 56学时.
var timeUnits = []struct {
	re    *regexp.Regexp
	units string
}{
	{regexp.MustCompile(`(几|多少)个?(小时|钟头|学时|课时)`), "时"},
	{regexp.MustCompile(`(几|多少)个?(天|日|工作日)`), "天日"},
	{regexp.MustCompile(`(几|多少)个?月`), "月"},
	{regexp.MustCompile(`(几|多少)年`), "年"},
}

// questionTimeUnit is the characters the amounts of the unit of time a
// normalized question asks in end in, or "".
func questionTimeUnit(norm string) string {
	for _, u := range timeUnits {
		if u.re.MatchString(norm) {
			return u.units
		}
	}
	return ""
}

// countsInAny reports whether a sentence has a numeral followed, within
// reach characters, by one of the runes of units.
func countsInAny(sentence, units string, reach int) bool {
	rs := []rune(sentence)
	for i, r := range rs {
		if !isNumeral(r) {
			continue
		}
		for j := i + 1; j < len(rs) && j <= i+reach; j++ {
			if strings.ContainsRune(units, rs[j]) {
				return true
			}
		}
	}
	return false
}

// questionMeasure is what a question counts in, as the characters an
// answer's count may end in: the character after 几 or 多少 (past a 个),
// as in 几级, 几个等级, 多少名, with the measures that count the same thing
// (几个人: 3名, 几毛: 0.2元, 多少个钟头: 32学时), and for 几个 before a
// noun (几个正式党员) a count of people or of anything; "" when there is none
// (交多少, 多少钱), and for 哪几 and 礼拜几, which ask which, not how many.
func questionMeasure(norm string) string {
	rs := []rune(norm)
	for i, r := range rs {
		next := i + 1
		switch {
		case r == '几' && !asksWhich(rs[:i]):
		case r == '多' && next < len(rs) && rs[next] == '少':
			next++
		default:
			continue
		}
		ge := next < len(rs) && rs[next] == '个'
		if ge {
			next++
		}
		if next < len(rs) && isHan(rs[next]) && !strings.ContainsRune(notMeasures, rs[next]) &&
			!strings.HasPrefix(string(rs[next:]), "小时") {
			m := string(rs[next])
			for _, f := range measureFamilies {
				if strings.Contains(f, m) {
					return f
				}
			}
			if ge {
				m += measureFamilies[0] // 几个正式党员: 3人, 3个, 3名
			}
			return m
		}
	}
	return ""
}

// asksWhich reports whether a 几 after before does not ask how many: 哪几
// asks which ones, 礼拜几 (星期几, 周几) which day; 每期几个人 and 每周几次
// count.
func asksWhich(before []rune) bool {
	s := string(before)
	return strings.HasSuffix(s, "哪") || strings.HasSuffix(s, "礼拜") || strings.HasSuffix(s, "星期") ||
		strings.HasSuffix(s, "周") && !strings.HasSuffix(s, "每周") && !strings.HasSuffix(s, "一周")
}

// measureFamilies are measures that count the same things: people, money,
// hours of study.
var measureFamilies = []string{"个人名位", "元块角毛", "时钟课"}

// notMeasures follow 几 or 多少 without being a measure of the answer.
const notMeasures = "钱块元乎时天年月周岁次回趟遍倍分点"

// countsIn reports whether a sentence has a numeral followed, within three
// characters, by one of the runes of measure.
func countsIn(sentence, measure string) bool {
	return countsInAny(sentence, measure, 3)
}

func isNumeral(r rune) bool {
	return r >= '0' && r <= '9' || strings.ContainsRune("一二两三四五六七八九十百千万", r)
}

// strongKind reports whether a kind's sentence pattern tells answers apart:
// nearly every rule says "可以" or "是", so yes-no and name questions are
// matched on their words alone.
func strongKind(k answerKind) bool {
	switch k {
	case wantNumber, wantDuration, wantFrequency, wantList, wantWho, wantPlace:
		return true
	}
	return false
}

// cueWords are words that tell what kind of answer is wanted and are found
// in many passages ("多久", "一次", "步骤"). A question is split at them
// like at stop words, and they become search units of low weight, so the
// topic of the question decides which passage is found.
var cueWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`多长时间 多久 多长 一次 几次 每次 步骤 流程 程序 环节 条件 要求 标准 办法
		方法 比例 范围 作用 内容 情况 规定 意思 含义 规矩 手续
		几天 几年 几个月 几周 几小时 几个小时 多少天 多少年 多少个月 几回 多少次
		什么地方 啥地方 哪个地方 什么位置 什么时间 啥时间 几号 几点`) {
		cueWords[w] = true
	}
}

// cueClasses are cue words that ask the same thing: two questions that
// differ only in which of them they use ("预备期多长" and "预备期多长时间")
// are the same question.
var cueClasses = map[string]string{}

func init() {
	for _, class := range []string{"多久 多长时间 多长 几天 几年 几个月 几周 几小时 几个小时 多少天 多少年 多少个月",
		"几次 几回 多少次", "什么地方 啥地方 哪个地方 什么位置", "什么时间 啥时间 几号 几点",
		"步骤 流程 程序 环节", "含义 意思", "办法 方法", "要求 规矩 规定"} {
		ws := strings.Fields(class)
		for _, w := range ws {
			cueClasses[w] = ws[0]
		}
	}
}

// cueCanon is the word that stands for a cue word's class.
func cueCanon(w string) string {
	if c, ok := cueClasses[w]; ok {
		return c
	}
	return w
}

// cueWeight is the weight of a cue word's unit, against 1 for a topic word.
const cueWeight = 0.35

// heldMemo remembers which kinds of answer a text holds (sentenceHolds):
// the patterns are the costly part of ranking, and a search meets the same
// passages and sentences again and again. It forgets everything when it
// holds heldMemoBytes of text, so memory stays bounded whatever is asked.
type heldMemo struct {
	mu    sync.Mutex
	m     map[string]uint32 // bit k: kind k tried; bit 16+k: it holds
	bytes int
}

// heldMemoBytes bounds the text the memo holds; a text over
// heldMemoLongest is matched afresh each time, never kept.
const (
	heldMemoBytes   = 4 << 20
	heldMemoLongest = 64 << 10
)

var held heldMemo

// match reports whether text matches the pattern of kind k.
func (h *heldMemo) match(k answerKind, text string) bool {
	re := sentenceHolds[k]
	if re == nil {
		return false
	}
	if len(text) > heldMemoLongest {
		return re.MatchString(text)
	}
	tried, yes := uint32(1)<<k, uint32(1)<<(16+k)
	h.mu.Lock()
	bits, ok := h.m[text]
	h.mu.Unlock()
	if ok && bits&tried != 0 {
		return bits&yes != 0
	}
	m := re.MatchString(text)
	bits |= tried
	if m {
		bits |= yes
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !ok {
		if h.m == nil || h.bytes+len(text) > heldMemoBytes {
			h.m, h.bytes = map[string]uint32{}, 0
		}
		text = strings.Clone(text) // not the whole passage a sentence is cut from
		h.bytes += len(text)
	}
	h.m[text] |= bits
	return m
}
