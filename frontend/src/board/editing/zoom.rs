//! Zoom: steps, the wheel, and fitting the map to the window.

use super::*;

impl Ui {
    pub fn set_zoom(&self, z: f64) {
        self.zoom.set(
            (z * 100.0)
                .round()
                .clamp(MIN_ZOOM * 100.0, MAX_ZOOM * 100.0)
                / 100.0,
        );
    }
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
