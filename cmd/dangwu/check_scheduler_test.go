package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckSchedulerContent(t *testing.T) {
	env, out, errOut := testEnv("", nil)
	if code := Main(context.Background(), []string{"check"}, env); code != 0 {
		t.Fatalf("the embedded content: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out.String(), "5 venues, 3 schedules, 0 events") {
		t.Errorf("check of the embedded content = %q, want its venues, schedules and events counted", out)
	}

	dir := t.TempDir()
	for name, data := range map[string]string{
		"venues.yaml": "- id: post\n  name: 驿站\n  kind: 红色驿站\n  district: 云龙\n" +
			"- id: cafe\n  name: 咖啡馆\n  kind: 咖啡馆\n",
		"schedules.yaml": "- id: often\n  title: 提醒\n  text: 内容。\n  spec: \"* 9 * * 1\"\n",
		"events.yaml": "- id: forum\n  kind: 先锋论坛\n  title: 论坛\n  start: 2027-03-01 14:00\n  end: 2027-03-01 12:00\n  venue: post\n" +
			"- id: trip\n  kind: trip\n  title: 考察\n  start: 2027-03-01 08:00\n  end: 2027-03-01 18:00\n  venue: nowhere\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env, out, errOut = testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", dir}, env); code != 1 {
		t.Fatalf("bad scheduler content: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		`venues.yaml:7: venue "cafe": unknown kind of venue`,
		`schedules.yaml:4: schedule "often": runs twice within 60 minutes`,
		`events.yaml:5: event "forum": event ends before or when it starts`,
		`events.yaml:12: event "trip": no such venue: "nowhere"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut.String(), "4 problems") {
		t.Errorf("check stderr = %q, want 4 problems", errOut)
	}

	// A folder without the three files has none of them, which is fine.
	env, out, errOut = testEnv("", nil)
	if code := Main(context.Background(), []string{"check", "--content", t.TempDir()}, env); code != 0 {
		t.Fatalf("an empty folder: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out.String(), "0 venues, 0 schedules, 0 events") {
		t.Errorf("check of an empty folder = %q", out)
	}
}
