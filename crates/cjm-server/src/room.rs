//! One room per open board: a task that owns the board state and its
//! sessions, and is the only writer of that board.
//!
//! For each group of queued batches it checks idempotency, applies each
//! batch to the in-memory board (a failing batch is rejected alone), stores
//! all accepted batches in one transaction (group commit) and only then
//! broadcasts `applied` — the sender's acknowledgement. If the commit fails,
//! the board is reloaded from the store and the batches are rejected, so the
//! memory never holds anything the database does not.
//!
//! Everything the room sends goes through one ring shared by all its
//! connections (`tokio::sync::broadcast`): a message is encoded and held
//! once however many people are on the board, the room never waits for a
//! connection, and a connection that falls `BACKLOG` items behind finds out
//! (`Lagged`) and tells its client to resync.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use cjm_core::protocol::{PEERS_LISTED, PROTOCOL_VERSION, Peer, Presence, ServerMsg};
use cjm_core::{
    ApplyCtx, Batch, Board, BoardId, CardId, ClientOpId, ErrorCode, Op, OpError, RejectCode, VoteId,
};
use cjm_store::{NewBatch, Store, StoreError};
use serde_json::value::RawValue;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::access::{Access, Grant};
use crate::clock::now_ms;
use crate::rooms::{JoinError, Registry, deregister, deregister_if_idle};

/// At most this many queued commands are handled (and committed) together.
const MAX_GROUP: usize = 256;
/// Tries to commit a group when the store fails in other ways (a resend
/// found in the op log, an error worth one more try).
const MAX_COMMIT_ATTEMPTS: u32 = 5;
/// How long a group keeps trying while other instances move the board: a
/// stale commit is no error of the batch's, so it is retried (each time on
/// the board as the others left it) until this much time has passed.
const STALE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);
/// A reconnecting client that missed more than this gets a snapshot.
const CATCH_UP_LIMIT: u64 = 1_000;
/// Items a connection may fall behind the room before it must resync. An
/// item is a message or a whole group's messages, so at 5,000 batches a
/// second this is seconds of slack.
pub const BACKLOG: usize = 1024;
/// Client op ids this room committed, remembered to answer resends without
/// asking the store (the store's unique index is what guarantees it).
const RECENT_IDS: usize = 1024;
/// The crowd count is announced at most this often.
const CROWD_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// Presence is relayed at most this often (coalescing).
const PRESENCE_TICK: std::time::Duration = std::time::Duration::from_millis(50);

/// What the room sends its connections; each connection picks its own.
#[derive(Clone, Debug)]
pub enum Outgoing {
    /// For everyone.
    All(Utf8Bytes),
    /// For everyone, in order: a group's `applied` messages, each with the
    /// session that sent the batch (0: none here). For that session the
    /// message is its acknowledgement and leaves at once.
    Applied(Arc<[(u64, Utf8Bytes)]>),
    /// A presence tick: each message is about the session beside it and
    /// goes to everyone but that session (0: to everyone).
    Peers(Arc<[(u64, Utf8Bytes)]>),
    /// For one session.
    To(u64, Utf8Bytes),
    /// Ends one session (`None`: all). `why` goes out first, then `resync`.
    Kick {
        session: Option<u64>,
        why: Option<Utf8Bytes>,
    },
}

/// A session's place in the room: the welcome to send first, then
/// everything from `outbound`.
pub struct Joined {
    pub welcome: Utf8Bytes,
    pub outbound: broadcast::Receiver<Outgoing>,
}

pub enum RoomCmd {
    Join {
        session: u64,
        who: Access,
        last_seq: Option<u64>,
        reply: oneshot::Sender<Result<Joined, JoinError>>,
    },
    Submit {
        session: u64,
        batch: Batch,
    },
    Presence {
        session: u64,
        presence: Presence,
    },
    /// A dot placed or taken back in the board's vote (see `Room::dot`).
    Dot {
        session: u64,
        vote: VoteId,
        card: CardId,
        add: bool,
    },
    Leave {
        session: u64,
    },
    /// A batch the server makes (an import, its undo), built from the
    /// room's board when its turn comes, so that nothing changes between
    /// reading the board and applying the batch. It is not bounded by
    /// `MAX_OPS_PER_BATCH` (see `cjm_core::check_batch_size`).
    ServerBatch {
        actor: Arc<str>,
        build: BuildOps,
        reply: oneshot::Sender<Result<Option<u64>, ServerBatchError>>,
    },
    /// Another server instance committed this board up to `seq`.
    Remote {
        seq: u64,
    },
    /// Access through `grant` was taken away (`removed`) or changed: those
    /// sessions leave the room; a changed one reconnects with its new role.
    Revoke {
        grant: Grant,
        removed: bool,
    },
    /// Sessions of `user` ended (sign-out of the session `session`, or
    /// all of them: `None`): the sockets they opened leave, and their
    /// clients reconnect with whatever access they have left.
    EndSessions {
        user: uuid::Uuid,
        session: Option<u64>,
    },
    /// The board was deleted.
    Close,
    Shutdown,
}

/// Makes a server batch's ops from the board as it is in the room.
pub type BuildOps = Box<dyn FnOnce(&Board) -> Vec<Op> + Send>;

/// Why a server batch was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ServerBatchError {
    /// The board refused it (it changed since the batch was planned).
    #[error("{0}")]
    Refused(OpError),
    #[error("the board could not be saved; nothing was changed")]
    Storage,
    #[error("board not found")]
    NotFound,
}

struct Member {
    actor: Arc<str>,
    name: String,
    grant: Grant,
    /// The account and session key this socket was opened with.
    account: Option<(uuid::Uuid, u64)>,
    editor: bool,
    presence: Presence,
}

struct Room {
    board: Board,
    seq: u64,
    /// Server time of the last batch; batch times never go backwards.
    last_at: i64,
    store: Arc<dyn Store>,
    members: HashMap<u64, Member>,
    out: broadcast::Sender<Outgoing>,
    /// The sessions relayed to everyone (the first `PEERS_LISTED`, in join
    /// order); the other members are counted.
    listed: BTreeSet<u64>,
    /// Listed members whose presence changed since the last tick.
    dirty: BTreeSet<u64>,
    /// The crowd count the members were last told, and when.
    crowd_told: (u32, std::time::Instant),
    /// Something for the next presence tick.
    presence_news: bool,
    recent: RecentIds,
}

/// The last `RECENT_IDS` client op ids committed here, with their seqs.
#[derive(Default)]
struct RecentIds {
    seqs: HashMap<ClientOpId, u64>,
    order: VecDeque<ClientOpId>,
}

impl RecentIds {
    fn insert(&mut self, id: ClientOpId, seq: u64) {
        if self.order.len() == RECENT_IDS
            && let Some(old) = self.order.pop_front()
        {
            self.seqs.remove(&old);
        }
        self.order.push_back(id);
        self.seqs.insert(id, seq);
    }

    fn get(&self, id: &ClientOpId) -> Option<u64> {
        self.seqs.get(id).copied()
    }
}

pub fn encode(msg: &ServerMsg) -> Utf8Bytes {
    // Our own message types always serialise.
    Utf8Bytes::from(serde_json::to_string(msg).unwrap_or_default())
}

/// A batch's ops as JSON text, made once per batch for both the op log
/// and the broadcast.
fn ops_json(ops: &[Op]) -> Box<RawValue> {
    // Our own op types always serialise; `[]` is never reached.
    serde_json::value::to_raw_value(ops)
        .unwrap_or_else(|_| RawValue::from_string("[]".into()).expect("valid JSON"))
}

/// `ServerMsg::Applied` as `encode` writes it, with the ops already
/// serialised (`NewBatch::ops`) instead of serialising them again.
pub fn encode_applied(
    seq: u64,
    actor: &str,
    client_op_id: ClientOpId,
    at: i64,
    ops: &RawValue,
) -> Utf8Bytes {
    #[derive(serde::Serialize)]
    struct AppliedText<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        seq: u64,
        actor: &'a str,
        client_op_id: ClientOpId,
        at: i64,
        ops: &'a RawValue,
    }
    let text = AppliedText {
        kind: "applied",
        seq,
        actor,
        client_op_id,
        at,
        ops,
    };
    Utf8Bytes::from(serde_json::to_string(&text).unwrap_or_default())
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
        out: broadcast::channel(BACKLOG).0,
        listed: BTreeSet::new(),
        dirty: BTreeSet::new(),
        crowd_told: (0, std::time::Instant::now()),
        presence_news: false,
        recent: RecentIds::default(),
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
            _ = tick.tick(), if room.presence_news => {
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
                RoomCmd::Submit { session, mut batch } => {
                    room.stamp_authors(session, &mut batch);
                    if room.stamp_results(session, &mut batch).await {
                        group.push((session, batch));
                    }
                }
                RoomCmd::Presence { session, presence } => room.set_presence(session, presence),
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
                            reply,
                        } => room.join(session, who, last_seq, reply).await,
                        RoomCmd::Revoke { grant, removed } => room.revoke(grant, removed),
                        RoomCmd::EndSessions { user, session } => room.end_sessions(user, session),
                        RoomCmd::Leave { session } => room.leave(session),
                        RoomCmd::ServerBatch {
                            actor,
                            build,
                            reply,
                        } => {
                            let ops = build(&room.board);
                            let (ok, outcome) = room.server_batch(&actor, ops).await;
                            let _ = reply.send(outcome);
                            if !ok {
                                deregister(&registry, id, generation);
                                return;
                            }
                        }
                        RoomCmd::Dot {
                            session,
                            vote,
                            card,
                            add,
                        } => room.dot(session, vote, card, add).await,
                        RoomCmd::Remote { seq } => {
                            if !room.catch_up(seq).await {
                                deregister(&registry, id, generation);
                                return;
                            }
                        }
                        RoomCmd::Close => {
                            room.broadcast(&ServerMsg::Error {
                                code: ErrorCode::BoardDeleted,
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
        reply: oneshot::Sender<Result<Joined, JoinError>>,
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
        let listed = self.listed.len() < PEERS_LISTED;
        let crowd = self.crowd() + u32::from(!listed);
        let welcome = ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            seq: self.seq,
            actor: who.actor.clone(),
            you: session,
            board: catch_up.is_none().then(|| self.board.clone()),
            batches: catch_up.unwrap_or_default(),
            peers: self
                .listed
                .iter()
                .filter_map(|s| self.members.get(s).map(|m| m.peer(*s)))
                .collect(),
            crowd,
            listed,
            role: Some(who.role),
            now: now_ms(),
            dots: self.dots_of(&who.actor).await,
        };
        let member = Member {
            actor: who.actor.into(),
            name: who.name,
            grant: who.grant,
            account: who.account,
            editor: who.role.can_edit(),
            presence: Presence::default(),
        };
        // Announced before the joiner subscribes: it is not told about itself.
        if listed {
            self.broadcast(&ServerMsg::Presence(member.peer(session)));
        }
        let joined = Joined {
            welcome: encode(&welcome),
            outbound: self.out.subscribe(),
        };
        self.members.insert(session, member);
        if listed {
            self.listed.insert(session);
        } else {
            self.presence_news = true;
        }
        if reply.send(Ok(joined)).is_err() {
            self.leave(session); // the connection is gone already
            return;
        }
        // A late joiner sees how far a running vote has got.
        if let Some(vote) = self.board.vote.as_deref().filter(|v| v.results.is_none())
            && let Ok((voters, dots)) = self.store.vote_progress(self.board.id, vote.id).await
        {
            let progress = ServerMsg::VoteProgress {
                vote: vote.id,
                voters,
                dots,
            };
            self.send_to(session, &progress);
        }
    }

    /// People on the board who are counted, not listed.
    fn crowd(&self) -> u32 {
        (self.members.len() - self.listed.len()) as u32
    }

    fn set_presence(&mut self, session: u64, presence: Presence) {
        if let Some(m) = self.members.get_mut(&session)
            && m.presence != presence
        {
            m.presence = presence;
            // A counted member's presence is kept for when it is listed.
            if self.listed.contains(&session) {
                self.dirty.insert(session);
                self.presence_news = true;
            }
        }
    }

    /// A session ends: the others drop its cursor, and if it was listed a
    /// counted member (an editor first) takes its place.
    fn leave(&mut self, session: u64) {
        if self.members.remove(&session).is_none() {
            return;
        }
        self.dirty.remove(&session);
        if !self.listed.remove(&session) {
            self.presence_news = true;
            return;
        }
        self.broadcast(&ServerMsg::PeerLeft { session });
        let next = self
            .members
            .iter()
            .filter(|(s, _)| !self.listed.contains(s))
            .min_by_key(|&(&s, m)| (!m.editor, s))
            .map(|(&s, m)| (s, m.peer(s)));
        if let Some((s, peer)) = next {
            self.dirty.insert(s);
            self.listed.insert(s);
            // How the promoted member learns that it is listed now.
            self.send_to(s, &ServerMsg::Presence(peer));
        }
        self.presence_news = true;
    }

    /// Ends the sessions that came in through `grant`. A removed one is told
    /// why, so that its client stops instead of reconnecting.
    fn revoke(&mut self, grant: Grant, removed: bool) {
        let why = removed.then(|| {
            encode(&ServerMsg::Error {
                code: ErrorCode::AccessRevoked,
                message: "Your access to this board was removed.".into(),
            })
        });
        self.kick_where(|m| m.grant == grant, why);
    }

    /// Ends the sockets opened with the sessions that ended.
    fn end_sessions(&mut self, user: uuid::Uuid, session: Option<u64>) {
        self.kick_where(
            |m| {
                m.account
                    .is_some_and(|(u, k)| u == user && session.is_none_or(|s| s == k))
            },
            None,
        );
    }

    /// Ends the sessions of the members `which` picks: each is told `why`
    /// (if any) and `resync`, and leaves the room.
    fn kick_where(&mut self, which: impl Fn(&Member) -> bool, why: Option<Utf8Bytes>) {
        let sessions: Vec<u64> = self
            .members
            .iter()
            .filter(|(_, m)| which(m))
            .map(|(&s, _)| s)
            .collect();
        for session in sessions {
            self.send(Outgoing::Kick {
                session: Some(session),
                why: why.clone(),
            });
            self.leave(session);
        }
    }

    fn send(&self, item: Outgoing) {
        // An error only means nobody is listening.
        let _ = self.out.send(item);
    }

    fn broadcast(&self, msg: &ServerMsg) {
        self.send(Outgoing::All(encode(msg)));
    }

    fn send_applied(&self, texts: Vec<(u64, Utf8Bytes)>) {
        if !texts.is_empty() {
            self.send(Outgoing::Applied(texts.into()));
        }
    }

    fn send_to(&self, session: u64, msg: &ServerMsg) {
        self.send(Outgoing::To(session, encode(msg)));
    }

    /// Relays changed presence and the crowd count, once per tick at most,
    /// as one item for everyone.
    fn relay_presence(&mut self) {
        self.presence_news = false;
        let mut texts: Vec<(u64, Utf8Bytes)> = Vec::with_capacity(self.dirty.len() + 1);
        for s in std::mem::take(&mut self.dirty) {
            if let Some(m) = self.members.get(&s) {
                texts.push((s, encode(&ServerMsg::Presence(m.peer(s)))));
            }
        }
        // Every count goes to everyone: while a crowd streams in, once a
        // second is enough.
        let crowd = self.crowd();
        if crowd != self.crowd_told.0 {
            if self.crowd_told.1.elapsed() >= CROWD_EVERY {
                self.crowd_told = (crowd, std::time::Instant::now());
                texts.push((0, encode(&ServerMsg::Crowd { count: crowd })));
            } else {
                self.presence_news = true;
            }
        }
        if !texts.is_empty() {
            self.send(Outgoing::Peers(texts.into()));
        }
    }

    /// A comment's author name is the sender's, as this server knows it
    /// (the author id is the batch's actor, see `ApplyCtx`).
    fn stamp_authors(&self, session: u64, batch: &mut Batch) {
        let Some(member) = self.members.get(&session) else {
            return;
        };
        for op in &mut batch.ops {
            if let Op::AddComment(c) = op {
                c.author_name.clone_from(&member.name);
            }
        }
    }

    /// A person's dots in the board's running vote (none when there is no
    /// vote, or the store cannot say: the client then starts from none).
    async fn dots_of(&self, actor: &str) -> Vec<CardId> {
        let (Some(vote), Ok(person)) = (&self.board.vote, actor.parse::<uuid::Uuid>()) else {
            return Vec::new();
        };
        if vote.results.is_some() {
            return Vec::new();
        }
        self.store
            .vote_dots(self.board.id, vote.id, person)
            .await
            .unwrap_or_default()
    }

    /// Fills in the results of a `reveal_vote` from the dots in the store
    /// (what the client sent is replaced). False, with the batch refused,
    /// when the store cannot count them.
    async fn stamp_results(&self, session: u64, batch: &mut Batch) -> bool {
        for op in &mut batch.ops {
            if let Op::RevealVote { id, results } = op {
                match self.store.vote_tally(self.board.id, *id).await {
                    Ok(tally) => *results = tally,
                    Err(e) => {
                        tracing::warn!(board = %self.board.id, error = %e, "counting the votes failed");
                        self.send_to(
                            session,
                            &ServerMsg::Rejected {
                                client_op_id: batch.client_op_id,
                                code: RejectCode::StorageError,
                                message: "the votes could not be counted; try again".into(),
                            },
                        );
                        return false;
                    }
                }
            }
        }
        true
    }

    /// One dot: checked against the running vote and the person's dots,
    /// stored, then the person gets their dots and everyone the progress
    /// (never who put a dot where: that waits for the reveal).
    async fn dot(&mut self, session: u64, vote_id: VoteId, card: CardId, add: bool) {
        let Some(member) = self.members.get(&session) else {
            return;
        };
        let (actor, name) = (member.actor.clone(), member.name.clone());
        let refuse = |code: ErrorCode, message: &str| ServerMsg::Error {
            code,
            message: message.into(),
        };
        let Some(vote) = self.board.vote.clone().filter(|v| v.id == vote_id) else {
            return self.send_to(session, &refuse(ErrorCode::VoteClosed, "this vote is over"));
        };
        if !vote.is_open(now_ms()) {
            return self.send_to(
                session,
                &refuse(ErrorCode::VoteClosed, "this vote takes no more dots"),
            );
        }
        let Some(c) = self.board.cards.get(&card) else {
            return self.send_to(
                session,
                &refuse(ErrorCode::NotInVote, "this card is not on the board"),
            );
        };
        if !vote.covers(c.stage_id, c.lane_id) {
            return self.send_to(
                session,
                &refuse(ErrorCode::NotInVote, "this card is not part of the vote"),
            );
        }
        let Ok(person) = actor.parse::<uuid::Uuid>() else {
            return;
        };
        let Ok(mut mine) = self.store.vote_dots(self.board.id, vote.id, person).await else {
            return self.send_to(
                session,
                &refuse(
                    ErrorCode::Unavailable,
                    "the dot could not be saved; try again",
                ),
            );
        };
        let on_card = mine.iter().filter(|c| **c == card).count();
        if add && mine.len() >= usize::from(vote.dots_per_person) {
            return self.send_to(
                session,
                &refuse(ErrorCode::NoDotsLeft, "you have placed all your dots"),
            );
        }
        if add && on_card > 0 && !vote.several_per_card {
            return self.send_to(
                session,
                &refuse(ErrorCode::OnePerCard, "one dot per card in this vote"),
            );
        }
        if !add && on_card == 0 {
            return self.send_to(
                session,
                &refuse(ErrorCode::NotInVote, "you have no dot on this card"),
            );
        }
        let dot = cjm_store::Dot {
            board: self.board.id,
            vote: vote.id,
            person,
            name: &name,
            card,
            add,
        };
        if self.store.put_dot(&dot).await.is_err() {
            return self.send_to(
                session,
                &refuse(
                    ErrorCode::Unavailable,
                    "the dot could not be saved; try again",
                ),
            );
        }
        // The person's dots now: those read above with this one placed or
        // taken back (in the store's order, by card id).
        if add {
            mine.push(card);
            mine.sort();
        } else if let Some(i) = mine.iter().position(|c| *c == card) {
            mine.remove(i);
        }
        let left = u32::from(vote.dots_per_person).saturating_sub(mine.len() as u32);
        // Every socket of this person shows the same dots.
        let own: Vec<u64> = self
            .members
            .iter()
            .filter(|(_, m)| m.actor == actor)
            .map(|(s, _)| *s)
            .collect();
        for s in own {
            self.send_to(
                s,
                &ServerMsg::Dots {
                    vote: vote.id,
                    mine: mine.clone(),
                    left,
                },
            );
        }
        if let Ok((voters, dots)) = self.store.vote_progress(self.board.id, vote.id).await {
            self.broadcast(&ServerMsg::VoteProgress {
                vote: vote.id,
                voters,
                dots,
            });
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
        // Resends of batches committed here are answered from memory; older
        // ones are caught by the store, which then writes nothing and says
        // which (`AlreadyStored`), and the group is tried again without them.
        let mut fresh: Vec<(u64, Batch)> = Vec::new();
        let mut seen_here: HashSet<ClientOpId> = HashSet::new();
        let mut repeats: Vec<(u64, ClientOpId)> = Vec::new();
        for (session, batch) in group.drain(..) {
            if self.recent.get(&batch.client_op_id).is_some()
                || !seen_here.insert(batch.client_op_id)
            {
                repeats.push((session, batch.client_op_id));
            } else {
                fresh.push((session, batch));
            }
        }
        let mut attempt = 0;
        let started = std::time::Instant::now();
        loop {
            attempt += 1;
            let at = now_ms().max(self.last_at);
            self.last_at = at;
            let mut accepted: Vec<usize> = Vec::new();
            let mut refused: Vec<(usize, OpError)> = Vec::new();
            let mut news = Vec::new();
            let mut changes = BTreeSet::new();
            for (i, (session, batch)) in fresh.iter().enumerate() {
                match self
                    .board
                    .apply(&batch.ops, ApplyCtx::by(at, &self.actor(*session)))
                {
                    Ok(touched) => {
                        changes.extend(touched);
                        news.push(NewBatch {
                            client_op_id: batch.client_op_id,
                            actor: self.actor(*session).to_string(),
                            at,
                            ops: ops_json(&batch.ops),
                        });
                        accepted.push(i);
                    }
                    Err(e) => refused.push((i, e)),
                }
            }
            // A refused batch may be a resend of one committed long ago (its
            // create now finds the card there): the op log says, and the
            // sender gets its original `applied`, not a refusal.
            if !refused.is_empty() {
                let ids: Vec<ClientOpId> = refused
                    .iter()
                    .map(|(i, _)| fresh[*i].1.client_op_id)
                    .collect();
                match self.store.find_batches(self.board.id, &ids).await {
                    Ok(stored) => refused.retain(|(i, _)| {
                        let (session, batch) = &fresh[*i];
                        match stored.get(&batch.client_op_id) {
                            Some(seq) => {
                                self.recent.insert(batch.client_op_id, *seq);
                                repeats.push((*session, batch.client_op_id));
                                false
                            }
                            None => true,
                        }
                    }),
                    Err(e) => {
                        tracing::warn!(board = %self.board.id, error = %e, "cannot look up resent batches");
                    }
                }
            }
            match self
                .store
                .commit(&self.board, self.seq, &news, &changes)
                .await
            {
                Ok(seqs) => {
                    for (i, e) in refused {
                        let (session, batch) = &fresh[i];
                        let msg = ServerMsg::Rejected {
                            client_op_id: batch.client_op_id,
                            code: e.code(),
                            message: e.to_string(),
                        };
                        self.send_to(*session, &msg);
                    }
                    let mut texts = Vec::with_capacity(seqs.len());
                    for ((i, seq), new) in accepted.into_iter().zip(seqs).zip(news) {
                        self.seq = seq;
                        let batch = &fresh[i].1;
                        self.recent.insert(batch.client_op_id, seq);
                        let applied =
                            encode_applied(seq, &new.actor, batch.client_op_id, at, &new.ops);
                        texts.push((fresh[i].0, applied));
                    }
                    self.send_applied(texts);
                    break;
                }
                Err(StoreError::Stale { current }) if started.elapsed() < STALE_PATIENCE => {
                    tracing::debug!(board = %self.board.id, current, attempt, "board moved on elsewhere; catching up");
                    stale_pause(attempt).await;
                    if !self.reload_and_forward().await {
                        return false;
                    }
                }
                Err(StoreError::AlreadyStored(stored)) if attempt < MAX_COMMIT_ATTEMPTS => {
                    // Undo the group in memory, answer the resends, retry.
                    if !self.reload_and_forward().await {
                        return false;
                    }
                    fresh.retain(|(session, batch)| match stored.get(&batch.client_op_id) {
                        Some(_) => {
                            repeats.push((*session, batch.client_op_id));
                            false
                        }
                        None => true,
                    });
                    for (id, seq) in stored {
                        self.recent.insert(id, seq);
                    }
                }
                Err(e) => {
                    tracing::error!(board = %self.board.id, error = %e, "commit failed");
                    if !self.reload_and_forward().await {
                        return false;
                    }
                    if fresh.len() > 1 {
                        // The failure may be one batch's doing: each is
                        // committed alone, so that only that one is refused
                        // and a bystander's edit in the same group is not.
                        for one in fresh.drain(..) {
                            if !Box::pin(self.flush(&mut vec![one])).await {
                                return false;
                            }
                        }
                    } else {
                        for (session, batch) in &fresh {
                            self.reject_storage(*session, batch.client_op_id);
                        }
                    }
                    break;
                }
            }
        }
        for (session, id) in repeats {
            if let Some(seq) = self.recent.get(&id) {
                self.resend_original(session, seq).await;
            }
        }
        true
    }

    /// Applies and commits a batch the server made, alone (not grouped:
    /// it may be large), and tells everyone. Returns false with the outcome
    /// if the room can no longer trust its state.
    async fn server_batch(
        &mut self,
        actor: &str,
        ops: Vec<Op>,
    ) -> (bool, Result<Option<u64>, ServerBatchError>) {
        if ops.is_empty() {
            return (true, Ok(None));
        }
        let client_op_id = ClientOpId::new();
        let mut attempt = 0;
        let started = std::time::Instant::now();
        loop {
            attempt += 1;
            let at = now_ms().max(self.last_at);
            self.last_at = at;
            let changes = match self.board.apply(&ops, ApplyCtx::by(at, actor)) {
                Ok(c) => c,
                Err(e) => return (true, Err(ServerBatchError::Refused(e))),
            };
            let news = [NewBatch {
                client_op_id,
                actor: actor.to_string(),
                at,
                ops: ops_json(&ops),
            }];
            match self
                .store
                .commit(&self.board, self.seq, &news, &changes)
                .await
            {
                Ok(seqs) => {
                    let Some(&seq) = seqs.first() else {
                        return (true, Err(ServerBatchError::Storage));
                    };
                    self.seq = seq;
                    self.recent.insert(client_op_id, seq);
                    let applied = encode_applied(seq, actor, client_op_id, at, &news[0].ops);
                    self.send_applied(vec![(0, applied)]);
                    return (true, Ok(Some(seq)));
                }
                Err(StoreError::Stale { .. }) if started.elapsed() < STALE_PATIENCE => {
                    // Another instance moved the board: try on its state.
                    stale_pause(attempt).await;
                    if !self.reload_and_forward().await {
                        return (false, Err(ServerBatchError::Storage));
                    }
                }
                Err(e) => {
                    tracing::error!(board = %self.board.id, error = %e, "commit of a server batch failed");
                    let alive = self.reload_and_forward().await;
                    return (alive, Err(ServerBatchError::Storage));
                }
            }
        }
    }

    /// A resent batch: answer with the original `applied`, apply nothing.
    /// When the op log cannot be read just now, the sender is sent to
    /// `resync`: refusing a batch that is stored would be a lie, and saying
    /// nothing would leave it waiting for an answer forever, while after a
    /// new `hello` it resends the batch and asks again (found by the
    /// randomized test over a failing store).
    async fn resend_original(&mut self, session: u64, seq: u64) {
        match self.store.ops_since(self.board.id, seq - 1, 1).await {
            Ok(mut v) if !v.is_empty() => {
                let original = v.remove(0);
                self.send_to(session, &ServerMsg::Applied(original));
            }
            // Compacted away (older than the log keeps ops): the sender's
            // welcome snapshot holds its effect already.
            Ok(_) => {}
            Err(e) => {
                tracing::error!(board = %self.board.id, error = %e, "cannot read op log");
                self.send(Outgoing::Kick {
                    session: Some(session),
                    why: None,
                });
            }
        }
    }

    fn reject_storage(&mut self, session: u64, client_op_id: ClientOpId) {
        self.send_to(
            session,
            &ServerMsg::Rejected {
                client_op_id,
                code: RejectCode::StorageError,
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
                    let texts = batches
                        .into_iter()
                        .map(|a| (0, encode(&ServerMsg::Applied(a))))
                        .collect();
                    self.send_applied(texts);
                }
                _ => {
                    // Cannot tell them what they missed: everyone resyncs.
                    self.send(Outgoing::Kick {
                        session: None,
                        why: None,
                    });
                    self.members.clear();
                    self.listed.clear();
                    self.dirty.clear();
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
                if a.seq != self.seq + 1
                    || self
                        .board
                        .apply(&a.ops, ApplyCtx::by(a.at, &a.actor))
                        .is_err()
                {
                    return self.reload_and_forward().await;
                }
                self.seq = a.seq;
                self.last_at = self.last_at.max(a.at);
                self.recent.insert(a.client_op_id, a.seq);
                self.broadcast(&ServerMsg::Applied(a));
            }
        }
        true
    }
}

/// A short random pause before a stale group tries again, growing with
/// the attempts (up to 16 ms), so that instances racing for one board
/// stop colliding in step.
async fn stale_pause(attempt: u32) {
    if attempt <= 1 {
        return;
    }
    let cap = 1u64 << attempt.min(4);
    let jitter = (uuid::Uuid::now_v7().as_u128() as u64) % (cap + 1);
    tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
}

#[cfg(test)]
mod tests {
    use cjm_core::protocol::Applied;
    use cjm_core::{Batch, Card, Color, LaneId, Op, OrderKey, StageId};

    use super::*;

    #[test]
    fn applied_from_the_op_log_text_is_what_the_typed_message_encodes() {
        let ops = vec![
            Op::SetBoardTitle {
                title: "Ünïcode \"quoted\" \\ title".into(),
            },
            Op::CreateCard(Card::new(
                StageId::new(),
                LaneId::new(),
                OrderKey::first(),
                "a card\nwith </script> in it",
                Color::Yellow,
            )),
            Op::DeleteCard { id: CardId::new() },
        ];
        let batch = Batch::new(ops.clone());
        let typed = encode(&ServerMsg::Applied(Applied {
            seq: 42,
            actor: "ana".into(),
            client_op_id: batch.client_op_id,
            at: 1_700_000_000_000,
            ops,
        }));
        let spliced = encode_applied(
            42,
            "ana",
            batch.client_op_id,
            1_700_000_000_000,
            &ops_json(&batch.ops),
        );
        assert_eq!(spliced, typed);
    }
}
