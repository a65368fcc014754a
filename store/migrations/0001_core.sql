-- Telegram accounts that have talked to the bot, and the state of the
-- multi-step conversations (registration, broadcasts, ...) they are in.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,          -- Telegram user id
    username    TEXT NOT NULL DEFAULT '',
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT '',
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    blocked_at  TEXT                          -- set when the user blocked the bot
);

CREATE TABLE conversations (
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',   -- JSON owned by the flow
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
