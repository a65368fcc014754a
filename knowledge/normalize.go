package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// joiners are quotation and title marks: they are dropped, not turned into
// a space, so that “两新”组织 reads 两新组织.
const joiners = "“”‘’\"'《》〈〉「」『』"

// foldRune maps one rune to its searchable form: full-width ASCII folded to
// half-width, lower-cased, punctuation, symbols and spaces to a space,
// quotation marks to -1 (dropped). It maps rune to rune, so a folded text
// lines up with its original.
func foldRune(r rune) rune {
	if r >= 0x4E00 && r <= 0x9FFF {
		return r // the common CJK ideographs: no folding, and most of what is searched
	}
	if strings.ContainsRune(joiners, r) {
		return -1
	}
	if r >= 0x80 {
		if f := width.LookupRune(r).Folded(); f != 0 {
			r = f
		}
	}
	switch {
	case r < 0x80:
		switch {
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		default:
			return ' '
		}
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return unicode.ToLower(r)
	case unicode.Is(unicode.Mn, r):
		return r // combining marks stay with their letter
	default:
		return ' '
	}
}

// foldRunes normalizes s rune by rune; the result has one rune per rune of
// s, -1 for a dropped one.
func foldRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, foldRune(r))
	}
	return out
}

// Normalize returns s as it is indexed and searched: full-width letters and
// digits folded, lower case, punctuation and runs of spaces as one space.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		r = foldRune(r)
		if r < 0 {
			continue
		}
		if r == ' ' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// isHan reports whether r is a CJK ideograph.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// token is a piece of a normalized text: a run of Han characters, or a word
// of letters and digits.
type token struct {
	text string
	han  bool
}

// tokens splits a normalized text into Han runs and other words.
func tokens(norm string) []token {
	var out []token
	rs := []rune(norm)
	for i := 0; i < len(rs); {
		r := rs[i]
		if r == ' ' {
			i++
			continue
		}
		j := i + 1
		han := isHan(r)
		for j < len(rs) && rs[j] != ' ' && isHan(rs[j]) == han {
			j++
		}
		out = append(out, token{text: string(rs[i:j]), han: han})
		i = j
	}
	return out
}

// bigrams returns the overlapping two-character pieces of a Han run, or the
// run itself when it is one character long.
func bigrams(run string) []string {
	rs := []rune(run)
	if len(rs) < 2 {
		return []string{run}
	}
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// Question words and filler stripped from a question before it is searched.
// They are removed wherever they stand, longest first, except inside the
// protected words below.
var stopWords = []string{
	// particles
	"吗", "呢", "吧", "啊", "呀", "么", "嘛", "哦", "哈", "啦", "呐", "哇",
	// question words
	"怎么样", "怎么办", "怎么", "怎样", "咋样", "咋办", "咋", "如何", "什么样", "什么", "啥样", "啥", "哪些", "哪个", "哪里",
	"哪儿", "哪", "多少", "几", "是否", "是不是", "能不能", "能否", "可不可以", "可以吗", "行不行", "中不中", "有没有",
	"要不要", "会不会", "为什么", "为啥", "谁", "是什么", "是多少", "有哪些", "有什么", "有多少",
	// filler
	"请问", "请教", "问一下", "问下", "一下", "我想问", "想问", "我想", "想知道", "知道", "告诉我", "告诉", "我们", "咱们",
	"我", "你们", "你", "您", "需要", "要", "的", "了", "应该", "可以", "一般", "具体", "到底", "究竟",
	"这个", "那个", "这些", "那些", "还是", "或者", "是", "和", "与", "及", "或",
	// colloquial filler
	"还", "都", "被", "着", "把", "得", "咱", "俺", "里", "里面", "一些", "有些", "这样", "那样", "的话",
	"时候", "平时", "一般来说", "比如", "大家", "人家", "自己", "那么", "这么", "干啥", "没有", "不是",
	// colloquial question frames and tags ("…对吗", "咋弄", "是干嘛的"); not
	// "怎么整", which would eat the 整 of 怎么整改
	"能够", "可否", "行吗", "好吗", "对吗", "对不对", "是吧", "咋整", "咋弄", "怎么弄", "怎么搞", "咋搞",
	"干嘛", "干吗", "多会儿",
}

// Words that contain a stop word but carry meaning; they are kept whole.
var protectedWords = []string{
	"了解", "为了", "除了", "目的", "的确", "有的", "要求", "重要", "主要", "要点", "纲要", "必要", "要素",
	"首要", "摘要", "只要", "纪要", "要件", "要闻", "我国", "自我", "几乎", "几何", "哪怕",
	"是非", "实事求是", "但是", "凡是", "于是", "总是", "正是", "也是", "就是", "即是", "或是", "要是",
	"和谐", "和平", "平和", "参与", "给与", "及时", "以及", "普及", "涉及", "危及", "及格",
	"具体化", "一般性", "请假", "申请", "还原", "归还", "偿还", "着力", "着重", "着手", "显着", "得到", "获得",
	"取得", "心得", "记得", "得分", "公里", "邻里", "被告", "自己人", "没有正当理由",
}

// stopScanner holds the stop words and protected words that
// synonymIndex.scan matches, longest first.
type stopScanner struct {
	words  map[string]bool // true: stop word, false: protected
	maxLen int
}

var defaultStops = newStopScanner()

func newStopScanner() *stopScanner {
	s := &stopScanner{words: make(map[string]bool)}
	for _, w := range stopWords {
		s.words[w] = true
		s.maxLen = max(s.maxLen, utf8.RuneCountInString(w))
	}
	for _, w := range protectedWords {
		s.words[w] = false
		s.maxLen = max(s.maxLen, utf8.RuneCountInString(w))
	}
	return s
}
