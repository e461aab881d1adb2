//! Websocket messages, shared by the server and the browser (and written
//! down for third-party clients in docs/protocol.md). JSON text frames,
//! tagged by `type`.

use serde::{Deserialize, Serialize};

use crate::ids::{CardId, ClientOpId};
use crate::model::Board;
use crate::ops::{Batch, Op};

/// Bumped on any incompatible change; the server refuses other versions.
pub const PROTOCOL_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// First message on a connection. `last_seq` is the last seq the client
    /// has confirmed; the server answers with what it missed.
    Hello {
        protocol: u32,
        #[serde(default)]
        last_seq: Option<u64>,
        #[serde(default)]
        client_id: Option<String>,
        /// Display name shown to the others (presence).
        #[serde(default)]
        name: Option<String>,
    },
    /// A batch of ops, applied all or nothing.
    Submit(Batch),
    /// Where this client's pointer is and what it is doing; the whole state
    /// each time. Ephemeral: relayed to the others, never stored.
    Presence(Presence),
    Ping,
    /// Puts one of this person's dots on `card` in the running vote, or
    /// (`add: false`) takes one back. Answered with `dots` (or `error`).
    Dot {
        vote: crate::VoteId,
        card: crate::CardId,
        add: bool,
    },
}

/// A point in board content coordinates (pixels from the grid's top-left),
/// so that peers scrolled differently still point at the same place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// A card being dragged, and where its ghost is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DragGhost {
    pub card: CardId,
    #[serde(flatten)]
    pub at: Point,
}

/// One participant's ephemeral state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Presence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Point>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selection: Vec<CardId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editing: Option<CardId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dragging: Option<DragGhost>,
    /// The part of the board this person looks at, so that others can
    /// follow them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<View>,
    /// This person leads the workshop: everyone who has not broken away
    /// follows their `view` (and their presenter step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<Lead>,
}

/// A viewport: the grid point at its top-left corner and the zoom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct View {
    pub x: i32,
    pub y: i32,
    /// Percent (25–400).
    pub zoom: u16,
}

/// What a leader asks of those who follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Lead {
    /// Presenter mode on this stage (absent: the board itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<crate::StageId>,
    /// Others' cursors hidden for everyone following.
    #[serde(default)]
    pub hide_cursors: bool,
}

/// Zoom bounds of a `View`, in percent.
pub const ZOOM_PERCENT: std::ops::RangeInclusive<u16> = 25..=400;

/// Coordinates beyond this are nonsense (a board is never this large).
const MAX_COORD: i32 = 1_000_000;
/// Cards one participant may have selected, as far as others are told.
pub const MAX_SELECTION: usize = 200;

impl Presence {
    /// Whether a client-sent state is within bounds. Never overflows, for
    /// any value a client can send (`i32::MIN` has no absolute value).
    pub fn is_valid(&self) -> bool {
        let coord = -MAX_COORD..=MAX_COORD;
        let ok = |p: &Point| coord.contains(&p.x) && coord.contains(&p.y);
        self.cursor.as_ref().is_none_or(ok)
            && self.dragging.as_ref().is_none_or(|d| ok(&d.at))
            && self.selection.len() <= MAX_SELECTION
            && self
                .view
                .as_ref()
                .is_none_or(|v| ok(&Point { x: v.x, y: v.y }) && ZOOM_PERCENT.contains(&v.zoom))
    }
}

/// Someone on the board: the connection (`session`), who it is, and what
/// it is doing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Peer {
    pub session: u64,
    pub actor: String,
    pub name: String,
    #[serde(default)]
    pub presence: Presence,
}

/// A batch as the server applied it, in seq order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Applied {
    pub seq: u64,
    pub actor: String,
    pub client_op_id: ClientOpId,
    /// Unix milliseconds when the server accepted the batch.
    pub at: i64,
    pub ops: Vec<Op>,
}

// A `ServerMsg` lives only from its making to its encoding (or, in a
// client, to its handling): the size of the rare `welcome` costs nothing,
// and boxing its board would cost every client an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Answer to `hello`: either a whole `board` as of `seq`, or (`board`
    /// absent) the `batches` after the client's `last_seq` up to `seq`.
    Welcome {
        protocol: u32,
        seq: u64,
        actor: String,
        /// This connection's session id (how the others see it in presence).
        you: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        board: Option<Board>,
        #[serde(default)]
        batches: Vec<Applied>,
        /// The others on the board whose presence is relayed (at most
        /// `PEERS_LISTED` people; see `crowd`).
        #[serde(default)]
        peers: Vec<Peer>,
        /// How many people on the board are not in `peers` and are only
        /// counted (a crowd beyond `PEERS_LISTED`; may include you).
        #[serde(default, skip_serializing_if = "is_zero")]
        crowd: u32,
        /// Whether your presence is relayed to the others. When a listed
        /// person leaves, a counted one takes their place: you then receive
        /// your own `presence`.
        #[serde(default = "yes", skip_serializing_if = "is_true")]
        listed: bool,
        /// What this connection may do (absent from servers before roles:
        /// treat as editor). Ops of a viewer or commenter are refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<crate::Role>,
        /// The server's clock (unix ms) when it sent this: a client counts
        /// the board's timer down on the server's time, not its own.
        #[serde(default)]
        now: i64,
        /// Your dots in the board's running vote (a card once per dot).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        dots: Vec<crate::CardId>,
    },
    /// Broadcast to everyone on the board, the sender included (its ack).
    Applied(Applied),
    /// The batch was refused and changed nothing.
    Rejected {
        client_op_id: ClientOpId,
        code: crate::RejectCode,
        message: String,
    },
    /// A message that could not be processed (malformed, too large...). The
    /// connection stays usable.
    Error {
        code: crate::ErrorCode,
        message: String,
    },
    /// The client fell behind; it must send `hello` again to get a snapshot.
    Resync,
    /// A peer joined or its presence changed (at most ~20 times a second).
    Presence(Peer),
    /// A peer's connection ended: remove its cursor and marks.
    PeerLeft {
        session: u64,
    },
    /// The number of people counted but not listed changed (see
    /// `Welcome::crowd`).
    Crowd {
        count: u32,
    },
    Pong,
    /// Your dots in the vote after a `dot` (a card once per dot) and how
    /// many you have left. Only you get this.
    Dots {
        vote: crate::VoteId,
        mine: Vec<crate::CardId>,
        left: u32,
    },
    /// How far the vote has come, for everyone: people who placed a dot
    /// and dots placed (never where).
    VoteProgress {
        vote: crate::VoteId,
        voters: u32,
        dots: u32,
    },
}

/// People whose presence a board relays to everyone; beyond them, people
/// are counted. Relaying is O(people²) messages, and nobody can follow more
/// cursors than this anyway.
pub const PEERS_LISTED: usize = 100;

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_is_flat() {
        let msg = ClientMsg::Submit(Batch::new(vec![Op::SetBoardTitle { title: "T".into() }]));
        let json = serde_json::to_value(&msg).unwrap();
        assert_eq!(json["type"], "submit");
        assert_eq!(json["ops"][0]["op"], "set_board_title");
        let back: ClientMsg = serde_json::from_value(json).unwrap();
        assert_eq!(back, msg);
    }

    #[test]
    fn presence_bounds_hold_at_the_extremes_of_i32() {
        let at = |x, y| Presence {
            cursor: Some(Point { x, y }),
            ..Presence::default()
        };
        let drag = |x, y| Presence {
            dragging: Some(DragGhost {
                card: CardId::new(),
                at: Point { x, y },
            }),
            ..Presence::default()
        };
        for (x, y) in [
            (i32::MIN, 0),
            (0, i32::MIN),
            (i32::MAX, 0),
            (0, i32::MAX),
            (i32::MIN, i32::MIN),
            (-MAX_COORD - 1, 0),
            (0, MAX_COORD + 1),
        ] {
            assert!(!at(x, y).is_valid(), "cursor {x},{y}");
            assert!(!drag(x, y).is_valid(), "drag {x},{y}");
            let view = Presence {
                view: Some(View { x, y, zoom: 100 }),
                ..Presence::default()
            };
            assert!(!view.is_valid(), "view {x},{y}");
        }
        for zoom in [0, 24, 401, u16::MAX] {
            let view = Presence {
                view: Some(View { x: 0, y: 0, zoom }),
                ..Presence::default()
            };
            assert!(!view.is_valid(), "zoom {zoom}");
        }
        for (x, y) in [(-MAX_COORD, MAX_COORD), (MAX_COORD, -MAX_COORD), (0, 0)] {
            assert!(at(x, y).is_valid(), "cursor {x},{y}");
            assert!(drag(x, y).is_valid(), "drag {x},{y}");
        }
        let msg = format!(
            r#"{{"type":"presence","cursor":{{"x":{},"y":{}}}}}"#,
            i32::MIN,
            i32::MAX
        );
        let ClientMsg::Presence(p) = serde_json::from_str(&msg).unwrap() else {
            panic!("not presence")
        };
        assert!(!p.is_valid());
        let many = Presence {
            selection: vec![CardId::new(); MAX_SELECTION + 1],
            ..Presence::default()
        };
        assert!(!many.is_valid());
    }

    #[test]
    fn hello_fields_are_optional() {
        let msg: ClientMsg = serde_json::from_str(r#"{"type":"hello","protocol":1}"#).unwrap();
        assert_eq!(
            msg,
            ClientMsg::Hello {
                protocol: 1,
                last_seq: None,
                client_id: None,
                name: None,
            }
        );
    }
}
