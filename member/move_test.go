package member_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dangwu/dangwu/member"
)

// Moving an approved worker to a district whose roster lacks them needs
// that district's approval, which the bot asks about first; the approval
// after the move says where they came from. A first approval says nothing.
func TestMoveNeedsApprovalAndReapproval(t *testing.T) {
	e := newEnv(t)
	p := e.approved(t, 501, "13912345001", "鼓楼区")
	if p.MovedFrom != "" {
		t.Errorf("a first approval has MovedFrom %q", p.MovedFrom)
	}
	needs, err := e.svc.MoveNeedsApproval(e.ctx, 501, "云龙")
	if err != nil || !needs {
		t.Fatalf("an approved worker moving to 云龙区: needs approval %v, %v; want true", needs, err)
	}
	if needs, err := e.svc.MoveNeedsApproval(e.ctx, 501, "鼓楼区"); err != nil || needs {
		t.Errorf("a move to one's own district: needs approval %v, %v; want false", needs, err)
	}
	_, err = e.svc.MoveNeedsApproval(e.ctx, 501, "火星区")
	wantErr(t, "an unknown district", err, member.ErrUnknownDistrict)
	_, err = e.svc.MoveNeedsApproval(e.ctx, 599, "云龙区")
	wantErr(t, "someone without a profile", err, member.ErrNotFound)

	if _, err := e.svc.Update(e.ctx, 501, member.FieldDistrict, "云龙区"); err != nil {
		t.Fatal(err)
	}
	if s := e.status(t, p.ID); s != member.StatusPending {
		t.Fatalf("after the move the status is %s, want pending", s)
	}
	// Pending, a further move waits anyway: nothing to warn about.
	if needs, err := e.svc.MoveNeedsApproval(e.ctx, 501, "贾汪区"); err != nil || needs {
		t.Errorf("a pending worker moving: needs approval %v, %v; want false", needs, err)
	}
	again, err := e.svc.Approve(e.ctx, coordYunl, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.MovedFrom != "鼓楼区" || again.District != "云龙区" {
		t.Errorf("the re-approval: MovedFrom %q, district %q; want 鼓楼区 and 云龙区", again.MovedFrom, again.District)
	}
}

// On the new district's roster, the move keeps the approval: no question.
// A roster that approves a moved worker says they were moved too.
func TestMoveOnTheRosterAndRosterReapproval(t *testing.T) {
	e := newEnv(t)
	p := e.approved(t, 502, "13912345002", "鼓楼区")
	if _, err := e.svc.ImportRoster(e.ctx, coordYunl, []member.RosterRow{{Line: 2, Name: "张三", Phone: "13912345002", District: "云龙区"}}, nil); err != nil {
		t.Fatal(err)
	}
	if needs, err := e.svc.MoveNeedsApproval(e.ctx, 502, "云龙区"); err != nil || needs {
		t.Errorf("a move to a district whose roster has the phone: needs approval %v, %v; want false", needs, err)
	}
	// Moved to 贾汪区 (not on its roster): pending; 贾汪区's roster then approves.
	if _, err := e.svc.Update(e.ctx, 502, member.FieldDistrict, "贾汪区"); err != nil {
		t.Fatal(err)
	}
	var approved []member.Profile
	_, err := e.svc.ImportRoster(e.ctx, coordCity, []member.RosterRow{{Line: 2, Name: "张三", Phone: "13912345002", District: "贾汪区"}},
		func(_ context.Context, ps []member.Profile) error { approved = append(approved, ps...); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(approved) != 1 || approved[0].ID != p.ID || approved[0].MovedFrom != "鼓楼区" {
		t.Errorf("the roster's approval: %+v, want the worker with MovedFrom 鼓楼区", approved)
	}
}

// A move that keeps the approval, because the new district's roster lists
// the worker, is an approval there: it is in that district's audit log and
// in the worker's history, as a roster approval.
func TestMoveOnTheRosterIsAnApprovalThere(t *testing.T) {
	e := newEnv(t)
	p := e.approved(t, 503, "13912345003", "鼓楼区")
	e.importOne(t, coordYunl, member.RosterRow{Line: 2, Name: "张三", Phone: "13912345003", District: "云龙区"})
	moved, err := e.svc.Update(e.ctx, 503, member.FieldDistrict, "云龙区")
	if err != nil || moved.Status != member.StatusApproved {
		t.Fatalf("moved: %+v, %v; want approved", moved, err)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'approved' AND target_member = ? AND district = '云龙区' AND reason = ?`,
		p.ID, member.ReasonRoster); n != 1 {
		t.Errorf("%d roster approvals of the worker in 云龙区's audit log, want 1", n)
	}
	want := []member.HistoryKind{member.HistoryJoined, member.HistoryApproved, member.HistoryMoved, member.HistoryApproved}
	if got := e.kinds(t, 503, p.ID); !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	// a move that needs approval writes none
	if _, err := e.svc.Update(e.ctx, 503, member.FieldDistrict, "贾汪区"); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'approved' AND target_member = ? AND district = '贾汪区'`, p.ID); n != 0 {
		t.Errorf("%d approvals in 贾汪区, which does not list the worker", n)
	}
}
