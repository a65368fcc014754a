-- The gap loop for coordinators: how a question left the unanswered queue,
-- and the phrasings merged into FAQ entries.
--
-- A closed question (closed_at set) was answered (a new FAQ entry born from
-- its group), merged (its group became phrasings of an existing entry) or
-- dismissed (taken out of the queue, nobody told); closed_by is who did it.
ALTER TABLE kb_questions ADD COLUMN resolution TEXT NOT NULL DEFAULT ''
    CHECK (resolution IN ('', 'answered', 'merged', 'dismissed'));
ALTER TABLE kb_questions ADD COLUMN closed_by INTEGER NOT NULL DEFAULT 0;
UPDATE kb_questions SET resolution = 'answered' WHERE closed_at IS NOT NULL;

-- Questions merged into an FAQ entry become its alternative phrasings. They
-- are kept apart from kb_faqs.alternatives so that a content update of a
-- built-in entry (which replaces its row) keeps them; deleting the entry
-- deletes them.
CREATE TABLE kb_faq_phrasings (
    faq_id       TEXT NOT NULL,
    phrasing     TEXT NOT NULL,
    question_id  INTEGER NOT NULL DEFAULT 0,
    added_by     INTEGER NOT NULL DEFAULT 0,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (faq_id, phrasing)
) WITHOUT ROWID;
