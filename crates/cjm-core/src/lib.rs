//! The CJM Board domain: what a journey map is made of, the ops that change
//! it, the rules an op must satisfy, and the protocol that carries ops.
//!
//! This crate is pure (no IO, no async) and builds for native and wasm32, so
//! the server's rooms and the browser apply the very same code: they cannot
//! disagree about what an op means.

pub mod api;
pub mod apply;
pub mod codes;
pub mod comments;
pub mod error;
pub mod health;
pub mod history;
pub mod ids;
pub mod import;
pub mod limits;
pub mod model;
pub mod ops;
pub mod order;
pub mod protocol;
pub mod role;
#[cfg(feature = "schema")]
pub mod schema;
pub mod size;
pub mod sync;
pub mod template;
pub mod text;
pub mod undo;
pub mod workshop;

pub use apply::{ApplyCtx, Change, check_batch_size};
pub use codes::{ApiErrorCode, ErrorCode, RejectCode};
pub use comments::{Comment, CommentTarget, NewComment, REACTIONS, ReactionTarget, Reactions};
pub use error::{OpError, OpErrorKind};
pub use ids::{BoardId, CardId, ClientOpId, CommentId, LaneId, PersonaId, StageId, VoteId};
pub use model::{
    Board, Card, Channel, Color, Curve, EmotionPoint, Evidence, EvidenceSource, Lane, LaneKind,
    Num, Opportunity, OpportunityStatus, Persona, Stage, StageMetric,
};
pub use ops::{Batch, CardPatch, LanePatch, Op, PersonaPatch, StagePatch};
pub use order::OrderKey;
pub use role::Role;
pub use text::{TextError, check_text, clean_text};
