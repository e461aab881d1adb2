//! Named versions of a map: save one (the board as stored now), list them,
//! open one read-only, compare two (or one with the board now), and
//! restore one as ordinary ops through the board's room, so that everyone
//! sees it live and it is in the op log. A version of the board as it was
//! is saved automatically before every restore, so a restore can itself
//! be taken back.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cjm_core::history::{compare, restore_ops};
use cjm_core::limits::{MAX_NAME_CHARS, MAX_TEXT_CHARS};
use cjm_core::{Board, BoardId, api};
use serde::Deserialize;

use crate::access::Access;
use crate::access::{BoardAccess, needs};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

/// Versions listed (newest first).
const LISTED: u32 = 100;

#[derive(Deserialize)]
pub struct NewVersion {
    name: String,
    #[serde(default)]
    note: String,
}

pub async fn save(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, access, .. }: BoardAccess<needs::Editor>,
    body: Result<Json<NewVersion>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(req) = body?;
    let name = req.name.trim();
    crate::auth::api::check_text("name", name)?;
    crate::auth::api::check_text("note", &req.note)?;
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidName,
            message: format!("a version's name has 1 to {MAX_NAME_CHARS} characters"),
        });
    }
    if req.note.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidNote,
            message: format!("a version's note has at most {MAX_TEXT_CHARS} characters"),
        });
    }
    let version = snapshot(&state, board, &access, name, req.note.trim(), false).await?;
    Ok((StatusCode::CREATED, Json(api::SavedVersion { version })))
}

/// Saves the board as stored now under `name`.
async fn snapshot(
    state: &AppState,
    board: BoardId,
    access: &Access,
    name: &str,
    note: &str,
    auto: bool,
) -> Result<cjm_store::Version, ApiError> {
    let (current, seq) = state
        .store
        .load_board(board)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    let version = cjm_store::Version {
        id: uuid::Uuid::now_v7(),
        board,
        seq,
        name: name.to_string(),
        note: note.to_string(),
        auto,
        actor: access.actor.clone(),
        actor_name: access.name.clone(),
        created_at: now_ms(),
    };
    state.store.put_version(&version, &current).await?;
    tracing::info!(%board, version = %version.id, seq, auto, "version saved");
    Ok(version)
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, .. }: BoardAccess<needs::Viewer>,
) -> Result<impl IntoResponse, ApiError> {
    let versions = state.store.versions(board, LISTED).await?;
    Ok(Json(api::VersionList { versions }))
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    Path((_, version)): Path<(String, String)>,
    BoardAccess { board, .. }: BoardAccess<needs::Viewer>,
) -> Result<impl IntoResponse, ApiError> {
    let (version, snapshot) = load(&state, board, &version).await?;
    Ok(Json(api::VersionSnapshot {
        version,
        board: snapshot,
    }))
}

async fn load(
    state: &AppState,
    board: BoardId,
    version: &str,
) -> Result<(cjm_store::Version, Board), ApiError> {
    let missing = || ApiError::NotFound("version not found".into());
    let id: uuid::Uuid = version.parse().map_err(|_| missing())?;
    state.store.version(board, id).await?.ok_or_else(missing)
}

#[derive(Deserialize)]
pub struct CompareQuery {
    from: String,
    /// A version id, or `current` (the default): the board as stored now.
    to: Option<String>,
}

/// `GET /api/boards/{id}/compare?from=<version>&to=<version|current>`.
pub async fn compare_versions(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, .. }: BoardAccess<needs::Viewer>,
    query: Result<Query<CompareQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::InvalidQuery,
        message: e.body_text(),
    })?;
    let side = |which: String| {
        let state = &state;
        async move {
            if which == "current" {
                let (b, seq) = state
                    .store
                    .load_board(board)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
                Ok::<_, ApiError>((api::CompareSide::Current { current: true, seq }, b))
            } else {
                let (v, b) = load(state, board, &which).await?;
                Ok((api::CompareSide::Version(v), b))
            }
        }
    };
    let (from_meta, from) = side(q.from).await?;
    let (to_meta, to) = side(q.to.unwrap_or_else(|| "current".into())).await?;
    let comparison = compare(&from, &to);
    Ok(Json(api::CompareReply {
        from: from_meta,
        to: to_meta,
        comparison,
        from_board: from,
        to_board: to,
    }))
}

/// `POST /api/boards/{id}/versions/{version}/restore`.
pub async fn restore(
    State(state): State<Arc<AppState>>,
    Path((_, version)): Path<(String, String)>,
    BoardAccess { board, access, .. }: BoardAccess<needs::Editor>,
) -> Result<impl IntoResponse, ApiError> {
    let (target, snapshot_board) = load(&state, board, &version).await?;
    let before = snapshot(
        &state,
        board,
        &access,
        &format!("Before restoring “{}”", target.name),
        "",
        true,
    )
    .await?;
    let build = Box::new(move |current: &Board| restore_ops(current, &snapshot_board));
    match state.rooms.server_batch(board, &access.actor, build).await {
        Ok(seq) => {
            tracing::info!(%board, version = %target.id, ?seq, "version restored");
            Ok(Json(api::Restored {
                restored: target.id,
                seq,
                saved_before: before,
            }))
        }
        Err(e) => Err(crate::import::batch_error(e)),
    }
}
