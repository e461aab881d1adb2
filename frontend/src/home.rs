//! The home page. Signed in: create a board from the template gallery or
//! import one from a full export; find a board among yours and those shared
//! with you (search by title, sort, mine or shared), each with a small
//! picture of its map; open, duplicate or delete one. Signed out: the
//! landing page (`landing.rs`).

use cjm_core::api::{BoardList, TemplateList};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::browser;
use crate::i18n::{Lang, LangSwitch, T, use_i18n};
use crate::template_gallery::{TemplateChoice, TemplateGallery};

/// The home page's own strings, in both languages (they are used here only).
pub(crate) fn tr(lang: Lang, en: &'static str, ru: &'static str) -> &'static str {
    if lang == Lang::Ru { ru } else { en }
}

/// "1 card", "3 карточки", "5 карточек": `many` is the key table's word
/// (English plural, Russian genitive plural).
fn counted(
    lang: Lang,
    n: i64,
    one: (&'static str, &'static str),
    few_ru: &'static str,
    many: &'static str,
) -> String {
    let word = match lang {
        Lang::En if n == 1 => one.0,
        Lang::En => many,
        Lang::Ru if n % 10 == 1 && n % 100 != 11 => one.1,
        Lang::Ru if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => few_ru,
        Lang::Ru => many,
    };
    format!("{n} {word}")
}

type Summary = cjm_core::api::BoardSummary;

/// Of a just-made board (`NewBoard`: a create, a duplicate, an import),
/// only its id is read: the page it opens loads the board itself.
#[derive(Deserialize)]
pub struct MadeBoard {
    pub id: cjm_core::BoardId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sort {
    Changed,
    Name,
    Created,
}

impl Sort {
    fn code(self) -> &'static str {
        match self {
            Sort::Changed => "changed",
            Sort::Name => "name",
            Sort::Created => "created",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "name" => Sort::Name,
            "created" => Sort::Created,
            _ => Sort::Changed,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Whose {
    All,
    Mine,
    Shared,
}

const SORT_KEY: &str = "cjm.home.sort";

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let me = crate::account::load_me();
    view! {
        <header class="topbar">
            <a class="brand" href="/">{move || i18n.t(T::AppName)}</a>
            <span class="tagline">{move || i18n.t(T::Tagline)}</span>
            <span class="spacer"></span>
            <crate::account::InboxButton/>
            <crate::account::AccountChip/>
            <LangSwitch/>
        </header>
        <main class="home" class:landing-page=move || matches!(me.get(), Some(None))>
          {move || match me.get() {
            None => view! { <p class="muted">{i18n.t(T::Loading)}</p> }.into_any(),
            Some(None) => view! { <crate::landing::Landing/> }.into_any(),
            Some(Some(_)) => view! { <SignedInHome/> }.into_any(),
          }}
        </main>
    }
}

#[component]
fn SignedInHome() -> impl IntoView {
    let i18n = use_i18n();
    let boards = RwSignal::new(None::<Vec<Summary>>);
    let error = RwSignal::new(None::<String>);
    let title = RwSignal::new(String::new());
    let template = RwSignal::new("classic".to_string());
    // Built-in templates at once; the saved ones once the server answers.
    let templates = RwSignal::new(
        cjm_core::template::TEMPLATES
            .iter()
            .map(|t| TemplateChoice {
                id: t.id.as_str().to_string(),
                name_en: t.name_en.to_string(),
                name_ru: t.name_ru.to_string(),
                saved: false,
            })
            .collect::<Vec<_>>(),
    );
    spawn_local(async move {
        if let Ok(list) = browser::fetch_json::<TemplateList>("GET", "/api/templates", None).await {
            templates.set(
                list.templates
                    .into_iter()
                    .map(|t| TemplateChoice {
                        id: t.id,
                        name_en: t.name_en,
                        name_ru: t.name_ru,
                        saved: t.saved,
                    })
                    .collect(),
            );
        }
    });
    let busy = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let sort = RwSignal::new(Sort::parse(
        &browser::storage_get(SORT_KEY).unwrap_or_default(),
    ));
    let whose = RwSignal::new(Whose::All);
    let duplicating = RwSignal::new(None::<String>);

    let load = move || {
        spawn_local(async move {
            match browser::fetch_json::<BoardList>("GET", "/api/boards", None).await {
                Ok(list) => boards.set(Some(list.boards)),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    load();

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Left empty, the server names the board after its template.
        let name = title.get_untracked().trim().to_string();
        let body = serde_json::json!({
            "title": name,
            "template": template.get_untracked(),
            "locale": i18n.0.get_untracked().code(),
        });
        busy.set(true);
        spawn_local(async move {
            match browser::fetch_json::<MadeBoard>("POST", "/api/boards", Some(body.to_string()))
                .await
            {
                Ok(made) => browser::navigate(&format!("/b/{}", made.id)),
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };

    let delete = move |id: String| {
        if !browser::confirm(i18n.t(T::ConfirmDeleteBoard)) {
            return;
        }
        spawn_local(async move {
            match browser::fetch_json::<IgnoredAny>("DELETE", &format!("/api/boards/{id}"), None)
                .await
            {
                Ok(_) => load(),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    // The copy is the caller's new board: open it.
    let duplicate = move |id: String| {
        duplicating.set(Some(id.clone()));
        let body = serde_json::json!({ "locale": i18n.0.get_untracked().code() });
        spawn_local(async move {
            match browser::fetch_json::<MadeBoard>(
                "POST",
                &format!("/api/boards/{id}/duplicate"),
                Some(body.to_string()),
            )
            .await
            {
                Ok(made) => browser::navigate(&format!("/b/{}", made.id)),
                Err(e) => {
                    error.set(Some(e));
                    duplicating.set(None);
                }
            }
        });
    };

    // What the list shows: the filter, the search, the order.
    let shown = Memo::new(move |_| {
        let q = query.get().trim().to_lowercase();
        let whose = whose.get();
        let mut list: Vec<Summary> = boards
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|b| match whose {
                Whose::All => true,
                Whose::Mine => b.role == cjm_core::Role::Owner,
                Whose::Shared => b.role != cjm_core::Role::Owner,
            })
            .filter(|b| q.is_empty() || b.title.to_lowercase().contains(&q))
            .collect();
        match sort.get() {
            Sort::Changed => list.sort_by_key(|b| std::cmp::Reverse(b.updated_at)),
            Sort::Created => list.sort_by_key(|b| std::cmp::Reverse(b.created_at)),
            Sort::Name => list.sort_by(|a, b| {
                a.title
                    .to_lowercase()
                    .cmp(&b.title.to_lowercase())
                    .then(b.updated_at.cmp(&a.updated_at))
            }),
        }
        list
    });
    let count = move |w: Whose| {
        boards.with(|l| {
            l.as_ref().map_or(0, |l| {
                l.iter()
                    .filter(|b| match w {
                        Whose::All => true,
                        Whose::Mine => b.role == cjm_core::Role::Owner,
                        Whose::Shared => b.role != cjm_core::Role::Owner,
                    })
                    .count()
            })
        })
    };
    let filter_button =
        move |w: Whose, test_id: &'static str, en: &'static str, ru: &'static str| {
            view! {
                <button type="button" class="segment" data-testid=test_id
                    aria-pressed=move || (whose.get() == w).to_string()
                    on:click=move |_| whose.set(w)>
                    {move || tr(i18n.0.get(), en, ru)}
                    <span class="segment-count">{move || count(w)}</span>
                </button>
            }
        };

    view! {
        <section class="new-board" aria-labelledby="new-board-h">
            <h1 id="new-board-h">{move || i18n.t(T::NewBoard)}</h1>
            <form class="new-board-form" on:submit=create>
                <div class="new-board-row">
                    <label class="new-board-name">
                        <span>{move || i18n.t(T::Title)}</span>
                        <input
                            data-testid="new-board-title"
                            maxlength="200"
                            prop:value=move || title.get()
                            on:input=move |ev| title.set(event_target_value(&ev))
                            // What an untitled board will be called.
                            placeholder=move || {
                                let lang = i18n.0.get();
                                let id = template.get();
                                templates.with(|list| list.iter().find(|t| t.id == id).map(|t| t.name(lang)))
                                    .unwrap_or_else(|| i18n.t(T::NewBoard).to_string())
                            }
                        />
                    </label>
                    <button class="primary" type="submit" data-testid="create-board" disabled=move || busy.get()>
                        {move || i18n.t(T::Create)}
                    </button>
                </div>
                <div class="template-field">
                    <span class="template-label" id="template-label">{move || i18n.t(T::Template)}</span>
                    <TemplateGallery templates=templates selected=template labelled_by="template-label"/>
                </div>
            </form>
            <crate::board_import::ImportBoard/>
        </section>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <section class="board-list" aria-labelledby="boards-h">
            <div class="board-list-head">
                <h2 id="boards-h">{move || i18n.t(T::AllBoards)}</h2>
                <div class="board-tools">
                    <label class="board-search">
                        <span class="sr-only">{move || tr(i18n.0.get(), "Search boards by title", "Поиск карт по названию")}</span>
                        <input type="search" data-testid="board-search"
                            placeholder=move || tr(i18n.0.get(), "Search by title", "Поиск по названию")
                            prop:value=move || query.get()
                            on:input=move |ev| query.set(event_target_value(&ev))/>
                    </label>
                    <div class="segments" role="group"
                        aria-label=move || tr(i18n.0.get(), "Whose boards", "Чьи карты")>
                        {filter_button(Whose::All, "board-filter-all", "All", "Все")}
                        {filter_button(Whose::Mine, "board-filter-mine", "Mine", "Мои")}
                        {filter_button(Whose::Shared, "board-filter-shared", "Shared with me", "Доступные мне")}
                    </div>
                    <label class="board-sort">
                        <span>{move || tr(i18n.0.get(), "Sort", "Порядок")}</span>
                        <select data-testid="board-sort"
                            prop:value=move || sort.get().code()
                            on:change=move |ev| {
                                let s = Sort::parse(&event_target_value(&ev));
                                browser::storage_set(SORT_KEY, s.code());
                                sort.set(s);
                            }>
                            <option value="changed" selected=move || sort.get() == Sort::Changed>
                                {move || tr(i18n.0.get(), "Last changed", "Недавно изменённые")}</option>
                            <option value="name" selected=move || sort.get() == Sort::Name>
                                {move || tr(i18n.0.get(), "Name", "По названию")}</option>
                            <option value="created" selected=move || sort.get() == Sort::Created>
                                {move || tr(i18n.0.get(), "Newest first", "Недавно созданные")}</option>
                        </select>
                    </label>
                </div>
            </div>
            {move || match boards.get() {
                None => view! { <p class="muted">{i18n.t(T::Loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="muted">{i18n.t(T::NoBoards)}</p> }.into_any(),
                Some(_) => {
                    let list = shown.get();
                    if list.is_empty() {
                        let lang = i18n.0.get();
                        let q = query.get_untracked().trim().to_string();
                        let text = if q.is_empty() {
                            tr(lang, "No boards here yet.", "Здесь пока нет карт.").to_string()
                        } else {
                            format!("{} “{q}”.", tr(lang, "No boards match", "Нет карт по запросу"))
                        };
                        return view! { <p class="muted board-empty" data-testid="board-none">{text}</p> }.into_any();
                    }
                    view! {
                        <ul class="boards board-grid">
                            {list.into_iter().map(|b| {
                                let lang = i18n.0.get();
                                let (dup_id, del_id) = (b.id.to_string(), b.id.to_string());
                                let busy_id = b.id.to_string();
                                let owner = b.role == cjm_core::Role::Owner;
                                let copy_label = format!("{} “{}”", tr(lang, "Duplicate", "Копировать"), b.title);
                                view! {
                                    <li class="board-item board-tile" data-testid="board-item" data-id=b.id.to_string()>
                                        <a class="board-open" href=format!("/b/{}", b.id)>
                                            <span class="board-thumb-frame">
                                                <img class="board-thumb" data-testid="board-thumb" alt="" loading="lazy"
                                                    src=format!("/api/boards/{}/thumbnail.svg?v={}", b.id, b.updated_at)/>
                                            </span>
                                            <span class="board-text">
                                                <strong class="board-name">{b.title.clone()}</strong>
                                                <span class="muted board-meta">
                                                    {format!("{} · {} · {} {}",
                                                        counted(lang, b.stages, ("stage", "этап"), "этапа", i18n.t(T::Stages)),
                                                        counted(lang, b.cards, ("card", "карточка"), "карточки", i18n.t(T::Cards)),
                                                        i18n.t(T::Updated), browser::format_time(b.updated_at, lang.code()))}
                                                </span>
                                            </span>
                                        </a>
                                        <div class="board-actions">
                                            {(!owner).then(|| view! {
                                                <span class="tag" data-testid="board-role">{i18n.t(crate::board::role_label(b.role))}</span>
                                            })}
                                            <span class="spacer"></span>
                                            <button type="button" class="board-action board-duplicate" data-testid="board-duplicate"
                                                aria-label=copy_label title=tr(lang, "Make a copy of this board that is yours", "Сделать свою копию этой карты")
                                                disabled=move || duplicating.get().is_some_and(|d| d == busy_id)
                                                on:click=move |_| duplicate(dup_id.clone())>
                                                {tr(lang, "Duplicate", "Копировать")}
                                            </button>
                                            {owner.then(|| view! {
                                                <button type="button" class="icon danger" title=i18n.t(T::Delete) aria-label=i18n.t(T::Delete)
                                                    data-testid="board-delete"
                                                    on:click=move |_| delete(del_id.clone())>"×"</button>
                                            })}
                                        </div>
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
