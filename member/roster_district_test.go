package member_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
)

// Tests of the per-district roster: each district keeps its own, keyed by
// phone, so no district's import can see, block or change another's.

const sharedPhone = "13912346001" // a phone both 鼓楼区 and 云龙区 list

// rosterDistricts returns the districts whose roster has phone, in order.
func (e *env) rosterDistricts(tb testing.TB, phone string) []string {
	tb.Helper()
	rows, err := e.db.SQL().QueryContext(e.ctx, `SELECT district FROM roster WHERE phone = ? ORDER BY district`, phone)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	ds := []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			tb.Fatal(err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return ds
}

// rosterEntry reads phone's entry on district's roster.
func (e *env) rosterEntry(tb testing.TB, phone, district string) member.RosterEntry {
	tb.Helper()
	r, err := store.NewMemberStore(e.db).RosterEntry(e.ctx, phone, district)
	if err != nil {
		tb.Fatalf("roster entry %s in %s: %v", phone, district, err)
	}
	return r
}

// importOne imports one row as actor and fails the test on an error.
func (e *env) importOne(tb testing.TB, actor int64, row member.RosterRow) member.RosterReport {
	tb.Helper()
	rep, err := e.svc.ImportRoster(e.ctx, actor, []member.RosterRow{row}, nil)
	if err != nil {
		tb.Fatalf("import by %d: %v", actor, err)
	}
	return rep
}

// bothDistricts has 鼓楼区's and then 云龙区's coordinator put sharedPhone
// on their own rosters, checking that each import is a plain addition.
func bothDistricts(tb testing.TB, e *env) {
	tb.Helper()
	for _, c := range []struct {
		actor           int64
		district, other string
		name            string
	}{
		{coordGulou, "鼓楼区", "云龙区", "张三"},
		{coordYunl, "云龙区", "鼓楼区", "张山"},
	} {
		rep := e.importOne(tb, c.actor, member.RosterRow{Line: 2, Name: c.name, Phone: sharedPhone, District: c.district, Org: c.district + "某党支部"})
		if rep.Added != 1 || rep.Updated != 0 || rep.Skipped != 0 || len(rep.Problems) != 0 || len(rep.Approved) != 0 {
			tb.Errorf("%s's import: %+v, want 1 added and nothing else", c.district, rep)
		}
		// Nothing in the report may tell one district about the other's roster.
		if s := fmt.Sprintf("%+v", rep); strings.Contains(s, c.other) {
			tb.Errorf("%s's report mentions %s: %s", c.district, c.other, s)
		}
	}
}

// (a) Two districts list the same phone: both imports succeed, each into
// its own roster, and neither report says anything of the other district.
func TestRosterSamePhoneInTwoDistricts(t *testing.T) {
	e := newEnv(t)
	bothDistricts(t, e)
	if got := e.rosterDistricts(t, sharedPhone); !slices.Equal(got, []string{"云龙区", "鼓楼区"}) {
		t.Fatalf("%s is on the rosters of %v, want 云龙区 and 鼓楼区", sharedPhone, got)
	}
	for district, want := range map[string]struct {
		name string
		by   int64
	}{"鼓楼区": {"张三", coordGulou}, "云龙区": {"张山", coordYunl}} {
		r := e.rosterEntry(t, sharedPhone, district)
		if r.Name != want.name || r.ImportedBy != want.by || r.Org != district+"某党支部" {
			t.Errorf("%s's entry = %+v, want %s imported by %d", district, r, want.name, want.by)
		}
	}
	// Each import is audited in its own district.
	for actor, district := range map[int64]string{coordGulou: "鼓楼区", coordYunl: "云龙区"} {
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'roster_imported' AND actor = ? AND district = ? AND reason LIKE 'added=1 %'`, actor, district); n != 1 {
			t.Errorf("%d audited imports of %d in %s, want 1", n, actor, district)
		}
	}
	// Importing the same row again is a no-op in one's own district.
	rep := e.importOne(t, coordYunl, member.RosterRow{Line: 2, Name: "张山", Phone: sharedPhone, District: "云龙区", Org: "云龙区某党支部"})
	if rep.Skipped != 1 || rep.Added+rep.Updated != 0 || len(rep.Problems) != 0 {
		t.Errorf("云龙区 importing its row again: %+v, want 1 skipped", rep)
	}
}

// (b) A district's import changes only its own entry of a phone: never
// another district's, neither by updating its own nor by naming the other.
func TestRosterImportCannotChangeAnotherDistrict(t *testing.T) {
	e := newEnv(t)
	bothDistricts(t, e)
	before := e.rosterEntry(t, sharedPhone, "云龙区")
	e.clock.Advance(time.Hour)

	// 鼓楼区 changes its own entry of the phone.
	rep := e.importOne(t, coordGulou, member.RosterRow{Line: 2, Name: "张三丰", Phone: sharedPhone, District: "鼓楼区", Org: "新单位", Post: "专职副书记"})
	if rep.Updated != 1 || rep.Added+rep.Skipped != 0 || len(rep.Problems) != 0 {
		t.Errorf("鼓楼区 updating its entry: %+v, want 1 updated", rep)
	}
	if r := e.rosterEntry(t, sharedPhone, "鼓楼区"); r.Name != "张三丰" || r.Org != "新单位" || r.Post != "专职副书记" {
		t.Errorf("鼓楼区's entry after its update = %+v", r)
	}
	// 鼓楼区 names 云龙区 in a row: out of its scope, by district only.
	rep = e.importOne(t, coordGulou, member.RosterRow{Line: 3, Name: "李四", Phone: sharedPhone, District: "云龙区", Org: "别的单位"})
	if got := problemsOf(rep.Problems); !slices.Equal(got, []problem{{3, member.FieldDistrict, member.ErrOutOfScope, 0}}) || rep.Added+rep.Updated+rep.Skipped != 0 {
		t.Errorf("鼓楼区 writing 云龙区's row: %+v, want one out-of-scope district", rep)
	}
	if after := e.rosterEntry(t, sharedPhone, "云龙区"); after != before {
		t.Errorf("云龙区's entry changed by 鼓楼区's imports:\n%+v\nwas\n%+v", after, before)
	}
	if got := e.rosterDistricts(t, sharedPhone); !slices.Equal(got, []string{"云龙区", "鼓楼区"}) {
		t.Errorf("%s is on the rosters of %v, want 云龙区 and 鼓楼区", sharedPhone, got)
	}

	// The city-wide operator may write any district's entry.
	rep, err := e.svc.ImportRosterAsOperator(e.ctx, []member.RosterRow{
		{Line: 2, Name: "张山", Phone: sharedPhone, District: "云龙区", Org: "云龙区新单位"},
		{Line: 3, Name: "张三", Phone: "13912346002", District: "贾汪区"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Updated != 1 || rep.Added != 1 || len(rep.Problems) != 0 {
		t.Errorf("the operator's import: %+v, want 1 updated and 1 added", rep)
	}
	if r := e.rosterEntry(t, sharedPhone, "云龙区"); r.Org != "云龙区新单位" || r.ImportedBy != 0 {
		t.Errorf("云龙区's entry after the operator's import = %+v", r)
	}
	if r := e.rosterEntry(t, sharedPhone, "鼓楼区"); r.Name != "张三丰" {
		t.Errorf("鼓楼区's entry changed by the operator's 云龙区 row: %+v", r)
	}
}

// (c) A registration is approved by the roster of the district it names,
// and by no other district's.
func TestRosterApprovesInItsOwnDistrictOnly(t *testing.T) {
	for _, tc := range []struct {
		district string
		want     member.Status
	}{
		{"云龙区", member.StatusApproved},
		{"鼓楼区", member.StatusApproved},
		{"贾汪区", member.StatusPending}, // no roster lists the phone
	} {
		t.Run(tc.district, func(t *testing.T) {
			e := newEnv(t)
			bothDistricts(t, e)
			p := e.register(t, 300, sharedPhone, tc.district, true)
			if p.Status != tc.want || e.status(t, p.ID) != tc.want {
				t.Fatalf("registered in %s: %s, want %s", tc.district, p.Status, tc.want)
			}
			n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'approved' AND target_member = ? AND district = ? AND reason = 'roster'`, p.ID, tc.district)
			if want := map[bool]int{true: 1, false: 0}[tc.want == member.StatusApproved]; n != want {
				t.Errorf("%d roster approvals audited in %s, want %d", n, tc.district, want)
			}
		})
	}
}

// A waiting worker is approved by their own district's import, not by
// another district's import of the same phone.
func TestRosterImportApprovesOnlyItsDistrictsWorker(t *testing.T) {
	e := newEnv(t)
	p := e.register(t, 301, sharedPhone, "云龙区", true)
	rep := e.importOne(t, coordGulou, member.RosterRow{Line: 2, Name: "张三", Phone: sharedPhone, District: "鼓楼区"})
	if rep.Added != 1 || len(rep.Approved) != 0 || len(rep.Problems) != 0 {
		t.Errorf("鼓楼区's import: %+v, want 1 added and nobody approved", rep)
	}
	if s := e.status(t, p.ID); s != member.StatusPending {
		t.Fatalf("the 云龙区 worker after 鼓楼区's import is %s, want pending", s)
	}
	rep = e.importOne(t, coordYunl, member.RosterRow{Line: 2, Name: "张三", Phone: sharedPhone, District: "云龙区"})
	if rep.Added != 1 || len(rep.Approved) != 1 || rep.Approved[0].ID != p.ID {
		t.Errorf("云龙区's import: %+v, want 1 added and the worker approved", rep)
	}
	if s := e.status(t, p.ID); s != member.StatusApproved {
		t.Errorf("the 云龙区 worker after 云龙区's import is %s, want approved", s)
	}
}

// A move consults the roster of the district moved to.
func TestRosterMoveUsesTheDestinationsRoster(t *testing.T) {
	e := newEnv(t)
	e.importOne(t, coordGulou, member.RosterRow{Line: 2, Name: "张三", Phone: sharedPhone, District: "鼓楼区"})
	p := e.register(t, 302, sharedPhone, "鼓楼区", true)
	if p.Status != member.StatusApproved {
		t.Fatalf("registered on 鼓楼区's roster: %s", p.Status)
	}
	// 鼓楼区's entry does not carry the worker into 云龙区.
	if needs, err := e.svc.MoveNeedsApproval(e.ctx, 302, "云龙区"); err != nil || !needs {
		t.Errorf("a move to 云龙区, which does not list the phone: needs approval %v, %v; want true", needs, err)
	}
	// Once 云龙区 lists the phone too (before, its import was refused), the
	// move keeps the approval.
	e.importOne(t, coordYunl, member.RosterRow{Line: 2, Name: "张三", Phone: sharedPhone, District: "云龙区"})
	if needs, err := e.svc.MoveNeedsApproval(e.ctx, 302, "云龙区"); err != nil || needs {
		t.Errorf("a move to 云龙区, which lists the phone: needs approval %v, %v; want false", needs, err)
	}
	if p, err := e.svc.Update(e.ctx, 302, member.FieldDistrict, "云龙区"); err != nil || p.Status != member.StatusApproved {
		t.Fatalf("moved to 云龙区: %+v, %v; want approved", p, err)
	}
	// To 贾汪区, which lists nobody: pending, although two rosters have the phone.
	if p, err := e.svc.Update(e.ctx, 302, member.FieldDistrict, "贾汪区"); err != nil || p.Status != member.StatusPending {
		t.Fatalf("moved to 贾汪区: %+v, %v; want pending", p, err)
	}
}

// Erasure takes the person's phone off every district's roster.
func TestRosterEraseRemovesThePhoneEverywhere(t *testing.T) {
	e := newEnv(t)
	bothDistricts(t, e)
	e.importOne(t, coordYunl, member.RosterRow{Line: 2, Name: "李四", Phone: "13912346003", District: "云龙区"})
	e.register(t, 303, sharedPhone, "云龙区", true)
	e.must(t, e.svc.Erase(e.ctx, 303))
	if got := e.rosterDistricts(t, sharedPhone); len(got) != 0 {
		t.Errorf("after erasure %s is still on the rosters of %v", sharedPhone, got)
	}
	if got := e.rosterDistricts(t, "13912346003"); !slices.Equal(got, []string{"云龙区"}) {
		t.Errorf("another person's entry went with the erasure: %v", got)
	}
}
