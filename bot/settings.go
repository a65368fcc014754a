package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/quiz"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/go-telegram/bot/models"
)

// /settings: each kind of push on or off, and the time of the daily quiz
// push. Every reminder carries a button that opens it.
//
// Buttons (prefix st): st:open, st:t:<kind> toggle a kind, st:d:<HH:MM>
// the daily push's time ("off" for none).

// dailyTimes are the times offered for the daily push.
var dailyTimes = []string{"07:00", "07:30", "08:00", "12:00", "18:00", "20:00"}

// pushKeys name the kinds of pushes, in scheduler.PushKinds order.
var pushKeys = map[string]string{
	scheduler.PushBroadcast: "settings.kind_broadcast",
	scheduler.PushReminder:  "settings.kind_reminder",
	scheduler.PushSchedule:  "settings.kind_schedule",
	scheduler.PushDaily:     "settings.kind_daily",
}

// QuietHours hold non-urgent pushes: from Start to End each day (minutes
// after midnight in the bot's zone; Start > End spans midnight). Equal
// values mean none.
type QuietHours struct {
	Start, End int
}

// DefaultQuietHours are 22:00–07:00.
var DefaultQuietHours = QuietHours{Start: 22 * 60, End: 7 * 60}

// ParseQuietHours reads "22:00-07:00"; "" or "off" means none.
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" {
		return QuietHours{}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	h1, m1, ok1 := parseClockText(from)
	h2, m2, ok2 := parseClockText(to)
	if !ok || !ok1 || !ok2 {
		return QuietHours{}, fmt.Errorf("quiet hours %q: write them as 22:00-07:00, or off", s)
	}
	return QuietHours{Start: h1*60 + m1, End: h2*60 + m2}, nil
}

// In reports whether t (in loc) is in the quiet hours and when they end.
func (q QuietHours) In(t time.Time, loc *time.Location) (time.Time, bool) {
	if q.Start == q.End {
		return time.Time{}, false
	}
	local := t.In(loc)
	minute := local.Hour()*60 + local.Minute()
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	end := midnight.Add(time.Duration(q.End) * time.Minute)
	switch {
	case q.Start < q.End && minute >= q.Start && minute < q.End:
		return end, true
	case q.Start > q.End && minute >= q.Start:
		return end.AddDate(0, 0, 1), true
	case q.Start > q.End && minute < q.End:
		return end, true
	}
	return time.Time{}, false
}

func (b *Bot) quietNow() bool {
	_, quiet := b.quiet.In(b.now(), b.loc)
	return quiet
}

func (b *Bot) cmdSettings(ctx context.Context, r *request) error {
	m, err := b.settingsMessage(ctx, r.userID)
	if err != nil {
		return err
	}
	return b.send(ctx, r.chatID, m)
}

func (b *Bot) settingsMessage(ctx context.Context, userID int64) (message, error) {
	off, err := b.sched.PushOff(ctx, userID)
	if err != nil {
		return message{}, err
	}
	daily := ""
	if b.quiz != nil {
		p, err := b.quiz.Prefs(ctx, userID)
		if err != nil {
			return message{}, err
		}
		daily = p.Daily
	}
	var rows [][]models.InlineKeyboardButton
	for _, kind := range scheduler.PushKinds {
		if kind == scheduler.PushDaily && b.quiz == nil {
			continue
		}
		mark := "✅ "
		if off[kind] {
			mark = "🔕 "
		}
		rows = append(rows, []models.InlineKeyboardButton{button(mark+t(pushKeys[kind]), "st", "t", kind)})
	}
	if b.quiz != nil {
		var times []models.InlineKeyboardButton
		for _, at := range dailyTimes {
			label := at
			if at == daily {
				label = "● " + at
			}
			times = append(times, button(label, "st", "d", strings.Replace(at, ":", "", 1)))
		}
		rows = append(rows, grid(times, 3)...)
		rows = append(rows, []models.InlineKeyboardButton{button(t("settings.daily_off"), "st", "d", "off")})
	}
	station := t("settings.station_unset")
	if v, err := b.sched.Station(ctx, userID); err == nil {
		station = esc(v.Name)
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("settings.station_button"), "st", "v")})
	dailyText := t("settings.daily_none")
	if daily != "" {
		dailyText = t("settings.daily_at", daily)
	}
	quiet := t("settings.quiet_none")
	if b.quiet.Start != b.quiet.End {
		quiet = t("settings.quiet", clock(b.quiet.Start), clock(b.quiet.End))
	}
	return message{text: t("settings.head", dailyText, quiet, station), markup: keyboard(rows...)}, nil
}

func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

func (b *Bot) onSettingsButton(ctx context.Context, r *request, payload string) error {
	if b.sched == nil {
		return b.staleButton(ctx, r)
	}
	action, arg, _ := strings.Cut(payload, ":")
	switch action {
	case "open":
		m, err := b.settingsMessage(ctx, r.userID)
		if err != nil {
			return err
		}
		b.ack(r, "", false)
		return b.send(ctx, r.userID, m)
	case "t":
		off, err := b.sched.PushOff(ctx, r.userID)
		if err != nil {
			return err
		}
		if err := b.atomic(ctx, func(ctx context.Context) error { return b.sched.SetPush(ctx, r.userID, arg, !off[arg]) }); err != nil {
			return b.staleButton(ctx, r)
		}
	case "d":
		if b.quiz == nil {
			return b.staleButton(ctx, r)
		}
		at := ""
		if arg != "off" {
			h, m, ok := parseClockText(arg[:min(2, len(arg))] + ":" + arg[min(2, len(arg)):])
			if !ok || len(arg) != 4 || strings.Trim(arg, "0123456789") != "" {
				return b.staleButton(ctx, r)
			}
			at = fmt.Sprintf("%02d:%02d", h, m)
		}
		p, err := b.quiz.Prefs(ctx, r.userID)
		if err != nil {
			return err
		}
		p.Daily = at
		if err := b.atomic(ctx, func(ctx context.Context) error { return b.quiz.SetPrefs(ctx, r.userID, p) }); err != nil {
			return err
		}
	case "v":
		page, _ := strconv.Atoi(arg)
		return b.stationMenu(ctx, r, page)
	case "vs":
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return b.staleButton(ctx, r)
		}
		if err := b.atomic(ctx, func(ctx context.Context) error { return b.sched.SetStation(ctx, r.userID, id) }); err != nil {
			if msg := venueRefusal(err); msg != "" {
				return b.refuse(ctx, r, msg)
			}
			return err
		}
	default:
		return b.staleButton(ctx, r)
	}
	m, err := b.settingsMessage(ctx, r.userID)
	if err != nil {
		return err
	}
	b.ack(r, t("settings.saved"), false)
	return b.editCallbackMessage(ctx, r, m)
}

// pushDaily queues the daily quiz push to those whose time has come.
func (b *Bot) pushDaily(ctx context.Context) {
	if b.quiz == nil || b.sched == nil {
		return
	}
	n, err := b.quiz.DailyPushes(ctx, func(ctx context.Context, userID int64) error {
		off, err := b.sched.PushOff(ctx, userID)
		if err != nil || off[scheduler.PushDaily] {
			return err
		}
		return b.queue(ctx, scheduler.PushDaily, notice{chatID: userID, msg: message{text: t("daily.push", quiz.DailySize),
			markup: keyboard([]models.InlineKeyboardButton{button(t("daily.start"), "dy", "go"), settingsButton()})}})
	})
	if err != nil && ctx.Err() == nil {
		b.log.Error("daily push", "err", err)
	}
	if n > 0 {
		b.sender.Wake()
	}
}
