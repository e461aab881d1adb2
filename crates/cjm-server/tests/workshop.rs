//! The workshop timer through the real server, on SQLite and on Postgres:
//! the facilitator (an editor) runs it, a commenter cannot, its times are
//! the server's, and a late joiner's welcome has it with the server's clock.

mod common;

use cjm_core::Op;
use cjm_core::protocol::ServerMsg;
use cjm_core::workshop::Timer;
use common::*;

/// Sends `ops` and waits for their answer: the board's timer after the
/// batch and the batch's server time, or the refusal's code.
async fn run(c: &mut Client, ops: Vec<Op>) -> Result<i64, String> {
    let batch = c.submit(ops).await;
    loop {
        match c.recv().await {
            ServerMsg::Applied(a) if a.client_op_id == batch.client_op_id => return Ok(a.at),
            ServerMsg::Rejected {
                client_op_id, code, ..
            } if client_op_id == batch.client_op_id => return Err(code),
            _ => continue,
        }
    }
}

async fn timer(server: &TestServer, board: cjm_core::BoardId) -> Option<Timer> {
    server.snapshot(board).await.0.timer
}

async fn test_the_facilitator_runs_a_timer_everyone_sees(backend: &str) {
    let (db, server, board) = setup(backend, "blank").await;
    let mut facilitator = server.client(board.id, "Fay").await;
    facilitator.welcome().await;

    assert_eq!(
        run(&mut facilitator, vec![Op::PauseTimer]).await,
        Err("not_found".into())
    );
    assert_eq!(
        run(&mut facilitator, vec![Op::StartTimer { duration_ms: 10 }]).await,
        Err("invalid".into()),
        "under a second"
    );
    let started = run(
        &mut facilitator,
        vec![Op::StartTimer {
            duration_ms: 300_000,
        }],
    )
    .await
    .unwrap();
    let t = timer(&server, board.id).await.unwrap();
    assert_eq!(
        (t.duration_ms, t.ends_at),
        (300_000, Some(started + 300_000))
    );

    // Paused, it keeps what was left at the server's moment of the pause.
    let paused = run(&mut facilitator, vec![Op::PauseTimer]).await.unwrap();
    let t = timer(&server, board.id).await.unwrap();
    assert_eq!(t.ends_at, None);
    assert_eq!(t.remaining_ms, started + 300_000 - paused);
    // A minute more, then on again from there.
    run(&mut facilitator, vec![Op::ExtendTimer { ms: 60_000 }])
        .await
        .unwrap();
    let resumed = run(&mut facilitator, vec![Op::ResumeTimer]).await.unwrap();
    let t = timer(&server, board.id).await.unwrap();
    assert_eq!(
        t.ends_at,
        Some(resumed + started + 300_000 - paused + 60_000)
    );
    assert_eq!(t.duration_ms, 360_000);

    // A late joiner gets the timer and the server's clock to count with.
    let mut late = Client::connect(server.addr, board.id).await;
    late.hello().await;
    let ServerMsg::Welcome {
        board: Some(b),
        now,
        ..
    } = late.recv().await
    else {
        panic!("expected a welcome with the board");
    };
    assert_eq!(b.timer, Some(t));
    let local = cjm_server::clock::now_ms();
    assert!(
        (local - now).abs() < 5_000,
        "server time {now}, here {local}"
    );
    assert!(t.remaining(now) > 0 && t.remaining(now) <= 360_000);

    // A commenter or viewer cannot touch it.
    let mut viewer = Client::connect_with(
        server.addr,
        board.id,
        Some(&viewer_cookie(server.addr, board.id, "Vic").await),
    )
    .await;
    viewer.hello().await;
    viewer.welcome().await;
    assert_eq!(
        run(&mut viewer, vec![Op::StopTimer]).await,
        Err("forbidden".into())
    );

    run(&mut facilitator, vec![Op::StopTimer]).await.unwrap();
    assert_eq!(timer(&server, board.id).await, None);
    teardown(db, server).await;
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name("sqlite").await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name("postgres").await } )* }
    };
}

on_both_stores!(test_the_facilitator_runs_a_timer_everyone_sees);
