package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
)

var t0 = time.Date(2024, 6, 1, 2, 0, 0, 0, time.UTC)

func profile(userID int64, phone string) member.Profile {
	return member.Profile{
		UserID: userID, Name: "张三", Phone: phone, PhoneVerified: true, District: "鼓楼区",
		Org: "某公司", Post: "委员", Education: "本科", StartYear: 2015,
		Status: member.StatusPending, StatusAt: t0, CreatedAt: t0, UpdatedAt: t0,
	}
}

// insert stores users and a profile in one transaction.
func insert(ctx context.Context, st *store.MemberStore, p member.Profile) (member.Profile, error) {
	err := st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
		if err := tx.EnsureUser(ctx, p.UserID, t0); err != nil {
			return err
		}
		var err error
		p, err = tx.InsertMember(ctx, p)
		return err
	})
	return p, err
}

func TestMemberRoundTrip(t *testing.T) {
	db := MustOpen(t)
	st := store.NewMemberStore(db)
	ctx := context.Background()
	p := profile(100, "13912345678")
	p.Status, p.StatusReason, p.LeftOn = member.StatusLeft, "调离", time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC)
	p, err := insert(ctx, st, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.MemberByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != p {
		t.Errorf("read back %+v\nwant      %+v", got, p)
	}
	if byPhone, err := st.MemberByPhone(ctx, "13912345678"); err != nil || byPhone.ID != p.ID {
		t.Errorf("MemberByPhone = %+v, %v", byPhone, err)
	}
}

func TestMemberNotFound(t *testing.T) {
	st := store.NewMemberStore(MustOpen(t))
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["MemberByID"] = st.MemberByID(ctx, 1)
	_, checks["MemberByPhone"] = st.MemberByPhone(ctx, "13912345678")
	_, checks["RosterEntry"] = st.RosterEntry(ctx, "13912345678", "鼓楼区")
	_, checks["Coordinator"] = st.Coordinator(ctx, 1)
	_, checks["InviteByHash"] = st.InviteByHash(ctx, "x")
	checks["DeleteCoordinator"] = st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return tx.DeleteCoordinator(ctx, 1) })
	checks["UpdateMember"] = st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return tx.UpdateMember(ctx, profile(1, "13912345678")) })
	for name, err := range checks {
		if !errors.Is(err, member.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	ps, err := st.MembersByUser(ctx, 1)
	if err != nil || ps == nil || len(ps) != 0 {
		t.Errorf("MembersByUser of nobody = %#v, %v; want an empty slice", ps, err)
	}
}

// TestMemberHalfWritten checks that the schema itself refuses a record that
// is not whole, whatever the code above it does.
func TestMemberHalfWritten(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *member.Profile)
	}{
		{"no name", func(p *member.Profile) { p.Name = "" }},
		{"no phone", func(p *member.Profile) { p.Phone = "" }},
		{"bad phone", func(p *member.Profile) { p.Phone = "12345678901" }},
		{"no organisation", func(p *member.Profile) { p.Org = "" }},
		{"no district", func(p *member.Profile) { p.District = "" }},
		{"no post", func(p *member.Profile) { p.Post = "" }},
		{"start year", func(p *member.Profile) { p.StartYear = 1800 }},
		{"unknown status", func(p *member.Profile) { p.Status = "maybe" }},
		{"left without date", func(p *member.Profile) { p.Status = member.StatusLeft }},
		{"date without left", func(p *member.Profile) { p.LeftOn = t0 }},
		{"deleted with a name", func(p *member.Profile) { p.Status, p.UserID, p.Phone, p.Org = member.StatusDeleted, 0, "", "" }},
		{"live without user", func(p *member.Profile) { p.UserID = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			st := store.NewMemberStore(db)
			ctx := context.Background()
			p := profile(100, "13912345678")
			tt.change(&p)
			err := st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
				if err := tx.EnsureUser(ctx, 100, t0); err != nil {
					return err
				}
				_, err := tx.InsertMember(ctx, p)
				return err
			})
			if err == nil {
				t.Fatal("stored")
			}
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM members) + (SELECT COUNT(*) FROM users)`).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d rows left behind, %v", n, err)
			}
		})
	}
}

func TestMemberLiveUniqueness(t *testing.T) {
	db := MustOpen(t)
	st := store.NewMemberStore(db)
	ctx := context.Background()
	first, err := insert(ctx, st, profile(100, "13912345678"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = insert(ctx, st, profile(101, "13912345678"))
	if !errors.Is(err, member.ErrPhoneTaken) {
		t.Errorf("same phone: %v, want ErrPhoneTaken", err)
	}
	_, err = insert(ctx, st, profile(100, "13912345679"))
	if !errors.Is(err, member.ErrAlreadyRegistered) {
		t.Errorf("same user: %v, want ErrAlreadyRegistered", err)
	}
	// A rejected profile frees both.
	first.Status = member.StatusRejected
	if err := st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return tx.UpdateMember(ctx, first) }); err != nil {
		t.Fatal(err)
	}
	second, err := insert(ctx, st, profile(100, "13912345678"))
	if err != nil {
		t.Fatalf("after rejection: %v", err)
	}
	// ... but the rejected one cannot come back to life beside the new one.
	first.Status = member.StatusPending
	err = st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return tx.UpdateMember(ctx, first) })
	if !errors.Is(err, member.ErrPhoneTaken) {
		t.Errorf("revive: %v, want ErrPhoneTaken", err)
	}
	ps, err := st.MembersByUser(ctx, 100)
	if err != nil || len(ps) != 2 || ps[0].ID != second.ID || ps[1].Status != member.StatusRejected {
		t.Errorf("MembersByUser = %+v, %v", ps, err)
	}
}

func TestForgetUserRefusesLiveProfile(t *testing.T) {
	db := MustOpen(t)
	st := store.NewMemberStore(db)
	ctx := context.Background()
	if _, err := insert(ctx, st, profile(100, "13912345678")); err != nil {
		t.Fatal(err)
	}
	err := st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
		if err := tx.PutCoordinator(ctx, member.Coordinator{UserID: 100, GrantedAt: t0}); err != nil {
			return err
		}
		return tx.ForgetUser(ctx, 100)
	})
	if err == nil {
		t.Fatal("forgot a user whose profile still points at them")
	}
	if _, err := st.Coordinator(ctx, 100); !errors.Is(err, member.ErrNotFound) {
		t.Errorf("the failed transaction left a grant: %v", err)
	}
	if ps, _ := st.MembersByUser(ctx, 100); len(ps) != 1 {
		t.Errorf("profile lost: %v", ps)
	}
}

func TestInviteUsedOnce(t *testing.T) {
	st := store.NewMemberStore(MustOpen(t))
	ctx := context.Background()
	hash := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	var inv member.Invite
	err := st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
		var err error
		inv, err = tx.InsertInvite(ctx, member.Invite{District: "丰县", CreatedBy: 1, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, hash)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	use := func(user int64) error {
		return st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
			return tx.UseInvite(ctx, inv.ID, user, t0.Add(time.Minute))
		})
	}
	if err := use(5); err != nil {
		t.Fatal(err)
	}
	if err := use(6); !errors.Is(err, member.ErrInviteUsed) {
		t.Errorf("second use: %v, want ErrInviteUsed", err)
	}
	got, err := st.InviteByHash(ctx, hash)
	if err != nil || got.UsedBy != 5 || !got.UsedAt.Equal(t0.Add(time.Minute)) || got.District != "丰县" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("invite = %+v, %v", got, err)
	}
	err = st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
		_, err := tx.InsertInvite(ctx, member.Invite{CreatedAt: t0, ExpiresAt: t0}, "f"+hash[1:])
		return err
	})
	if err == nil {
		t.Error("stored an invitation that expires when it is made")
	}
}

func TestListMembersFilters(t *testing.T) {
	db := MustOpen(t)
	st := store.NewMemberStore(db)
	ctx := context.Background()
	var ids []int64
	for i, d := range []string{"鼓楼区", "云龙区", "鼓楼区"} {
		p := profile(int64(100+i), "1391234567"+string(rune('0'+i)))
		p.District = d
		if i == 2 {
			p.Name = "李%四"
			p.Status = member.StatusApproved
		}
		p, err := insert(ctx, st, p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if err := st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error { return tx.MarkBlocked(ctx, 102, t0) }); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    member.MemberFilter
		want []int64
	}{
		{"all", member.MemberFilter{}, ids},
		{"district", member.MemberFilter{District: "鼓楼区"}, []int64{ids[0], ids[2]}},
		{"status", member.MemberFilter{Statuses: []member.Status{member.StatusApproved, member.StatusLeft}}, []int64{ids[2]}},
		{"reachable", member.MemberFilter{Reachable: true}, ids[:2]},
		{"literal percent", member.MemberFilter{Query: "%"}, []int64{ids[2]}},
		{"literal underscore", member.MemberFilter{Query: "_"}, nil},
		{"phone fragment", member.MemberFilter{Query: "45671"}, []int64{ids[1]}},
		{"limit", member.MemberFilter{Limit: 2}, ids[:2]},
	}
	for _, tt := range tests {
		ps, err := st.ListMembers(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, p := range ps {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMemberForeignKeys(t *testing.T) {
	st := store.NewMemberStore(MustOpen(t))
	ctx := context.Background()
	err := st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
		return tx.AddHistory(ctx, member.HistoryEntry{MemberID: 999, At: t0, Kind: member.HistoryJoined})
	})
	if err == nil {
		t.Error("history of a member that does not exist was stored")
	}
	err = st.Atomic(ctx, func(ctx context.Context, tx member.Tx) error {
		_, err := tx.InsertMember(ctx, profile(100, "13912345678")) // no such user
		return err
	})
	if err == nil {
		t.Error("a profile of an unknown user was stored")
	}
}
