//! The stage × lane grid. Stage headers stick to the top and lane headers to
//! the left while the board scrolls; the last column and row add more.

use cjm_core::{Lane, LaneId, LaneKind, Op, OrderKey, Stage, StageId};
use leptos::prelude::*;

use super::cell::Cell;
use super::headers::Header;
use super::presence;
use super::{Menu, use_ui};
use crate::i18n::{T, use_i18n};

#[component]
pub fn Grid() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    let stages = Memo::new(move |_| {
        board.with(|b| {
            b.as_ref()
                .map(|b| b.stages_in_order().iter().map(|s| s.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
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
            order: OrderKey::between(last.as_ref(), None),
        };
        if ui.submit(vec![Op::CreateStage(stage)]) {
            ui.renaming.set(Some(Menu::Stage(id)));
        }
    };
    let add_lane = move |_| {
        let last = board.with_untracked(|b| {
            b.as_ref()
                .and_then(|b| b.lanes_in_order().last().map(|l| l.order.clone()))
        });
        let id = LaneId::new();
        let lane = Lane {
            id,
            name: i18n.t(T::NewLane).into(),
            kind: LaneKind::Notes,
            order: OrderKey::between(last.as_ref(), None),
        };
        if ui.submit(vec![Op::CreateLane(lane)]) {
            ui.renaming.set(Some(Menu::Lane(id)));
        }
    };

    view! {
        <Show when=move || loaded.get() fallback=move || view! { <p class="loading">{i18n.t(T::Loading)}</p> }>
            <div class="board-scroll" data-testid="board-scroll">
                                <div
                    class="grid"
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
                        <div class="row">
                            <Header target=Menu::Lane(lane)/>
                            <For each=move || stages.get() key=|id| *id let:stage>
                                <Cell stage=stage lane=lane/>
                            </For>
                            <div class="row-end"></div>
                        </div>
                    </For>
                                        <presence::PresenceLayer/>
                    <div class="add-lane">
                        <button class="ghost-button" data-testid="add-lane" on:click=add_lane>
                            "+ " {move || i18n.t(T::AddLane)}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
