-- People (member package): profiles of party-affairs workers, their status
-- history, district rosters, coordinator grants, one-time invitations and the
-- audit log. Times are RFC 3339 text in UTC to the second, so they sort as
-- text; dates are YYYY-MM-DD. User ids are Telegram user ids. Personal data
-- (name, phone, organisation, user id) lives only where a person needs it:
-- erasure blanks it in members and forgets the user id everywhere else.

CREATE TABLE members (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER REFERENCES users(id),      -- NULL once erased
    name           TEXT NOT NULL,                     -- '' once erased
    phone          TEXT,                              -- 11 digits; NULL once erased
    phone_verified INTEGER NOT NULL DEFAULT 0 CHECK (phone_verified IN (0, 1)),
    district       TEXT NOT NULL CHECK (district <> ''),
    org            TEXT NOT NULL,                     -- '' once erased
    post           TEXT NOT NULL CHECK (post <> ''),
    education      TEXT NOT NULL CHECK (education <> ''),
    start_year     INTEGER NOT NULL CHECK (start_year BETWEEN 1950 AND 2200),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'left', 'deleted')),
    status_reason  TEXT NOT NULL DEFAULT '',          -- why rejected or left; 'roster'
    status_at      TEXT NOT NULL,
    left_on        TEXT,                              -- departure date while left
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (phone IS NULL OR phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    CHECK ((status = 'left') = (left_on IS NOT NULL)),
    -- A record is either whole or erased, never half-written.
    CHECK (status = 'deleted' OR (user_id IS NOT NULL AND name <> '' AND phone IS NOT NULL AND org <> '')),
    CHECK (status <> 'deleted' OR (user_id IS NULL AND name = '' AND phone IS NULL AND org = '' AND status_reason = ''))
);
-- One live profile per user and per phone; rejected and erased ones do not count.
CREATE UNIQUE INDEX members_live_user ON members(user_id) WHERE status IN ('pending', 'approved', 'left');
CREATE UNIQUE INDEX members_live_phone ON members(phone) WHERE status IN ('pending', 'approved', 'left');
CREATE INDEX members_user ON members(user_id);
CREATE INDEX members_district_status ON members(district, status);

CREATE TABLE member_history (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    at            TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('joined', 'approved', 'rejected', 'moved', 'pending', 'left', 'returned', 'deleted')),
    actor         INTEGER,                            -- user id; NULL: the member, the system, or erased
    from_district TEXT NOT NULL DEFAULT '',
    to_district   TEXT NOT NULL DEFAULT '',
    on_date       TEXT,                               -- departure date of 'left'
    reason        TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'left') = (on_date IS NOT NULL))
);
CREATE INDEX member_history_member ON member_history(member_id, id);

-- The people each district expects: a registration whose verified phone is
-- here under the same district is approved at once.
CREATE TABLE roster (
    phone       TEXT PRIMARY KEY CHECK (phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    name        TEXT NOT NULL CHECK (name <> ''),
    district    TEXT NOT NULL CHECK (district <> ''),
    org         TEXT NOT NULL DEFAULT '',
    post        TEXT NOT NULL DEFAULT '',
    imported_by INTEGER,                              -- user id; NULL once erased
    imported_at TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX roster_district ON roster(district);

-- Coordinator grants. Administrators come from the configuration, not here.
CREATE TABLE coordinators (
    user_id    INTEGER PRIMARY KEY CHECK (user_id > 0),
    district   TEXT NOT NULL DEFAULT '',              -- '' = city-wide
    granted_by INTEGER,                               -- NULL once erased
    granted_at TEXT NOT NULL
);

-- One-time invitations to become a coordinator; only a hash of the code.
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
    district   TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL CHECK (expires_at > created_at),
    used_by    INTEGER,                               -- NULL if unused or erased
    used_at    TEXT,
    CHECK (used_by IS NULL OR used_at IS NOT NULL)
);

-- Who did what to whom, when, why. Ids only: names are joined when read.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor         INTEGER,                            -- NULL: the system or erased
    action        TEXT NOT NULL CHECK (action IN ('granted', 'revoked', 'invite_created', 'approved', 'rejected', 'left', 'returned', 'roster_imported', 'erased')),
    target_user   INTEGER,
    target_member INTEGER REFERENCES members(id),
    district      TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_member ON audit_log(target_member);
