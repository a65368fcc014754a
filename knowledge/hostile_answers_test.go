package knowledge_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/knowledge"
)

// Hostile tests of answering (issue 8). Each test names the defect it
// demonstrates; it fails until the defect is fixed.

// Defect: chatter words are stripped as prefixes of a Han run, so the 赞
// of 赞成票 is taken for thanks ("赞" = 👍): "赞成票要超过半数吗" is
// searched as "成票要超过半数", and the bot answers confidently about the
// quorum of a 支部大会 instead of the votes a candidate needs. Likewise
// 感谢信 loses 感谢, and a two-character word like 额度 loses 额 and
// becomes a hint.
func TestHostileChatterWordInsideAWordIsNotStripped(t *testing.T) {
	for _, c := range []struct{ q, keep string }{
		{"赞成票要超过半数吗", "赞成票"},
		{"感谢信怎么写", "感谢信"},
		{"好的党员标准是什么", "好的党员"},
	} {
		kind, search := knowledge.ClassifyMessage(c.q)
		if kind != knowledge.NotChatter || !strings.Contains(search, c.keep) {
			t.Errorf("ClassifyMessage(%q) = %v, %q; want a question still holding %q", c.q, kind, search, c.keep)
		}
	}
}

// Defect: a "question" that is one character repeated (党 five hundred
// times — the bot keeps the first 500 characters of a 10,000-character
// message) gets a confident answer (a passage about the 谈话 before a
// 基层党委 approves), though it asks nothing. Such input should get no
// confident answer.
func TestHostileRepeatedCharacterIsNotAnsweredConfidently(t *testing.T) {
	b := evalBase(t)
	for _, q := range []string{strings.Repeat("党", 500), strings.Repeat("党员", 250)} {
		ans, err := b.Find(context.Background(), knowledge.Request{Text: q, N: 3})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Confident && len(ans.Results) > 0 {
			r := ans.Results[0]
			t.Errorf("%.6q×%d: confident %s#%s %q", q, len([]rune(q)), r.DocID, r.Section, r.Answer)
		}
	}
}

// Defect: the duplicate check hashes the title with the text, so the body
// of a document already in the knowledge base, sent as a .txt without its
// title line, is not a duplicate: its first heading becomes its title and
// the same words are indexed twice.
func TestHostileDuplicateWithoutTitleLineIsRefused(t *testing.T) {
	ctx := context.Background()
	_, st := mustStore(t)
	b := mustBase(t, st, "")
	if _, err := b.LoadContent(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	const body = "召开时间和形式\n党支部每年至少召开1次组织生活会，一般安排在第四季度，也可以根据工作需要随时召开。组织生活会一般以党员大会、党支部委员会会议或者党小组会的形式召开。\n\n" +
		"召开的主要环节\n组织生活会应当确定主题。会前要组织党员认真学习，开展谈心谈话，广泛听取党员和群众的意见，党员对照要求查找自身问题，做好发言准备。\n"
	now := time.Now()
	if _, err := knowledge.ImportFile(ctx, st, "组织生活会.txt", []byte("组织生活会\n"+body), knowledge.Operator, now); err != nil {
		t.Fatal(err)
	}
	if _, err := knowledge.ImportFile(ctx, st, "会议.txt", []byte(body), knowledge.Operator, now); !errors.Is(err, knowledge.ErrDuplicate) {
		t.Errorf("the same text without its title line: %v, want ErrDuplicate", err)
	}
}
