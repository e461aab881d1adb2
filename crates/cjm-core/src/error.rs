//! Why an op was refused. Every variant maps to a stable machine code (sent
//! to clients in `rejected`) and a message a person can act on.

use thiserror::Error;

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
    #[error("a board holds at most {max} {what}")]
    LimitReached { what: &'static str, max: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("a batch must hold between 1 and {max} ops, this one holds {len}")]
    BatchSize { len: usize, max: usize },
}

impl OpErrorKind {
    /// Stable code for the wire protocol (see docs/protocol.md).
    pub fn code(&self) -> &'static str {
        match self {
            OpErrorKind::NotFound { .. } => "not_found",
            OpErrorKind::AlreadyExists { .. } => "already_exists",
            OpErrorKind::TooLong { .. } => "too_long",
            OpErrorKind::LimitReached { .. } => "limit_reached",
            OpErrorKind::Invalid(_) => "invalid",
            OpErrorKind::BatchSize { .. } => "batch_size",
        }
    }
}

impl OpError {
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}
