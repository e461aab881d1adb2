//! Presence: who is here (avatars), where their pointers are (cursors),
//! what they select or edit (marks on cards), and the ghost of a card they
//! drag. All of it is ephemeral and comes from `Connection::peers`.

use cjm_core::CardId;
use cjm_core::protocol::{DragGhost, Point, Presence};
use leptos::prelude::*;

use super::{Ui, use_ui};
use crate::browser;
use crate::i18n::{T, use_i18n};

/// A viewport point in board content coordinates (relative to the grid), so
/// that peers scrolled differently see the same spot.
pub fn grid_point(x: f64, y: f64) -> Option<Point> {
    let grid = document().query_selector(".grid").ok()??;
    let r = grid.get_bounding_client_rect();
    // Unzoomed, so that peers at another zoom see the same spot.
    let scale = super::editing::scale_of(&grid);
    Some(Point {
        x: ((x - r.left()) / scale).round() as i32,
        y: ((y - r.top()) / scale).round() as i32,
    })
}

/// Sends this user's presence whenever any part of it changes.
pub fn share_presence(ui: Ui) {
    let follow = super::follow::use_follow();
    Effect::new(move |_| {
        let dragging = ui.drag.card.with(|d| {
            let d = d.as_ref().filter(|d| d.active)?;
            let at = grid_point(d.pos.0 - d.grab.0, d.pos.1 - d.grab.1)?;
            Some(DragGhost { card: d.id, at })
        });
        let presence = Presence {
            cursor: ui.cursor.get(),
            selection: {
                let mut s: Vec<CardId> =
                    ui.selection.with(|s| s.iter().copied().take(100).collect());
                if let Some(id) = ui.selected.get()
                    && !s.contains(&id)
                {
                    s.push(id);
                }
                s
            },
            editing: ui.editing.get(),
            dragging,
            view: follow.view.get(),
            lead: follow.lead(),
        };
        ui.conn.send_presence(presence);
    });
}

/// Avatars shown in the top bar; everyone beyond is a "+N".
const AVATARS_SHOWN: usize = 5;

/// Who else is on the board, one avatar per person (several tabs of one
/// person count once), then "+N" for the rest and for the counted crowd.
#[component]
pub fn Avatars() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let everyone = Memo::new(move |_| {
        ui.conn.peers.with(|peers| {
            let mut seen = std::collections::BTreeSet::new();
            peers
                .values()
                .filter(|p| seen.insert(p.actor.clone()))
                .map(|p| (p.actor.clone(), p.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let people =
        move || everyone.with(|all| all.iter().take(AVATARS_SHOWN).cloned().collect::<Vec<_>>());
    let more = move || {
        everyone.with(|all| all.len().saturating_sub(AVATARS_SHOWN)) + ui.conn.crowd.get() as usize
    };
    view! {
        <div class="avatars" role="list" aria-label=move || i18n.t(T::OnBoard) data-testid="avatars">
            <For each=people key=|(actor, name)| (actor.clone(), name.clone()) let:person>
                <span
                    class="avatar"
                    role="listitem"
                    title=person.1.clone()
                    style:background=browser::person_color(&person.0)
                    data-testid="avatar"
                >
                    {browser::initials(&person.1)}
                </span>
            </For>
            <Show when=move || { more() > 0 }>
                <span
                    class="avatar avatar-more"
                    role="listitem"
                    title=move || format!("{} {}", more(), i18n.t(T::MorePeople))
                    data-testid="avatar-more"
                >
                    {move || format!("+{}", more())}
                </span>
            </Show>
        </div>
    }
}

/// Cursors and drag ghosts of the others, drawn over the grid.
#[component]
pub fn PresenceLayer() -> impl IntoView {
    let ui = use_ui();
    let sessions = Memo::new(move |_| {
        ui.conn
            .peers
            .with(|p| p.keys().copied().collect::<Vec<u64>>())
    });
    view! {
        <div class="presence-layer" aria-hidden="true">
            <For each=move || sessions.get() key=|s| *s let:session>
                <PeerPointer session=session/>
            </For>
        </div>
    }
}

/// One peer's cursor and drag ghost; the nodes stay while the peer moves,
/// so movement animates smoothly.
#[component]
fn PeerPointer(session: u64) -> impl IntoView {
    let ui = use_ui();
    let peer = Memo::new(move |_| ui.conn.peers.with(|p| p.get(&session).cloned()));
    let color = move || {
        peer.with(|p| {
            p.as_ref()
                .map(|p| browser::person_color(&p.actor))
                .unwrap_or("#555")
        })
    };
    let name = move || peer.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let cursor = Memo::new(move |_| peer.with(|p| p.as_ref().and_then(|p| p.presence.cursor)));
    let dragging = Memo::new(move |_| peer.with(|p| p.as_ref().and_then(|p| p.presence.dragging)));
    let ghost_card = Memo::new(move |_| {
        let card = dragging.get()?.card;
        ui.conn.board.with(|b| {
            b.as_ref()
                .and_then(|b| b.cards.get(&card))
                .map(|c| (c.text.clone(), c.color.as_str()))
        })
    });
    view! {
        // The ghost first, so the cursor is drawn over it.
        <Show when=move || dragging.get().is_some() && ghost_card.with(|g| g.is_some())>
            <div
                class=move || format!("card remote-ghost color-{}", ghost_card.with(|g| g.as_ref().map(|g| g.1).unwrap_or("yellow")))
                data-testid="remote-ghost"
                style:transform=move || dragging.get().map(|d| format!("translate({}px, {}px)", d.at.x, d.at.y))
                style:outline-color=color
            >
                <p class="card-text">{move || ghost_card.with(|g| g.as_ref().map(|g| g.0.clone()).unwrap_or_default())}</p>
            </div>
        </Show>
        <Show when=move || cursor.get().is_some()>
            <div class="peer-cursor" data-testid="peer-cursor"
                style:transform=move || cursor.get().map(|c| format!("translate({}px, {}px)", c.x, c.y))>
                <svg width="16" height="20" viewBox="0 0 16 20">
                    <path d="M1 1 L1 16 L5 12 L8 19 L11 18 L8 11 L14 11 Z" fill=color stroke="#fff" stroke-width="1.5"/>
                </svg>
                <span class="peer-name" style:background=color>{name}</span>
            </div>
        </Show>
    }
}

/// One person's mark on a card: (name, colour, editing?).
pub type Mark = (String, &'static str, bool);

/// Other people's marks on one card.
pub fn card_marks(id: CardId) -> Memo<Vec<Mark>> {
    let all = use_context::<Marks>().map(|m| m.0);
    Memo::new(move |_| match all {
        Some(all) => all.with(|m| m.get(&id).cloned().unwrap_or_default()),
        None => Vec::new(),
    })
}

/// Everyone's marks by card, computed once per presence change (instead of
/// once per card).
#[derive(Clone, Copy)]
pub struct Marks(pub Memo<std::sync::Arc<std::collections::HashMap<CardId, Vec<Mark>>>>);

pub fn provide_marks(ui: Ui) {
    let marks = Memo::new(move |_| {
        let mut map: std::collections::HashMap<CardId, Vec<Mark>> =
            std::collections::HashMap::new();
        ui.conn.peers.with(|peers| {
            for p in peers.values() {
                let s = &p.presence;
                let mark =
                    |editing: bool| (p.name.clone(), browser::person_color(&p.actor), editing);
                let mut cards: Vec<CardId> = s.selection.clone();
                cards.extend(s.editing);
                cards.extend(s.dragging.map(|d| d.card));
                cards.sort();
                cards.dedup();
                for c in cards {
                    map.entry(c).or_default().push(mark(s.editing == Some(c)));
                }
            }
        });
        std::sync::Arc::new(map)
    });
    provide_context(Marks(marks));
}
