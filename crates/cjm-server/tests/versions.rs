//! Named versions through the real server, on SQLite and on Postgres: save,
//! edit, compare, open a version, restore it live for a watching client
//! (with a version of the board before the restore saved first), and who
//! may do which.

#[macro_use]
mod common;

use cjm_core::protocol::ServerMsg;
use cjm_core::{Board, CardPatch, Op, StagePatch};
use common::*;
use serde_json::{Value, json};

/// The map alone: cards without the time they changed.
fn map(b: &Board) -> Value {
    let mut v = serde_json::to_value(b).unwrap();
    for c in v["cards"].as_object_mut().unwrap().values_mut() {
        c["updated_at"] = json!(0);
    }
    for key in [
        "comments",
        "card_reactions",
        "timer",
        "vote",
        "card_votes",
        "quiet",
    ] {
        v.as_object_mut().unwrap().remove(key);
    }
    v
}

async fn test_save_compare_open_and_restore_a_version(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("fridge_example").await;
    let owner = owner_cookie(server.addr).await;
    let http = signed_in_http(&owner);
    let url = |p: &str| server.url(&format!("/api/boards/{}{p}", board.id));

    let res = http
        .post(url("/versions"))
        .json(&json!({ "name": "Before the workshop", "note": "as reviewed in October" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let saved: Value = res.json().await.unwrap();
    let v1 = saved["version"]["id"].as_str().unwrap().to_string();
    let (original, _) = server.snapshot(board.id).await;

    // The workshop edits the map.
    let mut c = server.client(board.id, "Editor").await;
    c.welcome().await;
    let stages = original.stages_in_order();
    let card = *original.cards.keys().next().unwrap();
    c.apply(vec![
        Op::UpdateStage {
            id: stages[0].id,
            patch: StagePatch {
                name: Some("Noticing".into()),
                ..StagePatch::default()
            },
        },
        Op::UpdateCard {
            id: card,
            patch: CardPatch {
                text: Some("Edited".into()),
                ..CardPatch::default()
            },
        },
        Op::DeleteStage {
            id: stages.last().unwrap().id,
        },
    ])
    .await;

    let cmp: Value = http
        .get(url(&format!("/compare?from={v1}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c1 = &cmp["comparison"];
    assert_eq!(c1["stages_changed"][0], json!(stages[0].id));
    assert_eq!(c1["stages_removed"][0], json!(stages.last().unwrap().id));
    assert!(
        c1["cards_edited"]
            .as_array()
            .unwrap()
            .contains(&json!(card))
    );
    assert!(!c1["cards_removed"].as_array().unwrap().is_empty());
    assert_eq!(cmp["to"]["current"], true);

    let opened: Value = http
        .get(url(&format!("/versions/{v1}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(opened["version"]["name"], "Before the workshop");
    assert_eq!(opened["version"]["note"], "as reviewed in October");
    let as_saved: Board = serde_json::from_value(opened["board"].clone()).unwrap();
    assert_eq!(map(&as_saved), map(&original));
    // The version drawn as it was: the stage's old name, not the new one.
    let res = http
        .get(url(&format!(
            "/versions/{v1}/export?format=svg&inline=true"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(
        res.headers().get("content-disposition").is_none(),
        "shown, not saved"
    );
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    let drawn = res.text().await.unwrap();
    assert!(drawn.contains(&stages[0].name) && !drawn.contains("Noticing"));
    let missing = http
        .get(url(&format!(
            "/versions/{}/export?format=svg",
            uuid::Uuid::now_v7()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // Restore: one batch everyone receives; the board before it is kept.
    let res = http
        .post(url(&format!("/versions/{v1}/restore")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let restored: Value = res.json().await.unwrap();
    let seq = restored["seq"].as_u64().unwrap();
    loop {
        if let ServerMsg::Applied(a) = c.recv().await
            && a.seq == seq
        {
            break;
        }
    }
    let (now, _) = server.snapshot(board.id).await;
    assert_eq!(map(&now), map(&original));
    let list: Value = http
        .get(url("/versions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let versions = list["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["auto"], true);
    assert_eq!(
        versions[0]["name"],
        "Before restoring “Before the workshop”"
    );
    // And the restore can be taken back with that version.
    let before = versions[0]["id"].as_str().unwrap();
    let back: Value = http
        .get(url(&format!("/compare?from={v1}&to={before}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !back["comparison"]["stages_removed"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    drop(c);
    teardown(db, server).await;
}

async fn test_who_may_save_and_restore(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("classic").await;
    let owner = owner_cookie(server.addr).await;
    let url = |p: &str| server.url(&format!("/api/boards/{}{p}", board.id));
    let res = signed_in_http(&owner)
        .post(url("/versions"))
        .json(&json!({ "name": "v1" }))
        .send()
        .await
        .unwrap();
    let v1 = res.json::<Value>().await.unwrap()["version"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let viewer = signed_in_http(&viewer_cookie(server.addr, board.id, "Manager").await);
    assert_eq!(
        viewer.get(url("/versions")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        viewer
            .get(url(&format!("/versions/{v1}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        viewer
            .get(url(&format!("/compare?from={v1}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        viewer
            .post(url("/versions"))
            .json(&json!({ "name": "x" }))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        viewer
            .post(url(&format!("/versions/{v1}/restore")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let http = signed_in_http(&owner);
    assert_eq!(
        http.post(url("/versions"))
            .json(&json!({ "name": " " }))
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(
        http.get(url("/versions/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        http.get(url(&format!("/versions/{}", uuid::Uuid::now_v7())))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        http.get(url("/compare")).send().await.unwrap().status(),
        422
    );
    let stranger = signed_in_http(&account_cookie(server.addr, "s@test.example", "S").await);
    assert_eq!(
        stranger
            .get(url("/versions"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    teardown(db, server).await;
}

/// The hourly job saves a version of each board that changed that day,
/// once, and removes automatic versions past their time.
async fn test_a_changed_board_gets_a_daily_version(backend: &str) {
    let db = Db::new(backend).await;
    let server = TestServer::start(&db).await;
    let (board, _) = server.create_board("classic").await;
    let (untouched, _) = server.create_board("classic").await;
    let mut c = server.client(board.id, "Editor").await;
    c.welcome().await;
    c.apply(vec![Op::SetBoardTitle {
        title: "Changed today".into(),
    }])
    .await;
    let policy = cjm_server::maintenance::Policy::default();
    let store = &*server.state.store;
    let report = cjm_server::maintenance::run_once(store, &policy)
        .await
        .unwrap();
    assert_eq!(report.versions_saved, 1, "only the board that changed");
    let versions = store.versions(board.id, 10).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].auto && versions[0].name.starts_with("Daily: "));
    assert!(store.versions(untouched.id, 10).await.unwrap().is_empty());
    let again = cjm_server::maintenance::run_once(store, &policy)
        .await
        .unwrap();
    assert_eq!(again.versions_saved, 0, "once a day");
    let prune = cjm_server::maintenance::Policy {
        keep_auto_versions: std::time::Duration::ZERO,
        daily_version: std::time::Duration::ZERO,
        ..policy
    };
    let pruned = cjm_server::maintenance::run_once(store, &prune)
        .await
        .unwrap();
    assert_eq!(pruned.versions_removed, 1);
    drop(c);
    teardown(db, server).await;
}

on_both_stores!(
    test_save_compare_open_and_restore_a_version,
    test_who_may_save_and_restore,
    test_a_changed_board_gets_a_daily_version,
);
