//! Size limits enforced on every op, on the server and in the browser alike.
//! They keep one board small enough to hold in memory and to render, and they
//! turn abuse into a clear error instead of a slow server.

/// Board title and stage/lane/persona names.
pub const MAX_NAME_CHARS: usize = 200;
/// Card text, stage description and other long texts.
pub const MAX_TEXT_CHARS: usize = 5_000;
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
/// Ops in one batch.
pub const MAX_OPS_PER_BATCH: usize = 1_000;
/// One websocket message (JSON text), in bytes.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// Emotion scores run from -2 (very negative) to +2 (very positive).
pub const EMOTION_MIN: i8 = -2;
pub const EMOTION_MAX: i8 = 2;
