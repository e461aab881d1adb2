-- Quiet brainstorming: hypothesis marks and evidence badges hidden.
ALTER TABLE boards ADD COLUMN quiet BOOLEAN NOT NULL DEFAULT FALSE;
