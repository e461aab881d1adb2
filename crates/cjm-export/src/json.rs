//! The full export: the board as the API and the websocket show it, with
//! the images its personas use, in one JSON document that imports back into
//! an identical board (`POST /api/boards/import`).
//!
//! An import is untrusted input that becomes a board: the map is rebuilt op
//! by op on an empty board, so every check an edit passes (lengths, control
//! characters, links, references, limits, the byte budget) applies to it,
//! and a file that fails one creates nothing. Comments and reactions are
//! checked as text and references, then kept as they were (authors, times).
//! A running timer or vote is workshop state, not content: it is left out.

use std::collections::BTreeSet;

use cjm_core::limits::{
    MAX_COMMENTS, MAX_MENTIONS, MAX_NAME_CHARS, MAX_OPS_PER_BATCH, MAX_TEXT_CHARS,
};
use cjm_core::{ApplyCtx, Board, BoardId, CommentTarget, OpError, check_text};
use serde::{Deserialize, Serialize};

/// Names the document kind, so that a JSON of something else is refused
/// with a clear message.
pub const FORMAT: &str = "cjm-board";
pub const VERSION: u32 = 1;
/// The largest import: the board's byte budget with room for its images.
pub const MAX_IMPORT_BYTES: usize = 32 << 20;

/// An image a persona uses, carried inside the export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The id it had where it was exported (its URL was `/api/uploads/{id}`).
    pub id: String,
    pub content_type: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub data: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Document {
    pub format: String,
    pub version: u32,
    pub exported_at: i64,
    pub board: Board,
    #[serde(default)]
    pub images: Vec<Image>,
}

/// The export of `board` with `images` (the uploads its personas show).
pub fn export(board: &Board, images: Vec<Image>, now: i64) -> Vec<u8> {
    let mut board = board.clone();
    board.timer = None;
    board.vote = None;
    let doc = Document {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: now,
        board,
        images,
    };
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("this is not a CJM Board export: {0}")]
    Malformed(String),
    #[error("this export is version {0}; this server reads version {VERSION}")]
    Version(u32),
    #[error("the export's board is not valid: {0}")]
    Invalid(String),
}

/// Reads an export and rebuilds its board under `id`: the same entities,
/// texts and ids, checked as edits. Returns the board and its images.
pub fn import(bytes: &[u8], id: BoardId) -> Result<(Board, Vec<Image>), ImportError> {
    let doc: Document =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    if doc.format != FORMAT {
        return Err(ImportError::Malformed(format!(
            "\"format\" is \"{}\", not \"{FORMAT}\"",
            doc.format
        )));
    }
    if doc.version != VERSION {
        return Err(ImportError::Version(doc.version));
    }
    let board = rebuild(&doc.board, id).map_err(ImportError::Invalid)?;
    Ok((board, doc.images))
}

/// The board built again from `source` by ops, plus its conversation.
fn rebuild(source: &Board, id: BoardId) -> Result<Board, String> {
    let ops = source.creation_ops();
    let stamps: Vec<(cjm_core::CardId, i64)> = source
        .cards
        .values()
        .map(|c| (c.id, c.updated_at))
        .collect();
    let mut board = Board::new(id, source.title.clone());
    check_text("title", &source.title, MAX_NAME_CHARS).map_err(|e| e.to_string())?;
    let ctx = ApplyCtx::at(
        source
            .cards
            .values()
            .map(|c| c.updated_at)
            .max()
            .unwrap_or(0),
    );
    for chunk in ops.chunks(MAX_OPS_PER_BATCH) {
        board
            .apply(chunk, ctx)
            .map_err(|e: OpError| e.kind.to_string())?;
    }
    // Apply stamped every card with one time; each keeps its own.
    for (card, at) in stamps {
        if let Some(c) = board.cards.get_mut(&card) {
            c.updated_at = at;
        }
    }
    check_conversation(source)?;
    board.comments = source.comments.clone();
    board.card_reactions = source
        .card_reactions
        .iter()
        .filter(|(card, _)| board.cards.contains_key(card))
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    board.card_votes = source
        .card_votes
        .iter()
        .filter(|(card, _)| board.cards.contains_key(card))
        .map(|(k, v)| (*k, *v))
        .collect();
    if board.recount() > cjm_core::limits::MAX_BOARD_BYTES {
        return Err("the board is over its size limit".into());
    }
    Ok(board)
}

/// Comments are kept as exported: their texts are checked like any text,
/// replies must answer a thread of the board, and the counts are bounded.
fn check_conversation(source: &Board) -> Result<(), String> {
    if source.comments.len() > MAX_COMMENTS {
        return Err(format!("more than {MAX_COMMENTS} comments"));
    }
    let threads: BTreeSet<_> = source
        .comments
        .values()
        .filter(|c| c.parent.is_none())
        .map(|c| c.id)
        .collect();
    for c in source.comments.values() {
        check_text("comment text", &c.text, MAX_TEXT_CHARS)
            .map_err(|e| format!("comment {}: {e}", c.id.0))?;
        check_text("comment author", &c.author_name, MAX_NAME_CHARS)
            .map_err(|e| format!("comment {}: {e}", c.id.0))?;
        if c.text.trim().is_empty() {
            return Err(format!("comment {}: empty", c.id.0));
        }
        if c.mentions.len() > MAX_MENTIONS {
            return Err(format!("comment {}: too many mentions", c.id.0));
        }
        if let Some(p) = c.parent
            && !threads.contains(&p)
        {
            return Err(format!("comment {}: answers no thread", c.id.0));
        }
        let on_board = match &c.on {
            CommentTarget::Stage(stage) => source.stages.contains_key(stage),
            CommentTarget::Card(_) | CommentTarget::Emotion { .. } => true,
        };
        if !on_board {
            return Err(format!(
                "comment {}: about a stage not on the board",
                c.id.0
            ));
        }
    }
    Ok(())
}

/// Standard base64 with padding, for images inside the JSON.
pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The inverse of `base64_encode`; `None` for anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}
