package scheduler_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

// A city-wide coordinator writes a recurring notice for 泉山区 only (the
// bot's form: 面向区县：泉山区, stored with District "" and the audience
// 泉山区). Made 泉山区's coordinator, they still cover every district it
// goes to, and it runs on, as a scheduled broadcast does
// (TestScheduledBroadcastGoesByTheAuthorsAccessThen); made another
// district's, it is paused and they are told.
func TestRecurringNoticeOfACityCoordinatorNarrowedToItsDistrict(t *testing.T) {
	e := newEnv(t)
	e.user(cityID)
	e.grant(cityID, "")
	city := member.Access{UserID: cityID, Role: member.RoleCoordinator}
	sc := e.saveSchedule(city, scheduler.Schedule{Title: "泉山每日学习", Text: "学习", Spec: "0 10 * * *",
		Audience: scheduler.Audience{Districts: []string{"泉山区"}}}, false)
	e.grant(cityID, "泉山区")

	e.clock.Set(time.Date(2025, 3, 3, 10, 0, 0, 0, shanghai))
	e.tick()
	if got, _ := e.st.Schedule(e.ctx, sc.ID); got.Paused {
		t.Errorf("the notice to 泉山区 was paused after its author became 泉山区's coordinator")
	}
	if rs := e.rows(`ref = ?`, fmt.Sprintf("schedule:%d:lapsed", sc.ID)); len(rs) != 0 {
		t.Errorf("its author was told it lapsed: %q", rs[0].Text)
	}
	if to := chats(e.rows(`ref = ?`, fmt.Sprintf("schedule:%d", sc.ID))); !slices.Equal(to, []int64{q1, q2}) {
		t.Errorf("the notice to 泉山区 reached %v, want 泉山区's workers %v", to, []int64{q1, q2})
	}

	e.grant(cityID, "鼓楼区")
	e.clock.Set(time.Date(2025, 3, 4, 10, 0, 0, 0, shanghai))
	e.tick()
	if got, _ := e.st.Schedule(e.ctx, sc.ID); !got.Paused {
		t.Errorf("the notice to 泉山区 runs on after its author became 鼓楼区's coordinator")
	}
	if rs := e.rows(`ref = ?`, fmt.Sprintf("schedule:%d:lapsed", sc.ID)); len(rs) != 1 {
		t.Errorf("its author was told %d times it lapsed, want once", len(rs))
	}
}
