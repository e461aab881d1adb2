//! JSON Schemas (draft 2020-12) of what travels on the wire, generated from
//! the very types that serialise it, so a third-party client can check its
//! messages against the truth rather than against prose. The server serves
//! them under `/api/schema/` and `docs/schema/` holds the same documents (a
//! test in cjm-server fails when the two drift apart).

use schemars::{Schema, schema_for};

use crate::Board;
use crate::api;
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
        ("api.json", api_bodies()),
    ]
}

/// The published schema called `file`, if there is one.
pub fn document(file: &str) -> Option<Schema> {
    documents()
        .into_iter()
        .find(|(name, _)| *name == file)
        .map(|(_, schema)| schema)
}

/// The REST API's bodies (`cjm_core::api`), each a definition under
/// `$defs` named after its type (`#/$defs/BoardList` is the answer to
/// `GET /api/boards`; docs/api.md names the type of each answer).
fn api_bodies() -> Schema {
    let mut generator = schemars::SchemaGenerator::default();
    macro_rules! register {
        ($($t:ty),* $(,)?) => {$( generator.subschema_for::<$t>(); )*};
    }
    register!(
        api::ErrorBody,
        api::BoardList,
        api::NewBoard,
        api::BoardSnapshot,
        api::BoardHealth,
        api::TemplateList,
        api::SavedTemplateRef,
        api::Liveness,
        api::MemberList,
        api::Invited,
        api::MemberAdded,
        api::MemberRole,
        api::LinkList,
        api::NewLink,
        api::LinkDescription,
        api::Joined,
        api::VersionList,
        api::SavedVersion,
        api::VersionSnapshot,
        api::CompareReply,
        api::Restored,
        api::CommentList,
        api::SeenAt,
        api::PeopleList,
        api::Inbox,
        api::ReadAt,
        api::ActivityPage,
        api::AccountReply,
        api::AccountDeleted,
        api::Uploaded,
        api::ImportList,
        api::ImportUndone,
    );
    let defs = generator.take_definitions(true);
    let mut schema = Schema::default();
    schema.insert(
        "$schema".into(),
        "https://json-schema.org/draft/2020-12/schema".into(),
    );
    schema.insert("title".into(), "REST API bodies".into());
    schema.insert("$defs".into(), serde_json::Value::Object(defs));
    schema
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
