package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/store"
)

func TestTemplateThenImportBank(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	tpl := filepath.Join(files, "模板.xlsx")
	if code, out, errOut := dangwu(t, "template", "quiz", tpl); code != 0 || !strings.Contains(out, "wrote "+tpl) {
		t.Fatalf("template: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := dangwu(t, "template", "quiz", tpl); code != 1 {
		t.Errorf("template over an existing file: exit %d, want 1", code)
	}
	code, out, errOut := dangwu(t, "import", "--data", data, tpl)
	if code != 0 || !strings.Contains(out, "ok  "+tpl+": question bank import/模板, 3 questions") {
		t.Fatalf("importing the template: exit %d\n%s%s", code, out, errOut)
	}

	bad := writeFile(t, files, "bank.csv", []byte("题号,题型,专题,题干,选项A,选项B,答案,解析\n"+
		"c-1,单选,测试,好题？,甲,乙,A,因为甲。\n"+
		"c-2,单选,测试,坏题？,甲,乙,E,因为甲。\n"))
	code, out, _ = dangwu(t, "import", "--data", data, bad)
	if code != 1 || !strings.Contains(out, bad+":3: question \"c-2\": answer is not among the options") || !strings.Contains(out, "nothing imported") {
		t.Errorf("a bank with a bad row: exit %d\n%s", code, out)
	}
	db := openDB(t, data)
	qs := store.NewQuizStore(db)
	if _, err := qs.Question(context.Background(), "c-1"); err == nil {
		t.Error("a bank with a bad row was partly imported without --partial")
	}
	code, out, _ = dangwu(t, "import", "--data", data, "--partial", bad)
	if code != 1 || !strings.Contains(out, "ok  "+bad+": question bank import/bank, 1 question") {
		t.Errorf("--partial: exit %d\n%s", code, out)
	}
	if q, err := qs.Question(context.Background(), "c-1"); err != nil || q.Text != "好题？" {
		t.Errorf("--partial did not import the good row: %+v %v", q, err)
	}
	if code, _, errOut := dangwu(t, "template", "exam", "x.xlsx"); code != 2 || !strings.Contains(errOut, "usage") {
		t.Errorf("template exam: exit %d %s", code, errOut)
	}
}
