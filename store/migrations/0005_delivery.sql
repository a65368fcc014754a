-- Delivery that a crash cannot fool.
--
-- The outbox gains the state "sending": a row is marked before its send
-- starts, so a row still "sending" after a crash was in flight, and whether
-- Telegram received it is unknown. At start-up such a row is sent again when
-- a duplicate is harmless (repeatable, short personal notices) and becomes
-- "uncertain" otherwise (broadcasts): counted and shown, never silently
-- re-sent. crashes counts how often that happened to a row.
CREATE TABLE outbox_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id     INTEGER NOT NULL,
    text        TEXT NOT NULL CHECK (text <> ''),
    markup      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    repeatable  INTEGER NOT NULL DEFAULT 0,   -- 1: a duplicate after a crash is harmless
    created_at  TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    crashes     INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain')),
    error       TEXT NOT NULL DEFAULT '',
    sent_at     TEXT
);
INSERT INTO outbox_new (id, chat_id, text, markup, kind, repeatable, created_at, not_before, attempts, status, error, sent_at)
    SELECT id, chat_id, text, markup, kind, 1, created_at, not_before, attempts, status, error, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE status = 'pending';
-- A chat's messages go out in order: a row waits while an earlier one of its
-- chat is in flight or waiting to be retried.
CREATE INDEX outbox_chat ON outbox (chat_id, id) WHERE status IN ('pending', 'sending');
-- Retention: finished rows are purged by age.
CREATE INDEX outbox_finished ON outbox (created_at) WHERE status IN ('sent', 'failed', 'uncertain');

-- The inbox: every update received from Telegram is stored here before
-- Telegram is told it arrived (the next getUpdates offset), handled, then
-- marked done. Unfinished rows are handled again at start-up; update_id
-- deduplicates a redelivery.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     BLOB NOT NULL,              -- the update as Telegram sent it (JSON)
    received_at TEXT NOT NULL,
    done_at     TEXT                        -- NULL while unfinished
);
CREATE INDEX inbox_pending ON inbox (update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;
