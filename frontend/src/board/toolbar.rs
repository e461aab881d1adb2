//! Board tools around the grid: undo/redo, search, zoom, the selection bar
//! and the rubber band.

use std::collections::BTreeSet;

use cjm_core::{CardId, Color};
use leptos::prelude::*;

use super::editing::{self, MAX_ZOOM, MIN_ZOOM};
use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

/// Whether a card matches the search (text or evidence, any case).
pub fn matches(card: &cjm_core::Card, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty()
        || card.text.to_lowercase().contains(&q)
        || card
            .evidence
            .iter()
            .any(|e| e.quote.to_lowercase().contains(&q))
        || card
            .opportunity
            .as_ref()
            .is_some_and(|o| o.owner.to_lowercase().contains(&q))
}

#[component]
pub fn UndoRedo() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    view! {
        <div class="undo-redo" role="group">
            <button class="icon big" data-testid="undo" disabled=move || ui.history_len.get().0 == 0
                title=move || format!("{} (Ctrl+Z)", i18n.t(T::Undo)) aria-label=move || i18n.t(T::Undo)
                on:click=move |_| ui.undo()>"↶"</button>
            <button class="icon big" data-testid="redo" disabled=move || ui.history_len.get().1 == 0
                title=move || format!("{} (Ctrl+Shift+Z)", i18n.t(T::Redo)) aria-label=move || i18n.t(T::Redo)
                on:click=move |_| ui.redo()>"↷"</button>
        </div>
    }
}

#[component]
pub fn Search() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let hits = Memo::new(move |_| {
        let q = ui.search.get();
        if q.trim().is_empty() {
            return Vec::new();
        }
        ui.conn.board.with(|b| {
            let Some(b) = b else { return Vec::new() };
            let mut v = Vec::new();
            for s in b.stages_in_order() {
                for l in b.lanes_in_order() {
                    v.extend(
                        b.cards_in_cell(s.id, l.id)
                            .into_iter()
                            .filter(|c| matches(c, &q))
                            .map(|c| c.id),
                    );
                }
            }
            v
        })
    });
    let current = RwSignal::new(0usize);
    let go = move |by: isize| {
        let n = hits.with_untracked(|h| h.len());
        if n == 0 {
            return;
        }
        let i = (current.get_untracked() as isize + by).rem_euclid(n as isize) as usize;
        current.set(i);
        if let Some(id) = hits.with_untracked(|h| h.get(i).copied()) {
            browser::reveal(&format!("[data-card=\"{id}\"]"));
            // Keep typing in the box.
            if let Ok(Some(el)) = document().query_selector("[data-testid=search]")
                && let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
            {
                let _ = el.focus();
            }
        }
    };
    view! {
        <div class="search" role="search">
            <input type="search" data-testid="search" placeholder=move || format!("{}…", i18n.t(T::Search))
                aria-label=move || i18n.t(T::Search) maxlength="200"
                prop:value=move || ui.search.get()
                on:input=move |ev| { current.set(usize::MAX); ui.search.set(event_target_value(&ev)); }
                on:keydown=move |ev| match ev.key().as_str() {
                    "Enter" => { ev.prevent_default(); go(if ev.shift_key() { -1 } else { 1 }); }
                    "Escape" => ui.search.set(String::new()),
                    _ => {}
                }/>
            <Show when=move || !ui.search.with(|s| s.trim().is_empty())>
                <span class="search-count" data-testid="search-count" aria-live="polite">
                    {move || {
                        let n = hits.with(|h| h.len());
                        let i = current.get();
                        if n == 0 { i18n.t(T::NoMatches).to_string() } else if i < n { format!("{} / {n}", i + 1) } else { format!("{n}") }
                    }}
                </span>
            </Show>
        </div>
    }
}

#[component]
pub fn ZoomControls() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    view! {
        <div class="zoom-controls" role="group" aria-label=move || i18n.t(T::Zoom) on:click=|ev| ev.stop_propagation()>
            <button class="icon" data-testid="zoom-out" aria-label=move || i18n.t(T::ZoomOut) title=move || i18n.t(T::ZoomOut)
                disabled=move || { ui.zoom.get() <= MIN_ZOOM }
                on:click=move |_| ui.set_zoom(ui.zoom.get_untracked() / 1.25)>"−"</button>
            <button class="zoom-value" data-testid="zoom-reset" title=move || i18n.t(T::ZoomReset)
                on:click=move |_| ui.set_zoom(1.0)>{move || format!("{:.0} %", ui.zoom.get() * 100.0)}</button>
            <button class="icon" data-testid="zoom-in" aria-label=move || i18n.t(T::ZoomIn) title=move || i18n.t(T::ZoomIn)
                disabled=move || { ui.zoom.get() >= MAX_ZOOM }
                on:click=move |_| ui.set_zoom(ui.zoom.get_untracked() * 1.25)>"+"</button>
            <button class="zoom-fit" data-testid="zoom-fit" on:click=move |_| editing::fit_zoom(ui)>{move || i18n.t(T::Fit)}</button>
        </div>
    }
}

/// What can be done with several cards at once.
#[component]
pub fn SelectionBar() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let count = Memo::new(move |_| ui.selection.with(|s| s.len()));
    let ids = move || ui.acted_on();
    view! {
        <Show when=move || { count.get() > 0 }>
            <div class="selection-bar" data-testid="selection-bar" role="toolbar" on:click=|ev| ev.stop_propagation()>
                <strong data-testid="selection-count">{move || format!("{} {}", count.get(), i18n.t(T::Selected))}</strong>
                <span class="palette inline">
                    {Color::ALL.into_iter().map(|c| view! {
                        <button class=format!("swatch color-{}", c.as_str()) aria-label=c.as_str() title=c.as_str()
                            data-testid=format!("selection-color-{}", c.as_str())
                            on:click=move |_| ui.recolor_cards(&ids(), c)></button>
                    }).collect_view()}
                </span>
                <button class="tool-button" data-testid="selection-duplicate" title="Ctrl+D" on:click=move |_| ui.duplicate_cards(&ids())>{move || i18n.t(T::Duplicate)}</button>
                <button class="tool-button danger" data-testid="selection-delete" on:click=move |_| ui.delete_cards(&ids())>{move || i18n.t(T::Delete)}</button>
                <button class="icon" data-testid="selection-clear" aria-label=move || i18n.t(T::ClearSelection) title=move || i18n.t(T::ClearSelection)
                    on:click=move |_| ui.selection.set(BTreeSet::<CardId>::new())>"×"</button>
            </div>
        </Show>
    }
}

/// The rubber band while it is drawn.
#[component]
pub fn Band() -> impl IntoView {
    let ui = use_ui();
    move || {
        ui.gesture.get().and_then(|g| g.rect()).map(|(x, y, w, h)| {
            view! {
                <div class="band" data-testid="band" style:left=format!("{x}px") style:top=format!("{y}px")
                    style:width=format!("{w}px") style:height=format!("{h}px")></div>
            }
        })
    }
}
