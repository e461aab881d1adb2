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

use std::time::Duration;

use cjm_core::*;
use common::sim::{self, Rng};
use common::{Db, Process};

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

    let mut sims = sim::guests(server.addr, board.id, 8).await;
    sim::start(&mut sims, server.addr, board.id, shared_card).await;

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
            s.connect(server.addr, board.id).await;
            continue;
        }
        match rng.below(20) {
            0 => s.ws = None, // drop the connection abruptly
            1..=3 => s.pump(Duration::from_millis(5)).await,
            _ => s.edit(&mut rng, shared).await,
        }
    }

    // Settle: everyone connected, nothing pending, everyone at the last seq.
    sim::settle(&mut sims, server.addr, board.id, Duration::from_secs(30)).await;

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
    let store = cjm_store::connect(&db.url()).await.unwrap();
    let acked = sim::assert_converged(&sims, &stored, store.as_ref()).await;
    println!("{backend}: {seq} batches committed, {acked} acknowledged to their senders");
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
