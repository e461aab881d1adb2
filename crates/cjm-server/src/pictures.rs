//! Pictures for lists: `GET /api/boards/{id}/thumbnail.svg`, a small
//! drawing of a board for the home page (viewer or better, like the
//! export), and `GET /api/templates/{id}/preview.svg`, a built-in
//! template's map drawn in full for the template gallery and the landing
//! page (public: built-in templates are the same for everyone).
//!
//! Both are SVG drawn by `cjm-export` and are cacheable: a thumbnail is
//! `private` with an ETag from the board's sequence number (the app's URL
//! carries `?v=<updated_at>`, so a changed board is a new URL); a preview
//! is `public` for a day and drawn once per template and language.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cjm_core::template::{Locale, Template};
use cjm_core::{BoardId, Role};
use cjm_export::Lang;
use cjm_export::draw::{self, Scope};
use serde::Deserialize;

use crate::access::Caller;
use crate::api::board_id;
use crate::error::ApiError;
use crate::state::AppState;

/// Bumped when the drawing changes, so that cached pictures are redrawn.
const DRAWING_VERSION: u32 = 1;
const THUMBNAIL_CACHE: &str = "private, max-age=86400";
const PREVIEW_CACHE: &str = "public, max-age=86400";
/// An SVG opened on its own is a document: it may run and fetch nothing.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

pub async fn thumbnail(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id: BoardId = board_id(&id)?;
    caller.require(&state, id, Role::Viewer).await?;
    let (board, seq) = state
        .store
        .load_board(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    let etag = format!("\"t{DRAWING_VERSION}-{seq}\"");
    if matches(&headers, &etag) {
        return Ok(not_modified(&etag, THUMBNAIL_CACHE));
    }
    let svg = tokio::task::spawn_blocking(move || cjm_export::thumb::thumbnail(&board))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(picture(svg, &etag, THUMBNAIL_CACHE))
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    locale: Option<String>,
}

pub async fn template_preview(
    Path(id): Path<String>,
    query: Result<Query<PreviewQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::InvalidQuery,
        message: e.body_text(),
    })?;
    // Only built-in templates have a public picture.
    let template = Template::parse(&id)
        .ok_or_else(|| ApiError::NotFound("no such built-in template".into()))?;
    let locale = match query.locale.as_deref() {
        None => Locale::En,
        Some(l) => Locale::parse(l).ok_or_else(|| ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidQuery,
            message: format!("unknown locale {l:?}; use \"en\" or \"ru\""),
        })?,
    };
    let etag = format!(
        "\"p{DRAWING_VERSION}-{}-{}-{}\"",
        env!("CARGO_PKG_VERSION"),
        template.as_str(),
        if locale == Locale::Ru { "ru" } else { "en" }
    );
    if matches(&headers, &etag) {
        return Ok(not_modified(&etag, PREVIEW_CACHE));
    }
    let svg = tokio::task::spawn_blocking(move || preview(template, locale))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(picture(svg.as_str().to_owned(), &etag, PREVIEW_CACHE))
}

/// Drawn previews by template and language.
type Previews = Mutex<HashMap<(Template, Locale), Arc<String>>>;

/// The template's board drawn in full, once per template and language.
fn preview(template: Template, locale: Locale) -> Arc<String> {
    static CACHE: OnceLock<Previews> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(svg) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(template, locale))
    {
        return svg.clone();
    }
    let board = template.build(BoardId::new(), template.name(locale), locale);
    let lang = if locale == Locale::Ru {
        Lang::Ru
    } else {
        Lang::En
    };
    let svg = Arc::new(draw::svg(&board, lang, &Scope::default()));
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((template, locale), svg.clone());
    svg
}

/// Whether `If-None-Match` names `etag` (or `*`).
fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

fn not_modified(etag: &str, cache: &'static str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    set(&mut response, etag, cache);
    response
}

fn picture(svg: String, etag: &str, cache: &'static str) -> Response {
    let mut response = (StatusCode::OK, svg).into_response();
    set(&mut response, etag, cache);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SVG_POLICY),
    );
    response
}

fn set(response: &mut Response, etag: &str, cache: &'static str) {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
}
