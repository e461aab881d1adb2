//! Comments, mentions and reactions through the real server, on SQLite and
//! on Postgres: who may comment (a commenter may, a viewer may not, and a
//! commenter still cannot change the map), authorship set by the server,
//! only authors edit, threads resolve, the inbox, the people to mention,
//! what each person has read, and comments that come back with an undone
//! card.

#[macro_use]
mod common;

use cjm_core::protocol::ServerMsg;
use cjm_core::{
    Batch, Board, CardId, CardPatch, CommentId, CommentTarget, NewComment, Op, ReactionTarget,
};
use common::*;
use serde_json::{Value, json};
use uuid::Uuid;

/// The answer to `batch`: `Ok(seq)` for its `applied`, `Err(code)` for its
/// `rejected`; others' broadcasts on the way are skipped.
async fn answer(c: &mut Client, batch: &Batch) -> Result<u64, String> {
    loop {
        match c.recv().await {
            ServerMsg::Applied(a) if a.client_op_id == batch.client_op_id => return Ok(a.seq),
            ServerMsg::Rejected {
                client_op_id, code, ..
            } if client_op_id == batch.client_op_id => return Err(code.to_string()),
            _ => continue,
        }
    }
}

async fn send(c: &mut Client, ops: Vec<Op>) -> Result<u64, String> {
    let batch = c.submit(ops).await;
    answer(c, &batch).await
}

async fn get(server: &TestServer, path: &str, cookie: &str) -> (u16, Value) {
    let res = signed_in_http(cookie)
        .get(server.url(path))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post(server: &TestServer, path: &str, cookie: &str, body: Value) -> (u16, Value) {
    let res = signed_in_http(cookie)
        .post(server.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A signed-in account made a member of `board` with `role`: its cookie
/// and its actor id.
async fn member(
    server: &TestServer,
    board: &Board,
    email: &str,
    name: &str,
    role: &str,
) -> (String, Uuid) {
    let cookie = account_cookie(server.addr, email, name).await;
    let owner = owner_cookie(server.addr).await;
    let (status, body) = post(
        server,
        &format!("/api/boards/{}/members", board.id),
        &owner,
        json!({ "email": email, "role": role }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, me) = get(server, "/api/auth/me", &cookie).await;
    let id = me["user"]["id"]
        .as_str()
        .or(me["id"].as_str())
        .unwrap()
        .parse()
        .unwrap();
    (cookie, id)
}

async fn joined(server: &TestServer, board: &Board, cookie: &str) -> Client {
    let mut c = Client::connect_with(server.addr, board.id, Some(cookie)).await;
    c.hello().await;
    c.welcome().await;
    c
}

fn comment(
    on: CommentTarget,
    parent: Option<CommentId>,
    text: &str,
    mentions: Vec<Uuid>,
) -> (CommentId, Op) {
    let id = CommentId::new();
    let op = Op::AddComment(NewComment {
        id,
        on,
        parent,
        text: text.into(),
        mentions,
        // Whatever a client says here, the server writes the sender's name.
        author_name: "Mallory".into(),
    });
    (id, op)
}

fn first_card(board: &Board) -> CardId {
    *board.cards.keys().next().expect("the template has cards")
}

async fn test_a_workshop_conversation(backend: &str) {
    let (db, server, board) = setup(backend, "fridge_example").await;
    let card = first_card(&board);
    let owner_cookie = owner_cookie(server.addr).await;
    let (carol_cookie, carol) =
        member(&server, &board, "carol@test.example", "Carol", "commenter").await;
    let mut owner = joined(&server, &board, &owner_cookie).await;
    let mut carol_ws = joined(&server, &board, &carol_cookie).await;
    let mut viewer = Client::connect_with(
        server.addr,
        board.id,
        Some(&viewer_cookie(server.addr, board.id, "Vic").await),
    )
    .await;
    viewer.hello().await;
    viewer.welcome().await;
    let mut editor = server.client(board.id, "Eve").await;
    editor.welcome().await;

    // The owner opens a thread on a card and mentions Carol.
    let (thread, op) = comment(
        CommentTarget::Card(card),
        None,
        "Is this pain real? @Carol",
        vec![carol],
    );
    send(&mut owner, vec![op])
        .await
        .expect("the owner comments");

    // Carol, a commenter, replies and reacts; she cannot change the map.
    let (reply, op) = comment(
        CommentTarget::Card(card),
        Some(thread),
        "Yes: 40 calls a week",
        vec![],
    );
    send(&mut carol_ws, vec![op])
        .await
        .expect("a commenter comments");
    let react = |target, add| Op::React {
        target,
        emoji: "👍".into(),
        add,
    };
    send(&mut carol_ws, vec![react(ReactionTarget::Card(card), true)])
        .await
        .unwrap();
    send(
        &mut carol_ws,
        vec![react(ReactionTarget::Comment(thread), true)],
    )
    .await
    .unwrap();
    let edit_card = Op::UpdateCard {
        id: card,
        patch: CardPatch {
            text: Some("changed by a commenter".into()),
            ..CardPatch::default()
        },
    };
    assert_eq!(
        send(&mut carol_ws, vec![edit_card.clone()]).await,
        Err("forbidden".into())
    );
    // Not even smuggled in with a comment: a batch is all or nothing.
    let (_, op) = comment(CommentTarget::Card(card), None, "cover", vec![]);
    assert_eq!(
        send(&mut carol_ws, vec![op, edit_card]).await,
        Err("forbidden".into())
    );
    let unknown_emoji = Op::React {
        target: ReactionTarget::Card(card),
        emoji: "💩".into(),
        add: true,
    };
    assert_eq!(
        send(&mut carol_ws, vec![unknown_emoji]).await,
        Err("invalid".into())
    );

    // A viewer reads comments but writes none.
    let (_, op) = comment(CommentTarget::Card(card), None, "from a viewer", vec![]);
    assert_eq!(send(&mut viewer, vec![op]).await, Err("forbidden".into()));

    // Only the author edits or deletes; anyone who may comment resolves.
    let edit = |id, text: &str| Op::EditComment {
        id,
        text: text.into(),
        mentions: None,
    };
    assert_eq!(
        send(&mut editor, vec![edit(thread, "hijacked")]).await,
        Err("forbidden".into())
    );
    assert_eq!(
        send(&mut editor, vec![Op::DeleteComment { id: reply }]).await,
        Err("forbidden".into())
    );
    send(&mut carol_ws, vec![edit(reply, "Yes: 42 calls a week")])
        .await
        .unwrap();
    send(
        &mut editor,
        vec![Op::ResolveComment {
            id: thread,
            resolved: true,
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        send(
            &mut editor,
            vec![Op::ResolveComment {
                id: reply,
                resolved: true
            }]
        )
        .await,
        Err("invalid".into()),
        "replies are resolved with their thread"
    );

    // What was stored: names from the sessions, authors from the server.
    let (stored, _) = server.snapshot(board.id).await;
    let t = &stored.comments[&thread];
    let r = &stored.comments[&reply];
    assert_eq!(
        (t.author_name.as_str(), r.author_name.as_str()),
        ("Owner", "Carol")
    );
    assert_eq!(r.author, carol);
    assert_eq!(r.text, "Yes: 42 calls a week");
    assert!(r.edited_at.is_some() && t.resolved);
    assert!(t.reactions["👍"].contains(&carol));
    assert!(stored.card_reactions[&card]["👍"].contains(&carol));
    assert_eq!(stored.comments.len(), 2, "the refused batches left nothing");
    // A newcomer's welcome carries the same.
    let mut late = Client::connect(server.addr, board.id).await;
    late.hello().await;
    let (welcome_board, _, _) = late.welcome().await;
    assert_eq!(welcome_board.unwrap().comments, stored.comments);

    // The REST view: filters, and what Carol has not read yet.
    let path = format!("/api/boards/{}/comments", board.id);
    let (status, all) = get(&server, &path, &carol_cookie).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["comments"].as_array().unwrap().len(), 2);
    assert_eq!(all["seen_at"], 0);
    let (_, open) = get(&server, &format!("{path}?status=open"), &carol_cookie).await;
    assert_eq!(open["comments"], json!([]));
    let (_, mine) = get(&server, &format!("{path}?mentions_me=true"), &carol_cookie).await;
    assert_eq!(
        mine["comments"].as_array().unwrap().len(),
        2,
        "the thread that mentions her"
    );
    let (_, none) = get(&server, &format!("{path}?mentions_me=true"), &owner_cookie).await;
    assert_eq!(none["comments"], json!([]));
    assert_eq!(
        get(&server, &format!("{path}?status=later"), &carol_cookie)
            .await
            .0,
        422
    );
    let (status, seen) = post(&server, &format!("{path}/seen"), &carol_cookie, json!({})).await;
    assert_eq!(status, 200);
    let (_, after) = get(&server, &path, &carol_cookie).await;
    assert_eq!(after["seen_at"], seen["seen_at"]);

    // Carol's inbox has the mention, unread until she reads it.
    let (_, inbox) = get(&server, "/api/inbox", &carol_cookie).await;
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["comment"]["id"], json!(thread));
    assert_eq!(inbox["items"][0]["board_title"], "Test map");
    post(&server, "/api/inbox/read", &carol_cookie, json!({})).await;
    let (_, inbox) = get(&server, "/api/inbox", &carol_cookie).await;
    assert_eq!(
        (
            inbox["unread"].as_u64(),
            inbox["items"][0]["unread"].as_bool()
        ),
        (Some(0), Some(false))
    );
    // The owner was not mentioned; a guest has no inbox.
    let (_, owners) = get(&server, "/api/inbox", &owner_cookie).await;
    assert_eq!(owners["items"], json!([]));

    // Who can be mentioned: members and named guests, without emails.
    let (status, people) = get(
        &server,
        &format!("/api/boards/{}/people", board.id),
        &carol_cookie,
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = people["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["Owner", "Carol", "Eve"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(!people.to_string().contains('@'), "no emails: {people}");

    // Removing Carol from the board takes the mention out of her inbox.
    let res = signed_in_http(&owner_cookie)
        .delete(server.url(&format!("/api/boards/{}/members/{carol}", board.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (_, inbox) = get(&server, "/api/inbox", &carol_cookie).await;
    assert_eq!(inbox["items"], json!([]));
    teardown(db, server).await;
}

async fn test_comments_come_back_with_an_undone_card(backend: &str) {
    let (db, server, board) = setup(backend, "fridge_example").await;
    let card_id = first_card(&board);
    let card = board.cards[&card_id].clone();
    let mut owner = Client::connect(server.addr, board.id).await;
    owner.hello().await;
    owner.welcome().await;
    let (thread, op) = comment(
        CommentTarget::Card(card_id),
        None,
        "keep this discussion",
        vec![],
    );
    let stage = CommentTarget::Stage(card.stage_id);
    let (on_stage, op2) = comment(stage, None, "about the stage", vec![]);
    send(&mut owner, vec![op, op2]).await.unwrap();
    let cookie = owner_cookie(server.addr).await;
    let path = format!("/api/boards/{}/comments", board.id);
    let listed = |v: &Value| -> Vec<String> {
        v["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };

    send(&mut owner, vec![Op::DeleteCard { id: card_id }])
        .await
        .unwrap();
    let (_, v) = get(&server, &path, &cookie).await;
    assert_eq!(
        listed(&v),
        vec![on_stage.to_string()],
        "a deleted card's thread is not listed"
    );
    let (stored, _) = server.snapshot(board.id).await;
    assert!(stored.comments.contains_key(&thread), "but it is kept");

    // Undo of the delete recreates the card with its id: the thread is back.
    send(&mut owner, vec![Op::CreateCard(card)]).await.unwrap();
    let (_, v) = get(&server, &path, &cookie).await;
    assert_eq!(listed(&v).len(), 2);

    // Comments need something to be about.
    let (_, op) = comment(
        CommentTarget::Card(CardId::new()),
        None,
        "on nothing",
        vec![],
    );
    assert_eq!(send(&mut owner, vec![op]).await, Err("not_found".into()));
    let (_, op) = comment(stage, None, "   ", vec![]);
    assert_eq!(send(&mut owner, vec![op]).await, Err("invalid".into()));
    // A reply to a reply is refused: threads are one level deep.
    let (reply, op) = comment(stage, Some(on_stage), "a reply", vec![]);
    send(&mut owner, vec![op]).await.unwrap();
    let (_, op) = comment(stage, Some(reply), "deeper", vec![]);
    assert_eq!(send(&mut owner, vec![op]).await, Err("invalid".into()));
    // Deleting a thread takes its replies along.
    send(&mut owner, vec![Op::DeleteComment { id: on_stage }])
        .await
        .unwrap();
    let (stored, _) = server.snapshot(board.id).await;
    assert!(!stored.comments.contains_key(&reply));
    assert_eq!(stored.comments.len(), 1);
    teardown(db, server).await;
}

on_both_stores!(
    test_a_workshop_conversation,
    test_comments_come_back_with_an_undone_card
);
