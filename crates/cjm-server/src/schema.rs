//! `GET /api/schema/{file}`: the JSON Schemas of the websocket messages and
//! of the board (`cjm_core::schema`), for clients that validate what they
//! send and receive. Public: they describe the protocol, not any board.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub async fn document(Path(file): Path<String>) -> Result<Response, ApiError> {
    // Generated once: the types cannot change while the server runs.
    static TEXTS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
        cjm_core::schema::documents()
            .iter()
            .map(|(name, schema)| (*name, cjm_core::schema::to_text(schema)))
            .collect()
    });
    let (_, text) = TEXTS
        .iter()
        .find(|(name, _)| *name == file)
        .ok_or_else(|| {
            ApiError::NotFound(
            "no such schema: try client-message.json, server-message.json, board.json or api.json"
                .into(),
        )
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/schema+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        text.clone(),
    )
        .into_response())
}
