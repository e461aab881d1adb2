//! Test harness: the real server on a loopback port with a real store, and
//! real websocket clients speaking the shared protocol types.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
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

/// Creates a board through the REST API of the server at `addr`.
pub async fn create_board_at(addr: SocketAddr, template: &str) -> Board {
    let res = reqwest::Client::new()
        .post(format!("http://{addr}/api/boards"))
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
    let body: serde_json::Value = reqwest::get(format!("http://{addr}/api/boards/{id}"))
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
        let store = cjm_store::connect(&db.url()).await.unwrap();
        let state = AppState::new(store, Assets::None);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
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

    pub async fn client_from(&self, board: BoardId, name: &str, last_seq: Option<u64>) -> Client {
        let mut c = Client::connect(self.addr, board).await;
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

impl Client {
    pub async fn connect(addr: SocketAddr, board: BoardId) -> Self {
        let (ws, _) =
            tokio_tungstenite::connect_async(format!("ws://{addr}/api/boards/{board}/ws"))
                .await
                .unwrap();
        Self { ws }
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

    /// The next message of any kind.
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
        Self { addr, child }
    }

    pub async fn client(&self, board: BoardId, name: &str) -> Client {
        let mut c = Client::connect(self.addr, board).await;
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
