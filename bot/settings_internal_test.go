package bot

import (
	"testing"
	"time"
)

func TestQuietHours(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, loc) }
	night, err := ParseQuietHours("22:00-07:00")
	if err != nil {
		t.Fatal(err)
	}
	noon, _ := ParseQuietHours("12:00-13:30")
	cases := []struct {
		q     QuietHours
		t     time.Time
		quiet bool
		until time.Time
	}{
		{night, at(3, 21, 59), false, time.Time{}},
		{night, at(3, 22, 0), true, at(4, 7, 0)},
		{night, at(3, 23, 59), true, at(4, 7, 0)},
		{night, at(4, 0, 0), true, at(4, 7, 0)},
		{night, at(4, 6, 59), true, at(4, 7, 0)},
		{night, at(4, 7, 0), false, time.Time{}},
		{noon, at(3, 12, 30), true, at(3, 13, 30)},
		{noon, at(3, 13, 30), false, time.Time{}},
		{QuietHours{}, at(3, 23, 0), false, time.Time{}},
	}
	for _, c := range cases {
		until, quiet := c.q.In(c.t.UTC(), loc)
		if quiet != c.quiet || !until.Equal(c.until) {
			t.Errorf("%+v at %s: %v until %s, want %v until %s", c.q, c.t.Format("15:04"), quiet, until, c.quiet, c.until)
		}
	}
	for _, bad := range []string{"22-07", "25:00-07:00", "22:00", "晚上"} {
		if _, err := ParseQuietHours(bad); err == nil {
			t.Errorf("ParseQuietHours(%q) accepted", bad)
		}
	}
	if q, err := ParseQuietHours("off"); err != nil || q.Start != q.End {
		t.Errorf("off = %+v, %v", q, err)
	}
}
