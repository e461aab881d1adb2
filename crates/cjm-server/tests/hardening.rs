//! The attack pass of SECURITY.md, replayed against the real server on
//! SQLite and on Postgres: nobody exhausts the server, outlives their
//! access, or slips past a limit. Each test names the finding it closes.

#[macro_use]
mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use cjm_core::protocol::{ClientMsg, Point, Presence, ServerMsg};
use cjm_core::*;
use cjm_server::state::Options;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A response's status, headers and JSON body.
struct Res {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Res {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// `name=value` of the cookie the response sets.
    fn cookie(&self) -> Option<String> {
        let raw = self.headers.get("set-cookie")?.to_str().ok()?;
        Some(raw.split(';').next()?.to_string())
    }
}

/// One request: `headers` are extra (cookie, origin, host...).
async fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Res {
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), server.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Res {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

async fn login(server: &TestServer, email: &str, password: &str, from: Option<&str>) -> Res {
    let mut headers = Vec::new();
    if let Some(ip) = from {
        headers.push(("x-forwarded-for", ip));
    }
    call(
        server,
        "POST",
        "/api/auth/login",
        Some(json!({"email": email, "password": password})),
        &headers,
    )
    .await
}

/// A fresh session of the test owner (a browser of theirs).
async fn owner_session(server: &TestServer) -> String {
    let res = login(server, OWNER_EMAIL, TEST_PASSWORD, None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.cookie().unwrap()
}

/// A websocket on `board` with `cookie`, joined (welcome read).
async fn joined(server: &TestServer, board: BoardId, cookie: &str) -> Client {
    let mut c = Client::connect_with(server.addr, board, Some(cookie)).await;
    c.hello().await;
    c.welcome().await;
    c
}

fn new_card(board: &Board, text: &str) -> Card {
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    Card::new(stage, lane, OrderKey::first(), text, Color::Yellow)
}

/// Item 1: a hundred parallel wrong sign-ins verify at most the limit's
/// worth of hashes, a few at a time; the rest are refused before hashing.
async fn test_parallel_guesses_meet_the_limit_and_hashing_is_bounded(backend: &str) {
    let (db, server, _) = setup(backend, "blank").await;
    let ran = || server.state.hashing.ran.load(Ordering::SeqCst);
    let before = ran();
    let guesses = (0..100).map(|i| {
        let addr = server.addr;
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("http://{addr}/api/auth/login"))
                .json(&json!({"email": OWNER_EMAIL, "password": format!("guess {i}")}))
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    let mut statuses = Vec::new();
    for g in guesses.collect::<Vec<_>>() {
        statuses.push(g.await.unwrap().as_u16());
    }
    let count = |s: u16| statuses.iter().filter(|&&x| x == s).count();
    let per_account = cjm_server::state::LOGIN_PER_ACCOUNT;
    assert!(count(401) <= per_account, "{statuses:?}");
    assert_eq!(count(401) + count(429) + count(503), 100, "{statuses:?}");
    assert!(count(429) >= 100 - per_account, "{statuses:?}");
    assert!(
        ran() - before <= per_account,
        "hashes verified: {}",
        ran() - before
    );
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    assert!(server.state.hashing.peak.load(Ordering::SeqCst) <= 2 * cores);

    // Spread over many accounts, one address still verifies at most its
    // limit (counting what it spent above).
    let before = ran();
    let guesses = (0..100).map(|i| {
        let addr = server.addr;
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("http://{addr}/api/auth/login"))
                .json(&json!({"email": format!("nobody{i}@example.com"), "password": "x"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut verified = 0;
    for g in guesses.collect::<Vec<_>>() {
        let s = g.await.unwrap();
        assert!([401, 429, 503].contains(&s), "{s}");
        verified += usize::from(s == 401);
    }
    assert!(verified + per_account <= cjm_server::state::LOGIN_PER_ADDRESS);
    assert!(ran() - before <= cjm_server::state::LOGIN_PER_ADDRESS);
    teardown(db, server).await;
}

/// Item 2: signing out ends that browser's sockets; a password change ends
/// all of the account's; the other session's socket lives on until then.
async fn test_sockets_end_with_their_session(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let laptop = owner_session(&server).await;
    let phone = owner_session(&server).await;
    let mut on_laptop = joined(&server, board.id, &laptop).await;
    let mut on_phone = joined(&server, board.id, &phone).await;

    let out = call(
        &server,
        "POST",
        "/api/auth/logout",
        None,
        &[("cookie", &laptop)],
    )
    .await;
    assert_eq!(out.status, 204);
    assert!(
        on_laptop.ends_within(Duration::from_secs(3)).await,
        "signed out"
    );
    // Its reconnection finds no access.
    let mut again = Client::connect_with(server.addr, board.id, Some(&laptop)).await;
    again.hello().await;
    match again.recv().await {
        ServerMsg::Error { code, .. } => assert_eq!(code, "not_found"),
        other => panic!("{other:?}"),
    }

    // The phone's socket still edits.
    on_phone
        .submit(vec![Op::CreateCard(new_card(&board, "still here"))])
        .await;
    assert!(matches!(on_phone.recv().await, ServerMsg::Applied(_)));

    let changed = call(
        &server,
        "POST",
        "/api/auth/password",
        Some(json!({"current": TEST_PASSWORD, "new": "another long phrase 7"})),
        &[("cookie", &phone)],
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(
        on_phone.ends_within(Duration::from_secs(3)).await,
        "password changed"
    );
    teardown(db, server).await;
}

/// Item 2: a reset from the command line (another process) ends the
/// account's sockets too: at once on Postgres (NOTIFY), at the next
/// session check on any store.
async fn test_a_command_line_reset_ends_sockets(backend: &str) {
    let db = Db::new(backend).await;
    let options = Options {
        session_recheck: Some(Duration::from_secs(1)),
        ..Default::default()
    };
    let server = TestServer::start_with(&db, options).await;
    let (board, _) = server.create_board("blank").await;
    let session = owner_session(&server).await;
    let mut socket = joined(&server, board.id, &session).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cjm"))
        .args(["user", "reset-password", "--email", OWNER_EMAIL])
        .args(["--database-url", &db.url()])
        .env("CJM_PASSWORD", "a fresh reset phrase")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(socket.ends_within(Duration::from_secs(5)).await);
    teardown(db, server).await;
}

/// Item 3: joining a link with a guest cookie someone planted gives the
/// browser a fresh token; the planted one gains nothing. Over TLS the
/// cookie is `__Host-` prefixed.
async fn test_a_planted_guest_cookie_gains_nothing(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let (workshop, _) = server.create_board("classic").await;
    let owner = owner_cookie(server.addr).await;
    // The attacker's own guest cookie, of a viewer link they hold.
    let planted = viewer_cookie(server.addr, board.id, "Mallory").await;
    let link = call(
        &server,
        "POST",
        &format!("/api/boards/{}/links", workshop.id),
        Some(json!({"role": "editor", "password": "workshop-42"})),
        &[("cookie", &owner)],
    )
    .await;
    let token = link.body["token"].as_str().unwrap().to_string();
    let join = |cookie: String| {
        let server = &server;
        let token = token.clone();
        async move {
            call(
                server,
                "POST",
                &format!("/api/links/{token}/join"),
                Some(json!({"name": "Victim", "password": "workshop-42"})),
                &[("cookie", &cookie)],
            )
            .await
        }
    };
    let joined_res = join(planted.clone()).await;
    assert_eq!(joined_res.status, 200, "{}", joined_res.body);
    let fresh = joined_res.cookie().unwrap();
    assert_ne!(fresh, planted, "a new token");
    let get = |cookie: String, id: BoardId| {
        let server = &server;
        async move {
            call(
                server,
                "GET",
                &format!("/api/boards/{id}"),
                None,
                &[("cookie", &cookie)],
            )
            .await
            .status
        }
    };
    assert_eq!(
        get(planted.clone(), workshop.id).await,
        404,
        "the planted cookie"
    );
    assert_eq!(
        get(planted.clone(), board.id).await,
        404,
        "it is worthless now"
    );
    assert_eq!(get(fresh.clone(), workshop.id).await, 200);
    // The browser's own cookie, already a guest of this link, is kept.
    let rejoined = join(fresh.clone()).await;
    assert_eq!(rejoined.cookie().unwrap(), fresh);
    server.stop().await;

    let secure = TestServer::start_with(
        &db,
        Options {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await;
    let res = call(
        &secure,
        "POST",
        &format!("/api/links/{token}/join"),
        Some(json!({"name": "Vera", "password": "workshop-42"})),
        &[],
    )
    .await;
    let raw = res.headers["set-cookie"].to_str().unwrap();
    assert!(
        raw.starts_with("__Host-cjm_guest=") && raw.contains("Secure") && raw.contains("Path=/"),
        "{raw}"
    );
    assert_eq!(
        res.headers["strict-transport-security"], "max-age=31536000",
        "HSTS with Secure cookies"
    );
    secure.stop().await;
    db.cleanup().await;
}

/// Item 4: revoking board A's link through board B's URL does nothing.
async fn test_another_boards_link_cannot_be_revoked(backend: &str) {
    let (db, server, a) = setup(backend, "classic").await;
    let (b, _) = server.create_board("classic").await;
    let owner = owner_cookie(server.addr).await;
    let link = call(
        &server,
        "POST",
        &format!("/api/boards/{}/links", a.id),
        Some(json!({"role": "editor"})),
        &[("cookie", &owner)],
    )
    .await;
    let (id, token) = (
        link.body["id"].as_str().unwrap().to_string(),
        link.body["token"].as_str().unwrap().to_string(),
    );
    let guest = call(
        &server,
        "POST",
        &format!("/api/links/{token}/join"),
        Some(json!({"name": "Gosha"})),
        &[],
    )
    .await
    .cookie()
    .unwrap();
    let wrong = call(
        &server,
        "DELETE",
        &format!("/api/boards/{}/links/{id}", b.id),
        None,
        &[("cookie", &owner)],
    )
    .await;
    assert_eq!(wrong.status, 404);
    let still = call(
        &server,
        "GET",
        &format!("/api/boards/{}", a.id),
        None,
        &[("cookie", &guest)],
    )
    .await;
    assert_eq!(still.status, 200, "the guest keeps access");
    teardown(db, server).await;
}

/// Item 5: NUL and other control characters are refused at every door.
async fn test_control_characters_are_refused(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let owner = owner_cookie(server.addr).await;
    let res = call(
        &server,
        "POST",
        "/api/boards",
        Some(json!({"title": "a\u{0}b", "template": "blank"})),
        &[("cookie", &owner)],
    )
    .await;
    assert_eq!((res.status.as_u16(), res.code()), (422, "invalid_text"));
    let res = call(
        &server,
        "POST",
        "/api/auth/signup",
        Some(json!({"email": "z@example.com", "name": "Zed\u{1}", "password": TEST_PASSWORD})),
        &[],
    )
    .await;
    assert_eq!((res.status.as_u16(), res.code()), (422, "invalid_text"));
    let res = call(
        &server,
        "POST",
        &format!("/api/boards/{}/template", board.id),
        Some(json!({"name": "T\u{0}"})),
        &[("cookie", &owner)],
    )
    .await;
    assert_eq!((res.status.as_u16(), res.code()), (422, "invalid_text"));

    let mut c = server.client(board.id, "ana").await;
    c.welcome().await;
    let bad = c
        .submit(vec![Op::CreateCard(new_card(&board, "nul \u{0} here"))])
        .await;
    match c.recv().await {
        ServerMsg::Rejected {
            client_op_id, code, ..
        } => {
            assert_eq!(client_op_id, bad.client_op_id);
            assert_eq!(code, "invalid");
        }
        other => panic!("{other:?}"),
    }
    // Tabs and newlines are text.
    c.submit(vec![Op::CreateCard(new_card(&board, "line\n\ttab"))])
        .await;
    assert!(matches!(c.recv().await, ServerMsg::Applied(_)));
    teardown(db, server).await;
}

/// Makes the store fail to commit any batch whose ops contain `FAIL-ME`
/// (a trigger on the op log): one batch the store cannot take.
async fn inject_commit_fault(db: &Db) {
    match db {
        Db::Sqlite(_) => {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&db.url()).await.unwrap();
            sqlx::query(
                "CREATE TRIGGER fail_marked BEFORE INSERT ON op_log
                 WHEN NEW.ops LIKE '%FAIL-ME%'
                 BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
            )
            .execute(&mut conn)
            .await
            .unwrap();
        }
        Db::Postgres(_) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&db.url()).await.unwrap();
            for sql in [
                "CREATE FUNCTION fail_marked() RETURNS trigger AS $$
                 BEGIN
                   IF CAST(NEW.ops AS TEXT) LIKE '%FAIL-ME%' THEN RAISE EXCEPTION 'injected fault'; END IF;
                   RETURN NEW;
                 END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER fail_marked BEFORE INSERT ON op_log
                 FOR EACH ROW EXECUTE FUNCTION fail_marked()",
            ] {
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        }
    }
}

/// Item 5: a batch the store refuses is refused alone; the other batches
/// of its group commit.
async fn test_one_failing_batch_does_not_fail_its_group(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    inject_commit_fault(&db).await;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    let mut sent = Vec::new();
    // Sent without waiting, so that the room takes them as one group.
    for i in 0..30 {
        let text = if i == 15 {
            "FAIL-ME".to_string()
        } else {
            format!("card {i}")
        };
        sent.push(
            ana.submit(vec![Op::CreateCard(new_card(&board, &text))])
                .await,
        );
    }
    let (mut applied, mut refused) = (0, Vec::new());
    while applied + refused.len() < sent.len() {
        match ana.recv().await {
            ServerMsg::Applied(_) => applied += 1,
            ServerMsg::Rejected {
                client_op_id, code, ..
            } => refused.push((client_op_id, code)),
            _ => {}
        }
    }
    assert_eq!(applied, 29);
    assert_eq!(
        refused,
        [(sent[15].client_op_id, cjm_core::RejectCode::StorageError)]
    );
    let (stored, _) = server.snapshot(board.id).await;
    let texts: Vec<&str> = stored.cards.values().map(|c| c.text.as_str()).collect();
    assert_eq!(texts.iter().filter(|t| t.starts_with("card ")).count(), 29);
    teardown(db, server).await;
}

/// Item 7: presence far out of range is refused without harm, and a
/// connection that ends leaves no ghost: the room unloads.
async fn test_presence_out_of_range_leaves_no_ghost(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let viewer = viewer_cookie(server.addr, board.id, "Vova").await;
    let mut v = joined(&server, board.id, &viewer).await;
    for (x, y) in [(i32::MIN, 0), (0, i32::MAX), (i32::MIN, i32::MIN)] {
        v.send(&ClientMsg::Presence(Presence {
            cursor: Some(Point { x, y }),
            ..Default::default()
        }))
        .await;
        match v.try_recv_any(Duration::from_secs(3)).await {
            Some(ServerMsg::Error { code, .. }) => assert_eq!(code, "invalid_presence"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(server.state.rooms.live(), 1);
    drop(v);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while server.state.rooms.live() != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the room stays open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    teardown(db, server).await;
}

/// Item 8: guessing from one address locks that address out of that
/// account (and link); from elsewhere the owner only waits seconds.
async fn test_lockouts_are_per_account_and_address(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start_with(
        &db,
        Options {
            trust_proxy: true,
            ..Default::default()
        },
    )
    .await;
    let (board, _) = server.create_board("classic").await;
    for _ in 0..cjm_server::state::LOGIN_PER_ACCOUNT {
        let res = login(&server, OWNER_EMAIL, "a wrong guess", Some("203.0.113.9")).await;
        assert_eq!(res.status, 401);
    }
    let res = login(&server, OWNER_EMAIL, TEST_PASSWORD, Some("203.0.113.9")).await;
    assert_eq!(res.status, 429, "the guesser's address is locked out");
    let retry: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 60, "a hard lockout: {retry}");
    // The owner, elsewhere: at most a short backoff.
    let mut owner = login(&server, OWNER_EMAIL, TEST_PASSWORD, Some("198.51.100.7")).await;
    if owner.status == 429 {
        let wait: u64 = owner.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait <= 2, "a soft backoff: {wait}");
        tokio::time::sleep(Duration::from_secs(wait)).await;
        owner = login(&server, OWNER_EMAIL, TEST_PASSWORD, Some("198.51.100.7")).await;
    }
    assert_eq!(owner.status, 200, "{}", owner.body);

    // A link's password: the same rule.
    let cookie = owner_cookie(server.addr).await;
    let link = call(
        &server,
        "POST",
        &format!("/api/boards/{}/links", board.id),
        Some(json!({"role": "viewer", "password": "secret-42"})),
        &[("cookie", &cookie)],
    )
    .await;
    let token = link.body["token"].as_str().unwrap().to_string();
    let join = |password: &'static str, from: &'static str| {
        let (server, token) = (&server, token.clone());
        async move {
            call(
                server,
                "POST",
                &format!("/api/links/{token}/join"),
                Some(json!({"password": password})),
                &[("x-forwarded-for", from)],
            )
            .await
        }
    };
    for _ in 0..cjm_server::state::LOGIN_PER_ACCOUNT {
        assert_eq!(join("wrong one", "203.0.113.9").await.status, 401);
    }
    assert_eq!(join("secret-42", "203.0.113.9").await.status, 429);
    let mut other = join("secret-42", "198.51.100.8").await;
    if other.status == 429 {
        let wait: u64 = other.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait <= 2, "a soft backoff: {wait}");
        tokio::time::sleep(Duration::from_secs(wait)).await;
        other = join("secret-42", "198.51.100.8").await;
    }
    assert_eq!(other.status, 200, "{}", other.body);
    teardown(db, server).await;
}

/// Item 9: guessing the current password on a change is limited too.
async fn test_password_change_guesses_are_limited(backend: &str) {
    let (db, server, _) = setup(backend, "blank").await;
    let session = owner_session(&server).await;
    let change = |current: &'static str| {
        let (server, session) = (&server, session.clone());
        async move {
            call(
                server,
                "POST",
                "/api/auth/password",
                Some(json!({"current": current, "new": "a brand new phrase 9"})),
                &[("cookie", &session)],
            )
            .await
        }
    };
    for _ in 0..cjm_server::state::LOGIN_PER_ACCOUNT {
        assert_eq!(change("not my password").await.status, 401);
    }
    let res = change(TEST_PASSWORD).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (429, "too_many_attempts")
    );
    teardown(db, server).await;
}

/// Item 10: a state-changing request from another site is refused, with
/// any content type; the same request from our own page goes through.
async fn test_cross_site_requests_are_refused(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let session = owner_session(&server).await;
    let own = format!("http://{}", server.addr);
    let wrong_scheme = format!("https://{}", server.addr);
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("origin", wrong_scheme.as_str())],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
    ] {
        let mut with = headers.clone();
        with.push(("cookie", &session));
        let res = call(&server, "POST", "/api/auth/logout", None, &with).await;
        assert_eq!(
            (res.status.as_u16(), res.code()),
            (403, "cross_site"),
            "{headers:?}"
        );
        // A text/plain upload (a form could send one) from another site.
        let upload = reqwest::Client::new()
            .post(server.url(&format!("/api/boards/{}/uploads", board.id)))
            .header("cookie", &session)
            .header("content-type", "text/plain")
            .headers(
                headers
                    .iter()
                    .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
                    .collect(),
            )
            .body("GIF89a")
            .send()
            .await
            .unwrap();
        assert_eq!(upload.status(), 403, "{headers:?}");
    }
    let me = call(
        &server,
        "GET",
        "/api/auth/me",
        None,
        &[("cookie", &session)],
    )
    .await;
    assert_eq!(me.status, 200, "still signed in");
    // A websocket from the same host over the other scheme is another origin.
    let mut req = ws_request(server.addr, board.id, Some(&session));
    req.headers_mut()
        .insert("origin", wrong_scheme.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(req).await.is_err());
    // Our own page.
    let out = call(
        &server,
        "POST",
        "/api/auth/logout",
        None,
        &[
            ("cookie", &session),
            ("origin", &own),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await;
    assert_eq!(out.status, 204);
    teardown(db, server).await;
}

/// Item 11: parallel invitations of one account add it once; two owners
/// demoting each other at once leave the board an owner.
async fn test_membership_races_keep_the_rules(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let owner = owner_cookie(server.addr).await;
    let second = account_cookie(server.addr, "second@example.com", "Second").await;
    let path = format!("/api/boards/{}/members", board.id);
    let headers = [("cookie", owner.as_str())];
    let invites = (0..4).map(|_| {
        call(
            &server,
            "POST",
            &path,
            Some(json!({"email": "second@example.com", "role": "owner"})),
            &headers,
        )
    });
    let results = futures_util::future::join_all(invites).await;
    let mut statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409]);
    let members = call(
        &server,
        "GET",
        &format!("/api/boards/{}/members", board.id),
        None,
        &[("cookie", &owner)],
    )
    .await;
    let ids: Vec<String> = members.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    let demote = |cookie: String, user: String| {
        let server = &server;
        let board = board.id;
        async move {
            call(
                server,
                "PATCH",
                &format!("/api/boards/{board}/members/{user}"),
                Some(json!({"role": "editor"})),
                &[("cookie", &cookie)],
            )
            .await
        }
    };
    // Each owner demotes the other at the same moment.
    let (a, b) = tokio::join!(
        demote(owner.clone(), ids[1].clone()),
        demote(second.clone(), ids[0].clone())
    );
    let mut pair = [a.status.as_u16(), b.status.as_u16()];
    pair.sort();
    assert!(
        pair == [200, 409] || pair == [200, 404] || pair == [200, 403],
        "{pair:?}"
    );
    let members = call(
        &server,
        "GET",
        &format!("/api/boards/{}/members", board.id),
        None,
        &[("cookie", &second)],
    )
    .await;
    let owners = members.body["members"]
        .as_array()
        .map(|m| m.iter().filter(|m| m["role"] == "owner").count())
        .unwrap_or_else(|| panic!("{}", members.body));
    assert_eq!(owners, 1);
    teardown(db, server).await;
}

/// Item 14: a huge email is refused before it becomes a limiter key; the
/// write limit counts an account's sessions together.
async fn test_limiter_keys_are_bounded_and_per_account(backend: &str) {
    let (db, server, _) = setup(backend, "blank").await;
    let long = format!("{}@example.com", "a".repeat(200_000));
    let res = login(&server, &long, "whatever", None).await;
    assert_eq!((res.status.as_u16(), res.code()), (422, "invalid_email"));
    let one = owner_session(&server).await;
    let two = owner_session(&server).await;
    let limit = cjm_server::state::WRITES_PER_ACCOUNT;
    // Writes alternate between the two sessions (each is refused by the
    // handler, but counted by the limiter first); `setup`'s board was one.
    for i in 1..limit {
        let cookie = if i % 2 == 0 { &one } else { &two };
        let res = call(
            &server,
            "POST",
            "/api/boards",
            Some(json!({})),
            &[("cookie", cookie)],
        )
        .await;
        assert_ne!(res.status, 429, "write {i}");
    }
    let res = call(
        &server,
        "POST",
        "/api/boards",
        Some(json!({})),
        &[("cookie", &one)],
    )
    .await;
    assert_eq!((res.status.as_u16(), res.code()), (429, "rate_limited"));
    teardown(db, server).await;
}

/// Item 16: with a public URL, other host names are refused and Origin
/// must match it exactly; forwarded headers count only behind a trusted
/// proxy; the first account needs this machine or the setup token.
async fn test_hosts_origins_and_the_first_account(backend: &str) {
    let db = Db::new(backend).await;
    let public = cjm_server::origin::PublicUrl::parse("http://board.test").unwrap();
    let server = TestServer::start_with(
        &db,
        Options {
            public_url: Some(public),
            ..Default::default()
        },
    )
    .await;
    // A rebinding page's request names its own host.
    let res = call(
        &server,
        "GET",
        "/api/templates",
        None,
        &[("host", "rebind.example")],
    )
    .await;
    assert_eq!((res.status.as_u16(), res.code()), (421, "unknown_host"));
    let res = call(&server, "GET", "/api/templates", None, &[]).await;
    assert_eq!(res.status, 421, "the IP is not the public host either");
    let res = call(
        &server,
        "GET",
        "/api/templates",
        None,
        &[
            ("host", "rebind.example"),
            ("x-forwarded-host", "board.test"),
        ],
    )
    .await;
    assert_eq!(res.status, 421, "no trusted proxy");
    assert_eq!(
        call(&server, "GET", "/healthz", None, &[("host", "x")])
            .await
            .status,
        200
    );

    // No account yet: not from this machine's own name, not without the
    // token from the log.
    let signup = |token: Option<String>| {
        let server = &server;
        async move {
            call(
                server,
                "POST",
                "/api/auth/signup",
                Some(json!({"email": "admin@example.com", "password": TEST_PASSWORD, "setup_token": token})),
                &[("host", "board.test"), ("origin", "http://board.test")],
            )
            .await
        }
    };
    let refused = signup(None).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let token = server.state.setup_token.lock().unwrap().clone().unwrap();
    assert_eq!(signup(Some("0".repeat(token.len()))).await.status, 403);
    let admin = signup(Some(token)).await;
    assert_eq!(admin.status, 201, "{}", admin.body);
    assert_eq!(admin.body["user"]["is_admin"], true);
    assert!(
        server.state.setup_token.lock().unwrap().is_none(),
        "used once"
    );
    let session = admin.cookie().unwrap();

    // Websockets: Origin must be the public URL exactly.
    let res = call(
        &server,
        "POST",
        "/api/boards",
        Some(json!({"title": "T", "template": "blank"})),
        &[("host", "board.test"), ("cookie", &session)],
    )
    .await;
    let board: BoardId = serde_json::from_value(res.body["board"]["id"].clone()).unwrap();
    for (origin, ok) in [
        ("http://board.test", true),
        ("https://board.test", false),
        ("http://board.test.evil.example", false),
    ] {
        let mut req = ws_request(server.addr, board, Some(&session));
        req.headers_mut()
            .insert("host", "board.test".parse().unwrap());
        req.headers_mut().insert("origin", origin.parse().unwrap());
        assert_eq!(
            tokio_tungstenite::connect_async(req).await.is_ok(),
            ok,
            "{origin}"
        );
    }
    server.stop().await;
    db.cleanup().await;
}

/// Item 17: API answers are not cached; one person's open websockets are
/// capped and a closed one frees its slot.
async fn test_no_store_and_the_socket_cap(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start_with(
        &db,
        Options {
            max_sockets_per_person: Some(3),
            ..Default::default()
        },
    )
    .await;
    let (board, _) = server.create_board("blank").await;
    let owner = owner_cookie(server.addr).await;
    let res = call(
        &server,
        "GET",
        &format!("/api/boards/{}", board.id),
        None,
        &[("cookie", &owner)],
    )
    .await;
    assert_eq!(res.headers["cache-control"], "no-store");
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(joined(&server, board.id, &owner).await);
    }
    let refused =
        tokio_tungstenite::connect_async(ws_request(server.addr, board.id, Some(&owner))).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 429),
        other => panic!("expected 429, got {:?}", other.map(|_| ())),
    }
    drop(open.pop());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio_tungstenite::connect_async(ws_request(server.addr, board.id, Some(&owner)))
            .await
        {
            Ok(_) => break,
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("the slot was not freed: {e}"),
        }
    }
    teardown(db, server).await;
}

/// `SELECT COUNT(*)`-like `sql` run directly on the test database.
async fn db_count(db: &Db, sql: &str) -> i64 {
    use sqlx::Connection;
    match db {
        Db::Sqlite(_) => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url()).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
        Db::Postgres(_) => {
            let mut conn = sqlx::PgConnection::connect(&db.url()).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
    }
}

/// A PNG signature padded to `size` bytes (the server checks the
/// signature, not the picture).
fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(size, 0);
    bytes
}

async fn upload(server: &TestServer, board: BoardId, cookie: &str, size: usize) -> Res {
    let res = reqwest::Client::new()
        .post(server.url(&format!("/api/boards/{board}/uploads")))
        .header("cookie", cookie)
        .body(png(size))
        .send()
        .await
        .unwrap();
    Res {
        status: res.status(),
        headers: res.headers().clone(),
        body: res.json().await.unwrap_or(Value::Null),
    }
}

/// Item 6: an account's boards and a person's and a board's images are
/// bounded, with a clear refusal.
async fn test_quotas_bound_boards_and_images(backend: &str) {
    let db = Db::new(backend).await;
    let quotas = cjm_server::quotas::Quotas {
        owned_boards: 2,
        upload_bytes_per_person: 3_000,
        upload_bytes_per_board: 5_000,
    };
    let server = TestServer::start_with(
        &db,
        Options {
            quotas: Some(quotas),
            ..Default::default()
        },
    )
    .await;
    let (board, _) = server.create_board("blank").await;
    let owner = owner_cookie(server.addr).await;
    let headers = [("cookie", owner.as_str())];
    let new_board = || {
        call(
            &server,
            "POST",
            "/api/boards",
            Some(json!({"title": "More", "template": "blank"})),
            &headers,
        )
    };
    assert_eq!(new_board().await.status, 201);
    let third = new_board().await;
    assert_eq!(
        (third.status.as_u16(), third.code()),
        (422, "quota_exceeded")
    );

    assert_eq!(upload(&server, board.id, &owner, 2_000).await.status, 201);
    let over = upload(&server, board.id, &owner, 2_000).await;
    assert_eq!(
        (over.status.as_u16(), over.code()),
        (422, "quota_exceeded"),
        "per person"
    );
    let guest = guest_cookie(server.addr, board.id, "Gleb").await;
    assert_eq!(upload(&server, board.id, &guest, 2_000).await.status, 201);
    let other = guest_cookie(server.addr, board.id, "Galya").await;
    let full = upload(&server, board.id, &other, 2_000).await;
    assert_eq!(
        (full.status.as_u16(), full.code()),
        (422, "quota_exceeded"),
        "per board"
    );
    teardown(db, server).await;
}

/// Item 6: compaction drops the ops of old batches and deleted entities
/// for good (deleted text leaves the database; a client that far behind
/// gets a snapshot), and images nothing refers to are removed.
async fn test_compaction_removes_deleted_text_and_orphan_images(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let owner = owner_cookie(server.addr).await;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    let secret = new_card(&board, "top secret pain");
    let mut batches = vec![
        vec![Op::CreateCard(secret.clone())],
        vec![Op::DeleteCard { id: secret.id }],
    ];
    for i in 0..5 {
        batches.push(vec![Op::CreateCard(new_card(&board, &format!("kept {i}")))]);
    }
    let orphan = upload(&server, board.id, &owner, 100).await.body["url"]
        .as_str()
        .unwrap()
        .to_string();
    let photo = upload(&server, board.id, &owner, 100).await.body["url"]
        .as_str()
        .unwrap()
        .to_string();
    let mut persona = Persona::new("Marina", OrderKey::first(), Color::Blue);
    persona.avatar_url = Some(photo.clone());
    batches.push(vec![Op::CreatePersona(persona)]);
    let mut seq = 0;
    for ops in batches {
        ana.submit(ops).await;
        match ana.recv().await {
            ServerMsg::Applied(a) => seq = a.seq,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        db_count(
            &db,
            "SELECT COUNT(*) FROM op_log WHERE CAST(ops AS TEXT) LIKE '%top secret%'"
        )
        .await,
        1
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    let policy = cjm_server::maintenance::Policy {
        keep_last: 3,
        slack: 0,
        keep_deleted: Duration::ZERO,
        upload_grace: Duration::ZERO,
        every: Duration::from_secs(3600),
        ..cjm_server::maintenance::Policy::default()
    };
    let report = cjm_server::maintenance::run_once(&*server.state.store, &policy)
        .await
        .unwrap();
    assert_eq!(report.boards, 1);
    assert_eq!(report.batches_stripped, seq - 3);
    assert!(report.entities_purged >= 1);
    assert_eq!(report.uploads_removed, 1);
    for sql in [
        "SELECT COUNT(*) FROM op_log WHERE CAST(ops AS TEXT) LIKE '%top secret%'",
        "SELECT COUNT(*) FROM cards WHERE text LIKE '%top secret%'",
    ] {
        assert_eq!(db_count(&db, sql).await, 0, "{sql}");
    }
    // A client from the start gets a snapshot, one a few batches behind
    // the kept ops.
    let cookie = viewer_cookie(server.addr, board.id, "Vika").await;
    let mut late = Client::connect_with(server.addr, board.id, Some(&cookie)).await;
    late.send(&ClientMsg::Hello {
        protocol: cjm_core::protocol::PROTOCOL_VERSION,
        last_seq: Some(0),
        client_id: None,
        name: None,
    })
    .await;
    let (snapshot, at, batches) = late.welcome().await;
    assert_eq!(at, seq);
    assert!(snapshot.is_some() && batches.is_empty());
    assert!(
        !serde_json::to_string(&snapshot)
            .unwrap()
            .contains("top secret")
    );
    let mut recent = Client::connect_with(server.addr, board.id, Some(&cookie)).await;
    recent
        .send(&ClientMsg::Hello {
            protocol: cjm_core::protocol::PROTOCOL_VERSION,
            last_seq: Some(seq - 2),
            client_id: None,
            name: None,
        })
        .await;
    let (snapshot, _, batches) = recent.welcome().await;
    assert!(snapshot.is_none());
    assert_eq!(batches.len(), 2);
    let get = |url: String| {
        let (server, owner) = (&server, owner.clone());
        async move {
            call(server, "GET", &url, None, &[("cookie", &owner)])
                .await
                .status
        }
    };
    assert_eq!(get(orphan).await, 404, "nothing referred to it");
    assert_eq!(get(photo).await, 200, "a persona's photo stays");
    teardown(db, server).await;
}

on_both_stores!(
    test_parallel_guesses_meet_the_limit_and_hashing_is_bounded,
    test_sockets_end_with_their_session,
    test_a_command_line_reset_ends_sockets,
    test_a_planted_guest_cookie_gains_nothing,
    test_another_boards_link_cannot_be_revoked,
    test_control_characters_are_refused,
    test_one_failing_batch_does_not_fail_its_group,
    test_presence_out_of_range_leaves_no_ghost,
    test_lockouts_are_per_account_and_address,
    test_password_change_guesses_are_limited,
    test_cross_site_requests_are_refused,
    test_membership_races_keep_the_rules,
    test_limiter_keys_are_bounded_and_per_account,
    test_hosts_origins_and_the_first_account,
    test_no_store_and_the_socket_cap,
    test_quotas_bound_boards_and_images,
    test_compaction_removes_deleted_text_and_orphan_images,
);
