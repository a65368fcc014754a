package bot_test

// Hostile review: crash windows left in the bot. Each test stops the bot at
// the moment a kill -9 would leave the database in the state under test —
// a Bot API call held at the server while the handler's context is cut off
// by a short shutdown grace (the call is refused once released, so Telegram
// never carries it out), or a transaction that never commits — and starts
// a new bot on the same database and server, as a restart would.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/store"
)

// crashGrace is the shutdown grace of these tests: the handler held at the
// crash point is cut off after it.
const crashGrace = 100 * time.Millisecond

func shortGrace(o *bot.Options) { o.ShutdownGrace = crashGrace }

// holdCall makes the server hold the first call of method to chat whose
// params match. It returns a function that waits until the call is held;
// the held call is refused once crashHere's restart is done.
type heldCall struct {
	held, release chan struct{}
}

func (h *harness) holdCall(method string, chat int64, match func(p botapi.Params) bool) *heldCall {
	h.t.Helper()
	hc := &heldCall{held: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	h.srv.SetFault(func(m string, p botapi.Params) *botapi.APIError {
		if !strings.EqualFold(m, method) || (chat != 0 && p.Get("chat_id") != strconv.FormatInt(chat, 10)) || !match(p) {
			return nil
		}
		first := false
		once.Do(func() { first = true })
		if !first {
			return nil
		}
		close(hc.held)
		<-hc.release
		// The process died before the call reached Telegram.
		return &botapi.APIError{Code: 400, Description: "Bad Request: the bot died before this call arrived"}
	})
	return hc
}

// crashHere waits for the held call, stops the bot as a crash at that
// moment would (the handler is cut off there), and starts a new one on the
// same database and server.
func (h *harness) crashHere(hc *heldCall) {
	h.t.Helper()
	select {
	case <-hc.held:
	case <-time.After(10 * time.Second):
		h.t.Fatal("the call to hold was never made")
	}
	h.restartAfterShutdown(nil)
	close(hc.release)
	h.srv.SetFault(nil)
}

// atomicGate makes the first transaction of the bot's own (Options.Atomic)
// begun after arm never commit: it waits for the handler's context to end,
// as a process killed before the commit would leave it.
type atomicGate struct {
	mu    sync.Mutex
	armed bool
	held  chan struct{}
}

func (g *atomicGate) arm() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.armed, g.held = true, make(chan struct{})
}

func (g *atomicGate) wrap(next func(context.Context, func(context.Context) error) error) func(context.Context, func(context.Context) error) error {
	return func(ctx context.Context, fn func(context.Context) error) error {
		g.mu.Lock()
		armed := g.armed
		g.armed = false
		g.mu.Unlock()
		if !armed {
			return next(ctx, fn)
		}
		close(g.held)
		<-ctx.Done()
		return ctx.Err()
	}
}

// crashInGate waits for the gated transaction and restarts the bot.
func (h *harness) crashInGate(g *atomicGate) {
	h.t.Helper()
	select {
	case <-g.held:
	case <-time.After(10 * time.Second):
		h.t.Fatal("the gated transaction was never begun")
	}
	h.restartAfterShutdown(nil)
	h.waitUntil("the unfinished updates are replayed", func() bool { return h.undoneUpdates() == 0 })
}

func (h *harness) undoneUpdates() int {
	h.t.Helper()
	var n int
	if err := h.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE done_at IS NULL`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// A crash window, now closed (the test failed before the fix): bot/people.go onMoveButton edits the warning to "好的，区县改为…"
// before accept commits the move; the sender marks the update done as soon
// as that edit is out (bot/poll.go markDone, bot/send.go do). A crash after
// the edit and before the move's transaction leaves the update done (never
// replayed), the profile unmoved, the new district's coordinators never
// told, and the dialogue stuck at the warning whose buttons are gone — while
// the person was told the move was made.
func TestCrashReplayMoveConfirmedButNeverMade(t *testing.T) {
	gate := &atomicGate{}
	h := startBot(t, func(o *bot.Options) {
		shortGrace(o)
		o.Atomic = gate.wrap(o.Atomic)
	}, nil)
	const yunlong = 1392
	h.grant(yunlong, "云龙区")
	w := newWorker(1192, "蒋崩", "13912341192", "鼓楼区")
	h.seedWorker(w, true)
	yunlongBefore := len(h.sentTo(yunlong))

	me := h.say(w.user, "/me")
	_, msgs := h.pressNext(w.user, me, "改所在区县", 1)
	_, msgs = h.pressNext(w.user, msgs[0], "云龙区", 1)
	warning := msgs[0]
	need(t, "warning", warning.Text, "云龙区")

	gate.arm()
	h.srv.Press(w.user, botapi.PrivateChat(w.user), warning.MessageID, h.buttonData(warning, bot.T("move.ok")))
	h.crashInGate(gate)
	h.settle()

	told := h.current(w.user.ID, warning.MessageID).Text
	p := h.profile(w.user.ID)
	t.Logf("after the restart: the person reads %q; profile %s %s; %d updates left to replay", told, p.District, p.Status, h.undoneUpdates())
	if told == bot.T("move.confirmed", "云龙区") && p.District != "云龙区" {
		t.Errorf("the person was told %q but the profile is still %s %s, and the update is not replayed", told, p.District, p.Status)
	}
	if n := len(h.sentTo(yunlong)) - yunlongBefore; p.District == "云龙区" && n == 0 {
		t.Errorf("the move was made but 云龙区's coordinator was never told")
	}
	// The dialogue is left at the warning, whose buttons the edit removed:
	// whatever the person types is answered "press a button".
	if got := h.ask(w.user.ID, "你好"); got == bot.T("move.press") {
		t.Errorf("the person is stuck in the move dialogue: %q answers every message", got)
	}
}

// A crash window, now closed (the test failed before the fix): bot/broadcast.go confirmBroadcast commits the broadcast, its
// outbox rows, the dialogue's end and the update's done mark, then sends
// the status report directly (showStatus) and records its message id
// after (SetStatusMessage). A crash between the commit and that send
// leaves a broadcast going out with no status report ever: the update is
// done, resumeStatuses only watches broadcasts whose StatusMessage is set,
// and the preview's 确认发送 is now stale. The coordinator is never told it
// went out (and may well send it again). A scheduled broadcast's first
// report is queued in the outbox with its release (SendDueBroadcasts); an
// immediate one's is not.
func TestCrashReplayBroadcastStatusReportLost(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	const coordID = 1901
	h.grant(coordID, "泉山区")
	coord := botapi.DefaultUser(coordID)
	for i := range 2 {
		w := newWorker(int64(1902+i), []string{"赵崩", "钱崩"}[i], "1391234190"+strconv.Itoa(2+i), "泉山区")
		h.seedWorker(w, true)
	}
	preview := h.writeBroadcast(coord, "崩溃测试：请于本周五前报送总结。")
	need(t, "preview", preview.Text, "人数：2 人")

	hc := h.holdCall("sendMessage", coordID, func(p botapi.Params) bool { return strings.Contains(p.Get("text"), "通知 #") })
	h.srv.Press(coord, botapi.PrivateChat(coord), preview.MessageID, h.buttonData(preview, bot.T("bc.confirm")))
	h.crashHere(hc)
	h.settle()
	ctx := context.Background()
	for range 3 {
		h.bot.SchedTick(ctx)
		h.settle()
	}
	list, err := h.sched.Broadcasts(ctx, adminAccess(), 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("broadcasts %v %v", list, err)
	}
	bc := list[0]
	// The report is sent at start, beside the scheduler: wait for it.
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	h.srv.WaitEvents(wait, 1, func(e botapi.Event) bool {
		return e.Kind == botapi.EventSend && e.ChatID == coordID && strings.Contains(e.Message.Text, "通知 #"+strconv.FormatInt(bc.ID, 10))
	})
	reports := h.countContaining(coordID, "通知 #"+strconv.FormatInt(bc.ID, 10))
	t.Logf("broadcast %d: %s to %d, status message %d; status reports the coordinator has: %d; updates left: %d",
		bc.ID, bc.State, bc.Recipients, bc.StatusMessage, reports, h.undoneUpdates())
	if reports == 0 {
		t.Errorf("broadcast %d went out to %d people after the restart, but its coordinator never got a status report", bc.ID, bc.Recipients)
	}
}

// A crash window, now closed (the test failed before the fix): the last answer of an exam (quiz.Answer) commits the finished
// exam, and only then does bot/quiz.go onSessionPress edit the question
// into the result. A crash between leaves the update undone; replayed, the
// press finds the exam over (ErrStale without Finished) and stalePress
// only answers "这道题已经答过了": the result is never shown — the message
// still shows the last question. (An expiry's result commits with the
// submission through the outbox; a finished exam's does not.)
func TestCrashReplayExamResultLostWhenTheLastAnswerIsCutOff(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	u := botapi.DefaultUser(1506)
	chat := botapi.PrivateChat(u)
	list := h.say(u, "/exam")
	h.press(u, chat, list, "开始：发展党员专项测试")
	h.press(u, chat, h.message(u.ID, list.MessageID), plain(bot.T("exam.go")))
	exam := h.activeSession(u.ID)
	for range len(exam.Items) - 1 {
		h.answerCurrent(u, h.message(u.ID, list.MessageID), true)
	}
	last := h.activeSession(u.ID)
	if last.Pos != len(last.Items)-1 {
		t.Fatalf("at question %d of %d", last.Pos+1, len(last.Items))
	}
	hc := h.holdCall("editMessageText", u.ID, func(p botapi.Params) bool { return strings.Contains(p.Get("text"), "成绩") })
	it, _ := last.Current()
	q, err := h.quiz.Question(context.Background(), it.QuestionID)
	if err != nil {
		t.Fatal(err)
	}
	data := "qz:a:" + strconv.FormatInt(last.ID, 10) + ":" + strconv.Itoa(last.Pos) + ":" + strconv.Itoa(q.Answer[0])
	if q.Kind == quiz.Multiple {
		for _, o := range q.Answer {
			h.pressData(u, chat, list.MessageID, "qz:x:"+strconv.FormatInt(last.ID, 10)+":"+strconv.Itoa(last.Pos)+":"+strconv.Itoa(o))
		}
		data = h.buttonData(h.message(u.ID, list.MessageID), plain(bot.T("quiz.submit")))
	}
	h.srv.Press(u, chat, list.MessageID, data)
	h.crashHere(hc)
	h.settle()
	h.waitUntil("the cut-off press is handled again", func() bool { return h.undoneUpdates() == 0 })

	got, err := h.quiz.Session(context.Background(), exam.ID)
	if err != nil || got.State != quiz.Done {
		t.Fatalf("exam %+v (%v), want done", got.State, err)
	}
	shown := h.message(u.ID, list.MessageID).Text
	results := h.countContaining(u.ID, "成绩")
	t.Logf("after the restart the exam is %s (score %d); the pressed message reads %.60q; messages with a result: %d", got.State, got.Score, shown, results)
	if !strings.Contains(shown, "成绩") && results == 0 {
		t.Errorf("the exam was finished with %d points but its result was never shown: the message still reads %.80q", got.Score, shown)
	}
}

// A crash window, now closed (the test failed before the fix): bot/ask.go answerQuestion logs the question (kb.LogQuestion, its
// own transaction) apart from the update's done mark, then replies. A
// crash between leaves the update undone and the question logged; the
// replay logs it again. An unanswered question then counts twice in
// /unanswered (the group's Count, "共 N 次提问"), which is what
// coordinators rank gaps by.
func TestCrashReplayReplayedQuestionLoggedTwice(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	const asker = 1041
	h.ask(asker, "/help")
	const question = "公司党支部能不能给党员发年终奖金呢"
	hc := h.holdCall("sendMessage", asker, func(p botapi.Params) bool { return true })
	h.srv.PrivateText(asker, question)
	h.crashHere(hc)
	h.settle()
	h.waitUntil("the question is answered after the restart", func() bool { return h.undoneUpdates() == 0 })
	var n int
	if err := h.db.SQL().QueryRow(`SELECT COUNT(*) FROM kb_questions WHERE user_id = ? AND text = ?`, asker, question).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("one question, sent once, is logged %d times after a crash and its replay", n)
	}
}

// A crash window, now closed (the test failed before the fix): the answer dialogue's steps are saved apart from the update's
// done mark (bot/drafts.go askSource: conv.Save, then the prompt). A crash
// after the save and before the prompt leaves the update undone with the
// dialogue a step on; the replay meets the step it left and takes the
// answer the coordinator typed as the answer's source (draftFlow,
// stepSource), then shows a preview with it.
func TestCrashReplayReplayedAnswerBecomesItsSource(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	const coordID = 1731
	h.grant(coordID, "鼓楼区")
	coord := botapi.DefaultUser(coordID)
	h.logQuestion(1732, "鼓楼区", "党支部换届选举需要提前多久请示上级党组织")
	list := h.say(coord, "/unanswered")
	_, prompt := h.pressNext(coord, list, bot.T("gap.answer", 1), 1)
	need(t, "answer prompt", prompt[0].Text, "答复")

	const answer = "党支部应在任期届满前三个月向上级党组织提出换届选举请示。"
	hc := h.holdCall("sendMessage", coordID, func(p botapi.Params) bool { return strings.Contains(p.Get("text"), "出处") })
	h.srv.PrivateText(coordID, answer)
	h.crashHere(hc)
	h.settle()
	h.waitUntil("the cut-off answer is handled again", func() bool { return h.undoneUpdates() == 0 })
	c, err := store.NewConversations(h.db).Get(context.Background(), coordID, coordID)
	if err != nil {
		t.Fatalf("dialogue after the restart: %v", err)
	}
	t.Logf("after the restart the dialogue is at %q with answer %.30q and source %.30q", c.Step, c.Data["answer"], c.Data["source"])
	if src := strings.TrimSuffix(c.Data["source"], "…"); src != "" && strings.HasPrefix(answer, src) {
		t.Errorf("the replayed answer was taken as its source: %q", c.Data["source"])
	}
}

// A crash window, now closed (the test failed before the fix): bot/files.go finishDocImport imports the document (its own
// transaction), replies, and only then ends the dialogue. A crash after the
// reply (which marks the update done) and before conv.End leaves the file
// imported and its dialogue open at the district question: every question
// the coordinator types afterwards is answered with the district buttons
// again instead of being searched, until /cancel.
func TestCrashReplayDocImportDialogueOutlivesTheImport(t *testing.T) {
	conv := &endGate{}
	h := startBot(t, func(o *bot.Options) {
		shortGrace(o)
		conv.Conversations = o.Store.(*store.Conversations)
		o.Store = conv
	}, nil)
	admin := botapi.DefaultUser(adminID)
	ask := h.sendFile(admin, "崩溃测试通知.txt", []byte("关于开展党务工作者轮训的通知\n\n各区县党委组织部要在十月底前完成全部党务工作者的轮训，每人不少于十六学时。"))
	need(t, "source question", ask, "出处")
	skip := h.lastMessage(adminID)
	_, msgs := h.pressNext(admin, skip, bot.T("import.skip"), 1)
	need(t, "district question", msgs[0].Text, "适用于哪里")
	conv.arm()
	h.srv.Press(admin, botapi.PrivateChat(admin), msgs[0].MessageID, h.buttonData(msgs[0], bot.T("import.city")))
	select {
	case <-conv.held:
	case <-time.After(10 * time.Second):
		t.Fatal("the dialogue's end was never reached")
	}
	h.restartAfterShutdown(nil)
	h.settle()
	if n := h.importedCount(); n != 1 {
		t.Fatalf("%d documents imported, want 1", n)
	}
	got := h.ask(adminID, "党务工作者轮训每人多少学时")
	if strings.Contains(got, "适用于哪里") || strings.Contains(got, bot.T("import.pick_district")) {
		t.Errorf("after the crash a question is answered with the import's district question: %q", got)
	}
}

// endGate is the conversation store whose first End (or, with save, Save)
// after arm never happens: it waits for the handler's context to end.
type endGate struct {
	*store.Conversations
	save  bool
	mu    sync.Mutex
	armed bool
	held  chan struct{}
}

func (g *endGate) arm() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.armed, g.held = true, make(chan struct{})
}

func (g *endGate) take(save bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.armed || g.save != save {
		return false
	}
	g.armed = false
	close(g.held)
	return true
}

func (g *endGate) End(ctx context.Context, chatID, userID int64) error {
	if !g.take(false) {
		return g.Conversations.End(ctx, chatID, userID)
	}
	<-ctx.Done()
	return ctx.Err()
}

func (g *endGate) Save(ctx context.Context, chatID, userID int64, c store.Conversation) error {
	if !g.take(true) {
		return g.Conversations.Save(ctx, chatID, userID, c)
	}
	<-ctx.Done()
	return ctx.Err()
}

// A crash window, now closed (the test failed before the fix): the same window in registration, which every new worker goes
// through: bot/people.go onChoice edits the pressed question to "已选择…"
// (removing its buttons; the update is marked done once the edit is out)
// and only then saves the choice and the next step (accept → conv.Save).
// A crash in between leaves the update done, the choice lost and the
// dialogue at a choice step whose buttons are gone: every message the
// person types is answered "请点按钮选择" with no button to press.
func TestCrashReplayRegistrationChoiceLostAfterItsEdit(t *testing.T) {
	conv := &endGate{save: true}
	h := startBot(t, func(o *bot.Options) {
		shortGrace(o)
		conv.Conversations = o.Store.(*store.Conversations)
		o.Store = conv
	}, nil)
	w := newWorker(1101, "张崩", "13912341101", "鼓楼区")
	u := w.user
	start := h.next(u.ID, 2, func() { h.srv.SendText(u, botapi.PrivateChat(u), "/start") })
	need(t, "after /start", start[1].Text, bot.T("reg.ask.name"))
	h.say(u, w.name)
	district := h.shareContact(u, w.contactPhone(), u.ID, 2)[1]
	need(t, "after the phone", district.Text, bot.T("reg.ask.district"))

	conv.arm()
	h.srv.Press(u, botapi.PrivateChat(u), district.MessageID, h.buttonData(district, w.district))
	select {
	case <-conv.held:
	case <-time.After(10 * time.Second):
		t.Fatal("the choice was never saved")
	}
	h.restartAfterShutdown(nil)
	h.waitUntil("the unfinished updates are replayed", func() bool { return h.undoneUpdates() == 0 })
	h.settle()
	c, err := store.NewConversations(h.db).Get(context.Background(), u.ID, u.ID)
	shown := h.current(u.ID, district.MessageID)
	t.Logf("after the restart: the question reads %q (buttons: %v); dialogue at %q, district %q (%v); updates left %d",
		shown.Text, shown.ReplyMarkup != nil, c.Step, c.Data["district"], err, h.undoneUpdates())
	if c.Step == "district" && shown.ReplyMarkup == nil {
		t.Errorf("the person was shown %q, but the dialogue still waits for the district, with no button left to press", shown.Text)
	}
	if got := h.ask(u.ID, w.org); got == bot.T("reg.press_choice") {
		t.Errorf("the next answer typed is refused with %q, and no button is there", got)
	}
}

// A crash window, now closed (the test failed before the fix): a coordinator's command menu is Telegram-side state set after
// the change it follows, with no record and no repair at start: /revoke
// commits the revocation (and its notice) and then calls setMyCommands
// for the person's chat (bot/admin.go cmdRevoke → refreshMenu). A crash in
// between leaves the revoked person's chat menu offering /pending,
// /members, /broadcast… for good: setCommands at start re-sets the menus of
// the admins and of the coordinators still granted only (bot/commands.go),
// and the revocation's update is done. The same holds for an erasure
// (onDeleteMe) and a departure (leaveFlow).
func TestCrashReplayRevokedCoordinatorKeepsTheMenu(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	const id = 1351
	scope := botapi.BotCommandScope{Type: "chat", ChatID: id}
	workerMenu := menuNames(h.srv.Commands(botapi.BotCommandScope{Type: "default"}))
	h.grant(id, "鼓楼区")
	if menu := menuNames(h.srv.Commands(scope)); !slices.Contains(menu, "pending") {
		t.Fatalf("the coordinator's menu %v lacks /pending", menu)
	}
	hc := h.holdCall("setMyCommands", 0, func(p botapi.Params) bool {
		return strings.Contains(p.Get("scope"), fmt.Sprintf(`"chat_id":%d`, id))
	})
	h.srv.PrivateText(adminID, fmt.Sprintf("/revoke %d", id))
	h.crashHere(hc)
	h.settle()
	if got := h.ask(id, "/pending"); got != bot.T("denied.command") {
		t.Fatalf("/pending after the revocation = %q, want it refused", got)
	}
	if menu := menuNames(h.srv.Commands(scope)); !slices.Equal(menu, workerMenu) {
		t.Errorf("after the revocation and a restart the person's menu is still %v, want the worker's %v", menu, workerMenu)
	}
}

// A crash after an invitation is redeemed and before the reply: the replay
// must not find the invitation used and tell the new coordinator it is
// invalid. The redemption commits with the update's done mark; the menu
// the crash cut off is set at the next start.
func TestCrashReplayRedeemedInviteNotCalledUsed(t *testing.T) {
	h := startBot(t, shortGrace, nil)
	m := inviteLink.FindStringSubmatch(h.ask(adminID, "/invite 鼓楼区"))
	if m == nil {
		t.Fatal("no invitation link")
	}
	const id = 1371
	u := botapi.DefaultUser(id)
	hc := h.holdCall("sendMessage", id, func(p botapi.Params) bool { return true })
	h.srv.SendText(u, botapi.PrivateChat(u), "/start "+m[1])
	h.crashHere(hc)
	h.waitUntil("the unfinished updates are replayed", func() bool { return h.undoneUpdates() == 0 })
	h.settle()
	if a, _ := h.members().Access(context.Background(), id); a.Role != member.RoleCoordinator {
		t.Errorf("after the crash %d is a %v, want a coordinator", id, a.Role)
	}
	if n := h.countContaining(id, bot.T("err.invite_used")); n > 0 {
		t.Errorf("the new coordinator was told %d times that the invitation was used", n)
	}
	if menu := menuNames(h.srv.Commands(botapi.BotCommandScope{Type: "chat", ChatID: id})); !slices.Contains(menu, "pending") {
		t.Errorf("menu after the restart = %v", menu)
	}
}
