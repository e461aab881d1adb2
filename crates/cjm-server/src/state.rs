//! Shared server state, built once at start-up and handed to every handler.

use std::sync::Arc;

use cjm_store::Store;
use tokio::sync::watch;

use crate::assets::Assets;
use crate::auth::limiter::Limiter;
use crate::rooms::Rooms;

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
}

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

/// Sign-in attempts allowed in `LOGIN_WINDOW`: per account, per address.
const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
const LOGIN_PER_ACCOUNT: usize = 10;
const LOGIN_PER_ADDRESS: usize = 50;
/// State-changing REST calls a minute: generous for people, a wall for
/// scripts. A whole workshop may share one address (one office NAT).
const WRITE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);
const WRITES_PER_ACCOUNT: usize = 300;
const WRITES_PER_ADDRESS: usize = 3000;

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
            secure_cookies: options.secure_cookies,
            write_limiter: Limiter::new(WRITE_WINDOW, WRITES_PER_ACCOUNT, WRITES_PER_ADDRESS),
            csp: content_security_policy(options.frame_ancestors.as_deref()),
        })
    }

    /// Closes every websocket and lets each room finish the commit it is in.
    pub async fn shutdown(&self) {
        let _ = self.shutdown_tx.send(true);
        self.rooms.shutdown().await;
    }
}
