-- The one way out: every message the bot starts on its own (notifications,
-- and later broadcasts and reminders) is queued here and delivered by one
-- paced sender, so nothing is lost across restarts and another process (the
-- command line) can queue messages for the running bot.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id     INTEGER NOT NULL,
    text        TEXT NOT NULL CHECK (text <> ''),
    markup      TEXT NOT NULL DEFAULT '',      -- inline keyboard as JSON, owned by the bot
    kind        TEXT NOT NULL DEFAULT '',      -- what it is, for reports
    created_at  TEXT NOT NULL,
    not_before  TEXT NOT NULL,                 -- not sent before this time (retries wait here)
    attempts    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    error       TEXT NOT NULL DEFAULT '',
    sent_at     TEXT
);
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE status = 'pending';
