package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dangwu/dangwu/inbox"
	"github.com/go-telegram/bot/models"
)

// The bot polls Telegram itself instead of through go-telegram/bot, whose
// loop confirms an update (by asking for the next ones) as soon as it hands
// it over. Here each batch is stored in the inbox first; only then does the
// next getUpdates confirm it. The dispatcher's queue is bounded, so a flood
// makes the poller wait rather than pile updates up in memory; Telegram
// keeps what it has not confirmed.

// allowedUpdates are the kinds of update the bot handles.
var allowedUpdates = []string{
	models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery,
	models.AllowedUpdateInlineQuery, models.AllowedUpdateMyChatMember,
	models.AllowedUpdatePollAnswer,
}

// maxUpdatesResponse bounds the body of one getUpdates answer (at most 100
// updates, each a message of at most a few kilobytes).
const maxUpdatesResponse = 32 << 20

// maxPollBackoff is the longest wait between failing getUpdates calls.
const maxPollBackoff = 30 * time.Second

// apiError is a refusal from the Bot API server.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Description) }

// getUpdates asks for the updates from offset on, waiting up to the poll
// timeout for one to arrive.
func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{
		"offset":          offset,
		"limit":           100,
		"timeout":         int(b.pollTimeout.Seconds()),
		"allowed_updates": allowedUpdates,
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.apiURL+"/bot"+b.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, redactToken(err, b.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, redactToken(err, b.token)
	}
	defer resp.Body.Close()
	var answer struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxUpdatesResponse)).Decode(&answer); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d: unreadable answer: %w", resp.StatusCode, err)
	}
	if !answer.OK {
		return nil, &apiError{Code: answer.ErrorCode, Description: answer.Description, RetryAfter: answer.Parameters.RetryAfter}
	}
	return answer.Result, nil
}

// poll receives updates until ctx ends: each batch is stored, then handed
// to the dispatcher.
func (b *Bot) poll(ctx context.Context) {
	var offset int64
	for {
		n, err := b.inbox.NextOffset(ctx)
		if err == nil {
			offset = n
			break
		}
		b.log.Error("read inbox offset", "err", err)
		if sleepCtx(ctx, time.Second) != nil {
			return
		}
	}
	wait := time.Duration(0)
	for ctx.Err() == nil {
		if wait > 0 && sleepCtx(ctx, wait) != nil {
			return
		}
		raw, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait = min(max(2*wait, 500*time.Millisecond), maxPollBackoff)
			var apiErr *apiError
			if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
				wait = time.Duration(apiErr.RetryAfter) * time.Second
			}
			b.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			continue
		}
		wait = 0
		if len(raw) == 0 {
			continue
		}
		now := b.now()
		batch := make([]inbox.Update, 0, len(raw))
		next := offset
		for _, r := range raw {
			var head struct {
				ID int64 `json:"update_id"`
			}
			if err := json.Unmarshal(r, &head); err != nil {
				b.log.Error("update without an update_id: skipped", "err", err)
				continue
			}
			batch = append(batch, inbox.Update{ID: head.ID, Payload: r, ReceivedAt: now})
			next = max(next, head.ID+1)
		}
		fresh, err := b.inbox.Add(ctx, batch)
		if err != nil {
			// Not stored, so not confirmed: the same offset asks again.
			wait = time.Second
			b.log.Error("store updates: asking again", "err", err)
			continue
		}
		offset = next
		for _, u := range fresh {
			if err := b.dispatchStored(ctx, u); err != nil {
				return // stopping: the update stays in the inbox for the next start
			}
		}
	}
}

// replay hands the updates that were not done when the process stopped to
// the dispatcher, oldest first.
func (b *Bot) replay(ctx context.Context) error {
	us, err := b.inbox.Unfinished(ctx)
	if err != nil {
		return err
	}
	if len(us) > 0 {
		b.log.Info("handling updates left unfinished by the last run", "updates", len(us))
	}
	for _, u := range us {
		if err := b.dispatchStored(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// dispatchStored decodes a stored update and queues it, waiting for room.
// An update that cannot be decoded is marked done and logged.
func (b *Bot) dispatchStored(ctx context.Context, su inbox.Update) error {
	u := new(models.Update)
	if err := json.Unmarshal(su.Payload, u); err != nil {
		b.log.Error("undecodable update: skipped", "update_id", su.ID, "err", err)
		if err := b.inbox.Done(ctx, su.ID, b.now()); err != nil {
			b.log.Error("mark undecodable update done", "update_id", su.ID, "err", err)
		}
		return nil
	}
	u.ID = su.ID
	return b.disp.submit(ctx, u, su.ReceivedAt)
}

// doneMark marks an update done once: when its first message is out, or
// when its handler returns. The mark after a message is written while the
// handler goes on (its next message need not wait for the write); the
// handler is finished only once the mark is written (dispatcher.run waits).
type doneMark struct {
	id      int64 // the update's
	once    sync.Once
	mark    func()
	started atomic.Bool
	written chan struct{} // closed once the mark is written, or settled
}

type doneKey struct{}

func withDoneMark(ctx context.Context, id int64, mark func()) (context.Context, *doneMark) {
	d := &doneMark{id: id, mark: mark, written: make(chan struct{})}
	return context.WithValue(ctx, doneKey{}, d), d
}

// start begins writing the mark, unless it is begun or settled.
func (d *doneMark) start() {
	d.once.Do(func() {
		d.started.Store(true)
		go func() {
			defer close(d.written)
			d.mark()
		}()
	})
}

// do writes the mark, unless it is written or settled, and waits for it.
func (d *doneMark) do() {
	d.start()
	<-d.written
}

// wait waits for a mark begun to be written.
func (d *doneMark) wait() {
	if d.started.Load() {
		<-d.written
	}
}

// settleDone records that the update ctx belongs to was marked done in a
// committed transaction, so later marks need not write again.
func settleDone(ctx context.Context) {
	if d, ok := ctx.Value(doneKey{}).(*doneMark); ok {
		d.once.Do(func() { close(d.written) })
	}
}

// markDone marks the update ctx belongs to done, if any. The sender calls it
// after each message it sends: once a reply is out, a restart must not
// handle the update again and answer twice.
func markDone(ctx context.Context) {
	if ctx.Value(beforeWriteKey{}) != nil {
		return
	}
	if d, ok := ctx.Value(doneKey{}).(*doneMark); ok {
		d.start()
	}
}

// updateID is the id of the update ctx belongs to, 0 outside one.
func updateID(ctx context.Context) int64 {
	if d, ok := ctx.Value(doneKey{}).(*doneMark); ok {
		return d.id
	}
	return 0
}

type beforeWriteKey struct{}

// beforeWrite is ctx for a message sent before the change the update makes
// is written ("已选：云龙区" in place of the buttons, then the move): its
// sending does not mark the update done, so a crash between the message and
// the write replays the update, and the change is made, at the cost of the
// message twice.
func beforeWrite(ctx context.Context) context.Context {
	return context.WithValue(ctx, beforeWriteKey{}, true)
}

// doneInTx marks the update ctx belongs to done in the transaction ctx
// carries, so that the change the update made and the record that it was
// handled commit together: a restart never handles it again against the
// state it left (a dialogue already ended, an answer already stored).
func (b *Bot) doneInTx(ctx context.Context) error {
	d, ok := ctx.Value(doneKey{}).(*doneMark)
	if !ok {
		return nil
	}
	return b.inbox.Done(ctx, d.id, b.now())
}
