package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Messages the bot starts on its own go through the outbox: queued in the
// database, then delivered in order by one loop that shares the sender's
// rate limiter with interactive replies.

// pollOutbox is how often the delivery loop looks for messages that another
// process (the command line) queued; the bot's own wake the loop at once.
const pollOutbox = 2 * time.Second

// deliverBatch is how many due messages the loop reads at a time.
const deliverBatch = 20

// deliveryState lets tests wait for the outbox to be emptied.
type deliveryState struct {
	mu       sync.Mutex
	cond     *sync.Cond
	started  int // delivery passes begun
	finished int // delivery passes that ended with nothing more due
}

func (d *deliveryState) begin() {
	d.mu.Lock()
	d.started++
	d.mu.Unlock()
}

func (d *deliveryState) end() {
	d.mu.Lock()
	d.finished = d.started
	d.cond.Broadcast()
	d.mu.Unlock()
}

// notice is a message to queue for one chat.
type notice struct {
	chatID int64
	msg    message
}

// queue puts notices in the outbox, all or none, and wakes the delivery loop.
func (b *Bot) queue(ctx context.Context, kind string, notices ...notice) error {
	msgs := make([]outbox.Message, 0, len(notices))
	now := b.now() // the clock the delivery loop reads the queue with
	for _, n := range notices {
		if n.chatID == 0 {
			continue // an erased person
		}
		m := outbox.Message{ChatID: n.chatID, Text: n.msg.text, Kind: kind, NotBefore: now}
		if n.msg.markup != nil {
			data, err := json.Marshal(n.msg.markup)
			if err != nil {
				return fmt.Errorf("queue %s: %w", kind, err)
			}
			m.Markup = string(data)
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := b.outbox.Enqueue(ctx, msgs); err != nil {
		return fmt.Errorf("queue %s: %w", kind, err)
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return nil
}

// QueueApprovalNotices queues, for the running bot to deliver, the message
// telling each person that their registration was approved. The command
// line uses it after importing a roster, which may approve people waiting.
func QueueApprovalNotices(ctx context.Context, ob outbox.Store, approved []member.Profile, now time.Time) error {
	var msgs []outbox.Message
	for _, p := range approved {
		if p.UserID != 0 {
			msgs = append(msgs, outbox.Message{ChatID: p.UserID, Text: t("pending.you_approved"), Kind: "decision", NotBefore: now})
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return ob.Enqueue(ctx, msgs)
}

// tell queues text for a person other than the one being answered.
func (b *Bot) tell(ctx context.Context, userID int64, kind, text string) error {
	return b.queue(ctx, kind, notice{chatID: userID, msg: message{text: text}})
}

// deliver sends due outbox messages until stop ends. Sends use the
// handlers' context, so a message being sent at shutdown is finished
// rather than cut off (and later sent twice).
func (b *Bot) deliver(stop context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-stop.Done():
			return
		case <-b.wake:
		case <-timer.C:
		}
		b.delivery.begin()
		for stop.Err() == nil {
			due, err := b.outbox.Due(stop, b.now(), deliverBatch)
			if err != nil {
				if stop.Err() == nil {
					b.log.Error("read outbox", "err", err)
				}
				break
			}
			for _, m := range due {
				if stop.Err() != nil {
					return
				}
				b.deliverOne(b.disp.ctx, m)
			}
			if len(due) == 0 {
				b.delivery.end()
				break
			}
		}
		timer.Reset(pollOutbox)
	}
}

// deliverOne sends one queued message and records the outcome.
func (b *Bot) deliverOne(ctx context.Context, m outbox.Message) {
	msg := message{text: m.Text}
	if m.Markup != "" {
		var kb models.InlineKeyboardMarkup
		if err := json.Unmarshal([]byte(m.Markup), &kb); err != nil {
			b.recordFailure(ctx, m, fmt.Errorf("bad markup: %w", err), true)
			return
		}
		msg.markup = &kb
	}
	_, err := b.out.send(ctx, m.ChatID, msg)
	switch {
	case err == nil:
		if err := b.outbox.Sent(ctx, m.ID, b.now()); err != nil {
			b.log.Error("record delivery", "outbox_id", m.ID, "err", err)
		}
	case errors.Is(err, context.Canceled):
		// Shutting down: the message stays queued.
	case errors.Is(err, tgbot.ErrorForbidden), errors.Is(err, tgbot.ErrorBadRequest):
		// The chat refuses messages, or the message itself is wrong:
		// trying again would get the same answer.
		b.recordFailure(ctx, m, err, true)
	default:
		b.recordFailure(ctx, m, err, m.Attempts+1 >= outbox.MaxAttempts)
	}
}

func (b *Bot) recordFailure(ctx context.Context, m outbox.Message, cause error, giveUp bool) {
	retry := time.Time{}
	if !giveUp {
		retry = b.now().Add(outbox.Backoff(m.Attempts + 1))
	}
	b.log.Info("outbox message not delivered", "outbox_id", m.ID, "chat_id", m.ChatID, "kind", m.Kind, "give_up", giveUp, "err", cause)
	if err := b.outbox.Failed(ctx, m.ID, cause.Error(), retry); err != nil {
		b.log.Error("record failed delivery", "outbox_id", m.ID, "err", err)
	}
}

// waitOutboxEmpty blocks until a delivery pass that began after the call
// has found nothing left to send, or ctx ends.
func (b *Bot) waitOutboxEmpty(ctx context.Context) error {
	d := &b.delivery
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.cond.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	// A pass in progress may have read the queue before the call, so wait
	// for the next one to begin and run dry; the wake makes sure it comes.
	d.mu.Lock()
	target := d.started + 1
	d.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.finished < target {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.cond.Wait()
	}
	return nil
}
