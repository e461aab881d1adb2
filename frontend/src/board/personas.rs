//! Personas: the panel that creates, edits, reorders and deletes them, and
//! the top-bar filter that dims the cards of the other personas.

use cjm_core::{Color, Op, OrderKey, Persona, PersonaId, PersonaPatch};
use leptos::prelude::*;

use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

/// The CSS colour of a persona's curve and avatar (stronger than the
/// sticky-note tint of the same name, for lines and white initials).
pub fn ink(color: Color) -> &'static str {
    color.ink()
}

/// Colours for new personas, in turn: distinct curves for the first five.
const PERSONA_COLORS: [Color; 8] = [
    Color::Blue,
    Color::Orange,
    Color::Green,
    Color::Purple,
    Color::Pink,
    Color::Teal,
    Color::Red,
    Color::Yellow,
];

/// The largest photo accepted (the server checks too).
const MAX_PHOTO_BYTES: f64 = 1_048_576.0;

#[component]
pub fn PersonaAvatar(
    #[prop(into)] name: Signal<String>,
    #[prop(into)] color: Signal<Color>,
    #[prop(into)] photo: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <span class="persona-avatar" style:background=move || ink(color.get()) aria-hidden="true">
            {move || match photo.get() {
                Some(url) => view! { <img src=url alt="" data-testid="persona-photo"/> }.into_any(),
                None => browser::initials(&name.get()).into_any(),
            }}
        </span>
    }
}

#[component]
pub fn PersonaFilter() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let personas = ui.personas;
    // A deleted persona cannot stay the filter.
    Effect::new(move |_| {
        if let Some(p) = ui.persona_filter.get()
            && !personas.with(|ps| ps.iter().any(|(id, ..)| *id == p))
        {
            ui.persona_filter.set(None);
        }
    });
    view! {
        <Show when=move || personas.with(|p| !p.is_empty())>
            <label class="persona-filter">
                <span class="sr-only">{move || i18n.t(T::FilterPersona)}</span>
                <select data-testid="persona-filter" aria-label=move || i18n.t(T::FilterPersona)
                    on:change=move |ev| ui.persona_filter.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=move || ui.persona_filter.get().is_none()>{move || i18n.t(T::AllPersonas)}</option>
                    <For each=move || personas.get() key=|p| p.clone() let:p>
                        <option value=p.0.to_string() selected=move || ui.persona_filter.get() == Some(p.0)>{p.1.clone()}</option>
                    </For>
                </select>
            </label>
        </Show>
    }
}

#[component]
pub fn PersonasPanel() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let ids = Memo::new(move |_| {
        ui.conn.board.with(|b| {
            b.as_ref()
                .map(|b| {
                    b.personas_in_order()
                        .iter()
                        .map(|p| p.id)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let open = RwSignal::new(None::<PersonaId>);
    let add = move |_| {
        let (last, n) = ui
            .read(|b| {
                (
                    b.personas_in_order().last().map(|p| p.order.clone()),
                    b.personas.len(),
                )
            })
            .unwrap_or((None, 0));
        let persona = Persona::new(
            i18n.t(T::NewPersona),
            OrderKey::between(last.as_ref(), None),
            PERSONA_COLORS[n % PERSONA_COLORS.len()],
        );
        let id = persona.id;
        if ui.submit(vec![Op::CreatePersona(persona)]) {
            open.set(Some(id));
        }
    };
    view! {
        <div class="personas" data-testid="personas-panel">
            <Show when=move || ids.with(|i| i.is_empty())>
                <p class="muted">{move || i18n.t(T::NoPersonasYet)}</p>
            </Show>
            <For each=move || ids.get() key=|id| *id let:id>
                <PersonaItem id=id open=open/>
            </For>
            // A viewer reads the personas; what they could not use is not shown.
            <Show when=move || ui.can_edit.get()>
                <button class="ghost-button" data-testid="add-persona" on:click=add>"+ " {move || i18n.t(T::AddPersona)}</button>
            </Show>
        </div>
    }
}

#[component]
fn PersonaItem(id: PersonaId, open: RwSignal<Option<PersonaId>>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let persona = Memo::new(move |_| {
        ui.conn
            .board
            .with(|b| b.as_ref().and_then(|b| b.personas.get(&id).cloned()))
    });
    let get =
        move |f: fn(&Persona) -> String| persona.with(|p| p.as_ref().map(f).unwrap_or_default());
    let name = Signal::derive(move || get(|p| p.name.clone()));
    let color = Signal::derive(move || {
        persona.with(|p| p.as_ref().map(|p| p.color).unwrap_or(Color::Blue))
    });
    let photo =
        Signal::derive(move || persona.with(|p| p.as_ref().and_then(|p| p.avatar_url.clone())));
    let uploading = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<String>);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        if !matches!(
            file.type_().as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        ) {
            upload_error.set(Some(i18n.t(T::PhotoType).into()));
            return;
        }
        if file.size() > MAX_PHOTO_BYTES {
            upload_error.set(Some(i18n.t(T::PhotoTooLarge).into()));
            return;
        }
        upload_error.set(None);
        uploading.set(true);
        let url = format!("/api/boards/{}/uploads", ui.board_id);
        leptos::task::spawn_local(async move {
            match browser::upload_file::<cjm_core::api::Uploaded>(&url, &file).await {
                Ok(up) => {
                    ui.submit(vec![Op::UpdatePersona {
                        id,
                        patch: PersonaPatch {
                            avatar_url: Some(Some(up.url)),
                            ..Default::default()
                        },
                    }]);
                }
                Err(e) => upload_error.set(Some(e)),
            }
            uploading.set(false);
        });
    };
    let update = move |patch: PersonaPatch| ui.submit(vec![Op::UpdatePersona { id, patch }]);
    let expanded = move || open.get() == Some(id);
    let shift = move |by: isize| {
        let Some((orders, i)) = ui
            .read(|b| {
                let all = b.personas_in_order();
                let i = all.iter().position(|p| p.id == id)?;
                Some((all.iter().map(|p| p.order.clone()).collect::<Vec<_>>(), i))
            })
            .flatten()
        else {
            return;
        };
        let to = i as isize + by;
        if to < 0 || to as usize >= orders.len() {
            return;
        }
        let to = to as usize;
        // Between the neighbours on the far side of the one we pass.
        let (lo, hi) = if by < 0 {
            (to.checked_sub(1).map(|j| &orders[j]), Some(&orders[to]))
        } else {
            (Some(&orders[to]), orders.get(to + 1))
        };
        ui.submit(vec![Op::MovePersona {
            id,
            order: OrderKey::between(lo, hi),
        }]);
    };
    let text_field = move |label: T,
                           testid: &'static str,
                           read: fn(&Persona) -> String,
                           write: fn(String) -> PersonaPatch,
                           rows: u32| {
        view! {
            <label class="field">
                <span>{move || i18n.t(label)}</span>
                <textarea rows=rows maxlength="5000" data-testid=testid prop:value=move || get(read)
                    on:change=move |ev| { update(write(event_target_value(&ev))); }></textarea>
            </label>
        }
    };
    view! {
        <div class="persona-item" class:open=expanded data-testid="persona-item" data-persona=id.to_string()>
            <button class="persona-summary" aria-expanded=move || expanded().to_string()
                on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                <PersonaAvatar name=name color=color photo=photo/>
                <span class="persona-line">
                    <strong data-testid="persona-name">{move || name.get()}</strong>
                    <span class="muted small">{move || persona.with(|p| p.as_ref().map(|p| {
                        let age = p.age.map(|a| a.to_string()).unwrap_or_default();
                        [age, p.role.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
                    }).unwrap_or_default())}</span>
                </span>
            </button>
            <Show when=move || !expanded() && !get(|p| p.quote.clone()).is_empty()>
                <p class="persona-quote">"“" {move || get(|p| p.quote.clone())} "”"</p>
            </Show>
            <Show when=expanded>
                // A viewer may open a persona to read it, not change it.
                <fieldset class="plain persona-form" disabled=move || !ui.can_edit.get()>
                    <div class="field-row">
                        <label class="field grow">
                            <span>{move || i18n.t(T::Name)}</span>
                            <input maxlength="200" data-testid="persona-name-input" prop:value=move || name.get()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev).trim().to_string();
                                    if !v.is_empty() { update(PersonaPatch { name: Some(v), ..Default::default() }); }
                                }/>
                        </label>
                        <label class="field age">
                            <span>{move || i18n.t(T::Age)}</span>
                            <input type="number" min="0" max="150" data-testid="persona-age"
                                prop:value=move || persona.with(|p| p.as_ref().and_then(|p| p.age).map(|a| a.to_string()).unwrap_or_default())
                                on:change=move |ev| {
                                    let raw = event_target_value(&ev);
                                    let age = raw.trim().parse::<u16>().ok().filter(|a| *a <= 150);
                                    if age.is_some() || raw.trim().is_empty() {
                                        update(PersonaPatch { age: Some(age), ..Default::default() });
                                    }
                                }/>
                        </label>
                    </div>
                    <div class="photo-row">
                        <PersonaAvatar name=name color=color photo=photo/>
                        <Show when=move || ui.can_edit.get()>
                            <label class="ghost-button file-button">
                                {move || if uploading.get() { i18n.t(T::Uploading) } else { i18n.t(T::UploadPhoto) }}
                                <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" data-testid="persona-photo-input"
                                    class="sr-only" on:change=on_file/>
                            </label>
                        </Show>
                        <Show when=move || photo.get().is_some() && ui.can_edit.get()>
                            <button class="ghost-button" data-testid="persona-photo-remove"
                                on:click=move |_| { update(PersonaPatch { avatar_url: Some(None), ..Default::default() }); }>
                                {move || i18n.t(T::RemovePhoto)}
                            </button>
                        </Show>
                    </div>
                    {move || upload_error.get().map(|e| view! { <p class="error small" role="alert" data-testid="photo-error">{e}</p> })}
                    <label class="field">
                        <span>{move || i18n.t(T::RoleOccupation)}</span>
                        <input maxlength="200" data-testid="persona-role" prop:value=move || get(|p| p.role.clone())
                            on:change=move |ev| { update(PersonaPatch { role: Some(event_target_value(&ev)), ..Default::default() }); }/>
                    </label>
                    <div class="palette inline" role="radiogroup" aria-label=move || i18n.t(T::Color)>
                        {PERSONA_COLORS.into_iter().map(|c| view! {
                            <button class="swatch" style:background=ink(c) class:current=move || color.get() == c
                                role="radio" aria-checked=move || (color.get() == c).to_string() aria-label=c.as_str()
                                on:click=move |_| { update(PersonaPatch { color: Some(c), ..Default::default() }); }></button>
                        }).collect_view()}
                    </div>
                    {text_field(T::Quote, "persona-quote", |p| p.quote.clone(), |v| PersonaPatch { quote: Some(v), ..Default::default() }, 2)}
                    {text_field(T::Goals, "persona-goals", |p| p.goals.clone(), |v| PersonaPatch { goals: Some(v), ..Default::default() }, 2)}
                    {text_field(T::Needs, "persona-needs", |p| p.needs.clone(), |v| PersonaPatch { needs: Some(v), ..Default::default() }, 2)}
                    {text_field(T::PainsField, "persona-pains", |p| p.pains.clone(), |v| PersonaPatch { pains: Some(v), ..Default::default() }, 2)}
                    {text_field(T::Fears, "persona-fears", |p| p.fears.clone(), |v| PersonaPatch { fears: Some(v), ..Default::default() }, 2)}
                    {text_field(T::Expectations, "persona-expectations", |p| p.expectations.clone(), |v| PersonaPatch { expectations: Some(v), ..Default::default() }, 2)}
                    {text_field(T::About, "persona-about", |p| p.about.clone(), |v| PersonaPatch { about: Some(v), ..Default::default() }, 3)}
                    <Show when=move || ui.can_edit.get()>
                        <div class="details-actions">
                            <button class="ghost-button" data-testid="persona-up" on:click=move |_| shift(-1)>{move || i18n.t(T::MoveUp)}</button>
                            <button class="ghost-button" data-testid="persona-down" on:click=move |_| shift(1)>{move || i18n.t(T::MoveDown)}</button>
                            <span class="spacer"></span>
                            <button class="danger-button" data-testid="persona-delete" on:click=move |_| {
                                if browser::confirm(i18n.t(T::ConfirmDeletePersona)) {
                                    ui.submit(vec![Op::DeletePersona { id }]);
                                }
                            }>{move || i18n.t(T::Delete)}</button>
                        </div>
                    </Show>
                </fieldset>
            </Show>
        </div>
    }
}
