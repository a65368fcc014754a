package member_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", "张三", "张三", true},
		{"spaces removed", " 张 三 ", "张三", true},
		{"full-width space", "欧阳　修", "欧阳修", true},
		{"middle dot", "买买提·艾力", "买买提·艾力", true},
		{"other dot normalised", "买买提•艾力", "买买提·艾力", true},
		{"twenty characters", strings.Repeat("张", 20), strings.Repeat("张", 20), true},
		{"one character", "张", "", false},
		{"twenty-one characters", strings.Repeat("张", 21), "", false},
		{"200 characters", strings.Repeat("张", 200), "", false},
		{"emoji only", "😀😀😀", "", false},
		{"emoji in name", "张三😀", "", false},
		{"html", "<b>张三</b>", "", false},
		{"script", "张三<script>", "", false},
		{"latin", "Zhang San", "", false},
		{"digits", "张三1", "", false},
		{"leading dot", "·张三", "", false},
		{"trailing dot", "张三·", "", false},
		{"double dot", "张··三", "", false},
		{"empty", "", "", false},
		{"blank", "   ", "", false},
		{"invalid utf-8", "张\xff三", "", false},
		{"zero-width joiner", "张\u200d三", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := member.ValidateName(tt.in)
			if tt.ok && (err != nil || got != tt.want) {
				t.Fatalf("ValidateName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if !tt.ok && (err != member.ErrInvalidName || got != "") {
				t.Fatalf("ValidateName(%q) = %q, %v; want ErrInvalidName", tt.in, got, err)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"13912345678", "13912345678"},
		{"+86 139-1234-5678", "13912345678"},
		{"+8613912345678", "13912345678"},
		{"8613912345678", "13912345678"},
		{"0086 139 1234 5678", "13912345678"},
		{"(139) 1234 5678", "13912345678"},
		{"１３９１２３４５６７８", "13912345678"},
		{"19912345678", "19912345678"},
		{"", ""},
		{"12345", ""},
		{"1391234567", ""},
		{"139123456789", ""},
		{"12912345678", ""},
		{"23912345678", ""},
		{"139abc45678", ""},
		{"+1 415 555 2671", ""},
		{"025-83123456", ""},
		{"+86 025 8312 3456", ""},
		{"139+12345678", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := member.NormalizePhone(tt.in)
			if tt.want != "" && (err != nil || got != tt.want) {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if tt.want == "" && err != member.ErrInvalidPhone {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want ErrInvalidPhone", tt.in, got, err)
			}
		})
	}
}

func TestCheckFields(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		f        member.Field
		in, want string
		err      error
	}{
		{member.FieldDistrict, "鼓楼", "鼓楼区", nil},
		{member.FieldDistrict, " 经开区 ", "徐州经济技术开发区", nil},
		{member.FieldDistrict, "南京市", "", member.ErrUnknownDistrict},
		{member.FieldOrg, "  某某  有限公司 ", "某某 有限公司", nil},
		{member.FieldOrg, "", "", member.ErrInvalidOrg},
		{member.FieldOrg, "😀", "", member.ErrInvalidOrg},
		{member.FieldOrg, "某某\x07公司", "", member.ErrInvalidOrg},
		{member.FieldOrg, strings.Repeat("某", 61), "", member.ErrInvalidOrg},
		{member.FieldPost, "副书记", "副书记", nil},
		{member.FieldPost, "董事长", "", member.ErrInvalidPost},
		{member.FieldEducation, "研究生", "研究生", nil},
		{member.FieldEducation, "博士", "", member.ErrInvalidEducation},
		{member.FieldStartYear, "2015", "2015", nil},
		{member.FieldStartYear, "２０１５年", "2015", nil},
		{member.FieldStartYear, "1950", "1950", nil},
		{member.FieldStartYear, "1949", "", member.ErrInvalidStartYear},
		{member.FieldStartYear, "2024", "2024", nil},
		{member.FieldStartYear, "2025", "", member.ErrInvalidStartYear},
		{member.FieldStartYear, "十年", "", member.ErrInvalidStartYear},
		{member.FieldPhone, "+86 139 1234 5678", "13912345678", nil},
		{member.FieldName, "李 四", "李四", nil},
		{member.Field("age"), "3", "", member.ErrUnknownField},
	}
	for _, tt := range tests {
		t.Run(string(tt.f)+"/"+tt.in, func(t *testing.T) {
			got, err := e.svc.Check(tt.f, tt.in)
			if err != tt.err || got != tt.want {
				t.Fatalf("Check(%s, %q) = %q, %v; want %q, %v", tt.f, tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestRegisterValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *member.Registration)
		err    error
	}{
		{"emoji-only name", func(r *member.Registration) { r.Name = "😀😀" }, member.ErrInvalidName},
		{"200-character name", func(r *member.Registration) { r.Name = strings.Repeat("王", 200) }, member.ErrInvalidName},
		{"name with html", func(r *member.Registration) { r.Name = `<a href="x">张三</a>` }, member.ErrInvalidName},
		{"short phone", func(r *member.Registration) { r.Phone = "1391234" }, member.ErrInvalidPhone},
		{"landline", func(r *member.Registration) { r.Phone = "0516-83123456" }, member.ErrInvalidPhone},
		{"foreign phone", func(r *member.Registration) { r.Phone = "+44 7700 900123" }, member.ErrInvalidPhone},
		{"unknown district", func(r *member.Registration) { r.District = "南京市" }, member.ErrUnknownDistrict},
		{"empty district", func(r *member.Registration) { r.District = "" }, member.ErrUnknownDistrict},
		{"empty org", func(r *member.Registration) { r.Org = " " }, member.ErrInvalidOrg},
		{"free-text post", func(r *member.Registration) { r.Post = "经理" }, member.ErrInvalidPost},
		{"bad education", func(r *member.Registration) { r.Education = "小学" }, member.ErrInvalidEducation},
		{"start year too early", func(r *member.Registration) { r.StartYear = 1900 }, member.ErrInvalidStartYear},
		{"start year in future", func(r *member.Registration) { r.StartYear = 2025 }, member.ErrInvalidStartYear},
		{"no user", func(r *member.Registration) { r.UserID = 0 }, member.ErrInvalidUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := reg(100, "13912345678", "鼓楼区", true)
			tt.change(&r)
			_, err := e.svc.Register(e.ctx, r)
			wantErr(t, "register", err, tt.err)
			if n := e.count(t, `SELECT COUNT(*) FROM members`); n != 0 {
				t.Errorf("%d members stored after a refused registration", n)
			}
			if n := e.count(t, `SELECT COUNT(*) FROM member_history`); n != 0 {
				t.Errorf("%d history entries stored after a refused registration", n)
			}
		})
	}
}

func TestRegisterNormalises(t *testing.T) {
	e := newEnv(t)
	r := reg(100, "+86 139-1234-5678", "鼓楼", false)
	r.Name = " 买买提 · 艾力 "
	p, err := e.svc.Register(e.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if p.Phone != "13912345678" || p.District != "鼓楼区" || p.Name != "买买提·艾力" {
		t.Errorf("stored phone %q district %q name %q", p.Phone, p.District, p.Name)
	}
	got, err := e.svc.Get(e.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != p.ID || got.Phone != "13912345678" || got.Status != member.StatusPending || got.PhoneVerified {
		t.Errorf("Get = %+v", got)
	}
	if !got.CreatedAt.Equal(e.clock.t.Truncate(time.Second)) {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, e.clock.t)
	}
}

func TestRegisterRosterOrPending(t *testing.T) {
	tests := []struct {
		name     string
		phone    string
		district string
		verified bool
		want     member.Status
		history  []member.HistoryKind
	}{
		{"verified phone on the district's roster", "13900000001", "鼓楼区", true, member.StatusApproved,
			[]member.HistoryKind{member.HistoryJoined, member.HistoryApproved}},
		{"typed phone on the roster", "13900000001", "鼓楼区", false, member.StatusPending,
			[]member.HistoryKind{member.HistoryJoined}},
		{"verified phone on another district's roster", "13900000001", "云龙区", true, member.StatusPending,
			[]member.HistoryKind{member.HistoryJoined}},
		{"phone on no roster", "13900000009", "鼓楼区", true, member.StatusPending,
			[]member.HistoryKind{member.HistoryJoined}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if _, err := e.svc.ImportRoster(e.ctx, coordGulou, []member.RosterRow{{Line: 2, Name: "张三", Phone: "13900000001", District: "鼓楼区"}}, nil); err != nil {
				t.Fatal(err)
			}
			p := e.register(t, 100, tt.phone, tt.district, tt.verified)
			if p.Status != tt.want || e.status(t, p.ID) != tt.want {
				t.Fatalf("status = %s (stored %s), want %s", p.Status, e.status(t, p.ID), tt.want)
			}
			if got := e.kinds(t, 100, p.ID); !slices.Equal(got, tt.history) {
				t.Errorf("history = %v, want %v", got, tt.history)
			}
			audits := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'approved' AND target_member = ? AND actor IS NULL AND reason = 'roster'`, p.ID)
			if wantAudits := map[bool]int{true: 1, false: 0}[tt.want == member.StatusApproved]; audits != wantAudits {
				t.Errorf("%d roster approvals audited, want %d", audits, wantAudits)
			}
			pending, err := e.svc.Pending(e.ctx, coordCity)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(pending) == 1; got != (tt.want == member.StatusPending) {
				t.Errorf("pending list has %d entries for a %s registration", len(pending), tt.want)
			}
		})
	}
}

func TestRegisterTwice(t *testing.T) {
	e := newEnv(t)
	p := e.register(t, 100, "13912345678", "鼓楼区", true)
	r := reg(100, "13912345679", "鼓楼区", true)
	_, err := e.svc.Register(e.ctx, r)
	wantErr(t, "second registration", err, member.ErrAlreadyRegistered)

	_, err = e.svc.Register(e.ctx, reg(101, "13912345678", "云龙区", true))
	wantErr(t, "someone else's phone", err, member.ErrPhoneTaken)

	// Rejected: the user may register again, and Get shows the live profile.
	if _, err := e.svc.Reject(e.ctx, coordGulou, p.ID, "不是本区党务工作者"); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Get(e.ctx, 100)
	if err != nil || got.Status != member.StatusRejected || got.StatusReason != "不是本区党务工作者" {
		t.Fatalf("Get after rejection = %+v, %v", got, err)
	}
	p2, err := e.svc.Register(e.ctx, reg(100, "13912345678", "云龙区", true))
	if err != nil {
		t.Fatalf("register after rejection: %v", err)
	}
	got, err = e.svc.Get(e.ctx, 100)
	if err != nil || got.ID != p2.ID || got.Status != member.StatusPending {
		t.Fatalf("Get after re-registration = %+v, %v; want pending %d", got, err, p2.ID)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM members WHERE user_id = 100`); n != 2 {
		t.Errorf("%d profiles for the user, want 2 (rejected and new)", n)
	}

	_, err = e.svc.Get(e.ctx, 999)
	wantErr(t, "Get of a stranger", err, member.ErrNotFound)
}

func TestUpdate(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.ImportRoster(e.ctx, coordCity, []member.RosterRow{
		{Line: 2, Name: "张三", Phone: "13900000001", District: "云龙区"},
		{Line: 3, Name: "李四", Phone: "13900000002", District: "泉山区"},
	}, nil); err != nil {
		t.Fatal(err)
	}
	p := e.approved(t, 100, "13900000001", "鼓楼区")

	// Plain edits keep the status.
	p, err := e.svc.Update(e.ctx, 100, member.FieldName, "张 三丰")
	if err != nil || p.Name != "张三丰" || p.Status != member.StatusApproved {
		t.Fatalf("rename: %+v, %v", p, err)
	}
	if p, err = e.svc.Update(e.ctx, 100, member.FieldStartYear, "2010"); err != nil || p.StartYear != 2010 {
		t.Fatalf("start year: %+v, %v", p, err)
	}
	_, err = e.svc.Update(e.ctx, 100, member.FieldPost, "总经理")
	wantErr(t, "bad post", err, member.ErrInvalidPost)
	_, err = e.svc.Update(e.ctx, 100, member.Field("status"), "approved")
	wantErr(t, "unknown field", err, member.ErrUnknownField)
	_, err = e.svc.Update(e.ctx, 555, member.FieldName, "王五")
	wantErr(t, "no profile", err, member.ErrNotFound)

	// Moving to a district whose roster has the verified phone: stays approved.
	if p, err = e.svc.Update(e.ctx, 100, member.FieldDistrict, "云龙"); err != nil {
		t.Fatal(err)
	}
	if p.District != "云龙区" || p.Status != member.StatusApproved {
		t.Fatalf("moved to roster district: %s %s", p.District, p.Status)
	}
	// Moving elsewhere: back to pending for the new district's coordinator.
	if p, err = e.svc.Update(e.ctx, 100, member.FieldDistrict, "贾汪区"); err != nil {
		t.Fatal(err)
	}
	if p.District != "贾汪区" || p.Status != member.StatusPending {
		t.Fatalf("moved off roster: %s %s", p.District, p.Status)
	}
	// (the approval in 云龙区 is its roster's)
	want := []member.HistoryKind{member.HistoryJoined, member.HistoryApproved, member.HistoryMoved, member.HistoryApproved, member.HistoryMoved, member.HistoryPending}
	if got := e.kinds(t, 100, p.ID); !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	hs, _ := e.svc.History(e.ctx, 100, p.ID)
	if h := hs[4]; h.FromDistrict != "云龙区" || h.ToDistrict != "贾汪区" {
		t.Errorf("move entry from %q to %q", h.FromDistrict, h.ToDistrict)
	}

	// A pending member whose new verified phone is on their roster is approved.
	if p, err = e.svc.Update(e.ctx, 100, member.FieldDistrict, "泉山区"); err != nil || p.Status != member.StatusPending {
		t.Fatalf("move to 泉山区: %+v, %v", p, err)
	}
	if p, err = e.svc.UpdatePhone(e.ctx, 100, "+86 139 0000 0002", false); err != nil || p.Status != member.StatusPending {
		t.Fatalf("typed phone on roster: %s, %v", p.Status, err)
	}
	if p, err = e.svc.UpdatePhone(e.ctx, 100, "13900000002", true); err != nil || p.Status != member.StatusApproved || !p.PhoneVerified {
		t.Fatalf("verified phone on roster: %+v, %v", p, err)
	}

	e.register(t, 101, "13912345678", "鼓楼区", true)
	_, err = e.svc.UpdatePhone(e.ctx, 100, "13912345678", true)
	wantErr(t, "phone of another member", err, member.ErrPhoneTaken)
	if got, _ := e.svc.Get(e.ctx, 100); got.Phone != "13900000002" {
		t.Errorf("phone changed to %s despite the refusal", got.Phone)
	}
}
