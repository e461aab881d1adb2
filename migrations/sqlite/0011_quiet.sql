-- Quiet brainstorming: hypothesis marks and evidence badges hidden.
ALTER TABLE boards ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0;
