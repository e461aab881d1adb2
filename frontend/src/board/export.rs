//! Exporting the board (`GET /api/boards/{id}/export`): the dialog that
//! offers each file format and printing.
//!
//! Every format is a plain download link: the browser fetches the file
//! itself, with the page's cookies (a viewer-link guest's too), and saves
//! it under the name the server gives (the board's title, Cyrillic kept).
//! No fetch, no blob URL: nothing of the file passes through the app. The
//! files are made on the server from the board as stored, so they are the
//! same for everyone who may view it.

use std::collections::BTreeSet;

use cjm_core::CardId;
use leptos::prelude::*;

use super::use_ui;
use crate::i18n::{T, use_i18n};

/// The formats, in the order the dialog lists them: the name in the
/// test ids, the API's query (`format=` and its options), the name and
/// the one-line explanation.
const FORMATS: [(&str, &str, T, T); 9] = [
    ("pdf", "format=pdf", T::ExportPdf, T::ExportPdfHint),
    ("png", "format=png&scale=2", T::ExportPng, T::ExportPngHint),
    ("svg", "format=svg", T::ExportSvg, T::ExportSvgHint),
    ("xlsx", "format=xlsx", T::ExportXlsx, T::ExportXlsxHint),
    ("csv", "format=csv", T::ExportCsv, T::ExportCsvHint),
    (
        "opportunities_csv",
        "format=opportunities_csv",
        T::ExportTasks,
        T::ExportTasksHint,
    ),
    (
        "report_page",
        "format=html",
        T::ExportReportPage,
        T::ExportReportPageHint,
    ),
    ("md", "format=md", T::ExportReport, T::ExportReportHint),
    ("json", "format=json", T::ExportJson, T::ExportJsonHint),
];

/// The one format that is a page to read, not a file to keep.
const REPORT_PAGE: &str = "report_page";

/// Whether the export dialog is open; shared by the board menu (which
/// opens it) and the page (which mounts it).
#[derive(Clone, Copy)]
pub struct Exports {
    pub open: RwSignal<bool>,
    /// The card that had focus when the board menu was pressed: a card
    /// picked with a plain click is a selection of one, though opening
    /// the menu takes its focus away.
    pub focused: RwSignal<Option<CardId>>,
}

pub fn provide_exports() -> Exports {
    let exports = Exports {
        open: RwSignal::new(false),
        focused: RwSignal::new(None),
    };
    provide_context(exports);
    exports
}

pub fn use_exports() -> Exports {
    expect_context::<Exports>()
}

/// The dialog, mounted while it is open.
#[component]
pub fn ExportDialog() -> impl IntoView {
    let exports = use_exports();
    view! {
        <Show when=move || exports.open.get()>
            {crate::lazy::show(export_dialog)}
        </Show>
    }
}

/// The drawings of the selected cards alone: PNG, SVG and PDF on one
/// page, with `cards=` naming them; nothing when no card is selected.
fn selection_line(selection: BTreeSet<CardId>) -> Option<impl IntoView> {
    if selection.is_empty() {
        return None;
    }
    let ui = use_ui();
    let i18n = use_i18n();
    let n = selection.len();
    let cards = selection
        .iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let link = move |format: &'static str, query: &'static str, label: &'static str| {
        let cards = cards.clone();
        let href = move || {
            format!(
                "/api/boards/{}/export?{query}&cards={cards}&lang={}",
                ui.board_id,
                i18n.0.get().code()
            )
        };
        view! {
            <a href=href download="" data-testid=format!("export-selection-{format}")>{label}</a>
        }
    };
    Some(view! {
        <p class="export-selection small" data-testid="export-selection">
            {move || format!("{} ({n}): ", i18n.t(T::ExportSelection))}
            {link("png", "format=png&scale=2", "PNG")}
            " · "
            {link("svg", "format=svg", "SVG")}
            " · "
            {link("pdf", "format=pdf&paper=long", "PDF")}
        </p>
    })
}

#[component]
fn Dialog() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let exports = use_exports();
    let close = move || exports.open.set(false);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            exports.open.set(false);
        }
    });
    on_cleanup(move || keys.remove());
    let backdrop_click = move |ev: leptos::ev::MouseEvent| {
        if ev.target() == ev.current_target() {
            close();
        }
    };
    // Headers and headings follow the language the reader uses now.
    let href = move |query: &str| {
        format!(
            "/api/boards/{}/export?{query}&lang={}",
            ui.board_id,
            i18n.0.get().code()
        )
    };
    // The report's "changes since" date, `YYYY-MM-DD` or empty.
    let since = RwSignal::new(String::new());
    let report_href = move |query: &str| {
        let day = since.get();
        if day.is_empty() {
            href(query)
        } else {
            href(&format!("{query}&since={day}"))
        }
    };
    let links = FORMATS
        .into_iter()
        .map(|(format, query, name, hint)| {
            let is_report = format == REPORT_PAGE || format == "md";
            let since_input = (format == REPORT_PAGE).then(|| {
                view! {
                    <label class="export-since muted small">
                        {move || i18n.t(T::ExportSince)}
                        <input type="date" data-testid="export-report-since"
                            prop:value=move || since.get()
                            on:input=move |ev| since.set(event_target_value(&ev))/>
                    </label>
                }
            });
            view! {
                <li>
                    // The report page opens beside the board; the rest download.
                    <a class="export-format" href=move || if is_report { report_href(query) } else { href(query) }
                        download=(format != REPORT_PAGE).then_some("")
                        target=(format == REPORT_PAGE).then_some("_blank")
                        rel=(format == REPORT_PAGE).then_some("noopener")
                        data-testid=format!("export-{format}")>
                        <strong>{move || i18n.t(name)}</strong>
                        <span class="muted small">{move || i18n.t(hint)}</span>
                    </a>
                    {since_input}
                </li>
            }
        })
        .collect_view();
    let print = move |_| {
        // The print stylesheet leaves the dialog out anyway; closing it
        // first means the page is as the reader left it after printing.
        close();
        let _ = window().print();
    };
    view! {
        <div class="dialog-backdrop" on:click=backdrop_click>
            <div class="dialog export-dialog" role="dialog" aria-modal="true" aria-labelledby="export-title"
                data-testid="export-dialog">
                <div class="import-head">
                    <h2 id="export-title">{move || i18n.t(T::ExportTitle)}</h2>
                    <button class="icon" data-testid="export-close" aria-label=move || i18n.t(T::Close)
                        title=move || i18n.t(T::Close) on:click=move |_| close()>"×"</button>
                </div>
                <p class="muted small">{move || i18n.t(T::ExportExplain)}</p>
                <ul class="export-formats">{links}</ul>
                {move || {
                    let mut cards = ui.selection.get();
                    if cards.is_empty() {
                        let exists = |id| ui.conn.board.with_untracked(|b| b.as_ref().is_some_and(|b| b.cards.contains_key(&id)));
                        cards.extend(exports.focused.get().filter(|&id| exists(id)));
                    }
                    selection_line(cards)
                }}
                <div class="dialog-actions export-print">
                    <span class="muted small">{move || i18n.t(T::PrintHint)}</span>
                    <button type="button" class="secondary" data-testid="export-print" on:click=print>
                        {move || i18n.t(T::Print)}
                    </button>
                </div>
            </div>
        </div>
    }
}

crate::lazy::split!(
    export_dialog,
    fn export_dialog() -> Loaded {
        Ok(view! { <Dialog/> }.into_any())
    }
);
