package yamlbound_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dangwu/dangwu/internal/memtest"
	"github.com/dangwu/dangwu/internal/yamlbound"
)

func node(tb testing.TB, s string) *yaml.Node {
	tb.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		tb.Fatal(err)
	}
	return &n
}

// TestCheckHostile: the trees that cost yaml.v3's Decode quadratic time,
// or an error for each pair of equal keys, are refused at little cost.
func TestCheckHostile(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		max  int
		want error
	}{
		{"one key 13,000 times", "{" + strings.Repeat("a: 1, ", 13_000) + "b: 1}", 1 << 20, yamlbound.ErrDuplicateKey},
		{"one key 13,000 times, a narrow limit", "{" + strings.Repeat("a: 1, ", 13_000) + "b: 1}", 32, yamlbound.ErrTooWide},
		{"200,000 keys", "{" + keys(200_000) + "}", 32, yamlbound.ErrTooWide},
		{"a key twice deep down", "- x: [{a: 1, b: 2, a: 3}]", 32, yamlbound.ErrDuplicateKey},
		{"two lists as keys", "{? [a]: 1, ? [b]: 2}", 32, yamlbound.ErrDuplicateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := node(t, tt.yaml)
			var err error
			alloc := memtest.Allocated(t, func() { err = yamlbound.Check(n, tt.max) })
			var e *yamlbound.Error
			if !errors.Is(err, tt.want) || !errors.As(err, &e) || e.Line < 1 || err.Error() == "" {
				t.Errorf("Check = %v, want %v", err, tt.want)
			}
			if alloc > 16<<20 {
				t.Errorf("Check allocated %d MB", alloc>>20)
			}
		})
	}
	if err := yamlbound.Check(node(t, "a: &x {b: 1}\nc: *x\nd: [*x, *x]\n"), 32); err != nil {
		t.Errorf("aliases: %v", err)
	}
}

func keys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d: 1, ", i)
	}
	return b.String() + "end: 1"
}

// FuzzCheck checks Check against yaml.v3's own check: a tree it passes
// decodes without a key given twice, and one it refuses for a key given
// twice does not decode.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"a: 1\nb: 2\n", "a: 1\na: 2\n", "{1: a, \"1\": b}", "- {x: 1}\n- {x: 1, x: 2}\n", "? [a]\n: 1\n? [b]\n: 2\n",
		"a: &x {b: 1, b: 2}\nc: *x\n", "<<: {a: 1}\na: 2\n", "!!map {a: 1, !!str a: 2}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) != nil {
			return
		}
		err := yamlbound.Check(&n, 1000)
		if errors.Is(err, yamlbound.ErrTooWide) {
			return
		}
		var v any
		decErr := n.Decode(&v)
		twice := decErr != nil && strings.Contains(decErr.Error(), "already defined")
		if errors.Is(err, yamlbound.ErrDuplicateKey) != twice {
			t.Fatalf("%q: Check %v, Decode %v", s, err, decErr)
		}
	})
}
