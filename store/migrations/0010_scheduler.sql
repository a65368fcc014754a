-- The scheduler: venues, events with sign-ups, reminders and attendance,
-- broadcasts with acknowledgements, recurring notices, and which pushes
-- each person wants. Times are RFC 3339 text in UTC to the second.
-- Messages these cause are outbox rows (ref 'broadcast:<id>', 'event:<id>',
-- 'schedule:<id>') queued in the transaction of the change.

CREATE TABLE venues (
    id          INTEGER PRIMARY KEY,
    key         TEXT UNIQUE,                          -- id in content/venues.yaml; NULL if added in chat
    name        TEXT NOT NULL CHECK (name <> ''),
    kind        TEXT NOT NULL CHECK (kind <> ''),
    district    TEXT NOT NULL DEFAULT '',             -- '' = city-wide
    address     TEXT NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL DEFAULT 0,           -- 0: content, or erased
    updated_at  TEXT NOT NULL,
    UNIQUE (district, name)
);

-- The venue a worker is stationed at (their profile names it).
CREATE TABLE member_venues (
    user_id     INTEGER PRIMARY KEY,
    venue_id    INTEGER NOT NULL REFERENCES venues(id) ON DELETE CASCADE
);
CREATE INDEX member_venues_venue ON member_venues(venue_id);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    key         TEXT UNIQUE,                          -- id in content/events.yaml
    kind        TEXT NOT NULL CHECK (kind IN ('course', 'forum', 'rotation', 'trip')),
    title       TEXT NOT NULL CHECK (title <> ''),
    description TEXT NOT NULL DEFAULT '',
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL CHECK (ends_at > starts_at),
    venue_id    INTEGER REFERENCES venues(id) ON DELETE SET NULL,
    place       TEXT NOT NULL DEFAULT '',
    district    TEXT NOT NULL DEFAULT '',             -- the owner; '' = city
    audience    TEXT NOT NULL DEFAULT '{}',           -- scheduler.Audience as JSON
    capacity    INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),   -- 0: no limit
    hours       REAL NOT NULL DEFAULT 0 CHECK (hours >= 0),
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'cancelled')),
    secret      BLOB NOT NULL,                        -- keys the check-in codes
    created_by  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX events_start ON events(starts_at) WHERE state = 'open';

-- Sign-ups: registered, or waiting in order of at.
CREATE TABLE event_signups (
    event_id    INTEGER NOT NULL REFERENCES events(id),
    user_id     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('registered', 'waiting')),
    at          TEXT NOT NULL,
    seq         INTEGER NOT NULL,                     -- order of sign-up, breaks ties of at
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_signups_queue ON event_signups(event_id, status, seq);
CREATE INDEX event_signups_user ON event_signups(user_id);

-- Reminders of an event, one per offset before its start.
CREATE TABLE event_reminders (
    event_id    INTEGER NOT NULL REFERENCES events(id),
    offset_s    INTEGER NOT NULL CHECK (offset_s > 0),
    due_at      TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped')),
    PRIMARY KEY (event_id, offset_s)
);
CREATE INDEX event_reminders_due ON event_reminders(due_at) WHERE state = 'pending';

-- Attendance, with the 学时 it credits.
CREATE TABLE event_attendance (
    event_id    INTEGER NOT NULL REFERENCES events(id),
    user_id     INTEGER NOT NULL,
    at          TEXT NOT NULL,
    method      TEXT NOT NULL CHECK (method IN ('code', 'link', 'manual')),
    present     INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
    hours       REAL NOT NULL DEFAULT 0,
    marked_by   INTEGER NOT NULL DEFAULT 0,           -- the coordinator, for a manual mark
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_attendance_user ON event_attendance(user_id);

CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY,
    text        TEXT NOT NULL CHECK (text <> ''),
    media       TEXT NOT NULL DEFAULT '',
    audience    TEXT NOT NULL DEFAULT '{}',
    district    TEXT NOT NULL DEFAULT '',             -- the sender's scope
    ack         INTEGER NOT NULL DEFAULT 0 CHECK (ack IN (0, 1)),
    send_at     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('scheduled', 'sent', 'stopped', 'cancelled', 'withdrawn')),
    recipients  INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,           -- known blocked, or pushes turned off
    created_by  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    status_chat INTEGER NOT NULL DEFAULT 0,           -- the coordinator's status message
    status_msg  INTEGER NOT NULL DEFAULT 0,
    revision    INTEGER NOT NULL DEFAULT 0            -- corrections sent
);
CREATE INDEX broadcasts_due ON broadcasts(send_at) WHERE state = 'scheduled';

CREATE TABLE broadcast_acks (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    user_id      INTEGER NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, user_id)
);

CREATE TABLE schedules (
    id          INTEGER PRIMARY KEY,
    key         TEXT UNIQUE,                          -- id in content/schedules.yaml
    title       TEXT NOT NULL CHECK (title <> ''),
    text        TEXT NOT NULL CHECK (text <> ''),
    spec        TEXT NOT NULL CHECK (spec <> ''),     -- 5-field cron, in DANGWU_TZ
    audience    TEXT NOT NULL DEFAULT '{}',
    district    TEXT NOT NULL DEFAULT '',
    paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_by  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    last_run    TEXT NOT NULL                         -- runs after this are due
);

-- Pushes a person turned off (kind: broadcast, reminder, schedule, daily).
CREATE TABLE push_prefs (
    user_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    off         INTEGER NOT NULL DEFAULT 1 CHECK (off IN (0, 1)),
    PRIMARY KEY (user_id, kind)
);

-- The day the daily quiz push last went to a person (YYYY-MM-DD in
-- DANGWU_TZ), so it goes once a day.
ALTER TABLE quiz_prefs ADD COLUMN pushed_on TEXT NOT NULL DEFAULT '';
