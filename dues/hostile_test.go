package dues_test

import (
	"testing"

	"github.com/dangwu/dangwu/dues"
)

// Hostile tests of the 党费 calculator (issue 8). Each test names the
// defect it demonstrates; it fails until the defect is fixed.

// Defect: a Chinese figure with 十 before 万 is read with its leading
// digit counted twice: 二十万 is read as 220000 (not 200000), 三十万 as
// 330000, 一百五十万 as 1550000, 十万零一 as 110001. readNumber leaves
// `pending` set after 十/百/千, and 万 adds it again. 年薪二十万 then
// computes 366.67元 instead of 333.33元, confidently.
func TestHostileTenBeforeWanIsNotCountedTwice(t *testing.T) {
	for _, c := range []struct {
		text string
		yuan dues.Money
	}{
		{"工资二十万", 200000},
		{"年薪三十万", 300000},
		{"一百五十万", 1500000},
		{"十万零一", 100001},
		{"十万", 100000},
		{"两千五百万", 25000000},
	} {
		as := dues.FindAmounts(c.text)
		if len(as) != 1 {
			t.Errorf("%s: %d amounts %+v, want one", c.text, len(as), as)
			continue
		}
		if as[0].Value != c.yuan*100 {
			t.Errorf("%s: read as %s元, want %s元", c.text, as[0].Value.Yuan(), (c.yuan * 100).Yuan())
		}
	}
	r := mustRules(t)
	rep, ok := r.Answer("年薪二十万交多少党费")
	if !ok || rep.Kind != dues.Computed || rep.Dues.Yuan() != "333.33" {
		t.Errorf("年薪二十万交多少党费: %v %s元, want 333.33元 (200000/12 × 2%%)", rep.Kind, rep.Dues.Yuan())
	}
}

// Defect: the spoken range 三四千 ("three or four thousand") is read as
// 34000, and the calculator confidently answers 680元 a month. A range of
// two digits before a unit must not become a two-digit number; the bot
// should ask for the amount (or compute both ends), never 34000.
func TestHostileSpokenRangeIsNotThirtyFourThousand(t *testing.T) {
	r := mustRules(t)
	for _, q := range []string{"工资三四千交多少党费", "月薪五六千党费交多少"} {
		rep, ok := r.Answer(q)
		if ok && rep.Kind == dues.Computed && rep.Base >= 10000*100 {
			t.Errorf("%s: computed %s元 on a base of %s元", q, rep.Dues.Yuan(), rep.Base.Yuan())
		}
	}
}

// Defect: a retiree who states a wage (返聘工资6000), not a pension, is
// computed at the retirees' rate on the wage, with no assumption stated:
// the amount is next to 工资 (a keyword of 在职), the category is 离退休
// from 退休 elsewhere in the question. The issue asks that where the rules
// need more than the income (retired or working), the calculator ask or
// state the assumption.
func TestHostileRetireeWageIsNotTakenForPensionSilently(t *testing.T) {
	r := mustRules(t)
	rep, ok := r.Answer("我退休了，返聘工资6000，交多少党费")
	if ok && rep.Kind == dues.Computed && rep.Category.ID == "retired" && len(rep.Assumptions) == 0 {
		t.Errorf("返聘工资6000: computed %s元 as a pension of %s元 with no assumption stated; want a question (pension or wage?) or a stated assumption",
			rep.Dues.Yuan(), rep.Base.Yuan())
	}
}
