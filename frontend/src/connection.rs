//! The board's live connection: websocket, optimistic edits, reconnects.
//!
//! Edits are applied locally at once (`SyncState::propose`) and sent; the
//! server's `applied` is the acknowledgement. Unacknowledged batches are
//! kept in localStorage, so a reload or a lost connection loses nothing:
//! after `welcome` they are resent with the same client_op_id (the server
//! applies each at most once). Reconnects back off exponentially with jitter.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, Peer, Presence, ServerMsg};
use cjm_core::sync::{Pending, SyncState};
use cjm_core::{Board, BoardId, Op, OpError, Role};
use cjm_core::{ErrorCode, RejectCode};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::browser;
use crate::i18n::{I18n, T};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Online,
    Reconnecting,
    Offline,
    NotFound,
    Deleted,
    /// Our access was taken away (member removed, link revoked or expired).
    Revoked,
}

impl Status {
    /// The board is not (or no longer) ours to see: stop reconnecting.
    pub fn is_final(self) -> bool {
        matches!(self, Status::NotFound | Status::Deleted | Status::Revoked)
    }
}

/// Handles shared by the whole board page (Copy, through context).
#[derive(Clone, Copy)]
pub struct Connection {
    /// What the user sees: confirmed state plus pending edits.
    pub board: RwSignal<Option<Board>>,
    pub status: RwSignal<Status>,
    /// Edits not yet acknowledged by the server.
    pub unsynced: RwSignal<usize>,
    /// The last refused edit or error, for the toast.
    pub notice: RwSignal<Option<String>>,
    /// The others on the board whose presence is relayed, by session.
    pub peers: RwSignal<BTreeMap<u64, Peer>>,
    /// How many others are on the board beyond `peers` (a big crowd is
    /// counted, not listed).
    pub crowd: RwSignal<u32>,
    /// What the server lets us do here (from `welcome`; `None` until then).
    pub role: RwSignal<Option<Role>>,
    /// Who we are on this board (the welcome's `actor`): the author of our
    /// comments and reactions. `None` until welcomed (or for a legacy id).
    pub actor: RwSignal<Option<uuid::Uuid>>,
    /// Server clock minus ours (ms), from the last `welcome`: the board's
    /// timer counts down on the server's time.
    pub clock_offset: RwSignal<f64>,
    /// Our dots in a vote (a card once per dot), and which vote they are
    /// for (`None`: the board's vote as of the last welcome).
    pub my_dots: RwSignal<(Option<cjm_core::VoteId>, Vec<cjm_core::CardId>)>,
    /// The running vote's progress: (vote, voters, dots).
    pub vote_progress: RwSignal<Option<(cjm_core::VoteId, u32, u32)>>,
    pub i18n: I18n,
    inner: StoredValue<Rc<RefCell<Inner>>, LocalStorage>,
}

struct Inner {
    id: BoardId,
    sync: Option<SyncState>,
    /// Batches restored from storage before the first welcome.
    restored: Vec<Pending>,
    ws: Option<WebSocket>,
    /// Bumped for every socket, so events of an old one are ignored.
    generation: u32,
    welcomed: bool,
    /// Presence waiting for the throttle (at most one send per 50 ms).
    presence: Option<Presence>,
    presence_sent_at: f64,
    presence_timer: bool,
    snapshot_timer: bool,
    /// A `publish` is scheduled (see `publish_soon`).
    publish_timer: bool,
    /// Presence received since the last flush, in order (`None`: left).
    presence_in: Vec<(u64, Option<Peer>)>,
    presence_flush: bool,
    /// This connection's session (its own presence comes back; skipped).
    you: u64,
    /// Whether we are listed (`welcome.listed`), and the crowd count as the
    /// server gives it (which counts us when we are not listed).
    listed: bool,
    crowd: u32,
    attempt: u32,
    _handlers: Vec<Handler>,
    window_handlers: Vec<(&'static str, Handler)>,
}

/// Leaving the board page drops the connection: its socket and window
/// listeners must not call into the closures dropped with it.
impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(ws) = self.ws.take() {
            detach(&ws);
        }
        let w = window();
        for (event, handler) in &self.window_handlers {
            let _ = w.remove_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        }
    }
}

/// Closes a socket we are done with. Its handlers are unset first: the close
/// event arrives later, when its closures may already have been replaced
/// (and dropped) by those of the next socket.
fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    let _ = ws.close();
}

/// A DOM event listener kept alive as long as what it is attached to.
type Handler = Closure<dyn FnMut(web_sys::Event)>;

const PRESENCE_INTERVAL_MS: f64 = 50.0;
/// How long a cached board waits for the server's welcome before it shows.
const CACHED_RENDER_DELAY: Duration = Duration::from_millis(300);

/// Which messages change the confirmed state (and so the saved snapshot).
enum Kind {
    Welcome,
    Applied,
    Other,
}

/// The localStorage key of a board's cached snapshot (also read by
/// `board::since_visit`, before the welcome replaces it, to see what
/// changed since the last visit).
pub(crate) fn snapshot_key(id: BoardId) -> String {
    format!("cjm.board.{id}")
}

#[derive(serde::Deserialize)]
struct Snapshot {
    seq: u64,
    board: Board,
    /// Our role when the snapshot was taken, so that a viewer offline
    /// does not see editing controls.
    #[serde(default)]
    role: Option<Role>,
}

#[derive(serde::Serialize)]
struct SnapshotRef<'a> {
    seq: u64,
    board: &'a Board,
    role: Option<Role>,
}

fn pending_key(id: BoardId) -> String {
    format!("cjm.pending.{id}")
}

impl Connection {
    /// A connection that has not connected: no socket, no board yet.
    fn idle(id: BoardId, i18n: I18n, restored: Vec<Pending>) -> Self {
        Connection {
            board: RwSignal::new(None),
            status: RwSignal::new(Status::Connecting),
            unsynced: RwSignal::new(restored.len()),
            peers: RwSignal::new(BTreeMap::new()),
            crowd: RwSignal::new(0),
            role: RwSignal::new(None),
            actor: RwSignal::new(None),
            clock_offset: RwSignal::new(0.0),
            my_dots: RwSignal::new((None, Vec::new())),
            vote_progress: RwSignal::new(None),
            notice: RwSignal::new(None),
            i18n,
            inner: StoredValue::new_local(Rc::new(RefCell::new(Inner {
                id,
                sync: None,
                restored,
                ws: None,
                generation: 0,
                welcomed: false,
                attempt: 0,
                presence: None,
                presence_sent_at: 0.0,
                presence_timer: false,
                snapshot_timer: false,
                publish_timer: false,
                presence_in: Vec::new(),
                presence_flush: false,
                you: 0,
                listed: true,
                crowd: 0,
                _handlers: Vec::new(),
                window_handlers: Vec::new(),
            }))),
        }
    }

    /// A board that never changes: a saved version, shown read-only. It
    /// has no socket and no sync state, so `submit` does nothing, and
    /// nothing is cached for the live board's next visit.
    pub fn frozen(id: BoardId, i18n: I18n) -> Self {
        let conn = Self::idle(id, i18n, Vec::new());
        conn.role.set(Some(Role::Viewer));
        conn
    }

    /// Shows `board` as the frozen connection's board.
    pub fn show_frozen(&self, board: Board) {
        self.board.set(Some(board));
        self.set_status(Status::Online);
    }

    /// The frozen board could not be loaded (`missing`: it does not exist).
    pub fn frozen_failed(&self) {
        self.set_status(Status::NotFound);
    }

    pub fn open(id: BoardId, i18n: I18n) -> Self {
        let restored = browser::storage_get(&pending_key(id))
            .and_then(|s| serde_json::from_str::<Vec<Pending>>(&s).ok())
            .unwrap_or_default();
        // The last confirmed state seen on this browser: the board shows at
        // once (even offline), and `hello` asks only for what came since.
        let cached = browser::storage_get(&snapshot_key(id))
            .and_then(|s| serde_json::from_str::<Snapshot>(&s).ok())
            .filter(|s| s.board.id == id);
        let conn = Self::idle(id, i18n, restored);
        conn.role.set(cached.as_ref().and_then(|s| s.role));
        let has_cache = cached.is_some();
        if let Some(snap) = cached {
            let inner = conn.inner();
            let mut inner = inner.borrow_mut();
            let mut sync = SyncState::new(snap.board, snap.seq);
            sync.restore_pending(std::mem::take(&mut inner.restored));
            inner.sync = Some(sync);
        }
        conn.watch_network();
        conn.connect();
        if has_cache {
            // Rendering a big board blocks the page for a while: when the
            // server answers quickly, render once, from its welcome; show
            // the cached board only if it is slow (or we are offline).
            conn.after(
                move || {
                    if !conn.inner().borrow().welcomed {
                        conn.publish();
                    }
                },
                CACHED_RENDER_DELAY,
            );
        } else {
            conn.publish();
        }
        conn
    }

    /// Reconnects the moment the browser says it is online again, and stops
    /// pretending to be connected the moment it says it is offline.
    fn watch_network(&self) {
        let conn = *self;
        let on_online = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if conn.status.get_untracked() != Status::Online {
                conn.inner().borrow_mut().attempt = 0;
                conn.connect();
            }
        });
        let on_offline = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let ws = conn.inner().borrow_mut().ws.take();
            if let Some(ws) = ws {
                detach(&ws);
            }
            conn.on_close();
        });
        let on_pagehide = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| conn.save_snapshot());
        let handlers = vec![
            ("online", on_online),
            ("offline", on_offline),
            ("pagehide", on_pagehide),
        ];
        let w = window();
        for (event, handler) in &handlers {
            let _ = w.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        }
        self.inner().borrow_mut().window_handlers = handlers;
    }

    /// Stores the confirmed state for the next visit (see `open`).
    fn save_snapshot(&self) {
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        inner.snapshot_timer = false;
        let Some(sync) = &inner.sync else { return };
        let snap = SnapshotRef {
            seq: sync.seq(),
            board: sync.confirmed(),
            role: self.role.get_untracked(),
        };
        if let Ok(json) = serde_json::to_string(&snap) {
            browser::storage_set(&snapshot_key(inner.id), &json);
        }
    }

    /// The seq of our confirmed state (the cached one until welcomed):
    /// not reactive, read it where `board` is tracked.
    pub fn seq(&self) -> Option<u64> {
        let inner = self.inner.try_get_value()?;
        let inner = inner.try_borrow().ok()?;
        inner.sync.as_ref().map(|s| s.seq())
    }

    /// Whether the server's welcome arrived on this page, so `seq` is
    /// the server's and not the cached snapshot's.
    pub fn welcomed(&self) -> bool {
        self.inner
            .try_get_value()
            .is_some_and(|i| i.try_borrow().is_ok_and(|i| i.welcomed))
    }

    /// Saves the snapshot soon, once, however many batches arrive meanwhile.
    fn schedule_snapshot(&self) {
        let conn = *self;
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        if !inner.snapshot_timer {
            inner.snapshot_timer = true;
            conn.after(move || conn.save_snapshot(), Duration::from_secs(2));
        }
    }

    /// Changes the status only when it differs, so nothing re-renders for a
    /// repeated "reconnecting".
    fn set_status(&self, status: Status) {
        if self.status.get_untracked() != status {
            self.status.set(status);
        }
    }

    /// `set_timeout`, except that nothing runs once the board page (and
    /// with it this connection) is gone.
    fn after(self, f: impl FnOnce() + 'static, delay: Duration) {
        set_timeout(
            move || {
                if self.inner.try_get_value().is_some() {
                    f();
                }
            },
            delay,
        );
    }

    fn inner(&self) -> Rc<RefCell<Inner>> {
        self.inner.get_value()
    }

    /// Applies `ops` locally and sends them. On a local validation error
    /// nothing changes and the message is returned (and shown).
    pub fn submit(&self, ops: Vec<Op>) -> Result<(), OpError> {
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        let Some(sync) = inner.sync.as_mut() else {
            return Ok(());
        };
        match sync.propose(ops, browser::now_ms()) {
            Ok(batch) => {
                if inner.welcomed
                    && let Some(ws) = &inner.ws
                {
                    let _ = ws.send_with_str(&to_json(&ClientMsg::Submit(batch)));
                }
                drop(inner);
                self.publish();
                Ok(())
            }
            Err(e) => {
                drop(inner);
                // Refused here, the kind is known: a bad link is named.
                let reason = match e.kind {
                    cjm_core::OpErrorKind::NotWebLink { .. } => self.i18n.t(T::RefusedLink),
                    _ => refusal_text(self.i18n, e.code()),
                };
                self.notice.set(Some(self.refused(reason)));
                Err(e)
            }
        }
    }

    /// The server's clock now (unix ms), as far as the welcome told us.
    pub fn server_now(&self) -> f64 {
        js_sys::Date::now() + self.clock_offset.get_untracked()
    }

    /// Places (`add`) or takes back one of our dots in the running vote.
    pub fn send_dot(&self, vote: cjm_core::VoteId, card: cjm_core::CardId, add: bool) {
        let inner = self.inner();
        let inner = inner.borrow();
        if inner.welcomed
            && let Some(ws) = &inner.ws
        {
            let _ = ws.send_with_str(&to_json(&ClientMsg::Dot { vote, card, add }));
        } else {
            self.notice.set(Some(self.i18n.t(T::Offline).into()));
        }
    }

    /// Shares this user's presence, at most 20 times a second; the latest
    /// state always goes out (a trailing send after the throttle).
    pub fn send_presence(&self, presence: Presence) {
        let inner_rc = self.inner();
        let mut inner = inner_rc.borrow_mut();
        inner.presence = Some(presence);
        if inner.presence_timer {
            return;
        }
        let wait = PRESENCE_INTERVAL_MS - (js_sys::Date::now() - inner.presence_sent_at);
        if wait <= 0.0 {
            Self::flush_presence(&mut inner);
        } else {
            inner.presence_timer = true;
            let conn = *self;
            conn.after(
                move || {
                    let inner = conn.inner();
                    let mut inner = inner.borrow_mut();
                    inner.presence_timer = false;
                    Self::flush_presence(&mut inner);
                },
                Duration::from_millis(wait as u64),
            );
        }
    }

    fn flush_presence(inner: &mut Inner) {
        if !inner.welcomed {
            return;
        }
        if let (Some(p), Some(ws)) = (inner.presence.take(), &inner.ws) {
            let _ = ws.send_with_str(&to_json(&ClientMsg::Presence(p)));
            inner.presence_sent_at = js_sys::Date::now();
        }
    }

    fn connect(&self) {
        let conn = *self;
        let inner_rc = self.inner();
        let mut inner = inner_rc.borrow_mut();
        inner.generation += 1;
        inner.welcomed = false;
        let generation = inner.generation;
        let location = window().location();
        let scheme = if location.protocol().unwrap_or_default() == "https:" {
            "wss"
        } else {
            "ws"
        };
        let url = format!(
            "{scheme}://{}/api/boards/{}/ws",
            location.host().unwrap_or_default(),
            inner.id
        );
        let Ok(ws) = WebSocket::new(&url) else {
            drop(inner);
            self.schedule_reconnect();
            return;
        };
        let current = {
            let inner_rc = inner_rc.clone();
            move || inner_rc.borrow().generation == generation
        };
        let on_open = {
            let current = current.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                if current() {
                    conn.on_open();
                }
            })
        };
        let on_message = {
            let current = current.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
                let Some(text) = ev
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                else {
                    return;
                };
                if current() {
                    conn.on_message(&text);
                }
            })
        };
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let _ = ev.dyn_ref::<CloseEvent>();
            if current() {
                conn.on_close();
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        inner._handlers = vec![on_open, on_message, on_close];
        if let Some(old) = inner.ws.replace(ws) {
            detach(&old);
        }
    }

    /// Sends every unacknowledged batch again (the server applies each once).
    fn resend_pending(&self) {
        let inner = self.inner();
        let inner = inner.borrow();
        if let (true, Some(ws), Some(sync)) = (inner.welcomed, &inner.ws, &inner.sync) {
            for p in sync.pending() {
                let _ = ws.send_with_str(&to_json(&ClientMsg::Submit(p.batch.clone())));
            }
        }
    }

    fn on_open(&self) {
        let inner = self.inner();
        let inner = inner.borrow();
        let hello = ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            last_seq: inner.sync.as_ref().map(|s| s.seq()),
            client_id: Some(browser::client_id()),
            name: Some(browser::display_name(self.i18n.t(T::Guest))),
        };
        if let Some(ws) = &inner.ws {
            let _ = ws.send_with_str(&to_json(&hello));
        }
    }

    fn on_message(&self, text: &str) {
        let Ok(msg) = serde_json::from_str::<ServerMsg>(text) else {
            return;
        };
        let kind = match &msg {
            ServerMsg::Welcome { .. } => Kind::Welcome,
            ServerMsg::Applied(_) => Kind::Applied,
            _ => Kind::Other,
        };
        let inner_rc = self.inner();
        let mut inner = inner_rc.borrow_mut();
        match msg {
            ServerMsg::Welcome {
                board,
                seq,
                batches,
                peers,
                role,
                you,
                actor,
                crowd,
                listed,
                now,
                dots,
                ..
            } => {
                if now > 0 {
                    self.clock_offset.set(now as f64 - js_sys::Date::now());
                }
                self.my_dots.set((None, dots));
                // Servers before roles let everyone edit.
                let role = Some(role.unwrap_or(Role::Editor));
                if self.role.get_untracked() != role {
                    self.role.set(role);
                }
                let me = actor.parse::<uuid::Uuid>().ok();
                if self.actor.get_untracked() != me {
                    self.actor.set(me);
                }
                let ok = match (inner.sync.as_mut(), board) {
                    (Some(sync), board) => {
                        sync.set_actor(&actor);
                        sync.on_welcome(board, seq, &batches).is_ok()
                    }
                    (None, Some(board)) => {
                        let mut sync = SyncState::new(board, seq);
                        sync.set_actor(&actor);
                        let ok = sync.on_welcome(None, seq, &batches).is_ok();
                        sync.restore_pending(std::mem::take(&mut inner.restored));
                        inner.sync = Some(sync);
                        ok
                    }
                    (None, None) => false,
                };
                if !ok {
                    drop(inner);
                    self.resync_from_snapshot();
                    return;
                }
                inner.welcomed = true;
                inner.attempt = 0;
                inner.presence_in.clear();
                (inner.you, inner.listed, inner.crowd) = (you, listed, crowd);
                self.update_crowd(&inner);
                self.peers
                    .set(peers.into_iter().map(|p| (p.session, p)).collect());
                self.set_status(Status::Online);
            }
            ServerMsg::Applied(a) => {
                let ok = inner
                    .sync
                    .as_mut()
                    .is_some_and(|s| s.on_applied(&a).is_ok());
                if !ok {
                    drop(inner);
                    self.resync_from_snapshot();
                    return;
                }
            }
            ServerMsg::Rejected {
                code: RejectCode::RateLimited,
                ..
            } => {
                // Not refused for what it says: keep it and send it again.
                let conn = *self;
                conn.after(move || conn.resend_pending(), Duration::from_secs(1));
            }
            ServerMsg::Rejected {
                client_op_id, code, ..
            } => {
                if let Some(sync) = inner.sync.as_mut() {
                    sync.on_rejected(client_op_id);
                }
                self.notice
                    .set(Some(self.refused(refusal_text(self.i18n, code))));
            }
            ServerMsg::Error { code, .. } => match code {
                ErrorCode::NotFound => self.set_status(Status::NotFound),
                ErrorCode::AccessRevoked => self.set_status(Status::Revoked),
                ErrorCode::BoardDeleted => self.set_status(Status::Deleted),
                _ => self.notice.set(Some(error_text(self.i18n, code).into())),
            },
            ServerMsg::Resync => {
                if let Some(ws) = &inner.ws {
                    let _ = ws.close();
                }
            }
            // Presence is shown at most once a frame, however many people
            // move at once.
            ServerMsg::Presence(peer) if peer.session == inner.you => {
                // Our own presence: we were moved from the crowd to the list.
                if !inner.listed {
                    inner.listed = true;
                    self.update_crowd(&inner);
                }
                return;
            }
            ServerMsg::Crowd { count } => {
                inner.crowd = count;
                self.update_crowd(&inner);
                return;
            }
            ServerMsg::Presence(peer) => {
                inner.presence_in.push((peer.session, Some(peer)));
                drop(inner);
                self.flush_presence_soon();
                return;
            }
            ServerMsg::PeerLeft { session } => {
                inner.presence_in.push((session, None));
                drop(inner);
                self.flush_presence_soon();
                return;
            }
            ServerMsg::Pong => {}
            ServerMsg::Dots { vote, mine, .. } => {
                self.my_dots.set((Some(vote), mine));
                return;
            }
            ServerMsg::VoteProgress { vote, voters, dots } => {
                self.vote_progress.set(Some((vote, voters, dots)));
                return;
            }
        }
        drop(inner);
        match kind {
            // Others' edits can arrive hundreds of times a second in a big
            // workshop: show them at most once a frame, not once a message.
            Kind::Applied => self.publish_soon(),
            _ => self.publish(),
        }
        match kind {
            Kind::Welcome => {
                // What was pending before the connection (re)opened.
                self.resend_pending();
                self.save_snapshot();
            }
            Kind::Applied => self.schedule_snapshot(),
            Kind::Other => {}
        }
    }

    /// Our confirmed state cannot follow the server any more: keep the
    /// pending edits, drop the rest, and ask for a fresh snapshot.
    fn resync_from_snapshot(&self) {
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        if let Some(sync) = inner.sync.take() {
            inner.restored = sync.pending().to_vec();
        }
        if let Some(ws) = &inner.ws {
            let _ = ws.close();
        }
    }

    /// Others counted beyond the listed peers.
    fn update_crowd(&self, inner: &Inner) {
        let others = inner.crowd.saturating_sub(u32::from(!inner.listed));
        if self.crowd.get_untracked() != others {
            self.crowd.set(others);
        }
    }

    fn on_close(&self) {
        {
            let inner = self.inner();
            let mut inner = inner.borrow_mut();
            inner.welcomed = false;
            inner.ws = None;
            inner.presence_in.clear();
            self.peers.set(BTreeMap::new());
            self.crowd.set(0);
        }
        if self.status.get_untracked().is_final() {
            return;
        }
        self.schedule_reconnect();
    }

    fn schedule_reconnect(&self) {
        let conn = *self;
        let attempt = {
            let inner = self.inner();
            let mut inner = inner.borrow_mut();
            inner.attempt += 1;
            inner.attempt
        };
        let online = window().navigator().on_line();
        self.set_status(if online {
            Status::Reconnecting
        } else {
            Status::Offline
        });
        // 0.5 s, 1 s, 2 s ... capped at 10 s, with jitter so that a restarted
        // server is not hit by every client at the same instant.
        let base = (500.0 * 2f64.powi(attempt.min(5) as i32 - 1)).min(10_000.0);
        let delay = base * (0.5 + js_sys::Math::random() * 0.5);
        let generation = self.inner().borrow().generation;
        conn.after(
            move || {
                // Skip if something else (the `online` event) reconnected meanwhile.
                if conn.inner().borrow().generation == generation {
                    conn.connect();
                }
            },
            Duration::from_millis(delay as u64),
        );
    }

    /// Pushes the current view to the UI and saves pending edits.
    fn flush_presence_soon(&self) {
        let conn = *self;
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        if inner.presence_flush {
            return;
        }
        inner.presence_flush = true;
        conn.after(
            move || {
                let updates = {
                    let inner = conn.inner();
                    let mut inner = inner.borrow_mut();
                    inner.presence_flush = false;
                    std::mem::take(&mut inner.presence_in)
                };
                conn.peers.update(|p| {
                    for (session, peer) in updates {
                        match peer {
                            Some(peer) => p.insert(session, peer),
                            None => p.remove(&session),
                        };
                    }
                });
            },
            Duration::from_millis(16),
        );
    }

    /// `publish` within the next frame (16 ms), once however many
    /// messages arrive meanwhile.
    fn publish_soon(&self) {
        let conn = *self;
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        if !inner.publish_timer {
            inner.publish_timer = true;
            conn.after(
                move || {
                    conn.inner().borrow_mut().publish_timer = false;
                    conn.publish();
                },
                Duration::from_millis(16),
            );
        }
    }

    fn publish(&self) {
        let inner = self.inner();
        let inner = inner.borrow();
        let Some(sync) = &inner.sync else { return };
        self.board.set(Some(sync.view().clone()));
        self.unsynced.set(sync.pending().len());
        let key = pending_key(inner.id);
        if sync.pending().is_empty() {
            browser::storage_remove(&key);
        } else if let Ok(json) = serde_json::to_string(sync.pending()) {
            browser::storage_set(&key, &json);
        }
    }
}

fn to_json(msg: &ClientMsg) -> String {
    serde_json::to_string(msg).unwrap_or_default()
}

impl Connection {
    /// "Change not saved: <reason>", in the UI language.
    fn refused(&self, reason: &str) -> String {
        format!("{}: {reason}", self.i18n.t(T::Refused))
    }
}

/// A refused batch in the UI language, from its code. The server's
/// message is English and may name ids, so it is never shown.
pub fn refusal_text(i18n: I18n, code: RejectCode) -> &'static str {
    i18n.t(match code {
        RejectCode::TooLong => T::TooLong,
        RejectCode::NotFound => T::DeletedBySomeone,
        RejectCode::Forbidden => T::ViewOnlyRefused,
        RejectCode::AlreadyExists => T::RefusedExists,
        RejectCode::LimitReached => T::RefusedLimit,
        RejectCode::Invalid => T::RefusedInvalid,
        RejectCode::BatchSize => T::RefusedTooMuch,
        RejectCode::RateLimited => T::RefusedRate,
        RejectCode::StorageError => T::RefusedStorage,
        RejectCode::Unknown => T::RefusedOther,
    })
}

/// An `error` in the UI language, from its code (as `refusal_text`).
fn error_text(i18n: I18n, code: ErrorCode) -> &'static str {
    i18n.t(match code {
        ErrorCode::Forbidden => T::ViewOnlyRefused,
        ErrorCode::InvalidPresence | ErrorCode::Malformed | ErrorCode::Unsupported => {
            T::RefusedInvalid
        }
        ErrorCode::TooLarge => T::RefusedTooMuch,
        ErrorCode::RateLimited => T::RefusedRate,
        ErrorCode::Unavailable => T::RefusedStorage,
        ErrorCode::NotFound => T::DeletedBySomeone,
        ErrorCode::VoteClosed => T::VoteClosed,
        ErrorCode::NoDotsLeft => T::NoDotsLeft,
        ErrorCode::OnePerCard => T::OnePerCard,
        ErrorCode::NotInVote => T::NotInVote,
        ErrorCode::AlreadyJoined
        | ErrorCode::HelloExpected
        | ErrorCode::ProtocolMismatch
        | ErrorCode::BoardDeleted
        | ErrorCode::AccessRevoked
        | ErrorCode::Unknown => T::RefusedOther,
    })
}
