package main

import (
	"strings"
	"testing"

	"github.com/dangwu/dangwu/bot"
)

// --flood (DANGWU_FLOOD) sets the updates a minute one person may send,
// coordinators and admins three times as many, or switches flood control off.
func TestFloodSetting(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	cases := []struct {
		name string
		args []string
		vars map[string]string
		want bot.FloodLimits
		bad  bool
	}{
		{"default", nil, nil, bot.FloodLimits{PerMinute: 20, StaffPerMinute: 60}, false},
		{"flag", []string{"--flood", "30"}, nil, bot.FloodLimits{PerMinute: 30, StaffPerMinute: 90}, false},
		{"env", nil, map[string]string{"DANGWU_FLOOD": "off"}, bot.FloodLimits{Off: true}, false},
		{"flag over env", []string{"--flood", "OFF"}, map[string]string{"DANGWU_FLOOD": "5"}, bot.FloodLimits{Off: true}, false},
		{"not a number", []string{"--flood", "abc"}, nil, bot.FloodLimits{}, true},
		{"zero", []string{"--flood", "0"}, nil, bot.FloodLimits{}, true},
	}
	for _, c := range cases {
		cfg, _, err := loadConfig("run", c.args, env(c.vars), nil)
		switch {
		case c.bad && (err == nil || !strings.Contains(err.Error(), "--flood")):
			t.Errorf("%s: err %v, want a --flood error", c.name, err)
		case !c.bad && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !c.bad && cfg.FloodLimits != c.want:
			t.Errorf("%s: %+v, want %+v", c.name, cfg.FloodLimits, c.want)
		}
	}
}
