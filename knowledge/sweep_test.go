package knowledge_test

import (
	"os"
	"testing"
)

// TestThresholdSweep prints, for each evaluation set, the share found, the
// precision and the confident-and-right share at thresholds around the one
// in use, to choose it on all sets at once. DANGWU_TUNE=1.
func TestThresholdSweep(t *testing.T) {
	if os.Getenv("DANGWU_TUNE") == "" {
		t.Skip("set DANGWU_TUNE")
	}
	var negatives []string
	readYAML(t, "testdata/eval_negative.yaml", &negatives)
	b := evalBase(t)
	setBenchParams(b)
	var half [2][]evalCase
	for _, c := range evalCases(t) {
		if evalHalf(c.Q) == "A" {
			half[0] = append(half[0], c)
		} else {
			half[1] = append(half[1], c)
		}
	}
	sets := []struct {
		name string
		f    evalFigures
	}{
		{"A", evaluate(t, b, half[0], negatives)},
		{"B", evaluate(t, b, half[1], nil)},
		{"notices", evaluateImports(t, "testdata/notices")},
		{"blind2", evaluateImports(t, "testdata/blind2")},
		{"blind3", evaluateImports(t, "testdata/blind3")},
		{"blind4", evaluateImports(t, "testdata/blind4")},
	}
	for _, th := range []float64{0.6, 0.65, 0.7, 0.725, 0.75, 0.775, 0.8, 0.85} {
		for _, s := range sets {
			found, prec, ff := s.f.atThreshold(th)
			right := 0
			for i, c := range s.f.posConf {
				if c >= th && s.f.posRight[i] {
					right++
				}
			}
			t.Logf("th %.3f %-8s found %.3f precision %.3f confident-and-right %.3f false %.3f",
				th, s.name, found, prec, float64(right)/float64(s.f.n), ff)
		}
	}
}
