//! Why an op was refused. Every variant maps to a stable machine code (sent
//! to clients in `rejected`) and a message a person can act on.

use thiserror::Error;

use crate::codes::RejectCode;
use crate::text::TextError;

/// An op in a batch could not be applied; the whole batch changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("op {index}: {kind}")]
pub struct OpError {
    /// Position of the failing op in its batch.
    pub index: usize,
    pub kind: OpErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OpErrorKind {
    #[error("{what} {id} does not exist (it may have been deleted by someone else)")]
    NotFound { what: &'static str, id: String },
    #[error("{what} {id} already exists")]
    AlreadyExists { what: &'static str, id: String },
    #[error("{field} is too long: {len} characters, the limit is {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    /// An entity's texts together exceed `MAX_ENTITY_BYTES`.
    #[error("{what} is too large: {bytes} bytes, the limit is {max}")]
    TooLarge {
        what: &'static str,
        bytes: usize,
        max: usize,
    },
    #[error("a board holds at most {max} {what}")]
    LimitReached { what: &'static str, max: usize },
    /// The batch would take the board past `MAX_BOARD_BYTES` (code
    /// `limit_reached`). Batches that shrink the board are always accepted.
    #[error("the board is over its size limit of {} MiB", .max >> 20)]
    BoardTooLarge { bytes: usize, max: usize },
    #[error("{0}")]
    Invalid(String),
    /// A link that is not http(s) nor a path on this server (code `invalid`).
    #[error("{field} must be an http(s) link")]
    NotWebLink { field: &'static str },
    /// The batch's actor may not do this (edit someone else's comment).
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("a batch must hold between 1 and {max} ops, this one holds {len}")]
    BatchSize { len: usize, max: usize },
}

impl OpErrorKind {
    /// Stable code for the wire protocol (see docs/protocol.md).
    pub fn code(&self) -> RejectCode {
        match self {
            OpErrorKind::NotFound { .. } => RejectCode::NotFound,
            OpErrorKind::AlreadyExists { .. } => RejectCode::AlreadyExists,
            OpErrorKind::TooLong { .. } | OpErrorKind::TooLarge { .. } => RejectCode::TooLong,
            OpErrorKind::LimitReached { .. } | OpErrorKind::BoardTooLarge { .. } => {
                RejectCode::LimitReached
            }
            OpErrorKind::Invalid(_) | OpErrorKind::NotWebLink { .. } => RejectCode::Invalid,
            OpErrorKind::Forbidden(_) => RejectCode::Forbidden,
            OpErrorKind::BatchSize { .. } => RejectCode::BatchSize,
        }
    }
}

impl OpError {
    pub fn code(&self) -> RejectCode {
        self.kind.code()
    }
}

/// A refused text keeps its code: `invalid` for a control character
/// (`Invalid`, with the message naming the field), `too_long` for a length.
impl From<TextError> for OpErrorKind {
    fn from(e: TextError) -> Self {
        match e {
            TextError::ControlChar { .. } => OpErrorKind::Invalid(e.to_string()),
            TextError::TooLong { field, len, max } => OpErrorKind::TooLong { field, len, max },
            TextError::TooManyBytes { field, len, max } => OpErrorKind::TooLarge {
                what: field,
                bytes: len,
                max,
            },
        }
    }
}
