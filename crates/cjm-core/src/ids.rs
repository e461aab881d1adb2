//! Typed ids. All ids are UUIDv7 made by whoever creates the entity (usually
//! the client), so a client can create and keep editing before the server
//! answers, and ids sort roughly by creation time.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type! {
    /// A journey map.
    BoardId;
    /// A column of the map.
    StageId;
    /// A row of the map.
    LaneId;
    /// A sticky note, touchpoint or opportunity in a cell.
    CardId;
    /// A persona whose journey the map follows.
    PersonaId;
    /// A comment or a reply in a thread.
    CommentId;
    /// One dot-voting round.
    VoteId;
    /// Idempotency key of a batch: a resent batch with the same id is applied once.
    ClientOpId;
}
