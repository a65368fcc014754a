package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/dangwu/dangwu/inbox"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Webhook mode. Telegram POSTs each update to a public URL instead of the
// bot asking with getUpdates. The HTTP server (cmd/dangwu) checks the
// secret and hands the body to Deliver, which stores the update in the
// inbox before it answers — a request not answered 2xx is retried by
// Telegram, so nothing is lost — and then queues it in the same per-chat
// dispatcher the poller uses.

// Webhook is where Telegram delivers the updates.
type Webhook struct {
	// URL is the public HTTPS URL Telegram posts updates to.
	URL string
	// Secret is the secret token Telegram echoes in the
	// X-Telegram-Bot-Api-Secret-Token header of each request.
	Secret string
}

// Errors of Deliver.
var (
	// ErrBadUpdate means the body is not an update: malformed JSON, or no update_id.
	ErrBadUpdate = errors.New("bot: not an update")
	// ErrNotReceiving means the bot takes no webhook updates now: it polls,
	// or it is stopping (Telegram tries again later).
	ErrNotReceiving = errors.New("bot: not receiving webhook updates")
)

// receiver is the state of webhook mode.
type receiver struct {
	hook  *Webhook        // nil: long polling
	ready chan struct{}   // closed when updates may be dispatched: the replay is done
	ctx   context.Context // Run's; set before ready is closed
	// mu keeps a store and its submission together, so updates reach the
	// dispatcher in the order they were stored, as from the poller.
	mu sync.Mutex
}

func newReceiver(hook *Webhook) *receiver {
	return &receiver{hook: hook, ready: make(chan struct{})}
}

// startReceiving prepares the update stream before anything runs: for long
// polling it removes any webhook, which would make getUpdates fail with
// 409; for a webhook it sets it, with the secret and the update kinds the
// bot handles.
func (b *Bot) startReceiving(ctx context.Context) error {
	hook := b.recv.hook
	if hook == nil {
		// A server that cannot delete one may still answer getUpdates,
		// which says so itself if it cannot.
		if _, err := b.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
			b.log.Warn("delete webhook", "err", redactToken(err, b.token))
		}
		return nil
	}
	if _, err := b.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
		URL: hook.URL, SecretToken: hook.Secret, AllowedUpdates: allowedUpdates,
	}); err != nil {
		return fmt.Errorf("bot: setWebhook: %w", redactToken(err, b.token))
	}
	host := ""
	if u, err := url.Parse(hook.URL); err == nil {
		host = u.Host
	}
	b.log.Info("webhook set", "webhook_host", host)
	return nil
}

// receive takes updates until ctx ends: it polls, or, in webhook mode,
// lets Deliver dispatch them.
func (b *Bot) receive(ctx context.Context) {
	if b.recv.hook == nil {
		b.log.Info("polling for updates", "bot", b.username)
		b.poll(ctx)
		return
	}
	b.recv.ctx = ctx
	close(b.recv.ready)
	b.log.Info("receiving updates by webhook", "bot", b.username)
	<-ctx.Done()
}

// Deliver takes one update that arrived by webhook: payload is the request
// body. It returns once the update is stored (or was already: Telegram
// delivered it twice) and queued for its chat, waiting while the dispatcher
// is full. Before Run has handled the updates left from the last run it
// waits, so a chat's updates keep their order. An error means the update
// was not stored: ErrBadUpdate (answer 400), ErrNotReceiving (answer 503 so
// that Telegram tries again), or a storage error. ctx is the request's.
func (b *Bot) Deliver(ctx context.Context, payload []byte) error {
	if b.recv.hook == nil {
		return ErrNotReceiving
	}
	u := new(models.Update)
	if err := json.Unmarshal(payload, u); err != nil {
		return fmt.Errorf("%w: %w", ErrBadUpdate, err)
	}
	if u.ID <= 0 {
		return fmt.Errorf("%w: no update_id", ErrBadUpdate)
	}
	select {
	case <-b.recv.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	run := b.recv.ctx
	b.recv.mu.Lock()
	defer b.recv.mu.Unlock()
	if run.Err() != nil {
		return ErrNotReceiving
	}
	fresh, err := b.inbox.Add(ctx, []inbox.Update{{ID: u.ID, Payload: payload, ReceivedAt: b.now()}})
	if err != nil {
		return fmt.Errorf("store update %d: %w", u.ID, err)
	}
	for _, su := range fresh {
		// Queued with Run's context: the update is stored, so a request
		// given up by Telegram must not leave it undispatched. If the bot
		// stops first, the next start handles it.
		if err := b.dispatchStored(run, su); err != nil {
			b.log.Info("stopping: update left for the next start", "update_id", su.ID)
		}
	}
	return nil
}
