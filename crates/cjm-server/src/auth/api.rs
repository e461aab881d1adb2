//! `/api/auth/*`: sign up, sign in, sign out, who am I, change password.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cjm_core::limits::MAX_NAME_CHARS;
use cjm_store::{StoreError, User};
use serde::Deserialize;
use serde_json::json;

use super::{Viewer, cookie, new_token, password, secure_request, session_cookie, token_hash};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

type St = State<Arc<AppState>>;

/// Emails are compared lower-cased and trimmed; the check is deliberately
/// loose (one `@`, something on each side, no spaces): the address is an
/// identifier here, nothing is sent to it.
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let ok = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'));
    if ok {
        Ok(email)
    } else {
        Err(ApiError::Invalid {
            code: "invalid_email",
            message: "enter an email address like name@example.com".into(),
        })
    }
}

/// The socket's address. A proxy's `X-Forwarded-For` is not trusted, so
/// that a client cannot pick its own rate-limit bucket.
pub fn client_address(connect: Option<&ConnectInfo<SocketAddr>>) -> String {
    connect
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Starts a session for `user` and answers with the account and the cookie.
async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let token = new_token();
    let now = now_ms();
    state
        .store
        .create_session(&token_hash(&token), user.id, now, now + super::SESSION_MS)
        .await?;
    let cookie = session_cookie(Some(&token), secure_request(state, headers));
    Ok((
        status,
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "user": user })),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct Signup {
    email: String,
    password: String,
    #[serde(default)]
    name: String,
}

pub async fn signup(
    State(state): St,
    headers: HeaderMap,
    body: Result<Json<Signup>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let email = normalize_email(&req.email)?;
    let name = req.name.trim();
    let name = if name.is_empty() {
        email.split('@').next().unwrap_or_default()
    } else {
        name
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid {
            code: "invalid_name",
            message: format!("the name must have at most {MAX_NAME_CHARS} characters"),
        });
    }
    password::check_new(&req.password, &email).map_err(|message| ApiError::Invalid {
        code: "weak_password",
        message,
    })?;
    let hash = hash_blocking(req.password).await?;
    let user = match state
        .store
        .create_user(uuid::Uuid::now_v7(), &email, name, &hash, now_ms())
        .await
    {
        Err(StoreError::Taken(_)) => {
            return Err(ApiError::Conflict {
                code: "email_taken",
                message: "an account with this email already exists; sign in instead".into(),
            });
        }
        other => other?,
    };
    tracing::info!(user = %user.id, admin = user.is_admin, "account created");
    signed_in(&state, &headers, &user, StatusCode::CREATED).await
}

/// argon2 takes tens of milliseconds of CPU: keep it off the async workers.
pub async fn hash_blocking(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| ApiError::Unexpected(e.to_string()))?
        .map_err(|e| ApiError::Unexpected(e.to_string()))
}

pub async fn verify_blocking(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || password::verify(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A hash to verify against when the email is unknown, so that a wrong
/// email and a wrong password take the same time.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password::hash("no account has this password").unwrap_or_default());

#[derive(Deserialize)]
pub struct Login {
    email: String,
    password: String,
}

pub async fn login(
    State(state): St,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let email = req.email.trim().to_lowercase();
    let address = client_address(connect.as_ref().map(|c| &c.0));
    if let Err(wait) = state.login_limiter.check(&email, &address) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return Err(ApiError::TooManyRequests {
            retry_after: wait.as_secs().max(1),
            message: format!("too many failed sign-in attempts; try again in {minutes} min"),
        });
    }
    let user = state.store.user_by_email(&email).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let ok = verify_blocking(req.password, phc).await && user.is_some();
    let Some(user) = user.filter(|_| ok) else {
        state.login_limiter.failed(&email, &address);
        return Err(ApiError::Unauthenticated("wrong email or password".into()));
    };
    state.login_limiter.succeeded(&email);
    signed_in(&state, &headers, &user, StatusCode::OK).await
}

pub async fn logout(State(state): St, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&headers, super::SESSION_COOKIE) {
        state.store.delete_session(&token_hash(token)).await?;
    }
    let cookie = session_cookie(None, secure_request(&state, &headers));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

pub async fn me(viewer: Viewer) -> Result<impl IntoResponse, ApiError> {
    let user = viewer.require()?;
    Ok(Json(json!({ "user": user })))
}

#[derive(Deserialize)]
pub struct ChangePassword {
    current: String,
    new: String,
}

/// Changes the password; every session of the account ends (other
/// browsers are signed out) and this browser gets a fresh one.
pub async fn change_password(
    State(state): St,
    headers: HeaderMap,
    viewer: Viewer,
    body: Result<Json<ChangePassword>, JsonRejection>,
) -> Result<Response, ApiError> {
    let user = viewer.require()?;
    let Json(req) = body?;
    if !verify_blocking(req.current, user.password_hash.clone()).await {
        return Err(ApiError::Unauthenticated(
            "the current password is wrong".into(),
        ));
    }
    password::check_new(&req.new, &user.email).map_err(|message| ApiError::Invalid {
        code: "weak_password",
        message,
    })?;
    let hash = hash_blocking(req.new).await?;
    state.store.set_password(user.id, &hash, now_ms()).await?;
    tracing::info!(user = %user.id, "password changed; sessions ended");
    signed_in(&state, &headers, &user, StatusCode::OK).await
}
