//! The home page's endpoints, on SQLite and on Postgres: duplicating a
//! board (viewer access to the source, the copy owned by the caller, every
//! card kept, the conversation left behind), board thumbnails (viewer
//! access, cacheable, no user text) and the public template previews.

#[macro_use]
mod common;

use cjm_core::{CommentId, CommentTarget, NewComment, Op};
use common::*;
use serde_json::{Value, json};

async fn test_duplicate_copies_the_map_for_the_caller(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("fridge_example").await;
    let owner = signed_in_http(&owner_cookie(server.addr).await);
    // A comment on the original: it stays there.
    let card = *board.cards.keys().next().unwrap();
    let mut c = server.client(board.id, "Owner").await;
    c.welcome().await;
    c.apply(vec![Op::AddComment(NewComment {
        id: CommentId::new(),
        on: CommentTarget::Card(card),
        parent: None,
        text: "Check with the call centre".into(),
        mentions: vec![],
        author_name: String::new(),
    })])
    .await;
    drop(c);
    let (original, _) = server.snapshot(board.id).await;

    // A viewer of the board may copy it; the copy is theirs.
    let vera_cookie = account_cookie(server.addr, "vera@example.test", "Vera").await;
    let vera = signed_in_http(&vera_cookie);
    let res = owner
        .post(server.url(&format!("/api/boards/{}/members", board.id)))
        .json(&json!({"email": "vera@example.test", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = vera
        .post(server.url(&format!("/api/boards/{}/duplicate", board.id)))
        .json(&json!({"locale": "ru"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let copy_id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(copy_id, board.id.to_string());
    let body: Value = vera
        .get(server.url(&format!("/api/boards/{copy_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["role"], "owner");
    let copy: cjm_core::Board = serde_json::from_value(body["board"].clone()).unwrap();
    assert_eq!(copy.title, "Test map (копия)");
    let texts = |b: &cjm_core::Board| {
        let mut t: Vec<(String, String, String)> = b
            .cards
            .values()
            .map(|c| {
                (
                    b.stages[&c.stage_id].name.clone(),
                    b.lanes[&c.lane_id].name.clone(),
                    c.text.clone(),
                )
            })
            .collect();
        t.sort();
        t
    };
    assert_eq!(texts(&copy), texts(&original));
    assert_eq!(copy.emotions.len(), original.emotions.len());
    assert_eq!(copy.personas.len(), original.personas.len());
    assert!(!original.comments.is_empty());
    assert!(
        copy.comments.is_empty(),
        "the conversation stays with the original"
    );
    // Listed among Vera's boards as hers; the original is untouched.
    let list: Value = vera
        .get(server.url("/api/boards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let roles: Vec<(String, String)> = list["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["title"].as_str().unwrap().into(),
                b["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        roles.contains(&("Test map (копия)".into(), "owner".into())),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("Test map".into(), "viewer".into())),
        "{roles:?}"
    );
    assert_eq!(
        server.snapshot(board.id).await.0.cards.len(),
        original.cards.len()
    );

    // English by default, an empty body is fine.
    let res = owner
        .post(server.url(&format!("/api/boards/{}/duplicate", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["board"]["title"], "Test map (copy)");

    // Someone without access: as if there were no board.
    let stranger = signed_in_http(&account_cookie(server.addr, "sam@example.test", "Sam").await);
    let res = stranger
        .post(server.url(&format!("/api/boards/{}/duplicate", board.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // No account (a viewer-link guest): a copy needs an owner.
    let guest = signed_in_http(&viewer_cookie(server.addr, board.id, "Gus").await);
    let res = guest
        .post(server.url(&format!("/api/boards/{}/duplicate", board.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = vera
        .post(server.url(&format!("/api/boards/{}/duplicate", board.id)))
        .json(&json!({"locale": "de"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = vera
        .post(server.url(&format!("/api/boards/{}/duplicate", board.id)))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    teardown(db, server).await;
}

async fn test_thumbnails_and_previews(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("fridge_example").await;
    let owner = signed_in_http(&owner_cookie(server.addr).await);
    let url = server.url(&format!("/api/boards/{}/thumbnail.svg", board.id));

    let res = owner.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert_eq!(res.headers()["cache-control"], "private, max-age=86400");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let svg = res.text().await.unwrap();
    assert!(
        svg.starts_with("<svg") && !svg.contains("<text"),
        "no text: {svg:.200}"
    );
    let card = board.cards.values().next().unwrap();
    assert!(!svg.contains(card.text.as_str()));
    // Unchanged: 304; changed: another picture.
    let res = owner
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let mut c = server.client(board.id, "Owner").await;
    c.welcome().await;
    c.apply(vec![Op::DeleteCard { id: card.id }]).await;
    drop(c);
    let res = owner
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
    // A viewer-link guest may look (like the export); a stranger may not.
    let guest = signed_in_http(&viewer_cookie(server.addr, board.id, "Gus").await);
    assert_eq!(guest.get(&url).send().await.unwrap().status(), 200);
    let stranger = signed_in_http(&account_cookie(server.addr, "sam@example.test", "Sam").await);
    assert_eq!(stranger.get(&url).send().await.unwrap().status(), 404);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);

    // Template previews are public and cached.
    let res = reqwest::get(server.url("/api/templates/fridge_example/preview.svg?locale=ru"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert_eq!(res.headers()["cache-control"], "public, max-age=86400");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let svg = res.text().await.unwrap();
    assert!(svg.contains("Осведомлённость"), "the Russian map");
    let res = reqwest::Client::new()
        .get(server.url("/api/templates/fridge_example/preview.svg?locale=ru"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    for (path, status) in [
        ("/api/templates/classic/preview.svg", 200),
        ("/api/templates/nope/preview.svg", 404),
        ("/api/templates/classic/preview.svg?locale=de", 422),
    ] {
        let res = reqwest::get(server.url(path)).await.unwrap();
        assert_eq!(res.status(), status, "{path}");
    }
    teardown(db, server).await;
}

on_both_stores!(
    test_duplicate_copies_the_map_for_the_caller,
    test_thumbnails_and_previews,
);
