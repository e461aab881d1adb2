//! REST around comments: a board's threads (for the Comments panel and for
//! scripts), who can be mentioned, what each person has read, and the
//! account's inbox of mentions. Comments themselves change only through
//! websocket ops (see `cjm_core::comments`), so there is one write path.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use cjm_core::Comment;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::Caller;
use crate::access::{BoardAccess, needs};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

type St = State<Arc<AppState>>;

/// Mentions listed in the inbox.
const INBOX_LIMIT: u32 = 100;

#[derive(Deserialize, Default)]
pub struct CommentsQuery {
    /// `open`, `resolved` or `all` (the default): threads by state.
    status: Option<String>,
    /// Only threads in which the caller is mentioned.
    #[serde(default)]
    mentions_me: bool,
}

/// The board's comment threads about what is on the board now (comments
/// about deleted cards are kept for undo, not listed), oldest first, each
/// thread's first comment followed by its replies; and when the caller
/// last looked (`seen_at`: comments after it by others are new to them).
pub async fn list(
    State(state): St,
    BoardAccess {
        board: id, access, ..
    }: BoardAccess<needs::Viewer>,
    query: Result<Query<CommentsQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::InvalidQuery,
        message: e.body_text(),
    })?;
    let status = query.status.as_deref().unwrap_or("all");
    if !matches!(status, "open" | "resolved" | "all") {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidQuery,
            message: format!("unknown status {status:?}; use open, resolved or all"),
        });
    }
    let (board, seq) = state
        .store
        .load_board(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    let me = access.actor.parse::<Uuid>().unwrap_or_default();
    let mut roots: Vec<&Comment> = board
        .comments
        .values()
        .filter(|c| c.parent.is_none() && board.target_exists(c.on))
        .filter(|c| match status {
            "open" => !c.resolved,
            "resolved" => c.resolved,
            _ => true,
        })
        .collect();
    roots.sort_by_key(|c| (c.created_at, c.id));
    let mut comments: Vec<&Comment> = Vec::new();
    for root in roots {
        let mut replies: Vec<&Comment> = board
            .comments
            .values()
            .filter(|c| c.is_reply_to(root.id))
            .collect();
        if query.mentions_me
            && !std::iter::once(root)
                .chain(replies.iter().copied())
                .any(|c| c.mentions.contains(&me))
        {
            continue;
        }
        replies.sort_by_key(|c| (c.created_at, c.id));
        comments.push(root);
        comments.extend(replies);
    }
    let seen_at = state.store.comments_seen(id, me).await?;
    Ok(Json(cjm_core::api::CommentList {
        seq,
        you: access.actor,
        seen_at,
        comments: comments.into_iter().cloned().collect(),
    }))
}

/// Records that the caller has read the board's comments (now).
pub async fn seen(
    State(state): St,
    BoardAccess {
        board: id, access, ..
    }: BoardAccess<needs::Viewer>,
) -> Result<impl IntoResponse, ApiError> {
    let me = access.actor.parse::<Uuid>().unwrap_or_default();
    let now = now_ms();
    state.store.set_comments_seen(id, me, now).await?;
    Ok(Json(cjm_core::api::SeenAt { seen_at: now }))
}

/// Who a comment may mention: the board's members and the named guests of
/// its live links (names and ids, no emails). For those who may comment.
pub async fn people(
    State(state): St,
    BoardAccess { board: id, .. }: BoardAccess<needs::Commenter>,
) -> Result<impl IntoResponse, ApiError> {
    let people = state.store.board_people(id).await?;
    Ok(Json(cjm_core::api::PeopleList { people }))
}

/// The signed-in account's mentions on boards it is a member of, newest
/// first, with how many arrived since it last read them.
pub async fn inbox(State(state): St, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    let user = caller.require_user()?;
    let inbox = state.store.inbox(user.id, INBOX_LIMIT).await?;
    Ok(Json(inbox))
}

/// Marks every mention so far read.
pub async fn inbox_read(State(state): St, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    let user = caller.require_user()?;
    let now = now_ms();
    state.store.mark_inbox_read(user.id, now).await?;
    Ok(Json(cjm_core::api::ReadAt { read_at: now }))
}
