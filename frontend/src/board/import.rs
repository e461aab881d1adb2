//! Importing quotes from a CSV or XLSX file (`POST .../import`): the
//! dialog that previews the file with a dry run, lets one correct which
//! column holds what and import the valid rows, the notice that offers to
//! undo the import, and the board's recent imports.
//!
//! Nothing here applies the import locally: the server sends the new cards
//! (and an undo) to every open browser as one ordinary `applied` batch.
//! Cell values are shown as text, never as HTML.

use cjm_core::ApiErrorCode;
use cjm_core::api::{ImportList, ImportRecord};
use std::collections::BTreeMap;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use super::use_ui;
use crate::browser::{self, ApiFailure};
use crate::i18n::{self, I18n, T, use_i18n};

/// The files the server reads at most (it answers 413 beyond).
const MAX_BYTES: f64 = 10.0 * 1024.0 * 1024.0;
/// How long the "Imported … / Undo" notice stays.
const NOTICE_FOR: Duration = Duration::from_secs(10);

/// The import fields, in the order the mapping rows show them.
const FIELDS: [(&str, T); 9] = [
    ("text", T::Text),
    ("quote", T::Quote),
    ("stage", T::Stage),
    ("lane", T::FieldLane),
    ("persona", T::Persona),
    ("source", T::Source),
    ("link", T::Link),
    ("date", T::Date),
    ("card", T::FieldCard),
];

/// What a dry run or an import reports (see the REST API).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct Report {
    format: String,
    encoding: Option<String>,
    columns: Vec<String>,
    /// Field → the header of its column.
    mapping: BTreeMap<String, String>,
    rows: usize,
    valid: usize,
    invalid: usize,
    cards_created: usize,
    evidence_attached: usize,
    errors: Vec<RowError>,
    errors_truncated: bool,
    preview: Vec<PreviewRow>,
    import_id: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct RowError {
    row: usize,
    code: String,
    message: String,
    value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct PreviewRow {
    row: usize,
    text: String,
    stage: Option<String>,
    lane: Option<String>,
    persona: Option<String>,
    source: Option<String>,
    quote: String,
    date: Option<String>,
    ok: bool,
}

/// The notice after an import; `import` is None once it is undone.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    serial: u32,
    text: String,
    import: Option<String>,
}

/// What the board page and its menu share about importing.
#[derive(Clone, Copy)]
pub struct Imports {
    pub open: RwSignal<bool>,
    notice: RwSignal<Option<Notice>>,
    serial: StoredValue<u32>,
}

impl Imports {
    /// Shows a notice, and hides it after `for_` unless another replaced it.
    fn notify(self, text: String, import: Option<String>, for_: Duration) {
        let serial = self.serial.get_value() + 1;
        self.serial.set_value(serial);
        self.notice.set(Some(Notice {
            serial,
            text,
            import,
        }));
        set_timeout(
            move || {
                if self
                    .notice
                    .with_untracked(|n| n.as_ref().is_some_and(|n| n.serial == serial))
                {
                    self.notice.set(None);
                }
            },
            for_,
        );
    }
}

pub fn provide_imports() -> Imports {
    let imports = Imports {
        open: RwSignal::new(false),
        notice: RwSignal::new(None),
        serial: StoredValue::new(0),
    };
    provide_context(imports);
    imports
}

pub fn use_imports() -> Imports {
    expect_context::<Imports>()
}

/// Fills `{name}` placeholders; `{s}` (and `{s2}`, after the second
/// number) is the English plural ending of the number before it.
fn fill(template: &str, args: &[(&str, usize)]) -> String {
    let mut out = template.to_string();
    for (i, (name, n)) in args.iter().enumerate() {
        out = out.replace(&format!("{{{name}}}"), &n.to_string());
        let s = if *n == 1 { "" } else { "s" };
        let key = if i == 0 { "{s}" } else { "{s2}" };
        if i < 2 {
            out = out.replace(key, s);
        }
    }
    out
}

/// A row error in the reader's language (the server's English message
/// when the code is not one we know).
fn row_error_text(i18n: I18n, e: &RowError) -> String {
    let key = match e.code.as_str() {
        "missing_text" => T::ImpMissingText,
        "missing_stage" => T::ImpMissingStage,
        "unknown_stage" => T::ImpUnknownStage,
        "unknown_lane" => T::ImpUnknownLane,
        "unknown_persona" => T::ImpUnknownPersona,
        "unknown_source" => T::ImpUnknownSource,
        "bad_date" => T::ImpBadDate,
        "unknown_card" => T::ImpUnknownCard,
        "too_long" => T::ImpTooLong,
        "limit_reached" => T::ImpLimitReached,
        _ => return e.message.clone(),
    };
    let template = i18n.t(key);
    match (&e.value, template.contains("{value}")) {
        (Some(v), true) => template.replace("{value}", v),
        (None, true) => e.message.clone(),
        (_, false) => template.to_string(),
    }
}

/// Why the server refused a file or an import, in the reader's language.
fn failure_text(i18n: I18n, f: &ApiFailure) -> String {
    let key = match (f.status, f.code) {
        (413, _) => T::ImpOver10Mb,
        (_, ApiErrorCode::EmptyFile) => T::ImpEmptyFile,
        (_, ApiErrorCode::UnreadableFile) => T::ImpUnreadable,
        (_, ApiErrorCode::FileTooLarge) => T::ImpFileTooLarge,
        (_, ApiErrorCode::BadMapping) => T::ImpNeedText,
        (_, ApiErrorCode::ImportInvalid) => T::ImpInvalid,
        (_, ApiErrorCode::NothingToImport) => T::ImpNothing,
        (_, ApiErrorCode::AlreadyUndone) => T::ImpAlreadyUndone,
        (403, _) => T::ImpForbidden,
        _ => return f.message.clone(),
    };
    i18n.t(key).to_string()
}

/// Takes an import back; the board changes through the websocket.
async fn undo(board: cjm_core::BoardId, import: &str) -> Result<(), ApiFailure> {
    let url = format!("/api/boards/{board}/imports/{import}/undo");
    browser::fetch_json_detailed::<serde::de::IgnoredAny>("POST", &url, None)
        .await
        .map(|_| ())
}

/// The notice after an import, with its Undo button.
#[component]
pub fn ImportNotice() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let imports = use_imports();
    let busy = RwSignal::new(false);
    let undo_now = move |import: String| {
        busy.set(true);
        spawn_local(async move {
            let result = undo(ui.board_id, &import).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    imports.notify(i18n.t(T::ImportUndone).into(), None, Duration::from_secs(4))
                }
                Err(f) => {
                    imports.notice.set(None);
                    ui.conn.notice.set(Some(failure_text(i18n, &f)));
                }
            }
        });
    };
    move || {
        imports.notice.get().map(|n| {
            view! {
                <div class="toast import-toast" role="status" data-testid="import-notice">
                    <span>{n.text}</span>
                    {n.import.map(|id| view! {
                        <button class="toast-action" data-testid="import-undo" disabled=move || busy.get()
                            on:click=move |_| undo_now(id.clone())>{move || i18n.t(T::Undo)}</button>
                    })}
                    <button class="icon" aria-label=move || i18n.t(T::Close)
                        on:click=move |_| imports.notice.set(None)>"×"</button>
                </div>
            }
        })
    }
}

/// The dialog, mounted while it is open (so each opening starts afresh).
#[component]
pub fn ImportDialog() -> impl IntoView {
    let imports = use_imports();
    view! {
        <Show when=move || imports.open.get()>
            {crate::lazy::show(import_dialog)}
        </Show>
    }
}

#[component]
fn Dialog() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let imports = use_imports();
    let file = StoredValue::new_local(None::<web_sys::File>);
    let file_name = RwSignal::new(String::new());
    // The columns the reader chose (field → column number from 1, or
    // None: no column); the others are matched by their headers.
    let overrides = RwSignal::new(BTreeMap::<&'static str, Option<usize>>::new());
    let report = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The shown report no longer matches the chosen columns (they were
    // refused): nothing is imported until a dry run agrees again.
    let stale = RwSignal::new(false);
    let skip = RwSignal::new(false);
    let recent = RwSignal::new(None::<Vec<ImportRecord>>);
    // Only the answer to the latest request counts.
    let request = StoredValue::new(0u32);
    let close = move || imports.open.set(false);

    let load_recent = move || {
        let url = format!("/api/boards/{}/imports", ui.board_id);
        spawn_local(async move {
            if let Ok(list) = browser::fetch_json::<ImportList>("GET", &url, None).await {
                recent.try_set(Some(list.imports));
            }
        });
    };
    load_recent();

    // Uploads the file: a dry run, or the import itself.
    let send = move |dry_run: bool| {
        let Some(f) = file.get_value() else { return };
        if f.size() > MAX_BYTES {
            error.set(Some(i18n.t(T::ImpOver10Mb).into()));
            report.set(None);
            return;
        }
        let mut fields = Vec::new();
        let chosen = overrides.get_untracked();
        if !chosen.is_empty() {
            fields.push(("mapping", serde_json::json!(chosen).to_string()));
        }
        let query = if dry_run {
            "dry_run=true"
        } else if skip.get_untracked() {
            "skip_invalid=true"
        } else {
            ""
        };
        let url = format!("/api/boards/{}/import?{query}", ui.board_id);
        let n = request.get_value() + 1;
        request.set_value(n);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = browser::post_multipart::<Report>(&url, &f, &fields).await;
            if request.try_get_value() != Some(n) {
                return;
            }
            busy.try_set(false);
            match result {
                Ok(r) => {
                    if dry_run {
                        stale.set(false);
                        if r.invalid == 0 {
                            skip.set(false);
                        }
                        report.set(Some(r));
                    } else {
                        let mut text = fill(i18n.t(T::ImportedCards), &[("n", r.cards_created)]);
                        if r.evidence_attached > 0 {
                            text.push_str("; ");
                            text.push_str(&fill(
                                i18n.t(T::ImportedEvidence),
                                &[("n", r.evidence_attached)],
                            ));
                        }
                        close();
                        imports.notify(text, r.import_id, NOTICE_FOR);
                    }
                }
                Err(f) => {
                    // A refused import still reports its rows.
                    // (Every report names the file's format.)
                    let refused = serde_json::from_str::<Report>(&f.body)
                        .ok()
                        .filter(|r| !r.format.is_empty());
                    if refused.is_some() {
                        report.try_set(refused);
                    } else if f.code == ApiErrorCode::BadMapping {
                        stale.try_set(true);
                    } else {
                        report.try_set(None);
                    }
                    error.try_set(Some(failure_text(i18n, &f)));
                }
            }
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(f) = input.files().and_then(|l| l.get(0)) else {
            return;
        };
        file_name.set(f.name());
        file.set_value(Some(f));
        overrides.set(BTreeMap::new());
        skip.set(false);
        report.set(None);
        send(true);
    };

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            imports.open.set(false);
        }
    });
    on_cleanup(move || keys.remove());
    let backdrop_click = move |ev: leptos::ev::MouseEvent| {
        if ev.target() == ev.current_target() {
            close();
        }
    };

    let can_import = move || {
        report.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.valid > 0 && (r.invalid == 0 || skip.get()))
        }) && !busy.get()
            && !stale.get()
    };

    view! {
        <div class="dialog-backdrop" on:click=backdrop_click>
            <div class="dialog import-dialog" role="dialog" aria-modal="true" aria-labelledby="import-title"
                data-testid="import-dialog" aria-busy=move || busy.get().to_string()>
                <div class="import-head">
                    <h2 id="import-title">{move || i18n.t(T::ImportTitle)}</h2>
                    <button class="icon" data-testid="import-close" aria-label=move || i18n.t(T::Close)
                        title=move || i18n.t(T::Close) on:click=move |_| close()>"×"</button>
                </div>
                <p class="muted small import-explain">{move || i18n.t(T::ImportExplain)}</p>
                <label class="field import-file">
                    <span>{move || i18n.t(T::ImportChooseFile)}</span>
                    <input type="file" data-testid="import-file"
                        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        disabled=move || busy.get() on:change=on_file/>
                </label>
                <Show when=move || busy.get()>
                    <p class="muted import-busy" role="status" data-testid="import-busy">
                        <span class="spinner" aria-hidden="true"></span>
                        {move || i18n.t(T::ImportChecking)}
                    </p>
                </Show>
                {move || error.get().map(|e| view! {
                    <p class="error import-error" role="alert" data-testid="import-error">{e}</p>
                })}
                {move || report.get().map(|r| view! {
                    <ReportView report=r file_name=file_name.get_untracked() overrides=overrides busy=busy
                        on_mapping=move || send(true)/>
                })}
                {move || report.with(|r| r.as_ref().is_some_and(|r| r.invalid > 0 && r.valid > 0)).then(|| {
                    let n = report.with(|r| r.as_ref().map_or(0, |r| r.invalid));
                    view! {
                        <label class="check import-skip">
                            <input type="checkbox" data-testid="import-skip" prop:checked=move || skip.get()
                                on:change=move |ev| skip.set(event_target_checked(&ev))/>
                            <span>
                                {move || fill(i18n.t(T::ImportSkip), &[("n", n)])}
                                <span class="muted small import-skip-hint">{move || i18n.t(T::ImportSkipHint)}</span>
                            </span>
                        </label>
                    }
                })}
                <div class="dialog-actions">
                    <button type="button" class="secondary" data-testid="import-cancel"
                        on:click=move |_| close()>{move || i18n.t(T::Cancel)}</button>
                    <button type="button" class="primary" data-testid="import-submit"
                        disabled=move || !can_import() on:click=move |_| send(false)>
                        {move || {
                            let n = report.with(|r| r.as_ref().map_or(0, |r| r.valid));
                            if busy.get() && report.with(Option::is_some) {
                                i18n.t(T::Uploading).to_string()
                            } else {
                                fill(i18n.t(T::ImportRows), &[("n", n)])
                            }
                        }}
                    </button>
                </div>
                <RecentImports recent=recent on_undone=load_recent/>
            </div>
        </div>
    }
}

/// The file's name and format, the column choices, the summary, the first
/// rows and the errors.
#[component]
fn ReportView(
    report: Report,
    file_name: String,
    overrides: RwSignal<BTreeMap<&'static str, Option<usize>>>,
    busy: RwSignal<bool>,
    on_mapping: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let format = match report.encoding.as_deref() {
        Some(enc) => format!("{} · {enc}", report.format.to_uppercase()),
        None => report.format.to_uppercase(),
    };
    let columns = report.columns.clone();
    let mapping_rows = FIELDS
        .into_iter()
        .map(|(field, label)| {
            let current = report
                .mapping
                .get(field)
                .and_then(|h| columns.iter().position(|c| c == h));
            let options = columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let name = if c.trim().is_empty() {
                        format!("#{}", i + 1)
                    } else {
                        c.clone()
                    };
                    view! { <option value={(i + 1).to_string()} selected={current == Some(i)}>{name}</option> }
                })
                .collect_view();
            view! {
                <label class="import-map-row">
                    <span>{move || i18n.t(label)}</span>
                    <select data-testid=format!("import-map-{field}") disabled=move || busy.get()
                        on:change=move |ev| {
                            let column = event_target_value(&ev).parse::<usize>().ok();
                            overrides.update(|o| {
                                o.insert(field, column);
                            });
                            on_mapping();
                        }>
                        <option value="" selected={current.is_none()}>{move || i18n.t(T::ImportNoColumn)}</option>
                        {options}
                    </select>
                </label>
            }
        })
        .collect_view();

    let summary = if report.invalid == 0 {
        fill(i18n.t(T::ImportSummaryAllOk), &[("rows", report.rows)])
    } else {
        fill(
            i18n.t(T::ImportSummary),
            &[
                ("rows", report.rows),
                ("valid", report.valid),
                ("invalid", report.invalid),
            ],
        )
    };
    let errors_of = |row: usize| -> Vec<String> {
        report
            .errors
            .iter()
            .filter(|e| e.row == row)
            .map(|e| row_error_text(i18n, e))
            .collect()
    };
    let rows = report
        .preview
        .iter()
        .map(|p| {
            let problems = errors_of(p.row);
            let place = [p.stage.clone(), p.lane.clone(), p.persona.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            let source = p
                .source
                .as_deref()
                .and_then(|s| {
                    let quoted = serde_json::to_string(s).ok()?;
                    serde_json::from_str::<cjm_core::EvidenceSource>(&quoted).ok()
                })
                .map(|s| i18n.t(i18n::evidence_source(s)).to_string());
            let meta = [source, p.date.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            let quote = (p.quote != p.text && !p.quote.is_empty()).then(|| p.quote.clone());
            view! {
                <tr data-testid="import-row" data-row={p.row.to_string()} class:bad={!p.ok}>
                    <td class="import-rownum">{p.row}</td>
                    <td class="import-text">
                        <span>{p.text.clone()}</span>
                        {quote.map(|q| view! { <span class="muted small import-quote">"«"{q}"»"</span> })}
                        {(!p.ok).then(|| view! {
                            <span class="import-row-error" data-testid="import-row-error">
                                {if problems.is_empty() { "—".to_string() } else { problems.join("; ") }}
                            </span>
                        })}
                    </td>
                    <td class="import-place">{place}<span class="muted small">{meta}</span></td>
                </tr>
            }
        })
        .collect_view();
    let errors = report
        .errors
        .iter()
        .map(|e| {
            view! {
                <li data-testid="import-error-item">
                    <strong>{fill(i18n.t(T::RowN), &[("n", e.row)])}</strong>": "{row_error_text(i18n, e)}
                </li>
            }
        })
        .collect_view();
    let has_errors = !report.errors.is_empty();
    view! {
        <p class="import-file-info" data-testid="import-file-info">
            <strong>{file_name}</strong>" "<span class="tag">{format}</span>
        </p>
        <fieldset class="import-mapping" data-testid="import-mapping">
            <legend>{move || i18n.t(T::ImportColumns)}</legend>
            {mapping_rows}
        </fieldset>
        <p class="import-summary" class:has-errors={report.invalid > 0} data-testid="import-summary">{summary}</p>
        <div class="import-preview-wrap">
            <table class="import-preview" data-testid="import-preview">
                <caption class="sr-only">{move || i18n.t(T::ImportFirstRows)}</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{move || i18n.t(T::Text)}</th>
                        <th scope="col">{move || format!("{} · {}", i18n.t(T::Stage), i18n.t(T::FieldLane))}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {has_errors.then(|| view! {
            <div class="import-errors" data-testid="import-errors">
                <strong>{move || i18n.t(T::ImportErrors)}</strong>
                <ul>{errors}</ul>
                {report.errors_truncated.then(|| view! {
                    <p class="muted small">{move || i18n.t(T::ImportErrorsTruncated)}</p>
                })}
            </div>
        })}
    }
}

/// The board's recent imports, each with Undo until it is undone.
#[component]
fn RecentImports(
    recent: RwSignal<Option<Vec<ImportRecord>>>,
    on_undone: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let busy = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let undo_one = move |id: String| {
        busy.set(Some(id.clone()));
        error.set(None);
        spawn_local(async move {
            let result = undo(ui.board_id, &id).await;
            busy.try_set(None);
            if let Err(f) = result {
                error.try_set(Some(failure_text(i18n, &f)));
            }
            on_undone();
        });
    };
    view! {
        <section class="import-recent" data-testid="import-recent">
            <h3>{move || i18n.t(T::RecentImports)}</h3>
            {move || error.get().map(|e| view! { <p class="error small" role="alert">{e}</p> })}
            {move || match recent.get() {
                None => view! { <p class="muted small">{i18n.t(T::Loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="muted small">{i18n.t(T::ImportNoRecent)}</p>
                }.into_any(),
                Some(list) => {
                    let lang = i18n.0.get().code();
                    view! {
                        <ul>
                            {list.into_iter().map(|r| {
                                let id = r.id.to_string();
                                let counts = fill(i18n.t(T::ImportRowsCards), &[("rows", r.rows as usize), ("n", r.cards as usize)]);
                                view! {
                                    <li data-testid="import-recent-item" data-id=r.id.to_string()>
                                        <span class="import-recent-what">
                                            <strong>{r.file_name.clone()}</strong>
                                            <span class="muted small">{browser::format_time(r.created_at, lang)}" · "{counts}</span>
                                        </span>
                                        {if r.undone_at.is_some() {
                                            view! { <span class="tag">{i18n.t(T::UndoneTag)}</span> }.into_any()
                                        } else {
                                            let busy_id = id.clone();
                                            view! {
                                                <button class="link-button" data-testid="import-recent-undo"
                                                    disabled=move || busy.with(|b| b.as_deref() == Some(busy_id.as_str()))
                                                    on:click=move |_| undo_one(id.clone())>{i18n.t(T::Undo)}</button>
                                            }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

crate::lazy::split!(
    import_dialog,
    fn import_dialog() -> Loaded {
        Ok(view! { <Dialog/> }.into_any())
    }
);
