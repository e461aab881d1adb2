//! Randomized runs of the real server in-process, over many seeds, on a
//! store that fails on purpose (`common::faulty_store`): loads, op-log
//! lookups and commits fail by the seed's dice, and some commits are
//! written but reported failed. Three simulated clients (the real client
//! sync logic over real websockets) edit one board at random meanwhile,
//! drop and resume their connections, and resend what is pending after
//! every welcome. After each run, with the faults off, every client has
//! settled on the stored board and every batch acknowledged to its sender
//! is in the op log: a failure never loses an acknowledged edit nor leaves
//! a client believing something the server does not hold.
//!
//! CI runs 50 seeds on SQLite and 5 on Postgres; `CJM_SEEDS=1000` runs
//! more, and `CJM_SEED=<n>` replays one. A failing run names its seed.
//! (The seed fixes the edits and the faults' dice; the order in which the
//! server's tasks interleave is the machine's, so a replay retraces the
//! same run closely but not to the instruction.)

#[macro_use]
mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use cjm_core::*;
use common::faulty_store::{FaultyStore, Rates};
use common::sim::{self, Rng};
use common::{Db, TestServer};
use futures_util::FutureExt;

const CLIENTS: usize = 3;
const STEPS: usize = 80;

/// What one run did, for the summary line.
#[derive(Default)]
struct Outcome {
    seq: u64,
    acked: usize,
    faults: u64,
}

async fn run(backend: &str, seed: u64) -> Outcome {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let db = Db::new(backend).await;
    let inner = cjm_store::connect(&db.url()).await.unwrap();
    let rates = Rates {
        load: 30,
        find: 60,
        commit: 60,
        commit_lost: 40,
    };
    let store = FaultyStore::new(inner.clone(), seed, rates);
    let server = TestServer::start_on(store.clone(), Default::default()).await;
    let (board, _) = server.create_board("classic").await;
    let shared_card = Card::new(
        board.stages_in_order()[0].id,
        board.lanes_in_order()[0].id,
        OrderKey::first(),
        "shared",
        Color::Pink,
    );
    let shared = shared_card.id;
    let mut sims = sim::guests(server.addr, board.id, CLIENTS).await;
    sim::start(&mut sims, server.addr, board.id, shared_card).await;

    store.set_faults(true);
    for _ in 0..STEPS {
        let s = &mut sims[rng.below(CLIENTS)];
        if s.ws.is_none() {
            s.connect(server.addr, board.id).await;
            continue;
        }
        match rng.below(16) {
            0 => s.ws = None,
            1..=4 => s.pump(Duration::from_millis(3)).await,
            _ => s.edit(&mut rng, shared).await,
        }
    }
    store.set_faults(false);

    let seq = sim::settle(&mut sims, server.addr, board.id, Duration::from_secs(20)).await;
    let (stored, _) = server.snapshot(board.id).await;
    let acked = sim::assert_converged(&sims, &stored, inner.as_ref()).await;
    let outcome = Outcome {
        seq,
        acked,
        faults: store.injected.load(Ordering::SeqCst),
    };
    drop(sims);
    server.stop().await;
    db.cleanup().await;
    outcome
}

/// The seeds to run: `CJM_SEED` alone, else `CJM_SEEDS` (or `default`) of them.
fn seeds(default: u64) -> Vec<u64> {
    if let Some(one) = std::env::var("CJM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![one];
    }
    let n = std::env::var("CJM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    (1..=n).collect()
}

async fn many_seeds(backend: &str, default: u64) {
    let (mut runs, mut faults, mut batches, mut acked) = (0, 0, 0, 0);
    for seed in seeds(default) {
        let outcome = std::panic::AssertUnwindSafe(run(backend, seed))
            .catch_unwind()
            .await;
        match outcome {
            Ok(o) => {
                runs += 1;
                faults += o.faults;
                batches += o.seq;
                acked += o.acked;
            }
            Err(e) => {
                let why = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!(
                    "{backend} seed {seed} failed: {why}\nreplay: CJM_SEED={seed} cargo test -p cjm-server --test randomized"
                );
            }
        }
    }
    println!(
        "{backend}: {runs} seeds, {faults} injected faults, {batches} batches committed, {acked} acknowledged to their senders"
    );
    assert!(runs > 0);
    // The dice must have hit: a run of many seeds without faults tests
    // nothing the other tests do not.
    assert!(
        faults > 0 || runs < 5,
        "no fault was injected in {runs} runs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_clients_converge_over_a_failing_store_on_sqlite() {
    many_seeds("sqlite", 50).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_clients_converge_over_a_failing_store_on_postgres() {
    many_seeds("postgres", 5).await;
}
