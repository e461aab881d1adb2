//! A simulated client for randomized tests: the real client sync logic
//! (`cjm_core::sync`) over a real websocket, making random edits that are
//! valid against its own view, resending what is pending after every
//! welcome, and counting what the server acknowledged to it.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, ServerMsg};
use cjm_core::sync::SyncState;
use cjm_core::*;
use uuid::Uuid;

use super::Client;

/// A small deterministic PRNG (xorshift64*), so a seed replays a run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub struct Sim {
    pub name: String,
    /// A guest of the board (editor link), the same across restarts.
    pub cookie: String,
    pub sync: Option<SyncState>,
    pub ws: Option<Client>,
    /// client_op_ids the server acknowledged to this client.
    pub acked: BTreeSet<ClientOpId>,
}

impl Sim {
    /// Connects to the server at `addr` and says hello (resuming from its
    /// last seq); leaves `ws` empty when the server is down.
    pub async fn connect(&mut self, addr: SocketAddr, board: BoardId) {
        let Ok(Ok((ws, _))) = tokio::time::timeout(
            Duration::from_secs(2),
            tokio_tungstenite::connect_async(super::ws_request(addr, board, Some(&self.cookie))),
        )
        .await
        else {
            return; // server down: try again later
        };
        let mut client = Client { ws };
        let last_seq = self.sync.as_ref().map(|s| s.seq());
        let hello = ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            last_seq,
            client_id: Some(self.name.clone()),
            name: None,
        };
        if client.try_send(&hello).await {
            self.ws = Some(client);
        }
    }

    /// Handles everything that has arrived (drops the socket if it died).
    pub async fn pump(&mut self, wait: Duration) {
        loop {
            let Some(ws) = self.ws.as_mut() else { return };
            let msg =
                match tokio::time::timeout(wait, futures_util::StreamExt::next(&mut ws.ws)).await {
                    Err(_) => return, // nothing more for now
                    Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) => {
                        serde_json::from_str::<ServerMsg>(&t).expect("valid server message")
                    }
                    Ok(Some(Ok(_))) => continue,
                    Ok(_) => {
                        self.ws = None;
                        return;
                    }
                };
            match msg {
                ServerMsg::Welcome {
                    board,
                    seq,
                    batches,
                    actor,
                    ..
                } => {
                    for a in &batches {
                        self.note_ack(a.client_op_id);
                    }
                    let ok = match (self.sync.as_mut(), board) {
                        (Some(sync), board) => {
                            sync.set_actor(&actor);
                            sync.on_welcome(board, seq, &batches).is_ok()
                        }
                        (None, Some(board)) => {
                            let mut sync = SyncState::new(board, seq);
                            sync.set_actor(&actor);
                            self.sync = Some(sync);
                            true
                        }
                        (None, None) => false,
                    };
                    assert!(ok, "{}: welcome did not apply", self.name);
                    // Resend what is still pending, with the same ids.
                    let pending: Vec<Batch> = self
                        .sync
                        .as_ref()
                        .unwrap()
                        .pending()
                        .iter()
                        .map(|p| p.batch.clone())
                        .collect();
                    for b in pending {
                        let ws = self.ws.as_mut().unwrap();
                        if !ws.try_send(&ClientMsg::Submit(b)).await {
                            self.ws = None;
                            return;
                        }
                    }
                }
                ServerMsg::Applied(a) => {
                    self.note_ack(a.client_op_id);
                    let sync = self.sync.as_mut().expect("welcome first");
                    sync.on_applied(&a)
                        .unwrap_or_else(|_| panic!("{}: gap at seq {}", self.name, a.seq));
                }
                ServerMsg::Rejected { client_op_id, .. } => {
                    if let Some(sync) = self.sync.as_mut() {
                        sync.on_rejected(client_op_id);
                    }
                }
                ServerMsg::Resync => {
                    self.ws = None;
                    return;
                }
                _ => {}
            }
        }
    }

    /// One random edit, applied locally and sent (the socket is dropped if
    /// sending fails).
    pub async fn edit(&mut self, rng: &mut Rng, shared: CardId) {
        if let Some(ops) = self.random_ops(rng, shared)
            && let Some(sync) = self.sync.as_mut()
            && let Ok(batch) = sync.propose(ops, 0)
            && let Some(ws) = self.ws.as_mut()
            && !ws.try_send(&ClientMsg::Submit(batch)).await
        {
            self.ws = None;
        }
    }

    fn note_ack(&mut self, id: ClientOpId) {
        let mine = self
            .sync
            .as_ref()
            .is_some_and(|s| s.pending().iter().any(|p| p.batch.client_op_id == id));
        if mine {
            self.acked.insert(id);
        }
    }

    /// A random edit, valid against this client's current view.
    pub fn random_ops(&self, rng: &mut Rng, shared: CardId) -> Option<Vec<Op>> {
        let view = self.sync.as_ref()?.view();
        let stages: Vec<StageId> = view.stages.keys().copied().collect();
        let lanes: Vec<LaneId> = view.lanes.keys().copied().collect();
        let cards: Vec<CardId> = view.cards.keys().copied().collect();
        let stage = stages[rng.below(stages.len())];
        let lane = lanes[rng.below(lanes.len())];
        let order = OrderKey::between(None, None);
        let pick = |rng: &mut Rng| {
            if cards.is_empty() {
                None
            } else {
                Some(cards[rng.below(cards.len())])
            }
        };
        let comments: Vec<&Comment> = view.comments.values().collect();
        let me: Uuid = self.sync.as_ref()?.actor().parse().ok()?;
        let op = match rng.below(15) {
            0..=2 => Op::CreateCard(Card::new(
                stage,
                lane,
                order,
                format!("{} {}", self.name, rng.below(1000)),
                Color::Yellow,
            )),
            3 | 4 => {
                // Conflicting edits: everyone writes the same card's text.
                let id = if view.cards.contains_key(&shared) {
                    shared
                } else {
                    pick(rng)?
                };
                let patch = CardPatch {
                    text: Some(format!("{} says {}", self.name, rng.below(1000))),
                    ..Default::default()
                };
                Op::UpdateCard { id, patch }
            }
            5 => {
                let patch = CardPatch {
                    color: Some(Color::ALL[rng.below(Color::ALL.len())]),
                    ..Default::default()
                };
                Op::UpdateCard {
                    id: pick(rng)?,
                    patch,
                }
            }
            6 | 7 => Op::MoveCard {
                id: pick(rng)?,
                stage_id: stage,
                lane_id: lane,
                order,
            },
            8 | 9 => {
                let id = pick(rng)?;
                if id == shared {
                    return None;
                }
                Op::DeleteCard { id }
            }
            // The conversation: threads and replies on live cards,
            // reactions, and edits and deletes of one's own comments and of
            // others' (which the server refuses: the sim drops them).
            10 => {
                let roots: Vec<&&Comment> = comments
                    .iter()
                    .filter(|c| c.parent.is_none() && view.target_exists(c.on))
                    .collect();
                let (on, parent) = match roots.get(rng.below(roots.len() + 1)) {
                    Some(root) => (root.on, Some(root.id)),
                    None => (CommentTarget::Card(pick(rng)?), None),
                };
                Op::AddComment(NewComment {
                    id: CommentId::new(),
                    on,
                    parent,
                    text: format!("{} notes {}", self.name, rng.below(1000)),
                    mentions: vec![me],
                    author_name: String::new(),
                })
            }
            11 => {
                let target = match comments.get(rng.below(comments.len() + 1)) {
                    Some(c) => ReactionTarget::Comment(c.id),
                    None => ReactionTarget::Card(pick(rng)?),
                };
                Op::React {
                    target,
                    emoji: REACTIONS[rng.below(REACTIONS.len())].to_string(),
                    add: rng.below(3) > 0,
                }
            }
            // The facilitator's timer, which several people press at once.
            13 => match rng.below(5) {
                0 => Op::StartTimer {
                    duration_ms: 60_000 * (1 + rng.below(10) as i64),
                },
                1 => Op::PauseTimer,
                2 => Op::ResumeTimer,
                3 => Op::ExtendTimer { ms: 60_000 },
                _ => Op::StopTimer,
            },
            12 => {
                let c = comments.get(rng.below(comments.len().max(1)))?;
                Op::EditComment {
                    id: c.id,
                    text: format!("{} edits {}", self.name, rng.below(1000)),
                    mentions: None,
                }
            }
            _ => {
                let c = comments.get(rng.below(comments.len().max(1)))?;
                if c.parent.is_none() && rng.below(2) == 0 {
                    Op::ResolveComment {
                        id: c.id,
                        resolved: !c.resolved,
                    }
                } else if c.author == me {
                    Op::DeleteComment { id: c.id }
                } else {
                    return None;
                }
            }
        };
        Some(vec![op])
    }
}

/// `n` guests of `board` (editor link) named c0, c1, …, not connected yet.
pub async fn guests(addr: SocketAddr, board: BoardId, n: usize) -> Vec<Sim> {
    let mut sims = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("c{i}");
        sims.push(Sim {
            cookie: super::guest_cookie(addr, board, &name).await,
            name,
            sync: None,
            ws: None,
            acked: BTreeSet::new(),
        });
    }
    sims
}

/// Connects everyone (welcome handled) and has `sims[0]` create `card`,
/// the card everyone's random edits fight over.
pub async fn start(sims: &mut [Sim], addr: SocketAddr, board: BoardId, card: Card) {
    for s in sims.iter_mut() {
        s.connect(addr, board).await;
        s.pump(Duration::from_millis(150)).await;
    }
    let s = &mut sims[0];
    let batch = s
        .sync
        .as_mut()
        .expect("a welcome")
        .propose(vec![Op::CreateCard(card)], 0)
        .unwrap();
    s.ws.as_mut().unwrap().send(&ClientMsg::Submit(batch)).await;
}

/// Reconnects and pumps until everyone is connected with nothing pending
/// at the stored seq; returns that seq. Past `patience`, panics with where
/// each client stands.
pub async fn settle(sims: &mut [Sim], addr: SocketAddr, board: BoardId, patience: Duration) -> u64 {
    let deadline = std::time::Instant::now() + patience;
    loop {
        for s in sims.iter_mut() {
            if s.ws.is_none() {
                s.connect(addr, board).await;
            }
            s.pump(Duration::from_millis(15)).await;
        }
        let (_, seq) = super::snapshot_at(addr, board).await;
        let settled = sims.iter().all(|s| {
            s.ws.is_some()
                && s.sync
                    .as_ref()
                    .is_some_and(|y| y.pending().is_empty() && y.seq() == seq)
        });
        if settled {
            return seq;
        }
        if std::time::Instant::now() > deadline {
            let states: Vec<String> = sims
                .iter()
                .map(|s| {
                    let sync = s.sync.as_ref();
                    format!(
                        "{}: connected {}, at seq {:?}, {} pending",
                        s.name,
                        s.ws.is_some(),
                        sync.map(|y| y.seq()),
                        sync.map_or(0, |y| y.pending().len())
                    )
                })
                .collect();
            panic!("the clients did not settle in {patience:?} (stored seq {seq}): {states:?}");
        }
    }
}

/// Every client's confirmed state and view are the stored board, and every
/// batch acknowledged to its sender is in `store`'s op log; returns how
/// many were acknowledged.
pub async fn assert_converged(sims: &[Sim], stored: &Board, store: &dyn cjm_store::Store) -> usize {
    for s in sims {
        let sync = s.sync.as_ref().unwrap();
        assert_eq!(
            sync.confirmed(),
            stored,
            "{} diverged from the database",
            s.name
        );
        assert_eq!(sync.view(), stored, "{}'s view diverged", s.name);
    }
    let acked: Vec<ClientOpId> = sims.iter().flat_map(|s| s.acked.iter().copied()).collect();
    let found = store.find_batches(stored.id, &acked).await.unwrap();
    assert_eq!(
        found.len(),
        acked.len(),
        "an acknowledged batch is missing from the op log"
    );
    acked.len()
}
