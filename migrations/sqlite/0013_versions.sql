-- Named versions of a map: the whole board as it was at `seq` (JSON, the
-- same document the API returns), saved by a person or automatically
-- (before a restore). They outlive op-log compaction.
CREATE TABLE versions (
    id         BLOB PRIMARY KEY,
    board_id   BLOB NOT NULL REFERENCES boards(id),
    seq        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    note       TEXT NOT NULL,
    auto       INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    board      TEXT NOT NULL
);
CREATE INDEX versions_by_board ON versions (board_id, created_at);
