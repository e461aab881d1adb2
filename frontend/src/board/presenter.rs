//! Presenter mode: the journey one stage at a time, full screen: the
//! stage's name, description and metrics, the emotion curves up to it, and
//! its cards by lane (pains and opportunities stand out). Arrow keys or the
//! buttons step, Escape leaves. A leader's step goes out in
//! `Presence::lead.present`, and those who follow see the same step.

use cjm_core::{Curve, LaneKind, StageId};
use leptos::prelude::*;

use super::follow::use_follow;
use super::personas::ink;
use super::use_ui;
use crate::i18n::{self, T, use_i18n};

/// One lane's cards at the shown stage: (lane name, kind, card texts).
type LaneCards = (String, LaneKind, Vec<String>);

#[derive(Clone, Debug, PartialEq)]
struct Slide {
    index: usize,
    count: usize,
    name: String,
    description: String,
    /// (name, value with unit, target, on target?)
    metrics: Vec<(String, String, String, Option<bool>)>,
    lanes: Vec<LaneCards>,
    /// Per persona: (colour, as-is scores by stage index up to this stage).
    curves: Vec<(&'static str, Vec<(usize, i8)>)>,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[component]
pub fn PresenterButton() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let follow = use_follow();
    view! {
        <button class="tool-button" data-testid="presenter-open" title=move || i18n.t(T::Present) aria-label=move || i18n.t(T::Present)
            on:click=move |_| {
                let first = ui.read(|b| b.stages_in_order().first().map(|s| s.id)).flatten();
                follow.present.set(first);
            }><super::icons::Icon name="present"/><span class="wide-label">{move || i18n.t(T::Present)}</span></button>
    }
}

#[component]
pub fn Presenter() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let follow = use_follow();
    // (stage, shown because we follow the leader)
    let shown = Memo::new(move |_| {
        if follow.following()
            && let Some(s) = follow.leader.with(|l| l.as_ref().and_then(|l| l.3.present))
        {
            return Some((s, true));
        }
        follow.present.get().map(|s| (s, false))
    });
    let slide = Memo::new(move |_| {
        let (stage, _) = shown.get()?;
        ui.conn.board.with(|b| {
            let b = b.as_ref()?;
            let stages = b.stages_in_order();
            let index = stages.iter().position(|s| s.id == stage)?;
            let s = stages[index];
            let lanes = b
                .lanes_in_order()
                .into_iter()
                .filter(|l| l.kind != LaneKind::Emotions)
                .map(|l| {
                    let cards = b
                        .cards_in_cell(stage, l.id)
                        .into_iter()
                        .map(|c| c.text.clone())
                        .collect::<Vec<_>>();
                    (l.name.clone(), l.kind, cards)
                })
                .filter(|(_, _, cards)| !cards.is_empty())
                .collect();
            let curves = b
                .personas_in_order()
                .into_iter()
                .map(|p| {
                    let points = stages
                        .iter()
                        .enumerate()
                        .take(index + 1)
                        .filter_map(|(i, st)| {
                            b.emotions
                                .iter()
                                .find(|e| {
                                    e.persona_id == p.id
                                        && e.stage_id == st.id
                                        && e.curve == Curve::AsIs
                                })
                                .map(|e| (i, e.score))
                        })
                        .collect::<Vec<_>>();
                    (ink(p.color), points)
                })
                .filter(|(_, pts)| !pts.is_empty())
                .collect();
            Some(Slide {
                index,
                count: stages.len(),
                name: s.name.clone(),
                description: s.description.clone(),
                metrics: s
                    .metrics
                    .iter()
                    .map(|m| {
                        let unit = if m.unit.starts_with(char::is_alphabetic) {
                            format!("\u{a0}{}", m.unit)
                        } else {
                            m.unit.clone()
                        };
                        (
                            m.name.clone(),
                            format!("{}{unit}", number(m.value.0)),
                            m.target
                                .map(|t| format!("{}{unit}", number(t.0)))
                                .unwrap_or_default(),
                            m.on_target(),
                        )
                    })
                    .collect(),
                lanes,
                curves,
            })
        })
    });
    let step = move |by: isize| {
        if shown.get_untracked().is_none_or(|s| s.1) {
            return;
        }
        let Some(current) = follow.present.get_untracked() else {
            return;
        };
        let next = ui
            .read(|b| {
                let ids: Vec<StageId> = b.stages_in_order().iter().map(|s| s.id).collect();
                let i = ids.iter().position(|id| *id == current)? as isize + by;
                ids.get(i.clamp(0, ids.len() as isize - 1) as usize)
                    .copied()
            })
            .flatten();
        if next.is_some() {
            follow.present.set(next);
        }
    };
    let close = move || {
        if shown.get_untracked().is_some_and(|s| s.1) {
            // Leaving the leader's presentation is breaking away.
            follow
                .broke_away
                .set(follow.leader.with_untracked(|l| l.as_ref().map(|l| l.0)));
        }
        follow.present.set(None);
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if shown.get_untracked().is_none() {
            return;
        }
        match ev.key().as_str() {
            "ArrowRight" | "PageDown" | " " => {
                ev.prevent_default();
                ev.stop_propagation();
                step(1);
            }
            "ArrowLeft" | "PageUp" => {
                ev.prevent_default();
                ev.stop_propagation();
                step(-1);
            }
            "Escape" => close(),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        {move || slide.get().map(|s| {
            let remote = shown.get().is_some_and(|s| s.1);
            let n = s.count.max(1);
            let w = (n * 100) as f64;
            let x = |i: usize| (i * 100 + 50) as f64;
            let y = |score: i8| 50.0 - f64::from(score) * 20.0;
            view! {
                <div class="presenter" data-testid="presenter" role="dialog" aria-modal="true" aria-label=move || i18n.t(T::Present)
                    on:click=|ev| ev.stop_propagation()>
                    <header class="presenter-head">
                        <span class="presenter-step" data-testid="presenter-step">{format!("{} / {}", s.index + 1, s.count)}</span>
                        <h2 data-testid="presenter-stage">{s.name.clone()}</h2>
                        <span class="spacer"></span>
                        {(!remote).then(|| view! {
                            <button class="tool-button" data-testid="presenter-prev" disabled={s.index == 0} on:click=move |_| step(-1)>"← "{move || i18n.t(T::Previous)}</button>
                            <button class="tool-button" data-testid="presenter-next" disabled={s.index + 1 >= s.count} on:click=move |_| step(1)>{move || i18n.t(T::Next)}" →"</button>
                        })}
                        <button class="tool-button" data-testid="presenter-close" on:click=move |_| close()>{move || i18n.t(T::Close)}" (Esc)"</button>
                    </header>
                    <div class="presenter-body">
                        {(!s.description.is_empty()).then(|| view! { <p class="presenter-description">{s.description.clone()}</p> })}
                        {(!s.metrics.is_empty()).then(|| view! {
                            <div class="presenter-metrics">
                                {s.metrics.iter().cloned().map(|(name, value, target, ok)| {
                                    let state = match ok { Some(true) => "good", Some(false) => "bad", None => "" };
                                    view! {
                                        <div class=format!("presenter-metric metric {state}") data-testid="presenter-metric">
                                            <span class="metric-name">{name}</span>
                                            <strong>{value}</strong>
                                            {(!target.is_empty()).then(|| view! { <span class="metric-target">{format!("/ {target}")}</span> })}
                                        </div>
                                    }
                                }).collect_view()}
                            </div>
                        })}
                        {(!s.curves.is_empty()).then(|| view! {
                            // An image of numbers and the palette's colours only, never user text.
                            <img class="presenter-curve" data-testid="presenter-curve" alt="" src={
                                let mut m = format!(r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} 100" preserveAspectRatio="none"><rect x="{}" y="0" width="100" height="100" fill="rgba(9,105,218,.08)"/><line x1="0" y1="50" x2="{w}" y2="50" stroke="#d0d7de" stroke-dasharray="4 4" vector-effect="non-scaling-stroke"/>"##, s.index * 100);
                                for (color, pts) in &s.curves {
                                    let line = pts.iter().map(|(i, sc)| format!("{},{}", x(*i), y(*sc))).collect::<Vec<_>>().join(" ");
                                    m.push_str(&format!(r#"<polyline points="{line}" fill="none" stroke="{color}" stroke-width="3" vector-effect="non-scaling-stroke"/>"#));
                                    for (i, sc) in pts {
                                        m.push_str(&format!(r#"<circle cx="{}" cy="{}" r="3" fill="{color}"/>"#, x(*i), y(*sc)));
                                    }
                                }
                                m.push_str("</svg>");
                                format!("data:image/svg+xml,{}", String::from(js_sys::encode_uri_component(&m)))
                            }/>
                        })}
                        <div class="presenter-lanes">
                            {s.lanes.iter().cloned().map(|(name, kind, cards)| view! {
                                <section class=format!("presenter-lane kind-{}", kind.as_str()) data-testid="presenter-lane">
                                    <h3><super::icons::Icon name=kind.as_str()/>" "{name.clone()}{move || {
                                        let k = i18n.t(i18n::lane_kind(kind));
                                        (k != name).then(|| view! { <span class="muted">{format!(" · {k}")}</span> })
                                    }}</h3>
                                    <ul>{cards.into_iter().map(|t| view! { <li class=format!("color-{}", kind.default_color().as_str())>{t}</li> }).collect_view()}</ul>
                                </section>
                            }).collect_view()}
                        </div>
                    </div>
                </div>
            }
        })}
    }
}
