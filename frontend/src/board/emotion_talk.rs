//! Discussing an emotion point: the comment button beside a point of a
//! persona's curve (a count when the point has comments, else a "+" shown
//! on hover or when the point is selected) and what the side panel shows
//! for it. The threads themselves are the ones cards and stages use
//! (`CommentsSection`), with `CommentTarget::Emotion` as their subject.
//!
//! The button is a sibling of the point, not inside it (a button cannot
//! hold a button), placed at the same spot and nudged up and right so that
//! it never covers the point one drags.

use cjm_core::{CommentTarget, Curve, PersonaId, StageId};
use leptos::prelude::*;

use super::icons::Icon;
use super::panel::Panel;
use super::personas::ink;
use super::use_ui;
use crate::i18n::{I18n, T, use_i18n};

/// The comment target of one point.
pub fn target(persona_id: PersonaId, stage_id: StageId, curve: Curve) -> CommentTarget {
    CommentTarget::Emotion {
        persona_id,
        stage_id,
        curve,
    }
}

/// "Emotion: Igor · Decision", with "(to be)" on the to-be curve: the
/// title of a point's discussion and what the comments panel calls it.
pub fn title(persona: &str, stage: &str, curve: Curve, i18n: I18n) -> String {
    let mut s = format!("{}: {persona} · {stage}", i18n.t(T::EmotionPoint));
    if curve == Curve::ToBe {
        s.push_str(&format!(" ({})", i18n.t(T::ToBe).to_lowercase()));
    }
    s
}

/// The comment button of one point. With comments it shows their count
/// (and the "new" dot when someone else wrote since we last read the
/// comments, as on cards); without, it is a "+" for those who may comment,
/// visible while the point is hovered or `selected`.
#[component]
pub fn PointTalk(
    persona: PersonaId,
    stage: StageId,
    curve: Curve,
    /// Where the point is, as CSS lengths (the button sits beside it).
    left: Signal<String>,
    top: String,
    nudge: f64,
    /// The point is the selected one (touched, clicked or focused).
    selected: Signal<bool>,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let on = target(persona, stage, curve);
    let talk = Memo::new(move |_| {
        let seen = ui.comments.seen_at.get();
        ui.comments.index.with(|i| {
            let s = i.targets.get(&on).copied().unwrap_or_default();
            (s.count, seen.is_some_and(|t| s.newest_by_others > t))
        })
    });
    let count = move || talk.get().0;
    let shown = move || count() > 0 || ui.may_comment();
    let label = move || {
        if count() > 0 {
            format!("{}: {}", i18n.t(T::Comments), count())
        } else {
            i18n.t(T::CommentOnPoint).to_string()
        }
    };
    view! {
        <Show when=shown>
            <button class="emo-talk" class:empty=move || count() == 0 class:selected=selected
                class:to-be=curve == Curve::ToBe
                class:fresh=move || talk.get().1
                data-testid="emotion-comments"
                data-persona=persona.to_string() data-stage=stage.to_string() data-curve=curve.as_str()
                data-count=move || count().to_string()
                style:left=move || left.get() style:top=top.clone()
                style:translate=format!("{nudge}px 0")
                title=label aria-label=label
                // Not a press on the plot: no score is set, no drag starts.
                on:pointerdown=|ev| ev.stop_propagation()
                on:click=move |ev| {
                    ev.stop_propagation();
                    ui.panel.set(Some(Panel::Emotion(persona, stage, curve)));
                }
            >
                <Icon name="comment"/>
                {move || { let n = count(); if n > 0 { n.to_string() } else { "+".to_string() } }}
                {move || talk.get().1.then(|| view! { <span class="new-dot" data-testid="emotion-comments-new" aria-hidden="true"></span> })}
            </button>
        </Show>
    }
}

/// What the side panel shows above a point's threads: whose emotion, at
/// which stage, on which curve, and its score now.
#[component]
pub fn EmotionDetails(persona: PersonaId, stage: StageId, curve: Curve) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let info = Memo::new(move |_| {
        ui.conn.board.with(|b| {
            let b = b.as_ref()?;
            let p = b.personas.get(&persona)?;
            let s = b.stages.get(&stage)?;
            Some((
                p.name.clone(),
                p.color,
                s.name.clone(),
                b.emotion(persona, stage, curve),
            ))
        })
    });
    move || {
        info.get().map(|(name, color, stage_name, score)| {
            let curve_label = i18n.t(if curve == Curve::AsIs {
                T::AsIs
            } else {
                T::ToBe
            });
            view! {
                <section class="details-section emotion-details" data-testid="emotion-details">
                    <p class="emotion-who">
                        <span class="dot" style:background=ink(color) aria-hidden="true"></span>
                        <strong>{name}</strong>
                        <span class="muted">" · "{stage_name}</span>
                    </p>
                    <p class="muted small">
                        {curve_label}" · "{i18n.t(T::Score)}": "
                        <b data-testid="emotion-details-score">{score.map_or_else(|| "—".to_string(), |v| format!("{v:+}").replace("+0", "0"))}</b>
                    </p>
                </section>
            }
        })
    }
}
