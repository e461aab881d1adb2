//! "Changes since my last visit": this browser remembers, per board, the
//! board's seq when the person last had it open (`cjm.lastSeen.<id>`),
//! written when the page is left or hidden and every half minute while
//! it is shown, never at load (a reload must not forget what was missed).
//!
//! On opening, once the server's welcome says where the board is now, and
//! only if it moved on: one feed page (`activity?limit=200`) tells whether
//! other people made batches since. The feed does not name cards, so the
//! cards to highlight come from the board snapshot `connection.rs` cached
//! on the last visit (its raw text is taken before the welcome replaces
//! it, and parsed only when there is something to show), compared with
//! the board now: cards added or changed since get `since-visit`, a glow
//! that fades by CSS. A toast counts the others' batches and opens the
//! activity panel. None of this runs before the board's first render.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use cjm_core::api::ActivityPage;
use cjm_core::{Card, CardId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use super::Ui;
use crate::browser;
use crate::connection::{Status, snapshot_key};
use crate::i18n::{T, use_i18n};

/// How often the seen seq is written while the board is shown.
const SAVE_EVERY: Duration = Duration::from_secs(30);
/// The glow is over by then (8 s in CSS); the class goes, so a card
/// re-rendered later does not glow again.
const HIGHLIGHT_FOR: Duration = Duration::from_secs(10);
const TOAST_FOR: Duration = Duration::from_secs(30);

/// What the page shares: the cards changed since the last visit (read by
/// `card.rs`) and the number of others' batches for the toast.
#[derive(Clone, Copy)]
pub struct SinceVisit {
    cards: RwSignal<Option<Arc<HashSet<CardId>>>>,
    count: RwSignal<Option<usize>>,
}

fn key(ui: &Ui) -> String {
    format!("cjm.lastSeen.{}", ui.board_id)
}

/// Only the cards of the cached snapshot (the rest is skipped).
#[derive(Deserialize)]
struct Cached {
    board: CachedBoard,
}

#[derive(Deserialize)]
struct CachedBoard {
    #[serde(default)]
    cards: BTreeMap<CardId, Card>,
}

pub fn provide_since_visit(ui: Ui) -> SinceVisit {
    let sv = SinceVisit {
        cards: RwSignal::new(None),
        count: RwSignal::new(None),
    };
    provide_context(sv);
    let last_seen: Option<u64> = browser::storage_get(&key(&ui)).and_then(|s| s.parse().ok());
    // Read now: the welcome overwrites it with the board as it is.
    let cached = StoredValue::new_local(
        last_seen.and_then(|_| browser::storage_get(&snapshot_key(ui.board_id))),
    );

    let save = move || {
        // Before the welcome, the seq is the cached one: nothing new seen.
        if ui.conn.welcomed()
            && let Some(seq) = ui.conn.seq()
        {
            browser::storage_set(&key(&ui), &seq.to_string());
        }
    };
    let on_hide = window_event_listener_untyped("pagehide", move |_| save());
    // The document's visibilitychange bubbles up to the window.
    let on_hidden = window_event_listener_untyped("visibilitychange", move |_| {
        if document().hidden() {
            save();
        }
    });
    let timer = set_interval_with_handle(
        move || {
            if !document().hidden() {
                save();
            }
        },
        SAVE_EVERY,
    )
    .ok();
    on_cleanup(move || {
        // Leaving for another page of the app.
        save();
        on_hide.remove();
        on_hidden.remove();
        if let Some(t) = timer {
            t.clear();
        }
    });

    let checked = StoredValue::new(false);
    Effect::new(move |_| {
        if checked.get_value() || ui.conn.status.get() != Status::Online || !ui.conn.welcomed() {
            return;
        }
        checked.set_value(true);
        let (Some(last), Some(now)) = (last_seen, ui.conn.seq()) else {
            return;
        };
        if now <= last {
            cached.set_value(None);
            return;
        }
        let me = ui.conn.actor.get_untracked().map(|a| a.to_string());
        let url = format!("/api/boards/{}/activity?limit=200", ui.board_id);
        spawn_local(async move {
            let Ok(page) = browser::fetch_json::<ActivityPage>("GET", &url, None).await else {
                return;
            };
            let items = page.items;
            let others = items
                .iter()
                .filter(|i| i.seq > last && Some(&i.actor) != me.as_ref())
                .count();
            let raw = cached.try_update_value(Option::take).flatten();
            if others == 0 {
                return;
            }
            let changed = raw
                .and_then(|raw| serde_json::from_str::<Cached>(&raw).ok())
                .and_then(|old| {
                    ui.conn.board.try_with_untracked(|b| {
                        b.iter()
                            .flat_map(|b| b.cards.values())
                            .filter(|c| old.board.cards.get(&c.id) != Some(c))
                            .map(|c| c.id)
                            .collect::<HashSet<_>>()
                    })
                });
            if let Some(cards) = changed.filter(|c| !c.is_empty()) {
                sv.cards.try_set(Some(Arc::new(cards)));
                set_timeout(
                    move || {
                        sv.cards.try_set(None);
                    },
                    HIGHLIGHT_FOR,
                );
            }
            sv.count.try_set(Some(others));
            set_timeout(
                move || {
                    sv.count.try_set(None);
                },
                TOAST_FOR,
            );
        });
    });
    sv
}

/// Whether a card changed since the last visit (for `card.rs`).
pub fn card_changed(id: CardId) -> Memo<bool> {
    let sv = expect_context::<SinceVisit>();
    Memo::new(move |_| {
        sv.cards
            .with(|c| c.as_ref().is_some_and(|c| c.contains(&id)))
    })
}

/// "3 changes since your last visit — see History".
#[component]
pub fn SinceVisitToast() -> impl IntoView {
    let ui = super::use_ui();
    let i18n = use_i18n();
    let sv = expect_context::<SinceVisit>();
    let text = move |n: usize| {
        if n == 1 {
            i18n.t(T::SinceVisitOne).to_string()
        } else {
            i18n.t(T::SinceVisitMany).replace("{n}", &n.to_string())
        }
    };
    move || {
        sv.count.get().map(|n| {
            view! {
                <div class="toast since-visit-toast" role="status" data-testid="since-visit-toast">
                    <span>{move || text(n)}" — "</span>
                    <button type="button" class="toast-action" data-testid="since-visit-history"
                        on:click=move |_| {
                            sv.count.set(None);
                            ui.open_activity();
                        }>
                        {move || i18n.t(T::SinceVisitSee)}
                    </button>
                    <button class="icon" aria-label=move || i18n.t(T::Close)
                        on:click=move |_| sv.count.set(None)>"×"</button>
                </div>
            }
        })
    }
}
