//! Per-account (or per-guest) and per-address limits on state-changing REST
//! calls, with a clear `429 rate_limited` and `Retry-After`. Reads are not
//! limited here; websocket batches have their own per-connection limit
//! (`ws.rs`), and sign-in attempts theirs (`auth::limiter`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::access::GUEST_COOKIE;
use crate::auth::api::client_address;
use crate::auth::{SESSION_COOKIE, cookie, hex, token_hash};
use crate::error::ApiError;
use crate::state::AppState;

pub async fn writes(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    // Keyed by the cookie's hash, so that the limiter never holds a secret.
    // Without a cookie (signing up, joining a link) only the address
    // counts: a whole workshop may join from one office at once.
    let who = cookie(headers, SESSION_COOKIE)
        .or_else(|| cookie(headers, GUEST_COOKIE))
        .map(|t| hex(&token_hash(t)[..12]));
    let address = client_address(request.extensions().get::<ConnectInfo<SocketAddr>>());
    let counted = match &who {
        Some(who) => state.write_limiter.hit(who, &address),
        None => state.write_limiter.hit_address(&address),
    };
    if let Err(wait) = counted {
        return ApiError::RateLimited {
            retry_after: wait.as_secs().max(1),
            message: format!(
                "too many changes in a short time; try again in {} s",
                wait.as_secs().max(1)
            ),
        }
        .into_response();
    }
    next.run(request).await
}
