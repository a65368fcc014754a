package bot_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dangwu/dangwu/bot"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/records"
)

// moveWorker moves an approved worker to district and has an admin
// approve them there, as their new district's coordinator would.
func (h *harness) moveWorker(userID int64, district string) member.Profile {
	h.t.Helper()
	ctx := context.Background()
	p, err := h.members().Update(ctx, userID, member.FieldDistrict, district)
	if err != nil {
		h.t.Fatalf("move %d to %s: %v", userID, district, err)
	}
	if p.Status == member.StatusPending {
		if p, err = h.members().Approve(ctx, adminID, p.ID); err != nil {
			h.t.Fatalf("approve %d in %s: %v", userID, district, err)
		}
	}
	if p.District != district || p.Status != member.StatusApproved {
		h.t.Fatalf("after the move: %+v", p)
	}
	return p
}

// assessmentOf is a worker's stored assessment of year (zero when none).
func (h *harness) assessmentOf(userID int64, year int) records.Assessment {
	h.t.Helper()
	as, err := h.recs.Assessments(context.Background(), userID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, a := range as {
		if a.Year == year {
			return a
		}
	}
	return records.Assessment{}
}

// A worker of 鼓楼区 was rated 优秀 for last year by 鼓楼区, then moved to
// 贾汪区. The 贾汪区 coordinator forges the assessment button of last year
// (/assess only offers this one) and rates them 不合格: the rating is
// 鼓楼区's record, and it is refused and kept. This year's, which 贾汪区
// gives, still works.
func TestScope13AssessmentOfAnotherDistrictsYear(t *testing.T) {
	h := startBot(t, nil, nil)
	ctx := context.Background()
	const coordID = 13101
	h.grant(coordID, "贾汪区")
	coord := botapi.DefaultUser(coordID)
	chat := botapi.PrivateChat(coord)
	w := newWorker(13102, "调动考核", "13912313102", "鼓楼区")
	h.seedWorker(w, true)
	year := h.recs.Year()
	gulou := coordinatorOf(13199, "鼓楼区")
	if _, err := h.recs.Assess(ctx, gulou, w.user.ID, year-1, records.Excellent, "鼓楼区评定"); err != nil {
		t.Fatal(err)
	}
	h.moveWorker(w.user.ID, "贾汪区")
	h.settle()

	failed := -1
	for i, r := range records.Ratings {
		if r == records.Failed {
			failed = i
		}
	}
	h.pressData(coord, chat, h.lastID(coord), fmt.Sprintf("as:%d:%d:%d", w.user.ID, year-1, failed))
	if got := h.ask(coordID, "未履职"); got != bot.T("sched.out_of_scope") {
		t.Errorf("rating 鼓楼区's year of a moved worker answered %q", got)
	}
	if a := h.assessmentOf(w.user.ID, year-1); a.Rating != records.Excellent || a.District != "鼓楼区" || a.Comment != "鼓楼区评定" {
		t.Errorf("鼓楼区's assessment after the forged press: %+v", a)
	}

	// The year the worker is 贾汪区's is theirs to assess.
	h.pressData(coord, chat, h.lastID(coord), fmt.Sprintf("as:%d:%d:1", w.user.ID, year))
	if got := h.ask(coordID, "无"); got != bot.T("as.done", year, string(records.Ratings[1])) {
		t.Errorf("this year's assessment = %q", got)
	}
}
