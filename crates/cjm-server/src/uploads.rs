//! Images uploaded for a board (persona photos): at most 1 MiB, PNG, JPEG,
//! GIF or WebP, recognised from their first bytes (the declared type is not
//! trusted), served back with their own type, `nosniff` and a CSP that
//! forbids everything, so an upload can never run as a page or a script.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use cjm_store::Upload;

use crate::access::Caller;
use crate::access::{BoardAccess, needs};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

/// The largest image accepted, in bytes (the "≤ 1 MB").
pub const MAX_UPLOAD_BYTES: usize = 1 << 20;

/// The image type of `bytes`, from its signature.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

pub async fn upload(
    State(state): State<Arc<AppState>>,
    BoardAccess { board, access, .. }: BoardAccess<needs::Editor>,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the image is larger than {} MB",
                MAX_UPLOAD_BYTES >> 20
            ))
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })?;
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ApiError::TooLarge(format!(
            "the image is larger than {} MB",
            MAX_UPLOAD_BYTES >> 20
        )));
    }
    let content_type = sniff_image(&bytes).ok_or_else(|| ApiError::Invalid {
        code: cjm_core::ApiErrorCode::UnsupportedImage,
        message: "upload a PNG, JPEG, GIF or WebP image".into(),
    })?;
    crate::quotas::check_upload(&state, &access.actor, board, bytes.len() as u64).await?;
    let upload = Upload {
        id: uuid::Uuid::now_v7(),
        board_id: board,
        content_type: content_type.into(),
        bytes: bytes.to_vec(),
    };
    state
        .store
        .put_upload(&upload, &access.actor, now_ms())
        .await?;
    tracing::info!(%board, id = %upload.id, size = upload.bytes.len(), "image uploaded");
    let url = format!("/api/uploads/{}", upload.id);
    Ok((
        StatusCode::CREATED,
        Json(cjm_core::api::Uploaded {
            id: upload.id,
            url,
            content_type: content_type.into(),
        }),
    ))
}

/// An image is shown to whoever may see its board, and to nobody else.
pub async fn download(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let missing = || ApiError::NotFound("no such image".into());
    let id: uuid::Uuid = id.parse().map_err(|_| missing())?;
    let upload = state.store.get_upload(id).await?.ok_or_else(missing)?;
    if caller.access(&state, upload.board_id).await?.is_none() {
        return Err(missing());
    }
    Ok((
        [
            (header::CONTENT_TYPE, upload.content_type),
            // An upload never changes: its id is new for every file.
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".into(),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".into(),
            ),
            (header::CONTENT_DISPOSITION, "inline".into()),
        ],
        upload.bytes,
    ))
}
