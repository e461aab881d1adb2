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
}

/// Sign-in attempts allowed in `LOGIN_WINDOW`: per account, per address.
const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
const LOGIN_PER_ACCOUNT: usize = 10;
const LOGIN_PER_ADDRESS: usize = 50;

impl AppState {
    pub fn new(store: Arc<dyn Store>, assets: Assets) -> Arc<Self> {
        Self::with_options(store, assets, false)
    }

    pub fn with_options(store: Arc<dyn Store>, assets: Assets, secure_cookies: bool) -> Arc<Self> {
        let (shutdown_tx, shutdown) = watch::channel(false);
        Arc::new(Self {
            rooms: Rooms::new(store.clone()),
            store,
            assets,
            shutdown,
            shutdown_tx,
            login_limiter: Limiter::new(LOGIN_WINDOW, LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS),
            secure_cookies,
        })
    }

    /// Closes every websocket and lets each room finish the commit it is in.
    pub async fn shutdown(&self) {
        let _ = self.shutdown_tx.send(true);
        self.rooms.shutdown().await;
    }
}
