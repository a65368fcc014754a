package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/knowledge"
)

// Tests of the gap loop as coordinators use it: paging, dismissing,
// merging, the answer dialogue (district, source, preview) and /faq.

// buttonData is the callback data of the button labelled label on m.
func buttonData(t testing.TB, m botapi.Message, label string) string {
	t.Helper()
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return b.CallbackData
				}
			}
		}
	}
	t.Fatalf("no button %q on message %q", label, m.Text)
	return ""
}

// current is message id of a private chat as it stands now (after edits).
func (h *harness) current(chatID int64, id int) botapi.Message {
	h.t.Helper()
	for _, m := range h.srv.Messages(chatID) {
		if m.MessageID == id {
			return m
		}
	}
	h.t.Fatalf("no message %d in chat %d", id, chatID)
	return botapi.Message{}
}

// pressEdit presses the button labelled label on m in u's private chat and
// returns m as the press left it.
func (h *harness) pressEdit(u botapi.User, m botapi.Message, label string) botapi.Message {
	h.t.Helper()
	h.press(u, botapi.PrivateChat(u), m, label)
	return h.current(u.ID, m.MessageID)
}

// draftAnswer walks the answer dialogue of group k on list up to the
// preview: the answer typed, the district button pressed (none for ""), the
// source typed (跳过 pressed for "").
func (h *harness) draftAnswer(u botapi.User, list botapi.Message, k int, answer, district, source string) botapi.Message {
	h.t.Helper()
	_, prompt := h.pressNext(u, list, bot.T("gap.answer", k), 1)
	need(h.t, "answer prompt", prompt[0].Text, "答复")
	next := h.say(u, answer)
	if district != "" {
		need(h.t, "district prompt", next.Text, bot.T("draft.ask_district"))
		_, msgs := h.pressNext(u, next, district, 1)
		next = msgs[0]
	}
	need(h.t, "source prompt", next.Text, "出处")
	var preview botapi.Message
	if source == "" {
		_, msgs := h.pressNext(u, next, bot.T("draft.skip"), 1)
		preview = msgs[0]
	} else {
		preview = h.say(u, source)
	}
	need(h.t, "preview", preview.Text, "请核对后保存")
	return preview
}

// groupNumber is the number /unanswered or /faq gives the item whose line
// holds text.
func groupNumber(t *testing.T, list botapi.Message, text string) int {
	t.Helper()
	for _, line := range strings.Split(list.Text, "\n") {
		head, rest, ok := strings.Cut(line, ". ")
		if n, err := strconv.Atoi(head); ok && err == nil && strings.Contains(rest, text) {
			return n
		}
	}
	t.Fatalf("no item %q in %q", text, list.Text)
	return 0
}

// finds reports whether a search for question shows FAQ entry id among its
// first results, with want in its text.
func (h *harness) finds(question, id, want string) bool {
	h.t.Helper()
	found, err := h.kb.Search(context.Background(), question, 5)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range found.Results {
		if r.FAQID == id && strings.Contains(r.Text, want) {
			return true
		}
	}
	return false
}

// logQuestion puts a question straight into the unanswered queue, as one
// the search could not answer.
func (h *harness) logQuestion(user int64, district, text string) int64 {
	h.t.Helper()
	id, err := h.kb.LogQuestion(context.Background(), knowledge.Asked{UserID: user, ChatID: user, District: district, Text: text})
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// gapFAQ is the FAQ entry born from a gap whose question is question.
func (h *harness) gapFAQ(question string) knowledge.FAQ {
	h.t.Helper()
	p, err := h.kb.GapFAQs(context.Background(), knowledge.Operator, 1, 20)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, f := range p.Entries {
		if f.Question == question {
			return f
		}
	}
	h.t.Fatalf("no gap FAQ entry %q among %+v", question, p.Entries)
	return knowledge.FAQ{}
}

func TestUnansweredPagesThroughEveryGroup(t *testing.T) {
	h := startBot(t, nil, nil)
	admin := botapi.DefaultUser(adminID)
	questions := []string{
		"火星上能种土豆吗", "长江的源头在哪里", "熊猫每天吃几斤竹子", "钢琴有几个琴键", "珠穆朗玛峰多高",
		"咖啡因会影响睡眠吗", "蜜蜂怎样酿蜜", "地铁末班车几点", "油画颜料怎么调", "足球比赛踢多久",
		"冰箱冷冻室温度", "桂花什么季节开", "围棋棋盘几路", "菠萝要泡盐水吗", "企鹅生活在北极吗",
		"高铁最快时速", "太阳系行星数量", "葡萄酒存放方法", "宠物狗疫苗间隔", "羽毛球拍线磅数",
		"海水为什么是咸的", "月饼馅料种类", "自行车链条保养", "口琴初学指法", "茶叶保质期限",
	}
	for i, q := range questions {
		h.logQuestion(int64(2000+i), "", q)
	}
	if groups, err := h.kb.Unanswered(context.Background(), knowledge.Operator); err != nil || len(groups) != 25 {
		t.Fatalf("%d groups (%v), want 25 apart", len(groups), err)
	}

	page := h.say(admin, "/unanswered")
	seen := map[string]int{}
	for n := 1; ; n++ {
		mustContain(t, fmt.Sprintf("page %d", n), page.Text, plain(bot.T("page.of", n, 5)))
		for _, q := range questions {
			if strings.Contains(page.Text, q) {
				seen[q]++
			}
		}
		nav := buttons(page)
		hasPrev, hasNext := slices.Contains(nav, fmt.Sprintf("gap:p:%d", n-1)), slices.Contains(nav, fmt.Sprintf("gap:p:%d", n+1))
		if hasPrev != (n > 1) || hasNext != (n < 5) {
			t.Errorf("page %d buttons %v: ◀ %v ▶ %v", n, nav, hasPrev, hasNext)
		}
		if !hasNext {
			break
		}
		page = h.pressEdit(admin, page, bot.T("page.next"))
	}
	for _, q := range questions {
		if seen[q] != 1 {
			t.Errorf("%q shown on %d pages, want 1", q, seen[q])
		}
	}
	if strings.Contains(page.Text, "未显示") {
		t.Errorf("the last page still says some are not shown: %q", page.Text)
	}
	// ◀ goes back; a page past the end is the last one, one before the first the first.
	back := h.pressEdit(admin, page, bot.T("page.prev"))
	mustContain(t, "◀", back.Text, plain(bot.T("page.of", 4, 5)))
	for data, want := range map[string]int{"gap:p:99": 5, "gap:p:0": 1} {
		h.pressData(admin, botapi.PrivateChat(admin), page.MessageID, data)
		mustContain(t, data, h.current(adminID, page.MessageID).Text, plain(bot.T("page.of", want, 5)))
	}
}

func TestDismissAndMergeGroups(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	admin := botapi.DefaultUser(adminID)
	for _, id := range []int64{61, 62, 64} {
		h.ask(id, "/help")
	}
	q61 := h.logQuestion(61, "", "支部党员太多了咋办")
	h.logQuestion(62, "", "支部党员太多了咋办？")
	mars := h.logQuestion(64, "", "火星上能建党支部吗")
	list := h.say(admin, "/unanswered")
	if groupNumber(t, list, "太多了") != 1 || groupNumber(t, list, "火星") != 2 {
		t.Fatalf("/unanswered = %q", list.Text)
	}

	// 忽略: the group leaves the queue, recorded, and its asker hears nothing.
	ans := h.press(admin, botapi.PrivateChat(admin), list, bot.T("gap.dismiss", 2))
	if ans.Text != bot.T("gap.dismissed", 1) {
		t.Errorf("dismiss answered %q", ans.Text)
	}
	list = h.current(adminID, list.MessageID)
	if strings.Contains(list.Text, "火星") || !strings.Contains(list.Text, "太多了") {
		t.Errorf("the list after dismissing = %q", list.Text)
	}
	q, err := h.kb.Shown(ctx, mars)
	if err != nil || q.Open || q.ClosedAt.IsZero() || q.Resolution != knowledge.ResolutionDismissed || q.ClosedBy != adminID || q.FAQID != "" {
		t.Errorf("dismissed question = %+v, %v", q, err)
	}
	h.settle()
	if n := len(h.sentTo(64)); n != 1 {
		t.Errorf("the dismissed asker got %d messages, want only the reply to /help", n)
	}

	// 合并: search by typing, pick the entry; its answer goes to the askers.
	_, msgs := h.pressNext(admin, list, bot.T("gap.merge", 1), 1)
	mustContain(t, "merge", msgs[0].Text, "合并到已有问答", "太多了")
	choices := h.say(admin, "党支部最多能有多少党员")
	k := groupNumber(t, choices, "一个党支部最多能有多少党员")
	done := h.pressEdit(admin, choices, bot.T("gap.merge_into", k))
	mustContain(t, "merged", done.Text, "一个党支部最多能有多少党员", strings.SplitN(bot.T("gap.merged", "", 2), "\n", 2)[1])
	for _, id := range []int64{61, 62} {
		mustContain(t, "asker told", h.waitSent(id, 2)[1].Message.Text, "太多了", "不超过50人")
	}
	f, err := h.kb.FAQ(ctx, "branch-max-size")
	if err != nil || !strings.Contains(strings.Join(f.Alternatives, "\n"), "支部党员太多了咋办") {
		t.Errorf("the entry after the merge = %+v, %v", f, err)
	}
	if q, err := h.kb.Shown(ctx, q61); err != nil || q.Resolution != knowledge.ResolutionMerged || q.FAQID != "branch-max-size" {
		t.Errorf("merged question = %+v, %v", q, err)
	}
	if !h.finds("支部党员太多了咋办", "branch-max-size", "不超过50人") {
		t.Errorf("searching the merged question does not find the entry")
	}
	if got := h.say(admin, "/unanswered").Text; got != bot.T("gap.none") {
		t.Errorf("/unanswered after both = %q", got)
	}
	// The merge buttons are spent.
	if ans := h.press(admin, botapi.PrivateChat(admin), choices, bot.T("gap.merge_into", k)); ans.Text != bot.T("unknown.button") {
		t.Errorf("a second merge press answered %q", ans.Text)
	}
}

func TestThumbsDownGroupShowsTheRejectedAnswer(t *testing.T) {
	h := startBot(t, nil, nil)
	u := botapi.DefaultUser(21)
	h.ask(u.ID, "党小组会多长时间开一次？")
	h.press(u, botapi.PrivateChat(u), h.lastMessage(u.ID), "👎")
	h.waitSent(u.ID, 2)
	h.ask(u.ID, "说的是党支部，不是党小组")

	page, err := h.kb.UnansweredPage(context.Background(), knowledge.Operator, 1, 5)
	if err != nil || len(page.Groups) != 1 || len(page.Groups[0].Rejections) != 1 {
		t.Fatalf("queue = %+v, %v", page, err)
	}
	rej := page.Groups[0].Rejections[0]
	list := h.say(botapi.DefaultUser(adminID), "/unanswered")
	mustContain(t, "/unanswered", list.Text, "党小组会", plain(bot.T("gap.rejected", "")), string([]rune(rej.Title)[:min(8, len([]rune(rej.Title)))]),
		bot.T("gap.reason", "说的是党支部，不是党小组"))
}

func TestAnswerDistrictSourceAndPreview(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const gulouID = 481
	h.grant(gulouID, "鼓楼区")
	admin, gulou := botapi.DefaultUser(adminID), botapi.DefaultUser(gulouID)
	h.seedWorker(newWorker(482, "陈九", "13912340482", "鼓楼区"), true)
	h.seedWorker(newWorker(483, "周十", "13912340483", "云龙区"), true)
	mustContain(t, "鼓楼's question", h.ask(482, "鼓楼区党群服务中心周末开门吗"), bot.T("ask.recorded"))
	mustContain(t, "云龙's question", h.ask(483, "云龙区篮球场晚上几点关门"), bot.T("ask.recorded"))
	h.settle()
	askerBefore := len(h.sentTo(482))

	// A district coordinator's answer is their district's: no district step.
	list := h.say(gulou, "/unanswered")
	preview := h.draftAnswer(gulou, list, 1, "周末上午九点到十二点开门。", "", "")
	mustContain(t, "preview", preview.Text, "周末开门", "周末上午九点", "鼓楼区", bot.T("draft.no_source"))
	// 取消 saves nothing.
	need(t, "cancelled", h.pressEdit(gulou, preview, bot.T("draft.cancel")).Text, bot.T("draft.cancelled"))
	if groups, err := h.kb.Unanswered(ctx, knowledge.Actor{District: "鼓楼区"}); err != nil || len(groups) != 1 {
		t.Errorf("鼓楼's queue after 取消 = %+v, %v", groups, err)
	}
	if p, err := h.kb.GapFAQs(ctx, knowledge.Operator, 1, 10); err != nil || p.Total != 0 {
		t.Errorf("FAQ entries after 取消 = %+v, %v", p, err)
	}
	if ans := h.press(gulou, botapi.PrivateChat(gulou), preview, bot.T("draft.save")); ans.Text != bot.T("unknown.button") {
		t.Errorf("保存 after 取消 answered %q", ans.Text)
	}

	// 重写 keeps the source typed before; a forged district button is refused.
	list = h.say(gulou, "/unanswered")
	preview = h.draftAnswer(gulou, list, 1, "九点开门。", "", "鼓楼区党群服务中心公告")
	need(t, "rewrite", h.pressEdit(gulou, preview, bot.T("draft.redo")).Text, bot.T("draft.rewrite"))
	next := h.say(gulou, "周末上午九点到十二点开门，节假日另行通知。")
	need(t, "source again", next.Text, "鼓楼区党群服务中心公告")
	_, msgs := h.pressNext(gulou, next, bot.T("draft.keep_source"), 1)
	preview = msgs[0]
	mustContain(t, "second preview", preview.Text, "节假日另行通知", "鼓楼区党群服务中心公告", "鼓楼区")
	for _, data := range []string{"dr:d:2", "dr:d:0"} { // 云龙区, 全市
		ans := h.pressData(gulou, botapi.PrivateChat(gulou), preview.MessageID, data)
		if ans.Text != bot.T("draft.district_scope", "鼓楼区") || !ans.ShowAlert {
			t.Errorf("鼓楼 presses %s: %+v", data, ans)
		}
	}
	done := h.pressEdit(gulou, preview, bot.T("draft.save"))
	mustContain(t, "saved", done.Text, "周末开门", strings.SplitN(bot.T("gap.done", "", 1), "\n", 2)[1])
	f := h.gapFAQ("鼓楼区党群服务中心周末开门吗")
	if f.District != "鼓楼区" || f.Source != "鼓楼区党群服务中心公告" || !strings.Contains(f.Answer, "节假日另行通知") {
		t.Errorf("鼓楼's entry = %+v", f)
	}
	mustContain(t, "asker told", h.waitSent(482, askerBefore+1)[askerBefore].Message.Text, "节假日另行通知", "鼓楼区党群服务中心公告")

	// A city-wide answerer picks the district.
	list = h.say(admin, "/unanswered")
	preview = h.draftAnswer(admin, list, groupNumber(t, list, "篮球场"), "晚上九点关门。", "云龙区", "")
	mustContain(t, "admin's preview", preview.Text, "篮球场", "云龙区", bot.T("draft.no_source"))
	h.pressEdit(admin, preview, bot.T("draft.save"))
	if f := h.gapFAQ("云龙区篮球场晚上几点关门"); f.District != "云龙区" || f.Source != "" {
		t.Errorf("the admin's entry = %+v", f)
	}
}

func TestFAQListEditDeleteAndScope(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const gulouID = 491
	h.grant(gulouID, "鼓楼区")
	admin, gulou := botapi.DefaultUser(adminID), botapi.DefaultUser(gulouID)
	h.seedWorker(newWorker(492, "陈九", "13912340492", "鼓楼区"), true)
	h.seedWorker(newWorker(493, "周十", "13912340493", "云龙区"), true)
	h.ask(494, "/help")
	h.logQuestion(494, "", "党员可以在网上直播带货吗")
	h.logQuestion(492, "鼓楼区", "鼓楼区党员活动室能借用吗")
	h.logQuestion(493, "云龙区", "云龙区红色驿站可以办婚礼吗")
	open := h.logQuestion(493, "云龙区", "云龙区党员志愿者证怎么补办")

	list := h.say(gulou, "/unanswered")
	h.pressEdit(gulou, h.draftAnswer(gulou, list, 1, "可以，提前三天向街道党工委预约。", "", ""), bot.T("draft.save"))
	list = h.say(admin, "/unanswered")
	h.pressEdit(admin, h.draftAnswer(admin, list, groupNumber(t, list, "直播带货"), "可以，但要遵守法律法规和党的纪律。", bot.T("draft.city"), ""), bot.T("draft.save"))
	list = h.say(admin, "/unanswered")
	h.pressEdit(admin, h.draftAnswer(admin, list, groupNumber(t, list, "婚礼"), "不可以，红色驿站只用于党群活动。", "云龙区", ""), bot.T("draft.save"))
	city, own, other := h.gapFAQ("党员可以在网上直播带货吗"), h.gapFAQ("鼓楼区党员活动室能借用吗"), h.gapFAQ("云龙区红色驿站可以办婚礼吗")
	ref := func(f knowledge.FAQ) string { return strings.TrimPrefix(f.ID, "gap-") }

	// 鼓楼 sees the city's entry read-only and its own with buttons, not 云龙's.
	faqs := h.say(gulou, "/faq")
	mustContain(t, "鼓楼's /faq", faqs.Text, "直播带货", "活动室", bot.T("faq.read_only"))
	if strings.Contains(faqs.Text, "婚礼") {
		t.Errorf("鼓楼's /faq lists 云龙's entry: %q", faqs.Text)
	}
	if b := buttons(faqs); !slices.Equal(b, []string{"faq:e:" + ref(own), "faq:d:" + ref(own)}) {
		t.Errorf("鼓楼's /faq buttons = %v", b)
	}

	// Forged presses on entries and groups outside 鼓楼 are refused, and change nothing.
	for _, data := range []string{"faq:e:" + ref(other), "faq:d:" + ref(other), "faq:dy:" + ref(other), "faq:dy:" + ref(city), "faq:e:" + ref(city)} {
		if ans := h.pressData(gulou, botapi.PrivateChat(gulou), faqs.MessageID, data); ans.Text != bot.T("faq.out_of_scope") || !ans.ShowAlert {
			t.Errorf("鼓楼 presses %s: %+v", data, ans)
		}
	}
	q := strconv.FormatInt(open, 10)
	for _, data := range []string{"gap:a:" + q, "gap:" + q, "gap:m:" + q, "gap:x:1:" + q} {
		if ans := h.pressData(gulou, botapi.PrivateChat(gulou), faqs.MessageID, data); ans.Text != bot.T("gap.out_of_scope") || !ans.ShowAlert {
			t.Errorf("鼓楼 presses %s: %+v", data, ans)
		}
	}
	for _, f := range []knowledge.FAQ{city, other} {
		if got, err := h.kb.FAQ(ctx, f.ID); err != nil || got.Answer != f.Answer {
			t.Errorf("entry %s after the forged presses: %+v, %v", f.ID, got, err)
		}
	}
	if q, err := h.kb.Shown(ctx, open); err != nil || !q.Open {
		t.Errorf("云龙's open question after the forged presses: %+v, %v", q, err)
	}
	if got := h.say(gulou, "随便问一句党费怎么交"); strings.Contains(got.Text, bot.T("draft.ask_source")) {
		t.Errorf("a forged press started a dialogue: %q", got.Text)
	}

	// 鼓楼 edits its entry: the next search finds the new answer.
	_, prompt := h.pressNext(gulou, faqs, bot.T("faq.edit", groupNumber(t, faqs, "活动室")), 1)
	mustContain(t, "edit prompt", prompt[0].Text, "活动室", "提前三天")
	next := h.say(gulou, "可以，提前一周向社区党委预约，免费使用。")
	_, msgs := h.pressNext(gulou, next, bot.T("draft.skip"), 1)
	mustContain(t, "edit preview", msgs[0].Text, "提前一周", "鼓楼区")
	need(t, "edit saved", h.pressEdit(gulou, msgs[0], bot.T("draft.save")).Text, "已保存修改")
	if !h.finds("鼓楼区党员活动室能借用吗", own.ID, "提前一周") || h.finds("鼓楼区党员活动室能借用吗", own.ID, "提前三天") {
		t.Errorf("search after the edit does not show the new answer")
	}

	// The admin deletes the city's entry: the next search no longer finds it.
	if !h.finds("党员可以在网上直播带货吗", city.ID, "遵守法律法规") {
		t.Fatalf("the entry is not found before its deletion either: the test would prove nothing")
	}
	faqs = h.say(admin, "/faq")
	_, confirm := h.pressNext(admin, faqs, bot.T("faq.delete", groupNumber(t, faqs, "直播带货")), 1)
	mustContain(t, "delete confirm", confirm[0].Text, "直播带货")
	need(t, "deleted", h.pressEdit(admin, confirm[0], bot.T("faq.delete_yes")).Text, "已删除")
	if _, err := h.kb.FAQ(ctx, city.ID); err == nil {
		t.Errorf("the deleted entry is still stored")
	}
	if h.finds("党员可以在网上直播带货吗", city.ID, "") {
		t.Errorf("search after the deletion still finds %s", city.ID)
	}
	for _, e := range h.srv.Events() {
		if e.Kind == botapi.EventRefused {
			t.Errorf("Telegram refused %s: %v", e.Method, e.Err)
		}
	}
}

// Saving an answer is one transaction: when the askers' notices cannot be
// queued nothing is saved and the dialogue stays at its preview, which
// survives a restart and saves once the outbox takes messages again.
func TestGapAnswerThatCannotBeToldIsNotSaved(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	admin := botapi.DefaultUser(adminID)
	h.ask(71, "/help")
	h.logQuestion(71, "", "党员可以炒股吗")
	list := h.say(admin, "/unanswered")
	preview := h.draftAnswer(admin, list, 1, "党员可以依法买卖股票。", bot.T("draft.city"), "")
	if _, err := h.db.SQL().ExecContext(ctx, `CREATE TRIGGER outbox_full BEFORE INSERT ON outbox
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	if got := h.pressNextText(admin, preview, bot.T("draft.save")); got != bot.T("error.internal") {
		t.Errorf("saving while the outbox is full: %q", got)
	}
	if p, err := h.kb.GapFAQs(ctx, knowledge.Operator, 1, 5); err != nil || p.Total != 0 {
		t.Errorf("FAQ entries after the failed save = %+v, %v", p, err)
	}
	if groups, err := h.kb.Unanswered(ctx, knowledge.Operator); err != nil || len(groups) != 1 {
		t.Errorf("queue after the failed save = %+v, %v", groups, err)
	}
	if _, err := h.db.SQL().ExecContext(ctx, `DROP TRIGGER outbox_full`); err != nil {
		t.Fatal(err)
	}
	h.restart()
	done := h.pressEdit(admin, preview, bot.T("draft.save"))
	mustContain(t, "saved after the restart", done.Text, "炒股", strings.SplitN(bot.T("gap.done", "", 1), "\n", 2)[1])
	h.settle()
	told := 0
	for _, text := range h.sentTo(71) {
		if strings.Contains(text, "依法买卖股票") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("the asker was told %d times, want once", told)
	}
}

// pressNextText presses label on m and returns the text of the next message.
func (h *harness) pressNextText(u botapi.User, m botapi.Message, label string) string {
	h.t.Helper()
	_, msgs := h.pressNext(u, m, label, 1)
	return msgs[0].Text
}
