//! A websocket connection to one board: `hello`, then a receive loop that
//! forwards batches to the room and a send loop that writes what the room
//! (and this handler) queue for the client. Either loop ending ends both,
//! and the session always leaves its room.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use axum::extract::{Path, State, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use cjm_core::BoardId;
use cjm_core::limits::MAX_MESSAGE_BYTES;
use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio::sync::mpsc;

use crate::error::ApiError;
use crate::room::{RoomCmd, encode};
use crate::rooms::JoinError;
use crate::state::AppState;

/// Frames above this are refused by the websocket layer itself (the socket
/// is closed with 1009); between `MAX_MESSAGE_BYTES` and this, the client
/// gets a `too_large` error and the connection stays usable.
const HARD_FRAME_LIMIT: usize = 4 * MAX_MESSAGE_BYTES;
const HELLO_TIMEOUT: Duration = Duration::from_secs(15);
const READ_BUFFER: usize = 4 * 1024;
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

pub async fn upgrade(
    ws: WebSocketUpgrade,
    Path(id): Path<String>,
    State(state): State<Arc<AppState>>,
) -> Response {
    let Ok(board) = id.parse::<BoardId>() else {
        return ApiError::NotFound("board not found".into()).into_response();
    };
    ws.max_message_size(HARD_FRAME_LIMIT)
        .max_frame_size(HARD_FRAME_LIMIT)
        // The default 128 KiB read buffer is allocated up front for every
        // connection; most messages are a few hundred bytes and the buffer
        // grows when one is larger. This is what keeps idle connections cheap.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .on_upgrade(move |socket| connection(socket, state, board))
}

enum Local {
    Text(Utf8Bytes),
    Close(u16, &'static str),
}

fn error(code: &str, message: impl Into<String>) -> Local {
    Local::Text(encode(&ServerMsg::Error {
        code: code.into(),
        message: message.into(),
    }))
}

async fn connection(socket: WebSocket, state: Arc<AppState>, board: BoardId) {
    let (mut sink, mut stream) = socket.split();

    let hello = match tokio::time::timeout(HELLO_TIMEOUT, stream.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<ClientMsg>(&t).ok(),
        _ => None,
    };
    let (last_seq, actor, name) = match hello {
        Some(ClientMsg::Hello {
            protocol,
            last_seq,
            client_id,
            name,
        }) if protocol == PROTOCOL_VERSION => {
            let clean = |s: Option<String>, default: &str| {
                let s: String = s
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect();
                let s = s.trim().to_string();
                if s.is_empty() { default.to_string() } else { s }
            };
            (
                last_seq,
                clean(client_id, "anonymous"),
                clean(name, "Guest"),
            )
        }
        Some(ClientMsg::Hello { protocol, .. }) => {
            let msg = format!(
                "protocol {protocol} is not supported; this server speaks {PROTOCOL_VERSION}"
            );
            let _ = close_with(&mut sink, error("protocol_mismatch", msg), 1002).await;
            return;
        }
        _ => {
            let _ = close_with(
                &mut sink,
                error("hello_expected", "the first message must be hello"),
                1002,
            )
            .await;
            return;
        }
    };

    let session = match state.rooms.join(board, actor, name, last_seq).await {
        Ok(s) => s,
        Err(JoinError::NotFound) => {
            let _ = close_with(&mut sink, error("not_found", "board not found"), 4404).await;
            return;
        }
        Err(e @ JoinError::Unavailable(_)) => {
            let _ = close_with(&mut sink, error("unavailable", e.to_string()), 1011).await;
            return;
        }
    };
    let (session_id, room, mut outbound) = (session.id, session.room, session.outbound);
    let (local_tx, mut local_rx) = mpsc::channel::<Local>(16);
    let mut shutdown = state.shutdown.clone();

    let mut send = tokio::spawn(async move {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            let sent = tokio::select! {
                msg = outbound.recv() => match msg {
                    Some(text) => sink.send(Message::Text(text)).await,
                    None => {
                        // The room dropped us (we fell behind, or it closed):
                        // the client must reconnect and catch up.
                        let _ = sink.send(Message::Text(encode(&ServerMsg::Resync))).await;
                        let _ = close(&mut sink, 1000, "resync").await;
                        break;
                    }
                },
                local = local_rx.recv() => match local {
                    Some(Local::Text(text)) => sink.send(Message::Text(text)).await,
                    Some(Local::Close(code, reason)) => {
                        let _ = close(&mut sink, code, reason).await;
                        break;
                    }
                    None => break,
                },
                _ = ping.tick() => sink.send(Message::Ping(Default::default())).await,
                _ = shutdown.changed() => {
                    let _ = close(&mut sink, 1012, "server restarting").await;
                    break;
                }
            };
            if sent.is_err() {
                break;
            }
        }
    });

    let room_tx = room.clone();
    let mut recv = tokio::spawn(async move {
        let mut bucket = TokenBucket::new(BATCHES_PER_SECOND, BATCH_BURST);
        loop {
            let msg = match tokio::time::timeout(IDLE_TIMEOUT, stream.next()).await {
                Ok(Some(Ok(msg))) => msg,
                Ok(Some(Err(e))) => {
                    tracing::debug!(error = %e, "websocket read failed");
                    let _ = local_tx
                        .send(Local::Close(1009, "message too large or malformed"))
                        .await;
                    break;
                }
                Ok(None) | Err(_) => break,
            };
            let text = match msg {
                Message::Text(t) => t,
                Message::Binary(_) => {
                    let _ = local_tx
                        .send(error("unsupported", "binary frames are not supported"))
                        .await;
                    continue;
                }
                Message::Close(_) => break,
                Message::Ping(_) | Message::Pong(_) => continue,
            };
            if text.len() > MAX_MESSAGE_BYTES {
                let msg = format!(
                    "message is {} bytes; the limit is {MAX_MESSAGE_BYTES}",
                    text.len()
                );
                let _ = local_tx.send(error("too_large", msg)).await;
                continue;
            }
            match serde_json::from_str::<ClientMsg>(&text) {
                Ok(ClientMsg::Submit(batch)) => {
                    if !bucket.take() {
                        let msg = ServerMsg::Rejected {
                            client_op_id: batch.client_op_id,
                            code: "rate_limited".into(),
                            message: format!(
                                "more than {BATCHES_PER_SECOND} batches a second; send it again in a moment"
                            ),
                        };
                        let _ = local_tx.send(Local::Text(encode(&msg))).await;
                        continue;
                    }
                    if room_tx
                        .send(RoomCmd::Submit {
                            session: session_id,
                            batch,
                        })
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
                Ok(ClientMsg::Presence(presence)) => {
                    if !presence.is_valid() {
                        let _ = local_tx
                            .send(error("invalid_presence", "presence out of bounds"))
                            .await;
                        continue;
                    }
                    // Presence is best-effort: never wait for a busy room.
                    let _ = room_tx.try_send(RoomCmd::Presence {
                        session: session_id,
                        presence,
                    });
                }
                Ok(ClientMsg::Ping) => {
                    let _ = local_tx.send(Local::Text(encode(&ServerMsg::Pong))).await;
                }
                Ok(ClientMsg::Hello { .. }) => {
                    let _ = local_tx
                        .send(error("already_joined", "hello was already received"))
                        .await;
                }
                Err(e) => {
                    let _ = local_tx
                        .send(error("malformed", format!("cannot read message: {e}")))
                        .await;
                }
            }
        }
    });

    tokio::select! {
        _ = &mut send => recv.abort(),
        _ = &mut recv => {
            // Let queued errors and close frames go out before stopping.
            let _ = tokio::time::timeout(Duration::from_millis(200), &mut send).await;
            send.abort();
        }
    }
    let _ = room
        .send(RoomCmd::Leave {
            session: session_id,
        })
        .await;
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

async fn close(sink: &mut Sink, code: u16, reason: &'static str) -> Result<(), axum::Error> {
    sink.send(Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    })))
    .await
}

async fn close_with(sink: &mut Sink, msg: Local, code: u16) -> Result<(), axum::Error> {
    if let Local::Text(t) = msg {
        sink.send(Message::Text(t)).await?;
    }
    close(sink, code, "").await
}
