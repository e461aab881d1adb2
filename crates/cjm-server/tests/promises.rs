//! Promises docs/protocol.md makes to a client written from it alone:
//! - a resent batch whose original was committed gets its original
//!   `applied` at any time: after the server restarted (the room loaded
//!   afresh, nothing in memory) a resent create is not refused as
//!   `already_exists`, and nothing is applied twice;
//! - a `submit` whose envelope reads but whose ops do not (an op kind or a
//!   value this server does not know) is `rejected` with its
//!   `client_op_id`, so the client can stop resending it; a message that
//!   is not a submit at all is still `error malformed`.

#[macro_use]
mod common;

use cjm_core::protocol::{ClientMsg, ServerMsg};
use cjm_core::{Card, Color, Op, OrderKey};
use common::{TestServer, setup, teardown};

async fn test_a_resend_after_a_restart_gets_its_original_applied(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    let create = |text: &str, order: OrderKey| {
        Op::CreateCard(Card::new(stage, lane, order, text, Color::Yellow))
    };
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    // Two batches the client will "not have heard back about": a create
    // and a rename.
    let first = OrderKey::first();
    let created = ana.submit(vec![create("Sees an ad", first.clone())]).await;
    let created_seq = loop {
        if let ServerMsg::Applied(a) = ana.recv().await
            && a.client_op_id == created.client_op_id
        {
            break a.seq;
        }
    };
    let card_id = match &created.ops[0] {
        Op::CreateCard(c) => c.id,
        _ => unreachable!(),
    };
    let renamed = ana
        .submit(vec![Op::SetBoardTitle {
            title: "Renamed".into(),
        }])
        .await;
    let renamed_seq = loop {
        if let ServerMsg::Applied(a) = ana.recv().await
            && a.client_op_id == renamed.client_op_id
        {
            break a.seq;
        }
    };
    // Newer batches after them (fewer than a connection's burst allowance).
    let mut prev = first;
    for i in 0..300 {
        let next = OrderKey::between(Some(&prev), None);
        ana.apply(vec![create(&format!("c{i}"), next.clone())])
            .await;
        prev = next;
    }
    drop(ana);
    server.stop().await;

    // The server comes back; the client resends both after the welcome.
    let server = TestServer::start(&db).await;
    let mut again = server.client(board.id, "ana").await;
    let (_, seq_now, _) = again.welcome().await;
    for (batch, seq) in [(&created, created_seq), (&renamed, renamed_seq)] {
        again.send(&ClientMsg::Submit(batch.clone())).await;
        match again.recv().await {
            ServerMsg::Applied(a) => {
                assert_eq!(a.client_op_id, batch.client_op_id);
                assert_eq!(a.seq, seq, "its original seq");
                assert_eq!(a.ops, batch.ops);
            }
            other => panic!("expected the original applied, got {other:?}"),
        }
    }
    let (after, seq_after) = server.snapshot(board.id).await;
    assert_eq!(seq_after, seq_now, "nothing applied again");
    assert_eq!(after.cards.len(), 301);
    assert_eq!(after.cards[&card_id].text, "Sees an ad");
    teardown(db, server).await;
}

async fn test_an_unreadable_submit_is_rejected_by_its_id(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let mut c = server.client(board.id, "ana").await;
    c.welcome().await;
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    let id = uuid::Uuid::now_v7();
    let cases = [
        // An op kind this server does not know.
        format!(
            r#"{{"type":"submit","client_op_id":"{id}","ops":[{{"op":"teleport_card","id":"{id}"}}]}}"#
        ),
        // A colour it does not know.
        format!(
            r#"{{"type":"submit","client_op_id":"{id}","ops":[{{"op":"create_card","id":"{id}","stage_id":"{stage}","lane_id":"{lane}","order":"80","text":"x","color":"ultraviolet"}}]}}"#
        ),
        // A lane kind it does not know.
        format!(
            r#"{{"type":"submit","client_op_id":"{id}","ops":[{{"op":"update_lane","id":"{lane}","kind":"vibes"}}]}}"#
        ),
    ];
    for text in cases {
        c.send_text(text.clone()).await;
        match c.recv().await {
            ServerMsg::Rejected {
                client_op_id, code, ..
            } => {
                assert_eq!(client_op_id.0, id, "{text}");
                assert_eq!(code, "invalid", "{text}");
            }
            other => panic!("{text}: expected rejected, got {other:?}"),
        }
    }
    // Not a submit, or no id to answer by: an error, the connection stays.
    for text in [
        r#"{"type":"teleport"}"#.to_string(),
        r#"{"type":"submit","ops":[]}"#.to_string(),
        "not json".to_string(),
    ] {
        c.send_text(text.clone()).await;
        match c.recv().await {
            ServerMsg::Error { code, .. } => assert_eq!(code, "malformed", "{text}"),
            other => panic!("{text}: expected error malformed, got {other:?}"),
        }
    }
    c.apply(vec![Op::SetBoardTitle {
        title: "Still here".into(),
    }])
    .await;
    teardown(db, server).await;
}

on_both_stores!(
    test_a_resend_after_a_restart_gets_its_original_applied,
    test_an_unreadable_submit_is_rejected_by_its_id
);
