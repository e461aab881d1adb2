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
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_err)?;
    if body.is_some() {
        req.headers()
            .set("content-type", "application/json")
            .map_err(js_err)?;
    }
    let resp: web_sys::Response = JsFuture::from(window().fetch_with_request(&req))
        .await
        .map_err(js_err)?
        .unchecked_into();
    let status = resp.status();
    let text = JsFuture::from(resp.text().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    let text = text.as_string().unwrap_or_default();
    let json: serde_json::Value = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).map_err(|e| format!("bad response: {e}"))?
    };
    if (200..300).contains(&status) {
        Ok(json)
    } else {
        Err(json["error"]["message"]
            .as_str()
            .unwrap_or("request failed")
            .to_string())
    }
}

fn js_err(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}
