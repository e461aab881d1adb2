-- Images uploaded for a board (persona photos) and boards saved as templates.

CREATE TABLE uploads (
    id           BLOB PRIMARY KEY NOT NULL,
    board_id     BLOB NOT NULL REFERENCES boards(id),
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE templates (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    board      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
);
