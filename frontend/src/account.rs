//! Accounts in the browser: the sign-in / sign-up page (`/login`), the
//! account chip in the top bar (who is signed in, sign out, change
//! password, delete the account). The session itself is an HttpOnly cookie the page never sees.

use cjm_core::ApiErrorCode;
use cjm_core::api::{AccountReply, Inbox, SoleOwnedBoard};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::IgnoredAny;

use crate::browser;
use crate::i18n::{LangSwitch, T, use_i18n};

/// The signed-in account as the server tells it.
pub type Me = cjm_core::api::Account;

/// The signed-in account, once asked (`None` inside: signed out).
pub fn load_me() -> RwSignal<Option<Option<Me>>> {
    let me = RwSignal::new(None);
    spawn_local(async move {
        let who = browser::fetch_json::<AccountReply>("GET", "/api/auth/me", None)
            .await
            .ok()
            .map(|reply| reply.user);
        me.set(Some(who));
    });
    me
}

/// The value of `?key=` in the page's address, decoded.
fn query_param(key: &str) -> Option<String> {
    let search = window().location().search().unwrap_or_default();
    let prefix = format!("{key}=");
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix(prefix.as_str()))
        .and_then(|v| js_sys::decode_uri_component(v).ok().map(String::from))
}

/// Where to go after signing in: `?next=…` resolved against this page, if
/// it stays on our origin (so `/\\evil.example`, `/%09/evil.example` and the
/// like, which browsers read as other hosts, lead home instead).
fn next_path() -> String {
    let location = window().location();
    let origin = location.origin().unwrap_or_default();
    query_param("next")
        .and_then(|next| web_sys::Url::new_with_base(&next, &origin).ok())
        .filter(|url| url.origin() == origin)
        .map(|url| format!("{}{}{}", url.pathname(), url.search(), url.hash()))
        .unwrap_or_else(|| "/".into())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    // A setup link (`/login?setup=…`) is for creating the first account;
    // an invitation link (`/login?signup=1&email=…&next=/b/…`) for the
    // account an owner invited, which joins the board on signing up.
    let signing_up =
        RwSignal::new(query_param("setup").is_some() || query_param("signup").is_some());
    let email = RwSignal::new(query_param("email").unwrap_or_default());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let up = signing_up.get_untracked();
        let body = if up {
            // The first account of a server made from elsewhere than its
            // own machine needs the setup token from the server's log.
            serde_json::json!({"email": email.get_untracked(), "password": password.get_untracked(), "name": name.get_untracked(), "setup_token": query_param("setup")})
        } else {
            serde_json::json!({"email": email.get_untracked(), "password": password.get_untracked()})
        };
        let url = if up {
            "/api/auth/signup"
        } else {
            "/api/auth/login"
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match browser::fetch_json::<IgnoredAny>("POST", url, Some(body.to_string())).await {
                Ok(_) => browser::navigate(&next_path()),
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <PlainTopbar/>
        <main class="auth-page">
            <form class="auth-form" on:submit=submit data-testid="auth-form">
                <h1>{move || i18n.t(if signing_up.get() { T::CreateAccount } else { T::SignIn })}</h1>
                <Show when=move || signing_up.get()>
                    <label class="field">
                        <span>{move || i18n.t(T::Name)}</span>
                        <input data-testid="auth-name" autocomplete="name" maxlength="200"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                </Show>
                <label class="field">
                    <span>{move || i18n.t(T::Email)}</span>
                    <input type="email" required data-testid="auth-email" autocomplete="email" maxlength="254"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>{move || i18n.t(T::Password)}</span>
                    <input type="password" required data-testid="auth-password" maxlength="200"
                        autocomplete=move || if signing_up.get() { "new-password" } else { "current-password" }
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                    <Show when=move || signing_up.get()>
                        <span class="muted small">{move || i18n.t(T::PasswordRule)}</span>
                    </Show>
                </label>
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="auth-error">{e}</p> })}
                <button class="primary" type="submit" data-testid="auth-submit" disabled=move || busy.get()>
                    {move || i18n.t(if signing_up.get() { T::CreateAccount } else { T::SignIn })}
                </button>
                <button class="link" type="button" data-testid="auth-switch"
                    on:click=move |_| { error.set(None); signing_up.update(|s| *s = !*s); }>
                    {move || i18n.t(if signing_up.get() { T::HaveAccount } else { T::NoAccount })}
                </button>
            </form>
        </main>
    }
}

/// Who is signed in, with sign-out, password change and account deletion;
/// or a sign-in link.
#[component]
pub fn AccountChip() -> impl IntoView {
    let i18n = use_i18n();
    let me = load_me();
    let open = RwSignal::new(false);
    crate::browser::dismissable(
        move || open.get().then_some(()),
        move || open.set(false),
        vec![".account-menu".into()],
    );
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let deleting = RwSignal::new(false);
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = browser::fetch_json::<IgnoredAny>("POST", "/api/auth/logout", None).await;
            browser::navigate("/login");
        });
    };
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body =
            serde_json::json!({"current": current.get_untracked(), "new": new.get_untracked()});
        spawn_local(async move {
            let sent = browser::fetch_json::<IgnoredAny>(
                "POST",
                "/api/auth/password",
                Some(body.to_string()),
            );
            match sent.await {
                Ok(_) => {
                    current.set(String::new());
                    new.set(String::new());
                    message.set(Some((true, i18n.t(T::PasswordChanged).into())));
                }
                Err(e) => message.set(Some((false, e))),
            }
        });
    };
    view! {
        {move || match me.get() {
            None => ().into_any(),
            Some(None) => view! {
                <a class="tool-button" href="/login" data-testid="sign-in-link">{i18n.t(T::SignIn)}</a>
            }.into_any(),
            Some(Some(user)) => view! {
                <div class="account" on:click=|ev| ev.stop_propagation()>
                    <button class="tool-button" data-testid="account" aria-haspopup="menu"
                        aria-expanded=move || open.get().to_string()
                        on:click=move |_| open.update(|o| *o = !*o)>
                        <span class="avatar small" style:background=browser::person_color(&user.email)>{browser::initials(&user.name)}</span>
                        <span data-testid="account-name">{user.name.clone()}</span>
                    </button>
                    <Show when=move || open.get()>
                        <div class="menu account-menu" role="menu">
                            <p class="muted small menu-label">{user.email.clone()}</p>
                            <form class="template-form" on:submit=change data-testid="password-form">
                                <strong>{move || i18n.t(T::ChangePassword)}</strong>
                                <input type="password" required autocomplete="current-password" data-testid="password-current"
                                    placeholder=move || i18n.t(T::CurrentPassword) aria-label=move || i18n.t(T::CurrentPassword)
                                    prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev))/>
                                <input type="password" required autocomplete="new-password" data-testid="password-new"
                                    placeholder=move || i18n.t(T::NewPassword) aria-label=move || i18n.t(T::NewPassword)
                                    prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                                <button class="primary" type="submit" data-testid="password-save">{move || i18n.t(T::Save)}</button>
                                {move || message.get().map(|(ok, m)| view! {
                                    <p class=if ok { "small" } else { "error small" } role="status" data-testid="password-message">{m}</p>
                                })}
                            </form>
                            <button role="menuitem" data-testid="sign-out" on:click=sign_out>{move || i18n.t(T::SignOut)}</button>
                            <button role="menuitem" class="danger" data-testid="delete-account"
                                on:click=move |_| { open.set(false); deleting.set(true); }>
                                {move || i18n.t(T::DeleteAccountMenu)}
                            </button>
                        </div>
                    </Show>
                    <Show when=move || deleting.get()>
                        <leptos::portal::Portal>
                            <DeleteAccountDialog open=deleting/>
                        </leptos::portal::Portal>
                    </Show>
                </div>
            }.into_any(),
        }}
    }
}

/// "Delete account…": asks for the password; when the account is the only
/// owner of boards, lists them and asks whether to hand them over or to
/// delete them, then deletes the account and goes to the sign-in page.
/// Esc, Cancel or a click outside closes it.
#[component]
fn DeleteAccountDialog(open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let sole = RwSignal::new(None::<Vec<SoleOwnedBoard>>);
    let field = NodeRef::<leptos::html::Input>::new();
    browser::focus_when_mounted(move || field.get().map(Into::into));
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    });
    on_cleanup(move || keys.remove());
    let send = move |choice: Option<&'static str>| {
        if busy.get_untracked() {
            return;
        }
        let mut body = serde_json::json!({ "password": password.get_untracked() });
        if let Some(choice) = choice {
            body["sole_owned"] = choice.into();
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let sent = browser::fetch_json_detailed::<IgnoredAny>(
                "DELETE",
                "/api/auth/account",
                Some(body.to_string()),
            )
            .await;
            match sent {
                Ok(_) => browser::navigate("/login"),
                Err(f) => {
                    busy.set(false);
                    match f.code {
                        ApiErrorCode::SoleOwner => sole.set(Some(f.boards)),
                        ApiErrorCode::InvalidCredentials => {
                            error.set(Some(i18n.t(T::WrongPassword).into()))
                        }
                        _ => error.set(Some(f.message)),
                    }
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Once boards are listed, one of their two buttons decides.
        if sole.get_untracked().is_none() {
            send(None);
        }
    };
    let backdrop_click = move |ev: leptos::ev::MouseEvent| {
        if ev.target() == ev.current_target() {
            open.set(false);
        }
    };
    view! {
        <div class="dialog-backdrop" on:click=backdrop_click>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="delete-account-title"
                data-testid="delete-account-dialog">
                <h2 id="delete-account-title">{move || i18n.t(T::DeleteAccountTitle)}</h2>
                <p class="muted">{move || i18n.t(T::DeleteAccountExplain)}</p>
                <form on:submit=submit>
                    <label class="field">
                        <span>{move || i18n.t(T::Password)}</span>
                        <input type="password" required autocomplete="current-password" maxlength="200"
                            node_ref=field data-testid="delete-account-password"
                            prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                    </label>
                    {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="delete-account-error">{e}</p> })}
                    {move || sole.get().map(|boards| view! {
                        <div class="sole-owned" data-testid="sole-owned">
                            <p>{i18n.t(T::SoleOwnedIntro)}</p>
                            <ul>
                                {boards.into_iter().map(|b| {
                                    let others = if b.other_members > 0 {
                                        format!("{}: {}", i18n.t(T::OtherMembers), b.other_members)
                                    } else {
                                        i18n.t(T::NoOtherMembers).to_string()
                                    };
                                    view! {
                                        <li data-testid="sole-owned-board" data-id=b.id.to_string()>
                                            <strong>{b.title}</strong>" "<span class="muted small">{others}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <p class="muted small">{i18n.t(T::SoleOwnedHint)}</p>
                        </div>
                    })}
                    <div class="dialog-actions">
                        <button type="button" class="secondary" data-testid="delete-account-cancel"
                            on:click=move |_| open.set(false)>{move || i18n.t(T::Cancel)}</button>
                        {move || if sole.get().is_some() {
                            view! {
                                <button type="button" class="primary" data-testid="delete-account-transfer"
                                    disabled=move || busy.get() on:click=move |_| send(Some("transfer"))>
                                    {i18n.t(T::HandOverBoards)}
                                </button>
                                <button type="button" class="danger-solid" data-testid="delete-account-delete-boards"
                                    disabled=move || busy.get() on:click=move |_| send(Some("delete"))>
                                    {i18n.t(T::DeleteBoardsToo)}
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="submit" class="danger-solid" data-testid="delete-account-confirm"
                                    disabled=move || busy.get()>
                                    {i18n.t(T::DeleteAccountConfirm)}
                                </button>
                            }.into_any()
                        }}
                    </div>
                </form>
            </div>
        </div>
    }
}

/// The top bar of the pages that are about getting in (signing in, joining
/// through a link): the brand and the language, nothing else.
#[component]
pub fn PlainTopbar() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="topbar">
            <a class="brand" href="/">{move || i18n.t(T::AppName)}</a>
            <span class="spacer"></span>
            <LangSwitch/>
        </header>
    }
}

/// How often an open page asks for the inbox again while it is visible.
const INBOX_POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// The mentions inbox of the signed-in account: a bell with the count of
/// unread mentions; opening it lists them (each links to its board) and
/// marks them read. Nothing shows when nobody is signed in.
///
/// It stays fresh without a reload: asked again every `INBOX_POLL` while
/// the tab is visible, at once when the tab becomes visible again, and
/// whenever `nudge` changes (on a board: the number of comments there that
/// mention us, so a mention arriving over the websocket shows at once).
/// At most one request is in flight; a hidden tab or a guest (no inbox)
/// asks nothing.
#[component]
pub fn InboxButton(#[prop(optional, into)] nudge: Option<Signal<Option<usize>>>) -> impl IntoView {
    let i18n = use_i18n();
    let inbox = RwSignal::new(None::<Inbox>);
    let open = RwSignal::new(false);
    crate::browser::dismissable(
        move || open.get().then_some(()),
        move || open.set(false),
        vec!["[data-testid=inbox]".into()],
    );
    let busy = Arc::new(AtomicBool::new(false));
    let load = move || {
        if busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let busy = busy.clone();
        spawn_local(async move {
            if let Ok(fresh) = browser::fetch_json::<Inbox>("GET", "/api/inbox", None).await {
                inbox.try_set(Some(fresh));
            }
            busy.store(false, Ordering::Release);
        });
    };
    load();
    // Later asks only once we know there is an inbox (someone signed in).
    let refresh = {
        let load = load.clone();
        move || {
            if !document().hidden() && inbox.try_with_untracked(Option::is_some) == Some(true) {
                load();
            }
        }
    };
    if let Ok(handle) = set_interval_with_handle(refresh.clone(), INBOX_POLL) {
        on_cleanup(move || handle.clear());
    }
    // The document's visibilitychange bubbles up to the window.
    let on_visible = window_event_listener_untyped("visibilitychange", {
        let refresh = refresh.clone();
        move |_| refresh()
    });
    on_cleanup(move || on_visible.remove());
    if let Some(nudge) = nudge {
        Effect::new(move |before: Option<Option<usize>>| {
            let now = nudge.get();
            if let (Some(Some(a)), Some(b)) = (before, now)
                && a != b
            {
                refresh();
            }
            now
        });
    }
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening && inbox.with_untracked(|i| i.as_ref().is_some_and(|i| i.unread > 0)) {
            spawn_local(async move {
                if browser::fetch_json::<IgnoredAny>("POST", "/api/inbox/read", None)
                    .await
                    .is_ok()
                {
                    // The items keep their "unread" look while the list is open.
                    inbox.update(|i| {
                        if let Some(i) = i {
                            i.unread = 0;
                        }
                    });
                }
            });
        }
    };
    let close_on_outside = window_event_listener(leptos::ev::click, move |_| open.set(false));
    on_cleanup(move || close_on_outside.remove());
    view! {
        {move || inbox.with(Option::is_some).then(|| view! {
            <div class="account inbox" on:click=|ev| ev.stop_propagation()>
                <button class="tool-button" data-testid="inbox-button" aria-haspopup="true"
                    aria-expanded=move || open.get().to_string()
                    title=move || i18n.t(T::Inbox) aria-label=move || i18n.t(T::Inbox)
                    on:click=toggle>
                    <crate::board::Icon name="bell"/>
                    {move || {
                        let n = inbox.with(|i| i.as_ref().map_or(0, |i| i.unread));
                        (n > 0).then(|| view! {
                            <span class="badge" data-testid="inbox-unread"
                                aria-label=move || format!("{n} {}", i18n.t(T::Unread))>{n}</span>
                        })
                    }}
                </button>
                <Show when=move || open.get()>
                    <div class="menu inbox-menu" role="dialog" aria-label=move || i18n.t(T::Inbox) data-testid="inbox">
                        <p class="menu-label"><strong>{move || i18n.t(T::Inbox)}</strong></p>
                        {move || {
                            let items = inbox.with(|i| i.as_ref().map(|i| i.items.clone()).unwrap_or_default());
                            if items.is_empty() {
                                view! { <p class="muted small menu-label">{i18n.t(T::InboxEmpty)}</p> }.into_any()
                            } else {
                                let lang = i18n.0.get().code();
                                view! {
                                    <ul class="inbox-list">
                                        {items.into_iter().map(|item| view! {
                                            <li>
                                                <a class="inbox-item" class:unread=item.unread data-testid="inbox-item"
                                                    data-comment=item.comment.id.to_string()
                                                    href=format!("/b/{}", item.board_id)>
                                                    <span class="inbox-board">{item.board_title.clone()}</span>
                                                    <span><strong>{item.comment.author_name.clone()}</strong>" "
                                                        <span class="muted small">{browser::format_time(item.comment.created_at, lang)}</span></span>
                                                    <span class="inbox-text">{crate::board::excerpt(&item.comment.text, 140)}</span>
                                                </a>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                        }}
                    </div>
                </Show>
            </div>
        })}
    }
}
