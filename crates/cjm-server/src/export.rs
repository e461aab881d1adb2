//! `GET /api/boards/{id}/export`: the map as a file (cards CSV, tracker
//! tasks CSV, XLSX workbook, full JSON, the manager's report in Markdown)
//! for whoever may view the board, share-link guests included; and
//! `POST /api/boards/import`: a JSON export back into a new board of the
//! signed-in account, with its images. The files are made by `cjm-export`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cjm_core::BoardId;
use cjm_core::history::compare;
use cjm_export::draw::{self, Scope};
use cjm_export::pages::{self, Paper};
use cjm_export::{Exported, Lang, json as board_json, report, sheets};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use crate::access::Caller;
use crate::access::{BoardAccess, needs};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use crate::uploads::{MAX_UPLOAD_BYTES, sniff_image};

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    lang: Option<String>,
    /// PNG: 1 or 2.
    scale: Option<f32>,
    /// SVG, PNG, PDF: only these cards (ids, comma-separated).
    cards: Option<String>,
    /// PDF: `a4` (default) or `a3` landscape pages, or `long`: the whole
    /// map on one page.
    paper: Option<String>,
    /// Report: what changed since this date (`YYYY-MM-DD`, UTC), against
    /// the newest version made by then.
    since: Option<String>,
    /// Show the file in the browser instead of saving it (a drawing or
    /// the PDF opened in a tab).
    #[serde(default)]
    inline: bool,
}

/// The formats `format=` names.
const FORMATS: &str = "csv, opportunities_csv, xlsx, json, md, html, svg, png, pdf";

pub async fn export(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, .. }: BoardAccess<needs::Viewer>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (current, _) = state
        .store
        .load_board(board)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    respond(&state, board, current, query).await
}

/// `GET /api/boards/{id}/versions/{version}/export`: a version as it was
/// saved, in any export format (to look at an old map, or hand it on).
pub async fn export_version(
    State(state): State<Arc<AppState>>,
    Path((_, version)): Path<(String, String)>,
    BoardAccess { board, .. }: BoardAccess<needs::Viewer>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let missing = || ApiError::NotFound("version not found".into());
    let version: uuid::Uuid = version.parse().map_err(|_| missing())?;
    let (_, then) = state
        .store
        .version(board, version)
        .await?
        .ok_or_else(missing)?;
    respond(&state, board, then, query).await
}

/// The export of `current` (the board now, or a version of it).
async fn respond(
    state: &AppState,
    board: BoardId,
    current: cjm_core::Board,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::InvalidQuery,
        message: e.body_text(),
    })?;
    let lang = match query.lang.as_deref() {
        None => Lang::En,
        Some(l) => Lang::parse(l).ok_or_else(|| ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidQuery,
            message: format!("unknown lang {l:?}; use \"en\" or \"ru\""),
        })?,
    };
    let format = query.format.as_deref().unwrap_or("json");
    if !FORMATS.split(", ").any(|f| f == format) {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidQuery,
            message: format!("unknown format {format:?}; use one of {FORMATS}"),
        });
    }
    let now = now_ms();
    let images = if format == "json" {
        images_of(state, &current).await?
    } else {
        Vec::new()
    };
    let scale = query.scale.unwrap_or(1.0);
    if scale != 1.0 && scale != 2.0 {
        return Err(ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidQuery,
            message: "scale is 1 or 2".into(),
        });
    }
    let scope = Scope {
        cards: match query.cards.as_deref() {
            None => None,
            Some(list) => Some(
                list.split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().map(cjm_core::CardId))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| ApiError::Invalid {
                        code: cjm_core::ApiErrorCode::InvalidQuery,
                        message: "cards is a comma-separated list of card ids".into(),
                    })?,
            ),
        },
        ..Scope::default()
    };
    let paper = match query.paper.as_deref().unwrap_or("a4") {
        "long" => None,
        p => Some(Paper::parse(p).ok_or_else(|| ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidQuery,
            message: format!("unknown paper {p:?}; use a4, a3 or long"),
        })?),
    };
    let since = match query.since.as_deref() {
        None => None,
        Some(day) => {
            let at = cjm_core::import::parse_date(day)
                .filter(|d| d.len() == 10 && day.len() == 10)
                .and_then(|d| day_end_ms(&d))
                .ok_or_else(|| ApiError::Invalid {
                    code: cjm_core::ApiErrorCode::InvalidQuery,
                    message: format!("since is a date, YYYY-MM-DD: {day:?}"),
                })?;
            let version = state
                .store
                .versions(board, 1000)
                .await?
                .into_iter()
                .find(|v| v.created_at <= at)
                .ok_or_else(|| ApiError::Invalid {
                    code: cjm_core::ApiErrorCode::NoVersionBefore,
                    message: format!("no version of this board was saved by {day}"),
                })?;
            let then = state
                .store
                .version(board, version.id)
                .await?
                .map(|(_, b)| b)
                .ok_or_else(|| ApiError::NotFound("version not found".into()))?;
            Some((version, then))
        }
    };
    let query_inline = query.inline;
    let format = format.to_string();
    // Building a workbook of a big board is CPU work: off the async threads.
    let (out, suffix) = tokio::task::spawn_blocking(move || {
        let failed = |e: cjm_export::ExportError| ApiError::Internal(e.to_string());
        Ok::<_, ApiError>(match format.as_str() {
            "csv" => (sheets::cards_csv(&current, lang).map_err(failed)?, ""),
            "opportunities_csv" => (
                sheets::opportunities_csv(&current, lang).map_err(failed)?,
                " - opportunities",
            ),
            "xlsx" => (sheets::workbook(&current, lang).map_err(failed)?, ""),
            "svg" => (draw::svg_file(&current, lang, &scope), ""),
            "png" => (
                draw::png(&current, lang, &scope, scale).map_err(failed)?,
                "",
            ),
            "pdf" => match paper {
                Some(paper) if scope.cards.is_none() => {
                    (pages::pdf(&current, lang, paper).map_err(failed)?, "")
                }
                _ => (draw::pdf(&current, lang, &scope).map_err(failed)?, ""),
            },
            "md" | "html" => {
                let comparison = since.as_ref().map(|(_, then)| compare(then, &current));
                let since = since
                    .as_ref()
                    .zip(comparison.as_ref())
                    .map(|((v, then), c)| report::Since {
                        at: v.created_at,
                        name: &v.name,
                        then,
                        comparison: c,
                    });
                let out = if format == "md" {
                    Exported {
                        bytes: report::markdown(&current, lang, now, since.as_ref()).into_bytes(),
                        content_type: "text/markdown; charset=utf-8",
                        extension: "md",
                    }
                } else {
                    Exported {
                        bytes: report::html(&current, lang, now, since.as_ref()).into_bytes(),
                        content_type: "text/html; charset=utf-8",
                        extension: "html",
                    }
                };
                (out, " - report")
            }
            _ => (
                Exported {
                    bytes: board_json::export(&current, images, now),
                    content_type: "application/json",
                    extension: "json",
                },
                "",
            ),
        })
        .map(|(out, suffix)| {
            (
                out,
                format!("{}{suffix}", cjm_export::file_stem(&current.title)),
            )
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(download(out, &suffix, query_inline))
}

/// The file as a download named `stem.extension` (RFC 6266: an ASCII
/// fallback and the UTF-8 name, which keeps a Cyrillic title).
fn download(out: Exported, stem: &str, inline: bool) -> Response {
    if out.extension == "html" || inline {
        return report_page(out);
    }
    let utf8 =
        utf8_percent_encode(&format!("{stem}.{}", out.extension), NON_ALPHANUMERIC).to_string();
    let disposition = format!(
        "attachment; filename=\"board.{}\"; filename*=UTF-8''{utf8}",
        out.extension
    );
    let mut response = (StatusCode::OK, out.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(out.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A file to look at, not to save (the report page, or any export with
/// `inline=true`): shown in the browser, with a policy that lets it run
/// nothing and fetch nothing (its styles and drawing are inline).
fn report_page(out: Exported) -> Response {
    let mut response = (StatusCode::OK, out.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(out.content_type),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
        ),
    );
    response
}

/// The last millisecond of a UTC day `YYYY-MM-DD`.
fn day_end_ms(day: &str) -> Option<i64> {
    let (y, m, d): (i64, i64, i64) = (
        day.get(0..4)?.parse().ok()?,
        day.get(5..7)?.parse().ok()?,
        day.get(8..10)?.parse().ok()?,
    );
    // Days from civil (H. Hinnant), the inverse of `report::date`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days + 1) * 86_400_000 - 1)
}

/// The uploads the board's personas show, for the JSON export.
async fn images_of(
    state: &AppState,
    board: &cjm_core::Board,
) -> Result<Vec<board_json::Image>, ApiError> {
    let mut images = Vec::new();
    for p in board.personas.values() {
        let Some(id) = p.avatar_url.as_deref().and_then(upload_id) else {
            continue;
        };
        if let Some(up) = state.store.get_upload(id).await?
            && up.board_id == board.id
            && !images
                .iter()
                .any(|i: &board_json::Image| i.id == id.to_string())
        {
            images.push(board_json::Image {
                id: id.to_string(),
                content_type: up.content_type,
                data: board_json::base64_encode(&up.bytes),
            });
        }
    }
    Ok(images)
}

fn upload_id(url: &str) -> Option<uuid::Uuid> {
    url.strip_prefix("/api/uploads/")?.parse().ok()
}

/// `POST /api/boards/import`: the body is a JSON export. The board is
/// rebuilt and checked (see `cjm_export::json`), its images are checked
/// like uploads, and only then is anything created.
pub async fn import_board(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let user = caller.require_user()?.id;
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the export is larger than {} MB",
                board_json::MAX_IMPORT_BYTES >> 20
            ))
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })?;
    let id = BoardId::new();
    let (mut board, images) = tokio::task::spawn_blocking(move || board_json::import(&bytes, id))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Invalid {
            code: match e {
                board_json::ImportError::Malformed(_) => cjm_core::ApiErrorCode::MalformedExport,
                board_json::ImportError::Version(_) => cjm_core::ApiErrorCode::UnsupportedVersion,
                board_json::ImportError::Invalid(_) => cjm_core::ApiErrorCode::InvalidBoard,
            },
            message: e.to_string(),
        })?;
    crate::auth::api::check_text("title", &board.title)?;
    // Images: the ones a persona shows, under new ids.
    let mut uploads: Vec<cjm_store::Upload> = Vec::new();
    let mut renamed: HashMap<String, uuid::Uuid> = HashMap::new();
    for image in images {
        let used = board.personas.values().any(|p| {
            p.avatar_url
                .as_deref()
                .and_then(upload_id)
                .map(|u| u.to_string())
                == Some(image.id.clone())
        });
        if !used || renamed.contains_key(&image.id) {
            continue;
        }
        let bad = |why: &str| ApiError::Invalid {
            code: cjm_core::ApiErrorCode::InvalidBoard,
            message: format!("image {}: {why}", image.id),
        };
        let data = board_json::base64_decode(&image.data).ok_or_else(|| bad("not base64"))?;
        if data.len() > MAX_UPLOAD_BYTES {
            return Err(bad("larger than 1 MB"));
        }
        let content_type =
            sniff_image(&data).ok_or_else(|| bad("not a PNG, JPEG, GIF or WebP image"))?;
        let new_id = uuid::Uuid::now_v7();
        renamed.insert(image.id.clone(), new_id);
        uploads.push(cjm_store::Upload {
            id: new_id,
            board_id: board.id,
            content_type: content_type.into(),
            bytes: data,
        });
    }
    for p in board.personas.values_mut() {
        if let Some(old) = p.avatar_url.as_deref().and_then(upload_id)
            && let Some(new_id) = renamed.get(&old.to_string())
        {
            p.avatar_url = Some(format!("/api/uploads/{new_id}"));
        }
    }
    board.recount();
    crate::quotas::check_new_board(&state, user).await?;
    let actor = user.to_string();
    let total: u64 = uploads.iter().map(|u| u.bytes.len() as u64).sum();
    if total > 0 {
        crate::quotas::check_upload(&state, &actor, board.id, total).await?;
    }
    let now = now_ms();
    state.store.create_board(&board, Some(user), now).await?;
    for up in &uploads {
        state.store.put_upload(up, &actor, now).await?;
    }
    tracing::info!(board = %board.id, cards = board.cards.len(), images = uploads.len(), "board imported");
    Ok((
        StatusCode::CREATED,
        Json(cjm_core::api::NewBoard {
            id: board.id,
            board,
            seq: 0,
        }),
    ))
}
