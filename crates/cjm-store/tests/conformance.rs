//! One conformance suite, run against both backends: SQLite in a temporary
//! file and the real Postgres in a fresh database per test.

use std::collections::BTreeSet;
use std::sync::Arc;

use cjm_core::template::{Locale, Template};
use cjm_core::*;
use cjm_store::test_db::TestPgDb;
use cjm_store::{NewBatch, SavedTemplate, Store, StoreError, Upload};

const NOW: i64 = 1_760_000_000_000;

/// Applies `ops` as the room does and commits the result.
async fn submit(store: &dyn Store, board: &mut Board, ops: Vec<Op>) -> (Batch, u64) {
    let batch = Batch::new(ops);
    let changes = board
        .apply(&batch.ops, ApplyCtx::at(NOW))
        .expect("valid batch");
    let c = commit(store, board, &batch, &changes).await;
    (batch, c)
}

async fn commit(
    store: &dyn Store,
    board: &Board,
    batch: &Batch,
    changes: &BTreeSet<Change>,
) -> u64 {
    let new = stored(batch);
    // The board as stored is the one this test's `board` follows.
    let (_, seq) = store
        .load_board(board.id)
        .await
        .unwrap()
        .expect("board exists");
    store
        .commit(board, seq, &[new], changes)
        .await
        .expect("commit")[0]
}

fn stored(batch: &Batch) -> NewBatch {
    NewBatch {
        client_op_id: batch.client_op_id,
        actor: "ana".into(),
        at: NOW,
        ops: serde_json::value::to_raw_value(&batch.ops).unwrap(),
    }
}

fn new_card(board: &Board, stage: usize, text: &str) -> Card {
    let mut card = Card::new(
        board.stages_in_order()[stage].id,
        board.lanes_in_order()[0].id,
        OrderKey::first(),
        text,
        Color::Yellow,
    );
    card.channel = Some(Channel::Email);
    card.evidence = vec![Evidence {
        source: EvidenceSource::Interview,
        quote: "«Не понял, где доставка»".into(),
        link: Some("https://example.com/i/1".into()),
        date: Some("2026-11-01".into()),
    }];
    card
}

async fn test_create_from_template_and_load(store: Arc<dyn Store>) {
    let owner = user(&*store, "owner@example.com").await;
    let board = Template::Classic.build(BoardId::new(), "Холодильник", Locale::Ru);
    store.create_board(&board, Some(owner), NOW).await.unwrap();
    let (loaded, seq) = store
        .load_board(board.id)
        .await
        .unwrap()
        .expect("board exists");
    assert_eq!(seq, 0);
    assert_eq!(loaded, board);
    let list = store.list_boards(owner).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].title, "Холодильник");
    assert_eq!(list[0].stages, 6);
    assert_eq!(list[0].role, Role::Owner);
    let stranger = user(&*store, "stranger@example.com").await;
    assert!(store.list_boards(stranger).await.unwrap().is_empty());
    assert!(store.load_board(BoardId::new()).await.unwrap().is_none());
}

async fn test_batches_persist_every_entity_kind(store: Arc<dyn Store>) {
    let mut board = Template::Classic.build(BoardId::new(), "Fridge", Locale::En);
    store.create_board(&board, None, NOW).await.unwrap();
    let persona = Persona {
        id: PersonaId::new(),
        name: "Igor".into(),
        order: OrderKey::first(),
        color: Color::Blue,
        avatar_url: None,
        age: Some(45),
        role: "engineer".into(),
        quote: "I want it to just work".into(),
        goals: "a quiet fridge".into(),
        needs: String::new(),
        pains: String::new(),
        fears: String::new(),
        expectations: String::new(),
        about: String::new(),
    };
    let mut card = new_card(&board, 0, "Reads reviews");
    card.persona_id = Some(persona.id);
    let mut opp = new_card(&board, 1, "Delivery slots");
    opp.opportunity = Some(Opportunity {
        impact: 5,
        effort: 2,
        owner: "Olga".into(),
        status: OpportunityStatus::Planned,
        addresses: vec![card.id],
    });
    let stage0 = board.stages_in_order()[0].id;
    let (_, c1) = submit(
        &*store,
        &mut board,
        vec![
            Op::CreatePersona(persona.clone()),
            Op::CreateCard(card.clone()),
            Op::CreateCard(opp),
            Op::SetEmotion {
                persona_id: persona.id,
                stage_id: stage0,
                curve: Curve::AsIs,
                score: Some(-2),
            },
            Op::SetEmotion {
                persona_id: persona.id,
                stage_id: stage0,
                curve: Curve::ToBe,
                score: Some(1),
            },
            Op::UpdateStage {
                id: stage0,
                patch: StagePatch {
                    metrics: Some(vec![StageMetric {
                        name: "NPS".into(),
                        value: Num(32.5),
                        unit: String::new(),
                        target: Some(Num(45.0)),
                        higher_is_better: true,
                    }]),
                    ..Default::default()
                },
            },
            Op::SetBoardTitle {
                title: "Fridge v2".into(),
            },
        ],
    )
    .await;
    assert_eq!(c1, 1);
    let (loaded, seq) = store.load_board(board.id).await.unwrap().unwrap();
    assert_eq!(seq, 1);
    assert_eq!(loaded, board);

    // Moves, edits and cascading deletes.
    let stage2 = board.stages_in_order()[2].id;
    let lane = board.lanes_in_order()[1].id;
    let (_, c2) = submit(
        &*store,
        &mut board,
        vec![
            Op::MoveCard {
                id: card.id,
                stage_id: stage2,
                lane_id: lane,
                order: OrderKey::first(),
            },
            Op::UpdateCard {
                id: card.id,
                patch: CardPatch {
                    text: Some("edited".into()),
                    ..Default::default()
                },
            },
            Op::DeleteStage { id: stage0 },
            Op::DeletePersona { id: persona.id },
        ],
    )
    .await;
    assert_eq!(c2, 2);
    let (loaded, seq) = store.load_board(board.id).await.unwrap().unwrap();
    assert_eq!(seq, 2);
    assert_eq!(loaded, board);

    // Undo of a delete: the same card id comes back.
    let (_, _) = submit(&*store, &mut board, vec![Op::DeleteCard { id: card.id }]).await;
    let mut back = board.clone();
    let restore = board_card_restore(&card, stage2, lane);
    let (_, _) = submit(&*store, &mut back, vec![Op::CreateCard(restore)]).await;
    let (loaded, _) = store.load_board(board.id).await.unwrap().unwrap();
    assert_eq!(loaded, back);
}

fn board_card_restore(card: &Card, stage: StageId, lane: LaneId) -> Card {
    Card {
        stage_id: stage,
        lane_id: lane,
        persona_id: None,
        text: "edited".into(),
        ..card.clone()
    }
}

async fn test_resent_batch_is_a_noop_returning_original_seq(store: Arc<dyn Store>) {
    let mut board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, None, NOW).await.unwrap();
    let card = new_card(&board, 0, "x");
    let (batch, first) = submit(&*store, &mut board, vec![Op::CreateCard(card)]).await;
    assert_eq!(first, 1);
    submit(
        &*store,
        &mut board,
        vec![Op::SetBoardTitle { title: "B2".into() }],
    )
    .await;

    // Resent alone, or in a group with a new batch: nothing is written and
    // the original seq is reported.
    let fresh = Batch::new(vec![Op::SetBoardTitle { title: "B3".into() }]);
    let mut ahead = board.clone();
    let changes = ahead.apply(&fresh.ops, ApplyCtx::at(NOW)).unwrap();
    for group in [vec![stored(&batch)], vec![stored(&fresh), stored(&batch)]] {
        let err = store.commit(&ahead, 2, &group, &changes).await.unwrap_err();
        match err {
            StoreError::AlreadyStored(seqs) => {
                assert_eq!(seqs.len(), 1);
                assert_eq!(seqs[&batch.client_op_id], 1);
            }
            other => panic!("expected AlreadyStored, got {other:?}"),
        }
        let (loaded, seq) = store.load_board(board.id).await.unwrap().unwrap();
        assert_eq!(seq, 2, "nothing was appended");
        assert_eq!(loaded, board, "nothing was written");
    }
    let found = store
        .find_batches(board.id, &[batch.client_op_id, ClientOpId::new()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[&batch.client_op_id], 1);
}

async fn test_ops_since_returns_the_log_in_order(store: Arc<dyn Store>) {
    let mut board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, None, NOW).await.unwrap();
    let mut sent = Vec::new();
    for i in 0..5 {
        let (b, _) = submit(
            &*store,
            &mut board,
            vec![Op::SetBoardTitle {
                title: format!("T{i}"),
            }],
        )
        .await;
        sent.push(b);
    }
    let log = store.ops_since(board.id, 2, 100).await.unwrap();
    assert_eq!(log.iter().map(|a| a.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(log[0].client_op_id, sent[2].client_op_id);
    assert_eq!(log[0].ops, sent[2].ops);
    assert_eq!(log[0].actor, "ana");
    assert_eq!(store.ops_since(board.id, 0, 2).await.unwrap().len(), 2);

    // Replaying the log on the initial state gives the stored state.
    let mut replay = Template::Blank.build(board.id, "B", Locale::En);
    replay.stages = board.stages.clone();
    replay.lanes = board.lanes.clone();
    for a in store.ops_since(board.id, 0, 100).await.unwrap() {
        replay.apply(&a.ops, ApplyCtx::at(a.at)).unwrap();
    }
    assert_eq!(replay, store.load_board(board.id).await.unwrap().unwrap().0);
}

async fn test_group_commit_assigns_consecutive_seqs(store: Arc<dyn Store>) {
    let mut board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, None, NOW).await.unwrap();
    let mut news = Vec::new();
    let mut changes = BTreeSet::new();
    for i in 0..10 {
        let batch = Batch::new(vec![Op::CreateCard(new_card(&board, 0, &format!("c{i}")))]);
        changes.extend(board.apply(&batch.ops, ApplyCtx::at(NOW)).unwrap());
        news.push(NewBatch {
            client_op_id: batch.client_op_id,
            actor: "bob".into(),
            at: NOW,
            ops: serde_json::value::to_raw_value(&batch.ops).unwrap(),
        });
    }
    let out = store.commit(&board, 0, &news, &changes).await.unwrap();
    assert_eq!(out, (1..=10).collect::<Vec<_>>());
    assert_eq!(
        store.load_board(board.id).await.unwrap().unwrap(),
        (board, 10)
    );
}

async fn test_stale_commit_is_refused_and_writes_nothing(store: Arc<dyn Store>) {
    let mut board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, None, NOW).await.unwrap();
    let before = board.clone();
    // Two writers both start from seq 0; the first wins.
    let card = new_card(&board, 0, "first");
    submit(&*store, &mut board, vec![Op::CreateCard(card)]).await;
    let mut other = before.clone();
    let late = Batch::new(vec![Op::CreateCard(new_card(&other, 1, "late"))]);
    let changes = other.apply(&late.ops, ApplyCtx::at(NOW)).unwrap();
    let new = NewBatch {
        client_op_id: late.client_op_id,
        actor: "bob".into(),
        at: NOW,
        ops: serde_json::value::to_raw_value(&late.ops).unwrap(),
    };
    let err = store.commit(&other, 0, &[new], &changes).await.unwrap_err();
    assert!(
        matches!(err, cjm_store::StoreError::Stale { current: 1 }),
        "{err:?}"
    );
    assert_eq!(
        store.load_board(board.id).await.unwrap().unwrap(),
        (board, 1)
    );
    assert!(
        store
            .find_batches(before.id, &[late.client_op_id])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn test_delete_board_hides_it(store: Arc<dyn Store>) {
    let owner = user(&*store, "owner@example.com").await;
    let board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, Some(owner), NOW).await.unwrap();
    assert!(store.delete_board(board.id, NOW).await.unwrap());
    assert!(!store.delete_board(board.id, NOW).await.unwrap());
    assert!(store.load_board(board.id).await.unwrap().is_none());
    assert!(store.list_boards(owner).await.unwrap().is_empty());
    assert_eq!(store.member_role(board.id, owner).await.unwrap(), None);
}

/// The example map round-trips every field (metrics, both curves,
/// evidence, opportunities) through the entity tables.
async fn test_the_example_map_round_trips(store: Arc<dyn Store>) {
    for locale in [Locale::En, Locale::Ru] {
        let board = Template::FridgeExample.build(BoardId::new(), "Igor", locale);
        store.create_board(&board, None, NOW).await.unwrap();
        let (loaded, _) = store.load_board(board.id).await.unwrap().unwrap();
        assert_eq!(loaded, board);
    }
}

async fn test_uploads_are_stored_and_go_with_their_board(store: Arc<dyn Store>) {
    let board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, None, NOW).await.unwrap();
    let upload = Upload {
        id: uuid::Uuid::now_v7(),
        board_id: board.id,
        content_type: "image/png".into(),
        bytes: vec![0x89, b'P', b'N', b'G', 0, 1, 2, 255],
    };
    store.put_upload(&upload, "anna", NOW).await.unwrap();
    assert_eq!(
        store.get_upload(upload.id).await.unwrap(),
        Some(upload.clone())
    );
    assert_eq!(store.get_upload(uuid::Uuid::now_v7()).await.unwrap(), None);
    store.delete_board(board.id, NOW).await.unwrap();
    assert_eq!(store.get_upload(upload.id).await.unwrap(), None);
}

async fn test_saved_templates_list_load_and_delete(store: Arc<dyn Store>) {
    let anna = user(&*store, "anna@example.com").await;
    let boris = user(&*store, "boris@example.com").await;
    let board = Template::FridgeExample.build(BoardId::new(), "Igor", Locale::En);
    let older = SavedTemplate {
        id: uuid::Uuid::now_v7(),
        name: "Retail journey".into(),
        board: board.clone(),
        created_at: NOW,
        owner: None,
    };
    let newer = SavedTemplate {
        id: uuid::Uuid::now_v7(),
        name: "Пустой каркас".into(),
        board: Template::Blank.build(BoardId::new(), "x", Locale::Ru),
        created_at: NOW + 1,
        owner: Some(anna),
    };
    store.create_template(&older).await.unwrap();
    store.create_template(&newer).await.unwrap();
    let list = store.list_templates(anna).await.unwrap();
    let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Пустой каркас", "Retail journey"]);
    // Anna's template is hers; the one saved before accounts is everyone's.
    let list = store.list_templates(boris).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Retail journey");
    assert!(
        !store
            .delete_template(newer.id, boris, false, NOW)
            .await
            .unwrap()
    );
    assert_eq!(
        store.load_template(older.id).await.unwrap(),
        Some(older.clone())
    );
    // A template without an owner: only an admin deletes it.
    assert!(
        !store
            .delete_template(older.id, boris, false, NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_template(older.id, anna, true, NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_template(older.id, anna, true, NOW)
            .await
            .unwrap()
    );
    assert_eq!(store.load_template(older.id).await.unwrap(), None);
    assert_eq!(store.list_templates(anna).await.unwrap().len(), 1);
}

/// A new account (not the first of the store unless it is).
async fn user(store: &dyn Store, email: &str) -> uuid::Uuid {
    store
        .create_user(uuid::Uuid::now_v7(), email, email, "$argon2id$x", NOW)
        .await
        .unwrap()
        .id
}

async fn test_members_and_roles(store: Arc<dyn Store>) {
    // A board made before accounts is adopted by the first account.
    let old = Template::Blank.build(BoardId::new(), "Before accounts", Locale::En);
    store.create_board(&old, None, NOW).await.unwrap();
    assert!(!store.has_users().await.unwrap());
    let owner = user(&*store, "owner@example.com").await;
    assert!(store.has_users().await.unwrap());
    assert_eq!(
        store.member_role(old.id, owner).await.unwrap(),
        Some(Role::Owner)
    );
    let board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, Some(owner), NOW).await.unwrap();
    let vera = user(&*store, "vera@example.com").await;
    assert_eq!(store.member_role(board.id, vera).await.unwrap(), None);
    assert!(
        store
            .put_member(board.id, vera, Role::Viewer, NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .put_member(board.id, vera, Role::Editor, NOW)
            .await
            .unwrap()
    );
    assert_eq!(
        store.member_role(board.id, vera).await.unwrap(),
        Some(Role::Editor)
    );
    let members = store.members(board.id).await.unwrap();
    let roles: Vec<(&str, Role)> = members.iter().map(|m| (m.email.as_str(), m.role)).collect();
    assert_eq!(
        roles,
        [
            ("owner@example.com", Role::Owner),
            ("vera@example.com", Role::Editor)
        ]
    );
    assert_eq!(store.list_boards(vera).await.unwrap().len(), 1);
    assert!(store.remove_member(board.id, vera).await.unwrap());
    assert!(!store.remove_member(board.id, vera).await.unwrap());
    assert_eq!(store.member_role(board.id, vera).await.unwrap(), None);
    // Invitations: one statement decides, a second adds nothing.
    assert!(
        store
            .add_member(board.id, vera, Role::Owner, NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_member(board.id, vera, Role::Viewer, NOW)
            .await
            .unwrap()
    );
    // Two owners demoting each other at once: one wins, the board keeps
    // an owner.
    let (a, b) = tokio::join!(
        store.put_member(board.id, owner, Role::Editor, NOW),
        store.put_member(board.id, vera, Role::Editor, NOW),
    );
    assert!(
        matches!(
            (&a, &b),
            (Ok(_), Err(StoreError::LastOwner)) | (Err(StoreError::LastOwner), Ok(_))
        ),
        "{a:?} {b:?}"
    );
    let owners = store
        .members(board.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.role == Role::Owner)
        .count();
    assert_eq!(owners, 1);
    let last = if a.is_ok() { vera } else { owner };
    assert!(matches!(
        store.remove_member(board.id, last).await,
        Err(StoreError::LastOwner)
    ));
    assert_eq!(
        store.member_role(board.id, last).await.unwrap(),
        Some(Role::Owner)
    );
}

async fn test_share_links_and_guests(store: Arc<dyn Store>) {
    let owner = user(&*store, "owner@example.com").await;
    let board = Template::Blank.build(BoardId::new(), "B", Locale::En);
    store.create_board(&board, Some(owner), NOW).await.unwrap();
    let link = cjm_store::ShareLink {
        id: uuid::Uuid::now_v7(),
        board: board.id,
        role: Role::Editor,
        password_hash: Some("$argon2id$p".into()),
        expires_at: Some(NOW + 1000),
        created_by: owner,
        created_at: NOW,
        last_used_at: None,
    };
    store.create_link(&link, b"token-hash-1").await.unwrap();
    assert_eq!(
        store.link_by_token(b"token-hash-1").await.unwrap(),
        Some(link.clone())
    );
    assert_eq!(store.link_by_token(b"other").await.unwrap(), None);
    assert!(link.expired(NOW + 1000) && !link.expired(NOW + 999));

    // A guest joins, then renames itself: the same guest id.
    let id = store
        .add_guest(b"guest-1", link.id, "Masha", NOW + 5)
        .await
        .unwrap();
    assert_eq!(
        store
            .add_guest(b"guest-1", link.id, "Maria", NOW + 6)
            .await
            .unwrap(),
        id
    );
    let other = store
        .add_guest(b"guest-2", link.id, "Kolya", NOW)
        .await
        .unwrap();
    assert_ne!(id, other);
    let guests = store.guest_links(b"guest-1", board.id).await.unwrap();
    assert_eq!(guests.len(), 1);
    assert_eq!((guests[0].guest_id, guests[0].name.as_str()), (id, "Maria"));
    assert_eq!(guests[0].link.last_used_at, Some(NOW + 6));
    let elsewhere = BoardId::new();
    assert!(
        store
            .guest_links(b"guest-1", elsewhere)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.links(board.id).await.unwrap().len(), 1);

    // A rotated guest token keeps the memberships; the old one has none.
    store.rekey_guest(b"guest-1", b"guest-1b").await.unwrap();
    assert!(
        store
            .guest_links(b"guest-1", board.id)
            .await
            .unwrap()
            .is_empty()
    );
    store.rekey_guest(b"guest-1b", b"guest-1").await.unwrap();
    assert_eq!(
        store.guest_links(b"guest-1", board.id).await.unwrap()[0].guest_id,
        id
    );

    // Revoking it through another board does nothing, guests included.
    let other_board = Template::Blank.build(BoardId::new(), "Other", Locale::En);
    store
        .create_board(&other_board, Some(owner), NOW)
        .await
        .unwrap();
    assert!(
        !store
            .revoke_link(other_board.id, link.id, NOW + 7)
            .await
            .unwrap()
    );
    assert_eq!(
        store.guest_links(b"guest-1", board.id).await.unwrap().len(),
        1
    );

    // Revoked: the token and the guests are gone, the list is empty.
    assert!(store.revoke_link(board.id, link.id, NOW + 7).await.unwrap());
    assert!(!store.revoke_link(board.id, link.id, NOW + 8).await.unwrap());
    assert_eq!(store.link_by_token(b"token-hash-1").await.unwrap(), None);
    assert!(
        store
            .guest_links(b"guest-1", board.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.links(board.id).await.unwrap().is_empty());

    // A deleted board's links let nobody in.
    let second = cjm_store::ShareLink {
        id: uuid::Uuid::now_v7(),
        expires_at: None,
        password_hash: None,
        ..link
    };
    store.create_link(&second, b"token-hash-2").await.unwrap();
    store
        .add_guest(b"guest-1", second.id, "Maria", NOW)
        .await
        .unwrap();
    store.delete_board(board.id, NOW).await.unwrap();
    assert_eq!(store.link_by_token(b"token-hash-2").await.unwrap(), None);
    assert!(
        store
            .guest_links(b"guest-1", board.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn test_accounts_and_sessions(store: Arc<dyn Store>) {
    let uid = uuid::Uuid::now_v7;
    let anna = store
        .create_user(uid(), "anna@example.com", "Anna", "$argon2id$hash1", NOW)
        .await
        .unwrap();
    assert!(anna.is_admin, "the first account is the admin");
    let boris = store
        .create_user(uid(), "boris@example.com", "Boris", "$argon2id$hash2", NOW)
        .await
        .unwrap();
    assert!(!boris.is_admin);
    let taken = store
        .create_user(uid(), "anna@example.com", "Other", "$argon2id$x", NOW)
        .await;
    assert!(
        matches!(taken, Err(cjm_store::StoreError::Taken("email"))),
        "{taken:?}"
    );
    assert_eq!(
        store.user_by_email("anna@example.com").await.unwrap(),
        Some(anna.clone())
    );
    assert_eq!(
        store.user_by_email("nobody@example.com").await.unwrap(),
        None
    );

    // Sessions: found while alive, gone after expiry or deletion.
    let (t1, t2, t3) = ([1u8; 32], [2u8; 32], [3u8; 32]);
    store
        .create_session(&t1, anna.id, NOW, NOW + 1000)
        .await
        .unwrap();
    store
        .create_session(&t2, anna.id, NOW, NOW + 1000)
        .await
        .unwrap();
    store
        .create_session(&t3, boris.id, NOW, NOW + 10)
        .await
        .unwrap();
    assert_eq!(
        store
            .session_user(&t1, NOW + 1)
            .await
            .unwrap()
            .map(|u| u.id),
        Some(anna.id)
    );
    assert_eq!(
        store.session_user(&t3, NOW + 10).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(store.session_user(&[9u8; 32], NOW).await.unwrap(), None);
    store.delete_session(&t1).await.unwrap();
    assert_eq!(store.session_user(&t1, NOW + 1).await.unwrap(), None);

    // A new password ends every session of the account.
    assert!(
        store
            .set_password(anna.id, "$argon2id$hash3", NOW + 2)
            .await
            .unwrap()
    );
    assert_eq!(store.session_user(&t2, NOW + 3).await.unwrap(), None);
    let anna = store
        .user_by_email("anna@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(anna.password_hash, "$argon2id$hash3");
    assert!(!store.set_password(uid(), "$argon2id$x", NOW).await.unwrap());
}

/// An account deletes itself: its sole-owned boards are listed until a
/// choice is made, then handed over or deleted, and everything else of it
/// goes in the same transaction; the email is free again.
async fn test_account_deletion(store: Arc<dyn Store>) {
    use cjm_store::{AccountDeletion, SoleOwned, SoleOwnedBoard};
    let anna = user(&*store, "anna@example.com").await;
    let boris = user(&*store, "boris@example.com").await;
    let carl = user(&*store, "carl@example.com").await;
    let board = |title: &str| Template::Blank.build(BoardId::new(), title, Locale::En);
    // Anna alone: no other member.
    let solo = board("Solo");
    store.create_board(&solo, Some(anna), NOW).await.unwrap();
    // Anna owns it; Boris views (earlier), Carl edits (later): Carl inherits.
    let shared = board("Shared");
    store.create_board(&shared, Some(anna), NOW).await.unwrap();
    store
        .put_member(shared.id, boris, Role::Viewer, NOW)
        .await
        .unwrap();
    store
        .put_member(shared.id, carl, Role::Editor, NOW + 1)
        .await
        .unwrap();
    // Owned with Boris: stays his.
    let co_owned = board("Co-owned");
    store
        .create_board(&co_owned, Some(anna), NOW)
        .await
        .unwrap();
    store
        .put_member(co_owned.id, boris, Role::Owner, NOW)
        .await
        .unwrap();
    // Boris's, Anna edits.
    let his = board("His");
    store.create_board(&his, Some(boris), NOW).await.unwrap();
    store
        .put_member(his.id, anna, Role::Editor, NOW)
        .await
        .unwrap();
    // Anna's session, saved template and a link she made on `shared`.
    store
        .create_session(&[7u8; 32], anna, NOW, NOW + 1000)
        .await
        .unwrap();
    let template = SavedTemplate {
        id: uuid::Uuid::now_v7(),
        name: "Mine".into(),
        board: board("T"),
        created_at: NOW,
        owner: Some(anna),
    };
    store.create_template(&template).await.unwrap();
    let link = cjm_store::ShareLink {
        id: uuid::Uuid::now_v7(),
        board: shared.id,
        role: Role::Viewer,
        password_hash: None,
        expires_at: None,
        created_by: anna,
        created_at: NOW,
        last_used_at: None,
    };
    store.create_link(&link, b"anna-link").await.unwrap();

    // No choice: the sole-owned boards are listed and nothing is written.
    let mut listed = match store.delete_account(anna, None, NOW + 5).await.unwrap() {
        AccountDeletion::SoleOwner(boards) => boards,
        other => panic!("{other:?}"),
    };
    listed.sort_by(|a, b| a.title.cmp(&b.title));
    assert_eq!(
        listed,
        [
            SoleOwnedBoard {
                id: shared.id,
                title: "Shared".into(),
                other_members: 2
            },
            SoleOwnedBoard {
                id: solo.id,
                title: "Solo".into(),
                other_members: 0
            },
        ]
    );
    assert_eq!(
        store.member_role(solo.id, anna).await.unwrap(),
        Some(Role::Owner)
    );
    assert!(
        store
            .session_user(&[7u8; 32], NOW + 6)
            .await
            .unwrap()
            .is_some()
    );

    // Hand over: Carl (the editor) owns `shared`, `solo` is deleted.
    let done = store
        .delete_account(anna, Some(SoleOwned::Transfer), NOW + 10)
        .await
        .unwrap();
    assert_eq!(
        done,
        AccountDeletion::Deleted {
            deleted_boards: vec![solo.id],
            transferred: vec![(shared.id, carl)]
        }
    );
    assert!(store.load_board(solo.id).await.unwrap().is_none());
    assert_eq!(
        store.member_role(shared.id, carl).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(
        store.member_role(shared.id, boris).await.unwrap(),
        Some(Role::Viewer)
    );
    for b in [shared.id, co_owned.id, his.id] {
        assert!(store.load_board(b).await.unwrap().is_some());
        assert_eq!(store.member_role(b, anna).await.unwrap(), None);
    }
    assert_eq!(
        store.member_role(co_owned.id, boris).await.unwrap(),
        Some(Role::Owner)
    );
    assert!(store.list_boards(anna).await.unwrap().is_empty());
    assert_eq!(
        store.session_user(&[7u8; 32], NOW + 11).await.unwrap(),
        None
    );
    assert_eq!(store.load_template(template.id).await.unwrap(), None);
    assert_eq!(store.user_by_email("anna@example.com").await.unwrap(), None);
    // Her link on the surviving board keeps working for its new owner.
    assert_eq!(
        store
            .link_by_token(b"anna-link")
            .await
            .unwrap()
            .map(|l| l.id),
        Some(link.id)
    );
    assert_eq!(
        store
            .delete_account(anna, Some(SoleOwned::Delete), NOW + 12)
            .await
            .unwrap(),
        AccountDeletion::NoSuchAccount
    );

    // "delete": Boris's boards that he alone owns go, whoever else is on them.
    store
        .put_member(his.id, carl, Role::Editor, NOW)
        .await
        .unwrap();
    let done = store
        .delete_account(boris, Some(SoleOwned::Delete), NOW + 20)
        .await
        .unwrap();
    let AccountDeletion::Deleted {
        mut deleted_boards,
        transferred,
    } = done
    else {
        panic!("{done:?}")
    };
    deleted_boards.sort();
    let mut expected = vec![co_owned.id, his.id];
    expected.sort();
    assert_eq!((deleted_boards, transferred), (expected, vec![]));
    assert!(store.load_board(his.id).await.unwrap().is_none());
    assert!(
        store
            .list_boards(carl)
            .await
            .unwrap()
            .iter()
            .all(|b| b.id == shared.id)
    );

    // The last account: asked about `shared`, which nobody else is on any
    // more, so handing over deletes it. No live account is left; the email
    // signs up again, and that account is the server's admin.
    assert!(matches!(
        store.delete_account(carl, None, NOW + 30).await.unwrap(),
        AccountDeletion::SoleOwner(b) if b.len() == 1 && b[0].other_members == 0
    ));
    store
        .delete_account(carl, Some(SoleOwned::Transfer), NOW + 30)
        .await
        .unwrap();
    assert!(store.load_board(shared.id).await.unwrap().is_none());
    assert!(!store.has_users().await.unwrap());
    let again = store
        .create_user(
            uuid::Uuid::now_v7(),
            "anna@example.com",
            "Anna",
            "$argon2id$new",
            NOW + 40,
        )
        .await
        .unwrap();
    assert!(again.is_admin);
    assert_ne!(again.id, anna);
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}/cjm.db", dir.path().display());
                    let store = cjm_store::connect(&url).await.unwrap();
                    assert_eq!(store.backend(), "sqlite");
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = super::TestPgDb::create().await.unwrap();
                    let store = cjm_store::connect(&db.url).await.unwrap();
                    assert_eq!(store.backend(), "postgres");
                    super::$name(store).await;
                    db.drop_db().await.unwrap();
                }
            )*
        }
    };
}

conformance!(
    test_create_from_template_and_load,
    test_batches_persist_every_entity_kind,
    test_resent_batch_is_a_noop_returning_original_seq,
    test_ops_since_returns_the_log_in_order,
    test_group_commit_assigns_consecutive_seqs,
    test_delete_board_hides_it,
    test_stale_commit_is_refused_and_writes_nothing,
    test_the_example_map_round_trips,
    test_uploads_are_stored_and_go_with_their_board,
    test_saved_templates_list_load_and_delete,
    test_accounts_and_sessions,
    test_members_and_roles,
    test_share_links_and_guests,
    test_account_deletion,
);
