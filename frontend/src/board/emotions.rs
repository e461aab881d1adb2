//! The emotion lane: one smooth curve per persona across the stages (as-is
//! solid, to-be dashed), set by clicking or dragging in a stage's column,
//! or with the arrow keys on a point. Dips are ringed in red. Each point
//! can be discussed: its comment button (`emotion_talk::PointTalk`) shows
//! on hover or once the point is selected, and stays with a count once
//! there are comments; a right-click on a point opens its discussion too.
//!
//! Lines are an SVG stretched over the lane (non-scaling strokes); points
//! are HTML buttons placed in percent, so they stay round and focusable at
//! any column width.

use std::collections::HashSet;

use cjm_core::limits::{EMOTION_MAX, EMOTION_MIN};
use cjm_core::{Color, Curve, LaneId, Op, PersonaId, StageId};
use leptos::html;
use leptos::prelude::*;
use web_sys::PointerEvent;

use super::emotion_talk::PointTalk;
use super::panel::Panel;
use super::personas::ink;
use super::use_ui;
use crate::i18n::{T, use_i18n};

/// Vertical position (0–100) of a score: +2 at the top, −2 at the bottom.
fn y_of(score: i8) -> f64 {
    10.0 + f64::from(EMOTION_MAX - score) * 20.0
}

fn score_at(y_frac: f64) -> i8 {
    let s = f64::from(EMOTION_MAX) - (y_frac * 100.0 - 10.0) / 20.0;
    (s.round() as i8).clamp(EMOTION_MIN, EMOTION_MAX)
}

/// A smooth path through the points (Catmull-Rom as cubic Béziers).
fn smooth_path(points: &[(f64, f64)]) -> String {
    let Some(first) = points.first() else {
        return String::new();
    };
    let mut d = format!("M{:.1},{:.1}", first.0, first.1);
    for i in 0..points.len().saturating_sub(1) {
        let p0 = points[i.saturating_sub(1)];
        let p1 = points[i];
        let p2 = points[i + 1];
        let p3 = points[(i + 2).min(points.len() - 1)];
        let c1 = (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0);
        let c2 = (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0);
        d.push_str(&format!(
            " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            c1.0, c1.1, c2.0, c2.1, p2.0, p2.1
        ));
    }
    d
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Series {
    persona: PersonaId,
    name: String,
    color: Color,
    curve: Curve,
    /// Position among the personas (to set overlapping points apart).
    rank: usize,
    /// (column, stage, score, is a dip), left to right.
    points: Vec<(usize, StageId, i8, bool)>,
}

/// A point being dragged: shown at once, sent on release.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Preview {
    persona: PersonaId,
    curve: Curve,
    stage: StageId,
    score: i8,
}

#[component]
pub fn EmotionLane(lane: LaneId, stages: Memo<Vec<StageId>>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    let active = RwSignal::new(None::<PersonaId>);
    let curve = RwSignal::new(Curve::AsIs);
    let preview = RwSignal::new(None::<Preview>);
    // The point last touched, clicked or focused: its comment button shows.
    let selected = RwSignal::new(None::<(PersonaId, StageId, Curve)>);
    let plot = NodeRef::<html::Div>::new();

    let personas = ui.personas;
    // The drawing persona: the chosen one, else the first.
    let drawing = Memo::new(move |_| {
        personas.with(|ps| {
            active
                .get()
                .filter(|a| ps.iter().any(|p| p.0 == *a))
                .or_else(|| ps.first().map(|p| p.0))
        })
    });
    let dips = Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .map(|b| {
                    cjm_core::health::dips(b)
                        .into_iter()
                        .map(|d| (d.persona_id, d.stage_id))
                        .collect::<HashSet<_>>()
                })
                .unwrap_or_default()
        })
    });
    let series = Memo::new(move |_| {
        let cols = stages.get();
        let pv = preview.get();
        let dips = dips.get();
        board.with(|b| {
            let Some(b) = b else { return Vec::new() };
            let mut out = Vec::new();
            for (rank, p) in b.personas_in_order().into_iter().enumerate() {
                for c in Curve::ALL {
                    let points: Vec<_> = cols
                        .iter()
                        .enumerate()
                        .filter_map(|(i, s)| {
                            let score = match pv {
                                Some(v) if v.persona == p.id && v.curve == c && v.stage == *s => {
                                    Some(v.score)
                                }
                                _ => b.emotion(p.id, *s, c),
                            };
                            let dip = c == Curve::AsIs && dips.contains(&(p.id, *s));
                            score.map(|v| (i, *s, v, dip))
                        })
                        .collect();
                    if !points.is_empty() {
                        out.push(Series {
                            rank,
                            persona: p.id,
                            name: p.name.clone(),
                            color: p.color,
                            curve: c,
                            points,
                        });
                    }
                }
            }
            out
        })
    });
    let n = move || stages.with(|s| s.len().max(1));

    let set_score = move |persona: PersonaId, c: Curve, stage: StageId, score: Option<i8>| {
        let current = ui.read(|b| b.emotion(persona, stage, c)).flatten();
        if current != score {
            ui.submit(vec![Op::SetEmotion {
                persona_id: persona,
                stage_id: stage,
                curve: c,
                score,
            }]);
        }
    };
    // Where the pointer is: (column's stage, score).
    let locate = move |ev: &PointerEvent| -> Option<(StageId, i8)> {
        let el = plot.get_untracked()?;
        let r = el.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return None;
        }
        let x = (f64::from(ev.client_x()) - r.left()) / r.width();
        let y = (f64::from(ev.client_y()) - r.top()) / r.height();
        let cols = stages.get_untracked();
        let i = ((x * cols.len() as f64).floor() as isize).clamp(0, cols.len() as isize - 1);
        Some((*cols.get(i as usize)?, score_at(y)))
    };
    let on_down = move |ev: PointerEvent| {
        // A press beside the points lets go of the selected one.
        let on_point = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .and_then(|el| el.closest("[data-emotion-point]").ok().flatten())
            .is_some();
        if !on_point {
            selected.set(None);
        }
        if ev.button() != 0 || !ui.can_edit.get_untracked() {
            return;
        }
        let Some(persona) = drawing.get_untracked() else {
            return;
        };
        let Some((stage, score)) = locate(&ev) else {
            return;
        };
        ev.prevent_default();
        let c = curve.get_untracked();
        if ev.alt_key() {
            set_score(persona, c, stage, None);
            return;
        }
        if let Some(el) = plot.get_untracked() {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        preview.set(Some(Preview {
            persona,
            curve: c,
            stage,
            score,
        }));
    };
    let on_move = move |ev: PointerEvent| {
        if let Some(p) = preview.get_untracked()
            && let Some((_, score)) = locate(&ev)
            && score != p.score
        {
            preview.set(Some(Preview { score, ..p }));
        }
    };
    let on_up = move |_| {
        if let Some(p) = preview.get_untracked() {
            set_score(p.persona, p.curve, p.stage, Some(p.score));
            preview.set(None);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent,
                       persona: PersonaId,
                       c: Curve,
                       stage: StageId,
                       score: i8| {
        let new = match ev.key().as_str() {
            "Escape" if selected.get_untracked().is_some() => {
                ev.stop_propagation();
                selected.set(None);
                return;
            }
            "ArrowUp" => Some((score + 1).min(EMOTION_MAX)),
            "ArrowDown" => Some((score - 1).max(EMOTION_MIN)),
            "Delete" | "Backspace" => None,
            _ => return,
        };
        ev.prevent_default();
        set_score(persona, c, stage, new);
        if let Some(s) = new {
            let sel = format!(
                "[data-emotion-point][data-persona=\"{persona}\"][data-stage=\"{stage}\"][data-curve=\"{}\"][data-score=\"{s}\"]",
                c.as_str()
            );
            request_animation_frame(move || {
                if let Ok(Some(el)) = document().query_selector(&sel)
                    && let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
                {
                    let _ = el.focus();
                }
            });
        }
    };

    view! {
        <div class="emotion-lane" data-testid="emotion-lane" data-lane=lane.to_string()
            style:grid-column=move || format!("span {}", n())>
            <Show when=move || personas.with(|p| !p.is_empty()) fallback=move || view! {
                // A viewer could not add one: the lane stays plain.
                <Show when=move || ui.can_edit.get()>
                    <div class="emo-empty">
                        <p class="muted">{move || i18n.t(T::AddPersonaForCurve)}</p>
                        <button class="ghost-button" data-testid="emotion-add-persona" on:click=move |ev| { ev.stop_propagation(); ui.panel.set(Some(Panel::Personas)); }>
                            "+ " {move || i18n.t(T::AddPersona)}
                        </button>
                    </div>
                </Show>
            }>
                <div class="emo-legend" on:pointerdown=|ev| ev.stop_propagation()>
                    <span class="muted small">{move || i18n.t(T::EditingCurve)}":"</span>
                    <For each=move || personas.get() key=|p| p.clone() let:p>
                        {
                            let id = p.0;
                            view! {
                                <button class="emo-persona" data-testid="emotion-persona"
                                    class:active=move || drawing.get() == Some(id)
                                    aria-pressed=move || (drawing.get() == Some(id)).to_string()
                                    style:border-color=ink(p.2)
                                    on:click=move |_| active.set(Some(id))>
                                    <span class="dot" style:background=ink(p.2)></span>{p.1.clone()}
                                </button>
                            }
                        }
                    </For>
                    <span class="emo-curves" role="group">
                        {Curve::ALL.into_iter().map(|c| view! {
                            <button class="emo-curve" data-testid=format!("curve-{}", c.as_str())
                                class:active=move || curve.get() == c
                                aria-pressed=move || (curve.get() == c).to_string()
                                on:click=move |_| curve.set(c)>
                                {move || i18n.t(if c == Curve::AsIs { T::AsIs } else { T::ToBe })}
                            </button>
                        }).collect_view()}
                    </span>
                    <span class="muted small emo-hint">{move || i18n.t(T::EmotionHint)}</span>
                </div>
                <div class="emo-plot" node_ref=plot data-testid="emotion-plot"
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                    on:pointercancel=move |_| preview.set(None)>
                    {(EMOTION_MIN..=EMOTION_MAX).rev().map(|s| view! {
                        <div class="emo-guide" class:zero=s == 0 style:top=format!("{}%", y_of(s))></div>
                    }).collect_view()}
                    // The score axis sticks next to the lane headers while
                    // the map scrolls sideways.
                    <div class="emo-axis" data-testid="emotion-axis" aria-hidden="true">
                        {(EMOTION_MIN..=EMOTION_MAX).rev().map(|s| view! {
                            <span class="emo-axis-label" data-testid="emotion-axis-label" style:top=format!("{}%", y_of(s))>
                                {format!("{s:+}").replace("+0", "0")}
                            </span>
                        }).collect_view()}
                    </div>
                    <svg class="emo-svg" preserveAspectRatio="none" aria-hidden="true"
                        viewBox=move || format!("0 0 {} 100", n() * 100)>
                        <For each=move || series.get() key=|s| s.clone() let:s>
                            {
                                let pts: Vec<(f64, f64)> = s.points.iter().map(|(i, _, v, _)| (*i as f64 * 100.0 + 50.0, y_of(*v))).collect();
                                let persona = s.persona;
                                view! {
                                    <path d=smooth_path(&pts) fill="none" stroke=ink(s.color)
                                        stroke-width=if s.curve == Curve::AsIs { "3" } else { "2" }
                                        stroke-dasharray=if s.curve == Curve::ToBe { "6 5" } else { "" }
                                        vector-effect="non-scaling-stroke"
                                        class:dimmed=move || ui.persona_filter.get().is_some_and(|f| f != persona)/>
                                }
                            }
                        </For>
                    </svg>
                    <For each=move || series.get() key=|s| s.clone() let:s>
                        {s.points.iter().map(|&(i, stage, score, is_dip)| {
                            let persona = s.persona;
                            let c = s.curve;
                            // Personas at the same score sit side by side.
                            let nudge = (s.rank % 5) as f64 * 5.0 - 10.0;
                            let label = format!("{} · {}: {score:+}", s.name, match c { Curve::AsIs => i18n.t(T::AsIs), Curve::ToBe => i18n.t(T::ToBe) });
                            let key = (persona, stage, c);
                            let left = Signal::derive(move || format!("{}%", (i as f64 + 0.5) * 100.0 / n() as f64));
                            view! {
                                <button class="emo-point" class:to-be=c == Curve::ToBe class:dip=is_dip
                                    class:dimmed=move || ui.persona_filter.get().is_some_and(|f| f != persona)
                                    data-emotion-point="" data-testid="emotion-point"
                                    data-persona=persona.to_string() data-stage=stage.to_string()
                                    data-curve=c.as_str() data-score=score.to_string()
                                    style:left=left
                                    style:top=format!("{}%", y_of(score))
                                    style:translate=format!("{nudge}px 0")
                                    style:border-color=ink(s.color)
                                    style:background=if c == Curve::ToBe { "#fff".to_string() } else { ink(s.color).to_string() }
                                    aria-label=label.clone() title=label
                                    on:pointerdown=move |_| { active.set(Some(persona)); curve.set(c); selected.set(Some(key)); }
                                    on:focus=move |_| selected.set(Some(key))
                                    on:keydown=move |ev| on_key(ev, persona, c, stage, score)
                                    on:contextmenu=move |ev| {
                                        ev.prevent_default();
                                        selected.set(Some(key));
                                        ui.panel.set(Some(Panel::Emotion(persona, stage, c)));
                                    }
                                >{is_dip.then(|| view! { <span class="dip-label">{i18n.t(T::Dip)}</span> })}</button>
                                <PointTalk persona stage curve=c left top=format!("{}%", y_of(score)) nudge
                                    selected=Signal::derive(move || selected.get() == Some(key))/>
                            }
                        }).collect_view()}
                    </For>
                </div>
            </Show>
        </div>
    }
}
