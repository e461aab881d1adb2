//! REST API: boards, their health figures and templates. Every error is JSON (see `error.rs`).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cjm_core::BoardId;
use cjm_core::health::{DEFAULT_STALE_DAYS, health};
use cjm_core::limits::MAX_NAME_CHARS;
use cjm_core::template::{Locale, TEMPLATES, Template};
use serde::Deserialize;

use crate::access::Caller;
use crate::access::{BoardAccess, needs};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use cjm_core::api;

type AppStateRef = State<Arc<AppState>>;

pub fn board_id(raw: &str) -> Result<BoardId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound("board not found".into()))
}

/// The boards the signed-in account is a member of, with its role.
pub async fn list_boards(
    State(state): AppStateRef,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let user = caller.require_user()?;
    let boards = state.store.list_boards(user.id).await?;
    Ok(Json(api::BoardList { boards }))
}

#[derive(Deserialize)]
pub struct CreateBoard {
    /// Empty or missing: the board takes its template's name.
    #[serde(default)]
    title: String,
    template: String,
    #[serde(default)]
    locale: Option<String>,
}

/// A new board, owned by the signed-in account.
pub async fn create_board(
    State(state): AppStateRef,
    caller: Caller,
    body: Result<Json<CreateBoard>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let user = caller.require_user()?.id;
    let Json(req) = body?;
    crate::auth::api::check_text("title", &req.title)?;
    let title = req.title.trim();
    if title.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidTitle,
            message: format!("the title is longer than {MAX_NAME_CHARS} characters"),
        });
    }
    let unknown = || ApiError::Invalid {
        code: cjm_core::ApiErrorCode::UnknownTemplate,
        message: format!(
            "unknown template {:?}; see GET /api/templates",
            req.template
        ),
    };
    let locale = match req.locale.as_deref() {
        None => Locale::En,
        Some(l) => Locale::parse(l).ok_or_else(|| ApiError::Invalid {
            code: cjm_core::ApiErrorCode::UnknownLocale,
            message: format!("unknown locale {l:?}; use \"en\" or \"ru\""),
        })?,
    };
    let now = now_ms();
    // A board without a title is called after its template (in the
    // board's language), not "New board": that says what it is.
    let mut board = match Template::parse(&req.template) {
        Some(template) => {
            let title = if title.is_empty() {
                template.name(locale)
            } else {
                title
            };
            template.build(BoardId::new(), title, locale)
        }
        None => {
            let id: uuid::Uuid = req.template.parse().map_err(|_| unknown())?;
            crate::saved_templates::instantiate(&state, id, user, title)
                .await?
                .ok_or_else(unknown)?
        }
    };
    // Template cards are as fresh as the board: staleness counts from here.
    for card in board.cards.values_mut() {
        card.updated_at = now;
    }
    crate::quotas::check_new_board(&state, user).await?;
    state.store.create_board(&board, Some(user), now).await?;
    tracing::info!(board = %board.id, template = %req.template, "board created");
    Ok((
        StatusCode::CREATED,
        Json(api::NewBoard {
            id: board.id,
            board,
            seq: 0,
        }),
    ))
}

pub async fn get_board(
    State(state): AppStateRef,
    BoardAccess {
        board: id, access, ..
    }: BoardAccess<needs::Viewer>,
) -> Result<impl IntoResponse, ApiError> {
    // The store always holds every acknowledged batch (rooms commit first).
    let (board, seq) = state
        .store
        .load_board(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    Ok(Json(api::BoardSnapshot {
        board,
        seq,
        role: access.role,
    }))
}

#[derive(Deserialize)]
pub struct HealthQuery {
    stale_days: Option<u32>,
}

/// Map-health figures (see `cjm_core::health`) for scripts and dashboards.
pub async fn board_health(
    State(state): AppStateRef,
    BoardAccess { board: id, .. }: BoardAccess<needs::Viewer>,
    query: Result<Query<HealthQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::InvalidQuery,
        message: e.body_text(),
    })?;
    let stale_days = query.stale_days.unwrap_or(DEFAULT_STALE_DAYS);
    if !(1..=3650).contains(&stale_days) {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidQuery,
            message: "stale_days must be between 1 and 3650".into(),
        });
    }
    let (board, seq) = state
        .store
        .load_board(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    let health = health(&board, now_ms(), stale_days);
    Ok(Json(api::BoardHealth { seq, health }))
}

pub async fn delete_board(
    State(state): AppStateRef,
    BoardAccess { board: id, .. }: BoardAccess<needs::Owner>,
) -> Result<impl IntoResponse, ApiError> {
    if !state.store.delete_board(id, now_ms()).await? {
        return Err(ApiError::NotFound("board not found".into()));
    }
    state.rooms.close(id).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Built-in templates (named in each language) and the caller's boards
/// saved as templates (one name, `"saved": true`).
pub async fn list_templates(
    State(state): AppStateRef,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let mut templates: Vec<api::TemplateChoice> = TEMPLATES
        .iter()
        .map(|t| api::TemplateChoice {
            id: t.id.as_str().to_string(),
            name_en: t.name_en.to_string(),
            name_ru: t.name_ru.to_string(),
            saved: false,
            created_at: None,
        })
        .collect();
    let saved = match &caller.user {
        Some(user) => state.store.list_templates(user.id).await?,
        None => Vec::new(),
    };
    templates.extend(saved.into_iter().map(|t| api::TemplateChoice {
        id: t.id.to_string(),
        name_en: t.name.clone(),
        name_ru: t.name,
        saved: true,
        created_at: Some(t.created_at),
    }));
    Ok(Json(api::TemplateList { templates }))
}

pub async fn healthz() -> impl IntoResponse {
    Json(api::Liveness {
        status: "ok".into(),
    })
}

pub async fn api_not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint".into())
}
