//! A sticky note: text (always rendered as text, never HTML), colour,
//! inline editing, delete, and pointer/keyboard moves.

use cjm_core::{CardId, CardPatch, Color, Op};
use leptos::html;
use leptos::prelude::*;

use super::drag;
use super::presence;
use super::{Menu, use_ui};
use crate::browser;
use crate::i18n::{T, use_i18n};

#[component]
pub fn CardView(id: CardId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let card = Memo::new(move |_| {
        ui.conn
            .board
            .with(|b| b.as_ref().and_then(|b| b.cards.get(&id).cloned()))
    });
    let text = move || card.with(|c| c.as_ref().map(|c| c.text.clone()).unwrap_or_default());
    let color = move || card.with(|c| c.as_ref().map(|c| c.color).unwrap_or(Color::Yellow));
    let editing = Memo::new(move |_| ui.editing.get() == Some(id));
    let dragging = Memo::new(move |_| {
        ui.drag
            .card
            .with(|d| d.as_ref().is_some_and(|d| d.id == id && d.active))
    });
    let root = NodeRef::<html::Div>::new();
    let marks = presence::card_marks(ui, id);

    let delete = move || {
        ui.submit(vec![Op::DeleteCard { id }]);
    };
    let start_edit = move || {
        ui.draft.set(None);
        ui.editing.set(Some(id));
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if editing.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                start_edit();
            }
            "Delete" | "Backspace" => delete(),
            key @ ("ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown") if ev.alt_key() => {
                ev.prevent_default();
                drag::move_card_by_key(ui, id, key);
                // Keep keyboard focus on the moved card.
                request_animation_frame(move || drag::focus_card(id));
            }
            _ => {}
        }
    };

    view! {
        <div
            node_ref=root
            class=move || format!("card color-{}", color().as_str())
            class:editing=move || editing.get()
            class:dragging=move || dragging.get()
            class:menu-open=move || ui.menu.get() == Some(Menu::CardColor(id))
            tabindex="0"
            role="listitem"
            aria-label=text
            data-card=id.to_string()
            data-testid="card"
            on:pointerdown=move |ev| drag::card_pointer_down(ui, id, &ev)
            on:pointermove=move |ev| drag::card_pointer_move(ui, &ev)
            on:pointerup=move |ev| drag::card_pointer_up(ui, &ev)
            on:pointercancel=move |_| ui.drag.card.set(None)
            on:dblclick=move |ev| {
                ev.stop_propagation();
                start_edit();
            }
                        on:keydown=on_keydown
            on:focus=move |_| ui.selected.set(Some(id))
            on:blur=move |_| if ui.selected.get_untracked() == Some(id) { ui.selected.set(None) }
            style:box-shadow=move || marks.with(|m| m.first().map(|(_, c, _)| format!("0 0 0 2px {c}, 0 4px 12px rgba(31,35,40,.18)")))
        >
            {move || marks.with(|m| m.first().map(|(name, color, editing)| {
                let label = if *editing { format!("{name} {}", i18n.t(T::IsEditing)) } else { name.clone() };
                view! { <span class="peer-label" data-testid="peer-mark" style:background=*color>{label}</span> }
            }))}
            {move || if editing.get() {
                // Untracked: a concurrent change to this card must not
                // recreate the editor and throw away what is being typed.
                let initial = card.with_untracked(|c| c.as_ref().map(|c| c.text.clone()).unwrap_or_default());
                view! { <CardEditor id=id initial=initial/> }.into_any()
            } else {
                view! { <p class="card-text" data-testid="card-text">{text}</p> }.into_any()
            }}
            <div class="card-tools">
                <button class="icon swatch-button" data-testid="card-color"
                    title=move || i18n.t(T::Color) aria-label=move || i18n.t(T::Color)
                    on:click=move |ev| {
                        ev.stop_propagation();
                        ui.menu.update(|m| *m = if *m == Some(Menu::CardColor(id)) { None } else { Some(Menu::CardColor(id)) });
                    }
                >
                    <span class=move || format!("swatch color-{}", color().as_str())></span>
                </button>
                <button class="icon" data-testid="card-delete" title=move || i18n.t(T::Delete) aria-label=move || i18n.t(T::Delete)
                    on:click=move |ev| {
                        ev.stop_propagation();
                        delete();
                    }
                >"×"</button>
            </div>
            <Show when=move || ui.menu.get() == Some(Menu::CardColor(id))>
                <div class="palette" role="menu" data-testid="palette" on:click=|ev| ev.stop_propagation()>
                    {Color::ALL.into_iter().map(|c| view! {
                        <button
                            class=format!("swatch color-{}", c.as_str())
                            class:current=move || color() == c
                            role="menuitemradio"
                            aria-checked=move || (color() == c).to_string()
                            aria-label=c.as_str()
                            title=c.as_str()
                            data-testid=format!("color-{}", c.as_str())
                            on:click=move |_| {
                                ui.menu.set(None);
                                if color() != c {
                                    ui.submit(vec![Op::UpdateCard { id, patch: CardPatch { color: Some(c), ..Default::default() } }]);
                                }
                            }
                        ></button>
                    }).collect_view()}
                </div>
            </Show>
        </div>
    }
}

/// Inline text editor: Enter saves, Shift+Enter is a new line, Esc cancels,
/// leaving the field saves.
#[component]
fn CardEditor(id: CardId, initial: String) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let input = NodeRef::<html::Textarea>::new();
    browser::focus_when_mounted(move || input.get().map(Into::into));
    let original = initial.clone();
    let save = move |value: String| {
        if ui.editing.get_untracked() != Some(id) {
            return;
        }
        // An edit the rules refuse (too long...) keeps the editor open with
        // the text, and the toast says why: nothing typed is lost.
        if value != original
            && !ui.submit(vec![Op::UpdateCard {
                id,
                patch: CardPatch {
                    text: Some(value),
                    ..Default::default()
                },
            }])
        {
            return;
        }
        ui.editing.set(None);
        request_animation_frame(move || drag::focus_card(id));
    };
    let save_on_blur = save.clone();
    view! {
        <textarea
            class="card-editor"
            data-testid="card-editor"
            node_ref=input
            aria-label=move || i18n.t(T::Edit)
            prop:value=initial
            on:pointerdown=|ev| ev.stop_propagation()
            on:keydown=move |ev| {
                ev.stop_propagation();
                match ev.key().as_str() {
                    "Enter" if !ev.shift_key() => {
                        ev.prevent_default();
                        save(event_target_value(&ev));
                    }
                    "Escape" => {
                        ui.editing.set(None);
                        request_animation_frame(move || drag::focus_card(id));
                    }
                    _ => {}
                }
            }
            on:blur=move |ev| save_on_blur(event_target_value(&ev))
        ></textarea>
    }
}
