//! The activity feed (`GET /api/boards/{id}/activity`): who changed what,
//! newest first, in a side panel open to every role.
//!
//! The server tells each batch as a ready sentence in the language asked
//! for, so the panel only lists, filters and pages; the sentence is user
//! text (names, stage names) and is shown as text, never as HTML. The
//! list is asked again when the panel opens, when a filter or the UI
//! language changes, and, a moment after the board's seq grows, so that
//! the feed follows live edits without asking once per batch.

use std::time::Duration;

use cjm_core::api::{ActivityItem as Item, ActivityPage, PeopleList};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use super::panel::Panel;
use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

/// Items per page (the server's default), and at most one page of 200.
const PAGE: usize = 50;
const MAX_PAGE: usize = 200;
/// Live batches are gathered this long before the list is asked again.
const REFRESH_DELAY: Duration = Duration::from_millis(800);

impl super::Ui {
    /// Opens the activity panel (board menu, "since your last visit").
    pub fn open_activity(&self) {
        self.panel.set(Some(Panel::Activity));
    }
}

#[component]
pub fn ActivityPanel() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let items = RwSignal::new(None::<Vec<Item>>);
    let next = RwSignal::new(None::<u64>);
    let person = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    // (actor id, name): those seen in the feed and the board's people.
    let people = RwSignal::new(Vec::<(String, String)>::new());
    let error = RwSignal::new(None::<String>);
    // Answers to an older request (before a filter changed) are dropped.
    let generation = StoredValue::new(0u32);
    // The board's seq the shown list was asked at, and a refresh waiting.
    let asked_at = StoredValue::new(ui.conn.seq().unwrap_or(0));
    let refresh_waiting = StoredValue::new(false);
    // Stored, so that `load` is Copy and every handler may call it.
    let base = StoredValue::new(format!("/api/boards/{}/activity", ui.board_id));

    let remember = move |found: &[Item]| {
        people.try_update(|p| {
            for it in found {
                if !p.iter().any(|(id, _)| *id == it.actor) {
                    p.push((it.actor.clone(), it.actor_name.clone()));
                }
            }
        });
    };
    // `before`: the next page; else the first page, as long as the list
    // already shown (a live refresh keeps the older items loaded).
    let load = move |before: Option<u64>| {
        let Some(lang) = i18n.0.try_get_untracked() else {
            return;
        };
        let shown = items.with_untracked(|l| l.as_ref().map_or(0, Vec::len));
        let limit = if before.is_some() {
            PAGE
        } else {
            shown.clamp(PAGE, MAX_PAGE)
        };
        let mut url = base.with_value(|b| format!("{b}?limit={limit}&lang={}", lang.code()));
        if let Some(b) = before {
            url.push_str(&format!("&before={b}"));
        }
        let who = person.get_untracked();
        if !who.is_empty() {
            url.push_str(&format!("&actor={}", encode(&who)));
        }
        let at = stage.get_untracked();
        if !at.is_empty() {
            url.push_str(&format!("&stage={}", encode(&at)));
        }
        if let Some(ms) = day_start_ms(&since.get_untracked()) {
            url.push_str(&format!("&since={ms}"));
        }
        if before.is_none() {
            generation.update_value(|g| *g += 1);
            asked_at.set_value(ui.conn.seq().unwrap_or(0));
        }
        let mine = generation.get_value();
        spawn_local(async move {
            let result = browser::fetch_json::<ActivityPage>("GET", &url, None).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            match result {
                Ok(page) => {
                    remember(&page.items);
                    error.try_set(None);
                    next.try_set(page.next_before);
                    if before.is_some() {
                        items.try_update(|l| l.get_or_insert_default().extend(page.items));
                    } else {
                        items.try_set(Some(page.items));
                    }
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    // On opening, and whenever a filter or the language changes.
    Effect::new(move |_| {
        person.track();
        stage.track();
        since.track();
        i18n.0.track();
        load(None);
    });
    // Live: new batches bring the list up to date a moment later.
    Effect::new(move |_| {
        ui.conn.board.track();
        let grew = ui.conn.seq().is_some_and(|s| s > asked_at.get_value());
        if grew && !refresh_waiting.get_value() {
            refresh_waiting.set_value(true);
            set_timeout(
                move || {
                    if refresh_waiting.try_set_value(false).is_none() {
                        load(None);
                    }
                },
                REFRESH_DELAY,
            );
        }
    });
    // The people who may comment include those who have not edited yet
    // (a viewer is refused this list and sees the feed's names only).
    {
        let url = format!("/api/boards/{}/people", ui.board_id);
        spawn_local(async move {
            if let Ok(list) = browser::fetch_json::<PeopleList>("GET", &url, None).await {
                let found = list.people;
                people.try_update(|p| {
                    for who in found {
                        let id = who.id.to_string();
                        if !p.iter().any(|(known, _)| *known == id) {
                            p.push((id, who.name));
                        }
                    }
                });
            }
        });
    }
    let stages = Memo::new(move |_| {
        ui.conn.board.with(|b| {
            b.iter()
                .flat_map(|b| b.stages_in_order())
                .map(|s| (s.id.to_string(), s.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let filtered =
        move || !(person.get().is_empty() && stage.get().is_empty() && since.get().is_empty());

    view! {
        <div class="activity-panel" data-testid="activity-panel">
            <div class="activity-filters">
                <label class="field">
                    <span>{move || i18n.t(T::ActivityPerson)}</span>
                    <select data-testid="activity-person" prop:value=move || person.get()
                        on:change=move |ev| person.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t(T::ActivityEveryone)}</option>
                        {move || {
                            let mut list = people.get();
                            list.sort_by_key(|(_, n)| n.to_lowercase());
                            list.into_iter()
                                .map(|(id, name)| {
                                    let chosen = person.get_untracked() == id;
                                    view! { <option value=id selected=chosen>{name}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(T::ActivityStage)}</span>
                    <select data-testid="activity-stage" prop:value=move || stage.get()
                        on:change=move |ev| stage.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t(T::ActivityAllStages)}</option>
                        {move || stages.get().into_iter().map(|(id, name)| {
                            let chosen = stage.get_untracked() == id;
                            view! { <option value=id selected=chosen>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(T::ActivitySince)}</span>
                    <input type="date" data-testid="activity-since" prop:value=move || since.get()
                        on:change=move |ev| since.set(event_target_value(&ev))/>
                </label>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="activity-error">{e}</p> })}
            {move || match items.get() {
                None => view! { <p class="muted small">{i18n.t(T::Loading)}</p> }.into_any(),
                Some(l) if l.is_empty() => view! {
                    <p class="muted small" data-testid="activity-empty">
                        {move || i18n.t(if filtered() { T::ActivityNoMatch } else { T::ActivityNone })}
                    </p>
                }.into_any(),
                Some(l) => view! {
                    <ol class="activity-list">
                        {l.into_iter().map(|it| view! { <Row it=it/> }).collect_view()}
                    </ol>
                }.into_any(),
            }}
            <Show when=move || next.get().is_some()>
                <button type="button" class="secondary activity-more" data-testid="activity-more"
                    on:click=move |_| load(next.get_untracked())>
                    {move || i18n.t(T::ActivityMore)}
                </button>
            </Show>
        </div>
    }
}

/// One batch: the person's colour, the sentence and when.
#[component]
fn Row(it: Item) -> impl IntoView {
    let i18n = use_i18n();
    let at = it.at;
    let full = move || browser::format_time(at, i18n.0.get().code());
    let when = move || super::comments::when(at, i18n);
    view! {
        <li class="activity-item" data-testid="activity-item" data-seq=it.seq.to_string()>
            <span class="activity-avatar" aria-hidden="true" style:background=browser::person_color(&it.actor)>
                {browser::initials(&it.actor_name)}
            </span>
            <div class="activity-body">
                <p class="activity-text" data-testid="activity-text">{it.text}</p>
                <time class="muted small" title=full>{when}</time>
            </div>
        </li>
    }
}

/// Local midnight of a `<input type=date>` value, in unix ms.
fn day_start_ms(day: &str) -> Option<i64> {
    if day.is_empty() {
        return None;
    }
    let t = js_sys::Date::new(&JsValue::from_str(&format!("{day}T00:00"))).get_time();
    (!t.is_nan()).then_some(t as i64)
}

/// A query value (actor ids are uuids or guest ids; escaped anyway).
fn encode(v: &str) -> String {
    js_sys::encode_uri_component(v).into()
}
