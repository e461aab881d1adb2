//! REST API: boards and templates. Every error is JSON (see `error.rs`).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cjm_core::BoardId;
use cjm_core::limits::MAX_NAME_CHARS;
use cjm_core::template::{Locale, TEMPLATES, Template};
use serde::Deserialize;
use serde_json::json;

use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

type AppStateRef = State<Arc<AppState>>;

fn board_id(raw: &str) -> Result<BoardId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound("board not found".into()))
}

pub async fn list_boards(State(state): AppStateRef) -> Result<impl IntoResponse, ApiError> {
    let boards = state.store.list_boards().await?;
    Ok(Json(json!({ "boards": boards })))
}

#[derive(Deserialize)]
pub struct CreateBoard {
    title: String,
    template: String,
    #[serde(default)]
    locale: Option<String>,
}

pub async fn create_board(
    State(state): AppStateRef,
    body: Result<Json<CreateBoard>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(req) = body?;
    let title = req.title.trim();
    if title.is_empty() {
        return Err(ApiError::Invalid {
            code: "invalid_title",
            message: "the title must not be empty".into(),
        });
    }
    if title.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid {
            code: "invalid_title",
            message: format!("the title is longer than {MAX_NAME_CHARS} characters"),
        });
    }
    let template = Template::parse(&req.template).ok_or_else(|| ApiError::Invalid {
        code: "unknown_template",
        message: format!(
            "unknown template {:?}; see GET /api/templates",
            req.template
        ),
    })?;
    let locale = match req.locale.as_deref() {
        None => Locale::En,
        Some(l) => Locale::parse(l).ok_or_else(|| ApiError::Invalid {
            code: "unknown_locale",
            message: format!("unknown locale {l:?}; use \"en\" or \"ru\""),
        })?,
    };
    let board = template.build(BoardId::new(), title, locale);
    state.store.create_board(&board, now_ms()).await?;
    tracing::info!(board = %board.id, ?template, "board created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": board.id, "board": board, "seq": 0 })),
    ))
}

pub async fn get_board(
    State(state): AppStateRef,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = board_id(&id)?;
    // The store always holds every acknowledged batch (rooms commit first).
    let (board, seq) = state
        .store
        .load_board(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    Ok(Json(json!({ "board": board, "seq": seq })))
}

pub async fn delete_board(
    State(state): AppStateRef,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = board_id(&id)?;
    if !state.store.delete_board(id, now_ms()).await? {
        return Err(ApiError::NotFound("board not found".into()));
    }
    state.rooms.close(id).await;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_templates() -> impl IntoResponse {
    Json(json!({ "templates": TEMPLATES }))
}

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn api_not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint".into())
}
