//! The phone view: below a width breakpoint the stage × lane grid gives way
//! to a readable column. Stages are stacked top to bottom, each with its
//! description, metrics and the personas' emotion scores there; inside a
//! stage, the lanes that have cards in it, and the cards as full-width
//! notes. A small emotion curve of every persona sits on top. Editors tap
//! a card to edit its text (Save / Cancel) and add cards per stage.
//!
//! The breakpoint is followed through `window.matchMedia`, so a rotation
//! or a resize switches between the grid and this view at once. Everything
//! here reads the same reactive board as the grid (`ui.cells`,
//! `card_signal`), so others' edits show live.

use std::cell::RefCell;

use cjm_core::{
    Card, CardId, CardPatch, Color, Curve, LaneId, LaneKind, Op, OrderKey, StageId, StageMetric,
};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::emotion_talk::PointTalk;
use super::grid::Grid;
use super::icons::Icon;
use super::personas::ink;
use super::use_ui;
use crate::browser;
use crate::i18n::{self, T, use_i18n};

/// Widths at or below this get the phone view.
const QUERY: &str = "(max-width: 640px)";

thread_local! {
    static NARROW: RefCell<Option<ArcRwSignal<bool>>> = const { RefCell::new(None) };
}

fn media_matches(list: &JsValue) -> bool {
    js_sys::Reflect::get(list, &JsValue::from_str("matches"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Whether the window is phone-narrow, following resizes and rotation
/// (one media-query listener for the whole app).
pub fn narrow_screen() -> Signal<bool> {
    let signal = NARROW.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let win = window();
                // Called through Reflect: web-sys's MediaQueryList is not
                // among the enabled features, and this is all it needs.
                let list = js_sys::Reflect::get(&win, &JsValue::from_str("matchMedia"))
                    .ok()
                    .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                    .and_then(|f| f.call1(&win, &JsValue::from_str(QUERY)).ok())
                    .filter(|l| l.is_object());
                let signal = ArcRwSignal::new(list.as_ref().is_some_and(media_matches));
                if let Some(list) = list {
                    let (s, l) = (signal.clone(), list.clone());
                    let on_change = Closure::<dyn Fn()>::new(move || s.set(media_matches(&l)));
                    let target: &web_sys::EventTarget = list.unchecked_ref();
                    let _ = target.add_event_listener_with_callback(
                        "change",
                        on_change.as_ref().unchecked_ref(),
                    );
                    // Lives as long as the page: one listener, set up once.
                    on_change.forget();
                }
                signal
            })
            .clone()
    });
    Signal::derive(move || signal.get())
}

/// The board's body: the grid, or on a phone the stacked view.
#[component]
pub fn BoardBody() -> impl IntoView {
    let narrow = narrow_screen();
    let phone = Memo::new(move |_| narrow.get());
    move || match phone.get() {
        true => view! { <PhoneBoard/> }.into_any(),
        false => view! { <Grid/> }.into_any(),
    }
}

/// A lane as the phone view shows it.
#[derive(Clone, Debug, PartialEq)]
struct LaneInfo {
    id: LaneId,
    name: String,
    kind: LaneKind,
}

/// "+1", "0", "−2".
fn score_text(score: i8) -> String {
    match score {
        s if s > 0 => format!("+{s}"),
        s if s < 0 => format!("\u{2212}{}", -s),
        _ => "0".to_string(),
    }
}

#[component]
fn PhoneBoard() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    let loaded = Memo::new(move |_| board.with(|b| b.is_some()));
    let stages = super::grid::stage_ids(board);
    let lanes = Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .map(|b| {
                    b.lanes_in_order()
                        .into_iter()
                        .filter(|l| l.kind != LaneKind::Emotions)
                        .map(|l| LaneInfo {
                            id: l.id,
                            name: l.name.clone(),
                            kind: l.kind,
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <Show when=move || loaded.get() fallback=move || view! { <p class="loading">{i18n.t(T::Loading)}</p> }>
            <main class="phone-view" data-testid="phone-view">
                <EmotionSummary stages=stages/>
                <Show when=move || stages.with(|s| s.is_empty())>
                    <p class="muted phone-empty" data-testid="phone-no-stages">{move || i18n.t(T::PhoneNoStages)}</p>
                </Show>
                <For each=move || stages.get() key=|id| *id let:stage>
                    <PhoneStage stage=stage stages=stages lanes=lanes/>
                </For>
            </main>
        </Show>
    }
}

/// The personas (name, colour) and their emotion curves across the stages,
/// small enough for a phone: stage numbers match the sections below.
#[component]
fn EmotionSummary(stages: Memo<Vec<StageId>>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    // (persona name, colour, [(curve, [(column, score)])])
    type Series = (String, Color, Vec<(Curve, Vec<(usize, i8)>)>);
    let series = Memo::new(move |_| {
        let cols = stages.get();
        board.with(|b| {
            let Some(b) = b else {
                return Vec::<Series>::new();
            };
            b.personas_in_order()
                .into_iter()
                .map(|p| {
                    let curves = Curve::ALL
                        .into_iter()
                        .map(|c| {
                            let points = cols
                                .iter()
                                .enumerate()
                                .filter_map(|(i, s)| b.emotion(p.id, *s, c).map(|v| (i, v)))
                                .collect::<Vec<_>>();
                            (c, points)
                        })
                        .filter(|(_, pts)| !pts.is_empty())
                        .collect();
                    (p.name.clone(), p.color, curves)
                })
                .collect()
        })
    });
    let has_points = move || series.with(|s| s.iter().any(|(_, _, c)| !c.is_empty()));
    const STEP: f64 = 56.0;
    const PAD: f64 = 16.0;
    let y = |score: i8| 52.0 - f64::from(score) * 18.0;
    view! {
        <Show when=move || series.with(|s| !s.is_empty())>
            <section class="phone-summary" data-testid="phone-summary">
                <ul class="phone-personas" aria-label=move || i18n.t(T::Personas)>
                    {move || series.get().into_iter().map(|(name, color, _)| view! {
                        <li class="phone-persona" data-testid="phone-persona">
                            <span class="dot" style:background=ink(color) aria-hidden="true"></span>{name}
                        </li>
                    }).collect_view()}
                </ul>
                {move || if has_points() {
                    let n = stages.with(|s| s.len()).max(1);
                    let width = PAD * 2.0 + STEP * (n.saturating_sub(1)) as f64;
                    let x = move |i: usize| PAD + STEP * i as f64;
                    view! {
                        <figure class="phone-curve">
                            <figcaption class="muted">{move || i18n.t(T::PhoneCurve)}
                                <span class="phone-curve-key">
                                    <span class="key-line"></span>{move || i18n.t(T::AsIs)}
                                    <span class="key-line dashed"></span>{move || i18n.t(T::ToBe)}
                                </span>
                            </figcaption>
                            <svg data-testid="phone-curve" viewBox=format!("0 0 {width} 112") role="img"
                                aria-label=move || i18n.t(T::PhoneCurve) preserveAspectRatio="xMidYMid meet">
                                <line x1="0" x2=width.to_string() y1="52" y2="52" class="zero"/>
                                {(0..n).map(|i| view! {
                                    <text x=x(i).to_string() y="108" text-anchor="middle">{(i + 1).to_string()}</text>
                                }).collect_view()}
                                {series.get().into_iter().flat_map(|(_, color, curves)| {
                                    curves.into_iter().map(move |(curve, pts)| {
                                        let line = pts.iter().map(|(i, s)| format!("{:.1},{:.1}", x(*i), y(*s))).collect::<Vec<_>>().join(" ");
                                        let dashed = curve == Curve::ToBe;
                                        view! {
                                            <polyline points=line fill="none" stroke=ink(color) stroke-width="2.5"
                                                stroke-dasharray=dashed.then_some("5 4") stroke-linejoin="round"/>
                                            {pts.into_iter().map(|(i, s)| view! {
                                                <circle cx=x(i).to_string() cy=y(s).to_string() r=if dashed { "3" } else { "4" }
                                                    fill=if dashed { "#fff" } else { ink(color) } stroke=ink(color) stroke-width="2"/>
                                            }).collect_view()}
                                        }
                                    })
                                }).collect_view()}
                            </svg>
                        </figure>
                    }.into_any()
                } else {
                    view! { <p class="muted small">{move || i18n.t(T::PhoneNoEmotions)}</p> }.into_any()
                }}
            </section>
        </Show>
    }
}

/// One stage as a section: name, description, metrics, emotions, then its
/// cards by lane.
#[component]
fn PhoneStage(
    stage: StageId,
    stages: Memo<Vec<StageId>>,
    lanes: Memo<Vec<LaneInfo>>,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    let info = Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .and_then(|b| b.stages.get(&stage))
                .map(|s| (s.name.clone(), s.description.clone(), s.metrics.clone()))
        })
    });
    let number = move || {
        stages.with(|s| {
            s.iter()
                .position(|x| *x == stage)
                .map(|i| i + 1)
                .unwrap_or(0)
        })
    };
    // (persona, name, colour, as-is, to-be) of the personas with a point here.
    let emotions = Memo::new(move |_| {
        board.with(|b| {
            let Some(b) = b else { return Vec::new() };
            b.personas_in_order()
                .into_iter()
                .filter_map(|p| {
                    let as_is = b.emotion(p.id, stage, Curve::AsIs);
                    let to_be = b.emotion(p.id, stage, Curve::ToBe);
                    (as_is.is_some() || to_be.is_some())
                        .then(|| (p.id, p.name.clone(), p.color, as_is, to_be))
                })
                .collect::<Vec<_>>()
        })
    });
    let here = Memo::new(move |_| {
        let all = lanes.get();
        ui.cells.with(|m| {
            all.into_iter()
                .filter(|l| m.get(&(stage, l.id)).is_some_and(|v| !v.is_empty()))
                .map(|l| l.id)
                .collect::<Vec<_>>()
        })
    });
    let adding = RwSignal::new(false);
    view! {
        <section class="phone-stage" data-testid="phone-stage" data-id=stage.to_string()>
            {move || info.get().map(|(name, description, metrics)| {
                let lang = i18n.0.get().code();
                view! {
                    <header class="phone-stage-head">
                        <h2 data-testid="phone-stage-name"><span class="phone-stage-no">{number}"."</span>" "{name}</h2>
                        {(!description.is_empty()).then(|| view! { <p class="phone-stage-desc">{description}</p> })}
                        {(!metrics.is_empty()).then(|| view! {
                            <ul class="phone-metrics">
                                {metrics.into_iter().map(|m: StageMetric| {
                                    let state = match m.on_target() { Some(true) => "good", Some(false) => "bad", None => "" };
                                    let target = m.target.map(|t| format!(" / {}", browser::format_with_unit(t.0, &m.unit, lang))).unwrap_or_default();
                                    view! {
                                        <li class=format!("metric {state}") data-testid="phone-metric">
                                            <span class="metric-name">{m.name.clone()}</span>" "
                                            <strong>{browser::format_with_unit(m.value.0, &m.unit, lang)}</strong>
                                            <span class="metric-target">{target}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })}
                    </header>
                }
            })}
            <Show when=move || emotions.with(|e| !e.is_empty())>
                <ul class="phone-emotions" aria-label=move || i18n.t(T::KindEmotions)>
                    {move || emotions.get().into_iter().map(|(persona, name, color, as_is, to_be)| {
                            let talk = move |curve: Curve| view! {
                                <PointTalk persona stage curve left=Signal::derive(String::new) top=String::new() nudge=0.0
                                    selected=Signal::derive(|| false)/>
                            };
                            view! {
                                <li class="phone-emo" data-testid="phone-emotion">
                                    <span class="dot" style:background=ink(color) aria-hidden="true"></span>
                                    <span class="phone-emo-name">{name}</span>
                                    {as_is.map(|s| view! {
                                        <span class=format!("phone-score{}", if s < 0 { " low" } else if s > 0 { " high" } else { "" })
                                            data-testid="phone-score-as-is" title=move || i18n.t(T::AsIs)>
                                            <span class="sr-label">{move || i18n.t(T::AsIs)}" "</span>{score_text(s)}
                                        </span>
                                        {talk(Curve::AsIs)}
                                    })}
                                    {to_be.map(|s| view! {
                                        <span class="phone-score to-be" data-testid="phone-score-to-be" title=move || i18n.t(T::ToBe)>
                                            <span class="sr-label">{move || i18n.t(T::ToBe)}" "</span>"→ "{score_text(s)}
                                        </span>
                                        {talk(Curve::ToBe)}
                                    })}
                                </li>
                            }
                    }).collect_view()}
                </ul>
            </Show>
            <For each=move || here.get() key=|id| *id let:lane>
                <PhoneLane stage=stage lane=lane lanes=lanes/>
            </For>
            <Show when=move || here.with(|h| h.is_empty())>
                <p class="muted phone-empty" data-testid="phone-stage-empty">{move || i18n.t(T::PhoneNoCards)}</p>
            </Show>
            <Show when=move || ui.can_edit.get()>
                {move || if adding.get() {
                    view! { <NewCard stage=stage lanes=lanes adding=adding/> }.into_any()
                } else {
                    view! {
                        <button class="phone-add" data-testid="phone-add-card" on:click=move |_| adding.set(true)>
                            "+ "{move || i18n.t(T::AddCard)}
                        </button>
                    }.into_any()
                }}
            </Show>
        </section>
    }
}

/// The cards of one lane at one stage.
#[component]
fn PhoneLane(stage: StageId, lane: LaneId, lanes: Memo<Vec<LaneInfo>>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let info = Memo::new(move |_| lanes.with(|ls| ls.iter().find(|l| l.id == lane).cloned()));
    let cards = Memo::new(move |_| {
        ui.cells
            .with(|m| m.get(&(stage, lane)).cloned().unwrap_or_default())
    });
    view! {
        <div class="phone-lane" data-testid="phone-lane" data-lane=lane.to_string()>
            {move || info.get().map(|l| {
                let kind = l.kind;
                view! {
                    <h3 class="phone-lane-name">
                        <span class=format!("kind-icon color-{}", kind.default_color().as_str()) title=move || i18n.t(i18n::lane_kind(kind))>
                            <Icon name=kind.as_str()/>
                        </span>
                        {l.name}
                    </h3>
                }
            })}
            <div class="phone-cards" role="list">
                <For each=move || cards.get() key=|id| *id let:id>
                    <PhoneCard id=id/>
                </For>
            </div>
        </div>
    }
}

/// A card as a full-width note; editors tap it to edit its text.
#[component]
fn PhoneCard(id: CardId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let card = ui.card_signal(id);
    let ws = super::workshop::use_workshop();
    let text = move || card.with(|c| c.as_ref().map(|c| c.text.clone()).unwrap_or_default());
    let color = move || card.with(|c| c.as_ref().map(|c| c.color).unwrap_or(Color::Yellow));
    let facets = super::card::card_facets(ui, card);
    let dimmed = Memo::new(move |_| {
        let filter = ui.persona_filter.get();
        let q = ui.search.get();
        let off_persona = filter.is_some()
            && facets.with(|f| f.as_ref().and_then(|f| f.persona.as_ref().map(|p| p.0))) != filter;
        let off_search = !q.trim().is_empty()
            && !card.with(|c| c.as_ref().is_some_and(|c| super::toolbar::matches(c, &q)));
        off_persona || off_search
    });
    let diff = super::versions::card_diff_class(id);
    let since_visit = super::since_visit::card_changed(id);
    let vote = super::workshop::card_vote(ws, card, id);
    let editing = RwSignal::new(false);
    let start_edit = move || {
        if ui.can_edit.get_untracked() && !vote.with_untracked(|v| v.in_scope) {
            editing.set(true);
        }
    };
    view! {
        <article
            class=move || {
                let mut c = format!("phone-card color-{}", color().as_str());
                for (on, name) in [
                    (editing.get(), "editing"),
                    (dimmed.get(), "dimmed"),
                    (since_visit.get(), "since-visit"),
                    (facets.with(|f| f.as_ref().is_some_and(|f| f.hypothesis)), "hypothesis"),
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
            role="listitem"
            data-card=id.to_string()
            data-testid="card"
        >
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
                // Untracked: someone else's change must not reset what is typed.
                let before = card.get_untracked();
                view! { <PhoneEditor id=id before=before editing=editing/> }.into_any()
            } else {
                view! {
                    <p class="card-text" data-testid="card-text" on:click=move |_| start_edit()>{text}</p>
                }.into_any()
            }}
            <div class="phone-card-foot">
                {move || facets.get().map(|f| view! {
                    {(f.evidence > 0).then(|| view! {
                        <span class="chip evidence" data-testid="card-evidence" title=move || i18n.t(T::Evidence)><Icon name="evidence"/>{f.evidence}</span>
                    })}
                    {f.hypothesis.then(|| view! {
                        <span class="chip hypothesis-tag" data-testid="card-hypothesis" title=move || i18n.t(T::HypothesisHint)>{move || i18n.t(T::Hypothesis)}</span>
                    })}
                })}
                <super::workshop::CardVoteMarks id=id info=vote/>
                <super::comments::CardTalk id=id/>
                <span class="spacer"></span>
                <button class="phone-details icon" data-testid="card-details" title=move || i18n.t(T::Details) aria-label=move || i18n.t(T::Details)
                    on:click=move |_| ui.toggle_panel(super::panel::Panel::Card(id))><Icon name="details"/></button>
                <Show when=move || ui.can_edit.get() && !editing.get()>
                    <button class="phone-edit" data-testid="phone-card-edit" on:click=move |_| start_edit()>
                        {move || i18n.t(T::Edit)}
                    </button>
                </Show>
            </div>
        </article>
    }
}

/// The text editor of a card on a phone: Save sends the text, Cancel
/// leaves it as it was.
#[component]
fn PhoneEditor(id: CardId, before: Option<Card>, editing: RwSignal<bool>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let input = NodeRef::<html::Textarea>::new();
    // The caret at the end, nothing selected: a tap on a phone keyboard
    // must not replace the whole text.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            request_animation_frame(move || {
                let _ = el.focus();
                let end = el.value().encode_utf16().count() as u32;
                let _ = el.set_selection_range(end, end);
            });
        }
    });
    let initial = before.as_ref().map(|c| c.text.clone()).unwrap_or_default();
    let before = StoredValue::new(before);
    let save = move || {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let value = el.value();
        let (held, unchanged) = before.with_value(|b| match b {
            Some(b) => (
                matches!(
                    super::card_rescue::check(ui, b, &value),
                    super::card_rescue::Outcome::Held
                ),
                b.text == value,
            ),
            None => (true, true),
        });
        if held || unchanged {
            editing.set(false);
            return;
        }
        // Refused (too long...): the editor stays open with the text, the
        // toast says why.
        if ui.submit(vec![Op::UpdateCard {
            id,
            patch: CardPatch {
                text: Some(value),
                ..Default::default()
            },
        }]) {
            editing.set(false);
        }
    };
    view! {
        <div class="phone-editor">
            <textarea
                class="phone-textarea"
                data-testid="phone-card-editor"
                node_ref=input
                rows="4"
                aria-label=move || i18n.t(T::PhoneEditCard)
                prop:value=initial
                on:keydown=move |ev| if ev.key() == "Escape" { editing.set(false) }
            ></textarea>
            <div class="phone-actions">
                <button class="primary" data-testid="phone-card-save" on:click=move |_| save()>{move || i18n.t(T::Save)}</button>
                <button class="ghost-button" data-testid="phone-card-cancel" on:click=move |_| editing.set(false)>{move || i18n.t(T::Cancel)}</button>
            </div>
        </div>
    }
}

/// Adds a card to a stage: choose the lane, type, Save.
#[component]
fn NewCard(stage: StageId, lanes: Memo<Vec<LaneInfo>>, adding: RwSignal<bool>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let input = NodeRef::<html::Textarea>::new();
    let select = NodeRef::<html::Select>::new();
    browser::focus_when_mounted(move || input.get().map(Into::into));
    let create = move || {
        let (Some(el), Some(sel)) = (input.get_untracked(), select.get_untracked()) else {
            return;
        };
        let text = el.value().trim().to_string();
        let Some(lane) = lanes.with_untracked(|ls| {
            ls.iter()
                .find(|l| l.id.to_string() == sel.value())
                .or(ls.first())
                .cloned()
        }) else {
            return;
        };
        if text.is_empty() {
            adding.set(false);
            return;
        }
        let last = ui
            .read(|b| {
                b.cards_in_cell(stage, lane.id)
                    .last()
                    .map(|c| c.order.clone())
            })
            .flatten();
        if ui.submit(vec![Op::CreateCard(Card::new(
            stage,
            lane.id,
            OrderKey::between(last.as_ref(), None),
            text,
            lane.kind.default_color(),
        ))]) {
            adding.set(false);
        }
    };
    view! {
        <div class="phone-editor phone-new" data-testid="phone-new-card">
            <label class="phone-field">
                <span>{move || i18n.t(T::PhoneLane)}</span>
                <select node_ref=select data-testid="phone-new-lane">
                    {move || lanes.get().into_iter().map(|l| view! {
                        <option value=l.id.to_string()>{l.name}</option>
                    }).collect_view()}
                </select>
            </label>
            <textarea class="phone-textarea" data-testid="phone-new-text" node_ref=input rows="3"
                aria-label=move || i18n.t(T::PhoneCardText)
                on:keydown=move |ev| if ev.key() == "Escape" { adding.set(false) }></textarea>
            <div class="phone-actions">
                <button class="primary" data-testid="phone-new-save" on:click=move |_| create()>{move || i18n.t(T::Save)}</button>
                <button class="ghost-button" data-testid="phone-new-cancel" on:click=move |_| adding.set(false)>{move || i18n.t(T::Cancel)}</button>
            </div>
        </div>
    }
}
