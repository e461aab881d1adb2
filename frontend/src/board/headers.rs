//! Stage (column) and lane (row) headers: rename inline, reorder by drag or
//! from the menu, delete. One component serves both: they differ only in
//! axis and in which ops they send.

use cjm_core::{LaneKind, LanePatch, Op, StagePatch};
use leptos::html;
use leptos::prelude::*;

use super::drag;
use super::icons::Icon;
use super::panel::Panel;
use super::{Menu, use_ui};
use crate::browser;
use crate::i18n::{self, T, use_i18n};

#[component]
pub fn Header(target: Menu) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    // (name, kind of lane if a lane, position, count)
    let info = Memo::new(move |_| {
        board.with(|b| {
            let b = b.as_ref()?;
            match target {
                Menu::Stage(id) => {
                    let all = b.stages_in_order();
                    let i = all.iter().position(|s| s.id == id)?;
                    Some((all[i].name.clone(), None, i, all.len()))
                }
                Menu::Lane(id) => {
                    let all = b.lanes_in_order();
                    let i = all.iter().position(|l| l.id == id)?;
                    Some((all[i].name.clone(), Some(all[i].kind), i, all.len()))
                }
                Menu::CardColor(_) => None,
            }
        })
    });
    // Description and metrics (stages only).
    let stage_extra = Memo::new(move |_| {
        let Menu::Stage(id) = target else { return None };
        board.with(|b| {
            let s = b.as_ref()?.stages.get(&id)?;
            Some((s.description.clone(), s.metrics.clone()))
        })
    });
    let collapsed = Memo::new(move |_| match target {
        Menu::Lane(id) => ui.collapsed.with(|c| c.contains(&id)),
        _ => false,
    });
    let set_kind = move |kind: LaneKind| {
        if let Menu::Lane(id) = target {
            ui.submit(vec![Op::UpdateLane {
                id,
                patch: LanePatch {
                    kind: Some(kind),
                    ..Default::default()
                },
            }]);
        }
    };
    let name = move || info.with(|i| i.as_ref().map(|i| i.0.clone()).unwrap_or_default());
    let kind = move || info.with(|i| i.as_ref().and_then(|i| i.1));
    let position = move || info.with(|i| i.as_ref().map(|i| (i.2, i.3)).unwrap_or((0, 0)));
    let is_stage = matches!(target, Menu::Stage(_));
    let id_str = match target {
        Menu::Stage(id) => id.to_string(),
        Menu::Lane(id) => id.to_string(),
        Menu::CardColor(id) => id.to_string(),
    };
    let header_class = if is_stage {
        "stage-header"
    } else {
        "lane-header"
    };
    let renaming = Memo::new(move |_| ui.renaming.get() == Some(target));
    let dragging = Memo::new(move |_| {
        ui.drag
            .header
            .with(|d| d.as_ref().is_some_and(|d| d.which == target && d.active))
    });

    let rename = move |value: String| {
        ui.renaming.set(None);
        let value = value.trim().to_string();
        if value == name() {
            return;
        }
        let op = match target {
            Menu::Stage(id) => Op::UpdateStage {
                id,
                patch: StagePatch {
                    name: Some(value),
                    ..Default::default()
                },
            },
            Menu::Lane(id) => Op::UpdateLane {
                id,
                patch: LanePatch {
                    name: Some(value),
                    ..Default::default()
                },
            },
            Menu::CardColor(_) => return,
        };
        ui.submit(vec![op]);
    };
    let delete = move || {
        let question = if is_stage {
            T::ConfirmDeleteStage
        } else {
            T::ConfirmDeleteLane
        };
        if !browser::confirm(i18n.t(question)) {
            return;
        }
        let op = match target {
            Menu::Stage(id) => Op::DeleteStage { id },
            Menu::Lane(id) => Op::DeleteLane { id },
            Menu::CardColor(_) => return,
        };
        ui.submit(vec![op]);
    };
    let shift = move |by: isize| {
        let (i, n) = position();
        let to = i as isize + by;
        if to >= 0 && (to as usize) < n {
            drag::move_header(ui, target, to as usize);
        }
    };
    let (back_label, forward_label) = if is_stage {
        (T::MoveLeft, T::MoveRight)
    } else {
        (T::MoveUp, T::MoveDown)
    };

    let input = NodeRef::<html::Input>::new();
    browser::focus_when_mounted(move || input.get().map(Into::into));

    view! {
        <div
            class=header_class
            class:dragging=move || dragging.get()
            data-id=id_str
            data-stage-header=is_stage.then_some("")
            data-lane-header=(!is_stage).then_some("")
            data-testid=header_class
            on:pointerdown=move |ev| drag::header_pointer_down(ui, target, &ev)
            on:pointermove=move |ev| drag::header_pointer_move(ui, &ev)
            on:pointerup=move |ev| drag::header_pointer_up(ui, &ev)
            on:pointercancel=move |_| ui.drag.header.set(None)
            on:dblclick=move |_| if ui.can_edit.get_untracked() { ui.renaming.set(Some(target)) }
        >
            {move || kind().map(|k| view! {
                <button class="icon collapse" data-testid="lane-collapse"
                    aria-expanded=move || (!collapsed.get()).to_string()
                    aria-label=move || i18n.t(if collapsed.get() { T::Expand } else { T::Collapse })
                    title=move || i18n.t(if collapsed.get() { T::Expand } else { T::Collapse })
                    on:pointerdown=|ev| ev.stop_propagation()
                    on:click=move |ev| { ev.stop_propagation(); if let Menu::Lane(id) = target { ui.toggle_collapsed(id); } }
                ><Icon name=if collapsed.get() { "chevron-right" } else { "chevron-down" }/></button>
                <span class=format!("kind-icon color-{}", k.default_color().as_str()) data-testid="lane-kind" data-kind=k.as_str()
                    title=move || i18n.t(i18n::lane_kind(k))><Icon name=k.as_str()/></span>
            })}
            {move || if renaming.get() {
                view! {
                    <input class="header-input" data-testid="header-input" node_ref=input maxlength="200"
                        prop:value=info.with_untracked(|i| i.as_ref().map(|i| i.0.clone()).unwrap_or_default())
                        on:keydown=move |ev| match ev.key().as_str() {
                            "Enter" => rename(event_target_value(&ev)),
                            "Escape" => ui.renaming.set(None),
                            _ => {}
                        }
                        on:blur=move |ev| if ui.renaming.get_untracked() == Some(target) { rename(event_target_value(&ev)) }
                    />
                }.into_any()
            } else {
                view! {
                    <div class="header-main">
                        <span class="header-name" data-testid="header-name" title=name>{name}</span>
                        {move || stage_extra.get().map(|(description, metrics)| {
                            // Numbers as the UI language writes them: "4.1%", "4,1 %".
                            let lang = i18n.0.get().code();
                            view! {
                            {(!description.is_empty()).then(|| view! { <span class="stage-description" title=description.clone()>{description.clone()}</span> })}
                            {(!metrics.is_empty()).then(|| view! {
                                <span class="metrics">
                                    {metrics.into_iter().map(|m| {
                                        let state = match m.on_target() { Some(true) => "good", Some(false) => "bad", None => "" };
                                        let target = m.target.map(|t| format!(" / {}", browser::format_with_unit(t.0, &m.unit, lang))).unwrap_or_default();
                                        view! {
                                            <span class=format!("metric {state}") data-testid="stage-metric" data-state=state>
                                                <span class="metric-name">{m.name.clone()}</span>" "
                                                <strong>{browser::format_with_unit(m.value.0, &m.unit, lang)}</strong>
                                                <span class="metric-target">{target}</span>
                                            </span>
                                        }
                                    }).collect_view()}
                                </span>
                            })}
                        }})}
                    </div>
                }.into_any()
            }}
            {match target {
                Menu::Stage(id) => Some(view! { <super::comments::StageTalk id=id/> }),
                _ => None,
            }}
            <button class="icon menu-button" data-testid="header-menu" aria-haspopup="menu"
                aria-label=move || format!("{} {}", i18n.t(T::Menu), name())
                on:click=move |ev| {
                    ev.stop_propagation();
                    ui.menu.update(|m| *m = if *m == Some(target) { None } else { Some(target) });
                }
            >"⋯"</button>
            <Show when=move || ui.menu.get() == Some(target)>
                <div class="menu" role="menu" on:click=|ev| ev.stop_propagation()>
                    <button role="menuitem" data-testid="menu-rename" on:click=move |_| { ui.menu.set(None); ui.renaming.set(Some(target)); }>
                        {move || i18n.t(T::Rename)}
                    </button>
                    {match target {
                        Menu::Stage(id) => view! {
                            <button role="menuitem" data-testid="menu-details" on:click=move |_| { ui.menu.set(None); ui.panel.set(Some(Panel::Stage(id))); }>
                                {move || i18n.t(T::StageDetails)}
                            </button>
                        }.into_any(),
                        _ => view! {
                            <div class="menu-kinds" role="group" aria-label=move || i18n.t(T::LaneKind)>
                                <span class="menu-label">{move || i18n.t(T::LaneKind)}</span>
                                {LaneKind::ALL.into_iter().map(|k| view! {
                                    <button role="menuitemradio" data-testid=format!("kind-{}", k.as_str())
                                        class:current=move || kind() == Some(k)
                                        aria-checked=move || (kind() == Some(k)).to_string()
                                        on:click=move |_| { ui.menu.set(None); if kind() != Some(k) { set_kind(k); } }>
                                        <Icon name=k.as_str()/>{move || i18n.t(i18n::lane_kind(k))}
                                    </button>
                                }).collect_view()}
                            </div>
                        }.into_any(),
                    }}
                    <button role="menuitem" data-testid="menu-back" disabled=move || position().0 == 0
                        on:click=move |_| { ui.menu.set(None); shift(-1); }>{move || i18n.t(back_label)}</button>
                    <button role="menuitem" data-testid="menu-forward" disabled=move || { let (i, n) = position(); i + 1 >= n }
                        on:click=move |_| { ui.menu.set(None); shift(1); }>{move || i18n.t(forward_label)}</button>
                    <button role="menuitem" class="danger" data-testid="menu-delete" on:click=move |_| { ui.menu.set(None); delete(); }>
                        {move || i18n.t(T::Delete)}
                    </button>
                </div>
            </Show>
        </div>
    }
}
