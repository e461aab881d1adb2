//! Gestures on the board's background: the rubber band that selects
//! cards, and panning.

use super::*;

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
