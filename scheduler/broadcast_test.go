package scheduler_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/scheduler"
)

// newBroadcastEnv is newEnv where g4 turned notices off and g5 blocked the
// bot: 鼓楼区 reaches g1, g2, g3, and the city q1, q2 besides.
func newBroadcastEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	if err := e.svc.SetPush(e.ctx, g4, scheduler.PushBroadcast, true); err != nil {
		t.Fatal(err)
	}
	e.exec(`UPDATE users SET blocked_at = ? WHERE id = ?`, t0.UTC().Format(time.RFC3339), g5)
	return e
}

func (e *env) broadcast(actor member.Access, b scheduler.Broadcast) scheduler.Broadcast {
	e.t.Helper()
	b, err := e.svc.CreateBroadcast(e.ctx, actor, b)
	if err != nil {
		e.t.Fatalf("broadcast: %v", err)
	}
	return b
}

func TestPreview(t *testing.T) {
	e := newBroadcastEnv(t)
	b, r, err := e.svc.Preview(e.ctx, gulou, scheduler.Broadcast{Text: "通知"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.UserIDs, []int64{g1, g2, g3}) || r.Skipped != 2 {
		t.Errorf("a 鼓楼区 coordinator's preview: %v, %d skipped; want %v, 2 skipped", r.UserIDs, r.Skipped, []int64{g1, g2, g3})
	}
	if b.District != "鼓楼区" || !slices.Equal(b.Audience.Districts, []string{"鼓楼区"}) {
		t.Errorf("draft narrowed to district %q, audience %v", b.District, b.Audience.Districts)
	}
	_, r, err = e.svc.Preview(e.ctx, admin, scheduler.Broadcast{Text: "通知"})
	if err != nil || !slices.Equal(r.UserIDs, []int64{g1, g2, g3, q1, q2}) || r.Skipped != 2 {
		t.Errorf("the city's preview: %v, %d skipped, %v", r.UserIDs, r.Skipped, err)
	}
	_, r, err = e.svc.Preview(e.ctx, admin, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{Districts: []string{"泉山区"}}})
	if err != nil || !slices.Equal(r.UserIDs, []int64{q1, q2}) || r.Skipped != 0 {
		t.Errorf("泉山区's preview: %v, %d skipped, %v", r.UserIDs, r.Skipped, err)
	}
	_, _, err = e.svc.Preview(e.ctx, admin, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{Districts: []string{"云龙区"}}})
	wantErr(t, "nobody in 云龙区", err, scheduler.ErrEmptyAudience)
	_, _, err = e.svc.Preview(e.ctx, gulou, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{Districts: []string{"泉山区"}}})
	wantErr(t, "a 鼓楼区 coordinator's preview for 泉山区", err, scheduler.ErrNoDistricts)
	if n := e.count(`SELECT COUNT(*) FROM broadcasts`); n != 0 {
		t.Errorf("previews stored %d broadcasts", n)
	}
}

func TestBroadcastRefused(t *testing.T) {
	e := newBroadcastEnv(t)
	theirs := e.newEvent(quan, nil)
	cases := []struct {
		name  string
		actor member.Access
		b     scheduler.Broadcast
		want  error
	}{
		{"no text", gulou, scheduler.Broadcast{}, scheduler.ErrNoBroadcastText},
		{"too long", gulou, scheduler.Broadcast{Text: strings.Repeat("党", scheduler.MaxBroadcastRunes+1)}, scheduler.ErrBroadcastTooLong},
		{"caption too long", gulou, scheduler.Broadcast{Text: strings.Repeat("党", scheduler.MaxCaptionRunes+1), Media: "photo:x"},
			scheduler.ErrCaptionTooLong},
		{"send time past", gulou, scheduler.Broadcast{Text: "通知", SendAt: t0.Add(-time.Hour)}, scheduler.ErrSendAtPast},
		{"send time too far", gulou, scheduler.Broadcast{Text: "通知", SendAt: t0.Add(scheduler.MaxScheduleAhead + time.Hour)},
			scheduler.ErrSendAtTooFar},
		{"a level nobody has", gulou, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{Levels: []string{"初级"}}}, scheduler.ErrEmptyAudience},
		{"unknown district", admin, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{Districts: []string{"火星区"}}},
			scheduler.ErrUnknownDistrict},
		{"no such event", gulou, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{EventID: 4242}}, scheduler.ErrNoSuchEventOrExam},
		{"another district's event", gulou, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{EventID: theirs.ID}},
			scheduler.ErrOutOfScope},
		{"a worker", worker, scheduler.Broadcast{Text: "通知"}, scheduler.ErrNotCoordinator},
		{"鼓楼区 coordinator to 泉山区", gulou, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{Districts: []string{"泉山区"}}},
			scheduler.ErrNoDistricts},
		{"nobody in the audience", admin, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{Districts: []string{"云龙区"}}},
			scheduler.ErrEmptyAudience},
		{"nobody registered", gulou, scheduler.Broadcast{Text: "通知", Audience: scheduler.Audience{EventID: e.newEvent(gulou, nil).ID}},
			scheduler.ErrEmptyAudience},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateBroadcast(e.ctx, tc.actor, tc.b)
			wantErr(t, "broadcast", err, tc.want)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM broadcasts`); n != 0 {
		t.Errorf("%d broadcasts stored from refused drafts", n)
	}
	if rs := e.rows(""); len(rs) != 0 {
		t.Errorf("refused drafts queued %d messages", len(rs))
	}
}

func TestBroadcastNow(t *testing.T) {
	e := newBroadcastEnv(t)
	b := e.broadcast(gulou, scheduler.Broadcast{Text: "学习通知", Ack: true})
	if b.State != scheduler.Sent || b.Recipients != 3 || b.Skipped != 2 || b.District != "鼓楼区" || !b.SendAt.Equal(t0) {
		t.Errorf("broadcast %+v", b)
	}
	rs := e.rows(`ref = ?`, scheduler.BroadcastRef(b.ID))
	if to := chats(rs); !slices.Equal(to, []int64{g1, g2, g3}) {
		t.Errorf("queued to %v, want %v (not the one who turned notices off, nor the one who blocked the bot)", to, []int64{g1, g2, g3})
	}
	for _, r := range rs {
		if r.Text != "broadcast 学习通知" || r.Kind != scheduler.PushBroadcast || !r.Quiet || r.Repeatable || r.Op != outbox.OpSend ||
			r.Status != outbox.StatusPending {
			t.Errorf("row %+v", r)
		}
	}
	if n := len(e.rows("")); n != 3 {
		t.Errorf("%d rows in all", n)
	}
	stored, err := e.svc.Broadcast(e.ctx, gulou, b.ID)
	if err != nil || stored.State != scheduler.Sent || stored.Recipients != 3 || stored.Skipped != 2 || !stored.Ack {
		t.Errorf("stored %+v, %v", stored, err)
	}
	st, err := e.svc.Status(e.ctx, gulou, b.ID)
	if err != nil || st.Counts.Pending != 3 || st.Done() {
		t.Errorf("status %+v, %v", st, err)
	}
	e.deliver(scheduler.BroadcastRef(b.ID))
	if st, _ := e.svc.Status(e.ctx, gulou, b.ID); st.Counts.Sent != 3 || !st.Done() {
		t.Errorf("status once delivered %+v", st)
	}
	_, err = e.svc.Broadcast(e.ctx, quan, b.ID)
	wantErr(t, "another district's broadcast", err, scheduler.ErrOutOfScope)
	if list, _ := e.svc.Broadcasts(e.ctx, quan, 10); len(list) != 0 {
		t.Errorf("泉山区 lists %d of 鼓楼区's broadcasts", len(list))
	}
	if list, _ := e.svc.Broadcasts(e.ctx, admin, 10); len(list) != 1 {
		t.Errorf("the admin lists %d broadcasts", len(list))
	}
}

func TestScheduledBroadcast(t *testing.T) {
	e := newBroadcastEnv(t)
	at := t0.Add(2 * time.Hour)
	b := e.broadcast(gulou, scheduler.Broadcast{Text: "定时通知", SendAt: at})
	dropped := e.broadcast(gulou, scheduler.Broadcast{Text: "取消的通知", SendAt: at})
	if b.State != scheduler.Scheduled || b.Recipients != 0 {
		t.Errorf("scheduled %+v", b)
	}
	if rs := e.rows(""); len(rs) != 0 {
		t.Fatalf("queued before its time: %+v", rs)
	}
	_, err := e.svc.CancelBroadcast(e.ctx, quan, dropped.ID)
	wantErr(t, "cancel by another district", err, scheduler.ErrOutOfScope)
	if got, err := e.svc.CancelBroadcast(e.ctx, gulou, dropped.ID); err != nil || got.State != scheduler.Dropped {
		t.Errorf("cancel: %+v, %v", got, err)
	}
	_, err = e.svc.CancelBroadcast(e.ctx, gulou, dropped.ID)
	wantErr(t, "cancel twice", err, scheduler.ErrAlreadySent)

	e.clock.Set(at.Add(-time.Second))
	if released := e.tick(); len(released) != 0 || len(e.rows("")) != 0 {
		t.Fatalf("a second early: released %v", released)
	}
	e.person(106, "鼓楼区", "approved") // approved meanwhile: the audience is resolved when it goes out
	e.clock.Set(at)
	released := e.tick()
	if len(released) != 1 || released[0].ID != b.ID || released[0].State != scheduler.Sent || released[0].Recipients != 4 {
		t.Errorf("released %+v", released)
	}
	if to := chats(e.rows(fmt.Sprintf("ref = 'broadcast:%d'", b.ID))); !slices.Equal(to, []int64{g1, g2, g3, 106}) {
		t.Errorf("queued to %v", to)
	}
	// Whoever scheduled it gets its status report, queued with it.
	if st := e.rows(fmt.Sprintf("ref = 'broadcast:%d:status'", b.ID)); len(st) != 1 || st[0].Chat != b.CreatedBy {
		t.Errorf("status report rows %+v", st)
	}
	e.clock.Advance(time.Minute)
	if released := e.tick(); len(released) != 0 {
		t.Errorf("second tick released %+v", released)
	}
	if n := len(e.rows("")); n != 5 {
		t.Errorf("%d rows after two ticks, want 4 and the status report", n)
	}
	_, err = e.svc.CancelBroadcast(e.ctx, gulou, b.ID)
	wantErr(t, "cancel after it went out", err, scheduler.ErrAlreadySent)
	if got, _ := e.st.Broadcast(e.ctx, dropped.ID); got.State != scheduler.Dropped {
		t.Errorf("the cancelled one is %s", got.State)
	}
}

func TestStopBroadcast(t *testing.T) {
	e := newBroadcastEnv(t)
	b := e.broadcast(admin, scheduler.Broadcast{Text: "全市通知"})
	ref := scheduler.BroadcastRef(b.ID)
	e.deliver(ref, g1, g2)

	_, _, err := e.svc.StopBroadcast(e.ctx, gulou, b.ID)
	wantErr(t, "stop of the city's broadcast by a district", err, scheduler.ErrOutOfScope)
	_, _, err = e.svc.StopBroadcast(e.ctx, worker, b.ID)
	wantErr(t, "stop by a worker", err, scheduler.ErrNotCoordinator)

	got, n, err := e.svc.StopBroadcast(e.ctx, admin, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || got.State != scheduler.Stopped {
		t.Errorf("stopped %d, state %s; want 3, stopped", n, got.State)
	}
	c, err := e.ob.RefCounts(e.ctx, ref)
	if err != nil || c.Sent != 2 || c.Cancelled != 3 || c.Pending != 0 {
		t.Errorf("counts %+v, %v", c, err)
	}
	// Nothing of it is left for the sender, now or later.
	due, err := e.ob.Due(e.ctx, t0.Add(48*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range due {
		if m.Ref == ref {
			t.Errorf("a stopped message is due: %+v", m)
		}
	}
	e.clock.Advance(time.Hour)
	e.tick()
	if c, _ := e.ob.RefCounts(e.ctx, ref); c.Pending != 0 || c.Cancelled != 3 {
		t.Errorf("after a tick %+v", c)
	}
	if st, _ := e.svc.Status(e.ctx, admin, b.ID); !st.Done() || st.Counts.Cancelled != 3 {
		t.Errorf("status %+v", st)
	}
	_, _, err = e.svc.StopBroadcast(e.ctx, admin, b.ID)
	wantErr(t, "stop twice", err, scheduler.ErrNotSent)

	scheduled := e.broadcast(admin, scheduler.Broadcast{Text: "定时", SendAt: t0.Add(24 * time.Hour)})
	_, _, err = e.svc.StopBroadcast(e.ctx, admin, scheduled.ID)
	wantErr(t, "stop of one not sent", err, scheduler.ErrNotSent)
}

func TestWithdrawBroadcast(t *testing.T) {
	e := newBroadcastEnv(t)
	b := e.broadcast(admin, scheduler.Broadcast{Text: "有误的通知", Ack: true})
	ref := scheduler.BroadcastRef(b.ID)
	delivered := e.deliver(ref, g1, q1)
	// One has been reminded to acknowledge it, another's reminder waits.
	if n, err := e.svc.RemindUnacked(e.ctx, admin, b.ID); err != nil || n != 2 {
		t.Fatalf("remind: %d, %v", n, err)
	}
	reminded := e.deliver(ref+":remind", g1)

	_, _, err := e.svc.WithdrawBroadcast(e.ctx, quan, b.ID)
	wantErr(t, "withdraw of the city's broadcast by a district", err, scheduler.ErrOutOfScope)

	got, n, err := e.svc.WithdrawBroadcast(e.ctx, admin, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || got.State != scheduler.Withdrawn {
		t.Errorf("withdrew %d, state %s; want 2, withdrawn", n, got.State)
	}
	dels := e.rows(`ref = ?`, ref+":withdraw")
	want := map[int64][]int{} // chat -> messages deleted there
	for _, d := range append(delivered, reminded...) {
		want[d.Chat] = append(want[d.Chat], d.MessageID)
	}
	gotDels := map[int64][]int{}
	for _, d := range dels {
		if d.Op != outbox.OpDelete || d.Status != outbox.StatusPending {
			t.Errorf("withdrawal row %+v", d)
		}
		gotDels[d.Chat] = append(gotDels[d.Chat], d.Target)
	}
	if len(gotDels) != len(want) || !slices.Equal(gotDels[g1], want[g1]) || !slices.Equal(gotDels[q1], want[q1]) {
		t.Errorf("deletions %v, want %v", gotDels, want)
	}
	if c, _ := e.ob.RefCounts(e.ctx, ref); c.Pending != 0 || c.Cancelled != 3 || c.Sent != 2 {
		t.Errorf("the notice's rows %+v: the undelivered should be cancelled", c)
	}
	if c, _ := e.ob.RefCounts(e.ctx, ref+":remind"); c.Pending != 0 || c.Cancelled != 1 {
		t.Errorf("the reminders' rows %+v: the waiting one should be cancelled", c)
	}
	_, _, err = e.svc.WithdrawBroadcast(e.ctx, admin, b.ID)
	wantErr(t, "withdraw twice", err, scheduler.ErrNotSent)
	_, _, err = e.svc.CorrectBroadcast(e.ctx, admin, b.ID, "更正")
	wantErr(t, "correct after withdrawing", err, scheduler.ErrNotSent)
	_, err = e.svc.Ack(e.ctx, g1, b.ID)
	wantErr(t, "ack after withdrawing", err, scheduler.ErrNotRecipient)
	_, err = e.svc.RemindUnacked(e.ctx, admin, b.ID)
	wantErr(t, "remind after withdrawing", err, scheduler.ErrNotSent)
}

func TestCorrectBroadcast(t *testing.T) {
	e := newBroadcastEnv(t)
	b := e.broadcast(admin, scheduler.Broadcast{Text: "原通知"})
	ref := scheduler.BroadcastRef(b.ID)
	e.deliver(ref, g1, g2, g3)

	_, _, err := e.svc.CorrectBroadcast(e.ctx, admin, b.ID, "更正后的通知")
	wantErr(t, "correct while sending", err, scheduler.ErrStillSending)
	if n := len(e.rows(`ref = ?`, ref+":edit")); n != 0 {
		t.Fatalf("%d edits queued while sending", n)
	}
	delivered := e.deliver(ref)
	delivered = append(e.rows(`ref = ? AND chat_id IN (?, ?, ?)`, ref, g1, g2, g3), delivered...)

	for _, tc := range []struct {
		name  string
		actor member.Access
		text  string
		want  error
	}{
		{"no text", admin, "", scheduler.ErrNoBroadcastText},
		{"too long", admin, strings.Repeat("党", scheduler.MaxBroadcastRunes+1), scheduler.ErrBroadcastTooLong},
		{"a district's coordinator", gulou, "更正", scheduler.ErrOutOfScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.svc.CorrectBroadcast(e.ctx, tc.actor, b.ID, tc.text)
			wantErr(t, "correct", err, tc.want)
		})
	}
	got, n, err := e.svc.CorrectBroadcast(e.ctx, admin, b.ID, "更正后的通知")
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 || got.Revision != 1 || got.Text != "更正后的通知" {
		t.Errorf("corrected %d, %+v", n, got)
	}
	if stored, _ := e.st.Broadcast(e.ctx, b.ID); stored.Text != "更正后的通知" || stored.Revision != 1 || stored.State != scheduler.Sent {
		t.Errorf("stored %+v", stored)
	}
	edits := e.rows(`ref = ?`, ref+":edit")
	targets := map[int64]int{}
	for _, d := range delivered {
		targets[d.Chat] = d.MessageID
	}
	if len(edits) != 5 {
		t.Fatalf("%d edits, want 5", len(edits))
	}
	for _, ed := range edits {
		if ed.Op != outbox.OpEdit || ed.Text != "broadcast 更正后的通知" || ed.Target != targets[ed.Chat] || ed.Target == 0 {
			t.Errorf("edit %+v, want message %d edited", ed, targets[ed.Chat])
		}
	}

	// A stopped notice is corrected where it was delivered.
	s := e.broadcast(admin, scheduler.Broadcast{Text: "第二份"})
	e.deliver(scheduler.BroadcastRef(s.ID), q1)
	if _, _, err := e.svc.StopBroadcast(e.ctx, admin, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, n, err := e.svc.CorrectBroadcast(e.ctx, admin, s.ID, "第二份（更正）"); err != nil || n != 1 {
		t.Errorf("correct a stopped notice: %d, %v", n, err)
	}
	if to := chats(e.rows(`ref = ?`, scheduler.BroadcastRef(s.ID)+":edit")); !slices.Equal(to, []int64{q1}) {
		t.Errorf("edits of the stopped notice to %v", to)
	}
}

func TestAck(t *testing.T) {
	e := newBroadcastEnv(t)
	b := e.broadcast(admin, scheduler.Broadcast{Text: "请确认", Ack: true})
	ref := scheduler.BroadcastRef(b.ID)
	e.deliver(ref, g1, g2, q1)

	for _, tc := range []struct {
		name string
		user int64
	}{
		{"not delivered yet", g3},
		{"turned notices off", g4},
		{"never registered", stranger},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Ack(e.ctx, tc.user, b.ID)
			wantErr(t, "ack", err, scheduler.ErrNotRecipient)
		})
	}
	first, err := e.svc.Ack(e.ctx, g1, b.ID)
	if err != nil || !first {
		t.Errorf("first ack: %v, %v", first, err)
	}
	first, err = e.svc.Ack(e.ctx, g1, b.ID)
	if err != nil || first {
		t.Errorf("second ack: %v, %v; want false", first, err)
	}
	if st, _ := e.svc.Status(e.ctx, admin, b.ID); st.Acked != 1 {
		t.Errorf("acked %d, want 1", st.Acked)
	}
	// A copy in flight at a crash is uncertain; its press shows it arrived.
	for _, r := range e.rows(`ref = ? AND chat_id = ?`, ref, q2) {
		if ok, err := e.ob.Begin(e.ctx, r.ID); err != nil || !ok {
			t.Fatalf("begin: %v, %v", ok, err)
		}
	}
	if rec, err := e.ob.Recover(e.ctx); err != nil || rec.Uncertain != 1 {
		t.Fatalf("recover %+v, %v", rec, err)
	}
	if first, err := e.svc.Ack(e.ctx, q2, b.ID); err != nil || !first {
		t.Errorf("ack of an uncertain copy: %v, %v", first, err)
	}
	if st, _ := e.svc.Status(e.ctx, admin, b.ID); st.Acked != 2 || st.Counts.Uncertain != 1 {
		t.Errorf("status %+v, want 2 acked, 1 uncertain", st)
	}

	// Only those who received it and have not acknowledged are reminded.
	_, err = e.svc.RemindUnacked(e.ctx, gulou, b.ID)
	wantErr(t, "remind by a district", err, scheduler.ErrOutOfScope)
	n, err := e.svc.RemindUnacked(e.ctx, admin, b.ID)
	if err != nil || n != 2 {
		t.Errorf("reminded %d, %v; want 2", n, err)
	}
	rs := e.rows(`ref = ?`, ref+":remind")
	if to := chats(rs); !slices.Equal(to, []int64{g2, q1}) { // q2's copy is not known to be delivered
		t.Errorf("reminders to %v, want %v", to, []int64{g2, q1})
	}
	for _, r := range rs {
		if r.Text != "ack-reminder 请确认" || r.Kind != scheduler.PushBroadcast {
			t.Errorf("reminder %+v", r)
		}
	}
	if c, _ := e.ob.RefCounts(e.ctx, ref); c.Sent+c.Pending+c.Uncertain != 5 {
		t.Errorf("the reminders changed the notice's counts: %+v", c)
	}

	plain := e.broadcast(admin, scheduler.Broadcast{Text: "无需确认"})
	e.deliver(scheduler.BroadcastRef(plain.ID))
	_, err = e.svc.Ack(e.ctx, g1, plain.ID)
	wantErr(t, "ack of a notice without the button", err, scheduler.ErrNotRecipient)
	_, err = e.svc.RemindUnacked(e.ctx, admin, plain.ID)
	wantErr(t, "remind of a notice without the button", err, scheduler.ErrNotSent)
	_, err = e.svc.Ack(e.ctx, g1, 4242)
	wantErr(t, "ack of no broadcast", err, scheduler.ErrNotFound)
}

func TestBroadcastAudiences(t *testing.T) {
	e := newBroadcastEnv(t)
	recipients := func(b scheduler.Broadcast) []int64 {
		t.Helper()
		return chats(e.rows(`ref = ?`, scheduler.BroadcastRef(b.ID)))
	}

	t.Run("registered for an event", func(t *testing.T) {
		ev := e.newEvent(gulou, func(ev *scheduler.Event) { ev.Capacity = 2 })
		e.signUp(ev.ID, g1, g2, g3) // g3 waits
		b := e.broadcast(gulou, scheduler.Broadcast{Text: "活动通知", Audience: scheduler.Audience{EventID: ev.ID}})
		if to := recipients(b); !slices.Equal(to, []int64{g1, g2}) {
			t.Errorf("to %v, want the registered %v", to, []int64{g1, g2})
		}
	})
	t.Run("not passed an exam", func(t *testing.T) {
		ts := t0.UTC().Format(time.RFC3339)
		for _, s := range []struct {
			user   int64
			passed int
		}{{g1, 1}, {g2, 0}, {q1, 1}} {
			e.exec(`INSERT INTO quiz_sessions (user_id, kind, exam_id, state, started_at, deadline, finished_at, passed)
				VALUES (?, 'exam', 'exam-2025', 'done', ?, ?, ?, ?)`, s.user, ts, ts, ts, s.passed)
		}
		b := e.broadcast(admin, scheduler.Broadcast{Text: "补考通知", Audience: scheduler.Audience{NotPassed: "exam-2025"}})
		if to := recipients(b); !slices.Equal(to, []int64{g2, g3, q2}) {
			t.Errorf("to %v, want %v", to, []int64{g2, g3, q2})
		}
		if b.Skipped != 2 {
			t.Errorf("skipped %d, want 2", b.Skipped)
		}
	})
	t.Run("stationed at a venue", func(t *testing.T) {
		v, err := e.svc.SaveVenue(e.ctx, gulou, scheduler.Venue{Name: "鼓楼区党建工作站", Kind: scheduler.VenueStation})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetStation(e.ctx, g2, v.ID); err != nil {
			t.Fatal(err)
		}
		b := e.broadcast(gulou, scheduler.Broadcast{Text: "站点通知", Audience: scheduler.Audience{VenueID: v.ID}})
		if to := recipients(b); !slices.Equal(to, []int64{g2}) {
			t.Errorf("to %v, want %v", to, []int64{g2})
		}
	})
	t.Run("a district coordinator without districts", func(t *testing.T) {
		b := e.broadcast(gulou, scheduler.Broadcast{Text: "区通知"})
		if to := recipients(b); !slices.Equal(to, []int64{g1, g2, g3}) {
			t.Errorf("to %v, want 鼓楼区's %v", to, []int64{g1, g2, g3})
		}
		if !slices.Equal(b.Audience.Districts, []string{"鼓楼区"}) {
			t.Errorf("audience %v", b.Audience.Districts)
		}
	})
	t.Run("a district coordinator naming another district", func(t *testing.T) {
		before := e.count(`SELECT COUNT(*) FROM broadcasts`)
		_, err := e.svc.CreateBroadcast(e.ctx, gulou, scheduler.Broadcast{Text: "越权", Audience: scheduler.Audience{Districts: []string{"泉山区"}}})
		if !errors.Is(err, scheduler.ErrNoDistricts) {
			t.Errorf("error %v, want ErrNoDistricts", err)
		}
		// Naming theirs and another is narrowed to theirs.
		b := e.broadcast(gulou, scheduler.Broadcast{Text: "两区", Audience: scheduler.Audience{Districts: []string{"泉山区", "鼓楼区"}}})
		if to := recipients(b); !slices.Equal(to, []int64{g1, g2, g3}) {
			t.Errorf("to %v, want 鼓楼区's only", to)
		}
		if after := e.count(`SELECT COUNT(*) FROM broadcasts`); after != before+1 {
			t.Errorf("%d broadcasts stored, want 1", after-before)
		}
	})
}
