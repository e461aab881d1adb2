//! Postgres backend: the team/production store, and the one that lets
//! several server instances serve one board (the board row lock in
//! `commit` keeps seqs gap-free across instances).

use std::time::Duration;

use cjm_core::BoardId;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::mpsc;

use crate::StoreError;

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("../../migrations/postgres")
            .run(&pool)
            .await?;
        Ok(Self { pool })
    }

    /// Forwards `cjm_boards` notifications (`"<board> <seq>"`). sqlx's
    /// listener reconnects by itself; a notification lost meanwhile is made
    /// up for by the next one (rooms catch up from the op log, not from the
    /// payload).
    async fn listen_commits(&self) -> Result<mpsc::Receiver<(BoardId, u64)>, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen("cjm_boards").await?;
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        let mut parts = n.payload().split(' ');
                        let board = parts.next().and_then(|b| b.parse().ok());
                        let seq = parts.next().and_then(|s| s.parse().ok());
                        if let (Some(board), Some(seq)) = (board, seq)
                            && tx.send((board, seq)).await.is_err()
                        {
                            return; // nobody listens any more
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(rx)
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }
}

crate::shared::impl_store!(PgStore, sqlx::Postgres, "postgres", notify: true, {
    async fn listen(
        &self,
    ) -> Result<Option<tokio::sync::mpsc::Receiver<(cjm_core::BoardId, u64)>>, StoreError> {
        self.listen_commits().await.map(Some)
    }
});
