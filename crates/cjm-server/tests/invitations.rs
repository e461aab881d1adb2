//! Inviting an email that has no account leaves a pending invitation:
//! owners see it in the member list and may take it back or change its
//! role; signing up with the email makes the new account a member with
//! the invited role, and the invitation is gone. Only owners invite, and
//! only owners see who is invited.

#[macro_use]
mod common;

use common::{account_cookie, setup, signed_in_http, teardown};
use serde_json::{Value, json};

async fn test_invited_email_joins_on_signup(backend: &str) {
    let (db, server, board) = setup(backend, "classic").await;
    let owner = common::owner_http(server.addr).await;
    let members = server.url(&format!("/api/boards/{}/members", board.id));
    let invite = |email: &str, role: &str| {
        owner
            .post(&members)
            .json(&json!({ "email": email, "role": role }))
            .send()
    };

    // Nobody uses these emails yet: invitations, not members.
    let res = invite("  Nina@Example.COM ", "viewer").await.unwrap();
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "email": "nina@example.com", "role": "viewer", "pending": true })
    );
    // Invited again: the role changes, still one invitation.
    assert_eq!(
        invite("nina@example.com", "editor").await.unwrap().status(),
        202
    );
    assert_eq!(
        invite("oleg@example.com", "commenter")
            .await
            .unwrap()
            .status(),
        202
    );
    let list: Value = owner
        .get(&members)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pending: Vec<(String, String)> = list["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["email"].as_str().unwrap().into(),
                i["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pending,
        [
            ("nina@example.com".to_string(), "editor".to_string()),
            ("oleg@example.com".to_string(), "commenter".to_string()),
        ]
    );
    assert_eq!(
        list["members"].as_array().unwrap().len(),
        1,
        "only the owner"
    );

    // An editor (a member, not an owner) neither invites nor sees them.
    let nina = signed_in_http(&account_cookie(server.addr, "nina@example.com", "Nina").await);
    let seen: Value = nina
        .get(&members)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen["you"], "editor",
        "signing up joined the board as invited"
    );
    assert_eq!(seen["invitations"], json!([]));
    let res = nina
        .post(&members)
        .json(&json!({ "email": "pavel@example.com", "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Nina's invitation is used up; Oleg's is still there.
    let list: Value = owner
        .get(&members)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(list["invitations"][0]["email"], "oleg@example.com");
    let nina_member = list["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "nina@example.com")
        .expect("Nina is a member");
    assert_eq!(nina_member["role"], "editor");
    // She can open the board over the websocket.
    let ws = nina
        .get(server.url(&format!("/api/boards/{}", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(ws.status(), 200);

    // Taken back: Oleg signs up and joins nothing.
    let cancel = |email: &str| {
        owner
            .delete(server.url(&format!("/api/boards/{}/invitations/{email}", board.id)))
            .send()
    };
    assert_eq!(cancel("Oleg@example.com").await.unwrap().status(), 204);
    assert_eq!(cancel("oleg@example.com").await.unwrap().status(), 404);
    let oleg = signed_in_http(&account_cookie(server.addr, "oleg@example.com", "Oleg").await);
    let res = oleg.get(&members).send().await.unwrap();
    assert_eq!(res.status(), 404, "not invited any more, so no access");

    // An existing account is added at once, as before.
    let res = invite("oleg@example.com", "viewer").await.unwrap();
    assert_eq!(res.status(), 201);
    let list: Value = owner
        .get(&members)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["invitations"], json!([]));
    assert_eq!(list["members"].as_array().unwrap().len(), 3);
    teardown(db, server).await;
}

on_both_stores!(test_invited_email_joins_on_signup);
