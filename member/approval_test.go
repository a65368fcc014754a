package member_test

import (
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
)

func TestApproveRejectScope(t *testing.T) {
	tests := []struct {
		name     string
		actor    int64
		district string
		reject   bool
		err      error
	}{
		{"district coordinator, own district", coordGulou, "鼓楼区", false, nil},
		{"district coordinator, other district", coordGulou, "云龙区", false, member.ErrOutOfScope},
		{"district coordinator rejects in other district", coordGulou, "云龙区", true, member.ErrOutOfScope},
		{"city coordinator", coordCity, "云龙区", false, nil},
		{"admin", admin, "丰县", true, nil},
		{"worker", 555, "鼓楼区", false, member.ErrForbidden},
		{"worker rejects", 555, "鼓楼区", true, member.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.register(t, 100, "13912345678", tt.district, true)
			auditBefore := e.count(t, `SELECT COUNT(*) FROM audit_log`)
			var got member.Profile
			var err error
			if tt.reject {
				got, err = e.svc.Reject(e.ctx, tt.actor, p.ID, "信息不实")
			} else {
				got, err = e.svc.Approve(e.ctx, tt.actor, p.ID)
			}
			wantErr(t, "decision", err, tt.err)
			if tt.err != nil {
				if s := e.status(t, p.ID); s != member.StatusPending {
					t.Errorf("status %s after a refused decision, want pending", s)
				}
				if n := e.count(t, `SELECT COUNT(*) FROM member_history WHERE member_id = ?`, p.ID); n != 1 {
					t.Errorf("%d history entries after a refused decision, want 1", n)
				}
				if n := e.count(t, `SELECT COUNT(*) FROM audit_log`); n != auditBefore {
					t.Errorf("audit log grew from %d to %d after a refused decision", auditBefore, n)
				}
				return
			}
			want, action := member.StatusApproved, "approved"
			if tt.reject {
				want, action = member.StatusRejected, "rejected"
			}
			if got.Status != want || e.status(t, p.ID) != want {
				t.Errorf("status = %s, want %s", got.Status, want)
			}
			if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = ? AND target_member = ? AND target_user = 100 AND district = ?`,
				action, tt.actor, p.ID, tt.district); n != 1 {
				t.Errorf("%d %s audit entries by %d, want 1", n, action, tt.actor)
			}
			hs, err := e.svc.History(e.ctx, 100, p.ID)
			if err != nil || len(hs) != 2 || hs[1].Actor != tt.actor {
				t.Errorf("history = %+v, %v", hs, err)
			}
			// A decided registration cannot be decided again.
			_, err = e.svc.Approve(e.ctx, tt.actor, p.ID)
			wantErr(t, "second decision", err, member.ErrNotPending)
		})
	}
}

func TestApproveMissing(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Approve(e.ctx, coordCity, 4242)
	wantErr(t, "approve unknown member", err, member.ErrNotFound)
	_, err = e.svc.Reject(e.ctx, coordCity, 4242, string(make([]byte, 300)))
	wantErr(t, "reject with a control-character reason", err, member.ErrInvalidReason)
}

func TestPendingScope(t *testing.T) {
	e := newEnv(t)
	g := e.register(t, 100, "13900000001", "鼓楼区", true)
	y := e.register(t, 101, "13900000002", "云龙区", true)
	ids := func(actor int64) []int64 {
		t.Helper()
		ps, err := e.svc.Pending(e.ctx, actor)
		if err != nil {
			t.Fatalf("pending for %d: %v", actor, err)
		}
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(coordGulou); !slices.Equal(got, []int64{g.ID}) {
		t.Errorf("鼓楼区 coordinator sees %v, want [%d]", got, g.ID)
	}
	if got := ids(coordYunl); !slices.Equal(got, []int64{y.ID}) {
		t.Errorf("云龙区 coordinator sees %v, want [%d]", got, y.ID)
	}
	if got := ids(coordCity); !slices.Equal(got, []int64{g.ID, y.ID}) {
		t.Errorf("city coordinator sees %v", got)
	}
	if got := ids(admin); !slices.Equal(got, []int64{g.ID, y.ID}) {
		t.Errorf("admin sees %v", got)
	}
	_, err := e.svc.Pending(e.ctx, 100)
	wantErr(t, "worker's pending list", err, member.ErrForbidden)

	// A coordinator sees a member of their district, not of another.
	if _, err := e.svc.Member(e.ctx, coordGulou, g.ID); err != nil {
		t.Errorf("own district's member: %v", err)
	}
	_, err = e.svc.Member(e.ctx, coordGulou, y.ID)
	wantErr(t, "other district's member", err, member.ErrOutOfScope)
	_, err = e.svc.History(e.ctx, 100, y.ID)
	wantErr(t, "someone else's history", err, member.ErrForbidden)
}

func TestLeaveAndReturn(t *testing.T) {
	e := newEnv(t)
	p := e.approved(t, 100, "13912345678", "鼓楼区")
	day := time.Date(2024, 5, 31, 0, 0, 0, 0, shanghai())

	_, err := e.svc.Leave(e.ctx, coordYunl, p.ID, day, "调离")
	wantErr(t, "leave by another district", err, member.ErrOutOfScope)
	_, err = e.svc.Leave(e.ctx, coordGulou, p.ID, day, "  ")
	wantErr(t, "leave without reason", err, member.ErrInvalidReason)
	_, err = e.svc.Leave(e.ctx, coordGulou, p.ID, time.Date(2024, 6, 2, 0, 0, 0, 0, shanghai()), "调离")
	wantErr(t, "leave tomorrow", err, member.ErrInvalidDate)
	_, err = e.svc.Leave(e.ctx, coordGulou, p.ID, time.Time{}, "调离")
	wantErr(t, "leave without date", err, member.ErrInvalidDate)
	if s := e.status(t, p.ID); s != member.StatusApproved {
		t.Fatalf("status %s after refused departures", s)
	}

	left, err := e.svc.Leave(e.ctx, coordGulou, p.ID, e.clock.t, "调离本市")
	if err != nil {
		t.Fatal(err)
	}
	if left.Status != member.StatusLeft || left.StatusReason != "调离本市" || left.LeftOn.Format(time.DateOnly) != "2024-06-01" {
		t.Errorf("left profile = %+v", left)
	}
	_, err = e.svc.Leave(e.ctx, coordGulou, p.ID, day, "again")
	wantErr(t, "leave twice", err, member.ErrNotApproved)
	_, err = e.svc.Register(e.ctx, reg(100, "13912345678", "鼓楼区", true))
	wantErr(t, "register while left", err, member.ErrAlreadyRegistered)

	active, err := e.svc.Active(e.ctx, "")
	if err != nil || len(active) != 0 {
		t.Fatalf("active after leaving = %v, %v", active, err)
	}
	// The worker still sees their own history.
	hs, err := e.svc.History(e.ctx, 100, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := hs[len(hs)-1]; last.Kind != member.HistoryLeft || last.Actor != coordGulou || last.Reason != "调离本市" || last.On.Format(time.DateOnly) != "2024-06-01" {
		t.Errorf("leave entry = %+v", last)
	}

	e.clock.Advance(24 * time.Hour)
	back, err := e.svc.Return(e.ctx, coordCity, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Status != member.StatusApproved || !back.LeftOn.IsZero() || back.StatusReason != "" {
		t.Errorf("returned profile = %+v", back)
	}
	_, err = e.svc.Return(e.ctx, coordCity, p.ID)
	wantErr(t, "return twice", err, member.ErrNotLeft)
	want := []member.HistoryKind{member.HistoryJoined, member.HistoryApproved, member.HistoryLeft, member.HistoryReturned}
	if got := e.kinds(t, 100, p.ID); !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	for _, action := range []string{"left", "returned"} {
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND target_member = ?`, action, p.ID); n != 1 {
			t.Errorf("%d %s audit entries, want 1", n, action)
		}
	}
	pend := e.register(t, 101, "13912345679", "鼓楼区", true)
	_, err = e.svc.Leave(e.ctx, coordGulou, pend.ID, day, "调离")
	wantErr(t, "pending worker leaves", err, member.ErrNotApproved)
}

func TestActive(t *testing.T) {
	e := newEnv(t)
	a := e.approved(t, 100, "13900000001", "鼓楼区")
	b := e.approved(t, 101, "13900000002", "云龙区")
	e.register(t, 102, "13900000003", "鼓楼区", true) // pending
	c := e.approved(t, 103, "13900000004", "鼓楼区")
	if _, err := e.svc.Leave(e.ctx, coordGulou, c.ID, e.clock.t, "退休"); err != nil {
		t.Fatal(err)
	}
	d := e.approved(t, 104, "13900000005", "鼓楼区")
	if err := e.svc.MarkBlocked(e.ctx, 104); err != nil {
		t.Fatal(err)
	}
	ids := func(district string) []int64 {
		t.Helper()
		ps, err := e.svc.Active(e.ctx, district)
		if err != nil {
			t.Fatalf("active %q: %v", district, err)
		}
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(""); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Errorf("active = %v, want [%d %d]", got, a.ID, b.ID)
	}
	if got := ids("鼓楼"); !slices.Equal(got, []int64{a.ID}) {
		t.Errorf("active in 鼓楼区 = %v, want [%d]", got, a.ID)
	}
	_, err := e.svc.Active(e.ctx, "南京")
	wantErr(t, "active of unknown district", err, member.ErrUnknownDistrict)

	// Coming back with /start makes the blocked user active again.
	if err := e.svc.Seen(e.ctx, member.TelegramUser{ID: 104, FirstName: "四"}); err != nil {
		t.Fatal(err)
	}
	if got := ids("鼓楼区"); !slices.Equal(got, []int64{a.ID, d.ID}) {
		t.Errorf("active after return = %v, want [%d %d]", got, a.ID, d.ID)
	}
	if p, _ := e.svc.Get(e.ctx, 104); p.Blocked {
		t.Error("profile still blocked after Seen")
	}
}

func TestFind(t *testing.T) {
	e := newEnv(t)
	a := e.register(t, 100, "13900000001", "鼓楼区", true)
	r := reg(101, "13900000002", "云龙区", true)
	r.Name = "李四"
	b, err := e.svc.Register(e.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		actor int64
		query string
		want  []int64
		err   error
	}{
		{coordCity, "张", []int64{a.ID}, nil},
		{coordCity, "0000", []int64{a.ID, b.ID}, nil},
		{coordCity, "139-0000-0002", []int64{b.ID}, nil},
		{coordGulou, "0000", []int64{a.ID}, nil},
		{coordGulou, "李四", nil, nil},
		{coordCity, "%", nil, nil},
		{coordCity, "_", nil, nil},
		{coordCity, " ", nil, member.ErrInvalidQuery},
		{100, "张", nil, member.ErrForbidden},
	}
	for _, tt := range tests {
		ps, err := e.svc.Find(e.ctx, tt.actor, tt.query)
		if err != tt.err {
			t.Errorf("Find(%d, %q) err = %v, want %v", tt.actor, tt.query, err, tt.err)
			continue
		}
		var got []int64
		for _, p := range ps {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Find(%d, %q) = %v, want %v", tt.actor, tt.query, got, tt.want)
		}
	}
}

// A worker who is also a coordinator leaves with their grant: only an admin
// may mark them as left, and the grant goes in the same step, in the audit
// log. A coordinator who tries changes nothing.
func TestLeaveOfACoordinatorTakesTheGrant(t *testing.T) {
	e := newEnv(t)
	p := e.approved(t, coordGulou, "13912345678", "鼓楼区")
	auditBefore := e.count(t, `SELECT COUNT(*) FROM audit_log`)
	_, err := e.svc.Leave(e.ctx, coordCity, p.ID, e.clock.t, "调离")
	wantErr(t, "a coordinator marks a coordinator as left", err, member.ErrLeaverIsCoordinator)
	if s := e.status(t, p.ID); s != member.StatusApproved {
		t.Errorf("status %s after a refused departure, want approved", s)
	}
	if a, err := e.svc.Access(e.ctx, coordGulou); err != nil || a.Role != member.RoleCoordinator || a.District != "鼓楼区" {
		t.Errorf("access after a refused departure = %+v, %v", a, err)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log`); n != auditBefore {
		t.Errorf("audit log grew from %d to %d after a refused departure", auditBefore, n)
	}
	if _, err := e.svc.Leave(e.ctx, admin, p.ID, e.clock.t, "调离"); err != nil {
		t.Fatal(err)
	}
	if a, err := e.svc.Access(e.ctx, coordGulou); err != nil || a.Role != member.RoleWorker {
		t.Errorf("access after leaving = %+v, %v; want a worker", a, err)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'revoked' AND actor = ? AND target_user = ? AND district = '鼓楼区' AND reason = '调离'`,
		admin, coordGulou); n != 1 {
		t.Errorf("%d revocations in the audit log, want 1", n)
	}
	// returning does not give the grant back
	if _, err := e.svc.Return(e.ctx, admin, p.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.svc.Access(e.ctx, coordGulou); a.Role != member.RoleWorker {
		t.Errorf("a returned worker is %v, want a worker until granted again", a.Role)
	}
}
