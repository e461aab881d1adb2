//! Drag and drop with Pointer Events (mouse, pen and touch alike), plus the
//! keyboard equivalents. A drag starts after the pointer moves a few pixels,
//! so a click stays a click. The drop position is found from the pointer
//! with `elementFromPoint` and the cards' boxes, and becomes a `move_*` op
//! with an order key between the new neighbours.

use cjm_core::{Board, CardId, LaneId, Op, OrderKey, StageId};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, PointerEvent};

use super::{Menu, Ui, use_ui};

/// Pixels the pointer must travel before a press becomes a drag.
const DRAG_THRESHOLD: f64 = 4.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CardTarget {
    pub stage: StageId,
    pub lane: LaneId,
    /// Position among the cell's other cards.
    pub index: usize,
    /// Where to draw the drop line, from the cell's top.
    pub line_y: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardDrag {
    pub id: CardId,
    pub start: (f64, f64),
    pub pos: (f64, f64),
    /// Pointer position inside the card when grabbed.
    pub grab: (f64, f64),
    pub size: (f64, f64),
    pub active: bool,
    pub target: Option<CardTarget>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeaderDrag {
    pub which: Menu,
    pub start: (f64, f64),
    pub pos: (f64, f64),
    pub active: bool,
    pub index: Option<usize>,
    /// The insertion marker, in viewport coordinates (x, y, w, h).
    pub marker: Option<(f64, f64, f64, f64)>,
}

#[derive(Clone, Copy)]
pub struct DragState {
    /// Changes on every pointer move: read it only where the pointer
    /// position matters (the ghost, the drop line, presence).
    pub card: RwSignal<Option<CardDrag>>,
    pub header: RwSignal<Option<HeaderDrag>>,
    /// The card being dragged; changes only when a drag starts or ends, so
    /// that 2,000 cards do not re-check themselves on every move.
    pub dragged: Memo<Option<CardId>>,
    /// The cell under the dragged card; changes only when crossing cells.
    pub drop_cell: Memo<Option<(StageId, LaneId)>>,
}

impl DragState {
    pub fn new() -> Self {
        let card = RwSignal::new(None::<CardDrag>);
        Self {
            card,
            header: RwSignal::new(None),
            dragged: Memo::new(move |_| {
                card.with(|d| d.as_ref().filter(|d| d.active).map(|d| d.id))
            }),
            drop_cell: Memo::new(move |_| {
                card.with(|d| d.as_ref().and_then(|d| d.target).map(|t| (t.stage, t.lane)))
            }),
        }
    }
}

fn element(ev: &PointerEvent) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()
}

/// Presses on buttons, fields and menus are not drags.
fn is_control(el: &Element) -> bool {
    el.closest("button, textarea, input, select, .palette, .menu")
        .ok()
        .flatten()
        .is_some()
}

pub fn card_pointer_down(ui: Ui, id: CardId, ev: &PointerEvent) {
    if ev.button() != 0
        || ui.editing.get_untracked() == Some(id)
        || ui.panning.get_untracked()
        || !ui.can_edit.get_untracked()
    {
        return;
    }
    let Some(el) = element(ev) else { return };
    if is_control(&el) {
        return;
    }
    let Some(card) = el.closest("[data-card]").ok().flatten() else {
        return;
    };
    let rect = card.get_bounding_client_rect();
    let p = (ev.client_x() as f64, ev.client_y() as f64);
    ui.drag.card.set(Some(CardDrag {
        id,
        start: p,
        pos: p,
        grab: (p.0 - rect.left(), p.1 - rect.top()),
        size: (rect.width(), rect.height()),
        active: false,
        target: None,
    }));
}

/// Captures the pointer once a press becomes a drag (not before: a capture
/// retargets the clicks and double-clicks of a plain press).
fn capture(ev: &PointerEvent) {
    if let Some(el) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<Element>().ok())
    {
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
}

/// False (and the press forgotten) when no press is tracked or the button
/// was released outside the element before a drag began.
fn still_pressed<T: Send + Sync + 'static>(state: RwSignal<Option<T>>, ev: &PointerEvent) -> bool {
    if state.with_untracked(|d| d.is_none()) {
        return false;
    }
    if ev.buttons() == 0 {
        state.set(None);
        return false;
    }
    true
}

/// Follows the pointer; true once the press has become a drag.
fn follow(
    ui: Ui,
    ev: &PointerEvent,
    start: (f64, f64),
    pos: &mut (f64, f64),
    active: &mut bool,
) -> bool {
    let p = (ev.client_x() as f64, ev.client_y() as f64);
    *pos = p;
    if !*active && (p.0 - start.0).hypot(p.1 - start.1) > DRAG_THRESHOLD {
        *active = true;
        capture(ev);
        ui.menu.set(None);
    }
    *active
}

pub fn card_pointer_move(ui: Ui, ev: &PointerEvent) {
    if !still_pressed(ui.drag.card, ev) {
        return;
    }
    ui.drag.card.update(|d| {
        if let Some(d) = d
            && follow(ui, ev, d.start, &mut d.pos, &mut d.active)
        {
            d.target = card_target_at(d.pos);
        }
    });
    autoscroll((ev.client_x() as f64, ev.client_y() as f64));
}

pub fn card_pointer_up(ui: Ui, ev: &PointerEvent) {
    let Some(drag) = ui.drag.card.get_untracked() else {
        return;
    };
    ui.drag.card.set(None);
    if let Some(el) = element(ev) {
        let _ = el.release_pointer_capture(ev.pointer_id());
    }
    if !drag.active {
        return;
    }
    if let Some(t) = card_target_at((ev.client_x() as f64, ev.client_y() as f64)).or(drag.target) {
        // Dragging one card of a selection moves the whole selection.
        let group = ui
            .selection
            .with_untracked(|s| s.len() > 1 && s.contains(&drag.id));
        if group {
            ui.move_cards(&ui.acted_on(), t.stage, t.lane, t.index);
        } else {
            move_card(ui, drag.id, t.stage, t.lane, t.index);
        }
    }
}

/// The cell under the pointer and the insertion index among its cards.
fn card_target_at((x, y): (f64, f64)) -> Option<CardTarget> {
    let hit = document().element_from_point(x as f32, y as f32)?;
    let cell = hit.closest("[data-cell]").ok()??;
    let stage = cell.get_attribute("data-stage")?.parse().ok()?;
    let lane = cell.get_attribute("data-lane")?.parse().ok()?;
    let top = cell.get_bounding_client_rect().top();
    // Screen pixels to the cell's own (zoomed) pixels.
    let scale = super::editing::scale_of(&cell);
    let cards = cell.query_selector_all(".card:not(.dragging)").ok()?;
    let mut index = 0;
    let mut line_y = 8.0;
    for i in 0..cards.length() {
        let Some(card) = cards.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let r = card.get_bounding_client_rect();
        if y > r.top() + r.height() / 2.0 {
            index += 1;
            line_y = (r.bottom() - top) / scale + 4.0;
        } else {
            line_y = (r.top() - top) / scale - 5.0;
            break;
        }
    }
    Some(CardTarget {
        stage,
        lane,
        index,
        line_y,
    })
}

/// Scrolls the board when a drag nears its edge.
fn autoscroll((x, y): (f64, f64)) {
    let Some(scroller) = document().query_selector(".board-scroll").ok().flatten() else {
        return;
    };
    let r = scroller.get_bounding_client_rect();
    let edge = 48.0;
    let dx = if x < r.left() + edge {
        -16
    } else if x > r.right() - edge {
        16
    } else {
        0
    };
    let dy = if y < r.top() + edge {
        -16
    } else if y > r.bottom() - edge {
        16
    } else {
        0
    };
    if dx != 0 || dy != 0 {
        scroller.scroll_by_with_x_and_y(dx as f64, dy as f64);
    }
}

/// The order key that puts `moving` at position `index` of `list` (an
/// ordered list that may or may not contain it, counted without it), or
/// `None` when it is already there.
fn order_for<T: PartialEq + Copy>(
    list: &[(T, &OrderKey)],
    moving: T,
    index: usize,
) -> Option<OrderKey> {
    if list.iter().position(|(id, _)| *id == moving) == Some(index) {
        return None;
    }
    let others: Vec<&OrderKey> = list
        .iter()
        .filter(|(id, _)| *id != moving)
        .map(|(_, k)| *k)
        .collect();
    let index = index.min(others.len());
    let before = index.checked_sub(1).map(|i| others[i]);
    Some(OrderKey::between(before, others.get(index).copied()))
}

/// Moves a card to position `index` of a cell (among the other cards).
pub fn move_card(ui: Ui, id: CardId, stage: StageId, lane: LaneId, index: usize) {
    let op = ui.conn.board.with_untracked(|b| {
        let b = b.as_ref()?;
        b.cards.get(&id)?;
        let cell: Vec<_> = b
            .cards_in_cell(stage, lane)
            .iter()
            .map(|c| (c.id, &c.order))
            .collect();
        Some(Op::MoveCard {
            id,
            stage_id: stage,
            lane_id: lane,
            order: order_for(&cell, id, index)?,
        })
    });
    if let Some(op) = op {
        ui.submit(vec![op]);
    }
}

/// Alt+arrows: left/right to the end of the neighbouring stage's cell
/// (`usize::MAX`: `order_for` clamps to the end), up/down within the cell.
pub fn move_card_by_key(ui: Ui, id: CardId, key: &str) {
    let plan = ui.conn.board.with_untracked(|b| {
        let b: &Board = b.as_ref()?;
        let card = b.cards.get(&id)?;
        let stages = b.stages_in_order();
        let si = stages.iter().position(|s| s.id == card.stage_id)?;
        let cell = b.cards_in_cell(card.stage_id, card.lane_id);
        let ci = cell.iter().position(|c| c.id == id)?;
        match key {
            "ArrowLeft" => stages
                .get(si.checked_sub(1)?)
                .map(|s| (s.id, card.lane_id, usize::MAX)),
            "ArrowRight" => stages.get(si + 1).map(|s| (s.id, card.lane_id, usize::MAX)),
            "ArrowUp" => ci.checked_sub(1).map(|i| (card.stage_id, card.lane_id, i)),
            _ => (ci + 1 < cell.len()).then_some((card.stage_id, card.lane_id, ci + 1)),
        }
    });
    if let Some((stage, lane, index)) = plan {
        move_card(ui, id, stage, lane, index);
    }
}

pub fn focus_card(id: CardId) {
    if let Ok(Some(el)) = document().query_selector(&format!("[data-card=\"{id}\"]"))
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}

// ---- stage and lane headers -------------------------------------------

fn header_selector(which: Menu) -> &'static str {
    match which {
        Menu::Lane(_) => "[data-lane-header]",
        _ => "[data-stage-header]",
    }
}

pub fn header_pointer_down(ui: Ui, which: Menu, ev: &PointerEvent) {
    if ev.button() != 0
        || ui.renaming.get_untracked() == Some(which)
        || !ui.can_edit.get_untracked()
    {
        return;
    }
    let Some(el) = element(ev) else { return };
    if is_control(&el) {
        return;
    }
    let p = (ev.client_x() as f64, ev.client_y() as f64);
    ui.drag.header.set(Some(HeaderDrag {
        which,
        start: p,
        pos: p,
        active: false,
        index: None,
        marker: None,
    }));
}

pub fn header_pointer_move(ui: Ui, ev: &PointerEvent) {
    if !still_pressed(ui.drag.header, ev) {
        return;
    }
    ui.drag.header.update(|d| {
        if let Some(d) = d
            && follow(ui, ev, d.start, &mut d.pos, &mut d.active)
            && let Some((index, marker)) = header_target(d.which, d.pos)
        {
            d.index = Some(index);
            d.marker = Some(marker);
        }
    });
    autoscroll((ev.client_x() as f64, ev.client_y() as f64));
}

pub fn header_pointer_up(ui: Ui, ev: &PointerEvent) {
    let Some(drag) = ui.drag.header.get_untracked() else {
        return;
    };
    ui.drag.header.set(None);
    if let Some(el) = element(ev) {
        let _ = el.release_pointer_capture(ev.pointer_id());
    }
    if let (true, Some(index)) = (drag.active, drag.index) {
        move_header(ui, drag.which, index);
    }
}

/// Insertion index among the other headers, and where to draw the marker.
fn header_target(which: Menu, (x, y): (f64, f64)) -> Option<(usize, (f64, f64, f64, f64))> {
    let nodes = document().query_selector_all(header_selector(which)).ok()?;
    let dragged = match which {
        Menu::Stage(id) => id.to_string(),
        Menu::Lane(id) => id.to_string(),
        Menu::CardColor(_) => return None,
    };
    let horizontal = matches!(which, Menu::Stage(_));
    let mut index = 0;
    let mut marker = None;
    let mut last = None;
    for i in 0..nodes.length() {
        let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if el.get_attribute("data-id").as_deref() == Some(dragged.as_str()) {
            continue;
        }
        let r = el.get_bounding_client_rect();
        let past = if horizontal {
            x > r.left() + r.width() / 2.0
        } else {
            y > r.top() + r.height() / 2.0
        };
        if past {
            index += 1;
            last = Some(r);
        } else {
            marker = Some(if horizontal {
                (r.left() - 3.0, r.top(), 4.0, r.height())
            } else {
                (r.left(), r.top() - 3.0, r.width(), 4.0)
            });
            break;
        }
    }
    let marker = marker.or_else(|| {
        last.map(|r| {
            if horizontal {
                (r.right() - 1.0, r.top(), 4.0, r.height())
            } else {
                (r.left(), r.bottom() - 1.0, r.width(), 4.0)
            }
        })
    })?;
    Some((index, marker))
}

/// Moves a stage or lane to position `index` among the others.
pub fn move_header(ui: Ui, which: Menu, index: usize) {
    let op = ui.conn.board.with_untracked(|b| {
        let b = b.as_ref()?;
        match which {
            Menu::Stage(id) => {
                let all: Vec<_> = b
                    .stages_in_order()
                    .iter()
                    .map(|s| (s.id, &s.order))
                    .collect();
                Some(Op::MoveStage {
                    id,
                    order: order_for(&all, id, index)?,
                })
            }
            Menu::Lane(id) => {
                let all: Vec<_> = b
                    .lanes_in_order()
                    .iter()
                    .map(|l| (l.id, &l.order))
                    .collect();
                Some(Op::MoveLane {
                    id,
                    order: order_for(&all, id, index)?,
                })
            }
            Menu::CardColor(_) => None,
        }
    });
    if let Some(op) = op {
        ui.submit(vec![op]);
    }
}

/// What follows the pointer during a drag: the card itself, or the
/// insertion marker for a stage or lane.
#[component]
pub fn Ghost() -> impl IntoView {
    let ui = use_ui();
    let card = move || {
        let d = ui.drag.card.get().filter(|d| d.active)?;
        let (text, color) = ui.conn.board.with_untracked(|b| {
            b.as_ref()
                .and_then(|b| b.cards.get(&d.id))
                .map(|c| (c.text.clone(), c.color.as_str()))
        })?;
        Some(view! {
            <div
                class=format!("card ghost color-{color}")
                data-testid="drag-ghost"
                style:left=format!("{}px", d.pos.0 - d.grab.0)
                style:top=format!("{}px", d.pos.1 - d.grab.1)
                style:width=format!("{}px", d.size.0)
            >
                <p class="card-text">{text}</p>
            </div>
        })
    };
    let marker = move || {
        let d = ui.drag.header.get().filter(|d| d.active)?;
        let (x, y, w, h) = d.marker?;
        Some(view! {
            <div class="header-marker" style:left=format!("{x}px") style:top=format!("{y}px")
                style:width=format!("{w}px") style:height=format!("{h}px")></div>
        })
    };
    view! { {card} {marker} }
}
