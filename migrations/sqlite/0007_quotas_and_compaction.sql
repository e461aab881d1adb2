-- Who uploaded each image (per-account upload quota), and how far each
-- board's op log has been compacted (batches up to this seq keep their id,
-- actor and time for idempotency, but no longer their ops).
ALTER TABLE uploads ADD COLUMN uploaded_by TEXT;
ALTER TABLE boards ADD COLUMN compacted_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX uploads_by_uploader ON uploads (uploaded_by);
