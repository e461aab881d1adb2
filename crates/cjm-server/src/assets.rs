//! The web front end: `index.html` for app routes (never cached, so a new
//! release is picked up at once) and content-hashed files under `/assets/`
//! (cached for a year). Served from a directory while developing, or from
//! the binary itself (release builds embed `frontend/dist`: see build.rs).
//!
//! Every file may have precompressed copies beside it, `name.br` (brotli)
//! and `name.gz` (gzip), written when the front end is built: a browser
//! that accepts one gets it (brotli first), with the file's own type,
//! `Content-Encoding` and `Vary: Accept-Encoding`; others get the file.
//! The directory and the embedded files go through the same code, so they
//! answer alike.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::state::AppState;

#[cfg(cjm_embed_frontend)]
#[derive(rust_embed::RustEmbed)]
#[folder = "../../frontend/dist"]
struct Embedded;

pub enum Assets {
    Dir(PathBuf),
    #[cfg(cjm_embed_frontend)]
    Embedded,
    None,
}

/// A content coding of a precompressed copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn extension(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gz",
        }
    }

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        })
    }
}

/// The codings `Accept-Encoding` allows, best first: those with the higher
/// q-value first, brotli before gzip when they tie (it is smaller). A
/// coding is allowed when it is named, or `*` is, with a q-value above 0.
pub fn accepted_codings(headers: &HeaderMap) -> Vec<Coding> {
    let mut q_br: Option<f32> = None;
    let mut q_gzip: Option<f32> = None;
    let mut q_any: Option<f32> = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            match name.as_str() {
                "br" => q_br = Some(q),
                "gzip" | "x-gzip" => q_gzip = Some(q),
                "*" => q_any = Some(q),
                _ => {}
            }
        }
    }
    let mut codings: Vec<(Coding, f32)> = [(Coding::Brotli, q_br), (Coding::Gzip, q_gzip)]
        .into_iter()
        .filter_map(|(c, q)| Some((c, q.or(q_any)?)))
        .filter(|(_, q)| *q > 0.0)
        .collect();
    // Stable: brotli stays first on a tie.
    codings.sort_by(|a, b| b.1.total_cmp(&a.1));
    codings.into_iter().map(|(c, _)| c).collect()
}

/// A file as it is sent: its bytes and, for a precompressed copy, its coding.
struct Body {
    bytes: Cow<'static, [u8]>,
    coding: Option<Coding>,
}

impl Assets {
    /// The embedded front end when built in, else nothing.
    pub fn builtin() -> Self {
        #[cfg(cjm_embed_frontend)]
        return Assets::Embedded;
        #[cfg(not(cjm_embed_frontend))]
        Assets::None
    }

    async fn read(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        // Only plain file names are served: no traversal, no hidden files.
        if path.contains("..") || path.starts_with('.') || path.contains('\\') {
            return None;
        }
        match self {
            Assets::Dir(dir) => tokio::fs::read(dir.join(path)).await.ok().map(Cow::Owned),
            #[cfg(cjm_embed_frontend)]
            Assets::Embedded => Embedded::get(path).map(|f| f.data),
            Assets::None => None,
        }
    }

    /// `path` in the best coding the request accepts that has a copy.
    async fn read_for(&self, path: &str, request: &HeaderMap) -> Option<Body> {
        for coding in accepted_codings(request) {
            let copy = format!("{path}.{}", coding.extension());
            if let Some(bytes) = self.read(&copy).await {
                return Some(Body {
                    bytes,
                    coding: Some(coding),
                });
            }
        }
        self.read(path).await.map(|bytes| Body {
            bytes,
            coding: None,
        })
    }
}

/// The response for `body` with its type and caching headers; the length
/// is the body's, as sent.
fn respond(body: Body, content_type: HeaderValue, cache: &'static str) -> Response {
    let mut res = body.bytes.into_owned().into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // Caches keep one answer per coding.
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = body.coding {
        h.insert(header::CONTENT_ENCODING, coding.header());
    }
    res
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>CJM Board</title>\
<p>The front end is not built. Run <code>cargo xtask run</code>, or start the server with \
<code>--static-dir frontend/dist</code>.</p>";

pub async fn index(State(state): State<Arc<AppState>>, request: HeaderMap) -> Response {
    match state.assets.read_for("index.html", &request).await {
        Some(body) => respond(
            body,
            HeaderValue::from_static("text/html; charset=utf-8"),
            "no-cache",
        ),
        None => (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response(),
    }
}

/// The service worker must be served from the root to control every page,
/// and never cached, so that a new release is found.
pub async fn service_worker(State(state): State<Arc<AppState>>, request: HeaderMap) -> Response {
    match state.assets.read_for("sw.js", &request).await {
        Some(body) => respond(
            body,
            HeaderValue::from_static("text/javascript"),
            "no-cache",
        ),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

pub async fn asset(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    request: HeaderMap,
) -> Response {
    let Some(body) = state
        .assets
        .read_for(&format!("assets/{file}"), &request)
        .await
    else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mime = mime_guess::from_path(&file).first_or_octet_stream();
    let content_type = HeaderValue::from_str(mime.as_ref())
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    respond(body, content_type, "public, max-age=31536000, immutable")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codings(accept: &[&str]) -> Vec<Coding> {
        let mut h = HeaderMap::new();
        for a in accept {
            h.append(header::ACCEPT_ENCODING, HeaderValue::from_str(a).unwrap());
        }
        accepted_codings(&h)
    }

    #[test]
    fn accept_encoding_picks_brotli_then_gzip() {
        use Coding::*;
        assert_eq!(codings(&[]), []);
        assert_eq!(codings(&["identity"]), []);
        assert_eq!(codings(&["gzip, deflate, br, zstd"]), [Brotli, Gzip]);
        assert_eq!(codings(&["gzip"]), [Gzip]);
        assert_eq!(codings(&["BR"]), [Brotli]);
        assert_eq!(codings(&["gzip", "br"]), [Brotli, Gzip]);
        assert_eq!(codings(&["br;q=0.5, gzip;q=0.8"]), [Gzip, Brotli]);
        assert_eq!(codings(&["br;q=0, gzip"]), [Gzip]);
        assert_eq!(codings(&["*"]), [Brotli, Gzip]);
        assert_eq!(codings(&["*;q=0.1, br;q=0"]), [Gzip]);
        assert_eq!(codings(&["deflate, x-gzip"]), [Gzip]);
    }
}
