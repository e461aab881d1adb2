//! The REST client: typed answers (`cjm_core::api`) and refusals in the
//! reader's language.

use cjm_core::ApiErrorCode;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Calls the REST API and reads its answer as `T` (a `cjm_core::api`
/// type; `IgnoredAny` when only success matters); errors come back as the
/// server's message.
pub async fn fetch_json<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<T, String> {
    fetch_json_detailed(method, url, body)
        .await
        .map_err(|f| f.message)
}

/// Sends a file as the raw request body (with its own type).
pub async fn upload_file<T: DeserializeOwned>(
    url: &str,
    file: &web_sys::File,
) -> Result<T, String> {
    fetch_detailed("POST", url, Some((file.clone().into(), Some(file.type_()))))
        .await
        .map_err(|f| f.message)
}

/// POSTs a `multipart/form-data` form: `file` and text `fields`. The
/// browser writes the content type (it carries the boundary).
pub async fn post_multipart<T: DeserializeOwned>(
    url: &str,
    file: &web_sys::File,
    fields: &[(&str, String)],
) -> Result<T, ApiFailure> {
    let failed = |e: JsValue| ApiFailure::local(js_err(e));
    let form = web_sys::FormData::new().map_err(failed)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(failed)?;
    for (name, value) in fields {
        form.append_with_str(name, value).map_err(failed)?;
    }
    fetch_detailed("POST", url, Some((form.into(), None))).await
}

/// POSTs the text of a file as a JSON body (a board export). The text
/// stays a JS string: an export may be tens of megabytes, and it need not
/// pass through wasm memory on its way to the server.
pub async fn post_file_as_json<T: DeserializeOwned>(
    url: &str,
    file: &web_sys::File,
) -> Result<T, ApiFailure> {
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| ApiFailure::local(js_err(e)))?;
    fetch_detailed("POST", url, Some((text, Some("application/json".into())))).await
}

/// A refused API call: its error code (`Unknown` when the request did not
/// reach the server or its answer was not an API error), the message to
/// show, and what else the answer carried.
pub struct ApiFailure {
    pub code: ApiErrorCode,
    pub message: String,
    /// The server's own (English) message, as it wrote it.
    pub server_message: String,
    /// `sole_owner`: the boards the account alone owns.
    pub boards: Vec<cjm_core::api::SoleOwnedBoard>,
    /// The HTTP status (0 when the request did not reach the server).
    pub status: u16,
    /// The whole response body as text (an import's refusal carries its
    /// report beside `error`).
    pub body: String,
}

impl ApiFailure {
    /// A failure before or without an answer from the server.
    fn local(message: String) -> Self {
        ApiFailure {
            code: ApiErrorCode::Unknown,
            server_message: String::new(),
            message,
            boards: Vec::new(),
            status: 0,
            body: String::new(),
        }
    }
}

/// Like `fetch_json`, with the details of a refusal.
pub async fn fetch_json_detailed<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<T, ApiFailure> {
    let body = body.map(|b| (JsValue::from_str(&b), Some("application/json".to_string())));
    fetch_detailed(method, url, body).await
}

/// A request body and its content type (`None`: the browser's own).
type Body = Option<(JsValue, Option<String>)>;

async fn fetch_detailed<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Body,
) -> Result<T, ApiFailure> {
    let (status, text) = fetch_text(method, url, body).await?;
    if (200..300).contains(&status) {
        // A 204 has no body: read it as `null` (fine for `IgnoredAny`).
        let text = if text.is_empty() {
            "null"
        } else {
            text.as_str()
        };
        return serde_json::from_str(text)
            .map_err(|e| ApiFailure::local(format!("bad response: {e}")));
    }
    // A refusal from a layer in front of the handlers (like a body over
    // the size limit) may be plain text.
    let (code, server_message, boards) =
        match serde_json::from_str::<cjm_core::api::ErrorBody>(&text) {
            Ok(b) => (b.error.code, b.error.message, b.error.boards),
            Err(_) => (
                ApiErrorCode::Unknown,
                "request failed".to_string(),
                Vec::new(),
            ),
        };
    Err(ApiFailure {
        code,
        message: localized_error(code).unwrap_or_else(|| server_message.clone()),
        server_message,
        boards,
        status,
        body: text,
    })
}

/// One request: the status and the body's text, or why it failed.
async fn fetch_text(method: &str, url: &str, body: Body) -> Result<(u16, String), ApiFailure> {
    let failed = ApiFailure::local;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some((body, _)) = &body {
        init.set_body(body);
    }
    let req = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(js_err)
        .map_err(failed)?;
    if let Some((_, Some(content_type))) = &body {
        req.headers()
            .set("content-type", content_type)
            .map_err(js_err)
            .map_err(failed)?;
    }
    let resp: web_sys::Response = JsFuture::from(window().fetch_with_request(&req))
        .await
        .map_err(js_err)
        .map_err(failed)?
        .unchecked_into();
    let status = resp.status();
    let text = JsFuture::from(resp.text().map_err(js_err).map_err(failed)?)
        .await
        .map_err(js_err)
        .map_err(failed)?;
    Ok((status, text.as_string().unwrap_or_default()))
}

/// The server's messages are English; in a Russian UI the common ones are
/// said in Russian (the language is the one set on `<html lang>`).
fn localized_error(code: ApiErrorCode) -> Option<String> {
    use crate::i18n::{Lang, T, text};
    let lang = document().document_element()?.get_attribute("lang")?;
    if lang != "ru" {
        return None;
    }
    let key = match code {
        ApiErrorCode::InvalidCredentials => T::ErrInvalidCredentials,
        ApiErrorCode::WrongLinkPassword => T::ErrWrongLinkPassword,
        ApiErrorCode::LinkInvalid => T::ErrLinkInvalid,
        ApiErrorCode::NameRequired => T::ErrNameRequired,
        ApiErrorCode::LastOwner => T::ErrLastOwner,
        ApiErrorCode::RateLimited => T::ErrRateLimited,
        ApiErrorCode::TooManyAttempts => T::ErrTooManyAttempts,
        ApiErrorCode::EmailTaken => T::ErrEmailTaken,
        ApiErrorCode::WeakPassword => T::ErrWeakPassword,
        ApiErrorCode::InvalidEmail => T::ErrInvalidEmail,
        ApiErrorCode::NotSignedIn => T::ErrNotSignedIn,
        ApiErrorCode::TooLarge => T::PhotoTooLarge,
        ApiErrorCode::UnsupportedImage => T::PhotoType,
        _ => return None,
    };
    Some(text(Lang::Ru, key).to_string())
}

fn js_err(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}
