//! The web front end: `index.html` for app routes (never cached, so a new
//! release is picked up at once) and content-hashed files under `/assets/`
//! (cached for a year). Served from a directory while developing, or from
//! the binary itself in release builds (`embed-frontend` feature).

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::state::AppState;

#[cfg(feature = "embed-frontend")]
#[derive(rust_embed::RustEmbed)]
#[folder = "../../frontend/dist"]
struct Embedded;

pub enum Assets {
    Dir(PathBuf),
    #[cfg(feature = "embed-frontend")]
    Embedded,
    None,
}

impl Assets {
    /// The embedded front end when built in, else nothing.
    pub fn builtin() -> Self {
        #[cfg(feature = "embed-frontend")]
        return Assets::Embedded;
        #[cfg(not(feature = "embed-frontend"))]
        Assets::None
    }

    async fn read(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        // Only plain file names are served: no traversal, no hidden files.
        if path.contains("..") || path.starts_with('.') || path.contains('\\') {
            return None;
        }
        match self {
            Assets::Dir(dir) => tokio::fs::read(dir.join(path)).await.ok().map(Cow::Owned),
            #[cfg(feature = "embed-frontend")]
            Assets::Embedded => Embedded::get(path).map(|f| f.data),
            Assets::None => None,
        }
    }
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>CJM Board</title>\
<p>The front end is not built. Run <code>cargo xtask run</code>, or start the server with \
<code>--static-dir frontend/dist</code>.</p>";

pub async fn index(State(state): State<Arc<AppState>>) -> Response {
    match state.assets.read("index.html").await {
        Some(body) => {
            let mut res = Html(body.into_owned()).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            res
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response(),
    }
}

/// The service worker must be served from the root to control every page,
/// and never cached, so that a new release is found.
pub async fn service_worker(State(state): State<Arc<AppState>>) -> Response {
    let Some(body) = state.assets.read("sw.js").await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut res = body.into_owned().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

pub async fn asset(State(state): State<Arc<AppState>>, Path(file): Path<String>) -> Response {
    let Some(body) = state.assets.read(&format!("assets/{file}")).await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mime = mime_guess::from_path(&file).first_or_octet_stream();
    let mut res = body.into_owned().into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    res
}
