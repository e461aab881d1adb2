-- CJM Board schema, Postgres flavour. Keep in step with migrations/sqlite.
-- Ids are UUIDs (UUID here), times are unix milliseconds, order keys are
-- fractional-index hex strings compared as text. Entities are soft-deleted
-- (deleted_at) so that undo of a delete is an upsert.

CREATE TABLE boards (
    id         UUID PRIMARY KEY NOT NULL,
    title      TEXT NOT NULL,
    seq        BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);

CREATE TABLE stages (
    board_id    UUID NOT NULL REFERENCES boards(id),
    id          UUID NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    ord         TEXT COLLATE "C" NOT NULL,
    deleted_at  BIGINT,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE lanes (
    board_id   UUID NOT NULL REFERENCES boards(id),
    id         UUID NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    ord        TEXT COLLATE "C" NOT NULL,
    deleted_at BIGINT,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE personas (
    board_id     UUID NOT NULL REFERENCES boards(id),
    id           UUID NOT NULL,
    name         TEXT NOT NULL,
    ord          TEXT COLLATE "C" NOT NULL,
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
    deleted_at   BIGINT,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE cards (
    board_id    UUID NOT NULL REFERENCES boards(id),
    id          UUID NOT NULL,
    stage_id    UUID NOT NULL,
    lane_id     UUID NOT NULL,
    ord         TEXT COLLATE "C" NOT NULL,
    text        TEXT NOT NULL,
    color       TEXT NOT NULL,
    persona_id  UUID,
    channel     TEXT,
    evidence    JSONB NOT NULL DEFAULT '[]',
    opportunity JSONB,
    updated_at  BIGINT NOT NULL,
    deleted_at  BIGINT,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE emotion_points (
    board_id   UUID NOT NULL REFERENCES boards(id),
    persona_id UUID NOT NULL,
    stage_id   UUID NOT NULL,
    score      INTEGER NOT NULL,
    PRIMARY KEY (board_id, persona_id, stage_id)
);

-- Append-only history of accepted batches; (board_id, client_op_id) makes a
-- resent batch idempotent.
CREATE TABLE op_log (
    board_id     UUID NOT NULL REFERENCES boards(id),
    seq          BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    client_op_id UUID NOT NULL,
    ops          JSONB NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (board_id, seq),
    UNIQUE (board_id, client_op_id)
);
