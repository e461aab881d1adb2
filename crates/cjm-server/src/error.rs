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
    /// 401 `not_signed_in`: this needs a signed-in account.
    #[error("sign in first")]
    NotSignedIn,
    /// 404: a share link that was revoked, has expired, or never existed.
    #[error("this link does not work: it was revoked or has expired")]
    LinkGone,
    /// 401: the share link's password is wrong.
    #[error("wrong link password")]
    WrongLinkPassword,
    /// 403: you may see this board, but your role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// 429: too many requests (`Throttle::Requests`, code `rate_limited`)
    /// or sign-in attempts (`Throttle::Attempts`, `too_many_attempts`);
    /// `retry_after` seconds.
    #[error("{message}")]
    Throttled {
        what: Throttle,
        retry_after: u64,
        message: String,
    },
    /// 401 `invalid_credentials`: the email or password given is wrong.
    #[error("{0}")]
    WrongCredentials(String),
    /// 409: the request conflicts with what exists (an email in use).
    #[error("{message}")]
    Conflict { code: ApiErrorCode, message: String },
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
    /// 413: the body is larger than the endpoint accepts.
    #[error("{0}")]
    TooLarge(String),
    /// 500: our fault (the store failed, a worker thread died); the
    /// detail goes to the log, never to the client.
    #[error("internal error")]
    Internal(String),
}

/// What a 429 counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttle {
    /// Requests or connections of one person or address.
    Requests,
    /// Failed sign-ins (or password checks) of one account or address.
    Attempts,
}

impl From<cjm_store::StoreError> for ApiError {
    fn from(e: cjm_store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ApiErrorCode) {
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ApiErrorCode::NotFound),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ApiErrorCode::BadRequest),
            ApiError::Invalid { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ApiErrorCode::TooLarge),
            ApiError::NotSignedIn => (StatusCode::UNAUTHORIZED, ApiErrorCode::NotSignedIn),
            ApiError::WrongCredentials(_) => {
                (StatusCode::UNAUTHORIZED, ApiErrorCode::InvalidCredentials)
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ApiErrorCode::Forbidden),
            ApiError::LinkGone => (StatusCode::NOT_FOUND, ApiErrorCode::LinkInvalid),
            ApiError::WrongLinkPassword => {
                (StatusCode::UNAUTHORIZED, ApiErrorCode::WrongLinkPassword)
            }
            ApiError::Throttled { what, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                match what {
                    Throttle::Requests => ApiErrorCode::RateLimited,
                    Throttle::Attempts => ApiErrorCode::TooManyAttempts,
                },
            ),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
            ApiError::UnknownHost => (StatusCode::MISDIRECTED_REQUEST, ApiErrorCode::UnknownHost),
            ApiError::CrossSite => (StatusCode::FORBIDDEN, ApiErrorCode::CrossSite),
            ApiError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, ApiErrorCode::Busy),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ApiErrorCode::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = %e, "request failed");
        }
        let body = cjm_core::api::ErrorBody {
            error: cjm_core::api::ErrorDetail {
                code,
                message: self.to_string(),
                boards: Vec::new(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::Throttled { retry_after, .. } | ApiError::Busy { retry_after, .. } = &self
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
