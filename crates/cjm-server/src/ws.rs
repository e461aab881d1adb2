//! A websocket connection to one board: `hello`, then a receive loop that
//! forwards batches to the room and a send loop that writes what the room
//! (and this handler) queue for the client. Either loop ending ends both,
//! and the session always leaves its room.

use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use cjm_core::BoardId;
use cjm_core::limits::MAX_MESSAGE_BYTES;
use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

use crate::access::{Access, Caller, Via};
use crate::error::ApiError;
use crate::room::{RoomCmd, encode};
use crate::rooms::JoinError;
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
    if !same_origin(&parts.headers) {
        return ApiError::Forbidden("websocket from another site refused".into()).into_response();
    }
    // Decided once, from the session: the client's hello cannot change it.
    // No access is answered after the upgrade, with the same `not_found`
    // as a missing board, so that browsers can tell it from a lost network.
    let access = match caller.access(&state, board).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if let Some(Access {
        via: Via::Link(link),
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
    ws.on_upgrade(config, move |socket| {
        connection(socket, state, board, access)
    })
}

/// Browsers always send `Origin` with a websocket; it must name this server
/// (as the `Host` or, behind a proxy, `X-Forwarded-Host` it was reached
/// by). Otherwise another site could open a socket with our cookies.
/// Clients that are not browsers send no `Origin` and carry no ambient
/// cookies, so they are let through to the session check.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(authority) = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'))
    else {
        return false;
    };
    ["x-forwarded-host", "host"]
        .iter()
        .filter_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .any(|host| host.eq_ignore_ascii_case(authority))
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

async fn connection(socket: Socket, state: Arc<AppState>, board: BoardId, access: Option<Access>) {
    let (mut sink, mut stream) = socket.split();
    let Some(access) = access else {
        let _ = close_with(&mut sink, error("not_found", "board not found"), 4404).await;
        return;
    };

    let hello = match tokio::time::timeout(HELLO_TIMEOUT, stream.next()).await {
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

    let (role, expires_at) = (access.role, access.expires_at);
    let session = match state.rooms.join(board, access, last_seq).await {
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
        // A link's guests leave when it expires.
        let expiry = expires_at.map(|t| {
            let left = (t - crate::clock::now_ms()).max(0) as u64;
            tokio::time::Instant::now() + Duration::from_millis(left)
        });
        let expired = async move {
            match expiry {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(expired);
        loop {
            let sent = tokio::select! {
                msg = outbound.recv() => match msg {
                    Some(text) => send_text(&mut sink, text).await,
                    None => {
                        // The room dropped us (we fell behind, or it closed):
                        // the client must reconnect and catch up.
                        let _ = sink.send(Message::Text(encode(&ServerMsg::Resync))).await;
                        let _ = close(&mut sink, 1000, "resync").await;
                        break;
                    }
                },
                local = local_rx.recv() => match local {
                    Some(Local::Text(text)) => send_text(&mut sink, text).await,
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
                _ = &mut expired => {
                    let _ = close_with(
                        &mut sink,
                        error("access_revoked", "The link you joined through has expired."),
                        4403,
                    )
                    .await;
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
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
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
                    if !role.can_edit() {
                        let msg = ServerMsg::Rejected {
                            client_op_id: batch.client_op_id,
                            code: "forbidden".into(),
                            message: format!(
                                "you are a {} of this board and cannot change it",
                                role.as_str()
                            ),
                        };
                        let _ = local_tx.send(Local::Text(encode(&msg))).await;
                        continue;
                    }
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

type Sink = futures_util::stream::SplitSink<Socket, Message>;
type SendResult = Result<(), tokio_tungstenite::tungstenite::Error>;

/// Sends a text message, in frames of at most `FRAME_CHUNK` bytes (the
/// browser puts them back together; see `ws_upgrade` for why).
async fn send_text(sink: &mut Sink, text: Utf8Bytes) -> SendResult {
    if text.len() <= FRAME_CHUNK {
        return sink.send(Message::Text(text)).await;
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
        sink.send(Message::Frame(frame)).await?;
        start = end;
    }
    Ok(())
}

async fn close(sink: &mut Sink, code: u16, reason: &'static str) -> SendResult {
    sink.send(Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: Utf8Bytes::from_static(reason),
    })))
    .await
}

async fn close_with(sink: &mut Sink, msg: Local, code: u16) -> SendResult {
    if let Local::Text(t) = msg {
        send_text(sink, t).await?;
    }
    close(sink, code, "").await
}
