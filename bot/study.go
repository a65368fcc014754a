package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/quiz"
	"github.com/go-telegram/bot/models"
)

// Study buttons:
//
//	mk:<page>   a page of the wrong-answer notebook
//	rv:go       start the review of the due cards
//	dy:go       start today's daily set
//	rk:show:<1|0>  show or mask one's name in rankings

// notebookPerPage is how many cards a page of /mistakes lists.
const notebookPerPage = 10

// cmdDaily starts today's daily set (每日一练), or says it is done.
// "/daily 07:30" keeps the time the person wants it pushed, "/daily 关闭"
// turns the push off (the scheduler sends it).
func (b *Bot) cmdDaily(ctx context.Context, r *request) error {
	if arg := strings.TrimSpace(r.args); arg != "" {
		return b.setDailyTime(ctx, r, arg)
	}
	sess, err := b.quiz.StartDaily(ctx, r.userID)
	if errors.Is(err, quiz.ErrAlreadyDone) {
		days, _, serr := b.quiz.Streak(ctx, r.userID)
		if serr != nil {
			return serr
		}
		return b.send(ctx, r.chatID, message{text: t("daily.done", days), markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
			button(t("quiz.again"), "qz", "tp", -1),
		}}}})
	}
	if err == nil {
		// Not yet the answer to the update: a crash before the first
		// question is out replays it, and the replay shows the question
		// (started).
		if err := b.reply(beforeWrite(ctx), r, t("daily.intro", quiz.DailySize)); err != nil {
			return err
		}
	}
	return b.started(ctx, r, sess, err, false)
}

// onDailyButton handles dy:go, the button of the daily push: today's set,
// as /daily starts it.
func (b *Bot) onDailyButton(ctx context.Context, r *request, payload string) error {
	if payload != "go" || b.quiz == nil {
		return b.staleButton(ctx, r)
	}
	b.ack(r, "", false)
	r.args = ""
	return b.cmdDaily(ctx, r)
}

func (b *Bot) setDailyTime(ctx context.Context, r *request, arg string) error {
	prefs, err := b.quiz.Prefs(ctx, r.userID)
	if err != nil {
		return err
	}
	switch arg {
	case "关闭", "关", "off", "不要":
		prefs.Daily = ""
		if err := b.quiz.SetPrefs(ctx, r.userID, prefs); err != nil {
			return err
		}
		return b.reply(ctx, r, t("daily.push_off"))
	}
	at, err := time.Parse("15:04", strings.NewReplacer("：", ":", "点", ":").Replace(arg))
	if err != nil {
		return b.reply(ctx, r, t("daily.push_usage"))
	}
	prefs.Daily = at.Format("15:04")
	if err := b.quiz.SetPrefs(ctx, r.userID, prefs); err != nil {
		return err
	}
	return b.reply(ctx, r, t("daily.push_set", prefs.Daily))
}

// cmdMistakes lists the notebook: every question answered wrong and not
// yet learned, with how often.
func (b *Bot) cmdMistakes(ctx context.Context, r *request) error {
	m, err := b.notebookPage(ctx, r.userID, 0)
	if err != nil {
		return err
	}
	return b.send(ctx, r.chatID, m)
}

func (b *Bot) notebookPage(ctx context.Context, userID int64, page int) (message, error) {
	cards, total, err := b.quiz.Notebook(ctx, userID, page*notebookPerPage, notebookPerPage)
	if err != nil {
		return message{}, err
	}
	if total == 0 {
		return message{text: t("mistakes.empty", quiz.GraduateAfter)}, nil
	}
	pages := (total + notebookPerPage - 1) / notebookPerPage
	var sb strings.Builder
	sb.WriteString(t("mistakes.header", total, quiz.GraduateAfter))
	now := b.now()
	for i, c := range cards {
		due := t("mistakes.due_now")
		if !c.IsDue(now) {
			due = t("mistakes.due_on", b.day(c.Due))
		}
		fmt.Fprintf(&sb, "\n\n%d. %s\n   %s", page*notebookPerPage+i+1, esc(truncate(c.Text, 60)), t("mistakes.line", esc(c.Topic), c.Wrong, c.Right, due))
	}
	var rows [][]models.InlineKeyboardButton
	if nav := pageButtons(page, pages, func(p int) string { return "mk:" + strconv.Itoa(p) }); len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, []models.InlineKeyboardButton{button(t("review.button"), "rv", "go")})
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: rows}}, nil
}

func (b *Bot) onNotebookButton(ctx context.Context, r *request, payload string) error {
	page, err := strconv.Atoi(payload)
	if b.quiz == nil || err != nil || page < 0 {
		return b.staleButton(ctx, r)
	}
	m, err := b.notebookPage(ctx, r.userID, page)
	if err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, m)
}

// cmdReview starts a spaced review of the due cards, or says when the next
// is due.
func (b *Bot) cmdReview(ctx context.Context, r *request) error {
	return b.startReview(ctx, r)
}

func (b *Bot) startReview(ctx context.Context, r *request) error {
	st, err := b.quiz.ReviewStatus(ctx, r.userID)
	if err != nil {
		return err
	}
	if st.Due == 0 {
		text := t("review.none", quiz.GraduateAfter)
		if st.Total > 0 {
			text = t("review.later", st.Total, b.dayTime(st.NextDue))
		}
		if r.cb != nil {
			b.ack(r, text, true)
			return nil
		}
		return b.reply(ctx, r, text)
	}
	sess, err := b.quiz.StartReview(ctx, r.userID)
	return b.started(ctx, r, sess, err, false)
}

func (b *Bot) onReviewButton(ctx context.Context, r *request, payload string) error {
	if b.quiz == nil || payload != "go" {
		return b.staleButton(ctx, r)
	}
	return b.startReview(ctx, r)
}

// cmdRank shows this week's ranking, overall and in the person's district.
func (b *Bot) cmdRank(ctx context.Context, r *request) error {
	m, err := b.rankMessage(ctx, r.userID)
	if err != nil {
		return err
	}
	return b.send(ctx, r.chatID, m)
}

func (b *Bot) rankMessage(ctx context.Context, userID int64) (message, error) {
	district := ""
	if p, err := b.members.Get(ctx, userID); err == nil && p.Status == member.StatusApproved {
		district = p.District
	} else if err != nil && !errors.Is(err, member.ErrNotFound) {
		return message{}, err
	}
	rk, err := b.quiz.Rank(ctx, userID, district)
	if err != nil {
		return message{}, err
	}
	prefs, err := b.quiz.Prefs(ctx, userID)
	if err != nil {
		return message{}, err
	}
	var sb strings.Builder
	sb.WriteString(t("rank.header", b.day(rk.Since), b.quiz.PointCap()))
	writeRank := func(title string, entries []quiz.RankEntry) {
		sb.WriteString("\n\n" + title)
		if len(entries) == 0 {
			sb.WriteString("\n" + t("rank.empty"))
		}
		for _, e := range entries {
			name := esc(e.Name)
			if e.Self {
				name = "<b>" + name + "</b>" + t("rank.you")
			}
			fmt.Fprintf(&sb, "\n%d. %s %s", e.Place, name, t("rank.points", e.Points))
		}
	}
	writeRank(t("rank.overall"), rk.Overall)
	if district != "" {
		writeRank(t("rank.district", esc(district)), rk.Local)
	}
	sb.WriteString("\n\n")
	switch {
	case rk.Ranked:
		sb.WriteString(t("rank.mine", rk.Mine.Place, rk.Entries, rk.Mine.Points))
	case district == "":
		sb.WriteString(t("rank.unregistered"))
	default:
		sb.WriteString(t("rank.not_yet"))
	}
	toggle := button(t("rank.show_name"), "rk", "show", 1)
	if prefs.ShowName {
		toggle = button(t("rank.hide_name"), "rk", "show", 0)
	}
	return message{text: sb.String(), markup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{toggle}}}}, nil
}

func (b *Bot) onRankButton(ctx context.Context, r *request, payload string) error {
	if b.quiz == nil || (payload != "show:1" && payload != "show:0") {
		return b.staleButton(ctx, r)
	}
	prefs, err := b.quiz.Prefs(ctx, r.userID)
	if err != nil {
		return err
	}
	prefs.ShowName = payload == "show:1"
	if err := b.quiz.SetPrefs(ctx, r.userID, prefs); err != nil {
		return err
	}
	if prefs.ShowName {
		b.ack(r, t("rank.name_shown"), false)
	} else {
		b.ack(r, t("rank.name_masked"), false)
	}
	m, err := b.rankMessage(ctx, r.userID)
	if err != nil {
		return err
	}
	return b.editCallbackMessage(ctx, r, m)
}

// studyBlock is the study figures /me shows.
func (b *Bot) studyBlock(ctx context.Context, userID int64) string {
	if b.quiz == nil {
		return ""
	}
	me, err := b.quiz.Me(ctx, userID)
	if err != nil {
		b.log.Warn("study figures", "user_id", userID, "err", err)
		return ""
	}
	if me.Answered == 0 && me.ExamsTaken == 0 {
		return "" // nothing studied yet
	}
	rate := 0
	if me.Answered > 0 {
		rate = me.Right * 100 / me.Answered
	}
	return "\n\n" + t("me.study", me.Answered, rate, me.Streak, me.ExamsPassed, me.ExamsTaken, me.Notebook, me.WeekPoints)
}

// dayTime is a date and time as shown to people.
func (b *Bot) dayTime(tm time.Time) string { return tm.In(b.loc).Format("1月2日 15:04") }
