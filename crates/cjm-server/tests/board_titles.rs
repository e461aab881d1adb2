//! A board created without a title is called after its template, in the
//! board's language (built-in templates) or by the saved template's name,
//! never "New board"; a title given is kept.

#[macro_use]
mod common;

use cjm_core::Board;
use common::{setup, teardown};
use serde_json::{Value, json};

async fn create(http: &reqwest::Client, url: String, body: Value) -> Board {
    let res = http.post(url).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201, "{body}");
    let v: Value = res.json().await.unwrap();
    serde_json::from_value(v["board"].clone()).unwrap()
}

async fn test_untitled_board_takes_template_name(backend: &str) {
    let (db, server, board) = setup(backend, "fridge_example").await;
    let http = common::owner_http(server.addr).await;
    let url = || server.url("/api/boards");

    for (body, want) in [
        (
            json!({"title": "", "template": "classic", "locale": "en"}),
            "Classic journey",
        ),
        (
            json!({"title": "   ", "template": "classic", "locale": "ru"}),
            "Классический путь",
        ),
        // No title at all, no locale: English.
        (json!({"template": "seven_layers"}), "Seven layers"),
        (
            json!({"title": "", "template": "fridge_example", "locale": "ru"}),
            "Игорь, 45, покупает холодильник",
        ),
        // A title given stays (trimmed).
        (
            json!({"title": "  Onboarding  ", "template": "classic", "locale": "ru"}),
            "Onboarding",
        ),
    ] {
        let made = create(&http, url(), body.clone()).await;
        assert_eq!(made.title, want, "{body}");
        let (stored, _) = server.snapshot(made.id).await;
        assert_eq!(stored.title, want, "stored: {body}");
    }
    // The list shows the same name.
    let list: Value = http.get(url()).send().await.unwrap().json().await.unwrap();
    assert!(
        list["boards"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["title"] == "Классический путь"),
        "{list}"
    );

    // A saved template gives its own name.
    let res = http
        .post(server.url(&format!("/api/boards/{}/template", board.id)))
        .json(&json!({"name": "Retail frame", "include_cards": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let saved: Value = res.json().await.unwrap();
    let made = create(
        &http,
        url(),
        json!({"title": "", "template": saved["id"], "locale": "ru"}),
    )
    .await;
    assert_eq!(made.title, "Retail frame");
    let made = create(
        &http,
        url(),
        json!({"title": "Mine", "template": saved["id"]}),
    )
    .await;
    assert_eq!(made.title, "Mine");

    // Still refused: an over-long title and an unknown template.
    for (body, code) in [
        (
            json!({"title": "x".repeat(201), "template": "blank"}),
            "invalid_title",
        ),
        (json!({"title": "", "template": "nope"}), "unknown_template"),
    ] {
        let res = http.post(url()).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 422, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], code, "{body}");
    }
    teardown(db, server).await;
}

on_both_stores!(test_untitled_board_takes_template_name);
