package knowledge

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlainTextWithoutHeadings(t *testing.T) {
	para := func(s string) string { return strings.Repeat(s, 4) }
	text := "徐州推动党务工作者专业化\n" +
		para("全市把专职党务工作者队伍建设作为两新组织党建的基础工作来抓。") + "\n\n" +
		"广纳人才 充实队伍\n\n" +
		para("各地通过公开招聘和组织选派等办法，把政治素质好的人选进队伍。") + "\n" +
		para("新招聘的人员经过培训后再上岗。") + "\n" +
		"多元培训\n" +
		para("鼓楼区组织党务工作者外出观摩学习，带回好的做法。") + "\n" +
		"记者 张明\n"
	doc, err := parsePlain(context.Background(), text, "news")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "徐州推动党务工作者专业化" {
		t.Errorf("title %q", doc.Title)
	}
	var got []string
	for _, p := range doc.Passages {
		got = append(got, p.Section)
	}
	want := []string{"徐州推动党务工作者专业化", "广纳人才 充实队伍", "多元培训"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sections %q, want %q", got, want)
	}
	// a short line at the end, with no paragraph after it, is text
	if last := doc.Passages[2].Text; !strings.HasSuffix(last, "记者 张明") {
		t.Errorf("closing line lost: %q", last)
	}
	// no text is lost or repeated
	var all strings.Builder
	for _, p := range doc.Passages {
		all.WriteString(strings.ReplaceAll(p.Text, "\n", ""))
	}
	if n, m := utf8.RuneCountInString(all.String()), utf8.RuneCountInString(strings.ReplaceAll(text, "\n", ""))-utf8.RuneCountInString(doc.Title+"广纳人才 充实队伍多元培训"); n != m {
		t.Errorf("passages hold %d runes, the text %d", n, m)
	}
}

func TestShortLinesInARowAreText(t *testing.T) {
	text := "通知\n一年级\n二年级\n三年级\n" + strings.Repeat("这一段比较长，说明前面的几行是一个列表而不是标题。", 2)
	doc, err := parsePlain(context.Background(), text, "n")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Passages {
		if p.Section == "一年级" || p.Section == "二年级" {
			t.Errorf("a list item became a heading: %q", p.Section)
		}
	}
}

func TestOneLongParagraph(t *testing.T) {
	text := strings.Repeat("党支部应当按照规定召开组织生活会，认真开展批评和自我批评。", 1700) // about 50,000 runes, one line
	doc, err := parsePlain(context.Background(), text, "pasted")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "pasted" {
		t.Errorf("a paragraph became the title: %.40q", doc.Title)
	}
	total := 0
	for _, p := range doc.Passages {
		n := utf8.RuneCountInString(p.Text)
		if n > maxPassageRunes {
			t.Fatalf("passage of %d runes, limit %d", n, maxPassageRunes)
		}
		total += n
	}
	if want := utf8.RuneCountInString(text); total != want {
		t.Errorf("passages hold %d runes, want %d", total, want)
	}
}
