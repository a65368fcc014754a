package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckDuesRules(t *testing.T) {
	env, out, errOut := testEnv("", nil)
	if code := Main(context.Background(), []string{"check"}, env); code != 0 {
		t.Fatalf("the embedded content: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out.String(), "9 dues categories") {
		t.Errorf("check of the embedded content = %q, want the dues categories counted", out)
	}

	// A folder without dues.yaml has no calculator, and that is fine.
	empty := t.TempDir()
	env, out, errOut = testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", empty}, env); code != 0 {
		t.Fatalf("a folder without dues.yaml: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out.String(), "no dues calculator") {
		t.Errorf("check without dues.yaml = %q", out)
	}

	bad := t.TempDir()
	rules := `document: 《规定》
keywords: [党费]
categories:
  - id: employed
    name: 在职党员
    button: 在职
    keywords: [工资]
    default: true
    base: 税后工资
    prompt: 税后月工资
    brackets:
      - upto: 5000
        rate: 1%
      - upto: 3000
        rate: 15%
      - rate: 2%
    rule: 规则。
`
	if err := os.WriteFile(filepath.Join(bad, "dues.yaml"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	env, out, errOut = testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", bad}, env); code != 1 {
		t.Fatalf("a bad dues.yaml: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		`dues.yaml:4: category "employed": missing source`,
		`dues.yaml:14: category "employed": bracket upto 3000 overlaps or comes before the bracket above it (upto 5000)`,
		`dues.yaml:15: category "employed": rate 15% is out of range`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut.String(), "3 problems") {
		t.Errorf("check stderr = %q, want 3 problems", errOut)
	}
}

func TestCheckDuesPointsAtItsDocument(t *testing.T) {
	dir := t.TempDir()
	rules := `document: 《规定》
doc: rates
keywords: [党费]
categories:
  - id: employed
    section: 在职党员
    name: 在职党员
    button: 在职
    keywords: [工资]
    default: true
    base: 税后工资
    prompt: 税后月工资
    brackets:
      - rate: 1%
    rule: 规则。
    source: 第一条
  - id: retired
    section: 没有这一节
    name: 离退休党员
    button: 离退休
    keywords: [退休]
    base: 养老金
    prompt: 养老金
    brackets_of: employed
    rule: 规则。
    source: 第二条
`
	doc := "---\nid: rates\ntitle: 党费\nsource: 规定\n---\n## 在职党员\n按比例交纳。\n"
	for name, data := range map[string]string{"dues.yaml": rules, "knowledge/rates.md": doc} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env, out, errOut := testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", dir}, env); code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if want := `dues.yaml:17: category "retired": section "没有这一节": no such section in rates`; !strings.Contains(out.String(), want) || strings.Contains(out.String(), `"employed": section`) {
		t.Errorf("check = %q, want only %q", out, want)
	}
}
