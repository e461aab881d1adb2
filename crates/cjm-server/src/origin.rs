//! Which site a request comes from, and what that allows.
//!
//! - With `--public-url` set, the server answers only requests for that
//!   host (a DNS-rebinding page, whose requests name its own host, gets
//!   `421`), and a browser's `Origin` must be exactly that URL's origin.
//! - Without it, the origin is the one the request was made to: `Host`
//!   and the connection's scheme, or, only with `--trust-proxy`,
//!   `X-Forwarded-Host` and `X-Forwarded-Proto`.
//! - CSRF: every request that may change something (not GET, HEAD or
//!   OPTIONS) whose `Origin` is another origin, or whose `Sec-Fetch-Site`
//!   is `cross-site` or `same-site`, is refused with `403 cross_site`,
//!   whatever its content type. Requests without either header (scripts,
//!   old browsers) carry no ambient cookies across sites and go on to the
//!   usual checks.
//! - Over TLS, responses carry `Strict-Transport-Security`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::secure_request;
use crate::error::ApiError;
use crate::state::AppState;

/// A deployment's public origin, from `--public-url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl {
    /// `https://board.example.com` (no path, no trailing slash, lower case).
    pub origin: String,
    /// `board.example.com` (with `:port` when the URL names one).
    pub host: String,
    pub https: bool,
}

impl PublicUrl {
    /// Parses `https://host[:port][/]`; a path, query or user part is an
    /// error (the server lives at the root of its origin).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim().trim_end_matches('/');
        let (scheme, host) = raw
            .split_once("://")
            .ok_or_else(|| format!("{raw:?} is not a URL like https://board.example.com"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("{raw:?}: the public URL must be http or https"));
        }
        if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!(
                "{raw:?}: the public URL is an origin only, like https://board.example.com"
            ));
        }
        let host = host.to_ascii_lowercase();
        Ok(Self {
            origin: format!("{scheme}://{host}"),
            host,
            https: scheme == "https",
        })
    }
}

/// The host the request names: `Host` (or, behind a trusted proxy,
/// `X-Forwarded-Host`), lower case.
fn request_host(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let forwarded = state
        .trust_proxy
        .then(|| headers.get("x-forwarded-host"))
        .flatten();
    forwarded
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .map(|h| {
            h.split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
}

/// This server's origin as the request reached it.
pub fn own_origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(public) = &state.public_url {
        return Some(public.origin.clone());
    }
    let scheme = if secure_request(state, headers) {
        "https"
    } else {
        "http"
    };
    request_host(state, headers).map(|host| format!("{scheme}://{host}"))
}

/// Whether the request's `Host` is one this server answers for.
fn host_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    match &state.public_url {
        Some(public) => request_host(state, headers).is_some_and(|h| h == public.host),
        None => true,
    }
}

/// Whether the host is one a DNS-rebinding page cannot pose as: an IP
/// literal or `localhost`.
pub fn host_is_literal(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(host) = request_host(state, headers) else {
        return false;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default().to_string()
    } else {
        host.rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host.clone(), |(name, _)| name.to_string())
    };
    name == "localhost" || name.parse::<std::net::IpAddr>().is_ok()
}

/// The `Origin` header, when the browser sent a real one.
fn origin_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

/// Browsers always send `Origin` with a websocket; it must be this server's
/// origin exactly (scheme, host and port). Clients that are not browsers
/// send none and carry no ambient cookies, so they go on to the session
/// check.
pub fn websocket_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    match headers.get(header::ORIGIN) {
        None => true,
        Some(v) => {
            let Ok(origin) = v.to_str() else {
                return false;
            };
            own_origin(state, headers)
                .is_some_and(|own| own.eq_ignore_ascii_case(origin.trim_end_matches('/')))
        }
    }
}

/// Whether a state-changing request comes from another site.
fn cross_site(state: &AppState, headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    if matches!(fetch_site.as_deref(), Some("cross-site" | "same-site")) {
        return true;
    }
    if headers.contains_key(header::ORIGIN) {
        return match origin_header(headers) {
            Some(origin) => !own_origin(state, headers)
                .is_some_and(|own| own.eq_ignore_ascii_case(origin.trim_end_matches('/'))),
            None => true,
        };
    }
    false
}

/// The middleware for every request: the host check, the CSRF rule and
/// HSTS (see the module doc).
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let health = request.uri().path() == "/healthz";
    if !health && !host_allowed(&state, headers) {
        return ApiError::UnknownHost.into_response();
    }
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes && cross_site(&state, headers) {
        return ApiError::CrossSite.into_response();
    }
    let hsts = secure_request(&state, headers);
    let mut response = next.run(request).await;
    if hsts {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_origins_only() {
        let u = PublicUrl::parse("https://Board.Example.com/").unwrap();
        assert_eq!(u.origin, "https://board.example.com");
        assert_eq!(u.host, "board.example.com");
        assert!(u.https);
        assert_eq!(
            PublicUrl::parse("http://10.0.0.5:8080").unwrap().host,
            "10.0.0.5:8080"
        );
        for bad in [
            "board.example.com",
            "ftp://x",
            "https://x/path",
            "https://u@x",
            "https://",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
