//! One room per open board: a task that owns the board state and its
//! sessions, and is the only writer of that board.
//!
//! For each group of queued batches it checks idempotency, applies each
//! batch to the in-memory board (a failing batch is rejected alone), stores
//! all accepted batches in one transaction (group commit) and only then
//! broadcasts `applied` — the sender's acknowledgement. If the commit fails,
//! the board is reloaded from the store and the batches are rejected, so the
//! memory never holds anything the database does not.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use cjm_core::protocol::{Applied, PROTOCOL_VERSION, Peer, Presence, ServerMsg};
use cjm_core::{ApplyCtx, Batch, Board, BoardId, ClientOpId, OpError};
use cjm_store::{Committed, NewBatch, Store, StoreError};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::access::{Access, Via};
use crate::clock::now_ms;
use crate::rooms::{JoinError, Registry, deregister, deregister_if_idle};

/// At most this many queued commands are handled (and committed) together.
const MAX_GROUP: usize = 256;
/// Tries to commit a group against a board that other instances keep moving.
const MAX_COMMIT_ATTEMPTS: u32 = 5;
/// A reconnecting client that missed more than this gets a snapshot.
const CATCH_UP_LIMIT: u64 = 1_000;

pub enum RoomCmd {
    Join {
        session: u64,
        who: Access,
        last_seq: Option<u64>,
        out: mpsc::Sender<Utf8Bytes>,
        reply: oneshot::Sender<Result<(), JoinError>>,
    },
    Submit {
        session: u64,
        batch: Batch,
    },
    Presence {
        session: u64,
        presence: Presence,
    },
    Leave {
        session: u64,
    },
    /// Another server instance committed this board up to `seq`.
    Remote {
        seq: u64,
    },
    /// Access through `via` was taken away (`removed`) or changed: those
    /// sessions leave the room; a changed one reconnects with its new role.
    Revoke {
        via: Via,
        removed: bool,
    },
    /// The board was deleted.
    Close,
    Shutdown,
}

struct Member {
    actor: Arc<str>,
    name: String,
    via: Via,
    out: mpsc::Sender<Utf8Bytes>,
    presence: Presence,
    /// Presence changed since it was last relayed.
    dirty: bool,
}

/// Presence is relayed at most this often per member (coalescing).
const PRESENCE_TICK: std::time::Duration = std::time::Duration::from_millis(50);

struct Room {
    board: Board,
    seq: u64,
    /// Server time of the last batch; batch times never go backwards.
    last_at: i64,
    store: Arc<dyn Store>,
    members: HashMap<u64, Member>,
    /// Members dropped because they fell behind; the others are told.
    dropped: Vec<u64>,
}

pub fn encode(msg: &ServerMsg) -> Utf8Bytes {
    // Our own message types always serialise.
    Utf8Bytes::from(serde_json::to_string(msg).unwrap_or_default())
}

pub(crate) async fn run(
    id: BoardId,
    store: Arc<dyn Store>,
    mut rx: mpsc::Receiver<RoomCmd>,
    registry: Registry,
    generation: u64,
) {
    let (board, seq) = match store.load_board(id).await {
        Ok(Some(loaded)) => loaded,
        outcome => {
            let err = match outcome {
                Err(e) => {
                    tracing::error!(board = %id, error = %e, "cannot load board");
                    JoinError::Unavailable("the board could not be loaded".into())
                }
                _ => JoinError::NotFound,
            };
            deregister(&registry, id, generation);
            rx.close();
            while let Some(cmd) = rx.recv().await {
                if let RoomCmd::Join { reply, .. } = cmd {
                    let _ = reply.send(Err(err.clone()));
                }
            }
            return;
        }
    };
    tracing::debug!(board = %id, seq, "room opened");
    let mut room = Room {
        board,
        seq,
        last_at: 0,
        store,
        members: HashMap::new(),
        dropped: Vec::new(),
    };
    let mut group: Vec<(u64, Batch)> = Vec::new();
    let mut tick = tokio::time::interval(PRESENCE_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let first = tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(cmd) => cmd,
                None => break,
            },
            _ = tick.tick(), if room.members.values().any(|m| m.dirty) => {
                room.relay_presence();
                continue;
            }
        };
        let mut cmds = vec![first];
        while cmds.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(cmd) => cmds.push(cmd),
                Err(_) => break,
            }
        }
        for cmd in cmds {
            match cmd {
                RoomCmd::Submit { session, batch } => group.push((session, batch)),
                RoomCmd::Presence { session, presence } => {
                    if let Some(m) = room.members.get_mut(&session)
                        && m.presence != presence
                    {
                        m.presence = presence;
                        m.dirty = true;
                    }
                }
                other => {
                    // Everything queued before a join or leave is committed
                    // first, so a joiner's snapshot includes it.
                    if !room.flush(&mut group).await {
                        deregister(&registry, id, generation);
                        return;
                    }
                    match other {
                        RoomCmd::Join {
                            session,
                            who,
                            last_seq,
                            out,
                            reply,
                        } => room.join(session, who, last_seq, out, reply).await,
                        RoomCmd::Revoke { via, removed } => room.revoke(via, removed),
                        RoomCmd::Leave { session } => {
                            if room.members.remove(&session).is_some() {
                                room.dropped.push(session);
                            }
                        }
                        RoomCmd::Remote { seq } => {
                            if !room.catch_up(seq).await {
                                deregister(&registry, id, generation);
                                return;
                            }
                        }
                        RoomCmd::Close => {
                            room.broadcast(&ServerMsg::Error {
                                code: "board_deleted".into(),
                                message: "This board was deleted.".into(),
                            });
                            deregister(&registry, id, generation);
                            return;
                        }
                        RoomCmd::Shutdown => return,
                        RoomCmd::Submit { .. } | RoomCmd::Presence { .. } => {
                            unreachable!("handled above")
                        }
                    }
                }
            }
        }
        if !room.flush(&mut group).await {
            deregister(&registry, id, generation);
            return;
        }
        room.announce_departures();
        if room.members.is_empty() && deregister_if_idle(&registry, id, generation, &rx) {
            tracing::debug!(board = %id, "room closed");
            return;
        }
    }
}

impl Member {
    fn peer(&self, session: u64) -> Peer {
        Peer {
            session,
            actor: self.actor.to_string(),
            name: self.name.clone(),
            presence: self.presence.clone(),
        }
    }
}

impl Room {
    async fn join(
        &mut self,
        session: u64,
        who: Access,
        last_seq: Option<u64>,
        out: mpsc::Sender<Utf8Bytes>,
        reply: oneshot::Sender<Result<(), JoinError>>,
    ) {
        // The batches the client missed if the op log has them all, else a
        // snapshot of the whole board.
        let missed = last_seq.filter(|&s| s <= self.seq && self.seq - s <= CATCH_UP_LIMIT);
        let catch_up = match missed {
            Some(s) if s == self.seq => Some(Vec::new()),
            Some(s) => match self.store.ops_since(self.board.id, s, CATCH_UP_LIMIT).await {
                Ok(batches) if batches.len() as u64 == self.seq - s => Some(batches),
                _ => None,
            },
            None => None,
        };
        let welcome = ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            seq: self.seq,
            actor: who.actor.clone(),
            you: session,
            board: catch_up.is_none().then(|| self.board.clone()),
            batches: catch_up.unwrap_or_default(),
            peers: self.members.iter().map(|(&s, m)| m.peer(s)).collect(),
            role: Some(who.role),
        };
        if out.try_send(encode(&welcome)).is_err() {
            let _ = reply.send(Err(JoinError::Unavailable("connection closed".into())));
            return;
        }
        let member = Member {
            actor: who.actor.into(),
            name: who.name,
            via: who.via,
            out,
            presence: Presence::default(),
            dirty: false,
        };
        let joined = ServerMsg::Presence(member.peer(session));
        self.broadcast(&joined);
        self.members.insert(session, member);
        let _ = reply.send(Ok(()));
    }

    /// Ends the sessions that came in through `via`. Their send loops see
    /// the room hang up; a removed one is told why first, so that its client
    /// stops instead of reconnecting.
    fn revoke(&mut self, via: Via, removed: bool) {
        let gone = ServerMsg::Error {
            code: "access_revoked".into(),
            message: "Your access to this board was removed.".into(),
        };
        let text = encode(&gone);
        let dropped = &mut self.dropped;
        self.members.retain(|&s, m| {
            if m.via != via {
                return true;
            }
            if removed {
                let _ = m.out.try_send(text.clone());
            }
            dropped.push(s);
            false
        });
    }

    /// Sends to everyone; a member whose queue is full is dropped (its
    /// connection then tells the client to resync).
    fn broadcast(&mut self, msg: &ServerMsg) {
        self.broadcast_except(None, msg);
    }

    fn broadcast_except(&mut self, except: Option<u64>, msg: &ServerMsg) {
        let text = encode(msg);
        let dropped = &mut self.dropped;
        self.members.retain(|&s, m| {
            let keep = Some(s) == except || m.out.try_send(text.clone()).is_ok();
            if !keep {
                dropped.push(s);
            }
            keep
        });
    }

    /// Relays changed presence to everyone else, once per tick at most.
    fn relay_presence(&mut self) {
        let changed: Vec<(u64, Peer)> = self
            .members
            .iter_mut()
            .filter(|(_, m)| m.dirty)
            .map(|(&s, m)| {
                m.dirty = false;
                (s, m.peer(s))
            })
            .collect();
        for (session, peer) in changed {
            self.broadcast_except(Some(session), &ServerMsg::Presence(peer));
        }
        self.announce_departures();
    }

    /// Tells everyone about members that left or were dropped, so that no
    /// ghost cursor stays behind.
    fn announce_departures(&mut self) {
        while let Some(session) = self.dropped.pop() {
            self.broadcast(&ServerMsg::PeerLeft { session });
        }
    }

    fn send_to(&mut self, session: u64, msg: &ServerMsg) {
        let full = self
            .members
            .get(&session)
            .is_some_and(|m| m.out.try_send(encode(msg)).is_err());
        if full {
            self.members.remove(&session);
            self.dropped.push(session);
        }
    }

    fn actor(&self, session: u64) -> Arc<str> {
        self.members
            .get(&session)
            .map(|m| m.actor.clone())
            .unwrap_or_else(|| "unknown".into())
    }

    /// Commits a group of batches. Returns false if the room can no longer
    /// trust its state (store unreachable even for a reload).
    async fn flush(&mut self, group: &mut Vec<(u64, Batch)>) -> bool {
        if group.is_empty() {
            return true;
        }
        let ids: Vec<ClientOpId> = group.iter().map(|(_, b)| b.client_op_id).collect();
        let known = match self.store.find_batches(self.board.id, &ids).await {
            Ok(known) => known,
            Err(e) => {
                tracing::error!(board = %self.board.id, error = %e, "idempotency check failed");
                for (session, batch) in group.drain(..) {
                    self.reject_storage(session, batch.client_op_id);
                }
                return true;
            }
        };
        let mut fresh: Vec<(u64, Batch)> = Vec::new();
        let mut seen_here: HashSet<ClientOpId> = HashSet::new();
        let mut repeats: Vec<(u64, ClientOpId)> = Vec::new();
        for (session, batch) in group.drain(..) {
            if let Some(&seq) = known.get(&batch.client_op_id) {
                self.resend_original(session, seq).await;
            } else if !seen_here.insert(batch.client_op_id) {
                repeats.push((session, batch.client_op_id));
            } else {
                fresh.push((session, batch));
            }
        }
        // Another server instance may commit to this board between our
        // apply and our commit; the store then refuses (`Stale`), we catch
        // up and apply the group again on the newer state.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let at = now_ms().max(self.last_at);
            self.last_at = at;
            let mut accepted: Vec<usize> = Vec::new();
            let mut refused: Vec<(usize, OpError)> = Vec::new();
            let mut news = Vec::new();
            let mut changes = BTreeSet::new();
            for (i, (session, batch)) in fresh.iter().enumerate() {
                match self.board.apply(&batch.ops, ApplyCtx { at }) {
                    Ok(touched) => {
                        changes.extend(touched);
                        news.push(NewBatch {
                            client_op_id: batch.client_op_id,
                            actor: self.actor(*session).to_string(),
                            at,
                            ops: serde_json::to_value(&batch.ops).unwrap_or_default(),
                        });
                        accepted.push(i);
                    }
                    Err(e) => refused.push((i, e)),
                }
            }
            let outcome = if news.is_empty() {
                Ok(Vec::new())
            } else {
                self.store
                    .commit(&self.board, self.seq, &news, &changes)
                    .await
            };
            match outcome {
                Ok(outcomes) if outcomes.iter().all(|c| matches!(c, Committed::New(_))) => {
                    for (e_index, e) in refused {
                        let (session, batch) = &fresh[e_index];
                        let msg = ServerMsg::Rejected {
                            client_op_id: batch.client_op_id,
                            code: e.code().into(),
                            message: e.to_string(),
                        };
                        self.send_to(*session, &msg);
                    }
                    for (i, (outcome, new)) in
                        accepted.into_iter().zip(outcomes.into_iter().zip(news))
                    {
                        self.seq = outcome.seq();
                        let batch = &fresh[i].1;
                        self.broadcast(&ServerMsg::Applied(Applied {
                            seq: outcome.seq(),
                            actor: new.actor,
                            client_op_id: batch.client_op_id,
                            at,
                            ops: batch.ops.clone(),
                        }));
                    }
                    break;
                }
                Err(StoreError::Stale { current }) if attempt < MAX_COMMIT_ATTEMPTS => {
                    tracing::debug!(board = %self.board.id, current, "board moved on elsewhere; catching up");
                    if !self.reload_and_forward().await {
                        return false;
                    }
                }
                outcome => {
                    match outcome {
                        Err(e) => {
                            tracing::error!(board = %self.board.id, error = %e, "commit failed")
                        }
                        Ok(_) => {
                            tracing::warn!(board = %self.board.id, "batch stored elsewhere meanwhile")
                        }
                    }
                    if !self.reload_and_forward().await {
                        return false;
                    }
                    for (session, batch) in &fresh {
                        self.reject_storage(*session, batch.client_op_id);
                    }
                    break;
                }
            }
        }
        for (session, id) in repeats {
            if let Ok(found) = self.store.find_batches(self.board.id, &[id]).await
                && let Some(&seq) = found.get(&id)
            {
                self.resend_original(session, seq).await;
            }
        }
        true
    }

    /// A resent batch: answer with the original `applied`, apply nothing.
    async fn resend_original(&mut self, session: u64, seq: u64) {
        match self.store.ops_since(self.board.id, seq - 1, 1).await {
            Ok(mut v) if !v.is_empty() => {
                let original = v.remove(0);
                self.send_to(session, &ServerMsg::Applied(original));
            }
            other => {
                if let Err(e) = other {
                    tracing::error!(board = %self.board.id, error = %e, "cannot read op log");
                }
            }
        }
    }

    fn reject_storage(&mut self, session: u64, client_op_id: ClientOpId) {
        self.send_to(
            session,
            &ServerMsg::Rejected {
                client_op_id,
                code: "storage_error".into(),
                message: "The change could not be saved. Please try again.".into(),
            },
        );
    }

    /// Replaces the in-memory board with the stored one (undoing anything
    /// applied but not committed) and forwards to the members the batches
    /// other instances committed meanwhile. False if the store cannot be read.
    async fn reload_and_forward(&mut self) -> bool {
        let old_seq = self.seq;
        let Ok(Some((board, seq))) = self.store.load_board(self.board.id).await else {
            return false;
        };
        self.board = board;
        if seq > old_seq {
            match self
                .store
                .ops_since(self.board.id, old_seq, seq - old_seq)
                .await
            {
                Ok(batches) if batches.len() as u64 == seq - old_seq => {
                    for a in batches {
                        self.broadcast(&ServerMsg::Applied(a));
                    }
                }
                _ => {
                    // Cannot tell them what they missed: drop them all; each
                    // connection tells its client to resync.
                    self.members.clear();
                    self.dropped.clear();
                }
            }
        }
        self.seq = seq;
        true
    }

    /// Another instance committed up to `seq`: apply what we have not seen.
    async fn catch_up(&mut self, seq: u64) -> bool {
        while self.seq < seq {
            let batches = match self
                .store
                .ops_since(self.board.id, self.seq, CATCH_UP_LIMIT)
                .await
            {
                Ok(b) if !b.is_empty() => b,
                _ => return self.reload_and_forward().await,
            };
            for a in batches {
                if a.seq != self.seq + 1 || self.board.apply(&a.ops, ApplyCtx { at: a.at }).is_err()
                {
                    return self.reload_and_forward().await;
                }
                self.seq = a.seq;
                self.last_at = self.last_at.max(a.at);
                self.broadcast(&ServerMsg::Applied(a));
            }
        }
        true
    }
}
