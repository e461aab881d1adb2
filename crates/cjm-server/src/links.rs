//! Share links: `GET/POST /api/boards/{id}/links`,
//! `DELETE /api/boards/{id}/links/{link_id}` (owners only), and for anyone
//! holding a token `GET /api/links/{token}` and `POST /api/links/{token}/join`.
//!
//! A token is 128 random bits shown once, at creation; the server keeps
//! only its SHA-256. Joining sets a guest cookie (its hash is what the
//! server keeps) that lets this browser in with the link's role until the
//! link expires or is revoked; revoking disconnects its guests at once.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cjm_core::{Role, api};
use cjm_store::ShareLink;
use serde::Deserialize;

use crate::access::{BoardAccess, needs};
use crate::access::{Caller, GUEST_COOKIE, Grant};
use crate::auth::api::{
    check_text, client_address, hash_blocking, too_many_attempts, verify_blocking,
};
use crate::auth::{our_cookie, random_hex, secure_request, token_cookie, token_hash};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

type St = State<Arc<AppState>>;

/// Links live at most a year; "never expires" is `null`.
const MAX_LINK_MS: i64 = 366 * 24 * 3600 * 1000;
const MIN_LINK_PASSWORD_CHARS: usize = 6;
const MAX_LINK_PASSWORD_CHARS: usize = 200;
const MAX_GUEST_NAME_CHARS: usize = 64;

fn link_info(l: &ShareLink, now: i64) -> api::LinkInfo {
    api::LinkInfo {
        id: l.id,
        role: l.role,
        has_password: l.password_hash.is_some(),
        expires_at: l.expires_at,
        expired: l.expired(now),
        created_at: l.created_at,
        last_used_at: l.last_used_at,
    }
}

pub async fn list(
    State(state): St,
    BoardAccess { board, .. }: BoardAccess<needs::Owner>,
) -> Result<impl IntoResponse, ApiError> {
    let now = now_ms();
    let links: Vec<_> = state
        .store
        .links(board)
        .await?
        .iter()
        .map(|l| link_info(l, now))
        .collect();
    Ok(Json(api::LinkList { links }))
}

#[derive(Deserialize)]
pub struct NewLink {
    role: String,
    /// Unix milliseconds; absent or null: never.
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    password: Option<String>,
}

pub async fn create(
    State(state): St,
    BoardAccess { board, access, .. }: BoardAccess<needs::Owner>,
    body: Result<Json<NewLink>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Grant::Member(created_by) = access.grant else {
        return Err(ApiError::Forbidden("only members create links".into()));
    };
    let Json(req) = body?;
    let role = match Role::parse(&req.role) {
        Some(r @ (Role::Viewer | Role::Editor)) => r,
        _ => {
            return Err(ApiError::Invalid {
                code: cjm_core::ApiErrorCode::InvalidRole,
                message: "a link gives the viewer or the editor role".into(),
            });
        }
    };
    let now = now_ms();
    if let Some(t) = req.expires_at
        && !(now < t && t <= now + MAX_LINK_MS)
    {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidExpiry,
            message: "the expiry must be in the future, within a year".into(),
        });
    }
    let password_hash = match req.password.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => {
            let n = p.chars().count();
            if !(MIN_LINK_PASSWORD_CHARS..=MAX_LINK_PASSWORD_CHARS).contains(&n) {
                return Err(ApiError::Invalid {
                    code: cjm_core::ApiErrorCode::InvalidPassword,
                    message: format!(
                        "a link password has {MIN_LINK_PASSWORD_CHARS} to {MAX_LINK_PASSWORD_CHARS} characters"
                    ),
                });
            }
            Some(hash_blocking(&state, p.to_string()).await?)
        }
    };
    // 128 bits, hex.
    let token = random_hex::<16>();
    let link = ShareLink {
        id: uuid::Uuid::now_v7(),
        board,
        role,
        password_hash,
        expires_at: req.expires_at,
        created_by,
        created_at: now,
        last_used_at: None,
    };
    state.store.create_link(&link, &token_hash(&token)).await?;
    tracing::info!(%board, link = %link.id, role = role.as_str(), "share link created");
    let body = api::NewLink {
        link: link_info(&link, now),
        url: format!("/s/{token}"),
        token,
    };
    Ok((StatusCode::CREATED, Json(body)))
}

pub async fn revoke(
    State(state): St,
    Path((_, link)): Path<(String, String)>,
    BoardAccess { board, .. }: BoardAccess<needs::Owner>,
) -> Result<impl IntoResponse, ApiError> {
    let missing = || ApiError::NotFound("no such link".into());
    let link: uuid::Uuid = link.parse().map_err(|_| missing())?;
    if !state.store.revoke_link(board, link, now_ms()).await? {
        return Err(missing());
    }
    crate::access::revoke(&state, board, Grant::Link(link), true).await;
    tracing::info!(%board, %link, "share link revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// The link behind a token, if it still lets anyone in.
async fn live_link(state: &AppState, token: &str) -> Result<ShareLink, ApiError> {
    let gone = || ApiError::LinkGone;
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(gone());
    }
    let link = state
        .store
        .link_by_token(&token_hash(token))
        .await?
        .ok_or_else(gone)?;
    if link.expired(now_ms()) {
        return Err(gone());
    }
    Ok(link)
}

/// What the join page needs to ask for. The board's title is shown only
/// when no password guards it.
pub async fn describe(
    State(state): St,
    Path(token): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let link = live_link(&state, &token).await?;
    let needs_password = link.password_hash.is_some();
    let title = if needs_password {
        None
    } else {
        state
            .store
            .load_board(link.board)
            .await?
            .map(|(b, _)| b.title)
    };
    Ok(Json(api::LinkDescription {
        board_id: link.board,
        title,
        role: link.role,
        needs_password,
        needs_name: link.role == Role::Editor,
        expires_at: link.expires_at,
    }))
}

#[derive(Deserialize, Default)]
pub struct Join {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// A display name: control characters dropped, trimmed, 1..=64 characters.
fn clean_name(raw: &str) -> Option<String> {
    let name: String = raw.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= MAX_GUEST_NAME_CHARS).then(|| name.to_string())
}

pub async fn join(
    State(state): St,
    Path(token): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<Join>, JsonRejection>,
) -> Result<Response, ApiError> {
    let link = live_link(&state, &token).await?;
    let Json(req) = body?;
    if let Some(phc) = &link.password_hash {
        // Limited per link and address (hard) and per link (soft), counted
        // before the password is checked; see `auth::limiter`.
        let address = client_address(&state, &headers, connect.as_ref().map(|c| &c.0));
        let key = format!("link:{}", link.id);
        state
            .login_limiter
            .begin(&key, &address)
            .map_err(|wait| too_many_attempts(wait, "wrong passwords"))?;
        let given = req.password.clone().unwrap_or_default();
        if !verify_blocking(&state, given, phc.clone()).await? {
            return Err(ApiError::WrongLinkPassword);
        }
        state.login_limiter.succeeded(&key, &address);
    }
    // Editors are named in presence and as authors; a signed-in person is
    // named by their account.
    if let Some(name) = &req.name {
        check_text("name", name)?;
    }
    let name = match (&caller.user, req.name.as_deref().map(clean_name)) {
        (Some(user), _) => user.name.clone(),
        (None, Some(Some(name))) => name,
        (None, Some(None)) => {
            return Err(ApiError::Invalid {
                code: cjm_core::ApiErrorCode::InvalidName,
                message: format!("a name has 1 to {MAX_GUEST_NAME_CHARS} characters"),
            });
        }
        (None, None) if link.role == Role::Editor => {
            return Err(ApiError::Invalid {
                code: cjm_core::ApiErrorCode::NameRequired,
                message: "tell the others who you are: enter your name".into(),
            });
        }
        (None, None) => "Guest".to_string(),
    };
    // One guest cookie per browser, whatever the number of links joined;
    // but a cookie the browser brings is kept only if it is a guest of this
    // very link already. Otherwise a fresh token replaces it (taking over
    // its other links), so that a cookie someone planted in this browser
    // never gains what this join grants.
    let presented = our_cookie(&state, &headers, GUEST_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let already_here = match presented {
        Some(t) => state
            .store
            .guest_links(&token_hash(t), link.board)
            .await?
            .iter()
            .any(|g| g.link.id == link.id),
        None => false,
    };
    let guest_token = match presented {
        Some(t) if already_here => t.to_string(),
        _ => {
            let fresh = crate::auth::new_token();
            if let Some(old) = presented {
                state
                    .store
                    .rekey_guest(&token_hash(old), &token_hash(&fresh))
                    .await?;
            }
            fresh
        }
    };
    state
        .store
        .add_guest(&token_hash(&guest_token), link.id, &name, now_ms())
        .await?;
    tracing::info!(board = %link.board, link = %link.id, "joined through a share link");
    let body = Json(api::Joined {
        board_id: link.board,
        role: link.role,
        name,
    });
    let mut response = body.into_response();
    let set = token_cookie(
        GUEST_COOKIE,
        Some(&guest_token),
        secure_request(&state, &headers),
    );
    if let Ok(v) = header::HeaderValue::from_str(&set) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}
