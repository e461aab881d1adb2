//! The owner's "Share" panel: members with their roles (invite by email,
//! change, remove) and share links (viewer or editor, optional expiry and
//! password; the link is shown once, when created; revocable). Every change
//! is made by the server's REST API, which checks that we are the owner.

use cjm_core::Role;
use cjm_core::api::{Invitation, LinkInfo as Link, LinkList, Member, MemberList, NewLink};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::IgnoredAny;

use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

/// The link an invited person signs up through: the sign-up form with
/// their email filled in, then the board.
fn invitation_link(board: cjm_core::BoardId, email: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    let email = String::from(js_sys::encode_uri_component(email));
    format!("{origin}/login?signup=1&email={email}&next=/b/{board}")
}

pub fn role_label(role: Role) -> T {
    match role {
        Role::Owner => T::RoleOwner,
        Role::Editor => T::RoleEditor,
        Role::Commenter => T::RoleCommenter,
        Role::Viewer => T::RoleViewer,
    }
}

const DAY_MS: i64 = 24 * 3600 * 1000;

#[component]
pub fn SharePanel() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let base = format!("/api/boards/{}", ui.board_id);
    let members = RwSignal::new(Vec::<Member>::new());
    let invitations = RwSignal::new(Vec::<Invitation>::new());
    let links = RwSignal::new(Vec::<Link>::new());
    let error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);

    let reload = {
        let base = base.clone();
        move || {
            let base = base.clone();
            spawn_local(async move {
                match browser::fetch_json::<MemberList>("GET", &format!("{base}/members"), None)
                    .await
                {
                    Ok(list) => {
                        members.set(list.members);
                        invitations.set(list.invitations);
                    }
                    Err(e) => error.set(Some(e)),
                }
                match browser::fetch_json::<LinkList>("GET", &format!("{base}/links"), None).await {
                    Ok(list) => links.set(list.links),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    reload();
    // Runs a change, then shows the lists as the server has them.
    let call = {
        let reload = reload.clone();
        move |method: &'static str, url: String, body: Option<serde_json::Value>| {
            let reload = reload.clone();
            spawn_local(async move {
                let sent =
                    browser::fetch_json::<IgnoredAny>(method, &url, body.map(|b| b.to_string()));
                match sent.await {
                    Ok(_) => error.set(None),
                    Err(e) => error.set(Some(e)),
                }
                reload();
            });
        }
    };

    let invite_email = RwSignal::new(String::new());
    let invite_role = RwSignal::new("editor".to_string());
    let invite = {
        let (call, base) = (call.clone(), base.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = serde_json::json!({ "email": invite_email.get_untracked(), "role": invite_role.get_untracked() });
            invite_email.set(String::new());
            call("POST", format!("{base}/members"), Some(body));
        }
    };

    let link_role = RwSignal::new("viewer".to_string());
    let link_days = RwSignal::new("0".to_string());
    let link_password = RwSignal::new(String::new());
    let create_link = {
        let (reload, base) = (reload.clone(), base.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let days: i64 = link_days.get_untracked().parse().unwrap_or(0);
            let expires_at = (days > 0).then(|| browser::now_ms() + days * DAY_MS);
            let password = link_password.get_untracked();
            let body = serde_json::json!({
                "role": link_role.get_untracked(),
                "expires_at": expires_at,
                "password": (!password.is_empty()).then_some(password),
            });
            link_password.set(String::new());
            let origin = window().location().origin().unwrap_or_default();
            let (url, reload) = (format!("{base}/links"), reload.clone());
            spawn_local(async move {
                match browser::fetch_json::<NewLink>("POST", &url, Some(body.to_string())).await {
                    Ok(link) => {
                        error.set(None);
                        created.set(Some(format!("{origin}{}", link.url)));
                    }
                    Err(e) => error.set(Some(e)),
                }
                reload();
            });
        }
    };
    let copy = move |_| {
        if let Some(url) = created.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&url);
        }
    };

    let role_options = move |roles: &'static [Role], current: String| {
        roles
            .iter()
            .map(|r| {
                let value = r.as_str();
                view! { <option value=value selected=current == value>{i18n.t(role_label(*r))}</option> }
            })
            .collect_view()
    };
    let member_rows = {
        let (call, base) = (call.clone(), base.clone());
        move || {
            members
                .get()
                .into_iter()
                .map(|m| {
                    let (call_change, call_remove) = (call.clone(), call.clone());
                    let url = format!("{base}/members/{}", m.user_id);
                    let url2 = url.clone();
                    view! {
                        <li class="share-row" data-testid="member">
                            <span class="share-who">
                                <strong>{m.name.clone()}</strong>
                                <span class="muted small">{m.email.clone()}</span>
                            </span>
                            <select data-testid="member-role" aria-label=move || i18n.t(T::Role)
                                on:change=move |ev| call_change("PATCH", url.clone(), Some(serde_json::json!({ "role": event_target_value(&ev) })))>
                                {role_options(&Role::ALL, m.role.as_str().to_string())}
                            </select>
                            <button class="icon danger" data-testid="member-remove" title=move || i18n.t(T::Remove)
                                aria-label=move || i18n.t(T::Remove)
                                on:click=move |_| call_remove("DELETE", url2.clone(), None)>"×"</button>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let invitation_rows = {
        let (call, base) = (call.clone(), base.clone());
        move || {
            invitations
                .get()
                .into_iter()
                .map(|inv| {
                    let call = call.clone();
                    let url = format!(
                        "{base}/invitations/{}",
                        String::from(js_sys::encode_uri_component(&inv.email))
                    );
                    let link = invitation_link(ui.board_id, &inv.email);
                    let copied = RwSignal::new(false);
                    view! {
                        <li class="share-row" data-testid="invitation">
                            <span class="share-who">
                                <strong data-testid="invitation-email">{inv.email.clone()}</strong>
                                <span class="muted small">
                                    {move || format!("{} · {}", i18n.t(role_label(inv.role)), i18n.t(T::InvitationPending))}
                                </span>
                            </span>
                            <button class="tool-button" data-testid="invitation-copy" title=move || i18n.t(T::InvitationCopyHint)
                                data-link=link.clone()
                                on:click=move |_| {
                                    let _ = window().navigator().clipboard().write_text(&link);
                                    copied.set(true);
                                }>
                                {move || i18n.t(if copied.get() { T::Copied } else { T::InvitationCopy })}
                            </button>
                            <button class="icon danger" data-testid="invitation-cancel" title=move || i18n.t(T::InvitationCancel)
                                aria-label=move || i18n.t(T::InvitationCancel)
                                on:click=move |_| call("DELETE", url.clone(), None)>"×"</button>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let link_rows = move || {
        let lang = i18n.0.get().code();
        links
            .get()
            .into_iter()
            .map(|l| {
                let call = call.clone();
                let url = format!("{base}/links/{}", l.id);
                let expiry = match (l.expired, l.expires_at) {
                    (true, _) => i18n.t(T::LinkExpired).to_string(),
                    (false, Some(t)) => format!("{} {}", i18n.t(T::Until), browser::format_time(t, lang)),
                    (false, None) => i18n.t(T::NoExpiry).to_string(),
                };
                let used = match l.last_used_at {
                    Some(t) => format!("{} {}", i18n.t(T::LastUsed), browser::format_time(t, lang)),
                    None => i18n.t(T::NeverUsed).to_string(),
                };
                view! {
                    <li class="share-row" data-testid="link">
                        <span class="share-who">
                            <strong data-testid="link-role">{i18n.t(role_label(l.role))}</strong>
                            {l.has_password.then(|| view! { <span class="tag">{i18n.t(T::WithPassword)}</span> })}
                            <span class="muted small">{format!("{} {} · {expiry} · {used}", i18n.t(T::Created), browser::format_time(l.created_at, lang))}</span>
                        </span>
                        <button class="ghost-button danger" data-testid="link-revoke"
                            on:click=move |_| call("DELETE", url.clone(), None)>{i18n.t(T::Revoke)}</button>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <div class="share-panel" data-testid="share-panel">
            {move || error.get().map(|e| view! { <p class="error small" role="alert" data-testid="share-error">{e}</p> })}
            <section>
                <h3>{move || i18n.t(T::Members)}</h3>
                <ul class="share-list">{member_rows}{invitation_rows}</ul>
                <form class="share-form" on:submit=invite>
                    <input type="email" required data-testid="invite-email" placeholder="name@example.com"
                        aria-label=move || i18n.t(T::Email)
                        prop:value=move || invite_email.get() on:input=move |ev| invite_email.set(event_target_value(&ev))/>
                    <select data-testid="invite-role" aria-label=move || i18n.t(T::Role)
                        on:change=move |ev| invite_role.set(event_target_value(&ev))>
                        {move || role_options(&[Role::Editor, Role::Commenter, Role::Viewer, Role::Owner], invite_role.get_untracked())}
                    </select>
                    <button class="primary" type="submit" data-testid="invite">{move || i18n.t(T::Invite)}</button>
                </form>
                <p class="muted small">{move || i18n.t(T::InviteHint)}</p>
            </section>
            <section>
                <h3>{move || i18n.t(T::ShareLinks)}</h3>
                <p class="muted small">{move || i18n.t(T::ShareLinksHint)}</p>
                <form class="share-form" on:submit=create_link>
                    <select data-testid="link-role-new" aria-label=move || i18n.t(T::Role)
                        on:change=move |ev| link_role.set(event_target_value(&ev))>
                        {move || role_options(&[Role::Viewer, Role::Editor], link_role.get_untracked())}
                    </select>
                    <select data-testid="link-expiry" aria-label=move || i18n.t(T::Expiry)
                        on:change=move |ev| link_days.set(event_target_value(&ev))>
                        <option value="0">{move || i18n.t(T::NoExpiry)}</option>
                        <option value="1">{move || i18n.t(T::OneDay)}</option>
                        <option value="7">{move || i18n.t(T::SevenDays)}</option>
                        <option value="30">{move || i18n.t(T::ThirtyDays)}</option>
                    </select>
                    <input type="password" data-testid="link-password" autocomplete="new-password"
                        placeholder=move || i18n.t(T::OptionalPassword) aria-label=move || i18n.t(T::OptionalPassword)
                        prop:value=move || link_password.get() on:input=move |ev| link_password.set(event_target_value(&ev))/>
                    <button class="primary" type="submit" data-testid="create-link">{move || i18n.t(T::CreateLink)}</button>
                </form>
                {move || created.get().map(|url| view! {
                    <div class="new-link">
                        <input readonly data-testid="new-link-url" prop:value=url.clone() on:focus=|ev| {
                            if let Some(el) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                                el.select();
                            }
                        }/>
                        <button class="tool-button" data-testid="copy-link" on:click=copy>{move || i18n.t(T::Copy)}</button>
                        <p class="muted small">{move || i18n.t(T::LinkShownOnce)}</p>
                    </div>
                })}
                <ul class="share-list">{link_rows}</ul>
            </section>
        </div>
    }
}
