-- Who may see and change a board: members with a role, and share links.
-- Link tokens and guest cookies are stored only as SHA-256 hashes.

CREATE TABLE board_members (
    board_id UUID NOT NULL REFERENCES boards(id),
    user_id  UUID NOT NULL REFERENCES users(id),
    role     TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (board_id, user_id)
);
CREATE INDEX board_members_by_user ON board_members (user_id);

CREATE TABLE share_links (
    id            UUID PRIMARY KEY,
    board_id      UUID NOT NULL REFERENCES boards(id),
    token_hash    BYTEA NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    password_hash TEXT,
    expires_at    BIGINT,
    created_by    UUID NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX share_links_by_board ON share_links (board_id);

-- A browser let in through a link: its cookie's hash, the link, and the
-- name the guest gave (the author of their edits).
CREATE TABLE link_guests (
    token_hash BYTEA NOT NULL,
    link_id    UUID NOT NULL REFERENCES share_links(id),
    guest_id   UUID NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (token_hash, link_id)
);

-- Saved templates belong to whoever saved them (NULL: saved before accounts).
ALTER TABLE templates ADD COLUMN owner_id UUID REFERENCES users(id);

-- Boards made before accounts existed belong to the admin, if there is one
-- already (otherwise the first account adopts them when it is created).
INSERT INTO board_members (board_id, user_id, role, added_at)
SELECT b.id, (SELECT id FROM users WHERE is_admin ORDER BY created_at LIMIT 1), 'owner', b.created_at
FROM boards b
WHERE EXISTS (SELECT 1 FROM users WHERE is_admin);
