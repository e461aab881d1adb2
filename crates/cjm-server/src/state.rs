//! Shared server state, built once at start-up and handed to every handler.

use std::sync::Arc;

use cjm_store::Store;
use tokio::sync::watch;

use crate::assets::Assets;
use crate::rooms::Rooms;

pub struct AppState {
    pub store: Arc<dyn Store>,
    pub rooms: Rooms,
    pub assets: Assets,
    /// Flips to true when the server shuts down; websocket tasks watch it.
    pub shutdown: watch::Receiver<bool>,
    shutdown_tx: watch::Sender<bool>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, assets: Assets) -> Arc<Self> {
        let (shutdown_tx, shutdown) = watch::channel(false);
        Arc::new(Self {
            rooms: Rooms::new(store.clone()),
            store,
            assets,
            shutdown,
            shutdown_tx,
        })
    }

    /// Closes every websocket and lets each room finish the commit it is in.
    pub async fn shutdown(&self) {
        let _ = self.shutdown_tx.send(true);
        self.rooms.shutdown().await;
    }
}
