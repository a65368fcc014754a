package knowledge_test

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

// TestExplain prints how the questions in DANGWU_EXPLAIN (separated by |)
// were ranked; DANGWU_DISTRICT is the asker's district, DANGWU_IMPORT files
// to import first. For tuning by hand.
func TestExplain(t *testing.T) {
	qs := os.Getenv("DANGWU_EXPLAIN")
	if qs == "" {
		t.Skip("set DANGWU_EXPLAIN")
	}
	b := evalBase(t)
	setBenchParams(b)
	if files := os.Getenv("DANGWU_IMPORT"); files != "" { // more documents, | separated
		importFiles(t, b, strings.Split(files, "|"))
	}
	n := 8
	if v, err := strconv.Atoi(os.Getenv("DANGWU_EXPLAIN_N")); err == nil && v > 0 {
		n = v
	}
	for _, q := range strings.Split(qs, "|") {
		t.Log("== " + q)
		for _, l := range b.Explain(q, os.Getenv("DANGWU_DISTRICT"), n) {
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
	params := b.RerankParams() // start from the weights in use
	names := []string{"r.bm", "r.cov", "r.charCov", "r.head", "r.faq", "r.typed", "r.faqFloor"}
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

// TestFitConfidence fits the confidence model (knowledge.confidenceModel)
// by logistic regression on the evaluation set: a question's top result is
// a positive when it is the labelled answer, a negative when it is not or
// when the question is unanswerable. It prints the weights and, for half A
// and B fitted on the other, the figures at the threshold. DANGWU_TUNE=1.
func TestFitConfidence(t *testing.T) {
	if os.Getenv("DANGWU_TUNE") == "" {
		t.Skip("set DANGWU_TUNE")
	}
	type sample struct {
		x    []float64
		y    float64
		half string
	}
	var all []sample
	for _, s := range confidenceSamples(t) {
		all = append(all, sample{s.x, float64(max(s.y, 0)), evalHalf(s.q)})
	}
	fit := func(train []sample) []float64 {
		w := make([]float64, len(train[0].x))
		for iter := 0; iter < 4000; iter++ {
			grad := make([]float64, len(w))
			for _, s := range train {
				z := 0.0
				for j := range w {
					z += w[j] * s.x[j]
				}
				p := 1 / (1 + math.Exp(-z))
				for j := range w {
					grad[j] += (p - s.y) * s.x[j]
				}
			}
			for j := range w {
				reg := 0.0
				if j > 0 {
					reg = 0.01 * w[j]
				}
				w[j] -= 0.5 * (grad[j]/float64(len(train)) + reg)
			}
		}
		return w
	}
	report := func(name string, w []float64, test []sample) {
		for _, th := range []float64{0.5, 0.6, 0.7, 0.8, 0.85, 0.9} {
			found, right, neg, pos := 0, 0, 0, 0
			for _, s := range test {
				z := 0.0
				for j := range w {
					z += w[j] * s.x[j]
				}
				c := 1 / (1 + math.Exp(-z))
				if c >= th {
					found++
					if s.y == 1 {
						right++
					}
				}
				if s.y == 1 {
					pos++
				}
				_ = neg
			}
			t.Logf("%s th %.2f: confident %d, right %d (precision %.3f), right of all positives-labelled %d", name, th, found, right, float64(right)/float64(max(found, 1)), pos)
		}
	}
	w := fit(all)
	t.Logf("weights %.2f", w)
	var a, bb []sample
	for _, s := range all {
		if s.half == "A" {
			a = append(a, s)
		} else {
			bb = append(bb, s)
		}
	}
	report("B fitted on A", fit(a), bb)
	report("A fitted on B", fit(bb), a)
}

// TestDumpConfidence writes, for each evaluation question, its half, whether
// the top result is right, the confidence and the model inputs, to the file
// named by DANGWU_DUMP (tab-separated). For studying the confidence by hand.
func TestDumpConfidence(t *testing.T) {
	file := os.Getenv("DANGWU_DUMP")
	if file == "" {
		t.Skip("set DANGWU_DUMP")
	}
	var out strings.Builder
	for _, s := range confidenceSamples(t) {
		fmt.Fprintf(&out, "%s\t%s\t%d\t%.3f", s.q, evalHalf(s.q), s.y, s.r.Confidence)
		for _, v := range s.x {
			fmt.Fprintf(&out, "\t%.3f", v)
		}
		fmt.Fprintf(&out, "\t%s\t%s\n", s.r.Title, s.r.Section)
	}
	if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// confidenceSample is an evaluation question's top result with the inputs
// of its confidence; y is 1 when it is the labelled answer, 0 when not, -1
// for an unanswerable question.
type confidenceSample struct {
	q string
	y int
	x []float64
	r knowledge.Result
}

// confidenceSamples searches the evaluation questions and the unanswerable
// ones (weights from BENCH_PARAMS).
func confidenceSamples(t *testing.T) []confidenceSample {
	cases := evalCases(t)
	var negatives []string
	readYAML(t, "testdata/eval_negative.yaml", &negatives)
	b := evalBase(t)
	setBenchParams(b)
	var out []confidenceSample
	for _, c := range cases {
		if x, r, ok := b.ConfidenceFeatures(c.Q); ok {
			y := 0
			if hit(r, c) {
				y = 1
			}
			out = append(out, confidenceSample{c.Q, y, x, r})
		}
	}
	for _, q := range negatives {
		if x, r, ok := b.ConfidenceFeatures(q); ok {
			out = append(out, confidenceSample{q, -1, x, r})
		}
	}
	return out
}
