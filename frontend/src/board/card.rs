//! A sticky note: text (always rendered as text, never HTML), colour,
//! inline editing, delete, and pointer/keyboard moves.

use cjm_core::{Card, CardId, CardPatch, Color, LaneKind, Op};
use leptos::html;
use leptos::prelude::*;

use super::drag;
use super::icons::Icon;
use super::panel::Panel;
use super::personas::ink;
use super::presence;
use super::{Menu, use_ui};
use crate::browser;
use crate::i18n::{self, T, use_i18n};

/// What a card shows besides its text, derived once per change of the card
/// (by the grid's card and the phone view's).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Facets {
    pub kind: Option<LaneKind>,
    pub persona: Option<(cjm_core::PersonaId, String, Color)>,
    pub channel: Option<cjm_core::Channel>,
    pub evidence: usize,
    pub hypothesis: bool,
    /// (priority, status, owner)
    pub opportunity: Option<(u8, cjm_core::OpportunityStatus, String)>,
}

/// The facets of `card`, recomputed when it, the lanes, the personas or
/// quiet mode change.
pub(super) fn card_facets(ui: super::Ui, card: RwSignal<Option<Card>>) -> Memo<Option<Facets>> {
    let ws = super::workshop::use_workshop();
    Memo::new(move |_| {
        card.with(|c| {
            let c = c.as_ref()?;
            let kind = ui.lane_kinds.with(|k| k.get(&c.lane_id).copied());
            Some(Facets {
                kind,
                persona: c.persona_id.and_then(|p| {
                    ui.persona_tags
                        .with(|t| t.get(&p).map(|(name, color)| (p, name.clone(), *color)))
                }),
                channel: c.channel,
                evidence: if ws.quiet.get() { 0 } else { c.evidence.len() },
                // Quiet brainstorming hides what judges a card.
                hypothesis: !ws.quiet.get()
                    && kind.is_some_and(|k| cjm_core::health::is_hypothesis(c, k)),
                opportunity: c
                    .opportunity
                    .as_ref()
                    .map(|o| (o.priority(), o.status, o.owner.clone()))
                    .or_else(|| {
                        (kind == Some(LaneKind::Opportunities))
                            .then(|| (0, cjm_core::OpportunityStatus::Idea, String::new()))
                    }),
            })
        })
    })
}

/// The card whose opportunity links are shown: the one under the pointer,
/// else the one with the keyboard focus. The grid provides it; the cards it
/// addresses (or that address it) get an outline.
#[derive(Clone, Copy)]
pub struct LinkFocus {
    pub hovered: RwSignal<Option<CardId>>,
    /// The cards linked to the hovered or focused card.
    pub linked: Memo<std::collections::HashSet<CardId>>,
}

impl LinkFocus {
    pub fn new(ui: super::Ui) -> Self {
        let hovered = RwSignal::new(None::<CardId>);
        let linked = Memo::new(move |_| {
            let Some(source) = hovered.get().or_else(|| ui.selected.get()) else {
                return std::collections::HashSet::new();
            };
            ui.conn.board.with(|b| {
                let Some(b) = b.as_ref() else {
                    return std::collections::HashSet::new();
                };
                // The pains an opportunity addresses...
                let mut set: std::collections::HashSet<CardId> = b
                    .cards
                    .get(&source)
                    .and_then(|c| c.opportunity.as_ref())
                    .map(|o| {
                        o.addresses
                            .iter()
                            .copied()
                            .filter(|p| b.cards.contains_key(p))
                            .collect()
                    })
                    .unwrap_or_default();
                // ...and the opportunities that address a pain.
                set.extend(b.cards.values().filter_map(|c| {
                    c.opportunity
                        .as_ref()
                        .is_some_and(|o| o.addresses.contains(&source))
                        .then_some(c.id)
                }));
                set.remove(&source);
                set
            })
        });
        Self { hovered, linked }
    }
}

/// Card text longer than about this many lines is clamped until expanded.
const CLAMP_LINES: usize = 8;
/// Characters on one line of a card, roughly (a generous guess, so that a
/// text just over the clamp does show its toggle).
const LINE_CHARS: usize = 30;

/// Whether `text` probably takes more than `CLAMP_LINES` lines on a card.
fn is_long(text: &str) -> bool {
    if text.len() < CLAMP_LINES * 4 && text.lines().count() <= CLAMP_LINES {
        return false;
    }
    let lines: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(LINE_CHARS).max(1))
        .sum();
    lines > CLAMP_LINES
}

#[component]
pub fn CardView(id: CardId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let card = ui.card_signal(id);
    let text = move || card.with(|c| c.as_ref().map(|c| c.text.clone()).unwrap_or_default());
    let color = move || card.with(|c| c.as_ref().map(|c| c.color).unwrap_or(Color::Yellow));
    let ws = super::workshop::use_workshop();
    let facets = card_facets(ui, card);
    let dimmed = Memo::new(move |_| {
        let filter = ui.persona_filter.get();
        filter.is_some()
            && facets.with(|f| f.as_ref().and_then(|f| f.persona.as_ref().map(|p| p.0))) != filter
    });
    // Search: None when not searching, else whether this card matches.
    let found = Memo::new(move |_| {
        let q = ui.search.get();
        if q.trim().is_empty() {
            return None;
        }
        Some(card.with(|c| c.as_ref().is_some_and(|c| super::toolbar::matches(c, &q))))
    });
    // While a version is compared: added, edited or moved since then.
    let diff = super::versions::card_diff_class(id);
    // Added or changed by others since this browser last had the board open.
    let since_visit = super::since_visit::card_changed(id);
    let in_selection = Memo::new(move |_| ui.selection.with(|s| s.contains(&id)));
    let editing = Memo::new(move |_| ui.editing.get() == Some(id));
    let dragging = Memo::new(move |_| ui.drag.dragged.get() == Some(id));
    let root = NodeRef::<html::Div>::new();
    let marks = presence::card_marks(id);
    let long = Memo::new(move |_| card.with(|c| c.as_ref().is_some_and(|c| is_long(&c.text))));
    let expanded = RwSignal::new(false);
    let links = use_context::<LinkFocus>();
    let linked = Memo::new(move |_| links.is_some_and(|l| l.linked.with(|s| s.contains(&id))));
    let vote = super::workshop::card_vote(ws, card, id);

    let delete = move || {
        ui.submit(vec![Op::DeleteCard { id }]);
    };
    let start_edit = move || {
        if !ui.can_edit.get_untracked() {
            return;
        }
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
            // With a selection, the board-wide shortcut deletes all of it.
            "Delete" | "Backspace" if ui.selection.with_untracked(|s| s.is_empty()) => delete(),
            "i" | "I" if !ev.ctrl_key() && !ev.meta_key() => ui.panel.set(Some(Panel::Card(id))),
            key @ ("ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown") if ev.alt_key() => {
                ev.prevent_default();
                drag::move_card_by_key(ui, id, key);
                // Keep keyboard focus on the moved card.
                request_animation_frame(move || drag::focus_card(id));
            }
            key @ ("ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown")
                if super::editing::navigate(ui, id, key) =>
            {
                ev.prevent_default();
            }
            _ => {}
        }
    };

    view! {
        <div
            node_ref=root
            // One string for every class: a `class=` closure next to
            // `class:x` toggles would drop the toggles when it re-runs.
            class=move || {
                let mut c = format!("card color-{}", color().as_str());
                for (on, name) in [
                    (editing.get(), "editing"),
                    (facets.with(|f| f.as_ref().is_some_and(|f| f.hypothesis)), "hypothesis"),
                    (dimmed.get() || found.get() == Some(false), "dimmed"),
                    (found.get() == Some(true), "match"),
                    (in_selection.get(), "selected"),
                    (vote.with(|v| v.in_scope), "votable"),
                    (dragging.get(), "dragging"),
                    (ui.menu.get() == Some(Menu::CardColor(id)), "menu-open"),
                    (since_visit.get(), "since-visit"),
                    (linked.get(), "linked"),
                ] {
                    if on {
                        c.push(' ');
                        c.push_str(name);
                    }
                }
                if let Some(d) = diff.get() {
                    c.push(' ');
                    c.push_str(d);
                }
                c
            }
            tabindex="0"
            role="listitem"
            aria-label=text
            data-card=id.to_string()
            data-testid="card"
            on:pointerdown=move |ev| drag::card_pointer_down(ui, id, &ev)
            on:pointermove=move |ev| drag::card_pointer_move(ui, &ev)
            on:pointerup=move |ev| drag::card_pointer_up(ui, &ev)
            on:pointercancel=move |_| ui.drag.card.set(None)
            on:click=move |ev| {
                let plain = !(ev.shift_key() || ev.ctrl_key() || ev.meta_key());
                // While a vote runs, a click on a card in it places a dot.
                if plain && vote.with_untracked(|v| v.in_scope) && ui.can_comment.get_untracked() {
                    super::workshop::dot(ui, id, true);
                    return;
                }
                if !plain {
                    let anchor = ui.anchor.get_untracked();
                    ui.selection.update(|s| {
                        // The card clicked before joins a new selection.
                        if s.is_empty() && let Some(a) = anchor.filter(|a| *a != id) {
                            s.insert(a);
                        }
                        if !s.remove(&id) { s.insert(id); }
                    });
                } else {
                    ui.anchor.set(Some(id));
                    if !ui.selection.with_untracked(|s| s.contains(&id)) {
                        ui.selection.update(|s| s.clear());
                    }
                }
                ui.target_cell.set(card.with_untracked(|c| c.as_ref().map(|c| (c.stage_id, c.lane_id))));
            }
            on:dblclick=move |ev| {
                ev.stop_propagation();
                start_edit();
            }
                        on:keydown=on_keydown
            on:focus=move |_| ui.selected.set(Some(id))
            on:blur=move |_| if ui.selected.get_untracked() == Some(id) { ui.selected.set(None) }
            on:pointerenter=move |_| if let Some(l) = links { l.hovered.set(Some(id)) }
            on:pointerleave=move |_| if let Some(l) = links && l.hovered.get_untracked() == Some(id) { l.hovered.set(None) }
            style:box-shadow=move || marks.with(|m| m.first().map(|(_, c, _)| format!("0 0 0 2px {c}, 0 4px 12px rgba(31,35,40,.18)")))
        >
            {move || marks.with(|m| m.first().map(|(name, color, editing)| {
                let label = if *editing { format!("{name} {}", i18n.t(T::IsEditing)) } else { name.clone() };
                view! { <span class="peer-label" data-testid="peer-mark" style:background=*color>{label}</span> }
            }))}
            {move || facets.get().filter(|f| f.persona.is_some() || f.channel.is_some()).map(|f| view! {
                <div class="card-meta">
                    {f.channel.map(|c| view! {
                        <span class="chip channel" data-testid="card-channel"><Icon name=c.as_str()/>{move || i18n.t(i18n::channel(c))}</span>
                    })}
                    {f.persona.map(|(_, name, color)| view! {
                        <span class="chip persona" data-testid="card-persona"><span class="dot" style:background=ink(color)></span>{name}</span>
                    })}
                </div>
            })}
            {move || if editing.get() {
                // Untracked: a concurrent change to this card must not
                // recreate the editor and throw away what is being typed.
                let initial = card.with_untracked(|c| c.as_ref().map(|c| c.text.clone()).unwrap_or_default());
                view! { <CardEditor id=id initial=initial/> }.into_any()
            } else {
                // A long text is clamped to a few lines (all of it stays
                // in the DOM for search and screen readers) until expanded.
                view! {
                    <p class="card-text" data-testid="card-text"
                        // A search match shows the whole text it matched in.
                        class:clamped=move || long.get() && !expanded.get() && found.get() != Some(true)>{text}</p>
                    <Show when=move || long.get() && found.get() != Some(true)>
                        <button class="card-more" data-testid="card-more"
                            aria-expanded=move || expanded.get().to_string()
                            on:pointerdown=|ev| ev.stop_propagation()
                            on:dblclick=|ev| ev.stop_propagation()
                            // Enter and Space press the toggle, not the card.
                            on:keydown=|ev| ev.stop_propagation()
                            on:click=move |ev| { ev.stop_propagation(); expanded.update(|e| *e = !*e); }>
                            {move || i18n.t(if expanded.get() { T::CardShowLess } else { T::CardShowMore })}
                        </button>
                    </Show>
                }.into_any()
            }}
            {move || facets.get().map(|f| view! {
                <div class="card-foot">
                    {(f.evidence > 0).then(|| view! {
                        <span class="chip evidence" data-testid="card-evidence" title=move || i18n.t(T::Evidence)><Icon name="evidence"/>{f.evidence}</span>
                    })}
                    {f.hypothesis.then(|| view! {
                        <span class="chip hypothesis-tag" data-testid="card-hypothesis" title=move || i18n.t(T::HypothesisHint)>{move || i18n.t(T::Hypothesis)}</span>
                    })}
                    {f.opportunity.map(|(priority, status, owner)| view! {
                        {(priority > 0).then(|| view! { <span class=format!("chip priority p{priority}") data-testid="card-priority" title=move || i18n.t(T::Priority)>{format!("P{priority}")}</span> })}
                        <span class=format!("chip status {}", status.as_str()) data-testid="card-status">{move || i18n.t(i18n::status(status))}</span>
                        {if owner.is_empty() {
                            view! { <span class="chip no-owner" data-testid="card-no-owner">{move || i18n.t(T::NoOwner)}</span> }.into_any()
                        } else {
                            view! { <span class="chip owner" data-testid="card-owner">{owner}</span> }.into_any()
                        }}
                    })}
                </div>
            })}
            <super::workshop::CardVoteMarks id=id info=vote/>
            <super::comments::CardTalk id=id/>
            <div class="card-tools">
                <button class="icon" data-testid="card-details" title=move || i18n.t(T::Details) aria-label=move || i18n.t(T::Details)
                    on:click=move |ev| {
                        ev.stop_propagation();
                        ui.toggle_panel(Panel::Card(id));
                    }
                ><Icon name="details"/></button>
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
    // The editor is as tall as the text: a long card is edited whole.
    let fit_height = move || {
        if let Some(el) = input.get_untracked() {
            let _ = el.set_attribute("style", "height: auto");
            let h = el.scroll_height();
            if h > 0 {
                let _ = el.set_attribute("style", &format!("height: {}px", h + 2));
            }
        }
    };
    Effect::new(move |_| {
        if input.get().is_some() {
            request_animation_frame(fit_height);
        }
    });
    let original = initial.clone();
    // The card as editing began: what `card_rescue` compares with, and
    // where a card deleted meanwhile is put back.
    let before = StoredValue::new(ui.read(|b| b.cards.get(&id).cloned()).flatten());
    // The text as typed, for when the card disappears under the editor
    // (kept outside the reactive owner, which is being disposed then).
    let typed = std::sync::Arc::new(std::sync::Mutex::new(initial.clone()));
    let typed_in = typed.clone();
    let save = move |value: String| {
        if ui.editing.get_untracked() != Some(id) {
            return;
        }
        let held = before.with_value(|b| {
            b.as_ref().is_some_and(|b| {
                matches!(
                    super::card_rescue::check(ui, b, &value),
                    super::card_rescue::Outcome::Held
                )
            })
        });
        if held {
            ui.editing.set(None);
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
    // Someone deleted the card: its view, and this editor with it, is
    // going away without a blur. The typed text is held, not lost.
    let card_then = before.get_value();
    on_cleanup(move || {
        if ui.editing.try_get_untracked().flatten() == Some(id) {
            let gone = ui.read(|b| !b.cards.contains_key(&id)).unwrap_or(false);
            if gone && let (Some(b), Ok(t)) = (&card_then, typed.lock()) {
                super::card_rescue::check(ui, b, &t);
                ui.editing.set(None);
            }
        }
    });
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
            on:input=move |ev| {
                fit_height();
                if let Ok(mut t) = typed_in.lock() {
                    *t = event_target_value(&ev);
                }
            }
            on:blur=move |ev| save_on_blur(event_target_value(&ev))
        ></textarea>
    }
}
