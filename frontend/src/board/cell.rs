//! One cell (stage × lane): its cards in order, the drop line while a card
//! is dragged over it, and the "new card" editor.

use cjm_core::{Card, LaneId, LaneKind, Op, OrderKey, StageId};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::card::CardView;
use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

/// What goes in a lane of this kind: the line an empty lane's cells show.
pub fn lane_prompt(kind: LaneKind) -> T {
    match kind {
        LaneKind::Notes => T::PromptNotes,
        LaneKind::Actions => T::PromptActions,
        LaneKind::Thoughts => T::PromptThoughts,
        LaneKind::Questions => T::PromptQuestions,
        LaneKind::Goals => T::PromptGoals,
        LaneKind::Triggers => T::PromptTriggers,
        LaneKind::Pains => T::PromptPains,
        LaneKind::Backstage => T::PromptBackstage,
        LaneKind::Ideas => T::PromptIdeas,
        LaneKind::Touchpoints => T::PromptTouchpoints,
        LaneKind::Emotions => T::PromptEmotions,
        LaneKind::Opportunities => T::PromptOpportunities,
    }
}

/// `prompt`: the muted hint an empty cell shows (set by the lane row while
/// the whole lane is empty and this person may add cards).
#[component]
pub fn Cell(
    stage: StageId,
    lane: LaneId,
    #[prop(optional, into)] prompt: Option<Signal<Option<T>>>,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let cards = Memo::new(move |_| {
        ui.cells
            .with(|m| m.get(&(stage, lane)).cloned().unwrap_or_default())
    });
    let is_target = Memo::new(move |_| ui.drag.drop_cell.get() == Some((stage, lane)));
    // Only the target cell follows the pointer (for its drop line).
    let line_y = move || {
        ui.drag
            .card
            .with(|d| d.as_ref().and_then(|d| d.target).map(|t| t.line_y))
    };
    let drafting = Memo::new(move |_| ui.draft.get() == Some((stage, lane)));
    let open_draft = move || {
        if !ui.can_edit.get_untracked() {
            return;
        }
        ui.editing.set(None);
        ui.draft.set(Some((stage, lane)));
    };
    let on_dblclick = move |ev: leptos::ev::MouseEvent| {
        // Only on the cell's empty space, not on a card.
        let on_cell = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.has_attribute("data-cell"));
        if on_cell {
            open_draft();
        }
    };
    view! {
        <div
            class="cell"
            class:drop-target=move || is_target.get()
            class:empty=move || cards.with(|c| c.is_empty())
            data-cell=""
            data-stage=stage.to_string()
            data-lane=lane.to_string()
            data-testid="cell"
            on:dblclick=on_dblclick
        >
            <For each=move || cards.get() key=|id| *id let:id>
                <CardView id=id/>
            </For>
            {move || {
                let hint = prompt.and_then(|p| p.get()).filter(|_| !drafting.get() && cards.with(|c| c.is_empty()))?;
                Some(view! { <p class="cell-prompt" data-testid="cell-prompt">{move || i18n.t(hint)}</p> })
            }}
            {move || is_target.get().then(|| view! { <div class="drop-line" style:top=move || format!("{}px", line_y().unwrap_or(0.0))></div> })}
            <Show when=move || drafting.get()>
                <Draft stage=stage lane=lane/>
            </Show>
            <button
                class="add-card"
                data-testid="add-card"
                title=move || i18n.t(T::AddCard)
                aria-label=move || i18n.t(T::AddCard)
                on:click=move |_| open_draft()
                // The arrows go on from here to the next cell, as from a card.
                on:keydown=move |ev| {
                    let key = ev.key();
                    if !ev.alt_key() && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key()
                        && super::editing::navigate_from_cell(ui, stage, lane, &key)
                    {
                        ev.prevent_default();
                    }
                }
            >
                "+"
            </button>
        </div>
    }
}

/// Types a new card: Enter adds it and stays open for the next one (fast
/// entry in a workshop), Esc or leaving the field closes it.
#[component]
fn Draft(stage: StageId, lane: LaneId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let input = NodeRef::<html::Textarea>::new();
    browser::focus_when_mounted(move || input.get().map(Into::into));
    let create = move |text: String| -> bool {
        let text = text.trim().to_string();
        if text.is_empty() {
            return false;
        }
        let (last, color) = ui.conn.board.with_untracked(|b| {
            let b = b.as_ref();
            let last = b.and_then(|b| b.cards_in_cell(stage, lane).last().map(|c| c.order.clone()));
            let color = b
                .and_then(|b| b.lanes.get(&lane))
                .map(|l| l.kind.default_color())
                .unwrap_or(cjm_core::Color::Yellow);
            (last, color)
        });
        ui.submit(vec![Op::CreateCard(Card::new(
            stage,
            lane,
            OrderKey::between(last.as_ref(), None),
            text,
            color,
        ))])
    };
    view! {
        <textarea
            class="card-editor draft"
            data-testid="card-draft"
            node_ref=input
            rows="3"
            placeholder=move || i18n.t(T::CardPlaceholder)
            aria-label=move || i18n.t(T::AddCard)
            on:keydown=move |ev| match ev.key().as_str() {
                "Enter" if !ev.shift_key() => {
                    ev.prevent_default();
                    let el = input.get_untracked();
                    if let Some(el) = el
                        && create(el.value())
                    {
                        el.set_value("");
                    }
                }
                "Escape" => {
                    // The focus goes back to the cell's "+", not to the page.
                    ui.draft.set(None);
                    request_animation_frame(move || super::editing::focus_add_card(ui, stage, lane));
                }
                _ => {}
            }
            on:blur=move |ev| {
                let text = event_target_value(&ev);
                // Close unless the text was refused (then it stays to fix).
                if (text.trim().is_empty() || create(text)) && ui.draft.get_untracked() == Some((stage, lane)) {
                    ui.draft.set(None);
                }
            }
        ></textarea>
    }
}
