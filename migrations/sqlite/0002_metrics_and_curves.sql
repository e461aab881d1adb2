-- Stage metrics (JSON list) and a second emotion curve ("to be") per persona.
-- SQLite cannot change a primary key in place, so emotion_points is rebuilt.

ALTER TABLE stages ADD COLUMN metrics TEXT NOT NULL DEFAULT '[]';

CREATE TABLE emotion_points_v2 (
    board_id   BLOB NOT NULL REFERENCES boards(id),
    persona_id BLOB NOT NULL,
    stage_id   BLOB NOT NULL,
    curve      TEXT NOT NULL DEFAULT 'as_is',
    score      INTEGER NOT NULL,
    PRIMARY KEY (board_id, persona_id, stage_id, curve)
);
INSERT INTO emotion_points_v2 (board_id, persona_id, stage_id, curve, score)
    SELECT board_id, persona_id, stage_id, 'as_is', score FROM emotion_points;
DROP TABLE emotion_points;
ALTER TABLE emotion_points_v2 RENAME TO emotion_points;
