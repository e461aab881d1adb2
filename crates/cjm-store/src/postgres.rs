//! Postgres backend: the team/production store, and the one that lets
//! several server instances serve one board (the board row lock in
//! `commit` keeps seqs gap-free across instances).

use std::time::Duration;

use cjm_core::BoardId;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::mpsc;

use crate::{Grant, Notice, StoreError};

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

    /// Forwards `cjm_boards` notifications: `"<board> <seq>"` for commits,
    /// `"access <board> member|link <id> removed|changed"` for access.
    /// sqlx's listener reconnects by itself; a commit notification lost
    /// meanwhile is made up for by the next one (rooms catch up from the op
    /// log, not from the payload).
    async fn listen_notices(&self) -> Result<mpsc::Receiver<Notice>, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen("cjm_boards").await?;
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        if let Some(notice) = parse_notice(n.payload())
                            && tx.send(notice).await.is_err()
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

fn parse_notice(payload: &str) -> Option<Notice> {
    let parts: Vec<&str> = payload.split(' ').collect();
    match parts.as_slice() {
        [board, seq] => Some(Notice::Commit(board.parse().ok()?, seq.parse().ok()?)),
        ["access", board, kind, id, what] => {
            let id = id.parse().ok()?;
            let grant = match *kind {
                "member" => Grant::Member(id),
                "link" => Grant::Link(id),
                _ => return None,
            };
            Some(Notice::Access {
                board: board.parse().ok()?,
                grant,
                removed: *what == "removed",
            })
        }
        ["signout", user, session] => Some(Notice::SessionsEnded {
            user: user.parse().ok()?,
            session: match *session {
                "all" => None,
                key => Some(key.parse().ok()?),
            },
        }),
        _ => None,
    }
}

fn signout_payload(user: uuid::Uuid, session: Option<u64>) -> String {
    match session {
        Some(key) => format!("signout {user} {key}"),
        None => format!("signout {user} all"),
    }
}

fn access_payload(board: BoardId, grant: Grant, removed: bool) -> String {
    let (kind, id) = match grant {
        Grant::Member(id) => ("member", id),
        Grant::Link(id) => ("link", id),
    };
    let what = if removed { "removed" } else { "changed" };
    format!("access {board} {kind} {id} {what}")
}

crate::shared::impl_store!(PgStore, sqlx::Postgres, "postgres", notify: true, {
    async fn listen(&self) -> Result<Option<tokio::sync::mpsc::Receiver<Notice>>, StoreError> {
        self.listen_notices().await.map(Some)
    }

    async fn announce_access(
        &self,
        board: BoardId,
        grant: Grant,
        removed: bool,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify('cjm_boards', $1)")
            .bind(access_payload(board, grant, removed))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn announce_sessions_ended(
        &self,
        user: uuid::Uuid,
        session: Option<u64>,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify('cjm_boards', $1)")
            .bind(signout_payload(user, session))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip() {
        let board = BoardId::new();
        let id = uuid::Uuid::now_v7();
        for (grant, removed) in [(Grant::Member(id), true), (Grant::Link(id), false)] {
            assert_eq!(
                parse_notice(&access_payload(board, grant, removed)),
                Some(Notice::Access {
                    board,
                    grant,
                    removed
                })
            );
        }
        assert_eq!(
            parse_notice(&format!("{board} 42")),
            Some(Notice::Commit(board, 42))
        );
        assert_eq!(parse_notice("access nonsense"), None);
        for session in [Some(u64::MAX), None] {
            assert_eq!(
                parse_notice(&signout_payload(id, session)),
                Some(Notice::SessionsEnded { user: id, session })
            );
        }
    }
}
