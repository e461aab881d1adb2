//! `/api/auth/*`: sign up, sign in, sign out, who am I, change password.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cjm_core::api::{Account, AccountReply};
use cjm_core::limits::MAX_NAME_CHARS;
use cjm_store::{StoreError, User};
use serde::Deserialize;

use super::{
    Asker, new_token, our_cookie, password, secure_request, session_cookie, session_key, token_hash,
};
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
            code: cjm_core::ApiErrorCode::InvalidEmail,
            message: "enter an email address like name@example.com".into(),
        })
    }
}

/// The client's address for the limits: the socket's, or, behind a
/// trusted proxy (`--trust-proxy`), the last `X-Forwarded-For` entry (the
/// one that proxy added). Without that flag the header is ignored, so that
/// a client cannot pick its own rate-limit bucket.
pub fn client_address(
    state: &AppState,
    headers: &HeaderMap,
    connect: Option<&ConnectInfo<SocketAddr>>,
) -> String {
    let forwarded = state
        .trust_proxy
        .then(|| headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .and_then(|a| a.parse::<std::net::IpAddr>().ok());
    match (forwarded, connect) {
        (Some(ip), _) => ip.to_string(),
        (None, Some(c)) => c.0.ip().to_string(),
        (None, None) => "unknown".into(),
    }
}

/// Whether the request comes from this machine itself (a loopback socket,
/// not forwarded by a proxy, to a host name a DNS-rebinding page cannot
/// pose as).
fn from_this_machine(
    state: &AppState,
    headers: &HeaderMap,
    connect: Option<&ConnectInfo<SocketAddr>>,
) -> bool {
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    connect.is_some_and(|c| c.0.ip().is_loopback())
        && !forwarded
        && crate::origin::host_is_literal(state, headers)
}

/// A REST text field (a name, a title): no control characters other than
/// tab and newline, by the same rule as every text on a board.
pub fn check_text(field: &str, value: &str) -> Result<(), ApiError> {
    if value.chars().any(cjm_core::text::is_forbidden_char) {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidText,
            message: format!("the {field} contains a control character"),
        });
    }
    Ok(())
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
        Json(account_reply(user)),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct Signup {
    email: String,
    password: String,
    #[serde(default)]
    name: String,
    /// The one-time setup token, for the first account made from another
    /// machine than the server's.
    #[serde(default)]
    setup_token: Option<String>,
}

pub async fn signup(
    State(state): St,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<Signup>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let email = normalize_email(&req.email)?;
    check_text("name", &req.name)?;
    let connect = connect.as_ref().map(|c| &c.0);
    // The first account is the server's admin: made from the server's own
    // machine, or by whoever read the setup token in its log.
    if !state.store.has_users().await? && !from_this_machine(&state, &headers, connect) {
        let expected = state
            .setup_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let given = req.setup_token.as_deref().unwrap_or_default();
        let ok = expected.is_some_and(|t| {
            t.len() == given.len() && t.bytes().zip(given.bytes()).all(|(a, b)| a == b)
        });
        if !ok {
            return Err(ApiError::Forbidden(
                "this server has no account yet: create the first one from the server's own machine, or with the setup token printed in the server's log (/login?setup=…)".into(),
            ));
        }
    }
    let name = req.name.trim();
    let name = if name.is_empty() {
        email.split('@').next().unwrap_or_default()
    } else {
        name
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidName,
            message: format!("the name must have at most {MAX_NAME_CHARS} characters"),
        });
    }
    password::check_new(&req.password, &email).map_err(|message| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::WeakPassword,
        message,
    })?;
    let hash = hash_blocking(&state, req.password).await?;
    let user = match state
        .store
        .create_user(uuid::Uuid::now_v7(), &email, name, &hash, now_ms())
        .await
    {
        Err(StoreError::Taken(_)) => {
            return Err(ApiError::Conflict {
                code: cjm_core::ApiErrorCode::EmailTaken,
                message: "an account with this email already exists; sign in instead".into(),
            });
        }
        other => other?,
    };
    tracing::info!(user = %user.id, admin = user.is_admin, "account created");
    // Boards that invited this email before the account existed.
    let joined = state
        .store
        .accept_invitations(user.id, &email, now_ms())
        .await?;
    if !joined.is_empty() {
        tracing::info!(user = %user.id, boards = joined.len(), "invitations accepted");
    }
    if user.is_admin {
        *state.setup_token.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
    signed_in(&state, &headers, &user, StatusCode::CREATED).await
}

/// argon2 takes tens of milliseconds of CPU and 19 MiB: it runs off the
/// async workers, a few at a time (`AppState::hashing`).
pub async fn hash_blocking(state: &AppState, password: String) -> Result<String, ApiError> {
    state
        .hashing
        .run(move || password::hash(&password))
        .await?
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Whether `password` matches `phc`; `busy` when too many are checked.
pub async fn verify_blocking(
    state: &AppState,
    password: String,
    phc: String,
) -> Result<bool, ApiError> {
    state
        .hashing
        .run(move || password::verify(&password, &phc))
        .await
}

/// Checks the signed-in `user`'s own password before a grave change
/// (a new password, deleting the account): guesses count against the
/// sign-in limits exactly like signing in.
pub async fn confirm_password(
    state: &AppState,
    headers: &HeaderMap,
    connect: Option<&ConnectInfo<SocketAddr>>,
    user: &User,
    given: String,
) -> Result<(), ApiError> {
    let address = client_address(state, headers, connect);
    state
        .login_limiter
        .begin(&user.email, &address)
        .map_err(|wait| too_many_attempts(wait, "wrong passwords"))?;
    if !verify_blocking(state, given, user.password_hash.clone()).await? {
        return Err(ApiError::WrongCredentials(
            "the current password is wrong".into(),
        ));
    }
    state.login_limiter.succeeded(&user.email, &address);
    Ok(())
}

/// The answer when a sign-in limit is reached.
pub fn too_many_attempts(wait: std::time::Duration, what: &str) -> ApiError {
    let secs = wait.as_secs().max(1);
    let when = if secs < 120 {
        format!("{secs} s")
    } else {
        format!("{} min", secs.div_ceil(60))
    };
    ApiError::Throttled {
        what: crate::error::Throttle::Attempts,
        retry_after: secs,
        message: format!("too many {what}; try again in {when}"),
    }
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
    // Validated (and so capped) before it becomes a limiter key.
    let email = normalize_email(&req.email)?;
    let address = client_address(&state, &headers, connect.as_ref().map(|c| &c.0));
    // Counted before the hash is checked: parallel guesses meet the limit.
    state
        .login_limiter
        .begin(&email, &address)
        .map_err(|wait| too_many_attempts(wait, "failed sign-in attempts"))?;
    let user = state.store.user_by_email(&email).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let ok = verify_blocking(&state, req.password, phc).await? && user.is_some();
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::WrongCredentials("wrong email or password".into()));
    };
    state.login_limiter.succeeded(&email, &address);
    signed_in(&state, &headers, &user, StatusCode::OK).await
}

/// Ends this browser's session, and the sockets it opened.
pub async fn logout(State(state): St, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = our_cookie(&state, &headers, super::SESSION_COOKIE) {
        let hash = token_hash(token);
        let user = state.store.session_user(&hash, now_ms()).await?;
        state.store.delete_session(&hash).await?;
        if let Some(user) = user {
            super::account::end_sockets(&state, user.id, Some(session_key(&hash))).await;
        }
    }
    let cookie = session_cookie(None, secure_request(&state, &headers));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

pub async fn me(asker: Asker) -> Result<impl IntoResponse, ApiError> {
    let user = asker.require()?;
    Ok(Json(account_reply(&user)))
}

/// What a person sees of their own account (never its password hash).
pub fn account_reply(user: &User) -> AccountReply {
    AccountReply {
        user: Account {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            is_admin: user.is_admin,
            created_at: user.created_at,
        },
    }
}

#[derive(Deserialize)]
pub struct ChangePassword {
    current: String,
    new: String,
}

/// Changes the password; every session of the account ends (other
/// browsers are signed out, their sockets closed) and this browser gets a
/// fresh one. Guessing the current password here is limited like signing
/// in.
pub async fn change_password(
    State(state): St,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    asker: Asker,
    body: Result<Json<ChangePassword>, JsonRejection>,
) -> Result<Response, ApiError> {
    let user = asker.require()?;
    let Json(req) = body?;
    let connect = connect.as_ref().map(|c| &c.0);
    confirm_password(&state, &headers, connect, &user, req.current).await?;
    password::check_new(&req.new, &user.email).map_err(|message| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::WeakPassword,
        message,
    })?;
    let hash = hash_blocking(&state, req.new).await?;
    state.store.set_password(user.id, &hash, now_ms()).await?;
    super::account::end_sockets(&state, user.id, None).await;
    tracing::info!(user = %user.id, "password changed; sessions ended");
    signed_in(&state, &headers, &user, StatusCode::OK).await
}
