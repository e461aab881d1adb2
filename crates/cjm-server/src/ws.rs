//! A websocket connection to one board: `hello`, then one loop that
//! forwards the client's batches and presence to the room and writes what
//! the room broadcasts. However it ends, the session leaves its room.

use std::pin::Pin;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use cjm_core::limits::MAX_MESSAGE_BYTES;
use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, ServerMsg};
use cjm_core::role::Role;
use cjm_core::{Batch, BoardId, ErrorCode, Op, RejectCode};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

use crate::access::{Access, Caller, Grant};
use crate::error::ApiError;
use crate::room::{Outgoing, RoomCmd, encode};
use crate::rooms::{JoinError, Session};
use crate::state::AppState;
use crate::ws_upgrade::{Socket, Upgrade};

/// Frames above this are refused by the websocket layer itself (the socket
/// is closed with 1009); between `MAX_MESSAGE_BYTES` and this, the client
/// gets a `too_large` error and the connection stays usable.
const HARD_FRAME_LIMIT: usize = 4 * MAX_MESSAGE_BYTES;
const HELLO_TIMEOUT: Duration = Duration::from_secs(15);
const READ_BUFFER: usize = 1024;
/// Messages larger than this go out as several frames, so that the write
/// buffer (which keeps the size of the largest frame) stays this small.
const FRAME_CHUNK: usize = 1024;
/// Sustained batches per second one connection may submit (a person makes a
/// few; a script gets a clear `rate_limited` refusal, not a slow server).
const BATCHES_PER_SECOND: u32 = 200;
const BATCH_BURST: u32 = 400;

/// A token bucket: `rate` tokens a second, at most `burst` saved up.
struct TokenBucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    last: std::time::Instant,
}

impl TokenBucket {
    fn new(rate: u32, burst: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            rate: f64::from(rate),
            burst: f64::from(burst),
            last: std::time::Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = std::time::Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
const PING_EVERY: Duration = Duration::from_secs(20);
/// A connection silent this long (not even a pong) is dead.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A client that takes this long to take a write is dead or not reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Items forwarded from the room at once (the rest wait for the next
/// turn, so that reading the client is never held up for long).
const FORWARD_AT_ONCE: usize = 256;
/// Under sustained traffic a connection writes at most once per this
/// long: a message that follows another within it waits for the rest of
/// it, and they leave together. A lone message leaves at once. On a board
/// with a thousand people this divides the system calls (the server's main
/// cost) several times over for a few milliseconds of latency.
const FLUSH_GAP: Duration = Duration::from_millis(20);

pub async fn upgrade(
    Path(id): Path<String>,
    State(state): State<Arc<AppState>>,
    caller: Caller,
    request: Request,
) -> Response {
    let Ok(board) = id.parse::<BoardId>() else {
        return ApiError::NotFound("board not found".into()).into_response();
    };
    let (mut parts, _) = request.into_parts();
    let ws = match Upgrade::from_request(&parts.method, &parts.headers, &mut parts.extensions) {
        Ok(ws) => ws,
        Err(e) => return e.into_response(),
    };
    if !crate::origin::websocket_allowed(&state, &parts.headers) {
        return ApiError::Forbidden("websocket from another site refused".into()).into_response();
    }
    // Decided once, from the session: the client's hello cannot change it.
    // No access is answered after the upgrade, with the same `not_found`
    // as a missing board, so that browsers can tell it from a lost network.
    let access = match caller.access(&state, board).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    // A person opens a few tabs; a script opening thousands is refused.
    let slot = match &access {
        Some(a) => match state.sockets.open(a) {
            Some(slot) => Some(slot),
            None => {
                return ApiError::Throttled {
                    what: crate::error::Throttle::Requests,
                    retry_after: 10,
                    message: "too many open connections for one person; close some tabs".into(),
                }
                .into_response();
            }
        },
        None => None,
    };
    // Accounts' sockets re-check their session now and then, so that a
    // reset from the command line (another process) ends them too.
    let session = access
        .as_ref()
        .filter(|a| a.account.is_some())
        .and(caller.session.clone())
        .map(Vec::into_boxed_slice);
    if let Some(Access {
        grant: Grant::Link(link),
        ..
    }) = &access
        && let Err(e) = state.store.touch_link(*link, crate::clock::now_ms()).await
    {
        tracing::warn!(error = %e, "cannot record a link's use");
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(HARD_FRAME_LIMIT))
        .max_frame_size(Some(HARD_FRAME_LIMIT))
        // The default 128 KiB read buffer is allocated up front for every
        // connection; most messages are a few hundred bytes and the buffer
        // grows when one is larger. This is what keeps idle connections cheap.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0);
    ws.on_upgrade(config, move |socket| async move {
        let _slot = slot;
        connection(socket, state, board, access, session).await
    })
}

fn error(code: ErrorCode, message: impl Into<String>) -> Utf8Bytes {
    encode(&ServerMsg::Error {
        code,
        message: message.into(),
    })
}

/// What `JoinedSocket::forward` did.
enum Flushed {
    Yes,
    /// Written to the buffer, to leave with what follows.
    No,
    End(End),
}

/// How a connection ends.
enum End {
    /// The client left, or the connection failed: nothing more to send.
    Gone,
    /// Send this close code and reason.
    Close(u16, &'static str),
    /// Tell the client to resync (after `why`, if any) and close.
    Resync(Option<Utf8Bytes>),
    /// Send `why` and close with 4403 (the client does not come back).
    Revoked(Utf8Bytes),
}

/// One task per connection (reading, writing, heartbeats and the link's
/// expiry are one `select!`): a connection costs one task and its socket.
/// The task's size is that of its largest state, kept for the connection's
/// life; so the rarely-run, larger steps (the handshake, each message, the
/// ending) are boxed and only take memory while they run.
async fn connection(
    socket: Socket,
    state: Arc<AppState>,
    board: BoardId,
    access: Option<Access>,
    session: Option<Box<[u8]>>,
) {
    let Some((mut joined, room, mut outbound, expires_at)) =
        Box::pin(handshake(socket, &state, board, access)).await
    else {
        return;
    };
    // However the task ends (a panic included), the room hears of it: a
    // ghost member would keep the room open forever.
    let _leave = LeaveOnDrop {
        room: room.clone(),
        session: joined.id,
    };
    joined.session = session;
    let end = joined.run(&room, &mut outbound, &state, expires_at).await;
    Box::pin(joined.end(end)).await;
}

/// Tells the room that a session left, when dropped.
struct LeaveOnDrop {
    room: mpsc::Sender<RoomCmd>,
    session: u64,
}

impl Drop for LeaveOnDrop {
    fn drop(&mut self) {
        let leave = RoomCmd::Leave {
            session: self.session,
        };
        if let Err(mpsc::error::TrySendError::Full(leave)) = self.room.try_send(leave) {
            let room = self.room.clone();
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = room.send(leave).await;
                });
            }
        }
    }
}

type Joined = (
    JoinedSocket,
    mpsc::Sender<RoomCmd>,
    broadcast::Receiver<Outgoing>,
    Option<i64>,
);

/// Access, `hello`, joining the room and sending the welcome; `None` when
/// the connection was refused (and closed).
async fn handshake(
    mut ws: Socket,
    state: &AppState,
    board: BoardId,
    access: Option<Access>,
) -> Option<Joined> {
    let Some(access) = access else {
        let _ = close_with(&mut ws, error(ErrorCode::NotFound, "board not found"), 4404).await;
        return None;
    };

    let hello = match tokio::time::timeout(HELLO_TIMEOUT, ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<ClientMsg>(&t).ok(),
        _ => None,
    };
    // Who this is comes from the session; the hello's client_id and name
    // are ignored.
    let last_seq = match hello {
        Some(ClientMsg::Hello {
            protocol, last_seq, ..
        }) if protocol == PROTOCOL_VERSION => last_seq,
        Some(ClientMsg::Hello { protocol, .. }) => {
            let msg = format!(
                "protocol {protocol} is not supported; this server speaks {PROTOCOL_VERSION}"
            );
            let _ = close_with(&mut ws, error(ErrorCode::ProtocolMismatch, msg), 1002).await;
            return None;
        }
        _ => {
            let hello = error(ErrorCode::HelloExpected, "the first message must be hello");
            let _ = close_with(&mut ws, hello, 1002).await;
            return None;
        }
    };

    let (role, expires_at) = (access.role, access.expires_at);
    let session = match state.rooms.join(board, access, last_seq).await {
        Ok(s) => s,
        Err(JoinError::NotFound) => {
            let _ = close_with(&mut ws, error(ErrorCode::NotFound, "board not found"), 4404).await;
            return None;
        }
        Err(e @ JoinError::Unavailable(_)) => {
            let _ = close_with(&mut ws, error(ErrorCode::Unavailable, e.to_string()), 1011).await;
            return None;
        }
    };
    let Session {
        id,
        room,
        welcome,
        outbound,
    } = session;
    let mut joined = JoinedSocket {
        ws,
        id,
        role,
        bucket: TokenBucket::new(BATCHES_PER_SECOND, BATCH_BURST),
        pending: None,
        session: None,
    };
    if joined.write(welcome).await.is_err() {
        let _ = room.send(RoomCmd::Leave { session: id }).await;
        return None;
    }
    Some((joined, room, outbound, expires_at))
}

/// Why `role` may not send `batch`, if it may not: editors and owners
/// send anything, commenters only comments and reactions, viewers nothing.
fn refusal(role: Role, batch: &Batch) -> Option<String> {
    if role.can_edit() || (role >= Role::Commenter && batch.ops.iter().all(Op::is_conversation)) {
        return None;
    }
    Some(if role >= Role::Commenter {
        "you are a commenter of this board: you may comment and react, not change the map".into()
    } else {
        format!(
            "you are a {} of this board and cannot change it",
            role.as_str()
        )
    })
}

/// A connection that has joined its board's room.
struct JoinedSocket {
    ws: Socket,
    id: u64,
    role: Role,
    bucket: TokenBucket,
    /// A batch waiting for room in the room's queue; nothing more is read
    /// from the client meanwhile (back-pressure), but sending goes on.
    pending: Option<Batch>,
    /// The session token's hash of a socket opened by an account.
    session: Option<Box<[u8]>>,
}

/// The next item the room queued, without waiting (`None`: nothing yet),
/// as `recv` would give it.
fn queued(
    outbound: &mut broadcast::Receiver<Outgoing>,
) -> Option<Result<Outgoing, broadcast::error::RecvError>> {
    use broadcast::error::{RecvError, TryRecvError};
    match outbound.try_recv() {
        Ok(item) => Some(Ok(item)),
        Err(TryRecvError::Empty) => None,
        Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
        Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
    }
}

/// Waits for a timer, if there is one (a link's expiry, a session check).
async fn expiry(at: &mut Option<Pin<Box<tokio::time::Sleep>>>) {
    match at {
        Some(sleep) => sleep.as_mut().await,
        None => std::future::pending().await,
    }
}

impl JoinedSocket {
    async fn run(
        &mut self,
        room: &mpsc::Sender<RoomCmd>,
        outbound: &mut broadcast::Receiver<Outgoing>,
        state: &AppState,
        expires_at: Option<i64>,
    ) -> End {
        let mut shutdown = state.shutdown.clone();
        let start = tokio::time::Instant::now();
        let mut ping = tokio::time::interval_at(start + PING_EVERY, PING_EVERY);
        let mut heard = start;
        // Under sustained traffic, writes are held for up to `FLUSH_GAP`
        // after the last flush and leave together.
        let mut last_flush = start.checked_sub(FLUSH_GAP).unwrap_or(start);
        let hold = tokio::time::sleep_until(start);
        tokio::pin!(hold);
        let mut held = false;
        // A link's guests leave when it expires.
        let mut expires = expires_at.map(|t| {
            let left = (t - crate::clock::now_ms()).max(0) as u64;
            Box::pin(tokio::time::sleep(Duration::from_millis(left)))
        });
        // Only accounts' sockets re-check their session (see
        // `check_session`); a guest's socket carries no timer for it.
        let mut recheck = self
            .session
            .as_ref()
            .map(|_| Box::pin(tokio::time::sleep(state.session_recheck)));
        loop {
            tokio::select! {
                permit = room.reserve(), if self.pending.is_some() => {
                    let (Ok(permit), Some(batch)) = (permit, self.pending.take()) else {
                        return End::Gone;
                    };
                    permit.send(RoomCmd::Submit { session: self.id, batch });
                }
                msg = self.ws.next(), if self.pending.is_none() => {
                    heard = tokio::time::Instant::now();
                    match msg {
                        Some(Ok(msg)) => {
                            if let Some(end) = Box::pin(self.on_message(msg, room)).await {
                                return end;
                            }
                        }
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "websocket read failed");
                            return End::Close(1009, "message too large or malformed");
                        }
                        None => return End::Gone,
                    }
                }
                // While writes are held, the ring is left alone too: a
                // thousand connections are not woken for every message.
                item = outbound.recv(), if !held => {
                    let now = tokio::time::Instant::now();
                    let flush = now.duration_since(last_flush) >= FLUSH_GAP;
                    match Box::pin(self.forward(item, outbound, flush)).await {
                        Flushed::Yes => last_flush = now,
                        Flushed::No => {
                            held = true;
                            hold.as_mut().reset(last_flush + FLUSH_GAP);
                        }
                        Flushed::End(end) => return end,
                    }
                }
                _ = &mut hold, if held => {
                    (last_flush, held) = (tokio::time::Instant::now(), false);
                    if let Flushed::End(end) = Box::pin(self.forward_queued(outbound)).await {
                        return end;
                    }
                }
                _ = ping.tick() => {
                    if heard.elapsed() > IDLE_TIMEOUT {
                        return End::Gone; // not even a pong: the peer is gone
                    }
                    let ping = timed(self.ws.send(Message::Ping(Default::default())));
                    if Box::pin(ping).await.is_err() {
                        return End::Gone;
                    }

                }
                _ = shutdown.changed() => return End::Close(1012, "server restarting"),
                _ = expiry(&mut recheck) => {
                    if let Some(end) = Box::pin(self.check_session(state)).await {
                        return end;
                    }
                    recheck = Some(Box::pin(tokio::time::sleep(state.session_recheck)));
                }
                _ = expiry(&mut expires) => {
                    let why = error(ErrorCode::AccessRevoked, "The link you joined through has expired.");
                    return End::Revoked(why);
                }
            }
        }
    }

    /// Writes what the room sent (`first`, then whatever else is already
    /// queued, up to a limit), and flushes it if `flush` or if it is for
    /// this client alone.
    async fn forward(
        &mut self,
        first: Result<Outgoing, broadcast::error::RecvError>,
        outbound: &mut broadcast::Receiver<Outgoing>,
        flush: bool,
    ) -> Flushed {
        let mut first = Some(first);
        let mut written = 0;
        // This client's own acknowledgements and answers are never held.
        let mut urgent = false;
        let outcome = timed(async {
            loop {
                let Some(item) = first.take().or_else(|| queued(outbound)) else {
                    break;
                };
                match item {
                    Ok(Outgoing::All(text)) => feed_text(&mut self.ws, text).await?,
                    Ok(Outgoing::Applied(texts)) => {
                        for (sender, text) in texts.iter() {
                            urgent |= *sender == self.id;
                            feed_text(&mut self.ws, text.clone()).await?;
                        }
                    }
                    Ok(Outgoing::Peers(texts)) => {
                        for (session, text) in texts.iter() {
                            if *session != self.id {
                                feed_text(&mut self.ws, text.clone()).await?;
                            }
                        }
                    }
                    Ok(Outgoing::To(session, text)) if session == self.id => {
                        urgent = true;
                        feed_text(&mut self.ws, text).await?
                    }
                    Ok(Outgoing::To(..)) => {}
                    Ok(Outgoing::Kick { session, why }) if session.is_none_or(|s| s == self.id) => {
                        self.ws.flush().await?;
                        return Ok(Flushed::End(End::Resync(why)));
                    }
                    Ok(Outgoing::Kick { .. }) => {}
                    // Fell behind, or the room closed: catch up afresh.
                    Err(_) => {
                        self.ws.flush().await?;
                        return Ok(Flushed::End(End::Resync(None)));
                    }
                }
                written += 1;
                if written == FORWARD_AT_ONCE {
                    break;
                }
            }
            if flush || urgent {
                self.ws.flush().await?;
                return Ok(Flushed::Yes);
            }
            Ok(Flushed::No)
        })
        .await;
        outcome.unwrap_or(Flushed::End(End::Gone))
    }

    /// Handles one message from the client; `Some` ends the connection.
    async fn on_message(&mut self, msg: Message, room: &mpsc::Sender<RoomCmd>) -> Option<End> {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => {
                return self
                    .reply(error(
                        ErrorCode::Unsupported,
                        "binary frames are not supported",
                    ))
                    .await;
            }
            Message::Close(_) => return Some(End::Gone),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return None,
        };
        if text.len() > MAX_MESSAGE_BYTES {
            let msg = format!(
                "message is {} bytes; the limit is {MAX_MESSAGE_BYTES}",
                text.len()
            );
            return self.reply(error(ErrorCode::TooLarge, msg)).await;
        }
        match serde_json::from_str::<ClientMsg>(&text) {
            Ok(ClientMsg::Submit(batch)) => {
                if let Some(message) = refusal(self.role, &batch) {
                    let msg = ServerMsg::Rejected {
                        client_op_id: batch.client_op_id,
                        code: RejectCode::Forbidden,
                        message,
                    };
                    return self.reply(encode(&msg)).await;
                }
                if let Err(e) = cjm_core::check_batch_size(&batch.ops) {
                    let msg = ServerMsg::Rejected {
                        client_op_id: batch.client_op_id,
                        code: e.code(),
                        message: e.to_string(),
                    };
                    return self.reply(encode(&msg)).await;
                }
                if !self.bucket.take() {
                    let msg = ServerMsg::Rejected {
                        client_op_id: batch.client_op_id,
                        code: RejectCode::RateLimited,
                        message: format!(
                            "more than {BATCHES_PER_SECOND} batches a second; send it again in a moment"
                        ),
                    };
                    return self.reply(encode(&msg)).await;
                }
                let cmd = RoomCmd::Submit {
                    session: self.id,
                    batch,
                };
                match room.try_send(cmd) {
                    Ok(()) => None,
                    Err(mpsc::error::TrySendError::Full(RoomCmd::Submit { batch, .. })) => {
                        self.pending = Some(batch);
                        None
                    }
                    Err(_) => Some(End::Resync(None)),
                }
            }
            Ok(ClientMsg::Presence(presence)) => {
                if !presence.is_valid() {
                    return self
                        .reply(error(ErrorCode::InvalidPresence, "presence out of bounds"))
                        .await;
                }
                // Presence is best-effort: never wait for a busy room.
                let _ = room.try_send(RoomCmd::Presence {
                    session: self.id,
                    presence,
                });
                None
            }
            Ok(ClientMsg::Ping) => self.reply(encode(&ServerMsg::Pong)).await,
            Ok(ClientMsg::Dot { vote, card, add }) => {
                // Whoever may comment may vote; viewers watch.
                if self.role < Role::Commenter {
                    return self
                        .reply(error(ErrorCode::Forbidden, "viewers do not vote"))
                        .await;
                }
                if !self.bucket.take() {
                    return self
                        .reply(error(
                            ErrorCode::RateLimited,
                            "too many messages; slow down",
                        ))
                        .await;
                }
                match room.try_send(RoomCmd::Dot {
                    session: self.id,
                    vote,
                    card,
                    add,
                }) {
                    Ok(()) => None,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        self.reply(error(
                            ErrorCode::Unavailable,
                            "the board is busy; place the dot again",
                        ))
                        .await
                    }
                    Err(_) => Some(End::Resync(None)),
                }
            }
            Ok(ClientMsg::Hello { .. }) => {
                self.reply(error(
                    ErrorCode::AlreadyJoined,
                    "hello was already received",
                ))
                .await
            }
            Err(e) => match unreadable_submit(&text) {
                // A batch this server cannot read (an op kind or value it
                // does not know) is refused by its id, so that a client that
                // resends unanswered batches does not send it forever.
                Some(client_op_id) => {
                    let msg = ServerMsg::Rejected {
                        client_op_id,
                        code: RejectCode::Invalid,
                        message: format!("cannot read the batch: {e}"),
                    };
                    self.reply(encode(&msg)).await
                }
                None => {
                    self.reply(error(
                        ErrorCode::Malformed,
                        format!("cannot read message: {e}"),
                    ))
                    .await
                }
            },
        }
    }

    /// Whether the account's session still lives (a sign-out or reset in
    /// another process ends it without telling this one); `Some` ends the
    /// connection, and the client reconnects with what access it has left.
    async fn check_session(&mut self, state: &AppState) -> Option<End> {
        let hash = self.session.as_deref()?;
        match state.store.session_user(hash, crate::clock::now_ms()).await {
            Ok(None) => Some(End::Resync(None)),
            Ok(Some(_)) => None,
            Err(e) => {
                tracing::warn!(error = %e, "cannot re-check a websocket's session");
                None
            }
        }
    }

    /// Writes and flushes whatever the room queued meanwhile.
    async fn forward_queued(&mut self, outbound: &mut broadcast::Receiver<Outgoing>) -> Flushed {
        match queued(outbound) {
            Some(first) => self.forward(first, outbound, true).await,
            None => match timed(self.ws.flush()).await {
                Ok(()) => Flushed::Yes,
                Err(_) => Flushed::End(End::Gone),
            },
        }
    }

    /// Says goodbye as `end` asks.
    async fn end(&mut self, end: End) {
        let ws = &mut self.ws;
        let _ = match end {
            End::Gone => Ok(()),
            End::Close(code, reason) => timed(close(ws, code, reason)).await,
            End::Revoked(why) => close_with(ws, why, 4403).await,
            End::Resync(why) => {
                timed(async {
                    if let Some(why) = why {
                        send_text(ws, why).await?;
                    }
                    ws.send(Message::Text(encode(&ServerMsg::Resync))).await?;
                    close(ws, 1000, "resync").await
                })
                .await
            }
        };
    }

    /// Answers the client directly (not through the room).
    async fn reply(&mut self, text: Utf8Bytes) -> Option<End> {
        self.write(text).await.err().map(|_| End::Gone)
    }

    async fn write(&mut self, text: Utf8Bytes) -> SendResult {
        timed(async {
            feed_text(&mut self.ws, text).await?;
            self.ws.flush().await
        })
        .await
    }
}

type SendResult = Result<(), tokio_tungstenite::tungstenite::Error>;

/// A write that takes longer than `WRITE_TIMEOUT` (a client that stopped
/// reading, a dead network) fails, so that a stuck peer cannot hold its
/// connection's memory forever.
async fn timed<T>(
    write: impl Future<Output = Result<T, tokio_tungstenite::tungstenite::Error>>,
) -> Result<T, tokio_tungstenite::tungstenite::Error> {
    tokio::time::timeout(WRITE_TIMEOUT, write)
        .await
        .unwrap_or_else(|_| {
            Err(tokio_tungstenite::tungstenite::Error::Io(
                std::io::ErrorKind::TimedOut.into(),
            ))
        })
}

/// Queues a text message for the next flush, in frames of at most
/// `FRAME_CHUNK` bytes (the browser puts them back together; see
/// `ws_upgrade` for why).
async fn feed_text(ws: &mut Socket, text: Utf8Bytes) -> SendResult {
    if text.len() <= FRAME_CHUNK {
        return ws.feed(Message::Text(text)).await;
    }
    let bytes = Bytes::from(text);
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + FRAME_CHUNK).min(bytes.len());
        let opcode = if start == 0 {
            Data::Text
        } else {
            Data::Continue
        };
        let frame = Frame::message(
            bytes.slice(start..end),
            OpCode::Data(opcode),
            end == bytes.len(),
        );
        ws.feed(Message::Frame(frame)).await?;
        start = end;
    }
    Ok(())
}

async fn send_text(ws: &mut Socket, text: Utf8Bytes) -> SendResult {
    feed_text(ws, text).await?;
    ws.flush().await
}

async fn close(ws: &mut Socket, code: u16, reason: &'static str) -> SendResult {
    ws.send(Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: Utf8Bytes::from_static(reason),
    })))
    .await
}

async fn close_with(ws: &mut Socket, msg: Utf8Bytes, code: u16) -> SendResult {
    timed(async {
        send_text(ws, msg).await?;
        close(ws, code, "").await
    })
    .await
}

/// The id of a `submit` whose envelope reads but whose ops do not.
fn unreadable_submit(text: &str) -> Option<cjm_core::ClientOpId> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(rename = "type")]
        kind: String,
        client_op_id: cjm_core::ClientOpId,
    }
    let envelope: Envelope = serde_json::from_str(text).ok()?;
    (envelope.kind == "submit").then_some(envelope.client_op_id)
}
