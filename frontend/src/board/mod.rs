//! The board page: top bar, the stage × lane grid, the drag ghost, toasts.

mod card;
mod cell;
mod drag;
mod grid;
mod headers;
mod presence;

use std::collections::HashMap;
use std::sync::Arc;

use cjm_core::{Board, BoardId, Card, CardId, LaneId, Op, StageId};
use leptos::prelude::*;

use crate::connection::{Connection, Status};
use crate::i18n::{LangSwitch, T, use_i18n};

/// Which popover menu is open (one at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    CardColor(CardId),
    Stage(StageId),
    Lane(LaneId),
}

/// Page-wide UI state, shared through context.
#[derive(Clone, Copy)]
pub struct Ui {
    pub conn: Connection,
    /// The card whose text is being edited.
    pub editing: RwSignal<Option<CardId>>,
    /// A cell showing the "new card" editor.
    pub draft: RwSignal<Option<(StageId, LaneId)>>,
    /// A stage or lane whose name is being edited.
    pub renaming: RwSignal<Option<Menu>>,
    pub menu: RwSignal<Option<Menu>>,
    /// The card with keyboard focus (shared as this user's selection).
    pub selected: RwSignal<Option<CardId>>,
    /// This user's pointer over the grid, in grid coordinates.
    pub cursor: RwSignal<Option<cjm_core::protocol::Point>>,
    pub drag: drag::DragState,
    /// Card ids of every cell, top to bottom: computed once per change of
    /// the board, so that each cell only re-renders when its list changes.
    pub cells: Memo<CellIndex>,
}

pub type CellIndex = Arc<HashMap<(StageId, LaneId), Vec<CardId>>>;

fn index_cells(board: Option<&Board>) -> CellIndex {
    let mut map: HashMap<(StageId, LaneId), Vec<&Card>> = HashMap::new();
    if let Some(b) = board {
        for c in b.cards.values() {
            map.entry((c.stage_id, c.lane_id)).or_default().push(c);
        }
    }
    Arc::new(
        map.into_iter()
            .map(|(k, mut v)| {
                v.sort_by(|a, b| (&a.order, a.id).cmp(&(&b.order, b.id)));
                (k, v.into_iter().map(|c| c.id).collect())
            })
            .collect(),
    )
}

impl Ui {
    pub fn submit(&self, ops: Vec<Op>) -> bool {
        self.conn.submit(ops).is_ok()
    }
}

pub fn use_ui() -> Ui {
    expect_context::<Ui>()
}

#[component]
pub fn BoardPage(id: BoardId) -> impl IntoView {
    let i18n = use_i18n();
    let conn = Connection::open(id, i18n);
    let ui = Ui {
        conn,
        editing: RwSignal::new(None),
        draft: RwSignal::new(None),
        renaming: RwSignal::new(None),
        menu: RwSignal::new(None),
        selected: RwSignal::new(None),
        cursor: RwSignal::new(None),
        drag: drag::DragState::new(),
        cells: Memo::new(move |_| conn.board.with(|b| index_cells(b.as_ref()))),
    };
    provide_context(ui);
    presence::share_presence(ui);

    // Toasts disappear by themselves.
    Effect::new(move |_| {
        if conn.notice.get().is_some() {
            set_timeout(
                move || conn.notice.set(None),
                std::time::Duration::from_secs(6),
            );
        }
    });
    let title = Memo::new(move |_| conn.board.with(|b| b.as_ref().map(|b| b.title.clone())));
    Effect::new(move |_| {
        let name = title.get().unwrap_or_default();
        document().set_title(&format!("{name} · CJM Board"));
    });

    // A memo, so that reconnect attempts (status changes) never rebuild the grid.
    let missing =
        Memo::new(move |_| matches!(conn.status.get(), Status::NotFound | Status::Deleted));

    view! {
        <div class="board-page" on:click=move |_| ui.menu.set(None)>
            <header class="topbar">
                <a class="brand" href="/" title=move || i18n.t(T::BackToBoards) data-testid="home-link">"CJM"</a>
                <BoardTitle/>
                <span class="spacer"></span>
                                <presence::Avatars/>
                <StatusBadge/>
                <LangSwitch/>
            </header>
            {move || match missing.get() {
                true => view! {
                    <main class="missing">
                        <p>{move || if conn.status.get() == Status::Deleted { i18n.t(T::BoardDeleted) } else { i18n.t(T::BoardNotFound) }}</p>
                        <a href="/">{move || i18n.t(T::BackToBoards)}</a>
                    </main>
                }.into_any(),
                false => view! { <grid::Grid/> }.into_any(),
            }}
            <drag::Ghost/>
            {move || conn.notice.get().map(|n| view! {
                <div class="toast" role="alert" data-testid="toast">
                    <span>{n}</span>
                    <button class="icon" aria-label=i18n.t(T::Close) on:click=move |_| conn.notice.set(None)>"×"</button>
                </div>
            })}
        </div>
    }
}

/// The board title; click to rename.
#[component]
fn BoardTitle() -> impl IntoView {
    let ui = use_ui();
    let editing = RwSignal::new(false);
    let title = Memo::new(move |_| {
        ui.conn
            .board
            .with(|b| b.as_ref().map(|b| b.title.clone()).unwrap_or_default())
    });
    let save = move |value: String| {
        editing.set(false);
        let value = value.trim().to_string();
        if !value.is_empty() && value != title.get_untracked() {
            ui.submit(vec![Op::SetBoardTitle { title: value }]);
        }
    };
    view! {
        {move || if editing.get() {
            view! {
                <input class="title-input" data-testid="board-title-input" maxlength="200"
                    prop:value=title.get_untracked()
                    on:keydown=move |ev| match ev.key().as_str() {
                        "Enter" => save(event_target_value(&ev)),
                        "Escape" => editing.set(false),
                        _ => {}
                    }
                    on:blur=move |ev| if editing.get_untracked() { save(event_target_value(&ev)) }
                    autofocus
                />
            }.into_any()
        } else {
            view! {
                <h1 class="board-title" data-testid="board-title" tabindex="0"
                    on:click=move |_| editing.set(true)
                    on:keydown=move |ev| if ev.key() == "Enter" { editing.set(true) }
                >{move || title.get()}</h1>
            }.into_any()
        }}
    }
}

/// Connection state and unsynced edits, always visible.
#[component]
fn StatusBadge() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let conn = ui.conn;
    let label = move || {
        let n = conn.unsynced.get();
        let base = match conn.status.get() {
            Status::Online if n > 0 => i18n.t(T::Syncing),
            Status::Online => i18n.t(T::Online),
            Status::Connecting => i18n.t(T::Connecting),
            Status::Reconnecting => i18n.t(T::Reconnecting),
            Status::Offline => i18n.t(T::Offline),
            Status::NotFound | Status::Deleted => "—",
        };
        if n > 0 && conn.status.get() != Status::Online {
            format!("{base} · {n} {}", i18n.t(T::Unsynced))
        } else {
            base.to_string()
        }
    };
    let class = move || match conn.status.get() {
        Status::Online => "status online",
        Status::Connecting => "status connecting",
        _ => "status offline",
    };
    view! {
        <span class=class role="status" aria-live="polite" data-testid="status">
            <span class="dot" aria-hidden="true"></span>
            {label}
        </span>
    }
}
