//! Boards saved as templates: `POST /api/boards/{id}/template` keeps a copy
//! of the board's structure (and, if asked, its content); new boards can
//! start from it like from a built-in template.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cjm_core::limits::MAX_NAME_CHARS;
use cjm_core::{Board, BoardId, Role};
use cjm_store::SavedTemplate;
use serde::Deserialize;

use crate::access::Caller;
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SaveTemplate {
    name: String,
    /// Keep cards and emotion curves too (a filled example), not only the
    /// stages, lanes and personas.
    #[serde(default)]
    include_cards: bool,
}

pub fn check_name(name: &str, code: cjm_core::ApiErrorCode) -> Result<String, ApiError> {
    crate::auth::api::check_text("name", name)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid {
            code,
            message: format!("the name must have 1 to {MAX_NAME_CHARS} characters"),
        });
    }
    Ok(name.to_string())
}

pub async fn save(
    State(state): State<Arc<AppState>>,
    Path(board): Path<String>,
    caller: Caller,
    body: Result<Json<SaveTemplate>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    // Templates belong to accounts: signed out is a 401 before anything
    // about the board is said (so not the `BoardAccess` extractor).
    let user = caller.require_user()?.id;
    let board = crate::api::board_id(&board)?;
    caller.require(&state, board, Role::Editor).await?;
    let Json(req) = body?;
    let name = check_name(&req.name, cjm_core::ApiErrorCode::InvalidName)?;
    let (mut content, _) = state
        .store
        .load_board(board)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    if !req.include_cards {
        content.cards.clear();
        content.emotions.clear();
    }
    let template = SavedTemplate {
        id: uuid::Uuid::now_v7(),
        name,
        board: content,
        created_at: now_ms(),
        owner: Some(user),
    };
    state.store.create_template(&template).await?;
    tracing::info!(%board, template = %template.id, "board saved as a template");
    Ok((
        StatusCode::CREATED,
        Json(cjm_core::api::SavedTemplateRef {
            id: template.id,
            name: template.name,
        }),
    ))
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let user = caller.require_user()?;
    let missing = || ApiError::NotFound("no such template".into());
    let id: uuid::Uuid = id.parse().map_err(|_| missing())?;
    // Templates saved before accounts are everyone's: only the admin may
    // delete one.
    if !state
        .store
        .delete_template(id, user.id, user.is_admin, now_ms())
        .await?
    {
        return Err(missing());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A new board from a saved template of `user`'s: the same stages, lanes,
/// personas (and content, if saved with it) under a new board id and title.
pub async fn instantiate(
    state: &AppState,
    id: uuid::Uuid,
    user: uuid::Uuid,
    title: &str,
) -> Result<Option<Board>, ApiError> {
    let Some(t) = state
        .store
        .load_template(id)
        .await?
        .filter(|t| t.owner.is_none_or(|o| o == user))
    else {
        return Ok(None);
    };
    let mut board = t.board;
    board.id = BoardId::new();
    // Without a title of its own, the board is called after the template.
    board.title = if title.is_empty() {
        t.name
    } else {
        title.to_string()
    };
    Ok(Some(board))
}
