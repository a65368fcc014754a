package member_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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

// An erased person's audit entries show one stable label, the number of
// their erasure, as actor and as target; other people's stay as they were.
func TestErasedPeopleKeepAStableLabelInTheAudit(t *testing.T) {
	e := newEnv(t) // the admin granted three coordinators
	e.must(t, e.svc.Seen(e.ctx, member.TelegramUser{ID: admin, FirstName: "管理员"}))
	e.must(t, e.svc.Erase(e.ctx, admin))
	e.must(t, e.svc.Erase(e.ctx, coordGulou))
	es, err := e.svc.Audit(e.ctx, admin, 0) // still an administrator by the configuration
	e.must(t, err)
	grants, erasures := 0, map[int64]int{}
	for _, a := range es {
		switch a.Action {
		case member.AuditGranted:
			grants++
			if a.Actor != 0 || a.ActorErased != 1 {
				t.Errorf("a grant by the erased admin: actor %d, label %d; want no id and label 1", a.Actor, a.ActorErased)
			}
			if (a.TargetErased == 2) != (a.TargetUser == 0) {
				t.Errorf("grant target: user %d, label %d; want 鼓楼区's coordinator labelled 2 and the others as they were", a.TargetUser, a.TargetErased)
			}
		case member.AuditErased:
			erasures[a.ActorErased]++
		}
	}
	if grants != 3 {
		t.Errorf("%d grants in the audit, want 3", grants)
	}
	if erasures[1] != 1 || erasures[2] != 1 {
		t.Errorf("erasure entries by label: %v, want one each for 1 and 2", erasures)
	}
}

// A person seen again within a few minutes, unchanged, is not written
// again; a change of name, a blocked mark or the time passing is.
func TestSeenWritesOnlyWhatChanged(t *testing.T) {
	e := newEnv(t)
	const uid = 4002
	seen := func() string {
		var at string
		var blocked bool
		var name string
		e.must(t, e.db.SQL().QueryRowContext(e.ctx, `SELECT last_seen, blocked_at IS NOT NULL, first_name FROM users WHERE id = ?`, uid).Scan(&at, &blocked, &name))
		return fmt.Sprintf("%s %v %s", at, blocked, name)
	}
	u := member.TelegramUser{ID: uid, FirstName: "甲", Language: "zh"}
	e.must(t, e.svc.Seen(e.ctx, u))
	first := seen()
	e.clock.Advance(time.Minute)
	e.must(t, e.svc.Seen(e.ctx, u))
	if got := seen(); got != first {
		t.Errorf("seen again a minute later: %s, want %s kept", got, first)
	}
	u.FirstName = "乙"
	e.must(t, e.svc.Seen(e.ctx, u))
	renamed := seen()
	if !strings.HasSuffix(renamed, "false 乙") || renamed == first {
		t.Errorf("after a change of name: %s", renamed)
	}
	e.must(t, e.svc.MarkBlocked(e.ctx, uid))
	e.must(t, e.svc.Seen(e.ctx, u))
	if got := seen(); !strings.Contains(got, "false") {
		t.Errorf("seen after blocking: %s, want the blocked mark cleared", got)
	}
	before := seen()
	e.clock.Advance(6 * time.Minute)
	e.must(t, e.svc.Seen(e.ctx, u))
	if got := seen(); got == before {
		t.Errorf("seen six minutes later: %s unchanged", got)
	}
}
