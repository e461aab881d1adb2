//! Code that is loaded on first use. The xtask splits the wasm (as
//! `cargo leptos --split` does): each function marked with `split!` goes,
//! with whatever only it reaches, into a module of its own that is fetched
//! the first time it is called. A board link thus downloads the board and
//! not the home page, the sign-in form or the version history.

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use crate::i18n::{T, use_i18n};

/// A split module could not be fetched (offline before it was cached, or
/// the server was replaced by a release without it).
#[derive(Debug)]
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// What a split function returns: its view, or why it has none.
pub type Loaded = Result<AnyView, NotLoaded>;

/// Marks a function `fn name() -> Loaded` as loaded on first use, in the
/// split module `module` (functions naming one module share it). The
/// wrapper it makes is `async`: show it with `lazy::show`.
macro_rules! split {
    ($module:ident, $(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> Loaded $body:block) => {
        $(#[$attr])*
        #[::leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, fallible)]
        #[allow(improper_ctypes_definitions)]
        $vis fn $name($($arg: $ty),*) -> $crate::lazy::Loaded $body
    };
}
pub(crate) use split;

/// Shows the view that `load` (a `split!` function's wrapper) brings in,
/// once its module is there; if it cannot be fetched, says so and offers
/// to try again (a failed load is not remembered).
pub fn show<F, Fut>(load: F) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Loaded> + Send + 'static,
{
    let i18n = use_i18n();
    let attempt = RwSignal::new(0u32);
    move || {
        attempt.track();
        let loading = load();
        Suspend::new(async move {
            match loading.await {
                Ok(view) => view,
                Err(NotLoaded) => view! {
                    <p class="load-failed" role="alert" data-testid="load-failed">
                        <span>{move || i18n.t(T::NotLoaded)}</span>
                        <button data-testid="load-retry" on:click=move |_| attempt.update(|n| *n += 1)>
                            {move || i18n.t(T::TryAgain)}
                        </button>
                    </p>
                }
                .into_any(),
            }
        })
    }
}
