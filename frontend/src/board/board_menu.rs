//! The board's own menu next to its title: exporting, named versions and
//! the activity feed
//! (for everyone who sees the board, viewers and viewer-link guests
//! included: they may look and compare), and for
//! editors quiet brainstorming, importing quotes from a spreadsheet and
//! saving the board as a template.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

#[component]
pub fn BoardMenu() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let imports = super::import::use_imports();
    let exports = super::export::use_exports();
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let include_cards = RwSignal::new(true);
    let busy = RwSignal::new(false);
    // The template form shows on demand: open, it would cover the first
    // cells of the board.
    let saving = RwSignal::new(false);
    let name_field = NodeRef::<leptos::html::Input>::new();
    browser::focus_when_mounted(move || name_field.get().map(Into::into));
    Effect::new(move |_| {
        if !open.get() {
            saving.set(false);
        }
    });
    // Esc or a click outside closes it; the focus goes back to "⋯".
    browser::dismissable(
        move || open.get().then_some(()),
        move || open.set(false),
        vec![".board-menu".into()],
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title = name.get_untracked().trim().to_string();
        if title.is_empty() {
            return;
        }
        let body =
            serde_json::json!({ "name": title, "include_cards": include_cards.get_untracked() });
        let url = format!("/api/boards/{}/template", ui.board_id);
        busy.set(true);
        spawn_local(async move {
            let sent =
                browser::fetch_json::<serde::de::IgnoredAny>("POST", &url, Some(body.to_string()));
            let result = sent.await;
            busy.set(false);
            match result {
                Ok(_) => {
                    open.set(false);
                    ui.conn.notice.set(Some(i18n.t(T::TemplateSaved).into()));
                }
                Err(e) => ui.conn.notice.set(Some(e)),
            }
        });
    };
    view! {
        <div class="board-menu" on:click=|ev| ev.stop_propagation()>
            <button class="icon big" data-testid="board-menu" aria-haspopup="menu" aria-expanded=move || open.get().to_string()
                aria-label=move || i18n.t(T::BoardMenu) title=move || i18n.t(T::BoardMenu)
                // Before the press takes the focus from the card.
                on:pointerdown=move |_| exports.focused.set(ui.selected.get_untracked())
                on:click=move |_| {
                    if !open.get_untracked() {
                        name.set(ui.conn.board.with_untracked(|b| b.as_ref().map(|b| b.title.clone()).unwrap_or_default()));
                    }
                    open.update(|o| *o = !*o);
                }>"⋯"</button>
            <Show when=move || open.get()>
                <div class="menu" role="dialog" aria-label=move || i18n.t(T::BoardMenu)>
                    <button type="button" data-testid="export-open"
                        on:click=move |_| {
                            open.set(false);
                            exports.open.set(true);
                        }>
                        {move || i18n.t(T::ExportOpen)}
                    </button>
                    <button type="button" data-testid="versions-open"
                        on:click=move |_| {
                            open.set(false);
                            ui.open_versions();
                        }>
                        {move || i18n.t(T::VersionsOpen)}
                    </button>
                    <button type="button" data-testid="activity-open"
                        on:click=move |_| {
                            open.set(false);
                            ui.open_activity();
                        }>
                        {move || i18n.t(T::ActivityOpen)}
                    </button>
                    <Show when=move || ui.can_edit.get()>
                        <label class="check quiet-check" title=move || i18n.t(T::QuietHint)>
                            <input type="checkbox" data-testid="quiet-toggle"
                                prop:checked=move || ui.conn.board.with(|b| b.as_ref().is_some_and(|b| b.quiet))
                                on:change=move |ev| {
                                    // A workshop setting, not an edit to undo.
                                    let _ = ui.conn.submit(vec![cjm_core::Op::SetQuiet { on: event_target_checked(&ev) }]);
                                }/>
                            {move || i18n.t(T::QuietBrainstorming)}
                        </label>
                        <button type="button" data-testid="import-open"
                            on:click=move |_| {
                                open.set(false);
                                imports.open.set(true);
                            }>
                            {move || i18n.t(T::ImportQuotes)}
                        </button>
                        <Show when=move || !saving.get()>
                            <button type="button" data-testid="template-open" aria-expanded="false"
                                on:click=move |_| saving.set(true)>
                                {move || format!("{}…", i18n.t(T::SaveAsTemplate))}
                            </button>
                        </Show>
                        <Show when=move || saving.get()>
                        <form class="template-form" data-testid="template-form" on:submit=save>
                            <strong>{move || i18n.t(T::SaveAsTemplate)}</strong>
                            <label class="field">
                                <span>{move || i18n.t(T::TemplateName)}</span>
                                <input maxlength="200" required data-testid="template-name" node_ref=name_field prop:value=move || name.get()
                                    on:input=move |ev| name.set(event_target_value(&ev))/>
                            </label>
                            <label class="check">
                                <input type="checkbox" data-testid="template-include-cards" prop:checked=move || include_cards.get()
                                    on:change=move |ev| include_cards.set(event_target_checked(&ev))/>
                                {move || i18n.t(T::IncludeCards)}
                            </label>
                            <button class="primary" type="submit" data-testid="template-save" disabled=move || busy.get()>
                                {move || i18n.t(T::Save)}
                            </button>
                        </form>
                        </Show>
                    </Show>
                </div>
            </Show>
        </div>
    }
}
