-- Images uploaded for a board (persona photos) and boards saved as templates.

CREATE TABLE uploads (
    id           UUID PRIMARY KEY,
    board_id     UUID NOT NULL REFERENCES boards(id),
    content_type TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE templates (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    board      JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
