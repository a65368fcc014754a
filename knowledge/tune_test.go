package knowledge_test

import (
	"os"
	"strings"
	"testing"
)

// TestExplain prints how the questions in DANGWU_EXPLAIN (separated by |)
// were ranked; DANGWU_DISTRICT is the asker's district. For tuning by hand.
func TestExplain(t *testing.T) {
	qs := os.Getenv("DANGWU_EXPLAIN")
	if qs == "" {
		t.Skip("set DANGWU_EXPLAIN")
	}
	b := evalBase(t)
	for _, q := range strings.Split(qs, "|") {
		t.Log("== " + q)
		for _, l := range b.Explain(q, os.Getenv("DANGWU_DISTRICT")) {
			t.Log(l)
		}
	}
}

// TestTuneRerank searches the rerank weights by coordinate descent on half
// A of the evaluation set and prints the figures of both halves at each
// step. For tuning by hand: DANGWU_TUNE=1.
func TestTuneRerank(t *testing.T) {
	if os.Getenv("DANGWU_TUNE") == "" {
		t.Skip("set DANGWU_TUNE")
	}
	cases := evalCases(t)
	b := evalBase(t)
	var half [2][]evalCase
	for _, c := range cases {
		if evalHalf(c.Q) == "A" {
			half[0] = append(half[0], c)
		} else {
			half[1] = append(half[1], c)
		}
	}
	objective := func(cs []evalCase) (float64, evalFigures) {
		f := evaluate(t, b, cs, nil)
		return float64(f.at1)/float64(f.n) + 0.5*f.mrr, f
	}
	params := map[string]float64{"r.bm": 1, "r.cov": 0.6, "r.charCov": 0.3, "r.head": 0.5, "r.faq": 1.5, "r.typed": 0.25, "r.place": 0.3, "r.faqFloor": 0.35}
	names := []string{"r.bm", "r.cov", "r.charCov", "r.head", "r.faq", "r.typed", "r.faqFloor"}
	for k, v := range params {
		b.SetParam(k, v)
	}
	best, _ := objective(half[0])
	for round := 0; round < 3; round++ {
		for _, name := range names {
			for _, factor := range []float64{0, 0.5, 0.75, 1.33, 2} {
				old := params[name]
				v := old * factor
				if name == "r.faqFloor" {
					v = min(0.9, old*factor)
				}
				b.SetParam(name, v)
				if s, _ := objective(half[0]); s > best+1e-9 {
					best, params[name] = s, v
				} else {
					b.SetParam(name, old)
				}
			}
		}
		_, fa := objective(half[0])
		_, fb := objective(half[1])
		t.Logf("round %d: %v\n  A: R@1 %.3f MRR %.3f  B: R@1 %.3f MRR %.3f", round, params,
			float64(fa.at1)/float64(fa.n), fa.mrr, float64(fb.at1)/float64(fb.n), fb.mrr)
	}
}
