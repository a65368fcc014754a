package botapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dangwu/dangwu/internal/botapi"
)

// poll calls getUpdates with form fields and returns the update ids.
func poll(t *testing.T, s *botapi.Server, fields map[string]string) []int64 {
	t.Helper()
	return updateIDs(t, call(t, s, "getUpdates", fields))
}

func updateIDs(t *testing.T, a answer) []int64 {
	t.Helper()
	var updates []botapi.Update
	wantOK(t, a, &updates)
	ids := make([]int64, len(updates))
	for i, u := range updates {
		ids[i] = u.UpdateID
	}
	return ids
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGetUpdatesOffsetConfirms(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	for _, text := range []string{"一", "二", "三"} {
		s.PrivateText(1, text)
	}
	steps := []struct {
		name   string
		fields map[string]string
		want   []int64
	}{
		{"unconfirmed updates come again", nil, []int64{1, 2, 3}},
		{"and again", nil, []int64{1, 2, 3}},
		{"limit", map[string]string{"limit": "2"}, []int64{1, 2}},
		{"offset confirms the updates below it", map[string]string{"offset": "3"}, []int64{3}},
		{"confirmed updates are gone", nil, []int64{3}},
		{"confirming the last", map[string]string{"offset": "4"}, []int64{}},
	}
	for _, step := range steps {
		if got := poll(t, s, step.fields); !equalIDs(got, step.want) {
			t.Errorf("%s: got %v, want %v", step.name, got, step.want)
		}
	}
	s.PrivateText(1, "四")
	if got := poll(t, s, nil); !equalIDs(got, []int64{4}) {
		t.Errorf("after a new message: %v", got)
	}
}

func TestGetUpdatesNegativeOffsetKeepsTheLast(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	for range 5 {
		s.PrivateText(1, "x")
	}
	if got := poll(t, s, map[string]string{"offset": "-2"}); !equalIDs(got, []int64{4, 5}) {
		t.Errorf("offset -2: %v", got)
	}
}

func TestLongPollWakesOnNewUpdate(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	got := callAsync(s, "getUpdates", map[string]string{"timeout": "30"})
	if err := s.WaitPolling(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	s.PrivateText(1, "来了")
	select {
	case a := <-got:
		if ids := updateIDs(t, a); !equalIDs(ids, []int64{1}) {
			t.Errorf("woke up with %v", ids)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll did not wake up on a new update")
	}
}

func TestLongPollTimesOut(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	start := time.Now()
	if got := poll(t, s, map[string]string{"timeout": "1"}); len(got) != 0 {
		t.Errorf("got %v", got)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("answered after %v, before the 1 s timeout", waited)
	}
}

func TestSecondGetUpdatesConflicts(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	first := callAsync(s, "getUpdates", map[string]string{"timeout": "30"})
	if err := s.WaitPolling(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := poll(t, s, nil); len(got) != 0 {
		t.Errorf("second poll got %v", got)
	}
	select {
	case a := <-first:
		wantRefusal(t, a, http.StatusConflict,
			"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	case <-time.After(5 * time.Second):
		t.Fatal("the first poll was not terminated")
	}
}

func TestCloseAnswersWaitingPolls(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	got := callAsync(s, "getUpdates", map[string]string{"timeout": "30"})
	if err := s.WaitPolling(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	select {
	case a := <-got:
		if ids := updateIDs(t, a); len(ids) != 0 {
			t.Errorf("got %v", ids)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close left the long poll waiting")
	}
}

func TestAllowedUpdates(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	poll(t, s, map[string]string{"allowed_updates": `["callback_query"]`})
	user := botapi.DefaultUser(1)
	s.PrivateText(1, "not delivered")
	s.Press(user, botapi.PrivateChat(user), 1, "delivered")
	var updates []botapi.Update
	wantOK(t, call(t, s, "getUpdates", nil), &updates)
	if len(updates) != 1 || updates[0].CallbackQuery == nil || updates[0].CallbackQuery.Data != "delivered" {
		t.Errorf("updates = %+v", updates)
	}

	poll(t, s, map[string]string{"allowed_updates": `[]`, "offset": "100"}) // back to the default
	s.PrivateText(1, "delivered again")
	wantOK(t, call(t, s, "getUpdates", nil), &updates)
	if len(updates) != 1 || updates[0].Message == nil {
		t.Errorf("updates after reset = %+v", updates)
	}
}

func TestWebhookBlocksGetUpdates(t *testing.T) {
	s := mustStart(t, botapi.Options{})
	wantOK(t, call(t, s, "setWebhook", map[string]string{"url": "https://example.com/hook"}), nil)
	wantRefusal(t, call(t, s, "getUpdates", nil), http.StatusConflict,
		"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	var info botapi.WebhookInfo
	wantOK(t, call(t, s, "getWebhookInfo", nil), &info)
	if info.URL != "https://example.com/hook" {
		t.Errorf("webhook info = %+v", info)
	}
	s.PrivateText(1, "x")
	wantOK(t, call(t, s, "deleteWebhook", map[string]string{"drop_pending_updates": "true"}), nil)
	if got := poll(t, s, nil); len(got) != 0 {
		t.Errorf("dropped updates came back: %v", got)
	}
}
