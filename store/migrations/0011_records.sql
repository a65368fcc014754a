-- Records (records package): the 学时 ledger, yearly assessments,
-- responsibility lists and their reports, certification levels and
-- applications, and the settings pay references need (the city minimum
-- wage). Vacancies are derived from members and assessments.

-- The ledger. An activity credits once (key: 'event:<event>:<user>[:n]',
-- 'exam:<paper>:<year>:<user>');
-- a correction is a new entry (corrects: the entry it undoes), never an edit.
CREATE TABLE credits (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    hours       REAL NOT NULL CHECK (hours <> 0 AND hours BETWEEN -2000 AND 2000),
    on_day      TEXT NOT NULL,                        -- YYYY-MM-DD in the bot's zone
    kind        TEXT NOT NULL CHECK (kind IN ('event', 'exam', 'manual', 'correction')),
    key         TEXT UNIQUE,                          -- the activity; NULL for a manual credit
    title       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    by_user     INTEGER NOT NULL DEFAULT 0,           -- who credited it by hand; 0: the system
    corrects    INTEGER REFERENCES credits(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX credits_user_day ON credits(user_id, on_day);
CREATE UNIQUE INDEX credits_corrected_once ON credits(corrects) WHERE corrects IS NOT NULL;

CREATE TABLE assessments (
    user_id     INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    rating      TEXT NOT NULL CHECK (rating IN ('优秀', '合格', '基本合格', '不合格')),
    comment     TEXT NOT NULL DEFAULT '',
    district    TEXT NOT NULL,                        -- the worker's district when assessed
    org         TEXT NOT NULL DEFAULT '',
    by_user     INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL,
    PRIMARY KEY (user_id, year)
);

-- Responsibility lists: one row per item of a worker's list for a year.
CREATE TABLE duties (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    text        TEXT NOT NULL CHECK (text <> ''),
    due_on      TEXT NOT NULL,                        -- YYYY-MM-DD
    done_on     TEXT,                                 -- set by a report that says it is done
    reminded    INTEGER NOT NULL DEFAULT 0,           -- the reminder before due_on went
    created_by  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX duties_user ON duties(user_id, year);
CREATE INDEX duties_due ON duties(due_on) WHERE done_on IS NULL;

CREATE TABLE duty_reports (
    id          INTEGER PRIMARY KEY,
    duty_id     INTEGER NOT NULL REFERENCES duties(id) ON DELETE CASCADE,
    text        TEXT NOT NULL DEFAULT '',
    media       TEXT NOT NULL DEFAULT '',             -- the bot's 'photo:<file_id>' / 'document:<file_id>'
    done        INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    at          TEXT NOT NULL
);
CREATE INDEX duty_reports_duty ON duty_reports(duty_id, id);

-- Levels awarded, newest last: the history of a worker's certification.
CREATE TABLE levels (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    level       TEXT NOT NULL,
    district    TEXT NOT NULL,
    by_user     INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL
);
CREATE INDEX levels_user ON levels(user_id, id);

CREATE TABLE level_applications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    level       TEXT NOT NULL,
    district    TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    reason      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    decided_by  INTEGER NOT NULL DEFAULT 0,
    decided_at  TEXT
);
CREATE UNIQUE INDEX level_applications_pending ON level_applications(user_id) WHERE state = 'pending';
CREATE INDEX level_applications_district ON level_applications(district, state);

-- Settings an administrator gives (the city minimum wage of a year).
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    by_user     INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL
);
