//! Accounts: passwords (argon2id), sessions (random tokens in an HttpOnly
//! cookie, stored server-side only as SHA-256 hashes), sign-in rate limits,
//! and the `Viewer` extractor that tells a handler who is asking.
//!
//! CSRF: the session cookie is `SameSite=Lax`, so a cross-site POST carries
//! no session; and every state-changing endpoint reads a JSON body, which a
//! cross-site form cannot send without a CORS preflight we never grant.

pub mod api;
pub mod limiter;
pub mod password;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use cjm_store::User;
use sha2::{Digest, Sha256};

use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "cjm_session";
/// Sessions last 30 days from sign-in.
pub const SESSION_MS: i64 = 30 * 24 * 3600 * 1000;

/// A new random session token (256 bits), as sent in the cookie.
pub fn new_token() -> String {
    random_hex::<32>()
}

/// `N` random bytes from the OS, as hex.
pub fn random_hex<const N: usize>() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a session token (or, with `None`, one that removes it).
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    token_cookie(SESSION_COOKIE, token, secure)
}

/// `Set-Cookie` for a secret token kept for `SESSION_MS` in an HttpOnly,
/// SameSite=Lax cookie `name` (with `None`, one that removes it).
pub fn token_cookie(name: &str, token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!(
            "{name}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            SESSION_MS / 1000
        ),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// Whether cookies must be `Secure`: configured, or the request came over
/// TLS through a proxy that says so.
pub fn secure_request(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Who is asking: the signed-in account, if any. Never an error by itself;
/// handlers decide what an anonymous request may do.
pub struct Viewer(pub Option<User>);

impl Viewer {
    pub fn require(self) -> Result<User, ApiError> {
        self.0.ok_or(ApiError::Unauthorized)
    }
}

impl FromRequestParts<Arc<AppState>> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(Viewer(None));
        };
        let user = state
            .store
            .session_user(&token_hash(token), now_ms())
            .await?;
        Ok(Viewer(user))
    }
}
