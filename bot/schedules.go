package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// Recurring notices (/schedule): the list in the coordinator's scope with
// 暂停 / 恢复 and 删除, and 新建 — a form of 标题, 内容, 频率 (每天, 每周一,
// 每月5日), 时间 and 区县. An administrator may write 频率：cron 0 9 * * 1.
//
// Buttons (prefix sc): sc:new, sc:p:<id> pause, sc:r:<id> resume,
// sc:d:<id> / sc:dok:<id> delete (and confirm).

const flowSchedule = "schedule"

var scheduleFormKeys = []string{"sch.f_title", "sch.f_text", "sch.f_every", "sch.f_at", "sch.f_districts"}

func (b *Bot) cmdSchedule(ctx context.Context, r *request) error {
	return b.scheduleList(ctx, r, false)
}

// schedulesPerPage is how many recurring notices a page of /schedule lists.
const schedulesPerPage = 8

func (b *Bot) scheduleList(ctx context.Context, r *request, edit bool) error {
	return b.schedulePage(ctx, r, 0, edit)
}

func (b *Bot) schedulePage(ctx context.Context, r *request, page int, edit bool) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	list, err := b.sched.Schedules(ctx, actor)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(t("sch.list_head"))
	var rows [][]models.InlineKeyboardButton
	if len(list) == 0 {
		sb.WriteString("\n\n" + t("sch.none"))
	}
	pages := max((len(list)+schedulesPerPage-1)/schedulesPerPage, 1)
	page = min(max(page, 0), pages-1)
	for i := page * schedulesPerPage; i < min((page+1)*schedulesPerPage, len(list)); i++ {
		s := list[i]
		state := t("sch.active")
		toggle := button(t("sch.pause"), "sc", "p", s.ID)
		if s.Paused {
			state, toggle = t("sch.paused"), button(t("sch.resume"), "sc", "r", s.ID)
		}
		scope := t("ev.city")
		if len(s.Audience.Districts) > 0 {
			scope = strings.Join(s.Audience.Districts, "、")
		}
		fmt.Fprintf(&sb, "\n\n%d. <b>%s</b>（%s）\n%s · %s", i+1, esc(truncate(s.Title, 60)), state, esc(truncate(b.describeSpec(s.Spec), 120)), esc(truncate(scope, 200)))
		rows = append(rows, []models.InlineKeyboardButton{toggle, button(t("sch.delete", i+1), "sc", "d", s.ID)})
	}
	if nav := pageButtons(page, pages, func(p int) string { return fmt.Sprintf("sc:pg:%d", p) }); nav != nil {
		rows = append(rows, nav)
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("sch.new"), "sc", "new")})
	return b.sendOrEdit(ctx, r, edit, message{text: sb.String(), markup: keyboard(rows...)})
}

// describeSpec says when a spec runs: 每周一 09:00, or the spec itself.
func (b *Bot) describeSpec(spec string) string {
	rec, ok := scheduler.RecurrenceOf(spec)
	if !ok {
		return "cron " + spec
	}
	at := fmt.Sprintf("%02d:%02d", rec.Hour, rec.Minute)
	switch rec.Every {
	case scheduler.EveryWeek:
		return t("sch.every_week", weekday(rec.Weekday), at)
	case scheduler.EveryMonth:
		return t("sch.every_month", rec.MonthDay, at)
	}
	return t("sch.every_day", at)
}

func (b *Bot) onScheduleButton(ctx context.Context, r *request, payload string) error {
	if b.sched == nil {
		return b.staleButton(ctx, r)
	}
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	action, rest, _ := strings.Cut(payload, ":")
	id, _ := strconv.ParseInt(rest, 10, 64)
	switch action {
	case "pg":
		page, _ := strconv.Atoi(rest)
		return b.schedulePage(ctx, r, page, true)
	case "new":
		c := store.Conversation{Flow: flowSchedule, Step: "form", Data: map[string]string{}}
		example := strings.Join([]string{
			t("sch.f_title") + "：" + t("sch.example_title"),
			t("sch.f_text") + "：" + t("sch.example_text"),
			t("sch.f_every") + "：" + t("sch.example_every"),
			t("sch.f_at") + "：09:00",
			t("sch.f_districts") + "：" + actor.District,
		}, "\n")
		b.ack(r, "", false)
		return b.askPrivately(ctx, r, c, t("sch.form_intro")+"\n\n<code>"+esc(example)+"</code>")
	case "p", "r":
		err = b.atomic(ctx, func(ctx context.Context) error {
			_, err := b.sched.PauseSchedule(ctx, actor, id, action == "p")
			return err
		})
	case "d":
		b.ack(r, "", false)
		return b.send(ctx, r.chatID, message{text: t("sch.delete_confirm"), markup: keyboard(
			[]models.InlineKeyboardButton{button(t("sch.delete_yes"), "sc", "dok", id)})})
	case "dok":
		err = b.atomic(ctx, func(ctx context.Context) error { return b.sched.DeleteSchedule(ctx, actor, id) })
		if err == nil {
			b.ack(r, t("sch.deleted"), false)
			return b.editCallbackMessage(ctx, r, message{text: t("sch.deleted")})
		}
	default:
		return b.staleButton(ctx, r)
	}
	if msg := scheduleRefusal(err); msg != "" {
		return b.refuse(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.scheduleList(ctx, r, true)
}

// scheduleFlow takes the filled form of a new recurring notice.
func (b *Bot) scheduleFlow(ctx context.Context, r *request, c store.Conversation) error {
	actor, err := b.schedAccess(ctx, r)
	if err != nil {
		return err
	}
	sc, raw, problem := b.parseScheduleForm(actor, r.msg.Text)
	if problem != "" {
		return b.reply(ctx, r, problem)
	}
	err = b.atomic(ctx, func(ctx context.Context) error {
		if sc, err = b.sched.SaveSchedule(ctx, actor, sc, raw); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := scheduleRefusal(err); msg != "" {
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	next, _ := scheduler.NextRun(sc.Spec, b.now(), b.loc)
	return b.reply(ctx, r, t("sch.saved", esc(sc.Title), esc(b.describeSpec(sc.Spec)), next.In(b.loc).Format("2006-01-02 15:04")))
}

func (b *Bot) parseScheduleForm(actor member.Access, text string) (scheduler.Schedule, bool, string) {
	fields := map[string]string{}
	last := ""
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.Replace(strings.TrimSpace(line), ":", "：", 1), "：")
		if ok && isFormKey(scheduleFormKeys, strings.TrimSpace(k)) {
			last = strings.TrimSpace(k)
			fields[last] = strings.TrimSpace(v)
			continue
		}
		if last == t("sch.f_text") {
			fields[last] += "\n" + line // the notice may have several lines
			continue
		}
		if strings.TrimSpace(line) != "" {
			return scheduler.Schedule{}, false, t("ev.form_line", esc(truncate(line, 40)))
		}
	}
	get := func(key string) string { return strings.TrimSpace(fields[t(key)]) }
	sc := scheduler.Schedule{Title: get("sch.f_title"), Text: get("sch.f_text"), District: actor.District}
	every := get("sch.f_every")
	if spec, ok := strings.CutPrefix(every, "cron"); ok {
		sc.Spec = strings.TrimSpace(spec)
		return b.scheduleDistricts(sc, get("sch.f_districts")), true, ""
	}
	h, m, ok := parseClockText(get("sch.f_at"))
	if !ok {
		return sc, false, t("sch.bad_at")
	}
	rec := scheduler.Recurrence{Hour: h, Minute: m}
	switch {
	case every == t("sch.daily_word"):
		rec.Every = scheduler.EveryDay
	case strings.HasPrefix(every, t("sch.weekly_word")):
		rec.Every = scheduler.EveryWeek
		wd := -1
		for i, k := range weekdayKeys {
			if strings.TrimPrefix(every, t("sch.weekly_word")) == t(k) {
				wd = i
			}
		}
		if wd < 0 {
			return sc, false, t("sch.bad_every")
		}
		rec.Weekday = time.Weekday(wd)
	case strings.HasPrefix(every, t("sch.monthly_word")):
		rec.Every = scheduler.EveryMonth
		day := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(every, t("sch.monthly_word")), "日"), "号")
		n, err := strconv.Atoi(day)
		if err != nil || n < 1 || n > scheduler.MaxMonthDay {
			return sc, false, t("sch.bad_monthday", scheduler.MaxMonthDay)
		}
		rec.MonthDay = n
	default:
		return sc, false, t("sch.bad_every")
	}
	if err := rec.Validate(); err != nil {
		return sc, false, t("sch.bad_every")
	}
	sc.Spec = rec.Spec()
	return b.scheduleDistricts(sc, get("sch.f_districts")), false, ""
}

func (b *Bot) scheduleDistricts(sc scheduler.Schedule, text string) scheduler.Schedule {
	if text == "" || text == t("ev.city") {
		return sc
	}
	for _, name := range strings.FieldsFunc(text, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ' ' }) {
		if full, ok := b.members.Districts().Resolve(name); ok {
			sc.Audience.Districts = append(sc.Audience.Districts, full)
		} else {
			sc.Audience.Districts = append(sc.Audience.Districts, name) // refused by the service
		}
	}
	return sc
}

func isFormKey(keys []string, k string) bool {
	for _, key := range keys {
		if t(key) == k {
			return true
		}
	}
	return false
}

func parseClockText(s string) (int, int, bool) {
	s = strings.Replace(strings.TrimSpace(s), "：", ":", 1)
	hh, mm, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

func scheduleRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, scheduler.ErrRawSpec):
		return t("sch.raw_admin")
	case errors.Is(err, scheduler.ErrTooFrequent):
		return t("sch.too_frequent")
	case errors.Is(err, scheduler.ErrBadSpec), errors.Is(err, scheduler.ErrSpecSeconds), errors.Is(err, scheduler.ErrSpecEvery),
		errors.Is(err, scheduler.ErrSpecTimeZone), errors.Is(err, scheduler.ErrNeverRuns), errors.Is(err, scheduler.ErrNoSpec):
		return t("sch.bad_spec")
	case errors.Is(err, scheduler.ErrNoTitle), errors.Is(err, scheduler.ErrTitleTooLong):
		return t("ev.err_title_long", scheduler.MaxScheduleTitleRunes)
	case errors.Is(err, scheduler.ErrNoText), errors.Is(err, scheduler.ErrTextTooLong):
		return t("sch.bad_text", scheduler.MaxScheduleTextRunes)
	case errors.Is(err, scheduler.ErrUnknownDistrict):
		return t("ev.err_district")
	}
	return eventRefusal(err)
}
