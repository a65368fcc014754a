-- Each district keeps its own roster: an entry per phone and district, so
-- one district's import can neither see, block nor change another's entry
-- for the same phone (with the phone alone as key, a district coordinator
-- learned that a phone was on another district's roster, and the first
-- district to import a phone kept every other from listing it). SQLite
-- cannot change a primary key in place: the table is rebuilt, with every
-- row kept.
CREATE TABLE roster_by_district (
    phone       TEXT NOT NULL CHECK (phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    name        TEXT NOT NULL CHECK (name <> ''),
    district    TEXT NOT NULL CHECK (district <> ''),
    org         TEXT NOT NULL DEFAULT '',
    post        TEXT NOT NULL DEFAULT '',
    imported_by INTEGER,                              -- user id; NULL once erased
    imported_at TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (phone, district)
);
INSERT INTO roster_by_district (phone, name, district, org, post, imported_by, imported_at, updated_at)
    SELECT phone, name, district, org, post, imported_by, imported_at, updated_at FROM roster;
DROP TABLE roster;
ALTER TABLE roster_by_district RENAME TO roster;
CREATE INDEX roster_district ON roster(district);
