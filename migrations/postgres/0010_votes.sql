-- Dot votes: the settings and revealed results are part of the board
-- (JSON on its row); the dots of a running vote are only here, so that
-- nobody sees where the others put theirs until the reveal. One row per
-- person and card, with the number of dots and the person's name then.
ALTER TABLE boards ADD COLUMN vote JSONB;
ALTER TABLE boards ADD COLUMN card_votes JSONB;

CREATE TABLE vote_dots (
    board_id UUID NOT NULL REFERENCES boards(id),
    vote_id  UUID NOT NULL,
    person   UUID NOT NULL,
    card_id  UUID NOT NULL,
    n        BIGINT NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (board_id, vote_id, person, card_id)
);
