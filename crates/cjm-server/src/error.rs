//! REST errors: one enum, each variant's status in its doc. Clients always
//! get JSON `{"error": {"code", "message"}}`; internals are logged, not shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cjm_core::ApiErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404: no such thing, or not yours to see.
    #[error("{0}")]
    NotFound(String),
    /// 400: the request cannot be read (bad JSON, wrong types).
    #[error("{0}")]
    BadRequest(String),
    /// 422: the request is well-formed but its values are not acceptable.
    #[error("{message}")]
    Invalid { code: ApiErrorCode, message: String },
    /// 401: this needs a signed-in account.
    #[error("sign in first")]
    Unauthorized,
    /// 404: a share link that was revoked, has expired, or never existed.
    #[error("this link does not work: it was revoked or has expired")]
    LinkGone,
    /// 401: the share link's password is wrong.
    #[error("wrong link password")]
    WrongLinkPassword,
    /// 403: you may see this board, but your role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// 429: too many requests from this account or address.
    #[error("{message}")]
    RateLimited { retry_after: u64, message: String },
    /// 401: the credentials given are wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// 409: the request conflicts with what exists (an email in use).
    #[error("{message}")]
    Conflict { code: ApiErrorCode, message: String },
    /// 429: too many attempts; `retry_after` seconds.
    #[error("{message}")]
    TooManyRequests { retry_after: u64, message: String },
    /// 421: the request names a host this server does not answer for
    /// (`--public-url` is set to another).
    #[error("this server does not answer for that host name")]
    UnknownHost,
    /// 403: a state-changing request from another site (CSRF).
    #[error("requests from other sites are refused")]
    CrossSite,
    /// 503: the server is saturated (password hashing); `retry_after` s.
    #[error("{message}")]
    Busy { retry_after: u64, message: String },
    /// 500 for a failure outside the store (a worker thread died).
    #[error("internal error")]
    Unexpected(String),
    /// 413: the body is larger than the endpoint accepts.
    #[error("{0}")]
    TooLarge(String),
    /// 500: our fault; details go to the log.
    #[error("internal error")]
    Internal(#[from] cjm_store::StoreError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ApiErrorCode) {
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ApiErrorCode::NotFound),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ApiErrorCode::BadRequest),
            ApiError::Invalid { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ApiErrorCode::TooLarge),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, ApiErrorCode::NotSignedIn),
            ApiError::Unauthenticated(_) => {
                (StatusCode::UNAUTHORIZED, ApiErrorCode::InvalidCredentials)
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ApiErrorCode::Forbidden),
            ApiError::LinkGone => (StatusCode::NOT_FOUND, ApiErrorCode::LinkInvalid),
            ApiError::WrongLinkPassword => {
                (StatusCode::UNAUTHORIZED, ApiErrorCode::WrongLinkPassword)
            }
            ApiError::RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ApiErrorCode::RateLimited)
            }
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
            ApiError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ApiErrorCode::TooManyAttempts)
            }
            ApiError::UnknownHost => (StatusCode::MISDIRECTED_REQUEST, ApiErrorCode::UnknownHost),
            ApiError::CrossSite => (StatusCode::FORBIDDEN, ApiErrorCode::CrossSite),
            ApiError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, ApiErrorCode::Busy),
            ApiError::Unexpected(_) => (StatusCode::INTERNAL_SERVER_ERROR, ApiErrorCode::Internal),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ApiErrorCode::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            ApiError::Internal(e) => tracing::error!(error = %e, "request failed"),
            ApiError::Unexpected(e) => tracing::error!(error = %e, "request failed"),
            _ => {}
        }
        let body = cjm_core::api::ErrorBody {
            error: cjm_core::api::ErrorDetail {
                code,
                message: self.to_string(),
                boards: Vec::new(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after, .. }
        | ApiError::RateLimited { retry_after, .. }
        | ApiError::Busy { retry_after, .. } = &self
            && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge("the request body is too large".into())
        } else {
            ApiError::BadRequest(e.body_text())
        }
    }
}
