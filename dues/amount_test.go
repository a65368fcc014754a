package dues_test

import (
	"strings"
	"testing"

	"github.com/dangwu/dangwu/dues"
)

func TestFindAmounts(t *testing.T) {
	type want struct {
		yuan     string // "" for an amount too large to count
		huge     bool
		negative bool
		yearly   bool
		afterTax bool
	}
	tests := []struct {
		name, text string
		want       []want
	}{
		{"arabic", "8000", []want{{yuan: "8000"}}},
		{"full-width", "８０００", []want{{yuan: "8000"}}},
		{"grouped", "8,000", []want{{yuan: "8000"}}},
		{"grouped millions", "1,200,000元", []want{{yuan: "1200000"}}},
		{"decimals", "8000.5元", []want{{yuan: "8000.5"}}},
		{"chinese thousands", "八千", []want{{yuan: "8000"}}},
		{"digit and 千", "8千", []want{{yuan: "8000"}}},
		{"k", "8k", []want{{yuan: "8000"}}},
		{"K", "8K", []want{{yuan: "8000"}}},
		{"full-width k", "８ｋ", []want{{yuan: "8000"}}},
		{"w", "1.2w", []want{{yuan: "12000"}}},
		{"decimal 万", "1.2万", []want{{yuan: "12000"}}},
		{"abbreviated 万", "一万二", []want{{yuan: "12000"}}},
		{"两万", "两万", []want{{yuan: "20000"}}},
		{"一万五千", "一万五千", []want{{yuan: "15000"}}},
		{"一万零五百", "一万零五百元", []want{{yuan: "10500"}}},
		{"一万零五", "一万零五元", []want{{yuan: "10005"}}},
		{"mixed 3千5", "3千5", []want{{yuan: "3500"}}},
		{"三千五", "三千五", []want{{yuan: "3500"}}},
		{"3千50", "3千50", []want{{yuan: "3050"}}},
		{"十二万", "十二万", []want{{yuan: "120000"}}},
		{"1万2", "1万2", []want{{yuan: "12000"}}},
		{"digit by digit", "八零零零", []want{{yuan: "8000"}}},
		{"formal numerals", "捌仟", []want{{yuan: "8000"}}},
		{"after tax", "税后一万二", []want{{yuan: "12000", afterTax: true}}},
		{"monthly pay", "月薪两万", []want{{yuan: "20000"}}},
		{"yearly pay", "年薪20万", []want{{yuan: "200000", yearly: true}}},
		{"yearly income", "一年收入12万", []want{{yuan: "120000", yearly: true}}},
		{"yuan", "8000元", []want{{yuan: "8000"}}},
		{"kuai", "八千块", []want{{yuan: "8000"}}},
		{"kuai qian", "8000块钱", []want{{yuan: "8000"}}},
		{"approximate", "八千多", []want{{yuan: "8000"}}},
		{"negative", "-5", []want{{yuan: "5", negative: true}}},
		{"full-width negative", "－５元", []want{{yuan: "5", negative: true}}},
		{"负", "负5元", []want{{yuan: "5", negative: true}}},
		{"range is two amounts", "8000-9000", []want{{yuan: "8000"}, {yuan: "9000"}}},
		{"nine nines", "999999999", []want{{yuan: "999999999"}}},
		{"huge digit string", strings.Repeat("9", 5000), []want{{huge: true}}},
		{"亿", "一亿", []want{{huge: true}}},
		{"several", "工资8000，奖金2000", []want{{yuan: "8000"}, {yuan: "2000"}}},

		{"months", "补交6个月", nil},
		{"years", "2024年", nil},
		{"article", "第二条", nil},
		{"percent", "1.5%", nil},
		{"百分之", "百分之二", nil},
		{"count", "三会一课", nil},
		{"lone chinese digit", "一般交多少", nil},
		{"十分", "十分重要", nil},
		{"十多年", "十多年", nil},
		{"payment", "自愿多交1000元党费", nil},
		{"paid", "交了50元", nil},
		{"kg is no k", "8kg", nil},
		{"no number", "不知道", nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dues.FindAmounts(tc.text)
			if len(got) != len(tc.want) {
				t.Fatalf("FindAmounts(%.40q) found %d amounts %+v, want %d", tc.text, len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Huge != w.huge || g.Negative != w.negative || g.Yearly != w.yearly || g.AfterTax != w.afterTax {
					t.Errorf("amount %d = %+v, want %+v", i, g, w)
				}
				if !w.huge && g.Value.Yuan() != w.yuan {
					t.Errorf("amount %d = %s yuan, want %s", i, g.Value.Yuan(), w.yuan)
				}
			}
		})
	}
}

// TestFindAmountsIsBounded reads only the first MaxScan characters: an
// amount beyond them is not seen, however long the text.
func TestFindAmountsIsBounded(t *testing.T) {
	text := strings.Repeat("党", dues.MaxScan) + "8000"
	if got := dues.FindAmounts(text); len(got) != 0 {
		t.Errorf("found %+v past the scanned part", got)
	}
	mixed := strings.Repeat("8千万一k２w,", 10000)
	if got := dues.FindAmounts(mixed); len(got) == 0 {
		t.Errorf("found nothing in a run of figures")
	}
}

func TestMoneyAndRate(t *testing.T) {
	for m, want := range map[dues.Money]string{12000: "120", 20: "0.2", 33333: "333.33", 5: "0.05", 0: "0", 100: "1"} {
		if got := m.Yuan(); got != want {
			t.Errorf("Money(%d).Yuan() = %q, want %q", m, got, want)
		}
	}
	for r, want := range map[dues.Rate]string{50: "0.5%", 100: "1%", 150: "1.5%", 200: "2%"} {
		if got := r.String(); got != want {
			t.Errorf("Rate(%d) = %q, want %q", r, got, want)
		}
	}
}
