//! Small wrappers over browser APIs (storage, fetch, time, navigation) so
//! that components read as the product, not as web-sys plumbing.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

pub fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn storage_set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn storage_remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

pub fn set_document_lang(code: &str) {
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("lang", code);
    }
}

/// Focuses (and selects the text of) a field as soon as it is mounted;
/// `field` reads the field's node ref, so the effect runs when it appears.
pub fn focus_when_mounted(field: impl Fn() -> Option<web_sys::HtmlElement> + 'static) {
    Effect::new(move |_| {
        if let Some(el) = field() {
            let _ = el.focus();
            if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                input.select();
            } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                area.select();
            }
        }
    });
}

/// Scrolls the element matching `selector` into the middle of the view,
/// focuses it if it can take focus, and flashes it briefly.
pub fn reveal(selector: &str) {
    let Ok(Some(el)) = document().query_selector(selector) else {
        return;
    };
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(web_sys::ScrollLogicalPosition::Center);
    opts.set_inline(web_sys::ScrollLogicalPosition::Center);
    opts.set_behavior(web_sys::ScrollBehavior::Smooth);
    el.scroll_into_view_with_scroll_into_view_options(&opts);
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.focus();
    }
    let list = el.class_list();
    let _ = list.remove_1("flash");
    let _ = list.add_1("flash");
    set_timeout(
        move || {
            let _ = el.class_list().remove_1("flash");
        },
        std::time::Duration::from_millis(1600),
    );
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn navigate(path: &str) {
    let _ = window().location().set_href(path);
}

pub fn confirm(message: &str) -> bool {
    window().confirm_with_message(message).unwrap_or(false)
}

/// A stable random id for this browser, sent as the actor of its edits until
/// accounts exist.
pub fn client_id() -> String {
    if let Some(id) = storage_get("cjm.client_id") {
        return id;
    }
    let id = format!("guest-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    storage_set("cjm.client_id", &id);
    id
}

/// The name others see in presence: the saved one, else "Guest" and the
/// end of this browser's id.
pub fn display_name(guest: &str) -> String {
    storage_get("cjm.name")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            let id = client_id();
            format!("{guest} {}", &id[id.len().saturating_sub(4)..])
        })
}

/// A colour for a person, the same in every browser (from their actor id).
pub fn person_color(actor: &str) -> &'static str {
    // Strong colours that carry white text at WCAG AA contrast.
    const COLORS: [&str; 8] = [
        "#c2255c", "#7048e8", "#1864ab", "#0b7285", "#2b8a3e", "#d9480f", "#862e9c", "#364fc7",
    ];
    let h = actor
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    COLORS[h as usize % COLORS.len()]
}

/// Initials for an avatar: first letters of the first two words.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Formats unix milliseconds in the user's locale.
pub fn format_time(ms: i64, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    date.to_locale_string(lang, &JsValue::UNDEFINED).into()
}

/// Calls the REST API; errors come back as the server's message.
pub async fn fetch_json(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<serde_json::Value, String> {
    let body = body.map(|b| (JsValue::from_str(&b), Some("application/json".to_string())));
    fetch(method, url, body).await
}

/// Sends a file as the raw request body (with its own type).
pub async fn upload_file(url: &str, file: &web_sys::File) -> Result<serde_json::Value, String> {
    fetch("POST", url, Some((file.clone().into(), Some(file.type_())))).await
}

/// POSTs a `multipart/form-data` form: `file` and text `fields`. The
/// browser writes the content type (it carries the boundary).
pub async fn post_multipart(
    url: &str,
    file: &web_sys::File,
    fields: &[(&str, String)],
) -> Result<serde_json::Value, ApiFailure> {
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
pub async fn post_file_as_json(
    url: &str,
    file: &web_sys::File,
) -> Result<serde_json::Value, ApiFailure> {
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| ApiFailure::local(js_err(e)))?;
    fetch_detailed("POST", url, Some((text, Some("application/json".into())))).await
}

/// A refused API call: its error code (empty when the request did not
/// reach the server), the message to show, and the server's whole
/// `error` object (some carry more, like the boards of `sole_owner`).
pub struct ApiFailure {
    pub code: String,
    pub message: String,
    pub error: serde_json::Value,
    /// The HTTP status (0 when the request did not reach the server).
    pub status: u16,
    /// The whole response body (an import's refusal carries its report
    /// beside `error`).
    pub body: serde_json::Value,
}

impl ApiFailure {
    /// A failure before or without an answer from the server.
    fn local(message: String) -> Self {
        ApiFailure {
            code: String::new(),
            message,
            error: serde_json::Value::Null,
            status: 0,
            body: serde_json::Value::Null,
        }
    }
}

/// Like `fetch_json`, with the details of a refusal.
pub async fn fetch_json_detailed(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<serde_json::Value, ApiFailure> {
    let body = body.map(|b| (JsValue::from_str(&b), Some("application/json".to_string())));
    fetch_detailed(method, url, body).await
}

/// A request body and its content type (`None`: the browser's own).
type Body = Option<(JsValue, Option<String>)>;

async fn fetch(method: &str, url: &str, body: Body) -> Result<serde_json::Value, String> {
    fetch_detailed(method, url, body)
        .await
        .map_err(|f| f.message)
}

async fn fetch_detailed(
    method: &str,
    url: &str,
    body: Body,
) -> Result<serde_json::Value, ApiFailure> {
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
    let text = text.as_string().unwrap_or_default();
    let ok = (200..300).contains(&status);
    let json: serde_json::Value = if text.is_empty() {
        serde_json::Value::Null
    } else if ok {
        serde_json::from_str(&text).map_err(|e| failed(format!("bad response: {e}")))?
    } else {
        // A refusal from a layer in front of the handlers (like a body
        // over the size limit) may be plain text.
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    };
    if ok {
        Ok(json)
    } else {
        let code = json["error"]["code"].as_str().unwrap_or_default();
        let message = json["error"]["message"]
            .as_str()
            .unwrap_or("request failed");
        Err(ApiFailure {
            code: code.to_string(),
            message: localized_error(code).unwrap_or_else(|| message.to_string()),
            error: json["error"].clone(),
            status,
            body: json,
        })
    }
}

/// The server's messages are English; in a Russian UI the common ones are
/// said in Russian (the language is the one set on `<html lang>`).
fn localized_error(code: &str) -> Option<String> {
    use crate::i18n::{Lang, T, text};
    let lang = document().document_element()?.get_attribute("lang")?;
    if lang != "ru" {
        return None;
    }
    let key = match code {
        "invalid_credentials" => T::ErrInvalidCredentials,
        "wrong_link_password" => T::ErrWrongLinkPassword,
        "link_invalid" => T::ErrLinkInvalid,
        "name_required" => T::ErrNameRequired,
        "unknown_account" => T::ErrUnknownAccount,
        "last_owner" => T::ErrLastOwner,
        "rate_limited" => T::ErrRateLimited,
        "too_many_attempts" => T::ErrTooManyAttempts,
        "email_taken" => T::ErrEmailTaken,
        "weak_password" => T::ErrWeakPassword,
        "invalid_email" => T::ErrInvalidEmail,
        "not_signed_in" => T::ErrNotSignedIn,
        "too_large" => T::PhotoTooLarge,
        "unsupported_image" => T::PhotoType,
        _ => return None,
    };
    Some(text(Lang::Ru, key).to_string())
}

fn js_err(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}
