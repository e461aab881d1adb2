-- Stage metrics (JSON list) and a second emotion curve ("to be") per persona.

ALTER TABLE stages ADD COLUMN metrics JSONB NOT NULL DEFAULT '[]';

ALTER TABLE emotion_points ADD COLUMN curve TEXT NOT NULL DEFAULT 'as_is';
ALTER TABLE emotion_points DROP CONSTRAINT emotion_points_pkey;
ALTER TABLE emotion_points ADD PRIMARY KEY (board_id, persona_id, stage_id, curve);
