package bot

import (
	"testing"
	"time"
)

func notStaff() bool { return false }

// 150,000 distinct senders in one minute: the gate holds at most
// floodMaxTracked of them, and forgets them all once they are idle.
func TestFloodGateMemoryIsBounded(t *testing.T) {
	g := newFloodGate(FloodLimits{})
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for id := range int64(150_000) {
		at := t0.Add(time.Duration(id) * 400 * time.Microsecond) // a minute in all
		if v, _ := g.check(id+1, floodMessageCost, at, notStaff); v != floodPass {
			t.Fatalf("sender %d's first message: verdict %v, want it handled", id+1, v)
		}
		if n := g.tracked(); n > floodMaxTracked {
			t.Fatalf("after %d senders the gate holds %d, more than %d", id+1, n, floodMaxTracked)
		}
	}
	later := t0.Add(time.Minute + g.idleAfter() + time.Second)
	g.check(1, floodMessageCost, later, notStaff)
	if n := g.tracked(); n != 1 {
		t.Errorf("after everyone was idle the gate holds %d, want only the one who wrote since", n)
	}
}

// A forgotten person is the same as a stranger: their bucket is full again.
func TestFloodGateForgetsOnlyWhatNoLongerMatters(t *testing.T) {
	g := newFloodGate(FloodLimits{PerMinute: 3, Silence: time.Minute})
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	verdicts := func(at time.Time, n int) []floodVerdict {
		var out []floodVerdict
		for range n {
			v, _ := g.check(7, floodMessageCost, at, notStaff)
			out = append(out, v)
		}
		return out
	}
	if got := verdicts(t0, 5); got[2] != floodPass || got[3] != floodNotify || got[4] != floodDrop {
		t.Fatalf("3 a minute, 5 at once: %v, want pass pass pass notify drop", got)
	}
	// Someone else writes after a sweep period: person 7, silenced and
	// told, is kept (their notice window is not over).
	g.check(8, floodMessageCost, t0.Add(2*floodSweepEvery), notStaff)
	if !g.known(7) {
		t.Fatal("a person inside their notice window was forgotten")
	}
	// After the silence they are handled again; a new flood is dropped
	// without a second notice.
	if got := verdicts(t0.Add(2*time.Minute), 4); got[0] != floodPass || got[3] != floodDrop {
		t.Errorf("after the silence: %v, want handled, then dropped without a notice", got)
	}
	// Idle past the notice window: forgotten, and a later flood is told again.
	much := t0.Add(2*time.Minute + g.idleAfter() + time.Second)
	g.check(8, floodMessageCost, much, notStaff)
	if g.known(7) {
		t.Fatal("an idle person was kept")
	}
	if got := verdicts(much, 4); got[3] != floodNotify {
		t.Errorf("a flood long after: %v, want a notice again", got)
	}
}

// Inline queries count half: Telegram sends one as the person types.
func TestFloodInlineQueriesCountHalf(t *testing.T) {
	g := newFloodGate(FloodLimits{PerMinute: 5})
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 10 {
		if v, _ := g.check(9, floodInlineCost, t0, notStaff); v != floodPass {
			t.Fatalf("inline query %d of 10 with a limit of 5 messages: %v", i+1, v)
		}
	}
	if v, _ := g.check(9, floodInlineCost, t0, notStaff); v != floodNotify {
		t.Errorf("the 11th inline query: %v, want the notice", v)
	}
}

// Staff get their own limit, asked once for a new bucket.
func TestFloodGateStaffLimit(t *testing.T) {
	g := newFloodGate(FloodLimits{PerMinute: 2, StaffPerMinute: 4})
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	asked := 0
	staff := func() bool { asked++; return true }
	for i := range 4 {
		if v, limit := g.check(10, floodMessageCost, t0, staff); v != floodPass || limit != 4 {
			t.Fatalf("staff message %d: %v (limit %d), want handled with a limit of 4", i+1, v, limit)
		}
	}
	if v, _ := g.check(10, floodMessageCost, t0, staff); v != floodNotify {
		t.Errorf("staff message 5: %v, want the notice", v)
	}
	if asked != 1 {
		t.Errorf("the role was asked %d times, want once", asked)
	}
}

// Someone made a coordinator while their ordinary bucket is in use gets
// the higher limit, less what they used, when the ordinary one runs out.
func TestFloodGatePromotion(t *testing.T) {
	g := newFloodGate(FloodLimits{PerMinute: 2, StaffPerMinute: 5})
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	isStaff := false
	staff := func() bool { return isStaff }
	for i := range 2 {
		if v, _ := g.check(11, floodMessageCost, t0, staff); v != floodPass {
			t.Fatalf("message %d: %v", i+1, v)
		}
	}
	isStaff = true // granted now
	for i := range 3 {
		if v, limit := g.check(11, floodMessageCost, t0, staff); v != floodPass || limit != 5 {
			t.Fatalf("message %d after the grant: %v (limit %d), want handled with the staff limit", i+3, v, limit)
		}
	}
	if v, _ := g.check(11, floodMessageCost, t0, staff); v != floodNotify {
		t.Errorf("message 6 with a staff limit of 5: %v, want the notice", v)
	}
}
