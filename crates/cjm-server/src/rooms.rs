//! The registry of live rooms: one room task per open board, started by the
//! first join and gone when the last session leaves.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cjm_core::BoardId;
use cjm_store::Store;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::access::{Access, Grant};
use crate::room::{self, BuildOps, Joined, Outgoing, RoomCmd, ServerBatchError};

/// Commands queued for one room before senders wait (back-pressure on the
/// websocket readers rather than unbounded memory).
const ROOM_QUEUE: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error("board not found")]
    NotFound,
    #[error("board is unavailable: {0}")]
    Unavailable(String),
}

pub(crate) struct Entry {
    tx: mpsc::Sender<RoomCmd>,
    generation: u64,
    task: JoinHandle<()>,
}

pub(crate) type Registry = Arc<Mutex<HashMap<BoardId, Entry>>>;

pub struct Rooms {
    store: Arc<dyn Store>,
    map: Registry,
    ids: AtomicU64,
}

/// A connection's membership in a room.
pub struct Session {
    pub id: u64,
    pub room: mpsc::Sender<RoomCmd>,
    /// The first message to send.
    pub welcome: Utf8Bytes,
    /// Everything the room sends after the welcome, in order (for everyone
    /// on the board: `Outgoing` says whom each item is for).
    pub outbound: broadcast::Receiver<Outgoing>,
}

impl Rooms {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            map: Arc::new(Mutex::new(HashMap::new())),
            ids: AtomicU64::new(1),
        }
    }

    /// Joins the board's room, starting it if needed.
    pub async fn join(
        &self,
        board: BoardId,
        who: Access,
        last_seq: Option<u64>,
    ) -> Result<Session, JoinError> {
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        loop {
            let room = self.get_or_spawn(board);
            let (reply_tx, reply_rx) = oneshot::channel();
            let join = RoomCmd::Join {
                session: id,
                who: who.clone(),
                last_seq,
                reply: reply_tx,
            };
            if room.send(join).await.is_err() {
                continue; // the room was closing; a fresh one is started
            }
            match reply_rx.await {
                Ok(Ok(Joined { welcome, outbound })) => {
                    return Ok(Session {
                        id,
                        room,
                        welcome,
                        outbound,
                    });
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => continue,
            }
        }
    }

    /// Applies a batch the server makes for `board` (see
    /// `RoomCmd::ServerBatch`), starting the room if needed. `Ok(None)`:
    /// `build` made no ops.
    pub async fn server_batch(
        &self,
        board: BoardId,
        actor: &str,
        build: BuildOps,
    ) -> Result<Option<u64>, ServerBatchError> {
        let mut cmd = RoomCmd::ServerBatch {
            actor: actor.into(),
            build,
            reply: oneshot::channel().0,
        };
        loop {
            let (reply_tx, reply_rx) = oneshot::channel();
            if let RoomCmd::ServerBatch { reply, .. } = &mut cmd {
                *reply = reply_tx;
            }
            let room = self.get_or_spawn(board);
            match room.send(cmd).await {
                // The room was closing; a fresh one is started.
                Err(mpsc::error::SendError(back)) => cmd = back,
                Ok(()) => {
                    // A room that could not load the board drops the reply.
                    return reply_rx.await.unwrap_or(Err(ServerBatchError::NotFound));
                }
            }
        }
    }

    /// Number of live rooms (for tests and metrics).
    pub fn live(&self) -> usize {
        self.lock().len()
    }

    /// Another server instance committed `board` up to `seq`: the room, if
    /// open here, catches up (its own commits arrive too and are ignored).
    pub fn remote_commit(&self, board: BoardId, seq: u64) {
        let tx = self.lock().get(&board).map(|e| e.tx.clone());
        if let Some(tx) = tx {
            // Best effort: if the room is that busy it will see the newer
            // seq at its next commit (the store refuses stale commits).
            let _ = tx.try_send(RoomCmd::Remote { seq });
        }
    }

    /// Disconnects the sessions that reached `board` through `grant` (see
    /// `RoomCmd::Revoke`).
    pub async fn revoke(&self, board: BoardId, grant: Grant, removed: bool) {
        let tx = self.lock().get(&board).map(|e| e.tx.clone());
        if let Some(tx) = tx {
            let _ = tx.send(RoomCmd::Revoke { grant, removed }).await;
        }
    }

    /// Ends, in every room here, the sockets opened with `user`'s session
    /// `session` (or with any of their sessions).
    pub async fn end_sessions(&self, user: uuid::Uuid, session: Option<u64>) {
        let rooms: Vec<mpsc::Sender<RoomCmd>> =
            self.lock().values().map(|e| e.tx.clone()).collect();
        for tx in rooms {
            let _ = tx.send(RoomCmd::EndSessions { user, session }).await;
        }
    }

    /// Disconnects everyone from a deleted board.
    pub async fn close(&self, board: BoardId) {
        let tx = self.lock().get(&board).map(|e| e.tx.clone());
        if let Some(tx) = tx {
            let _ = tx.send(RoomCmd::Close).await;
        }
    }

    /// Stops every room after the commands already queued (so in-flight
    /// commits finish) and waits for them.
    pub async fn shutdown(&self) {
        let entries: Vec<Entry> = self.lock().drain().map(|(_, e)| e).collect();
        for e in &entries {
            let _ = e.tx.send(RoomCmd::Shutdown).await;
        }
        for e in entries {
            if tokio::time::timeout(Duration::from_secs(10), e.task)
                .await
                .is_err()
            {
                tracing::warn!("a room did not stop within 10 s");
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<BoardId, Entry>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get_or_spawn(&self, board: BoardId) -> mpsc::Sender<RoomCmd> {
        let mut map = self.lock();
        if let Some(e) = map.get(&board)
            && !e.tx.is_closed()
        {
            return e.tx.clone();
        }
        let generation = self.ids.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let task = tokio::spawn(room::run(
            board,
            self.store.clone(),
            rx,
            self.map.clone(),
            generation,
        ));
        map.insert(
            board,
            Entry {
                tx: tx.clone(),
                generation,
                task,
            },
        );
        tx
    }
}

/// Removes a room from the registry if it is idle; called by the room with
/// its receiver so that no join can slip in between the check and removal.
pub(crate) fn deregister_if_idle(
    map: &Registry,
    board: BoardId,
    generation: u64,
    rx: &mpsc::Receiver<RoomCmd>,
) -> bool {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if !rx.is_empty() {
        return false;
    }
    if map.get(&board).is_some_and(|e| e.generation == generation) {
        map.remove(&board);
    }
    true
}

/// Removes a room unconditionally (it failed or the board was deleted).
pub(crate) fn deregister(map: &Registry, board: BoardId, generation: u64) {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if map.get(&board).is_some_and(|e| e.generation == generation) {
        map.remove(&board);
    }
}
