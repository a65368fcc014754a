-- The knowledge base: documents split into passages, FAQ entries, search
-- synonyms, and the questions asked with the results shown, feedback and the
-- unanswered queue. The Bleve index is a cache of these tables: every change
-- bumps kb_state.generation and stamps the rows it touches, so an index can
-- catch up with what changed after the generation it reflects.

CREATE TABLE kb_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    generation     INTEGER NOT NULL,
    instance       TEXT NOT NULL,             -- tells one database from another
    synonyms       TEXT NOT NULL DEFAULT '[]', -- JSON array of groups of terms
    synonyms_hash  TEXT NOT NULL DEFAULT ''
);
INSERT INTO kb_state (id, generation, instance) VALUES (1, 0, lower(hex(randomblob(8))));

CREATE TABLE kb_documents (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    origin       TEXT NOT NULL CHECK (origin IN ('content', 'import')),
    source       TEXT NOT NULL DEFAULT '',
    date         TEXT NOT NULL DEFAULT '',
    district     TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]',  -- JSON array
    file_name    TEXT NOT NULL DEFAULT '',
    hash         TEXT NOT NULL,
    imported_by  INTEGER NOT NULL DEFAULT 0,
    imported_at  TEXT NOT NULL,
    generation   INTEGER NOT NULL
);
CREATE INDEX kb_documents_generation ON kb_documents (generation);

-- AUTOINCREMENT: a passage id is never reused, so an id kept in old callback
-- data can only miss, never point at another passage.
CREATE TABLE kb_passages (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id   TEXT NOT NULL REFERENCES kb_documents (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    section  TEXT NOT NULL,
    text     TEXT NOT NULL,
    UNIQUE (doc_id, seq)
);

CREATE TABLE kb_faqs (
    id            TEXT PRIMARY KEY,
    origin        TEXT NOT NULL CHECK (origin IN ('content', 'gap')),
    question      TEXT NOT NULL,
    alternatives  TEXT NOT NULL DEFAULT '[]', -- JSON array
    answer        TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    doc_id        TEXT NOT NULL DEFAULT '',
    section       TEXT NOT NULL DEFAULT '',
    district      TEXT NOT NULL DEFAULT '',
    hash          TEXT NOT NULL,
    created_by    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    generation    INTEGER NOT NULL
);
CREATE INDEX kb_faqs_generation ON kb_faqs (generation);

-- Documents and FAQ entries deleted, so an index can drop them.
CREATE TABLE kb_removed (
    kind        TEXT NOT NULL CHECK (kind IN ('passage', 'faq')),
    id          TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX kb_removed_generation ON kb_removed (generation);

CREATE TABLE kb_questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL,
    district    TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    asked_at    TEXT NOT NULL,
    confident   INTEGER NOT NULL,
    confidence  REAL NOT NULL DEFAULT 0,
    open        INTEGER NOT NULL,            -- in the unanswered queue
    closed_at   TEXT,
    faq_id      TEXT NOT NULL DEFAULT ''     -- the FAQ entry that answered it
);
CREATE INDEX kb_questions_open ON kb_questions (district, id) WHERE open = 1;

CREATE TABLE kb_shown (
    question_id  INTEGER NOT NULL REFERENCES kb_questions (id) ON DELETE CASCADE,
    rank         INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    doc_id       TEXT NOT NULL DEFAULT '',
    passage_id   INTEGER NOT NULL DEFAULT 0,
    faq_id       TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    section      TEXT NOT NULL DEFAULT '',
    confidence   REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (question_id, rank)
) WITHOUT ROWID;

-- One vote per user and question: the last one wins.
CREATE TABLE kb_feedback (
    question_id  INTEGER NOT NULL REFERENCES kb_questions (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    rank         INTEGER NOT NULL,
    helpful      INTEGER NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
) WITHOUT ROWID;
