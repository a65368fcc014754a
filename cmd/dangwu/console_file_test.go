package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/store"
)

// consoleSession runs one console session on data with the lines of stdin and
// returns what it printed.
func consoleSession(t *testing.T, data, stdin string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env, out, errOut := testEnv(stdin, nil)
	if code := Main(ctx, []string{"console", "--data", data}, env); code != 0 || ctx.Err() != nil {
		t.Fatalf("console: exit %d (ctx %v)\nstdout:\n%s\nstderr:\n%s", code, ctx.Err(), out, errOut)
	}
	return out.String()
}

const xinghuoDoc = "---\nid: xinghuo\ntitle: 星火驿站管理办法\nsource: 鼓楼区委组织部\n---\n\n# 开放时间\n\n星火驿站每周六上午九点至十一点开放，党员凭党员证进入。\n"

// `dangwu import --console` writes the console's database, which the
// console then answers from; the bot's database is not touched.
func TestImportIntoTheConsole(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	md := writeFile(t, files, "xinghuo.md", []byte(xinghuoDoc))
	code, out, errOut := dangwu(t, "import", "--console", "--data", data, md)
	if code != 0 || !strings.Contains(out, "ok  "+md+": document xinghuo") || !strings.Contains(errOut, filepath.Join(data, "console.db")) {
		t.Fatalf("import --console: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "dangwu.db")); !os.IsNotExist(err) {
		t.Errorf("import --console created or touched dangwu.db (%v)", err)
	}
	got := consoleSession(t, data, "星火驿站什么时候开放\n")
	if !strings.Contains(got, "每周六上午九点") || !strings.Contains(got, filepath.Join(data, "console.db")) {
		t.Errorf("the console did not answer from the imported document, or did not name its database:\n%s", got)
	}
}

// /file PATH sends a file as the console user (an administrator): a .md
// document is imported at once; a .txt asks for its source and district
// first, as in Telegram; a missing file is said so and nothing is sent.
func TestConsoleSendsAFile(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	md := writeFile(t, files, "xinghuo.md", []byte(xinghuoDoc))
	txt := writeFile(t, files, "通知.txt", []byte("关于开展主题党日活动的通知\n\n各党支部于每月第一个星期五开展主题党日活动。\n"))
	roster := writeFile(t, files, "名单.csv", []byte("姓名,手机号,区县\n许三,13912340121,鼓楼区\n"))
	got := consoleSession(t, data, "/file "+filepath.Join(files, "无此文件.docx")+"\n"+
		"/file "+md+"\n"+
		"/file "+txt+"\n[1]\n[2]\n"+ // 跳过 the source, then 全市
		"/file "+roster+"\n"+
		// a question only the imported notice answers (主题党日什么时候开展
		// is an FAQ phrasing of the content, which comes first)
		"主题党日在哪个星期五开展\n")
	for _, want := range []string{
		"打不开文件",
		"📎 已发送 xinghuo.md",
		"已导入《星火驿站管理办法》",
		"来源", // the .txt asks its source
		"已导入《关于开展主题党日活动的通知》", // then imports it
		"名单“名单.csv”已导入",
		"每月第一个星期五",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the console session lacks %q:\n%s", want, got)
		}
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	docs, err := store.NewKnowledgeStore(db).Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	imported := 0
	for _, d := range docs {
		if d.ID == "xinghuo" || d.Title == "关于开展主题党日活动的通知" {
			imported++
		}
	}
	if imported != 2 {
		t.Errorf("%d of the two files are in the console's knowledge base", imported)
	}
}
