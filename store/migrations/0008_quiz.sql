-- Quizzes (quiz package): question banks, sessions, answers, the
-- wrong-answer notebook, daily sets, preferences and group challenges.
-- Times are RFC 3339 text in UTC to the second, so they sort as text.

-- Every question ever loaded or imported. A content question that leaves
-- the content is retired, not deleted: the sessions and answers that point
-- at it keep their meaning.
CREATE TABLE quiz_questions (
    id          TEXT PRIMARY KEY,
    bank        TEXT NOT NULL,                    -- content file, or import/<name>
    origin      TEXT NOT NULL CHECK (origin IN ('content', 'import')),
    kind        TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'judge')),
    topic       TEXT NOT NULL CHECK (topic <> ''),
    difficulty  INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 3),
    text        TEXT NOT NULL CHECK (text <> ''),
    options     TEXT NOT NULL,                    -- JSON array of strings
    answer      TEXT NOT NULL,                    -- JSON array of option indexes
    explanation TEXT NOT NULL,
    doc         TEXT NOT NULL DEFAULT '',
    section     TEXT NOT NULL DEFAULT '',
    district    TEXT NOT NULL DEFAULT '',
    poll_ready  INTEGER NOT NULL CHECK (poll_ready IN (0, 1)),
    retired     INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    added_by    INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);
CREATE INDEX quiz_questions_topic ON quiz_questions(topic) WHERE retired = 0;

CREATE TABLE quiz_sessions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('practice', 'daily', 'review', 'retry', 'exam')),
    topic       TEXT NOT NULL DEFAULT '',
    exam_id     TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('active', 'done', 'expired', 'abandoned')),
    started_at  TEXT NOT NULL,
    deadline    TEXT NOT NULL DEFAULT '',         -- exams only
    finished_at TEXT NOT NULL DEFAULT '',
    pos         INTEGER NOT NULL DEFAULT 0,
    chat_id     INTEGER NOT NULL DEFAULT 0,
    message_id  INTEGER NOT NULL DEFAULT 0,
    score       INTEGER NOT NULL DEFAULT 0,
    passed      INTEGER NOT NULL DEFAULT 0 CHECK (passed IN (0, 1)),
    CHECK ((kind = 'exam') = (deadline <> '')),
    CHECK ((state = 'active') = (finished_at = ''))
);
-- One active session per person.
CREATE UNIQUE INDEX quiz_sessions_active ON quiz_sessions(user_id) WHERE state = 'active';
CREATE INDEX quiz_sessions_exam ON quiz_sessions(user_id, exam_id, started_at) WHERE kind = 'exam';
CREATE INDEX quiz_sessions_deadline ON quiz_sessions(deadline) WHERE state = 'active' AND kind = 'exam';

CREATE TABLE quiz_items (
    session_id  INTEGER NOT NULL REFERENCES quiz_sessions(id) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,
    question_id TEXT NOT NULL REFERENCES quiz_questions(id),
    topic       TEXT NOT NULL,
    selected    TEXT NOT NULL DEFAULT '[]',       -- JSON array of option indexes
    answered    INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    correct     INTEGER NOT NULL DEFAULT 0 CHECK (correct IN (0, 1)),
    answered_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, pos)
) WITHOUT ROWID;

-- Each graded answer, once per session item. points is what it earned
-- towards the weekly ranking, after the daily cap.
CREATE TABLE quiz_answers (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    question_id TEXT NOT NULL REFERENCES quiz_questions(id),
    session_id  INTEGER NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    points      INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL,
    UNIQUE (session_id, question_id)
);
CREATE INDEX quiz_answers_user ON quiz_answers(user_id, at);
CREATE INDEX quiz_answers_user_question ON quiz_answers(user_id, question_id);
CREATE INDEX quiz_answers_question ON quiz_answers(question_id);

-- The wrong-answer notebook: a card per person and question ever answered
-- wrong. box 0 means it has left the notebook (quiz/leitner.go).
CREATE TABLE quiz_cards (
    user_id     INTEGER NOT NULL,
    question_id TEXT NOT NULL REFERENCES quiz_questions(id),
    wrong       INTEGER NOT NULL DEFAULT 0,
    right_count INTEGER NOT NULL DEFAULT 0,
    box         INTEGER NOT NULL CHECK (box >= 0),
    due_at      TEXT NOT NULL DEFAULT '',
    last_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, question_id),
    CHECK ((box = 0) = (due_at = ''))
) WITHOUT ROWID;
CREATE INDEX quiz_cards_due ON quiz_cards(user_id, due_at) WHERE box > 0;

CREATE TABLE quiz_daily (
    user_id INTEGER NOT NULL,
    day     TEXT NOT NULL,                        -- YYYY-MM-DD in the bot's zone
    PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

CREATE TABLE quiz_prefs (
    user_id    INTEGER PRIMARY KEY,
    show_name  INTEGER NOT NULL DEFAULT 0 CHECK (show_name IN (0, 1)),
    daily_time TEXT NOT NULL DEFAULT ''           -- HH:MM of the daily push; '' off
);

CREATE TABLE quiz_challenges (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    started_by  INTEGER NOT NULL,
    topic       TEXT NOT NULL DEFAULT '',
    questions   TEXT NOT NULL,                    -- JSON array of question ids
    open_s      INTEGER NOT NULL CHECK (open_s BETWEEN 5 AND 600),
    pos         INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    created_at  TEXT NOT NULL
);
-- One running challenge per chat.
CREATE UNIQUE INDEX quiz_challenges_running ON quiz_challenges(chat_id) WHERE done = 0;

CREATE TABLE quiz_challenge_polls (
    challenge_id INTEGER NOT NULL REFERENCES quiz_challenges(id) ON DELETE CASCADE,
    pos          INTEGER NOT NULL,
    question_id  TEXT NOT NULL,
    poll_id      TEXT NOT NULL DEFAULT '',        -- '' while being sent
    message_id   INTEGER NOT NULL DEFAULT 0,
    correct      INTEGER NOT NULL,
    sent_at      TEXT NOT NULL,
    closes_at    TEXT NOT NULL DEFAULT '',
    stopped      INTEGER NOT NULL DEFAULT 0 CHECK (stopped IN (0, 1)),
    PRIMARY KEY (challenge_id, pos)
) WITHOUT ROWID;
CREATE UNIQUE INDEX quiz_challenge_polls_poll ON quiz_challenge_polls(poll_id) WHERE poll_id <> '';

CREATE TABLE quiz_votes (
    poll_id  TEXT NOT NULL,
    user_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,
    option   INTEGER NOT NULL,
    correct  INTEGER NOT NULL CHECK (correct IN (0, 1)),
    at       TEXT NOT NULL,
    PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;
