//! Accounts: passwords (argon2id), sessions (random tokens in an HttpOnly
//! cookie, stored server-side only as SHA-256 hashes), sign-in rate limits,
//! and the `Asker` extractor that tells a handler who is asking.
//!
//! CSRF: the session cookie is `SameSite=Lax`, so a cross-site POST carries
//! no session; and every state-changing request whose `Origin` or
//! `Sec-Fetch-Site` says it comes from another site is refused outright
//! (`crate::origin`).
//!
//! Over TLS the cookies carry the `__Host-` prefix: a browser accepts such a
//! cookie only from this very host over https, with `Path=/` and no
//! `Domain`, so a sibling subdomain or a plain-http page cannot plant one.

pub mod account;
pub mod api;
pub mod hashing;
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

/// A short key naming one session without its secret: the first 8 bytes
/// of its token's SHA-256 (what ending that session's sockets matches).
pub fn session_key(token_hash: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&token_hash[..8]);
    u64::from_be_bytes(b)
}

/// The cookie `base` as this request names it: `__Host-base` over TLS.
pub fn cookie_name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// The value of our cookie `base` (see `cookie_name`) in the request.
pub fn our_cookie<'a>(state: &AppState, headers: &'a HeaderMap, base: &str) -> Option<&'a str> {
    cookie(headers, &cookie_name(base, secure_request(state, headers)))
}

/// `Set-Cookie` for a session token (or, with `None`, one that removes it).
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    token_cookie(SESSION_COOKIE, token, secure)
}

/// `Set-Cookie` for a secret token kept for `SESSION_MS` in an HttpOnly,
/// SameSite=Lax cookie `base` (with `None`, one that removes it), named
/// `__Host-base` when `secure`.
pub fn token_cookie(base: &str, token: Option<&str>, secure: bool) -> String {
    let name = cookie_name(base, secure);
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
/// TLS through a proxy that says so (trusted only with `--trust-proxy`).
pub fn secure_request(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies
        || (state.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("https")))
}

/// Who is asking: the signed-in account, if any. Never an error by itself;
/// handlers decide what an anonymous request may do.
pub struct Asker(pub Option<User>);

/// The account a request's session cookie names, looked up once per
/// request (the write limiter does it first and leaves it here).
#[derive(Clone)]
pub struct SessionLookup {
    pub user: Option<User>,
    /// The SHA-256 of the cookie's token, when it names a live session.
    pub hash: Option<Vec<u8>>,
}

impl SessionLookup {
    pub fn key(&self) -> Option<u64> {
        self.hash.as_deref().map(session_key)
    }
}

/// Looks the session up, or takes the lookup already made for this request.
pub async fn session_lookup(
    parts: &mut Parts,
    state: &AppState,
) -> Result<SessionLookup, ApiError> {
    if let Some(found) = parts.extensions.get::<SessionLookup>() {
        return Ok(found.clone());
    }
    let found = lookup(state, &parts.headers).await?;
    parts.extensions.insert(found.clone());
    Ok(found)
}

/// The account and session key of the request's session cookie.
pub async fn lookup(state: &AppState, headers: &HeaderMap) -> Result<SessionLookup, ApiError> {
    let Some(token) = our_cookie(state, headers, SESSION_COOKIE) else {
        return Ok(SessionLookup {
            user: None,
            hash: None,
        });
    };
    let hash = token_hash(token);
    let user = state.store.session_user(&hash, now_ms()).await?;
    let hash = user.as_ref().map(|_| hash);
    Ok(SessionLookup { user, hash })
}

impl Asker {
    pub fn require(self) -> Result<User, ApiError> {
        self.0.ok_or(ApiError::NotSignedIn)
    }
}

impl FromRequestParts<Arc<AppState>> for Asker {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Asker(session_lookup(parts, state).await?.user))
    }
}
