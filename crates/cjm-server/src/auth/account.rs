//! What ending sessions does beyond the database: the websockets opened
//! with them end too, on this instance and (through the store) on the
//! others, so that signing out, changing a password, a reset from the
//! command line or deleting the account leaves no socket still editing.

use crate::state::AppState;

/// Ends the live sockets of `user`'s session `session` (`None`: of all its
/// sessions), here and on the other instances.
pub async fn end_sockets(state: &AppState, user: uuid::Uuid, session: Option<u64>) {
    state.rooms.end_sessions(user, session).await;
    if let Err(e) = state.store.announce_sessions_ended(user, session).await {
        tracing::error!(error = %e, %user, "cannot tell the other instances that sessions ended");
    }
}
