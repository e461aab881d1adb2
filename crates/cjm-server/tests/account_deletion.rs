//! An account deletes itself (`DELETE /api/auth/account`), on SQLite and
//! on Postgres: the password is required, boards it alone owns are listed
//! until it chooses, then handed over or deleted; its sockets end, its
//! session stops working and its email can sign up again.

#[macro_use]
mod common;

use std::time::Duration;

use cjm_core::protocol::ServerMsg;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A response's status, `Set-Cookie` and JSON body.
struct Res {
    status: StatusCode,
    set_cookie: Option<String>,
    body: Value,
}

impl Res {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

async fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    body: Option<Value>,
    cookie: Option<&str>,
) -> Res {
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), server.url(path));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let set_cookie = res
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string());
    let body = res.json().await.unwrap_or(Value::Null);
    Res {
        status,
        set_cookie,
        body,
    }
}

async fn new_board(server: &TestServer, cookie: &str, title: &str) -> String {
    let res = call(
        server,
        "POST",
        "/api/boards",
        Some(json!({"title": title, "template": "blank"})),
        Some(cookie),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["board"]["id"].as_str().unwrap().to_string()
}

async fn test_an_account_deletes_itself(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let ana = account_cookie(server.addr, "ana@test.example", "Ana").await;
    let bob = account_cookie(server.addr, "bob@test.example", "Bob").await;
    let bob_id = call(&server, "GET", "/api/auth/me", None, Some(&bob))
        .await
        .body["user"]["id"]
        .clone();

    // "Kept" has Bob as an editor; "Alone" has no other member, only a
    // guest through a viewer link.
    let kept = new_board(&server, &ana, "Kept").await;
    let alone = new_board(&server, &ana, "Alone").await;
    let added = call(
        &server,
        "POST",
        &format!("/api/boards/{kept}/members"),
        Some(json!({"email": "bob@test.example", "role": "editor"})),
        Some(&ana),
    )
    .await;
    assert_eq!(added.status, 201);
    let link = call(
        &server,
        "POST",
        &format!("/api/boards/{alone}/links"),
        Some(json!({"role": "viewer"})),
        Some(&ana),
    )
    .await;
    let token = link.body["token"].as_str().unwrap();
    let joined = call(
        &server,
        "POST",
        &format!("/api/links/{token}/join"),
        Some(json!({"name": "Guest"})),
        None,
    )
    .await;
    let guest = joined
        .set_cookie
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let path = format!("/api/boards/{alone}");
    assert_eq!(
        call(&server, "GET", &path, None, Some(&guest)).await.status,
        200
    );

    // Ana is on "Kept" live.
    let kept_id = kept.parse().map(cjm_core::BoardId).unwrap();
    let mut socket = Client::connect_with(server.addr, kept_id, Some(&ana)).await;
    socket.hello().await;
    assert!(matches!(socket.recv().await, ServerMsg::Welcome { .. }));

    // Signed out: no.
    let body = json!({"password": TEST_PASSWORD, "sole_owned": "transfer"});
    let anonymous = call(&server, "DELETE", "/api/auth/account", Some(body), None).await;
    assert_eq!(anonymous.status, 401);
    // A wrong password: no.
    let wrong = call(
        &server,
        "DELETE",
        "/api/auth/account",
        Some(json!({"password": "not the password", "sole_owned": "transfer"})),
        Some(&ana),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    // An unknown choice: no.
    let odd = call(
        &server,
        "DELETE",
        "/api/auth/account",
        Some(json!({"password": TEST_PASSWORD, "sole_owned": "keep"})),
        Some(&ana),
    )
    .await;
    assert_eq!(odd.status, 400);

    // No choice: the boards she alone owns are listed, nothing happens.
    let ask = call(
        &server,
        "DELETE",
        "/api/auth/account",
        Some(json!({"password": TEST_PASSWORD})),
        Some(&ana),
    )
    .await;
    assert_eq!(
        (ask.status, ask.code()),
        (StatusCode::CONFLICT, "sole_owner")
    );
    let mut listed: Vec<(String, String, i64)> = ask.body["error"]["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["id"].as_str().unwrap().to_string(),
                b["title"].as_str().unwrap().to_string(),
                b["other_members"].as_i64().unwrap(),
            )
        })
        .collect();
    listed.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        listed,
        [
            (alone.clone(), "Alone".to_string(), 0),
            (kept.clone(), "Kept".to_string(), 1)
        ]
    );
    assert_eq!(
        call(&server, "GET", "/api/auth/me", None, Some(&ana))
            .await
            .status,
        200
    );
    assert!(
        !socket.ends_within(Duration::from_millis(300)).await,
        "nothing happened yet"
    );

    // Hand over: Bob owns "Kept", "Alone" is gone.
    let done = call(
        &server,
        "DELETE",
        "/api/auth/account",
        Some(json!({"password": TEST_PASSWORD, "sole_owned": "transfer"})),
        Some(&ana),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["deleted_boards"], json!([alone]));
    assert_eq!(
        done.body["transferred"],
        json!([{"board": kept, "owner": bob_id}])
    );
    let cleared = done.set_cookie.expect("the session cookie is cleared");
    assert!(cleared.starts_with("cjm_session=;") && cleared.contains("Max-Age=0"));

    // Her socket ends; her session no longer works.
    assert!(
        socket.ends_within(Duration::from_secs(3)).await,
        "her websocket ends"
    );
    let me = call(&server, "GET", "/api/auth/me", None, Some(&ana)).await;
    assert_eq!(me.status, 401);
    let mut again = Client::connect_with(server.addr, kept_id, Some(&ana)).await;
    again.hello().await;
    assert!(matches!(again.recv().await, ServerMsg::Error { .. }));

    // "Alone" is deleted (its guest finds nothing), "Kept" is Bob's.
    assert_eq!(
        call(&server, "GET", &path, None, Some(&guest)).await.status,
        404
    );
    let members = call(
        &server,
        "GET",
        &format!("/api/boards/{kept}/members"),
        None,
        Some(&bob),
    )
    .await;
    assert_eq!(members.body["you"], "owner");
    assert_eq!(members.body["members"].as_array().unwrap().len(), 1);

    // The email can sign up again: a new, empty account.
    let back = call(
        &server,
        "POST",
        "/api/auth/signup",
        Some(json!({"email": "ana@test.example", "name": "Ana", "password": "a brand new passphrase 9"})),
        None,
    )
    .await;
    assert_eq!(back.status, 201, "{}", back.body);
    let cookie = back
        .set_cookie
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let boards = call(&server, "GET", "/api/boards", None, Some(&cookie)).await;
    assert_eq!(boards.body["boards"], json!([]), "{}", boards.body);
    // The old password is gone with the old account.
    let old = call(
        &server,
        "POST",
        "/api/auth/login",
        Some(json!({"email": "ana@test.example", "password": TEST_PASSWORD})),
        None,
    )
    .await;
    assert_eq!(old.status, 401);
    teardown(db, server).await;
}

/// "delete": every board the account alone owns goes, even one with
/// other members, and their live sockets end.
async fn test_deleting_the_boards_too(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let ana = account_cookie(server.addr, "ana@test.example", "Ana").await;
    let bob = account_cookie(server.addr, "bob@test.example", "Bob").await;
    let board = new_board(&server, &ana, "Workshop").await;
    let added = call(
        &server,
        "POST",
        &format!("/api/boards/{board}/members"),
        Some(json!({"email": "bob@test.example", "role": "editor"})),
        Some(&ana),
    )
    .await;
    assert_eq!(added.status, 201);
    let id = board.parse().map(cjm_core::BoardId).unwrap();
    let mut bobs = Client::connect_with(server.addr, id, Some(&bob)).await;
    bobs.hello().await;
    assert!(matches!(bobs.recv().await, ServerMsg::Welcome { .. }));

    let done = call(
        &server,
        "DELETE",
        "/api/auth/account",
        Some(json!({"password": TEST_PASSWORD, "sole_owned": "delete"})),
        Some(&ana),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["deleted_boards"], json!([board]));
    assert_eq!(done.body["transferred"], json!([]));
    assert!(
        bobs.ends_within(Duration::from_secs(3)).await,
        "the board closed"
    );
    let path = format!("/api/boards/{board}");
    assert_eq!(
        call(&server, "GET", &path, None, Some(&bob)).await.status,
        404
    );
    teardown(db, server).await;
}

on_both_stores!(test_an_account_deletes_itself, test_deleting_the_boards_too);
