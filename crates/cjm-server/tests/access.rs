//! The authorization matrix of SECURITY.md, against the real server on
//! SQLite and on Postgres: for every board endpoint and every op kind, each
//! kind of caller gets exactly what the table says, and every refusal leaves
//! the database as it was.

mod common;

use std::time::Duration;

use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, ServerMsg};
use cjm_core::*;
use common::{Client, Db, TestServer, account_cookie, owner_cookie, set_cookie, signed_in_http};
use serde_json::{Value, json};

/// Who asks, in the order of the table's columns.
const WHO: [&str; 10] = [
    "nobody",
    "stranger",
    "viewer",
    "commenter",
    "editor",
    "owner",
    "viewer link",
    "editor link",
    "expired link",
    "revoked link",
];

struct Caller {
    name: &'static str,
    http: reqwest::Client,
    cookie: Option<String>,
}

/// What the database holds about the board, the parts a refused request
/// must not change (link use times aside: using a link is allowed).
async fn fingerprint(server: &TestServer, board: BoardId, owner: uuid::Uuid) -> Value {
    let store = &server.state.store;
    let loaded = store.load_board(board).await.unwrap();
    let members: Vec<(uuid::Uuid, Role)> = store
        .members(board)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.user_id, m.role))
        .collect();
    let links: Vec<uuid::Uuid> = store
        .links(board)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    let templates = store.list_templates(owner).await.unwrap().len();
    json!({ "board": loaded, "members": members, "links": links, "templates": templates })
}

async fn join_link(server: &TestServer, token: &str, name: &str) -> String {
    let res = reqwest::Client::new()
        .post(server.url(&format!("/api/links/{token}/join")))
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    set_cookie(&res)
}

async fn new_link(
    owner: &reqwest::Client,
    server: &TestServer,
    board: BoardId,
    body: Value,
) -> Value {
    let res = owner
        .post(server.url(&format!("/api/boards/{board}/links")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

/// One op of every kind, each valid after the ones before it on `board`.
fn one_of_each_kind(board: &Board) -> Vec<Op> {
    let stage = Stage {
        id: StageId::new(),
        name: "New stage".into(),
        description: String::new(),
        order: OrderKey::first(),
        metrics: Vec::new(),
    };
    let lane = Lane {
        id: LaneId::new(),
        name: "New lane".into(),
        kind: LaneKind::Notes,
        order: OrderKey::first(),
    };
    let card = Card::new(
        stage.id,
        lane.id,
        OrderKey::first(),
        "a card",
        Color::Yellow,
    );
    let persona = Persona::new("Igor", OrderKey::first(), Color::Blue);
    let other_stage = board.stages_in_order()[0].id;
    let later = OrderKey::between(Some(&OrderKey::first()), None);
    vec![
        Op::SetBoardTitle {
            title: "Renamed".into(),
        },
        Op::CreateStage(stage.clone()),
        Op::UpdateStage {
            id: stage.id,
            patch: StagePatch {
                name: Some("Stage".into()),
                ..Default::default()
            },
        },
        Op::MoveStage {
            id: stage.id,
            order: later.clone(),
        },
        Op::CreateLane(lane.clone()),
        Op::UpdateLane {
            id: lane.id,
            patch: LanePatch {
                name: Some("Lane".into()),
                ..Default::default()
            },
        },
        Op::MoveLane {
            id: lane.id,
            order: later.clone(),
        },
        Op::CreateCard(card.clone()),
        Op::UpdateCard {
            id: card.id,
            patch: CardPatch {
                text: Some("edited".into()),
                ..Default::default()
            },
        },
        Op::MoveCard {
            id: card.id,
            stage_id: other_stage,
            lane_id: lane.id,
            order: OrderKey::first(),
        },
        Op::DeleteCard { id: card.id },
        Op::CreatePersona(persona.clone()),
        Op::UpdatePersona {
            id: persona.id,
            patch: PersonaPatch {
                name: Some("Igor P.".into()),
                ..Default::default()
            },
        },
        Op::MovePersona {
            id: persona.id,
            order: later,
        },
        Op::SetEmotion {
            persona_id: persona.id,
            stage_id: stage.id,
            curve: Curve::AsIs,
            score: Some(-2),
        },
        Op::DeletePersona { id: persona.id },
        Op::DeleteLane { id: lane.id },
        Op::DeleteStage { id: stage.id },
    ]
}

async fn test_every_endpoint_and_op_answers_each_role_as_the_table_says(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let addr = server.addr;
    let board = common::create_board_at(addr, "classic").await;
    let id = board.id;
    let owner_http = common::owner_http(addr).await;
    let owner_id = server
        .state
        .store
        .user_by_email(common::OWNER_EMAIL)
        .await
        .unwrap()
        .unwrap()
        .id;

    // Members with each role, and a stranger.
    let mut member_ids = std::collections::HashMap::new();
    let mut cookies: Vec<Option<String>> = vec![None];
    for who in ["stranger", "viewer", "commenter", "editor"] {
        let email = format!("{who}@test.example");
        cookies.push(Some(account_cookie(addr, &email, who).await));
        if who != "stranger" {
            let res = owner_http
                .post(server.url(&format!("/api/boards/{id}/members")))
                .json(&json!({ "email": email, "role": who }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201, "invite {who}");
            let body: Value = res.json().await.unwrap();
            member_ids.insert(who, body["user_id"].as_str().unwrap().to_string());
        }
    }
    cookies.push(Some(owner_cookie(addr).await));
    // Guests through links: live, expired (three seconds of life, joined
    // at once), revoked.
    let soon = common_now() + 3000;
    let short_link = new_link(
        &owner_http,
        &server,
        id,
        json!({ "role": "editor", "expires_at": soon }),
    )
    .await;
    let short_guest = join_link(&server, short_link["token"].as_str().unwrap(), "Xenia").await;
    let viewer_link = new_link(&owner_http, &server, id, json!({ "role": "viewer" })).await;
    let editor_link = new_link(&owner_http, &server, id, json!({ "role": "editor" })).await;
    let revoked_link = new_link(&owner_http, &server, id, json!({ "role": "editor" })).await;
    for (link, name) in [(&viewer_link, "Vera"), (&editor_link, "Egor")] {
        cookies.push(Some(
            join_link(&server, link["token"].as_str().unwrap(), name).await,
        ));
    }
    cookies.push(Some(short_guest));
    cookies.push(Some(
        join_link(&server, revoked_link["token"].as_str().unwrap(), "Roma").await,
    ));
    let res = owner_http
        .delete(server.url(&format!(
            "/api/boards/{id}/links/{}",
            revoked_link["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    tokio::time::sleep(Duration::from_millis(
        (soon - common_now()).max(0) as u64 + 50,
    ))
    .await;

    let callers: Vec<Caller> = WHO
        .iter()
        .zip(cookies)
        .map(|(name, cookie)| Caller {
            name,
            http: match &cookie {
                Some(c) => signed_in_http(c),
                None => reqwest::Client::new(),
            },
            cookie,
        })
        .collect();

    // An image and a spare member and link for the owner's own successes.
    let png = {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        b.extend_from_slice(&[0; 32]);
        b
    };
    let res = owner_http
        .post(server.url(&format!("/api/boards/{id}/uploads")))
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let upload: Value = res.json().await.unwrap();
    account_cookie(addr, "spare@test.example", "Spare").await;
    let spare_link = new_link(&owner_http, &server, id, json!({ "role": "viewer" })).await;
    let spare_user = server
        .state
        .store
        .user_by_email("spare@test.example")
        .await
        .unwrap()
        .unwrap()
        .id;

    let commenter = &member_ids["commenter"];
    let board_path = format!("/api/boards/{id}");
    // (what, method, path, body, expected status per caller in WHO order)
    type Row = (&'static str, &'static str, String, Option<Value>, [u16; 10]);
    let rows: Vec<Row> = vec![
        (
            "list boards",
            "GET",
            "/api/boards".into(),
            None,
            [401, 200, 200, 200, 200, 200, 401, 401, 401, 401],
        ),
        (
            "read the board",
            "GET",
            board_path.clone(),
            None,
            [404, 404, 200, 200, 200, 200, 200, 200, 404, 404],
        ),
        (
            "map health",
            "GET",
            format!("{board_path}/health"),
            None,
            [404, 404, 200, 200, 200, 200, 200, 200, 404, 404],
        ),
        (
            "see an image",
            "GET",
            upload["url"].as_str().unwrap().into(),
            None,
            [404, 404, 200, 200, 200, 200, 200, 200, 404, 404],
        ),
        (
            "upload an image",
            "POST",
            format!("{board_path}/uploads"),
            None,
            [404, 404, 403, 403, 201, 201, 403, 201, 404, 404],
        ),
        (
            "save as template",
            "POST",
            format!("{board_path}/template"),
            Some(json!({ "name": "T" })),
            [401, 404, 403, 403, 201, 201, 401, 401, 401, 401],
        ),
        (
            "list members",
            "GET",
            format!("{board_path}/members"),
            None,
            [404, 404, 200, 200, 200, 200, 403, 403, 404, 404],
        ),
        (
            "invite a member",
            "POST",
            format!("{board_path}/members"),
            Some(json!({ "email": "spare@test.example", "role": "viewer" })),
            [404, 404, 403, 403, 403, 201, 403, 403, 404, 404],
        ),
        (
            "change a role",
            "PATCH",
            format!("{board_path}/members/{commenter}"),
            Some(json!({ "role": "viewer" })),
            [404, 404, 403, 403, 403, 200, 403, 403, 404, 404],
        ),
        (
            "remove a member",
            "DELETE",
            format!("{board_path}/members/{spare_user}"),
            None,
            [404, 404, 403, 403, 403, 204, 403, 403, 404, 404],
        ),
        (
            "list links",
            "GET",
            format!("{board_path}/links"),
            None,
            [404, 404, 403, 403, 403, 200, 403, 403, 404, 404],
        ),
        (
            "create a link",
            "POST",
            format!("{board_path}/links"),
            Some(json!({ "role": "viewer" })),
            [404, 404, 403, 403, 403, 201, 403, 403, 404, 404],
        ),
        (
            "revoke a link",
            "DELETE",
            format!("{board_path}/links/{}", spare_link["id"].as_str().unwrap()),
            None,
            [404, 404, 403, 403, 403, 204, 403, 403, 404, 404],
        ),
    ];
    for (what, method, path, body, expected) in &rows {
        for (caller, want) in callers.iter().zip(expected) {
            let before = fingerprint(&server, id, owner_id).await;
            let mut req = caller
                .http
                .request(method.parse().unwrap(), server.url(path));
            if *what == "upload an image" {
                req = req.header("content-type", "image/png").body(png.clone());
            } else if let Some(b) = body {
                req = req.json(b);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            assert_eq!(status, *want, "{what} as {}: {text}", caller.name);
            if status >= 400 {
                let err: Value = serde_json::from_str(&text).unwrap();
                assert!(err["error"]["code"].is_string(), "{what}: JSON error");
                assert_eq!(
                    fingerprint(&server, id, owner_id).await,
                    before,
                    "{what} as {} changed the database",
                    caller.name
                );
            }
        }
    }

    // The list shows exactly the boards one is a member of.
    let list: Value = callers[1]
        .http
        .get(server.url("/api/boards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["boards"].as_array().unwrap().len(),
        0,
        "a stranger sees no board"
    );
    let list: Value = callers[2]
        .http
        .get(server.url("/api/boards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["boards"][0]["role"], "viewer");

    // Over the websocket: who gets in, with which role, and whether every
    // kind of op is applied or refused.
    let expected_role = [
        None,
        None,
        Some(Role::Viewer),
        Some(Role::Viewer),
        Some(Role::Editor),
        Some(Role::Owner),
        Some(Role::Viewer),
        Some(Role::Editor),
        None,
        None,
    ];
    // (The commenter was made a viewer above by the owner's role change.)
    for (caller, role) in callers.iter().zip(expected_role) {
        let mut ws = Client::connect_with(addr, id, caller.cookie.as_deref()).await;
        ws.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            last_seq: None,
            client_id: Some("i-claim-to-be-the-owner".into()),
            name: Some("Owner".into()),
        })
        .await;
        let msg = ws.recv().await;
        let Some(role) = role else {
            assert!(
                matches!(&msg, ServerMsg::Error { code, .. } if code == "not_found"),
                "{} must not get in: {msg:?}",
                caller.name
            );
            continue;
        };
        let ServerMsg::Welcome {
            role: got,
            board: Some(current),
            actor,
            ..
        } = msg
        else {
            panic!("{}: expected welcome, got {msg:?}", caller.name)
        };
        assert_eq!(got, Some(role), "{}'s role", caller.name);
        assert_ne!(actor, "i-claim-to-be-the-owner");
        for op in one_of_each_kind(&current) {
            let before = fingerprint(&server, id, owner_id).await;
            let sent = ws.submit(vec![op.clone()]).await;
            match ws.recv().await {
                ServerMsg::Applied(a) if role.can_edit() => {
                    assert_eq!(a.client_op_id, sent.client_op_id);
                    assert_eq!(a.actor, actor);
                }
                ServerMsg::Rejected {
                    client_op_id, code, ..
                } if !role.can_edit() => {
                    assert_eq!(
                        (client_op_id, code.as_str()),
                        (sent.client_op_id, "forbidden")
                    );
                    assert_eq!(
                        fingerprint(&server, id, owner_id).await,
                        before,
                        "{:?} by {} changed the database",
                        op,
                        caller.name
                    );
                }
                other => panic!("{}: {op:?} answered {other:?}", caller.name),
            }
        }
    }

    // Deleting the board: only its owner.
    for (caller, want) in callers
        .iter()
        .zip([404, 404, 403, 403, 403, 204, 403, 403, 404, 404])
    {
        if caller.name == "owner" {
            continue;
        }
        let before = fingerprint(&server, id, owner_id).await;
        let res = caller
            .http
            .delete(server.url(&board_path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), want, "delete as {}", caller.name);
        assert_eq!(fingerprint(&server, id, owner_id).await, before);
    }
    let res = owner_http
        .delete(server.url(&board_path))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    common::teardown(db, server).await;
}

/// A websocket from another site is refused before it is opened; one from
/// the board's own page is let in. Pages may be framed only by the sites
/// the deployment names.
async fn test_websocket_origin_is_checked(backend: &str) {
    let (db, server, board) = common::setup(backend, "blank").await;
    let cookie = owner_cookie(server.addr).await;
    let open = |origin: Option<String>| {
        let mut req = common::ws_request(server.addr, board.id, Some(&cookie));
        if let Some(o) = origin {
            req.headers_mut().insert("origin", o.parse().unwrap());
        }
        tokio_tungstenite::connect_async(req)
    };
    let refused = open(Some("https://evil.example".into())).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 403),
        other => panic!(
            "a foreign origin must be refused, got {:?}",
            other.map(|_| ())
        ),
    }
    let same = open(Some(format!("http://{}", server.addr))).await;
    assert!(same.is_ok(), "the board's own origin is let in");
    common::teardown(db, server).await;
}

/// A script hammering the REST API gets a clear 429 with Retry-After once
/// it passes the per-account limit on changes; reads stay open.
async fn test_writes_are_rate_limited_per_account(backend: &str) {
    let (db, server, board) = common::setup(backend, "blank").await;
    let http = common::owner_http(server.addr).await;
    let url = server.url("/api/boards");
    let mut statuses = Vec::new();
    while statuses.last() != Some(&429) && statuses.len() < 400 {
        // An over-long title: refused by the handler, counted all the same.
        let res = http
            .post(&url)
            .json(&json!({ "title": "x".repeat(201), "template": "blank" }))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            assert!(res.headers().contains_key("retry-after"));
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited");
        }
    }
    // 300 changes a minute per account; creating the board was one.
    let passed = statuses.iter().filter(|s| **s == 422).count();
    assert_eq!(passed, 299, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429));
    let res = http
        .get(server.url(&format!("/api/boards/{}", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "reads are not limited");
    common::teardown(db, server).await;
}

#[test]
fn frame_ancestors_are_configurable_and_safe() {
    use cjm_server::state::content_security_policy as csp;
    let none = csp(None);
    assert!(none.to_str().unwrap().ends_with("frame-ancestors 'none'"));
    let wiki = csp(Some("https://wiki.example.com self"));
    assert!(
        wiki.to_str()
            .unwrap()
            .ends_with("frame-ancestors https://wiki.example.com 'self'")
    );
    // Anything that could smuggle another directive falls back to 'none'.
    for bad in [
        "https://a.example; script-src *",
        "'unsafe-inline'",
        "*",
        "javascript:x",
    ] {
        assert!(
            csp(Some(bad))
                .to_str()
                .unwrap()
                .ends_with("frame-ancestors 'none'"),
            "{bad}"
        );
    }
}

fn common_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

mod sqlite {
    #[tokio::test]
    async fn test_writes_are_rate_limited_per_account() {
        super::test_writes_are_rate_limited_per_account("sqlite").await;
    }

    #[tokio::test]
    async fn test_websocket_origin_is_checked() {
        super::test_websocket_origin_is_checked("sqlite").await;
    }

    #[tokio::test]
    async fn test_every_endpoint_and_op_answers_each_role_as_the_table_says() {
        super::test_every_endpoint_and_op_answers_each_role_as_the_table_says("sqlite").await;
    }
}

mod postgres {
    #[tokio::test]
    async fn test_writes_are_rate_limited_per_account() {
        super::test_writes_are_rate_limited_per_account("postgres").await;
    }

    #[tokio::test]
    async fn test_websocket_origin_is_checked() {
        super::test_websocket_origin_is_checked("postgres").await;
    }

    #[tokio::test]
    async fn test_every_endpoint_and_op_answers_each_role_as_the_table_says() {
        super::test_every_endpoint_and_op_answers_each_role_as_the_table_says("postgres").await;
    }
}
