//! Small wrappers over browser APIs (storage, fetch, time, navigation) so
//! that components read as the product, not as web-sys plumbing.

use cjm_core::ApiErrorCode;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
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
///
/// The focus moves at once, so that keys typed right away land in the
/// field; the text is selected a microtask later, so that typing replaces
/// it. Leptos writes a field's `prop:value` in a microtask of its own
/// (tachys' `Dom::set_property_or_value` queues it), which runs after this
/// effect: selecting here selected the still empty field, then the default
/// text ("New stage") arrived with the caret after it, and what was typed
/// was appended to it.
pub fn focus_when_mounted(field: impl Fn() -> Option<web_sys::HtmlElement> + 'static) {
    Effect::new(move |_| {
        if let Some(el) = field() {
            let _ = el.focus();
            queue_microtask(move || {
                if !el.is_connected() {
                    // Not in the document yet: once it is.
                    request_animation_frame(move || focus_and_select(&el));
                } else {
                    focus_and_select(&el);
                }
            });
        }
    });
}

fn focus_and_select(el: &web_sys::HtmlElement) {
    let already = focused().is_some_and(|f| {
        let node: &web_sys::Node = el;
        f.is_same_node(Some(node))
    });
    if !already {
        let _ = el.focus();
    }
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        input.select();
    } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.select();
    }
}

/// The focused element, `None` when the focus is nowhere (on `<body>`).
pub fn focused() -> Option<web_sys::Element> {
    let doc = document();
    doc.active_element().filter(|el| {
        let node: &web_sys::Node = el;
        doc.body().is_none_or(|b| !b.is_same_node(Some(node)))
    })
}

/// Whether `el` is inside an element matching one of `selectors`.
fn within(el: &web_sys::Element, selectors: &[String]) -> bool {
    selectors
        .iter()
        .any(|s| el.closest(s).ok().flatten().is_some())
}

/// Makes a popover or panel close with Esc and with a click outside it,
/// and gives the focus back to what opened it when it closes and leaves
/// the focus nowhere (Esc from a field inside it, a menu item that closes
/// it). `state` is what is open (`None`: closed); `inside` are CSS selectors
/// of the popover (clicks there are not outside).
///
/// Esc closes it when the focus is inside it, on its opener, or nowhere,
/// so that one Esc closes the popover in use, not every one on the page.
/// A click outside closes it only when the click changed nothing itself:
/// a button that toggles it, or opens another panel instead, has its way.
pub fn dismissable<K: PartialEq + Clone + 'static>(
    state: impl Fn() -> Option<K> + Clone + 'static,
    close: impl Fn() + Clone + 'static,
    inside: Vec<String>,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;

    let opener: Rc<RefCell<Option<web_sys::Element>>> = Rc::default();
    let inside = Rc::new(inside);

    // Who opened it; and the focus back there when closing lost it.
    {
        let (state, opener, inside) = (state.clone(), opener.clone(), inside.clone());
        Effect::new(move |before: Option<Option<K>>| {
            let now = state();
            let was = before.flatten();
            if now.is_some() && now != was {
                let opening = was.is_none();
                // At once too, by the same rule: an Esc may come before the
                // frame below.
                if let Some(el) = focused().filter(|el| opening || !within(el, &inside)) {
                    *opener.borrow_mut() = Some(el);
                }
                let (opener, inside) = (opener.clone(), inside.clone());
                // After the page settles (another menu that closed gives
                // its focus back first). The opener may sit inside the
                // popover's own box (a menu and its button); switching
                // what an open panel shows keeps the first opener unless
                // the switch came from outside it.
                request_animation_frame(move || {
                    if let Some(el) = focused().filter(|el| opening || !within(el, &inside)) {
                        *opener.borrow_mut() = Some(el);
                    }
                });
            } else if now.is_none() && was.is_some() {
                let opener = opener.borrow_mut().take();
                request_animation_frame(move || {
                    if focused().is_none()
                        && let Some(el) = opener.filter(|el| el.is_connected())
                        && let Some(el) = el.dyn_ref::<web_sys::HtmlElement>()
                    {
                        let _ = el.focus();
                    }
                });
            }
            now
        });
    }

    let on_key = {
        let (state, close, opener, inside) =
            (state.clone(), close.clone(), opener.clone(), inside.clone());
        Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.key() != "Escape" || ev.default_prevented() || untrack(&state).is_none() {
                return;
            }
            let ours = match focused() {
                None => true,
                Some(el) => {
                    let node: &web_sys::Node = &el;
                    within(&el, &inside)
                        || opener
                            .borrow()
                            .as_ref()
                            .is_some_and(|o| o.contains(Some(node)))
                }
            };
            if ours {
                ev.prevent_default();
                close();
            }
        })
    };
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        let Some(before) = untrack(&state) else {
            return;
        };
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        // A click on a node already gone (it re-rendered) says nothing;
        // nor does the language switch, which only says it all again.
        if target.as_ref().is_none_or(|t| {
            !t.is_connected() || within(t, &inside) || within(t, &[".lang-switch".into()])
        }) {
            return;
        }
        let (state, close) = (state.clone(), close.clone());
        // After the click's own handlers.
        set_timeout(
            move || {
                if untrack(&state).as_ref() == Some(&before) {
                    close();
                }
            },
            std::time::Duration::ZERO,
        );
    });
    let win = window();
    let _ = win.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    let _ = win.add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    let listeners = StoredValue::new_local((on_key, on_click));
    on_cleanup(move || {
        listeners.try_with_value(|(key, click)| {
            let win = window();
            let _ =
                win.remove_event_listener_with_callback("keydown", key.as_ref().unchecked_ref());
            let _ = win.remove_event_listener_with_callback_and_bool(
                "click",
                click.as_ref().unchecked_ref(),
                true,
            );
        });
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

/// `n` in the UI language `lang` ("4,1" in Russian, "4.1" in English),
/// with at most `max_fraction` decimals; `grouping` sets thousands apart
/// ("120 000", "120,000"), which a field to edit must not do.
pub fn format_number(n: f64, lang: &str, max_fraction: u32, grouping: bool) -> String {
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("maximumFractionDigits", JsValue::from(max_fraction));
    set("useGrouping", JsValue::from_bool(grouping));
    intl_format(n, lang, &options)
}

/// A percentage (`percent` out of 100) in the UI language: "4.1%" in
/// English, "4,1 %" in Russian.
pub fn format_percent(percent: f64, lang: &str, max_fraction: u32) -> String {
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("style", JsValue::from_str("percent"));
    set("maximumFractionDigits", JsValue::from(max_fraction));
    intl_format(percent / 100.0, lang, &options)
}

/// A value and its unit: "4.1%", "4,1 %", "11 min" (a word unit always
/// stands apart, with a space that does not break).
pub fn format_with_unit(n: f64, unit: &str, lang: &str) -> String {
    if unit == "%" {
        return format_percent(n, lang, 2);
    }
    let number = format_number(n, lang, 2, true);
    if unit.starts_with(char::is_alphabetic) {
        format!("{number}\u{a0}{unit}")
    } else {
        format!("{number}{unit}")
    }
}

fn intl_format(n: f64, lang: &str, options: &js_sys::Object) -> String {
    let locales = js_sys::Array::of1(&JsValue::from_str(lang));
    let format = js_sys::Intl::NumberFormat::new(&locales, options).format();
    format
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(n))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| n.to_string())
}

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
