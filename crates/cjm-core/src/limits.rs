//! Size limits enforced on every op, on the server and in the browser alike.
//! They keep one board small enough to hold in memory and to render, and they
//! turn abuse into a clear error instead of a slow server.
//!
//! Every piece of text is bounded three ways: in characters (what a person
//! sees, per field), in bytes (`MAX_FIELD_BYTES`, whatever the script), and
//! in aggregate: one entity (`MAX_ENTITY_BYTES`) and one board
//! (`MAX_BOARD_BYTES`). Every list is bounded by a count.

/// Board title and stage/lane/persona names, metric names, owners.
pub const MAX_NAME_CHARS: usize = 200;
/// Card text, stage description, persona texts, evidence quotes.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Links (evidence links, avatars).
pub const MAX_URL_CHARS: usize = 2_000;
/// A metric's unit ("%", "min", "₽").
pub const MAX_UNIT_CHARS: usize = 20;
/// Any one text field, in bytes of UTF-8, whatever its character limit:
/// four bytes per character of the longest field.
pub const MAX_FIELD_BYTES: usize = MAX_TEXT_CHARS * 4;
/// One card, stage, lane or persona, in bytes (as `approx_bytes` counts
/// them: its texts plus a little per entity and per list item). Without it,
/// a card's twenty evidence quotes and links made a 449 KiB card valid.
pub const MAX_ENTITY_BYTES: usize = 64 * 1024;
/// One board, in bytes (the sum of its entities' `approx_bytes`): what the
/// server holds in memory and sends to everyone who opens the board.
pub const MAX_BOARD_BYTES: usize = 8 * 1024 * 1024;
/// Evidence pieces on one card.
pub const MAX_EVIDENCE: usize = 20;
/// Links from one opportunity to pain cards.
pub const MAX_LINKS: usize = 50;
/// Metrics on one stage.
pub const MAX_METRICS: usize = 20;
/// Order keys are short hex strings; anything longer is a bug or an attack.
pub const MAX_ORDER_KEY_CHARS: usize = 128;
pub const MAX_STAGES: usize = 200;
pub const MAX_LANES: usize = 100;
pub const MAX_PERSONAS: usize = 50;
pub const MAX_CARDS: usize = 50_000;
/// Comments and replies on one board (also those about deleted cards).
pub const MAX_COMMENTS: usize = 10_000;
/// People mentioned in one comment.
pub const MAX_MENTIONS: usize = 20;
/// Ops in one batch.
pub const MAX_OPS_PER_BATCH: usize = 1_000;
/// One websocket message (JSON text), in bytes.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// Emotion scores run from -2 (very negative) to +2 (very positive).
pub const EMOTION_MIN: i8 = -2;
pub const EMOTION_MAX: i8 = 2;
