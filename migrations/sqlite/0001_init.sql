-- CJM Board schema, SQLite flavour. Keep in step with migrations/postgres.
-- Ids are UUIDs (BLOB here), times are unix milliseconds, order keys are
-- fractional-index hex strings compared as text. Entities are soft-deleted
-- (deleted_at) so that undo of a delete is an upsert.

CREATE TABLE boards (
    id         BLOB PRIMARY KEY NOT NULL,
    title      TEXT NOT NULL,
    seq        INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);

CREATE TABLE stages (
    board_id    BLOB NOT NULL REFERENCES boards(id),
    id          BLOB NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    ord         TEXT NOT NULL,
    deleted_at  INTEGER,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE lanes (
    board_id   BLOB NOT NULL REFERENCES boards(id),
    id         BLOB NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    ord        TEXT NOT NULL,
    deleted_at INTEGER,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE personas (
    board_id     BLOB NOT NULL REFERENCES boards(id),
    id           BLOB NOT NULL,
    name         TEXT NOT NULL,
    ord          TEXT NOT NULL,
    color        TEXT NOT NULL,
    avatar_url   TEXT,
    age          INTEGER,
    role         TEXT NOT NULL DEFAULT '',
    quote        TEXT NOT NULL DEFAULT '',
    goals        TEXT NOT NULL DEFAULT '',
    needs        TEXT NOT NULL DEFAULT '',
    pains        TEXT NOT NULL DEFAULT '',
    fears        TEXT NOT NULL DEFAULT '',
    expectations TEXT NOT NULL DEFAULT '',
    about        TEXT NOT NULL DEFAULT '',
    deleted_at   INTEGER,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE cards (
    board_id    BLOB NOT NULL REFERENCES boards(id),
    id          BLOB NOT NULL,
    stage_id    BLOB NOT NULL,
    lane_id     BLOB NOT NULL,
    ord         TEXT NOT NULL,
    text        TEXT NOT NULL,
    color       TEXT NOT NULL,
    persona_id  BLOB,
    channel     TEXT,
    evidence    TEXT NOT NULL DEFAULT '[]',
    opportunity TEXT,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE emotion_points (
    board_id   BLOB NOT NULL REFERENCES boards(id),
    persona_id BLOB NOT NULL,
    stage_id   BLOB NOT NULL,
    score      INTEGER NOT NULL,
    PRIMARY KEY (board_id, persona_id, stage_id)
);

-- Append-only history of accepted batches; (board_id, client_op_id) makes a
-- resent batch idempotent.
CREATE TABLE op_log (
    board_id     BLOB NOT NULL REFERENCES boards(id),
    seq          INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    client_op_id BLOB NOT NULL,
    ops          TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (board_id, seq),
    UNIQUE (board_id, client_op_id)
);
