-- The workshop timer of a board (JSON, absent when none is set).
ALTER TABLE boards ADD COLUMN timer TEXT;
