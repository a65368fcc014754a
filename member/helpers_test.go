package member_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
)

const districtsYAML = `districts:
  - name: 鼓楼区
    aliases: [鼓楼]
  - name: 云龙区
    aliases: [云龙]
  - name: 贾汪区
    aliases: [贾汪]
  - name: 泉山区
    aliases: [泉山]
  - name: 铜山区
    aliases: [铜山]
  - name: 徐州经济技术开发区
    aliases: [经开区, 开发区]
  - name: 丰县
  - name: 沛县
  - name: 睢宁县
    aliases: [睢宁]
  - name: 邳州市
    aliases: [邳州]
  - name: 新沂市
    aliases: [新沂]
`

// Users of the tests.
const (
	admin      int64 = 1
	coordGulou int64 = 10 // coordinator of 鼓楼区
	coordYunl  int64 = 11 // coordinator of 云龙区
	coordCity  int64 = 12 // city-wide coordinator
)

// clock is a controlled clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }
func shanghai() *time.Location           { return time.FixedZone("CST", 8*3600) }
func newClock() *clock                   { return &clock{t: time.Date(2024, 6, 1, 10, 0, 0, 0, shanghai())} }
func mustDistricts(tb testing.TB) member.Districts {
	tb.Helper()
	d, err := member.ParseDistricts([]byte(districtsYAML))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

type env struct {
	svc   *member.Service
	db    *store.DB
	clock *clock
	ctx   context.Context
}

// newEnvWith opens a fresh database and wraps its store with wrap (if any).
func newEnvWith(tb testing.TB, wrap func(member.Store) member.Store) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "dangwu.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	var st member.Store = store.NewMemberStore(db)
	if wrap != nil {
		st = wrap(st)
	}
	c := newClock()
	svc := member.NewService(st, mustDistricts(tb), []int64{admin})
	svc.Now = c.Now
	e := &env{svc: svc, db: db, clock: c, ctx: ctx}
	e.must(tb, e.grant(coordGulou, "鼓楼区"))
	e.must(tb, e.grant(coordYunl, "云龙区"))
	e.must(tb, e.grant(coordCity, ""))
	return e
}

func newEnv(tb testing.TB) *env { return newEnvWith(tb, nil) }

func (e *env) grant(userID int64, district string) error {
	_, err := e.svc.Grant(e.ctx, admin, userID, district)
	return err
}

func (e *env) must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// reg is a valid registration for userID.
func reg(userID int64, phone, district string, verified bool) member.Registration {
	return member.Registration{
		UserID: userID, Name: "张三", Phone: phone, PhoneVerified: verified, District: district,
		Org: "徐州某某科技有限公司党支部", Post: "党组织书记", Education: "本科", StartYear: 2015,
	}
}

func (e *env) register(tb testing.TB, userID int64, phone, district string, verified bool) member.Profile {
	tb.Helper()
	p, err := e.svc.Register(e.ctx, reg(userID, phone, district, verified))
	if err != nil {
		tb.Fatalf("register %d: %v", userID, err)
	}
	return p
}

// approved registers userID and has their district's coordinator approve them.
func (e *env) approved(tb testing.TB, userID int64, phone, district string) member.Profile {
	tb.Helper()
	p := e.register(tb, userID, phone, district, true)
	p, err := e.svc.Approve(e.ctx, coordCity, p.ID)
	if err != nil {
		tb.Fatalf("approve %d: %v", userID, err)
	}
	return p
}

func (e *env) count(tb testing.TB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(e.ctx, query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *env) status(tb testing.TB, memberID int64) member.Status {
	tb.Helper()
	var s string
	err := e.db.SQL().QueryRowContext(e.ctx, `SELECT status FROM members WHERE id = ?`, memberID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		tb.Fatalf("member %d not stored", memberID)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return member.Status(s)
}

func (e *env) kinds(tb testing.TB, actor, memberID int64) []member.HistoryKind {
	tb.Helper()
	hs, err := e.svc.History(e.ctx, actor, memberID)
	if err != nil {
		tb.Fatalf("history of %d: %v", memberID, err)
	}
	var ks []member.HistoryKind
	for _, h := range hs {
		ks = append(ks, h.Kind)
	}
	return ks
}

func wantErr(tb testing.TB, what string, err, want error) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}
