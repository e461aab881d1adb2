-- Comments and reactions (the workshop's conversation). A comment is kept
-- whole as JSON (it is always read and written whole); deleting one
-- removes its row, so deleted text leaves the database. Mentions are kept
-- apart, one row per person, for the inbox.
CREATE TABLE comments (
    board_id   BLOB NOT NULL REFERENCES boards(id),
    id         BLOB NOT NULL,
    author     BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE comment_mentions (
    board_id   BLOB NOT NULL,
    comment_id BLOB NOT NULL,
    person     BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (board_id, comment_id, person)
);
CREATE INDEX comment_mentions_by_person ON comment_mentions (person, created_at);

CREATE TABLE card_reactions (
    board_id BLOB NOT NULL REFERENCES boards(id),
    card_id  BLOB NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (board_id, card_id)
);

-- When each person last looked at a board's comments ("3 new").
CREATE TABLE comment_reads (
    board_id BLOB NOT NULL,
    person   BLOB NOT NULL,
    seen_at  INTEGER NOT NULL,
    PRIMARY KEY (board_id, person)
);

-- When the account last opened its inbox (mentions after it are new).
ALTER TABLE users ADD COLUMN inbox_read_at INTEGER NOT NULL DEFAULT 0;
