//! The board page: top bar, the stage × lane grid, the drag ghost, toasts.

mod activity;
mod board_menu;
mod card;
mod card_details;
mod card_rescue;
mod cell;
mod comments;
mod drag;
mod editing;
mod emotion_talk;
mod emotions;
mod export;
mod follow;
mod grid;
mod headers;
mod health_panel;
mod icons;
mod import;
pub use comments::excerpt;
pub use icons::Icon;
mod panel;
mod personas;
mod phone;
mod presence;
mod presenter;
mod print;
mod share;
mod since_visit;
pub use share::role_label;
mod stage_details;
mod toolbar;
mod versions;
mod workshop;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use cjm_core::{Board, BoardId, Card, CardId, LaneId, Op, PersonaId, StageId};
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
    /// A card text that could not be saved as typed (the card was deleted,
    /// or someone else changed it meanwhile), waiting for the person.
    pub rescue: RwSignal<Option<card_rescue::Rescue>>,
    /// The card with keyboard focus (shared as this user's selection).
    pub selected: RwSignal<Option<CardId>>,
    /// This user's pointer over the grid, in grid coordinates.
    pub cursor: RwSignal<Option<cjm_core::protocol::Point>>,
    pub drag: drag::DragState,
    /// Card ids of every cell, top to bottom: computed once per change of
    /// the board, so that each cell only re-renders when its list changes.
    pub cells: Memo<CellIndex>,
    /// The side panel, if open.
    pub panel: RwSignal<Option<panel::Panel>>,
    /// Cards of other personas are dimmed while one is chosen.
    pub persona_filter: RwSignal<Option<PersonaId>>,
    /// Lanes folded on this browser (a view choice, not a board change).
    pub collapsed: RwSignal<BTreeSet<LaneId>>,
    pub board_id: BoardId,
    /// Undo/redo stacks and the copied cards.
    pub history: StoredValue<editing::History>,
    /// (undo steps, redo steps), for the buttons.
    pub history_len: RwSignal<(usize, usize)>,
    /// Cards picked with Shift+click or a rubber band.
    pub selection: RwSignal<BTreeSet<CardId>>,
    /// Text searched for on the board.
    pub search: RwSignal<String>,
    /// Board zoom, 0.25–2.
    pub zoom: RwSignal<f64>,
    /// The cell a paste goes to (last clicked or navigated to).
    pub target_cell: RwSignal<Option<(StageId, LaneId)>>,
    /// Space is held: dragging pans the board.
    pub panning: RwSignal<bool>,
    pub gesture: RwSignal<Option<editing::Gesture>>,
    /// The last card clicked without Shift: where a Shift+click selection starts.
    pub anchor: RwSignal<Option<CardId>>,
    /// One signal per card, set only when that card changes (see
    /// `card_signal`): a change to one card re-renders one card, not 2,000.
    cards: StoredValue<HashMap<CardId, ArcRwSignal<Option<Card>>>>,
    /// What cards show of their lane and persona, recomputed per board
    /// change but notifying only when lanes or personas change.
    pub lane_kinds: Memo<Arc<HashMap<LaneId, cjm_core::LaneKind>>>,
    /// Our role lets us change the board (a viewer's page hides the
    /// controls; the server refuses their ops anyway).
    pub can_edit: Memo<bool>,
    /// Our role lets us comment and react (a commenter, or more).
    pub can_comment: Memo<bool>,
    /// When we last read the comments, and who can be mentioned.
    pub comments: comments::CommentsState,
    pub persona_tags: Memo<Arc<HashMap<PersonaId, (String, cjm_core::Color)>>>,
    /// The personas in their order, for the panels and the emotion lane.
    pub personas: Memo<Vec<(PersonaId, String, cjm_core::Color)>>,
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
    /// The signal of one card; made on first use from the current board.
    pub fn card_signal(&self, id: CardId) -> RwSignal<Option<Card>> {
        // Reference-counted, not owned by the first card view: a card that
        // moves to another cell gets a new view but keeps its signal.
        if let Some(s) = self.cards.with_value(|m| m.get(&id).cloned()) {
            return RwSignal::from(s);
        }
        let s = ArcRwSignal::new(self.read(|b| b.cards.get(&id).cloned()).flatten());
        self.cards.update_value(|m| {
            m.insert(id, s.clone());
        });
        RwSignal::from(s)
    }

    /// Brings the card signals up to date with the board: compares every
    /// card (no clones) and sets only the ones that changed.
    fn sync_cards(&self) {
        // Decide under the read lock, set afterwards: setting a signal can
        // re-render a card, which may ask `card_signal` for the map again.
        let (changed, gone) = self.conn.board.with(|b| {
            self.cards.with_value(|m| {
                let mut changed = Vec::new();
                let mut gone = Vec::new();
                for (id, sig) in m {
                    let now = b.as_ref().and_then(|b| b.cards.get(id));
                    if sig.with_untracked(|old| old.as_ref() != now) {
                        changed.push((sig.clone(), now.cloned()));
                    }
                    if now.is_none() {
                        gone.push(*id);
                    }
                }
                (changed, gone)
            })
        });
        if !gone.is_empty() {
            self.cards.update_value(|m| {
                for id in &gone {
                    m.remove(id);
                }
            });
        }
        for (sig, value) in changed {
            sig.set(value);
        }
    }

    /// Reads the board without subscribing (for event handlers).
    pub fn read<R>(&self, f: impl FnOnce(&Board) -> R) -> Option<R> {
        self.conn.board.with_untracked(|b| b.as_ref().map(f))
    }

    pub fn toggle_collapsed(&self, lane: LaneId) {
        self.collapsed.update(|c| {
            if !c.remove(&lane) {
                c.insert(lane);
            }
        });
        let ids: Vec<String> = self
            .collapsed
            .with_untracked(|c| c.iter().map(|id| id.to_string()).collect());
        crate::browser::storage_set(&collapsed_key(self.board_id), &ids.join(","));
    }
}

fn collapsed_key(id: BoardId) -> String {
    format!("cjm.collapsed.{id}")
}

fn saved_collapsed(id: BoardId) -> BTreeSet<LaneId> {
    crate::browser::storage_get(&collapsed_key(id))
        .map(|s| s.split(',').filter_map(|p| p.parse().ok()).collect())
        .unwrap_or_default()
}

pub fn use_ui() -> Ui {
    expect_context::<Ui>()
}

#[component]
pub fn BoardPage(
    id: BoardId,
    /// A saved version's id: the page shows that version read-only,
    /// without a connection to the live board.
    #[prop(optional)]
    version: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let conn = match &version {
        Some(_) => Connection::frozen(id, i18n),
        None => Connection::open(id, i18n),
    };
    let ui = Ui {
        conn,
        editing: RwSignal::new(None),
        draft: RwSignal::new(None),
        renaming: RwSignal::new(None),
        menu: RwSignal::new(None),
        rescue: RwSignal::new(None),
        selected: RwSignal::new(None),
        cursor: RwSignal::new(None),
        drag: drag::DragState::new(),
        cells: Memo::new(move |_| conn.board.with(|b| index_cells(b.as_ref()))),
        panel: RwSignal::new(None),
        persona_filter: RwSignal::new(None),
        collapsed: RwSignal::new(saved_collapsed(id)),
        board_id: id,
        history: StoredValue::new(editing::History::default()),
        history_len: RwSignal::new((0, 0)),
        selection: RwSignal::new(BTreeSet::new()),
        search: RwSignal::new(String::new()),
        zoom: RwSignal::new(1.0),
        target_cell: RwSignal::new(None),
        panning: RwSignal::new(false),
        gesture: RwSignal::new(None),
        anchor: RwSignal::new(None),
        cards: StoredValue::new(HashMap::new()),
        can_edit: Memo::new(move |_| conn.role.get().is_none_or(|r| r.can_edit())),
        can_comment: Memo::new(move |_| {
            conn.role
                .get()
                .is_none_or(|r| r >= cjm_core::Role::Commenter)
        }),
        comments: comments::CommentsState::new(conn),
        lane_kinds: Memo::new(move |_| {
            conn.board.with(|b| {
                Arc::new(
                    b.iter()
                        .flat_map(|b| b.lanes.values().map(|l| (l.id, l.kind)))
                        .collect(),
                )
            })
        }),
        personas: Memo::new(move |_| {
            conn.board.with(|b| {
                b.iter()
                    .flat_map(|b| b.personas_in_order())
                    .map(|p| (p.id, p.name.clone(), p.color))
                    .collect()
            })
        }),
        persona_tags: Memo::new(move |_| {
            conn.board.with(|b| {
                Arc::new(
                    b.iter()
                        .flat_map(|b| {
                            b.personas
                                .values()
                                .map(|p| (p.id, (p.name.clone(), p.color)))
                        })
                        .collect(),
                )
            })
        }),
    };
    provide_context(ui);
    workshop::provide_workshop(ui);
    import::provide_imports();
    export::provide_exports();
    versions::provide_versions();
    since_visit::provide_since_visit(ui);
    let follow = follow::provide_follow(ui);
    ui.comments.load_seen(id);
    // Runs after every board change.
    Effect::new(move |_| ui.sync_cards());
    presence::share_presence(ui);
    presence::provide_marks(ui);
    editing::install_shortcuts(ui);
    // Deleted cards leave the selection.
    Effect::new(move |_| {
        let gone = conn.board.with(|b| {
            let Some(b) = b else { return false };
            ui.selection
                .with_untracked(|s| s.iter().any(|id| !b.cards.contains_key(id)))
        });
        if gone {
            ui.selection.update(|s| {
                conn.board.with_untracked(|b| {
                    if let Some(b) = b {
                        s.retain(|id| b.cards.contains_key(id))
                    }
                })
            });
        }
    });

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
    let missing = Memo::new(move |_| conn.status.get().is_final());
    let me = crate::account::load_me();
    // The inbox asks again when a comment here mentions us (or stops to).
    let mentions_me = Memo::new(move |_| {
        let known = conn.actor.get().is_some() && conn.board.with(Option::is_some);
        known.then(|| ui.comments.index.with(|i| i.mentions_me))
    });
    let page_style = print::page_style(ui);
    let page_class = move || {
        let mut c = String::from("board-page");
        if !ui.can_edit.get() {
            c.push_str(" read-only");
        }
        if follow.hides_cursors() {
            c.push_str(" hide-cursors");
        }
        c
    };

    if let Some(version) = version {
        let meta = versions::load_version(ui, version);
        return view! {
            <div class="board-page read-only version-page" style=move || page_style.get() on:click=move |_| ui.menu.set(None)>
                <print::PrintTitle/>
                <header class="topbar">
                    <a class="brand" href="/" title=move || i18n.t(T::BackToBoards) data-testid="home-link">"CJM"</a>
                    <BoardTitle/>
                    <versions::VersionTag meta/>
                    <span class="spacer"></span>
                    <toolbar::Search/>
                    <personas::PersonaFilter/>
                    <versions::VersionActions meta/>
                    <LangSwitch/>
                </header>
                {move || match missing.get() {
                    true => view! { <versions::VersionMissing/> }.into_any(),
                    false => view! { <phone::BoardBody/> }.into_any(),
                }}
                <toolbar::ZoomControls/>
            </div>
        }
        .into_any();
    }

    // A board that is not (or no longer) ours to see: a plain page, with
    // none of the board's controls.
    let missing_page = move || {
        view! {
            <div class="board-page missing-page">
                <header class="topbar">
                    <a class="brand" href="/" title=move || i18n.t(T::BackToBoards) data-testid="home-link">"CJM"</a>
                    <span class="spacer"></span>
                    <LangSwitch/>
                </header>
                    <main class="missing">
                        <p data-testid="missing">{move || match conn.status.get() {
                            Status::Deleted => i18n.t(T::BoardDeleted),
                            Status::Revoked => i18n.t(T::AccessRevoked),
                            _ => i18n.t(T::BoardNotFound),
                        }}</p>
                        // Signed out, the board may just be one of ours.
                        {move || matches!(me.get(), Some(None)).then(|| {
                            let next = window().location().pathname().unwrap_or_default();
                            view! { <a class="primary" href=format!("/login?next={next}") data-testid="missing-sign-in">{i18n.t(T::SignIn)}</a> }
                        })}
                        <a href="/">{move || i18n.t(T::BackToBoards)}</a>
                    </main>
            </div>
        }
    };
    view! {
        <Show when=move || !missing.get() fallback=missing_page>
        <div class=page_class style=move || page_style.get() on:click=move |_| ui.menu.set(None)>
            <print::PrintTitle/>
            <header class="topbar">
                <a class="brand" href="/" title=move || i18n.t(T::BackToBoards) data-testid="home-link">"CJM"</a>
                <BoardTitle/>
                <board_menu::BoardMenu/>
                <toolbar::UndoRedo/>
                <workshop::WorkshopBar/>
                <Show when=move || !ui.can_edit.get()>
                    <span class="tag view-only" data-testid="view-only">{move || i18n.t(T::ViewOnly)}</span>
                </Show>
                <span class="spacer"></span>
                <toolbar::Search/>
                <personas::PersonaFilter/>
                <panel::PanelButtons/>
                <presence::Avatars/>
                <crate::account::InboxButton nudge=mentions_me/>
                <StatusBadge/>
                <LangSwitch/>
            </header>
            <phone::BoardBody/>
            <workshop::VoteBar/>
            <follow::FollowBar/>
            <presenter::Presenter/>
            <toolbar::SelectionBar/>
            <toolbar::ZoomControls/>
            <toolbar::Band/>
            <panel::Drawer/>
            <drag::Ghost/>
            <import::ImportDialog/>
            <export::ExportDialog/>
            <card_rescue::RescueDialog/>
            <import::ImportNotice/>
            <since_visit::SinceVisitToast/>
            {move || conn.notice.get().map(|n| view! {
                <div class="toast" role="alert" data-testid="toast">
                    <span>{n}</span>
                    <button class="icon" aria-label=i18n.t(T::Close) on:click=move |_| conn.notice.set(None)>"×"</button>
                </div>
            })}
        </div>
        </Show>
    }
    .into_any()
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
                    on:click=move |_| if ui.can_edit.get_untracked() { editing.set(true) }
                    on:keydown=move |ev| if ev.key() == "Enter" && ui.can_edit.get_untracked() { editing.set(true) }
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
            Status::NotFound | Status::Deleted | Status::Revoked => "—",
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
            <span class="status-label">{label}</span>
        </span>
    }
}
