-- Quotes imported from a spreadsheet: what each import added, so that it
-- can be taken back later as one batch (`undo`: the cards it created and
-- the evidence it attached, as JSON). `undone_at` is set once.
CREATE TABLE imports (
    id         BLOB PRIMARY KEY,
    board_id   BLOB NOT NULL REFERENCES boards(id),
    actor      TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    row_count  INTEGER NOT NULL,
    card_count INTEGER NOT NULL,
    evidence_count INTEGER NOT NULL,
    undo       TEXT NOT NULL,
    undone_at  INTEGER
);
CREATE INDEX imports_by_board ON imports (board_id, created_at);
