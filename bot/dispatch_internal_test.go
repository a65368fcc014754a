package bot

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func TestDispatcherPushesBackWhenFull(t *testing.T) {
	release := make(chan struct{})
	var done []int64
	d := newDispatcher(1, 3, slog.New(slog.DiscardHandler),
		func(ctx context.Context, u *models.Update) { <-release },
		nil,
		func(ctx context.Context, u *models.Update) { done = append(done, u.ID) })
	update := func(id int64) *models.Update {
		return &models.Update{ID: id, Message: &models.Message{Chat: models.Chat{ID: 7}}}
	}
	for id := range int64(3) {
		if err := d.submit(context.Background(), update(id), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	// Full: a submit waits, and gives up when its context ends.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.submit(gone, update(3), time.Time{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("submit to a full dispatcher: %v, want it to wait", err)
	}
	submitted := make(chan error)
	go func() { submitted <- d.submit(context.Background(), update(3), time.Time{}) }()
	release <- struct{}{} // the first update is handled: room for one
	if err := <-submitted; err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := d.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(done) != 4 || done[0] != 0 || done[3] != 3 {
		t.Errorf("done %v, want 0..3 in order", done)
	}
}
