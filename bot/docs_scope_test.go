package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
)

// importedDocs lists the imported documents by id.
func (h *harness) importedDocs() map[string]knowledge.DocInfo {
	h.t.Helper()
	docs, err := h.kb.Documents(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]knowledge.DocInfo{}
	for _, d := range docs {
		if d.Origin == knowledge.OriginImport {
			out[d.ID] = d
		}
	}
	return out
}

// docID is the id of the imported document of district with title.
func docID(t *testing.T, docs map[string]knowledge.DocInfo, district, title string) string {
	t.Helper()
	for id, d := range docs {
		if d.District == district && d.Title == title {
			return id
		}
	}
	t.Fatalf("no document %q of %q among %+v", title, district, docs)
	return ""
}

func TestDistrictCoordinatorsDocumentsThroughChat(t *testing.T) {
	h := startBot(t, nil, nil)
	const gulouID, yunlongID = 461, 462
	h.grant(gulouID, "鼓楼区")
	h.grant(yunlongID, "云龙区")
	admin, gulou, yunlong := botapi.DefaultUser(adminID), botapi.DefaultUser(gulouID), botapi.DefaultUser(yunlongID)

	const name = "党建工作要点.txt"
	text := func(who string) []byte { return []byte("党建工作要点\n一、要点\n" + who + "的要点。\n") }
	mustContain(t, "admin's import", h.importFile(admin, name, text("全市"), "", ""), "已导入")
	reply := h.importFile(yunlong, name, text("云龙区"), "", "")
	mustContain(t, "云龙's import", reply, "已导入", plain(bot.T("doc.owner", "云龙区")))
	// 鼓楼 sends a file of the same name: a document of its own, not a replacement.
	mustContain(t, "鼓楼's import", h.importFile(gulou, name, text("鼓楼区"), "", ""), "已导入", plain(bot.T("doc.owner", "鼓楼区")))
	docs := h.importedDocs()
	if len(docs) != 3 {
		t.Fatalf("after three uploads of one name: %+v, want three documents", docs)
	}
	cityDoc, ylDoc, glDoc := docID(t, docs, "", "党建工作要点"), docID(t, docs, "云龙区", "党建工作要点"), docID(t, docs, "鼓楼区", "党建工作要点")

	// Front matter naming another district is refused, and nothing is stored.
	const forged = "云龙规定.md"
	got := h.sendFile(gulou, forged, []byte("---\ndistrict: 云龙区\n---\n# 云龙区规定\n\n## 一\n冒名的规定。\n"))
	if want := plain(bot.T("doc.out_of_scope", forged, "鼓楼区")); got != want {
		t.Errorf("鼓楼's 云龙区 front matter: reply %q, want %q", got, want)
	}
	// So is an id taken from 云龙's document.
	got = h.sendFile(gulou, "x.md", []byte("---\nid: "+ylDoc+"\n---\n# 覆盖\n\n## 一\n冒名的规定。\n"))
	if want := plain(bot.T("doc.out_of_scope", "x.md", "鼓楼区")); got != want {
		t.Errorf("鼓楼 uses 云龙's id: reply %q, want %q", got, want)
	}
	if docs := h.importedDocs(); len(docs) != 3 {
		t.Errorf("the refused files added documents: %+v", docs)
	}

	// /docs: 鼓楼 sees every document, with a removal button for its own only.
	listed := h.next(gulouID, 2, func() { h.srv.SendText(gulou, botapi.PrivateChat(gulou), "/docs") })
	mustContain(t, "鼓楼's /docs", listed[0].Text, "党建工作要点", "云龙区", "鼓楼区")
	need(t, "removal hint", listed[1].Text, bot.T("doc.remove_hint_district"))
	if b := buttons(listed[1]); !slices.Equal(b, []string{"doc:rm:" + glDoc}) {
		t.Errorf("鼓楼's removal buttons = %v, want only doc:rm:%s", b, glDoc)
	}

	// Forged presses on 云龙's and the city's documents are refused by the service.
	for _, tc := range []struct{ id, want string }{
		{ylDoc, bot.T("doc.other_district_remove", "云龙区")},
		{cityDoc, bot.T("doc.city_remove")},
	} {
		for _, data := range []string{"doc:rmy:" + tc.id, "doc:rm:" + tc.id} {
			if ans := h.pressData(gulou, botapi.PrivateChat(gulou), listed[1].MessageID, data); ans.Text != tc.want || !ans.ShowAlert {
				t.Errorf("鼓楼 presses %s: %+v, want the alert %q", data, ans, tc.want)
			}
		}
	}
	docs = h.importedDocs()
	if _, ok := docs[ylDoc]; !ok {
		t.Errorf("云龙's document was removed by 鼓楼")
	}
	if _, ok := docs[cityDoc]; !ok {
		t.Errorf("the city's document was removed by 鼓楼")
	}
	mustContain(t, "云龙's text", h.ask(50, "云龙区的要点"), "云龙区的要点")

	// Within its district, a new upload of the name replaces the old one.
	mustContain(t, "鼓楼 replaces its own", h.importFile(gulou, name, text("鼓楼区新"), "", ""), "已更新")
	if docs := h.importedDocs(); len(docs) != 3 {
		t.Errorf("a same-district replacement changed the count: %+v", docs)
	}
	d, err := h.kb.Document(context.Background(), glDoc)
	if err != nil || !strings.Contains(d.Passages[0].Text, "鼓楼区新") {
		t.Errorf("鼓楼's document after the replacement = %+v, %v", d, err)
	}

	// 鼓楼 removes its own through the buttons.
	_, confirm := h.pressNext(gulou, listed[1], "党建工作要点", 1)
	h.pressNext(gulou, confirm[0], bot.T("doc.remove_yes"), 0)
	if got := h.srv.Messages(gulouID); !strings.Contains(got[len(got)-1].Text, "已删除") {
		t.Errorf("after 鼓楼's removal the message reads %q", got[len(got)-1].Text)
	}

	// The admin sees removal buttons for every import and may remove anything.
	listed = h.next(adminID, 2, func() { h.srv.SendText(admin, botapi.PrivateChat(admin), "/docs") })
	if b := buttons(listed[1]); len(b) != 2 || !slices.Contains(b, "doc:rm:"+ylDoc) || !slices.Contains(b, "doc:rm:"+cityDoc) {
		t.Errorf("admin's removal buttons = %v", b)
	}
	for _, id := range []string{ylDoc, cityDoc} {
		if ans := h.pressData(admin, botapi.PrivateChat(admin), listed[1].MessageID, "doc:rmy:"+id); ans.ShowAlert {
			t.Errorf("admin removes %s: refused with %q", id, ans.Text)
		}
	}
	if docs := h.importedDocs(); len(docs) != 0 {
		t.Errorf("after the admin's removals: %+v", docs)
	}
}

func TestMovedCoordinatorAnswersAnOldGap(t *testing.T) {
	h := startBot(t, nil, nil)
	const coordID = 471
	h.grant(coordID, "鼓楼区")
	coord := botapi.DefaultUser(coordID)
	h.seedWorker(newWorker(472, "陈九", "13912340472", "鼓楼区"), true)
	h.seedWorker(newWorker(473, "周十", "13912340473", "云龙区"), true)
	mustContain(t, "鼓楼's question", h.ask(472, "鼓楼区党群服务中心周末开门吗"), bot.T("ask.recorded"))
	mustContain(t, "云龙's question", h.ask(473, "云龙区篮球场晚上几点关门"), bot.T("ask.recorded"))

	// The district coordinator's queue holds their district's questions only.
	list := h.say(coord, "/unanswered")
	mustContain(t, "鼓楼's /unanswered", list.Text, "周末开门")
	if strings.Contains(list.Text, "篮球场") {
		t.Errorf("鼓楼's /unanswered lists 云龙's question: %q", list.Text)
	}
	_, prompt := h.pressNext(coord, list, bot.T("gap.answer", 1), 1)
	need(t, "answer prompt", prompt[0].Text, "周末开门")

	// The coordinator is moved to 云龙区 while writing the answer.
	h.settle()
	askerBefore := len(h.sentTo(472))
	if _, err := h.members().Grant(context.Background(), adminID, coordID, "云龙区"); err != nil {
		t.Fatal(err)
	}
	if got := h.say(coord, "周末上午九点到十二点开门。").Text; got != bot.T("gap.out_of_scope") {
		t.Errorf("answering the old district's gap: %q, want %q", got, bot.T("gap.out_of_scope"))
	}
	// The old button says the same, and the question is still open for 鼓楼.
	if ans, _ := h.pressNext(coord, list, bot.T("gap.answer", 1), 0); ans.Text != bot.T("gap.out_of_scope") || !ans.ShowAlert {
		t.Errorf("pressing the old gap button: %+v, want the alert %q", ans, bot.T("gap.out_of_scope"))
	}
	groups, err := h.kb.Unanswered(context.Background(), knowledge.Actor{District: "鼓楼区"})
	if err != nil || len(groups) != 1 {
		t.Errorf("鼓楼's queue after the refusal = %+v, %v, want the question open", groups, err)
	}
	h.settle()
	if n := len(h.sentTo(472)); n != askerBefore {
		t.Errorf("the asker got %d more messages, want none", n-askerBefore)
	}
	// Now the coordinator's queue is 云龙's.
	list = h.say(coord, "/unanswered")
	if !strings.Contains(list.Text, "篮球场") || strings.Contains(list.Text, "周末开门") {
		t.Errorf("moved coordinator's /unanswered = %q", list.Text)
	}
}
