package member_test

import (
	"testing"

	"github.com/dangwu/dangwu/member"
)

// A worker approved in 鼓楼区 by its coordinator moves to 云龙区, whose
// roster lists them: the move is a roster approval in 云龙区's audit log.
// Then they erase their data. Every audit line about them shows the same
// erasure number (README, /audit: "shown as 已注销的用户 #N — N the number
// of their erasure, the same on all their lines"), the lines about their
// profile as well as those naming their user id.
func TestErasedWorkersApprovalsKeepTheErasureLabel(t *testing.T) {
	e := newEnv(t)
	const uid int64 = 880001
	p := e.approved(t, uid, "13912348801", "鼓楼区")
	e.importOne(t, coordYunl, member.RosterRow{Line: 2, Name: "张三", Phone: "13912348801", District: "云龙区"})
	if moved, err := e.svc.Update(e.ctx, uid, member.FieldDistrict, "云龙区"); err != nil || moved.Status != member.StatusApproved {
		t.Fatalf("move onto 云龙区's roster: %+v, %v", moved, err)
	}
	e.must(t, e.svc.Erase(e.ctx, uid))

	es, err := e.svc.Audit(e.ctx, admin, member.MaxAudit)
	e.must(t, err)
	var label int64
	for _, en := range es {
		if en.Action == member.AuditErased && en.TargetMember == p.ID {
			label = en.ActorErased
		}
	}
	if label == 0 {
		t.Fatalf("no erasure entry with a label for member %d", p.ID)
	}
	approvals := 0
	for _, en := range es {
		if en.Action != member.AuditApproved || en.TargetMember != p.ID {
			continue
		}
		approvals++
		if en.TargetErased != label {
			t.Errorf("approval of the erased worker in %s (reason %q): TargetErased %d, want the erasure's %d — /audit shows no one",
				en.District, en.Reason, en.TargetErased, label)
		}
	}
	if approvals != 2 {
		t.Errorf("%d approvals of the worker in the audit log, want 2 (鼓楼区's coordinator, 云龙区's roster)", approvals)
	}
}
