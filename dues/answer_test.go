package dues_test

import (
	"errors"
	"testing"

	"github.com/dangwu/dangwu/dues"
)

func TestCalculateAtBracketBounds(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		category string
		base     dues.Money
		dues     string
		rate     string
		first    bool
		lower    string
	}{
		{"employed", 100, "0.01", "0.5%", true, "0"},
		{"employed", 300000, "15", "0.5%", true, "0"},
		{"employed", 300001, "30", "1%", false, "3000"},
		{"employed", 500000, "50", "1%", false, "3000"},
		{"employed", 500001, "75", "1.5%", false, "5000"},
		{"employed", 800000, "120", "1.5%", false, "5000"},
		{"employed", 1000000, "150", "1.5%", false, "5000"},
		{"employed", 1000001, "200", "2%", false, "10000"},
		{"annual", 1000001, "200", "2%", false, "10000"},
		{"self_employed", 450000, "45", "1%", false, "3000"},
		{"retired", 400000, "20", "0.5%", true, "0"},
		{"retired", 500000, "25", "0.5%", true, "0"},
		{"retired", 500100, "50.01", "1%", false, "5000"},
		{"retired", 600000, "60", "1%", false, "5000"},
	}
	for _, tc := range tests {
		rep, err := r.Calculate(tc.category, tc.base)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Kind != dues.Computed || rep.Dues.Yuan() != tc.dues || rep.Bracket.Rate.String() != tc.rate || rep.First != tc.first || rep.Lower.Yuan() != tc.lower {
			t.Errorf("%s %s: %v %s元 at %s (first %v, above %s), want %s元 at %s (first %v, above %s)", tc.category, tc.base.Yuan(),
				rep.Kind, rep.Dues.Yuan(), rep.Bracket.Rate, rep.First, rep.Lower.Yuan(), tc.dues, tc.rate, tc.first, tc.lower)
		}
	}
	rep, _ := r.Calculate("student", 800000)
	if rep.Kind != dues.Fixed || rep.Dues.Yuan() != "0.2" {
		t.Errorf("student: %+v, want a fixed 0.2", rep)
	}
	rep, _ = r.Calculate("farmer", 0)
	if rep.Kind != dues.Ranged || rep.Min.Yuan() != "0.2" || rep.Max.Yuan() != "1" {
		t.Errorf("farmer: %+v, want 0.2 to 1", rep)
	}
	for _, base := range []dues.Money{0, 99, dues.MaxMonthly + 1} {
		if rep, _ := r.Calculate("employed", base); rep.Kind != dues.Implausible {
			t.Errorf("employed %s: %v, want Implausible", base.Yuan(), rep.Kind)
		}
	}
	if _, err := r.Calculate("nosuch", 100); !errors.Is(err, dues.ErrUnknownCategory) {
		t.Errorf("unknown category: %v", err)
	}
}

func TestAnswer(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		question string
		ok       bool
		kind     dues.Kind
		category string
		dues     string // Computed, Fixed
		assumed  []dues.Assumption
	}{
		{"每月工资8000交多少党费", true, dues.Computed, "employed", "120", nil},
		{"税后一万二党费多少", true, dues.Computed, "employed", "240", []dues.Assumption{dues.AssumedDefault}},
		{"退休金4500交多少", true, dues.Computed, "retired", "22.5", nil},
		{"我是学生党员交多少", true, dues.Fixed, "student", "0.2", nil},
		{"月薪两万党费交多少", true, dues.Computed, "employed", "400", nil},
		{"工资3000交多少党费", true, dues.Computed, "employed", "15", nil},
		{"工资3000.01交多少党费", true, dues.Computed, "employed", "30", nil},
		{"８０００元党费交多少", true, dues.Computed, "employed", "120", []dues.Assumption{dues.AssumedDefault}},
		{"8k交多少党费", true, dues.Computed, "employed", "120", []dues.Assumption{dues.AssumedDefault}},
		{"党费 1.2万", true, dues.Computed, "employed", "240", []dues.Assumption{dues.AssumedDefault}},
		{"工资8,000党费", true, dues.Computed, "employed", "120", nil},
		{"工资3千5交多少党费", true, dues.Computed, "employed", "35", nil},
		{"工资8000交多少", true, dues.Computed, "employed", "120", nil},
		{"养老金6000元党费交多少", true, dues.Computed, "retired", "60", nil},
		{"退休工资5000交多少党费", true, dues.Computed, "retired", "25", nil},
		{"退休了每月5001交多少党费", true, dues.Computed, "retired", "50.01", nil},
		{"年薪20万党费交多少", true, dues.Computed, "annual", "333.33", []dues.Assumption{dues.AssumedMonthlyAverage}},
		{"年薪制，这个月拿了15000，党费交多少", true, dues.Computed, "annual", "300", nil},
		{"一年收入12万党费交多少", true, dues.Computed, "employed", "150", []dues.Assumption{dues.AssumedDefault, dues.AssumedMonthlyAverage}},
		{"税前一万党费交多少", true, dues.Computed, "employed", "150", []dues.Assumption{dues.AssumedDefault, dues.AssumedPreTax}},
		{"工资8000，税后7500，交多少党费", true, dues.Computed, "employed", "112.5", nil},
		{"下岗党员党费交多少", true, dues.Fixed, "unemployed", "0.2", nil},
		{"领低保的党员党费怎么交", true, dues.Fixed, "subsistence", "0.2", nil},
		{"学生党员，家里每月给2000，党费交多少", true, dues.Fixed, "student", "0.2", nil},
		{"农民党员交多少", true, dues.Ranged, "farmer", "", nil},
		{"退休党员党费怎么算", true, dues.NeedAmount, "retired", "", nil},
		{"退休交多少", true, dues.NeedAmount, "retired", "", nil},
		{"我月薪8000老婆退休金3000交多少党费", true, dues.Ambiguous, "retired", "", nil},
		{"学生党员和退休党员党费交多少", true, dues.NeedCategory, "", "", nil},
		{"党费-5", true, dues.Implausible, "employed", "", nil},
		{"工资999999999交多少党费", true, dues.Implausible, "employed", "", nil},
		{"工资99999999999999999999999999交多少党费", true, dues.Implausible, "employed", "", nil},
		{"工资0元交多少党费", true, dues.Implausible, "employed", "", nil},

		{"8000", false, 0, "", "", nil},
		{"８０００", false, 0, "", "", nil},
		{"党费怎么交", false, 0, "", "", nil},
		{"党费交多少", false, 0, "", "", nil},
		{"预备党员要交党费吗", false, 0, "", "", nil},
		{"党费补交一般不超过6个月吗", false, 0, "", "", nil},
		{"自愿多交1000元党费怎么上缴", false, 0, "", "", nil},
		{"党费可以用于救济党员吗", false, 0, "", "", nil},
		{"农民工党费交多少", false, 0, "", "", nil},
		{"工资8000交多少社保", false, 0, "", "", nil},
		{"2024年党费交了吗", false, 0, "", "", nil},
		{"你好", false, 0, "", "", nil},
		{"", false, 0, "", "", nil},
	}
	for _, tc := range tests {
		rep, ok := r.Answer(tc.question)
		if ok != tc.ok {
			t.Errorf("%q: ok = %v, want %v (%+v)", tc.question, ok, tc.ok, rep)
			continue
		}
		if !ok {
			continue
		}
		cat := ""
		if rep.Category != nil {
			cat = rep.Category.ID
		}
		if rep.Kind != tc.kind || cat != tc.category {
			t.Errorf("%q: kind %v category %q, want %v %q", tc.question, rep.Kind, cat, tc.kind, tc.category)
			continue
		}
		if tc.dues != "" && rep.Dues.Yuan() != tc.dues {
			t.Errorf("%q: dues %s, want %s", tc.question, rep.Dues.Yuan(), tc.dues)
		}
		if len(rep.Assumptions) != len(tc.assumed) {
			t.Errorf("%q: assumptions %v, want %v", tc.question, rep.Assumptions, tc.assumed)
		}
		for _, a := range tc.assumed {
			if !rep.Assumes(a) {
				t.Errorf("%q: assumptions %v, want %v", tc.question, rep.Assumptions, tc.assumed)
			}
		}
		if rep.Kind != dues.NeedCategory && (rep.Rule == "" || rep.Source == "") {
			t.Errorf("%q: no rule or source: %+v", tc.question, rep)
		}
	}
}

func TestAnswerAmount(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		category, text string
		kind           dues.Kind
		want           string
		assumedDefault bool
	}{
		{"", "8000", dues.Computed, "120", true},
		{"employed", "八千", dues.Computed, "120", false},
		{"employed", "8000元", dues.Computed, "120", false},
		{"retired", "5000", dues.Computed, "25", false},
		{"retired", "5001", dues.Computed, "50.01", false},
		{"employed", "退休金6000", dues.Computed, "60", false},
		{"employed", "不知道", dues.NoAmount, "", false},
		{"", "随便", dues.NoAmount, "", false},
		{"employed", "-5", dues.Implausible, "", false},
		{"employed", "999999999", dues.Implausible, "", false},
		{"employed", "8000或9000", dues.Ambiguous, "", false},
		{"", "学生", dues.Fixed, "0.2", false},
		{"", "退休", dues.NeedAmount, "", false},
		{"nosuch", "8000", dues.Computed, "120", true},
	}
	for _, tc := range tests {
		rep := r.AnswerAmount(tc.category, tc.text)
		if rep.Kind != tc.kind || tc.want != "" && rep.Dues.Yuan() != tc.want || rep.Assumes(dues.AssumedDefault) != tc.assumedDefault {
			t.Errorf("AnswerAmount(%q, %q) = %v %s元 %v, want %v %s元 (assumed default %v)", tc.category, tc.text, rep.Kind, rep.Dues.Yuan(), rep.Assumptions, tc.kind, tc.want, tc.assumedDefault)
		}
	}
}
