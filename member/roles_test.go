package member_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
)

func TestAccess(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		user     int64
		role     member.Role
		district string
		covers   map[string]bool
	}{
		{admin, member.RoleAdmin, "", map[string]bool{"鼓楼区": true, "丰县": true}},
		{coordGulou, member.RoleCoordinator, "鼓楼区", map[string]bool{"鼓楼区": true, "云龙区": false}},
		{coordCity, member.RoleCoordinator, "", map[string]bool{"鼓楼区": true, "丰县": true}},
		{777, member.RoleWorker, "", map[string]bool{"鼓楼区": false}},
	}
	for _, tt := range tests {
		a, err := e.svc.Access(e.ctx, tt.user)
		if err != nil {
			t.Fatal(err)
		}
		if a.Role != tt.role || a.District != tt.district {
			t.Errorf("Access(%d) = %+v, want %s %q", tt.user, a, tt.role, tt.district)
		}
		for d, want := range tt.covers {
			if a.Covers(d) != want {
				t.Errorf("Access(%d).Covers(%s) = %v", tt.user, d, !want)
			}
		}
	}
	// The profile carries the role too.
	e.register(t, coordGulou, "13912345678", "鼓楼区", true)
	p, err := e.svc.Get(e.ctx, coordGulou)
	if err != nil || p.Role != member.RoleCoordinator || p.CoordDistrict != "鼓楼区" {
		t.Errorf("coordinator's profile = role %s district %q, %v", p.Role, p.CoordDistrict, err)
	}
	e.register(t, admin, "13912345679", "丰县", true)
	if p, _ := e.svc.Get(e.ctx, admin); p.Role != member.RoleAdmin {
		t.Errorf("admin's profile role = %s", p.Role)
	}
}

func TestGrantRevokeAudit(t *testing.T) {
	e := newEnv(t)
	e.clock.Advance(time.Hour)
	_, err := e.svc.Grant(e.ctx, coordCity, 500, "鼓楼区")
	wantErr(t, "grant by a coordinator", err, member.ErrForbidden)
	_, err = e.svc.Grant(e.ctx, admin, 500, "南京")
	wantErr(t, "grant for unknown district", err, member.ErrUnknownDistrict)
	_, err = e.svc.Grant(e.ctx, admin, 0, "鼓楼区")
	wantErr(t, "grant to no one", err, member.ErrInvalidUser)

	a, err := e.svc.Grant(e.ctx, admin, 500, "泉山")
	if err != nil || a.Role != member.RoleCoordinator || a.District != "泉山区" {
		t.Fatalf("grant = %+v, %v", a, err)
	}
	// A second grant replaces the first.
	if a, err = e.svc.Grant(e.ctx, admin, 500, ""); err != nil || a.District != "" || !a.CityWide() {
		t.Fatalf("regrant = %+v, %v", a, err)
	}
	err = e.svc.Revoke(e.ctx, coordGulou, 500)
	wantErr(t, "revoke by a coordinator", err, member.ErrForbidden)
	if err := e.svc.Revoke(e.ctx, admin, 500); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.svc.Access(e.ctx, 500); a.Role != member.RoleWorker {
		t.Errorf("role after revoke = %s", a.Role)
	}
	err = e.svc.Revoke(e.ctx, admin, 500)
	wantErr(t, "revoke twice", err, member.ErrNotFound)

	_, err = e.svc.Audit(e.ctx, coordCity, 10)
	wantErr(t, "audit by a coordinator", err, member.ErrForbidden)
	es, err := e.svc.Audit(e.ctx, admin, 3)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		action   member.AuditAction
		actor    int64
		target   int64
		district string
	}
	var got []line
	for _, en := range es {
		got = append(got, line{en.Action, en.Actor, en.TargetUser, en.District})
		if !en.At.Equal(e.clock.t) {
			t.Errorf("audit time %v, want %v", en.At, e.clock.t)
		}
	}
	want := []line{
		{member.AuditRevoked, admin, 500, ""},
		{member.AuditGranted, admin, 500, ""},
		{member.AuditGranted, admin, 500, "泉山区"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit = %+v, want %+v", got, want)
	}
	cs, err := e.svc.Coordinators(e.ctx, admin)
	if err != nil || len(cs) != 3 {
		t.Fatalf("coordinators = %+v, %v", cs, err)
	}
	ap, err := e.svc.Approvers(e.ctx, "鼓楼区")
	if err != nil || !slices.Equal(ap, []int64{coordGulou, coordCity}) {
		t.Errorf("approvers of 鼓楼区 = %v, %v", ap, err)
	}
}

func TestApproversFallBackToAdmins(t *testing.T) {
	e := newEnv(t)
	for _, id := range []int64{coordGulou, coordYunl, coordCity} {
		e.must(t, e.svc.Revoke(e.ctx, admin, id))
	}
	ap, err := e.svc.Approvers(e.ctx, "丰县")
	if err != nil || !slices.Equal(ap, []int64{admin}) {
		t.Errorf("approvers = %v, %v; want the admins", ap, err)
	}
}

var inviteCode = regexp.MustCompile(`^inv_[A-Za-z0-9_-]{22}$`)

func TestInvites(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CreateInvite(e.ctx, coordCity, "鼓楼区", time.Hour)
	wantErr(t, "invite by a coordinator", err, member.ErrForbidden)
	_, err = e.svc.CreateInvite(e.ctx, admin, "鼓楼区", -time.Hour)
	wantErr(t, "negative lifetime", err, member.ErrInvalidTTL)
	_, err = e.svc.CreateInvite(e.ctx, admin, "鼓楼区", 31*24*time.Hour)
	wantErr(t, "too long a lifetime", err, member.ErrInvalidTTL)

	inv, err := e.svc.CreateInvite(e.ctx, admin, "鼓楼", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !inviteCode.MatchString(inv.Code) || len(inv.Code) > 64 {
		t.Fatalf("code %q is no deep-link payload", inv.Code)
	}
	if inv.District != "鼓楼区" || !inv.ExpiresAt.Equal(e.clock.t.Add(time.Hour)) {
		t.Errorf("invite = %+v", inv)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM invites WHERE code_hash = ? OR instr(code_hash, ?) > 0`, inv.Code, inv.Code[4:]); n != 0 {
		t.Error("the invitation code is stored in clear")
	}
	other, err := e.svc.CreateInvite(e.ctx, admin, "", 0)
	if err != nil || other.Code == inv.Code || !other.ExpiresAt.Equal(e.clock.t.Add(member.DefaultInviteTTL)) {
		t.Fatalf("second invite = %+v, %v", other, err)
	}

	// An admin clicking the link does not use it up.
	_, err = e.svc.RedeemInvite(e.ctx, admin, inv.Code)
	wantErr(t, "admin redeems", err, member.ErrAlreadyAdmin)

	e.clock.Advance(time.Hour - time.Second)
	a, err := e.svc.RedeemInvite(e.ctx, 600, inv.Code)
	if err != nil || a.Role != member.RoleCoordinator || a.District != "鼓楼区" {
		t.Fatalf("redeem = %+v, %v", a, err)
	}
	_, err = e.svc.RedeemInvite(e.ctx, 601, inv.Code)
	wantErr(t, "reused invite", err, member.ErrInviteUsed)
	if a, _ := e.svc.Access(e.ctx, 601); a.Role != member.RoleWorker {
		t.Errorf("reuser became %s", a.Role)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'granted' AND actor = ? AND target_user = 600 AND reason = 'invite'`, admin); n != 1 {
		t.Errorf("%d audited invite grants, want 1", n)
	}

	for _, code := range []string{"inv_AAAAAAAAAAAAAAAAAAAAAA", "inv_short", "chk_" + other.Code[4:], other.Code + "x", "inv_AAAAAAAAAAAAAAAAAAAA!A"} {
		_, err = e.svc.RedeemInvite(e.ctx, 602, code)
		wantErr(t, "redeem "+code, err, member.ErrNotFound)
	}
}

func TestInviteExpires(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration
		err   error
	}{
		{"just before", time.Hour - time.Second, nil},
		{"at expiry", time.Hour, member.ErrInviteExpired},
		{"a day later", 25 * time.Hour, member.ErrInviteExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			inv, err := e.svc.CreateInvite(e.ctx, admin, "丰县", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(tt.after)
			_, err = e.svc.RedeemInvite(e.ctx, 600, inv.Code)
			wantErr(t, "redeem", err, tt.err)
			wantRole := member.RoleCoordinator
			if tt.err != nil {
				wantRole = member.RoleWorker
				if n := e.count(t, `SELECT COUNT(*) FROM invites WHERE used_at IS NOT NULL`); n != 0 {
					t.Error("an expired invitation was used up")
				}
			}
			if a, _ := e.svc.Access(e.ctx, 600); a.Role != wantRole {
				t.Errorf("role = %s, want %s", a.Role, wantRole)
			}
		})
	}
}
