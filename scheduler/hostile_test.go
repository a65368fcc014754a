package scheduler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/scheduler"
)

// Hostile tests of the scheduler: each attack once found the bug its "Was
// a bug" comment describes (in the code as it stood then), and now guards
// the fix. The attacks it always withstood are in defence_test.go.

// Was a bug: moving an event earlier fires its 24-hour reminder at once,
// marked late: scheduler/service.go UpdateEvent → store PutReminders
// keeps a pending reminder pending when its new time has already passed
// ("keeps its state"), so the next tick sends "距开始还有 24 小时" with
// "（这条提醒因系统维护延迟送达。）" for an event three hours away — no
// maintenance, no 24 hours. UpdateEvent's own comment says only
// reminders whose new time is still ahead are due again.
func TestHostileMovedEarlierFiresAFalseLateReminder(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	ev := e.newEvent(gulou, func(ev *scheduler.Event) {
		ev.Start, ev.End = now.Add(30*time.Hour), now.Add(33*time.Hour)
	})
	e.signUp(ev.ID, g1)
	moved := ev
	moved.Start, moved.End = now.Add(3*time.Hour), now.Add(6*time.Hour)
	if _, err := e.svc.UpdateEvent(e.ctx, gulou, moved); err != nil {
		t.Fatal(err)
	}
	e.tick()
	for _, r := range e.rows(`ref = ? AND text LIKE 'reminder%'`, eventRef(ev.ID)) {
		if strings.Contains(r.Text, "24h0m0s") {
			t.Errorf("an event moved to three hours from now got %q", r.Text)
		}
	}
}

// Was a bug: a district's events after the city's first 500 are invisible:
// scheduler/service.go Upcoming and ManagedEvents read
// store.Events(now, 500) for the whole city and only then keep the
// person's (or the coordinator's) district, so once other districts have
// 500 events coming up (events.yaml may hold 5,000), a 泉山区 worker's
// /events says 近期没有面向您的活动 and the 泉山区 coordinator's list,
// and the 某活动的报名者 picker of /broadcast, lack the district's event.
func TestHostileEventsAfterTheCitysFirstFiveHundredAreInvisible(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	for i := range 500 {
		e.newEvent(gulou, func(ev *scheduler.Event) {
			ev.Title = fmt.Sprintf("鼓楼区活动%d", i)
			ev.Start, ev.End = now.Add(24*time.Hour+time.Duration(i)*time.Minute), now.Add(25*time.Hour+time.Duration(i)*time.Minute)
		})
	}
	ours := e.newEvent(quan, func(ev *scheduler.Event) {
		ev.Title = "泉山区的培训"
		ev.Start, ev.End = now.Add(30*24*time.Hour), now.Add(30*24*time.Hour+3*time.Hour)
	})
	upcoming, err := e.svc.Upcoming(e.ctx, q1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(upcoming) == 0 || upcoming[0].Event.ID != ours.ID {
		t.Errorf("a 泉山区 worker's upcoming events: %d, without %q", len(upcoming), ours.Title)
	}
	managed, err := e.svc.ManagedEvents(e.ctx, quan, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(managed) == 0 || managed[0].Event.ID != ours.ID {
		t.Errorf("the 泉山区 coordinator manages %d events, without %q", len(managed), ours.Title)
	}
}

// Was a bug: a worker marked as left keeps their place at an event and its
// reminders: scheduler/service.go remind sends to every registered
// sign-up (signupUsers) without asking whether the person is still an
// approved worker, and nothing moves the waiting list up when one leaves,
// so the place stays taken by someone who is gone while an approved
// worker waits, and the one who left is still messaged (a broadcast to
// the event's registrants leaves them out: Resolve takes approved only).
func TestHostileWorkerWhoLeftKeepsPlaceAndReminders(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	ev := e.newEvent(gulou, func(ev *scheduler.Event) {
		ev.Capacity = 1
		ev.Start, ev.End = now.Add(30*time.Hour), now.Add(33*time.Hour)
	})
	e.signUp(ev.ID, g1, g2) // g1 registered, g2 waiting
	e.exec(`UPDATE members SET status = 'left', left_on = '2025-03-03' WHERE user_id = ?`, g1)
	e.clock.Advance(6*time.Hour + time.Minute) // the 24-hour reminder is due
	e.tick()
	for _, r := range e.rows(`ref = ? AND text LIKE 'reminder%'`, eventRef(ev.ID)) {
		if r.Chat == g1 {
			t.Errorf("the worker who left was reminded: %q", r.Text)
		}
	}
	if got := e.signups(ev.ID); len(got) > 0 && got[0] == fmt.Sprintf("%d:registered", g1) {
		t.Errorf("the worker who left still holds the only place: %v", got)
	}
}
