//! Editing comfort: undo/redo of one's own changes (here), what a
//! selection can do (`card_actions`), the board's shortcuts (`shortcuts`),
//! keyboard navigation between cells (`keyboard_nav`), zoom and fit
//! (`zoom`), and the rubber band and pan on the background (`rubber_band`).
//! Everything still goes through ops, so it is live for everyone.

mod card_actions;
mod keyboard_nav;
mod rubber_band;
mod shortcuts;
mod zoom;

pub use keyboard_nav::*;
pub use rubber_band::*;
pub use shortcuts::*;
pub use zoom::*;

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
}
