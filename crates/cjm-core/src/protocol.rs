//! Websocket messages, shared by the server and the browser (and written
//! down for third-party clients in docs/protocol.md). JSON text frames,
//! tagged by `type`.

use serde::{Deserialize, Serialize};

use crate::ids::ClientOpId;
use crate::model::Board;
use crate::ops::{Batch, Op};

/// Bumped on any incompatible change; the server refuses other versions.
pub const PROTOCOL_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    },
    /// A batch of ops, applied all or nothing.
    Submit(Batch),
    Ping,
}

/// A batch as the server applied it, in seq order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub seq: u64,
    pub actor: String,
    pub client_op_id: ClientOpId,
    /// Unix milliseconds when the server accepted the batch.
    pub at: i64,
    pub ops: Vec<Op>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Answer to `hello`: either a whole `board` as of `seq`, or (`board`
    /// absent) the `batches` after the client's `last_seq` up to `seq`.
    Welcome {
        protocol: u32,
        seq: u64,
        actor: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        board: Option<Board>,
        #[serde(default)]
        batches: Vec<Applied>,
    },
    /// Broadcast to everyone on the board, the sender included (its ack).
    Applied(Applied),
    /// The batch was refused and changed nothing.
    Rejected {
        client_op_id: ClientOpId,
        code: String,
        message: String,
    },
    /// A message that could not be processed (malformed, too large...). The
    /// connection stays usable.
    Error {
        code: String,
        message: String,
    },
    /// The client fell behind; it must send `hello` again to get a snapshot.
    Resync,
    Pong,
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
    fn hello_fields_are_optional() {
        let msg: ClientMsg = serde_json::from_str(r#"{"type":"hello","protocol":1}"#).unwrap();
        assert_eq!(
            msg,
            ClientMsg::Hello {
                protocol: 1,
                last_seq: None,
                client_id: None
            }
        );
    }
}
