//! The home page: create a board from a template or import one from a
//! full export, open or delete one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use crate::browser;
use crate::i18n::{LangSwitch, T, use_i18n};

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Summary {
    id: String,
    title: String,
    updated_at: i64,
    stages: i64,
    cards: i64,
    role: cjm_core::Role,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct TemplateChoice {
    id: String,
    name_en: String,
    name_ru: String,
    #[serde(default)]
    saved: bool,
}

#[component]
pub fn Home() -> impl IntoView {
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
        if let Ok(v) = browser::fetch_json("GET", "/api/templates", None).await
            && let Ok(list) = serde_json::from_value::<Vec<TemplateChoice>>(v["templates"].clone())
        {
            templates.set(list);
        }
    });
    let busy = RwSignal::new(false);

    let me = crate::account::load_me();
    let load = move || {
        spawn_local(async move {
            match browser::fetch_json("GET", "/api/boards", None).await {
                Ok(v) => boards.set(serde_json::from_value(v["boards"].clone()).ok()),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    // Boards are listed for their members only: ask once we know who we are.
    Effect::new(move |_| {
        if matches!(me.get(), Some(Some(_))) {
            load();
        }
    });

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
            match browser::fetch_json("POST", "/api/boards", Some(body.to_string())).await {
                Ok(v) => browser::navigate(&format!("/b/{}", v["id"].as_str().unwrap_or_default())),
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
            match browser::fetch_json("DELETE", &format!("/api/boards/{id}"), None).await {
                Ok(_) => load(),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <header class="topbar">
            <a class="brand" href="/">{move || i18n.t(T::AppName)}</a>
            <span class="tagline">{move || i18n.t(T::Tagline)}</span>
            <span class="spacer"></span>
            <crate::account::InboxButton/>
            <crate::account::AccountChip/>
            <LangSwitch/>
        </header>
        <main class="home">
          {move || match me.get() {
            None => view! { <p class="muted">{i18n.t(T::Loading)}</p> }.into_any(),
            Some(None) => view! {
                <section class="signed-out" data-testid="signed-out">
                    <p>{i18n.t(T::SignInToSeeBoards)}</p>
                    <a class="primary button" href="/login" data-testid="home-sign-in">{i18n.t(T::SignIn)}</a>
                </section>
            }.into_any(),
            Some(Some(_)) => view! {
            <section class="new-board" aria-labelledby="new-board-h">
                <h1 id="new-board-h">{move || i18n.t(T::NewBoard)}</h1>
                <form on:submit=create>
                    <label>
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
                                templates.with(|list| list.iter().find(|t| t.id == id).map(|t| {
                                    if lang == crate::i18n::Lang::Ru { t.name_ru.clone() } else { t.name_en.clone() }
                                })).unwrap_or_else(|| i18n.t(T::NewBoard).to_string())
                            }
                        />
                    </label>
                    <label>
                        <span>{move || i18n.t(T::Template)}</span>
                        <select
                            data-testid="new-board-template"
                            on:change=move |ev| template.set(event_target_value(&ev))
                            prop:value=move || template.get()
                        >
                            {move || {
                                let lang = i18n.0.get();
                                let option = move |t: TemplateChoice| {
                                    let name = if lang == crate::i18n::Lang::Ru { t.name_ru } else { t.name_en };
                                    let id = t.id;
                                    let selected = template.get_untracked() == id;
                                    view! { <option value=id selected=selected>{name}</option> }
                                };
                                let (saved, built_in): (Vec<_>, Vec<_>) = templates.get().into_iter().partition(|t| t.saved);
                                view! {
                                    <optgroup label=i18n.t(T::BuiltInTemplates)>{built_in.into_iter().map(option).collect_view()}</optgroup>
                                    {(!saved.is_empty()).then(|| view! {
                                        <optgroup label=i18n.t(T::SavedTemplates)>{saved.into_iter().map(option).collect_view()}</optgroup>
                                    })}
                                }
                            }}
                        </select>
                    </label>
                    <button class="primary" type="submit" data-testid="create-board" disabled=move || busy.get()>
                        {move || i18n.t(T::Create)}
                    </button>
                </form>
                <crate::board_import::ImportBoard/>
            </section>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <section class="board-list" aria-labelledby="boards-h">
                <h2 id="boards-h">{move || i18n.t(T::AllBoards)}</h2>
                {move || match boards.get() {
                    None => view! { <p class="muted">{i18n.t(T::Loading)}</p> }.into_any(),
                    Some(list) if list.is_empty() => view! { <p class="muted">{i18n.t(T::NoBoards)}</p> }.into_any(),
                    Some(list) => view! {
                        <ul class="boards">
                            {list.into_iter().map(|b| {
                                let id = b.id.clone();
                                let lang = i18n.0.get().code();
                                view! {
                                    <li class="board-item" data-testid="board-item">
                                        <a href=format!("/b/{}", b.id)>
                                            <strong>{b.title.clone()}</strong>
                                            <span class="muted">
                                                {format!("{} {} · {} {} · {} {}", b.stages, i18n.t(T::Stages), b.cards,
                                                    i18n.t(T::Cards), i18n.t(T::Updated), browser::format_time(b.updated_at, lang))}
                                            </span>
                                        </a>
                                        {(b.role != cjm_core::Role::Owner).then(|| view! {
                                            <span class="tag" data-testid="board-role">{i18n.t(crate::board::role_label(b.role))}</span>
                                        })}
                                        {(b.role == cjm_core::Role::Owner).then(|| view! {
                                            <button class="icon danger" title=i18n.t(T::Delete) aria-label=i18n.t(T::Delete)
                                                on:click=move |_| delete(id.clone())>"×"</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </section>
            }.into_any(),
          }}
        </main>
    }
}
