package member_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/dbtest"
	"github.com/dangwu/dangwu/member"
)

// personalData lists every place in the database that still holds one of
// the values: a cell equal to the id, or text containing one of the strings.
func personalData(t *testing.T, e *env, id int64, texts ...string) []string {
	t.Helper()
	return dbtest.Holding(t, e.db.SQL(), id, texts...)
}

func TestErase(t *testing.T) {
	e := newEnv(t)
	const (
		uid    int64 = 777000123
		name         = "欧阳娜娜"
		phone        = "13977771234"
		phone2       = "13977775678"
		org          = "隐私测试科技有限公司"
		handle       = "secret_handle"
	)
	secrets := []string{name, phone, phone2, org, handle, "Nana"}
	e.must(t, e.svc.Seen(e.ctx, member.TelegramUser{ID: uid, Username: handle, FirstName: "Nana", Language: "zh-hans"}))
	if _, err := e.db.SQL().ExecContext(e.ctx, `INSERT INTO conversations (chat_id, user_id, flow, step, data, updated_at)
		VALUES (?, ?, 'register', 'org', ?, 'x')`, uid, uid, `{"name":"`+name+`"}`); err != nil {
		t.Fatal(err)
	}

	// An earlier, rejected registration.
	r := reg(uid, phone2, "鼓楼区", true)
	r.Name, r.Org = name, org
	first, err := e.svc.Register(e.ctx, r)
	e.must(t, err)
	_, err = e.svc.Reject(e.ctx, coordGulou, first.ID, name+"信息有误")
	e.must(t, err)

	// On the roster, registered and approved by it, then left and returned.
	_, err = e.svc.ImportRoster(e.ctx, coordGulou, []member.RosterRow{{Line: 2, Name: name, Phone: phone, District: "鼓楼区", Org: org}}, nil)
	e.must(t, err)
	r.Phone = phone
	p, err := e.svc.Register(e.ctx, r)
	e.must(t, err)
	if p.Status != member.StatusApproved {
		t.Fatalf("status %s, want approved by roster", p.Status)
	}
	_, err = e.svc.Leave(e.ctx, coordGulou, p.ID, e.clock.t, name+"调动")
	e.must(t, err)
	_, err = e.svc.Return(e.ctx, coordGulou, p.ID)
	e.must(t, err)

	// A coordinator by invitation, who approves someone and imports a roster.
	inv, err := e.svc.CreateInvite(e.ctx, admin, "鼓楼区", time.Hour)
	e.must(t, err)
	_, err = e.svc.RedeemInvite(e.ctx, uid, inv.Code)
	e.must(t, err)
	other := e.register(t, 100, "13900000001", "鼓楼区", true)
	_, err = e.svc.Approve(e.ctx, uid, other.ID)
	e.must(t, err)
	_, err = e.svc.ImportRoster(e.ctx, uid, []member.RosterRow{{Line: 2, Name: "李四", Phone: "13900000002", District: "鼓楼区"}}, nil)
	e.must(t, err)
	_, err = e.svc.Grant(e.ctx, admin, uid, "")
	e.must(t, err)

	if found := personalData(t, e, uid, secrets...); len(found) < 10 {
		t.Fatalf("the test stored too little to prove anything: %v", found)
	}
	members := e.count(t, `SELECT COUNT(*) FROM members`)
	history := e.count(t, `SELECT COUNT(*) FROM member_history`)
	audits := e.count(t, `SELECT COUNT(*) FROM audit_log`)

	e.must(t, e.svc.Erase(e.ctx, uid))

	for _, f := range personalData(t, e, uid, secrets...) {
		t.Errorf("after erasure: %s", f)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM members`); n != members {
		t.Errorf("members %d -> %d: counts must stay", members, n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM members WHERE status = 'deleted' AND district = '鼓楼区' AND post = '党组织书记' AND education = '本科' AND start_year = 2015`); n != 2 {
		t.Errorf("%d anonymous profiles with their counted fields, want 2", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM member_history`); n != history+2 {
		t.Errorf("history %d -> %d, want 2 deletion entries more", history, n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'erased' AND actor IS NULL AND target_user IS NULL`); n != 2 {
		t.Errorf("%d anonymous erasure audit entries, want 2", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM audit_log`); n != audits+2 {
		t.Errorf("audit log %d -> %d, want 2 more", audits, n)
	}
	if s := e.status(t, other.ID); s != member.StatusApproved {
		t.Errorf("the member they approved is %s", s)
	}
	if a, _ := e.svc.Access(e.ctx, uid); a.Role != member.RoleWorker {
		t.Errorf("erased coordinator is still %s", a.Role)
	}
	_, err = e.svc.Get(e.ctx, uid)
	wantErr(t, "Get after erasure", err, member.ErrNotFound)
	es, err := e.svc.Audit(e.ctx, admin, member.MaxAudit)
	e.must(t, err)
	for _, en := range es {
		if en.ActorName == name || en.TargetName == name {
			t.Errorf("audit entry %d still names them", en.ID)
		}
	}

	// They come back and register anew.
	e.must(t, e.svc.Seen(e.ctx, member.TelegramUser{ID: uid}))
	again, err := e.svc.Register(e.ctx, r)
	if err != nil {
		t.Fatalf("register after erasure: %v", err)
	}
	if again.Status != member.StatusPending || again.ID == p.ID {
		t.Errorf("new profile = %+v; the roster entry went with the erasure, so it must wait", again)
	}

	// Erasing someone the bot never stored is no error.
	e.must(t, e.svc.Erase(e.ctx, 424242))
	var n sql.NullInt64
	if err := e.db.SQL().QueryRowContext(e.ctx, `SELECT MAX(id) FROM users WHERE id = 424242`).Scan(&n); err != nil || n.Valid {
		t.Errorf("erasing a stranger created them: %v %v", n, err)
	}
}

// A user who typed somebody else's phone and then erased their profile does
// not take that person off the rosters: only a verified phone's entries go.
func TestEraseKeepsTheRosterOfAPhoneNeverVerified(t *testing.T) {
	e := newEnv(t)
	const phone = "13977770001"
	_, err := e.svc.ImportRoster(e.ctx, coordGulou, []member.RosterRow{{Line: 2, Name: "王五", Phone: phone, District: "鼓楼区"}}, nil)
	e.must(t, err)

	const squatter int64 = 555000111
	p := e.register(t, squatter, phone, "鼓楼区", false)
	if p.Status == member.StatusApproved {
		t.Fatalf("a typed phone was approved by the roster")
	}
	e.must(t, e.svc.Erase(e.ctx, squatter))
	if n := e.count(t, `SELECT COUNT(*) FROM roster WHERE phone = ?`, phone); n != 1 {
		t.Fatalf("%d roster entries for the phone after an unverified user erased, want 1", n)
	}

	// The phone's owner, who shares it through Telegram, is approved by
	// the entry, and their own erasure removes it.
	const owner int64 = 555000222
	if p := e.register(t, owner, phone, "鼓楼区", true); p.Status != member.StatusApproved {
		t.Fatalf("owner's status %s, want approved by the roster", p.Status)
	}
	e.must(t, e.svc.Erase(e.ctx, owner))
	if n := e.count(t, `SELECT COUNT(*) FROM roster WHERE phone = ?`, phone); n != 0 {
		t.Fatalf("%d roster entries for the phone after its owner erased, want 0", n)
	}
}
