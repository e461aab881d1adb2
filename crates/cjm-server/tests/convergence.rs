//! Randomized convergence, seeded and reproducible: eight real websocket
//! clients run the real client sync logic (`cjm_core::sync`) against the
//! real `cjm` process, making random creates, edits (many of the same card),
//! moves and deletes, dropping and resuming connections, while the server
//! is killed with SIGKILL and restarted midway. At the end every client's
//! state equals the database snapshot, and every batch that was ever
//! acknowledged is in the op log.
//!
//! Reproduce a failure with `CJM_SEED=<seed> cargo test -p cjm-server --test convergence`.

mod common;

use std::collections::BTreeSet;

use std::time::{Duration, Instant};

use cjm_core::protocol::{ClientMsg, PROTOCOL_VERSION, ServerMsg};
use cjm_core::sync::SyncState;
use cjm_core::*;
use common::{Client, Db, Process};
use uuid::Uuid;

/// A small deterministic PRNG (xorshift64*), so a seed replays a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Sim {
    name: String,
    /// A guest of the board (editor link), the same across restarts.
    cookie: String,
    sync: Option<SyncState>,
    ws: Option<Client>,
    /// client_op_ids the server acknowledged to this client.
    acked: BTreeSet<ClientOpId>,
}

impl Sim {
    async fn connect(&mut self, server: &Process, board: BoardId) {
        let Ok(Ok((ws, _))) = tokio::time::timeout(
            Duration::from_secs(2),
            tokio_tungstenite::connect_async(common::ws_request(
                server.addr,
                board,
                Some(&self.cookie),
            )),
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
    async fn pump(&mut self, wait: Duration) {
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
    fn random_ops(&self, rng: &mut Rng, shared: CardId) -> Option<Vec<Op>> {
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

async fn converge(backend: &str) {
    let seed: u64 = std::env::var("CJM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_CAFE);
    println!("seed {seed}");
    let mut rng = Rng(seed | 1);
    let db = Db::new(backend).await;
    // The system picks the port and the server says which; the restart
    // after the crash binds that same port (a port found free by binding
    // and closing it first could be taken by anyone before the server).
    let mut server = Process::spawn_on(&db.url(), "127.0.0.1:0").await;
    let addr = server.addr.to_string();
    let board = server.create_board("classic").await;
    let shared_card = Card::new(
        board.stages_in_order()[0].id,
        board.lanes_in_order()[0].id,
        OrderKey::first(),
        "shared",
        Color::Pink,
    );
    let shared = shared_card.id;

    let mut sims: Vec<Sim> = Vec::new();
    for i in 0..8 {
        let name = format!("c{i}");
        sims.push(Sim {
            cookie: common::guest_cookie(server.addr, board.id, &name).await,
            name,
            sync: None,
            ws: None,
            acked: BTreeSet::new(),
        });
    }
    for s in &mut sims {
        s.connect(&server, board.id).await;
        s.pump(Duration::from_millis(200)).await;
    }
    {
        let s = &mut sims[0];
        let batch = s
            .sync
            .as_mut()
            .unwrap()
            .propose(vec![Op::CreateCard(shared_card)], 0)
            .unwrap();
        s.ws.as_mut().unwrap().send(&ClientMsg::Submit(batch)).await;
    }

    const STEPS: usize = 600;
    for step in 0..STEPS {
        if step == STEPS / 2 {
            // SIGKILL: no graceful shutdown, no flush. Then restart.
            server.child.start_kill().unwrap();
            server.child.wait().await.unwrap();
            server = Process::spawn_on(&db.url(), &addr).await;
        }
        let i = rng.below(sims.len());
        let s = &mut sims[i];
        if s.ws.is_none() {
            s.connect(&server, board.id).await;
            continue;
        }
        match rng.below(20) {
            0 => s.ws = None, // drop the connection abruptly
            1..=3 => s.pump(Duration::from_millis(5)).await,
            _ => {
                if let Some(ops) = s.random_ops(&mut rng, shared)
                    && let Ok(batch) = s.sync.as_mut().unwrap().propose(ops, 0)
                    && !s
                        .ws
                        .as_mut()
                        .unwrap()
                        .try_send(&ClientMsg::Submit(batch))
                        .await
                {
                    s.ws = None;
                }
            }
        }
    }

    // Settle: everyone connected, nothing pending, everyone at the last seq.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            Instant::now() < deadline,
            "clients did not settle within 30 s"
        );
        for s in &mut sims {
            if s.ws.is_none() {
                s.connect(&server, board.id).await;
            }
            s.pump(Duration::from_millis(20)).await;
        }
        let (_, seq) = server.snapshot(board.id).await;
        let settled = sims.iter().all(|s| {
            s.ws.is_some()
                && s.sync
                    .as_ref()
                    .is_some_and(|y| y.pending().is_empty() && y.seq() == seq)
        });
        if settled {
            break;
        }
    }

    let (stored, seq) = server.snapshot(board.id).await;
    assert!(
        seq > 100,
        "only {seq} batches were committed: the run is too tame"
    );
    assert!(
        stored
            .comments
            .values()
            .any(|c| !c.reactions.is_empty() || c.parent.is_some()),
        "the run made no replies or reactions: {} comments",
        stored.comments.len()
    );
    for s in &sims {
        let sync = s.sync.as_ref().unwrap();
        assert_eq!(
            sync.confirmed(),
            &stored,
            "{} diverged from the database",
            s.name
        );
        assert_eq!(sync.view(), &stored, "{}'s view diverged", s.name);
    }
    let store = cjm_store::connect(&db.url()).await.unwrap();
    let acked: Vec<ClientOpId> = sims.iter().flat_map(|s| s.acked.iter().copied()).collect();
    let found = store.find_batches(board.id, &acked).await.unwrap();
    assert_eq!(
        found.len(),
        acked.len(),
        "an acknowledged batch is missing from the op log"
    );
    println!(
        "{backend}: {seq} batches committed, {} acknowledged to their senders",
        acked.len()
    );
    drop(server);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_random_clients_converge_across_kill_9_on_sqlite() {
    converge("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_random_clients_converge_across_kill_9_on_postgres() {
    converge("postgres").await;
}
