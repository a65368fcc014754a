package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// dangwu runs the command line with args and returns its exit code and output.
func dangwu(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env, out, errOut := testEnv("", nil)
	code = Main(context.Background(), args, env)
	return code, out.String(), errOut.String()
}

// askJSON runs `dangwu ask --json` and checks the output is exactly an array
// of objects with the keys of the interface.
func askJSON(t *testing.T, args ...string) []askResult {
	t.Helper()
	code, out, errOut := dangwu(t, append([]string{"ask", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("ask %q: exit %d, stderr: %s", args, code, errOut)
	}
	var raw []map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("ask %q: stdout is not a JSON array: %v\n%s", args, err, out)
	}
	if raw == nil {
		t.Fatalf("ask %q: stdout is %q, want an array", args, out)
	}
	want := []string{"answer", "confident", "doc", "kind", "rank", "score", "section", "snippet", "source", "text", "title"}
	for i, r := range raw {
		var keys []string
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want) {
			t.Fatalf("ask %q: result %d has keys %v, want %v", args, i, keys, want)
		}
		if _, ok := r["score"].(float64); !ok {
			t.Errorf("ask %q: result %d: score %v is not a number", args, i, r["score"])
		}
	}
	var rs []askResult
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.Rank != i+1 || (r.Kind != knowledge.KindPassage && r.Kind != knowledge.KindFAQ) || r.Text == "" {
			t.Errorf("ask %q: result %d = %+v", args, i, r)
		}
		if r.Confident && r.Rank != 1 {
			t.Errorf("ask %q: result %d is confident", args, i)
		}
		if r.Answer == "" || !strings.Contains(r.Text, strings.TrimSuffix(r.Answer, "…")) {
			t.Errorf("ask %q: result %d: answer %q is not a sentence of its text", args, i, r.Answer)
		}
		if strings.ContainsAny(r.Snippet, string([]rune{knowledge.MarkStart, knowledge.MarkEnd})) {
			t.Errorf("ask %q: result %d: snippet keeps the match markers: %q", args, i, r.Snippet)
		}
	}
	return rs
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func openDB(t *testing.T, data string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(data, "dangwu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

const duesQuestion = "党费的交纳比例是多少"

func TestAskJSON(t *testing.T) {
	data := t.TempDir()
	rs := askJSON(t, "--data", data, duesQuestion)
	if len(rs) != knowledge.DefaultResults {
		t.Fatalf("%d results, want %d", len(rs), knowledge.DefaultResults)
	}
	if rs[0].Doc != "dues-rates" {
		t.Errorf("top result is %s «%s», want dues-rates", rs[0].Doc, rs[0].Title)
	}
	if rs[0].Snippet == "" || rs[0].Source == "" || rs[0].Score <= 0 {
		t.Errorf("top result = %+v", rs[0])
	}

	if rs := askJSON(t, "--data", data, "-n", "1", "党费", "怎么", "交"); len(rs) != 1 {
		t.Errorf("-n 1: %d results", len(rs))
	}
	for _, q := range []string{`+-:^~*?"()`, `党费 AND (交纳 OR "比例")^3 ~2 *`, "🙂🙂"} {
		askJSON(t, "--data", data, q) // valid JSON, exit 0
	}
	if code, out, _ := dangwu(t, "ask", "--json", "--data", data, "🙂"); strings.TrimSpace(out) != "[]" || code != 0 {
		t.Errorf("nothing found: exit %d, stdout %q, want [] and 0", code, out)
	}
}

func TestAskText(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := dangwu(t, "ask", "--data", data, duesQuestion)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errOut)
	}
	for _, want := range []string{"1. ", "党费", "答：", "【", "中组发〔2008〕3号"} {
		if !strings.Contains(out, want) {
			t.Errorf("answer lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x02\x03") {
		t.Errorf("answer keeps the match markers:\n%q", out)
	}
	if _, out, _ := dangwu(t, "ask", "--data", data, "🙂"); !strings.Contains(out, "没有可以查询的内容") {
		t.Errorf("a message with nothing to search is not told so:\n%s", out)
	}
	if _, out, _ := dangwu(t, "ask", "--data", data, "明天徐州下雨吗"); !strings.Contains(out, "没有找到") {
		t.Errorf("nothing reliable is not said:\n%s", out)
	}
	if _, out, _ := dangwu(t, "ask", "--data", data, "你好"); !strings.Contains(out, "问候") {
		t.Errorf("a greeting is searched:\n%s", out)
	}
	if code, out, errOut := dangwu(t, "ask", "--data", data, "-5"); code != 0 || !strings.Contains(out, "只有一个数字") {
		t.Errorf("ask -5: exit %d, stdout %q, stderr %q; want the number hint", code, out, errOut)
	}
	if _, out, _ := dangwu(t, "ask", "--data", data, "工资999999999交多少党费"); !strings.Contains(out, "不像每月收入") {
		t.Errorf("an absurd income is not told so:\n%s", out)
	}
	if _, out, _ := dangwu(t, "ask", "--data", data, "年薪二十万交多少党费"); !strings.Contains(out, "333.33元") {
		t.Errorf("年薪二十万:\n%s", out)
	}
}

func TestAskUsage(t *testing.T) {
	data := t.TempDir()
	for name, args := range map[string][]string{
		"no question":    {"ask", "--data", data},
		"blank question": {"ask", "--data", data, " ", ""},
		"json only":      {"ask", "--json", "--data", data},
		"n zero":         {"ask", "-n", "0", "--data", data, "党费"},
		"n too many":     {"ask", "-n", "21", "--data", data, "党费"},
		"bad flag":       {"ask", "--frob", "党费"},
		"flag after":     {"ask", "你好", "--data", data},
	} {
		code, out, errOut := dangwu(t, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage: dangwu ask") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and usage on stderr", name, code, out, errOut)
		}
	}
}

func TestImportThenAsk(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	md := writeFile(t, files, "xinghuo.md", []byte("# 星火驿站管理办法\n\n## 开放时间\n星火驿站每周三下午开放，由红帆志愿队值守。\n\n## 预约方式\n预约请联系园区党群服务中心。\n"))
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("蓝鲸党群服务中心通知\n一、报名方式\n参加蓝鲸读书会的党员请向支部书记报名。\n二、活动地点\n蓝鲸大厦三楼。\n")
	if err != nil {
		t.Fatal(err)
	}
	txt := writeFile(t, files, "lanjing.txt", []byte(gbk))

	code, out, errOut := dangwu(t, "import", "--data", data, md, txt)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{
		"ok  " + md + ": document xinghuo «星火驿站管理办法», 2 sections",
		"ok  " + txt + ": document lanjing «蓝鲸党群服务中心通知», 2 sections",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for q, doc := range map[string]string{"星火驿站什么时候开放": "xinghuo", "蓝鲸读书会怎么报名": "lanjing"} {
		rs := askJSON(t, "--data", data, q)
		if len(rs) == 0 || rs[0].Doc != doc {
			t.Errorf("%s: results %+v, want %s first", q, rs, doc)
		}
	}
	// the embedded content is there too
	if rs := askJSON(t, "--data", data, duesQuestion); len(rs) == 0 || rs[0].Doc != "dues-rates" {
		t.Errorf("dues question after import: %+v", rs)
	}
}

func TestImportReportsBadFiles(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	good := writeFile(t, files, "good.md", []byte("# 好文件\n\n## 第一节\n正文内容。\n"))
	fake := writeFile(t, files, "fake.docx", []byte("this is not a zip file"))
	empty := writeFile(t, files, "empty.md", nil)
	blank := writeFile(t, files, "blank.txt", []byte(" \n\t\n"))
	pdf := writeFile(t, files, "notice.pdf", []byte("%PDF-1.4\n"))
	big := filepath.Join(files, "big.txt")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, knowledge.MaxFileSize+1); err != nil { // sparse: cheap
		t.Fatal(err)
	}
	missing := filepath.Join(files, "missing.md")

	code, out, errOut := dangwu(t, "import", "--data", data, fake, empty, good, blank, pdf, big, missing)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{
		"FAIL " + fake + ": not a .docx file",
		"FAIL " + empty + ": empty",
		"FAIL " + blank + ": empty",
		"FAIL " + pdf + `: unsupported file type ".pdf"`,
		"FAIL " + big + ": over 20 MB",
		"FAIL " + missing + ":",
		"ok  " + good + ": document good «好文件», 1 section",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "6 of 7 files") {
		t.Errorf("stderr: %s", errOut)
	}
	docs, err := store.NewKnowledgeStore(openDB(t, data)).Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].ID != "good" {
		t.Errorf("documents stored: %+v, want only good", docs)
	}
}

func TestImportUsage(t *testing.T) {
	code, out, errOut := dangwu(t, "import", "--data", t.TempDir())
	if code != 2 || out != "" || !strings.Contains(errOut, "usage: dangwu import") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestImportRoster(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	csv := writeFile(t, files, "roster.csv", []byte("姓名,手机号,区县,单位\n张三,13912345678,鼓楼区,徐州星火科技有限公司\n李四,12345,云龙区,\n王五,13812345678,泉山,\n"))
	code, out, errOut := dangwu(t, "import", "--data", data, csv)
	if code != 1 {
		t.Errorf("a roster with a bad row: exit %d, want 1; stderr: %s", code, errOut)
	}
	for _, want := range []string{
		"ok  " + csv + ": roster, 2 added, 0 updated, 0 skipped",
		"1 row left out",
		`line 3: phone "12345": not a mainland mobile number`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	ms := store.NewMemberStore(openDB(t, data))
	ctx := context.Background()
	for phone, district := range map[string]string{"13912345678": "鼓楼区", "13812345678": "泉山区"} {
		e, err := ms.RosterEntry(ctx, phone, district)
		if err != nil || e.Phone != phone || e.District != district {
			t.Errorf("roster %s: %+v, %v; want district %s", phone, e, err, district)
		}
	}
	if _, err := ms.RosterEntry(ctx, "12345", "云龙区"); err == nil {
		t.Error("the bad row was stored")
	}

	// the same file again: nothing new
	_, out, _ = dangwu(t, "import", "--data", data, csv)
	if !strings.Contains(out, "0 added, 0 updated, 2 skipped") {
		t.Errorf("second import:\n%s", out)
	}

	noPhone := writeFile(t, files, "nophone.csv", []byte("姓名,区县\n张三,鼓楼区\n"))
	code, out, _ = dangwu(t, "import", "--data", data, noPhone)
	if code != 1 || !strings.Contains(out, "FAIL "+noPhone+": missing roster column "+string(member.FieldPhone)) {
		t.Errorf("roster without a phone column: exit %d\n%s", code, out)
	}
}

func TestAskWithEmptyContentFindsOnlyImports(t *testing.T) {
	data, files, empty := t.TempDir(), t.TempDir(), t.TempDir()
	md := writeFile(t, files, "dangfei-local.md", []byte("# 园区党费收缴办法\n\n## 交纳方式\n园区党员的党费由联合党支部每月统一收缴。\n"))
	if code, out, errOut := dangwu(t, "import", "--data", data, "--content", empty, md); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	rs := askJSON(t, "--data", data, "--content", empty, duesQuestion)
	if len(rs) == 0 {
		t.Fatal("the imported document is not found")
	}
	for _, r := range rs {
		if r.Doc != "dangfei-local" {
			t.Errorf("result from %s «%s» with an empty content folder", r.Doc, r.Title)
		}
	}
}

func TestAskWhileTheBotHoldsTheIndex(t *testing.T) {
	ctx := context.Background()
	data, files := t.TempDir(), t.TempDir()
	askJSON(t, "--data", data, duesQuestion) // builds the index and loads the content

	// The bot: holds DATA/dangwu-index open.
	kb, err := knowledge.Open(ctx, store.NewKnowledgeStore(openDB(t, data)), filepath.Join(data, "dangwu-index"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where ask builds its private index
	rs := askJSON(t, "--data", data, duesQuestion)
	if len(rs) == 0 || rs[0].Doc != "dues-rates" {
		t.Errorf("ask while the index is held: %+v", rs)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("ask left its private index behind: %v", left)
	}

	// import while the bot runs; the bot finds the document at its next search
	md := writeFile(t, files, "xinghuo.md", []byte("# 星火驿站管理办法\n\n## 开放时间\n星火驿站每周三下午开放。\n"))
	if code, out, errOut := dangwu(t, "import", "--data", data, md); code != 0 {
		t.Fatalf("import while the bot runs: exit %d\n%s%s", code, out, errOut)
	}
	ans, err := kb.Search(ctx, "星火驿站什么时候开放", 3)
	if err != nil || len(ans.Results) == 0 || ans.Results[0].DocID != "xinghuo" {
		t.Errorf("the bot's search after the import: %+v, %v", ans.Results, err)
	}
}

func TestImportRosterQueuesApprovalNotices(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	ctx := context.Background()
	db := openDB(t, data)
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	svc := member.NewService(store.NewMemberStore(db), districts, nil)
	if err := svc.Seen(ctx, member.TelegramUser{ID: 777, FirstName: "x"}); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Register(ctx, member.Registration{UserID: 777, Name: "孙八", Phone: "13700001111", PhoneVerified: true,
		District: "鼓楼区", Org: "某协会", Post: "委员", Education: "本科", StartYear: 2021})
	if err != nil || p.Status != member.StatusPending {
		t.Fatalf("register: %+v, %v", p, err)
	}
	csv := writeFile(t, files, "roster.csv", []byte("姓名,手机号,区县\n孙八,13700001111,鼓楼区\n"))
	if code, out, errOut := dangwu(t, "import", "--data", data, csv); code != 0 || !strings.Contains(out, "1 pending registration approved") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	due, err := store.NewOutbox(db).Due(ctx, time.Now().Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ChatID != 777 || !strings.Contains(due[0].Text, "通过审核") {
		t.Errorf("outbox after the import = %+v, want the approval notice for 777", due)
	}
}

func TestImportRosterApprovesNobodyItCannotTell(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	ctx := context.Background()
	db := openDB(t, data)
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	svc := member.NewService(store.NewMemberStore(db), districts, nil)
	if err := svc.Seen(ctx, member.TelegramUser{ID: 777, FirstName: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Register(ctx, member.Registration{UserID: 777, Name: "孙八", Phone: "13700001111", PhoneVerified: true,
		District: "鼓楼区", Org: "某协会", Post: "委员", Education: "本科", StartYear: 2021}); err != nil {
		t.Fatal(err)
	}
	// The outbox refuses every row, as a full disk would.
	if _, err := db.SQL().ExecContext(ctx, `CREATE TRIGGER outbox_full BEFORE INSERT ON outbox
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	csv := writeFile(t, files, "roster.csv", []byte("姓名,手机号,区县\n孙八,13700001111,鼓楼区\n"))
	code, out, _ := dangwu(t, "import", "--data", data, csv)
	if code == 0 || !strings.Contains(out, "FAIL") {
		t.Fatalf("import whose notices cannot be queued: exit %d\n%s", code, out)
	}
	p, err := svc.Get(ctx, 777)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != member.StatusPending {
		t.Errorf("status %s: approved without being told", p.Status)
	}
}

func TestImportReportsEncodingAndStrayBytes(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	md := writeFile(t, files, "notice.md", []byte("# 党费收缴通知\n\n## 交纳时间\n\n每月\xff交纳一次。\n"))
	code, out, errOut := dangwu(t, "import", "--data", data, md)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "«党费收缴通知»") || !strings.Contains(out, "read as UTF-8") || !strings.Contains(out, "replaced on 1 line 5") {
		t.Errorf("report:\n%s", out)
	}
}
