//! Nobody's typing is silently lost when two people work on one card.
//!
//! The card editor keeps the text as the card had it when editing began.
//! On saving it compares that with the card now (which holds the others'
//! confirmed and pending edits):
//! - the card is gone (someone deleted it while we typed): the typed text
//!   is kept here, and the dialog offers to put the card back where it was;
//! - someone else saved a different text meanwhile: nothing is sent, and the
//!   dialog shows both texts to keep theirs, use ours, or combine the two.
//!
//! Texts are shown as text, never as HTML.

use cjm_core::{Card, CardId, CardPatch, Op, OrderKey};
use leptos::prelude::*;

use super::{Ui, use_ui};
use crate::i18n::{T, use_i18n};

/// A text that could not be saved as it was, waiting for the person.
#[derive(Clone, Debug, PartialEq)]
pub enum Rescue {
    /// The card was deleted while we edited it: the card as it was when we
    /// began (its place and look) and what we typed.
    Deleted { card: Box<Card>, typed: String },
    /// Someone else changed the text while we edited it.
    Conflict {
        id: CardId,
        theirs: String,
        mine: String,
    },
}

/// What saving a card's text from the editor should do.
pub enum Outcome {
    /// Send the text (or nothing, if unchanged): no one else interfered.
    Save,
    /// The text is kept for the person to decide (the dialog is shown).
    Held,
}

/// Checks the card against the text it had when editing began (`before`,
/// the whole card then) and holds the typed text when sending it would
/// lose someone's work.
pub fn check(ui: Ui, before: &Card, typed: &str) -> Outcome {
    let now = ui
        .read(|b| b.cards.get(&before.id).map(|c| c.text.clone()))
        .flatten();
    match now {
        None => {
            // Nothing typed is nothing lost.
            if typed.trim().is_empty() || typed == before.text {
                return Outcome::Held;
            }
            ui.rescue.set(Some(Rescue::Deleted {
                card: Box::new(before.clone()),
                typed: typed.to_string(),
            }));
            Outcome::Held
        }
        Some(theirs) if theirs != before.text && typed != before.text && typed != theirs => {
            ui.rescue.set(Some(Rescue::Conflict {
                id: before.id,
                theirs,
                mine: typed.to_string(),
            }));
            Outcome::Held
        }
        Some(_) => Outcome::Save,
    }
}

/// The card put back where it was, with the typed text: in its cell, just
/// after the cards that were before it (or last, if its stage or lane is
/// gone too: then in the first stage and lane).
fn recreate(ui: Ui, card: &Card, typed: String) -> bool {
    let ops = ui
        .read(|b| {
            let (stage, lane) =
                if b.stages.contains_key(&card.stage_id) && b.lanes.contains_key(&card.lane_id) {
                    (card.stage_id, card.lane_id)
                } else {
                    let stage = b.stages_in_order().first().map(|s| s.id)?;
                    let lane = b.lanes_in_order().first().map(|l| l.id)?;
                    (stage, lane)
                };
            let cell = b.cards_in_cell(stage, lane);
            let prev = cell
                .iter()
                .filter(|c| c.order < card.order)
                .map(|c| &c.order)
                .next_back();
            let next = cell
                .iter()
                .map(|c| &c.order)
                .find(|o| prev.is_none_or(|p| *o > p));
            let mut copy = Card::new(
                stage,
                lane,
                OrderKey::between(prev, next),
                typed,
                card.color,
            );
            copy.persona_id = card.persona_id.filter(|p| b.personas.contains_key(p));
            copy.channel = card.channel;
            copy.evidence = card.evidence.clone();
            copy.opportunity = card.opportunity.clone().map(|mut o| {
                o.addresses.retain(|c| b.cards.contains_key(c));
                o
            });
            Some(vec![Op::CreateCard(copy)])
        })
        .flatten();
    ops.is_some_and(|ops| ui.submit(ops))
}

fn set_text(ui: Ui, id: CardId, text: String) -> bool {
    ui.submit(vec![Op::UpdateCard {
        id,
        patch: CardPatch {
            text: Some(text),
            ..Default::default()
        },
    }])
}

/// The dialog for a held text.
#[component]
pub fn RescueDialog() -> impl IntoView {
    let ui = use_ui();
    move || {
        ui.rescue
            .get()
            .map(|r| crate::lazy::show(move || rescue_dialog(r.clone())))
    }
}

#[component]
fn Dialog(rescue: Rescue) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let close = move || ui.rescue.set(None);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            ui.rescue.set(None);
        }
    });
    on_cleanup(move || keys.remove());
    let body = match rescue {
        Rescue::Deleted { card, typed } => {
            let shown = typed.clone();
            let put_back = move |_| {
                if recreate(ui, &card, typed.clone()) {
                    close();
                }
            };
            view! {
                <h2 id="rescue-title">{move || i18n.t(T::RescueDeletedTitle)}</h2>
                <p>{move || i18n.t(T::RescueDeletedText)}</p>
                <blockquote class="rescue-text" data-testid="rescue-mine">{shown}</blockquote>
                <div class="dialog-actions">
                    <button type="button" class="secondary" data-testid="rescue-discard" on:click=move |_| close()>
                        {move || i18n.t(T::RescueDiscard)}
                    </button>
                    <button type="button" class="primary" data-testid="rescue-recreate" on:click=put_back>
                        {move || i18n.t(T::RescueRecreate)}
                    </button>
                </div>
            }
            .into_any()
        }
        Rescue::Conflict { id, theirs, mine } => {
            // The combined text while it is being written (None: choosing).
            let combined = RwSignal::new(None::<String>);
            let combining = Memo::new(move |_| combined.with(Option::is_some));
            let both = format!("{theirs}\n\n{mine}");
            let save_combined = move |_| {
                if let Some(text) = combined.get_untracked()
                    && set_text(ui, id, text)
                {
                    close();
                }
            };
            let use_mine = {
                let mine = mine.clone();
                move |_| {
                    if set_text(ui, id, mine.clone()) {
                        close();
                    }
                }
            };
            view! {
                <h2 id="rescue-title">{move || i18n.t(T::RescueConflictTitle)}</h2>
                <p>{move || i18n.t(T::RescueConflictText)}</p>
                <div class="rescue-both">
                    <div>
                        <h3>{move || i18n.t(T::RescueTheirs)}</h3>
                        <blockquote class="rescue-text" data-testid="rescue-theirs">{theirs}</blockquote>
                    </div>
                    <div>
                        <h3>{move || i18n.t(T::RescueMine)}</h3>
                        <blockquote class="rescue-text" data-testid="rescue-mine">{mine}</blockquote>
                    </div>
                </div>
                <Show when=move || combining.get()>
                    <textarea class="rescue-combined" data-testid="rescue-combined" rows="5"
                        aria-label=move || i18n.t(T::RescueCombine)
                        prop:value=combined.get_untracked().unwrap_or_default()
                        on:input=move |ev| combined.set(Some(event_target_value(&ev)))
                    ></textarea>
                </Show>
                <div class="dialog-actions">
                    <Show when=move || !combining.get()>
                        <button type="button" class="secondary" data-testid="rescue-keep-theirs" on:click=move |_| close()>
                            {move || i18n.t(T::RescueKeepTheirs)}
                        </button>
                        <button type="button" class="secondary" data-testid="rescue-combine"
                            on:click={
                                let both = both.clone();
                                move |_| combined.set(Some(both.clone()))
                            }>
                            {move || i18n.t(T::RescueCombine)}
                        </button>
                        <button type="button" class="primary" data-testid="rescue-use-mine" on:click=use_mine.clone()>
                            {move || i18n.t(T::RescueUseMine)}
                        </button>
                    </Show>
                    <Show when=move || combining.get()>
                        <button type="button" class="secondary" data-testid="rescue-cancel" on:click=move |_| combined.set(None)>
                            {move || i18n.t(T::Cancel)}
                        </button>
                        <button type="button" class="primary" data-testid="rescue-save-combined" on:click=save_combined>
                            {move || i18n.t(T::Save)}
                        </button>
                    </Show>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <div class="dialog-backdrop">
            <div class="dialog rescue-dialog" role="alertdialog" aria-modal="true" aria-labelledby="rescue-title"
                data-testid="rescue-dialog">
                {body}
            </div>
        </div>
    }
}

crate::lazy::split!(
    rescue_dialog,
    fn rescue_dialog(rescue: Rescue) -> Loaded {
        Ok(view! { <Dialog rescue=rescue/> }.into_any())
    }
);
