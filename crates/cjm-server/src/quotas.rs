//! Per-account quotas: what one person may make the server keep. Item
//! counts and byte budgets inside a board are `cjm_core::limits`; these
//! bound how many boards and images an account (or a guest) piles up.

use cjm_core::BoardId;

use crate::error::ApiError;
use crate::state::AppState;

/// The quotas of a deployment (`Options::quotas`; these defaults fit a
/// company server).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// Live boards one account may own.
    pub owned_boards: u64,
    /// Bytes of images one person (account or guest) may have stored.
    pub upload_bytes_per_person: u64,
    /// Bytes of images one board may hold.
    pub upload_bytes_per_board: u64,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            owned_boards: 500,
            upload_bytes_per_person: 100 << 20,
            upload_bytes_per_board: 200 << 20,
        }
    }
}

/// `422 quota_exceeded` unless `user` may own one more board.
pub async fn check_new_board(state: &AppState, user: uuid::Uuid) -> Result<(), ApiError> {
    let max = state.quotas.owned_boards;
    if state.store.owned_boards(user).await? >= max {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::QuotaExceeded,
            message: format!("an account owns at most {max} boards; delete some first"),
        });
    }
    Ok(())
}

/// `422 quota_exceeded` unless `actor` may store `size` more bytes of
/// images on `board`.
pub async fn check_upload(
    state: &AppState,
    actor: &str,
    board: BoardId,
    size: u64,
) -> Result<(), ApiError> {
    let (mine, on_board) = state.store.upload_usage(actor, board).await?;
    let q = &state.quotas;
    if mine + size > q.upload_bytes_per_person || on_board + size > q.upload_bytes_per_board {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::QuotaExceeded,
            message: format!(
                "images are limited to {} KiB per person and {} KiB per board; remove unused ones first",
                q.upload_bytes_per_person >> 10,
                q.upload_bytes_per_board >> 10
            ),
        });
    }
    Ok(())
}
