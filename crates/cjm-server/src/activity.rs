//! `GET /api/boards/{id}/activity`: the op log told as readable lines,
//! newest first, a page at a time, filtered by person, stage and date.
//! Lines are made by `cjm_export::activity` from the batches the store
//! still holds (compaction drops the oldest).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use cjm_core::StageId;
use cjm_export::Lang;
use cjm_export::activity::{sentence, stages_touched, summarize};
use serde::Deserialize;

use crate::access::{BoardAccess, needs};
use crate::error::ApiError;
use crate::state::AppState;

/// Items per page by default, and at most.
const PAGE: usize = 50;
const MAX_PAGE: usize = 200;
/// Batches read to fill one filtered page, at most: a filter that matches
/// little answers a short page with `next_before` rather than reading the
/// whole log.
const MAX_SCANNED: u64 = 5_000;
const CHUNK: u64 = 500;

#[derive(Deserialize)]
pub struct ActivityQuery {
    /// Only batches with a smaller seq (the previous page's `next_before`).
    before: Option<u64>,
    limit: Option<usize>,
    /// Only this person's batches (actor id).
    actor: Option<String>,
    /// Only batches that touched this stage.
    stage: Option<uuid::Uuid>,
    /// Only batches at or after this time (unix ms).
    since: Option<i64>,
    lang: Option<String>,
}

pub async fn feed(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, .. }: BoardAccess<needs::Viewer>,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let invalid = |message: String| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::InvalidQuery,
        message,
    };
    let Query(q) = query.map_err(|e| invalid(e.body_text()))?;
    let lang = match q.lang.as_deref() {
        None => Lang::En,
        Some(l) => Lang::parse(l).ok_or_else(|| invalid(format!("unknown lang {l:?}")))?,
    };
    let limit = q.limit.unwrap_or(PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(invalid(format!("limit is 1 to {MAX_PAGE}")));
    }
    let (current, _) = state
        .store
        .load_board(board)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    let names: HashMap<String, String> = state
        .store
        .board_people(board)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    let stage = q.stage.map(StageId);
    let mut items = Vec::new();
    let mut before = q.before;
    let mut scanned = 0;
    let mut exhausted = false;
    'pages: while items.len() < limit && scanned < MAX_SCANNED {
        let batches = state.store.batches_before(board, before, CHUNK).await?;
        if batches.is_empty() {
            exhausted = true;
            break;
        }
        for a in batches {
            scanned += 1;
            before = Some(a.seq);
            if q.since.is_some_and(|since| a.at < since) {
                exhausted = true;
                break 'pages;
            }
            if q.actor.as_ref().is_some_and(|who| *who != a.actor)
                || stage.is_some_and(|s| !stages_touched(&a.ops, &current).contains(&s))
            {
                continue;
            }
            let lines = summarize(&a.ops);
            let who = names.get(&a.actor).cloned().unwrap_or_else(|| match lang {
                Lang::En => "Someone".into(),
                Lang::Ru => "Кто-то".into(),
            });
            items.push(cjm_core::api::ActivityItem {
                seq: a.seq,
                at: a.at,
                actor: a.actor,
                text: sentence(&who, &lines, &current, lang),
                actor_name: who,
                lines,
            });
            if items.len() == limit {
                break 'pages;
            }
        }
    }
    let next_before = if exhausted || before == Some(1) {
        None
    } else {
        before
    };
    Ok(Json(cjm_core::api::ActivityPage { items, next_before }))
}
