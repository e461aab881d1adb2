//! CJM Board web app (Leptos CSR). Routes: `/` is the home page (boards),
//! `/b/{id}` is a board, `/b/{id}/versions/{version}` a saved version of it
//! (read-only), `/login` signs in or up, `/s/{token}` joins
//! through a share link. The board page talks to the server through
//! `connection::Connection`, which applies edits optimistically with the same
//! `cjm_core` code the server runs.

mod account;
mod board;
mod board_import;
mod browser;
mod connection;
mod home;
mod i18n;
mod join;
mod landing;
mod lazy;
mod template_gallery;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::i18n::{I18n, Lang};

#[component]
fn App() -> impl IntoView {
    let i18n = I18n(RwSignal::new(Lang::initial()));
    browser::set_document_lang(i18n.0.get_untracked().code());
    provide_context(i18n);
    let path = window().location().pathname().unwrap_or_default();
    // `/b/{id}`, or `/b/{id}/versions/{version}` for a saved version.
    let (board, version) = match path
        .strip_prefix("/b/")
        .map(|rest| rest.split_once("/versions/"))
    {
        Some(Some((id, version))) => (
            id.parse::<cjm_core::BoardId>().ok(),
            Some(version.to_string()),
        ),
        Some(None) => (path["/b/".len()..].parse::<cjm_core::BoardId>().ok(), None),
        None => (None, None),
    };
    let link = path
        .strip_prefix("/s/")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    if let Some(token) = link {
        return lazy::show(move || join_page(token.clone())).into_any();
    }
    match (board, path.as_str()) {
        (Some(id), _) => match version {
            Some(version) => view! { <board::BoardPage id=id version=version/> }.into_any(),
            None => view! { <board::BoardPage id=id/> }.into_any(),
        },
        (None, "/login") => lazy::show(login_page).into_any(),
        _ => lazy::show(home_page).into_any(),
    }
}

// The board is in the main module: it is what links open. The other
// pages are loaded on first use.
lazy::split!(
    home,
    fn home_page() -> Loaded {
        Ok(view! { <home::Home/> }.into_any())
    }
);
lazy::split!(
    login,
    fn login_page() -> Loaded {
        Ok(view! { <account::LoginPage/> }.into_any())
    }
);
lazy::split!(
    join,
    fn join_page(token: String) -> Loaded {
        Ok(view! { <join::JoinPage token=token/> }.into_any())
    }
);

#[wasm_bindgen(start)]
pub fn main() {
    // A panic aborts (`panic = "abort"`): the console says what and where
    // first, so that a failure reads as more than "unreachable".
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("panicked at {info}").into());
    }));
    leptos::mount::mount_to_body(App);
}
