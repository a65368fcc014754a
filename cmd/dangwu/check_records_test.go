package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckRecordsContent(t *testing.T) {
	env, out, errOut := testEnv("", nil)
	if code := Main(context.Background(), []string{"check"}, env); code != 0 {
		t.Fatalf("the embedded content: exit %d\n%s%s", code, out, errOut)
	}
	// The city's four levels, 泉山区's four and 睢宁县's three; 贾汪区's pay.
	if !strings.Contains(out.String(), "11 levels, 1 pay rules") {
		t.Errorf("check of the embedded content = %q, want its levels and pay rules counted", out)
	}

	dir := t.TempDir()
	for name, data := range map[string]string{
		"levels.yaml": "city:\n" +
			"  source: 默认设置\n" +
			"  targets:\n" +
			"    - post: 会计\n" +
			"      hours: 32\n" +
			"      source: 条例\n" +
			"  levels:\n" +
			"    - name: 初级\n" +
			"      min_years: 2\n" +
			"      min_exam_score: 60\n" +
			"      exam: general\n" +
			"    - name: 中级\n" +
			"      min_years: 1\n" +
			"      min_exam_score: 80\n" +
			"districts:\n" +
			"  铜山县:\n" +
			"    targets:\n" +
			"      - post: 委员\n" +
			"        hours: 40\n" +
			"        source: 规定\n",
		"pay.yaml": "- district: 贾汪\n" +
			"  multiples:\n" +
			"    大专: 20\n" +
			"  source: 报道\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env, out, errOut = testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", dir}, env); code != 1 {
		t.Fatalf("bad records content: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		`levels.yaml:4: unknown post ("" for every post not listed): "会计"`,
		// The folder has no exam papers, so the level names one that is not there.
		`levels.yaml:11: no such exam paper (ids in quiz/exams.yaml): "general"`,
		`levels.yaml:13: a higher level asks less than the level below it: 中级 min_years: 1, 初级: 2`,
		`levels.yaml:16: no such district: "铜山县"`,
		`pay.yaml:3: multiple must be over 0 and at most 10: 大专 20`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut.String(), "5 problems") {
		t.Errorf("check stderr = %q, want 5 problems", errOut)
	}

	// A folder without levels.yaml and pay.yaml has neither, which is fine.
	env, out, errOut = testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", t.TempDir()}, env); code != 0 {
		t.Fatalf("an empty folder: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out.String(), "0 levels, 0 pay rules") {
		t.Errorf("check of an empty folder = %q", out)
	}
}
