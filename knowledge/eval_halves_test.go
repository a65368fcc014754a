package knowledge_test

import (
	"hash/fnv"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

// evalHalf puts an evaluation question in half "A" or "B" by a hash of its
// text: tune a change looking at A, keep it only if B does not get worse
// (docs/BENCHMARKS.md).
func evalHalf(q string) string {
	h := fnv.New32a()
	h.Write([]byte(q))
	if h.Sum32()%2 == 0 {
		return "A"
	}
	return "B"
}

// TestEvaluationHalves prints the evaluation figures of each half, and fails
// when either half is too small to judge or falls well below the whole
// set's gate: a tuning that only helps the half it was made on shows here.
func TestEvaluationHalves(t *testing.T) {
	cases := evalCases(t)
	var negatives []string
	readYAML(t, "testdata/eval_negative.yaml", &negatives)
	b := evalBase(t)
	setBenchParams(b) // BENCH_PARAMS=r.phrase=0.5: the figures of other weights
	halves := map[string][]evalCase{}
	for _, c := range cases {
		halves[evalHalf(c.Q)] = append(halves[evalHalf(c.Q)], c)
	}
	for _, name := range []string{"A", "B"} {
		f := evaluate(t, b, halves[name], negatives)
		found, prec, ff := f.atThreshold(knowledge.Threshold)
		r3 := float64(f.at3) / float64(f.n)
		t.Logf("half %s: %d questions, Recall@1 %.3f  Recall@3 %.3f  MRR %.3f; threshold %.2f: found %.3f, precision %.3f, false found %.3f",
			name, f.n, float64(f.at1)/float64(f.n), r3, f.mrr, knowledge.Threshold, found, prec, ff)
		if f.n < 40 || r3 < 0.85 {
			t.Errorf("half %s: %d questions, Recall@3 %.3f; want at least 40 questions and 0.85", name, f.n, r3)
		}
	}
}
