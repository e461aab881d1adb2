//! Several server processes on one Postgres: every client sees every batch,
//! seqs are unique and gap-free, and all instances agree on the board.

mod common;

use std::collections::HashSet;

use cjm_core::protocol::{Applied, ServerMsg};
use cjm_core::*;
use common::{Client, Db, Process};

async fn applied_until(client: &mut Client, n: usize) -> Vec<Applied> {
    let mut got = Vec::new();
    while got.len() < n {
        match client.recv().await {
            ServerMsg::Applied(a) => got.push(a),
            ServerMsg::Rejected { code, message, .. } => panic!("rejected: {code} {message}"),
            _ => {}
        }
    }
    got
}

#[tokio::test]
async fn test_two_instances_converge_with_gap_free_seqs() {
    let db = Db::new("postgres").await;
    let a = Process::spawn(&db.url()).await;
    let b = Process::spawn(&db.url()).await;
    let board = a.create_board("classic").await;
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;

    let mut ana = a.client(board.id, "ana").await;
    let mut bob = b.client(board.id, "bob").await;
    ana.welcome().await;
    bob.welcome().await;

    // Both write at once, through different instances, to the same cell and
    // to the same card (conflicting edits).
    const EACH: usize = 25;
    let shared = Card::new(stage, lane, OrderKey::first(), "shared", Color::Yellow);
    ana.submit(vec![Op::CreateCard(shared.clone())]).await;
    applied_until(&mut ana, 1).await;
    applied_until(&mut bob, 1).await;
    for i in 0..EACH {
        for (c, who) in [(&mut ana, "ana"), (&mut bob, "bob")] {
            let card = Card::new(
                stage,
                lane,
                OrderKey::first(),
                format!("{who} {i}"),
                Color::Blue,
            );
            let patch = CardPatch {
                text: Some(format!("{who} was here {i}")),
                ..Default::default()
            };
            c.submit(vec![
                Op::CreateCard(card),
                Op::UpdateCard {
                    id: shared.id,
                    patch,
                },
            ])
            .await;
        }
    }
    let total = 2 * EACH;
    let seen_by_ana = applied_until(&mut ana, total).await;
    let seen_by_bob = applied_until(&mut bob, total).await;

    let seqs: Vec<u64> = seen_by_ana.iter().map(|a| a.seq).collect();
    assert_eq!(
        seqs,
        (2..=(total as u64 + 1)).collect::<Vec<_>>(),
        "gap-free, in order"
    );
    assert_eq!(
        seen_by_ana, seen_by_bob,
        "both clients saw the same history"
    );
    let ids: HashSet<_> = seen_by_ana.iter().map(|a| a.client_op_id).collect();
    assert_eq!(ids.len(), total, "each batch applied once");

    // The clients' replicas, the two instances and the database agree.
    let mut replica = board.clone();
    replica
        .apply(&[Op::CreateCard(shared.clone())], ApplyCtx::at(0))
        .unwrap();
    let (from_a, seq_a) = a.snapshot(board.id).await;
    let (from_b, seq_b) = b.snapshot(board.id).await;
    assert_eq!((seq_a, seq_b), (total as u64 + 1, total as u64 + 1));
    assert_eq!(from_a, from_b);
    assert_eq!(from_a.cards.len(), total + 1);
    let last = seen_by_ana.last().unwrap();
    let last_text = match &last.ops[1] {
        Op::UpdateCard { patch, .. } => patch.text.clone().unwrap(),
        other => panic!("unexpected op {other:?}"),
    };
    assert_eq!(
        from_a.cards[&shared.id].text, last_text,
        "last writer in seq order wins"
    );
    drop((a, b));
    db.cleanup().await;
}

/// Under contention (editors on both instances writing to one board as
/// fast as they can) no batch fails because the other instance moved the
/// board first: every one is applied, once, and the instances agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_contention_between_instances_loses_no_batch() {
    let db = Db::new("postgres").await;
    let a = Process::spawn(&db.url()).await;
    let b = Process::spawn(&db.url()).await;
    let board = a.create_board("classic").await;
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    const EDITORS: usize = 20;
    const EACH: usize = 40;
    let mut tasks = Vec::new();
    for e in 0..EDITORS {
        let process = if e % 2 == 0 { &a } else { &b };
        let mut c = process.client(board.id, &format!("ed{e}")).await;
        c.welcome().await;
        tasks.push(tokio::spawn(async move {
            let mut mine = HashSet::new();
            for i in 0..EACH {
                let card = Card::new(
                    stage,
                    lane,
                    OrderKey::first(),
                    format!("{e}-{i}"),
                    Color::Blue,
                );
                mine.insert(c.submit(vec![Op::CreateCard(card)]).await.client_op_id);
                // 20 a second each, as people in a busy workshop.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            // Every one of ours answered `applied` (others' too arrive).
            let mut applied = HashSet::new();
            while applied.len() < EACH {
                match c.recv().await {
                    ServerMsg::Applied(x) if mine.contains(&x.client_op_id) => {
                        applied.insert(x.client_op_id);
                    }
                    ServerMsg::Rejected { code, message, .. } => {
                        panic!("editor {e}: rejected {code}: {message}")
                    }
                    _ => {}
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let total = (EDITORS * EACH) as u64;
    let (from_a, seq_a) = a.snapshot(board.id).await;
    let (from_b, seq_b) = b.snapshot(board.id).await;
    assert_eq!((seq_a, seq_b), (total, total));
    assert_eq!(from_a, from_b);
    assert_eq!(from_a.cards.len(), EDITORS * EACH);
    drop((a, b));
    db.cleanup().await;
}

/// Revoking a link on one instance disconnects its guests on the other
/// within a second (the revocation travels as a Postgres notification).
#[tokio::test]
async fn test_a_revocation_on_one_instance_disconnects_guests_on_the_other() {
    let db = Db::new("postgres").await;
    let a = Process::spawn(&db.url()).await;
    let b = Process::spawn(&db.url()).await;
    let board = a.create_board("classic").await;
    let owner = common::owner_http(a.addr).await;
    let res = owner
        .post(format!("http://{}/api/boards/{}/links", a.addr, board.id))
        .json(&serde_json::json!({ "role": "viewer" }))
        .send()
        .await
        .unwrap();
    let link: serde_json::Value = res.json().await.unwrap();
    let res = reqwest::Client::new()
        .post(format!(
            "http://{}/api/links/{}/join",
            b.addr,
            link["token"].as_str().unwrap()
        ))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = common::set_cookie(&res);
    let mut viewer = Client::connect_with(b.addr, board.id, Some(&cookie)).await;
    viewer
        .send(&cjm_core::protocol::ClientMsg::Hello {
            protocol: cjm_core::protocol::PROTOCOL_VERSION,
            last_seq: None,
            client_id: None,
            name: None,
        })
        .await;
    viewer.welcome().await;

    let started = std::time::Instant::now();
    let res = owner
        .delete(format!(
            "http://{}/api/boards/{}/links/{}",
            a.addr,
            board.id,
            link["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    match viewer.try_recv(std::time::Duration::from_secs(1)).await {
        Some(ServerMsg::Error { code, .. }) => assert_eq!(code, "access_revoked"),
        other => panic!("expected access_revoked on the other instance, got {other:?}"),
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    drop((a, b));
    db.cleanup().await;
}

/// Signing out on one instance ends that session's socket on the other
/// within a second (issue 11, item 2: the sign-out travels as a Postgres
/// notification, not only the next session check).
#[tokio::test]
async fn test_a_sign_out_on_one_instance_ends_the_socket_on_the_other() {
    let db = Db::new("postgres").await;
    let a = Process::spawn(&db.url()).await;
    let b = Process::spawn(&db.url()).await;
    let board = a.create_board("classic").await;
    let cookie = common::owner_cookie(a.addr).await;
    let mut socket = Client::connect_with(b.addr, board.id, Some(&cookie)).await;
    socket.hello().await;
    socket.welcome().await;

    let started = std::time::Instant::now();
    let res = common::signed_in_http(&cookie)
        .post(format!("http://{}/api/auth/logout", a.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(socket.ends_within(std::time::Duration::from_secs(2)).await);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    drop((a, b));
    db.cleanup().await;
}
