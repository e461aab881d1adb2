//! What the browser's own print (Ctrl+P, or Print… in the export dialog)
//! needs from the page; the rest is the `@media print` part of style.css.
//!
//! A printed page cannot scroll sideways, and Chromium cuts off whatever
//! is wider than the paper, so the grid is scaled down to the paper's
//! width. The scale depends only on the number of stages (stages and the
//! lane column have fixed widths), so it is kept in a CSS variable as the
//! board changes rather than measured when printing starts: it is right
//! for Ctrl+P, for `window.print()` and for an emulated print medium alike.

use leptos::prelude::*;

use super::Ui;

/// CSS pixels across a landscape page with 10 mm margins: Letter's
/// (279 − 20 mm), the narrower of Letter and A4.
const PAGE_WIDTH: f64 = 975.0;
/// The lane column and one stage column (`--lane-w`, `--stage-w` in
/// style.css at print widths).
const LANE_W: f64 = 188.0;
const STAGE_W: f64 = 252.0;

/// The page's style attribute: the print scale of the grid (a memo, so
/// that edits which keep the stages leave the attribute alone).
pub fn page_style(ui: Ui) -> Memo<String> {
    Memo::new(move |_| {
        let stages = ui
            .conn
            .board
            .with(|b| b.as_ref().map_or(0, |b| b.stages.len()));
        let width = LANE_W + STAGE_W * stages as f64;
        let zoom = (PAGE_WIDTH / width).min(1.0);
        format!("--print-zoom: {zoom:.3}")
    })
}

/// The board's title above the printed map (the top bar is not printed).
#[component]
pub fn PrintTitle() -> impl IntoView {
    let ui = super::use_ui();
    view! {
        <h1 class="print-title" aria-hidden="true">
            {move || ui.conn.board.with(|b| b.as_ref().map(|b| b.title.clone()).unwrap_or_default())}
        </h1>
    }
}
