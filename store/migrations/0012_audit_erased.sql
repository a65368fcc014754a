-- An erased person's lines in the audit log keep a stable label instead of
-- their user id (which erasure forgets): the number of their erasure, the
-- same on every line they were actor or target of, so /audit can show
-- 已注销的用户 #3 where it would otherwise show nobody or 系统.
ALTER TABLE audit_log ADD COLUMN actor_erased INTEGER CHECK (actor_erased > 0);
ALTER TABLE audit_log ADD COLUMN target_erased INTEGER CHECK (target_erased > 0);
