-- A question remembers the Telegram update it came in, so that the replay of
-- an update left unfinished by a crash (the answer not yet sent) logs it
-- once, not twice: /unanswered ranks gaps by how often they are asked. Not
-- unique: update ids start again with a new bot token, and the console's
-- with each start; a replay is the same update, person, chat and text.
ALTER TABLE kb_questions ADD COLUMN update_id INTEGER;
CREATE INDEX kb_questions_update ON kb_questions (update_id) WHERE update_id IS NOT NULL;
