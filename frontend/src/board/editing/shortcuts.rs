//! The board's keyboard shortcuts and the clipboard, and when Space pans.

use super::*;

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
