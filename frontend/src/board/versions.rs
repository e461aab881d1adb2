//! Named versions of the board (`/api/boards/{id}/versions`): the side
//! panel that saves one (editors), lists them (everyone who sees the
//! board), compares one with the board now, and restores one (editors).
//!
//! Comparing highlights the live board: the ids of the cards added, moved
//! and edited since the version are kept in a context signal (`Versions`)
//! that each card reads, as it reads the search. Removed cards are not on
//! the board, so the summary lists them. The highlight is of the moment
//! of comparing (compare again to see later edits), and it ends with
//! "Stop comparing", a restore, or when the panel closes. A restore applies nothing here:
//! the server sends the map back to everyone as one ordinary batch.
//! Names, notes and card texts are shown as text, never as HTML.

use cjm_core::api::{VersionList, VersionSnapshot};
use serde::de::IgnoredAny;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cjm_core::history::Comparison;
use cjm_core::{CardId, Curve, PersonaId, StageId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use super::panel::Panel;
use super::use_ui;
use crate::browser;
use crate::i18n::{I18n, Lang, T, use_i18n};

pub use cjm_core::api::Version;

/// How a card on the board differs from the compared version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardDiff {
    Added,
    Edited,
    Moved,
}

impl CardDiff {
    fn class(self) -> &'static str {
        match self {
            CardDiff::Added => "diff-added",
            CardDiff::Edited => "diff-edited",
            CardDiff::Moved => "diff-moved",
        }
    }
}

/// What the board page shares about versions: the highlight of the
/// comparison being shown (None when not comparing).
#[derive(Clone, Copy)]
pub struct Versions {
    highlight: RwSignal<Option<Arc<HashMap<CardId, CardDiff>>>>,
}

pub fn provide_versions() -> Versions {
    let versions = Versions {
        highlight: RwSignal::new(None),
    };
    provide_context(versions);
    versions
}

pub fn use_versions() -> Versions {
    expect_context::<Versions>()
}

/// The class a card gets while a comparison is shown (for `card.rs`).
pub fn card_diff_class(id: CardId) -> Memo<Option<&'static str>> {
    let versions = use_versions();
    Memo::new(move |_| {
        versions
            .highlight
            .with(|h| h.as_ref().and_then(|h| h.get(&id)).map(|d| d.class()))
    })
}

/// Just the names the summary needs from each side's board (the rest of
/// the board JSON is skipped).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Names {
    cards: BTreeMap<CardId, Named>,
    stages: BTreeMap<StageId, Named>,
    personas: BTreeMap<PersonaId, Named>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Named {
    text: String,
    name: String,
}

#[derive(Clone, Debug, Deserialize)]
struct CompareReply {
    comparison: Comparison,
    from_board: Names,
    to_board: Names,
}

/// A comparison being shown: which version, and what changed since.
#[derive(Clone, Debug)]
struct Shown {
    name: String,
    reply: Arc<CompareReply>,
}

#[component]
pub fn VersionsPanel() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let versions = use_versions();
    let list = RwSignal::new(None::<Vec<Version>>);
    let shown = RwSignal::new(None::<Shown>);
    let confirming = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let base = format!("/api/boards/{}/versions", ui.board_id);

    let load = {
        let url = base.clone();
        move || {
            let url = url.clone();
            spawn_local(async move {
                match browser::fetch_json::<VersionList>("GET", &url, None).await {
                    Ok(reply) => {
                        list.try_set(Some(reply.versions));
                    }
                    Err(e) => {
                        error.try_set(Some(e));
                    }
                }
            });
        }
    };
    load();
    // The highlight belongs to the panel that explains it.
    on_cleanup(move || versions.highlight.set(None));

    let stop = move || {
        shown.set(None);
        versions.highlight.set(None);
    };
    let compare = move |v: Version| {
        let url = format!(
            "/api/boards/{}/compare?from={}&to=current",
            ui.board_id, v.id
        );
        busy.set(true);
        spawn_local(async move {
            let result = browser::fetch_json::<CompareReply>("GET", &url, None).await;
            busy.try_set(false);
            match result {
                Ok(reply) => {
                    let c = &reply.comparison;
                    let mut map = HashMap::new();
                    // Edited wins over moved: a moved card that was also
                    // rewritten is shown as edited.
                    for (ids, diff) in [
                        (&c.cards_moved, CardDiff::Moved),
                        (&c.cards_edited, CardDiff::Edited),
                        (&c.cards_added, CardDiff::Added),
                    ] {
                        for id in ids {
                            map.insert(*id, diff);
                        }
                    }
                    versions.highlight.try_set(Some(Arc::new(map)));
                    shown.try_set(Some(Shown {
                        name: display_name(i18n, &v),
                        reply: Arc::new(reply),
                    }));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let restore = {
        let load = load.clone();
        move |v: Version| {
            let url = format!("/api/boards/{}/versions/{}/restore", ui.board_id, v.id);
            let load = load.clone();
            busy.set(true);
            spawn_local(async move {
                let sent = browser::fetch_json::<IgnoredAny>("POST", &url, Some("{}".into()));
                let result = sent.await;
                busy.try_set(false);
                confirming.try_set(None);
                match result {
                    Ok(_) => {
                        shown.try_set(None);
                        versions.highlight.try_set(None);
                        let text = i18n
                            .t(T::VersionRestored)
                            .replace("{name}", &display_name(i18n, &v));
                        ui.conn.notice.set(Some(text));
                        load();
                    }
                    Err(e) => {
                        error.try_set(Some(e));
                    }
                }
            });
        }
    };

    view! {
        <div class="versions-panel" data-testid="versions-panel">
            <Show when=move || ui.can_edit.get()>
                <SaveForm url=base.clone() on_saved=load.clone()/>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="versions-error">{e}</p> })}
            {move || shown.get().map(|s| view! { <Summary shown=s on_stop=stop/> })}
            <h3>{move || i18n.t(T::VersionsList)}</h3>
            {move || match list.get() {
                None => view! { <p class="muted small">{i18n.t(T::Loading)}</p> }.into_any(),
                Some(l) if l.is_empty() => view! {
                    <p class="muted small" data-testid="versions-empty">{move || i18n.t(T::VersionsNone)}</p>
                }.into_any(),
                Some(l) => {
                    let restore = restore.clone();
                    view! {
                        <ul class="versions-list">
                            {l.into_iter().map(|v| {
                                let restore = restore.clone();
                                view! { <Item v=v confirming busy compare restore/> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// "Save a version": a name and an optional note (editors only).
#[component]
fn SaveForm(url: String, on_saved: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title = name.get_untracked().trim().to_string();
        if title.is_empty() || busy.get_untracked() {
            return;
        }
        let body = serde_json::json!({ "name": title, "note": note.get_untracked().trim() });
        let url = url.clone();
        let on_saved = on_saved.clone();
        busy.set(true);
        spawn_local(async move {
            let sent = browser::fetch_json::<IgnoredAny>("POST", &url, Some(body.to_string()));
            let result = sent.await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    name.try_set(String::new());
                    note.try_set(String::new());
                    on_saved();
                }
                Err(e) => ui.conn.notice.set(Some(e)),
            }
        });
    };
    view! {
        <form class="version-form" data-testid="version-form" on:submit=save>
            <strong>{move || i18n.t(T::VersionSaveTitle)}</strong>
            <label class="field">
                <span>{move || i18n.t(T::VersionName)}</span>
                <input maxlength="200" required data-testid="version-name"
                    placeholder=move || i18n.t(T::VersionNameHint)
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(T::VersionNote)}</span>
                <textarea rows="2" maxlength="5000" data-testid="version-note"
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </label>
            <button class="primary" type="submit" data-testid="version-save" disabled=move || busy.get()>
                {move || i18n.t(T::VersionSave)}
            </button>
        </form>
    }
}

/// One version in the list, with Compare and (editors) Restore.
#[component]
fn Item(
    v: Version,
    confirming: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    compare: impl Fn(Version) + Copy + Send + Sync + 'static,
    restore: impl Fn(Version) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let id = v.id.to_string();
    let asking = Memo::new(move |_| confirming.with(|c| c.as_deref() == Some(id.as_str())));
    let when = move || browser::format_time(v.created_at, i18n.0.get().code());
    let who = if v.actor_name.is_empty() {
        None
    } else {
        Some(v.actor_name.clone())
    };
    let note = (!v.note.trim().is_empty()).then(|| v.note.clone());
    let for_compare = v.clone();
    let page = format!("/b/{}/versions/{}", ui.board_id, v.id);
    let for_ask = v.id;
    let for_restore = v.clone();
    let confirm_text = {
        let v = v.clone();
        move || {
            i18n.t(T::VersionRestoreConfirm)
                .replace("{name}", &display_name(i18n, &v))
        }
    };
    view! {
        <li class="version-item" data-testid="version-item" data-id=v.id.to_string() class:auto=v.auto>
            <div class="version-head">
                <strong class="version-name" data-testid="version-item-name">{
                    let v = v.clone();
                    move || display_name(i18n, &v)
                }</strong>
                {v.auto.then(|| view! { <span class="tag" data-testid="version-auto">{move || i18n.t(T::VersionAuto)}</span> })}
            </div>
            {note.map(|n| view! { <p class="version-note">{n}</p> })}
            <span class="muted small">
                {who.map(|w| view! { {w}" · " })}
                {when}
            </span>
            <div class="version-actions">
                <button type="button" class="secondary" data-testid="version-compare" disabled=move || busy.get()
                    on:click=move |_| compare(for_compare.clone())>
                    {move || i18n.t(T::VersionCompare)}
                </button>
                <a class="button secondary" data-testid="version-open" href=page>
                    {move || i18n.t(T::VersionOpen)}
                </a>
                <Show when=move || ui.can_edit.get()>
                    {
                        let id = for_ask;
                        view! {
                            <button type="button" class="secondary" data-testid="version-restore" disabled=move || busy.get()
                                on:click=move |_| confirming.set(Some(id.to_string()))>
                                {move || i18n.t(T::VersionRestore)}
                            </button>
                        }
                    }
                </Show>
            </div>
            <Show when=move || asking.get() && ui.can_edit.get()>
                {
                    let restore = restore.clone();
                    let v = for_restore.clone();
                    let confirm_text = confirm_text.clone();
                    view! {
                        <div class="version-confirm" role="alertdialog" data-testid="version-restore-dialog">
                            <p>{confirm_text}</p>
                            <div class="dialog-actions">
                                <button type="button" class="secondary" data-testid="version-restore-cancel"
                                    on:click=move |_| confirming.set(None)>{move || i18n.t(T::Cancel)}</button>
                                <button type="button" class="primary" data-testid="version-restore-confirm" disabled=move || busy.get()
                                    on:click={
                                        let restore = restore.clone();
                                        let v = v.clone();
                                        move |_| restore(v.clone())
                                    }>{move || i18n.t(T::VersionRestore)}</button>
                            </div>
                        </div>
                    }
                }
            </Show>
        </li>
    }
}

/// Loads a saved version into the page's frozen connection: its board is
/// shown as the board, and its name, date and author as returned here.
pub fn load_version(ui: super::Ui, version: String) -> RwSignal<Option<Version>> {
    let meta = RwSignal::new(None);
    let url = format!("/api/boards/{}/versions/{version}", ui.board_id);
    spawn_local(async move {
        let reply = browser::fetch_json::<VersionSnapshot>("GET", &url, None).await;
        let parsed = reply.ok().map(|v| (v.board, v.version));
        match parsed {
            Some((board, version)) => {
                meta.try_set(Some(version));
                ui.conn.show_frozen(board);
            }
            None => ui.conn.frozen_failed(),
        }
    });
    meta
}

/// The top bar's "Version “…”, saved … by …" on a version page.
#[component]
pub fn VersionTag(meta: RwSignal<Option<Version>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        meta.get().map(|v| {
            let when = browser::format_time(v.created_at, i18n.0.get().code());
            let mut text = i18n
                .t(T::VersionViewing)
                .replace("{name}", &display_name(i18n, &v))
                .replace("{when}", &when);
            if !v.actor_name.is_empty() {
                text = format!("{text} · {}", v.actor_name);
            }
            view! {
                <span class="tag version-tag" data-testid="version-tag" title=v.note.clone()>{text}</span>
            }
        })
    }
}

/// A version page's way back to the live board, and its PDF.
#[component]
pub fn VersionActions(meta: RwSignal<Option<Version>>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let live = format!("/b/{}", ui.board_id);
    let pdf = move || {
        meta.with(|m| {
            m.as_ref().map(|v| {
                format!(
                    "/api/boards/{}/versions/{}/export?format=pdf&lang={}",
                    ui.board_id,
                    v.id,
                    i18n.0.get().code()
                )
            })
        })
    };
    view! {
        <a class="button secondary" data-testid="version-pdf" href=move || pdf().unwrap_or_default()
            download="" class:hidden=move || meta.with(Option::is_none)>
            {move || i18n.t(T::VersionPdf)}
        </a>
        <a class="button primary" data-testid="version-back" href=live>{move || i18n.t(T::VersionBackToLive)}</a>
    }
}

/// A version page whose version is not there (or not ours to see).
#[component]
pub fn VersionMissing() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    view! {
        <main class="missing">
            <p data-testid="missing">{move || i18n.t(T::VersionMissing)}</p>
            <a href=format!("/b/{}", ui.board_id)>{move || i18n.t(T::VersionBackToLive)}</a>
        </main>
    }
}

/// A version's name in the UI language: the server names its automatic
/// versions in English ("Daily: …", "Before restoring “…”").
fn display_name(i18n: I18n, v: &Version) -> String {
    if !v.auto {
        return v.name.clone();
    }
    if let Some(date) = v.name.strip_prefix("Daily: ") {
        return i18n.t(T::VersionDaily).replace("{date}", date);
    }
    if let Some(name) = v
        .name
        .strip_prefix("Before restoring “")
        .and_then(|n| n.strip_suffix('”'))
    {
        return i18n.t(T::VersionBeforeRestoring).replace("{name}", name);
    }
    v.name.clone()
}

#[component]
fn Summary(shown: Shown, on_stop: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let reply = shown.reply.clone();
    let lines = {
        let reply = reply.clone();
        move || summary_lines(i18n, &reply)
    };
    let cards = {
        let reply = reply.clone();
        move || {
            let c = &reply.comparison;
            let text_to = |id: &CardId| reply.to_board.cards.get(id).map(|n| n.text.clone());
            let text_from = |id: &CardId| reply.from_board.cards.get(id).map(|n| n.text.clone());
            [
                ("added", T::DiffAddedCards, c.cards_added.iter().filter_map(text_to).collect::<Vec<_>>()),
                ("removed", T::DiffRemovedCards, c.cards_removed.iter().filter_map(text_from).collect()),
                ("edited", T::DiffEditedCards, c.cards_edited.iter().filter_map(text_to).collect()),
                ("moved", T::DiffMovedCards, c.cards_moved.iter().filter_map(text_to).collect()),
            ]
            .into_iter()
            .filter(|(_, _, texts)| !texts.is_empty())
            .map(|(kind, label, texts)| view! {
                <div class=format!("compare-cards compare-{kind}") data-testid=format!("compare-{kind}")>
                    <span class="small">{i18n.t(label)}</span>
                    <ul>{texts.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                </div>
            })
            .collect_view()
        }
    };
    let heading = {
        let name = shown.name.clone();
        move || i18n.t(T::ComparingWith).replace("{name}", &name)
    };
    view! {
        <section class="compare" data-testid="compare">
            <div class="compare-head">
                <strong>{heading}</strong>
                <button type="button" class="secondary" data-testid="compare-stop" on:click=move |_| on_stop()>
                    {move || i18n.t(T::StopComparing)}
                </button>
            </div>
            <ul class="compare-summary" data-testid="compare-summary">
                {move || lines().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
            {cards}
            <p class="muted small compare-legend">
                <span class="legend diff-added-key">{move || i18n.t(T::DiffLegendAdded)}</span>
                <span class="legend diff-edited-key">{move || i18n.t(T::DiffLegendEdited)}</span>
                <span class="legend diff-moved-key">{move || i18n.t(T::DiffLegendMoved)}</span>
            </p>
        </section>
    }
}

/// "3 cards added, 2 removed" in English, "Карточки: добавлено 3,
/// удалено 2" in Russian (Russian plurals do not fit an `{s}` ending).
fn counts(i18n: I18n, noun: T, parts: &[(usize, T)]) -> Option<String> {
    let parts: Vec<_> = parts.iter().filter(|(n, _)| *n > 0).collect();
    let (first_n, _) = parts.first()?;
    Some(match i18n.0.get() {
        Lang::En => parts
            .iter()
            .enumerate()
            .map(|(i, (n, verb))| {
                if i == 0 {
                    let noun = i18n
                        .t(noun)
                        .replace("{s}", if *first_n == 1 { "" } else { "s" });
                    format!("{n} {noun} {}", i18n.t(*verb))
                } else {
                    format!("{n} {}", i18n.t(*verb))
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        Lang::Ru => format!(
            "{}: {}",
            i18n.t(noun),
            parts
                .iter()
                .map(|(n, verb)| format!("{} {n}", i18n.t(*verb)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

fn summary_lines(i18n: I18n, r: &CompareReply) -> Vec<String> {
    let c = &r.comparison;
    let mut lines = Vec::new();
    if let Some((from, to)) = &c.title {
        lines.push(
            i18n.t(T::DiffTitle)
                .replace("{from}", from)
                .replace("{to}", to),
        );
    }
    let groups = [
        (
            T::DiffCards,
            [
                (c.cards_added.len(), T::DiffAdded),
                (c.cards_removed.len(), T::DiffRemoved),
                (c.cards_moved.len(), T::DiffMoved),
                (c.cards_edited.len(), T::DiffEdited),
            ],
        ),
        (
            T::DiffStages,
            [
                (c.stages_added.len(), T::DiffAdded),
                (c.stages_removed.len(), T::DiffRemoved),
                (c.stages_changed.len(), T::DiffChanged),
                (0, T::DiffMoved),
            ],
        ),
        (
            T::DiffLanes,
            [
                (c.lanes_added.len(), T::DiffAdded),
                (c.lanes_removed.len(), T::DiffRemoved),
                (c.lanes_changed.len(), T::DiffChanged),
                (0, T::DiffMoved),
            ],
        ),
        (
            T::DiffPersonas,
            [
                (c.personas_added.len(), T::DiffAdded),
                (c.personas_removed.len(), T::DiffRemoved),
                (c.personas_changed.len(), T::DiffChanged),
                (0, T::DiffMoved),
            ],
        ),
    ];
    lines.extend(
        groups
            .into_iter()
            .filter_map(|(noun, parts)| counts(i18n, noun, &parts)),
    );
    // Names from the board now, else from the version (a removed stage).
    let persona = |id: &PersonaId| {
        r.to_board
            .personas
            .get(id)
            .or_else(|| r.from_board.personas.get(id))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let stage = |id: &StageId| {
        r.to_board
            .stages
            .get(id)
            .or_else(|| r.from_board.stages.get(id))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    for e in &c.emotions {
        let curve = match e.curve {
            Curve::AsIs => String::new(),
            Curve::ToBe => format!(" ({})", i18n.t(T::ToBe)),
        };
        lines.push(format!(
            "{}: {} · {}{curve} {} → {}",
            i18n.t(T::DiffEmotion),
            persona(&e.persona_id),
            stage(&e.stage_id),
            score(e.from),
            score(e.to)
        ));
    }
    for m in &c.metrics {
        let mut line = format!(
            "{} {} ({}) {} → {}",
            i18n.t(T::DiffMetric),
            m.name,
            stage(&m.stage_id),
            number(m.from),
            number(m.to)
        );
        if m.target_from != m.target_to {
            line.push_str(&format!(
                "; {} {} → {}",
                i18n.t(T::DiffTarget),
                number(m.target_from),
                number(m.target_to)
            ));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(i18n.t(T::DiffNothing).to_string());
    }
    lines
}

/// An emotion score with its sign (a true minus), or a dash when unset.
fn score(s: Option<i8>) -> String {
    match s {
        None => "—".into(),
        Some(n) if n > 0 => format!("+{n}"),
        Some(n) if n < 0 => format!("−{}", -(n as i16)),
        Some(_) => "0".into(),
    }
}

/// A metric value without a needless ".0", or a dash when absent.
fn number(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x}"),
    }
}

impl super::Ui {
    /// Opens the versions panel (from the board menu).
    pub fn open_versions(&self) {
        self.panel.set(Some(Panel::Versions));
    }
}
