//! The published JSON Schemas (docs/schema, `/api/schema/`) are the ones
//! the Rust types generate, and what a real server sends and accepts
//! validates against them: a client checking its messages with them is
//! checking against what the server does, not against prose.
//!
//! After changing a wire type, write the files anew with
//! `CJM_UPDATE_SCHEMA=1 cargo test -p cjm-server --test schema`.

#[macro_use]
mod common;

use std::path::PathBuf;
use std::time::Duration;

use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, Presence};
use cjm_core::{Batch, Card, Color, Op, OrderKey};
use common::{setup, teardown};
use serde_json::Value;

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema")
}

/// A strict validator: formats (uuid, integer ranges) are checked too, as
/// a strict client would.
fn strict(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("not a schema: {e}"))
}

/// The schema as generated (the published file is the same text: see the
/// first test).
fn validator(file: &str) -> jsonschema::Validator {
    strict(&cjm_core::schema::document(file).unwrap().into())
}

/// A validator for one REST body type of api.json (`#/$defs/{name}`).
fn api_def(name: &str) -> jsonschema::Validator {
    let mut schema: Value = cjm_core::schema::document("api.json").unwrap().into();
    assert!(
        schema["$defs"].get(name).is_some(),
        "api.json has no {name}"
    );
    schema["$ref"] = format!("#/$defs/{name}").into();
    strict(&schema)
}

#[track_caller]
fn assert_valid(v: &jsonschema::Validator, what: &str, doc: &Value) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:#?}\n{doc:#}"
    );
}

#[test]
fn the_published_schemas_are_the_generated_ones() {
    let update = std::env::var_os("CJM_UPDATE_SCHEMA").is_some();
    let mut stale = Vec::new();
    for (file, schema) in cjm_core::schema::documents() {
        let path = docs_dir().join(file);
        let want = cjm_core::schema::to_text(&schema);
        if update {
            std::fs::create_dir_all(docs_dir()).unwrap();
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/schema/{stale:?} differ from the types; write them anew with \
         `CJM_UPDATE_SCHEMA=1 cargo test -p cjm-server --test schema`"
    );
}

#[test]
fn a_message_missing_a_field_or_of_an_unknown_type_is_not_valid() {
    let client = validator("client-message.json");
    assert!(
        !client.is_valid(&serde_json::json!({"type": "hello"})),
        "hello without protocol"
    );
    assert!(!client.is_valid(&serde_json::json!({"type": "shout", "protocol": 1})));
    assert!(!client.is_valid(&serde_json::json!({
        "type": "submit", "client_op_id": "not a uuid", "ops": []
    })));
    let server = validator("server-message.json");
    assert!(!server.is_valid(&serde_json::json!({"type": "applied", "seq": 1})));
}

/// Every kind of message a session brings, as the server wrote it, and the
/// board of the welcome and of `GET /api/boards/{id}`, match the schemas;
/// so do the messages the test client sends (which the server accepts).
async fn test_what_the_server_sends_matches_the_schemas(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let client_schema = validator("client-message.json");
    let server_schema = validator("server-message.json");
    let board_schema = validator("board.json");

    // The schema the server serves is the published one.
    let http = common::owner_http(server.addr).await;
    for file in [
        "client-message.json",
        "server-message.json",
        "board.json",
        "api.json",
    ] {
        let res = http
            .get(server.url(&format!("/api/schema/{file}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{file}");
        assert_eq!(res.headers()["content-type"], "application/schema+json");
        let served = res.text().await.unwrap();
        let published = std::fs::read_to_string(docs_dir().join(file)).unwrap();
        assert!(
            served == published,
            "{file} served differs from docs/schema"
        );
    }
    let missing = http
        .get(server.url("/api/schema/nope.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let rest: Value = http
        .get(server.url(&format!("/api/boards/{}", board.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_valid(&board_schema, "GET /api/boards/{id} board", &rest["board"]);

    // The REST answers match their types in api.json (docs/api.md).
    let version: Value = http
        .post(server.url(&format!("/api/boards/{}/versions", board.id)))
        .json(&serde_json::json!({ "name": "Before the workshop" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let version_id = version["version"]["id"].as_str().unwrap().to_string();
    let b = board.id;
    for (path, def) in [
        ("/api/boards".to_string(), "BoardList"),
        (format!("/api/boards/{b}"), "BoardSnapshot"),
        (format!("/api/boards/{b}/health"), "BoardHealth"),
        ("/api/templates".to_string(), "TemplateList"),
        (format!("/api/boards/{b}/members"), "MemberList"),
        (format!("/api/boards/{b}/links"), "LinkList"),
        (format!("/api/boards/{b}/versions"), "VersionList"),
        (
            format!("/api/boards/{b}/versions/{version_id}"),
            "VersionSnapshot",
        ),
        (
            format!("/api/boards/{b}/compare?from={version_id}"),
            "CompareReply",
        ),
        (format!("/api/boards/{b}/comments"), "CommentList"),
        (format!("/api/boards/{b}/people"), "PeopleList"),
        (format!("/api/boards/{b}/activity"), "ActivityPage"),
        (format!("/api/boards/{b}/imports"), "ImportList"),
        ("/api/inbox".to_string(), "Inbox"),
        ("/api/auth/me".to_string(), "AccountReply"),
        // Refusals: the error body.
        ("/api/boards/not-a-board".to_string(), "ErrorBody"),
        (format!("/api/boards/{b}/health?stale_days=0"), "ErrorBody"),
    ] {
        let res = http.get(server.url(&path)).send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        assert_valid(&api_def(def), &format!("GET {path} as {def}"), &body);
    }
    assert_valid(&api_def("SavedVersion"), "POST versions", &version);
    // A body of another type does not pass for this one.
    assert!(
        !api_def("BoardList").is_valid(&version),
        "a version is not a board list"
    );

    let mut seen = std::collections::BTreeSet::new();
    let mut check = |text: &str| {
        let msg: Value = serde_json::from_str(text).unwrap();
        assert_valid(&server_schema, "a server message", &msg);
        if let Some(board) = msg.get("board") {
            assert_valid(&board_schema, "the welcome's board", board);
        }
        seen.insert(msg["type"].as_str().unwrap().to_string());
    };

    let mut ana = server.client(board.id, "ana").await;
    let mut bo = server.client(board.id, "bo").await;
    for text in [
        ana.recv_text(Duration::from_secs(5)).await,
        bo.recv_text(Duration::from_secs(5)).await,
    ] {
        check(&text.expect("a welcome"));
    }

    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    let card = Card::new(stage, lane, OrderKey::first(), "Sees an ad", Color::Yellow);
    let sent = [
        ClientMsg::Submit(Batch::new(vec![Op::CreateCard(card.clone())])),
        // Rejected: the same card again.
        ClientMsg::Submit(Batch::new(vec![Op::CreateCard(card)])),
        ClientMsg::Presence(Presence::default()),
        ClientMsg::Ping,
    ];
    let hello = ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        last_seq: Some(3),
        client_id: None,
        name: None,
    };
    assert_valid(
        &client_schema,
        "hello",
        &serde_json::to_value(&hello).unwrap(),
    );
    for msg in &sent {
        assert_valid(
            &client_schema,
            "a client message",
            &serde_json::to_value(msg).unwrap(),
        );
        ana.send(msg).await;
    }
    // A message the server cannot read: `error`.
    ana.send_text(r#"{"type":"shout"}"#.into()).await;
    while let Some(text) = ana.recv_text(Duration::from_millis(1500)).await {
        check(&text);
    }
    while let Some(text) = bo.recv_text(Duration::from_millis(300)).await {
        check(&text);
    }
    for kind in [
        "welcome", "applied", "rejected", "pong", "error", "presence",
    ] {
        assert!(seen.contains(kind), "no `{kind}` seen; saw {seen:?}");
    }
    teardown(db, server).await;
}

on_both_stores!(test_what_the_server_sends_matches_the_schemas);
