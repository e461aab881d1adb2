-- An account deleted by its owner stays as an anonymous tombstone (no
-- email, name or password), so that the share links it created keep their
-- `created_by`; `deleted_at` marks it and frees nothing else.

ALTER TABLE users ADD COLUMN deleted_at INTEGER;
