-- A document's content fingerprint (knowledge.Fingerprint: SHA-256 of its
-- extracted text without white space), so that a file whose text is already
-- in the knowledge base under another name is reported, not indexed twice.
-- Rows stored before this migration have '' until the store computes theirs
-- from their passages (KnowledgeStore.fillFingerprints), the first time it
-- looks for a duplicate.
ALTER TABLE kb_documents ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
CREATE INDEX kb_documents_fingerprint ON kb_documents (fingerprint);
