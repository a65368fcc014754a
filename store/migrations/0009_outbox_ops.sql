-- The outbox carries every way the bot acts on its own in a chat, and knows
-- what each row belongs to.
--
-- op: 'send' a message, or 'edit' / 'delete' the message target that an
--   earlier row sent (a corrected or withdrawn notice).
-- ref: what the row belongs to ('broadcast:12', 'event:3'), for per-notice
--   counts, a stop and a withdrawal; '' for none.
-- media: an attachment, opaque to the store (the bot's 'photo:<file_id>').
-- quiet: 1 holds the row during quiet hours (non-urgent pushes).
-- message_id: Telegram's id of the sent message, to edit or delete it later.
-- status 'cancelled': a pending row whose notice was stopped.
CREATE TABLE outbox_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id     INTEGER NOT NULL,
    op          TEXT NOT NULL DEFAULT 'send' CHECK (op IN ('send', 'edit', 'delete')),
    target      INTEGER NOT NULL DEFAULT 0,
    text        TEXT NOT NULL,
    markup      TEXT NOT NULL DEFAULT '',
    media       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    ref         TEXT NOT NULL DEFAULT '',
    repeatable  INTEGER NOT NULL DEFAULT 0,
    quiet       INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    crashes     INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain', 'cancelled')),
    error       TEXT NOT NULL DEFAULT '',
    sent_at     TEXT,
    message_id  INTEGER NOT NULL DEFAULT 0,
    CHECK (op = 'delete' OR text <> ''),
    CHECK (op = 'send' OR target <> 0)
);
INSERT INTO outbox_new (id, chat_id, text, markup, kind, repeatable, created_at, not_before, attempts, crashes, status, error, sent_at)
    SELECT id, chat_id, text, markup, kind, repeatable, created_at, not_before, attempts, crashes, status, error, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE status = 'pending';
CREATE INDEX outbox_chat ON outbox (chat_id, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_finished ON outbox (created_at) WHERE status IN ('sent', 'failed', 'uncertain', 'cancelled');
CREATE INDEX outbox_ref ON outbox (ref, status) WHERE ref <> '';
