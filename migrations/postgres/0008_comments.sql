-- Comments and reactions (the workshop's conversation). A comment is kept
-- whole as JSON (it is always read and written whole); deleting one
-- removes its row, so deleted text leaves the database. Mentions are kept
-- apart, one row per person, for the inbox.
CREATE TABLE comments (
    board_id   UUID NOT NULL REFERENCES boards(id),
    id         UUID NOT NULL,
    author     UUID NOT NULL,
    created_at BIGINT NOT NULL,
    body       JSONB NOT NULL,
    PRIMARY KEY (board_id, id)
);

CREATE TABLE comment_mentions (
    board_id   UUID NOT NULL,
    comment_id UUID NOT NULL,
    person     UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (board_id, comment_id, person)
);
CREATE INDEX comment_mentions_by_person ON comment_mentions (person, created_at);

CREATE TABLE card_reactions (
    board_id UUID NOT NULL REFERENCES boards(id),
    card_id  UUID NOT NULL,
    body     JSONB NOT NULL,
    PRIMARY KEY (board_id, card_id)
);

-- When each person last looked at a board's comments ("3 new").
CREATE TABLE comment_reads (
    board_id UUID NOT NULL,
    person   UUID NOT NULL,
    seen_at  BIGINT NOT NULL,
    PRIMARY KEY (board_id, person)
);

-- When the account last opened its inbox (mentions after it are new).
ALTER TABLE users ADD COLUMN inbox_read_at BIGINT NOT NULL DEFAULT 0;
