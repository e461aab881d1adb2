//! The template gallery of the home page's "New board": one card per
//! template with a picture of its map (the server's drawing,
//! `GET /api/templates/{id}/preview.svg`), its name and the method it
//! follows. A radio group: Tab reaches the chosen card, the arrow keys,
//! Home and End choose another, as in any set of radio buttons.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::home::tr;
use crate::i18n::{Lang, T, use_i18n};

#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct TemplateChoice {
    pub id: String,
    pub name_en: String,
    pub name_ru: String,
    #[serde(default)]
    pub saved: bool,
}

impl TemplateChoice {
    pub fn name(&self, lang: Lang) -> String {
        if lang == Lang::Ru {
            self.name_ru.clone()
        } else {
            self.name_en.clone()
        }
    }
}

/// One line on the method a built-in template follows.
fn method(id: &str, lang: Lang) -> &'static str {
    match id {
        "blank" => tr(
            lang,
            "An empty grid: lay out your own stages and lanes.",
            "Пустая сетка: свои этапы и дорожки с нуля.",
        ),
        "classic" => tr(
            lang,
            "The funnel from awareness to loyalty: actions, thoughts, touchpoints, emotions, pains, opportunities.",
            "Воронка от осведомлённости до лояльности: действия, мысли, точки контакта, эмоции, боли, возможности.",
        ),
        "seven_layers" => tr(
            lang,
            "The seven layers of a CJM: persona, stages, touchpoints, actions, feelings and pains, backstage, opportunities.",
            "Семь слоёв CJM: персона, этапы, точки контакта, действия, чувства и боли, внутренние процессы, возможности.",
        ),
        "call_centre" => tr(
            lang,
            "The call-centre method: seven steps from need to repeat purchase, with goals, barriers and questions.",
            "Метод колл-центра: семь шагов от потребности до повторной покупки, с целями, барьерами и вопросами.",
        ),
        "fridge_example" => tr(
            lang,
            "A finished example to learn from: a real purchase with evidence, emotion curves and dips.",
            "Готовый пример для обучения: реальная покупка с подтверждениями, кривыми эмоций и провалами.",
        ),
        _ => tr(
            lang,
            "Your saved template: its stages, lanes and personas.",
            "Ваш сохранённый шаблон: его этапы, дорожки и персоны.",
        ),
    }
}

/// The cards; `selected` holds the chosen template's id.
#[component]
pub fn TemplateGallery(
    templates: RwSignal<Vec<TemplateChoice>>,
    selected: RwSignal<String>,
    /// The id of the element that names the group.
    labelled_by: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    // Arrow keys move the choice (and the focus) through the cards in order.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let ids: Vec<String> =
            templates.with_untracked(|l| l.iter().map(|t| t.id.clone()).collect());
        if ids.is_empty() {
            return;
        }
        let at = ids
            .iter()
            .position(|id| *id == selected.get_untracked())
            .unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowDown" => (at + 1) % ids.len(),
            "ArrowLeft" | "ArrowUp" => (at + ids.len() - 1) % ids.len(),
            "Home" => 0,
            "End" => ids.len() - 1,
            _ => return,
        };
        ev.prevent_default();
        selected.set(ids[next].clone());
        focus_card(&ids[next]);
    };
    view! {
        <div class="template-gallery" role="radiogroup" aria-labelledby=labelled_by
            data-testid="new-board-template" on:keydown=on_key>
            {move || {
                let lang = i18n.0.get();
                templates.get().into_iter().map(|t| {
                    let id = t.id.clone();
                    let checked = {
                        let id = id.clone();
                        move || selected.get() == id
                    };
                    let checked_tab = checked.clone();
                    let checked_class = checked.clone();
                    let pick = id.clone();
                    let picture = if t.saved {
                        view! {
                            <span class="template-preview saved" aria-hidden="true">
                                <span class="template-saved-mark">"★"</span>
                            </span>
                        }.into_any()
                    } else {
                        view! {
                            <span class="template-preview">
                                <img src=format!("/api/templates/{}/preview.svg?locale={}", t.id, lang.code())
                                    alt="" loading="lazy" data-testid="template-preview"/>
                            </span>
                        }.into_any()
                    };
                    view! {
                        <button type="button" role="radio" class="template-option"
                            class:checked=checked_class
                            data-testid="template-option" data-template=id.clone()
                            data-saved=t.saved.to_string()
                            aria-checked=move || checked().to_string()
                            tabindex=move || if checked_tab() { "0" } else { "-1" }
                            on:click=move |_| selected.set(pick.clone())>
                            {picture}
                            <span class="template-name">{t.name(lang)}</span>
                            <span class="template-method">{method(&t.id, lang)}</span>
                            {if t.saved {
                                view! { <span class="tag template-saved-tag">{i18n.t(T::SavedTemplates)}</span> }.into_any()
                            } else {
                                view! { <span class="sr-only">{i18n.t(T::BuiltInTemplates)}</span> }.into_any()
                            }}
                        </button>
                    }
                }).collect_view()
            }}
        </div>
    }
}

fn focus_card(id: &str) {
    let selector = format!("[data-testid=\"new-board-template\"] [data-template=\"{id}\"]");
    if let Ok(Some(el)) = document().query_selector(&selector)
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}
