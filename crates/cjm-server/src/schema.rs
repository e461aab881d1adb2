//! `GET /api/schema/{file}`: the JSON Schemas of the websocket messages and
//! of the board (`cjm_core::schema`), for clients that validate what they
//! send and receive. Public: they describe the protocol, not any board.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub async fn document(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, schema) = cjm_core::schema::documents()
        .into_iter()
        .find(|(name, _)| *name == file)
        .ok_or_else(|| {
            ApiError::NotFound(
                "no such schema: try client-message.json, server-message.json, board.json or api.json".into(),
            )
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/schema+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        cjm_core::schema::to_text(&schema),
    )
        .into_response())
}
