//! Board members: `GET/POST /api/boards/{id}/members`,
//! `PATCH/DELETE /api/boards/{id}/members/{user_id}` and
//! `DELETE /api/boards/{id}/invitations/{email}`. Only owners change
//! membership; a board always keeps at least one owner. Inviting an email
//! no account uses leaves a pending invitation, accepted by signing up
//! with that email. A member whose role
//! changes or who is removed is disconnected at once (a changed one comes
//! back with the new role).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cjm_core::{Role, api};
use cjm_store::StoreError;
use serde::Deserialize;

use crate::access::{BoardAccess, needs};
use crate::access::{Caller, Grant};
use crate::api::board_id;
use crate::auth::api::normalize_email;
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

type St = State<Arc<AppState>>;

/// Everyone with a membership sees who else is on the board; link guests
/// do not (the list has email addresses).
pub async fn list(
    State(state): St,
    BoardAccess { board, access, .. }: BoardAccess<needs::Viewer>,
) -> Result<impl IntoResponse, ApiError> {
    if !matches!(access.grant, Grant::Member(_)) {
        return Err(ApiError::Forbidden(
            "the member list is for members of the board".into(),
        ));
    }
    let members = state.store.members(board).await?;
    // Pending invitations are the owners' business (they show emails of
    // people who have not joined).
    let invitations = if access.role == Role::Owner {
        state.store.invitations(board).await?
    } else {
        Vec::new()
    };
    Ok(Json(api::MemberList {
        members,
        invitations,
        you: access.role,
    }))
}

#[derive(Deserialize)]
pub struct Invite {
    email: String,
    role: String,
}

fn parse_role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).ok_or_else(|| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::InvalidRole,
        message: format!("unknown role {raw:?}; use owner, editor, commenter or viewer"),
    })
}

pub async fn add(
    State(state): St,
    BoardAccess { board, access, .. }: BoardAccess<needs::Owner>,
    body: Result<Json<Invite>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let role = parse_role(&req.role)?;
    let email = normalize_email(&req.email)?;
    let Some(user) = state.store.user_by_email(&email).await? else {
        // No account yet: signing up with this email joins the board.
        let by = match access.grant {
            Grant::Member(user) => user,
            _ => return Err(ApiError::Forbidden("only members invite".into())),
        };
        state
            .store
            .invite(board, &email, role, by, now_ms())
            .await?;
        tracing::info!(%board, role = role.as_str(), "invitation made");
        return Ok((
            StatusCode::ACCEPTED,
            Json(api::Invited {
                email,
                role,
                pending: true,
            }),
        )
            .into_response());
    };
    // One statement decides, so parallel invitations of one account
    // cannot both add it.
    if !state
        .store
        .add_member(board, user.id, role, now_ms())
        .await?
    {
        return Err(ApiError::Conflict {
            code: cjm_core::ApiErrorCode::AlreadyMember,
            message: format!("{email} is already a member; change their role instead"),
        });
    }
    tracing::info!(%board, user = %user.id, role = role.as_str(), "member added");
    Ok((
        StatusCode::CREATED,
        Json(api::MemberAdded {
            user_id: user.id,
            email: user.email,
            name: user.name,
            role,
        }),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct ChangeRole {
    role: String,
}

fn member_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound("no such member".into()))
}

/// The store refuses (in the same transaction as the write) to leave a
/// board without an owner; this is how that refusal reads.
fn keep_an_owner(e: StoreError) -> ApiError {
    match e {
        StoreError::LastOwner => ApiError::Conflict {
            code: cjm_core::ApiErrorCode::LastOwner,
            message: "a board needs an owner: make someone else owner first".into(),
        },
        other => other.into(),
    }
}

pub async fn change(
    State(state): St,
    Path((_, user)): Path<(String, String)>,
    BoardAccess { board, .. }: BoardAccess<needs::Owner>,
    body: Result<Json<ChangeRole>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let user = member_id(&user)?;
    let Json(req) = body?;
    let role = parse_role(&req.role)?;
    let Some(old) = state.store.member_role(board, user).await? else {
        return Err(ApiError::NotFound("no such member".into()));
    };
    if old == role {
        return Ok(Json(api::MemberRole {
            user_id: user,
            role,
        }));
    }
    state
        .store
        .put_member(board, user, role, now_ms())
        .await
        .map_err(keep_an_owner)?;
    crate::access::revoke(&state, board, Grant::Member(user), false).await;
    tracing::info!(%board, %user, role = role.as_str(), "member role changed");
    Ok(Json(api::MemberRole {
        user_id: user,
        role,
    }))
}

/// Owners remove anyone; any member may leave by removing themselves.
pub async fn remove(
    State(state): St,
    Path((board, user)): Path<(String, String)>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let board = board_id(&board)?;
    let user = member_id(&user)?;
    let me = caller.user.as_ref().map(|u| u.id);
    let needed = if me == Some(user) {
        Role::Viewer
    } else {
        Role::Owner
    };
    caller.require(&state, board, needed).await?;
    if !state
        .store
        .remove_member(board, user)
        .await
        .map_err(keep_an_owner)?
    {
        return Err(ApiError::NotFound("no such member".into()));
    }
    crate::access::revoke(&state, board, Grant::Member(user), true).await;
    tracing::info!(%board, %user, "member removed");
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/boards/{id}/invitations/{email}`: takes back a pending
/// invitation (owner).
pub async fn cancel_invitation(
    State(state): St,
    Path((_, email)): Path<(String, String)>,
    BoardAccess { board, .. }: BoardAccess<needs::Owner>,
) -> Result<impl IntoResponse, ApiError> {
    let missing = || ApiError::NotFound("no such invitation".into());
    let email = normalize_email(&email).map_err(|_| missing())?;
    if !state.store.cancel_invitation(board, &email).await? {
        return Err(missing());
    }
    Ok(StatusCode::NO_CONTENT)
}
