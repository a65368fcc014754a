package bot_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/dangwu/dangwu/bot"
)

// TestCatalogKeys checks that every key the code looks up exists, that every
// catalog entry is used somewhere, and that entries are Chinese sentences.
func TestCatalogKeys(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	literals := map[string]bool{}
	var lookups []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil {
						literals[s] = true
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "t" && len(n.Args) > 0 {
					// Computed keys (t(c.desc)) come from literals checked below.
					if lit, ok := n.Args[0].(*ast.BasicLit); ok {
						key, _ := strconv.Unquote(lit.Value)
						lookups = append(lookups, fset.Position(n.Pos()).String()+" "+key)
					}
				}
			}
			return true
		})
	}
	if len(lookups) == 0 {
		t.Fatal("found no t() calls: the test is not reading the package")
	}
	for _, l := range lookups {
		pos, key, _ := strings.Cut(l, " ")
		if _, ok := bot.Catalog[key]; !ok {
			t.Errorf("%s: key %q is not in the catalog", pos, key)
		}
	}
	// A literal shaped like a key of a known family ("cmd.hlep") must exist.
	families := map[string]bool{}
	for key := range bot.Catalog {
		family, _, _ := strings.Cut(key, ".")
		families[family] = true
	}
	for lit := range literals {
		family, rest, ok := strings.Cut(lit, ".")
		if ok && families[family] && keyShape.MatchString(rest) {
			if _, ok := bot.Catalog[lit]; !ok {
				t.Errorf("literal %q looks like a catalog key but is not in the catalog", lit)
			}
		}
	}
	var unused []string
	for key, text := range bot.Catalog {
		if !literals[key] {
			unused = append(unused, key)
		}
		if !hasHan(text) {
			t.Errorf("catalog %q = %q: not a Chinese sentence", key, text)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("catalog keys never used: %v", unused)
	}
}

var keyShape = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*$`)

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
