-- Quotes imported from a spreadsheet: what each import added, so that it
-- can be taken back later as one batch (`undo`: the cards it created and
-- the evidence it attached, as JSON). `undone_at` is set once.
CREATE TABLE imports (
    id         UUID PRIMARY KEY,
    board_id   UUID NOT NULL REFERENCES boards(id),
    actor      TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    row_count  BIGINT NOT NULL,
    card_count BIGINT NOT NULL,
    evidence_count BIGINT NOT NULL,
    undo       JSONB NOT NULL,
    undone_at  BIGINT
);
CREATE INDEX imports_by_board ON imports (board_id, created_at);
