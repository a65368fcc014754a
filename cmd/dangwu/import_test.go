package main

import (
	"context"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
)

func TestImportDuplicatesAndUpdates(t *testing.T) {
	data, files, other := t.TempDir(), t.TempDir(), t.TempDir()
	text := "推进会新闻\n会议要求各区县配齐配强专职党务工作者。\n\n每个党建工作站至少配备一名。\n"
	first := writeFile(t, files, "news.txt", []byte(text))
	// The same text under another name, with CRLF line ends, a BOM and
	// other spacing, is a duplicate.
	copyName := writeFile(t, files, "copy.txt", []byte("\ufeff"+strings.ReplaceAll(text, "\n", "\r\n  ")))
	code, out, errOut := dangwu(t, "import", "--data", data, first, copyName)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{
		"ok  " + first + ": document news «推进会新闻», 1 section",
		"FAIL " + copyName + ": duplicate of news «推进会新闻»",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	docs := func() []knowledge.DocInfo {
		t.Helper()
		db := openDB(t, data)
		defer db.Close()
		ds, err := store.NewKnowledgeStore(db).Documents(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	if ds := docs(); len(ds) != 1 {
		t.Fatalf("documents after the duplicate: %+v, want one", ds)
	}

	// The same name with changed text is an update.
	changed := writeFile(t, other, "news.txt", []byte(text+"会议还部署了下半年工作。\n"))
	code, out, errOut = dangwu(t, "import", "--data", data, changed)
	if code != 0 || !strings.Contains(out, "ok  "+changed+": document news «推进会新闻», 1 section, read as UTF-8 (replaced the earlier import)") {
		t.Errorf("update: exit %d\n%s%s", code, out, errOut)
	}
	if ds := docs(); len(ds) != 1 {
		t.Fatalf("documents after the update: %+v, want one", ds)
	}

	// --source and --district (flags before the files) fill in what a .txt
	// cannot say; the district is given by alias and stored by name.
	notice := writeFile(t, files, "notice.txt", []byte("鼓楼区通知\n每月第一周开展主题党日。\n"))
	code, out, errOut = dangwu(t, "import", "--data", data, "--source", "鼓楼区委组织部", "--district", "鼓楼", notice)
	if code != 0 || !strings.Contains(out, "of 鼓楼区, source «鼓楼区委组织部», 1 section") {
		t.Errorf("with flags: exit %d\n%s%s", code, out, errOut)
	}
	ds := docs()
	if len(ds) != 2 {
		t.Fatalf("documents: %+v, want two", ds)
	}
	for _, d := range ds {
		if d.Title == "鼓楼区通知" && (d.District != "鼓楼区" || d.Source != "鼓楼区委组织部") {
			t.Errorf("the flags' document: %+v", d)
		}
	}

	if code, _, errOut := dangwu(t, "import", "--data", data, "--district", "火星区", first); code != 2 || !strings.Contains(errOut, "火星区") {
		t.Errorf("unknown --district: exit %d, stderr %q", code, errOut)
	}
}
