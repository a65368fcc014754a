package bot

import (
	"context"
	"time"

	"github.com/dangwu/dangwu/inbox"
	"github.com/dangwu/dangwu/outbox"
	"github.com/dangwu/dangwu/store"
)

// housekeepEvery is how often finished rows are purged.
const housekeepEvery = time.Hour

// housekeep keeps the database from growing without bound: finished outbox
// rows older than outbox.Retention, handled updates older than
// inbox.Retention and dialogues abandoned for longer than
// store.ConversationTTL go, once at start and then every hour, until ctx ends.
func (b *Bot) housekeep(ctx context.Context) {
	t := time.NewTicker(housekeepEvery)
	defer t.Stop()
	for {
		b.purge(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purge runs one round of housekeeping.
func (b *Bot) purge(ctx context.Context) {
	now := b.now()
	if n, err := b.outbox.Purge(ctx, now.Add(-outbox.Retention)); err != nil {
		b.log.Warn("purge outbox", "err", err)
	} else if n > 0 {
		b.log.Info("purged finished outbox messages", "rows", n)
	}
	if n, err := b.conv.Purge(ctx, now.Add(-store.ConversationTTL)); err != nil {
		b.log.Warn("purge dialogues", "err", err)
	} else if n > 0 {
		b.log.Info("purged abandoned dialogues", "rows", n)
	}
	if n, err := b.inbox.Purge(ctx, now.Add(-inbox.Retention)); err != nil {
		b.log.Warn("purge inbox", "err", err)
	} else if n > 0 {
		b.log.Info("purged handled updates", "rows", n)
	}
}
