//! `POST /api/boards/{id}/duplicate`: a copy of a board as a new board of
//! the signed-in account, titled "<title> (copy)" ("(копия)" in Russian).
//!
//! The copy goes the way of a JSON export and its import
//! (`export::import_board`): the map is rebuilt op by op on an empty board,
//! so every check an edit passes applies, the account's board quota counts,
//! and the persona images are copied under new ids. The conversation
//! (comments, reactions) and votes stay with the original: they belong to
//! its members, and the copy is the caller's fresh working map.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use cjm_core::limits::MAX_NAME_CHARS;
use cjm_core::template::Locale;
use cjm_export::json as board_json;
use serde::Deserialize;

use crate::access::{BoardAccess, needs};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DuplicateBody {
    /// The language of the " (copy)" suffix; English by default.
    #[serde(default)]
    locale: Option<String>,
}

pub async fn duplicate(
    State(state): State<Arc<AppState>>,
    BoardAccess {
        board: source,
        caller,
        ..
    }: BoardAccess<needs::Viewer>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    caller.require_user()?;
    let body = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let req: DuplicateBody = if body.iter().all(u8::is_ascii_whitespace) {
        DuplicateBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?
    };
    let locale = match req.locale.as_deref() {
        None => Locale::En,
        Some(l) => Locale::parse(l).ok_or_else(|| ApiError::Invalid {
            code: cjm_core::ApiErrorCode::UnknownLocale,
            message: format!("unknown locale {l:?}; use \"en\" or \"ru\""),
        })?,
    };
    let (mut board, _) = state
        .store
        .load_board(source)
        .await?
        .ok_or_else(|| ApiError::NotFound("board not found".into()))?;
    board.title = copy_title(&board.title, locale);
    board.comments.clear();
    board.card_reactions.clear();
    board.card_votes.clear();
    let images = images_of(&state, &board).await?;
    let bytes = board_json::export(&board, images, now_ms());
    let response = crate::export::import_board(State(state), caller, Ok(Bytes::from(bytes)))
        .await?
        .into_response();
    tracing::info!(source = %source, "board duplicated");
    Ok(response)
}

/// "<title> (copy)", the title shortened so that the whole stays within
/// the title limit.
pub fn copy_title(title: &str, locale: Locale) -> String {
    let suffix = match locale {
        Locale::En => " (copy)",
        Locale::Ru => " (копия)",
    };
    let room = MAX_NAME_CHARS - suffix.chars().count();
    let kept: String = title.chars().take(room).collect();
    format!("{}{suffix}", kept.trim_end())
}

/// The uploads the board's personas show (what the JSON export carries).
async fn images_of(
    state: &AppState,
    board: &cjm_core::Board,
) -> Result<Vec<board_json::Image>, ApiError> {
    let mut images: Vec<board_json::Image> = Vec::new();
    for p in board.personas.values() {
        let Some(id) = p
            .avatar_url
            .as_deref()
            .and_then(|u| u.strip_prefix("/api/uploads/"))
            .and_then(|u| u.parse::<uuid::Uuid>().ok())
        else {
            continue;
        };
        if images.iter().any(|i| i.id == id.to_string()) {
            continue;
        }
        if let Some(up) = state.store.get_upload(id).await?
            && up.board_id == board.id
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_title_fits() {
        assert_eq!(copy_title("Map", Locale::En), "Map (copy)");
        assert_eq!(copy_title("Карта", Locale::Ru), "Карта (копия)");
        let long = "x".repeat(MAX_NAME_CHARS);
        let t = copy_title(&long, Locale::Ru);
        assert_eq!(t.chars().count(), MAX_NAME_CHARS);
        assert!(t.ends_with(" (копия)"));
    }
}
