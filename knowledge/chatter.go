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
	case utf8.RuneCountInString(strings.ReplaceAll(rest, " ", "")) < 2, repetitive(rest):
		return Hint, ""
	}
	if greeted || thanked {
		return NotChatter, rest
	}
	return NotChatter, text
}

// stripChatter removes greeting, thanks and empty words from the start
// and the end of a normalized text, longest word first. A word is removed
// only where it stands apart (its token ends with it: "谢谢，党费…"), except
// that a greeting of two characters or more may run into the question
// ("你好预备期多长") and a particle may end it ("预备期多长啊"); so 赞成票,
// 感谢信 and 好的党员 keep their first character, and 是什么 its 么.
func stripChatter(norm string) (rest string, greeted, thanked bool) {
	note := func(k Chatter) {
		greeted = greeted || k == Greeting
		thanked = thanked || k == Thanks
	}
	ts := tokens(norm)
	// Tokens made of nothing but chatter words ("请问在吗", "多谢了") go whole.
	kept := ts[:0]
	for _, t := range ts {
		if ks, ok := allChatter(t); ok {
			for _, k := range ks {
				note(k)
			}
			continue
		}
		kept = append(kept, t)
	}
	ts = kept
	for len(ts) > 0 {
		w, k := chatterAffix(ts[0], strings.HasPrefix)
		if w == "" || w != ts[0].text && !(k == Greeting && utf8.RuneCountInString(w) >= 2) {
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
		if w == "" || w != last.text && !endParticle(w) && !(k == Thanks && utf8.RuneCountInString(w) >= 2) {
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

// allChatter reports whether a token is a run of chatter words, and their kinds.
func allChatter(t token) ([]Chatter, bool) {
	var kinds []Chatter
	for rest := t; rest.text != ""; {
		w, k := chatterAffix(rest, strings.HasPrefix)
		if w == "" {
			for _, a := range aloneWords { // 了 of 多谢了
				if rest.text == a {
					return kinds, true
				}
			}
			return nil, false
		}
		kinds = append(kinds, k)
		rest.text = rest.text[len(w):]
	}
	return kinds, true
}

// endParticle reports whether w is a particle that may end a question
// attached to it ("多长啊"); 么 is not one (是什么, 怎么).
func endParticle(w string) bool {
	return strings.Contains("啊呀吗呢吧哦嘛啦", w) && utf8.RuneCountInString(w) == 1
}

// repetitive reports whether s is one or two characters repeated
// ("党党党党…", "哈哈哈哈"): nothing a question could be about.
func repetitive(s string) bool {
	seen := map[rune]bool{}
	n := 0
	for _, r := range s {
		if r != ' ' {
			seen[r] = true
			n++
		}
	}
	return n >= 6 && len(seen) <= 2
}

// isAmount reports whether s is a figure and its unit only ("8000元",
// "8千", "1.2万", "一万二", "八千块").
func isAmount(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	for _, unit := range []string{"块钱", "元", "块", "k", "w"} {
		s = strings.TrimSuffix(s, unit)
	}
	if s == "" {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("零〇一二两三四五六七八九十百千万亿", r):
			digits++
		case r == '.':
		default:
			return false
		}
	}
	return digits > 0 && strings.Count(s, ".") <= 1
}
