//! Shared server state, built once at start-up and handed to every handler.

use std::sync::Arc;

use cjm_store::Store;
use tokio::sync::watch;

use crate::assets::Assets;
use crate::auth::hashing::HashPool;
use crate::auth::limiter::Limiter;
use crate::origin::PublicUrl;
use crate::rooms::Rooms;
use crate::socket_cap::SocketCap;

pub struct AppState {
    pub store: Arc<dyn Store>,
    pub rooms: Rooms,
    pub assets: Assets,
    /// Flips to true when the server shuts down; websocket tasks watch it.
    pub shutdown: watch::Receiver<bool>,
    shutdown_tx: watch::Sender<bool>,
    /// Failed sign-ins per account and per address.
    pub login_limiter: Limiter,
    /// Mark session cookies `Secure` (the server is reached over TLS).
    pub secure_cookies: bool,
    /// State-changing REST requests per account (or guest) and per address.
    pub write_limiter: Limiter,
    /// The Content-Security-Policy of every page (see `Options`).
    pub csp: axum::http::HeaderValue,
    /// At most a few argon2 hashes at once (memory).
    pub hashing: HashPool,
    /// See `Options::public_url`.
    pub public_url: Option<PublicUrl>,
    /// See `Options::trust_proxy`.
    pub trust_proxy: bool,
    /// Open websockets per person.
    pub sockets: SocketCap,
    /// See `Options::session_recheck`.
    pub session_recheck: std::time::Duration,
    pub quotas: crate::quotas::Quotas,
    /// While the server has no account: the one-time token that lets the
    /// first account (the admin) be created from elsewhere than this
    /// machine. Printed in the log at start-up.
    pub setup_token: std::sync::Mutex<Option<String>>,
}

/// How the server is deployed.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Mark session cookies `Secure` (the server is reached over TLS).
    pub secure_cookies: bool,
    /// Sites that may embed our pages in a frame (CSP `frame-ancestors`
    /// sources, e.g. `https://intranet.example.com`), to show a read-only
    /// board on a wall screen or a wiki. `None`: nobody.
    pub frame_ancestors: Option<String>,
    /// The URL people reach the server at (`https://board.example.com`):
    /// other `Host` names are refused and a browser's `Origin` must be
    /// exactly this. An https URL implies Secure cookies.
    pub public_url: Option<PublicUrl>,
    /// Believe `X-Forwarded-Host` and `X-Forwarded-Proto` (the server runs
    /// behind a reverse proxy that sets them).
    pub trust_proxy: bool,
    /// Websockets one person may have open at once (0: no cap).
    pub max_sockets_per_person: Option<usize>,
    /// How often an account's websocket re-checks that its session still
    /// lives (default `SESSION_RECHECK`).
    pub session_recheck: Option<std::time::Duration>,
    /// Boards and images per account (default `Quotas::default()`).
    pub quotas: Option<crate::quotas::Quotas>,
}

/// An account's websocket re-checks its session this often: what ends it
/// when another process (`cjm user reset-password` on SQLite) ended the
/// session without a way to tell this one.
pub const SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// Open websockets per person unless configured: tabs and devices of one
/// person, with room to spare.
pub const SOCKETS_PER_PERSON: usize = 50;

/// Only our own scripts and wasm may run; card text can never become code.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors ";

/// The policy with `frame-ancestors` set to the configured sources, or
/// `'none'` when there are none or they would break the header.
pub fn content_security_policy(frame_ancestors: Option<&str>) -> axum::http::HeaderValue {
    let sources = frame_ancestors
        .map(str::trim)
        .filter(|s| {
            !s.is_empty()
                && s.split_ascii_whitespace().all(|src| {
                    !src.contains([';', ',', '\''])
                        && (src.starts_with("https://")
                            || src.starts_with("http://")
                            || src == "self")
                })
        })
        .map(|s| {
            s.split_ascii_whitespace()
                .map(|src| if src == "self" { "'self'" } else { src })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "'none'".into());
    axum::http::HeaderValue::from_str(&format!("{CSP}{sources}"))
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("frame-ancestors 'none'"))
}

/// Sign-in attempts allowed in `LOGIN_WINDOW`: per account (or link) and
/// address, and per address; past `LOGIN_PER_ACCOUNT` from anywhere, an
/// account (or link) is slowed down, not locked (see `auth::limiter`).
pub const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
pub const LOGIN_PER_ACCOUNT: usize = 10;
pub const LOGIN_PER_ADDRESS: usize = 50;
/// State-changing REST calls a minute: generous for people, a wall for
/// scripts. A whole workshop may share one address (one office NAT).
pub const WRITE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);
pub const WRITES_PER_ACCOUNT: usize = 300;
pub const WRITES_PER_ADDRESS: usize = 3000;

impl AppState {
    pub fn new(store: Arc<dyn Store>, assets: Assets) -> Arc<Self> {
        Self::with_options(store, assets, Options::default())
    }

    pub fn with_options(store: Arc<dyn Store>, assets: Assets, options: Options) -> Arc<Self> {
        let (shutdown_tx, shutdown) = watch::channel(false);
        Arc::new(Self {
            rooms: Rooms::new(store.clone()),
            store,
            assets,
            shutdown,
            shutdown_tx,
            login_limiter: Limiter::new(LOGIN_WINDOW, LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS),
            secure_cookies: options.secure_cookies
                || options.public_url.as_ref().is_some_and(|u| u.https),
            write_limiter: Limiter::new(WRITE_WINDOW, WRITES_PER_ACCOUNT, WRITES_PER_ADDRESS),
            csp: content_security_policy(options.frame_ancestors.as_deref()),
            hashing: HashPool::for_this_machine(),
            public_url: options.public_url,
            trust_proxy: options.trust_proxy,
            sockets: SocketCap::new(options.max_sockets_per_person.unwrap_or(SOCKETS_PER_PERSON)),
            setup_token: std::sync::Mutex::new(None),
            session_recheck: options.session_recheck.unwrap_or(SESSION_RECHECK),
            quotas: options.quotas.unwrap_or_default(),
        })
    }

    /// Closes every websocket and lets each room finish the commit it is in.
    pub async fn shutdown(&self) {
        let _ = self.shutdown_tx.send(true);
        self.rooms.shutdown().await;
    }
}
