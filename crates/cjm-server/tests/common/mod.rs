//! Test harness: the real server on a loopback port with a real store, and
//! real websocket clients speaking the shared protocol types.

#![allow(dead_code)]

pub mod faulty_store;
pub mod sim;

/// Each named `async fn name(backend: &str)` becomes two tests,
/// `sqlite::name` and `postgres::name` (`current_thread:` first: on
/// tokio's single-threaded runtime instead of two worker threads).
#[allow(unused_macros)]
macro_rules! on_both_stores {
    (current_thread: $($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name("sqlite").await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name("postgres").await } )* }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name("sqlite").await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name("postgres").await } )* }
    };
}

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, ServerMsg};
use cjm_core::{Batch, Board, BoardId, Op};
use cjm_server::AppState;
use cjm_server::assets::Assets;
use cjm_store::test_db::TestPgDb;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

pub enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(TestPgDb),
}

impl Db {
    pub async fn new(backend: &str) -> Self {
        match backend {
            "sqlite" => Db::Sqlite(tempfile::tempdir().unwrap()),
            _ => Db::Postgres(TestPgDb::create().await.unwrap()),
        }
    }

    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => format!("sqlite://{}/cjm.db", dir.path().display()),
            Db::Postgres(db) => db.url.clone(),
        }
    }

    pub async fn cleanup(self) {
        if let Db::Postgres(db) = self {
            db.drop_db().await.unwrap();
        }
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub const OWNER_EMAIL: &str = "owner@test.example";
pub const TEST_PASSWORD: &str = "a long test passphrase 42";

/// Session cookies of the test owner, per server address, for as long as
/// that server lives: a server starting on an address forgets what was
/// kept for it (`forget_cookies`), since a later test's server may get the
/// same port with another database, where the old session does not exist.
static OWNERS: LazyLock<Mutex<HashMap<SocketAddr, String>>> = LazyLock::new(Default::default);

/// A server now listens on `addr`: cookies kept for an earlier one there
/// are not its own.
fn forget_cookies(addr: SocketAddr) {
    OWNERS.lock().unwrap().remove(&addr);
}
/// An editor link token per board, for named guests.
static EDITOR_LINKS: LazyLock<Mutex<HashMap<BoardId, String>>> = LazyLock::new(Default::default);

/// `name=value` of the cookie a response sets.
pub fn set_cookie(res: &reqwest::Response) -> String {
    let raw = res
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .expect("a cookie")
        .to_str()
        .unwrap();
    raw.split(';').next().unwrap().to_string()
}

/// Signs up (or, when the account exists, signs in) with `email` and
/// returns the session cookie.
pub async fn account_cookie(addr: SocketAddr, email: &str, name: &str) -> String {
    let http = reqwest::Client::new();
    let res = http
        .post(format!("http://{addr}/api/auth/signup"))
        .json(&serde_json::json!({"email": email, "name": name, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    let res = if res.status() == 409 {
        http.post(format!("http://{addr}/api/auth/login"))
            .json(&serde_json::json!({"email": email, "password": TEST_PASSWORD}))
            .send()
            .await
            .unwrap()
    } else {
        res
    };
    assert!(
        res.status().is_success(),
        "sign in as {email}: {}",
        res.status()
    );
    set_cookie(&res)
}

/// The session cookie of the account that owns the test boards.
pub async fn owner_cookie(addr: SocketAddr) -> String {
    if let Some(c) = OWNERS.lock().unwrap().get(&addr) {
        return c.clone();
    }
    let cookie = account_cookie(addr, OWNER_EMAIL, "Owner").await;
    OWNERS.lock().unwrap().insert(addr, cookie.clone());
    cookie
}

/// A new share link to `board` with `role`, made by the owner: its token.
async fn link_token(addr: SocketAddr, board: BoardId, role: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("http://{addr}/api/boards/{board}/links"))
        .header("cookie", owner_cookie(addr).await)
        .json(&serde_json::json!({ "role": role }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

/// Joins through the link `token` as a new guest called `name`: its cookie.
async fn join_cookie(addr: SocketAddr, token: &str, name: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("http://{addr}/api/links/{token}/join"))
        .json(&serde_json::json!({"name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "join as {name}");
    set_cookie(&res)
}

/// A new guest's cookie, let in to `board` through an editor link under
/// `name`: every call is another person (another actor).
pub async fn guest_cookie(addr: SocketAddr, board: BoardId, name: &str) -> String {
    let known = EDITOR_LINKS.lock().unwrap().get(&board).cloned();
    let token = match known {
        Some(t) => t,
        None => {
            let token = link_token(addr, board, "editor").await;
            EDITOR_LINKS.lock().unwrap().insert(board, token.clone());
            token
        }
    };
    join_cookie(addr, &token, name).await
}

/// A new guest's cookie, let in to `board` as a viewer through a new
/// viewer link.
pub async fn viewer_cookie(addr: SocketAddr, board: BoardId, name: &str) -> String {
    join_cookie(addr, &link_token(addr, board, "viewer").await, name).await
}

/// Creates a board through the REST API of the server at `addr`, owned by
/// the test owner.
pub async fn create_board_at(addr: SocketAddr, template: &str) -> Board {
    let res = reqwest::Client::new()
        .post(format!("http://{addr}/api/boards"))
        .header("cookie", owner_cookie(addr).await)
        .json(&serde_json::json!({"title": "Test map", "template": template}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    serde_json::from_value(body["board"].clone()).unwrap()
}

/// The board and seq as stored, through the REST API of the server at `addr`.
pub async fn snapshot_at(addr: SocketAddr, id: BoardId) -> (Board, u64) {
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("http://{addr}/api/boards/{id}"))
        .header("cookie", owner_cookie(addr).await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        serde_json::from_value(body["board"].clone()).unwrap(),
        body["seq"].as_u64().unwrap(),
    )
}

/// A fresh database, a server on it, and one board made from `template`.
pub async fn setup(backend: &str, template: &str) -> (Db, TestServer, Board) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board(template).await;
    (db, server, board)
}

/// Stops the server and drops the test database.
pub async fn teardown(db: Db, server: TestServer) {
    server.stop().await;
    db.cleanup().await;
}

impl TestServer {
    pub async fn start(db: &Db) -> Self {
        Self::start_with(db, cjm_server::state::Options::default()).await
    }

    /// A server deployed with `options` (a public URL, a trusted proxy…).
    pub async fn start_with(db: &Db, options: cjm_server::state::Options) -> Self {
        let store = cjm_store::connect(&db.url()).await.unwrap();
        Self::start_on(store, options).await
    }

    /// A server on a given store (a `FaultyStore` wrapping a real one).
    pub async fn start_on(
        store: Arc<dyn cjm_store::Store>,
        options: cjm_server::state::Options,
    ) -> Self {
        let state = AppState::with_options(store, Assets::None, options);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        forget_cookies(addr);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(cjm_server::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            state,
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn create_board(&self, template: &str) -> (Board, u64) {
        (create_board_at(self.addr, template).await, 0)
    }

    pub async fn snapshot(&self, id: BoardId) -> (Board, u64) {
        snapshot_at(self.addr, id).await
    }

    pub async fn client(&self, board: BoardId, name: &str) -> Client {
        self.client_from(board, name, None).await
    }

    /// A guest named `name` (through an editor link) on `board`, hello sent.
    pub async fn client_from(&self, board: BoardId, name: &str, last_seq: Option<u64>) -> Client {
        let cookie = guest_cookie(self.addr, board, name).await;
        let mut c = Client::connect_with(self.addr, board, Some(&cookie)).await;
        c.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            last_seq,
            client_id: Some(name.into()),
            name: Some(name.to_uppercase()),
        })
        .await;
        c
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Client {
    pub ws: Ws,
}

/// The websocket request for `board`, with `cookie` if given.
pub fn ws_request(
    addr: SocketAddr,
    board: BoardId,
    cookie: Option<&str>,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{addr}/api/boards/{board}/ws")
        .into_client_request()
        .unwrap();
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", c.parse().unwrap());
    }
    req
}

impl Client {
    /// A connection as the board's owner (hello not sent).
    pub async fn connect(addr: SocketAddr, board: BoardId) -> Self {
        let cookie = owner_cookie(addr).await;
        Self::connect_with(addr, board, Some(&cookie)).await
    }

    pub async fn connect_with(addr: SocketAddr, board: BoardId, cookie: Option<&str>) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(ws_request(addr, board, cookie))
            .await
            .unwrap();
        Self { ws }
    }

    /// Sends `hello` (a first visit: no `last_seq`).
    pub async fn hello(&mut self) {
        self.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            last_seq: None,
            client_id: None,
            name: None,
        })
        .await;
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_text(serde_json::to_string(msg).unwrap()).await;
    }

    /// Sends, reporting a dead connection instead of panicking.
    pub async fn try_send(&mut self, msg: &ClientMsg) -> bool {
        let text = serde_json::to_string(msg).unwrap();
        self.ws.send(Message::Text(text.into())).await.is_ok()
    }

    pub async fn send_text(&mut self, text: String) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    pub async fn submit(&mut self, ops: Vec<Op>) -> Batch {
        let batch = Batch::new(ops);
        self.send(&ClientMsg::Submit(batch.clone())).await;
        batch
    }

    /// Submits `ops` and waits for their `applied` (others' messages on
    /// the way are skipped); panics if they are rejected.
    pub async fn apply(&mut self, ops: Vec<Op>) -> u64 {
        let batch = self.submit(ops).await;
        loop {
            match self.recv().await {
                ServerMsg::Applied(a) if a.client_op_id == batch.client_op_id => return a.seq,
                ServerMsg::Rejected { code, message, .. } => panic!("rejected {code}: {message}"),
                _ => {}
            }
        }
    }

    /// The next protocol message other than presence, or panics after 5 s.
    pub async fn recv(&mut self) -> ServerMsg {
        self.try_recv(Duration::from_secs(5))
            .await
            .expect("a message within 5 s")
    }

    /// The next message other than presence (`presence`, `peer_left`).
    pub async fn try_recv(&mut self, wait: Duration) -> Option<ServerMsg> {
        loop {
            match self.try_recv_any(wait).await? {
                ServerMsg::Presence(_) | ServerMsg::PeerLeft { .. } => continue,
                msg => return Some(msg),
            }
        }
    }

    /// Every message the room sent this client before now, presence
    /// included: a barrier instead of a quiet window. A dot for a vote that
    /// does not exist goes through the room's queue like every command, and
    /// its refusal (`vote_closed`, to this client alone) leaves on the same
    /// outgoing queue after whatever the room sent earlier. For a client
    /// that may vote (commenter or above). Presence is relayed on the room's
    /// tick, after the barrier; call it again after that tick to see it.
    pub async fn settle(&mut self) -> Vec<ServerMsg> {
        let marker = cjm_core::VoteId::new();
        self.send(&ClientMsg::Dot {
            vote: marker,
            card: cjm_core::CardId::new(),
            add: true,
        })
        .await;
        let mut before = Vec::new();
        loop {
            match self.try_recv_any(Duration::from_secs(10)).await {
                Some(ServerMsg::Error { code, .. }) if code == "vote_closed" => return before,
                Some(msg) => before.push(msg),
                None => panic!("the connection ended before the barrier came back: {before:?}"),
            }
        }
    }

    pub async fn try_recv_any(&mut self, wait: Duration) -> Option<ServerMsg> {
        loop {
            let msg = tokio::time::timeout(wait, self.ws.next())
                .await
                .ok()??
                .ok()?;
            match msg {
                Message::Text(t) => {
                    return Some(serde_json::from_str(&t).expect("valid server message"));
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next text message as the server wrote it (none within `wait`,
    /// or the connection ended).
    pub async fn recv_text(&mut self, wait: Duration) -> Option<String> {
        loop {
            match tokio::time::timeout(wait, self.ws.next())
                .await
                .ok()??
                .ok()?
            {
                Message::Text(t) => return Some(t.to_string()),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Whether the server ends this connection (a close frame or the end
    /// of the stream, after any messages) within `wait`; false on a timeout.
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The welcome's board and seq.
    pub async fn welcome(&mut self) -> (Option<Board>, u64, Vec<cjm_core::protocol::Applied>) {
        match self.recv().await {
            ServerMsg::Welcome {
                board,
                seq,
                batches,
                ..
            } => (board, seq, batches),
            other => panic!("expected welcome, got {other:?}"),
        }
    }
}

/// The real `cjm` binary as a separate process (for several instances on
/// one database, and for crashes). Killed when dropped.
pub struct Process {
    pub addr: SocketAddr,
    pub child: tokio::process::Child,
}

impl Process {
    pub async fn spawn(database_url: &str) -> Self {
        Self::spawn_on(database_url, "127.0.0.1:0").await
    }

    pub async fn spawn_on(database_url: &str, addr: &str) -> Self {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cjm"))
            .args(["serve", "--addr", addr, "--database-url", database_url])
            .env(
                "RUST_LOG",
                std::env::var("CJM_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start cjm");
        let stdout = child.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("cjm starts within 20 s")
            .unwrap()
            .expect("cjm prints its address");
        let url = line
            .split("http://")
            .nth(1)
            .expect("an address in the banner");
        let addr = url.split('/').next().unwrap().parse().unwrap();
        forget_cookies(addr);
        Self { addr, child }
    }

    /// A guest named `name` on `board`, hello sent.
    pub async fn client(&self, board: BoardId, name: &str) -> Client {
        let cookie = guest_cookie(self.addr, board, name).await;
        let mut c = Client::connect_with(self.addr, board, Some(&cookie)).await;
        c.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            last_seq: None,
            client_id: Some(name.into()),
            name: Some(name.into()),
        })
        .await;
        c
    }

    pub async fn snapshot(&self, id: BoardId) -> (Board, u64) {
        snapshot_at(self.addr, id).await
    }

    pub async fn create_board(&self, template: &str) -> Board {
        create_board_at(self.addr, template).await
    }
}

/// An HTTP client signed in as the test owner.
pub async fn owner_http(addr: SocketAddr) -> reqwest::Client {
    signed_in_http(&owner_cookie(addr).await)
}

/// An HTTP client that sends `cookie` with every request.
pub fn signed_in_http(cookie: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// CPU time this test process has used (user + system, every thread): the
/// server runs in it, so the difference across a step is what the step
/// cost the server, plus the test's own clients (10 ms resolution).
pub fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime, the 14th and 15th fields, in clock ticks of 10 ms.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}
