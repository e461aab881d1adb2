//! The side panel (drawer) and the top-bar buttons that open it. One panel
//! at a time: a card's details, a stage's details, an emotion point's
//! discussion, the personas, the map's health, members and links, the
//! board's comments, its named versions or its activity feed.

use cjm_core::{CardId, CommentTarget, Curve, PersonaId, StageId};
use leptos::prelude::*;

use super::activity::ActivityPanel;
use super::card_details::CardDetails;
use super::comments::{CommentsPanel, CommentsSection};
use super::emotion_talk::{self, EmotionDetails};
use super::health_panel::HealthPanel;
use super::icons::Icon;
use super::personas::PersonasPanel;
use super::share::SharePanel;
use super::stage_details::StageDetails;
use super::use_ui;
use super::versions::VersionsPanel;
use crate::i18n::{T, use_i18n};
use crate::lazy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Card(CardId),
    Stage(StageId),
    /// The discussion of one point of a persona's emotion curve.
    Emotion(PersonaId, StageId, Curve),
    Personas,
    Health,
    /// Members and share links (owners only).
    Share,
    /// Every comment thread on the board.
    Comments,
    /// Named versions: save, compare, restore.
    Versions,
    /// Who changed what, newest first.
    Activity,
}

impl super::Ui {
    /// Opens `panel`, or closes it when it is already open.
    pub fn toggle_panel(&self, panel: Panel) {
        self.panel
            .update(|p| *p = if *p == Some(panel) { None } else { Some(panel) });
    }
}

#[component]
pub fn PanelButtons() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let personas = Memo::new(move |_| {
        ui.conn
            .board
            .with(|b| b.as_ref().map(|b| b.personas.len()).unwrap_or(0))
    });
    let button = move |panel: Panel, icon: &'static str, label: T, testid: &'static str| {
        view! {
            <button class="tool-button" data-testid=testid
                class:active=move || ui.panel.get() == Some(panel)
                aria-pressed=move || (ui.panel.get() == Some(panel)).to_string()
                on:click=move |ev| { ev.stop_propagation(); ui.toggle_panel(panel); }
            >
                <Icon name=icon/>
                <span>{move || i18n.t(label)}</span>
                {(panel == Panel::Personas).then(|| view! { <span class="count">{move || personas.get()}</span> })}
            </button>
        }
    };
    let owner = Memo::new(move |_| ui.conn.role.get() == Some(cjm_core::Role::Owner));
    view! {
        <super::comments::CommentsButton/>
        {button(Panel::Personas, "persona", T::Personas, "open-personas")}
        {button(Panel::Health, "health", T::Health, "open-health")}
        <Show when=move || owner.get()>
            {button(Panel::Share, "share", T::Share, "open-share")}
        </Show>
    }
}

#[component]
pub fn Drawer() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let title = move || match ui.panel.get() {
        Some(Panel::Card(_)) => i18n.t(T::CardDetails).to_string(),
        Some(Panel::Stage(_)) => i18n.t(T::StageDetails).to_string(),
        Some(Panel::Emotion(persona, stage, curve)) => ui
            .conn
            .board
            .with(|b| {
                let b = b.as_ref()?;
                Some(emotion_talk::title(
                    &b.personas.get(&persona)?.name,
                    &b.stages.get(&stage)?.name,
                    curve,
                    i18n,
                ))
            })
            .unwrap_or_default(),
        Some(Panel::Personas) => i18n.t(T::Personas).to_string(),
        Some(Panel::Health) => i18n.t(T::Health).to_string(),
        Some(Panel::Share) => i18n.t(T::Share).to_string(),
        Some(Panel::Comments) => i18n.t(T::Comments).to_string(),
        Some(Panel::Versions) => i18n.t(T::Versions).to_string(),
        Some(Panel::Activity) => i18n.t(T::Activity).to_string(),
        None => String::new(),
    };
    // Esc or a click outside closes it (not a click in a dialog or a
    // toast above it), and the focus goes back to what opened it.
    crate::browser::dismissable(
        move || ui.panel.get(),
        move || ui.panel.set(None),
        vec![
            "[data-testid=drawer]".into(),
            "[role=dialog][aria-modal=true]".into(),
            ".toast".into(),
        ],
    );
    // Close a card's or stage's panel when the thing is deleted.
    Effect::new(move |_| {
        let gone = ui.conn.board.with(|b| {
            let Some(b) = b else { return false };
            match ui.panel.get() {
                Some(Panel::Card(id)) => !b.cards.contains_key(&id),
                Some(Panel::Stage(id)) => !b.stages.contains_key(&id),
                Some(Panel::Emotion(persona, stage, _)) => {
                    !b.personas.contains_key(&persona) || !b.stages.contains_key(&stage)
                }
                _ => false,
            }
        });
        if gone {
            ui.panel.set(None);
        }
    });
    view! {
        <Show when=move || ui.panel.get().is_some()>
            <aside class="drawer" data-testid="drawer" aria-label=title
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| if ev.key() == "Escape" { ui.panel.set(None) }
            >
                <header class="drawer-head">
                    <h2>{title}</h2>
                    <button class="icon" data-testid="drawer-close" aria-label=move || i18n.t(T::Close)
                        on:click=move |_| ui.panel.set(None)>"×"</button>
                </header>
                <div class="drawer-body">
                    // A viewer reads the details; every field is disabled.
                    <fieldset class="plain" disabled=move || !ui.can_edit.get()>
                        {move || match ui.panel.get() {
                            Some(Panel::Card(id)) => lazy::show(move || card_details(id)).into_any(),
                            Some(Panel::Stage(id)) => lazy::show(move || stage_details(id)).into_any(),
                            Some(Panel::Emotion(persona, stage, curve)) => lazy::show(move || emotion_details(persona, stage, curve)).into_any(),
                            Some(Panel::Share) => lazy::show(share_panel).into_any(),
                            _ => ().into_any(),
                        }}
                    </fieldset>
                    // Outside the fieldset: a commenter cannot change the
                    // card or stage but may discuss it.
                    {move || match ui.panel.get() {
                        Some(Panel::Card(id)) => lazy::show(move || comments_section(CommentTarget::Card(id))).into_any(),
                        Some(Panel::Stage(id)) => lazy::show(move || comments_section(CommentTarget::Stage(id))).into_any(),
                        Some(Panel::Emotion(persona, stage, curve)) => {
                            lazy::show(move || comments_section(emotion_talk::target(persona, stage, curve))).into_any()
                        }
                        Some(Panel::Comments) => lazy::show(comments_panel).into_any(),
                        // Outside too: a viewer may compare versions.
                        Some(Panel::Versions) => lazy::show(versions_panel).into_any(),
                        // And every role may read and filter the feed.
                        Some(Panel::Activity) => lazy::show(activity_panel).into_any(),
                        // A viewer follows the health links and opens the
                        // personas (which disable their own fields).
                        Some(Panel::Personas) => lazy::show(personas_panel).into_any(),
                        Some(Panel::Health) => lazy::show(health_panel).into_any(),
                        _ => ().into_any(),
                    }}
                </div>
            </aside>
        </Show>
    }
}

// Each panel is loaded the first time it opens.
lazy::split!(
    card_panel,
    fn card_details(id: CardId) -> Loaded {
        Ok(view! { <CardDetails id=id/> }.into_any())
    }
);
lazy::split!(
    comments_section,
    fn comments_section(target: CommentTarget) -> Loaded {
        Ok(view! { <CommentsSection target=target/> }.into_any())
    }
);
lazy::split!(
    stage_panel,
    fn stage_details(id: StageId) -> Loaded {
        Ok(view! { <StageDetails id=id/> }.into_any())
    }
);
lazy::split!(
    emotion_panel,
    fn emotion_details(persona: PersonaId, stage: StageId, curve: Curve) -> Loaded {
        Ok(view! { <EmotionDetails persona stage curve/> }.into_any())
    }
);
lazy::split!(
    share_panel,
    fn share_panel() -> Loaded {
        Ok(view! { <SharePanel/> }.into_any())
    }
);
lazy::split!(
    comments_panel,
    fn comments_panel() -> Loaded {
        Ok(view! { <CommentsPanel/> }.into_any())
    }
);
lazy::split!(
    versions_panel,
    fn versions_panel() -> Loaded {
        Ok(view! { <VersionsPanel/> }.into_any())
    }
);
lazy::split!(
    activity_panel,
    fn activity_panel() -> Loaded {
        Ok(view! { <ActivityPanel/> }.into_any())
    }
);
lazy::split!(
    personas_panel,
    fn personas_panel() -> Loaded {
        Ok(view! { <PersonasPanel/> }.into_any())
    }
);
lazy::split!(
    health_panel,
    fn health_panel() -> Loaded {
        Ok(view! { <HealthPanel/> }.into_any())
    }
);
