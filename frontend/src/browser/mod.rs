//! Small wrappers over browser APIs, so that components read as the
//! product, not as web-sys plumbing: storage, time and navigation here;
//! focus and popovers (`focus`), who this browser is (`people`), numbers and
//! dates in the reader's locale (`format`), and the REST client (`api`).

mod api;
mod focus;
mod format;
mod people;

pub use api::*;
pub use focus::*;
pub use format::*;
pub use people::*;

use leptos::prelude::*;

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

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn navigate(path: &str) {
    let _ = window().location().set_href(path);
}

pub fn confirm(message: &str) -> bool {
    window().confirm_with_message(message).unwrap_or(false)
}
