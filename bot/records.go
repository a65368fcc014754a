package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/records"
	"github.com/dangwu/dangwu/store"
	"github.com/go-telegram/bot/models"
)

// The record in chat: /me shows this year's 学时 against the target; /hours
// the ledger; /level the level and what the next needs, with 申请; /pay the
// pay reference; /duties the responsibility list with 汇报. Coordinators:
// /applications, /assess, /credit, /duties 姓名 (assign, see), /vacancies;
// an administrator sets the minimum wage with /setwage.
//
// Buttons: lv:apply; ap:ok:<id> / ap:no:<id>; as:<userID>:<rating index>;
// du:r:<dutyID> report, du:d:<dutyID> done.

const (
	flowReject2    = "apreject"   // Data: id (the application)
	flowDutyReport = "dutyreport" // Data: id (the duty), done
	flowDuties     = "duties"     // Data: user (the worker), year
	flowAssess     = "assess"     // Data: user, year, rating
)

// RecordMessages renders what the records send (records.Messages).
type RecordMessages struct{}

var _ records.Messages = RecordMessages{}

// Decided tells a worker how their level application was decided.
func (RecordMessages) Decided(a records.Application) outbox.Message {
	if a.State == "approved" {
		return queued(message{text: t("lv.approved_you", esc(a.Level))})
	}
	return queued(message{text: t("lv.rejected_you", esc(a.Level), esc(a.Reason))})
}

// DutyDue recalls a duty due soon.
func (RecordMessages) DutyDue(d records.Duty) outbox.Message {
	return queued(message{text: t("du.due_soon", esc(d.Text), d.Due),
		markup: keyboard([]models.InlineKeyboardButton{button(t("du.report"), "du", "r", d.ID), settingsButton()})})
}

// Assessed tells a worker their yearly assessment.
func (RecordMessages) Assessed(a records.Assessment) outbox.Message {
	text := t("as.you", a.Year, esc(string(a.Rating)))
	if a.Comment != "" {
		text += "\n" + t("as.comment", esc(a.Comment))
	}
	return queued(message{text: text})
}

// hoursBar is 学时 against a target: ▓▓▓▓░░ 21/32.
func hoursBar(have, target float64) string {
	const width = 10
	filled := width
	if target > 0 {
		filled = int(math.Min(width, have*width/target))
	}
	filled = max(filled, 0)
	return strings.Repeat("▓", filled) + strings.Repeat("░", width-filled) + " " + formatHours(have) + "/" + formatHours(target)
}

// hoursBlock is /me's line of this year's 学时.
func (b *Bot) hoursBlock(ctx context.Context, userID int64) string {
	if b.records == nil {
		return ""
	}
	p, err := b.records.Ledger(ctx, userID, b.records.Year())
	if err != nil {
		return ""
	}
	return "\n\n" + t("rec.hours_line", p.Year, hoursBar(p.Hours, p.Target.Hours))
}

func (b *Bot) cmdHours(ctx context.Context, r *request) error {
	p, err := b.records.Ledger(ctx, r.userID, b.records.Year())
	if errors.Is(err, records.ErrNotFound) {
		return b.reply(ctx, r, t("rec.no_profile"))
	} else if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(t("rec.hours_head", p.Year, hoursBar(p.Hours, p.Target.Hours)))
	if p.Target.Source != "" {
		sb.WriteString("\n" + t("rec.target_source", formatHours(p.Target.Hours), esc(p.Target.Source)))
	}
	if len(p.Entries) == 0 {
		sb.WriteString("\n\n" + t("rec.no_entries"))
	}
	for i, c := range p.Entries {
		if i == 40 {
			sb.WriteString("\n" + t("rec.more", len(p.Entries)-i))
			break
		}
		fmt.Fprintf(&sb, "\n%s  %+g  %s", c.Day, c.Hours, esc(truncate(creditTitle(c), 40)))
	}
	sb.WriteString("\n\n" + t("rec.conversion"))
	return b.reply(ctx, r, sb.String())
}

func creditTitle(c records.Credit) string {
	switch c.Kind {
	case "event":
		return t("rec.kind_event", c.Title)
	case "exam":
		return t("rec.kind_exam", c.Title)
	case "correction":
		return t("rec.kind_correction", c.Title, c.Reason)
	}
	return t("rec.kind_manual", c.Title)
}

// boundedList joins head and lines, as many lines as fit one message with
// room to spare, and then more(the number left out) when some were.
func boundedList(head string, lines []string, more func(n int) string) string {
	var sb strings.Builder
	sb.WriteString(head)
	used := htmlLen(head)
	for i, l := range lines {
		if used+htmlLen(l)+1 > maxText-300 {
			sb.WriteString("\n" + more(len(lines)-i))
			return sb.String()
		}
		sb.WriteString("\n" + l)
		used += htmlLen(l) + 1
	}
	return sb.String()
}

// ---- Levels ----

func (b *Bot) cmdLevel(ctx context.Context, r *request) error {
	st, err := b.records.Standing(ctx, r.userID)
	if errors.Is(err, records.ErrNotFound) {
		return b.reply(ctx, r, t("rec.no_profile"))
	} else if err != nil {
		return err
	}
	return b.send(ctx, r.chatID, b.standingMessage(st))
}

func (b *Bot) standingMessage(st records.Standing) message {
	current := st.Current
	if current == "" {
		current = t("lv.none")
	}
	var sb strings.Builder
	sb.WriteString(t("lv.head", esc(current)))
	if st.Next == nil {
		sb.WriteString("\n\n" + t("lv.top"))
		return message{text: sb.String()}
	}
	sb.WriteString("\n\n" + t("lv.next", esc(st.Next.Name)))
	for _, c := range st.Criteria {
		mark := "❌"
		if c.Met {
			mark = "✅"
		}
		sb.WriteString("\n" + mark + " " + criterionLine(c))
	}
	if len(st.Criteria) == 0 {
		sb.WriteString("\n" + t("lv.no_criteria"))
	}
	if st.Rules.Source != "" {
		sb.WriteString("\n\n" + t("lv.source", esc(st.Rules.Source)))
	}
	m := message{text: sb.String()}
	switch {
	case st.Pending != nil:
		m.text += "\n\n" + t("lv.pending", esc(st.Pending.Level), st.Pending.At.In(shanghai()).Format("2006-01-02"))
	case st.Eligible:
		m.markup = keyboard([]models.InlineKeyboardButton{button(t("lv.apply", st.Next.Name), "lv", "apply")})
	default:
		m.text += "\n\n" + t("lv.not_yet")
	}
	return m
}

func criterionLine(c records.Criterion) string {
	switch c.Name {
	case "years":
		return t("lv.c_years", int(c.Need), int(c.Have))
	case "exam":
		return t("lv.c_exam", int(c.Need), int(c.Have))
	case "hours":
		return t("lv.c_hours", formatHours(c.Need), formatHours(c.Have))
	case "attendance":
		return t("lv.c_attendance", int(c.Need), int(c.Have))
	case "duties":
		return t("lv.c_duties", int(c.Need), int(c.Have))
	}
	have := t("lv.no_rating")
	if len(c.HaveRating) > 0 {
		var rs []string
		for _, r := range c.HaveRating {
			rs = append(rs, string(r))
		}
		have = strings.Join(rs, "、")
	}
	return t("lv.c_rating", esc(string(c.NeedRating)), esc(have))
}

func (b *Bot) onLevelButton(ctx context.Context, r *request, payload string) error {
	if b.records == nil || payload != "apply" {
		return b.staleButton(ctx, r)
	}
	var a records.Application
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		a, err = b.records.Apply(ctx, r.userID)
		return err
	})
	switch {
	case errors.Is(err, records.ErrPending):
		return b.refuse(ctx, r, t("lv.already_pending"))
	case errors.Is(err, records.ErrNotEligible):
		return b.refuse(ctx, r, t("lv.not_yet"))
	case errors.Is(err, records.ErrTopLevel):
		return b.refuse(ctx, r, t("lv.top"))
	case errors.Is(err, records.ErrNotApproved), errors.Is(err, records.ErrNotFound):
		return b.refuse(ctx, r, t("rec.no_profile"))
	case err != nil:
		return err
	}
	b.ack(r, t("lv.applied", a.Level), true)
	st, err := b.records.Standing(ctx, r.userID)
	if err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, b.standingMessage(st))
}

func (b *Bot) cmdApplications(ctx context.Context, r *request) error {
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	apps, err := b.records.Applications(ctx, actor, 1000)
	if err != nil {
		return err
	}
	if len(apps) == 0 {
		return b.reply(ctx, r, t("lv.apps_none"))
	}
	const shown = 20
	rest := max(len(apps)-shown, 0)
	apps = apps[:min(len(apps), shown)]
	for _, a := range apps {
		name := ""
		if p, err := b.members.Get(ctx, a.UserID); err == nil {
			name = p.Name
		}
		st, _ := b.records.Standing(ctx, a.UserID)
		var lines []string
		for _, c := range st.Criteria {
			mark := "❌"
			if c.Met {
				mark = "✅"
			}
			lines = append(lines, mark+" "+criterionLine(c))
		}
		text := t("lv.app_card", esc(name), esc(a.District), esc(a.Level), a.At.In(b.loc).Format("2006-01-02")) + "\n" + strings.Join(lines, "\n")
		if err := b.send(ctx, r.chatID, message{text: text, markup: keyboard([]models.InlineKeyboardButton{
			button(t("lv.approve"), "ap", "ok", a.ID), button(t("lv.reject"), "ap", "no", a.ID)})}); err != nil {
			return err
		}
	}
	if rest > 0 {
		return b.reply(ctx, r, t("lv.apps_more", rest))
	}
	return nil
}

func (b *Bot) onApplicationButton(ctx context.Context, r *request, payload string) error {
	if b.records == nil {
		return b.staleButton(ctx, r)
	}
	action, rest, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return b.staleButton(ctx, r)
	}
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	switch action {
	case "ok":
		var a records.Application
		err := b.atomic(ctx, func(ctx context.Context) error {
			a, err = b.records.Decide(ctx, actor, id, true, "")
			return err
		})
		if msg := recordRefusal(err); msg != "" {
			return b.refuse(ctx, r, msg)
		} else if err != nil {
			return err
		}
		b.ack(r, t("lv.approved"), false)
		return b.editCallbackMessage(ctx, r, message{text: t("lv.approved_card", esc(a.Level))})
	case "no":
		a, err := b.records.ApplicationFor(ctx, actor, id)
		if msg := recordRefusal(err); msg != "" {
			return b.refuse(ctx, r, msg)
		} else if err != nil {
			return err
		}
		c := store.Conversation{Flow: flowReject2, Step: "reason", Data: map[string]string{"id": rest}}
		b.ack(r, "", false)
		return b.askPrivately(ctx, r, c, t("lv.ask_reason", esc(a.Level)))
	}
	return b.staleButton(ctx, r)
}

func (b *Bot) rejectApplicationFlow(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	err = b.atomic(ctx, func(ctx context.Context) error {
		if _, err := b.records.Decide(ctx, actor, id, false, r.text); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := recordRefusal(err); msg != "" {
		if !errors.Is(err, records.ErrNoReason) && !errors.Is(err, records.ErrTooLong) {
			if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
				return err
			}
		}
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("lv.rejected"))
}

// ---- Assessments ----

// findWorker finds the one worker a coordinator names, replying otherwise.
func (b *Bot) findWorker(ctx context.Context, r *request, query string) (member.Profile, bool, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return member.Profile{}, false, b.reply(ctx, r, t("rec.name_who"))
	}
	people, err := b.members.Find(ctx, r.userID, query)
	if errors.Is(err, member.ErrInvalidQuery) {
		return member.Profile{}, false, b.reply(ctx, r, t("rec.name_who"))
	}
	if err != nil {
		return member.Profile{}, false, err
	}
	if len(people) != 1 {
		return member.Profile{}, false, b.reply(ctx, r, t("ev.mark_who", len(people)))
	}
	return people[0], true, nil
}

func (b *Bot) cmdAssess(ctx context.Context, r *request) error {
	p, ok, err := b.findWorker(ctx, r, r.args)
	if !ok {
		return err
	}
	year := b.records.Year()
	var row []models.InlineKeyboardButton
	for i, rating := range records.Ratings {
		row = append(row, button(string(rating), "as", p.UserID, year, i))
	}
	return b.send(ctx, r.chatID, message{text: t("as.pick", esc(p.Name), esc(p.District), year), markup: keyboard(row)})
}

func (b *Bot) onAssessButton(ctx context.Context, r *request, payload string) error {
	parts := strings.Split(payload, ":")
	if b.records == nil || len(parts) != 3 {
		return b.staleButton(ctx, r)
	}
	userID, err1 := strconv.ParseInt(parts[0], 10, 64)
	year, err2 := strconv.Atoi(parts[1])
	i, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || i < 0 || i >= len(records.Ratings) {
		return b.staleButton(ctx, r)
	}
	c := store.Conversation{Flow: flowAssess, Step: "comment", Data: map[string]string{"user": parts[0], "year": parts[1], "rating": string(records.Ratings[i])}}
	b.ack(r, "", false)
	_ = userID
	_ = year
	return b.askPrivately(ctx, r, c, t("as.ask_comment", esc(string(records.Ratings[i]))))
}

func (b *Bot) assessFlow(ctx context.Context, r *request, c store.Conversation) error {
	userID, _ := strconv.ParseInt(c.Data["user"], 10, 64)
	year, _ := strconv.Atoi(c.Data["year"])
	comment := r.text
	if comment == t("ev.no_reason_word") {
		comment = ""
	}
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	var a records.Assessment
	err = b.atomic(ctx, func(ctx context.Context) error {
		if a, err = b.records.Assess(ctx, actor, userID, year, records.Rating(c.Data["rating"]), comment); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := recordRefusal(err); msg != "" {
		if err := b.conv.End(ctx, r.chatID, r.userID); err != nil {
			return err
		}
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("as.done", a.Year, esc(string(a.Rating))))
}

// ---- Credits ----

// cmdCredit: /credit 姓名 学时 YYYY-MM-DD 原因.
func (b *Bot) cmdCredit(ctx context.Context, r *request) error {
	f := strings.Fields(r.args)
	if len(f) < 4 {
		return b.reply(ctx, r, t("rec.credit_usage"))
	}
	hours, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return b.reply(ctx, r, t("rec.credit_usage"))
	}
	p, ok, err := b.findWorker(ctx, r, f[0])
	if !ok {
		return err
	}
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	reason := strings.Join(f[3:], " ")
	var c records.Credit
	// The credit and the update's done mark commit together: a replay
	// after a crash cannot credit twice.
	err = b.atomic(ctx, func(ctx context.Context) error {
		c, err = b.records.CreditHours(ctx, actor, p.UserID, hours, f[2], reason, reason)
		return err
	})
	if msg := recordRefusal(err); msg != "" {
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("rec.credited", esc(p.Name), fmt.Sprintf("%+g", c.Hours), c.Day))
}

// ---- Duties ----

func (b *Bot) cmdDuties(ctx context.Context, r *request) error {
	if r.role >= RoleCoordinator && strings.TrimSpace(r.args) != "" {
		if strings.TrimSpace(r.args) == t("du.overdue_word") {
			return b.overdueDuties(ctx, r)
		}
		if org, ok := strings.CutPrefix(strings.TrimSpace(r.args), t("du.org_word")); ok && strings.TrimSpace(org) != "" {
			return b.orgDuties(ctx, r, strings.TrimSpace(org))
		}
		p, ok, err := b.findWorker(ctx, r, r.args)
		if !ok {
			return err
		}
		return b.workerDuties(ctx, r, p)
	}
	return b.dutyPage(ctx, r, 0, false)
}

// dutiesPerPage is how many items a page of /duties shows.
const dutiesPerPage = 8

// dutyPage is page (from 0) of a worker's /duties: the open items first,
// each cut to a readable length, with their buttons.
func (b *Bot) dutyPage(ctx context.Context, r *request, page int, edit bool) error {
	year := b.records.Year()
	ds, err := b.records.Duties(ctx, r.userID, year)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return b.reply(ctx, r, t("du.none", year))
	}
	// Open ones first, each group by date.
	var open, done []records.Duty
	for _, d := range ds {
		if d.Done == "" {
			open = append(open, d)
		} else {
			done = append(done, d)
		}
	}
	ds = append(open, done...)
	pages := (len(ds) + dutiesPerPage - 1) / dutiesPerPage
	page = min(max(page, 0), pages-1)
	var sb strings.Builder
	sb.WriteString(t("du.head", year))
	var rows [][]models.InlineKeyboardButton
	today := b.records.Day(b.now())
	for i := page * dutiesPerPage; i < min((page+1)*dutiesPerPage, len(ds)); i++ {
		d := ds[i]
		fmt.Fprintf(&sb, "\n\n%d. %s\n%s", i+1, esc(truncate(d.Text, 200)), dutyState(d, today))
		if d.Done == "" {
			rows = append(rows, []models.InlineKeyboardButton{button(t("du.report_n", i+1), "du", "r", d.ID), button(t("du.done_n", i+1), "du", "d", d.ID)})
		}
	}
	if nav := pageButtons(page, pages, func(p int) string { return fmt.Sprintf("du:p:%d", p) }); nav != nil {
		rows = append(rows, nav)
	}
	m := message{text: sb.String()}
	if len(rows) > 0 {
		m.markup = keyboard(rows...)
	}
	return b.sendOrEdit(ctx, r, edit, m)
}

func dutyState(d records.Duty, today string) string {
	switch {
	case d.Done != "":
		return t("du.done_on", d.Due, d.Done)
	case d.Due < today:
		return t("du.overdue", d.Due)
	}
	return t("du.due", d.Due)
}

// workerDuties shows a worker's list to a coordinator, with 布置.
func (b *Bot) workerDuties(ctx context.Context, r *request, p member.Profile) error {
	year := b.records.Year()
	ds, err := b.records.Duties(ctx, p.UserID, year)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(t("du.worker_head", esc(p.Name), year))
	today := b.records.Day(b.now())
	for i, d := range ds {
		if i == 30 {
			break
		}
		sb.WriteString("\n" + t("du.worker_line", i+1, esc(truncate(d.Text, 60)), dutyState(d, today), len(d.Reports)))
	}
	c := store.Conversation{Flow: flowDuties, Step: "items", Data: map[string]string{"user": strconv.FormatInt(p.UserID, 10), "year": strconv.Itoa(year)}}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	sb.WriteString("\n\n" + t("du.assign_intro", year))
	return b.reply(ctx, r, sb.String())
}

// orgDuties starts assigning a list to every approved worker of an
// organisation in the coordinator's scope.
func (b *Bot) orgDuties(ctx context.Context, r *request, org string) error {
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	people, err := b.members.Active(ctx, actor.District)
	if err != nil {
		return err
	}
	var ids []string
	for _, p := range people {
		if p.Org == org {
			ids = append(ids, strconv.FormatInt(p.UserID, 10))
		}
	}
	if len(ids) == 0 {
		return b.reply(ctx, r, t("du.org_none", esc(org)))
	}
	year := b.records.Year()
	c := store.Conversation{Flow: flowDuties, Step: "items", Data: map[string]string{"users": strings.Join(ids, ","), "year": strconv.Itoa(year)}}
	if err := b.conv.Save(ctx, r.chatID, r.userID, c); err != nil {
		return err
	}
	return b.reply(ctx, r, t("du.org_head", esc(org), len(ids))+"\n\n"+t("du.assign_intro", year))
}

// dutiesFlow takes the items a coordinator assigns: one per line, a date first.
func (b *Bot) dutiesFlow(ctx context.Context, r *request, c store.Conversation) error {
	var userIDs []int64
	for _, f := range strings.Split(c.Data["users"]+","+c.Data["user"], ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id != 0 {
			userIDs = append(userIDs, id)
		}
	}
	year, _ := strconv.Atoi(c.Data["year"])
	var items []records.DutyItem
	for _, line := range strings.Split(r.msg.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		day, text, ok := strings.Cut(line, " ")
		if !ok {
			return b.reply(ctx, r, t("du.bad_line", esc(truncate(line, 40))))
		}
		items = append(items, records.DutyItem{Text: strings.TrimSpace(text), Due: day})
	}
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	var n int
	err = b.atomic(ctx, func(ctx context.Context) error {
		if n, err = b.records.AssignDuties(ctx, actor, userIDs, year, items); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := recordRefusal(err); msg != "" {
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("du.assigned", n))
}

func (b *Bot) overdueDuties(ctx context.Context, r *request) error {
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	ds, err := b.records.Overdue(ctx, actor, 100000)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return b.reply(ctx, r, t("du.overdue_none"))
	}
	var lines []string
	for i, d := range ds {
		if i == 200 {
			break // more than a message holds anyway
		}
		name := ""
		if p, err := b.members.Get(ctx, d.UserID); err == nil {
			name = p.Name
		}
		lines = append(lines, t("du.overdue_line", esc(name), esc(truncate(d.Text, 40)), d.Due))
	}
	shownFrom := len(ds) - len(lines) // those never rendered count as left out too
	return b.reply(ctx, r, boundedList(t("du.overdue_head", len(ds)), lines, func(n int) string { return t("rec.more", n+shownFrom) }))
}

func (b *Bot) onDutyButton(ctx context.Context, r *request, payload string) error {
	action, rest, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(rest, 10, 64)
	if b.records == nil || err != nil {
		return b.staleButton(ctx, r)
	}
	if action == "p" {
		return b.dutyPage(ctx, r, int(min(max(id, 0), 10000)), true)
	}
	d, err := b.records.Duty(ctx, r.userID, id)
	if err != nil {
		return b.staleButton(ctx, r)
	}
	switch action {
	case "r":
		c := store.Conversation{Flow: flowDutyReport, Step: "text", Data: map[string]string{"id": rest}}
		b.ack(r, "", false)
		return b.askPrivately(ctx, r, c, t("du.ask_report", esc(d.Text)))
	case "d":
		if d.Done != "" {
			b.ack(r, t("du.done_before"), false)
			return nil
		}
		if err := b.atomic(ctx, func(ctx context.Context) error {
			_, err := b.records.ReportDuty(ctx, r.userID, id, "", "", true)
			return err
		}); err != nil {
			return err
		}
		b.ack(r, t("du.marked_done"), false)
		return nil
	}
	return b.staleButton(ctx, r)
}

func (b *Bot) dutyReportFlow(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	return b.saveDutyReport(ctx, r, c, id, r.text, "")
}

// dutyReportMedia takes a photo or file sent as a report.
func (b *Bot) dutyReportMedia(ctx context.Context, r *request, c store.Conversation) error {
	id, _ := strconv.ParseInt(c.Data["id"], 10, 64)
	if msg := attachmentTooBig(r.msg); msg != "" {
		return b.reply(ctx, r, msg) // the dialogue waits for another report
	}
	media := ""
	switch {
	case len(r.msg.Photo) > 0:
		media = mediaPhoto + ":" + r.msg.Photo[len(r.msg.Photo)-1].FileID
	case r.msg.Document != nil:
		media = mediaDocument + ":" + r.msg.Document.FileID
	}
	return b.saveDutyReport(ctx, r, c, id, cleanText(r.msg.Caption), media)
}

func (b *Bot) saveDutyReport(ctx context.Context, r *request, c store.Conversation, id int64, text, media string) error {
	var d records.Duty
	err := b.atomic(ctx, func(ctx context.Context) error {
		var err error
		if d, err = b.records.ReportDuty(ctx, r.userID, id, text, media, false); err != nil {
			return err
		}
		return b.conv.End(ctx, r.chatID, r.userID)
	})
	if msg := recordRefusal(err); msg != "" {
		return b.reply(ctx, r, msg)
	} else if err != nil {
		return err
	}
	return b.reply(ctx, r, t("du.reported", esc(truncate(d.Text, 40)), len(d.Reports)))
}

// ---- Vacancies and pay ----

func (b *Bot) cmdVacancies(ctx context.Context, r *request) error {
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	vs, err := b.records.Vacancies(ctx, actor)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return b.reply(ctx, r, t("vc.none"))
	}
	now := b.now()
	var lines []string
	for _, v := range vs {
		reason := t("vc.left")
		if v.Reason != "left" {
			reason = t("vc.failed")
		}
		days := int(now.Sub(v.Since) / (24 * time.Hour))
		lines = append(lines, t("vc.line", esc(v.District), esc(truncate(v.Org, 40)), reason, days))
	}
	return b.reply(ctx, r, boundedList(t("vc.head", len(vs)), lines, func(n int) string { return t("rec.more", n) }))
}

func (b *Bot) cmdPay(ctx context.Context, r *request) error {
	ref, err := b.records.Pay(ctx, r.userID)
	switch {
	case errors.Is(err, records.ErrNotFound):
		return b.reply(ctx, r, t("rec.no_profile"))
	case errors.Is(err, records.ErrNoPayRule):
		return b.reply(ctx, r, t("pay.no_rule"))
	case errors.Is(err, records.ErrNoEducation):
		return b.reply(ctx, r, t("pay.no_education", esc(ref.Rule.District), esc(ref.Education)))
	case errors.Is(err, records.ErrNoMinWage):
		return b.reply(ctx, r, t("pay.no_wage", esc(ref.Rule.District), esc(ref.Education), formatHours(ref.Multiple), esc(ref.Rule.Source)))
	case err != nil:
		return err
	}
	return b.reply(ctx, r, t("pay.figure", esc(ref.Rule.District), esc(ref.Education), formatHours(ref.Multiple), ref.Wage.Year,
		formatHours(ref.Wage.Amount), formatHours(ref.Amount), esc(ref.Rule.Note), esc(ref.Rule.Source)))
}

// cmdSetWage: /setwage 金额 [年份] (administrators).
func (b *Bot) cmdSetWage(ctx context.Context, r *request) error {
	f := strings.Fields(r.args)
	if len(f) == 0 || len(f) > 2 {
		return b.reply(ctx, r, t("pay.setwage_usage"))
	}
	amount, err := strconv.ParseFloat(f[0], 64)
	year := b.records.Year()
	if len(f) == 2 {
		year, err = strconv.Atoi(f[1])
	}
	if err != nil {
		return b.reply(ctx, r, t("pay.setwage_usage"))
	}
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	if err := b.records.SetMinWage(ctx, actor, amount, year); err != nil {
		if msg := recordRefusal(err); msg != "" {
			return b.reply(ctx, r, msg)
		}
		return err
	}
	return b.reply(ctx, r, t("pay.setwage_done", year, formatHours(amount)))
}

func recordRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, records.ErrOutOfScope):
		return t("sched.out_of_scope")
	case errors.Is(err, records.ErrNotCoordinator), errors.Is(err, records.ErrNotAdmin):
		return t("denied.command")
	case errors.Is(err, records.ErrNotApproved), errors.Is(err, records.ErrNotFound):
		return t("rec.not_worker")
	case errors.Is(err, records.ErrBadHours):
		return t("rec.bad_hours", records.MaxCredit)
	case errors.Is(err, records.ErrNoReason):
		return t("rec.need_reason")
	case errors.Is(err, records.ErrTooLong):
		return t("rec.too_long")
	case errors.Is(err, records.ErrBadDate):
		return t("rec.bad_date")
	case errors.Is(err, records.ErrCorrected):
		return t("rec.corrected")
	case errors.Is(err, records.ErrBadRating):
		return t("as.bad_rating")
	case errors.Is(err, records.ErrDecided):
		return t("lv.decided")
	case errors.Is(err, records.ErrNoItems):
		return t("du.no_items")
	case errors.Is(err, records.ErrBadWage):
		return t("pay.bad_wage")
	}
	return ""
}

// ---- Reports and statistics ----

// cmdReport sends the workbook of the coordinator's scope: /report, or
// /report 区县 for a city-wide coordinator.
func (b *Bot) cmdReport(ctx context.Context, r *request) error {
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	rep, err := b.records.Report(ctx, actor, b.members.Districts(), strings.TrimSpace(r.args))
	switch {
	case errors.Is(err, records.ErrUnknownDistrict):
		return b.reply(ctx, r, t("quizstats.unknown_district", esc(truncate(r.args, 40))))
	case errors.Is(err, records.ErrOutOfScope):
		return b.reply(ctx, r, t("sched.out_of_scope"))
	case err != nil:
		return err
	}
	var buf bytes.Buffer
	if err := records.WriteReport(&buf, rep, b.loc); err != nil {
		return err
	}
	scope := t("ev.city")
	if rep.District != "" {
		scope = rep.District
	}
	name := fmt.Sprintf("党务工作者报表-%s-%s.xlsx", scope, rep.Made.In(b.loc).Format("20060102"))
	return b.out.document(ctx, r.chatID, name, buf.Bytes(), t("rep.caption", esc(scope), rep.Year, len(rep.Data.Workers)))
}

// cmdStats shows the figures per district at a glance.
func (b *Bot) cmdStats(ctx context.Context, r *request) error {
	actor, err := b.members.Access(ctx, r.userID)
	if err != nil {
		return err
	}
	stats, err := b.records.Stats(ctx, actor, b.members.Districts())
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(t("st.head"))
	for _, s := range stats {
		fmt.Fprintf(&sb, "\n\n<b>%s</b>（%d 人）", esc(s.District), s.Workers)
		sb.WriteString("\n" + t("st.active", ratioBar(s.ActiveWeek, s.Workers), s.ActiveWeek))
		sb.WriteString("\n" + t("st.questions", s.Questions, percentOf(s.Unanswered, s.Questions)))
		sb.WriteString("\n" + t("st.quizzes", s.Quizzes))
		sb.WriteString("\n" + t("st.attendance", ratioBar(s.Attended, s.Registered), s.Attended, s.Registered))
		sb.WriteString("\n" + t("st.exams", s.ExamsPassed, s.ExamsTaken))
		sb.WriteString("\n" + t("st.behind", s.BehindOnHours))
	}
	return b.reply(ctx, r, sb.String())
}

func ratioBar(part, whole int) string {
	const width = 10
	if whole <= 0 {
		return strings.Repeat("░", width) + " —"
	}
	filled := min(part*width/whole, width)
	return strings.Repeat("▓", filled) + strings.Repeat("░", width-filled) + fmt.Sprintf(" %d%%", part*100/whole)
}

func percentOf(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return part * 100 / whole
}
