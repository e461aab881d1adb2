//! What ending sessions does beyond the database: the websockets opened
//! with them end too, on this instance and (through the store) on the
//! others, so that signing out, changing a password, a reset from the
//! command line or deleting the account leaves no socket still editing.
//! And deleting one's own account (`DELETE /api/auth/account`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cjm_store::{AccountDeletion, SoleOwned};
use serde::Deserialize;

use super::Asker;
use super::api::confirm_password;
use crate::access::Grant;
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

/// Ends the live sockets of `user`'s session `session` (`None`: of all its
/// sessions), here and on the other instances.
pub async fn end_sockets(state: &AppState, user: uuid::Uuid, session: Option<u64>) {
    state.rooms.end_sessions(user, session).await;
    if let Err(e) = state.store.announce_sessions_ended(user, session).await {
        tracing::error!(error = %e, %user, "cannot tell the other instances that sessions ended");
    }
}

#[derive(Deserialize)]
pub struct DeleteAccount {
    password: String,
    /// What becomes of the boards this account alone owns; needed only
    /// when there are some.
    #[serde(default)]
    sole_owned: Option<SoleOwned>,
}

/// `DELETE /api/auth/account`: the signed-in account deletes itself,
/// confirmed with its password (guesses limited like signing in). Boards
/// it alone owns are handed over or deleted as `sole_owned` says; without
/// that choice, if there are any, the answer is 409 `sole_owner` with the
/// list. The rest is one store transaction (`Store::delete_account`);
/// then the deleted boards' rooms close, the new owners' sockets reconnect
/// with their new role, every socket of the account ends and this
/// browser's session cookie is cleared.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    asker: Asker,
    body: Result<Json<DeleteAccount>, JsonRejection>,
) -> Result<Response, ApiError> {
    let user = asker.require()?;
    let Json(req) = body?;
    let connect = connect.as_ref().map(|c| &c.0);
    confirm_password(&state, &headers, connect, &user, req.password).await?;
    let outcome = state
        .store
        .delete_account(user.id, req.sole_owned, now_ms())
        .await?;
    let (deleted_boards, transferred) = match outcome {
        AccountDeletion::SoleOwner(boards) => {
            let message = format!(
                "you are the only owner of {} board(s): choose to hand them over to another member or to delete them",
                boards.len()
            );
            let body = cjm_core::api::ErrorBody {
                error: cjm_core::api::ErrorDetail {
                    code: cjm_core::ApiErrorCode::SoleOwner,
                    message,
                    boards,
                },
            };
            return Ok((StatusCode::CONFLICT, Json(body)).into_response());
        }
        // Deleted meanwhile by another request of the same account.
        AccountDeletion::NoSuchAccount => return Err(ApiError::NotSignedIn),
        AccountDeletion::Deleted {
            deleted_boards,
            transferred,
        } => (deleted_boards, transferred),
    };
    for board in &deleted_boards {
        state.rooms.close(*board).await;
    }
    for (board, heir) in &transferred {
        crate::access::revoke(&state, *board, Grant::Member(*heir), false).await;
    }
    end_sockets(&state, user.id, None).await;
    tracing::info!(
        user = %user.id,
        deleted_boards = deleted_boards.len(),
        transferred = transferred.len(),
        "account deleted"
    );
    // The last account gone: the next one becomes the admin, made from
    // this machine or with a new setup token (as at a first start).
    if !state.store.has_users().await? {
        let token = super::random_hex::<16>();
        tracing::warn!(
            "no account left: the next one becomes the admin. Create it from this machine, \
             or from anywhere at /login?setup={token}"
        );
        *state.setup_token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token);
    }
    let cookie = super::session_cookie(None, super::secure_request(&state, &headers));
    let transferred = transferred
        .iter()
        .map(|&(board, owner)| cjm_core::api::Transferred { board, owner })
        .collect();
    Ok((
        StatusCode::OK,
        [(header::SET_COOKIE, cookie)],
        Json(cjm_core::api::AccountDeleted {
            deleted_boards,
            transferred,
        }),
    )
        .into_response())
}
