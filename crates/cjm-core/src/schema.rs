//! JSON Schemas (draft 2020-12) of what travels on the wire, generated from
//! the very types that serialise it, so a third-party client can check its
//! messages against the truth rather than against prose. The server serves
//! them under `/api/schema/` and `docs/schema/` holds the same documents (a
//! test in cjm-server fails when the two drift apart).

use schemars::{Schema, schema_for};

use crate::Board;
use crate::protocol::{ClientMsg, ServerMsg};

/// Every published schema: its file name (also its URL's last segment) and
/// the document.
pub fn documents() -> Vec<(&'static str, Schema)> {
    vec![
        (
            "client-message.json",
            titled(schema_for!(ClientMsg), "ClientMsg"),
        ),
        (
            "server-message.json",
            titled(schema_for!(ServerMsg), "ServerMsg"),
        ),
        ("board.json", titled(schema_for!(Board), "Board")),
    ]
}

/// The document as published: pretty JSON with a trailing newline.
pub fn to_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema is JSON");
    text.push('\n');
    text
}

fn titled(mut schema: Schema, title: &str) -> Schema {
    schema.insert("title".into(), title.into());
    schema
}
