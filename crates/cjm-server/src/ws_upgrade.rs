//! The websocket handshake, done here rather than by axum's `WebSocket`:
//! we need tungstenite's raw frames to send large messages in bounded
//! pieces (see `ws::send_text`). tungstenite keeps its write buffer at the
//! size of the largest frame it ever wrote, so one whole-board `welcome`
//! sent as a single frame would stay allocated for the connection's life.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::coalesce::Coalesce;
use crate::error::ApiError;

pub type Socket = WebSocketStream<Coalesce<TokioIo<hyper::upgrade::Upgraded>>>;

/// A validated upgrade request: the key to answer and the connection to
/// take over once the `101` is sent.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: hyper::upgrade::OnUpgrade,
}

fn header_is(headers: &HeaderMap, name: header::HeaderName, value: &str) -> bool {
    headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(value))
        })
}

impl Upgrade {
    /// Checks an HTTP/1.1 websocket upgrade request (RFC 6455 §4.2.1).
    pub fn from_request(
        method: &Method,
        headers: &HeaderMap,
        extensions: &mut axum::http::Extensions,
    ) -> Result<Self, ApiError> {
        let bad = |what: &str| ApiError::BadRequest(format!("not a websocket upgrade: {what}"));
        if method != Method::GET {
            return Err(bad("the method must be GET"));
        }
        if !header_is(headers, header::CONNECTION, "upgrade")
            || !header_is(headers, header::UPGRADE, "websocket")
        {
            return Err(bad("Connection: upgrade and Upgrade: websocket expected"));
        }
        if !header_is(headers, header::SEC_WEBSOCKET_VERSION, "13") {
            return Err(bad("Sec-WebSocket-Version 13 expected"));
        }
        let key = headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or_else(|| bad("Sec-WebSocket-Key missing"))?;
        let on_upgrade = extensions
            .remove::<hyper::upgrade::OnUpgrade>()
            .ok_or_else(|| bad("the connection cannot be upgraded"))?;
        Ok(Self { key, on_upgrade })
    }

    /// Answers `101 Switching Protocols` and runs `callback` on the socket
    /// once the client has it.
    pub fn on_upgrade<F, Fut>(self, config: WebSocketConfig, callback: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept = derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let socket = WebSocketStream::from_raw_socket(
                        Coalesce::new(TokioIo::new(upgraded)),
                        Role::Server,
                        Some(config),
                    )
                    .await;
                    callback(socket).await;
                }
                Err(e) => tracing::debug!(error = %e, "websocket upgrade failed"),
            }
        });
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        if let Ok(v) = HeaderValue::from_str(&accept) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, v);
        }
        response
    }
}
