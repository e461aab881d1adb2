//! Importing a whole board from a JSON export (`POST /api/boards/import`),
//! on the home page beside "New board": the server rebuilds the map op by
//! op into a new board of the signed-in account, and the app opens it.
//!
//! The file is read and sent as it is; every check is the server's (it
//! refuses the whole file, so nothing is ever half imported). A refusal is
//! said in the reader's language, with the server's own detail where it
//! names what is wrong; that detail is shown as text, never as HTML.

use cjm_core::ApiErrorCode;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::{self, ApiFailure};
use crate::i18n::{I18n, T, use_i18n};

/// The largest export the server takes (it answers 413 beyond).
const MAX_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// Why the import failed: the sentence to show, and the server's detail
/// when it says more than the sentence.
#[derive(Clone, Debug, PartialEq)]
struct Failure {
    text: String,
    detail: Option<String>,
}

fn failure(i18n: I18n, f: &ApiFailure) -> Failure {
    let (key, detail) = match (f.status, f.code) {
        (413, _) | (_, ApiErrorCode::TooLarge) => (T::ErrExportTooLarge, false),
        (_, ApiErrorCode::MalformedExport) => (T::ErrMalformedExport, false),
        (_, ApiErrorCode::UnsupportedVersion) => (T::ErrUnsupportedVersion, true),
        (_, ApiErrorCode::InvalidBoard) => (T::ErrInvalidBoard, true),
        (_, ApiErrorCode::QuotaExceeded) => (T::ErrBoardQuota, false),
        _ => {
            return Failure {
                text: f.message.clone(),
                detail: None,
            };
        }
    };
    // The server's message is English; it is the detail only when the
    // sentence above it is not already the same thing in English.
    let raw = f.server_message.clone();
    Failure {
        text: i18n.t(key).to_string(),
        detail: (detail && !raw.is_empty()).then_some(raw),
    }
}

/// "Import a board…": a file button, then the new board, or why not.
#[component]
pub fn ImportBoard() -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Failure>);

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|l| l.get(0)) else {
            return;
        };
        // Choosing the same file again (after fixing it) fires again.
        input.set_value("");
        if file.size() > MAX_BYTES {
            error.set(Some(Failure {
                text: i18n.t(T::ErrExportTooLarge).into(),
                detail: None,
            }));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            // Only the new board's id is read of the answer (`NewBoard`).
            match browser::post_file_as_json::<crate::home::MadeBoard>("/api/boards/import", &file)
                .await
            {
                Ok(made) => browser::navigate(&format!("/b/{}", made.id)),
                Err(f) => {
                    busy.try_set(false);
                    error.try_set(Some(failure(i18n, &f)));
                }
            }
        });
    };

    view! {
        <div class="import-board" aria-busy=move || busy.get().to_string()>
            <label class="secondary button file-button" data-testid="import-board" class:disabled=move || busy.get()>
                <input type="file" class="sr-only" data-testid="import-board-file" accept=".json,application/json"
                    disabled=move || busy.get() on:change=on_file/>
                {move || if busy.get() { i18n.t(T::ImportingBoard) } else { i18n.t(T::ImportBoard) }}
            </label>
            <span class="muted small">{move || i18n.t(T::ImportBoardHint)}</span>
            {move || error.get().map(|e| view! {
                <p class="error import-board-error" role="alert" data-testid="import-board-error">
                    <span>{e.text}</span>
                    {e.detail.map(|d| view! { <span class="muted small import-board-detail">{d}</span> })}
                </p>
            })}
        </div>
    }
}
