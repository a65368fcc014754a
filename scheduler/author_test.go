package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

// What a coordinator leaves to go later goes only while they still have
// the scope it was made in: the scheduler asks for the author's access as
// it is when the time comes, not as it was when they scheduled it.

// More organisers of these tests.
const (
	cityID   int64 = 13 // a city-wide coordinator
	gulou2ID int64 = 14 // a second coordinator of 鼓楼区
)

// lapsedRows are the explanations queued about broadcast id.
func (e *env) lapsedRows(id int64) []row {
	e.t.Helper()
	return e.rows(`ref = ?`, fmt.Sprintf("broadcast:%d:lapsed", id))
}

// state is a broadcast's stored state.
func (e *env) state(id int64) scheduler.BroadcastState {
	e.t.Helper()
	b, err := e.st.Broadcast(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return b.State
}

func TestScheduledBroadcastOfAnAuthorWhoLostTheScope(t *testing.T) {
	cases := []struct {
		name   string
		change func(e *env)
		why    scheduler.Lapse
	}{
		{"moved to 泉山区", func(e *env) { e.grant(gulouID, "泉山区") }, scheduler.LapseDistrict},
		{"role revoked", func(e *env) {
			if err := e.members.Revoke(e.ctx, adminID, gulouID); err != nil {
				e.t.Fatal(err)
			}
		}, scheduler.LapseRole},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newBroadcastEnv(t)
			at := t0.Add(2 * time.Hour)
			// 泉山区's coordinator, unchanged, schedules one for the same time.
			theirs := e.broadcast(gulou, scheduler.Broadcast{Text: "鼓楼区定时通知", SendAt: at})
			kept := e.broadcast(quan, scheduler.Broadcast{Text: "泉山区定时通知", SendAt: at})
			tc.change(e)
			e.clock.Set(at)
			released := e.tick()

			if len(released) != 1 || released[0].ID != kept.ID {
				t.Errorf("released %+v, want only 泉山区's", released)
			}
			if rs := e.rows(`ref = ?`, scheduler.BroadcastRef(theirs.ID)); len(rs) != 0 {
				t.Errorf("the lapsed notice was queued to %v", chats(rs))
			}
			if rs := e.rows(`text = 'broadcast 鼓楼区定时通知'`); len(rs) != 0 {
				t.Errorf("the lapsed notice reached %v", chats(rs))
			}
			if got := e.state(theirs.ID); got != scheduler.Dropped {
				t.Errorf("the lapsed notice is %s, want %s", got, scheduler.Dropped)
			}
			want := fmt.Sprintf("lapsed %d %s 鼓楼区", theirs.ID, tc.why)
			if rs := e.lapsedRows(theirs.ID); len(rs) != 1 || rs[0].Chat != gulouID || rs[0].Text != want || rs[0].Kind != "status" {
				t.Errorf("the author was told %+v, want one %q to %d", rs, want, gulouID)
			}
			if rs := e.rows(`ref = ?`, fmt.Sprintf("broadcast:%d:status", theirs.ID)); len(rs) != 0 {
				t.Errorf("a status report of the lapsed notice was queued: %+v", rs)
			}
			// The unchanged coordinator's goes as it did.
			if to := chats(e.rows(`ref = ?`, scheduler.BroadcastRef(kept.ID))); !slices.Equal(to, []int64{q1, q2}) {
				t.Errorf("泉山区's notice went to %v, want %v", to, []int64{q1, q2})
			}
			if got := e.state(kept.ID); got != scheduler.Sent {
				t.Errorf("泉山区's notice is %s", got)
			}
			// Told once: the next tick finds nothing to do.
			e.clock.Advance(time.Minute)
			if released := e.tick(); len(released) != 0 || len(e.lapsedRows(theirs.ID)) != 1 {
				t.Errorf("a second tick released %+v, told %d times", released, len(e.lapsedRows(theirs.ID)))
			}
		})
	}
}

// Access is read when the time comes: a coordinator moved away and back
// before it has their notice go out; a city-wide coordinator's and an
// administrator's go to the whole city; a city-wide coordinator narrowed
// to one district no longer sends to the city.
func TestScheduledBroadcastGoesByTheAuthorsAccessThen(t *testing.T) {
	e := newBroadcastEnv(t)
	e.user(cityID)
	e.grant(cityID, "")
	city := member.Access{UserID: cityID, Role: member.RoleCoordinator}
	at := t0.Add(3 * time.Hour)
	back := e.broadcast(gulou, scheduler.Broadcast{Text: "调回后的通知", SendAt: at})
	cityWide := e.broadcast(city, scheduler.Broadcast{Text: "全市通知", SendAt: at})
	byAdmin := e.broadcast(admin, scheduler.Broadcast{Text: "管理员通知", SendAt: at})
	e.grant(gulouID, "泉山区")
	e.grant(gulouID, "鼓楼区")

	e.clock.Set(at)
	released := e.tick()
	var ids []int64
	for _, b := range released {
		ids = append(ids, b.ID)
	}
	if want := []int64{back.ID, cityWide.ID, byAdmin.ID}; !slices.Equal(ids, want) {
		t.Errorf("released %v, want %v", ids, want)
	}
	if to := chats(e.rows(`ref = ?`, scheduler.BroadcastRef(back.ID))); !slices.Equal(to, []int64{g1, g2, g3}) {
		t.Errorf("the notice of the coordinator moved back went to %v", to)
	}
	for _, b := range []scheduler.Broadcast{cityWide, byAdmin} {
		if to := chats(e.rows(`ref = ?`, scheduler.BroadcastRef(b.ID))); !slices.Equal(to, []int64{g1, g2, g3, q1, q2}) {
			t.Errorf("%q went to %v, want the city", b.Text, to)
		}
	}
	if rs := e.rows(`ref LIKE '%:lapsed'`); len(rs) != 0 {
		t.Errorf("explanations queued: %+v", rs)
	}

	// The city-wide coordinator is made 泉山区's: their next city-wide
	// notice does not go, not even to 泉山区.
	later := e.broadcast(city, scheduler.Broadcast{Text: "第二条全市通知", SendAt: at.Add(time.Hour)})
	e.grant(cityID, "泉山区")
	e.clock.Set(at.Add(time.Hour))
	if released := e.tick(); len(released) != 0 {
		t.Errorf("released %+v", released)
	}
	if rs := e.rows(`ref = ?`, scheduler.BroadcastRef(later.ID)); len(rs) != 0 {
		t.Errorf("the city-wide notice of a district coordinator went to %v", chats(rs))
	}
	want := fmt.Sprintf("lapsed %d %s ", later.ID, scheduler.LapseDistrict)
	if rs := e.lapsedRows(later.ID); len(rs) != 1 || rs[0].Chat != cityID || rs[0].Text != want {
		t.Errorf("the author was told %+v, want %q", rs, want)
	}

	// A notice the city-wide coordinator addressed to 泉山区 alone still
	// goes once they are 泉山区's; one addressed to 鼓楼区 does not.
	e.grant(cityID, "")
	toQuanshan := e.broadcast(city, scheduler.Broadcast{Text: "泉山区的通知", SendAt: at.Add(2 * time.Hour), Audience: scheduler.Audience{Districts: []string{"泉山区"}}})
	toGulou := e.broadcast(city, scheduler.Broadcast{Text: "鼓楼区的通知", SendAt: at.Add(2 * time.Hour), Audience: scheduler.Audience{Districts: []string{"鼓楼区"}}})
	e.grant(cityID, "泉山区")
	e.clock.Set(at.Add(2 * time.Hour))
	e.tick()
	if to := chats(e.rows(`ref = ?`, scheduler.BroadcastRef(toQuanshan.ID))); !slices.Equal(to, []int64{q1, q2}) {
		t.Errorf("the notice addressed to 泉山区 went to %v, want 泉山区's workers", to)
	}
	if rs := e.rows(`ref = ?`, scheduler.BroadcastRef(toGulou.ID)); len(rs) != 0 {
		t.Errorf("the notice addressed to 鼓楼区 went to %v after its author became 泉山区's", chats(rs))
	}
	if rs := e.lapsedRows(toGulou.ID); len(rs) != 1 {
		t.Errorf("the author of the 鼓楼区 notice was told %+v, want one explanation", rs)
	}
}

// An author the bot cannot write to (blocked it, or never wrote to it) is
// not written to; the notice is cancelled all the same.
func TestLapsedBroadcastOfAnAuthorOutOfReach(t *testing.T) {
	e := newBroadcastEnv(t)
	at := t0.Add(time.Hour)
	e.exec(`UPDATE users SET blocked_at = ? WHERE id = ?`, t0.UTC().Format(time.RFC3339), gulouID)
	blocked := e.broadcast(gulou, scheduler.Broadcast{Text: "屏蔽者的通知", SendAt: at})
	e.grant(gulou2ID, "鼓楼区") // never wrote to the bot
	unknown := e.broadcast(member.Access{UserID: gulou2ID, Role: member.RoleCoordinator, District: "鼓楼区"},
		scheduler.Broadcast{Text: "陌生人的通知", SendAt: at})
	for _, id := range []int64{gulouID, gulou2ID} {
		if err := e.members.Revoke(e.ctx, adminID, id); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Set(at)
	if released := e.tick(); len(released) != 0 {
		t.Errorf("released %+v", released)
	}
	for _, b := range []scheduler.Broadcast{blocked, unknown} {
		if got := e.state(b.ID); got != scheduler.Dropped {
			t.Errorf("%q is %s", b.Text, got)
		}
	}
	if n := len(e.rows("")); n != 0 {
		t.Errorf("%d messages queued, want none", n)
	}
}

// Erasing a coordinator cancels their scheduled notices and pauses their
// recurring ones in the erasure's transaction (the erasure takes their id
// off them); a district's notice whose author was erased without it (an
// older erasure) is not sent either. The operator's, made without an
// author, goes.
func TestErasedAuthor(t *testing.T) {
	e := newBroadcastEnv(t)
	at := t0.Add(2 * time.Hour)
	b := e.broadcast(gulou, scheduler.Broadcast{Text: "注销者的通知", SendAt: at})
	sc := e.saveSchedule(gulou, scheduler.Schedule{Title: "注销者的提醒", Text: "学习", Spec: "0 10 * * *"}, false)
	err := e.db.Atomic(e.ctx, func(ctx context.Context) error {
		if err := e.svc.ForgetAuthor(ctx, gulouID); err != nil {
			return err
		}
		return e.members.Erase(ctx, gulouID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.state(b.ID); got != scheduler.Dropped {
		t.Errorf("the erased author's notice is %s", got)
	}
	if got, _ := e.st.Schedule(e.ctx, sc.ID); !got.Paused || got.CreatedBy != 0 {
		t.Errorf("the erased author's recurring notice: %+v", got)
	}

	// An older erasure left a district's notice without its author.
	old := e.broadcast(quan, scheduler.Broadcast{Text: "旧注销者的通知", SendAt: at})
	e.exec(`UPDATE broadcasts SET created_by = 0 WHERE id = ?`, old.ID)
	operator := e.broadcast(member.Access{Role: member.RoleAdmin}, scheduler.Broadcast{Text: "运维通知", SendAt: at})
	e.clock.Set(time.Date(2025, 3, 4, 10, 0, 0, 0, shanghai))
	released := e.tick()
	if len(released) != 1 || released[0].ID != operator.ID {
		t.Errorf("released %+v, want only the operator's", released)
	}
	if got := e.state(old.ID); got != scheduler.Dropped {
		t.Errorf("the notice of an author erased before is %s", got)
	}
	for _, ref := range []string{scheduler.BroadcastRef(b.ID), scheduler.BroadcastRef(old.ID), fmt.Sprintf("schedule:%d", sc.ID)} {
		if rs := e.rows(`ref = ?`, ref); len(rs) != 0 {
			t.Errorf("%s queued to %v", ref, chats(rs))
		}
	}
	if rs := e.rows(`ref LIKE '%:lapsed'`); len(rs) != 0 {
		t.Errorf("explanations queued to nobody: %+v", rs)
	}
}

// The cancellation and the explanation commit together: an outbox that
// fails leaves the notice scheduled and nobody told, and the next tick
// does both.
func TestLapsedBroadcastIsOneTransaction(t *testing.T) {
	e := newBroadcastEnv(t)
	at := t0.Add(time.Hour)
	b := e.broadcast(gulou, scheduler.Broadcast{Text: "定时通知", SendAt: at})
	e.grant(gulouID, "泉山区")
	e.clock.Set(at)
	e.fo.fail = true
	_, err := e.svc.SendDueBroadcasts(e.ctx)
	wantErr(t, "release with a failing outbox", err, errBoom)
	if got := e.state(b.ID); got != scheduler.Scheduled {
		t.Errorf("after the failure the notice is %s, want still scheduled", got)
	}
	if n := len(e.rows("")); n != 0 {
		t.Errorf("%d messages left by the failure", n)
	}
	e.fo.fail = false
	if released := e.tick(); len(released) != 0 {
		t.Errorf("released %+v", released)
	}
	if got := e.state(b.ID); got != scheduler.Dropped || len(e.lapsedRows(b.ID)) != 1 || len(e.rows("")) != 1 {
		t.Errorf("once the outbox works: %s, %d explanations, %d rows", got, len(e.lapsedRows(b.ID)), len(e.rows("")))
	}
}

// A recurring notice made in chat stops with its author's scope: paused,
// and the author told, in one transaction. Another coordinator of the
// district who resumes it answers for it, and it runs again; the author
// moved away cannot resume it.
func TestRecurringNoticeOfAnAuthorWhoLostTheScope(t *testing.T) {
	e := newEnv(t)
	sc := e.saveSchedule(gulou, scheduler.Schedule{Title: "每日学习", Text: "学习", Spec: "0 10 * * *"}, false)
	kept := e.saveSchedule(quan, scheduler.Schedule{Title: "泉山每日", Text: "学习", Spec: "0 10 * * *"}, false)
	e.grant(gulouID, "泉山区")

	// The outbox fails at the run: nothing is paused, nobody told.
	e.clock.Set(time.Date(2025, 3, 3, 10, 0, 0, 0, shanghai))
	e.fo.fail = true
	if _, err := e.svc.RunSchedules(e.ctx); err == nil {
		t.Error("runs with a failing outbox report no error")
	}
	if got, _ := e.st.Schedule(e.ctx, sc.ID); got.Paused {
		t.Error("paused by a run that failed")
	}
	if n := len(e.rows("")); n != 0 {
		t.Errorf("%d messages left by the failure", n)
	}
	e.fo.fail = false
	e.tick()

	if times, _ := e.runs(sc.ID); len(times) != 0 {
		t.Errorf("the moved coordinator's notice ran at %v", times)
	}
	if got, _ := e.st.Schedule(e.ctx, sc.ID); !got.Paused {
		t.Error("the moved coordinator's notice is not paused")
	}
	want := "schedule lapsed 每日学习 district 鼓楼区"
	if rs := e.rows(`ref = ?`, fmt.Sprintf("schedule:%d:lapsed", sc.ID)); len(rs) != 1 || rs[0].Chat != gulouID || rs[0].Text != want {
		t.Errorf("the author was told %+v, want %q", rs, want)
	}
	if _, counts := e.runs(kept.ID); !slices.Equal(counts, []int{2}) {
		t.Errorf("泉山区's notice reached %v, want its 2 workers", counts)
	}

	moved := member.Access{UserID: gulouID, Role: member.RoleCoordinator, District: "泉山区"}
	_, err := e.svc.PauseSchedule(e.ctx, moved, sc.ID, false)
	wantErr(t, "resumed by its author after the move", err, scheduler.ErrOutOfScope)
	e.user(gulou2ID)
	e.grant(gulou2ID, "鼓楼区")
	successor := member.Access{UserID: gulou2ID, Role: member.RoleCoordinator, District: "鼓楼区"}
	if got, err := e.svc.PauseSchedule(e.ctx, successor, sc.ID, false); err != nil || got.Paused || got.CreatedBy != gulou2ID {
		t.Fatalf("resumed by 鼓楼区's coordinator: %+v, %v", got, err)
	}
	e.clock.Set(time.Date(2025, 3, 4, 10, 0, 0, 0, shanghai))
	e.tick()
	if times, counts := e.runs(sc.ID); !slices.Equal(times, []string{"Tue 2025-03-04 10:00"}) || counts[0] != 5 {
		t.Errorf("resumed, it ran at %v to %v, want Tuesday's to 鼓楼区's 5", times, counts)
	}
	if n := len(e.rows(`ref LIKE '%:lapsed'`)); n != 1 {
		t.Errorf("%d explanations, want the one", n)
	}
}

// A revoked coordinator's recurring notice is paused too; the content's
// recurring notices, which have no author, run.
func TestRecurringNoticeOfARevokedCoordinator(t *testing.T) {
	e := newEnv(t)
	sc := e.saveSchedule(gulou, scheduler.Schedule{Title: "每日学习", Text: "学习", Spec: "0 10 * * *"}, false)
	if err := e.svc.LoadContent(e.ctx, scheduler.Content{Schedules: []scheduler.Schedule{
		{Key: "daily", Title: "内容提醒", Text: "学习", Spec: "0 10 * * *", District: "鼓楼区"},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := e.members.Revoke(e.ctx, adminID, gulouID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2025, 3, 3, 10, 0, 0, 0, shanghai))
	e.tick()
	if times, _ := e.runs(sc.ID); len(times) != 0 {
		t.Errorf("the revoked coordinator's notice ran at %v", times)
	}
	want := "schedule lapsed 每日学习 role 鼓楼区"
	if rs := e.rows(`ref = ?`, fmt.Sprintf("schedule:%d:lapsed", sc.ID)); len(rs) != 1 || rs[0].Chat != gulouID || rs[0].Text != want {
		t.Errorf("the author was told %+v, want %q", rs, want)
	}
	if n := len(e.rows(`text = 'recurring 内容提醒'`)); n != 5 {
		t.Errorf("the content's notice reached %d, want 鼓楼区's 5", n)
	}
}
