//! The activity feed through the real server, on SQLite and on Postgres:
//! batches told as lines with their authors' names, newest first, in
//! pages, filtered by person, stage and date, in English and Russian.

#[macro_use]
mod common;

use cjm_core::{Card, CardPatch, Color, Curve, Op, OrderKey};
use common::*;
use serde_json::{Value, json};

async fn test_the_feed_tells_who_changed_what(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("fridge_example").await;
    let owner = owner_cookie(server.addr).await;
    let olga = account_cookie(server.addr, "olga@test.example", "Olga").await;
    let me: Value = signed_in_http(&olga)
        .get(server.url("/api/auth/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let olga_id = me["user"]["id"].as_str().unwrap().to_string();
    let res = signed_in_http(&owner)
        .post(server.url(&format!("/api/boards/{}/members", board.id)))
        .json(&json!({ "email": "olga@test.example", "role": "editor" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let stages = board.stages_in_order();
    let purchase = stages.iter().find(|s| s.name == "Purchase").unwrap().id;
    let lane = board.lanes_in_order()[0].id;
    let mut o = Client::connect_with(server.addr, board.id, Some(&olga)).await;
    o.hello().await;
    o.welcome().await;
    let cards: Vec<Op> = OrderKey::sequence(3)
        .into_iter()
        .map(|k| Op::CreateCard(Card::new(purchase, lane, k, "Delivery slot", Color::Yellow)))
        .collect();
    o.apply(cards).await;
    let mut owner_ws = server.client(board.id, "Owner").await;
    owner_ws.welcome().await;
    let persona = board.personas_in_order()[0].id;
    let card = *board.cards.keys().next().unwrap();
    owner_ws
        .apply(vec![
            Op::SetEmotion {
                persona_id: persona,
                stage_id: purchase,
                curve: Curve::AsIs,
                score: Some(-2),
            },
            Op::UpdateCard {
                id: card,
                patch: CardPatch {
                    text: Some("Edited".into()),
                    ..CardPatch::default()
                },
            },
        ])
        .await;

    let get = |q: String| {
        let url = server.url(&format!("/api/boards/{}/activity{q}", board.id));
        let owner = owner.clone();
        async move {
            let res = signed_in_http(&owner).get(url).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, feed) = get(String::new()).await;
    assert_eq!(status, 200);
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{feed}");
    assert_eq!(
        items[0]["text"],
        "Owner edited 1 card; edited the emotion curve"
    );
    assert_eq!(items[1]["text"], "Olga added 3 cards to Purchase");
    assert_eq!(items[1]["lines"][0]["what"], "cards_added");
    assert_eq!(items[1]["lines"][0]["count"], 3);
    assert!(items[0]["seq"].as_u64() > items[1]["seq"].as_u64());
    assert_eq!(feed["next_before"], Value::Null);

    // Pages, a person, a stage, a date, Russian.
    let (_, page) = get("?limit=1".into()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let next = page["next_before"].as_u64().unwrap();
    let (_, second) = get(format!("?limit=1&before={next}")).await;
    assert_eq!(second["items"][0]["actor_name"], "Olga");
    let (_, hers) = get(format!("?actor={olga_id}")).await;
    assert_eq!(hers["items"].as_array().unwrap().len(), 1);
    let other_stage = stages[0].id.0;
    let (_, there) = get(format!("?stage={}", purchase.0)).await;
    assert_eq!(there["items"].as_array().unwrap().len(), 2);
    let (_, elsewhere) = get(format!("?stage={other_stage}")).await;
    assert!(elsewhere["items"].as_array().unwrap().len() <= 1);
    let (_, ru) = get("?lang=ru".into()).await;
    assert_eq!(
        ru["items"][1]["text"],
        "Olga: добавил(а) 3 карточки в «Purchase»"
    );
    let (_, later) = get(format!("?since={}", i64::MAX / 2)).await;
    assert!(later["items"].as_array().unwrap().is_empty());
    let (status, _) = get("?limit=0".into()).await;
    assert_eq!(status, 422);
    // A viewer may read it; a stranger may not know the board.
    let viewer = viewer_cookie(server.addr, board.id, "Manager").await;
    let res = signed_in_http(&viewer)
        .get(server.url(&format!("/api/boards/{}/activity", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    drop((o, owner_ws));
    teardown(db, server).await;
}

on_both_stores!(test_the_feed_tells_who_changed_what);
