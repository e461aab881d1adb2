//! The server end to end: REST, websocket rooms, persistence across
//! restarts, and bad input, on SQLite and on the real Postgres.

#[macro_use]
mod common;

use std::time::Duration;

use cjm_core::limits::MAX_MESSAGE_BYTES;
use cjm_core::protocol::ServerMsg;
use cjm_core::*;
use common::{TestServer, setup, teardown};
use serde_json::{Value, json};

fn card_in(board: &Board, stage: usize, lane: usize, text: &str) -> Card {
    Card::new(
        board.stages_in_order()[stage].id,
        board.lanes_in_order()[lane].id,
        OrderKey::first(),
        text,
        Color::Yellow,
    )
}

async fn test_rest_boards_and_json_errors(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let http = common::owner_http(server.addr).await;
    assert_eq!(board.stages.len(), 6);
    let list: Value = http
        .get(server.url("/api/boards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["boards"][0]["id"], json!(board.id));
    assert_eq!(list["boards"][0]["stages"], 6);

    let ru: Value = http
        .post(server.url("/api/boards"))
        .json(&json!({"title": "Карта", "template": "classic", "locale": "ru"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ru: Board = serde_json::from_value(ru["board"].clone()).unwrap();
    assert_eq!(ru.stages_in_order()[0].name, "Осведомлённость");

    for (path, status, code) in [
        (format!("/api/boards/{}", BoardId::new()), 404, "not_found"),
        ("/api/boards/not-a-uuid".to_string(), 404, "not_found"),
        ("/api/nothing-here".to_string(), 404, "not_found"),
    ] {
        let res = http.get(server.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}");
        assert!(body["error"]["message"].as_str().unwrap().len() > 3);
    }
    let bad = [
        (
            json!({"title": "x", "template": "nope"}),
            422,
            "unknown_template",
        ),
        (
            json!({"title": "x".repeat(201), "template": "blank"}),
            422,
            "invalid_title",
        ),
        (json!({"title": 5}), 400, "bad_request"),
    ];
    for (body, status, code) in bad {
        let res = http
            .post(server.url("/api/boards"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], code, "{body}");
    }
    let res = http
        .post(server.url("/api/boards"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    let templates: Value = http
        .get(server.url("/api/templates"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(templates["templates"][1]["id"], "classic");
    assert_eq!(templates["templates"][1]["name_ru"], "Классический путь");

    let res = http
        .delete(server.url(&format!("/api/boards/{}", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = http
        .get(server.url(&format!("/api/boards/{}", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let health: Value = http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    teardown(db, server).await;
}

async fn test_two_clients_see_each_others_changes_live(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let mut ana = server.client(board.id, "ana").await;
    let mut bob = server.client(board.id, "bob").await;
    let ServerMsg::Welcome {
        board: snapshot,
        seq,
        actor: ana_actor,
        ..
    } = ana.recv().await
    else {
        panic!("expected welcome")
    };
    assert_eq!((snapshot.as_ref(), seq), (Some(&board), 0));
    let ServerMsg::Welcome {
        actor: bob_actor, ..
    } = bob.recv().await
    else {
        panic!("expected welcome")
    };
    // Who made a change is decided by the server from the session: two
    // guests are two actors, whatever their hello said.
    assert_ne!(ana_actor, bob_actor);

    let card = card_in(&board, 0, 0, "Sees an ad");
    let sent = ana.submit(vec![Op::CreateCard(card.clone())]).await;
    for c in [&mut ana, &mut bob] {
        match c.recv().await {
            ServerMsg::Applied(a) => {
                assert_eq!(
                    (a.seq, a.client_op_id, a.actor.as_str()),
                    (1, sent.client_op_id, ana_actor.as_str())
                );
                assert_eq!(a.ops, sent.ops);
            }
            other => panic!("expected applied, got {other:?}"),
        }
    }
    // Bob drags it to another stage; Ana sees the move.
    let stage = board.stages_in_order()[3].id;
    bob.submit(vec![Op::MoveCard {
        id: card.id,
        stage_id: stage,
        lane_id: card.lane_id,
        order: OrderKey::first(),
    }])
    .await;
    let ServerMsg::Applied(a) = ana.recv().await else {
        panic!("expected applied")
    };
    assert_eq!((a.seq, a.actor.as_str()), (2, bob_actor.as_str()));

    let (stored, seq) = server.snapshot(board.id).await;
    assert_eq!(seq, 2);
    assert_eq!(stored.cards[&card.id].stage_id, stage);
    teardown(db, server).await;
}

async fn test_bad_input_is_refused_and_connection_stays_usable(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;

    // Text over the limit: rejected with a message, nothing half-applied.
    let ok = card_in(&board, 0, 0, "fine");
    let long = card_in(&board, 0, 0, &"x".repeat(limits::MAX_TEXT_CHARS + 1));
    let sent = ana
        .submit(vec![Op::CreateCard(ok.clone()), Op::CreateCard(long)])
        .await;
    match ana.recv().await {
        ServerMsg::Rejected {
            client_op_id,
            code,
            message,
        } => {
            assert_eq!(
                (client_op_id, code.as_str()),
                (sent.client_op_id, "too_long")
            );
            assert!(message.contains("5000"), "{message}");
        }
        other => panic!("expected rejected, got {other:?}"),
    }
    // Malformed JSON, an unknown op, and an oversized message.
    ana.send_text("{oops".into()).await;
    assert!(matches!(ana.recv().await, ServerMsg::Error { code, .. } if code == "malformed"));
    ana.send_text(r#"{"type":"submit","client_op_id":"x","ops":[{"op":"explode"}]}"#.into())
        .await;
    assert!(matches!(ana.recv().await, ServerMsg::Error { code, .. } if code == "malformed"));
    ana.send_text(format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(MAX_MESSAGE_BYTES)
    ))
    .await;
    assert!(matches!(ana.recv().await, ServerMsg::Error { code, .. } if code == "too_large"));

    // Still usable.
    ana.submit(vec![Op::CreateCard(ok.clone())]).await;
    let ServerMsg::Applied(a) = ana.recv().await else {
        panic!("expected applied")
    };
    assert_eq!(a.seq, 1);
    let (stored, _) = server.snapshot(board.id).await;
    assert_eq!(stored.cards.len(), 1);

    // Unknown board over the websocket.
    let mut lost = common::Client::connect(server.addr, BoardId::new()).await;
    assert!(matches!(lost.recv().await, ServerMsg::Error { code, .. } if code == "not_found"));
    teardown(db, server).await;
}

async fn test_board_survives_restart_and_client_catches_up(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    let card = card_in(&board, 1, 2, "Calls the shop");
    ana.submit(vec![Op::CreateCard(card.clone())]).await;
    ana.recv().await;
    let patch = CardPatch {
        text: Some("Calls the call centre".into()),
        color: Some(Color::Red),
        ..Default::default()
    };
    ana.submit(vec![Op::UpdateCard { id: card.id, patch }])
        .await;
    ana.recv().await;
    let (before, _) = server.snapshot(board.id).await;
    server.stop().await;
    // Closed, not merely silent.
    assert!(
        ana.ends_within(Duration::from_secs(2)).await,
        "socket closed on shutdown"
    );

    let server = TestServer::start(&db).await;
    let (after, seq) = server.snapshot(board.id).await;
    assert_eq!((after.clone(), seq), (before, 2));
    assert_eq!(after.cards[&card.id].text, "Calls the call centre");

    // A client that saw seq 1 gets just the batch it missed.
    let mut late = server.client_from(board.id, "bob", Some(1)).await;
    let (snapshot, seq, batches) = late.welcome().await;
    assert!(snapshot.is_none());
    assert_eq!(seq, 2);
    assert_eq!(batches.iter().map(|b| b.seq).collect::<Vec<_>>(), [2]);
    teardown(db, server).await;
}

async fn test_resent_batch_is_answered_with_its_original_seq(backend: &str) {
    let (db, server, board) = setup(backend, "blank").await;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    let batch = Batch::new(vec![Op::CreateCard(card_in(&board, 0, 0, "once"))]);
    let submit = cjm_core::protocol::ClientMsg::Submit(batch.clone());
    ana.send(&submit).await;
    let ServerMsg::Applied(first) = ana.recv().await else {
        panic!()
    };
    ana.submit(vec![Op::SetBoardTitle { title: "T".into() }])
        .await;
    ana.recv().await;
    // Resent after a reconnect, say: same client_op_id.
    ana.send(&submit).await;
    let ServerMsg::Applied(again) = ana.recv().await else {
        panic!()
    };
    assert_eq!(again, first);
    let (stored, seq) = server.snapshot(board.id).await;
    assert_eq!((stored.cards.len(), seq), (1, 2));
    teardown(db, server).await;
}

async fn test_room_unloads_when_last_client_leaves(backend: &str) {
    let (db, server, board) = setup(backend, "blank").await;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    assert_eq!(server.state.rooms.live(), 1);
    ana.ws.close(None).await.unwrap();
    for _ in 0..100 {
        if server.state.rooms.live() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.state.rooms.live(), 0);
    // And comes back on the next join.
    let mut bob = server.client(board.id, "bob").await;
    assert!(bob.welcome().await.0.is_some());
    teardown(db, server).await;
}

async fn test_a_flood_is_rate_limited_and_the_connection_stays_usable(backend: &str) {
    let (db, server, board) = setup(backend, "blank").await;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    const FLOOD: usize = 2000;
    for i in 0..FLOOD {
        ana.submit(vec![Op::SetBoardTitle {
            title: format!("T{i}"),
        }])
        .await;
    }
    let (mut applied, mut limited) = (0, 0);
    while applied + limited < FLOOD {
        match ana.recv().await {
            ServerMsg::Applied(_) => applied += 1,
            ServerMsg::Rejected { code, .. } if code == "rate_limited" => limited += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        limited > 0 && applied >= 400,
        "applied {applied}, rate-limited {limited}"
    );
    let (_, seq) = server.snapshot(board.id).await;
    assert_eq!(seq, applied as u64, "refused batches changed nothing");
    // A moment later the connection takes edits again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    ana.submit(vec![Op::SetBoardTitle {
        title: "calm".into(),
    }])
    .await;
    assert!(matches!(ana.recv().await, ServerMsg::Applied(_)));
    teardown(db, server).await;
}

/// The health endpoint reflects live edits (a dip, an unaddressed pain, an
/// owner) and refuses a bad threshold.
async fn test_health_endpoint_follows_the_map(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let http = common::owner_http(server.addr).await;
    let get = |query: &str| {
        let url = server.url(&format!("/api/boards/{}/health{query}", board.id));
        let http = http.clone();
        async move { http.get(url).send().await.unwrap() }
    };
    let h: Value = get("").await.json().await.unwrap();
    assert_eq!(h["health"]["stale_days"], 90);
    assert_eq!(h["health"]["map"]["cards"], 0);
    assert_eq!(h["health"]["map"]["evidence_coverage"], Value::Null);
    assert_eq!(h["health"]["stages"].as_array().unwrap().len(), 6);

    let lane = |kind: LaneKind| {
        board
            .lanes_in_order()
            .iter()
            .position(|l| l.kind == kind)
            .unwrap()
    };
    let pain = card_in(&board, 2, lane(LaneKind::Pains), "No delivery date");
    let mut idea = card_in(&board, 2, lane(LaneKind::Opportunities), "Show the date");
    idea.opportunity = Some(Opportunity {
        impact: 4,
        effort: 2,
        owner: String::new(),
        status: OpportunityStatus::Idea,
        addresses: vec![],
    });
    let igor = Persona {
        age: Some(45),
        ..Persona::new("Igor", OrderKey::first(), Color::Blue)
    };
    let stage2 = board.stages_in_order()[2].id;
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    ana.submit(vec![
        Op::CreatePersona(igor.clone()),
        Op::CreateCard(pain.clone()),
        Op::CreateCard(idea.clone()),
        Op::SetEmotion {
            persona_id: igor.id,
            stage_id: stage2,
            curve: Curve::AsIs,
            score: Some(-2),
        },
    ])
    .await;
    assert!(matches!(ana.recv().await, ServerMsg::Applied(_)));

    let h: Value = get("?stale_days=30").await.json().await.unwrap();
    let map = &h["health"]["map"];
    assert_eq!(h["seq"], 1);
    assert_eq!(h["health"]["stale_days"], 30);
    assert_eq!(map["cards"], 1, "the opportunity is not a finding");
    assert_eq!(map["evidence_coverage"], 0.0);
    assert_eq!(map["dips"][0]["persona_id"], json!(igor.id));
    assert_eq!(map["dips"][0]["reason"], "negative");
    assert_eq!(map["pains_without_opportunity"], json!([pain.id]));
    assert_eq!(map["opportunities_without_owner"], json!([idea.id]));
    assert_eq!(
        h["health"]["stages"][2]["dips"].as_array().unwrap().len(),
        1
    );
    assert_eq!(h["health"]["stages"][2]["stage_id"], json!(stage2));

    // The team links the idea to the pain and names an owner.
    ana.submit(vec![Op::UpdateCard {
        id: idea.id,
        patch: CardPatch {
            opportunity: Some(Some(Opportunity {
                owner: "Olga".into(),
                addresses: vec![pain.id],
                ..idea.opportunity.clone().unwrap()
            })),
            ..Default::default()
        },
    }])
    .await;
    assert!(matches!(ana.recv().await, ServerMsg::Applied(_)));
    let h: Value = get("").await.json().await.unwrap();
    assert_eq!(h["health"]["map"]["pains_without_opportunity"], json!([]));
    assert_eq!(h["health"]["map"]["opportunities_without_owner"], json!([]));

    for (query, status, code) in [
        ("?stale_days=0", 422, "invalid_query"),
        ("?stale_days=abc", 422, "invalid_query"),
    ] {
        let res = get(query).await;
        assert_eq!(res.status(), status, "{query}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{query}");
    }
    let res = http
        .get(server.url(&format!("/api/boards/{}/health", BoardId::new())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    teardown(db, server).await;
}

/// Persona photos: images only (by their bytes, not their declared type),
/// at most 1 MiB, served back inert.
async fn test_image_uploads_are_checked_and_served_inert(backend: &str) {
    let (db, server, board) = setup(backend, "blank").await;
    let http = common::owner_http(server.addr).await;
    let post = |body: Vec<u8>, content_type: &'static str| {
        let url = server.url(&format!("/api/boards/{}/uploads", board.id));
        let http = http.clone();
        async move {
            http.post(url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let res = post(png.clone(), "image/png").await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let url = body["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/api/uploads/"), "{url}");

    let res = http.get(server.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), png);

    // A persona can point at it (a local path passes link validation).
    let mut ana = server.client(board.id, "ana").await;
    ana.welcome().await;
    let persona = Persona {
        avatar_url: Some(url.clone()),
        ..Persona::new("Igor", OrderKey::first(), Color::Blue)
    };
    ana.submit(vec![Op::CreatePersona(persona)]).await;
    assert!(matches!(ana.recv().await, ServerMsg::Applied(_)));

    // An HTML page or an SVG claiming to be an image is refused.
    for (bytes, declared) in [
        (
            b"<html><script>alert(1)</script></html>".to_vec(),
            "image/png",
        ),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec(),
            "image/svg+xml",
        ),
        (Vec::new(), "image/png"),
    ] {
        let res = post(bytes, declared).await;
        assert_eq!(res.status(), 422);
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "unsupported_image");
    }
    // Over 1 MiB: 413 with a JSON error.
    let mut big = b"\xFF\xD8\xFF".to_vec();
    big.resize((1 << 20) + 1, 0);
    let res = post(big, "image/jpeg").await;
    assert_eq!(res.status(), 413);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "too_large");
    // Unknown board or image: 404.
    let res = http
        .post(server.url(&format!("/api/boards/{}/uploads", BoardId::new())))
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = http
        .get(server.url("/api/uploads/not-an-id"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    teardown(db, server).await;
}

/// A board saved as a template appears in the list and new boards start
/// from it, with or without its cards.
async fn test_a_board_saved_as_template_starts_new_boards(backend: &str) {
    let (db, server, board) = setup(backend, "fridge_example").await;
    let http = common::owner_http(server.addr).await;
    let save = |name: &str, include_cards: bool| {
        let url = server.url(&format!("/api/boards/{}/template", board.id));
        let http = http.clone();
        let body = json!({"name": name, "include_cards": include_cards});
        async move { http.post(url).json(&body).send().await.unwrap() }
    };
    let res = save("Retail, filled", true).await;
    assert_eq!(res.status(), 201);
    let filled: Value = res.json().await.unwrap();
    let res = save("Retail, frame", false).await;
    let frame: Value = res.json().await.unwrap();

    let list: Value = http
        .get(server.url("/api/templates"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list["templates"].as_array().unwrap();
    assert_eq!(list.len(), 7, "5 built-in + 2 saved");
    assert_eq!(list[0]["id"], "blank");
    assert!(list.iter().any(|t| t["id"] == filled["id"]
        && t["saved"] == true
        && t["name_ru"] == "Retail, filled"));

    let create = |template: Value| {
        let http = http.clone();
        let url = server.url("/api/boards");
        async move {
            let res = http
                .post(url)
                .json(&json!({"title": "From template", "template": template}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            let v: Value = res.json().await.unwrap();
            serde_json::from_value::<Board>(v["board"].clone()).unwrap()
        }
    };
    let copy = create(filled["id"].clone()).await;
    assert_ne!(copy.id, board.id);
    assert_eq!(copy.title, "From template");
    assert_eq!(copy.cards.len(), board.cards.len());
    assert_eq!(copy.emotions, board.emotions);
    assert_eq!(copy.stages, board.stages);
    let (stored, _) = server.snapshot(copy.id).await;
    assert_eq!(stored.cards.len(), board.cards.len());

    let empty = create(frame["id"].clone()).await;
    assert!(empty.cards.is_empty() && empty.emotions.is_empty());
    assert_eq!(empty.lanes, board.lanes);
    assert_eq!(empty.personas, board.personas);

    // Deleting a saved template; unknown ids and bad names are refused.
    let res = http
        .delete(server.url(&format!("/api/templates/{}", frame["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = http
        .post(server.url("/api/boards"))
        .json(&json!({"title": "x", "template": frame["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = save("  ", false).await;
    assert_eq!(res.status(), 422);
    teardown(db, server).await;
}

on_both_stores!(current_thread:
    test_rest_boards_and_json_errors,
    test_two_clients_see_each_others_changes_live,
    test_bad_input_is_refused_and_connection_stays_usable,
    test_board_survives_restart_and_client_catches_up,
    test_resent_batch_is_answered_with_its_original_seq,
    test_room_unloads_when_last_client_leaves,
    test_a_flood_is_rate_limited_and_the_connection_stays_usable,
    test_health_endpoint_follows_the_map,
    test_image_uploads_are_checked_and_served_inert,
    test_a_board_saved_as_template_starts_new_boards,
);

mod presence {
    //! Presence is relayed to the others, coalesced, never stored, and
    //! cleared when a connection ends.

    use std::time::{Duration, Instant};

    use cjm_core::protocol::{ClientMsg, PEERS_LISTED, Point, Presence, ServerMsg};

    use super::common::{Client, Db, TestServer, setup, teardown, viewer_cookie};

    fn cursor(x: i32, y: i32) -> ClientMsg {
        ClientMsg::Presence(Presence {
            cursor: Some(Point { x, y }),
            ..Default::default()
        })
    }

    #[tokio::test]
    async fn test_peers_see_each_other_and_ghosts_are_cleared() {
        let (db, server, board) = setup("sqlite", "blank").await;
        let mut ana = server.client(board.id, "ana").await;
        let ServerMsg::Welcome {
            you: ana_session,
            peers,
            ..
        } = ana.recv().await
        else {
            panic!()
        };
        assert!(peers.is_empty());
        let mut bob = server.client(board.id, "bob").await;
        let ServerMsg::Welcome { peers, .. } = bob.recv().await else {
            panic!()
        };
        assert_eq!(peers.len(), 1, "bob sees ana on arrival");
        assert_eq!(
            (peers[0].session, peers[0].name.as_str()),
            (ana_session, "ana")
        );
        // Ana is told that Bob arrived.
        match ana.try_recv_any(Duration::from_secs(2)).await {
            Some(ServerMsg::Presence(p)) => assert_eq!(p.name, "bob"),
            other => panic!("expected bob's presence, got {other:?}"),
        }

        // A burst of 200 cursor moves reaches Bob coalesced, ending at the last one.
        let started = Instant::now();
        for i in 0..200 {
            ana.send(&cursor(i, 2 * i)).await;
        }
        let mut seen = Vec::new();
        while let Some(msg) = bob.try_recv_any(Duration::from_millis(300)).await {
            if let ServerMsg::Presence(p) = msg {
                assert_eq!(p.session, ana_session);
                seen.push(p.presence.cursor.unwrap());
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        assert_eq!(
            seen.last(),
            Some(&Point { x: 199, y: 398 }),
            "the final position arrives"
        );
        assert!(
            (seen.len() as f64) <= 2.0 + elapsed * 20.0,
            "{} updates in {elapsed:.2} s is more than ~20/s",
            seen.len()
        );

        // Out-of-bounds presence is refused with an error.
        ana.send(&cursor(i32::MAX, 0)).await;
        assert!(
            matches!(ana.recv().await, ServerMsg::Error { code, .. } if code == "invalid_presence")
        );

        // Ana's socket drops: Bob is told, so no ghost cursor remains.
        drop(ana);
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            assert!(Instant::now() < deadline, "no peer_left for ana");
            if let Some(ServerMsg::PeerLeft { session }) =
                bob.try_recv_any(Duration::from_secs(3)).await
            {
                assert_eq!(session, ana_session);
                break;
            }
        }
        teardown(db, server).await;
    }

    /// Reads until `want` matches, panicking on a message `forbid` matches.
    async fn wait_for(
        client: &mut Client,
        what: &str,
        want: impl Fn(&ServerMsg) -> bool,
        forbid: impl Fn(&ServerMsg) -> bool,
    ) {
        loop {
            match client.try_recv_any(Duration::from_secs(3)).await {
                Some(msg) if want(&msg) => return,
                Some(msg) if forbid(&msg) => panic!("while waiting for {what}: {msg:?}"),
                Some(_) => {}
                None => panic!("no {what}"),
            }
        }
    }

    /// Beyond `PEERS_LISTED` people, newcomers are counted, not announced
    /// one by one; when a listed person leaves, a counted editor takes the
    /// place before a counted viewer.
    #[tokio::test]
    async fn test_a_crowd_is_counted_beyond_the_listed_peers() {
        // The owner opens a hundred sockets: no cap per person here.
        let db = Db::new("sqlite").await;
        let options = cjm_server::state::Options {
            max_sockets_per_person: Some(0),
            ..Default::default()
        };
        let server = TestServer::start_with(&db, options).await;
        let (board, _) = server.create_board("blank").await;
        let mut listed = Vec::new();
        for i in 0..PEERS_LISTED {
            let mut c = Client::connect(server.addr, board.id).await;
            c.hello().await;
            match c.recv().await {
                ServerMsg::Welcome {
                    listed: true,
                    crowd: 0,
                    peers,
                    ..
                } => assert_eq!(peers.len(), i),
                other => panic!("expected a listed welcome, got {other:?}"),
            }
            listed.push(c);
        }
        let vera_cookie = viewer_cookie(server.addr, board.id, "Vera").await;
        let mut vera = Client::connect_with(server.addr, board.id, Some(&vera_cookie)).await;
        vera.hello().await;
        match vera.recv().await {
            ServerMsg::Welcome {
                listed: false,
                crowd: 1,
                peers,
                ..
            } => assert_eq!(peers.len(), PEERS_LISTED),
            other => panic!("expected a counted welcome, got {other:?}"),
        }
        let mut egor = server.client(board.id, "Egor").await;
        let ServerMsg::Welcome {
            listed: false,
            crowd: 2,
            you: egor_session,
            ..
        } = egor.recv().await
        else {
            panic!("Egor is counted too")
        };
        // The listed hear the count, never the newcomers' names.
        let newcomer = |m: &ServerMsg| matches!(m, ServerMsg::Presence(p) if p.name == "Vera" || p.name == "Egor");
        wait_for(
            &mut listed[1],
            "crowd 2",
            |m| matches!(m, ServerMsg::Crowd { count: 2 }),
            newcomer,
        )
        .await;

        // A listed person leaves: Egor (an editor) is listed in their place
        // and told so; Vera (a viewer, there earlier) stays counted.
        drop(listed.remove(0));
        wait_for(
            &mut egor,
            "Egor's own presence",
            |m| matches!(m, ServerMsg::Presence(p) if p.session == egor_session),
            |_| false,
        )
        .await;
        wait_for(
            &mut listed[0],
            "Egor's presence",
            |m| matches!(m, ServerMsg::Presence(p) if p.name == "Egor"),
            |m| matches!(m, ServerMsg::Presence(p) if p.name == "Vera"),
        )
        .await;
        wait_for(
            &mut vera,
            "crowd 1",
            |m| matches!(m, ServerMsg::Crowd { count: 1 }),
            |_| false,
        )
        .await;
        teardown(db, server).await;
    }
}

/// A client that stops reading does not slow the others down or make the
/// server hold an unbounded backlog: once it falls more than the room's
/// ring behind, it is told to resync.
#[tokio::test]
async fn test_a_client_that_stops_reading_is_told_to_resync() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;

    const BATCHES: usize = 1200;
    let (db, server, board) = setup("sqlite", "blank").await;
    // A small receive buffer, so that the kernel cannot take the backlog
    // off the server's hands.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let cookie = common::guest_cookie(server.addr, board.id, "slow").await;
    let request = common::ws_request(server.addr, board.id, Some(&cookie));
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    let (ws, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .unwrap();
    let mut slow = common::Client { ws };
    slow.hello().await;
    slow.welcome().await;
    let mut fast = server.client(board.id, "fast").await;
    fast.welcome().await;
    let card = card_in(&board, 0, 0, "x");
    let id = card.id;
    fast.submit(vec![Op::CreateCard(card)]).await;
    assert!(matches!(fast.recv().await, ServerMsg::Applied(_)));

    // 1,200 acknowledged batches of 50 KB each: more than the slow client's
    // socket buffers and the room's ring (1,024 items) hold.
    // A writer held up by the stopped reader would wait for it until the
    // write timeout (30 s) ends it: one round trip would take that long.
    // Each is a few milliseconds otherwise, even on a loaded machine.
    let text = "x".repeat(4990);
    let mut slowest = Duration::ZERO;
    for i in 0..BATCHES {
        let sent = std::time::Instant::now();
        let batch = Batch::new(
            (0..10)
                .map(|j| Op::UpdateCard {
                    id,
                    patch: CardPatch {
                        text: Some(format!("{i:04} {j} {text}")),
                        ..Default::default()
                    },
                })
                .collect(),
        );
        loop {
            fast.send(&cjm_core::protocol::ClientMsg::Submit(batch.clone()))
                .await;
            match fast.recv().await {
                ServerMsg::Applied(a) if a.client_op_id == batch.client_op_id => break,
                ServerMsg::Rejected { code, .. } if code == "rate_limited" => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        slowest = slowest.max(sent.elapsed());
    }
    eprintln!("slowest round trip of {BATCHES}: {slowest:?}");
    assert!(
        slowest < Duration::from_secs(10),
        "the writer was held up by the reader that stopped: one batch took {slowest:?}"
    );

    // The slow client reads again: after what was in flight, `resync`; or,
    // when the flood took longer than the write timeout (a loaded
    // machine), the end of the connection. Never the whole backlog.
    let (mut applied, mut resync) = (0, false);
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), slow.ws.next())
            .await
            .expect("the server neither resynced nor dropped the slow client");
        match next {
            Some(Ok(Message::Text(t))) => match serde_json::from_str(&t).unwrap() {
                ServerMsg::Applied(_) => applied += 1,
                ServerMsg::Resync => resync = true,
                _ => {}
            },
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            Some(Ok(_)) => {}
        }
    }
    eprintln!("the slow client got {applied} of {BATCHES} batches; resync: {resync}");
    assert!(
        applied < BATCHES,
        "the slow client got {applied} of {BATCHES} batches and resync {resync}"
    );
    teardown(db, server).await;
}
