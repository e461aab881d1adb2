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
use crate::auth::{hex, lookup, our_cookie, token_hash};
use crate::error::ApiError;
use crate::state::AppState;

pub async fn writes(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    // Keyed by the account (all its sessions together), else by the guest
    // cookie's hash, so that the limiter never holds a secret. Without
    // either (signing up, joining a link) only the address counts: a whole
    // workshop may join from one office at once. The session lookup is
    // left in the request for the handler's extractors.
    let found = match lookup(&state, request.headers()).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let who = match &found.user {
        Some(user) => Some(format!("user:{}", user.id)),
        None => our_cookie(&state, request.headers(), GUEST_COOKIE)
            .map(|t| format!("guest:{}", hex(&token_hash(t)[..12]))),
    };
    request.extensions_mut().insert(found);
    let address = client_address(
        &state,
        request.headers(),
        request.extensions().get::<ConnectInfo<SocketAddr>>(),
    );
    let counted = match &who {
        Some(who) => state.write_limiter.hit(who, &address),
        None => state.write_limiter.hit_address(&address),
    };
    if let Err(wait) = counted {
        return ApiError::Throttled {
            what: crate::error::Throttle::Requests,
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
