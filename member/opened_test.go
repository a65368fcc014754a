package member_test

import (
	"context"
	"testing"

	"github.com/dangwu/dangwu/member"
)

// A grant to someone who never wrote to the bot is a grant (the role
// applies) that the lists show as waiting; the first time they write,
// SeenFirst hands their access to the caller in the same transaction, and
// never again.
func TestGrantWaitsForTheFirstVisit(t *testing.T) {
	e := newEnv(t)
	const newcomer = 4001
	if opened, err := e.svc.Opened(e.ctx, newcomer); err != nil || opened {
		t.Fatalf("Opened before any visit = %v, %v; want false", opened, err)
	}
	e.must(t, e.grant(newcomer, "鼓楼区"))
	if a, err := e.svc.Access(e.ctx, newcomer); err != nil || a.Role != member.RoleCoordinator {
		t.Fatalf("access of the newcomer = %+v, %v; want a coordinator", a, err)
	}
	waiting := func() (coordinator, audit bool) {
		cs, err := e.svc.Coordinators(e.ctx, admin)
		e.must(t, err)
		for _, c := range cs {
			if c.UserID == newcomer {
				coordinator = !c.Opened
			}
		}
		es, err := e.svc.Audit(e.ctx, admin, 0)
		e.must(t, err)
		for _, a := range es {
			if a.TargetUser == newcomer && a.Action == member.AuditGranted {
				audit = a.TargetUnseen
			}
		}
		return coordinator, audit
	}
	if c, a := waiting(); !c || !a {
		t.Errorf("before the first visit: waiting in the coordinators %v, in the audit %v; want both", c, a)
	}
	var told []member.Access
	first := func(_ context.Context, a member.Access) error { told = append(told, a); return nil }
	for range 2 {
		e.must(t, e.svc.SeenFirst(e.ctx, member.TelegramUser{ID: newcomer, FirstName: "新"}, first))
	}
	if len(told) != 1 || told[0].Role != member.RoleCoordinator || told[0].District != "鼓楼区" {
		t.Errorf("first visits reported: %+v, want one with the grant", told)
	}
	if opened, err := e.svc.Opened(e.ctx, newcomer); err != nil || !opened {
		t.Errorf("Opened after the visit = %v, %v; want true", opened, err)
	}
	if c, a := waiting(); c || a {
		t.Errorf("after the first visit: waiting in the coordinators %v, in the audit %v; want neither", c, a)
	}
}
