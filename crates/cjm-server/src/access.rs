//! Who is asking, and what they may do on a board.
//!
//! A caller is a signed-in account (session cookie), a browser let in
//! through share links (guest cookie), both, or neither. Its access to a
//! board is the strongest of its membership role and the roles of the
//! unexpired, unrevoked links it joined through. Every board handler and the
//! websocket upgrade ask here; nothing the client claims counts.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use cjm_core::{BoardId, Role};
use cjm_store::User;

use crate::auth::{our_cookie, session_lookup, token_hash};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

/// Cookie of a browser let in through share links (one per browser,
/// whatever the number of links).
pub const GUEST_COOKIE: &str = "cjm_guest";

/// How the caller reached the board (membership or a share link): what
/// removing a member or revoking a link takes away.
pub use cjm_store::Grant;

/// Ends the live sessions that came through `grant`, here and (through the
/// store) on the other server instances.
pub async fn revoke(state: &AppState, board: BoardId, grant: Grant, removed: bool) {
    state.rooms.revoke(board, grant, removed).await;
    if let Err(e) = state.store.announce_access(board, grant, removed).await {
        tracing::error!(error = %e, %board, "cannot tell the other instances about an access change");
    }
}

#[derive(Clone, Debug)]
pub struct Access {
    pub role: Role,
    pub grant: Grant,
    /// Stable id of the person: the actor of their edits and presence.
    pub actor: String,
    /// Shown to the others: the account's name or the guest's.
    pub name: String,
    /// When the link this access comes through expires.
    pub expires_at: Option<i64>,
    /// The signed-in account and the key of its session, if the caller has
    /// one: ending that session (or all the account's) ends this access's
    /// live sockets.
    pub account: Option<(uuid::Uuid, u64)>,
}

/// The request's account and guest cookie (either may be absent).
pub struct Caller {
    pub user: Option<User>,
    /// SHA-256 of the session cookie's token, with `user`.
    pub session: Option<Vec<u8>>,
    /// SHA-256 of the guest cookie.
    pub guest: Option<Vec<u8>>,
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let found = session_lookup(parts, state).await?;
        let guest = our_cookie(state, &parts.headers, GUEST_COOKIE).map(token_hash);
        Ok(Caller {
            user: found.user,
            session: found.hash,
            guest,
        })
    }
}

impl Caller {
    pub fn require_user(&self) -> Result<&User, ApiError> {
        self.user.as_ref().ok_or(ApiError::NotSignedIn)
    }

    /// The caller's strongest access to `board`, if any.
    pub async fn access(
        &self,
        state: &AppState,
        board: BoardId,
    ) -> Result<Option<Access>, ApiError> {
        let mut best: Option<Access> = None;
        let account = self
            .user
            .as_ref()
            .zip(self.session.as_deref())
            .map(|(u, h)| (u.id, crate::auth::session_key(h)));
        if let Some(user) = &self.user
            && let Some(role) = state.store.member_role(board, user.id).await?
        {
            best = Some(Access {
                role,
                grant: Grant::Member(user.id),
                actor: user.id.to_string(),
                name: user.name.clone(),
                expires_at: None,
                account,
            });
        }
        if let Some(hash) = &self.guest {
            let now = now_ms();
            for g in state.store.guest_links(hash, board).await? {
                if g.link.expired(now) || best.as_ref().is_some_and(|b| b.role >= g.link.role) {
                    continue;
                }
                // A signed-in person stays themselves, whichever way they came in.
                let (actor, name) = match &self.user {
                    Some(u) => (u.id.to_string(), u.name.clone()),
                    None => (g.guest_id.to_string(), g.name.clone()),
                };
                best = Some(Access {
                    role: g.link.role,
                    grant: Grant::Link(g.link.id),
                    actor,
                    name,
                    expires_at: g.link.expires_at,
                    account,
                });
            }
        }
        Ok(best)
    }

    /// Access of at least `role`. No access at all is a 404, so that the
    /// board's existence is not revealed; too weak a role is a 403.
    pub async fn require(
        &self,
        state: &AppState,
        board: BoardId,
        role: Role,
    ) -> Result<Access, ApiError> {
        match self.access(state, board).await? {
            None => Err(ApiError::NotFound("board not found".into())),
            Some(a) if a.role < role => Err(ApiError::Forbidden(format!(
                "you are a {} of this board; this needs {}",
                a.role.as_str(),
                role.as_str()
            ))),
            Some(a) => Ok(a),
        }
    }
}

/// The least role a handler needs, as a type (`BoardAccess<needs::Editor>`).
pub mod needs {
    use cjm_core::Role;

    pub trait Needs: Send + Sync + 'static {
        const ROLE: Role;
    }

    macro_rules! needs {
        ($($name:ident),*) => {$(
            #[doc = concat!("At least `Role::", stringify!($name), "`.")]
            pub struct $name;
            impl Needs for $name {
                const ROLE: Role = Role::$name;
            }
        )*};
    }
    needs!(Viewer, Commenter, Editor, Owner);
}

/// The prologue of every board handler as an extractor: the board of the
/// path's `{id}`, and the caller's access to it of at least `N::ROLE`
/// (a 404 without any access, so that a board's existence is not revealed;
/// a 403 for too weak a role).
pub struct BoardAccess<N> {
    pub board: BoardId,
    pub access: Access,
    pub caller: Caller,
    need: std::marker::PhantomData<N>,
}

impl<N: needs::Needs> FromRequestParts<Arc<AppState>> for BoardAccess<N> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let missing = || ApiError::NotFound("board not found".into());
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| missing())?;
        let raw = params
            .iter()
            .find(|(name, _)| *name == "id")
            .map(|(_, value)| value.to_string())
            .ok_or_else(missing)?;
        let board = crate::api::board_id(&raw)?;
        let caller = Caller::from_request_parts(parts, state).await?;
        let access = caller.require(state, board, N::ROLE).await?;
        Ok(BoardAccess {
            board,
            access,
            caller,
            need: std::marker::PhantomData,
        })
    }
}
