package knowledge

import (
	"strings"
	"unicode/utf8"
)

// Not every message is a question: "你好", "谢谢", "？" or "👍" should get a
// friendly word or a hint how to ask, not "nothing reliable, your question
// was recorded", and should not reach the coordinators' queue.

// Chatter is what kind of message a text is.
type Chatter int

const (
	NotChatter Chatter = iota // a question: something to search for
	Greeting                  // 你好, 在吗
	Thanks                    // 谢谢, 好的收到
	Hint                      // punctuation, emoji, a particle or one character: nothing to search
	Number                    // only a number ("8000"): perhaps an income, without its question
)

// Words that carry no question: greetings, thanks and acknowledgements,
// particles and forms of address. Longest first where one holds another.
var (
	greetingWords = strings.Fields(`你好啊 你好呀 你好 您好 大家好 老师好 早上好 上午好 中午好 下午好 晚上好 早安 晚安 早啊 在吗 在么 在不在 有人吗 有人在吗
		哈喽 嗨 hello hi hey 喂 小助手 助手 机器人 党务助手 bot`)
	thanksWords = strings.Fields(`谢谢你们 谢谢你 谢谢您 谢谢 多谢 感谢 谢了 谢啦 辛苦了 辛苦 麻烦了 thanks thank thx ty 好的 好滴 收到 明白了 明白 懂了 知道了 了解了
		非常感谢 太感谢了 感谢感谢 谢谢老师 没问题 好嘞 好吧 可以了 行了 不错 厉害 赞`)
	emptyWords = strings.Fields(`啊 呀 吗 呢 吧 哦 噢 喔 嘛 啦 哈 哈哈 么 嗯 嗯嗯 唉 哎 诶 额 呃 哇 嘿 你 您 我 你们 我们 是的 对的 请问 老师 ok okay u you`)
	// words that are chatter only standing alone ("好", but not the 好 of 好多)
	aloneWords = strings.Fields(`好 行 对 是 的 了 1`)
)

// ClassifyMessage tells a question from chatter. For a question it returns
// the text to search: the message without its greeting or thanks
// ("你好，预备期多长" searches "预备期多长").
func ClassifyMessage(text string) (Chatter, string) {
	norm := Normalize(text)
	if norm == "" {
		return Hint, ""
	}
	rest, greeted, thanked := stripChatter(norm)
	switch {
	case rest == "" && thanked:
		return Thanks, ""
	case rest == "" && greeted:
		return Greeting, ""
	case rest == "":
		return Hint, ""
	case isNumber(strings.ReplaceAll(rest, " ", "")) || isAmount(rest):
		return Number, ""
	case utf8.RuneCountInString(strings.ReplaceAll(rest, " ", "")) < 2:
		return Hint, ""
	}
	if greeted || thanked {
		return NotChatter, rest
	}
	return NotChatter, text
}

// stripChatter removes greeting, thanks and empty words from the start
// and the end of a normalized text, longest word first; the middle of a
// question is left alone ("怎么" keeps its 么).
func stripChatter(norm string) (rest string, greeted, thanked bool) {
	note := func(k Chatter) {
		greeted = greeted || k == Greeting
		thanked = thanked || k == Thanks
	}
	ts := tokens(norm)
	for len(ts) > 0 {
		w, k := chatterAffix(ts[0], strings.HasPrefix)
		if w == "" {
			break
		}
		note(k)
		if ts[0].text = ts[0].text[len(w):]; ts[0].text == "" {
			ts = ts[1:]
		}
	}
	for len(ts) > 0 {
		last := &ts[len(ts)-1]
		w, k := chatterAffix(*last, strings.HasSuffix)
		if w == "" {
			break
		}
		note(k)
		if last.text = last.text[:len(last.text)-len(w)]; last.text == "" {
			ts = ts[:len(ts)-1]
		}
	}
	words := make([]string, len(ts))
	for i, t := range ts {
		words[i] = t.text
	}
	return strings.Join(words, " "), greeted, thanked
}

// chatterAffix is the longest chatter word a token starts (or ends) with,
// and its kind. A word of letters must be the whole token ("hi", not the
// "hi" of "history").
func chatterAffix(t token, at func(s, affix string) bool) (string, Chatter) {
	best, kind := "", NotChatter
	try := func(words []string, k Chatter) {
		for _, w := range words {
			if len(w) > len(best) && (t.han && at(t.text, w) || !t.han && t.text == w) {
				best, kind = w, k
			}
		}
	}
	try(greetingWords, Greeting)
	try(thanksWords, Thanks)
	try(emptyWords, Hint)
	for _, w := range aloneWords {
		if t.text == w && len(w) > len(best) {
			best, kind = w, Hint
		}
	}
	return best, kind
}

// isAmount reports whether s is a figure and its unit only ("8000元",
// "8千", "1.2万").
func isAmount(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	for _, unit := range []string{"元", "块", "块钱", "千", "万", "k"} {
		s = strings.TrimSuffix(s, unit)
	}
	digits := strings.ReplaceAll(s, ".", "")
	return isNumber(digits) && strings.Count(s, ".") <= 1
}
