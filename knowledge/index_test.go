package knowledge_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
)

// ids lists the passages and FAQ entries of an answer, in order.
func ids(ans knowledge.Answer) []string {
	var out []string
	for _, r := range ans.Results {
		out = append(out, r.Kind+":"+r.DocID+"#"+r.Section+"#"+r.FAQID)
	}
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) > 0
}

func TestIndexRebuiltWhenMissingOrCorrupt(t *testing.T) {
	ctx := context.Background()
	_, st := mustStore(t)
	dir := filepath.Join(t.TempDir(), "index")
	b, err := knowledge.Open(ctx, st, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.LoadContent(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	want := ids(mustSearch(t, b, "党费交纳比例", 5))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	for name, spoil := range map[string]func(){
		"reopened as it was": func() {},
		"folder deleted": func() {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		},
		"meta file corrupt": func() {
			if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte("{not json"), 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"store corrupt": func() {
			if err := os.WriteFile(filepath.Join(dir, "store", "root.bolt"), []byte("garbage"), 0o600); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			spoil()
			b, err := knowledge.Open(ctx, st, dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if got := ids(mustSearch(t, b, "党费交纳比例", 5)); !sameStrings(got, want) {
				t.Errorf("after reopening: %v, want %v", got, want)
			}
		})
	}
}

// TestImportFromAnotherProcess is `dangwu import` while the bot runs: the
// command line opens the same database (its own connection) without the
// index, which the bot holds; the bot finds the document at its next search.
func TestImportFromAnotherProcess(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "dangwu.db")
	botDB, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer botDB.Close()
	bot := mustBase(t, store.NewKnowledgeStore(botDB), "")
	if _, err := bot.LoadContent(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	if ans := mustSearch(t, bot, "谈心谈话", 3); len(ans.Results) > 0 && ans.Results[0].DocID == "heart" {
		t.Fatal("found before the import")
	}

	cliDB, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer cliDB.Close()
	cli, err := knowledge.Open(ctx, store.NewKnowledgeStore(cliDB), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.Search(ctx, "党费", 3); err != knowledge.ErrNoIndex {
		t.Errorf("store-only search: %v, want ErrNoIndex", err)
	}
	if _, err := cli.Import(ctx, "heart.txt", []byte("谈心谈话提示\n一、频次\n党员之间每年谈心谈话一般不少于1次。\n"), knowledge.Operator); err != nil {
		t.Fatal(err)
	}

	ans := mustSearch(t, bot, "谈心谈话", 3)
	if len(ans.Results) == 0 || ans.Results[0].DocID != "heart" {
		t.Fatalf("the running base did not pick up the import: %+v", ans.Results)
	}
	if err := cli.Remove(ctx, "heart", knowledge.Operator); err != nil {
		t.Fatal(err)
	}
	for _, r := range mustSearch(t, bot, "谈心谈话", 3).Results {
		if r.DocID == "heart" {
			t.Errorf("the running base still finds a document removed elsewhere")
		}
	}
}

// TestIndexInUse: a second process that finds the index locked builds a
// private one rather than waiting or failing.
func TestIndexInUse(t *testing.T) {
	ctx := context.Background()
	_, st := mustStore(t)
	dir := filepath.Join(t.TempDir(), "index")
	first := mustBase(t, st, dir)
	if _, err := first.LoadContent(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	second, err := knowledge.Open(ctx, st, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(mustSearch(t, second, "党费交纳比例", 5)), ids(mustSearch(t, first, "党费交纳比例", 5)); !sameStrings(got, want) {
		t.Errorf("private index: %v, want %v", got, want)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ids(mustSearch(t, first, "党费交纳比例", 5)); len(got) == 0 {
		t.Errorf("the first base lost its index")
	}
}

func TestLoadContentSync(t *testing.T) {
	ctx := context.Background()
	db, st := mustStore(t)
	b := mustBase(t, st, "")
	dir := t.TempDir()
	if err := os.CopyFS(dir, fixture()); err != nil {
		t.Fatal(err)
	}
	rep, err := b.LoadContent(ctx, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 3 || len(rep.FAQAdded) != 1 || !rep.SynonymsChanged || len(rep.Problems) != 0 {
		t.Errorf("first load: %+v", rep)
	}
	if _, err := b.Import(ctx, "mine.md", []byte("# 我的文档\n\n导入的内容。\n"), knowledge.Operator); err != nil {
		t.Fatal(err)
	}
	gen := generation(t, db)

	rep, err = b.LoadContent(ctx, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed() || generation(t, db) != gen {
		t.Errorf("unchanged content wrote something: %+v", rep)
	}

	// change one document, remove another, break a third
	if err := os.WriteFile(filepath.Join(dir, "knowledge", "jiawang.md"), []byte("---\ntitle: 贾汪区薪酬\n---\n## 新标准\n按学历核定，每两年调整。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "knowledge", "branch.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "knowledge", "dues.md"), []byte("---\ntitle: [broken\n---\n正文\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = b.LoadContent(ctx, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Updated) != 1 || rep.Updated[0] != "jiawang" || len(rep.Removed) != 1 || rep.Removed[0] != "branch" {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].File != "knowledge/dues.md" || rep.Problems[0].Line != 2 {
		t.Errorf("problems = %v", rep.Problems)
	}
	if ans := mustSearch(t, b, "每两年调整", 1); len(ans.Results) == 0 || ans.Results[0].Section != "新标准" {
		t.Errorf("updated document not searched: %+v", ans.Results)
	}
	for _, r := range mustSearch(t, b, "联合党支部", 5).Results {
		if r.DocID == "branch" {
			t.Errorf("removed document still found")
		}
	}
	if _, err := b.Document(ctx, "dues"); err != nil {
		t.Errorf("a broken file removed the document it held: %v", err)
	}

	// an empty folder: only imported documents are left
	if _, err := b.LoadContent(ctx, os.DirFS(t.TempDir())); err != nil {
		t.Fatal(err)
	}
	docs, err := b.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].ID != "mine" {
		t.Errorf("documents after loading an empty folder: %+v", docs)
	}
	if n := count(t, db, "kb_faqs"); n != 0 {
		t.Errorf("%d FAQ entries left", n)
	}
}

func generation(tb testing.TB, db *store.DB) int64 {
	tb.Helper()
	g, err := store.NewKnowledgeStore(db).Generation(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return g.N
}
