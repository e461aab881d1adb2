-- Invitations of people who have no account yet: signing up with the
-- email makes them a member of the board with the role. One per board
-- and email; accepted ones are deleted.
CREATE TABLE invitations (
    board_id   UUID NOT NULL REFERENCES boards(id),
    email      TEXT NOT NULL,
    role       TEXT NOT NULL,
    invited_by UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (board_id, email)
);
CREATE INDEX invitations_by_email ON invitations (email);
