//! Stage (column) and lane (row) headers: rename inline, reorder by drag or
//! from the menu, delete. One component serves both: they differ only in
//! axis and in which ops they send.

use cjm_core::{LanePatch, Op, StagePatch};
use leptos::html;
use leptos::prelude::*;

use super::drag;
use super::{Menu, use_ui};
use crate::browser;
use crate::i18n::{T, use_i18n};

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
            on:dblclick=move |_| ui.renaming.set(Some(target))
        >
            {move || kind().map(|k| view! { <span class=format!("kind-dot color-{}", k.default_color().as_str()) title=k.as_str() aria-hidden="true"></span> })}
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
                    <span class="header-name" data-testid="header-name" title=name>{name}</span>
                }.into_any()
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
