package knowledge

import (
	"regexp"
	"strings"
)

// A notice — of a training class, a forum, a meeting — is the commonest
// document a coordinator sends, and it is written in labelled parts: 一、培训
// 时间, 二、培训地点, 三、参训对象… A question about it asks for one of those
// parts ("几号报到", "在哪里培训", "联系谁"), often in no word of the part's
// text ("2027年3月15日至17日" has neither 几号 nor 报到时间), so the label
// of the section is the evidence: a question's slot is the part it asks for,
// and a section whose own heading names that part holds the kind of answer
// wanted.

// slot is a part of a notice a question can ask for.
type slot struct {
	ask   *regexp.Regexp // what a question asking for it says
	heads []string       // what a heading of the part says
}

var slots = []slot{
	// signing up first: 报名截止到几号 asks for the 报名 part, which holds its deadline
	{regexp.MustCompile(`(怎么|咋|如何|在哪|哪里|去哪|找谁)(报名|报考|报送)|报名(方式|办法|渠道|截止|材料)|(报名|报考)(要|需要|得)?(交|上传|提交|准备|带)|截止到|名额`), []string{"报名", "报考", "报送", "名额"}},
	{regexp.MustCompile(`(一年|每年|一个月|每月|每季度|一季度|多久|多长时间)[^ ]{0,6}(几回|几次|几场|几期|一次|一回|一期)|多少(回|次|场|期)|频次|频率`), []string{"频次", "频率", "次数", "周期"}},
	{regexp.MustCompile(strings.Join(whenWords, "|") + `|几点|哪几天|什么时间|啥时间|(开始|结束|报到|举行|举办|截止|报名)(时间|日期)`), []string{"时间", "日期", "什么时候"}},
	// getting there before the place: 在哪集合 asks for the 集合 part
	{regexp.MustCompile(`开车|坐车|坐什么车|乘车|交通|怎么去|咋去|怎么过去|咋过去|几点集合|在哪集合|集合`), []string{"交通", "集合", "乘车"}},
	{regexp.MustCompile(`哪里|哪儿|在哪|什么地方|啥地方|哪个地方|哪些地方|地点|地址|什么位置`), []string{"地点", "地址", "场所", "点位", "线路"}},
	// a spoken age (今年36了) asks for the age limit, a newcomer (才入职半年)
	// whether the rule covers them: who it is for
	{regexp.MustCompile(`\d{2}岁|[二三四五]十[一二三四五六七八九]?岁|今年\d{2}了|年龄|岁数|多大(了|岁)`), []string{"年龄"}},
	{regexp.MustCompile(`(才|刚|新)(入职|上岗|来|上班|参加工作|聘)|入职不满|上岗不满|不满(一|半)?年`), []string{"对象", "范围", "哪些人", "条件", "资格"}},
	{regexp.MustCompile(`哪些人|什么人|啥人|谁(可以|能|要|需要|应该)?参加|给谁|面向谁|谁(可以|能)?(去|报名|参训)|参加对象|参训对象|培训对象|对象是|对象有`), []string{"对象", "人员范围", "参加人员", "参训人员"}},
	{regexp.MustCompile(`(学|讲|考|培训|干|做|搞)(些)?(什么|啥|哪些)|(什么|啥|哪些)(课|活动)|哪些内容|什么内容|啥内容|内容是|内容有`), []string{"内容", "课程", "议程"}},
	{regexp.MustCompile(`联系人|联系谁|找谁|电话|联系方式|咨询`), []string{"联系", "咨询", "电话"}},
	{regexp.MustCompile(`费用|交钱|花钱|花的钱|花多少|掏钱|出钱|自己出|收费|多少钱|自费|报销|路费|车费|食宿|补助|补贴`), []string{"费用", "经费", "收费", "食宿", "补助"}},
	{regexp.MustCompile(`主题(是|叫)|(什么|啥)主题`), []string{"主题"}},
	{regexp.MustCompile(`请假|迟到|早退|纪律|注意(什么|啥|事项)|有(什么|啥)要求`), []string{"要求", "纪律", "注意事项", "须知"}},
}

// questionSlot is the part of a notice a normalized question asks for, or
// nil.
func questionSlot(norm string) *slot {
	for i := range slots {
		if slots[i].ask.MatchString(norm) {
			return &slots[i]
		}
	}
	return nil
}

// holdsSlot reports whether a passage's own heading (its section, not the
// document's title, which all its sections share) names the part asked for.
func holdsSlot(s *slot, r Result) bool {
	if s == nil || r.Kind != KindPassage || r.Section == "" || r.Section == r.Title {
		return false
	}
	h := Normalize(r.Section)
	for _, w := range s.heads {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}
