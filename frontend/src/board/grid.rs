//! The stage × lane grid. Stage headers stick to the top and lane headers to
//! the left while the board scrolls; the last column and row add more.

use cjm_core::{Lane, LaneId, LaneKind, Op, OrderKey, Stage, StageId};
use leptos::prelude::*;

use super::cell::Cell;
use super::editing;
use super::emotions::EmotionLane;
use super::headers::Header;
use super::icons::Icon;
use super::presence;
use super::{Menu, use_ui};
use crate::i18n::{self, T, use_i18n};

#[component]
pub fn Grid() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    provide_context(super::card::LinkFocus::new(ui));
    let board = ui.conn.board;
    let stages = stage_ids(board);
    let lanes = Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .map(|b| b.lanes_in_order().iter().map(|l| l.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let loaded = Memo::new(move |_| board.with(|b| b.is_some()));

    let add_stage = move |_| {
        let last = board.with_untracked(|b| {
            b.as_ref()
                .and_then(|b| b.stages_in_order().last().map(|s| s.order.clone()))
        });
        let id = StageId::new();
        let stage = Stage {
            id,
            name: i18n.t(T::NewStage).into(),
            description: String::new(),
            metrics: Vec::new(),
            order: OrderKey::between(last.as_ref(), None),
        };
        if ui.submit(vec![Op::CreateStage(stage)]) {
            ui.renaming.set(Some(Menu::Stage(id)));
        }
    };
    let picking_kind = RwSignal::new(false);
    crate::browser::dismissable(
        move || picking_kind.get().then_some(()),
        move || picking_kind.set(false),
        vec![".add-lane".into()],
    );
    let add_lane = move |kind: LaneKind| {
        picking_kind.set(false);
        let last = board.with_untracked(|b| {
            b.as_ref()
                .and_then(|b| b.lanes_in_order().last().map(|l| l.order.clone()))
        });
        let id = LaneId::new();
        let lane = Lane {
            id,
            name: i18n.t(i18n::lane_kind(kind)).into(),
            kind,
            order: OrderKey::between(last.as_ref(), None),
        };
        if ui.submit(vec![Op::CreateLane(lane)]) {
            ui.renaming.set(Some(Menu::Lane(id)));
        }
    };

    view! {
        <Show when=move || loaded.get() fallback=move || view! { <p class="loading">{i18n.t(T::Loading)}</p> }>
            <div class="board-scroll" data-testid="board-scroll"
                class:panning=move || ui.panning.get()
                class:pan-active=move || matches!(ui.gesture.get(), Some(editing::Gesture::Pan { .. }))
                on:pointerdown=move |ev| editing::background_pointer_down(ui, &ev)
                on:pointermove=move |ev| editing::background_pointer_move(ui, &ev)
                on:pointerup=move |ev| editing::background_pointer_up(ui, &ev)
                on:pointercancel=move |_| ui.gesture.set(None)
                on:wheel=move |ev| editing::on_wheel(ui, &ev)
                on:scroll=move |_| super::follow::on_scroll(ui)
            >
                <div
                    class="grid"
                    style:zoom=move || { let z = ui.zoom.get(); (z != 1.0).then(|| z.to_string()) }
                    on:pointermove=move |ev| ui.cursor.set(presence::grid_point(ev.client_x() as f64, ev.client_y() as f64))
                    on:pointerleave=move |_| ui.cursor.set(None)
                    style:grid-template-columns=move || {
                        format!("var(--lane-w) repeat({}, var(--stage-w)) var(--add-w)", stages.get().len())
                    }
                >
                    <div class="corner"></div>
                    <For each=move || stages.get() key=|id| *id let:id>
                        <Header target=Menu::Stage(id)/>
                    </For>
                    <div class="add-stage">
                        <button class="ghost-button" data-testid="add-stage" title=move || i18n.t(T::AddStage)
                            aria-label=move || i18n.t(T::AddStage) on:click=add_stage>"+"</button>
                    </div>
                    <For each=move || lanes.get() key=|id| *id let:lane>
                        <LaneRow lane=lane stages=stages/>
                    </For>
                    <presence::PresenceLayer/>
                    <div class="add-lane">
                        <button class="ghost-button" data-testid="add-lane" aria-haspopup="menu"
                            aria-expanded=move || picking_kind.get().to_string()
                            on:click=move |ev| { ev.stop_propagation(); picking_kind.update(|p| *p = !*p); }>
                            "+ " {move || i18n.t(T::AddLane)}
                        </button>
                        <Show when=move || picking_kind.get()>
                            <div class="kind-picker" role="menu" data-testid="kind-picker" on:click=|ev| ev.stop_propagation()
                                on:keydown=move |ev| if ev.key() == "Escape" { picking_kind.set(false) }>
                                <p class="menu-label">{move || i18n.t(T::ChooseLaneKind)}</p>
                                {LaneKind::ALL.into_iter().map(|k| view! {
                                    <button role="menuitem" data-testid=format!("new-lane-{}", k.as_str()) on:click=move |_| add_lane(k)>
                                        <span class=format!("kind-icon color-{}", k.default_color().as_str())><Icon name=k.as_str()/></span>
                                        {move || i18n.t(i18n::lane_kind(k))}
                                    </button>
                                }).collect_view()}
                            </div>
                        </Show>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// One lane: its header, then a cell per stage; an emotions lane is one
/// curve across all stages; a collapsed lane is a thin strip with counts.
#[component]
fn LaneRow(lane: LaneId, stages: Memo<Vec<StageId>>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let kind = Memo::new(move |_| {
        ui.conn
            .board
            .with(|b| b.as_ref().and_then(|b| b.lanes.get(&lane).map(|l| l.kind)))
    });
    let collapsed = Memo::new(move |_| ui.collapsed.with(|c| c.contains(&lane)));
    // No card anywhere in the lane yet: its cells say what goes there.
    let empty = Memo::new(move |_| {
        ui.cells
            .with(|m| !m.iter().any(|((_, l), v)| *l == lane && !v.is_empty()))
    });
    let prompt = Signal::derive(move || {
        (empty.get() && ui.can_edit.get())
            .then(|| kind.get())
            .flatten()
            .map(super::cell::lane_prompt)
    });
    view! {
        <div class="row">
            <Header target=Menu::Lane(lane)/>
            {move || match (collapsed.get(), kind.get() == Some(LaneKind::Emotions)) {
                (true, _) => view! {
                    <For each=move || stages.get() key=|id| *id let:stage>
                        <div class="cell collapsed" data-cell="" data-stage=stage.to_string() data-lane=lane.to_string()>
                            {move || {
                                let n = ui.cells.with(|m| m.get(&(stage, lane)).map(|v| v.len()).unwrap_or(0));
                                (n > 0).then(|| format!("{n} {}", i18n.t(T::Cards)))
                            }}
                        </div>
                    </For>
                }.into_any(),
                (false, true) => view! { <EmotionLane lane=lane stages=stages/> }.into_any(),
                (false, false) => view! {
                    <For each=move || stages.get() key=|id| *id let:stage>
                        <Cell stage=stage lane=lane prompt=prompt/>
                    </For>
                }.into_any(),
            }}
            <div class="row-end"></div>
        </div>
    }
}

/// The board's stages in order, notifying only when that order changes
/// (the grid's columns, the phone view's sections).
pub(super) fn stage_ids(board: RwSignal<Option<cjm_core::Board>>) -> Memo<Vec<cjm_core::StageId>> {
    Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .map(|b| b.stages_in_order().iter().map(|s| s.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    })
}
