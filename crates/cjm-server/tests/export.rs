//! Exports through the real server, on SQLite and on Postgres: every format
//! downloads with its type and name for whoever may view the board (a
//! viewer link too), the JSON export imports back into an equal board with
//! its images, and a bad import creates nothing.

#[macro_use]
mod common;

use cjm_core::{Board, CommentId, CommentTarget, NewComment, Op, PersonaPatch};
use common::*;
use serde_json::{Value, json};

/// The smallest PNG there is (1×1), as an avatar.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

async fn test_exports_download_and_the_json_comes_back_equal(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("fridge_example").await;
    let owner = owner_cookie(server.addr).await;
    let http = signed_in_http(&owner);

    // An avatar and a comment, so that the export carries both.
    let res = http
        .post(server.url(&format!("/api/boards/{}/uploads", board.id)))
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let url = res.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let persona = *board.personas.keys().next().unwrap();
    let card = *board.cards.keys().next().unwrap();
    let mut c = server.client(board.id, "Owner").await;
    c.welcome().await;
    c.apply(vec![
        Op::UpdatePersona {
            id: persona,
            patch: PersonaPatch {
                avatar_url: Some(Some(url.clone())),
                ..PersonaPatch::default()
            },
        },
        Op::AddComment(NewComment {
            id: CommentId::new(),
            on: CommentTarget::Card(card),
            parent: None,
            text: "Подтвердить на интервью".into(),
            mentions: vec![],
            author_name: String::new(),
        }),
    ])
    .await;
    drop(c);
    let (original, _) = server.snapshot(board.id).await;

    for (format, content_type, ext) in [
        ("csv", "text/csv; charset=utf-8", "csv"),
        ("opportunities_csv", "text/csv; charset=utf-8", "csv"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ("md", "text/markdown; charset=utf-8", "md"),
        ("json", "application/json", "json"),
        ("svg", "image/svg+xml", "svg"),
        ("png", "image/png", "png"),
        ("pdf", "application/pdf", "pdf"),
    ] {
        let res = http
            .get(server.url(&format!(
                "/api/boards/{}/export?format={format}&lang=ru",
                board.id
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{format}");
        assert_eq!(res.headers()["content-type"], content_type);
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            disposition.starts_with("attachment; filename=\"board."),
            "{disposition}"
        );
        assert!(disposition.contains(&format!(".{ext}")), "{disposition}");
        assert!(!res.bytes().await.unwrap().is_empty());
    }

    // JSON out, JSON in: a new board of the caller's, equal but for its id
    // and the avatar, which is a copy under a new URL.
    let export = http
        .get(server.url(&format!("/api/boards/{}/export?format=json", board.id)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let res = http
        .post(server.url("/api/boards/import"))
        .header("content-type", "application/json")
        .body(export.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let new_id: cjm_core::BoardId = serde_json::from_value(created["id"].clone()).unwrap();
    let (copy, seq) = server.snapshot(new_id).await;
    assert_eq!(seq, 0);
    let new_url = copy.personas[&persona].avatar_url.clone().unwrap();
    assert_ne!(new_url, url);
    let image = http.get(server.url(&new_url)).send().await.unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.bytes().await.unwrap().as_ref(), PNG);
    let mut expected: Board = original.clone();
    expected.id = new_id;
    expected.personas.get_mut(&persona).unwrap().avatar_url = Some(new_url);
    assert_eq!(copy, expected);
    assert_eq!(copy.comments.len(), 1);

    teardown(db, server).await;
}

async fn test_who_may_export_and_bad_imports(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("classic").await;
    let owner = owner_cookie(server.addr).await;

    // A viewer link's guest may export; a stranger may not know the board.
    let viewer = viewer_cookie(server.addr, board.id, "Manager").await;
    let res = signed_in_http(&viewer)
        .get(server.url(&format!("/api/boards/{}/export?format=md", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().starts_with("# Test map"));
    let stranger = account_cookie(server.addr, "stranger@test.example", "Stranger").await;
    let res = signed_in_http(&stranger)
        .get(server.url(&format!("/api/boards/{}/export?format=csv", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // The report as a page: shown, not saved, and allowed to run nothing.
    let res = signed_in_http(&owner)
        .get(server.url(&format!("/api/boards/{}/export?format=html", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    assert!(res.headers().get("content-disposition").is_none());
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    assert!(res.text().await.unwrap().contains("<h1>Test map</h1>"));
    // What changed since a day: against the newest version saved by then.
    let today = cjm_export::report::date(cjm_server::clock::now_ms());
    let since = format!("/api/boards/{}/export?format=md&since={today}", board.id);
    let res = signed_in_http(&owner)
        .get(server.url(&since))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "no version yet");
    let res = signed_in_http(&owner)
        .post(server.url(&format!("/api/boards/{}/versions", board.id)))
        .json(&json!({ "name": "Review" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let md = signed_in_http(&owner)
        .get(server.url(&since))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        md.contains(&format!("## What changed since {today} (“Review”)")),
        "{md}"
    );
    assert!(md.contains("Nothing on the map changed."));

    for bad in [
        "format=md&since=yesterday",
        "format=pdf&paper=letter",
        "format=docx",
        "format=png&scale=3",
        "format=svg&cards=nope",
        "lang=de",
    ] {
        let res = signed_in_http(&owner)
            .get(server.url(&format!("/api/boards/{}/export?{bad}", board.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{bad}");
    }

    // Imports need an account, and a bad file creates nothing.
    let count = |cookie: String| {
        let url = server.url("/api/boards");
        async move {
            signed_in_http(&cookie)
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["boards"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    let before = count(owner.clone()).await;
    let post = |body: String, cookie: Option<String>| {
        let url = server.url("/api/boards/import");
        async move {
            let mut req = reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json");
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            let res = req.body(body).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, _) = post("{}".into(), None).await;
    assert_eq!(status, 401);
    let (status, body) = post("{not json".into(), Some(owner.clone())).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("malformed_export"))
    );
    let export: Value = signed_in_http(&owner)
        .get(server.url(&format!("/api/boards/{}/export", board.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut bad = export.clone();
    bad["board"]["title"] = json!("x".repeat(300));
    let (status, body) = post(bad.to_string(), Some(owner.clone())).await;
    assert_eq!(status, 422, "{body}");
    let mut image = export.clone();
    image["images"] = json!([{ "id": "x", "content_type": "image/svg+xml", "data": "PHN2Zz4=" }]);
    let (status, _) = post(image.to_string(), Some(owner.clone())).await;
    assert_eq!(status, 201, "an image no persona shows is left out");
    assert_eq!(count(owner.clone()).await, before + 1);
    teardown(db, server).await;
}

on_both_stores!(
    test_exports_download_and_the_json_comes_back_equal,
    test_who_may_export_and_bad_imports,
);
