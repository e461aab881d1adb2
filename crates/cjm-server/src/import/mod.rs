//! `POST /api/boards/{id}/import`: quotes from a CSV or XLSX file become
//! cards with evidence (or evidence on cards that exist), in one batch
//! that every client receives like any other; `?dry_run=true` previews it.
//! The import is recorded so that `POST .../imports/{import}/undo` takes it
//! back, also after a reload and from another browser.
//!
//! The rows are planned by `cjm_core::import` against the board inside its
//! room (`Rooms::server_batch`), so the batch applies to exactly the board
//! it was checked against.

pub mod table;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cjm_core::import::{self as plan_import, ColumnRef, Field, Mapping, Plan, Table};
use cjm_core::{ApplyCtx, Board, CardId, Evidence};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::access::{BoardAccess, needs};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::room::ServerBatchError;
use crate::state::AppState;
use table::TableError;

/// The largest file accepted: 10,000 rows of quotes fit several times.
pub const MAX_IMPORT_BYTES: usize = 10 << 20;
/// Imports listed by `GET .../imports`.
const LISTED_IMPORTS: u32 = 20;

#[derive(Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    /// Import the valid rows and leave out the others (by default any
    /// row error stops the whole import).
    #[serde(default)]
    skip_invalid: bool,
}

/// The multipart form: the file and, optionally, a mapping.
struct Form {
    file: Vec<u8>,
    file_name: String,
    overrides: HashMap<String, Option<ColumnRef>>,
}

pub async fn import(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, access, .. }: BoardAccess<needs::Editor>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let form = read_form(multipart.map_err(|e| ApiError::BadRequest(e.body_text()))?).await?;
    let file_name = form.file_name.clone();
    let sheet = tokio::task::spawn_blocking(move || table::read(&form.file))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(table_error)?;
    let map =
        plan_import::mapping(&sheet.table, &form.overrides).map_err(|e| ApiError::Invalid {
            code: cjm_core::ApiErrorCode::BadMapping,
            message: e.to_string(),
        })?;
    let table = Arc::new(sheet.table);

    if query.dry_run {
        let (current, _) = state
            .store
            .load_board(board)
            .await?
            .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
        let (table2, map2) = (table.clone(), map.clone());
        let actor = access.actor.clone();
        let plan = tokio::task::spawn_blocking(move || {
            plan_import::plan(&current, &table2, &map2, ApplyCtx::by(now_ms(), &actor))
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        let report = report(
            &sheet_info(sheet.format, sheet.encoding),
            &table,
            &map,
            &plan,
            true,
        );
        return Ok(Json(report).into_response());
    }

    // Planned in the room against its board; the plan comes back beside
    // the batch's outcome.
    let (plan_tx, plan_rx) = oneshot::channel::<Plan>();
    let (table2, map2, actor, skip) = (
        table.clone(),
        map.clone(),
        access.actor.clone(),
        query.skip_invalid,
    );
    let build = Box::new(move |current: &Board| {
        let plan = plan_import::plan(current, &table2, &map2, ApplyCtx::by(now_ms(), &actor));
        let ops = if plan.valid == 0 || (plan.invalid > 0 && !skip) {
            Vec::new()
        } else {
            plan.ops.clone()
        };
        let _ = plan_tx.send(plan);
        ops
    });
    let outcome = state.rooms.server_batch(board, &access.actor, build).await;
    let plan = plan_rx
        .await
        .map_err(|_| ApiError::NotFound("board not found".into()))?;
    let info = sheet_info(sheet.format, sheet.encoding);
    let seq = match outcome {
        Ok(Some(seq)) => seq,
        Ok(None) => {
            let (code, message) = if plan.valid == 0 {
                (
                    cjm_core::ApiErrorCode::NothingToImport,
                    "no row of the file can be imported".to_string(),
                )
            } else {
                (
                    cjm_core::ApiErrorCode::ImportInvalid,
                    format!(
                        "{} of {} rows have errors; fix them, or import the others with skip_invalid=true",
                        plan.invalid, plan.rows
                    ),
                )
            };
            let mut body = report(&info, &table, &map, &plan, false);
            body["error"] = json!({ "code": code, "message": message });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
        }
        Err(e) => return Err(batch_error(e)),
    };
    let record = cjm_store::Import {
        id: uuid::Uuid::now_v7(),
        board,
        actor: access.actor.clone(),
        file_name,
        created_at: now_ms(),
        seq,
        rows: plan.rows as u64,
        cards: plan.cards_created.len() as u64,
        evidence: plan.evidence_attached.len() as u64,
        undo: serde_json::to_value(Undo {
            cards_created: plan.cards_created.clone(),
            evidence_attached: plan.evidence_attached.clone(),
        })
        .unwrap_or_default(),
        undone_at: None,
    };
    state.store.put_import(&record).await?;
    tracing::info!(%board, import = %record.id, rows = plan.rows, valid = plan.valid, seq, "quotes imported");
    let mut body = report(&info, &table, &map, &plan, false);
    body["import_id"] = json!(record.id);
    body["seq"] = json!(seq);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/boards/{id}/imports`: the board's recent imports.
pub async fn list(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, .. }: BoardAccess<needs::Editor>,
) -> Result<impl IntoResponse, ApiError> {
    let imports = state.store.imports(board, LISTED_IMPORTS).await?;
    let imports = imports
        .into_iter()
        .map(|i| cjm_core::api::ImportRecord {
            id: i.id,
            board: i.board,
            actor: i.actor,
            file_name: i.file_name,
            created_at: i.created_at,
            seq: i.seq,
            rows: i.rows,
            cards: i.cards,
            evidence: i.evidence,
            undone_at: i.undone_at,
        })
        .collect();
    Ok(Json(cjm_core::api::ImportList { imports }))
}

/// `POST /api/boards/{id}/imports/{import}/undo`: deletes the cards the
/// import created and takes its quotes off the cards it added them to, as
/// they are now (cards deleted since are left alone), in one batch.
pub async fn undo(
    State(state): State<Arc<AppState>>,
    Path((_, import_id)): Path<(String, String)>,
    BoardAccess { board, access, .. }: BoardAccess<needs::Editor>,
) -> Result<impl IntoResponse, ApiError> {
    let not_found = || ApiError::NotFound("import not found".into());
    let import_id: uuid::Uuid = import_id.parse().map_err(|_| not_found())?;
    let record = state
        .store
        .import(board, import_id)
        .await?
        .ok_or_else(not_found)?;
    let what: Undo = serde_json::from_value(record.undo.clone())
        .map_err(|e| ApiError::Internal(format!("import record unreadable: {e}")))?;
    // Claimed first, so that two clicks cannot take it back twice.
    if !state
        .store
        .set_import_undone(board, import_id, Some(now_ms()))
        .await?
    {
        return Err(ApiError::Conflict {
            code: cjm_core::ApiErrorCode::AlreadyUndone,
            message: "this import was already undone".into(),
        });
    }
    let (counts_tx, counts_rx) = oneshot::channel::<(usize, usize)>();
    let build = Box::new(move |current: &Board| {
        let ops = plan_import::undo_ops(current, &what.cards_created, &what.evidence_attached);
        let deleted = ops
            .iter()
            .filter(|op| matches!(op, cjm_core::Op::DeleteCard { .. }))
            .count();
        let _ = counts_tx.send((deleted, ops.len() - deleted));
        ops
    });
    let outcome = state.rooms.server_batch(board, &access.actor, build).await;
    let (deleted, updated) = counts_rx.await.unwrap_or_default();
    match outcome {
        Ok(seq) => {
            tracing::info!(%board, import = %import_id, deleted, updated, "import undone");
            Ok(Json(cjm_core::api::ImportUndone {
                undone: true,
                seq,
                cards_deleted: deleted,
                cards_updated: updated,
            }))
        }
        Err(e) => {
            let _ = state.store.set_import_undone(board, import_id, None).await;
            Err(batch_error(e))
        }
    }
}

/// What an import added, kept to take it back.
#[derive(Serialize, Deserialize)]
struct Undo {
    cards_created: Vec<CardId>,
    evidence_attached: Vec<(CardId, Evidence)>,
}

async fn read_form(mut multipart: Multipart) -> Result<Form, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the file is larger than {} MB",
                MAX_IMPORT_BYTES >> 20
            ))
        } else {
            ApiError::BadRequest(e.body_text())
        }
    };
    let mut file: Option<(Vec<u8>, String)> = None;
    let mut overrides = HashMap::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("").chars().take(200).collect();
                let bytes = field.bytes().await.map_err(bad)?;
                file = Some((bytes.to_vec(), name));
            }
            Some("mapping") => {
                let text = field.text().await.map_err(bad)?;
                if !text.trim().is_empty() {
                    overrides = serde_json::from_str(&text).map_err(|e| ApiError::Invalid {
                        code: cjm_core::ApiErrorCode::BadMapping,
                        message: format!(
                            "mapping must be a JSON object of field to column header, column number (from 1) or null: {e}"
                        ),
                    })?;
                }
            }
            _ => {}
        }
    }
    let (file, file_name) = file.ok_or_else(|| {
        ApiError::BadRequest("send the file in the multipart field \"file\"".into())
    })?;
    Ok(Form {
        file,
        file_name,
        overrides,
    })
}

fn table_error(e: TableError) -> ApiError {
    let code = match e {
        TableError::Empty => cjm_core::ApiErrorCode::EmptyFile,
        TableError::TooManyRows | TableError::TooManyColumns | TableError::TooLarge => {
            cjm_core::ApiErrorCode::FileTooLarge
        }
        TableError::Unreadable(_) => cjm_core::ApiErrorCode::UnreadableFile,
    };
    ApiError::Invalid {
        code,
        message: e.to_string(),
    }
}

/// A server batch that did not apply, as the REST answer.
pub(crate) fn batch_error(e: ServerBatchError) -> ApiError {
    match e {
        ServerBatchError::NotFound => ApiError::NotFound("board not found".into()),
        ServerBatchError::Storage => ApiError::Internal(e.to_string()),
        ServerBatchError::Refused(e) => ApiError::Conflict {
            code: cjm_core::ApiErrorCode::BoardChanged,
            message: format!("the board refused the batch ({e}); try again"),
        },
    }
}

fn sheet_info(format: table::Format, encoding: Option<&'static str>) -> Value {
    json!({ "format": format.as_str(), "encoding": encoding })
}

/// The report of a dry run or an import (see docs/api.md).
fn report(info: &Value, table: &Table, map: &Mapping, plan: &Plan, dry_run: bool) -> Value {
    let mapping: serde_json::Map<String, Value> = Field::ALL
        .into_iter()
        .filter_map(|f| {
            map.get(&f)
                .map(|i| (f.as_str().to_string(), json!(table.headers.get(*i))))
        })
        .collect();
    json!({
        "dry_run": dry_run,
        "format": info["format"],
        "encoding": info["encoding"],
        "columns": table.headers,
        "mapping": mapping,
        "rows": plan.rows,
        "valid": plan.valid,
        "invalid": plan.invalid,
        "cards_created": plan.cards_created.len(),
        "evidence_attached": plan.evidence_attached.len(),
        "errors": plan.errors,
        "errors_truncated": plan.errors.len() < plan.invalid,
        "preview": plan.preview,
    })
}
