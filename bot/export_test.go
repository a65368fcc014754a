package bot

import (
	"context"
	"time"
)

// AddTestCommand registers a worker command for tests (a panicking one, a
// slow one).
func (b *Bot) AddTestCommand(name string, run func(ctx context.Context)) {
	c := &command{name: name, desc: "cmd.help", run: func(ctx context.Context, r *request) error {
		run(ctx)
		return b.reply(ctx, r, "done "+name)
	}}
	b.byName[name] = c
}

// SetSleep replaces the sender's wait after a 429.
func (b *Bot) SetSleep(sleep func(ctx context.Context, d time.Duration) error) { b.out.sleep = sleep }

// Catalog exposes the message catalog to the catalog test.
var Catalog = catalog

// T exposes the catalog lookup.
var T = t

// WaitOutboxEmpty waits until every queued notification has been delivered.
func (b *Bot) WaitOutboxEmpty(ctx context.Context) error { return b.waitOutboxEmpty(ctx) }

// Purge runs one round of housekeeping now.
func (b *Bot) Purge(ctx context.Context) { b.purge(ctx) }
