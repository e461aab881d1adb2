//! Editing comfort: undo/redo of one's own changes, multi-selection and
//! what it can do (move, recolour, delete, duplicate, copy/paste), keyboard
//! navigation between cells, zoom and pan. Everything still goes through
//! ops, so it is live for everyone.

use std::collections::BTreeSet;

use cjm_core::undo::UndoEntry;
use cjm_core::{
    ApplyCtx, Board, Card, CardId, CardPatch, Color, LaneId, LaneKind, Op, OrderKey, StageId,
};
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Ui;
use super::drag;
use crate::browser;

/// Undo steps kept per board page.
const MAX_HISTORY: usize = 200;
/// Cards one paste may create.
const MAX_PASTE: usize = 200;
pub const MIN_ZOOM: f64 = 0.25;
pub const MAX_ZOOM: f64 = 2.0;

#[derive(Default)]
pub struct History {
    undo: Vec<UndoEntry>,
    redo: Vec<UndoEntry>,
    /// The cards last copied here, to paste with all their fields when the
    /// clipboard still holds their text.
    clipboard: Vec<Card>,
    clipboard_text: String,
}

/// What this batch would change, to undo it later (`None` if it fails).
fn capture(ui: &Ui, ops: &[Op]) -> Option<UndoEntry> {
    ui.read(|b| {
        let mut probe = b.clone();
        let changes = probe.apply(ops, ApplyCtx::at(browser::now_ms())).ok()?;
        Some(UndoEntry::capture(b, &probe, &changes))
    })
    .flatten()
}

impl Ui {
    /// Sends a batch the user made; it can be undone. Comments and
    /// reactions (which a commenter may send too) are conversation, not
    /// edits of the map: they leave the undo history alone.
    pub fn submit(&self, ops: Vec<Op>) -> bool {
        let conversation = !ops.is_empty() && ops.iter().all(Op::is_conversation);
        let allowed = if conversation {
            self.can_comment.get_untracked()
        } else {
            self.can_edit.get_untracked()
        };
        if !allowed {
            let message = self.conn.i18n.t(crate::i18n::T::ViewOnlyRefused);
            self.conn.notice.set(Some(message.to_string()));
            return false;
        }
        if conversation {
            return self.conn.submit(ops).is_ok();
        }
        let entry = capture(self, &ops);
        if self.conn.submit(ops).is_err() {
            return false;
        }
        if let Some(entry) = entry {
            self.history.update_value(|h| {
                h.undo.push(entry);
                if h.undo.len() > MAX_HISTORY {
                    h.undo.remove(0);
                }
                h.redo.clear();
            });
            self.sync_history();
        }
        true
    }

    fn sync_history(&self) {
        let counts = self.history.with_value(|h| (h.undo.len(), h.redo.len()));
        self.history_len.set(counts);
    }

    pub fn undo(&self) {
        self.step(true);
    }

    pub fn redo(&self) {
        self.step(false);
    }

    /// Takes back the newest step that still changes something (a step
    /// whose entities others changed or deleted since may have nothing
    /// left), and files its inverse on the other stack.
    fn step(&self, undo: bool) {
        loop {
            let entry = self
                .history
                .try_update_value(|h| if undo { h.undo.pop() } else { h.redo.pop() })
                .flatten();
            let Some(entry) = entry else { break };
            let ops = self.read(|b| entry.undo_ops(b)).unwrap_or_default();
            if ops.is_empty() {
                continue;
            }
            let back = capture(self, &ops);
            if self.conn.submit(ops).is_ok()
                && let Some(back) = back
            {
                self.history.update_value(|h| {
                    if undo {
                        h.redo.push(back)
                    } else {
                        h.undo.push(back)
                    }
                });
            }
            break;
        }
        self.sync_history();
    }

    /// The selected cards, or the focused one; in board order.
    pub fn acted_on(&self) -> Vec<CardId> {
        let mut set = self.selection.get_untracked();
        if set.is_empty()
            && let Some(id) = self.selected.get_untracked()
        {
            set.insert(id);
        }
        self.read(|b| in_board_order(b, &set)).unwrap_or_default()
    }

    pub fn delete_cards(&self, ids: &[CardId]) {
        if ids.is_empty() {
            return;
        }
        let ops = ids.iter().map(|id| Op::DeleteCard { id: *id }).collect();
        if self.submit(ops) {
            self.selection.set(BTreeSet::new());
        }
    }

    pub fn recolor_cards(&self, ids: &[CardId], color: Color) {
        let ops: Vec<Op> = ids
            .iter()
            .map(|id| Op::UpdateCard {
                id: *id,
                patch: CardPatch {
                    color: Some(color),
                    ..Default::default()
                },
            })
            .collect();
        if !ops.is_empty() {
            self.submit(ops);
        }
    }

    /// A copy of each card right below it, selected afterwards.
    pub fn duplicate_cards(&self, ids: &[CardId]) {
        let Some(copies) = self.read(|b| {
            ids.iter()
                .filter_map(|id| {
                    let c = b.cards.get(id)?;
                    let cell = b.cards_in_cell(c.stage_id, c.lane_id);
                    let i = cell.iter().position(|x| x.id == c.id)?;
                    let next = cell.get(i + 1).map(|x| &x.order);
                    let mut copy = c.clone();
                    copy.id = CardId::new();
                    copy.order = OrderKey::between(Some(&c.order), next);
                    Some(copy)
                })
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        self.create_and_select(copies);
    }

    fn create_and_select(&self, cards: Vec<Card>) {
        // A copy keeps only its links to pains still on this board: the
        // server refuses links to cards that are gone or elsewhere.
        let cards: Vec<Card> = self
            .read(|b| {
                cards
                    .into_iter()
                    .map(|mut c| {
                        if let Some(o) = c.opportunity.as_mut() {
                            o.addresses.retain(|a| b.cards.contains_key(a));
                        }
                        c
                    })
                    .collect()
            })
            .unwrap_or_default();
        if cards.is_empty() {
            return;
        }
        let ids: BTreeSet<CardId> = cards.iter().map(|c| c.id).collect();
        if self.submit(cards.into_iter().map(Op::CreateCard).collect()) {
            self.selection.set(ids);
        }
    }

    /// Moves cards (in the given order) to position `index` of a cell.
    pub fn move_cards(&self, ids: &[CardId], stage: StageId, lane: LaneId, index: usize) {
        let Some(ops) = self.read(|b| {
            let moving: BTreeSet<CardId> = ids.iter().copied().collect();
            let others: Vec<&OrderKey> = b
                .cards_in_cell(stage, lane)
                .into_iter()
                .filter(|c| !moving.contains(&c.id))
                .map(|c| &c.order)
                .collect();
            let index = index.min(others.len());
            let mut prev = index.checked_sub(1).map(|i| others[i].clone());
            let next = others.get(index).copied();
            ids.iter()
                .filter(|id| b.cards.contains_key(id))
                .map(|id| {
                    let order = OrderKey::between(prev.as_ref(), next);
                    prev = Some(order.clone());
                    Op::MoveCard {
                        id: *id,
                        stage_id: stage,
                        lane_id: lane,
                        order,
                    }
                })
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        if !ops.is_empty() {
            self.submit(ops);
        }
    }

    /// Where a paste goes: the chosen cell, else the focused card's cell.
    fn paste_cell(&self) -> Option<(StageId, LaneId)> {
        self.target_cell.get_untracked().or_else(|| {
            let id = self.selected.get_untracked()?;
            self.read(|b| b.cards.get(&id).map(|c| (c.stage_id, c.lane_id)))
                .flatten()
        })
    }

    fn copy(&self, ev: &web_sys::ClipboardEvent) -> bool {
        let ids = self.acted_on();
        let Some(cards) = self.read(|b| {
            ids.iter()
                .filter_map(|id| b.cards.get(id).cloned())
                .collect::<Vec<_>>()
        }) else {
            return false;
        };
        if cards.is_empty() {
            return false;
        }
        let text = cards
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        if let Some(data) = ev.clipboard_data() {
            let _ = data.set_data("text/plain", &text);
        }
        self.history.update_value(|h| {
            h.clipboard = cards;
            h.clipboard_text = text;
        });
        true
    }

    /// Pastes the copied cards (all fields) or, for text from elsewhere,
    /// one card per paragraph, at the end of the paste cell.
    fn paste(&self, ev: &web_sys::ClipboardEvent) -> bool {
        let Some((stage, lane)) = self.paste_cell() else {
            return false;
        };
        let text = ev
            .clipboard_data()
            .and_then(|d| d.get_data("text/plain").ok())
            .unwrap_or_default();
        let copied = self.history.with_value(|h| {
            (h.clipboard_text == text && !h.clipboard.is_empty()).then(|| h.clipboard.clone())
        });
        let Some((mut last, color)) = self.read(|b| {
            let last = b.cards_in_cell(stage, lane).last().map(|c| c.order.clone());
            let color = b
                .lanes
                .get(&lane)
                .map(|l| l.kind.default_color())
                .unwrap_or(Color::Yellow);
            (last, color)
        }) else {
            return false;
        };
        let mut next_order = || {
            let k = OrderKey::between(last.as_ref(), None);
            last = Some(k.clone());
            k
        };
        let cards: Vec<Card> = match copied {
            Some(cards) => cards
                .into_iter()
                .map(|mut c| {
                    c.id = CardId::new();
                    c.stage_id = stage;
                    c.lane_id = lane;
                    c.order = next_order();
                    c
                })
                .collect(),
            None => paragraphs(&text)
                .into_iter()
                .map(|t| Card::new(stage, lane, next_order(), t, color))
                .collect(),
        };
        let cards: Vec<Card> = cards.into_iter().take(MAX_PASTE).collect();
        if cards.is_empty() {
            return false;
        }
        self.create_and_select(cards);
        true
    }

    pub fn set_zoom(&self, z: f64) {
        self.zoom.set(
            (z * 100.0)
                .round()
                .clamp(MIN_ZOOM * 100.0, MAX_ZOOM * 100.0)
                / 100.0,
        );
    }
}

/// Pasted text as card texts: paragraphs, or lines when there are no
/// blank lines.
fn paragraphs(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    let parts: Vec<&str> = if text.contains("\n\n") {
        text.split("\n\n").collect()
    } else {
        text.lines().collect()
    };
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn in_board_order(b: &Board, set: &BTreeSet<CardId>) -> Vec<CardId> {
    let mut out = Vec::new();
    for s in b.stages_in_order() {
        for l in b.lanes_in_order() {
            out.extend(
                b.cards_in_cell(s.id, l.id)
                    .iter()
                    .map(|c| c.id)
                    .filter(|id| set.contains(id)),
            );
        }
    }
    out
}

/// Whether keys typed here belong to a text field.
fn in_field(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            el.closest("input, textarea, select, [contenteditable]")
                .ok()
                .flatten()
                .is_some()
        })
}

/// Whether Space held here pans the board: only on the board itself (its
/// background, a cell, a card) or with the focus nowhere, never on a
/// control, whose Space is its own (a button's press, a checkbox, text).
fn space_pans(target: Option<web_sys::EventTarget>) -> bool {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return true;
    };
    let control = el
        .closest(
            "button, input, textarea, select, a[href], summary, label, [contenteditable], \
             [role=button], [role=menuitem], [role=radio], [role=checkbox], [role=switch], [role=tab]",
        )
        .ok()
        .flatten()
        .is_some();
    if control {
        return false;
    }
    let node: &web_sys::Node = &el;
    document()
        .body()
        .is_some_and(|b| b.is_same_node(Some(node)))
        || el.closest(".board-scroll").ok().flatten().is_some()
}

/// Board-wide shortcuts and the clipboard, for as long as the page lives.
pub fn install_shortcuts(ui: Ui) {
    // The stage, lane and card-colour menus close with Esc or a click
    // outside, and give the focus back to their button.
    browser::dismissable(
        move || ui.menu.get(),
        move || ui.menu.set(None),
        vec![
            ".stage-header .menu".into(),
            ".lane-header .menu".into(),
            "[data-testid=palette]".into(),
        ],
    );
    let keys = window_event_listener(ev::keydown, move |ev| {
        let cmd = ev.ctrl_key() || ev.meta_key();
        let key = ev.key();
        if ev.key() == " " && space_pans(ev.target()) && !ui.panning.get_untracked() {
            ev.prevent_default();
            ui.panning.set(true);
            return;
        }
        if cmd && key.eq_ignore_ascii_case("f") {
            ev.prevent_default();
            if let Ok(Some(el)) = document().query_selector("[data-testid=search]")
                && let Ok(el) = el.dyn_into::<web_sys::HtmlInputElement>()
            {
                let _ = el.focus();
                el.select();
            }
            return;
        }
        if cmd && matches!(key.as_str(), "=" | "+" | "-" | "0") {
            ev.prevent_default();
            let z = ui.zoom.get_untracked();
            ui.set_zoom(match key.as_str() {
                "-" => z / 1.25,
                "0" => 1.0,
                _ => z * 1.25,
            });
            return;
        }
        if in_field(ev.target()) {
            return;
        }
        match (cmd, ev.shift_key(), key.to_ascii_lowercase().as_str()) {
            (true, false, "z") => ui.undo(),
            (true, true, "z") | (true, false, "y") => ui.redo(),
            (true, _, "d") => ui.duplicate_cards(&ui.acted_on()),
            (true, _, "a") => {
                let all = ui
                    .read(|b| b.cards.keys().copied().collect())
                    .unwrap_or_default();
                ui.selection.set(all);
            }
            (false, _, "delete" | "backspace")
                if !ui.selection.with_untracked(|s| s.is_empty()) =>
            {
                ui.delete_cards(&ui.acted_on())
            }
            (false, _, "escape") => {
                ui.selection.set(BTreeSet::new());
                return;
            }
            _ => return,
        }
        ev.prevent_default();
    });
    let keys_up = window_event_listener(ev::keyup, move |ev| {
        if ev.key() == " " {
            ui.panning.set(false);
        }
    });
    let copy = window_event_listener(ev::copy, move |ev| {
        if !in_field(ev.target()) && ui.copy(&ev) {
            ev.prevent_default();
        }
    });
    let cut = window_event_listener(ev::cut, move |ev| {
        if !in_field(ev.target()) && ui.copy(&ev) {
            ev.prevent_default();
            ui.delete_cards(&ui.acted_on());
        }
    });
    let paste = window_event_listener(ev::paste, move |ev| {
        if !in_field(ev.target()) && ui.paste(&ev) {
            ev.prevent_default();
        }
    });
    on_cleanup(move || {
        keys.remove();
        keys_up.remove();
        copy.remove();
        cut.remove();
        paste.remove();
    });
}

/// Arrow keys on a focused card: up/down within the cell and on to the
/// lanes above and below, left/right to the same place in the next stage.
/// An empty cell takes focus on its "+" button (Enter adds a card there).
pub fn navigate(ui: Ui, from: CardId, key: &str) -> bool {
    let Some(Some((stage, lane, index))) = ui.read(|b| {
        let c = b.cards.get(&from)?;
        let (stages, lanes) = cell_axes(ui, b);
        let si = stages.iter().position(|s| *s == c.stage_id)?;
        let li = lanes.iter().position(|l| *l == c.lane_id)?;
        let cell = b.cards_in_cell(c.stage_id, c.lane_id);
        let ci = cell.iter().position(|x| x.id == from)?;
        let len = |s: StageId, l: LaneId| b.cards_in_cell(s, l).len();
        Some(match key {
            "ArrowUp" if ci > 0 => (c.stage_id, c.lane_id, ci - 1),
            "ArrowUp" => {
                let l = lanes[li.checked_sub(1)?];
                (c.stage_id, l, len(c.stage_id, l).saturating_sub(1))
            }
            "ArrowDown" if ci + 1 < cell.len() => (c.stage_id, c.lane_id, ci + 1),
            "ArrowDown" => (c.stage_id, *lanes.get(li + 1)?, 0),
            "ArrowLeft" => (stages[si.checked_sub(1)?], c.lane_id, ci),
            _ => (*stages.get(si + 1)?, c.lane_id, ci),
        })
    }) else {
        return false;
    };
    go_to(ui, stage, lane, index);
    true
}

/// The stages in order and the lanes with cells (not the emotion lane,
/// not a collapsed one), for moving between cells.
fn cell_axes(ui: Ui, b: &Board) -> (Vec<StageId>, Vec<LaneId>) {
    let stages = b.stages_in_order().iter().map(|s| s.id).collect();
    let collapsed = ui.collapsed.get_untracked();
    let lanes = b
        .lanes_in_order()
        .iter()
        .filter(|l| l.kind != LaneKind::Emotions && !collapsed.contains(&l.id))
        .map(|l| l.id)
        .collect();
    (stages, lanes)
}

/// Focuses card `index` of a cell (its last if there are fewer), or the
/// cell's "+" when it is empty.
fn go_to(ui: Ui, stage: StageId, lane: LaneId, index: usize) {
    let target = ui
        .read(|b| {
            let cell = b.cards_in_cell(stage, lane);
            cell.get(index.min(cell.len().saturating_sub(1)))
                .map(|c| c.id)
        })
        .flatten();
    match target {
        Some(id) => drag::focus_card(id),
        None => focus_add_card(ui, stage, lane),
    }
}

/// Focuses a cell's "+" button (Enter adds a card there).
pub fn focus_add_card(ui: Ui, stage: StageId, lane: LaneId) {
    let sel =
        format!("[data-cell][data-stage=\"{stage}\"][data-lane=\"{lane}\"] [data-testid=add-card]");
    if let Ok(Some(el)) = document().query_selector(&sel)
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
        ui.target_cell.set(Some((stage, lane)));
    }
}

/// Arrow keys on a cell's "+" (an empty cell's only stop): on to the
/// neighbouring cell, so that the arrows pass through empty cells. Up from
/// a cell with cards goes to its last card.
pub fn navigate_from_cell(ui: Ui, stage: StageId, lane: LaneId, key: &str) -> bool {
    let Some(Some((stage, lane, index))) = ui.read(|b| {
        let (stages, lanes) = cell_axes(ui, b);
        let si = stages.iter().position(|s| *s == stage)?;
        let li = lanes.iter().position(|l| *l == lane)?;
        let len = |s: StageId, l: LaneId| b.cards_in_cell(s, l).len();
        Some(match key {
            "ArrowUp" if len(stage, lane) > 0 => (stage, lane, len(stage, lane) - 1),
            "ArrowUp" => {
                let l = lanes[li.checked_sub(1)?];
                (stage, l, len(stage, l).saturating_sub(1))
            }
            "ArrowDown" => (stage, *lanes.get(li + 1)?, 0),
            "ArrowLeft" => (stages[si.checked_sub(1)?], lane, 0),
            "ArrowRight" => (*stages.get(si + 1)?, lane, 0),
            _ => return None,
        })
    }) else {
        return false;
    };
    go_to(ui, stage, lane, index);
    true
}

/// The size of one CSS pixel of `el` on screen (the board zoom).
pub fn scale_of(el: &web_sys::Element) -> f64 {
    let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() else {
        return 1.0;
    };
    let w = f64::from(h.offset_width());
    if w > 0.0 {
        el.get_bounding_client_rect().width() / w
    } else {
        1.0
    }
}

/// Ctrl/Cmd + wheel zooms around the pointer; a plain wheel scrolls.
pub fn on_wheel(ui: Ui, ev: &web_sys::WheelEvent) {
    if !(ev.ctrl_key() || ev.meta_key()) {
        return;
    }
    ev.prevent_default();
    let Some(scroller) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let z0 = ui.zoom.get_untracked();
    ui.set_zoom(z0 * (-ev.delta_y() / 400.0).exp());
    let z1 = ui.zoom.get_untracked();
    let r = scroller.get_bounding_client_rect();
    let px = f64::from(ev.client_x()) - r.left();
    let py = f64::from(ev.client_y()) - r.top();
    let (sl, st) = (
        f64::from(scroller.scroll_left()),
        f64::from(scroller.scroll_top()),
    );
    request_animation_frame(move || {
        scroller.set_scroll_left(((sl + px) * z1 / z0 - px) as i32);
        scroller.set_scroll_top(((st + py) * z1 / z0 - py) as i32);
    });
}

/// The lowest zoom "Fit" goes to: below it card text is unreadable, so a
/// longer map is scrolled instead.
pub const FIT_MIN_ZOOM: f64 = 0.6;

/// The zoom at which the board's width fits the visible area, between
/// `FIT_MIN_ZOOM` and 1 (a tall map scrolls down; one narrower than the
/// screen is centred by its auto margins, see `.grid` in style.css).
/// Columns have fixed widths, so the width scales with the zoom; the fit is
/// still measured again after the step in case a scrollbar came or went.
pub fn fit_zoom(ui: Ui) {
    fit_step(ui, 0);
}

fn fit_step(ui: Ui, attempt: u32) {
    let (Ok(Some(scroller)), Ok(Some(grid))) = (
        document().query_selector(".board-scroll"),
        document().query_selector(".grid"),
    ) else {
        return;
    };
    let z = ui.zoom.get_untracked();
    let r = grid.get_bounding_client_rect();
    let w = r.width() / z;
    if w <= 0.0 {
        return;
    }
    let cw = f64::from(scroller.client_width());
    // Whole percents, rounded down so that the result fits.
    let fit = ((cw / w).min(1.0) * 100.0).floor() / 100.0;
    let next = fit.max(FIT_MIN_ZOOM);
    scroller.set_scroll_left(0);
    scroller.set_scroll_top(0);
    if attempt > 0 && (next - z).abs() < 0.005 {
        return;
    }
    ui.set_zoom(next);
    if attempt < 3 {
        request_animation_frame(move || fit_step(ui, attempt + 1));
    }
}

/// A press on the board's background: a rubber band that selects the
/// cards it touches, or (Space held, or the middle button) a pan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gesture {
    Band {
        start: (f64, f64),
        pos: (f64, f64),
        active: bool,
        additive: bool,
    },
    Pan {
        start: (f64, f64),
        scroll: (i32, i32),
    },
}

impl Gesture {
    /// The band's rectangle on screen: (left, top, width, height).
    pub fn rect(&self) -> Option<(f64, f64, f64, f64)> {
        match *self {
            Gesture::Band {
                start,
                pos,
                active: true,
                ..
            } => Some((
                start.0.min(pos.0),
                start.1.min(pos.1),
                (start.0 - pos.0).abs(),
                (start.1 - pos.1).abs(),
            )),
            _ => None,
        }
    }
}

/// Presses on these never start a band.
fn is_interactive(el: &web_sys::Element) -> bool {
    el.closest(
        "[data-card], button, input, textarea, select, a, .emo-plot, .emo-legend, \
         [data-stage-header], [data-lane-header], .menu, .kind-picker, .palette",
    )
    .ok()
    .flatten()
    .is_some()
}

pub fn background_pointer_down(ui: Ui, ev: &web_sys::PointerEvent) {
    let p = (f64::from(ev.client_x()), f64::from(ev.client_y()));
    let Some(scroller) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    if ui.panning.get_untracked() || ev.button() == 1 {
        ev.prevent_default();
        let _ = scroller.set_pointer_capture(ev.pointer_id());
        ui.gesture.set(Some(Gesture::Pan {
            start: p,
            scroll: (scroller.scroll_left(), scroller.scroll_top()),
        }));
        return;
    }
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    if ev.button() != 0 || is_interactive(&target) {
        return;
    }
    // Remember the cell for pastes.
    if let Ok(Some(cell)) = target.closest("[data-cell]")
        && let (Some(s), Some(l)) = (
            cell.get_attribute("data-stage"),
            cell.get_attribute("data-lane"),
        )
        && let (Ok(s), Ok(l)) = (s.parse(), l.parse())
    {
        ui.target_cell.set(Some((s, l)));
    }
    ui.gesture.set(Some(Gesture::Band {
        start: p,
        pos: p,
        active: false,
        additive: ev.shift_key() || ev.ctrl_key() || ev.meta_key(),
    }));
}

pub fn background_pointer_move(ui: Ui, ev: &web_sys::PointerEvent) {
    let Some(g) = ui.gesture.get_untracked() else {
        return;
    };
    if ev.buttons() == 0 {
        ui.gesture.set(None);
        return;
    }
    let p = (f64::from(ev.client_x()), f64::from(ev.client_y()));
    match g {
        Gesture::Pan { start, scroll } => {
            if let Some(el) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                el.set_scroll_left(scroll.0 - (p.0 - start.0) as i32);
                el.set_scroll_top(scroll.1 - (p.1 - start.1) as i32);
            }
        }
        Gesture::Band {
            start,
            active,
            additive,
            ..
        } => {
            let active = active || (p.0 - start.0).hypot(p.1 - start.1) > 5.0;
            if active
                && let Some(el) = ev
                    .current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.set_pointer_capture(ev.pointer_id());
            }
            ui.gesture.set(Some(Gesture::Band {
                start,
                pos: p,
                active,
                additive,
            }));
        }
    }
}

pub fn background_pointer_up(ui: Ui, _ev: &web_sys::PointerEvent) {
    let Some(g) = ui.gesture.get_untracked() else {
        return;
    };
    ui.gesture.set(None);
    let Gesture::Band { additive, .. } = g else {
        return;
    };
    let Some((x, y, w, h)) = g.rect() else {
        // A plain click on the background ends the selection.
        if !additive {
            ui.selection.set(BTreeSet::new());
        }
        return;
    };
    let mut picked = if additive {
        ui.selection.get_untracked()
    } else {
        BTreeSet::new()
    };
    if let Ok(cards) = document().query_selector_all("[data-card]") {
        for i in 0..cards.length() {
            let Some(el) = cards
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let r = el.get_bounding_client_rect();
            let hit = r.left() < x + w && r.right() > x && r.top() < y + h && r.bottom() > y;
            if hit && let Some(id) = el.get_attribute("data-card").and_then(|s| s.parse().ok()) {
                picked.insert(id);
            }
        }
    }
    ui.selection.set(picked);
}
