//! `/s/{token}`: the page a share link opens. It asks the server what the
//! link is, asks for a name (editor links) and a password (protected links)
//! when needed, joins, and goes to the board. A viewer link with no password
//! joins at once: a manager clicks and watches.

use cjm_core::api::{Joined, LinkDescription as LinkInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::i18n::{T, use_i18n};

/// The guest name remembered on this browser.
const NAME_KEY: &str = "cjm.name";

#[component]
pub fn JoinPage(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let info = RwSignal::new(None::<LinkInfo>);
    let error = RwSignal::new(None::<String>);
    let name = RwSignal::new(browser::storage_get(NAME_KEY).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);

    let join = move || {
        busy.set(true);
        let who = name.get_untracked().trim().to_string();
        let body = serde_json::json!({
            "name": (!who.is_empty()).then_some(who.clone()),
            "password": password.get_untracked(),
        });
        spawn_local(async move {
            let url = format!("/api/links/{}/join", token.get_value());
            match browser::fetch_json::<Joined>("POST", &url, Some(body.to_string())).await {
                Ok(joined) => {
                    if !who.is_empty() {
                        browser::storage_set(NAME_KEY, &who);
                    }
                    browser::navigate(&format!("/b/{}", joined.board_id));
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    spawn_local(async move {
        let url = format!("/api/links/{}", token.get_value());
        match browser::fetch_json::<LinkInfo>("GET", &url, None).await {
            Ok(link) => {
                let at_once = !link.needs_password && !link.needs_name;
                info.set(Some(link));
                if at_once {
                    join();
                }
            }
            Err(e) => error.set(Some(e)),
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        join();
    };

    view! {
        <crate::account::PlainTopbar/>
        <main class="auth-page">
            <form class="auth-form" on:submit=submit data-testid="join-form">
                <h1>{move || i18n.t(T::JoinTitle)}</h1>
                {move || info.get().map(|l| view! {
                    <p data-testid="join-board"><strong>{l.title.clone().unwrap_or_else(|| i18n.t(T::ProtectedMap).to_string())}</strong></p>
                    <p class="muted">{if l.role.can_edit() { i18n.t(T::JoinAsEditor) } else { i18n.t(T::JoinAsViewer) }}</p>
                    {l.needs_name.then(|| view! {
                        <label class="field">
                            <span>{i18n.t(T::YourName)}</span>
                            <input data-testid="join-name" required maxlength="64" autocomplete="name"
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        </label>
                    })}
                    {l.needs_password.then(|| view! {
                        <label class="field">
                            <span>{i18n.t(T::LinkPassword)}</span>
                            <input type="password" data-testid="join-password" required
                                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                        </label>
                    })}
                    {(l.needs_name || l.needs_password).then(|| view! {
                        <button class="primary" type="submit" data-testid="join" disabled=move || busy.get()>{i18n.t(T::Join)}</button>
                    })}
                })}
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="join-error">{e}</p> })}
            </form>
        </main>
    }
}
